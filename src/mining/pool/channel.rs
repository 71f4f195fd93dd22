//! Per-channel state. Kept small (about 600 bytes, no heap until shares arrive) because a
//! pool holds one per device: see the memory test in `tests/pool_engine_memory.rs`.

use super::events::{ChannelKind, ChannelStats, REJECT_REASON_COUNT};
use super::vardiff::{HashrateEstimator, Vardiff};
use super::ConnectionId;
use crate::codec::U256;
use crate::mining::Midstate;
use std::collections::HashSet;
use std::sync::Arc;

/// An extranonce prefix stored inline (B0_32, R88): no allocation per channel.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prefix {
    bytes: [u8; 32],
    len: u8,
}

impl Prefix {
    #[cfg(test)]
    pub(crate) fn new(bytes: &[u8]) -> Self {
        let mut p = Prefix {
            bytes: [0u8; 32],
            len: 0,
        };
        let n = bytes.len().min(32);
        p.bytes[..n].copy_from_slice(&bytes[..n]);
        p.len = n as u8;
        p
    }
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl std::fmt::Debug for Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in self.as_slice() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The prefix in force for each job (R86: jobs sent before a SetExtranoncePrefix keep the
/// old prefix). Job ids grow monotonically, so "sent before" is "id below the first job id
/// issued after the change". Two prefixes are remembered; jobs older than both are stale.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PrefixHistory {
    pub(crate) current: Prefix,
    /// Jobs with id ≥ this use `current`.
    pub(crate) current_from_job: u32,
    pub(crate) previous: Prefix,
    /// Jobs with id in `[previous_from_job, current_from_job)` use `previous`.
    pub(crate) previous_from_job: u32,
}

impl PrefixHistory {
    pub(crate) fn new(prefix: Prefix) -> Self {
        PrefixHistory {
            current: prefix,
            current_from_job: 0,
            previous: prefix,
            previous_from_job: 0,
        }
    }

    /// The prefix a job was sent with; `None` if it predates the remembered prefixes.
    pub(crate) fn for_job(&self, job_id: u32) -> Option<&Prefix> {
        if job_id >= self.current_from_job {
            Some(&self.current)
        } else if job_id >= self.previous_from_job {
            Some(&self.previous)
        } else {
            None
        }
    }

    pub(crate) fn change(&mut self, prefix: Prefix, next_job_id: u32) {
        self.previous = self.current;
        self.previous_from_job = self.current_from_job;
        self.current = prefix;
        self.current_from_job = next_job_id;
    }
}

/// Accepted shares waiting for their SubmitShares.Success (R90).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AckBatch {
    pub(crate) last_sequence_number: u32,
    pub(crate) count: u32,
    pub(crate) difficulty_sum: f64,
    /// Fraction of difficulty not yet reported (new_shares_sum is an integer, E25): carried
    /// into the next batch so the reported totals add up.
    pub(crate) carry: f64,
    /// Bumped at each flush, so a stale flush timer is recognised.
    pub(crate) generation: u32,
}

/// Hasher for keys that are already uniformly distributed or chosen by the engine itself
/// (share fingerprints taken from a SHA256d output, engine-allocated channel ids). A client
/// cannot choose colliding keys, so SipHash's flood protection buys nothing on the per-share
/// path; a multiplicative (Fibonacci) mix spreads sequential ids over the buckets.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// `BuildHasher` for [`IdHasher`].
pub(crate) type IdBuild = std::hash::BuildHasherDefault<IdHasher>;

/// Shares already accepted on this channel for the current prevhash (R93g), by header-hash
/// fingerprint. Allocated on the first accepted share.
///
/// Two generations instead of a FIFO: inserts go to `current`; when it holds half the
/// window it becomes `previous` (the old `previous` is dropped). So between `window / 2`
/// and `window` recent shares are remembered, memory stays bounded, and no insert pays for
/// an eviction.
#[derive(Debug, Default)]
pub(crate) struct DupFilter {
    epoch: u32,
    current: HashSet<u64, IdBuild>,
    previous: HashSet<u64, IdBuild>,
}

