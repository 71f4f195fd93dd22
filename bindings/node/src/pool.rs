//! The pool: `PoolServer` (one session per downstream connection + the pool engine: channels,
//! jobs from templates, share validation, vardiff, accounting), its events and snapshots, and a
//! synthetic template source for demos and tests.

use crate::conv::{bytes_out, u256_of, u256_out};
use crate::errors::{invalid, js, Result, UNEXPECTED_MESSAGE};
use crate::messages_generated::{from_js, to_js, Message};
use crate::now_or;
use crate::session::{close_reason, core_server_config, CloseReason, PoolTraceHook, ServerConfig};
use napi::bindgen_prelude::FnArgs;
use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi::Env;
use napi_derive::napi;
use sv2::messages::Message as CoreMessage;
use sv2::mining::pool::{
    ChannelKind, ChannelStats as CoreStats, ClientMaxTarget as CoreClientMaxTarget, CloseCause,
    OpenPolicy, PoolConfig as CorePoolConfig, PoolEvent, RejectReason,
    SyntheticTemplateSource as CoreSource, TargetChangeCause,
};
use sv2::mining::pool_server::{PoolServer as CorePoolServer, PoolServerEvent as CoreEvent};

/// Variable difficulty settings.
#[napi(object)]
pub struct VardiffConfig {
    /// Turn the controller off (default on).
    pub enabled: Option<bool>,
    /// Share rate each channel is steered to, per minute (default 10).
    pub shares_per_minute: Option<f64>,
    /// No rate-based change before a window is this old (default 30000).
    pub min_window_ms: Option<f64>,
    /// A window is always evaluated at this age (default 300000).
    pub max_window_ms: Option<f64>,
    /// Idle channels are checked this often (default 60000).
    pub check_interval_ms: Option<f64>,
}

/// What the pool does with the `maxTarget` clients send (a deployment choice; some devices
/// ask for more difficulty than they can do).
#[napi(string_enum)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientMaxTarget {
    /// Never set a target easier than the client's (the spec; the default).
    #[napi(value = "honour")]
    Honour,
    /// Disregard it: targets follow the pool's bounds and vardiff only.
    #[napi(value = "ignore")]
    Ignore,
    /// Honour it up to `clientMaxDifficultyCap`: a client asking for more counts as the cap.
    #[napi(value = "cap")]
    Cap,
}

/// Pool engine settings (everything optional; defaults as in the Rust `PoolConfig`).
#[napi(object)]
pub struct PoolConfig {
    /// Leading bytes of every extranonce prefix (a server id).
    pub server_id: Option<Uint8Array>,
    /// Size of the coinbase extranonce area (default 16, at most 32).
    pub extranonce_total_len: Option<u32>,
    /// Extranonce granted to extended channels asking for less (default 8).
    pub default_extranonce_size: Option<u32>,
    /// Bytes after the extranonce in the scriptSig (default `/libsv2/`).
    pub coinbase_tag: Option<Uint8Array>,
    /// scriptPubKey paid by the coinbase (default OP_TRUE: regtest only).
    pub payout_script: Option<Uint8Array>,
    /// Refuse standard channels.
    pub require_extended_channels: Option<bool>,
    /// Refuse version rolling.
    pub require_fixed_version: Option<bool>,
    /// Easiest difficulty the pool sets (default: any).
    pub min_difficulty: Option<f64>,
    /// Hardest difficulty the pool sets.
    pub max_difficulty: Option<f64>,
    /// Shares acknowledged by one SubmitShares.Success at most (default 32).
    pub ack_batch_size: Option<u32>,
    /// A batch is flushed at most this long after its first share (default 1000).
    pub ack_flush_ms: Option<f64>,
    /// Rolling window of the engine's hash-rate estimate (default 600000).
    pub hashrate_window_ms: Option<f64>,
    /// Emit a ShareAccepted event per share (default true).
    pub share_events: Option<bool>,
    /// Channels one connection may hold.
    pub max_channels_per_connection: Option<u32>,
    /// Variable difficulty.
    pub vardiff: Option<VardiffConfig>,
    /// Accept clients that set REQUIRES_WORK_SELECTION (default false; SRI's mining proxy
    /// always sets it). Without a token policy their custom jobs are refused.
    pub allow_work_selection: Option<bool>,
    /// What to do with the clients' `maxTarget` (default `'honour'`).
    pub client_max_target: Option<ClientMaxTarget>,
    /// With `clientMaxTarget: 'cap'`: the highest difficulty a client's `maxTarget` can make
    /// the pool set.
    pub client_max_difficulty_cap: Option<f64>,
    /// Synthetic templates only (`nextSyntheticBlock`): the made-up network target is this
    /// many times harder than the hardest share target (>= 1, default 1000: about one share
    /// in 1000 is a block).
    pub block_difficulty_factor: Option<f64>,
}

