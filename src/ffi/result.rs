//! `sv2_result`: the code every fallible C function returns, and the mapping from the core's
//! error types onto it.
//!
//! Codes are grouped by hundreds: 1xx caller misuse, 2xx framing and codec, 3xx Noise, keys and
//! certificates, 4xx protocol (450–479: the mining roles, 480–499: Template Distribution), 9xx panic and poisoning. A number
//! is never reused: a code that is removed stays here as a "reserved" comment.

use super::Error;
use crate::codec::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, FrameError};
use crate::keys::{
    CertificateCheckError, CertificateError, EmptyValidityError, EntropyError, FileFormatError,
    KeyTextError, UrlError,
};
use crate::mining::client::{SubmitError, UsageError, WorkError};
use crate::mining::miner::MinerError;
use crate::mining::pool::EngineError;
use crate::mining::MathError;
use crate::noise::NoiseError;
use crate::session::{ProtocolViolation, SessionError, TimeoutKind};
use std::ffi::{c_char, CStr};

/// The result of a fallible libsv2 call: `SV2_OK` (0) or one of the `SV2_ERR_*` codes.
/// `sv2_result_str()` describes a code.
pub type sv2_result = u32;

/// Success.
pub const SV2_OK: sv2_result = 0;

/// A required pointer argument was NULL (or a buffer pointer was NULL with a non-zero length).
pub const SV2_ERR_NULL_ARG: sv2_result = 100;
/// The caller's buffer is too small; the required size was written to the size out-parameter.
pub const SV2_ERR_BUFFER_TOO_SMALL: sv2_result = 101;
/// The call is not valid in the object's current state (e.g. sending before setup completed).
pub const SV2_ERR_WRONG_STATE: sv2_result = 102;
/// An argument has an invalid value (unknown constant, string too long, bad length, ...).
pub const SV2_ERR_INVALID_ARG: sv2_result = 103;
/// The configuration is incomplete or inconsistent (e.g. neither Noise nor plaintext chosen).
pub const SV2_ERR_INVALID_CONFIG: sv2_result = 104;
/// The session has ended: nothing more can be received or sent.
pub const SV2_ERR_CLOSED: sv2_result = 105;
/// `sv2_session_receive_data()` would buffer too much: drain `sv2_session_next_event()` and
/// retry with the same bytes (nothing was consumed).
pub const SV2_ERR_INPUT_BUFFER_FULL: sv2_result = 106;
/// A send would queue too much: drain `sv2_session_data_to_send()` and retry (nothing was
/// queued).
pub const SV2_ERR_OUTPUT_BUFFER_FULL: sv2_result = 107;
/// This message cannot be sent on this connection (other protocol or direction).
pub const SV2_ERR_NOT_SENDABLE: sv2_result = 108;

/// A frame or field ended early.
pub const SV2_ERR_TRUNCATED: sv2_result = 200;
/// A length prefix or count exceeds what its type allows.
pub const SV2_ERR_TOO_LONG: sv2_result = 201;
/// Bytes were left over after a message's last field.
pub const SV2_ERR_TRAILING_BYTES: sv2_result = 202;
/// A BOOL byte other than 0 or 1 (strict dialects).
pub const SV2_ERR_INVALID_BOOL: sv2_result = 203;
/// A string that is not UTF-8 (dialects requiring UTF-8).
pub const SV2_ERR_INVALID_UTF8: sv2_result = 204;
/// A fixed-size value carried with a length prefix had the wrong length.
pub const SV2_ERR_WRONG_LENGTH: sv2_result = 205;
/// Well-formed bytes that describe no valid value.
pub const SV2_ERR_INVALID_VALUE: sv2_result = 206;
/// A frame larger than the configured or protocol maximum.
pub const SV2_ERR_FRAME_TOO_LARGE: sv2_result = 207;
/// A frame of a message type the dialect does not know (decoding a standalone frame).
pub const SV2_ERR_UNKNOWN_MESSAGE: sv2_result = 208;
/// Encoding: a value is longer than its type allows (never silently truncated).
pub const SV2_ERR_ENCODE_TOO_LONG: sv2_result = 209;
/// Encoding: a value does not fit the narrower integer of the dialect.
pub const SV2_ERR_ENCODE_OUT_OF_RANGE: sv2_result = 210;
/// Encoding: the dialect does not define this message.
pub const SV2_ERR_NOT_IN_DIALECT: sv2_result = 211;

