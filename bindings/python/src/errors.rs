//! Result codes and the exception hierarchy.
//!
//! [`ResultCode`] is the one numbering of everything that can fail, grouped by hundreds as
//! DESIGN §3.4 asks of the C API's `sv2_result`: 1xx caller misuse, 2xx framing and codec,
//! 3xx Noise, certificates and keys, 4xx protocol, 9xx panics. `src/ffi/result.rs` did not
//! exist when this was written; the table is self-contained (no PyO3 in `ResultCode` or the
//! `code_of_*` functions) so that the C API can adopt it as is and the bindings then import
//! it from there. Numbers are never reused.
//!
//! In Python every error is an `Sv2Error` subclass chosen by the hundreds digit
//! (`UsageError`, `CodecError`, `NoiseError`, `ProtocolError`) with `.code` set to the number.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use sv2::codec::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, FrameError};
use sv2::keys::{
    CertificateCheckError, CertificateError, FileFormatError, KeyFileError, KeyTextError, UrlError,
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
    /// A required pointer argument was NULL (C API only).
    NULL_ARG = 100,
    /// The caller's output buffer is too small.
    BUFFER_TOO_SMALL = 101,
    /// The call is not valid in the object's current state.
    WRONG_STATE = 102,
    /// The configuration is invalid.
    INVALID_CONFIG = 103,
    /// An argument is out of range or malformed.
    INVALID_ARGUMENT = 104,
    /// The session has ended.
    CLOSED = 105,
    /// The message cannot be sent on this connection (wrong protocol or direction).
    NOT_SENDABLE = 106,
    /// Too much received input is buffered: drain events first.
    INPUT_BUFFER_FULL = 107,
    /// Too much output is queued: send pending data first.
    OUTPUT_BUFFER_FULL = 108,
    /// A channel limit was reached.
    TOO_MANY_CHANNELS = 109,
    /// No open channel (or connection) has this id.
    UNKNOWN_CHANNEL = 110,
    /// A share failed the local checks (stale, duplicate, above target, bad nTime...).
    SHARE_REFUSED = 111,
    /// A pool URL is malformed.
    INVALID_URL = 112,
    /// The operating system's random number generator failed.
    ENTROPY = 113,
    /// The message has no place here (e.g. a client-bound message given to a pool).
    UNEXPECTED_MESSAGE = 114,
    /// Reading or writing a key or certificate file failed.
    IO = 115,
    /// A payload ended before a field did.
    DECODE_TRUNCATED = 200,
    /// A length prefix or count exceeds its type's maximum.
    DECODE_TOO_LONG = 201,
    /// Bytes were left after the last field.
    DECODE_TRAILING_BYTES = 202,
    /// A BOOL byte other than 0 or 1.
    DECODE_INVALID_BOOL = 203,
    /// A string that is not UTF-8 where the dialect requires UTF-8.
    DECODE_INVALID_UTF8 = 204,
    /// A fixed-size value with a wrong length prefix.
    DECODE_WRONG_LENGTH = 205,
    /// Well-formed bytes that describe no valid value.
    DECODE_INVALID_VALUE = 206,
    /// The frame is of a message type this dialect does not define.
    DECODE_UNKNOWN_MESSAGE = 207,
    /// A value is longer than its type allows.
    ENCODE_TOO_LONG = 210,
    /// A value does not fit the dialect's narrower type.
    ENCODE_OUT_OF_RANGE = 211,
    /// The dialect does not define this message.
    ENCODE_NOT_IN_DIALECT = 212,
    /// A value cannot be expressed in the dialect's layout.
    ENCODE_INVALID_VALUE = 213,
    /// The payload exceeds the 16 MiB frame limit.
    ENCODE_FRAME_TOO_LARGE = 214,
    /// A frame header announced a payload above the configured maximum.
    FRAME_TOO_LARGE = 220,
    /// A Noise message with length prefix 0.
    NOISE_ZERO_LENGTH = 300,
    /// A Noise message longer than allowed at this point.
    NOISE_MESSAGE_TOO_LONG = 301,
    /// A transport message shorter than the AEAD tag.
    NOISE_MESSAGE_TOO_SHORT = 302,
    /// A handshake message of the wrong length for its step.
    NOISE_HANDSHAKE_LENGTH = 303,
    /// A malformed cipher negotiation message.
    NOISE_MALFORMED_NEGOTIATION = 304,
    /// The initiator skipped negotiation, which this responder refuses.
    NOISE_NEGOTIATION_REQUIRED = 305,
    /// No cipher in common with the peer.
    NOISE_NO_COMMON_CIPHER = 306,
    /// The responder chose a cipher that was not offered.
    NOISE_UNOFFERED_CIPHER = 307,
    /// A handshake message failed authentication.
    NOISE_HANDSHAKE_DECRYPT = 308,
    /// A transport message failed authentication.
    NOISE_TRANSPORT_DECRYPT = 309,
    /// The peer's ephemeral key is a low-order point.
    NOISE_INVALID_PUBLIC_KEY = 310,
    /// The nonce space is exhausted: reconnect.
    NOISE_NONCE_EXHAUSTED = 311,
    /// A frame exceeds what the peer's Noise dialect can carry.
    NOISE_FRAME_TOO_LARGE = 312,
    /// Frame boundaries do not partition the plaintext.
    NOISE_INVALID_FRAME_BOUNDARIES = 313,
    /// The Noise configuration is invalid.
    NOISE_INVALID_CONFIG = 314,
    /// The random number generator failed during the handshake.
    NOISE_RNG = 315,
    /// The handshake is not complete.
    NOISE_HANDSHAKE_INCOMPLETE = 316,
    /// An earlier error closed the secure channel.
    NOISE_CLOSED = 317,
    /// Internal Noise backend error.
    NOISE_INTERNAL = 318,
    /// The certificate signature does not verify under the authority key.
    CERT_BAD_SIGNATURE = 320,
    /// The authority key is not a valid Ed25519 public key.
    CERT_INVALID_AUTHORITY_KEY = 321,
    /// The certificate is not valid yet.
    CERT_NOT_YET_VALID = 322,
    /// The certificate has expired.
    CERT_EXPIRED = 323,
    /// The certificate message is malformed.
    CERT_MALFORMED = 324,
    /// The certificate is signed by another authority than the trusted one.
    CERT_AUTHORITY_MISMATCH = 325,
    /// A key text is malformed (character, checksum, length, format).
    KEY_TEXT = 330,
    /// A key or certificate file is malformed.
    KEY_FILE = 331,
    /// The first message was not SetupConnection.
    FIRST_MESSAGE_NOT_SETUP = 400,
    /// A second SetupConnection on a connection already set up.
    SECOND_SETUP = 401,
    /// The server answered SetupConnection with something else.
    UNEXPECTED_SETUP_REPLY = 402,
    /// The server chose a version that was not offered.
    VERSION_NOT_OFFERED = 403,
    /// A message of another protocol than the negotiated one.
    WRONG_PROTOCOL = 404,
    /// A message that travels only the other way.
    WRONG_DIRECTION = 405,
    /// The peer sent a frame that does not decode.
    MALFORMED_MESSAGE = 406,
    /// The Noise handshake timed out.
    TIMEOUT_HANDSHAKE = 410,
    /// SetupConnection timed out.
    TIMEOUT_SETUP = 411,
    /// Nothing was received for too long.
    TIMEOUT_IDLE = 412,
    /// The peer closed the connection in the middle of a frame.
    PEER_CLOSED_MID_FRAME = 413,
    /// The peer closed the connection before setup completed.
    PEER_CLOSED_BEFORE_SETUP = 414,
    /// SetupConnection was refused with SetupConnection.Error.
    SETUP_REJECTED = 415,
    /// A Rust panic was caught at the boundary (C API only).
    PANIC = 900,
    /// The handle is unusable after an earlier panic (C API only).
    POISONED = 901,
}

