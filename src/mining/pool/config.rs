//! Pool engine configuration and the Mining Protocol SetupConnection flags (04 §4.3.1).

use super::EngineError;
use crate::codec::U256;
use crate::mining::{MAX_EXTRANONCE_PREFIX_SIZE, MAX_EXTRANONCE_SIZE, MAX_SCRIPT_SIG_LEN};

/// `SetupConnection.flags` bit 0: the client wants `NewMiningJob` for its standard channels
/// and understands no group-addressed extended jobs (E20: named REQUIRES_VERSION_ROLLING by
/// mistake in the table; R44).
pub const SETUP_REQUIRES_STANDARD_JOBS: u32 = 1 << 0;
/// `SetupConnection.flags` bit 1: the client will send SetCustomMiningJob (R45).
pub const SETUP_REQUIRES_WORK_SELECTION: u32 = 1 << 1;
/// `SetupConnection.flags` bit 2: the client needs version rolling (R41).
pub const SETUP_REQUIRES_VERSION_ROLLING: u32 = 1 << 2;
/// `SetupConnection.Success.flags` bit 0: the pool accepts no change to `version` (R42).
pub const SUCCESS_REQUIRES_FIXED_VERSION: u32 = 1 << 0;
/// `SetupConnection.Success.flags` bit 1: the pool accepts no standard channels (R43).
pub const SUCCESS_REQUIRES_EXTENDED_CHANNELS: u32 = 1 << 1;

/// Variable difficulty (per-channel target) settings.
///
/// The controller counts accepted shares since the start of a window and compares them with
/// the count the target should have produced. It acts only when the difference is clearly
/// more than Poisson noise, and it limits each step, so bursts of shares (a proxy flushing a
/// queue, a network hiccup) do not make it oscillate. See `vardiff.rs` for the rules.
#[derive(Clone, Debug, PartialEq)]
pub struct VardiffConfig {
    /// Turn the controller off (targets then only change through `set_target` or
    /// `UpdateChannel`).
    pub enabled: bool,
    /// Share rate each channel is steered to, in shares per minute (default 10).
    pub shares_per_minute: f64,
    /// No adjustment on rate grounds before a window is this old, unless the fast path fires
    /// (default 30 s).
    pub min_window_ms: u64,
    /// At this age a window is always evaluated and restarted, and a drift outside
    /// ±`fine_tolerance` is corrected (default 5 min).
    pub max_window_ms: u64,
    /// Before `max_window_ms`, act only if the observed/expected share ratio leaves
    /// `[1/tolerance, tolerance]` (default 2).
    pub tolerance: f64,
    /// At `max_window_ms`, correct drifts beyond this ratio (default 1.25).
    pub fine_tolerance: f64,
    /// Largest factor by which one step may change the difficulty (default 8).
    pub max_step: f64,
    /// So many shares in a window shorter than `min_window_ms` trigger an immediate step
    /// (a target far too easy, e.g. after a 0 h/s nominal hash rate; default 64).
    pub fast_path_shares: u32,
    /// How often idle channels are checked, so that a target far too hard gets easier even
    /// if no share arrives (default 60 s).
    pub check_interval_ms: u64,
}

impl Default for VardiffConfig {
    fn default() -> Self {
        VardiffConfig {
            enabled: true,
            shares_per_minute: 10.0,
            min_window_ms: 30_000,
            max_window_ms: 300_000,
            tolerance: 2.0,
            fine_tolerance: 1.25,
            max_step: 8.0,
            fast_path_shares: 64,
            check_interval_ms: 60_000,
        }
    }
}

/// What the pool does with the `max_target` a client sends in OpenStandardMiningChannel,
/// OpenExtendedMiningChannel and UpdateChannel (the easiest target it accepts, R58, R63).
///
/// A deployment choice: honouring it is what the spec asks, but a device may ask for far more
/// than it can do (SRI 2023's mining device sends `0x0237 << 192`, difficulty 7.6 M, for a CPU
/// miner, which then never finds a share).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientMaxTarget {
    /// Never set a target easier than the client's `max_target` (the spec; default).
    #[default]
    Honour,
    /// Disregard it: targets only follow the pool's bounds and vardiff.
    Ignore,
    /// Honour it down to this target: a client `max_target` harder than it counts as it
    /// (the pool never sets a difficulty above this one because a client asked to).
    Cap(U256),
}

