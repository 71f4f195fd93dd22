//! What the engine reports to the pool application: events, error codes, statistics.

use super::ConnectionId;
use crate::codec::U256;
use crate::messages::SubmitSolution;
use std::sync::Arc;

/// Why a share was rejected. [`code`](Self::code) is the `SubmitShares.Error.error_code`
/// sent to the miner (R91, R93, R153).
///
/// | Code | When |
/// |---|---|
/// | `invalid-channel-id` | no such channel on this connection, or a standard submit on an extended channel or the reverse (R93a, R94) |
/// | `stale-share` | the job was valid once but is no longer: an older prevhash (R105), retired as too old, or issued before the last two extranonce prefix changes |
/// | `invalid-job-id` | the engine never issued this job id, the job is a future job not yet activated, or it is another channel's custom job |
/// | `ntime-out-of-range` | `ntime < min_ntime` or beyond `min_ntime + elapsed + slack` (R147, E22) |
/// | `version-not-allowed` | version bits changed outside the BIP320 mask, or at all when rolling is not allowed (R148, R42) |
/// | `invalid-extranonce-size` | `SubmitSharesExtended.extranonce` is not the negotiated size (R95) |
/// | `difficulty-too-low` | the header hash is above the job's target (R98, R100; E15) |
/// | `duplicate-share` | the same header was already accepted on this channel (R93g) |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RejectReason {
    /// `invalid-channel-id`.
    InvalidChannelId = 0,
    /// `stale-share`.
    StaleShare = 1,
    /// `invalid-job-id`.
    InvalidJobId = 2,
    /// `ntime-out-of-range`.
    NtimeOutOfRange = 3,
    /// `version-not-allowed`.
    VersionNotAllowed = 4,
    /// `invalid-extranonce-size`.
    InvalidExtranonceSize = 5,
    /// `difficulty-too-low`.
    DifficultyTooLow = 6,
    /// `duplicate-share`.
    DuplicateShare = 7,
}

/// Number of [`RejectReason`] variants (size of per-reason counters).
pub const REJECT_REASON_COUNT: usize = 8;

impl RejectReason {
    /// Every reason, in counter order.
    pub const ALL: [RejectReason; REJECT_REASON_COUNT] = [
        RejectReason::InvalidChannelId,
        RejectReason::StaleShare,
        RejectReason::InvalidJobId,
        RejectReason::NtimeOutOfRange,
        RejectReason::VersionNotAllowed,
        RejectReason::InvalidExtranonceSize,
        RejectReason::DifficultyTooLow,
        RejectReason::DuplicateShare,
    ];

    /// The error code string sent on the wire (printable ASCII, R152).
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::InvalidChannelId => "invalid-channel-id",
            RejectReason::StaleShare => "stale-share",
            RejectReason::InvalidJobId => "invalid-job-id",
            RejectReason::NtimeOutOfRange => "ntime-out-of-range",
            RejectReason::VersionNotAllowed => "version-not-allowed",
            RejectReason::InvalidExtranonceSize => "invalid-extranonce-size",
            RejectReason::DifficultyTooLow => "difficulty-too-low",
            RejectReason::DuplicateShare => "duplicate-share",
        }
    }
}

/// `OpenStandardMiningChannel.Error` / `OpenExtendedMiningChannel.Error` codes.
pub mod open_error {
    /// The policy's `authorize` refused `user_identity` (04 §4.3.6).
    pub const UNKNOWN_USER: &str = "unknown-user";
    /// `max_target` is 0 or below the pool's hardest target (R58).
    pub const MAX_TARGET_OUT_OF_RANGE: &str = "max-target-out-of-range";
    /// `min_extranonce_size` exceeds what the pool can grant (R61, E24).
    pub const MIN_EXTRANONCE_SIZE_TOO_LARGE: &str = "min-extranonce-size-too-large";
    /// A standard channel on a pool that set REQUIRES_EXTENDED_CHANNELS (R43).
    pub const STANDARD_CHANNELS_NOT_ALLOWED: &str = "standard-channels-not-allowed";
    /// The connection already holds `max_channels_per_connection` channels.
    pub const TOO_MANY_CHANNELS: &str = "too-many-channels";
    /// The extranonce prefix counter is exhausted (never reused, R83); restart with a new
    /// `server_id` or a longer counter.
    pub const EXTRANONCE_SPACE_EXHAUSTED: &str = "extranonce-space-exhausted";
    /// Every channel id of the connection's namespace is in use (2^32 − 1 of them).
    pub const CHANNEL_IDS_EXHAUSTED: &str = "channel-ids-exhausted";
}

/// `UpdateChannel.Error` codes (04 §4.3.8, R64).
pub mod update_error {
    /// No such channel on this connection.
    pub const INVALID_CHANNEL_ID: &str = "invalid-channel-id";
    /// `maximum_target` is 0 or below the pool's hardest target.
    pub const MAX_TARGET_OUT_OF_RANGE: &str = "max-target-out-of-range";
}

/// `SetCustomMiningJob.Error` codes (04 §4.3.20, R108–R114). Field errors are
/// `invalid-job-param-value-<field>` with the `SetCustomMiningJob` field name.
pub mod custom_job_error {
    /// No such extended channel on this connection (R108).
    pub const INVALID_CHANNEL_ID: &str = "invalid-channel-id";
    /// The policy refused the token (R110).
    pub const INVALID_MINING_JOB_TOKEN: &str = "invalid-mining-job-token";
    /// The connection did not negotiate REQUIRES_WORK_SELECTION (R45); documented code.
    pub const WORK_SELECTION_NOT_NEGOTIATED: &str = "work-selection-not-negotiated";
}