impl DupFilter {
    /// Records `fp`; `false` if it was already there.
    pub(crate) fn insert(&mut self, epoch: u32, fp: u64, window: usize) -> bool {
        if self.epoch != epoch {
            // A new prevhash made every earlier share stale: forget them (lazily, so a
            // prevhash change costs nothing per channel).
            self.epoch = epoch;
            self.current.clear();
            self.previous.clear();
        }
        if self.previous.contains(&fp) || !self.current.insert(fp) {
            return false;
        }
        if self.current.len() >= (window / 2).max(1) {
            std::mem::swap(&mut self.current, &mut self.previous);
            self.current.clear();
        }
        true
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, epoch: u32, fp: u64) -> bool {
        self.epoch == epoch && (self.current.contains(&fp) || self.previous.contains(&fp))
    }
}

/// Statistics counters (the rest of `ChannelStats` is derived).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counters {
    pub(crate) accepted: u64,
    pub(crate) rejected: [u32; REJECT_REASON_COUNT],
    pub(crate) accepted_difficulty: f64,
    pub(crate) best_difficulty: f64,
    pub(crate) blocks: u32,
}

/// Number of cached per-job merkle roots of a standard channel.
pub(crate) const ROOT_CACHE: usize = 3;

/// One open channel.
#[derive(Debug)]
pub(crate) struct Channel {
    pub(crate) conn: ConnectionId,
    pub(crate) id: u32,
    /// Group of a standard channel; 0 for extended channels.
    pub(crate) group_id: u32,
    pub(crate) kind: ChannelKind,
    /// The connection's REQUIRES_FIXED_VERSION (copied: no connection lookup per share).
    pub(crate) fixed_version: bool,
    pub(crate) user: Arc<str>,
    pub(crate) prefix: PrefixHistory,
    /// Extended channels: the miner's extranonce size; 0 for standard channels.
    pub(crate) extranonce_size: u16,
    pub(crate) target: U256,
    /// `difficulty(target)`, cached for the per-share credit.
    pub(crate) target_difficulty: f64,
    /// R100: a target change applies to jobs issued afterwards. Shares for jobs issued before
    /// (id < `target_from_job`) are checked against the easier of `previous_target` and
    /// `target`, so neither reading of 4.3.21 for future jobs makes a miner lose shares.
    pub(crate) previous_target: U256,
    pub(crate) target_from_job: u32,
    pub(crate) max_target: U256,
    /// Standard channels: `(job_id, merkle_root)` computed with this channel's prefix
    /// (job id 0 = empty). A cache: a miss recomputes, so it never decides validity.
    pub(crate) roots: [(u32, U256); ROOT_CACHE],
    /// Standard channels: the header midstate of the last share's (epoch, job, version),
    /// so a miner rolling nonce and nTime costs two compressions per share instead of three.
    pub(crate) midstate: Option<(u32, u32, u32, Midstate)>,
    pub(crate) vardiff: Vardiff,
    pub(crate) vardiff_generation: u32,
    pub(crate) ack: AckBatch,
    pub(crate) counters: Counters,
    pub(crate) hashrate: HashrateEstimator,
    pub(crate) dups: Option<Box<DupFilter>>,
}

impl Channel {
    /// The target a share for `job_id` must meet (R100).
    pub(crate) fn target_for_job(&self, job_id: u32) -> U256 {
        if job_id < self.target_from_job {
            self.target.max(self.previous_target)
        } else {
            self.target
        }
    }

    /// Records a new target that applies from `next_job_id` on.
    pub(crate) fn set_target(&mut self, target: U256, next_job_id: u32, oldest_live_job: u32) {
        // Keep the easiest target any live job may still be mined at: if the previous change
        // still covers live jobs, merge it, otherwise it no longer matters.
        self.previous_target = if self.target_from_job > oldest_live_job {
            self.previous_target.max(self.target)
        } else {
            self.target
        };
        self.target = target;
        self.target_difficulty = super::vardiff::difficulty(target);
        self.target_from_job = next_job_id;
    }

    pub(crate) fn cached_root(&self, job_id: u32) -> Option<U256> {
        self.roots
            .iter()
            .find(|(id, _)| *id == job_id && job_id != 0)
            .map(|(_, r)| *r)
    }

    pub(crate) fn cache_root(&mut self, job_id: u32, root: U256) {
        // Replace the oldest job's entry (smallest id; empty slots have id 0).
        if let Some(slot) = self.roots.iter_mut().min_by_key(|(id, _)| *id) {
            *slot = (job_id, root);
        }
    }