fn core_pool_config(c: Option<PoolConfig>) -> Result<CorePoolConfig> {
    let mut p = CorePoolConfig::default();
    let Some(c) = c else { return Ok(p) };
    let small =
        |v: u32, what: &str| u8::try_from(v).map_err(|_| invalid(format!("{what} must be <= 255")));
    if let Some(v) = c.server_id {
        p.server_id = v.to_vec();
    }
    if let Some(v) = c.extranonce_total_len {
        p.extranonce_total_len = small(v, "extranonceTotalLen")?;
    }
    if let Some(v) = c.default_extranonce_size {
        p.default_extranonce_size = small(v, "defaultExtranonceSize")?;
    }
    if let Some(v) = c.coinbase_tag {
        p.coinbase_tag = v.to_vec();
    }
    if let Some(v) = c.payout_script {
        p.payout_script = v.to_vec();
    }
    if let Some(v) = c.require_extended_channels {
        p.require_extended_channels = v;
    }
    if let Some(v) = c.require_fixed_version {
        p.require_fixed_version = v;
    }
    if let Some(d) = c.min_difficulty {
        p.max_target = sv2::mining::difficulty_to_target(d).map_err(js)?;
    }
    if let Some(d) = c.max_difficulty {
        p.min_target = sv2::mining::difficulty_to_target(d).map_err(js)?;
    }
    if let Some(v) = c.ack_batch_size {
        p.ack_batch_size = v;
    }
    if let Some(v) = c.ack_flush_ms {
        p.ack_flush_ms = v as u64;
    }
    if let Some(v) = c.hashrate_window_ms {
        p.hashrate_window_ms = v as u64;
    }
    if let Some(v) = c.share_events {
        p.share_events = v;
    }
    if let Some(v) = c.max_channels_per_connection {
        p.max_channels_per_connection = v;
    }
    if let Some(v) = c.allow_work_selection {
        p.allow_work_selection = v;
    }
    p.client_max_target = match (c.client_max_target, c.client_max_difficulty_cap) {
        (None | Some(ClientMaxTarget::Honour), None) => CoreClientMaxTarget::Honour,
        (Some(ClientMaxTarget::Ignore), None) => CoreClientMaxTarget::Ignore,
        (Some(ClientMaxTarget::Cap), Some(d)) => {
            CoreClientMaxTarget::Cap(sv2::mining::difficulty_to_target(d).map_err(js)?)
        }
        _ => {
            return Err(invalid(
                "clientMaxDifficultyCap goes with clientMaxTarget: 'cap', and only with it",
            ))
        }
    };
    if let Some(v) = c.block_difficulty_factor {
        p.block_difficulty_factor = v;
    }
    if let Some(v) = c.vardiff {
        let d = &mut p.vardiff;
        if let Some(x) = v.enabled {
            d.enabled = x;
        }
        if let Some(x) = v.shares_per_minute {
            d.shares_per_minute = x;
        }
        if let Some(x) = v.min_window_ms {
            d.min_window_ms = x as u64;
        }
        if let Some(x) = v.max_window_ms {
            d.max_window_ms = x as u64;
        }
        if let Some(x) = v.check_interval_ms {
            d.check_interval_ms = x as u64;
        }
    }
    Ok(p)
}

