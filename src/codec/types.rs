//! The spec's data types (3.1, CHECKLIST A.1) and the reader/writer the generated message codecs
//! are built from.
//!
//! | spec type      | Rust type          | notes                                              |
//! |----------------|--------------------|----------------------------------------------------|
//! | BOOL           | `bool`             | decoding reads only bit 0 (R2)                    |
//! | U8..U64        | `u8`..`u64`        | little-endian (R1)                                 |
//! | U24            | [`U24`]            | framing and B0_16M lengths                         |
//! | U256, B32      | [`U256`]           | 32 raw bytes                                       |
//! | F32            | `f32`              | IEEE-754 binary32 LE (E1)                          |
//! | STR0_255       | [`Str0255`]        | bytes; UTF-8 not required (R7)                     |
//! | B0_32          | [`B032`]           | held inline, no heap                               |
//! | B0_255..B0_16M | `Vec<u8>`          | maximum checked when encoding and decoding (R3)    |
//! | PUBKEY         | `[u8; 32]`         | certificates only                                  |
//! | SIGNATURE      | `[u8; 64]`         | certificates only                                  |
//! | SHORT_TX_ID    | [`ShortTxId`]      | 6 bytes                                            |
//! | SEQ0_255\[T\]  | `Vec<T>`           | U8 count (R5)                                      |
//! | SEQ0_64K\[T\]  | `Vec<T>`           | U16 count (R5)                                     |
//! | OPTION\[T\]    | `Option<T>`        | dialects only: U8 count 0/1 then T                 |

use super::error::DecodeErrorKind;
use super::error::EncodeErrorKind;
use super::U256;
use std::fmt;

/// Largest value of a U24 (the frame length and the B0_16M length prefix).
pub const U24_MAX: u32 = 0x00ff_ffff;

/// A 24-bit unsigned integer, 3 bytes little-endian on the wire.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct U24(u32);

impl U24 {
    /// Wraps `value` if it fits in 24 bits.
    pub fn new(value: u32) -> Option<U24> {
        (value <= U24_MAX).then_some(U24(value))
    }
    /// The value.
    pub fn get(self) -> u32 {
        self.0
    }
    /// The 3 wire bytes.
    pub fn to_le_bytes(self) -> [u8; 3] {
        let b = self.0.to_le_bytes();
        [b[0], b[1], b[2]]
    }
    /// Reads 3 wire bytes.
    pub fn from_le_bytes(b: [u8; 3]) -> U24 {
        U24(u32::from_le_bytes([b[0], b[1], b[2], 0]))
    }
}

/// A `B0_32`: up to 32 bytes, held inline so that decoding a share or a channel opening does
/// not touch the heap.
#[derive(Clone, Copy)]
pub struct B032 {
    len: u8,
    bytes: [u8; 32],
}

impl B032 {
    /// The empty value.
    pub const EMPTY: B032 = B032 {
        len: 0,
        bytes: [0; 32],
    };

    /// Copies `data` if it is at most 32 bytes long.
    pub fn new(data: &[u8]) -> Option<B032> {
        if data.len() > 32 {
            return None;
        }
        let mut bytes = [0u8; 32];
        bytes[..data.len()].copy_from_slice(data);
        Some(B032 {
            len: data.len() as u8,
            bytes,
        })
    }
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
    /// Number of bytes.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for B032 {
    fn default() -> Self {
        B032::EMPTY
    }
}

impl PartialEq for B032 {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}
impl Eq for B032 {}

impl std::hash::Hash for B032 {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl fmt::Debug for B032 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "B032(")?;
        for b in self.as_slice() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl TryFrom<&[u8]> for B032 {
    type Error = EncodeErrorKind;
    fn try_from(data: &[u8]) -> Result<Self, Self::Error> {
        B032::new(data).ok_or(EncodeErrorKind::TooLong {
            length: data.len(),
            max: 32,
        })
    }
}