/// The code of a decode error.
pub fn code_of_decode(e: &DecodeError) -> ResultCode {
    match e.kind {
        DecodeErrorKind::Truncated { .. } => ResultCode::DECODE_TRUNCATED,
        DecodeErrorKind::TooLong { .. } => ResultCode::DECODE_TOO_LONG,
        DecodeErrorKind::TrailingBytes(_) => ResultCode::DECODE_TRAILING_BYTES,
        DecodeErrorKind::InvalidBool(_) => ResultCode::DECODE_INVALID_BOOL,
        DecodeErrorKind::InvalidUtf8 => ResultCode::DECODE_INVALID_UTF8,
        DecodeErrorKind::WrongLength { .. } => ResultCode::DECODE_WRONG_LENGTH,
        DecodeErrorKind::InvalidValue(_) => ResultCode::DECODE_INVALID_VALUE,
    }
}

/// The code of an encode error.
pub fn code_of_encode(e: &EncodeError) -> ResultCode {
    match e.kind {
        EncodeErrorKind::TooLong { .. } => ResultCode::ENCODE_TOO_LONG,
        EncodeErrorKind::OutOfRange => ResultCode::ENCODE_OUT_OF_RANGE,
        EncodeErrorKind::NotInDialect(_) => ResultCode::ENCODE_NOT_IN_DIALECT,
        EncodeErrorKind::InvalidValue(_) => ResultCode::ENCODE_INVALID_VALUE,
        EncodeErrorKind::FrameTooLarge(_) => ResultCode::ENCODE_FRAME_TOO_LARGE,
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
        CoreNoiseError::ZeroLengthMessage => ResultCode::NOISE_ZERO_LENGTH,
        CoreNoiseError::MessageTooLong { .. } => ResultCode::NOISE_MESSAGE_TOO_LONG,
        CoreNoiseError::MessageTooShort { .. } => ResultCode::NOISE_MESSAGE_TOO_SHORT,
        CoreNoiseError::UnexpectedHandshakeLength { .. } => ResultCode::NOISE_HANDSHAKE_LENGTH,
        CoreNoiseError::MalformedNegotiation(_) => ResultCode::NOISE_MALFORMED_NEGOTIATION,
        CoreNoiseError::NegotiationRequired => ResultCode::NOISE_NEGOTIATION_REQUIRED,
        CoreNoiseError::NoCommonCipher => ResultCode::NOISE_NO_COMMON_CIPHER,
        CoreNoiseError::UnofferedCipher(_) => ResultCode::NOISE_UNOFFERED_CIPHER,
        CoreNoiseError::HandshakeDecrypt => ResultCode::NOISE_HANDSHAKE_DECRYPT,
        CoreNoiseError::TransportDecrypt => ResultCode::NOISE_TRANSPORT_DECRYPT,
        CoreNoiseError::InvalidPublicKey => ResultCode::NOISE_INVALID_PUBLIC_KEY,
        CoreNoiseError::Certificate(c) => code_of_certificate(c),
        CoreNoiseError::NonceExhausted => ResultCode::NOISE_NONCE_EXHAUSTED,
        CoreNoiseError::FrameTooLarge { .. } => ResultCode::NOISE_FRAME_TOO_LARGE,
        CoreNoiseError::InvalidFrameBoundaries => ResultCode::NOISE_INVALID_FRAME_BOUNDARIES,
        CoreNoiseError::InvalidConfig(_) => ResultCode::NOISE_INVALID_CONFIG,
        CoreNoiseError::Rng => ResultCode::NOISE_RNG,
        CoreNoiseError::HandshakeIncomplete => ResultCode::NOISE_HANDSHAKE_INCOMPLETE,
        CoreNoiseError::Closed => ResultCode::NOISE_CLOSED,
        CoreNoiseError::Internal(_) => ResultCode::NOISE_INTERNAL,
    }
}