/// Rejected shares per reason (the SubmitShares.Error codes).
#[napi(object)]
pub struct RejectCounts {
    /// `invalid-channel-id`.
    pub invalid_channel_id: f64,
    /// `stale-share`.
    pub stale_share: f64,
    /// `invalid-job-id`.
    pub invalid_job_id: f64,
    /// `ntime-out-of-range`.
    pub ntime_out_of_range: f64,
    /// `version-not-allowed`.
    pub version_not_allowed: f64,
    /// `invalid-extranonce-size`.
    pub invalid_extranonce_size: f64,
    /// `difficulty-too-low`.
    pub difficulty_too_low: f64,
    /// `duplicate-share`.
    pub duplicate_share: f64,
}

/// Accounting for one channel.
#[napi(object)]
pub struct ChannelStats {
    /// Connection id.
    pub conn: f64,
    /// Channel id.
    pub channel_id: u32,
    /// `'standard'` or `'extended'`.
    #[napi(ts_type = "'standard' | 'extended'")]
    pub kind: String,
    /// Group of a standard channel.
    pub group_channel_id: Option<u32>,
    /// `user_identity`.
    pub user_identity: String,
    /// Current target (32 bytes LE).
    pub target: Uint8Array,
    /// Difficulty of the current target.
    pub difficulty: f64,
    /// Accepted shares.
    pub shares_accepted: f64,
    /// Rejected shares by reason.
    pub shares_rejected: RejectCounts,
    /// All rejected shares.
    pub shares_rejected_total: f64,
    /// Sum of the credited difficulty of accepted shares.
    pub accepted_difficulty: f64,
    /// The engine's rolling hash-rate estimate (H/s).
    pub hashrate: f64,
    /// Highest difficulty a share reached.
    pub best_share_difficulty: f64,
    /// Blocks found.
    pub blocks_found: u32,
}

fn kind(k: ChannelKind) -> String {
    match k {
        ChannelKind::Standard => "standard",
        ChannelKind::Extended => "extended",
    }
    .into()
}

fn stats_out(s: &CoreStats) -> ChannelStats {
    let r = |reason: RejectReason| s.rejected(reason) as f64;
    ChannelStats {
        conn: s.conn as f64,
        channel_id: s.channel_id,
        kind: kind(s.kind),
        group_channel_id: s.group_channel_id,
        user_identity: s.user_identity.to_string(),
        target: u256_out(&s.target),
        difficulty: sv2::mining::target_to_difficulty(s.target),
        shares_accepted: s.shares_accepted as f64,
        shares_rejected: RejectCounts {
            invalid_channel_id: r(RejectReason::InvalidChannelId),
            stale_share: r(RejectReason::StaleShare),
            invalid_job_id: r(RejectReason::InvalidJobId),
            ntime_out_of_range: r(RejectReason::NtimeOutOfRange),
            version_not_allowed: r(RejectReason::VersionNotAllowed),
            invalid_extranonce_size: r(RejectReason::InvalidExtranonceSize),
            difficulty_too_low: r(RejectReason::DifficultyTooLow),
            duplicate_share: r(RejectReason::DuplicateShare),
        },
        shares_rejected_total: s.rejected_total() as f64,
        accepted_difficulty: s.accepted_difficulty,
        hashrate: s.hashrate,
        best_share_difficulty: s.best_share_difficulty,
        blocks_found: s.blocks_found,
    }
}

/// The whole pool at one instant.
#[napi(object)]
pub struct PoolSnapshot {
    /// Open connections (set up).
    pub connections: u32,
    /// Every open channel, by (connection, channel id).
    pub channels: Vec<ChannelStats>,
    /// Current prevhash.
    pub prev_hash: Option<Uint8Array>,
    /// nBits of the current prevhash (the network target).
    pub nbits: Option<u32>,
    /// Newest active job.
    pub active_job_id: Option<u32>,
    /// Sum of the channels' hash rates (H/s).
    pub total_hashrate: f64,
    /// Blocks found since start.
    pub blocks_found: f64,
}