/// Standard or extended channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// Header-only mining (04 §4.1.1).
    Standard,
    /// Coinbase-controlling mining (04 §4.1.2).
    Extended,
}

/// Why a channel's target changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetChangeCause {
    /// The vardiff controller.
    Vardiff,
    /// The client's UpdateChannel (R63).
    UpdateChannel,
    /// The application's `set_target`.
    Api,
}

/// Why a channel closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseCause {
    /// The client sent CloseChannel with this reason code.
    Client(String),
    /// The application called `close_channel` with this reason code.
    Server(String),
    /// The connection closed.
    ConnectionClosed,
}

/// A found block: everything needed to build and broadcast it (R97, 06 §6.7).
#[derive(Clone, Debug, PartialEq)]
pub struct BlockFound {
    /// Connection of the finder.
    pub conn: ConnectionId,
    /// Channel of the finder.
    pub channel_id: u32,
    /// The finder's `user_identity`.
    pub user_identity: Arc<str>,
    /// The job the share was for.
    pub job_id: u32,
    /// Template the job came from; `None` for a custom job (the pool must assemble that
    /// block from the transactions it negotiated through the token).
    pub template_id: Option<u64>,
    /// The 80-byte block header.
    pub header: [u8; 80],
    /// SHA256d of the header, internal byte order.
    pub block_hash: U256,
    /// The full coinbase: witness serialization when the outputs hold a witness commitment
    /// (E29), otherwise the plain one.
    pub coinbase_tx: Vec<u8>,
    /// Ready for the template provider (template jobs only).
    pub submit_solution: Option<SubmitSolution>,
}

/// Something the pool application should know about. Drain with `next_event`.
#[derive(Clone, Debug, PartialEq)]
pub enum PoolEvent {
    /// A channel opened.
    ChannelOpened {
        /// Connection.
        conn: ConnectionId,
        /// New channel id.
        channel_id: u32,
        /// Group of a standard channel (R60), `None` for extended channels.
        group_channel_id: Option<u32>,
        /// Standard or extended.
        kind: ChannelKind,
        /// `user_identity` (decoded lossily as UTF-8, R7).
        user_identity: Arc<str>,
        /// Initial target.
        target: U256,
        /// The channel's extranonce prefix.
        extranonce_prefix: Vec<u8>,
    },
    /// A channel closed; its statistics are final.
    ChannelClosed {
        /// Connection.
        conn: ConnectionId,
        /// Channel id.
        channel_id: u32,
        /// Why.
        cause: CloseCause,
        /// Totals at closing (for payouts).
        stats: Box<ChannelStats>,
    },
    /// A share was accepted (only with `PoolConfig::share_events`).
    ShareAccepted {
        /// Connection.
        conn: ConnectionId,
        /// Channel.
        channel_id: u32,
        /// Who gets credit.
        user_identity: Arc<str>,
        /// Job.
        job_id: u32,
        /// Sequence number of the submit.
        sequence_number: u32,
        /// Difficulty credited: that of the target the share was checked against.
        credited_difficulty: f64,
        /// Difficulty the hash actually reached.
        share_difficulty: f64,
    },
    /// A share was rejected with `reason` (its error was queued for the miner).
    ShareRejected {
        /// Connection.
        conn: ConnectionId,
        /// Channel id as the miner sent it.
        channel_id: u32,
        /// Sequence number of the submit.
        sequence_number: u32,
        /// Why.
        reason: RejectReason,
    },
    /// A share met the network target.
    BlockFound(Box<BlockFound>),
    /// A channel's target changed and SetTarget was queued.
    TargetChanged {
        /// Connection.
        conn: ConnectionId,
        /// Channel.
        channel_id: u32,
        /// New target.
        target: U256,
        /// Why.
        cause: TargetChangeCause,
    },
}

/// Accounting for one channel (for payouts and dashboards).
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelStats {
    /// Connection.
    pub conn: ConnectionId,
    /// Channel id.
    pub channel_id: u32,
    /// Standard or extended.
    pub kind: ChannelKind,
    /// Group of a standard channel (R60).
    pub group_channel_id: Option<u32>,
    /// `user_identity`.
    pub user_identity: Arc<str>,
    /// Current target.
    pub target: U256,
    /// Accepted shares.
    pub shares_accepted: u64,
    /// Rejected shares, indexed by `RejectReason as usize`.
    pub shares_rejected: [u64; REJECT_REASON_COUNT],
    /// Sum of the credited difficulty of accepted shares.
    pub accepted_difficulty: f64,
    /// Estimated hash rate over the rolling window, in hashes per second.
    pub hashrate: f64,
    /// Highest difficulty a share of this channel reached.
    pub best_share_difficulty: f64,
    /// Blocks found.
    pub blocks_found: u32,
}

impl ChannelStats {
    /// Rejections for `reason`.
    pub fn rejected(&self, reason: RejectReason) -> u64 {
        self.shares_rejected[reason as usize]
    }
    /// All rejections.
    pub fn rejected_total(&self) -> u64 {
        self.shares_rejected.iter().sum()
    }
}

/// The whole pool at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSnapshot {
    /// Open connections.
    pub connections: usize,
    /// Every open channel, ordered by (connection, channel id).
    pub channels: Vec<ChannelStats>,
    /// Current prevhash, if any.
    pub prev_hash: Option<U256>,
    /// nBits of the current prevhash (the network target), if any.
    pub nbits: Option<u32>,
    /// Newest active job, if any.
    pub active_job_id: Option<u32>,
    /// Sum of the channels' hash rate estimates.
    pub total_hashrate: f64,
    /// Blocks found since the engine started (including on channels now closed).
    pub blocks_found: u64,
}
