//! Result codes and the exception hierarchy.
//!
//! [`ResultCode`] is the C API's `sv2_result` numbering (`src/ffi/result.rs`, which the
//! bindings cannot link: they use the core without the `capi` feature), grouped by hundreds:
//! 1xx caller misuse, 2xx framing and codec, 3xx Noise, certificates and keys, 4xx protocol,
//! 9xx panics. The `code_of_*` functions map the core's errors exactly as the C API's `From`
//! impls do. A test (`tests/test_messages.py::test_result_codes_match_the_c_api`) parses
//! `src/ffi/result.rs` and fails if a number or name differs. The few codes only the bindings
//! use (111-113 and 410) are reserved in the C table.
//!
//! In Python every error is an `Sv2Error` subclass chosen by the hundreds digit
//! (`UsageError`, `CodecError`, `NoiseError`, `ProtocolError`) with `.code` set to the number;
//! the mining-role codes 450-499 (local share refusals, unknown channels) are `UsageError`s.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use sv2::codec::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, FrameError};
use sv2::keys::{
    CertificateCheckError, CertificateError, FileFormatError, KeyFileError, KeyTextError,
    UrlError as CoreUrlError,
};
use sv2::messages::ValueError;
use sv2::noise::NoiseError as CoreNoiseError;
use sv2::session::{ProtocolViolation, SessionError, TimeoutKind};

