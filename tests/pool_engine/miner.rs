//! A minimal miner-side model for the pool engine tests: it reads what the engine sends
//! (Open*.Success, jobs, SetNewPrevHash, SetTarget, SetExtranoncePrefix) and builds shares
//! with the `mining::header` / `coinbase` helpers. Independent of the engine's internals.

#![allow(dead_code)]

use std::collections::HashMap;
use sv2::codec::U256;
use sv2::messages::*;
use sv2::mining::{
    coinbase_txid_standard, extended_job_merkle_root, hash_meets_target, merkle_root, BlockHeader,
    BIP320_VERSION_MASK,
};

/// What the miner knows about one of its channels.
#[derive(Clone, Debug)]
pub struct Chan {
    pub id: u32,
    pub conn: u64,
    pub standard: bool,
    pub group: Option<u32>,
    pub prefix: Vec<u8>,
    /// Prefix per job id at the time the job was received (R86).
    pub job_prefix: HashMap<u32, Vec<u8>>,
    pub extranonce_size: u16,
    pub target: U256,
}

/// The miner's view of everything the engine sent.
#[derive(Default)]
pub struct Miner {
    pub chans: HashMap<u32, Chan>,
    pub ext_jobs: HashMap<u32, NewExtendedMiningJob>,
    pub std_jobs: HashMap<(u32, u32), NewMiningJob>,
    /// Latest SetNewPrevHash per channel or group id, with an arrival counter.
    pub prevhash: HashMap<u32, (u64, MiningSetNewPrevHash)>,
    pub seq: u64,
    pub acks: Vec<SubmitSharesSuccess>,
    pub errors: Vec<SubmitSharesError>,
    pub log: Vec<(u64, Message)>,
}

/// A share ready to submit.
#[derive(Clone, Debug)]
pub struct Share {
    pub channel_id: u32,
    pub job_id: u32,
    pub nonce: u32,
    pub ntime: u32,
    pub version: u32,
    pub extranonce: Vec<u8>,
    pub hash: U256,
    pub header: BlockHeader,
}

impl Share {
    pub fn message(&self, seq: u32, standard: bool) -> Message {
        if standard {
            Message::SubmitSharesStandard(SubmitSharesStandard {
                channel_id: self.channel_id,
                sequence_number: seq,
                job_id: self.job_id,
                nonce: self.nonce,
                ntime: self.ntime,
                version: self.version,
            })
        } else {
            Message::SubmitSharesExtended(SubmitSharesExtended {
                channel_id: self.channel_id,
                sequence_number: seq,
                job_id: self.job_id,
                nonce: self.nonce,
                ntime: self.ntime,
                version: self.version,
                extranonce: sv2::codec::B032::new(&self.extranonce).unwrap(),
            })
        }
    }
}

impl Miner {
    pub fn feed(&mut self, msgs: &[(u64, Message)]) {
        for (conn, m) in msgs {
            self.seq += 1;
            self.log.push((*conn, m.clone()));
            match m {
                Message::OpenStandardMiningChannelSuccess(s) => {
                    self.chans.insert(
                        s.channel_id,
                        Chan {
                            id: s.channel_id,
                            conn: *conn,
                            standard: true,
                            group: Some(s.group_channel_id),
                            prefix: s.extranonce_prefix.as_slice().to_vec(),
                            job_prefix: HashMap::new(),
                            extranonce_size: 0,
                            target: s.target,
                        },
                    );
                }
                Message::OpenExtendedMiningChannelSuccess(s) => {
                    self.chans.insert(
                        s.channel_id,
                        Chan {
                            id: s.channel_id,
                            conn: *conn,
                            standard: false,
                            group: None,
                            prefix: s.extranonce_prefix.as_slice().to_vec(),
                            job_prefix: HashMap::new(),
                            extranonce_size: s.extranonce_size,
                            target: s.target,
                        },
                    );
                }
                Message::NewExtendedMiningJob(j) => {
                    // Record the prefix each receiving channel had for this job.
                    for c in self.chans.values_mut() {
                        if c.id == j.channel_id || c.group == Some(j.channel_id) && c.conn == *conn
                        {
                            c.job_prefix.insert(j.job_id, c.prefix.clone());
                        }
                    }
                    self.ext_jobs.insert(j.job_id, (**j).clone());
                }
                Message::NewMiningJob(j) => {
                    if let Some(c) = self.chans.get_mut(&j.channel_id) {
                        c.job_prefix.insert(j.job_id, c.prefix.clone());
                    }
                    self.std_jobs.insert((j.channel_id, j.job_id), j.clone());
                }
                Message::MiningSetNewPrevHash(p) => {
                    self.prevhash.insert(p.channel_id, (self.seq, p.clone()));
                }
                Message::SetTarget(t) => {
                    if let Some(c) = self.chans.get_mut(&t.channel_id) {
                        c.target = t.maximum_target;
                    }
                }
                Message::SetExtranoncePrefix(p) => {
                    if let Some(c) = self.chans.get_mut(&p.channel_id) {
                        c.prefix = p.extranonce_prefix.as_slice().to_vec();
                    }
                }
                Message::SubmitSharesSuccess(s) => self.acks.push(s.clone()),
                Message::SubmitSharesError(e) => self.errors.push(e.clone()),
                _ => {}
            }
        }
    }