/// Noise: a malformed message (bad length, bad negotiation bytes).
pub const SV2_ERR_NOISE_MALFORMED: sv2_result = 300;
/// Noise: algorithm negotiation failed (no common cipher, negotiation refused or unexpected).
pub const SV2_ERR_NOISE_NEGOTIATION: sv2_result = 301;
/// Noise: a handshake message failed authentication (tampering, other dialect).
pub const SV2_ERR_NOISE_HANDSHAKE_DECRYPT: sv2_result = 302;
/// Noise: a transport message failed authentication (tampering, loss, reordering).
pub const SV2_ERR_NOISE_TRANSPORT_DECRYPT: sv2_result = 303;
/// Noise: the peer's key is a low-order point.
pub const SV2_ERR_NOISE_INVALID_PUBLIC_KEY: sv2_result = 304;
/// Noise: the nonce space is exhausted; reconnect.
pub const SV2_ERR_NOISE_NONCE_EXHAUSTED: sv2_result = 305;
/// Noise: internal or configuration error of the secure channel.
pub const SV2_ERR_NOISE_INTERNAL: sv2_result = 306;
/// The operating system's random number generator failed.
pub const SV2_ERR_RNG: sv2_result = 307;
/// Certificate: the signature does not verify under the authority key.
pub const SV2_ERR_CERT_BAD_SIGNATURE: sv2_result = 320;
/// Certificate: the authority key is not a valid Ed25519 public key.
pub const SV2_ERR_CERT_INVALID_AUTHORITY_KEY: sv2_result = 321;
/// Certificate: not valid yet.
pub const SV2_ERR_CERT_NOT_YET_VALID: sv2_result = 322;
/// Certificate: expired.
pub const SV2_ERR_CERT_EXPIRED: sv2_result = 323;
/// Certificate: malformed (message layout, file text, server key not matching).
pub const SV2_ERR_CERT_MALFORMED: sv2_result = 324;
/// Certificate: signed by another authority than the trusted one.
pub const SV2_ERR_CERT_AUTHORITY_MISMATCH: sv2_result = 325;
/// Certificate: `valid_from` is after `not_valid_after`.
pub const SV2_ERR_CERT_EMPTY_VALIDITY: sv2_result = 326;
/// Key text: empty, a character outside base58, or the wrong decoded length.
pub const SV2_ERR_KEY_TEXT: sv2_result = 330;
/// Key text: the checksum does not match (mistyped or truncated key).
pub const SV2_ERR_KEY_CHECKSUM: sv2_result = 331;
/// Key text: a secp256k1 key of the newer spec, which this 2022 implementation does not speak.
pub const SV2_ERR_KEY_SECP256K1: sv2_result = 332;
/// Key: not a valid Ed25519 public key.
pub const SV2_ERR_KEY_INVALID: sv2_result = 333;
/// Pool URL: missing or unsupported scheme, user info, query or fragment.
pub const SV2_ERR_URL_SCHEME: sv2_result = 340;
/// Pool URL: empty or invalid host.
pub const SV2_ERR_URL_HOST: sv2_result = 341;
/// Pool URL: missing or invalid port (the spec defines no default port).
pub const SV2_ERR_URL_PORT: sv2_result = 342;
/// Pool URL: missing, invalid or misplaced authority key (or a path on a plaintext URL).
pub const SV2_ERR_URL_KEY: sv2_result = 343;

/// The peer broke the protocol (first message not SetupConnection, unexpected reply, ...).
pub const SV2_ERR_PROTOCOL: sv2_result = 400;
/// The peer sent a message of another protocol than the negotiated one.
pub const SV2_ERR_WRONG_PROTOCOL: sv2_result = 401;
/// The peer sent a message that only travels the other way.
pub const SV2_ERR_WRONG_DIRECTION: sv2_result = 402;
/// The server chose a protocol version the client did not offer.
pub const SV2_ERR_VERSION: sv2_result = 403;
/// The Noise handshake did not complete in time.
pub const SV2_ERR_TIMEOUT_HANDSHAKE: sv2_result = 404;
/// SetupConnection did not complete in time.
pub const SV2_ERR_TIMEOUT_SETUP: sv2_result = 405;
/// Nothing was received for longer than the idle timeout.
pub const SV2_ERR_TIMEOUT_IDLE: sv2_result = 406;
/// The peer closed the connection inside a frame.
pub const SV2_ERR_PEER_CLOSED_MID_FRAME: sv2_result = 407;
/// The peer closed the connection before the handshake and setup completed.
pub const SV2_ERR_PEER_CLOSED_BEFORE_SETUP: sv2_result = 408;
/// Opening one more channel would exceed the configured maximum.
pub const SV2_ERR_TOO_MANY_CHANNELS: sv2_result = 409;
/// A Mining Protocol client set up the connection but asked for no channel in time (R55);
/// on the miner's side, a channel open the server did not answer in time.
pub const SV2_ERR_TIMEOUT_OPEN_CHANNEL: sv2_result = 411;

