//! [`Work`]: what a mining device hashes, built from an active job (04 §4.3.15–4.3.17).
//!
//! A `Work` is a self-contained snapshot: the 80-byte header template in block-header byte
//! order, the target the shares of this job are checked against (R100), the BIP320 rolling
//! mask (R148, R149) and the nTime window (R96). For extended channels it also carries the
//! coinbase pieces, shared with the client's job table through an [`Arc`] so that handing a
//! `Work` to a driver thread copies no coinbase bytes.
//!
//! Everything a hashing loop calls per nonce, nTime, version or extranonce
//! ([`Work::header_for`], [`Work::hash_for`], [`Work::set_extranonce`], [`Work::midstate`],
//! [`Work::rolled_midstates`], [`Work::merkle_root_for`]) is allocation-free: the coinbase txid is
//! streamed through SHA-256 instead of assembled.

use crate::codec::{B032, U256};
use crate::mining::{
    coinbase_txid_extended, hash_meets_target, merkle_root, nbits_to_target, BlockHeader, Midstate,
    VersionRoller,
};
use std::sync::Arc;
use thiserror::Error;

/// The coinbase pieces and merkle branch of an extended job (04 §4.3.16, R80, R81).
///
/// Shared (never copied) between the client's job table and every [`Work`] made from it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct JobPieces {
    /// Coinbase bytes before the extranonce area (non-witness serialization, E29).
    pub coinbase_tx_prefix: Vec<u8>,
    /// Coinbase bytes after the extranonce area.
    pub coinbase_tx_suffix: Vec<u8>,
    /// Merkle branch of the coinbase, ordered from the deepest level (E27), internal byte order.
    pub merkle_path: Vec<U256>,
}

impl JobPieces {
    /// Heap bytes this job keeps alive (for the per-channel memory budget).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.coinbase_tx_prefix.len() + self.coinbase_tx_suffix.len() + self.merkle_path.len() * 32
    }
}

/// The extended-channel part of a [`Work`]: the pieces needed to build a coinbase, its merkle
/// root and the header for any extranonce (R80, R81).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtendedWork {
    /// Coinbase prefix, suffix and merkle path, shared with the job table.
    pub pieces: Arc<JobPieces>,
    /// The channel's extranonce prefix when the job arrived (R86: later prefixes do not apply).
    pub extranonce_prefix: B032,
    /// Bytes of extranonce the miner supplies (the channel's `extranonce_size` when the job
    /// arrived).
    pub extranonce_size: u16,
    /// The extranonce the header template's merkle root currently commits to (all zeros until
    /// [`Work::set_extranonce`] is called).
    pub extranonce: B032,
}

/// Why a [`Work`] helper refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WorkError {
    /// The work is for a standard channel: its merkle root is fixed and it has no extranonce.
    #[error("standard-channel work has no extranonce (header-only mining)")]
    NotExtended,
    /// The extranonce length differs from the channel's `extranonce_size` (R95).
    #[error("extranonce is {got} bytes, the channel's extranonce_size is {expected}")]
    ExtranonceLength {
        /// The negotiated size.
        expected: usize,
        /// The supplied length.
        got: usize,
    },
    /// The caller's buffer is too small for the coinbase.
    #[error("buffer too small: need {needed} bytes, have {available}")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes provided.
        available: usize,
    },
}

