//! The 80-byte block header, double SHA-256, SHA-256 midstates and BIP320 version rolling
//! (spec 04 §4.1.1, §4.3.15–4.3.17, 09 §9.2, CHECKLIST C.13).
//!
//! The header is kept serialized, in block-header byte order, so that rolling a nonce, nTime
//! or version is a 4-byte store and hashing needs no serialization step:
//!
//! ```text
//! offset  0: version      u32 LE
//! offset  4: prev_hash    32 bytes, internal byte order (the U256 LE bytes)
//! offset 36: merkle_root  32 bytes, internal byte order
//! offset 68: ntime        u32 LE
//! offset 72: nbits        u32 LE
//! offset 76: nonce        u32 LE
//! ```
//!
//! SHA-256 eats 64-byte blocks, so the first block holds version, prev_hash and 28 bytes of
//! the merkle root, and the second holds the last 4 merkle bytes plus nTime, nBits and nonce
//! (the [`HeaderTail`]). The state after the first block, the [`Midstate`], is what ASICs are
//! loaded with; rolling nonce and nTime (09 §9.2.1) only touches the second block.

use super::sha;
use super::MathError;
use crate::codec::U256;
use sha2::{Digest, Sha256};

/// BIP320 general-purpose version bits: the 16 VERSION_ROLLING_BITS a downstream may change
/// (04 §4.1.1, R148).
pub const BIP320_VERSION_MASK: u32 = 0x1fff_e000;

/// SHA256d of arbitrary bytes, as a [`U256`] in internal byte order (so a header hash can be
/// compared with a target directly, R98). Allocation-free.
pub fn double_sha256(data: &[u8]) -> U256 {
    U256(Sha256::digest(Sha256::digest(data)).into())
}

/// An 80-byte bitcoin block header in serialized (block-header) byte order.
///
/// Built once per job, then updated in place for each nonce, nTime or version; nothing here
/// allocates.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockHeader([u8; 80]);

impl BlockHeader {
    /// Serializes the six header fields.
    pub fn new(
        version: u32,
        prev_hash: U256,
        merkle_root: U256,
        ntime: u32,
        nbits: u32,
        nonce: u32,
    ) -> Self {
        let mut header = BlockHeader([0u8; 80]);
        header.set_version(version);
        header.set_prev_hash(prev_hash);
        header.set_merkle_root(merkle_root);
        header.set_ntime(ntime);
        header.set_nbits(nbits);
        header.set_nonce(nonce);
        header
    }

    /// Wraps an already serialized header.
    pub const fn from_bytes(bytes: [u8; 80]) -> Self {
        BlockHeader(bytes)
    }

    /// The serialized header.
    pub const fn as_bytes(&self) -> &[u8; 80] {
        &self.0
    }