// Reserved for the Python and Node bindings (never reuse): 111 SHARE_REFUSED (a local share
// refusal without its own code), 112 UNEXPECTED_MESSAGE, 113 IO (key or certificate file),
// 410 SETUP_REJECTED (SetupConnection.Error received or sent).

/// Mining: no open channel has this id (on this connection).
pub const SV2_ERR_UNKNOWN_CHANNEL: sv2_result = 450;
/// Mining: a standard submit on an extended channel or the reverse.
pub const SV2_ERR_WRONG_CHANNEL_KIND: sv2_result = 451;
/// Mining share refused locally: the job is unknown (never received or forgotten).
pub const SV2_ERR_UNKNOWN_JOB: sv2_result = 452;
/// Mining share refused locally: the job is a future job no SetNewPrevHash activated yet.
pub const SV2_ERR_FUTURE_JOB: sv2_result = 453;
/// Mining share refused locally: a newer prevhash made the job stale.
pub const SV2_ERR_STALE_JOB: sv2_result = 454;
/// Mining share refused locally: the version changes bits outside the allowed mask.
pub const SV2_ERR_VERSION_NOT_ALLOWED: sv2_result = 455;
/// Mining share refused locally: nTime outside `min_ntime ..= min_ntime + elapsed seconds`.
pub const SV2_ERR_NTIME_OUT_OF_RANGE: sv2_result = 456;
/// Mining: the extranonce is not the channel's `extranonce_size` bytes long.
pub const SV2_ERR_EXTRANONCE_LENGTH: sv2_result = 457;
/// Mining share refused locally: the header hash does not meet the job's target.
pub const SV2_ERR_BELOW_TARGET: sv2_result = 458;
/// Mining share refused locally: the same share was submitted before.
pub const SV2_ERR_DUPLICATE_SHARE: sv2_result = 459;
/// Mining: the operation needs extended-channel work or an extended channel.
pub const SV2_ERR_NOT_EXTENDED: sv2_result = 460;
/// Mining: the server accepts only extended channels (REQUIRES_EXTENDED_CHANNELS).
pub const SV2_ERR_EXTENDED_CHANNELS_REQUIRED: sv2_result = 461;
/// Mining: the work's version mask allows fewer rolled versions than asked for.
pub const SV2_ERR_ROLLING_NOT_ALLOWED: sv2_result = 462;
/// Pool: no such connection (never accepted, or removed).
pub const SV2_ERR_UNKNOWN_CONNECTION: sv2_result = 470;
/// Pool: a non-future template arrived before any prevhash.
pub const SV2_ERR_NO_PREV_HASH: sv2_result = 471;
/// Pool: SetNewPrevHash names a template that is not a pending future template.
pub const SV2_ERR_UNKNOWN_TEMPLATE: sv2_result = 472;
/// Pool: the template's coinbase cannot be built.
pub const SV2_ERR_INVALID_TEMPLATE: sv2_result = 473;
/// Pool: job ids or extranonce prefixes are exhausted (restart with a new server id).
pub const SV2_ERR_EXHAUSTED: sv2_result = 474;
/// Template Distribution: transaction bytes that are not exactly one transaction (truncated,
/// trailing bytes, no inputs, a bad segwit marker).
pub const SV2_ERR_INVALID_TRANSACTION: sv2_result = 480;
/// Template Distribution: the template builds on a tip the provider already left.
pub const SV2_ERR_STALE_TIP: sv2_result = 481;

/// A bug inside libsv2 was caught at the API boundary; the handle is now poisoned.
pub const SV2_ERR_PANIC: sv2_result = 900;
/// The handle was poisoned by an earlier `SV2_ERR_PANIC`; only `_free` is still valid.
pub const SV2_ERR_POISONED: sv2_result = 901;