/// A `STR0_255` (and the braiins-2021 `STR0_32`): a short string kept as the exact bytes received.
///
/// The spec mandates no character set (R7, E5), so decoding never fails on non-UTF-8 bytes
/// (except under a dialect that requires UTF-8); [`Str0255::as_str`] gives a strict view and
/// [`Str0255::to_string_lossy`] a lossy one.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Str0255(Vec<u8>);

impl Str0255 {
    /// Wraps raw bytes (length is checked when encoding).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Str0255(bytes)
    }
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// The string, if it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
    /// The string with invalid UTF-8 sequences replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Consumes the value, returning the bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl From<&str> for Str0255 {
    fn from(s: &str) -> Self {
        Str0255(s.as_bytes().to_vec())
    }
}
impl From<String> for Str0255 {
    fn from(s: String) -> Self {
        Str0255(s.into_bytes())
    }
}
impl PartialEq<str> for Str0255 {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}
impl PartialEq<&str> for Str0255 {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}
impl fmt::Debug for Str0255 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string_lossy(), f)
    }
}
impl fmt::Display for Str0255 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

/// A `SHORT_TX_ID`: 6 bytes (SipHash-2-4 of the txid with the two most significant bytes
/// dropped, low 48 bits little-endian per BIP152, CHECKLIST E4).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ShortTxId(pub [u8; 6]);

impl fmt::Debug for ShortTxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShortTxId(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// Decoding choices that differ between dialects (profile `deviations`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DecodeRules {
    /// BOOL accepts only 0x00 and 0x01 (braiins-2021); the spec reads bit 0 only (R2).
    pub strict_bool: bool,
    /// Strings must be UTF-8 (braiins-2021); the spec mandates no encoding (R7).
    pub utf8_strings: bool,
}

/// Reads spec types from a payload. Never panics: every read is bounds-checked.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    rules: DecodeRules,
}

type Read<T> = Result<T, DecodeErrorKind>;

impl<'a> Reader<'a> {
    #[inline]
    /// A reader over `buf` with the given dialect rules.
    pub fn new(buf: &'a [u8], rules: DecodeRules) -> Self {
        Reader { buf, pos: 0, rules }
    }