    fn u32_at(&self, at: usize) -> u32 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&self.0[at..at + 4]);
        u32::from_le_bytes(w)
    }

    fn u256_at(&self, at: usize) -> U256 {
        let mut w = [0u8; 32];
        w.copy_from_slice(&self.0[at..at + 32]);
        U256(w)
    }

    /// nVersion.
    pub fn version(&self) -> u32 {
        self.u32_at(0)
    }
    /// Previous block hash (internal byte order).
    pub fn prev_hash(&self) -> U256 {
        self.u256_at(4)
    }
    /// Merkle root (internal byte order).
    pub fn merkle_root(&self) -> U256 {
        self.u256_at(36)
    }
    /// nTime.
    pub fn ntime(&self) -> u32 {
        self.u32_at(68)
    }
    /// nBits.
    pub fn nbits(&self) -> u32 {
        self.u32_at(72)
    }
    /// Nonce.
    pub fn nonce(&self) -> u32 {
        self.u32_at(76)
    }

    /// Sets nVersion (changes the first SHA-256 block, so the midstate too).
    #[inline]
    pub fn set_version(&mut self, version: u32) {
        self.0[0..4].copy_from_slice(&version.to_le_bytes());
    }
    /// Sets the previous block hash.
    pub fn set_prev_hash(&mut self, prev_hash: U256) {
        self.0[4..36].copy_from_slice(&prev_hash.0);
    }
    /// Sets the merkle root.
    pub fn set_merkle_root(&mut self, merkle_root: U256) {
        self.0[36..68].copy_from_slice(&merkle_root.0);
    }
    /// Sets nTime.
    #[inline]
    pub fn set_ntime(&mut self, ntime: u32) {
        self.0[68..72].copy_from_slice(&ntime.to_le_bytes());
    }
    /// Sets nBits.
    pub fn set_nbits(&mut self, nbits: u32) {
        self.0[72..76].copy_from_slice(&nbits.to_le_bytes());
    }
    /// Sets the nonce.
    #[inline]
    pub fn set_nonce(&mut self, nonce: u32) {
        self.0[76..80].copy_from_slice(&nonce.to_le_bytes());
    }

    /// The block hash, SHA256d of the 80 bytes, in internal byte order (compare it with a
    /// target using [`hash_meets_target`](super::hash_meets_target)). Three SHA-256
    /// compressions, no allocation.
    #[inline]
    pub fn hash(&self) -> U256 {
        let midstate = self.midstate();
        midstate.hash(&self.tail())
    }

    fn first_block(&self) -> [u8; 64] {
        let mut block = [0u8; 64];
        block.copy_from_slice(&self.0[..64]);
        block
    }

    /// SHA-256 state after the first 64 bytes (version, prev_hash, 28 merkle-root bytes).
    pub fn midstate(&self) -> Midstate {
        let mut state = sha::IV;
        sha::compress(&mut state, &self.first_block());
        Midstate(state)
    }

    /// Midstates of this header with each of `versions` in place of its own (AsicBoost-style
    /// drivers load 1, 2 or 4 midstates per job). The header itself is unchanged.
    pub fn midstates<const N: usize>(&self, versions: &[u32; N]) -> [Midstate; N] {
        let mut block = self.first_block();
        versions.map(|version| {
            block[0..4].copy_from_slice(&version.to_le_bytes());
            let mut state = sha::IV;
            sha::compress(&mut state, &block);
            Midstate(state)
        })
    }

    /// The last 16 bytes: merkle_root[28..32], nTime, nBits, nonce.
    pub fn tail(&self) -> HeaderTail {
        let mut tail = [0u8; 16];
        tail.copy_from_slice(&self.0[64..80]);
        HeaderTail(tail)
    }
}

impl Default for BlockHeader {
    fn default() -> Self {
        BlockHeader([0u8; 80])
    }
}

impl std::fmt::Debug for BlockHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockHeader")
            .field("version", &format_args!("{:#010x}", self.version()))
            .field("prev_hash", &self.prev_hash())
            .field("merkle_root", &self.merkle_root())
            .field("ntime", &self.ntime())
            .field("nbits", &format_args!("{:#010x}", self.nbits()))
            .field("nonce", &format_args!("{:#010x}", self.nonce()))
            .finish()
    }
}

/// The second SHA-256 block's data: merkle_root[28..32] ‖ nTime ‖ nBits ‖ nonce (16 bytes).
///
/// This is all that changes between hashes once a [`Midstate`] is cached: nonce and nTime
/// rolling never touch the first block.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct HeaderTail(pub [u8; 16]);

impl HeaderTail {
    /// Builds the tail from the merkle root's last 4 bytes and the three trailing fields.
    pub fn new(merkle_root: U256, ntime: u32, nbits: u32, nonce: u32) -> Self {
        let mut tail = HeaderTail::default();
        tail.0[0..4].copy_from_slice(&merkle_root.0[28..32]);
        tail.set_ntime(ntime);
        tail.0[8..12].copy_from_slice(&nbits.to_le_bytes());
        tail.set_nonce(nonce);
        tail
    }
    /// Sets nTime.
    #[inline]
    pub fn set_ntime(&mut self, ntime: u32) {
        self.0[4..8].copy_from_slice(&ntime.to_le_bytes());
    }
    /// Sets the nonce.
    #[inline]
    pub fn set_nonce(&mut self, nonce: u32) {
        self.0[12..16].copy_from_slice(&nonce.to_le_bytes());
    }
}