/// The static description of every code, as `(code, NUL-terminated text)`.
static DESCRIPTIONS: &[(sv2_result, &CStr)] = &[
    (SV2_OK, c"success"),
    (SV2_ERR_NULL_ARG, c"a required pointer argument was NULL"),
    (
        SV2_ERR_BUFFER_TOO_SMALL,
        c"buffer too small: the required size was reported",
    ),
    (SV2_ERR_WRONG_STATE, c"call not valid in the current state"),
    (SV2_ERR_INVALID_ARG, c"invalid argument"),
    (
        SV2_ERR_INVALID_CONFIG,
        c"invalid or incomplete configuration",
    ),
    (SV2_ERR_CLOSED, c"the session has closed"),
    (
        SV2_ERR_INPUT_BUFFER_FULL,
        c"input buffer full: drain events and retry",
    ),
    (
        SV2_ERR_OUTPUT_BUFFER_FULL,
        c"output buffer full: send pending data and retry",
    ),
    (
        SV2_ERR_NOT_SENDABLE,
        c"message not sendable on this connection",
    ),
    (SV2_ERR_TRUNCATED, c"truncated frame or field"),
    (
        SV2_ERR_TOO_LONG,
        c"length or count exceeds its type's maximum",
    ),
    (
        SV2_ERR_TRAILING_BYTES,
        c"unexpected bytes after the last field",
    ),
    (SV2_ERR_INVALID_BOOL, c"invalid BOOL byte"),
    (SV2_ERR_INVALID_UTF8, c"string is not valid UTF-8"),
    (
        SV2_ERR_WRONG_LENGTH,
        c"fixed-size value with the wrong length",
    ),
    (SV2_ERR_INVALID_VALUE, c"invalid value"),
    (SV2_ERR_FRAME_TOO_LARGE, c"frame too large"),
    (
        SV2_ERR_UNKNOWN_MESSAGE,
        c"message type unknown in this dialect",
    ),
    (SV2_ERR_ENCODE_TOO_LONG, c"value too long for its type"),
    (
        SV2_ERR_ENCODE_OUT_OF_RANGE,
        c"value out of range for the dialect's type",
    ),
    (
        SV2_ERR_NOT_IN_DIALECT,
        c"message not defined in this dialect",
    ),
    (SV2_ERR_NOISE_MALFORMED, c"malformed Noise message"),
    (
        SV2_ERR_NOISE_NEGOTIATION,
        c"Noise algorithm negotiation failed",
    ),
    (
        SV2_ERR_NOISE_HANDSHAKE_DECRYPT,
        c"Noise handshake message failed authentication",
    ),
    (
        SV2_ERR_NOISE_TRANSPORT_DECRYPT,
        c"Noise transport message failed authentication",
    ),
    (
        SV2_ERR_NOISE_INVALID_PUBLIC_KEY,
        c"peer key is a low-order point",
    ),
    (
        SV2_ERR_NOISE_NONCE_EXHAUSTED,
        c"Noise nonce space exhausted",
    ),
    (
        SV2_ERR_NOISE_INTERNAL,
        c"internal or configuration error of the secure channel",
    ),
    (
        SV2_ERR_RNG,
        c"the operating system's random number generator failed",
    ),
    (
        SV2_ERR_CERT_BAD_SIGNATURE,
        c"certificate signature does not verify",
    ),
    (
        SV2_ERR_CERT_INVALID_AUTHORITY_KEY,
        c"authority key is not a valid Ed25519 key",
    ),
    (SV2_ERR_CERT_NOT_YET_VALID, c"certificate not valid yet"),
    (SV2_ERR_CERT_EXPIRED, c"certificate expired"),
    (SV2_ERR_CERT_MALFORMED, c"malformed certificate"),
    (
        SV2_ERR_CERT_AUTHORITY_MISMATCH,
        c"certificate signed by another authority",
    ),
    (
        SV2_ERR_CERT_EMPTY_VALIDITY,
        c"valid_from is after not_valid_after",
    ),
    (SV2_ERR_KEY_TEXT, c"invalid key text"),
    (SV2_ERR_KEY_CHECKSUM, c"key text checksum mismatch"),
    (
        SV2_ERR_KEY_SECP256K1,
        c"secp256k1 key of the newer spec: not supported",
    ),
    (SV2_ERR_KEY_INVALID, c"not a valid Ed25519 public key"),
    (
        SV2_ERR_URL_SCHEME,
        c"pool URL: bad scheme, user info, query or fragment",
    ),
    (SV2_ERR_URL_HOST, c"pool URL: bad host"),
    (SV2_ERR_URL_PORT, c"pool URL: missing or invalid port"),
    (
        SV2_ERR_URL_KEY,
        c"pool URL: missing or invalid authority key",
    ),
    (SV2_ERR_PROTOCOL, c"protocol violation by the peer"),
    (
        SV2_ERR_WRONG_PROTOCOL,
        c"message of another protocol than the negotiated one",
    ),
    (
        SV2_ERR_WRONG_DIRECTION,
        c"message travelling in the wrong direction",
    ),
    (SV2_ERR_VERSION, c"protocol version not offered"),
    (SV2_ERR_TIMEOUT_HANDSHAKE, c"handshake timeout"),
    (SV2_ERR_TIMEOUT_SETUP, c"setup timeout"),
    (SV2_ERR_TIMEOUT_IDLE, c"idle timeout"),
    (
        SV2_ERR_PEER_CLOSED_MID_FRAME,
        c"peer closed the connection inside a frame",
    ),
    (
        SV2_ERR_PEER_CLOSED_BEFORE_SETUP,
        c"peer closed the connection before setup completed",
    ),
    (SV2_ERR_TOO_MANY_CHANNELS, c"channel limit reached"),
    (
        SV2_ERR_TIMEOUT_OPEN_CHANNEL,
        c"no channel opened in time after setup",
    ),
    (SV2_ERR_UNKNOWN_CHANNEL, c"no open channel with this id"),
    (
        SV2_ERR_WRONG_CHANNEL_KIND,
        c"wrong submit kind for the channel (standard/extended)",
    ),
    (SV2_ERR_UNKNOWN_JOB, c"share refused: unknown job"),
    (
        SV2_ERR_FUTURE_JOB,
        c"share refused: future job not yet activated",
    ),
    (SV2_ERR_STALE_JOB, c"share refused: stale job"),
    (
        SV2_ERR_VERSION_NOT_ALLOWED,
        c"share refused: version bits outside the allowed mask",
    ),
    (
        SV2_ERR_NTIME_OUT_OF_RANGE,
        c"share refused: ntime out of range",
    ),
    (
        SV2_ERR_EXTRANONCE_LENGTH,
        c"extranonce length differs from the channel's extranonce_size",
    ),
    (
        SV2_ERR_BELOW_TARGET,
        c"share refused: hash does not meet the target",
    ),
    (SV2_ERR_DUPLICATE_SHARE, c"share refused: duplicate share"),
    (
        SV2_ERR_NOT_EXTENDED,
        c"needs extended-channel work or an extended channel",
    ),
    (
        SV2_ERR_EXTENDED_CHANNELS_REQUIRED,
        c"the server accepts only extended channels",
    ),
    (
        SV2_ERR_ROLLING_NOT_ALLOWED,
        c"the version mask allows fewer rolled versions",
    ),
    (SV2_ERR_UNKNOWN_CONNECTION, c"unknown pool connection"),
    (
        SV2_ERR_NO_PREV_HASH,
        c"non-future template before any prevhash",
    ),
    (
        SV2_ERR_UNKNOWN_TEMPLATE,
        c"SetNewPrevHash for an unknown future template",
    ),
    (SV2_ERR_INVALID_TEMPLATE, c"invalid template"),
    (
        SV2_ERR_EXHAUSTED,
        c"job ids or extranonce prefixes exhausted",
    ),
    (
        SV2_ERR_INVALID_TRANSACTION,
        c"transaction bytes do not parse as one transaction",
    ),
    (
        SV2_ERR_STALE_TIP,
        c"template builds on a tip the provider already left",
    ),
    (
        SV2_ERR_PANIC,
        c"internal error (panic) caught: the handle is poisoned",
    ),
    (SV2_ERR_POISONED, c"handle poisoned by an earlier panic"),
];

