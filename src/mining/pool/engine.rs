//! The engine: connection, channel, job and share state, driven by the caller.

use super::channel::{
    AckBatch, Channel, Counters, DupFilter, IdBuild, Prefix, PrefixAllocator, PrefixHistory,
};
use super::config::*;
use super::events::*;
use super::job::{serialize_outputs, CoinbaseParts, Job, JobState, TipFields};
use super::policy::{PoolPolicy, TxOut};
use super::vardiff::{self, HashrateEstimator, Vardiff};
use super::{ConnectionId, EngineError};
use crate::codec::{Str0255, B032, U256};
use crate::messages::*;
use crate::mining::{
    hash_meets_target, nbits_to_target, ntime_ok_server, txouts_list_to_flat, version_rolling_ok,
    BlockHeader, MathError,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

/// One client connection, as far as the Mining Protocol is concerned.
#[derive(Debug)]
struct Connection {
    setup_flags: u32,
    success_flags: u32,
    /// The group holding this connection's standard channels (R60); 0 until the first one.
    group_id: u32,
    standard: BTreeSet<u32>,
    extended: BTreeSet<u32>,
    /// Custom job ids, oldest first (bounded by `max_custom_jobs_per_connection`).
    custom_jobs: VecDeque<u32>,
}

impl Connection {
    fn standard_jobs(&self) -> bool {
        self.setup_flags & SETUP_REQUIRES_STANDARD_JOBS != 0
    }
    fn work_selection(&self) -> bool {
        self.setup_flags & SETUP_REQUIRES_WORK_SELECTION != 0
    }
    fn fixed_version(&self) -> bool {
        self.success_flags & SUCCESS_REQUIRES_FIXED_VERSION != 0
    }
    fn channel_count(&self) -> usize {
        self.standard.len() + self.extended.len()
    }
}

/// The current chain tip (from the template provider's SetNewPrevHash).
#[derive(Clone, Copy, Debug)]
struct Tip {
    fields: TipFields,
    /// Hash at or below which a share is a block: the larger of the TDP `target` and the
    /// nBits target, so neither a weak-block target (R140) nor a lower TDP target loses a
    /// valid block.
    solution_target: U256,
    /// Whether channels have been sent a SetNewPrevHash for this tip (else the next job goes
    /// out as a future job followed by SetNewPrevHash, R76).
    announced: bool,
}

/// A share that passed validation.
struct Accepted {
    credited_difficulty: f64,
    share_difficulty: f64,
    block: Option<Box<BlockFound>>,
}

/// The upstream side of the Mining Protocol, sans I/O. See the [module docs](super) for the
/// call order.
pub struct PoolEngine {
    cfg: PoolConfig,
    policy: Box<dyn PoolPolicy>,
    connections: BTreeMap<ConnectionId, Connection>,
    /// Boxed so the map's spare buckets cost a pointer, not a whole channel (the per-channel
    /// memory budget counts them).
    channels: HashMap<u32, Box<Channel>, IdBuild>,
    /// Group channel id → connection (same id namespace as channels, R68).
    groups: HashMap<u32, ConnectionId, IdBuild>,
    next_channel_id: u32,
    prefixes: PrefixAllocator,
    jobs: BTreeMap<u32, Job>,
    next_job_id: u32,
    tip: Option<Tip>,
    /// Bumped by every prevhash; duplicate filters of older epochs are void.
    epoch: u32,
    outgoing: VecDeque<(ConnectionId, Message)>,
    events: VecDeque<PoolEvent>,
    /// `(deadline, channel, ack generation)`, deadlines non-decreasing (monotonic `now`).
    ack_timers: VecDeque<(u64, u32, u32)>,
    /// `(deadline, channel, channel instance)`: one live entry per channel.
    vardiff_timers: VecDeque<(u64, u32, u32)>,
    next_instance: u32,
    blocks_found: u64,
}

fn str0255(s: &str) -> Str0255 {
    Str0255::from(s)
}

fn b032(bytes: &[u8]) -> B032 {
    // Every prefix we build is ≤ 32 bytes (config validation, R88).
    B032::new(bytes).unwrap_or_default()
}

fn ext_job_msg(job: &Job, channel_id: u32, future: bool, rolling: bool, min_ntime: u32) -> Message {
    Message::from(NewExtendedMiningJob {
        channel_id,
        job_id: job.id,
        future_job: future,
        version: job.version,
        version_rolling_allowed: rolling && job.version_rolling_allowed,
        merkle_path: job.merkle_path.clone(),
        coinbase_tx_prefix: job.coinbase_prefix.clone(),
        coinbase_tx_suffix: job.coinbase_suffix.clone(),
        // Only the sri-2023 dialect carries it (instead of future_job).
        min_ntime: (!future).then_some(min_ntime),
    })
}

fn std_job_msg(job: &Job, channel_id: u32, future: bool, root: U256, min_ntime: u32) -> Message {
    Message::NewMiningJob(NewMiningJob {
        channel_id,
        job_id: job.id,
        future_job: future,
        version: job.version,
        merkle_root: root,
        min_ntime: (!future).then_some(min_ntime),
    })
}

fn prevhash_msg(channel_id: u32, job_id: u32, tip: &TipFields) -> Message {
    Message::MiningSetNewPrevHash(MiningSetNewPrevHash {
        channel_id,
        job_id,
        prev_hash: tip.prev_hash,
        min_ntime: tip.min_ntime,
        nbits: tip.nbits,
    })
}

/// The merkle root of `job` for a standard channel, from its cache or computed (and cached).
fn standard_root(ch: &mut Channel, job: &Job) -> Option<U256> {
    if let Some(r) = ch.cached_root(job.id) {
        return Some(r);
    }
    let prefix = *ch.prefix.for_job(job.id)?;
    let root = job.standard_root(prefix.as_slice());
    ch.cache_root(job.id, root);
    Some(root)
}

impl PoolEngine {
    /// A new engine. Nothing is sent until connections open.
    ///
    /// # Errors
    /// [`EngineError::InvalidConfig`] if `cfg` fails [`PoolConfig::validate`].
    pub fn new(cfg: PoolConfig, policy: Box<dyn PoolPolicy>) -> Result<Self, EngineError> {
        cfg.validate()?;
        let prefixes = PrefixAllocator::new(
            cfg.server_id.clone(),
            usize::from(cfg.extranonce_counter_len),
        );
        Ok(PoolEngine {
            cfg,
            policy,
            connections: BTreeMap::new(),
            channels: HashMap::default(),
            groups: HashMap::default(),
            next_channel_id: 1,
            prefixes,
            jobs: BTreeMap::new(),
            next_job_id: 1,
            tip: None,
            epoch: 0,
            outgoing: VecDeque::new(),
            events: VecDeque::new(),
            ack_timers: VecDeque::new(),
            vardiff_timers: VecDeque::new(),
            next_instance: 1,
            blocks_found: 0,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &PoolConfig {
        &self.cfg
    }

    // -----------------------------------------------------------------------------------
    // Connections

    /// A client's `SetupConnection` (protocol 0) arrived with `setup_flags`. Returns the
    /// `SetupConnection.Success.flags` to send.
    ///
    /// # Errors
    /// [`EngineError::UnsupportedFlags`] with the full set of flags the pool refuses (R38):
    /// send `SetupConnection.Error` with those flags and close (R32).
    /// [`EngineError::ConnectionExists`] if `conn` is already open.
    pub fn connection_opened(
        &mut self,
        conn: ConnectionId,
        setup_flags: u32,
    ) -> Result<u32, EngineError> {
        if self.connections.contains_key(&conn) {
            return Err(EngineError::ConnectionExists(conn));
        }
        let mut refused = 0;
        // R41: a fixed-version pool cannot serve a client that needs version rolling.
        if self.cfg.require_fixed_version && setup_flags & SETUP_REQUIRES_VERSION_ROLLING != 0 {
            refused |= SETUP_REQUIRES_VERSION_ROLLING;
        }
        if !self.cfg.allow_work_selection && setup_flags & SETUP_REQUIRES_WORK_SELECTION != 0 {
            refused |= SETUP_REQUIRES_WORK_SELECTION;
        }
        if refused != 0 {
            return Err(EngineError::UnsupportedFlags(refused));
        }
        let mut success_flags = 0;
        if self.cfg.require_fixed_version {
            success_flags |= SUCCESS_REQUIRES_FIXED_VERSION;
        }
        if self.cfg.require_extended_channels {
            success_flags |= SUCCESS_REQUIRES_EXTENDED_CHANNELS;
        }
        self.connections.insert(
            conn,
            Connection {
                setup_flags,
                success_flags,
                group_id: 0,
                standard: BTreeSet::new(),
                extended: BTreeSet::new(),
                custom_jobs: VecDeque::new(),
            },
        );
        Ok(success_flags)
    }

    /// The connection is gone: its channels close (events carry their final statistics),
    /// its custom jobs retire and anything still queued for it is dropped. Unknown
    /// connections are ignored.
    pub fn connection_closed(&mut self, conn: ConnectionId, now_ms: u64) {
        let Some(c) = self.connections.remove(&conn) else {
            return;
        };
        for id in c.standard.iter().chain(c.extended.iter()) {
            if let Some(ch) = self.channels.remove(id) {
                self.events.push_back(PoolEvent::ChannelClosed {
                    conn,
                    channel_id: *id,
                    cause: CloseCause::ConnectionClosed,
                    stats: Box::new(ch.stats(self.cfg.hashrate_window_ms, now_ms)),
                });
            }
        }
        if c.group_id != 0 {
            self.groups.remove(&c.group_id);
        }
        for job in &c.custom_jobs {
            self.jobs.remove(job);
        }
        self.outgoing.retain(|(to, _)| *to != conn);
    }

    // -----------------------------------------------------------------------------------
    // Incoming messages

    /// A Mining Protocol message from `conn`. Replies and broadcasts go to the outgoing
    /// queue, notifications to the event queue.
    ///
    /// Every client message the spec defines is answered as the spec says, including the
    /// protocol-level rejections (`*.Error` messages): those are not `Err`s.
    ///
    /// # Errors
    /// [`EngineError::UnknownConnection`] if `conn` was never opened (or already closed);
    /// [`EngineError::UnexpectedMessage`] for a message a client may not send to a pool
    /// (server-to-client messages, other protocols): the caller should close the connection
    /// (R35). The engine state is unchanged in both cases.
    pub fn handle_message(
        &mut self,
        conn: ConnectionId,
        msg: Message,
        now_ms: u64,
    ) -> Result<(), EngineError> {
        if !self.connections.contains_key(&conn) {
            return Err(EngineError::UnknownConnection(conn));
        }
        match msg {
            Message::OpenStandardMiningChannel(m) => self.open_standard(conn, *m, now_ms),
            Message::OpenExtendedMiningChannel(m) => self.open_extended(conn, *m, now_ms),
            Message::UpdateChannel(m) => self.update_channel(conn, m, now_ms),
            Message::CloseChannel(m) => {
                self.client_close(conn, m, now_ms);
            }
            Message::SubmitSharesStandard(m) => self.submit(
                conn,
                m.channel_id,
                m.sequence_number,
                m.job_id,
                m.nonce,
                m.ntime,
                m.version,
                None,
                now_ms,
            ),
            Message::SubmitSharesExtended(m) => self.submit(
                conn,
                m.channel_id,
                m.sequence_number,
                m.job_id,
                m.nonce,
                m.ntime,
                m.version,
                Some(m.extranonce.as_slice()),
                now_ms,
            ),
            Message::SetCustomMiningJob(m) => self.custom_job(conn, *m, now_ms),
            other => return Err(EngineError::UnexpectedMessage(other.kind().name())),
        }
        Ok(())
    }

    /// Allocates an id unused by any channel or group (R54, R68). Ids are engine-wide, which
    /// makes them connection-unique too; after 2^32 − 1 opens they wrap and skip ids in use.
    fn allocate_id(&mut self) -> Option<u32> {
        // Among n + 1 consecutive candidates at least one is free when n ids are in use.
        let in_use = self.channels.len() + self.groups.len();
        for _ in 0..=in_use {
            let id = self.next_channel_id;
            self.next_channel_id = self.next_channel_id.checked_add(1).unwrap_or(1);
            if id != 0 && !self.channels.contains_key(&id) && !self.groups.contains_key(&id) {
                return Some(id);
            }
        }
        None
    }

    /// The client's `max_target` as the pool uses it (`PoolConfig::client_max_target`).
    fn client_max_target(&self, requested: U256) -> U256 {
        self.cfg.client_max_target.apply(requested)
    }

    fn effective_max_target(&self, client_max: U256) -> U256 {
        self.cfg.max_target.min(client_max)
    }

    /// Common checks of both open requests; `Err(code)` is the OpenMiningChannel.Error code.
    fn open_checks(
        &mut self,
        conn: ConnectionId,
        user: &str,
        kind: ChannelKind,
        max_target: U256,
    ) -> Result<(), &'static str> {
        let c = &self.connections[&conn];
        if kind == ChannelKind::Standard
            && c.success_flags & SUCCESS_REQUIRES_EXTENDED_CHANNELS != 0
        {
            return Err(open_error::STANDARD_CHANNELS_NOT_ALLOWED);
        }
        if c.channel_count() >= self.cfg.max_channels_per_connection as usize {
            return Err(open_error::TOO_MANY_CHANNELS);
        }
        // R58: the initial target must be ≤ max_target; the pool cannot go below min_target.
        if max_target < self.cfg.min_target {
            return Err(open_error::MAX_TARGET_OUT_OF_RANGE);
        }
        if !self.policy.authorize(conn, user, kind) {
            return Err(open_error::UNKNOWN_USER);
        }
        Ok(())
    }

    fn initial_target(&mut self, conn: ConnectionId, user: &str, rate: f32, max: U256) -> U256 {
        let max = self.effective_max_target(max);
        let t = self
            .policy
            .initial_target(conn, user, rate)
            .unwrap_or_else(|| {
                vardiff::target_for_hashrate(
                    &self.cfg.vardiff,
                    f64::from(rate),
                    self.cfg.min_target,
                    max,
                )
            });
        t.clamp(self.cfg.min_target, max)
    }

    #[allow(clippy::too_many_arguments)]
    fn new_channel(
        &mut self,
        conn: ConnectionId,
        id: u32,
        group_id: u32,
        kind: ChannelKind,
        user: Arc<str>,
        prefix: Prefix,
        extranonce_size: u16,
        target: U256,
        max_target: U256,
        now_ms: u64,
    ) {
        let instance = self.next_instance;
        self.next_instance = self.next_instance.wrapping_add(1);
        let ch = Channel {
            conn,
            id,
            group_id,
            kind,
            fixed_version: self
                .connections
                .get(&conn)
                .is_some_and(Connection::fixed_version),
            user,
            prefix: PrefixHistory::new(prefix),
            extranonce_size,
            target,
            target_difficulty: vardiff::difficulty(target),
            previous_target: target,
            target_from_job: 0,
            max_target,
            roots: [(0, U256::ZERO); super::channel::ROOT_CACHE],
            midstate: None,
            vardiff: Vardiff::new(now_ms),
            vardiff_generation: instance,
            ack: AckBatch::default(),
            counters: Counters::default(),
            hashrate: HashrateEstimator::new(now_ms),
            dups: None,
        };
        self.channels.insert(id, Box::new(ch));
        if self.cfg.vardiff.enabled {
            self.vardiff_timers.push_back((
                now_ms + self.cfg.vardiff.check_interval_ms,
                id,
                instance,
            ));
        }
    }

    fn open_standard(&mut self, conn: ConnectionId, m: OpenStandardMiningChannel, now_ms: u64) {
        let user: Arc<str> = Arc::from(m.user_identity.to_string_lossy());
        let refuse = |engine: &mut Self, code: &str| {
            engine.outgoing.push_back((
                conn,
                Message::OpenStandardMiningChannelError(OpenStandardMiningChannelError {
                    request_id: m.request_id,
                    error_code: str0255(code),
                }),
            ));
        };
        let max_target = self.client_max_target(m.max_target);
        if let Err(code) = self.open_checks(conn, &user, ChannelKind::Standard, max_target) {
            return refuse(self, code);
        }
        // A standard channel's prefix fills the whole extranonce area (one coinbase layout
        // for every channel; R80 standard form).
        let Some(prefix) = self
            .prefixes
            .allocate(usize::from(self.cfg.extranonce_total_len))
        else {
            return refuse(self, open_error::EXTRANONCE_SPACE_EXHAUSTED);
        };
        let group_id = match self.connections[&conn].group_id {
            0 => match self.allocate_id() {
                Some(g) => {
                    self.groups.insert(g, conn);
                    if let Some(c) = self.connections.get_mut(&conn) {
                        c.group_id = g;
                    }
                    g
                }
                None => return refuse(self, open_error::CHANNEL_IDS_EXHAUSTED),
            },
            g => g,
        };
        let Some(id) = self.allocate_id() else {
            return refuse(self, open_error::CHANNEL_IDS_EXHAUSTED);
        };
        let target = self.initial_target(conn, &user, m.nominal_hash_rate, max_target);
        self.new_channel(
            conn,
            id,
            group_id,
            ChannelKind::Standard,
            user.clone(),
            prefix,
            0,
            target,
            max_target,
            now_ms,
        );
        if let Some(c) = self.connections.get_mut(&conn) {
            c.standard.insert(id);
        }
        self.outgoing.push_back((
            conn,
            Message::from(OpenStandardMiningChannelSuccess {
                request_id: m.request_id,
                channel_id: id,
                target,
                extranonce_prefix: b032(prefix.as_slice()),
                group_channel_id: group_id,
            }),
        ));
        self.events.push_back(PoolEvent::ChannelOpened {
            conn,
            channel_id: id,
            group_channel_id: Some(group_id),
            kind: ChannelKind::Standard,
            user_identity: user,
            target,
            extranonce_prefix: prefix.as_slice().to_vec(),
        });
        self.send_current_work(conn, id);
    }

    fn open_extended(&mut self, conn: ConnectionId, m: OpenExtendedMiningChannel, now_ms: u64) {
        let user: Arc<str> = Arc::from(m.user_identity.to_string_lossy());
        let refuse = |engine: &mut Self, code: &str| {
            engine.outgoing.push_back((
                conn,
                Message::OpenExtendedMiningChannelError(OpenExtendedMiningChannelError {
                    request_id: m.request_id,
                    error_code: str0255(code),
                }),
            ));
        };
        let max_target = self.client_max_target(m.max_target);
        if let Err(code) = self.open_checks(conn, &user, ChannelKind::Extended, max_target) {
            return refuse(self, code);
        }
        // R61/E24: grant at least min_extranonce_size, within the area (R88).
        let available = self.cfg.max_grantable_extranonce_size();
        let wanted = usize::from(m.min_extranonce_size);
        if wanted > available {
            return refuse(self, open_error::MIN_EXTRANONCE_SIZE_TOO_LARGE);
        }
        let size = wanted
            .max(usize::from(self.cfg.default_extranonce_size))
            .min(available);
        let prefix_len = usize::from(self.cfg.extranonce_total_len) - size;
        let Some(prefix) = self.prefixes.allocate(prefix_len) else {
            return refuse(self, open_error::EXTRANONCE_SPACE_EXHAUSTED);
        };
        let Some(id) = self.allocate_id() else {
            return refuse(self, open_error::CHANNEL_IDS_EXHAUSTED);
        };
        let target = self.initial_target(conn, &user, m.nominal_hash_rate, max_target);
        self.new_channel(
            conn,
            id,
            0,
            ChannelKind::Extended,
            user.clone(),
            prefix,
            size as u16,
            target,
            max_target,
            now_ms,
        );
        if let Some(c) = self.connections.get_mut(&conn) {
            c.extended.insert(id);
        }
        self.outgoing.push_back((
            conn,
            Message::from(OpenExtendedMiningChannelSuccess {
                request_id: m.request_id,
                channel_id: id,
                target,
                extranonce_size: size as u16,
                extranonce_prefix: b032(prefix.as_slice()),
            }),
        ));
        self.events.push_back(PoolEvent::ChannelOpened {
            conn,
            channel_id: id,
            group_channel_id: None,
            kind: ChannelKind::Extended,
            user_identity: user,
            target,
            extranonce_prefix: prefix.as_slice().to_vec(),
        });
        self.send_current_work(conn, id);
    }

    /// Brings a new channel up to date (R76): the active job as a future job followed by a
    /// SetNewPrevHash naming it, then the pending future jobs. Addressed the way later jobs
    /// reach the channel (`broadcast_job`): a standard channel of a connection without
    /// REQUIRES_STANDARD_JOBS gets them through its group (R71), and only if it is the
    /// group's first member, since the others' group already holds the work. (A NewMiningJob
    /// there made SRI's mining proxy, which asked for group jobs, panic.)
    fn send_current_work(&mut self, conn: ConnectionId, channel_id: u32) {
        let Some(c) = self.connections.get(&conn) else {
            return;
        };
        let rolling = !c.fixed_version();
        let Some(ch) = self.channels.get_mut(&channel_id) else {
            return;
        };
        let via_group = ch.kind == ChannelKind::Standard && !c.standard_jobs();
        if via_group && c.standard.len() > 1 {
            return;
        }
        let address = if via_group { c.group_id } else { channel_id };
        let send = |job: &Job, ch: &mut Channel, out: &mut VecDeque<(ConnectionId, Message)>| {
            let msg = match ch.kind {
                _ if via_group => ext_job_msg(job, address, true, rolling, 0),
                ChannelKind::Extended => ext_job_msg(job, channel_id, true, rolling, 0),
                ChannelKind::Standard => match standard_root(ch, job) {
                    Some(root) => std_job_msg(job, channel_id, true, root, 0),
                    None => return,
                },
            };
            out.push_back((conn, msg));
        };
        if let Some(tip) = self.tip.filter(|t| t.announced) {
            let active = self
                .jobs
                .values()
                .rev()
                .find(|j| j.state == JobState::Active && j.owner.is_none());
            if let Some(job) = active {
                send(job, ch, &mut self.outgoing);
                self.outgoing
                    .push_back((conn, prevhash_msg(address, job.id, &tip.fields)));
            }
        }
        for job in self.jobs.values().filter(|j| j.state == JobState::Future) {
            send(job, ch, &mut self.outgoing);
        }
    }

    fn update_channel(&mut self, conn: ConnectionId, m: UpdateChannel, now_ms: u64) {
        let err = |engine: &mut Self, code: &str| {
            engine.outgoing.push_back((
                conn,
                Message::UpdateChannelError(UpdateChannelError {
                    channel_id: m.channel_id,
                    error_code: str0255(code),
                }),
            ));
        };
        match self.channels.get(&m.channel_id) {
            Some(ch) if ch.conn == conn => {}
            _ => return err(self, update_error::INVALID_CHANNEL_ID),
        }
        let maximum_target = self.client_max_target(m.maximum_target);
        if maximum_target < self.cfg.min_target {
            return err(self, update_error::MAX_TARGET_OUT_OF_RANGE);
        }
        // R63: the new maximum bounds the target; the new hash rate re-estimates it.
        let max = self.effective_max_target(maximum_target);
        let target = vardiff::target_for_hashrate(
            &self.cfg.vardiff,
            f64::from(m.nominal_hash_rate),
            self.cfg.min_target,
            max,
        );
        if let Some(ch) = self.channels.get_mut(&m.channel_id) {
            ch.max_target = maximum_target;
            ch.vardiff.restart(now_ms);
        }
        self.apply_target(m.channel_id, target, TargetChangeCause::UpdateChannel);
    }

    /// Sets a channel's target, queues SetTarget and the event, unless unchanged.
    fn apply_target(&mut self, channel_id: u32, target: U256, cause: TargetChangeCause) {
        let next_job = self.next_job_id;
        let oldest_live = self.jobs.keys().next().copied().unwrap_or(next_job);
        let Some(ch) = self.channels.get_mut(&channel_id) else {
            return;
        };
        if ch.target == target {
            return;
        }
        ch.set_target(target, next_job, oldest_live);
        let conn = ch.conn;
        self.outgoing.push_back((
            conn,
            Message::SetTarget(SetTarget {
                channel_id,
                maximum_target: target,
            }),
        ));
        self.events.push_back(PoolEvent::TargetChanged {
            conn,
            channel_id,
            target,
            cause,
        });
    }

    fn remove_channel(&mut self, channel_id: u32, cause: CloseCause, now_ms: u64) -> bool {
        let Some(ch) = self.channels.remove(&channel_id) else {
            return false;
        };
        if let Some(c) = self.connections.get_mut(&ch.conn) {
            c.standard.remove(&channel_id);
            c.extended.remove(&channel_id);
        }
        // Custom jobs of the channel are useless now.
        self.jobs.retain(|_, j| j.owner != Some(channel_id));
        self.events.push_back(PoolEvent::ChannelClosed {
            conn: ch.conn,
            channel_id,
            cause,
            stats: Box::new(ch.stats(self.cfg.hashrate_window_ms, now_ms)),
        });
        true
    }

    fn client_close(&mut self, conn: ConnectionId, m: CloseChannel, now_ms: u64) {
        // R65: nothing more is sent for the channel, not even pending acknowledgements.
        // CloseChannel has no error reply, so an unknown id is ignored.
        if self
            .channels
            .get(&m.channel_id)
            .is_some_and(|c| c.conn == conn)
        {
            self.remove_channel(
                m.channel_id,
                CloseCause::Client(m.reason_code.to_string_lossy()),
                now_ms,
            );
        }
    }

    // -----------------------------------------------------------------------------------
    // Shares

    #[allow(clippy::too_many_arguments)]
    fn submit(
        &mut self,
        conn: ConnectionId,
        channel_id: u32,
        sequence_number: u32,
        job_id: u32,
        nonce: u32,
        ntime: u32,
        version: u32,
        extranonce: Option<&[u8]>,
        now_ms: u64,
    ) {
        match self.validate(
            conn, channel_id, job_id, nonce, ntime, version, extranonce, now_ms,
        ) {
            Ok(acc) => self.accept(conn, channel_id, sequence_number, job_id, acc, now_ms),
            Err(reason) => self.reject(conn, channel_id, sequence_number, reason),
        }
    }

    /// R93, in its order: channel, job, nTime, version, extranonce size, target, duplicate.
    #[allow(clippy::too_many_arguments)]
    fn validate(
        &mut self,
        conn: ConnectionId,
        channel_id: u32,
        job_id: u32,
        nonce: u32,
        ntime: u32,
        version: u32,
        extranonce: Option<&[u8]>,
        now_ms: u64,
    ) -> Result<Accepted, RejectReason> {
        use RejectReason as R;
        let ch = match self.channels.get_mut(&channel_id) {
            Some(ch) if ch.conn == conn => ch,
            _ => return Err(R::InvalidChannelId),
        };
        // R94: the submit type must match the channel type.
        match (ch.kind, extranonce) {
            (ChannelKind::Standard, None) | (ChannelKind::Extended, Some(_)) => {}
            _ => return Err(R::InvalidChannelId),
        }
        let Some(job) = self.jobs.get(&job_id) else {
            // Ids are issued in increasing order: a known-but-gone id retired (stale).
            return Err(if job_id == 0 || job_id >= self.next_job_id {
                R::InvalidJobId
            } else {
                R::StaleShare
            });
        };
        if job.owner.is_some_and(|o| o != channel_id) || job.state == JobState::Future {
            return Err(R::InvalidJobId);
        }
        let (tip, solution_target) = match (job.custom_tip, self.tip) {
            (Some(t), _) => (t, nbits_to_target(t.nbits).unwrap_or(U256::ZERO)),
            (None, Some(t)) => (t.fields, t.solution_target),
            (None, None) => return Err(R::StaleShare),
        };
        // R147/E22: from min_ntime up to the once-per-second roll plus the consensus slack.
        let elapsed_s =
            (now_ms.saturating_sub(tip.received_ms) / 1000).min(u64::from(u32::MAX)) as u32;
        let now_unix = tip.min_ntime.saturating_add(elapsed_s);
        if !ntime_ok_server(
            ntime,
            tip.min_ntime,
            elapsed_s,
            self.cfg.ntime_future_slack_secs,
            now_unix,
        ) {
            return Err(R::NtimeOutOfRange);
        }
        // R148/R149/R42.
        if !version_rolling_ok(
            job.version,
            version,
            !ch.fixed_version && job.version_rolling_allowed,
        ) {
            return Err(R::VersionNotAllowed);
        }
        let root = match extranonce {
            Some(en) => {
                // R95.
                if en.len() != usize::from(ch.extranonce_size) {
                    return Err(R::InvalidExtranonceSize);
                }
                let prefix = ch.prefix.for_job(job_id).ok_or(R::StaleShare)?;
                job.extended_root(prefix.as_slice(), en)
            }
            None => standard_root(ch, job).ok_or(R::StaleShare)?,
        };
        let header = BlockHeader::new(version, tip.prev_hash, root, ntime, tip.nbits, nonce);
        let hash = if extranonce.is_none() {
            // Standard channel: the first 64 header bytes depend only on (job, version) here.
            let key = (self.epoch, job_id, version);
            let mid = match ch.midstate {
                Some((e, j, v, m)) if (e, j, v) == key => m,
                _ => {
                    let m = header.midstate();
                    ch.midstate = Some((key.0, key.1, key.2, m));
                    m
                }
            };
            mid.hash(&header.tail())
        } else {
            header.hash()
        };
        // R98, R100.
        let target = ch.target_for_job(job_id);
        if !hash_meets_target(hash, target) {
            return Err(R::DifficultyTooLow);
        }
        // R93g: the header hash identifies the share (different channels have different
        // prefixes, hence different headers), so 8 of its random low bytes fingerprint it.
        let mut fp_bytes = [0u8; 8];
        fp_bytes.copy_from_slice(&hash.0[..8]);
        let fp = u64::from_le_bytes(fp_bytes);
        let dups = ch.dups.get_or_insert_with(Box::<DupFilter>::default);
        if !dups.insert(self.epoch, fp, self.cfg.duplicate_window) {
            return Err(R::DuplicateShare);
        }
        let credited = if hash_meets_target(hash, ch.target) {
            ch.target
        } else {
            target
        };
        let block = if hash_meets_target(hash, solution_target) {
            let mut area = [0u8; 64];
            let prefix = ch.prefix.for_job(job_id).ok_or(R::StaleShare)?;
            let p = prefix.as_slice();
            let en = extranonce.unwrap_or(&[]);
            area[..p.len()].copy_from_slice(p);
            area[p.len()..p.len() + en.len()].copy_from_slice(en);
            let coinbase_tx = job
                .parts
                .full_tx(&area[..p.len() + en.len()])
                .unwrap_or_default();
            Some(Box::new(BlockFound {
                conn,
                channel_id,
                user_identity: ch.user.clone(),
                job_id,
                template_id: job.template_id,
                header: *header.as_bytes(),
                block_hash: hash,
                submit_solution: job.template_id.map(|template_id| SubmitSolution {
                    template_id,
                    version,
                    header_timestamp: ntime,
                    header_nonce: nonce,
                    coinbase_tx: coinbase_tx.clone(),
                }),
                coinbase_tx,
            }))
        } else {
            None
        };
        let credited_difficulty = if credited == ch.target {
            ch.target_difficulty
        } else {
            vardiff::difficulty(credited)
        };
        Ok(Accepted {
            credited_difficulty,
            share_difficulty: vardiff::hash_difficulty(&hash),
            block,
        })
    }

    fn accept(
        &mut self,
        conn: ConnectionId,
        channel_id: u32,
        sequence_number: u32,
        job_id: u32,
        acc: Accepted,
        now_ms: u64,
    ) {
        let window = self.cfg.hashrate_window_ms;
        let Some(ch) = self.channels.get_mut(&channel_id) else {
            return;
        };
        ch.counters.accepted += 1;
        ch.counters.accepted_difficulty += acc.credited_difficulty;
        if acc.share_difficulty > ch.counters.best_difficulty {
            ch.counters.best_difficulty = acc.share_difficulty;
        }
        ch.hashrate.add(window, now_ms, acc.credited_difficulty);
        ch.vardiff.shares = ch.vardiff.shares.saturating_add(1);
        // R90: batch the acknowledgement.
        ch.ack.last_sequence_number = sequence_number;
        ch.ack.count += 1;
        ch.ack.difficulty_sum += acc.credited_difficulty;
        if ch.ack.count == 1 {
            self.ack_timers.push_back((
                now_ms + self.cfg.ack_flush_ms,
                channel_id,
                ch.ack.generation,
            ));
        }
        // Only pay for the reference count when the event is wanted.
        let user = self.cfg.share_events.then(|| ch.user.clone());
        let full = ch.ack.count >= self.cfg.ack_batch_size;
        if let Some(block) = acc.block {
            ch.counters.blocks += 1;
            self.blocks_found += 1;
            // The finder learns at once (and the block event follows the acknowledgement).
            self.flush_ack(channel_id);
            self.events.push_back(PoolEvent::BlockFound(block));
        } else if full {
            self.flush_ack(channel_id);
        }
        if let Some(user) = user {
            self.events.push_back(PoolEvent::ShareAccepted {
                conn,
                channel_id,
                user_identity: user,
                job_id,
                sequence_number,
                credited_difficulty: acc.credited_difficulty,
                share_difficulty: acc.share_difficulty,
            });
        }
        self.run_vardiff(channel_id, now_ms);
    }

    fn reject(
        &mut self,
        conn: ConnectionId,
        channel_id: u32,
        sequence_number: u32,
        reason: RejectReason,
    ) {
        if let Some(ch) = self
            .channels
            .get_mut(&channel_id)
            .filter(|c| c.conn == conn)
        {
            ch.counters.rejected[reason as usize] =
                ch.counters.rejected[reason as usize].saturating_add(1);
            // R91: the batch goes out before the error, so the miner sees results in order.
            self.flush_ack(channel_id);
        }
        self.outgoing.push_back((
            conn,
            Message::SubmitSharesError(SubmitSharesError {
                channel_id,
                sequence_number,
                error_code: str0255(reason.code()),
            }),
        ));
        self.events.push_back(PoolEvent::ShareRejected {
            conn,
            channel_id,
            sequence_number,
            reason,
        });
    }

    /// Sends the channel's pending SubmitShares.Success, if any (R90, E25).
    fn flush_ack(&mut self, channel_id: u32) {
        let Some(ch) = self.channels.get_mut(&channel_id) else {
            return;
        };
        let ack = &mut ch.ack;
        if ack.count == 0 {
            return;
        }
        // new_shares_sum: sum of credited difficulty (E25), integer; the fraction carries.
        let total = ack.difficulty_sum + ack.carry;
        let whole = total.floor().clamp(0.0, u64::MAX as f64);
        ack.carry = total - whole;
        let msg = SubmitSharesSuccess {
            channel_id,
            last_sequence_number: ack.last_sequence_number,
            new_submits_accepted_count: ack.count,
            new_shares_sum: whole as u64,
        };
        ack.count = 0;
        ack.difficulty_sum = 0.0;
        ack.generation = ack.generation.wrapping_add(1);
        self.outgoing
            .push_back((ch.conn, Message::SubmitSharesSuccess(msg)));
    }

    fn run_vardiff(&mut self, channel_id: u32, now_ms: u64) {
        if !self.cfg.vardiff.enabled {
            return;
        }
        let (min_t, max_t) = (self.cfg.min_target, self.cfg.max_target);
        let Some(ch) = self.channels.get_mut(&channel_id) else {
            return;
        };
        let max = max_t.min(ch.max_target);
        if let Some(t) = ch
            .vardiff
            .evaluate(&self.cfg.vardiff, now_ms, ch.target, min_t, max)
        {
            self.apply_target(channel_id, t, TargetChangeCause::Vardiff);
        }
    }

    // -----------------------------------------------------------------------------------
    // Custom jobs

    fn custom_job(&mut self, conn: ConnectionId, m: SetCustomMiningJob, now_ms: u64) {
        match self.custom_job_inner(conn, &m, now_ms) {
            Ok(msg) => self.outgoing.push_back((conn, msg)),
            Err(code) => self.outgoing.push_back((
                conn,
                Message::SetCustomMiningJobError(SetCustomMiningJobError {
                    channel_id: m.channel_id,
                    request_id: m.request_id,
                    error_code: str0255(&code),
                }),
            )),
        }
    }

    fn custom_job_inner(
        &mut self,
        conn: ConnectionId,
        m: &SetCustomMiningJob,
        now_ms: u64,
    ) -> Result<Message, String> {
        let param = |field: &str| format!("invalid-job-param-value-{field}");
        let c = &self.connections[&conn];
        if !c.work_selection() {
            return Err(custom_job_error::WORK_SELECTION_NOT_NEGOTIATED.into());
        }
        let rolling = !c.fixed_version();
        let ch = match self.channels.get(&m.channel_id) {
            Some(ch) if ch.conn == conn && ch.kind == ChannelKind::Extended => ch,
            _ => return Err(custom_job_error::INVALID_CHANNEL_ID.into()),
        };
        let user = ch.user.clone();
        let extranonce_size = ch.extranonce_size;
        if !self
            .policy
            .validate_mining_job_token(conn, m.channel_id, &user, &m.mining_job_token, m)
        {
            return Err(custom_job_error::INVALID_MINING_JOB_TOKEN.into());
        }
        if m.future_job {
            return Err(param("future_job")); // R114
        }
        if m.coinbase_prefix.len() > 8 {
            return Err(param("coinbase_prefix")); // R113
        }
        if m.extranonce_size != extranonce_size {
            return Err(param("extranonce_size")); // E34
        }
        // E47: custom jobs must build on the pool's current tip.
        let tip = self.tip.ok_or_else(|| param("prev_hash"))?;
        if m.prev_hash != tip.fields.prev_hash {
            return Err(param("prev_hash"));
        }
        if m.nbits != tip.fields.nbits {
            return Err(param("nbits"));
        }
        let (outputs, count) = txouts_list_to_flat(&m.coinbase_tx_outputs)
            .map_err(|_| param("coinbase_tx_outputs"))?;
        // The client's outputs carry the whole value (the pool's payout is part of what the
        // token vouches for); checking them as "pool outputs" bounds their sum by
        // coinbase_tx_value_remaining.
        let parts = CoinbaseParts {
            tx_version: m.coinbase_tx_version,
            script_sig_prefix: m.coinbase_prefix.clone(),
            extranonce_len: usize::from(self.cfg.extranonce_total_len),
            script_sig_suffix: self.cfg.coinbase_tag.clone(),
            input_sequence: m.coinbase_tx_input_n_sequence,
            value_remaining: m.coinbase_tx_value_remaining,
            pool_outputs: outputs,
            template_outputs: Vec::new(),
            template_outputs_count: 0,
            locktime: m.coinbase_tx_locktime,
        };
        let _ = count;
        let id = self.take_job_id().ok_or_else(|| param("request_id"))?;
        let mut job = Job::build(id, None, m.version, rolling, parts, m.merkle_path.clone())
            .map_err(|e| match e {
                MathError::ScriptSigLength(_) => param("coinbase_prefix"),
                MathError::ValueExceedsRemaining { .. } => param("coinbase_tx_value_remaining"),
                _ => param("coinbase_tx_outputs"),
            })?;
        job.owner = Some(m.channel_id);
        job.owner_conn = Some(conn);
        job.custom_tip = Some(TipFields {
            prev_hash: m.prev_hash,
            min_ntime: m.min_ntime,
            nbits: m.nbits,
            received_ms: now_ms,
        });
        let reply = Message::SetCustomMiningJobSuccess(SetCustomMiningJobSuccess {
            channel_id: m.channel_id,
            request_id: m.request_id,
            job_id: id,
            coinbase_tx_prefix: job.coinbase_prefix.clone(),
            coinbase_tx_suffix: job.coinbase_suffix.clone(),
        });
        self.jobs.insert(id, job);
        let cap = self.cfg.max_custom_jobs_per_connection.max(1);
        if let Some(c) = self.connections.get_mut(&conn) {
            c.custom_jobs.push_back(id);
            while c.custom_jobs.len() > cap {
                if let Some(old) = c.custom_jobs.pop_front() {
                    self.jobs.remove(&old);
                }
            }
        }
        Ok(reply)
    }

    fn take_job_id(&mut self) -> Option<u32> {
        // Job ids only grow (staleness and R100/R86 bookkeeping compare them); 2^32 − 1 jobs
        // is more than a century at one per second.
        let id = self.next_job_id;
        self.next_job_id = self.next_job_id.checked_add(1)?;
        Some(id)
    }

    // -----------------------------------------------------------------------------------
    // Templates and prevhash

    /// A block template (TDP NewTemplate, 06 §6.2). Builds the job (coinbase with the pool's
    /// outputs, split around the extranonce area) and sends it: one NewExtendedMiningJob per
    /// group and per extended channel, one NewMiningJob per standard channel of connections
    /// with REQUIRES_STANDARD_JOBS (R44, R73, R79). A future template is sent as a future job
    /// (R78); a non-future one is active at once (sent as future + SetNewPrevHash if the
    /// channels have not seen the current prevhash yet, R76). Returns the job id.
    ///
    /// # Errors
    /// [`EngineError::NoPrevHash`] for a non-future template before any prevhash;
    /// [`EngineError::InvalidTemplate`] if the coinbase cannot be built;
    /// [`EngineError::JobIdsExhausted`]. Nothing changes on error.
    pub fn new_template(&mut self, t: NewTemplate, now_ms: u64) -> Result<u32, EngineError> {
        let _ = now_ms;
        if !t.future_template && self.tip.is_none() {
            return Err(EngineError::NoPrevHash);
        }
        let outputs = self.policy.coinbase_outputs(&t).unwrap_or_else(|| {
            vec![TxOut {
                value: t.coinbase_tx_value_remaining,
                script_pubkey: self.cfg.payout_script.clone(),
            }]
        });
        let parts = CoinbaseParts {
            tx_version: t.coinbase_tx_version,
            script_sig_prefix: t.coinbase_prefix,
            extranonce_len: usize::from(self.cfg.extranonce_total_len),
            script_sig_suffix: self.cfg.coinbase_tag.clone(),
            input_sequence: t.coinbase_tx_input_sequence,
            value_remaining: t.coinbase_tx_value_remaining,
            pool_outputs: serialize_outputs(&outputs),
            template_outputs: t.coinbase_tx_outputs,
            template_outputs_count: t.coinbase_tx_outputs_count,
            locktime: t.coinbase_tx_locktime,
        };
        // Validate before taking an id so nothing changes on error.
        parts
            .builder()
            .layout()
            .map_err(EngineError::InvalidTemplate)?;
        let id = self.next_job_id;
        if id == u32::MAX {
            return Err(EngineError::JobIdsExhausted);
        }
        let mut job = Job::build(
            id,
            Some(t.template_id),
            t.version,
            !self.cfg.require_fixed_version,
            parts,
            t.merkle_path,
        )
        .map_err(EngineError::InvalidTemplate)?;
        self.next_job_id += 1;
        if t.future_template {
            job.state = JobState::Future;
            self.jobs.insert(id, job);
            self.retire_excess(JobState::Future, self.cfg.max_future_jobs);
            self.broadcast_job(id, true);
        } else {
            self.jobs.insert(id, job);
            self.retire_excess(JobState::Active, self.cfg.max_active_jobs);
            let announced = self.tip.is_some_and(|t| t.announced);
            if announced {
                self.broadcast_job(id, false);
            } else {
                self.broadcast_job(id, true);
                self.broadcast_prevhash(id);
                if let Some(t) = self.tip.as_mut() {
                    t.announced = true;
                }
            }
        }
        Ok(id)
    }

    /// Retires the oldest template jobs in `state` beyond `keep`.
    fn retire_excess(&mut self, state: JobState, keep: usize) {
        let ids: Vec<u32> = self
            .jobs
            .values()
            .filter(|j| j.state == state && j.owner.is_none())
            .map(|j| j.id)
            .collect();
        if ids.len() > keep {
            for id in &ids[..ids.len() - keep] {
                self.jobs.remove(id);
            }
        }
    }

    /// The template provider's SetNewPrevHash (06 §6.3): every job but the future job of
    /// `template_id` goes stale (R105, R139), and channels get SetNewPrevHash naming it,
    /// once per group (R103).
    ///
    /// # Errors
    /// [`EngineError::UnknownTemplate`] if no future job came from `template_id`. The new
    /// prevhash is still in force (every old job is stale, since the network moved on); the
    /// next non-future template is sent with a SetNewPrevHash.
    pub fn set_prev_hash(&mut self, p: TdpSetNewPrevHash, now_ms: u64) -> Result<(), EngineError> {
        let nbits_target = nbits_to_target(p.n_bits).unwrap_or(U256::ZERO);
        let fields = TipFields {
            prev_hash: p.prev_hash,
            min_ntime: p.header_timestamp,
            nbits: p.n_bits,
            received_ms: now_ms,
        };
        self.tip = Some(Tip {
            fields,
            solution_target: nbits_target.max(p.target),
            announced: false,
        });
        self.epoch = self.epoch.wrapping_add(1);
        let activated = self
            .jobs
            .values()
            .rev()
            .find(|j| j.state == JobState::Future && j.template_id == Some(p.template_id))
            .map(|j| j.id);
        self.jobs.retain(|id, _| Some(*id) == activated);
        for c in self.connections.values_mut() {
            c.custom_jobs.clear();
        }
        let Some(id) = activated else {
            return Err(EngineError::UnknownTemplate(p.template_id));
        };
        if let Some(job) = self.jobs.get_mut(&id) {
            job.state = JobState::Active;
        }
        self.broadcast_prevhash(id);
        if let Some(t) = self.tip.as_mut() {
            t.announced = true;
        }
        Ok(())
    }

    /// Sends job `id` to every channel, the cheapest way each connection allows.
    fn broadcast_job(&mut self, id: u32, future: bool) {
        let PoolEngine {
            connections,
            channels,
            jobs,
            outgoing,
            tip,
            ..
        } = self;
        let Some(job) = jobs.get(&id) else {
            return;
        };
        let min_ntime = tip.map(|t| t.fields.min_ntime).unwrap_or(0);
        for (&conn, c) in connections.iter() {
            let rolling = !c.fixed_version();
            if !c.standard.is_empty() {
                if c.standard_jobs() {
                    // R44/R79: per-channel merkle roots, cached for the share check.
                    for ch_id in &c.standard {
                        if let Some(ch) = channels.get_mut(ch_id) {
                            if let Some(root) = standard_root(ch, job) {
                                outgoing.push_back((
                                    conn,
                                    std_job_msg(job, *ch_id, future, root, min_ntime),
                                ));
                            }
                        }
                    }
                } else {
                    // One message for the whole group (R71); roots are computed lazily
                    // at the first share of each channel.
                    outgoing.push_back((
                        conn,
                        ext_job_msg(job, c.group_id, future, rolling, min_ntime),
                    ));
                }
            }
            for ch_id in &c.extended {
                outgoing.push_back((conn, ext_job_msg(job, *ch_id, future, rolling, min_ntime)));
            }
        }
    }

    fn broadcast_prevhash(&mut self, id: u32) {
        let Some(tip) = self.tip else {
            return;
        };
        for (&conn, c) in self.connections.iter() {
            if !c.standard.is_empty() {
                if c.standard_jobs() {
                    for ch_id in &c.standard {
                        self.outgoing
                            .push_back((conn, prevhash_msg(*ch_id, id, &tip.fields)));
                    }
                } else {
                    self.outgoing
                        .push_back((conn, prevhash_msg(c.group_id, id, &tip.fields)));
                }
            }
            for ch_id in &c.extended {
                self.outgoing
                    .push_back((conn, prevhash_msg(*ch_id, id, &tip.fields)));
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Server-initiated messages

    fn own_channel(&self, conn: ConnectionId, channel_id: u32) -> Result<&Channel, EngineError> {
        match self.channels.get(&channel_id) {
            Some(ch) if ch.conn == conn => Ok(ch),
            _ => Err(EngineError::UnknownChannel(channel_id)),
        }
    }

    /// Sets a channel's target (clamped to the channel's `max_target` and the pool's bounds)
    /// and sends SetTarget. Returns the target set.
    ///
    /// # Errors
    /// [`EngineError::UnknownChannel`].
    pub fn set_target(
        &mut self,
        conn: ConnectionId,
        channel_id: u32,
        target: U256,
        now_ms: u64,
    ) -> Result<U256, EngineError> {
        let ch = self.own_channel(conn, channel_id)?;
        let t = target.clamp(self.cfg.min_target, self.cfg.max_target.min(ch.max_target));
        if let Some(ch) = self.channels.get_mut(&channel_id) {
            ch.vardiff.restart(now_ms);
        }
        self.apply_target(channel_id, t, TargetChangeCause::Api);
        Ok(t)
    }

    /// Gives a channel a fresh extranonce prefix of the same length (R87) and sends
    /// SetExtranoncePrefix. Jobs sent before keep the old prefix (R86); the new one applies
    /// to jobs sent from now on. Returns the new prefix.
    ///
    /// # Errors
    /// [`EngineError::UnknownChannel`]; [`EngineError::ExtranonceSpaceExhausted`].
    pub fn set_extranonce_prefix(
        &mut self,
        conn: ConnectionId,
        channel_id: u32,
    ) -> Result<Vec<u8>, EngineError> {
        let len = self
            .own_channel(conn, channel_id)?
            .prefix
            .current
            .as_slice()
            .len();
        let prefix = self
            .prefixes
            .allocate(len)
            .ok_or(EngineError::ExtranonceSpaceExhausted)?;
        let next_job = self.next_job_id;
        if let Some(ch) = self.channels.get_mut(&channel_id) {
            ch.prefix.change(prefix, next_job);
        }
        self.outgoing.push_back((
            conn,
            Message::SetExtranoncePrefix(SetExtranoncePrefix {
                channel_id,
                extranonce_prefix: b032(prefix.as_slice()),
            }),
        ));
        Ok(prefix.as_slice().to_vec())
    }

    /// Sends Reconnect (04 §4.3.22; empty host / port 0 mean "the same", R117). The caller
    /// closes the connection once it is flushed.
    ///
    /// # Errors
    /// [`EngineError::UnknownConnection`]; [`EngineError::InvalidArgument`] if `new_host` is
    /// longer than 255 bytes.
    pub fn reconnect(
        &mut self,
        conn: ConnectionId,
        new_host: &str,
        new_port: u16,
    ) -> Result<(), EngineError> {
        if !self.connections.contains_key(&conn) {
            return Err(EngineError::UnknownConnection(conn));
        }
        if new_host.len() > 255 {
            return Err(EngineError::InvalidArgument(
                "new_host longer than 255 bytes",
            ));
        }
        self.outgoing.push_back((
            conn,
            Message::Reconnect(Reconnect {
                new_host: str0255(new_host),
                new_port,
            }),
        ));
        Ok(())
    }

    /// Closes a channel from the pool side: pending acknowledgements go out, then
    /// CloseChannel (E36); the channel's state is dropped.
    ///
    /// # Errors
    /// [`EngineError::UnknownChannel`]; [`EngineError::InvalidArgument`] if `reason_code` is
    /// longer than 255 bytes or holds control characters (R152).
    pub fn close_channel(
        &mut self,
        conn: ConnectionId,
        channel_id: u32,
        reason_code: &str,
        now_ms: u64,
    ) -> Result<(), EngineError> {
        self.own_channel(conn, channel_id)?;
        if reason_code.len() > 255 || reason_code.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err(EngineError::InvalidArgument(
                "reason_code must be printable and <= 255 bytes",
            ));
        }
        self.flush_ack(channel_id);
        self.outgoing.push_back((
            conn,
            Message::CloseChannel(CloseChannel {
                channel_id,
                reason_code: str0255(reason_code),
            }),
        ));
        self.remove_channel(
            channel_id,
            CloseCause::Server(reason_code.to_string()),
            now_ms,
        );
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Output, time, statistics

    /// The next message to send, in order.
    pub fn next_outgoing(&mut self) -> Option<(ConnectionId, Message)> {
        self.outgoing.pop_front()
    }

    /// Moves every queued message into `out` (in order). Cheaper than `next_outgoing` in a
    /// loop for large broadcasts.
    pub fn drain_outgoing(&mut self, out: &mut Vec<(ConnectionId, Message)>) {
        out.extend(self.outgoing.drain(..));
    }

    /// Number of queued messages.
    pub fn outgoing_len(&self) -> usize {
        self.outgoing.len()
    }

    /// The next event.
    pub fn next_event(&mut self) -> Option<PoolEvent> {
        self.events.pop_front()
    }

    /// When `handle_timeout` should be called next (milliseconds on the caller's clock).
    pub fn poll_timeout(&self) -> Option<u64> {
        let a = self.ack_timers.front().map(|t| t.0);
        let v = self.vardiff_timers.front().map(|t| t.0);
        match (a, v) {
            (Some(a), Some(v)) => Some(a.min(v)),
            (a, v) => a.or(v),
        }
    }

    /// Runs the timers due at `now_ms`: acknowledgement batches older than `ack_flush_ms`
    /// are flushed, idle channels are checked by vardiff.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        while let Some(&(deadline, ch_id, generation)) = self.ack_timers.front() {
            if deadline > now_ms {
                break;
            }
            self.ack_timers.pop_front();
            if self
                .channels
                .get(&ch_id)
                .is_some_and(|c| c.ack.generation == generation)
            {
                self.flush_ack(ch_id);
            }
        }
        while let Some(&(deadline, ch_id, instance)) = self.vardiff_timers.front() {
            if deadline > now_ms {
                break;
            }
            self.vardiff_timers.pop_front();
            if self
                .channels
                .get(&ch_id)
                .is_some_and(|c| c.vardiff_generation == instance)
            {
                self.run_vardiff(ch_id, now_ms);
                self.vardiff_timers.push_back((
                    now_ms + self.cfg.vardiff.check_interval_ms,
                    ch_id,
                    instance,
                ));
            }
        }
    }

    /// Accounting for one channel.
    pub fn channel_stats(
        &self,
        conn: ConnectionId,
        channel_id: u32,
        now_ms: u64,
    ) -> Option<ChannelStats> {
        self.own_channel(conn, channel_id)
            .ok()
            .map(|ch| ch.stats(self.cfg.hashrate_window_ms, now_ms))
    }

    /// Every channel's accounting and the pool totals.
    pub fn snapshot(&self, now_ms: u64) -> PoolSnapshot {
        let mut channels: Vec<ChannelStats> = self
            .channels
            .values()
            .map(|ch| ch.stats(self.cfg.hashrate_window_ms, now_ms))
            .collect();
        channels.sort_by_key(|s| (s.conn, s.channel_id));
        PoolSnapshot {
            connections: self.connections.len(),
            // Folded from +0.0: `sum()` of no f64 is -0.0, which reports print as "-0".
            total_hashrate: channels.iter().fold(0.0, |total, s| total + s.hashrate),
            channels,
            prev_hash: self.tip.map(|t| t.fields.prev_hash),
            nbits: self.tip.map(|t| t.fields.nbits),
            active_job_id: self
                .jobs
                .values()
                .rev()
                .find(|j| j.state == JobState::Active && j.owner.is_none())
                .map(|j| j.id),
            blocks_found: self.blocks_found,
        }
    }

    /// The hardest (lowest) current share target of the open channels, if any.
    pub fn hardest_share_target(&self) -> Option<U256> {
        self.channels.values().map(|ch| ch.target).min()
    }

    /// Number of open channels.
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Ids of the channels open on `conn` (standard, then extended).
    pub fn channels_of(&self, conn: ConnectionId) -> Vec<u32> {
        self.connections
            .get(&conn)
            .map(|c| {
                c.standard
                    .iter()
                    .chain(c.extended.iter())
                    .copied()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The group channel of `conn`'s standard channels, once one exists.
    pub fn group_of(&self, conn: ConnectionId) -> Option<u32> {
        self.connections
            .get(&conn)
            .map(|c| c.group_id)
            .filter(|g| *g != 0)
    }
}

impl std::fmt::Debug for PoolEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolEngine")
            .field("connections", &self.connections.len())
            .field("channels", &self.channels.len())
            .field("jobs", &self.jobs.len())
            .field("next_job_id", &self.next_job_id)
            .field("outgoing", &self.outgoing.len())
            .field("events", &self.events.len())
            .finish()
    }
}