    #[inline(always)]
    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    #[inline(always)]
    /// Fails unless every byte was read (R4).
    pub fn finish(&self) -> Read<()> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(DecodeErrorKind::TrailingBytes(n)),
        }
    }

    #[inline(always)]
    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Read<&'a [u8]> {
        let available = self.remaining();
        if n > available {
            return Err(DecodeErrorKind::Truncated {
                needed: n,
                available,
            });
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    #[inline(always)]
    fn array<const N: usize>(&mut self) -> Read<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    #[inline(always)]
    /// BOOL: bit 0 only (R2), or strictly 0/1 under [`DecodeRules::strict_bool`].
    pub fn bool(&mut self) -> Read<bool> {
        let byte = self.u8()?;
        if self.rules.strict_bool && byte > 1 {
            return Err(DecodeErrorKind::InvalidBool(byte));
        }
        Ok(byte & 1 == 1)
    }
    #[inline(always)]
    /// U8.
    pub fn u8(&mut self) -> Read<u8> {
        Ok(self.array::<1>()?[0])
    }
    #[inline(always)]
    /// U16 LE.
    pub fn u16(&mut self) -> Read<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    #[inline(always)]
    /// U24 LE.
    pub fn u24(&mut self) -> Read<U24> {
        Ok(U24::from_le_bytes(self.array()?))
    }
    #[inline(always)]
    /// U32 LE.
    pub fn u32(&mut self) -> Read<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    #[inline(always)]
    /// U64 LE.
    pub fn u64(&mut self) -> Read<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    #[inline(always)]
    /// F32: IEEE-754 binary32 LE (E1). The bits are kept as they are; roles validate the value.
    pub fn f32(&mut self) -> Read<f32> {
        Ok(f32::from_le_bytes(self.array()?))
    }
    #[inline(always)]
    /// U256 / B32: 32 raw bytes.
    pub fn u256(&mut self) -> Read<U256> {
        Ok(U256(self.array()?))
    }
    #[inline]
    /// B32 carried as a B0_32 of exactly 32 bytes (the sri-2023 `merkle_root`).
    pub fn u256_prefixed(&mut self) -> Read<U256> {
        let len = usize::from(self.u8()?);
        if len != 32 {
            return Err(DecodeErrorKind::WrongLength {
                length: len,
                expected: 32,
            });
        }
        self.u256()
    }
    #[inline]
    /// SHORT_TX_ID: 6 bytes.
    pub fn short_tx_id(&mut self) -> Read<ShortTxId> {
        Ok(ShortTxId(self.array()?))
    }

    #[inline]
    fn prefixed(&mut self, len: usize, max: usize) -> Read<&'a [u8]> {
        if len > max {
            return Err(DecodeErrorKind::TooLong { length: len, max });
        }
        self.take(len)
    }

    #[inline]
    /// B0_32, inline.
    pub fn b0_32(&mut self) -> Read<B032> {
        let len = usize::from(self.u8()?);
        let bytes = self.prefixed(len, 32)?;
        Ok(B032::new(bytes).unwrap_or_default())
    }
    #[inline]
    /// B0_255 (U8 length).
    pub fn b0_255(&mut self) -> Read<Vec<u8>> {
        let len = usize::from(self.u8()?);
        Ok(self.prefixed(len, 255)?.to_vec())
    }
    #[inline]
    /// B0_64K (U16 length).
    pub fn b0_64k(&mut self) -> Read<Vec<u8>> {
        let len = usize::from(self.u16()?);
        Ok(self.prefixed(len, 65535)?.to_vec())
    }
    #[inline]
    /// B0_16M (U24 length, E2).
    pub fn b0_16m(&mut self) -> Read<Vec<u8>> {
        let len = self.u24()?.get() as usize;
        Ok(self.prefixed(len, U24_MAX as usize)?.to_vec())
    }
    #[inline]
    /// STR0_255 (or STR0_32 with `max` = 32).
    pub fn str(&mut self, max: usize) -> Read<Str0255> {
        let len = usize::from(self.u8()?);
        let bytes = self.prefixed(len, max)?;
        if self.rules.utf8_strings && std::str::from_utf8(bytes).is_err() {
            return Err(DecodeErrorKind::InvalidUtf8);
        }
        Ok(Str0255(bytes.to_vec()))
    }
    #[inline]
    /// `OPTION[U32]`: U8 count 0 or 1, then the value when 1.
    pub fn option_u32(&mut self) -> Read<Option<u32>> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.u32()?)),
            n => Err(DecodeErrorKind::TooLong {
                length: usize::from(n),
                max: 1,
            }),
        }
    }
    #[inline]
    /// A SEQ0_255 count.
    pub fn seq0_255_count(&mut self) -> Read<usize> {
        Ok(usize::from(self.u8()?))
    }
    #[inline]
    /// A SEQ0_64K count.
    pub fn seq0_64k_count(&mut self) -> Read<usize> {
        Ok(usize::from(self.u16()?))
    }

    #[inline]
    /// Capacity to reserve for `count` elements of at least `min_size` bytes each: never more
    /// than the remaining input could hold, so a hostile count cannot force a large allocation.
    pub fn capacity_for(&self, count: usize, min_size: usize) -> usize {
        count.min(self.remaining() / min_size.max(1))
    }
}

/// Writes spec types to a buffer. Values that do not fit their type are refused (R3).
pub struct Writer<'a> {
    out: &'a mut Vec<u8>,
    rules: DecodeRules,
}

type Write = Result<(), EncodeErrorKind>;