/// A short static description of `result`.
///
/// Returns: a NUL-terminated string in static storage (never NULL, never to be freed);
/// `"unknown sv2_result"` for a code this version does not define.
/// Args: `result`: any value.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_result_str(result: sv2_result) -> *const c_char {
    describe(result).as_ptr()
}

pub(crate) fn describe(result: sv2_result) -> &'static CStr {
    DESCRIPTIONS
        .iter()
        .find(|(code, _)| *code == result)
        .map_or(c"unknown sv2_result", |(_, text)| text)
}

/// Every defined code (tests check that each has a description and that none repeats).
#[cfg(test)]
pub(crate) fn all_codes() -> Vec<sv2_result> {
    DESCRIPTIONS.iter().map(|(c, _)| *c).collect()
}

fn decode_kind_code(kind: &DecodeErrorKind) -> sv2_result {
    match kind {
        DecodeErrorKind::Truncated { .. } => SV2_ERR_TRUNCATED,
        DecodeErrorKind::TooLong { .. } => SV2_ERR_TOO_LONG,
        DecodeErrorKind::TrailingBytes(_) => SV2_ERR_TRAILING_BYTES,
        DecodeErrorKind::InvalidBool(_) => SV2_ERR_INVALID_BOOL,
        DecodeErrorKind::InvalidUtf8 => SV2_ERR_INVALID_UTF8,
        DecodeErrorKind::WrongLength { .. } => SV2_ERR_WRONG_LENGTH,
        DecodeErrorKind::InvalidValue(_) => SV2_ERR_INVALID_VALUE,
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::new(decode_kind_code(&e.kind), e.to_string())
    }
}