/// SHA-256 internal state after compressing the first 64 header bytes.
///
/// It depends on version, prev_hash and most of the merkle root, so a pool can cache it per
/// job (and per rolled version), and a miner computes it once per job × version.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Midstate(pub [u32; 8]);

impl Midstate {
    /// The eight state words.
    pub fn words(&self) -> [u32; 8] {
        self.0
    }

    /// Words serialized big-endian: the byte order of a SHA-256 digest.
    pub fn to_be_bytes(&self) -> [u8; 32] {
        sha::state_bytes(&self.0)
    }

    /// Words serialized little-endian each: the in-memory layout that many ASIC drivers load
    /// into the chip's midstate registers.
    pub fn to_le_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(&self.0) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        out
    }

    /// Finishes the header hash from this midstate and the 16-byte tail: two compressions
    /// instead of three, no allocation. Equals [`BlockHeader::hash`] of the full header.
    #[inline]
    pub fn hash(&self, tail: &HeaderTail) -> U256 {
        U256(sha::sha256d_80_from_midstate(&self.0, &tail.0))
    }
}

/// R148/R149: is `share_version` an allowed variation of `job_version`?
///
/// With rolling allowed (extended jobs with `version_rolling_allowed`, and standard channels
/// unless the connection set REQUIRES_FIXED_VERSION, R149), only the BIP320 bits
/// ([`BIP320_VERSION_MASK`]) may differ; without it the version must be identical.
#[inline]
pub fn version_rolling_ok(job_version: u32, share_version: u32, allowed: bool) -> bool {
    let free = if allowed { BIP320_VERSION_MASK } else { 0 };
    (job_version ^ share_version) & !free == 0
}

/// R84: bits of search space a standard channel owns per nTime value: 32 nonce bits plus the
/// 16 BIP320 version bits (2^48 ≈ 2.8·10^14 hashes).
pub const STANDARD_SEARCH_SPACE_BITS: u32 = 32 + 16;

/// R85: bits of search space an extended channel owns per nTime value:
/// `32 + 16 + 8 · extranonce_size` (as a bit count, since 2^304 fits no integer type).
pub fn extended_search_space_bits(extranonce_size: u16) -> u32 {
    STANDARD_SEARCH_SPACE_BITS + 8 * u32::from(extranonce_size)
}

/// R96 (client side, E22): `min_ntime ≤ ntime ≤ min_ntime + seconds since SetNewPrevHash`,
/// i.e. nTime rolled at most once per second (R146).
pub fn ntime_ok_client(ntime: u32, min_ntime: u32, secs_since_prevhash: u32) -> bool {
    let upper = u64::from(min_ntime) + u64::from(secs_since_prevhash);
    ntime >= min_ntime && u64::from(ntime) <= upper
}

/// R147 (server side): accept `min_ntime ≤ ntime ≤ max(min_ntime + elapsed + slack,
/// now + 7200)`, so once-per-second rolling always passes and anything within the consensus
/// future limit (2 h) does too. `now_unix` is the caller's wall clock (the core reads none).
pub fn ntime_ok_server(
    ntime: u32,
    min_ntime: u32,
    secs_since_prevhash: u32,
    slack_secs: u32,
    now_unix: u32,
) -> bool {
    let rolled = u64::from(min_ntime) + u64::from(secs_since_prevhash) + u64::from(slack_secs);
    let consensus = u64::from(now_unix) + 7200;
    ntime >= min_ntime && u64::from(ntime) <= rolled.max(consensus)
}

/// Enumerates every version reachable by rolling the bits of `mask ∩ BIP320_VERSION_MASK`
/// in a base version, starting with the base itself (up to 65 536 values).
///
/// Use it to hand out version space to cores or to generate the 4 versions of an
/// AsicBoost-style midstate set (`roller.take(4)`).
#[derive(Clone, Debug)]
pub struct VersionRoller {
    base: u32,
    mask: u32,
    next: u32,
    count: u32,
}