impl ClientMaxTarget {
    /// The `max_target` the pool works with for a client that sent `requested`.
    pub fn apply(self, requested: U256) -> U256 {
        match self {
            ClientMaxTarget::Honour => requested,
            ClientMaxTarget::Ignore => U256::MAX,
            ClientMaxTarget::Cap(cap) => requested.max(cap),
        }
    }
}

/// Everything the engine needs to know about the pool. Checked by [`PoolEngine::new`].
///
/// [`PoolEngine::new`]: super::PoolEngine::new
#[derive(Clone, Debug, PartialEq)]
pub struct PoolConfig {
    /// Fixed leading bytes of every extranonce prefix, e.g. a server id so that several pool
    /// servers behind one template provider never share search space (default empty).
    pub server_id: Vec<u8>,
    /// Bytes of the per-channel counter that follows `server_id` (1..=8, default 4). The
    /// counter only grows, so a prefix is never handed out twice while the engine lives
    /// (4.2, R83); when it is exhausted, new channels are refused with
    /// `extranonce-space-exhausted`.
    pub extranonce_counter_len: u8,
    /// Size of the coinbase extranonce area, `len(extranonce_prefix) + extranonce_size`, the
    /// same for every channel so one coinbase layout serves all (R87, R88; ≤ 32, default 16).
    /// Standard channels get a prefix of this full length (their unique bytes padded with
    /// zeros); extended channels get the unique bytes, padding, and the rest as extranonce.
    pub extranonce_total_len: u8,
    /// Extranonce size granted to extended channels asking for less (default 8). A request
    /// above `extranonce_total_len - len(server_id) - extranonce_counter_len` is refused with
    /// `min-extranonce-size-too-large` (R61, E24).
    pub default_extranonce_size: u8,
    /// Bytes placed in the scriptSig after the extranonce area (pool tag, default `/libsv2/`).
    pub coinbase_tag: Vec<u8>,
    /// scriptPubKey receiving `coinbase_tx_value_remaining` when the policy does not supply
    /// outputs itself (default: `OP_TRUE`, fine for regtest only).
    pub payout_script: Vec<u8>,
    /// Send `REQUIRES_FIXED_VERSION`: shares may not roll version bits (R42). Clients that
    /// require version rolling are then refused (R41).
    pub require_fixed_version: bool,
    /// Send `REQUIRES_EXTENDED_CHANNELS`: refuse standard channels (R43).
    pub require_extended_channels: bool,
    /// Accept `REQUIRES_WORK_SELECTION` (custom jobs, R45). The policy's
    /// `validate_mining_job_token` then decides per job.
    pub allow_work_selection: bool,
    /// Easiest target the pool ever sets (its minimum difficulty; default `U256::MAX`).
    pub max_target: U256,
    /// Hardest target the pool ever sets (its maximum difficulty). A client whose
    /// `max_target` (after `client_max_target`) is below it is refused with
    /// `max-target-out-of-range` (R58).
    pub min_target: U256,
    /// What to do with the clients' `max_target` (default: honour it, as the spec says).
    pub client_max_target: ClientMaxTarget,
    /// Channels one connection may hold (a hostile client cannot grow memory beyond this;
    /// default 1 048 576). Further opens get `too-many-channels`.
    pub max_channels_per_connection: u32,
    /// Template jobs kept valid on the current prevhash (default 8). Older ones retire and
    /// their shares get `stale-share`.
    pub max_active_jobs: usize,
    /// Future template jobs kept while waiting for their prevhash (default 8).
    pub max_future_jobs: usize,
    /// Custom jobs kept per connection (default 8, the oldest retires first).
    pub max_custom_jobs_per_connection: usize,
    /// Accepted shares acknowledged by one SubmitShares.Success at most (default 32; 1 acks
    /// every share at once) (R90).
    pub ack_batch_size: u32,
    /// A batch is flushed at most this long after its first share (default 1000 ms).
    pub ack_flush_ms: u64,
    /// Upper nTime bound beyond `min_ntime + elapsed` (R147; default 7200 s, consensus' 2 h).
    pub ntime_future_slack_secs: u32,
    /// Accepted shares remembered per channel and prevhash for duplicate detection (default
    /// 8192; the oldest are forgotten first).
    pub duplicate_window: usize,
    /// Rolling window of the hash rate estimate (default 10 min).
    pub hashrate_window_ms: u64,
    /// Emit [`PoolEvent::ShareAccepted`](super::PoolEvent::ShareAccepted) for every accepted
    /// share (default true; pools that only need totals can poll snapshots instead).
    pub share_events: bool,
    /// Variable difficulty.
    pub vardiff: VardiffConfig,
    /// Synthetic templates only ([`PoolServer::next_synthetic_block`]): the made-up network
    /// target is this many times harder than the hardest share target, so that about one
    /// share in this many is a block, as on a real pool (≥ 1, default 1000; 1 makes every
    /// share a block).
    ///
    /// [`PoolServer::next_synthetic_block`]: crate::mining::pool_server::PoolServer::next_synthetic_block
    pub block_difficulty_factor: f64,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            server_id: Vec::new(),
            extranonce_counter_len: 4,
            extranonce_total_len: 16,
            default_extranonce_size: 8,
            coinbase_tag: b"/libsv2/".to_vec(),
            payout_script: vec![0x51],
            require_fixed_version: false,
            require_extended_channels: false,
            allow_work_selection: false,
            max_target: U256::MAX,
            min_target: U256::from_le_bytes({
                let mut b = [0u8; 32];
                b[0] = 1;
                b
            }),
            client_max_target: ClientMaxTarget::Honour,
            max_channels_per_connection: 1 << 20,
            max_active_jobs: 8,
            max_future_jobs: 8,
            max_custom_jobs_per_connection: 8,
            ack_batch_size: 32,
            ack_flush_ms: 1000,
            ntime_future_slack_secs: 7200,
            duplicate_window: 8192,
            hashrate_window_ms: 600_000,
            share_events: true,
            vardiff: VardiffConfig::default(),
            block_difficulty_factor: super::DEFAULT_BLOCK_DIFFICULTY_FACTOR,
        }
    }
}