/// What the pool reports. `switch (event.type)` narrows it.
#[napi(discriminant = "type")]
#[allow(clippy::large_enum_variant)] // built once per event and handed to JavaScript at once
pub enum PoolServerEvent {
    /// A connection completed SetupConnection.
    Connected {
        /// Connection id.
        conn: f64,
        /// The client's SetupConnection (vendor, firmware, device id, flags).
        setup: Message,
    },
    /// A channel opened.
    ChannelOpened {
        /// Connection id.
        conn: f64,
        /// Channel id.
        channel_id: u32,
        /// Group of a standard channel.
        group_channel_id: Option<u32>,
        /// `'standard'` or `'extended'`.
        #[napi(ts_type = "'standard' | 'extended'")]
        kind: String,
        /// `user_identity`.
        user_identity: String,
        /// Initial target.
        target: Uint8Array,
        /// The channel's extranonce prefix.
        extranonce_prefix: Uint8Array,
    },
    /// A channel closed; `stats` are final.
    ChannelClosed {
        /// Connection id.
        conn: f64,
        /// Channel id.
        channel_id: u32,
        /// `'client'` (CloseChannel), `'server'` or `'connection-closed'`.
        #[napi(ts_type = "'client' | 'server' | 'connection-closed'")]
        cause: String,
        /// The CloseChannel reason code.
        reason_code: Option<String>,
        /// Totals at closing.
        stats: ChannelStats,
    },
    /// A share was accepted.
    ShareAccepted {
        /// Connection id.
        conn: f64,
        /// Channel id.
        channel_id: u32,
        /// Who gets credit.
        user_identity: String,
        /// Job.
        job_id: u32,
        /// Sequence number of the submit.
        sequence_number: u32,
        /// Difficulty credited (the target's).
        credited_difficulty: f64,
        /// Difficulty the hash reached.
        share_difficulty: f64,
    },
    /// A share was rejected (the error was queued for the miner).
    ShareRejected {
        /// Connection id.
        conn: f64,
        /// Channel id as sent.
        channel_id: u32,
        /// Sequence number.
        sequence_number: u32,
        /// The SubmitShares.Error code.
        #[napi(
            ts_type = "'invalid-channel-id' | 'stale-share' | 'invalid-job-id' | 'ntime-out-of-range' | 'version-not-allowed' | 'invalid-extranonce-size' | 'difficulty-too-low' | 'duplicate-share'"
        )]
        reason: String,
    },
    /// A share met the network target.
    BlockFound {
        /// Connection id.
        conn: f64,
        /// Channel id.
        channel_id: u32,
        /// The finder.
        user_identity: String,
        /// Job.
        job_id: u32,
        /// Template the job came from.
        template_id: Option<f64>,
        /// The 80-byte header.
        header: Uint8Array,
        /// The block hash (32 bytes LE).
        block_hash: Uint8Array,
        /// The full coinbase transaction.
        coinbase_tx: Uint8Array,
        /// SubmitSolution for the template provider (template jobs).
        submit_solution: Option<Message>,
    },
    /// A channel's target changed (SetTarget was queued).
    TargetChanged {
        /// Connection id.
        conn: f64,
        /// Channel id.
        channel_id: u32,
        /// New target.
        target: Uint8Array,
        /// `'vardiff'`, `'update-channel'` or `'api'`.
        #[napi(ts_type = "'vardiff' | 'update-channel' | 'api'")]
        cause: String,
    },
    /// The engine refused a message or action of a connection (logged, not fatal).
    EngineError {
        /// Connection id.
        conn: f64,
        /// The C name of the code.
        code: String,
        /// The C number.
        errno: u32,
        /// What was wrong.
        message: String,
    },
    /// The connection ended: write what `takeDataToSend` still holds, close the socket, then
    /// call `remove(conn)`.
    Closed {
        /// Connection id.
        conn: f64,
        /// Why.
        reason: CloseReason,
    },
}

