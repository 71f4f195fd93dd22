//! Value conversions between the core's wire types and JavaScript values.

use crate::errors::{invalid, Result};
use napi::bindgen_prelude::{BigInt, Uint8Array};
use sv2::codec::{ShortTxId, Str0255, B032, U256};

/// An integer field narrower than 32 bits.
pub fn u8_in(message: &str, field: &str, v: u32) -> Result<u8> {
    u8::try_from(v).map_err(|_| invalid(format!("{message}.{field}: expected an integer 0..=255")))
}

/// A U16 field.
pub fn u16_in(message: &str, field: &str, v: u32) -> Result<u16> {
    u16::try_from(v)
        .map_err(|_| invalid(format!("{message}.{field}: expected an integer 0..=65535")))
}

/// A JavaScript number that must be an integer 0..=4294967295. napi's own `u32` conversion
/// wraps (`-1` → 4294967295, `2**32` → 0, `NaN` → 0), which turned a negative scan count into
/// hours of hashing and a millisecond time into a certificate that had already expired.
pub fn u32_arg(what: &str, v: f64) -> Result<u32> {
    if v.is_finite() && v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
        Ok(v as u32)
    } else {
        Err(invalid(format!(
            "{what}: expected an integer 0..=4294967295, got {v}"
        )))
    }
}

/// A bigint that must fit a U64.
pub fn u64_of(what: &str, v: &BigInt) -> Result<u64> {
    let nonzero_high = v.words.iter().skip(1).any(|w| *w != 0);
    let low = v.words.first().copied().unwrap_or(0);
    if nonzero_high || (v.sign_bit && low != 0) {
        return Err(invalid(format!(
            "{what}: expected a bigint 0n..=18446744073709551615n"
        )));
    }
    Ok(low)
}

/// A U64 field (a bigint).
pub fn u64_in(message: &str, field: &str, v: &BigInt) -> Result<u64> {
    u64_of(&format!("{message}.{field}"), v)
}

/// 32 bytes as a Uint8Array.
pub fn u256_out(v: &U256) -> Uint8Array {
    Uint8Array::new(v.0.to_vec())
}

/// Bytes as a Uint8Array.
pub fn bytes_out(v: &[u8]) -> Uint8Array {
    Uint8Array::new(v.to_vec())
}

/// Exactly 32 bytes.
pub fn u256_of(what: &str, v: &[u8]) -> Result<U256> {
    let bytes: [u8; 32] = v
        .try_into()
        .map_err(|_| invalid(format!("{what}: expected 32 bytes, got {}", v.len())))?;
    Ok(U256(bytes))
}

/// A U256/B32 field.
pub fn u256_in(message: &str, field: &str, v: &[u8]) -> Result<U256> {
    u256_of(&format!("{message}.{field}"), v)
}

/// A B0_32 field.
pub fn b032_in(message: &str, field: &str, v: &[u8]) -> Result<B032> {
    B032::new(v).ok_or_else(|| {
        invalid(format!(
            "{message}.{field}: expected at most 32 bytes, got {}",
            v.len()
        ))
    })
}

/// A SHORT_TX_ID field.
pub fn short_tx_id_in(message: &str, field: &str, v: &[u8]) -> Result<ShortTxId> {
    let bytes: [u8; 6] = v.try_into().map_err(|_| {
        invalid(format!(
            "{message}.{field}: expected 6 bytes, got {}",
            v.len()
        ))
    })?;
    Ok(ShortTxId(bytes))
}

/// A STR0_255 for JavaScript: the bytes as UTF-8, invalid sequences replaced (R7).
pub fn str_out(v: &Str0255) -> String {
    v.to_string_lossy()
}

/// A JavaScript string as STR0_255 (its UTF-8 bytes; the length is checked when encoding).
pub fn str_in(v: String) -> Str0255 {
    Str0255::from_bytes(v.into_bytes())
}

/// A U256 as 64 hex digits in wire (little-endian) byte order.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// True when a dialect-only field holds something other than its default.
pub fn is_set<T: Default + PartialEq>(v: &T) -> bool {
    *v != T::default()
}