/// One unit of work for a mining device: an active job of one channel (R74, R104).
///
/// The header template has the job's version, the prevhash, the merkle root (for extended
/// channels: of the current [`ExtendedWork::extranonce`]), `ntime = min_ntime`, the prevhash's
/// nBits and nonce 0. Roll nonce, nTime (within [`Work::max_ntime`], R96, R146) and, where
/// [`Work::version_mask`] is non-zero, the BIP320 version bits (R148); then submit the result
/// with [`MiningClient::submit_standard`](super::MiningClient::submit_standard) or
/// [`MiningClient::submit_extended`](super::MiningClient::submit_extended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Work {
    /// Channel the work belongs to (a member channel, never a group id).
    pub channel_id: u32,
    /// The job id to put into the share.
    pub job_id: u32,
    /// The header template (block-header byte order, 80 bytes).
    pub header: BlockHeader,
    /// Shares must hash to ≤ this target (R98); it is the job's own target (R100).
    pub target: U256,
    /// Version bits the miner may change: [`BIP320_VERSION_MASK`](crate::mining::BIP320_VERSION_MASK)
    /// or 0 when the job or the connection forbids rolling (R42, R148, R149).
    pub version_mask: u32,
    /// Smallest nTime allowed (the prevhash's `min_ntime`, R96).
    pub min_ntime: u32,
    /// `now_ms` at which the nTime window opened (receipt of the prevhash): nTime may grow by one
    /// per elapsed second from here (R96, R146).
    pub ntime_base_ms: u64,
    /// True when the work follows a new prevhash: every earlier work of the channel is stale
    /// and should be abandoned at once (R105). False for a new job on the same prevhash, whose
    /// predecessors stay valid.
    pub clean: bool,
    /// Coinbase pieces for extended channels; `None` for standard channels (header-only).
    pub extended: Option<ExtendedWork>,
}

impl Work {
    /// True for extended-channel work (the miner chooses an extranonce).
    pub fn is_extended(&self) -> bool {
        self.extended.is_some()
    }

    /// The header template with `nonce`, `ntime` and `version` in place. An 80-byte copy and
    /// three stores: no allocation, no hashing.
    #[inline]
    pub fn header_for(&self, nonce: u32, ntime: u32, version: u32) -> BlockHeader {
        let mut header = self.header;
        header.set_nonce(nonce);
        header.set_ntime(ntime);
        header.set_version(version);
        header
    }

    /// SHA256d of [`Work::header_for`]`(nonce, ntime, version)`, internal byte order (R98).
    #[inline]
    pub fn hash_for(&self, nonce: u32, ntime: u32, version: u32) -> U256 {
        self.header_for(nonce, ntime, version).hash()
    }

    /// True if `hash` meets this work's share target (R98).
    #[inline]
    pub fn meets_target(&self, hash: U256) -> bool {
        hash_meets_target(hash, self.target)
    }

    /// True if `hash` would also be a valid block (≤ the network target of the header's nBits).
    pub fn is_block(&self, hash: U256) -> bool {
        nbits_to_target(self.header.nbits()).is_ok_and(|t| hash_meets_target(hash, t))
    }

    /// The job's version (the base for rolling).
    pub fn version(&self) -> u32 {
        self.header.version()
    }

    /// True if `version` only differs from the job's version in [`Work::version_mask`] (R148).
    pub fn version_ok(&self, version: u32) -> bool {
        (self.version() ^ version) & !self.version_mask == 0
    }

    /// Largest nTime a share may carry at `now_ms`: `min_ntime + whole seconds since the
    /// prevhash arrived` (R96, R146, E22).
    pub fn max_ntime(&self, now_ms: u64) -> u32 {
        let secs = now_ms.saturating_sub(self.ntime_base_ms) / 1000;
        u64::from(self.min_ntime)
            .saturating_add(secs)
            .min(u64::from(u32::MAX)) as u32
    }

    /// SHA-256 state after the first 64 header bytes with the template's version: what an ASIC
    /// is loaded with. Rolling nonce and nTime does not change it (09 §9.2.1).
    pub fn midstate(&self) -> Midstate {
        self.header.midstate()
    }

    /// `N` versions reachable by rolling [`Work::version_mask`] (the job's own version first)
    /// and the midstate of each, for AsicBoost-style drivers (N = 1, 2 or 4 usually).
    /// `None` if the mask allows fewer than `N` versions (e.g. `N > 1` with rolling forbidden).
    pub fn rolled_midstates<const N: usize>(&self) -> Option<([u32; N], [Midstate; N])> {
        let mut roller = VersionRoller::new(self.version(), self.version_mask);
        if roller.len() < N {
            return None;
        }
        let mut versions = [0u32; N];
        for v in versions.iter_mut() {
            *v = roller.next()?;
        }
        Some((versions, self.header.midstates(&versions)))
    }

