//! Dynamic field values: the bridge between the typed messages and JSON (`sv2 decode`), Python
//! dictionaries and JavaScript objects.

use crate::codec::{ShortTxId, Str0255, B032, U256};

/// One field value of any spec type.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// BOOL.
    Bool(bool),
    /// U8.
    U8(u8),
    /// U16.
    U16(u16),
    /// U32.
    U32(u32),
    /// U64.
    U64(u64),
    /// F32.
    F32(f32),
    /// U256 / B32: the 32 wire bytes.
    U256(U256),
    /// B0_*: the bytes.
    Bytes(Vec<u8>),
    /// STR0_255: the bytes as received.
    Str(Str0255),
    /// SHORT_TX_ID.
    ShortTxId(ShortTxId),
    /// `OPTION[U32]`.
    OptionU32(Option<u32>),
    /// SEQ0_255 / SEQ0_64K.
    Seq(Vec<Value>),
}

/// A dynamic value could not be turned into a field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A required field is missing.
    #[error("{message}: missing field `{field}`")]
    Missing {
        /// Message name.
        message: &'static str,
        /// Field name.
        field: &'static str,
    },
    /// The value has the wrong type or does not fit.
    #[error("{message}.{field}: expected {expected}")]
    WrongType {
        /// Message name.
        message: &'static str,
        /// Field name.
        field: &'static str,
        /// What was expected.
        expected: &'static str,
    },
}

/// Conversion to a dynamic value.
pub trait ToValue {
    /// The value.
    fn to_value(&self) -> Value;
}

/// Conversion from a dynamic value.
pub trait FromValue: Sized {
    /// What the field expects, for error messages.
    const EXPECTED: &'static str;
    /// Converts, or `None` on a type mismatch.
    fn from_value(value: &Value) -> Option<Self>;
}

macro_rules! scalar {
    ($t:ty, $variant:ident, $expected:literal) => {
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::$variant(self.clone())
            }
        }
        impl FromValue for $t {
            const EXPECTED: &'static str = $expected;
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    Value::$variant(v) => Some(v.clone()),
                    _ => None,
                }
            }
        }
    };
}

scalar!(bool, Bool, "a boolean");
scalar!(f32, F32, "a number");
scalar!(U256, U256, "32 bytes (64 hex digits)");
scalar!(Vec<u8>, Bytes, "bytes (hex)");
scalar!(Str0255, Str, "a string");
scalar!(ShortTxId, ShortTxId, "6 bytes (12 hex digits)");
scalar!(Option<u32>, OptionU32, "an integer or null");

/// Integers accept any integer variant that fits, so that JSON numbers (which carry no width)
/// convert naturally.
macro_rules! integer {
    ($t:ty, $variant:ident, $expected:literal) => {
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::$variant(*self)
            }
        }
        impl FromValue for $t {
            const EXPECTED: &'static str = $expected;
            fn from_value(value: &Value) -> Option<Self> {
                let wide: u64 = match value {
                    Value::U8(v) => u64::from(*v),
                    Value::U16(v) => u64::from(*v),
                    Value::U32(v) => u64::from(*v),
                    Value::U64(v) => *v,
                    _ => return None,
                };
                <$t>::try_from(wide).ok()
            }
        }
    };
}

integer!(u8, U8, "an integer 0..=255");
integer!(u16, U16, "an integer 0..=65535");
integer!(u32, U32, "an integer 0..=4294967295");
integer!(u64, U64, "an integer 0..=18446744073709551615");

impl ToValue for B032 {
    fn to_value(&self) -> Value {
        Value::Bytes(self.as_slice().to_vec())
    }
}
impl FromValue for B032 {
    const EXPECTED: &'static str = "at most 32 bytes (hex)";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bytes(v) => B032::new(v),
            _ => None,
        }
    }
}

impl<T: ToValue + NotBytes> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        Value::Seq(self.iter().map(ToValue::to_value).collect())
    }
}
impl<T: FromValue + NotBytes> FromValue for Vec<T> {
    const EXPECTED: &'static str = "a list";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Seq(items) => items.iter().map(T::from_value).collect(),
            _ => None,
        }
    }
}

/// Element types of sequences (everything but `u8`, whose vectors are byte strings).
pub trait NotBytes {}
impl NotBytes for u16 {}
impl NotBytes for u32 {}
impl NotBytes for U256 {}
impl NotBytes for Vec<u8> {}
impl NotBytes for ShortTxId {}

/// Finds `field` in `fields` and converts it.
pub fn take_field<T: FromValue>(
    message: &'static str,
    fields: &[(&str, Value)],
    field: &'static str,
) -> Result<T, ValueError> {
    let value = fields
        .iter()
        .find(|(name, _)| *name == field)
        .map(|(_, v)| v)
        .ok_or(ValueError::Missing { message, field })?;
    T::from_value(value).ok_or(ValueError::WrongType {
        message,
        field,
        expected: T::EXPECTED,
    })
}
