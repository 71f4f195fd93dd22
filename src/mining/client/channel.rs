//! Per-channel state (R155): target, extranonce, current prevhash, the bounded job table (R156)
//! and the bounded pending-share window (R89–R92).

use super::work::{pieces_root, ExtendedWork, JobPieces, Work};
use crate::codec::{B032, U256};
use crate::mining::{BlockHeader, BIP320_VERSION_MASK};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

/// The prevhash a channel mines on (04 §4.3.17).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PrevHash {
    pub prev_hash: U256,
    pub min_ntime: u32,
    pub nbits: u32,
    /// `now_ms` at receipt: the nTime window grows from here (R96).
    pub received_ms: u64,
}

/// R156: `Future` → `Active` (SetNewPrevHash naming it) → `Stale` (a later SetNewPrevHash).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobState {
    Future,
    Active,
    Stale,
}

#[derive(Clone, Debug)]
pub(crate) enum JobBody {
    /// Header-only: NewMiningJob, or a group's extended job with the root derived (R71, R80).
    Standard { merkle_root: U256 },
    /// An extended channel's job: coinbase pieces and branch, shared with every Work.
    Extended(Arc<JobPieces>),
}

/// One job as R155 lists it: future flag, version, merkle data, target at receipt, extranonce
/// prefix at receipt, rolling permission; plus the prevhash once active.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub id: u32,
    /// The `future_job` flag as received: decides whether SetTarget reaches it (R100).
    pub arrived_future: bool,
    pub state: JobState,
    pub version: u32,
    /// Effective permission: the job's and the connection's (R42, R148, R149).
    pub rolling: bool,
    pub target: U256,
    pub body: JobBody,
    /// R86: the prefix (and size) in force when the job arrived.
    pub extranonce_prefix: B032,
    pub extranonce_size: u16,
    /// sri-2023 NewMiningJob carries `min_ntime` for non-future jobs.
    pub min_ntime_hint: Option<u32>,
    /// Filled on activation.
    pub prev: Option<PrevHash>,
}

impl Job {
    pub fn heap_bytes(&self) -> usize {
        match &self.body {
            JobBody::Standard { .. } => 0,
            JobBody::Extended(p) => p.heap_bytes(),
        }
    }

    pub fn activate(&mut self, prev: PrevHash) {
        self.state = JobState::Active;
        let min_ntime = prev.min_ntime.max(self.min_ntime_hint.unwrap_or(0));
        self.prev = Some(PrevHash { min_ntime, ..prev });
    }

    /// The merkle root for `extranonce` (empty for standard jobs).
    pub fn merkle_root(&self, extranonce: &[u8]) -> U256 {
        match &self.body {
            JobBody::Standard { merkle_root } => *merkle_root,
            JobBody::Extended(p) => pieces_root(p, self.extranonce_prefix.as_slice(), extranonce),
        }
    }

    /// The Work of an active job (`None` otherwise).
    pub fn work(&self, channel_id: u32, clean: bool) -> Option<Work> {
        let prev = self.prev.filter(|_| self.state == JobState::Active)?;
        let zeros = [0u8; 32];
        let size = usize::from(self.extranonce_size).min(32);
        let extended = match &self.body {
            JobBody::Standard { .. } => None,
            JobBody::Extended(p) => Some(ExtendedWork {
                pieces: Arc::clone(p),
                extranonce_prefix: self.extranonce_prefix,
                extranonce_size: self.extranonce_size,
                extranonce: B032::new(&zeros[..size])?,
            }),
        };
        let root = self.merkle_root(&zeros[..if extended.is_some() { size } else { 0 }]);
        Some(Work {
            channel_id,
            job_id: self.id,
            header: BlockHeader::new(
                self.version,
                prev.prev_hash,
                root,
                prev.min_ntime,
                prev.nbits,
                0,
            ),
            target: self.target,
            version_mask: if self.rolling { BIP320_VERSION_MASK } else { 0 },
            min_ntime: prev.min_ntime,
            ntime_base_ms: prev.received_ms,
            clean,
            extended,
        })
    }
}