    fn extended_ref(&self, extranonce: &[u8]) -> Result<&ExtendedWork, WorkError> {
        let ext = self.extended.as_ref().ok_or(WorkError::NotExtended)?;
        if extranonce.len() != usize::from(ext.extranonce_size) {
            return Err(WorkError::ExtranonceLength {
                expected: usize::from(ext.extranonce_size),
                got: extranonce.len(),
            });
        }
        Ok(ext)
    }

    /// The merkle root for `extranonce`: SHA256d of `coinbase_tx_prefix ‖ extranonce_prefix ‖
    /// extranonce ‖ coinbase_tx_suffix` folded over the merkle path (R80, R81). The coinbase is
    /// streamed, never assembled; no allocation.
    ///
    /// # Errors
    /// [`WorkError::NotExtended`] or [`WorkError::ExtranonceLength`].
    pub fn merkle_root_for(&self, extranonce: &[u8]) -> Result<U256, WorkError> {
        let ext = self.extended_ref(extranonce)?;
        Ok(extended_root(ext, extranonce))
    }

    /// Switches the header template to `extranonce`: recomputes the merkle root (one coinbase
    /// txid plus one SHA256d per merkle level). Allocation-free.
    ///
    /// # Errors
    /// [`WorkError::NotExtended`] or [`WorkError::ExtranonceLength`]; the work is unchanged.
    pub fn set_extranonce(&mut self, extranonce: &[u8]) -> Result<(), WorkError> {
        let root = self.merkle_root_for(extranonce)?;
        // Length checked above against extranonce_size ≤ 32 (the grant is refused otherwise).
        let en = B032::new(extranonce).ok_or(WorkError::ExtranonceLength {
            expected: 32,
            got: extranonce.len(),
        })?;
        self.header.set_merkle_root(root);
        if let Some(ext) = self.extended.as_mut() {
            ext.extranonce = en;
        }
        Ok(())
    }

    /// The header for `extranonce`, `nonce`, `ntime` and `version` without changing the
    /// template. Allocation-free.
    ///
    /// # Errors
    /// As [`Work::merkle_root_for`].
    pub fn header_with(
        &self,
        extranonce: &[u8],
        nonce: u32,
        ntime: u32,
        version: u32,
    ) -> Result<BlockHeader, WorkError> {
        let root = self.merkle_root_for(extranonce)?;
        let mut header = self.header_for(nonce, ntime, version);
        header.set_merkle_root(root);
        Ok(header)
    }

    /// Length of the coinbase transaction (stripped serialization) of extended work.
    pub fn coinbase_len(&self) -> Option<usize> {
        self.extended.as_ref().map(|e| {
            e.pieces.coinbase_tx_prefix.len()
                + e.extranonce_prefix.len()
                + usize::from(e.extranonce_size)
                + e.pieces.coinbase_tx_suffix.len()
        })
    }

    /// Writes the coinbase for `extranonce` into `out` (R80) and returns its length.
    /// Allocation-free.
    ///
    /// # Errors
    /// As [`Work::merkle_root_for`], or [`WorkError::BufferTooSmall`].
    pub fn write_coinbase(&self, extranonce: &[u8], out: &mut [u8]) -> Result<usize, WorkError> {
        let ext = self.extended_ref(extranonce)?;
        let parts: [&[u8]; 4] = [
            &ext.pieces.coinbase_tx_prefix,
            ext.extranonce_prefix.as_slice(),
            extranonce,
            &ext.pieces.coinbase_tx_suffix,
        ];
        let needed: usize = parts.iter().map(|p| p.len()).sum();
        if out.len() < needed {
            return Err(WorkError::BufferTooSmall {
                needed,
                available: out.len(),
            });
        }
        let mut at = 0;
        for p in parts {
            out[at..at + p.len()].copy_from_slice(p);
            at += p.len();
        }
        Ok(needed)
    }

