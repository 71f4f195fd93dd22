//! Result codes and errors.
//!
//! Every failure carries the C API's `sv2_result` (`src/ffi/result.rs`; the bindings use the
//! core without the `capi` feature, so the table is repeated here and a test compares the two).
//! Native calls throw a JS `Error` whose `code` is the C name (`'SV2_ERR_TRUNCATED'`); the
//! package's JavaScript layer (`ts/errors.ts`) turns it into the matching `Error` subclass
//! (`UsageError` 1xx, `CodecError` 2xx, `NoiseError` 3xx, `ProtocolError` 4xx) and adds
//! `errno`, the number. Codes 111-113 and 410 are binding-only; the C table reserves them for the
//! Python and Node bindings.

use napi_derive::napi;
use sv2::codec::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, FrameError};
use sv2::keys::{
    CertificateCheckError, CertificateError, EmptyValidityError, EntropyError, FileFormatError,
    KeyTextError, UrlError,
};
use sv2::mining::client::{SubmitError, UsageError, WorkError};
use sv2::mining::pool::EngineError;
use sv2::mining::MathError;
use sv2::noise::NoiseError;
use sv2::session::{ProtocolViolation, SessionError, TimeoutKind};

/// The status type of this crate's errors: the C name of an `sv2_result`, which napi puts in
/// the thrown error's `code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code(pub &'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// An error with an `sv2_result` code.
pub type Error = napi::Error<Code>;
/// The result type of every fallible exported function.
pub type Result<T> = std::result::Result<T, Error>;

