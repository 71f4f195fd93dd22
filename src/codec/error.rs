//! Codec errors. Every decode error names the message and the field it happened in, so a bad
//! frame from a peer can be diagnosed from the log line alone.

use std::fmt;

/// What went wrong while reading one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The payload ended before the value did.
    Truncated {
        /// Bytes the value needed.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// A length prefix or count is larger than the type allows (R3).
    TooLong {
        /// The declared length or count.
        length: usize,
        /// The type's maximum.
        max: usize,
    },
    /// Bytes were left over after the last field (R4).
    TrailingBytes(usize),
    /// A BOOL byte other than 0 or 1 under a dialect that decodes BOOL strictly.
    InvalidBool(u8),
    /// A string that is not UTF-8 under a dialect that requires UTF-8.
    InvalidUtf8,
    /// A fixed-size value carried with a length prefix had the wrong length.
    WrongLength {
        /// The declared length.
        length: usize,
        /// The only length accepted.
        expected: usize,
    },
    /// The bytes are well-formed but do not describe a valid value (for example a
    /// concatenation of transaction outputs that does not parse).
    InvalidValue(&'static str),
}

/// A message could not be decoded: which message, which field, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    /// The message's spec name, e.g. `"SubmitSharesStandard"`.
    pub message: &'static str,
    /// The field's spec name, or `""` for errors about the whole payload.
    pub field: &'static str,
    /// What was wrong.
    pub kind: DecodeErrorKind,
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::Truncated { needed, available } => {
                write!(f, "truncated: needs {needed} bytes, {available} left")
            }
            DecodeErrorKind::TooLong { length, max } => {
                write!(f, "length {length} exceeds the maximum {max}")
            }
            DecodeErrorKind::TrailingBytes(n) => {
                write!(f, "{n} unexpected bytes after the last field")
            }
            DecodeErrorKind::InvalidBool(b) => write!(f, "invalid BOOL byte 0x{b:02x}"),
            DecodeErrorKind::InvalidUtf8 => f.write_str("string is not valid UTF-8"),
            DecodeErrorKind::WrongLength { length, expected } => {
                write!(f, "length {length}, expected exactly {expected}")
            }
            DecodeErrorKind::InvalidValue(why) => f.write_str(why),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "cannot decode {}: {}", self.message, self.kind)
        } else {
            write!(
                f,
                "cannot decode {}.{}: {}",
                self.message, self.field, self.kind
            )
        }
    }
}

impl std::error::Error for DecodeError {}

/// What went wrong while writing one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeErrorKind {
    /// The value is longer than its type allows (R3): never silently truncated.
    TooLong {
        /// The value's length or element count.
        length: usize,
        /// The type's maximum.
        max: usize,
    },
    /// The value does not fit the narrower integer a dialect uses (e.g. a U64 sent as U32).
    OutOfRange,
    /// The selected dialect does not define this message.
    NotInDialect(&'static str),
    /// The value cannot be expressed in the dialect's layout.
    InvalidValue(&'static str),
    /// The whole payload exceeds the 16 MiB frame limit (U24 length).
    FrameTooLarge(usize),
}

/// A message could not be encoded: which message, which field, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeError {
    /// The message's spec name.
    pub message: &'static str,
    /// The field's spec name, or `""` for errors about the whole message.
    pub field: &'static str,
    /// What was wrong.
    pub kind: EncodeErrorKind,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = if self.field.is_empty() {
            self.message.to_string()
        } else {
            format!("{}.{}", self.message, self.field)
        };
        match self.kind {
            EncodeErrorKind::TooLong { length, max } => {
                write!(
                    f,
                    "cannot encode {target}: length {length} exceeds the maximum {max}"
                )
            }
            EncodeErrorKind::OutOfRange => {
                write!(
                    f,
                    "cannot encode {target}: value out of range for the dialect's type"
                )
            }
            EncodeErrorKind::NotInDialect(dialect) => {
                write!(
                    f,
                    "cannot encode {target}: not defined in dialect {dialect}"
                )
            }
            EncodeErrorKind::InvalidValue(why) => write!(f, "cannot encode {target}: {why}"),
            EncodeErrorKind::FrameTooLarge(len) => {
                write!(
                    f,
                    "cannot encode {target}: payload of {len} bytes exceeds 16777215"
                )
            }
        }
    }
}

impl std::error::Error for EncodeError {}