impl From<EncodeError> for Error {
    fn from(e: EncodeError) -> Self {
        let code = match e.kind {
            EncodeErrorKind::TooLong { .. } => SV2_ERR_ENCODE_TOO_LONG,
            EncodeErrorKind::OutOfRange => SV2_ERR_ENCODE_OUT_OF_RANGE,
            EncodeErrorKind::NotInDialect(_) => SV2_ERR_NOT_IN_DIALECT,
            EncodeErrorKind::InvalidValue(_) => SV2_ERR_INVALID_VALUE,
            EncodeErrorKind::FrameTooLarge(_) => SV2_ERR_FRAME_TOO_LARGE,
        };
        Error::new(code, e.to_string())
    }
}

impl From<FrameError> for Error {
    fn from(e: FrameError) -> Self {
        Error::new(SV2_ERR_FRAME_TOO_LARGE, e.to_string())
    }
}

fn certificate_code(e: &CertificateError) -> sv2_result {
    match e {
        CertificateError::BadSignature => SV2_ERR_CERT_BAD_SIGNATURE,
        CertificateError::InvalidAuthorityKey => SV2_ERR_CERT_INVALID_AUTHORITY_KEY,
        CertificateError::NotYetValid { .. } => SV2_ERR_CERT_NOT_YET_VALID,
        CertificateError::Expired { .. } => SV2_ERR_CERT_EXPIRED,
        CertificateError::Malformed(_) => SV2_ERR_CERT_MALFORMED,
    }
}

impl From<NoiseError> for Error {
    fn from(e: NoiseError) -> Self {
        let code = match &e {
            NoiseError::ZeroLengthMessage
            | NoiseError::PlaintextPeer
            | NoiseError::MessageTooLong { .. }
            | NoiseError::MessageTooShort { .. }
            | NoiseError::UnexpectedHandshakeLength { .. }
            | NoiseError::MalformedNegotiation(_) => SV2_ERR_NOISE_MALFORMED,
            NoiseError::NegotiationRequired
            | NoiseError::NoCommonCipher
            | NoiseError::UnofferedCipher(_)
            | NoiseError::DialectMismatch { .. } => SV2_ERR_NOISE_NEGOTIATION,
            NoiseError::HandshakeDecrypt => SV2_ERR_NOISE_HANDSHAKE_DECRYPT,
            NoiseError::TransportDecrypt => SV2_ERR_NOISE_TRANSPORT_DECRYPT,
            NoiseError::InvalidPublicKey => SV2_ERR_NOISE_INVALID_PUBLIC_KEY,
            NoiseError::Certificate(c) => certificate_code(c),
            NoiseError::NonceExhausted => SV2_ERR_NOISE_NONCE_EXHAUSTED,
            NoiseError::FrameTooLarge { .. } => SV2_ERR_FRAME_TOO_LARGE,
            NoiseError::Rng => SV2_ERR_RNG,
            NoiseError::Closed => SV2_ERR_CLOSED,
            NoiseError::InvalidFrameBoundaries
            | NoiseError::InvalidConfig(_)
            | NoiseError::HandshakeIncomplete
            | NoiseError::Internal(_) => SV2_ERR_NOISE_INTERNAL,
        };
        Error::new(code, e.to_string())
    }
}

