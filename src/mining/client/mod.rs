//! The mining client: the downstream side of the Mining Protocol (spec 04) as a sans-I/O state
//! machine, for mining devices, firmware (through the C API) and proxies.
//!
//! It consumes the server's [`Message`]s and the caller's requests, and produces the
//! [`Message`]s to send upstream plus [`ClientEvent`]s: [`ClientEvent::NewWork`] with a
//! [`Work`] a device can hash directly, share results, target and extranonce changes, and
//! logged [`ClientEvent::ProtocolError`]s for a misbehaving upstream. It performs no I/O,
//! reads no clock (`now_ms`, monotonic milliseconds, is passed in) and starts no threads.
//!
//! # Call order
//!
//! 1. [`MiningClient::new`] when the connection is up; after SetupConnection.Success, the
//!    session (or caller) calls [`MiningClient::set_connection_flags`] with the flags it sent
//!    and the Success flags (R37).
//! 2. Open channels ([`MiningClient::open_standard_channel`],
//!    [`MiningClient::open_extended_channel`]); each returns the request id that the later
//!    [`ClientEvent::ChannelOpened`] / [`ClientEvent::ChannelOpenFailed`] carries (R56).
//! 3. For every Mining message from upstream: [`MiningClient::handle_message`].
//! 4. After any call that takes `&mut self`: drain [`MiningClient::next_outgoing`] into the
//!    session (in order), then drain [`MiningClient::next_event`].
//! 5. Submit shares found on a [`Work`] with [`MiningClient::submit_standard`] /
//!    [`MiningClient::submit_extended`]; a share is checked locally (job active, version, nTime,
//!    extranonce, target, duplicates) and only then queued with a sequence number (R89).
//! 6. Call [`MiningClient::handle_timeout`] when [`MiningClient::poll_timeout`] is due: an open
//!    request unanswered for `ClientConfig::open_channel_timeout_ms` then fails (the composed
//!    miner does this inside its own timers).
//! 7. When the connection ends (or after a [`ClientEvent::Reconnect`]):
//!    [`MiningClient::connection_closed`], then a new client or the same one with new flags.
//!
//! ```
//! use sv2::codec::U256;
//! use sv2::messages::{Message, OpenStandardMiningChannelSuccess, NewMiningJob,
//!     MiningSetNewPrevHash};
//! use sv2::mining::client::{ClientConfig, ClientEvent, MiningClient};
//!
//! let mut client = MiningClient::new(ClientConfig::default());
//! client.set_connection_flags(0, 0);
//! let request_id = client.open_standard_channel("user.worker1", 100e12, U256::MAX).unwrap();
//! let open = client.next_outgoing().unwrap(); // send it upstream
//! # let _ = open;
//! client.handle_message(OpenStandardMiningChannelSuccess { request_id, channel_id: 7,
//!     target: U256::MAX, group_channel_id: 1, ..Default::default() }.into(), 0).unwrap();
//! client.handle_message(NewMiningJob { channel_id: 7, job_id: 1, future_job: true,
//!     version: 0x2000_0000, ..Default::default() }.into(), 0).unwrap();
//! client.handle_message(MiningSetNewPrevHash { channel_id: 7, job_id: 1, min_ntime: 1_700_000_000,
//!     nbits: 0x207fffff, ..Default::default() }.into(), 10).unwrap();
//! while let Some(event) = client.next_event() {
//!     if let ClientEvent::NewWork(work) = event {
//!         let hash = work.hash_for(0, work.min_ntime, work.version());
//!         if work.meets_target(hash) {
//!             let receipt = client.submit_standard(7, work.job_id, 0, work.min_ntime,
//!                 work.version(), 20).unwrap();
//!             assert_eq!(receipt.sequence_number, 0);
//!         }
//!     }
//! }
//! ```
//!
//! # Bounded state
//!
//! Every collection a hostile upstream could grow is capped by [`ClientConfig`]: channels,
//! jobs and job bytes per channel, pending shares, remembered share hashes, outstanding custom
//! jobs and queued protocol errors. Bad messages never panic and never leave half-applied
//! state: each handler validates first and mutates second.

mod channel;
mod events;
pub mod flags;
mod work;

pub use events::{
    ClientConfig, ClientError, ClientEvent, CloseReason, OpenFailure, SubmitError, SubmitReceipt,
    UsageError, Violation,
};
pub use flags::ConnectionFlags;
pub use work::{ExtendedWork, JobPieces, Work, WorkError};

use crate::codec::{Str0255, B032, U256};
use crate::messages::{
    CloseChannel, Dialect, Message, MessageKind, MiningSetNewPrevHash, NewExtendedMiningJob,
    NewMiningJob, OpenExtendedMiningChannel, OpenExtendedMiningChannelSuccess,
    OpenStandardMiningChannel, OpenStandardMiningChannelSuccess, SetCustomMiningJob,
    SetCustomMiningJobSuccess, SetExtranoncePrefix, SetGroupChannel, SetTarget, SubmitSharesError,
    SubmitSharesExtended, SubmitSharesStandard, SubmitSharesSuccess, UpdateChannel,
};
use crate::mining::{nbits_to_target, version_rolling_ok, BlockHeader, MAX_EXTRANONCE_SIZE};
use channel::{seq_le, Channel, Job, JobBody, JobState, Pending, PrevHash};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

/// Largest merkle path a job may carry (SEQ0_255).
const MAX_MERKLE_PATH: usize = 255;
/// Channel ids remembered after a close so that messages already in flight for them are
/// dropped quietly instead of being reported as protocol errors (R65).
const RECENTLY_CLOSED: usize = 64;

/// What an open request asked for, kept until its answer (R56).
#[derive(Clone, Debug)]
struct PendingOpen {
    extended: bool,
    user_identity: Arc<str>,
    nominal_hash_rate: f32,
    max_target: U256,
    min_extranonce_size: u16,
    /// When the open-channel timer started: the first `handle_timeout` / `handle_message`
    /// after the request was queued (`None` before).
    started_ms: Option<u64>,
}

/// A SetCustomMiningJob awaiting its answer (R157).
#[derive(Clone, Debug)]
struct PendingCustom {
    channel_id: u32,
    version: u32,
    prev: PrevHash,
    merkle_path: Vec<U256>,
}

/// A job sent to a group, as each member (present or future) gets it.
#[derive(Clone, Debug)]
struct GroupJob {
    id: u32,
    future: bool,
    version: u32,
    rolling: bool,
    min_ntime_hint: Option<u32>,
    pieces: Arc<JobPieces>,
}

/// What a group was sent since its last SetNewPrevHash (the job it named, then the prevhash,
/// then later jobs), replayed to a standard channel that joins the group afterwards: the
/// pool sends a group's work once, not again per new member (R71, R76).
#[derive(Clone, Debug)]
enum GroupEntry {
    Job(GroupJob),
    PrevHash { job_id: u32, prev: PrevHash },
}

/// Where a message's `channel_id` points.
enum Addressee {
    Channel(u32),
    /// A group channel and its member standard channels (R71).
    Group(Vec<u32>),
    /// A channel closed recently: drop quietly.
    RecentlyClosed,
    Unknown,
}

/// The downstream side of the Mining Protocol. See the [module docs](self) for the call order.
#[derive(Debug)]
pub struct MiningClient {
    config: ClientConfig,
    flags: ConnectionFlags,
    /// The upstream's dialect: which documented quirks are not protocol errors.
    dialect: &'static Dialect,
    /// The channel opened last (SRI 2023 addresses its first job to channel 0).
    newest_channel: Option<u32>,
    next_request_id: u32,
    pending_opens: HashMap<u32, PendingOpen>,
    /// BTreeMap: group broadcasts visit members in a deterministic order.
    channels: BTreeMap<u32, Channel>,
    /// Per group with members: its work so far, at most `max_jobs_per_channel` jobs.
    group_work: HashMap<u32, VecDeque<GroupEntry>>,
    recently_closed: VecDeque<u32>,
    custom_jobs: HashMap<u32, PendingCustom>,
    outgoing: VecDeque<Message>,
    events: VecDeque<ClientEvent>,
    dropped_protocol_errors: u64,
}