fn pool_event(e: CoreEvent) -> PoolServerEvent {
    match e {
        CoreEvent::Connected { conn, setup } => PoolServerEvent::Connected {
            conn: conn as f64,
            setup: to_js(&CoreMessage::SetupConnection(setup)),
        },
        CoreEvent::EngineError { conn, error } => {
            let e = js(error);
            let errno = crate::errors::ALL
                .iter()
                .find(|(n, _, _)| *n == e.status.0)
                .map_or(0, |(_, c, _)| *c);
            PoolServerEvent::EngineError {
                conn: conn as f64,
                code: e.status.0.to_string(),
                errno,
                message: e.reason.clone(),
            }
        }
        CoreEvent::Closed { conn, reason } => PoolServerEvent::Closed {
            conn: conn as f64,
            reason: close_reason(&reason),
        },
        CoreEvent::Engine(e) => engine_event(e),
    }
}

fn engine_event(e: PoolEvent) -> PoolServerEvent {
    match e {
        PoolEvent::ChannelOpened {
            conn,
            channel_id,
            group_channel_id,
            kind: k,
            user_identity,
            target,
            extranonce_prefix,
        } => PoolServerEvent::ChannelOpened {
            conn: conn as f64,
            channel_id,
            group_channel_id,
            kind: kind(k),
            user_identity: user_identity.to_string(),
            target: u256_out(&target),
            extranonce_prefix: bytes_out(&extranonce_prefix),
        },
        PoolEvent::ChannelClosed {
            conn,
            channel_id,
            cause,
            stats,
        } => {
            let (cause, reason_code) = match cause {
                CloseCause::Client(r) => ("client", Some(r)),
                CloseCause::Server(r) => ("server", Some(r)),
                CloseCause::ConnectionClosed => ("connection-closed", None),
            };
            PoolServerEvent::ChannelClosed {
                conn: conn as f64,
                channel_id,
                cause: cause.into(),
                reason_code,
                stats: stats_out(&stats),
            }
        }
        PoolEvent::ShareAccepted {
            conn,
            channel_id,
            user_identity,
            job_id,
            sequence_number,
            credited_difficulty,
            share_difficulty,
        } => PoolServerEvent::ShareAccepted {
            conn: conn as f64,
            channel_id,
            user_identity: user_identity.to_string(),
            job_id,
            sequence_number,
            credited_difficulty,
            share_difficulty,
        },
        PoolEvent::ShareRejected {
            conn,
            channel_id,
            sequence_number,
            reason,
        } => PoolServerEvent::ShareRejected {
            conn: conn as f64,
            channel_id,
            sequence_number,
            reason: reason.code().into(),
        },
        PoolEvent::BlockFound(b) => PoolServerEvent::BlockFound {
            conn: b.conn as f64,
            channel_id: b.channel_id,
            user_identity: b.user_identity.to_string(),
            job_id: b.job_id,
            template_id: b.template_id.map(|t| t as f64),
            header: bytes_out(&b.header),
            block_hash: u256_out(&b.block_hash),
            coinbase_tx: bytes_out(&b.coinbase_tx),
            submit_solution: b
                .submit_solution
                .map(|s| to_js(&CoreMessage::SubmitSolution(s))),
        },
        PoolEvent::TargetChanged {
            conn,
            channel_id,
            target,
            cause,
        } => PoolServerEvent::TargetChanged {
            conn: conn as f64,
            channel_id,
            target: u256_out(&target),
            cause: match cause {
                TargetChangeCause::Vardiff => "vardiff",
                TargetChangeCause::UpdateChannel => "update-channel",
                TargetChangeCause::Api => "api",
            }
            .into(),
        },
    }
}

fn conn_id(conn: f64) -> Result<u64> {
    if conn.is_finite() && conn >= 0.0 && conn.fract() == 0.0 {
        Ok(conn as u64)
    } else {
        Err(invalid("conn must be a connection id"))
    }
}

/// A pool serving the Mining Protocol, sans I/O: accept sockets with `accept`, feed each
/// connection's bytes with `receiveData(conn, …)`, drain `nextEvent`, write back
/// `takeDataToSend(conn)`, call `handleTimeout` at `pollTimeout`. Feed it block templates with
/// `newTemplate`/`setPrevHash` (e.g. from a `SyntheticTemplateSource`).
#[napi]
pub struct PoolServer {
    inner: CorePoolServer,
    trace: Option<PoolTraceHook>,
}