impl From<SessionError> for Error {
    fn from(e: SessionError) -> Self {
        let code = match &e {
            SessionError::Noise(n) => return Error::from(*n),
            SessionError::Frame(f) => return Error::from(*f),
            SessionError::Encode(x) => return Error::from(*x),
            SessionError::Protocol(p) => match p {
                ProtocolViolation::Decode(d) => decode_kind_code(&d.kind),
                ProtocolViolation::WrongProtocol { .. } => SV2_ERR_WRONG_PROTOCOL,
                ProtocolViolation::WrongDirection(_) => SV2_ERR_WRONG_DIRECTION,
                ProtocolViolation::VersionNotOffered(_) => SV2_ERR_VERSION,
                ProtocolViolation::FirstMessageNotSetup(_)
                | ProtocolViolation::NoiseHandshakeOnPlaintext
                | ProtocolViolation::SecondSetup
                | ProtocolViolation::UnexpectedSetupReply(_) => SV2_ERR_PROTOCOL,
            },
            SessionError::Timeout(TimeoutKind::Handshake) => SV2_ERR_TIMEOUT_HANDSHAKE,
            SessionError::Timeout(TimeoutKind::Setup) => SV2_ERR_TIMEOUT_SETUP,
            SessionError::Timeout(TimeoutKind::Idle) => SV2_ERR_TIMEOUT_IDLE,
            SessionError::Timeout(TimeoutKind::OpenChannel) => SV2_ERR_TIMEOUT_OPEN_CHANNEL,
            SessionError::PeerClosedMidFrame { .. } => SV2_ERR_PEER_CLOSED_MID_FRAME,
            SessionError::PeerClosedBeforeSetup { .. } => SV2_ERR_PEER_CLOSED_BEFORE_SETUP,
            SessionError::InputBufferFull { .. } => SV2_ERR_INPUT_BUFFER_FULL,
            SessionError::OutputBufferFull { .. } => SV2_ERR_OUTPUT_BUFFER_FULL,
            SessionError::TooManyChannels { .. } => SV2_ERR_TOO_MANY_CHANNELS,
            SessionError::WrongState(_) => SV2_ERR_WRONG_STATE,
            SessionError::NotSendable(_) => SV2_ERR_NOT_SENDABLE,
            SessionError::InvalidConfig(_) => SV2_ERR_INVALID_CONFIG,
            SessionError::Closed => SV2_ERR_CLOSED,
        };
        Error::new(code, e.to_string())
    }
}

impl From<CertificateError> for Error {
    fn from(e: CertificateError) -> Self {
        Error::new(certificate_code(&e), e.to_string())
    }
}

impl From<CertificateCheckError> for Error {
    fn from(e: CertificateCheckError) -> Self {
        match e {
            CertificateCheckError::AuthorityMismatch { .. } => {
                Error::new(SV2_ERR_CERT_AUTHORITY_MISMATCH, e.to_string())
            }
            CertificateCheckError::Certificate(c) => c.into(),
        }
    }
}

impl From<EmptyValidityError> for Error {
    fn from(e: EmptyValidityError) -> Self {
        Error::new(SV2_ERR_CERT_EMPTY_VALIDITY, e.to_string())
    }
}

impl From<FileFormatError> for Error {
    fn from(e: FileFormatError) -> Self {
        Error::new(SV2_ERR_CERT_MALFORMED, e.to_string())
    }
}

impl From<EntropyError> for Error {
    fn from(e: EntropyError) -> Self {
        Error::new(SV2_ERR_RNG, e.to_string())
    }
}

impl From<KeyTextError> for Error {
    fn from(e: KeyTextError) -> Self {
        let code = match e {
            KeyTextError::Empty
            | KeyTextError::InvalidCharacter { .. }
            | KeyTextError::WrongLength { .. } => SV2_ERR_KEY_TEXT,
            KeyTextError::BadChecksum { .. } => SV2_ERR_KEY_CHECKSUM,
            KeyTextError::Secp256k1Format => SV2_ERR_KEY_SECP256K1,
            KeyTextError::InvalidEd25519Key => SV2_ERR_KEY_INVALID,
            KeyTextError::InvalidSecp256k1Key => SV2_ERR_KEY_INVALID,
        };
        Error::new(code, e.to_string())
    }
}

impl From<UrlError> for Error {
    fn from(e: UrlError) -> Self {
        let code = match &e {
            UrlError::MissingScheme
            | UrlError::UnsupportedScheme { .. }
            | UrlError::UserInfo
            | UrlError::QueryOrFragment => SV2_ERR_URL_SCHEME,
            UrlError::EmptyHost | UrlError::InvalidHost { .. } => SV2_ERR_URL_HOST,
            UrlError::MissingPort | UrlError::InvalidPort { .. } => SV2_ERR_URL_PORT,
            UrlError::MissingAuthorityKey
            | UrlError::InvalidAuthorityKey(_)
            | UrlError::UnexpectedPath { .. }
            | UrlError::PlaintextWithPath => SV2_ERR_URL_KEY,
        };
        Error::new(code, e.to_string())
    }
}

