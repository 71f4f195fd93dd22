//! `U256`: a 256-bit unsigned integer carried as 32 little-endian bytes (spec 3.1).
//!
//! Hashes travel as raw SHA-256 output (bitcoin's internal byte order) and targets as
//! little-endian integers, so "hash ≤ target" (R98) is a comparison of two `U256`s.

use std::cmp::Ordering;
use std::fmt;

/// 32 bytes holding a little-endian 256-bit integer (or a hash in internal byte order).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct U256(pub [u8; 32]);

impl U256 {
    /// Zero.
    pub const ZERO: U256 = U256([0; 32]);
    /// The largest value, 2^256 - 1.
    pub const MAX: U256 = U256([0xff; 32]);

    /// Wraps little-endian bytes (the wire order).
    pub const fn from_le_bytes(bytes: [u8; 32]) -> Self {
        U256(bytes)
    }

    /// Builds from big-endian bytes (the order block explorers print hashes in).
    pub fn from_be_bytes(mut bytes: [u8; 32]) -> Self {
        bytes.reverse();
        U256(bytes)
    }

    /// The little-endian bytes (the wire order).
    pub const fn to_le_bytes(self) -> [u8; 32] {
        self.0
    }

    /// The big-endian bytes.
    pub fn to_be_bytes(self) -> [u8; 32] {
        let mut bytes = self.0;
        bytes.reverse();
        bytes
    }

    /// The bytes as they are on the wire.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The value as four little-endian 64-bit limbs, least significant first.
    pub fn to_limbs(self) -> [u64; 4] {
        let mut limbs = [0u64; 4];
        for (i, limb) in limbs.iter_mut().enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&self.0[i * 8..i * 8 + 8]);
            *limb = u64::from_le_bytes(word);
        }
        limbs
    }

    /// Builds from four 64-bit limbs, least significant first.
    pub fn from_limbs(limbs: [u64; 4]) -> Self {
        let mut bytes = [0u8; 32];
        for (i, limb) in limbs.iter().enumerate() {
            bytes[i * 8..i * 8 + 8].copy_from_slice(&limb.to_le_bytes());
        }
        U256(bytes)
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &Self) -> Ordering {
        // Most significant byte is the last one.
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<[u8; 32]> for U256 {
    fn from(bytes: [u8; 32]) -> Self {
        U256(bytes)
    }
}

impl fmt::Debug for U256 {
    /// Prints the wire bytes as hex, in wire order (as `sv2 decode` does).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U256(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_as_little_endian_integers() {
        // R98: hashes and targets compare as LE integers
        let mut small = [0u8; 32];
        small[0] = 0xff; // 255
        let mut big = [0u8; 32];
        big[31] = 0x01; // 2^248
        assert!(U256(small) < U256(big));
        assert!(U256::ZERO < U256(small));
        assert_eq!(U256::from_limbs(U256(big).to_limbs()), U256(big));
        assert_eq!(U256::from_be_bytes(U256(big).to_be_bytes()), U256(big));
    }
}