/// A submitted share awaiting SubmitShares.Success or .Error.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    pub seq: u32,
    pub job_id: u32,
    pub sent_ms: u64,
}

/// Serial-number order for wrapping u32 sequence numbers (RFC 1982 style): `a ≤ b` if `b` is at
/// most 2^31 ahead of `a`.
pub(crate) fn seq_le(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) >= 0
}

#[derive(Debug)]
pub(crate) struct Channel {
    pub id: u32,
    pub extended: bool,
    /// Group of a standard channel (R60); `None` for extended channels or when the server's
    /// group id collided with a channel id.
    pub group: Option<u32>,
    pub nominal_hash_rate: f32,
    pub max_target: U256,
    pub target: U256,
    pub extranonce_prefix: B032,
    pub extranonce_size: u16,
    /// `len(prefix) + extranonce_size` at opening, kept constant (R87).
    pub extranonce_total: usize,
    pub prevhash: Option<PrevHash>,
    /// The job id the latest SetNewPrevHash named when that job had not arrived yet (R106):
    /// the job is activated on `prevhash` when it comes. One per channel, so it is bounded.
    pub awaited_job: Option<u32>,
    /// Arrival order, oldest first; at most `max_jobs_per_channel`.
    pub jobs: VecDeque<Job>,
    pub job_bytes: usize,
    pub next_seq: u32,
    /// Send order, oldest first; at most `max_pending_shares`.
    pub pending: VecDeque<Pending>,
    /// Hashes of recent shares (duplicate refusal), with their FIFO for eviction.
    pub recent: HashSet<U256>,
    pub recent_order: VecDeque<U256>,
}