    pub fn chan(&self, id: u32) -> &Chan {
        &self.chans[&id]
    }

    /// The prevhash in force for a channel: the later of its own and its group's.
    pub fn prevhash_for(&self, ch: u32) -> MiningSetNewPrevHash {
        let c = self.chan(ch);
        let own = self.prevhash.get(&ch);
        let group = c.group.and_then(|g| self.prevhash.get(&g));
        match (own, group) {
            (Some(a), Some(b)) => {
                if a.0 > b.0 {
                    a.1.clone()
                } else {
                    b.1.clone()
                }
            }
            (Some(a), None) | (None, Some(a)) => a.1.clone(),
            (None, None) => panic!("no prevhash for channel {ch}"),
        }
    }

    /// Merkle root the miner uses for `job` on `ch` (R80, R81).
    pub fn root(&self, ch: u32, job: u32, extranonce: &[u8]) -> U256 {
        let c = self.chan(ch);
        if let Some(j) = self.std_jobs.get(&(ch, job)) {
            return j.merkle_root;
        }
        let j = &self.ext_jobs[&job];
        let prefix = c.job_prefix.get(&job).unwrap_or(&c.prefix);
        if c.standard {
            merkle_root(
                coinbase_txid_standard(&j.coinbase_tx_prefix, prefix, &j.coinbase_tx_suffix),
                &j.merkle_path,
            )
        } else {
            extended_job_merkle_root(
                &j.coinbase_tx_prefix,
                prefix,
                extranonce,
                &j.coinbase_tx_suffix,
                &j.merkle_path,
            )
        }
    }

    pub fn job_version(&self, ch: u32, job: u32) -> u32 {
        self.std_jobs
            .get(&(ch, job))
            .map(|j| j.version)
            .unwrap_or_else(|| self.ext_jobs[&job].version)
    }

    /// The header for a share candidate.
    pub fn header(
        &self,
        ch: u32,
        job: u32,
        nonce: u32,
        ntime: u32,
        version: u32,
        extranonce: &[u8],
    ) -> BlockHeader {
        let p = self.prevhash_for(ch);
        BlockHeader::new(
            version,
            p.prev_hash,
            self.root(ch, job, extranonce),
            ntime,
            p.nbits,
            nonce,
        )
    }

    /// Searches nonces (from `start`) for a header meeting `target`.
    #[allow(clippy::too_many_arguments)]
    pub fn find(
        &self,
        ch: u32,
        job: u32,
        ntime: u32,
        version: u32,
        extranonce: &[u8],
        target: U256,
        start: u32,
    ) -> Share {
        let mut header = self.header(ch, job, 0, ntime, version, extranonce);
        let mut nonce = start;
        loop {
            header.set_nonce(nonce);
            let hash = header.hash();
            if hash_meets_target(hash, target) {
                return Share {
                    channel_id: ch,
                    job_id: job,
                    nonce,
                    ntime,
                    version,
                    extranonce: extranonce.to_vec(),
                    hash,
                    header,
                };
            }
            nonce = nonce.wrapping_add(1);
            assert_ne!(nonce, start, "no share found");
        }
    }

    /// A share on the channel's current job (the one its latest SetNewPrevHash named), at
    /// the channel's target.
    pub fn share(&self, ch: u32, start: u32) -> Share {
        let p = self.prevhash_for(ch);
        let c = self.chan(ch);
        let en = vec![0x5a; usize::from(c.extranonce_size)];
        self.find(
            ch,
            p.job_id,
            p.min_ntime,
            self.job_version(ch, p.job_id),
            &en,
            c.target,
            start,
        )
    }

    /// Same as `share` with a rolled BIP320 version.
    pub fn share_rolled(&self, ch: u32, start: u32, bits: u32) -> Share {
        let p = self.prevhash_for(ch);
        let c = self.chan(ch);
        let en = vec![0x5a; usize::from(c.extranonce_size)];
        let v = self.job_version(ch, p.job_id) ^ (bits & BIP320_VERSION_MASK);
        self.find(ch, p.job_id, p.min_ntime, v, &en, c.target, start)
    }
}