impl PoolServer {
    /// Hands each traced line to the hook with its connection (see `call_trace_hook`).
    fn flush_trace(&mut self, env: &Env) -> Result<()> {
        let Some(hook) = &self.trace else {
            return Ok(());
        };
        let hook = hook
            .borrow_back(env)
            .map_err(|e| crate::errors::invalid(e.reason))?;
        while let Some((conn, line)) = self.inner.next_trace_json() {
            hook.call(FnArgs::from((conn as f64, line)))
                .map_err(|e| crate::errors::err(("PendingException", 0), e.reason))?;
        }
        Ok(())
    }
}

impl PoolServer {
    /// The core pool server (for the Template Distribution glue in `template.rs`).
    pub(crate) fn core_mut(&mut self) -> &mut CorePoolServer {
        &mut self.inner
    }
}

#[napi]
impl PoolServer {
    /// A pool with the sessions' security (`server`; its `protocols` are set from `pool`) and
    /// the engine's settings. Everyone may mine (open policy).
    #[napi(constructor)]
    pub fn new(server: ServerConfig, pool: Option<PoolConfig>) -> Result<Self> {
        let server = core_server_config(&server)?;
        let pool = core_pool_config(pool)?;
        Ok(PoolServer {
            inner: CorePoolServer::new(server, pool, Box::new(OpenPolicy)).map_err(js)?,
            trace: None,
        })
    }

    /// A new downstream connection; returns its id.
    #[napi]
    pub fn accept(&mut self, now_ms: Option<f64>) -> Result<f64> {
        Ok(self.inner.accept(now_or(now_ms)).map_err(js)? as f64)
    }

    /// The wire tap: `hook(conn, line)` gets one JSON line per frame sent or received on any
    /// connection (as `Session.setTrace`), from `receiveData`, `nextEvent`, `events` and
    /// `takeDataToSend`. `null` switches it off.
    #[napi(ts_args_type = "hook: ((conn: number, line: string) => void) | null")]
    pub fn set_trace(&mut self, env: Env, hook: Option<PoolTraceHook>) -> Result<()> {
        self.inner.set_trace(hook.is_some());
        self.trace = hook;
        self.flush_trace(&env)
    }

    /// Bytes received on `conn`.
    #[napi]
    pub fn receive_data(
        &mut self,
        env: Env,
        conn: f64,
        data: Uint8Array,
        now_ms: Option<f64>,
    ) -> Result<()> {
        let result = self
            .inner
            .receive_data(conn_id(conn)?, &data, now_or(now_ms))
            .map_err(js);
        self.flush_trace(&env)?;
        result
    }

    /// `conn`'s socket reached end of file.
    #[napi]
    pub fn peer_closed(&mut self, conn: f64) -> Result<()> {
        self.inner.peer_closed(conn_id(conn)?);
        Ok(())
    }

    /// Closes `conn` from the pool's side (a Closed event follows).
    #[napi]
    pub fn close(&mut self, conn: f64) -> Result<()> {
        self.inner.close(conn_id(conn)?);
        Ok(())
    }

    /// Forgets a closed connection (after its Closed event and last bytes).
    #[napi]
    pub fn remove(&mut self, conn: f64) -> Result<()> {
        self.inner.remove(conn_id(conn)?);
        Ok(())
    }

    /// A new block template (a `NewTemplate` message); returns the job id it became.
    #[napi]
    pub fn new_template(&mut self, template: Message, now_ms: Option<f64>) -> Result<u32> {
        match from_js(template)? {
            CoreMessage::NewTemplate(t) => self.inner.new_template(*t, now_or(now_ms)).map_err(js),
            other => Err(crate::errors::err(
                UNEXPECTED_MESSAGE,
                format!(
                    "newTemplate takes a NewTemplate, not {}",
                    other.kind().name()
                ),
            )),
        }
    }