macro_rules! codes {
    ($( $name:ident = $num:literal, $desc:literal; )*) => {
        $( #[doc = $desc] pub const $name: (&str, u32) = (concat!("SV2_ERR_", stringify!($name)), $num); )*
        /// `(C name, number, description)` of every code, in numeric order.
        pub const ALL: &[(&str, u32, &str)] = &[ $( (concat!("SV2_ERR_", stringify!($name)), $num, $desc), )* ];
    };
}

codes! {
    NULL_ARG = 100, "a required argument was missing";
    BUFFER_TOO_SMALL = 101, "buffer too small";
    WRONG_STATE = 102, "call not valid in the current state";
    INVALID_ARG = 103, "invalid argument";
    INVALID_CONFIG = 104, "invalid or incomplete configuration";
    CLOSED = 105, "the session has closed";
    INPUT_BUFFER_FULL = 106, "input buffer full: drain events and retry";
    OUTPUT_BUFFER_FULL = 107, "output buffer full: send pending data and retry";
    NOT_SENDABLE = 108, "message not sendable on this connection";
    SHARE_REFUSED = 111, "a share failed the local checks; nothing was sent (bindings only; reserved in the C table)";
    UNEXPECTED_MESSAGE = 112, "the message has no place here (bindings only; reserved in the C table)";
    IO = 113, "reading or writing a file failed (bindings only; reserved in the C table)";
    TRUNCATED = 200, "truncated frame or field";
    TOO_LONG = 201, "length or count exceeds its type's maximum";
    TRAILING_BYTES = 202, "unexpected bytes after the last field";
    INVALID_BOOL = 203, "invalid BOOL byte";
    INVALID_UTF8 = 204, "string is not valid UTF-8";
    WRONG_LENGTH = 205, "fixed-size value with the wrong length";
    INVALID_VALUE = 206, "invalid value";
    FRAME_TOO_LARGE = 207, "frame too large";
    UNKNOWN_MESSAGE = 208, "message type unknown in this dialect";
    ENCODE_TOO_LONG = 209, "value too long for its type";
    ENCODE_OUT_OF_RANGE = 210, "value out of range for the dialect's type";
    NOT_IN_DIALECT = 211, "message not defined in this dialect";
    NOISE_MALFORMED = 300, "malformed Noise message";
    NOISE_NEGOTIATION = 301, "Noise algorithm negotiation failed";
    NOISE_HANDSHAKE_DECRYPT = 302, "Noise handshake message failed authentication";
    NOISE_TRANSPORT_DECRYPT = 303, "Noise transport message failed authentication";
    NOISE_INVALID_PUBLIC_KEY = 304, "peer key is a low-order point";
    NOISE_NONCE_EXHAUSTED = 305, "Noise nonce space exhausted";
    NOISE_INTERNAL = 306, "internal or configuration error of the secure channel";
    RNG = 307, "the operating system's random number generator failed";
    CERT_BAD_SIGNATURE = 320, "certificate signature does not verify";
    CERT_INVALID_AUTHORITY_KEY = 321, "authority key is not a valid Ed25519 key";
    CERT_NOT_YET_VALID = 322, "certificate not valid yet";
    CERT_EXPIRED = 323, "certificate expired";
    CERT_MALFORMED = 324, "malformed certificate";
    CERT_AUTHORITY_MISMATCH = 325, "certificate signed by another authority";
    CERT_EMPTY_VALIDITY = 326, "valid_from is after not_valid_after";
    KEY_TEXT = 330, "invalid key text";
    KEY_CHECKSUM = 331, "key text checksum mismatch";
    KEY_SECP256K1 = 332, "secp256k1 key of the newer spec: not supported";
    KEY_INVALID = 333, "not a valid Ed25519 public key";
    URL_SCHEME = 340, "pool URL: bad scheme, user info, query or fragment";
    URL_HOST = 341, "pool URL: bad host";
    URL_PORT = 342, "pool URL: missing or invalid port";
    URL_KEY = 343, "pool URL: missing or invalid authority key";
    PROTOCOL = 400, "protocol violation by the peer";
    WRONG_PROTOCOL = 401, "message of another protocol than the negotiated one";
    WRONG_DIRECTION = 402, "message travelling in the wrong direction";
    VERSION = 403, "protocol version not offered";
    TIMEOUT_HANDSHAKE = 404, "handshake timeout";
    TIMEOUT_SETUP = 405, "setup timeout";
    TIMEOUT_IDLE = 406, "idle timeout";
    PEER_CLOSED_MID_FRAME = 407, "peer closed the connection inside a frame";
    PEER_CLOSED_BEFORE_SETUP = 408, "peer closed the connection before setup completed";
    TOO_MANY_CHANNELS = 409, "channel limit reached";
    SETUP_REJECTED = 410, "SetupConnection was refused (bindings only; reserved in the C table)";
    TIMEOUT_OPEN_CHANNEL = 411, "no channel opened in time after setup";
    UNKNOWN_CHANNEL = 450, "no open channel with this id";
    WRONG_CHANNEL_KIND = 451, "wrong submit kind for the channel (standard/extended)";
    UNKNOWN_JOB = 452, "share refused: unknown job";
    FUTURE_JOB = 453, "share refused: future job not yet activated";
    STALE_JOB = 454, "share refused: stale job";
    VERSION_NOT_ALLOWED = 455, "share refused: version bits outside the allowed mask";
    NTIME_OUT_OF_RANGE = 456, "share refused: ntime out of range";
    EXTRANONCE_LENGTH = 457, "extranonce length differs from the channel's extranonce_size";
    BELOW_TARGET = 458, "share refused: hash does not meet the target";
    DUPLICATE_SHARE = 459, "share refused: duplicate share";
    NOT_EXTENDED = 460, "needs extended-channel work or an extended channel";
    EXTENDED_CHANNELS_REQUIRED = 461, "the server accepts only extended channels";
    ROLLING_NOT_ALLOWED = 462, "the version mask allows fewer rolled versions";
    UNKNOWN_CONNECTION = 470, "unknown pool connection";
    NO_PREV_HASH = 471, "non-future template before any prevhash";
    UNKNOWN_TEMPLATE = 472, "SetNewPrevHash for an unknown future template";
    INVALID_TEMPLATE = 473, "invalid template";
    EXHAUSTED = 474, "job ids or extranonce prefixes exhausted";
    INVALID_TRANSACTION = 480, "transaction bytes do not parse as one transaction";
    STALE_TIP = 481, "template builds on a tip the provider already left";
    PANIC = 900, "internal error (panic) caught";
    POISONED = 901, "handle poisoned by an earlier panic";
}

/// An error with `code` and `message`.
pub fn err(code: (&'static str, u32), message: impl ToString) -> Error {
    napi::Error::new(Code(code.0), message)
}

/// An invalid-argument error.
pub fn invalid(message: impl ToString) -> Error {
    err(INVALID_ARG, message)
}

/// One result code, as `resultCodes()` lists them.
#[napi(object)]
pub struct ResultCodeInfo {
    /// The C name, e.g. `SV2_ERR_TRUNCATED`: the `code` of thrown errors.
    pub name: String,
    /// The C `sv2_result` number: the `errno` of thrown errors.
    pub code: u32,
    /// One line of description.
    pub description: String,
}

/// Every result code the bindings can throw, in numeric order (`SV2_OK` excluded).
#[napi]
pub fn result_codes() -> Vec<ResultCodeInfo> {
    ALL.iter()
        .map(|(name, code, description)| ResultCodeInfo {
            name: (*name).to_string(),
            code: *code,
            description: (*description).to_string(),
        })
        .collect()
}

/// Conversion of the core's errors.
pub trait ToJsError {
    /// The error with its code.
    fn js(&self) -> Error;
}

/// `map_err(js)` helper.
pub fn js<E: ToJsError>(e: E) -> Error {
    e.js()
}

fn decode_code(kind: &DecodeErrorKind) -> (&'static str, u32) {
    match kind {
        DecodeErrorKind::Truncated { .. } => TRUNCATED,
        DecodeErrorKind::TooLong { .. } => TOO_LONG,
        DecodeErrorKind::TrailingBytes(_) => TRAILING_BYTES,
        DecodeErrorKind::InvalidBool(_) => INVALID_BOOL,
        DecodeErrorKind::InvalidUtf8 => INVALID_UTF8,
        DecodeErrorKind::WrongLength { .. } => WRONG_LENGTH,
        DecodeErrorKind::InvalidValue(_) => INVALID_VALUE,
    }
}

impl ToJsError for DecodeError {
    fn js(&self) -> Error {
        err(decode_code(&self.kind), self)
    }
}

impl ToJsError for EncodeError {
    fn js(&self) -> Error {
        let code = match self.kind {
            EncodeErrorKind::TooLong { .. } => ENCODE_TOO_LONG,
            EncodeErrorKind::OutOfRange => ENCODE_OUT_OF_RANGE,
            EncodeErrorKind::NotInDialect(_) => NOT_IN_DIALECT,
            EncodeErrorKind::InvalidValue(_) => INVALID_VALUE,
            EncodeErrorKind::FrameTooLarge(_) => FRAME_TOO_LARGE,
        };
        err(code, self)
    }
}

impl ToJsError for FrameError {
    fn js(&self) -> Error {
        err(FRAME_TOO_LARGE, self)
    }
}

fn certificate_code(e: &CertificateError) -> (&'static str, u32) {
    match e {
        CertificateError::BadSignature => CERT_BAD_SIGNATURE,
        CertificateError::InvalidAuthorityKey => CERT_INVALID_AUTHORITY_KEY,
        CertificateError::NotYetValid { .. } => CERT_NOT_YET_VALID,
        CertificateError::Expired { .. } => CERT_EXPIRED,
        CertificateError::Malformed(_) => CERT_MALFORMED,
    }
}

fn noise_code(e: &NoiseError) -> (&'static str, u32) {
    match e {
        NoiseError::ZeroLengthMessage
        | NoiseError::PlaintextPeer
        | NoiseError::MessageTooLong { .. }
        | NoiseError::MessageTooShort { .. }
        | NoiseError::UnexpectedHandshakeLength { .. }
        | NoiseError::MalformedNegotiation(_) => NOISE_MALFORMED,
        NoiseError::NegotiationRequired
        | NoiseError::NoCommonCipher
        | NoiseError::UnofferedCipher(_)
        | NoiseError::DialectMismatch { .. } => NOISE_NEGOTIATION,
        NoiseError::HandshakeDecrypt => NOISE_HANDSHAKE_DECRYPT,
        NoiseError::TransportDecrypt => NOISE_TRANSPORT_DECRYPT,
        NoiseError::InvalidPublicKey => NOISE_INVALID_PUBLIC_KEY,
        NoiseError::Certificate(c) => certificate_code(c),
        NoiseError::NonceExhausted => NOISE_NONCE_EXHAUSTED,
        NoiseError::FrameTooLarge { .. } => FRAME_TOO_LARGE,
        NoiseError::Rng => RNG,
        NoiseError::Closed => CLOSED,
        NoiseError::InvalidFrameBoundaries
        | NoiseError::InvalidConfig(_)
        | NoiseError::HandshakeIncomplete
        | NoiseError::Internal(_) => NOISE_INTERNAL,
    }
}

/// The code of a session error (as the C API's `From<SessionError>`).
pub fn session_code(e: &SessionError) -> (&'static str, u32) {
    match e {
        SessionError::Noise(n) => noise_code(n),
        SessionError::Frame(_) => FRAME_TOO_LARGE,
        SessionError::Encode(x) => match x.kind {
            EncodeErrorKind::TooLong { .. } => ENCODE_TOO_LONG,
            EncodeErrorKind::OutOfRange => ENCODE_OUT_OF_RANGE,
            EncodeErrorKind::NotInDialect(_) => NOT_IN_DIALECT,
            EncodeErrorKind::InvalidValue(_) => INVALID_VALUE,
            EncodeErrorKind::FrameTooLarge(_) => FRAME_TOO_LARGE,
        },
        SessionError::Protocol(p) => match p {
            ProtocolViolation::Decode(d) => decode_code(&d.kind),
            ProtocolViolation::WrongProtocol { .. } => WRONG_PROTOCOL,
            ProtocolViolation::WrongDirection(_) => WRONG_DIRECTION,
            ProtocolViolation::VersionNotOffered(_) => VERSION,
            ProtocolViolation::FirstMessageNotSetup(_)
            | ProtocolViolation::NoiseHandshakeOnPlaintext
            | ProtocolViolation::SecondSetup
            | ProtocolViolation::UnexpectedSetupReply(_) => PROTOCOL,
        },
        SessionError::Timeout(TimeoutKind::Handshake) => TIMEOUT_HANDSHAKE,
        SessionError::Timeout(TimeoutKind::Setup) => TIMEOUT_SETUP,
        SessionError::Timeout(TimeoutKind::Idle) => TIMEOUT_IDLE,
        SessionError::Timeout(TimeoutKind::OpenChannel) => TIMEOUT_OPEN_CHANNEL,
        SessionError::PeerClosedMidFrame { .. } => PEER_CLOSED_MID_FRAME,
        SessionError::PeerClosedBeforeSetup { .. } => PEER_CLOSED_BEFORE_SETUP,
        SessionError::InputBufferFull { .. } => INPUT_BUFFER_FULL,
        SessionError::OutputBufferFull { .. } => OUTPUT_BUFFER_FULL,
        SessionError::TooManyChannels { .. } => TOO_MANY_CHANNELS,
        SessionError::WrongState(_) => WRONG_STATE,
        SessionError::NotSendable(_) => NOT_SENDABLE,
        SessionError::InvalidConfig(_) => INVALID_CONFIG,
        SessionError::Closed => CLOSED,
    }
}

impl ToJsError for SessionError {
    fn js(&self) -> Error {
        err(session_code(self), self)
    }
}

impl ToJsError for NoiseError {
    fn js(&self) -> Error {
        err(noise_code(self), self)
    }
}

impl ToJsError for CertificateError {
    fn js(&self) -> Error {
        err(certificate_code(self), self)
    }
}

impl ToJsError for CertificateCheckError {
    fn js(&self) -> Error {
        match self {
            CertificateCheckError::AuthorityMismatch { .. } => err(CERT_AUTHORITY_MISMATCH, self),
            CertificateCheckError::Certificate(c) => c.js(),
        }
    }
}

impl ToJsError for EmptyValidityError {
    fn js(&self) -> Error {
        err(CERT_EMPTY_VALIDITY, self)
    }
}

impl ToJsError for FileFormatError {
    fn js(&self) -> Error {
        err(CERT_MALFORMED, self)
    }
}

impl ToJsError for EntropyError {
    fn js(&self) -> Error {
        err(RNG, self)
    }
}

impl ToJsError for KeyTextError {
    fn js(&self) -> Error {
        let code = match self {
            KeyTextError::BadChecksum { .. } => KEY_CHECKSUM,
            KeyTextError::Secp256k1Format => KEY_SECP256K1,
            KeyTextError::InvalidEd25519Key => KEY_INVALID,
            KeyTextError::InvalidSecp256k1Key => KEY_INVALID,
            _ => KEY_TEXT,
        };
        err(code, self)
    }
}

impl ToJsError for UrlError {
    fn js(&self) -> Error {
        let code = match self {
            UrlError::MissingScheme
            | UrlError::UnsupportedScheme { .. }
            | UrlError::UserInfo
            | UrlError::QueryOrFragment => URL_SCHEME,
            UrlError::EmptyHost | UrlError::InvalidHost { .. } => URL_HOST,
            UrlError::MissingPort | UrlError::InvalidPort { .. } => URL_PORT,
            _ => URL_KEY,
        };
        err(code, self)
    }
}

impl ToJsError for MathError {
    fn js(&self) -> Error {
        err(INVALID_ARG, self)
    }
}

impl ToJsError for UsageError {
    fn js(&self) -> Error {
        let code = match self {
            UsageError::TooManyChannels(_) => TOO_MANY_CHANNELS,
            UsageError::ExtendedChannelsRequired => EXTENDED_CHANNELS_REQUIRED,
            UsageError::UnknownChannel(_) => UNKNOWN_CHANNEL,
            UsageError::NotExtended(_) => NOT_EXTENDED,
            UsageError::WorkSelectionNotNegotiated | UsageError::TooManyPendingCustomJobs => {
                WRONG_STATE
            }
            _ => INVALID_ARG,
        };
        err(code, self)
    }
}

impl ToJsError for SubmitError {
    fn js(&self) -> Error {
        let code = match self {
            SubmitError::UnknownChannel(_) => UNKNOWN_CHANNEL,
            SubmitError::WrongChannelKind(_) => WRONG_CHANNEL_KIND,
            SubmitError::UnknownJob(_) => UNKNOWN_JOB,
            SubmitError::FutureJob(_) => FUTURE_JOB,
            SubmitError::StaleJob(_) => STALE_JOB,
            SubmitError::VersionNotAllowed { .. } => VERSION_NOT_ALLOWED,
            SubmitError::NtimeOutOfRange { .. } => NTIME_OUT_OF_RANGE,
            SubmitError::ExtranonceLength { .. } => EXTRANONCE_LENGTH,
            SubmitError::BelowTarget { .. } => BELOW_TARGET,
            SubmitError::Duplicate => DUPLICATE_SHARE,
            _ => SHARE_REFUSED,
        };
        err(code, self)
    }
}

impl ToJsError for WorkError {
    fn js(&self) -> Error {
        let code = match self {
            WorkError::NotExtended => NOT_EXTENDED,
            WorkError::ExtranonceLength { .. } => EXTRANONCE_LENGTH,
            _ => BUFFER_TOO_SMALL,
        };
        err(code, self)
    }
}

impl ToJsError for EngineError {
    fn js(&self) -> Error {
        let code = match self {
            EngineError::InvalidConfig(_) => INVALID_CONFIG,
            EngineError::UnknownConnection(_) => UNKNOWN_CONNECTION,
            EngineError::ConnectionExists(_) => WRONG_STATE,
            EngineError::UnsupportedFlags(_) | EngineError::UnexpectedMessage(_) => PROTOCOL,
            EngineError::UnknownChannel(_) => UNKNOWN_CHANNEL,
            EngineError::NoPrevHash => NO_PREV_HASH,
            EngineError::UnknownTemplate(_) => UNKNOWN_TEMPLATE,
            EngineError::InvalidTemplate(_) => INVALID_TEMPLATE,
            EngineError::JobIdsExhausted | EngineError::ExtranonceSpaceExhausted => EXHAUSTED,
            _ => INVALID_ARG,
        };
        err(code, self)
    }
}