impl VersionRoller {
    /// Rolls the bits of `mask` (clipped to BIP320) in `base_version`.
    pub fn new(base_version: u32, mask: u32) -> Self {
        let mask = mask & BIP320_VERSION_MASK;
        VersionRoller {
            base: base_version,
            mask,
            next: 0,
            count: 1u32 << mask.count_ones(),
        }
    }

    /// Rolls all 16 BIP320 bits.
    pub fn bip320(base_version: u32) -> Self {
        Self::new(base_version, BIP320_VERSION_MASK)
    }

    /// The effective rolling mask.
    pub fn mask(&self) -> u32 {
        self.mask
    }
}

/// Scatters the low bits of `counter` into the set bits of `mask`, lowest first
/// (a software PDEP).
fn deposit_bits(mut counter: u32, mask: u32) -> u32 {
    let mut out = 0;
    let mut m = mask;
    while m != 0 && counter != 0 {
        let lowest = m & m.wrapping_neg();
        if counter & 1 != 0 {
            out |= lowest;
        }
        counter >>= 1;
        m &= m - 1;
    }
    out
}

impl Iterator for VersionRoller {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.next >= self.count {
            return None;
        }
        // XOR so that the first value is the base version itself.
        let version = self.base ^ deposit_bits(self.next, self.mask);
        self.next += 1;
        Some(version)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.count - self.next) as usize;
        (left, Some(left))
    }
}

impl ExactSizeIterator for VersionRoller {}

/// One hashing board's share of a job's version-rolling space, from [`split_version_rolling`]:
/// the board hashes the versions `job_version ^ fixed_bits ^ r` for every `r` made of bits of
/// `mask` (its [`VersionRoller`] is [`VersionRollingPart::roller`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionRollingPart {
    /// The version bits this board rolls itself: the job's mask (clipped to BIP320) minus the
    /// bits that tell the boards apart.
    pub mask: u32,
    /// The board's value of the bits that tell the boards apart, to XOR into the job's version.
    /// No two boards of one split have the same.
    pub fixed_bits: u32,
}

impl VersionRollingPart {
    /// The board's first version for a job: `job_version ^ fixed_bits`.
    pub fn base_version(&self, job_version: u32) -> u32 {
        job_version ^ self.fixed_bits
    }

    /// Every version of the board's share of the job, its base version first.
    pub fn roller(&self, job_version: u32) -> VersionRoller {
        VersionRoller::new(self.base_version(job_version), self.mask)
    }

    /// Whether `version` is in this board's share of a job with `job_version`.
    pub fn contains(&self, job_version: u32, version: u32) -> bool {
        let rolled = version ^ job_version;
        rolled & !self.mask == self.fixed_bits
    }
}