    /// The next block from a synthetic source, given to the pool. Unless the source has fixed
    /// `nbits`, its network target is `blockDifficultyFactor` times harder than the hardest
    /// share target, so blocks stay rare next to shares.
    #[napi]
    pub fn next_synthetic_block(
        &mut self,
        source: &mut SyntheticTemplateSource,
        header_timestamp: u32,
        now_ms: Option<f64>,
    ) -> Result<()> {
        self.inner
            .next_synthetic_block(&mut source.inner, header_timestamp, now_or(now_ms))
            .map_err(js)
    }

    /// A new chain tip (a `TdpSetNewPrevHash` message).
    #[napi]
    pub fn set_prev_hash(&mut self, prev_hash: Message, now_ms: Option<f64>) -> Result<()> {
        match from_js(prev_hash)? {
            CoreMessage::TdpSetNewPrevHash(p) => {
                self.inner.set_prev_hash(*p, now_or(now_ms)).map_err(js)
            }
            other => Err(crate::errors::err(
                UNEXPECTED_MESSAGE,
                format!(
                    "setPrevHash takes a TdpSetNewPrevHash, not {}",
                    other.kind().name()
                ),
            )),
        }
    }

    /// The next event, or `null`. Also moves messages between the sessions and the engine, so
    /// call it (or `events`) after every other call.
    #[napi]
    pub fn next_event(&mut self, env: Env) -> Result<Option<PoolServerEvent>> {
        let event = self.inner.next_event().map(pool_event);
        self.flush_trace(&env)?;
        Ok(event)
    }

    /// Every pending event.
    #[napi]
    pub fn events(&mut self, env: Env) -> Result<Vec<PoolServerEvent>> {
        let events = std::iter::from_fn(|| self.inner.next_event())
            .map(pool_event)
            .collect();
        self.flush_trace(&env)?;
        Ok(events)
    }

    /// `conn`'s bytes to write (empty when none).
    #[napi]
    pub fn take_data_to_send(&mut self, env: Env, conn: f64) -> Result<Buffer> {
        let mut out = Vec::new();
        self.inner.take_data_to_send(conn_id(conn)?, &mut out);
        self.flush_trace(&env)?;
        Ok(Buffer::from(out))
    }

    /// Connections with bytes to write.
    #[napi]
    pub fn writable_connections(&self) -> Vec<f64> {
        self.inner
            .writable_connections()
            .into_iter()
            .map(|c| c as f64)
            .collect()
    }

    /// When to call `handleTimeout` next, or `null`.
    #[napi]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.inner.poll_timeout().map(|t| t as f64)
    }

    /// Fires expired timers (session timeouts, vardiff, batched acknowledgements).
    #[napi]
    pub fn handle_timeout(&mut self, now_ms: Option<f64>) {
        self.inner.handle_timeout(now_or(now_ms));
    }

    /// Every channel's accounting and the pool totals.
    #[napi]
    pub fn snapshot(&self, now_ms: Option<f64>) -> PoolSnapshot {
        let s = self.inner.engine().snapshot(now_or(now_ms));
        PoolSnapshot {
            connections: s.connections as u32,
            channels: s.channels.iter().map(stats_out).collect(),
            prev_hash: s.prev_hash.map(|p| u256_out(&p)),
            nbits: s.nbits,
            active_job_id: s.active_job_id,
            total_hashrate: s.total_hashrate,
            blocks_found: s.blocks_found as f64,
        }
    }

    /// One channel's accounting, or `null`.
    #[napi]
    pub fn channel_stats(
        &self,
        conn: f64,
        channel_id: u32,
        now_ms: Option<f64>,
    ) -> Result<Option<ChannelStats>> {
        Ok(self
            .inner
            .engine()
            .channel_stats(conn_id(conn)?, channel_id, now_or(now_ms))
            .map(|s| stats_out(&s)))
    }

    /// Sets a channel's target (clamped to the bounds) and sends SetTarget; returns it.
    #[napi]
    pub fn set_target(
        &mut self,
        conn: f64,
        channel_id: u32,
        target: Uint8Array,
        now_ms: Option<f64>,
    ) -> Result<Uint8Array> {
        let t = u256_of("target", &target)?;
        let set = self
            .inner
            .engine_mut()
            .set_target(conn_id(conn)?, channel_id, t, now_or(now_ms))
            .map_err(js)?;
        Ok(u256_out(&set))
    }

    /// Closes a channel from the pool side (CloseChannel with `reasonCode`).
    #[napi]
    pub fn close_channel(
        &mut self,
        conn: f64,
        channel_id: u32,
        reason_code: String,
        now_ms: Option<f64>,
    ) -> Result<()> {
        self.inner
            .engine_mut()
            .close_channel(conn_id(conn)?, channel_id, &reason_code, now_or(now_ms))
            .map_err(js)
    }

    /// Sends Reconnect to a connection (empty host / port 0: the same).
    #[napi]
    pub fn reconnect(&mut self, conn: f64, new_host: String, new_port: u32) -> Result<()> {
        let port = u16::try_from(new_port).map_err(|_| invalid("newPort must be <= 65535"))?;
        self.inner
            .engine_mut()
            .reconnect(conn_id(conn)?, &new_host, port)
            .map_err(js)
    }

    /// Open connections (accepted, not yet removed).
    #[napi(getter)]
    pub fn connection_count(&self) -> u32 {
        self.inner.connection_count() as u32
    }

    /// Open channels.
    #[napi(getter)]
    pub fn channel_count(&self) -> u32 {
        self.inner.engine().channel_count() as u32
    }
}