impl PoolConfig {
    /// Length of the unique part of every prefix.
    pub fn unique_prefix_len(&self) -> usize {
        self.server_id.len() + usize::from(self.extranonce_counter_len)
    }

    /// Largest extranonce size an extended channel can get.
    pub fn max_grantable_extranonce_size(&self) -> usize {
        usize::from(self.extranonce_total_len).saturating_sub(self.unique_prefix_len())
    }

    /// Checks the values against the wire limits; the engine refuses to start otherwise.
    ///
    /// # Errors
    /// [`EngineError::InvalidConfig`] naming the first offending field.
    pub fn validate(&self) -> Result<(), EngineError> {
        let bad = |what: &'static str| Err(EngineError::InvalidConfig(what));
        let total = usize::from(self.extranonce_total_len);
        if !(1..=8).contains(&self.extranonce_counter_len) {
            return bad("extranonce_counter_len must be 1..=8");
        }
        if total > MAX_EXTRANONCE_PREFIX_SIZE || total > MAX_EXTRANONCE_SIZE {
            return bad("extranonce_total_len must be <= 32 (R88)");
        }
        if self.unique_prefix_len() > total {
            return bad("server_id + extranonce_counter_len exceed extranonce_total_len");
        }
        // BIP34 height push (at most 8 bytes per NewTemplate.coinbase_prefix) + area + tag.
        if 8 + total + self.coinbase_tag.len() > MAX_SCRIPT_SIG_LEN {
            return bad("coinbase_tag too long for a 100-byte scriptSig");
        }
        if self.min_target > self.max_target || self.min_target == U256::ZERO {
            return bad("min_target must be > 0 and <= max_target");
        }
        if self.max_active_jobs == 0 || self.max_future_jobs == 0 {
            return bad("max_active_jobs and max_future_jobs must be >= 1");
        }
        if self.ack_batch_size == 0 {
            return bad("ack_batch_size must be >= 1");
        }
        let v = &self.vardiff;
        if !(v.shares_per_minute.is_finite() && v.shares_per_minute > 0.0) {
            return bad("vardiff.shares_per_minute must be finite and > 0");
        }
        let above_one = |x: f64| x.is_finite() && x > 1.0;
        if !(above_one(v.tolerance) && above_one(v.fine_tolerance) && above_one(v.max_step)) {
            return bad("vardiff tolerance, fine_tolerance and max_step must be > 1");
        }
        if v.min_window_ms == 0 || v.max_window_ms < v.min_window_ms || v.check_interval_ms == 0 {
            return bad("vardiff windows must satisfy 0 < min_window_ms <= max_window_ms");
        }
        if !(self.block_difficulty_factor.is_finite() && self.block_difficulty_factor >= 1.0) {
            return bad("block_difficulty_factor must be finite and >= 1");
        }
        if self.hashrate_window_ms == 0 {
            return bad("hashrate_window_ms must be > 0");
        }
        Ok(())
    }
}