impl<'a> Writer<'a> {
    #[inline]
    /// Appends to `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        Writer {
            out,
            rules: DecodeRules::default(),
        }
    }
    #[inline]
    /// Appends to `out`, refusing values the dialect's peers would reject on decode (a
    /// non-UTF-8 string for a dialect that requires UTF-8).
    pub fn with_rules(out: &'a mut Vec<u8>, rules: DecodeRules) -> Self {
        Writer { out, rules }
    }
    #[inline]
    /// BOOL: always 0x00 or 0x01 (R2).
    pub fn bool(&mut self, v: bool) {
        self.out.push(u8::from(v));
    }
    #[inline]
    /// U8.
    pub fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    #[inline]
    /// U16 LE.
    pub fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    /// U24 LE.
    pub fn u24(&mut self, v: U24) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    /// U32 LE.
    pub fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    /// U64 LE.
    pub fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    /// U64 value written as U32 (braiins-2021 `new_shares_sum`); refuses values above u32::MAX.
    pub fn u64_as_u32(&mut self, v: u64) -> Write {
        let narrow = u32::try_from(v).map_err(|_| EncodeErrorKind::OutOfRange)?;
        self.u32(narrow);
        Ok(())
    }
    #[inline]
    /// F32 LE.
    pub fn f32(&mut self, v: f32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    /// U256 / B32.
    pub fn u256(&mut self, v: &U256) {
        self.out.extend_from_slice(&v.0);
    }
    #[inline]
    /// B32 as a B0_32 of 32 bytes (sri-2023 `merkle_root`).
    pub fn u256_prefixed(&mut self, v: &U256) {
        self.out.push(32);
        self.out.extend_from_slice(&v.0);
    }
    #[inline]
    /// SHORT_TX_ID.
    pub fn short_tx_id(&mut self, v: &ShortTxId) {
        self.out.extend_from_slice(&v.0);
    }
    #[inline]
    /// B0_32.
    pub fn b0_32(&mut self, v: &B032) {
        self.out.push(v.len);
        self.out.extend_from_slice(v.as_slice());
    }
    #[inline]
    fn prefixed(&mut self, bytes: &[u8], max: usize, prefix_len: usize) -> Write {
        if bytes.len() > max {
            return Err(EncodeErrorKind::TooLong {
                length: bytes.len(),
                max,
            });
        }
        let len = (bytes.len() as u32).to_le_bytes();
        self.out.extend_from_slice(&len[..prefix_len]);
        self.out.extend_from_slice(bytes);
        Ok(())
    }
    #[inline]
    /// B0_255.
    pub fn b0_255(&mut self, v: &[u8]) -> Write {
        self.prefixed(v, 255, 1)
    }
    #[inline]
    /// B0_64K.
    pub fn b0_64k(&mut self, v: &[u8]) -> Write {
        self.prefixed(v, 65535, 2)
    }
    #[inline]
    /// B0_16M.
    pub fn b0_16m(&mut self, v: &[u8]) -> Write {
        self.prefixed(v, U24_MAX as usize, 3)
    }
    #[inline]
    /// STR0_255 (or STR0_32 with `max` = 32).
    pub fn str(&mut self, v: &Str0255, max: usize) -> Write {
        if self.rules.utf8_strings && v.as_str().is_none() {
            return Err(EncodeErrorKind::InvalidValue(
                "string is not UTF-8, which this dialect requires",
            ));
        }
        self.prefixed(&v.0, max, 1)
    }
    #[inline]
    /// `OPTION[U32]`.
    pub fn option_u32(&mut self, v: Option<u32>) {
        match v {
            None => self.u8(0),
            Some(x) => {
                self.u8(1);
                self.u32(x);
            }
        }
    }
    #[inline]
    /// A SEQ0_255 count.
    pub fn seq0_255_count(&mut self, n: usize) -> Write {
        let n = u8::try_from(n).map_err(|_| EncodeErrorKind::TooLong {
            length: n,
            max: 255,
        })?;
        self.u8(n);
        Ok(())
    }
    #[inline]
    /// A SEQ0_64K count.
    pub fn seq0_64k_count(&mut self, n: usize) -> Write {
        let n = u16::try_from(n).map_err(|_| EncodeErrorKind::TooLong {
            length: n,
            max: 65535,
        })?;
        self.u16(n);
        Ok(())
    }
    #[inline]
    /// Raw bytes (already encoded).
    pub fn raw(&mut self, v: &[u8]) {
        self.out.extend_from_slice(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(b: &[u8]) -> Reader<'_> {
        Reader::new(b, DecodeRules::default())
    }

    #[test]
    fn bool_reads_only_bit_zero() {
        // R2
        assert!(!reader(&[0xfe]).bool().unwrap());
        assert!(reader(&[0x03]).bool().unwrap());
        let strict = DecodeRules {
            strict_bool: true,
            ..Default::default()
        };
        assert_eq!(
            Reader::new(&[2], strict).bool(),
            Err(DecodeErrorKind::InvalidBool(2))
        );
        let mut out = Vec::new();
        Writer::new(&mut out).bool(true);
        assert_eq!(out, [1]);
    }

    #[test]
    fn lengths_over_the_maximum_are_refused_both_ways() {
        // R3: 33 bytes into a B0_32, a 300-byte string, 256 SEQ0_255 elements
        let mut data = vec![33u8];
        data.extend([0u8; 33]);
        assert_eq!(
            reader(&data).b0_32(),
            Err(DecodeErrorKind::TooLong {
                length: 33,
                max: 32
            })
        );
        assert!(B032::new(&[0u8; 33]).is_none());
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out);
        assert!(w.str(&Str0255::from_bytes(vec![b'a'; 300]), 255).is_err());
        assert!(w.seq0_255_count(256).is_err());
        assert!(w.b0_255(&[0u8; 256]).is_err());
        assert!(w
            .str(&Str0255::from("0123456789012345678901234567890123"), 32)
            .is_err());
        assert!(out.is_empty(), "a refused value writes nothing");
    }

    #[test]
    fn truncated_and_trailing() {
        // R4
        assert_eq!(
            reader(&[1, 2, 3]).u32(),
            Err(DecodeErrorKind::Truncated {
                needed: 4,
                available: 3
            })
        );
        assert_eq!(
            reader(&[5, b'a']).str(255),
            Err(DecodeErrorKind::Truncated {
                needed: 5,
                available: 1
            })
        );
        let mut r = reader(&[1, 0, 0]);
        r.u16().unwrap();
        assert_eq!(r.finish(), Err(DecodeErrorKind::TrailingBytes(1)));
    }

    #[test]
    fn b0_16m_has_a_three_byte_prefix() {
        // E2 / A.1 vector: B0_16M "abc" = 03 00 00 61 62 63
        let mut out = Vec::new();
        Writer::new(&mut out).b0_16m(b"abc").unwrap();
        assert_eq!(out, [3, 0, 0, 0x61, 0x62, 0x63]);
        assert_eq!(reader(&out).b0_16m().unwrap(), b"abc");
    }

    #[test]
    fn hostile_counts_do_not_reserve_memory() {
        let r = reader(&[0xff, 0xff]);
        assert_eq!(r.capacity_for(65535, 32), 0);
    }

    #[test]
    fn non_utf8_strings_are_kept_unless_the_dialect_forbids_them() {
        // R7
        let bytes = [2, 0xff, 0xfe];
        assert_eq!(reader(&bytes).str(255).unwrap().as_bytes(), &[0xff, 0xfe]);
        let strict = DecodeRules {
            utf8_strings: true,
            ..Default::default()
        };
        assert_eq!(
            Reader::new(&bytes, strict).str(255),
            Err(DecodeErrorKind::InvalidUtf8)
        );
    }
}