/// A template and the prevhash that activates it.
#[napi(object)]
pub struct SyntheticBlock {
    /// A `NewTemplate` (future template).
    pub template: Message,
    /// The `TdpSetNewPrevHash` activating it.
    pub prev_hash: Message,
}

/// Options of a `SyntheticTemplateSource`.
#[napi(object)]
pub struct SyntheticOptions {
    /// Made-up transactions per template (non-empty merkle paths).
    pub transactions: Option<u32>,
    /// Add a witness commitment output.
    pub witness_commitment: Option<bool>,
    /// A fixed network difficulty as nBits. Default: through `PoolServer.nextSyntheticBlock`,
    /// `blockDifficultyFactor` times harder than the share target; `nextBlock` alone uses
    /// regtest's 0x207fffff (about half of all hashes are blocks).
    pub nbits: Option<u32>,
}

/// A made-up template provider (no bitcoin node): valid BIP34 heights and merkle paths,
/// invented prevhashes. Deterministic from the seed.
#[napi]
pub struct SyntheticTemplateSource {
    inner: CoreSource,
}

#[napi]
impl SyntheticTemplateSource {
    /// Starts below block `height`.
    #[napi(constructor)]
    pub fn new(seed: u32, height: u32, options: Option<SyntheticOptions>) -> Self {
        let mut s = CoreSource::new(u64::from(seed), height);
        if let Some(o) = options {
            if let Some(n) = o.transactions {
                s = s.with_transactions(n as usize);
            }
            if let Some(w) = o.witness_commitment {
                s = s.with_witness_commitment(w);
            }
            if let Some(n) = o.nbits {
                s = s.with_nbits(n);
            }
        }
        SyntheticTemplateSource { inner: s }
    }

    /// A future template for the next block and the prevhash that activates it.
    #[napi]
    pub fn next_block(&mut self, header_timestamp: u32) -> SyntheticBlock {
        let (t, p) = self.inner.next_block(header_timestamp);
        SyntheticBlock {
            template: to_js(&CoreMessage::from(t)),
            prev_hash: to_js(&CoreMessage::from(p)),
        }
    }

    /// Another template for the current block.
    #[napi]
    pub fn update(&mut self) -> Message {
        to_js(&CoreMessage::from(self.inner.update()))
    }

    /// A block was found: the next `nextBlock` builds on it.
    #[napi]
    pub fn advance(&mut self, block_hash: Uint8Array) -> Result<()> {
        self.inner.advance(u256_of("blockHash", &block_hash)?);
        Ok(())
    }

    /// Height of the block the current templates build.
    #[napi(getter)]
    pub fn height(&self) -> u32 {
        self.inner.height()
    }
}