impl From<SubmitError> for Error {
    fn from(e: SubmitError) -> Self {
        let code = match e {
            SubmitError::UnknownChannel(_) => SV2_ERR_UNKNOWN_CHANNEL,
            SubmitError::WrongChannelKind(_) => SV2_ERR_WRONG_CHANNEL_KIND,
            SubmitError::UnknownJob(_) => SV2_ERR_UNKNOWN_JOB,
            SubmitError::FutureJob(_) => SV2_ERR_FUTURE_JOB,
            SubmitError::StaleJob(_) => SV2_ERR_STALE_JOB,
            SubmitError::VersionNotAllowed { .. } => SV2_ERR_VERSION_NOT_ALLOWED,
            SubmitError::NtimeOutOfRange { .. } => SV2_ERR_NTIME_OUT_OF_RANGE,
            SubmitError::ExtranonceLength { .. } => SV2_ERR_EXTRANONCE_LENGTH,
            SubmitError::BelowTarget { .. } => SV2_ERR_BELOW_TARGET,
            SubmitError::Duplicate => SV2_ERR_DUPLICATE_SHARE,
        };
        Error::new(code, e.to_string())
    }
}

impl From<UsageError> for Error {
    fn from(e: UsageError) -> Self {
        let code = match e {
            UsageError::TooManyChannels(_) => SV2_ERR_TOO_MANY_CHANNELS,
            UsageError::ExtendedChannelsRequired => SV2_ERR_EXTENDED_CHANNELS_REQUIRED,
            UsageError::UnknownChannel(_) => SV2_ERR_UNKNOWN_CHANNEL,
            UsageError::NotExtended(_) => SV2_ERR_NOT_EXTENDED,
            UsageError::WorkSelectionNotNegotiated | UsageError::TooManyPendingCustomJobs => {
                SV2_ERR_WRONG_STATE
            }
            _ => SV2_ERR_INVALID_ARG,
        };
        Error::new(code, e.to_string())
    }
}

impl From<MinerError> for Error {
    fn from(e: MinerError) -> Self {
        match e {
            MinerError::Session(s) => s.into(),
            MinerError::Submit(s) => s.into(),
            MinerError::Usage(u) => u.into(),
        }
    }
}

impl From<WorkError> for Error {
    fn from(e: WorkError) -> Self {
        let code = match e {
            WorkError::NotExtended => SV2_ERR_NOT_EXTENDED,
            WorkError::ExtranonceLength { .. } => SV2_ERR_EXTRANONCE_LENGTH,
            WorkError::BufferTooSmall { .. } => SV2_ERR_BUFFER_TOO_SMALL,
        };
        Error::new(code, e.to_string())
    }
}

impl From<EngineError> for Error {
    fn from(e: EngineError) -> Self {
        let code = match &e {
            EngineError::InvalidConfig(_) => SV2_ERR_INVALID_CONFIG,
            EngineError::UnknownConnection(_) => SV2_ERR_UNKNOWN_CONNECTION,
            EngineError::ConnectionExists(_) => SV2_ERR_WRONG_STATE,
            EngineError::UnsupportedFlags(_) | EngineError::UnexpectedMessage(_) => {
                SV2_ERR_PROTOCOL
            }
            EngineError::UnknownChannel(_) => SV2_ERR_UNKNOWN_CHANNEL,
            EngineError::NoPrevHash => SV2_ERR_NO_PREV_HASH,
            EngineError::UnknownTemplate(_) => SV2_ERR_UNKNOWN_TEMPLATE,
            EngineError::InvalidTemplate(_) => SV2_ERR_INVALID_TEMPLATE,
            EngineError::JobIdsExhausted | EngineError::ExtranonceSpaceExhausted => {
                SV2_ERR_EXHAUSTED
            }
            _ => SV2_ERR_INVALID_ARG,
        };
        Error::new(code, e.to_string())
    }
}

impl From<MathError> for Error {
    fn from(e: MathError) -> Self {
        Error::new(SV2_ERR_INVALID_ARG, e.to_string())
    }
}