impl Channel {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: u32,
        extended: bool,
        group: Option<u32>,
        nominal_hash_rate: f32,
        max_target: U256,
        target: U256,
        extranonce_prefix: B032,
        extranonce_size: u16,
    ) -> Self {
        Channel {
            id,
            extended,
            group,
            nominal_hash_rate,
            max_target,
            target,
            extranonce_prefix,
            extranonce_size,
            extranonce_total: extranonce_prefix.len() + usize::from(extranonce_size),
            prevhash: None,
            awaited_job: None,
            jobs: VecDeque::new(),
            job_bytes: 0,
            next_seq: 0,
            pending: VecDeque::new(),
            recent: HashSet::new(),
            recent_order: VecDeque::new(),
        }
    }

    pub fn job(&self, id: u32) -> Option<&Job> {
        // Newest first: a reused id (after going stale) means the newest job.
        self.jobs.iter().rev().find(|j| j.id == id)
    }

    pub fn job_mut(&mut self, id: u32) -> Option<&mut Job> {
        self.jobs.iter_mut().rev().find(|j| j.id == id)
    }

    /// The most recently activated job.
    pub fn newest_active(&self) -> Option<&Job> {
        self.jobs.iter().rev().find(|j| j.state == JobState::Active)
    }

    fn remove_job_at(&mut self, i: usize) {
        if let Some(j) = self.jobs.remove(i) {
            self.job_bytes -= j.heap_bytes();
        }
    }

    /// Inserts a job, evicting to stay within `max_jobs` and `max_bytes`. Returns
    /// `Err(())` if the job alone exceeds `max_bytes`; `Ok(true)` if it replaced a still
    /// valid job with the same id (R77).
    pub fn insert_job(&mut self, job: Job, max_jobs: usize, max_bytes: usize) -> Result<bool, ()> {
        let bytes = job.heap_bytes();
        if bytes > max_bytes {
            return Err(());
        }
        let mut replaced_valid = false;
        while let Some(i) = self.jobs.iter().position(|j| j.id == job.id) {
            replaced_valid |= self.jobs[i].state != JobState::Stale;
            self.remove_job_at(i);
        }
        let max_jobs = max_jobs.max(1);
        while !self.jobs.is_empty()
            && (self.jobs.len() >= max_jobs || self.job_bytes + bytes > max_bytes)
        {
            // Evict stale jobs first, then future ones, then the oldest active one: the newest
            // active job is what the device is hashing, so it goes last.
            let newest_active = self.jobs.iter().rposition(|j| j.state == JobState::Active);
            let victim = self
                .jobs
                .iter()
                .position(|j| j.state == JobState::Stale)
                .or_else(|| self.jobs.iter().position(|j| j.state == JobState::Future))
                .or_else(|| {
                    self.jobs
                        .iter()
                        .enumerate()
                        .position(|(i, _)| Some(i) != newest_active)
                })
                .unwrap_or(0);
            self.remove_job_at(victim);
        }
        self.job_bytes += bytes;
        self.jobs.push_back(job);
        Ok(replaced_valid)
    }

    /// R105: every job but `keep` becomes stale; shares for them are refused from now on.
    pub fn stale_all_but(&mut self, keep: Option<u32>) {
        for j in self.jobs.iter_mut() {
            if Some(j.id) != keep {
                j.state = JobState::Stale;
            }
        }
        // Duplicates of shares on stale jobs are refused as stale anyway.
        self.recent.clear();
        self.recent_order.clear();
    }

    /// Remembers a share hash; false if it was already there (a duplicate).
    pub fn remember_share(&mut self, hash: U256, window: usize) -> bool {
        if window == 0 {
            return true;
        }
        if !self.recent.insert(hash) {
            return false;
        }
        self.recent_order.push_back(hash);
        while self.recent_order.len() > window {
            if let Some(old) = self.recent_order.pop_front() {
                self.recent.remove(&old);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: u32, state: JobState, bytes: usize) -> Job {
        Job {
            id,
            arrived_future: true,
            state,
            version: 0x2000_0000,
            rolling: true,
            target: U256::MAX,
            body: if bytes == 0 {
                JobBody::Standard {
                    merkle_root: U256::ZERO,
                }
            } else {
                JobBody::Extended(Arc::new(JobPieces {
                    coinbase_tx_prefix: vec![0; bytes],
                    ..JobPieces::default()
                }))
            },
            extranonce_prefix: B032::EMPTY,
            extranonce_size: 0,
            min_ntime_hint: None,
            prev: None,
        }
    }

    fn channel() -> Channel {
        Channel::new(1, true, None, 0.0, U256::MAX, U256::MAX, B032::EMPTY, 4)
    }

    #[test]
    fn eviction_keeps_the_newest_active_job() {
        let mut ch = channel();
        ch.insert_job(job(1, JobState::Active, 0), 3, 1000).unwrap();
        ch.insert_job(job(2, JobState::Future, 0), 3, 1000).unwrap();
        ch.insert_job(job(3, JobState::Stale, 0), 3, 1000).unwrap();
        ch.insert_job(job(4, JobState::Future, 0), 3, 1000).unwrap();
        let ids: Vec<u32> = ch.jobs.iter().map(|j| j.id).collect();
        assert_eq!(ids, vec![1, 2, 4]); // the stale one went first
        ch.insert_job(job(5, JobState::Future, 0), 3, 1000).unwrap();
        let ids: Vec<u32> = ch.jobs.iter().map(|j| j.id).collect();
        assert_eq!(ids, vec![1, 4, 5]); // then the oldest future one
    }

    #[test]
    fn byte_budget_is_enforced() {
        let mut ch = channel();
        assert!(ch
            .insert_job(job(1, JobState::Future, 2000), 8, 1000)
            .is_err());
        ch.insert_job(job(1, JobState::Future, 600), 8, 1000)
            .unwrap();
        ch.insert_job(job(2, JobState::Future, 600), 8, 1000)
            .unwrap();
        assert_eq!(ch.jobs.len(), 1);
        assert_eq!(ch.job_bytes, 600);
        assert_eq!(
            ch.insert_job(job(2, JobState::Future, 10), 8, 1000),
            Ok(true)
        );
        assert_eq!(ch.job_bytes, 10);
    }

    #[test]
    fn serial_order_wraps() {
        assert!(seq_le(5, 5));
        assert!(seq_le(u32::MAX, 2));
        assert!(!seq_le(2, u32::MAX));
    }
}