macro_rules! result_codes {
    ($( $(#[doc = $doc:literal])+ $name:ident = $code:literal, )*) => {
        /// Every failure, numbered as the C API's `sv2_result`. Variants keep the C names.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u32)]
        pub enum ResultCode {
            $( $(#[doc = $doc])+ $name = $code, )*
        }

        impl ResultCode {
            /// Every code, in numeric order.
            pub const ALL: &'static [ResultCode] = &[$(ResultCode::$name),*];

            /// The symbolic name without prefix (`"DECODE_TRUNCATED"`); C adds `SV2_ERR_`.
            pub fn name(self) -> &'static str {
                match self { $(ResultCode::$name => stringify!($name),)* }
            }

            /// A one-line description (static storage, like `sv2_result_str`).
            pub fn description(self) -> &'static str {
                match self { $(ResultCode::$name => concat!($($doc),+).trim_ascii(),)* }
            }
        }
    };
}

result_codes! {
    /// Success.
    OK = 0,
    /// A required pointer argument was NULL (or a buffer pointer was NULL with a non-zero
    /// length).
    NULL_ARG = 100,
    /// The caller's buffer is too small; the required size was written to the size
    /// out-parameter.
    BUFFER_TOO_SMALL = 101,
    /// The call is not valid in the object's current state (e.g. sending before setup
    /// completed).
    WRONG_STATE = 102,
    /// An argument has an invalid value (unknown constant, string too long, bad length, ...).
    INVALID_ARG = 103,
    /// The configuration is incomplete or inconsistent (e.g. neither Noise nor plaintext
    /// chosen).
    INVALID_CONFIG = 104,
    /// The session has ended: nothing more can be received or sent.
    CLOSED = 105,
    /// `sv2_session_receive_data()` would buffer too much: drain `sv2_session_next_event()` and
    /// retry with the same bytes (nothing was consumed).
    INPUT_BUFFER_FULL = 106,
    /// A send would queue too much: drain `sv2_session_data_to_send()` and retry (nothing was
    /// queued).
    OUTPUT_BUFFER_FULL = 107,
    /// This message cannot be sent on this connection (other protocol or direction).
    NOT_SENDABLE = 108,
    /// A share failed the local checks for a reason without its own code; nothing was sent.
    /// (Bindings only; reserved in the C table.)
    SHARE_REFUSED = 111,
    /// The message has no place here (e.g. a client-bound message given to a pool engine).
    /// (Python bindings; proposed for the C table.)
    UNEXPECTED_MESSAGE = 112,
    /// Reading or writing a key or certificate file failed. (Python bindings; proposed for the
    /// C table.)
    IO = 113,
    /// A frame or field ended early.
    TRUNCATED = 200,
    /// A length prefix or count exceeds what its type allows.
    TOO_LONG = 201,
    /// Bytes were left over after a message's last field.
    TRAILING_BYTES = 202,
    /// A BOOL byte other than 0 or 1 (strict dialects).
    INVALID_BOOL = 203,
    /// A string that is not UTF-8 (dialects requiring UTF-8).
    INVALID_UTF8 = 204,
    /// A fixed-size value carried with a length prefix had the wrong length.
    WRONG_LENGTH = 205,
    /// Well-formed bytes that describe no valid value.
    INVALID_VALUE = 206,
    /// A frame larger than the configured or protocol maximum.
    FRAME_TOO_LARGE = 207,
    /// A frame of a message type the dialect does not know (decoding a standalone frame).
    UNKNOWN_MESSAGE = 208,
    /// Encoding: a value is longer than its type allows (never silently truncated).
    ENCODE_TOO_LONG = 209,
    /// Encoding: a value does not fit the narrower integer of the dialect.
    ENCODE_OUT_OF_RANGE = 210,
    /// Encoding: the dialect does not define this message.
    NOT_IN_DIALECT = 211,
    /// Noise: a malformed message (bad length, bad negotiation bytes).
    NOISE_MALFORMED = 300,
    /// Noise: algorithm negotiation failed (no common cipher, negotiation refused or
    /// unexpected).
    NOISE_NEGOTIATION = 301,
    /// Noise: a handshake message failed authentication (tampering, other dialect).
    NOISE_HANDSHAKE_DECRYPT = 302,
    /// Noise: a transport message failed authentication (tampering, loss, reordering).
    NOISE_TRANSPORT_DECRYPT = 303,
    /// Noise: the peer's key is a low-order point.
    NOISE_INVALID_PUBLIC_KEY = 304,
    /// Noise: the nonce space is exhausted; reconnect.
    NOISE_NONCE_EXHAUSTED = 305,
    /// Noise: internal or configuration error of the secure channel.
    NOISE_INTERNAL = 306,
    /// The operating system's random number generator failed.
    RNG = 307,
    /// Certificate: the signature does not verify under the authority key.
    CERT_BAD_SIGNATURE = 320,
    /// Certificate: the authority key is not a valid Ed25519 public key.
    CERT_INVALID_AUTHORITY_KEY = 321,
    /// Certificate: not valid yet.
    CERT_NOT_YET_VALID = 322,
    /// Certificate: expired.
    CERT_EXPIRED = 323,
    /// Certificate: malformed (message layout, file text, server key not matching).
    CERT_MALFORMED = 324,
    /// Certificate: signed by another authority than the trusted one.
    CERT_AUTHORITY_MISMATCH = 325,
    /// Certificate: `valid_from` is after `not_valid_after`.
    CERT_EMPTY_VALIDITY = 326,
    /// Key text: empty, a character outside base58, or the wrong decoded length.
    KEY_TEXT = 330,
    /// Key text: the checksum does not match (mistyped or truncated key).
    KEY_CHECKSUM = 331,
    /// Key text: a secp256k1 key of the newer spec, which this 2022 implementation does not
    /// speak.
    KEY_SECP256K1 = 332,
    /// Key: not a valid Ed25519 public key.
    KEY_INVALID = 333,
    /// Pool URL: missing or unsupported scheme, user info, query or fragment.
    URL_SCHEME = 340,
    /// Pool URL: empty or invalid host.
    URL_HOST = 341,
    /// Pool URL: missing or invalid port (the spec defines no default port).
    URL_PORT = 342,
    /// Pool URL: missing, invalid or misplaced authority key (or a path on a plaintext URL).
    URL_KEY = 343,
    /// The peer broke the protocol (first message not SetupConnection, unexpected reply, ...).
    PROTOCOL = 400,
    /// The peer sent a message of another protocol than the negotiated one.
    WRONG_PROTOCOL = 401,
    /// The peer sent a message that only travels the other way.
    WRONG_DIRECTION = 402,
    /// The server chose a protocol version the client did not offer.
    VERSION = 403,
    /// The Noise handshake did not complete in time.
    TIMEOUT_HANDSHAKE = 404,
    /// SetupConnection did not complete in time.
    TIMEOUT_SETUP = 405,
    /// Nothing was received for longer than the idle timeout.
    TIMEOUT_IDLE = 406,
    /// The peer closed the connection inside a frame.
    PEER_CLOSED_MID_FRAME = 407,
    /// The peer closed the connection before the handshake and setup completed.
    PEER_CLOSED_BEFORE_SETUP = 408,
    /// Opening one more channel would exceed the configured maximum.
    TOO_MANY_CHANNELS = 409,
    /// SetupConnection was refused with SetupConnection.Error (the code of a `Closed` event).
    /// (Python bindings; proposed for the C table.)
    SETUP_REJECTED = 410,
    /// A Mining Protocol client set up the connection but asked for no channel in time (R55).
    TIMEOUT_OPEN_CHANNEL = 411,
    /// Mining: no open channel has this id (on this connection).
    UNKNOWN_CHANNEL = 450,
    /// Mining: a standard submit on an extended channel or the reverse.
    WRONG_CHANNEL_KIND = 451,
    /// Mining share refused locally: the job is unknown (never received or forgotten).
    UNKNOWN_JOB = 452,
    /// Mining share refused locally: the job is a future job no SetNewPrevHash activated yet.
    FUTURE_JOB = 453,
    /// Mining share refused locally: a newer prevhash made the job stale.
    STALE_JOB = 454,
    /// Mining share refused locally: the version changes bits outside the allowed mask.
    VERSION_NOT_ALLOWED = 455,
    /// Mining share refused locally: nTime outside `min_ntime ..= min_ntime + elapsed seconds`.
    NTIME_OUT_OF_RANGE = 456,
    /// Mining: the extranonce is not the channel's `extranonce_size` bytes long.
    EXTRANONCE_LENGTH = 457,
    /// Mining share refused locally: the header hash does not meet the job's target.
    BELOW_TARGET = 458,
    /// Mining share refused locally: the same share was submitted before.
    DUPLICATE_SHARE = 459,
    /// Mining: the operation needs extended-channel work or an extended channel.
    NOT_EXTENDED = 460,
    /// Mining: the server accepts only extended channels (REQUIRES_EXTENDED_CHANNELS).
    EXTENDED_CHANNELS_REQUIRED = 461,
    /// Mining: the work's version mask allows fewer rolled versions than asked for.
    ROLLING_NOT_ALLOWED = 462,
    /// Pool: no such connection (never accepted, or removed).
    UNKNOWN_CONNECTION = 470,
    /// Pool: a non-future template arrived before any prevhash.
    NO_PREV_HASH = 471,
    /// Pool: SetNewPrevHash names a template that is not a pending future template.
    UNKNOWN_TEMPLATE = 472,
    /// Pool: the template's coinbase cannot be built.
    INVALID_TEMPLATE = 473,
    /// Pool: job ids or extranonce prefixes are exhausted (restart with a new server id).
    EXHAUSTED = 474,
    /// Template Distribution: transaction bytes that are not exactly one transaction
    /// (truncated, trailing bytes, no inputs, a bad segwit marker).
    INVALID_TRANSACTION = 480,
    /// Template Distribution: the template builds on a tip the provider already left.
    STALE_TIP = 481,
    /// A bug inside libsv2 was caught at the API boundary; the handle is now poisoned.
    PANIC = 900,
    /// The handle was poisoned by an earlier `SV2_ERR_PANIC`; only `_free` is still valid.
    POISONED = 901,
}

/// The code of a decode error (as the C API's `decode_kind_code`).
pub fn code_of_decode(e: &DecodeError) -> ResultCode {
    match e.kind {
        DecodeErrorKind::Truncated { .. } => ResultCode::TRUNCATED,
        DecodeErrorKind::TooLong { .. } => ResultCode::TOO_LONG,
        DecodeErrorKind::TrailingBytes(_) => ResultCode::TRAILING_BYTES,
        DecodeErrorKind::InvalidBool(_) => ResultCode::INVALID_BOOL,
        DecodeErrorKind::InvalidUtf8 => ResultCode::INVALID_UTF8,
        DecodeErrorKind::WrongLength { .. } => ResultCode::WRONG_LENGTH,
        DecodeErrorKind::InvalidValue(_) => ResultCode::INVALID_VALUE,
    }
}

/// The code of an encode error.
pub fn code_of_encode(e: &EncodeError) -> ResultCode {
    match e.kind {
        EncodeErrorKind::TooLong { .. } => ResultCode::ENCODE_TOO_LONG,
        EncodeErrorKind::OutOfRange => ResultCode::ENCODE_OUT_OF_RANGE,
        EncodeErrorKind::NotInDialect(_) => ResultCode::NOT_IN_DIALECT,
        EncodeErrorKind::InvalidValue(_) => ResultCode::INVALID_VALUE,
        EncodeErrorKind::FrameTooLarge(_) => ResultCode::FRAME_TOO_LARGE,
    }
}

/// The code of a certificate error.
pub fn code_of_certificate(e: &CertificateError) -> ResultCode {
    match e {
        CertificateError::BadSignature => ResultCode::CERT_BAD_SIGNATURE,
        CertificateError::InvalidAuthorityKey => ResultCode::CERT_INVALID_AUTHORITY_KEY,
        CertificateError::NotYetValid { .. } => ResultCode::CERT_NOT_YET_VALID,
        CertificateError::Expired { .. } => ResultCode::CERT_EXPIRED,
        CertificateError::Malformed(_) => ResultCode::CERT_MALFORMED,
    }
}

/// The code of a certificate check against a trusted authority.
pub fn code_of_certificate_check(e: &CertificateCheckError) -> ResultCode {
    match e {
        CertificateCheckError::AuthorityMismatch { .. } => ResultCode::CERT_AUTHORITY_MISMATCH,
        CertificateCheckError::Certificate(c) => code_of_certificate(c),
    }
}

/// The code of a Noise error.
pub fn code_of_noise(e: &CoreNoiseError) -> ResultCode {
    match e {
        CoreNoiseError::ZeroLengthMessage
        | CoreNoiseError::PlaintextPeer
        | CoreNoiseError::MessageTooLong { .. }
        | CoreNoiseError::MessageTooShort { .. }
        | CoreNoiseError::UnexpectedHandshakeLength { .. }
        | CoreNoiseError::MalformedNegotiation(_) => ResultCode::NOISE_MALFORMED,
        CoreNoiseError::NegotiationRequired
        | CoreNoiseError::NoCommonCipher
        | CoreNoiseError::UnofferedCipher(_)
        | CoreNoiseError::DialectMismatch { .. } => ResultCode::NOISE_NEGOTIATION,
        CoreNoiseError::HandshakeDecrypt => ResultCode::NOISE_HANDSHAKE_DECRYPT,
        CoreNoiseError::TransportDecrypt => ResultCode::NOISE_TRANSPORT_DECRYPT,
        CoreNoiseError::InvalidPublicKey => ResultCode::NOISE_INVALID_PUBLIC_KEY,
        CoreNoiseError::Certificate(c) => code_of_certificate(c),
        CoreNoiseError::NonceExhausted => ResultCode::NOISE_NONCE_EXHAUSTED,
        CoreNoiseError::FrameTooLarge { .. } => ResultCode::FRAME_TOO_LARGE,
        CoreNoiseError::Rng => ResultCode::RNG,
        CoreNoiseError::Closed => ResultCode::CLOSED,
        CoreNoiseError::InvalidFrameBoundaries
        | CoreNoiseError::InvalidConfig(_)
        | CoreNoiseError::HandshakeIncomplete
        | CoreNoiseError::Internal(_) => ResultCode::NOISE_INTERNAL,
    }
}

/// The code of a session error.
pub fn code_of_session(e: &SessionError) -> ResultCode {
    match e {
        SessionError::Noise(n) => code_of_noise(n),
        SessionError::Frame(FrameError::TooLarge { .. }) => ResultCode::FRAME_TOO_LARGE,
        SessionError::Encode(x) => code_of_encode(x),
        SessionError::Protocol(p) => match p {
            ProtocolViolation::Decode(d) => code_of_decode(d),
            ProtocolViolation::WrongProtocol { .. } => ResultCode::WRONG_PROTOCOL,
            ProtocolViolation::WrongDirection(_) => ResultCode::WRONG_DIRECTION,
            ProtocolViolation::VersionNotOffered(_) => ResultCode::VERSION,
            ProtocolViolation::FirstMessageNotSetup(_)
            | ProtocolViolation::NoiseHandshakeOnPlaintext
            | ProtocolViolation::SecondSetup
            | ProtocolViolation::UnexpectedSetupReply(_) => ResultCode::PROTOCOL,
        },
        SessionError::Timeout(TimeoutKind::Handshake) => ResultCode::TIMEOUT_HANDSHAKE,
        SessionError::Timeout(TimeoutKind::Setup) => ResultCode::TIMEOUT_SETUP,
        SessionError::Timeout(TimeoutKind::Idle) => ResultCode::TIMEOUT_IDLE,
        SessionError::Timeout(TimeoutKind::OpenChannel) => ResultCode::TIMEOUT_OPEN_CHANNEL,
        SessionError::PeerClosedMidFrame { .. } => ResultCode::PEER_CLOSED_MID_FRAME,
        SessionError::PeerClosedBeforeSetup { .. } => ResultCode::PEER_CLOSED_BEFORE_SETUP,
        SessionError::InputBufferFull { .. } => ResultCode::INPUT_BUFFER_FULL,
        SessionError::OutputBufferFull { .. } => ResultCode::OUTPUT_BUFFER_FULL,
        SessionError::TooManyChannels { .. } => ResultCode::TOO_MANY_CHANNELS,
        SessionError::WrongState(_) => ResultCode::WRONG_STATE,
        SessionError::NotSendable(_) => ResultCode::NOT_SENDABLE,
        SessionError::InvalidConfig(_) => ResultCode::INVALID_CONFIG,
        SessionError::Closed => ResultCode::CLOSED,
    }
}

/// The code of a key text error.
pub fn code_of_key_text(e: &KeyTextError) -> ResultCode {
    match e {
        KeyTextError::BadChecksum { .. } => ResultCode::KEY_CHECKSUM,
        KeyTextError::Secp256k1Format => ResultCode::KEY_SECP256K1,
        KeyTextError::InvalidEd25519Key => ResultCode::KEY_INVALID,
        KeyTextError::InvalidSecp256k1Key => ResultCode::KEY_INVALID,
        _ => ResultCode::KEY_TEXT,
    }
}

/// The code of a pool URL error.
pub fn code_of_url(e: &CoreUrlError) -> ResultCode {
    match e {
        CoreUrlError::MissingScheme
        | CoreUrlError::UnsupportedScheme { .. }
        | CoreUrlError::UserInfo
        | CoreUrlError::QueryOrFragment => ResultCode::URL_SCHEME,
        CoreUrlError::EmptyHost | CoreUrlError::InvalidHost { .. } => ResultCode::URL_HOST,
        CoreUrlError::MissingPort | CoreUrlError::InvalidPort { .. } => ResultCode::URL_PORT,
        _ => ResultCode::URL_KEY,
    }
}

/// The code of a key file error (file format errors are CERT_MALFORMED, as in the C API).
pub fn code_of_key_file(e: &KeyFileError) -> ResultCode {
    match e {
        KeyFileError::Io { .. } | KeyFileError::AlreadyExists { .. } => ResultCode::IO,
        KeyFileError::SamePath { .. } => ResultCode::INVALID_ARG,
        KeyFileError::Entropy(_) => ResultCode::RNG,
        KeyFileError::EmptyValidity(_) => ResultCode::CERT_EMPTY_VALIDITY,
        KeyFileError::Verify { source, .. } => code_of_certificate_check(source),
        _ => ResultCode::CERT_MALFORMED,
    }
}

create_exception!(
    sv2,
    Sv2Error,
    PyException,
    "Base class of every libsv2 error; `.code` is the C API's `sv2_result` number."
);
create_exception!(
    sv2,
    UsageError,
    Sv2Error,
    "Caller misuse: wrong state, invalid argument or configuration, limits (codes 1xx)."
);
create_exception!(
    sv2,
    CodecError,
    Sv2Error,
    "A frame or message could not be decoded or encoded (codes 2xx)."
);
create_exception!(
    sv2,
    NoiseError,
    Sv2Error,
    "Noise handshake or transport, certificate or key failure (codes 3xx)."
);
create_exception!(
    sv2,
    UrlError,
    NoiseError,
    "A malformed pool URL: scheme, host, port or authority key (codes 340-343; a NoiseError \
     because the C table files URLs with keys)."
);
create_exception!(
    sv2,
    ProtocolError,
    Sv2Error,
    "The peer broke the protocol, a timer expired or the setup was refused (codes 4xx)."
);

/// The exception for `code`, with `.code` set.
pub fn error(py: Python<'_>, code: ResultCode, message: impl Into<String>) -> PyErr {
    let message = message.into();
    let err = match code as u32 {
        100..=199 => UsageError::new_err(message),
        200..=299 => CodecError::new_err(message),
        340..=343 => UrlError::new_err(message),
        300..=399 => NoiseError::new_err(message),
        // Mining-role refusals and misuse (a share refused locally, an unknown channel): the
        // caller's mistake, not the peer's, whatever their C range.
        450..=499 => UsageError::new_err(message),
        400..=449 => ProtocolError::new_err(message),
        _ => Sv2Error::new_err(message),
    };
    // Setting an attribute on a fresh exception instance cannot fail in practice; if it did,
    // the exception would still carry its class-level category code.
    let _ = err.value(py).setattr("code", code as u32);
    err
}

/// Conversion of the core's errors into Python exceptions.
pub trait ToPyErr {
    /// The exception.
    fn to_pyerr(&self, py: Python<'_>) -> PyErr;
}

macro_rules! to_pyerr {
    ($t:ty, $code:expr) => {
        impl ToPyErr for $t {
            fn to_pyerr(&self, py: Python<'_>) -> PyErr {
                #[allow(clippy::redundant_closure_call)]
                let code = ($code)(self);
                error(py, code, self.to_string())
            }
        }
    };
}

to_pyerr!(DecodeError, code_of_decode);
to_pyerr!(EncodeError, code_of_encode);
to_pyerr!(SessionError, code_of_session);
to_pyerr!(CoreNoiseError, code_of_noise);
to_pyerr!(CertificateError, code_of_certificate);
to_pyerr!(CertificateCheckError, code_of_certificate_check);
to_pyerr!(KeyFileError, code_of_key_file);
to_pyerr!(KeyTextError, code_of_key_text);
to_pyerr!(FileFormatError, |_: &FileFormatError| {
    ResultCode::CERT_MALFORMED
});
to_pyerr!(CoreUrlError, code_of_url);
to_pyerr!(ValueError, |_: &ValueError| ResultCode::INVALID_ARG);
to_pyerr!(FrameError, |_: &FrameError| ResultCode::FRAME_TOO_LARGE);
to_pyerr!(sv2::mining::MathError, |_: &sv2::mining::MathError| {
    ResultCode::INVALID_ARG
});

/// `result.map_err(|e| e.to_pyerr(py))` in one call.
pub trait PyResultExt<T> {
    /// Converts the error into the matching Python exception.
    fn py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T, E: ToPyErr> PyResultExt<T> for Result<T, E> {
    fn py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| e.to_pyerr(py))
    }
}

/// `[(code, name, description), ...]` for every result code.
#[pyfunction]
pub fn result_codes() -> Vec<(u32, &'static str, &'static str)> {
    ResultCode::ALL
        .iter()
        .map(|c| (*c as u32, c.name(), c.description()))
        .collect()
}

/// The description of a result code (like the C API's `sv2_result_str`).
#[pyfunction]
pub fn result_str(code: u32) -> &'static str {
    ResultCode::ALL
        .iter()
        .find(|c| **c as u32 == code)
        .map_or("unknown result code", |c| c.description())
}

/// Adds the exceptions and the code table to the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    for (name, ty, code) in [
        ("Sv2Error", py.get_type::<Sv2Error>(), 0u32),
        ("UsageError", py.get_type::<UsageError>(), 100),
        ("CodecError", py.get_type::<CodecError>(), 200),
        ("NoiseError", py.get_type::<NoiseError>(), 300),
        ("UrlError", py.get_type::<UrlError>(), 340),
        ("ProtocolError", py.get_type::<ProtocolError>(), 400),
    ] {
        // The category's first code as a class attribute: `.code` exists even on instances
        // created by Python code.
        ty.setattr("code", code)?;
        module.add(name, ty)?;
    }
    module.add_function(wrap_pyfunction!(result_codes, module)?)?;
    module.add_function(wrap_pyfunction!(result_str, module)?)?;
    Ok(())
}