    /// The coinbase for `extranonce` as a new vector (for block assembly or logging).
    ///
    /// # Errors
    /// As [`Work::merkle_root_for`].
    pub fn coinbase(&self, extranonce: &[u8]) -> Result<Vec<u8>, WorkError> {
        let len = self.coinbase_len().ok_or(WorkError::NotExtended)?;
        let mut out = vec![0u8; len];
        let n = self.write_coinbase(extranonce, &mut out)?;
        out.truncate(n);
        Ok(out)
    }
}

/// Merkle root of an extended job for one extranonce (lengths already checked).
#[inline]
pub(crate) fn extended_root(ext: &ExtendedWork, extranonce: &[u8]) -> U256 {
    pieces_root(&ext.pieces, ext.extranonce_prefix.as_slice(), extranonce)
}

/// R80/R81 from the raw pieces: txid of `prefix ‖ extranonce_prefix ‖ extranonce ‖ suffix`
/// folded over the path. For a standard channel in a group `extranonce` is empty.
#[inline]
pub(crate) fn pieces_root(pieces: &JobPieces, extranonce_prefix: &[u8], extranonce: &[u8]) -> U256 {
    let txid = coinbase_txid_extended(
        &pieces.coinbase_tx_prefix,
        extranonce_prefix,
        extranonce,
        &pieces.coinbase_tx_suffix,
    );
    merkle_root(txid, &pieces.merkle_path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mining::{double_sha256, BIP320_VERSION_MASK};

    fn ext_work() -> Work {
        let pieces = Arc::new(JobPieces {
            coinbase_tx_prefix: vec![1, 2, 3],
            coinbase_tx_suffix: vec![7, 8],
            merkle_path: vec![U256([5; 32]), U256([6; 32])],
        });
        let ext = ExtendedWork {
            pieces,
            extranonce_prefix: B032::new(&[0xaa, 0xbb]).unwrap(),
            extranonce_size: 4,
            extranonce: B032::new(&[0; 4]).unwrap(),
        };
        let root = extended_root(&ext, &[0; 4]);
        Work {
            channel_id: 1,
            job_id: 2,
            header: BlockHeader::new(0x2000_0000, U256([9; 32]), root, 100, 0x1d00ffff, 0),
            target: U256::MAX,
            version_mask: BIP320_VERSION_MASK,
            min_ntime: 100,
            ntime_base_ms: 5_000,
            clean: true,
            extended: Some(ext),
        }
    }

    #[test]
    fn extranonce_changes_root_and_coinbase() {
        // R80, R81
        let mut w = ext_work();
        let cb = w.coinbase(&[1, 2, 3, 4]).unwrap();
        assert_eq!(cb, vec![1, 2, 3, 0xaa, 0xbb, 1, 2, 3, 4, 7, 8]);
        let expected = merkle_root(double_sha256(&cb), &[U256([5; 32]), U256([6; 32])]);
        w.set_extranonce(&[1, 2, 3, 4]).unwrap();
        assert_eq!(w.header.merkle_root(), expected);
        assert_eq!(
            w.set_extranonce(&[1, 2]),
            Err(WorkError::ExtranonceLength {
                expected: 4,
                got: 2
            })
        );
        let h = w.header_with(&[1, 2, 3, 4], 7, 101, 0x2000_2000).unwrap();
        assert_eq!(h, w.header_for(7, 101, 0x2000_2000));
    }

    #[test]
    fn ntime_window_and_midstates() {
        // R96, R146, R148
        let w = ext_work();
        assert_eq!(w.max_ntime(5_999), 100);
        assert_eq!(w.max_ntime(7_000), 102);
        assert!(w.version_ok(0x2000_0000 | 0x0000_e000));
        assert!(!w.version_ok(0x2000_0001));
        let (versions, mids) = w.rolled_midstates::<4>().unwrap();
        assert_eq!(versions[0], 0x2000_0000);
        for (v, m) in versions.iter().zip(mids) {
            assert_eq!(w.header_for(0, 100, *v).midstate(), m);
        }
        let mut fixed = w.clone();
        fixed.version_mask = 0;
        assert!(fixed.rolled_midstates::<4>().is_none());
        assert!(fixed.rolled_midstates::<1>().is_some());
    }
}