    pub(crate) fn stats(&self, hashrate_window_ms: u64, now_ms: u64) -> ChannelStats {
        let mut rejected = [0u64; REJECT_REASON_COUNT];
        for (r, c) in rejected.iter_mut().zip(self.counters.rejected) {
            *r = u64::from(c);
        }
        ChannelStats {
            conn: self.conn,
            channel_id: self.id,
            kind: self.kind,
            group_channel_id: (self.group_id != 0).then_some(self.group_id),
            user_identity: self.user.clone(),
            target: self.target,
            shares_accepted: self.counters.accepted,
            shares_rejected: rejected,
            accepted_difficulty: self.counters.accepted_difficulty,
            hashrate: self.hashrate.hashrate(hashrate_window_ms, now_ms),
            best_share_difficulty: self.counters.best_difficulty,
            blocks_found: self.counters.blocks,
        }
    }
}

/// Hands out extranonce prefixes: `server_id ‖ counter (big-endian)`, padded with zeros to
/// the requested length. The counter never goes back, so no two channels, and no channel
/// before and after SetExtranoncePrefix, ever share a prefix while the engine lives (R83).
#[derive(Debug)]
pub(crate) struct PrefixAllocator {
    server_id: Vec<u8>,
    counter_len: usize,
    next: u64,
    exhausted: bool,
}

impl PrefixAllocator {
    pub(crate) fn new(server_id: Vec<u8>, counter_len: usize) -> Self {
        PrefixAllocator {
            server_id,
            counter_len: counter_len.clamp(1, 8),
            next: 0,
            exhausted: false,
        }
    }

    /// A fresh prefix of `len` bytes (≥ the unique part), or `None` when the counter is
    /// exhausted.
    pub(crate) fn allocate(&mut self, len: usize) -> Option<Prefix> {
        let unique = self.server_id.len() + self.counter_len;
        if len < unique || len > 32 {
            return None;
        }
        if self.exhausted {
            return None;
        }
        let limit = if self.counter_len >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * self.counter_len)) - 1
        };
        let value = self.next;
        if value >= limit {
            self.exhausted = true;
        } else {
            self.next += 1;
        }
        let mut bytes = [0u8; 32];
        bytes[..self.server_id.len()].copy_from_slice(&self.server_id);
        let be = value.to_be_bytes();
        bytes[self.server_id.len()..unique].copy_from_slice(&be[8 - self.counter_len..]);
        Some(Prefix {
            bytes,
            len: len as u8,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocator_never_repeats_and_exhausts() {
        // R83: prefixes are unique while the engine lives; exhaustion is reported, not wrapped.
        let mut a = PrefixAllocator::new(vec![0xaa], 1);
        let mut seen = HashSet::new();
        for _ in 0..256 {
            let p = a.allocate(4).unwrap();
            assert_eq!(p.as_slice()[0], 0xaa);
            assert_eq!(&p.as_slice()[2..], &[0, 0]);
            assert!(seen.insert(p.as_slice().to_vec()));
        }
        assert!(a.allocate(4).is_none());
        assert!(a.allocate(4).is_none());
    }

    #[test]
    fn prefix_history_follows_jobs() {
        // R86: jobs sent before SetExtranoncePrefix keep the old prefix.
        let mut h = PrefixHistory::new(Prefix::new(&[1]));
        h.change(Prefix::new(&[2]), 10);
        assert_eq!(h.for_job(9).unwrap().as_slice(), &[1]);
        assert_eq!(h.for_job(10).unwrap().as_slice(), &[2]);
        h.change(Prefix::new(&[3]), 20);
        assert!(h.for_job(9).is_none());
        assert_eq!(h.for_job(15).unwrap().as_slice(), &[2]);
        assert_eq!(h.for_job(20).unwrap().as_slice(), &[3]);
    }

    #[test]
    fn dup_filter_is_bounded_and_resets_per_epoch() {
        let mut d = DupFilter::default();
        assert!(d.insert(1, 5, 4));
        assert!(!d.insert(1, 5, 4));
        assert!(d.insert(1, 6, 4)); // current full (2): becomes previous
        assert!(
            !d.insert(1, 5, 4),
            "still remembered in the previous generation"
        );
        assert!(d.insert(1, 7, 4));
        assert!(d.insert(1, 8, 4)); // rotates again: 5 and 6 are forgotten
        assert!(!d.contains(1, 5), "oldest forgotten beyond the window");
        assert!(d.contains(1, 7));
        assert!(d.insert(2, 7, 4), "new prevhash forgets everything");
    }
}

#[cfg(test)]
mod size_tests {
    #[test]
    fn channel_size() {
        let n = std::mem::size_of::<super::Channel>();
        println!("size_of::<Channel>() = {n}");
        assert!(n <= 528, "{n}");
    }
}