impl MiningClient {
    /// A client with no channels and no connection flags (as if SetupConnection had no flags).
    pub fn new(config: ClientConfig) -> Self {
        MiningClient {
            config,
            flags: ConnectionFlags::default(),
            dialect: Dialect::default(),
            newest_channel: None,
            next_request_id: 1,
            pending_opens: HashMap::new(),
            channels: BTreeMap::new(),
            group_work: HashMap::new(),
            recently_closed: VecDeque::new(),
            custom_jobs: HashMap::new(),
            outgoing: VecDeque::new(),
            events: VecDeque::new(),
            dropped_protocol_errors: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sets the upstream's wire dialect (default [`Dialect::default`], the spec). The
    /// dialect's documented quirks are then followed instead of reported as protocol errors:
    /// SRI 2023's first job to channel 0 and SetNewPrevHash before its job, braiins 2021's and
    /// SRI 2023's group id equal to the channel id. The composed miner sets its session's.
    pub fn set_dialect(&mut self, dialect: &'static Dialect) {
        self.dialect = dialect;
    }

    /// The upstream's dialect.
    pub fn dialect(&self) -> &'static Dialect {
        self.dialect
    }

    /// Records the connection's flags (R37): `requested` as sent in SetupConnection and
    /// `granted_success_flags` from SetupConnection.Success, both in the spec's bit layout
    /// ([`flags`]). Call it before opening channels. REQUIRES_FIXED_VERSION (R42) stops all
    /// version rolling; REQUIRES_EXTENDED_CHANNELS (R43) refuses standard opens;
    /// REQUIRES_WORK_SELECTION (R45) enables [`MiningClient::set_custom_job`].
    pub fn set_connection_flags(&mut self, requested: u32, granted_success_flags: u32) {
        self.flags = ConnectionFlags {
            requested,
            granted: granted_success_flags,
        };
        if self.flags.requires_version_rolling() && self.flags.fixed_version() {
            self.protocol_error(
                MessageKind::SetupConnectionSuccess,
                None,
                Violation::FixedVersionDespiteRollingRequired,
            );
        }
        // Jobs already held follow the new flags (a session normally sets them before any job).
        let fixed = self.flags.fixed_version();
        if fixed {
            for ch in self.channels.values_mut() {
                for j in ch.jobs.iter_mut() {
                    j.rolling = false;
                }
            }
        }
    }

    /// The connection flags.
    pub fn connection_flags(&self) -> ConnectionFlags {
        self.flags
    }

    // -----------------------------------------------------------------------------------------
    // Requests from the caller

    /// Checks a channel request (`min_extranonce_size` 0 for a standard channel): what
    /// `open_*_channel` checks before queuing, and what a caller that will open it later (the
    /// composed miner before its connection is set up) checks now. `planned` counts the
    /// channels already planned besides those open or pending.
    pub fn check_channel_request(
        &self,
        user_identity: &str,
        nominal_hash_rate: f32,
        min_extranonce_size: u16,
        planned: usize,
    ) -> Result<(), UsageError> {
        if user_identity.len() > 255 {
            return Err(UsageError::StringTooLong(user_identity.len()));
        }
        if !(nominal_hash_rate.is_finite() && nominal_hash_rate >= 0.0) {
            return Err(UsageError::InvalidHashRate);
        }
        if self.channels.len() + self.pending_opens.len() + planned >= self.config.max_channels {
            return Err(UsageError::TooManyChannels(self.config.max_channels));
        }
        if usize::from(min_extranonce_size) > MAX_EXTRANONCE_SIZE {
            return Err(UsageError::ExtranonceSizeTooLarge(min_extranonce_size));
        }
        Ok(())
    }

    /// Consumes the next request id without sending anything: a caller that numbers its
    /// channels by position (the composed miner: config channel i gets id i + 1 on every
    /// connection) keeps the numbering when one of them is refused locally.
    pub fn skip_request_id(&mut self) {
        self.take_request_id();
    }

    /// A connection-wide unique request id (R56), shared by opens and custom jobs.
    fn take_request_id(&mut self) -> u32 {
        loop {
            let id = self.next_request_id;
            self.next_request_id = self.next_request_id.wrapping_add(1);
            if !self.pending_opens.contains_key(&id) && !self.custom_jobs.contains_key(&id) {
                return id;
            }
        }
    }

    /// Queues OpenStandardMiningChannel (04 §4.3.2) and returns its request id.
    ///
    /// `nominal_hash_rate` is the device's expected h/s (R57: a proxy with nothing connected
    /// sends 0); `max_target` the easiest target the device accepts (R58).
    ///
    /// # Errors
    /// [`UsageError::ExtendedChannelsRequired`] under REQUIRES_EXTENDED_CHANNELS (R43), bad
    /// arguments, or the channel limit.
    pub fn open_standard_channel(
        &mut self,
        user_identity: &str,
        nominal_hash_rate: f32,
        max_target: U256,
    ) -> Result<u32, UsageError> {
        if self.flags.extended_channels_only() {
            return Err(UsageError::ExtendedChannelsRequired);
        }
        self.check_channel_request(user_identity, nominal_hash_rate, 0, 0)?;
        let request_id = self.take_request_id();
        self.pending_opens.insert(
            request_id,
            PendingOpen {
                extended: false,
                user_identity: Arc::from(user_identity),
                nominal_hash_rate,
                max_target,
                min_extranonce_size: 0,
                started_ms: None,
            },
        );
        self.outgoing.push_back(
            OpenStandardMiningChannel {
                request_id,
                user_identity: Str0255::from(user_identity),
                nominal_hash_rate,
                max_target,
            }
            .into(),
        );
        Ok(request_id)
    }

    /// Queues OpenExtendedMiningChannel (04 §4.3.4) and returns its request id.
    ///
    /// # Errors
    /// Bad arguments (`min_extranonce_size` above 32, R88), or the channel limit.
    pub fn open_extended_channel(
        &mut self,
        user_identity: &str,
        nominal_hash_rate: f32,
        max_target: U256,
        min_extranonce_size: u16,
    ) -> Result<u32, UsageError> {
        self.check_channel_request(user_identity, nominal_hash_rate, min_extranonce_size, 0)?;
        let request_id = self.take_request_id();
        self.pending_opens.insert(
            request_id,
            PendingOpen {
                extended: true,
                user_identity: Arc::from(user_identity),
                nominal_hash_rate,
                max_target,
                min_extranonce_size,
                started_ms: None,
            },
        );
        self.outgoing.push_back(
            OpenExtendedMiningChannel {
                request_id,
                user_identity: Str0255::from(user_identity),
                nominal_hash_rate,
                max_target,
                min_extranonce_size,
            }
            .into(),
        );
        Ok(request_id)
    }

    /// Queues UpdateChannel (04 §4.3.7): a new nominal hash rate and maximum target. The
    /// server answers only on error (R64) and reflects a lower maximum target with SetTarget
    /// (R63); later SetTargets are clamped to `maximum_target`.
    ///
    /// # Errors
    /// [`UsageError::UnknownChannel`] or [`UsageError::InvalidHashRate`].
    pub fn update_channel(
        &mut self,
        channel_id: u32,
        nominal_hash_rate: f32,
        maximum_target: U256,
    ) -> Result<(), UsageError> {
        if !(nominal_hash_rate.is_finite() && nominal_hash_rate >= 0.0) {
            return Err(UsageError::InvalidHashRate);
        }
        let ch = self
            .channels
            .get_mut(&channel_id)
            .ok_or(UsageError::UnknownChannel(channel_id))?;
        ch.nominal_hash_rate = nominal_hash_rate;
        ch.max_target = maximum_target;
        self.outgoing.push_back(
            UpdateChannel {
                channel_id,
                nominal_hash_rate,
                maximum_target,
            }
            .into(),
        );
        Ok(())
    }

    /// Queues CloseChannel (04 §4.3.9) and forgets the channel at once: its jobs and pending
    /// shares are dropped ([`ClientEvent::ChannelClosed`] with [`CloseReason::Local`]).
    ///
    /// # Errors
    /// [`UsageError::UnknownChannel`] or [`UsageError::StringTooLong`].
    pub fn close_channel(&mut self, channel_id: u32, reason_code: &str) -> Result<(), UsageError> {
        if reason_code.len() > 255 {
            return Err(UsageError::StringTooLong(reason_code.len()));
        }
        if !self.channels.contains_key(&channel_id) {
            return Err(UsageError::UnknownChannel(channel_id));
        }
        self.outgoing.push_back(
            CloseChannel {
                channel_id,
                reason_code: Str0255::from(reason_code),
            }
            .into(),
        );
        self.drop_channel(channel_id, CloseReason::Local);
        Ok(())
    }

    /// Queues SetCustomMiningJob (04 §4.3.18) on an extended channel and returns its request id.
    ///
    /// `job.channel_id` names the channel; the client fills in `request_id`, sets
    /// `extranonce_size` to the channel's (E34) and `future_job` to false (R114). The answer
    /// arrives as [`ClientEvent::CustomJobAccepted`] (then [`ClientEvent::NewWork`]) or
    /// [`ClientEvent::CustomJobRejected`].
    ///
    /// # Errors
    /// [`UsageError::WorkSelectionNotNegotiated`] (R45), [`UsageError::NotExtended`] (R108),
    /// [`UsageError::CustomJobField`] for a `coinbase_prefix` over 8 bytes (R113) or a merkle
    /// path over 255 entries, or too many outstanding requests.
    pub fn set_custom_job(&mut self, mut job: SetCustomMiningJob) -> Result<u32, UsageError> {
        if !self.flags.work_selection() {
            return Err(UsageError::WorkSelectionNotNegotiated);
        }
        let ch = self
            .channels
            .get(&job.channel_id)
            .ok_or(UsageError::UnknownChannel(job.channel_id))?;
        if !ch.extended {
            return Err(UsageError::NotExtended(job.channel_id));
        }
        if job.coinbase_prefix.len() > 8 {
            return Err(UsageError::CustomJobField("coinbase_prefix"));
        }
        if job.merkle_path.len() > MAX_MERKLE_PATH {
            return Err(UsageError::CustomJobField("merkle_path"));
        }
        if self.custom_jobs.len() >= self.config.max_pending_custom_jobs {
            return Err(UsageError::TooManyPendingCustomJobs);
        }
        let extranonce_size = ch.extranonce_size;
        let request_id = self.take_request_id();
        job.request_id = request_id;
        job.extranonce_size = extranonce_size;
        job.future_job = false;
        self.custom_jobs.insert(
            request_id,
            PendingCustom {
                channel_id: job.channel_id,
                version: job.version,
                prev: PrevHash {
                    prev_hash: job.prev_hash,
                    min_ntime: job.min_ntime,
                    nbits: job.nbits,
                    received_ms: 0,
                },
                merkle_path: job.merkle_path.clone(),
            },
        );
        self.outgoing.push_back(job.into());
        Ok(request_id)
    }

    /// Checks and queues a SubmitSharesStandard (04 §4.3.11) for a standard channel.
    ///
    /// The client rebuilds the header from its own copy of the job, so a confused caller cannot
    /// send garbage: the job must be active (R75, R105), the version within the allowed bits
    /// (R148, R149, R42), nTime within `min_ntime ..= min_ntime + elapsed` (R96), the hash at or
    /// below the job's target (R98, R100) and the share new. Then it gets the channel's next
    /// sequence number (R89) and waits for its answer.
    ///
    /// # Errors
    /// [`SubmitError`]: nothing was queued.
    pub fn submit_standard(
        &mut self,
        channel_id: u32,
        job_id: u32,
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: u64,
    ) -> Result<SubmitReceipt, SubmitError> {
        self.submit(channel_id, job_id, None, nonce, ntime, version, now_ms)
    }

    /// Checks and queues a SubmitSharesExtended (04 §4.3.12) for an extended channel; as
    /// [`MiningClient::submit_standard`] plus `extranonce` exactly `extranonce_size` bytes (R95).
    ///
    /// # Errors
    /// [`SubmitError`]: nothing was queued.
    #[allow(clippy::too_many_arguments)]
    pub fn submit_extended(
        &mut self,
        channel_id: u32,
        job_id: u32,
        extranonce: &[u8],
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: u64,
    ) -> Result<SubmitReceipt, SubmitError> {
        self.submit(
            channel_id,
            job_id,
            Some(extranonce),
            nonce,
            ntime,
            version,
            now_ms,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn submit(
        &mut self,
        channel_id: u32,
        job_id: u32,
        extranonce: Option<&[u8]>,
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: u64,
    ) -> Result<SubmitReceipt, SubmitError> {
        let ch = self
            .channels
            .get_mut(&channel_id)
            .ok_or(SubmitError::UnknownChannel(channel_id))?;
        // R94: the submit kind follows the channel kind.
        if ch.extended != extranonce.is_some() {
            return Err(SubmitError::WrongChannelKind(channel_id));
        }
        let job = ch.job(job_id).ok_or(SubmitError::UnknownJob(job_id))?;
        let prev = match (job.state, job.prev) {
            (JobState::Future, _) | (JobState::Active, None) => {
                return Err(SubmitError::FutureJob(job_id))
            }
            (JobState::Stale, _) => return Err(SubmitError::StaleJob(job_id)),
            (JobState::Active, Some(prev)) => prev,
        };
        if !version_rolling_ok(job.version, version, job.rolling) {
            return Err(SubmitError::VersionNotAllowed {
                version,
                job_version: job.version,
            });
        }
        let elapsed = now_ms.saturating_sub(prev.received_ms) / 1000;
        let max = u64::from(prev.min_ntime)
            .saturating_add(elapsed)
            .saturating_add(u64::from(self.config.ntime_slack_secs))
            .min(u64::from(u32::MAX)) as u32;
        if ntime < prev.min_ntime || ntime > max {
            return Err(SubmitError::NtimeOutOfRange {
                ntime,
                min: prev.min_ntime,
                max,
            });
        }
        let extranonce = extranonce.unwrap_or(&[]);
        let en = if ch.extended {
            if extranonce.len() != usize::from(job.extranonce_size) {
                return Err(SubmitError::ExtranonceLength {
                    expected: job.extranonce_size,
                    got: extranonce.len(),
                });
            }
            // ≤ 32 bytes: grants above 32 are refused at open (R88).
            B032::new(extranonce).ok_or(SubmitError::ExtranonceLength {
                expected: job.extranonce_size,
                got: extranonce.len(),
            })?
        } else {
            B032::EMPTY
        };
        let root = job.merkle_root(extranonce);
        let header = BlockHeader::new(version, prev.prev_hash, root, ntime, prev.nbits, nonce);
        let hash = header.hash();
        // R98/R100: the job's own target, not necessarily the channel's current one.
        if hash > job.target {
            return Err(SubmitError::BelowTarget {
                hash,
                target: job.target,
            });
        }
        let is_block = nbits_to_target(prev.nbits).is_ok_and(|t| hash <= t);
        if !ch.remember_share(hash, self.config.duplicate_window) {
            return Err(SubmitError::Duplicate);
        }
        let sequence_number = ch.next_seq;
        ch.next_seq = ch.next_seq.wrapping_add(1);
        if ch.pending.len() >= self.config.max_pending_shares.max(1) {
            if let Some(old) = ch.pending.pop_front() {
                self.events.push_back(ClientEvent::ShareExpired {
                    channel_id,
                    sequence_number: old.seq,
                    job_id: old.job_id,
                });
            }
        }
        ch.pending.push_back(Pending {
            seq: sequence_number,
            job_id,
            sent_ms: now_ms,
        });
        let msg: Message = if ch.extended {
            SubmitSharesExtended {
                channel_id,
                sequence_number,
                job_id,
                nonce,
                ntime,
                version,
                extranonce: en,
            }
            .into()
        } else {
            SubmitSharesStandard {
                channel_id,
                sequence_number,
                job_id,
                nonce,
                ntime,
                version,
            }
            .into()
        };
        self.outgoing.push_back(msg);
        Ok(SubmitReceipt {
            channel_id,
            sequence_number,
            job_id,
            hash,
            is_block,
        })
    }

    /// Forgets every channel, request and queued message after the connection closed (or
    /// before following a Reconnect, R116: channels do not carry over). Emits
    /// [`ClientEvent::ChannelClosed`] per open channel and [`ClientEvent::ChannelOpenFailed`]
    /// per unanswered open; connection flags return to none.
    pub fn connection_closed(&mut self) {
        let ids: Vec<u32> = self.channels.keys().copied().collect();
        for id in ids {
            self.drop_channel(id, CloseReason::ConnectionClosed);
        }
        let mut opens: Vec<u32> = self.pending_opens.drain().map(|(id, _)| id).collect();
        opens.sort_unstable();
        for request_id in opens {
            self.events.push_back(ClientEvent::ChannelOpenFailed {
                request_id,
                reason: OpenFailure::ConnectionClosed,
            });
        }
        self.custom_jobs.clear();
        self.outgoing.clear();
        self.recently_closed.clear();
        self.group_work.clear();
        self.newest_channel = None;
        self.flags = ConnectionFlags::default();
        // Request ids are per connection (R56): the next one numbers from 1 again.
        self.next_request_id = 1;
    }

    // -----------------------------------------------------------------------------------------
    // Output and queries

    /// The next message to send upstream, in order.
    pub fn next_outgoing(&mut self) -> Option<Message> {
        self.outgoing.pop_front()
    }

    /// Messages waiting in [`MiningClient::next_outgoing`].
    pub fn outgoing_len(&self) -> usize {
        self.outgoing.len()
    }

    /// The next event, in order.
    pub fn next_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// Shares of `channel_id` still awaiting SubmitShares.Success/.Error (0 for unknown
    /// channels).
    pub fn pending_shares(&self, channel_id: u32) -> usize {
        self.channels
            .get(&channel_id)
            .map_or(0, |ch| ch.pending.len())
    }

    /// The Work of the channel's most recently activated job, if it has one.
    pub fn current_work(&self, channel_id: u32) -> Option<Work> {
        let ch = self.channels.get(&channel_id)?;
        ch.newest_active()?.work(channel_id, false)
    }

    /// A snapshot of one channel.
    pub fn channel(&self, channel_id: u32) -> Option<ChannelInfo> {
        self.channels.get(&channel_id).map(ChannelInfo::of)
    }

    /// Snapshots of every open channel, by channel id.
    pub fn channels(&self) -> Vec<ChannelInfo> {
        self.channels.values().map(ChannelInfo::of).collect()
    }

    /// Open requests not yet answered.
    pub fn pending_opens(&self) -> usize {
        self.pending_opens.len()
    }

    // -----------------------------------------------------------------------------------------
    // Timers

    fn start_open_timers(&mut self, now_ms: u64) {
        for p in self.pending_opens.values_mut() {
            p.started_ms.get_or_insert(now_ms);
        }
    }

    /// When [`MiningClient::handle_timeout`] is next due: the earliest open-channel deadline
    /// (`ClientConfig::open_channel_timeout_ms`), `Some(0)` ("now") while a queued open has
    /// no timer yet (the next `handle_timeout` starts it), `None` without pending opens or
    /// with the timeout disabled.
    pub fn poll_timeout(&self) -> Option<u64> {
        let timeout = self.config.open_channel_timeout_ms;
        if timeout == 0 {
            return None;
        }
        self.pending_opens
            .values()
            .map(|p| p.started_ms.map_or(0, |t| t.saturating_add(timeout)))
            .min()
    }

    /// Fires the open-channel timers: every open request unanswered for
    /// `ClientConfig::open_channel_timeout_ms` ends with [`ClientEvent::ChannelOpenFailed`]
    /// ([`OpenFailure::TimedOut`], naming the request, channel kind and user); a late answer
    /// is then reported as an unknown request. Starts the timers of opens queued since the
    /// last call. (Some servers never answer an open they do not support: braiins' 2021
    /// proxy ignores OpenExtendedMiningChannel.)
    pub fn handle_timeout(&mut self, now_ms: u64) {
        let timeout = self.config.open_channel_timeout_ms;
        if self.pending_opens.is_empty() {
            return; // the usual case: the composed miner calls this after every send
        }
        self.start_open_timers(now_ms);
        if timeout == 0 {
            return;
        }
        let mut expired: Vec<u32> = self
            .pending_opens
            .iter()
            .filter(|(_, p)| {
                p.started_ms
                    .is_some_and(|t| now_ms >= t.saturating_add(timeout))
            })
            .map(|(id, _)| *id)
            .collect();
        expired.sort_unstable();
        for request_id in expired {
            if let Some(p) = self.pending_opens.remove(&request_id) {
                self.events.push_back(ClientEvent::ChannelOpenFailed {
                    request_id,
                    reason: OpenFailure::TimedOut {
                        extended: p.extended,
                        user_identity: p.user_identity.to_string(),
                        waited_ms: now_ms.saturating_sub(p.started_ms.unwrap_or(now_ms)),
                    },
                });
            }
        }
    }

    /// Protocol-error events dropped because the event queue was over
    /// [`ClientConfig::max_queued_events`].
    pub fn dropped_protocol_errors(&self) -> u64 {
        self.dropped_protocol_errors
    }

    // -----------------------------------------------------------------------------------------
    // Messages from upstream

    /// Processes one message from upstream at monotonic time `now_ms`.
    ///
    /// Every server-to-client Mining message (and ChannelEndpointChanged) is handled here; a
    /// message that breaks a rule is ignored or clamped and reported as
    /// [`ClientEvent::ProtocolError`], leaving the client consistent.
    ///
    /// # Errors
    /// [`ClientError::NotForClient`] for any other message (SetupConnection*, Job Negotiation,
    /// Template Distribution, or a message only clients send); the client is unchanged.
    pub fn handle_message(&mut self, msg: Message, now_ms: u64) -> Result<(), ClientError> {
        if !self.pending_opens.is_empty() {
            self.start_open_timers(now_ms);
        }
        match msg {
            Message::OpenStandardMiningChannelSuccess(m) => self.on_open_standard(*m),
            Message::OpenExtendedMiningChannelSuccess(m) => self.on_open_extended(*m),
            Message::OpenStandardMiningChannelError(m) => self.on_open_error(
                MessageKind::OpenStandardMiningChannelError,
                m.request_id,
                &m.error_code,
            ),
            // E21: 0x15 and 0x12 are both "OpenMiningChannel.Error"; either answers either open.
            Message::OpenExtendedMiningChannelError(m) => self.on_open_error(
                MessageKind::OpenExtendedMiningChannelError,
                m.request_id,
                &m.error_code,
            ),
            Message::UpdateChannelError(m) => {
                if self.channel_known(MessageKind::UpdateChannelError, m.channel_id) {
                    self.events.push_back(ClientEvent::UpdateChannelFailed {
                        channel_id: m.channel_id,
                        error_code: m.error_code.to_string_lossy(),
                    });
                }
            }
            Message::CloseChannel(m) => self.on_close(m),
            Message::SetExtranoncePrefix(m) => self.on_extranonce_prefix(m),
            Message::SubmitSharesSuccess(m) => self.on_shares_success(m, now_ms),
            Message::SubmitSharesError(m) => self.on_shares_error(m, now_ms),
            Message::NewMiningJob(m) => self.on_new_mining_job(m),
            Message::NewExtendedMiningJob(m) => self.on_new_extended_job(*m),
            Message::MiningSetNewPrevHash(m) => self.on_set_new_prev_hash(m, now_ms),
            Message::SetTarget(m) => self.on_set_target(m),
            Message::SetCustomMiningJobSuccess(m) => self.on_custom_success(m, now_ms),
            Message::SetCustomMiningJobError(m) => {
                let kind = MessageKind::SetCustomMiningJobError;
                match self.custom_jobs.get(&m.request_id) {
                    Some(p) if p.channel_id == m.channel_id => {
                        self.custom_jobs.remove(&m.request_id);
                        self.events.push_back(ClientEvent::CustomJobRejected {
                            channel_id: m.channel_id,
                            request_id: m.request_id,
                            error_code: m.error_code.to_string_lossy(),
                        });
                    }
                    Some(_) => self.protocol_error(
                        kind,
                        Some(m.channel_id),
                        Violation::MismatchedResponse(m.request_id),
                    ),
                    None => self.protocol_error(
                        kind,
                        Some(m.channel_id),
                        Violation::UnknownRequest(m.request_id),
                    ),
                }
            }
            Message::Reconnect(m) => {
                // R117: empty host / port 0 mean "the current one".
                let host = (!m.new_host.is_empty()).then(|| m.new_host.to_string_lossy());
                let port = (m.new_port != 0).then_some(m.new_port);
                self.events.push_back(ClientEvent::Reconnect { host, port });
            }
            Message::SetGroupChannel(m) => self.on_set_group(m),
            Message::ChannelEndpointChanged(m) => {
                let kind = MessageKind::ChannelEndpointChanged;
                match self.resolve(m.channel_id) {
                    Addressee::Channel(_) | Addressee::Group(_) => {
                        self.events.push_back(ClientEvent::EndpointChanged {
                            channel_id: m.channel_id,
                        })
                    }
                    Addressee::RecentlyClosed => {}
                    Addressee::Unknown => self.protocol_error(
                        kind,
                        Some(m.channel_id),
                        Violation::UnknownChannel(m.channel_id),
                    ),
                }
            }
            other => return Err(ClientError::NotForClient(other.kind())),
        }
        Ok(())
    }

    fn protocol_error(&mut self, message: MessageKind, channel_id: Option<u32>, v: Violation) {
        if self.events.len() >= self.config.max_queued_events {
            self.dropped_protocol_errors += 1;
            return;
        }
        self.events.push_back(ClientEvent::ProtocolError {
            message,
            channel_id,
            violation: v,
        });
    }

    fn is_group(&self, id: u32) -> bool {
        !self.channels.contains_key(&id) && self.channels.values().any(|c| c.group == Some(id))
    }

    /// R71/R72: a channel id, a group id (with its members), or nothing. Under a dialect
    /// whose pool sends a new channel's first job to channel 0 (SRI 2023), an otherwise
    /// unknown 0 is the channel opened last.
    fn resolve(&self, id: u32) -> Addressee {
        if self.channels.contains_key(&id) {
            return Addressee::Channel(id);
        }
        let members: Vec<u32> = self
            .channels
            .values()
            .filter(|c| c.group == Some(id))
            .map(|c| c.id)
            .collect();
        if !members.is_empty() {
            Addressee::Group(members)
        } else if self.recently_closed.contains(&id) {
            Addressee::RecentlyClosed
        } else if id == 0 && self.dialect.job_to_channel_zero_means_newest_channel() {
            match self.newest_channel {
                Some(newest) if self.channels.contains_key(&newest) => Addressee::Channel(newest),
                _ => Addressee::Unknown,
            }
        } else {
            Addressee::Unknown
        }
    }

    /// True for an open channel; reports a protocol error for unknown ids (quietly drops ids
    /// closed recently).
    fn channel_known(&mut self, kind: MessageKind, id: u32) -> bool {
        if self.channels.contains_key(&id) {
            return true;
        }
        if !self.recently_closed.contains(&id) {
            self.protocol_error(kind, Some(id), Violation::UnknownChannel(id));
        }
        false
    }

    fn id_in_use(&self, id: u32) -> bool {
        self.channels.contains_key(&id) || self.is_group(id)
    }

    fn take_open(
        &mut self,
        kind: MessageKind,
        request_id: u32,
        extended: bool,
    ) -> Option<PendingOpen> {
        match self.pending_opens.get(&request_id) {
            None => {
                self.protocol_error(kind, None, Violation::UnknownRequest(request_id));
                None
            }
            Some(p) if p.extended != extended => {
                // Left in place: the right answer may still come.
                self.protocol_error(kind, None, Violation::MismatchedResponse(request_id));
                None
            }
            Some(_) => self.pending_opens.remove(&request_id),
        }
    }

    fn clamp_target(
        &mut self,
        kind: MessageKind,
        channel_id: u32,
        target: U256,
        max: U256,
    ) -> U256 {
        if target > max {
            // R58: the device cannot take an easier target than max_target.
            self.protocol_error(kind, Some(channel_id), Violation::TargetAboveMax);
            max
        } else {
            target
        }
    }

    fn opened(&mut self, channel: Channel, request_id: u32) {
        let id = channel.id;
        self.recently_closed.retain(|c| *c != id);
        self.events.push_back(ClientEvent::ChannelOpened {
            request_id,
            channel_id: id,
            extended: channel.extended,
            target: channel.target,
            extranonce_prefix: channel.extranonce_prefix,
            extranonce_size: channel.extranonce_size,
            group_channel_id: channel.group,
        });
        self.channels.insert(id, channel);
        self.newest_channel = Some(id);
    }

    fn on_open_standard(&mut self, m: OpenStandardMiningChannelSuccess) {
        let kind = MessageKind::OpenStandardMiningChannelSuccess;
        let Some(req) = self.take_open(kind, m.request_id, false) else {
            return;
        };
        if self.id_in_use(m.channel_id) {
            // R54/R68. No CloseChannel: it would close the channel already using the id.
            let v = Violation::ChannelIdCollision(m.channel_id);
            self.protocol_error(kind, Some(m.channel_id), v.clone());
            self.events.push_back(ClientEvent::ChannelOpenFailed {
                request_id: m.request_id,
                reason: OpenFailure::InvalidGrant(v),
            });
            return;
        }
        let target = self.clamp_target(kind, m.channel_id, m.target, req.max_target);
        let group =
            if m.group_channel_id == m.channel_id && self.dialect.group_id_may_equal_channel_id() {
                // The dialect's documented form of "no group" (braiins 2021: 0 and 0; SRI 2023:
                // the channel id twice): addressed by its own id, nothing to report.
                None
            } else if m.group_channel_id == m.channel_id
                || self.channels.contains_key(&m.group_channel_id)
            {
                // R68: a group id must differ from every channel id; without a usable group the
                // channel is addressed by its own id only.
                self.protocol_error(
                    kind,
                    Some(m.channel_id),
                    Violation::ChannelIdCollision(m.group_channel_id),
                );
                None
            } else {
                Some(m.group_channel_id)
            };
        let ch = Channel::new(
            m.channel_id,
            false,
            group,
            req.nominal_hash_rate,
            req.max_target,
            target,
            m.extranonce_prefix,
            0,
        );
        self.opened(ch, m.request_id);
        // A later member of a group gets the group's current work (R71, R76).
        let log = group.and_then(|g| self.group_work.get(&g)).cloned();
        for entry in log.into_iter().flatten() {
            match entry {
                GroupEntry::Job(job) => {
                    self.deliver_extended_job(MessageKind::NewExtendedMiningJob, &job, m.channel_id)
                }
                GroupEntry::PrevHash { job_id, prev } => {
                    self.apply_prevhash(m.channel_id, job_id, prev)
                }
            }
        }
    }

    fn on_open_extended(&mut self, m: OpenExtendedMiningChannelSuccess) {
        let kind = MessageKind::OpenExtendedMiningChannelSuccess;
        let Some(req) = self.take_open(kind, m.request_id, true) else {
            return;
        };
        let bad_grant = if self.id_in_use(m.channel_id) {
            Some(Violation::ChannelIdCollision(m.channel_id))
        } else if usize::from(m.extranonce_size) > MAX_EXTRANONCE_SIZE {
            Some(Violation::ExtranonceSizeTooLarge(m.extranonce_size))
        } else if m.extranonce_size < req.min_extranonce_size {
            Some(Violation::ExtranonceSizeTooSmall {
                requested: req.min_extranonce_size,
                granted: m.extranonce_size,
            })
        } else {
            None
        };
        if let Some(v) = bad_grant {
            self.protocol_error(kind, Some(m.channel_id), v.clone());
            if !matches!(v, Violation::ChannelIdCollision(_)) {
                // The server thinks the channel is open; tell it we will not use it.
                self.outgoing.push_back(
                    CloseChannel {
                        channel_id: m.channel_id,
                        reason_code: Str0255::from("invalid-extranonce-size"),
                    }
                    .into(),
                );
            }
            self.events.push_back(ClientEvent::ChannelOpenFailed {
                request_id: m.request_id,
                reason: OpenFailure::InvalidGrant(v),
            });
            return;
        }
        let target = self.clamp_target(kind, m.channel_id, m.target, req.max_target);
        let ch = Channel::new(
            m.channel_id,
            true,
            None,
            req.nominal_hash_rate,
            req.max_target,
            target,
            m.extranonce_prefix,
            m.extranonce_size,
        );
        self.opened(ch, m.request_id);
    }

    fn on_open_error(&mut self, kind: MessageKind, request_id: u32, code: &Str0255) {
        if self.pending_opens.remove(&request_id).is_none() {
            self.protocol_error(kind, None, Violation::UnknownRequest(request_id));
            return;
        }
        // R151: the code is passed on, never interpreted.
        self.events.push_back(ClientEvent::ChannelOpenFailed {
            request_id,
            reason: OpenFailure::Server {
                error_code: code.to_string_lossy(),
            },
        });
    }

    fn drop_channel(&mut self, channel_id: u32, reason: CloseReason) {
        if let Some(ch) = self.channels.remove(&channel_id) {
            if let Some(g) = ch.group {
                if !self.channels.values().any(|c| c.group == Some(g)) {
                    self.group_work.remove(&g);
                }
            }
            if self.recently_closed.len() >= RECENTLY_CLOSED {
                self.recently_closed.pop_front();
            }
            self.recently_closed.push_back(channel_id);
            self.custom_jobs.retain(|_, p| p.channel_id != channel_id);
            self.events.push_back(ClientEvent::ChannelClosed {
                channel_id,
                reason,
                pending_dropped: ch.pending.len(),
            });
        }
    }

    fn on_close(&mut self, m: CloseChannel) {
        let kind = MessageKind::CloseChannel;
        match self.resolve(m.channel_id) {
            // R65/E36: the server closed it; stop using it.
            Addressee::Channel(id) => self.drop_channel(
                id,
                CloseReason::Server {
                    reason_code: m.reason_code.to_string_lossy(),
                },
            ),
            // Closing a group is not defined by 157b9c2: ignore it rather than guess.
            Addressee::Group(_) => self.protocol_error(
                kind,
                Some(m.channel_id),
                Violation::WrongChannelKind(m.channel_id),
            ),
            Addressee::RecentlyClosed => {}
            Addressee::Unknown => self.protocol_error(
                kind,
                Some(m.channel_id),
                Violation::UnknownChannel(m.channel_id),
            ),
        }
    }

    fn on_extranonce_prefix(&mut self, m: SetExtranoncePrefix) {
        let kind = MessageKind::SetExtranoncePrefix;
        let id = m.channel_id;
        match self.resolve(id) {
            Addressee::Channel(_) => {}
            Addressee::Group(_) => {
                // R86: only explicitly opened channels.
                self.protocol_error(kind, Some(id), Violation::PrefixForGroup(id));
                return;
            }
            Addressee::RecentlyClosed => return,
            Addressee::Unknown => {
                self.protocol_error(kind, Some(id), Violation::UnknownChannel(id));
                return;
            }
        }
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        let new_len = m.extranonce_prefix.len();
        let size = if ch.extended {
            // R87/E33: the coinbase layout fixes len(prefix) + extranonce_size.
            match ch.extranonce_total.checked_sub(new_len) {
                Some(s) if s <= MAX_EXTRANONCE_SIZE => s as u16,
                _ => {
                    let v = Violation::ExtranoncePrefixLength {
                        total: ch.extranonce_total,
                        prefix_len: new_len,
                    };
                    self.protocol_error(kind, Some(id), v);
                    return;
                }
            }
        } else {
            0
        };
        if let Some(ch) = self.channels.get_mut(&id) {
            // R86: jobs already received keep the prefix they came with.
            ch.extranonce_prefix = m.extranonce_prefix;
            ch.extranonce_size = size;
        }
        self.events.push_back(ClientEvent::ExtranoncePrefixChanged {
            channel_id: id,
            extranonce_prefix: m.extranonce_prefix,
            extranonce_size: size,
        });
    }

    fn on_shares_success(&mut self, m: SubmitSharesSuccess, now_ms: u64) {
        let kind = MessageKind::SubmitSharesSuccess;
        if !self.channel_known(kind, m.channel_id) {
            return;
        }
        let Some(ch) = self.channels.get_mut(&m.channel_id) else {
            return;
        };
        // R90/R92: every pending share up to last_sequence_number without an Error (errored
        // ones were removed when their Error arrived) is accepted.
        let mut resolved = 0u32;
        while let Some(p) = ch.pending.front().copied() {
            if !seq_le(p.seq, m.last_sequence_number) {
                break;
            }
            ch.pending.pop_front();
            resolved += 1;
            self.events.push_back(ClientEvent::ShareAccepted {
                channel_id: m.channel_id,
                sequence_number: p.seq,
                job_id: p.job_id,
                latency_ms: now_ms.saturating_sub(p.sent_ms),
            });
        }
        let last_sent = ch.next_seq.wrapping_sub(1);
        let ahead = !seq_le(m.last_sequence_number, last_sent) || ch.next_seq == 0;
        self.events.push_back(ClientEvent::SharesAcknowledged {
            channel_id: m.channel_id,
            last_sequence_number: m.last_sequence_number,
            new_submits_accepted_count: m.new_submits_accepted_count,
            new_shares_sum: m.new_shares_sum,
            resolved,
        });
        if ahead {
            self.protocol_error(
                kind,
                Some(m.channel_id),
                Violation::SequenceAhead(m.last_sequence_number),
            );
        }
    }

    fn on_shares_error(&mut self, m: SubmitSharesError, now_ms: u64) {
        let kind = MessageKind::SubmitSharesError;
        if !self.channel_known(kind, m.channel_id) {
            return;
        }
        let Some(ch) = self.channels.get_mut(&m.channel_id) else {
            return;
        };
        // R91: one Error per share, matched by sequence number.
        match ch.pending.iter().position(|p| p.seq == m.sequence_number) {
            Some(i) => {
                let p = ch.pending.remove(i).unwrap_or(Pending {
                    seq: m.sequence_number,
                    job_id: 0,
                    sent_ms: now_ms,
                });
                self.events.push_back(ClientEvent::ShareRejected {
                    channel_id: m.channel_id,
                    sequence_number: p.seq,
                    job_id: p.job_id,
                    // R151: reported, never interpreted.
                    error_code: m.error_code.to_string_lossy(),
                    latency_ms: now_ms.saturating_sub(p.sent_ms),
                });
            }
            None => self.protocol_error(
                kind,
                Some(m.channel_id),
                Violation::UnknownSequence(m.sequence_number),
            ),
        }
    }

    /// Stores a job in a channel and, if it is non-future, activates it on the channel's
    /// prevhash (R74) or parks it (R76). `kind` names the message for error reports.
    fn add_job(&mut self, kind: MessageKind, channel_id: u32, mut job: Job) {
        let (max_jobs, max_bytes) = (
            self.config.max_jobs_per_channel,
            self.config.max_job_bytes_per_channel,
        );
        let Some(ch) = self.channels.get_mut(&channel_id) else {
            return;
        };
        let job_id = job.id;
        let mut activated = false;
        let mut parked = false;
        // The job a SetNewPrevHash named before it arrived (R106 broken upstream, or the
        // dialect's order): mine it on that prevhash now, as the SetNewPrevHash asked.
        let awaited = ch.awaited_job == Some(job_id) && ch.prevhash.is_some();
        if awaited {
            ch.awaited_job = None;
            if let Some(prev) = ch.prevhash {
                job.activate(prev);
                activated = true;
            }
        } else if !job.arrived_future {
            match ch.prevhash {
                Some(prev) => {
                    job.activate(prev);
                    activated = true;
                }
                None => parked = true,
            }
        }
        match ch.insert_job(job, max_jobs, max_bytes) {
            Err(()) => {
                self.protocol_error(kind, Some(channel_id), Violation::JobTooLarge(job_id));
                return;
            }
            Ok(true) => {
                self.protocol_error(kind, Some(channel_id), Violation::DuplicateJobId(job_id))
            }
            Ok(false) => {}
        }
        if parked {
            self.protocol_error(
                kind,
                Some(channel_id),
                Violation::NonFutureJobWithoutPrevHash(job_id),
            );
        }
        if activated {
            let work = self
                .channels
                .get(&channel_id)
                .and_then(|ch| ch.job(job_id))
                .and_then(|j| j.work(channel_id, awaited));
            if let Some(work) = work {
                self.events.push_back(ClientEvent::NewWork(work));
            }
        }
    }

    fn on_new_mining_job(&mut self, m: NewMiningJob) {
        let kind = MessageKind::NewMiningJob;
        let id = m.channel_id;
        match self.resolve(id) {
            Addressee::Channel(_) => {}
            Addressee::Group(_) => {
                // R73: NewMiningJob is for one standard channel.
                self.protocol_error(kind, Some(id), Violation::WrongChannelKind(id));
                return;
            }
            Addressee::RecentlyClosed => return,
            Addressee::Unknown => {
                self.protocol_error(kind, Some(id), Violation::UnknownChannel(id));
                return;
            }
        }
        let Some(ch) = self.channels.get(&id) else {
            return;
        };
        if ch.extended {
            // R73: an extended channel needs the coinbase to build anything.
            self.protocol_error(kind, Some(id), Violation::WrongChannelKind(id));
            return;
        }
        let job = Job {
            id: m.job_id,
            arrived_future: m.future_job,
            state: JobState::Future,
            version: m.version,
            // R149: no flag on NewMiningJob; rolling unless REQUIRES_FIXED_VERSION (R42).
            rolling: !self.flags.fixed_version(),
            target: ch.target,
            body: JobBody::Standard {
                merkle_root: m.merkle_root,
            },
            extranonce_prefix: ch.extranonce_prefix,
            extranonce_size: 0,
            min_ntime_hint: m.min_ntime.filter(|_| !m.future_job),
            prev: None,
        };
        self.add_job(kind, id, job);
    }

    fn on_new_extended_job(&mut self, m: NewExtendedMiningJob) {
        let kind = MessageKind::NewExtendedMiningJob;
        let id = m.channel_id;
        if m.merkle_path.len() > MAX_MERKLE_PATH {
            // SEQ0_255: a longer path cannot come off the wire; refuse it before any hashing.
            self.protocol_error(kind, Some(id), Violation::JobTooLarge(m.job_id));
            return;
        }
        let mut group = None;
        let targets = match self.resolve(id) {
            Addressee::Channel(c) => vec![c],
            Addressee::Group(members) => {
                if self.flags.standard_jobs_only() {
                    // R44: not for this connection; the roots can still be derived (R79).
                    self.protocol_error(kind, Some(id), Violation::GroupOnStandardJobsConnection);
                }
                group = Some(id);
                members
            }
            Addressee::RecentlyClosed => return,
            Addressee::Unknown => {
                self.protocol_error(kind, Some(id), Violation::UnknownChannel(id));
                return;
            }
        };
        let fixed = self.flags.fixed_version();
        if fixed && m.version_rolling_allowed {
            self.protocol_error(
                kind,
                Some(id),
                Violation::RollingAllowedUnderFixedVersion(m.job_id),
            );
        }
        if !m.version_rolling_allowed && self.flags.requires_version_rolling() {
            self.protocol_error(
                kind,
                Some(id),
                Violation::RollingRequiredButForbidden(m.job_id),
            );
        }
        let rolling = m.version_rolling_allowed && !fixed;
        let pieces = Arc::new(JobPieces {
            coinbase_tx_prefix: m.coinbase_tx_prefix,
            coinbase_tx_suffix: m.coinbase_tx_suffix,
            merkle_path: m.merkle_path,
        });
        let job = GroupJob {
            id: m.job_id,
            future: m.future_job,
            version: m.version,
            rolling,
            min_ntime_hint: m.min_ntime.filter(|_| !m.future_job),
            pieces,
        };
        for cid in targets {
            self.deliver_extended_job(kind, &job, cid);
        }
        if let Some(g) = group {
            if job.pieces.heap_bytes() <= self.config.max_job_bytes_per_channel {
                let max_jobs = self.config.max_jobs_per_channel.max(1);
                let log = self.group_work.entry(g).or_default();
                log.push_back(GroupEntry::Job(job));
                while log
                    .iter()
                    .filter(|e| matches!(e, GroupEntry::Job(_)))
                    .count()
                    > max_jobs
                {
                    if let Some(i) = log.iter().position(|e| matches!(e, GroupEntry::Job(_))) {
                        log.remove(i);
                    }
                }
            }
        }
    }

    /// Gives channel `cid` an extended job (its own, or its group's).
    fn deliver_extended_job(&mut self, kind: MessageKind, job: &GroupJob, cid: u32) {
        let Some(ch) = self.channels.get(&cid) else {
            return;
        };
        let body = if ch.extended {
            JobBody::Extended(Arc::clone(&job.pieces))
        } else {
            // R71/R80: a standard channel's root from prefix ‖ extranonce_prefix ‖ suffix.
            // (Sent to a standard channel's own id, R73 is bent: the same rule applies.)
            JobBody::Standard {
                merkle_root: work::pieces_root(&job.pieces, ch.extranonce_prefix.as_slice(), &[]),
            }
        };
        let job = Job {
            id: job.id,
            arrived_future: job.future,
            state: JobState::Future,
            version: job.version,
            rolling: job.rolling,
            target: ch.target,
            body,
            extranonce_prefix: ch.extranonce_prefix,
            extranonce_size: ch.extranonce_size,
            min_ntime_hint: job.min_ntime_hint,
            prev: None,
        };
        self.add_job(kind, cid, job);
    }

    fn on_set_new_prev_hash(&mut self, m: MiningSetNewPrevHash, now_ms: u64) {
        let kind = MessageKind::MiningSetNewPrevHash;
        let mut group = None;
        let targets = match self.resolve(m.channel_id) {
            Addressee::Channel(c) => vec![c],
            Addressee::Group(members) => {
                group = Some(m.channel_id);
                members
            }
            Addressee::RecentlyClosed => return,
            Addressee::Unknown => {
                self.protocol_error(
                    kind,
                    Some(m.channel_id),
                    Violation::UnknownChannel(m.channel_id),
                );
                return;
            }
        };
        let prev = PrevHash {
            prev_hash: m.prev_hash,
            min_ntime: m.min_ntime,
            nbits: m.nbits,
            received_ms: now_ms,
        };
        for cid in targets {
            self.apply_prevhash(cid, m.job_id, prev);
        }
        if let Some(g) = group {
            // Only the named job and what follows matter to a later member (R105).
            let log = self.group_work.entry(g).or_default();
            log.retain(|e| matches!(e, GroupEntry::Job(j) if j.id == m.job_id));
            log.push_back(GroupEntry::PrevHash {
                job_id: m.job_id,
                prev,
            });
        }
    }

    /// SetNewPrevHash for one channel (R104, R105, R106).
    fn apply_prevhash(&mut self, cid: u32, job_id: u32, prev: PrevHash) {
        let kind = MessageKind::MiningSetNewPrevHash;
        let Some(ch) = self.channels.get_mut(&cid) else {
            return;
        };
        // R74: later non-future jobs use this prevhash.
        ch.prevhash = Some(prev);
        let found = match ch.job_mut(job_id) {
            Some(job) if job.state != JobState::Stale => {
                // R104: mine the referenced job with this prevhash, now.
                job.activate(prev);
                true
            }
            _ => false,
        };
        ch.awaited_job = (!found).then_some(job_id);
        // R105: every other job, future or not, is invalid.
        ch.stale_all_but(found.then_some(job_id));
        if found {
            let work = ch.job(job_id).and_then(|j| j.work(cid, true));
            if let Some(work) = work {
                self.events.push_back(ClientEvent::NewWork(work));
            }
        } else {
            // R106/E32: mine nothing until the job comes; it is then mined on this prevhash
            // (`add_job`), so a job sent late does not cost the channel its work until the
            // next template. Reported unless the dialect sends that order.
            if !self.dialect.prevhash_may_precede_job() {
                self.protocol_error(kind, Some(cid), Violation::UnknownJob(job_id));
            }
            self.events
                .push_back(ClientEvent::WorkInvalidated { channel_id: cid });
        }
    }

    fn on_set_target(&mut self, m: SetTarget) {
        let kind = MessageKind::SetTarget;
        let targets = match self.resolve(m.channel_id) {
            Addressee::Channel(c) => vec![c],
            // R101: a group's SetTarget applies to every member.
            Addressee::Group(members) => members,
            Addressee::RecentlyClosed => return,
            Addressee::Unknown => {
                self.protocol_error(
                    kind,
                    Some(m.channel_id),
                    Violation::UnknownChannel(m.channel_id),
                );
                return;
            }
        };
        for cid in targets {
            let Some(max) = self.channels.get(&cid).map(|c| c.max_target) else {
                continue;
            };
            let target = self.clamp_target(kind, cid, m.maximum_target, max);
            let Some(ch) = self.channels.get_mut(&cid) else {
                continue;
            };
            ch.target = target;
            // R100: jobs that arrived as future jobs follow SetTarget; non-future jobs keep the
            // target they arrived with. Jobs received from now on take the new one.
            for j in ch.jobs.iter_mut().filter(|j| j.arrived_future) {
                j.target = target;
            }
            let active_work_updated = ch.newest_active().is_some_and(|j| j.arrived_future);
            self.events.push_back(ClientEvent::TargetChanged {
                channel_id: cid,
                target,
                active_work_updated,
            });
        }
    }

    fn on_custom_success(&mut self, m: SetCustomMiningJobSuccess, now_ms: u64) {
        let kind = MessageKind::SetCustomMiningJobSuccess;
        let pending = match self.custom_jobs.get(&m.request_id) {
            Some(p) if p.channel_id == m.channel_id => self.custom_jobs.remove(&m.request_id),
            Some(_) => {
                self.protocol_error(
                    kind,
                    Some(m.channel_id),
                    Violation::MismatchedResponse(m.request_id),
                );
                return;
            }
            None => {
                self.protocol_error(
                    kind,
                    Some(m.channel_id),
                    Violation::UnknownRequest(m.request_id),
                );
                return;
            }
        };
        let Some(pending) = pending else {
            return;
        };
        let (max_jobs, max_bytes) = (
            self.config.max_jobs_per_channel,
            self.config.max_job_bytes_per_channel,
        );
        let Some(ch) = self.channels.get_mut(&m.channel_id) else {
            return;
        };
        let prev = PrevHash {
            received_ms: now_ms,
            ..pending.prev
        };
        // R112: the returned prefix and suffix; R115/R86: the channel's prefix as of now.
        let mut job = Job {
            id: m.job_id,
            arrived_future: false,
            state: JobState::Future,
            version: pending.version,
            // The custom job's version may roll its BIP320 bits (04 §4.3.18) unless fixed.
            rolling: !self.flags.fixed_version(),
            target: ch.target,
            body: JobBody::Extended(Arc::new(JobPieces {
                coinbase_tx_prefix: m.coinbase_tx_prefix,
                coinbase_tx_suffix: m.coinbase_tx_suffix,
                merkle_path: pending.merkle_path,
            })),
            extranonce_prefix: ch.extranonce_prefix,
            extranonce_size: ch.extranonce_size,
            min_ntime_hint: None,
            prev: None,
        };
        job.activate(prev);
        // A custom job on a new block makes every job on the old one stale (R105).
        let clean = ch.prevhash.is_none_or(|p| p.prev_hash != prev.prev_hash);
        let job_id = m.job_id;
        let inserted = ch.insert_job(job, max_jobs, max_bytes);
        if inserted.is_ok() && clean {
            ch.prevhash = Some(prev);
            ch.stale_all_but(Some(job_id));
        }
        let work = ch.job(job_id).and_then(|j| j.work(m.channel_id, clean));
        match inserted {
            Err(()) => {
                self.protocol_error(kind, Some(m.channel_id), Violation::JobTooLarge(job_id));
                return;
            }
            Ok(true) => {
                self.protocol_error(kind, Some(m.channel_id), Violation::DuplicateJobId(job_id))
            }
            Ok(false) => {}
        }
        self.events.push_back(ClientEvent::CustomJobAccepted {
            channel_id: m.channel_id,
            request_id: m.request_id,
            job_id,
        });
        if let Some(work) = work {
            self.events.push_back(ClientEvent::NewWork(work));
        }
    }

    fn on_set_group(&mut self, m: SetGroupChannel) {
        let kind = MessageKind::SetGroupChannel;
        let gid = m.group_channel_id;
        if self.channels.contains_key(&gid) {
            // R68: "Channel reinterpretation is not allowed".
            self.protocol_error(kind, Some(gid), Violation::ChannelIdCollision(gid));
            return;
        }
        if self.flags.standard_jobs_only() {
            // R70 broken; membership is harmless to record (E38).
            self.protocol_error(kind, Some(gid), Violation::GroupOnStandardJobsConnection);
        }
        let mut bad = 0usize;
        let mut moved = Vec::new();
        for id in &m.channel_ids {
            match self.channels.get_mut(id) {
                Some(ch) if !ch.extended => {
                    if ch.group != Some(gid) {
                        ch.group = Some(gid);
                        moved.push(*id);
                    }
                }
                _ => bad += 1,
            }
        }
        for channel_id in moved {
            self.events.push_back(ClientEvent::GroupChanged {
                channel_id,
                group_channel_id: gid,
            });
        }
        if bad > 0 {
            self.protocol_error(kind, Some(gid), Violation::NotStandardChannels(bad));
        }
    }
}

/// A snapshot of one channel's state.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelInfo {
    /// The channel id.
    pub channel_id: u32,
    /// True for an extended channel.
    pub extended: bool,
    /// Group of a standard channel.
    pub group_channel_id: Option<u32>,
    /// Target for jobs received from now on.
    pub target: U256,
    /// The device's maximum target (open or last UpdateChannel).
    pub max_target: U256,
    /// Nominal hash rate last declared.
    pub nominal_hash_rate: f32,
    /// Current extranonce prefix.
    pub extranonce_prefix: B032,
    /// Current extranonce size (0 for standard channels).
    pub extranonce_size: u16,
    /// Jobs held (future, active and recent stale ones).
    pub jobs: usize,
    /// Heap bytes held by those jobs.
    pub job_bytes: usize,
    /// Shares awaiting an answer.
    pub pending_shares: usize,
    /// Next sequence number to be assigned (R89).
    pub next_sequence_number: u32,
}

impl ChannelInfo {
    /// Shares per second the channel should produce at its nominal hash rate and current
    /// target (`hashrate · (target + 1) / 2^256`), e.g. to choose a `maximum_target` for
    /// [`MiningClient::update_channel`] or to spot a server sending too hard a target.
    pub fn expected_shares_per_second(&self) -> f64 {
        crate::mining::expected_share_rate(f64::from(self.nominal_hash_rate), self.target)
            .unwrap_or(0.0)
    }

    fn of(ch: &Channel) -> Self {
        ChannelInfo {
            channel_id: ch.id,
            extended: ch.extended,
            group_channel_id: ch.group,
            target: ch.target,
            max_target: ch.max_target,
            nominal_hash_rate: ch.nominal_hash_rate,
            extranonce_prefix: ch.extranonce_prefix,
            extranonce_size: ch.extranonce_size,
            jobs: ch.jobs.len(),
            job_bytes: ch.job_bytes,
            pending_shares: ch.pending.len(),
            next_sequence_number: ch.next_seq,
        }
    }
}