/// Splits a job's version-rolling space between `board_count` hashing boards on one standard
/// channel so that no two boards ever hash the same version (cgminer-style firmware gives each
/// board or chip chain its own part, and the boards then roll within it: AsicBoost midstates,
/// or the chip's own version rolling over `mask`).
///
/// The highest ⌈log2 board_count⌉ bits of `mask ∩ BIP320_VERSION_MASK` select the board
/// (`board_index` written into them); the rest stay rollable by every board. With a board count
/// that is not a power of two the last parts are unused, so each board gets the same share:
/// 1/2^⌈log2 board_count⌉ of the versions (each version is a whole 2^32 nonce range, so the
/// unused part costs nothing while the job lasts). One board gets the whole mask.
///
/// Errors: [`MathError::InvalidBoardIndex`] if `board_count` is 0 or `board_index >=
/// board_count`; [`MathError::VersionSpaceTooSmall`] if the mask has too few BIP320 bits for
/// that many boards (a zero mask, the pool forbidding rolling, allows only one board: give the
/// others an extended channel's extranonce or nTime instead).
pub fn split_version_rolling(
    mask: u32,
    board_index: u32,
    board_count: u32,
) -> Result<VersionRollingPart, MathError> {
    if board_count == 0 || board_index >= board_count {
        return Err(MathError::InvalidBoardIndex {
            index: board_index,
            count: board_count,
        });
    }
    let mask = mask & BIP320_VERSION_MASK;
    // ⌈log2 board_count⌉ (0 for one board).
    let selector_bits = 32 - (board_count - 1).leading_zeros();
    if selector_bits > mask.count_ones() {
        return Err(MathError::VersionSpaceTooSmall { mask, board_count });
    }
    // The highest bits select the board, so the bits a board rolls itself stay the low,
    // contiguous ones chips count up from (bit 13 first).
    let mut selector = 0u32;
    let mut rest = mask;
    for _ in 0..selector_bits {
        let top = 1u32 << (31 - rest.leading_zeros());
        selector |= top;
        rest &= !top;
    }
    Ok(VersionRollingPart {
        mask: rest,
        fixed_bits: deposit_bits(board_index, selector),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn be(s: &str) -> U256 {
        let mut b = [0u8; 32];
        b.copy_from_slice(&hex::decode(s).unwrap());
        U256::from_be_bytes(b)
    }

    /// Mainnet block 125552, the header used in the bitcoin wiki's hashing example.
    fn block_125552() -> BlockHeader {
        BlockHeader::new(
            1,
            be("00000000000008a3a41b85b8b29ad444def299fee21793cd8b9e567eab02cd81"),
            be("2b12fcf1b09288fcaff797d71e950e71ae42b91e8bdb2304758dfcffc2b620e3"),
            1305998791,
            0x1a44b9f2,
            2504433986,
        )
    }

    #[test]
    fn block_125552_hash() {
        let h = block_125552();
        let expected = be("00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d");
        assert_eq!(h.hash(), expected);
        assert_eq!(double_sha256(h.as_bytes()), expected);
        assert_eq!(
            hex::encode(h.as_bytes()),
            "0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695"
        );
        // R98: the block met its own nBits target.
        let target = super::super::nbits_to_target(h.nbits()).unwrap();
        assert!(super::super::hash_meets_target(h.hash(), target));
    }

    #[test]
    fn genesis_hash() {
        let h = BlockHeader::new(
            1,
            U256::ZERO,
            be("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"),
            1231006505,
            0x1d00ffff,
            2083236893,
        );
        assert_eq!(
            h.hash(),
            be("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
        );
    }

    #[test]
    fn in_place_updates_and_getters() {
        let mut h = block_125552();
        let original = h.hash();
        h.set_nonce(0);
        h.set_ntime(1);
        h.set_version(0x2000_0000);
        assert_ne!(h.hash(), original);
        assert_eq!(
            (h.nonce(), h.ntime(), h.version(), h.nbits()),
            (0, 1, 0x2000_0000, 0x1a44b9f2)
        );
        h.set_nonce(2504433986);
        h.set_ntime(1305998791);
        h.set_version(1);
        assert_eq!(h.hash(), original);
        assert_eq!(h, block_125552());
        assert_eq!(BlockHeader::from_bytes(*h.as_bytes()), h);
    }

    #[test]
    fn midstate_paths_agree() {
        let mut h = block_125552();
        let mid = h.midstate();
        let mut tail = h.tail();
        assert_eq!(mid.hash(&tail), h.hash());
        assert_eq!(
            tail,
            HeaderTail::new(h.merkle_root(), h.ntime(), h.nbits(), h.nonce())
        );
        // Rolling nonce and nTime (09 §9.2.1) leaves the midstate valid.
        tail.set_nonce(7);
        tail.set_ntime(1305998792);
        h.set_nonce(7);
        h.set_ntime(1305998792);
        assert_eq!(h.midstate(), mid);
        assert_eq!(mid.hash(&tail), h.hash());
        // Four rolled versions at once.
        let versions: Vec<u32> = VersionRoller::bip320(0x2000_0000).take(4).collect();
        let versions: [u32; 4] = versions.try_into().unwrap();
        let mids = h.midstates(&versions);
        for (v, m) in versions.iter().zip(mids) {
            let mut rolled = h;
            rolled.set_version(*v);
            assert_eq!(m, rolled.midstate());
            assert_eq!(m.hash(&tail), rolled.hash());
        }
        assert_eq!(h.midstates(&[h.version()]), [mid]);
        // Byte layouts of the midstate.
        assert_eq!(mid.to_be_bytes()[0..4], mid.words()[0].to_be_bytes());
        assert_eq!(mid.to_le_bytes()[0..4], mid.words()[0].to_le_bytes());
    }

    #[test]
    fn version_rolling_rules() {
        // R148: only BIP320 bits may change when rolling is allowed.
        let job = 0x2000_0000;
        assert!(version_rolling_ok(job, job, false));
        assert!(version_rolling_ok(job, job | 0x1fff_e000, true));
        assert!(!version_rolling_ok(job, job | 0x0000_2000, false));
        assert!(!version_rolling_ok(job, job | 0x0000_1000, true));
        assert!(!version_rolling_ok(job, job | 0x4000_0000, true));
        // R149: a standard channel without REQUIRES_FIXED_VERSION rolls like an allowed job.
        let requires_fixed_version = false;
        assert!(version_rolling_ok(
            job,
            job ^ 0x0100_0000,
            !requires_fixed_version
        ));
    }

    #[test]
    fn search_space_and_ntime_windows() {
        // R84, R85
        assert_eq!(
            2f64.powi(STANDARD_SEARCH_SPACE_BITS as i32),
            281_474_976_710_656.0
        );
        assert_eq!(extended_search_space_bits(4), 80);
        assert_eq!(extended_search_space_bits(u16::MAX), 48 + 8 * 65535);
        // R96 / R146: client rolls at most once per second since SetNewPrevHash.
        assert!(ntime_ok_client(1000, 1000, 0));
        assert!(ntime_ok_client(1010, 1000, 10));
        assert!(!ntime_ok_client(1011, 1000, 10));
        assert!(!ntime_ok_client(999, 1000, 10));
        assert!(ntime_ok_client(u32::MAX, u32::MAX - 1, u32::MAX));
        // R147: the server also accepts anything up to now + 2 h.
        assert!(ntime_ok_server(1010, 1000, 10, 0, 1000));
        assert!(ntime_ok_server(1000 + 7200, 1000, 0, 0, 1000));
        assert!(!ntime_ok_server(1000 + 7201, 1000, 0, 0, 1000));
        assert!(!ntime_ok_server(999, 1000, 0, 0, 5000));
        assert!(ntime_ok_server(u32::MAX, 0, u32::MAX, u32::MAX, u32::MAX));
    }

    #[test]
    fn roller_covers_the_masked_space() {
        let all: Vec<u32> = VersionRoller::bip320(0x2000_0000).collect();
        assert_eq!(all.len(), 1 << 16);
        assert_eq!(all[0], 0x2000_0000);
        let mut sorted = all.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 1 << 16);
        assert!(all
            .iter()
            .all(|v| version_rolling_ok(0x2000_0000, *v, true)));
        // A negotiated sub-mask (e.g. from the version-rolling extension), clipped to BIP320.
        let r = VersionRoller::new(0x2000_0000, 0x0000_6000 | 0x0000_0001);
        assert_eq!(r.mask(), 0x0000_6000);
        assert_eq!(r.len(), 4);
        let v: Vec<u32> = r.collect();
        assert_eq!(v, [0x2000_0000, 0x2000_2000, 0x2000_4000, 0x2000_6000]);
        assert_eq!(VersionRoller::new(1, 0).collect::<Vec<_>>(), [1]);
    }

    /// Every version of every board's part of a split, checked pairwise disjoint and inside the
    /// job's mask; returns how many versions the boards cover together.
    fn covered_versions(job_version: u32, mask: u32, boards: u32) -> usize {
        let mut seen = std::collections::HashMap::new();
        for board in 0..boards {
            let part = split_version_rolling(mask, board, boards).unwrap();
            assert_eq!(part.mask & part.fixed_bits, 0, "{part:?}");
            assert_eq!(
                part.mask & !mask,
                0,
                "rolls bits outside the job's mask: {part:?}"
            );
            for version in part.roller(job_version) {
                assert!(part.contains(job_version, version));
                assert!(
                    version_rolling_ok(job_version, version, true),
                    "{version:#x}"
                );
                assert_eq!(version & !mask, job_version & !mask, "{version:#x}");
                if let Some(other) = seen.insert(version, board) {
                    panic!("boards {other} and {board} both hash version {version:#x}");
                }
            }
            assert_eq!(
                part.roller(job_version).next(),
                Some(part.base_version(job_version))
            );
        }
        seen.len()
    }

    #[test]
    fn version_rolling_split_never_overlaps_bip320_r148() {
        // R148: boards roll only BIP320 bits; cgminer-style firmware runs 3 or 4 boards.
        let job = 0x2000_0000;
        for boards in 1..=9u32 {
            let parts = 1usize << (32 - (boards - 1).leading_zeros());
            let covered = covered_versions(job, BIP320_VERSION_MASK, boards);
            // Each board gets 1/2^⌈log2 boards⌉ of the 65 536 versions.
            assert_eq!(covered, 65_536 / parts * boards as usize, "{boards} boards");
        }
        // A job whose version already has rolled bits set, and a sub-mask.
        assert_eq!(covered_versions(0x2000_6000, 0x0001_e000, 4), 16);
        assert_eq!(covered_versions(0x2000_6000, 0x0001_e000, 3), 12);
    }

    #[test]
    fn version_rolling_split_shape() {
        // Two boards: the top BIP320 bit (28) tells them apart; they roll bits 13..=27.
        let a = split_version_rolling(BIP320_VERSION_MASK, 0, 2).unwrap();
        let b = split_version_rolling(BIP320_VERSION_MASK, 1, 2).unwrap();
        assert_eq!((a.mask, a.fixed_bits), (0x0fff_e000, 0));
        assert_eq!((b.mask, b.fixed_bits), (0x0fff_e000, 0x1000_0000));
        // One board: the whole mask; bits outside BIP320 are clipped.
        let one = split_version_rolling(0xffff_ffff, 0, 1).unwrap();
        assert_eq!((one.mask, one.fixed_bits), (BIP320_VERSION_MASK, 0));
        // Rolling forbidden (mask 0): one board only.
        assert_eq!(
            split_version_rolling(0, 0, 1).unwrap(),
            VersionRollingPart {
                mask: 0,
                fixed_bits: 0
            }
        );
        assert_eq!(
            split_version_rolling(0, 0, 2),
            Err(MathError::VersionSpaceTooSmall {
                mask: 0,
                board_count: 2
            })
        );
        // As many boards as versions: each gets exactly one version; one more does not fit.
        let last = split_version_rolling(BIP320_VERSION_MASK, 65_535, 65_536).unwrap();
        assert_eq!((last.mask, last.fixed_bits), (0, BIP320_VERSION_MASK));
        assert!(matches!(
            split_version_rolling(BIP320_VERSION_MASK, 0, 65_537),
            Err(MathError::VersionSpaceTooSmall { .. })
        ));
        assert!(matches!(
            split_version_rolling(BIP320_VERSION_MASK, 0, u32::MAX),
            Err(MathError::VersionSpaceTooSmall { .. })
        ));
        // Bad indexes.
        for (index, count) in [(0, 0), (2, 2), (u32::MAX, 4), (u32::MAX, u32::MAX)] {
            assert_eq!(
                split_version_rolling(BIP320_VERSION_MASK, index, count),
                Err(MathError::InvalidBoardIndex { index, count })
            );
        }
        // A version outside the part is not contained.
        assert!(!b.contains(0x2000_0000, 0x2000_0000));
        assert!(b.contains(0x2000_0000, 0x3000_2000));
    }
}