/// The code of a session error.
pub fn code_of_session(e: &SessionError) -> ResultCode {
    match e {
        SessionError::Noise(n) => code_of_noise(n),
        SessionError::Frame(FrameError::TooLarge { .. }) => ResultCode::FRAME_TOO_LARGE,
        SessionError::Protocol(v) => match v {
            ProtocolViolation::FirstMessageNotSetup(_) => ResultCode::FIRST_MESSAGE_NOT_SETUP,
            ProtocolViolation::SecondSetup => ResultCode::SECOND_SETUP,
            ProtocolViolation::UnexpectedSetupReply(_) => ResultCode::UNEXPECTED_SETUP_REPLY,
            ProtocolViolation::VersionNotOffered(_) => ResultCode::VERSION_NOT_OFFERED,
            ProtocolViolation::WrongProtocol { .. } => ResultCode::WRONG_PROTOCOL,
            ProtocolViolation::WrongDirection(_) => ResultCode::WRONG_DIRECTION,
            ProtocolViolation::Decode(_) => ResultCode::MALFORMED_MESSAGE,
        },
        SessionError::Encode(e) => code_of_encode(e),
        SessionError::Timeout(TimeoutKind::Handshake) => ResultCode::TIMEOUT_HANDSHAKE,
        SessionError::Timeout(TimeoutKind::Setup) => ResultCode::TIMEOUT_SETUP,
        SessionError::Timeout(TimeoutKind::Idle) => ResultCode::TIMEOUT_IDLE,
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

/// The code of a key file error.
pub fn code_of_key_file(e: &KeyFileError) -> ResultCode {
    match e {
        KeyFileError::Io { .. } | KeyFileError::AlreadyExists { .. } => ResultCode::IO,
        KeyFileError::SamePath { .. } => ResultCode::INVALID_ARGUMENT,
        KeyFileError::Entropy(_) => ResultCode::ENTROPY,
        KeyFileError::EmptyValidity(_) => ResultCode::INVALID_ARGUMENT,
        KeyFileError::Verify { source, .. } => code_of_certificate_check(source),
        _ => ResultCode::KEY_FILE,
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
        300..=399 => NoiseError::new_err(message),
        400..=499 => ProtocolError::new_err(message),
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
to_pyerr!(KeyTextError, |_: &KeyTextError| ResultCode::KEY_TEXT);
to_pyerr!(FileFormatError, |_: &FileFormatError| ResultCode::KEY_FILE);
to_pyerr!(UrlError, |_: &UrlError| ResultCode::INVALID_URL);
to_pyerr!(ValueError, |_: &ValueError| ResultCode::INVALID_ARGUMENT);
to_pyerr!(FrameError, |_: &FrameError| ResultCode::FRAME_TOO_LARGE);
to_pyerr!(sv2::mining::MathError, |_: &sv2::mining::MathError| {
    ResultCode::INVALID_ARGUMENT
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
