//! What the mining client reports: configuration, events, errors and submit receipts.

use super::work::Work;
use crate::codec::{B032, U256};
use crate::messages::MessageKind;
use thiserror::Error;

/// Limits and knobs of a [`MiningClient`](super::MiningClient).
///
/// Every collection the upstream can grow is capped here, so a hostile or buggy server can
/// cost at most about `max_channels × (max_job_bytes_per_channel + small per-share state)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// Open channels plus outstanding open requests (default 256).
    pub max_channels: usize,
    /// Jobs remembered per channel, future, active and recently stale (default 8). Older jobs
    /// are forgotten; a share for one is refused as [`SubmitError::UnknownJob`].
    pub max_jobs_per_channel: usize,
    /// Heap bytes of coinbase pieces and merkle paths kept per channel (default 1 MiB). A job
    /// larger than this on its own is refused with a protocol error.
    pub max_job_bytes_per_channel: usize,
    /// Shares awaiting SubmitShares.Success/.Error per channel (default 1024). When full, the
    /// oldest is given up with [`ClientEvent::ShareExpired`].
    pub max_pending_shares: usize,
    /// Hashes of recent shares kept per channel to refuse duplicates (default 4096).
    pub duplicate_window: usize,
    /// Outstanding SetCustomMiningJob requests (default 16).
    pub max_pending_custom_jobs: usize,
    /// Queued events beyond which new [`ClientEvent::ProtocolError`]s are dropped (counted in
    /// [`MiningClient::dropped_protocol_errors`](super::MiningClient::dropped_protocol_errors)),
    /// so a flood of bad messages cannot grow the queue while the caller is slow (default 4096).
    pub max_queued_events: usize,
    /// Extra seconds beyond `min_ntime + elapsed` that a share's nTime may have (default 0,
    /// the strict R96 bound). Raise it if the device's clock runs ahead of `now_ms`.
    pub ntime_slack_secs: u32,
    /// Milliseconds an OpenStandardMiningChannel / OpenExtendedMiningChannel may go
    /// unanswered before it fails with [`OpenFailure::TimedOut`] (default 30 000; 0 waits
    /// forever). A server that ignores the request would otherwise leave the device idle
    /// without a word.
    pub open_channel_timeout_ms: u64,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            max_channels: 256,
            max_jobs_per_channel: 8,
            max_job_bytes_per_channel: 1 << 20,
            max_pending_shares: 1024,
            duplicate_window: 4096,
            max_pending_custom_jobs: 16,
            max_queued_events: 4096,
            ntime_slack_secs: 0,
            open_channel_timeout_ms: 30_000,
        }
    }
}

/// Why a channel open failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenFailure {
    /// The server answered OpenMiningChannel.Error (its `error_code`, informational only,
    /// R151).
    Server {
        /// The server's error code string.
        error_code: String,
    },
    /// The server's Success granted something the client cannot use (e.g. an
    /// `extranonce_size` above 32 or below the requested minimum, R61, R88, E24). The client
    /// has sent CloseChannel for the channel id when it was safe to do so.
    InvalidGrant(Violation),
    /// [`MiningClient::connection_closed`](super::MiningClient::connection_closed) was called
    /// before an answer arrived.
    ConnectionClosed,
    /// No answer within `ClientConfig::open_channel_timeout_ms`
    /// ([`MiningClient::handle_timeout`](super::MiningClient::handle_timeout)).
    TimedOut {
        /// An OpenExtendedMiningChannel (else OpenStandardMiningChannel).
        extended: bool,
        /// The request's `user_identity`.
        user_identity: String,
        /// How long it waited, in milliseconds.
        waited_ms: u64,
    },
}

impl OpenFailure {
    /// A one-line description naming what went unanswered, for logs and the bindings' text
    /// fields (e.g. "no answer to OpenExtendedMiningChannel request 1 (user 'bob') within
    /// 30000 ms").
    pub fn describe(&self, request_id: u32) -> String {
        match self {
            OpenFailure::Server { error_code } => error_code.clone(),
            OpenFailure::InvalidGrant(v) => format!("invalid grant: {v:?}"),
            OpenFailure::ConnectionClosed => "connection closed".into(),
            OpenFailure::TimedOut {
                extended,
                user_identity,
                waited_ms,
            } => format!(
                "no answer to Open{}MiningChannel request {request_id} (user '{user_identity}') \
                 within {waited_ms} ms",
                if *extended { "Extended" } else { "Standard" }
            ),
        }
    }
}

/// Why a channel stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The server sent CloseChannel (E36: the client stops using the channel, R65).
    Server {
        /// The server's `reason_code`.
        reason_code: String,
    },
    /// [`MiningClient::close_channel`](super::MiningClient::close_channel) was called.
    Local,
    /// [`MiningClient::connection_closed`](super::MiningClient::connection_closed) was called
    /// (connection lost or Reconnect followed, R116).
    ConnectionClosed,
}

/// A spec rule the upstream broke. Reported in [`ClientEvent::ProtocolError`]; the message is
/// ignored (or the offending part clamped, as documented per variant) and the client stays
/// consistent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// The message names a channel (or group) id that is not open (R72).
    UnknownChannel(u32),
    /// A `.Success`/`.Error` for a request id the client never sent or already resolved (R56,
    /// R111).
    UnknownRequest(u32),
    /// The answer's kind does not match the request (a standard Success for an extended open).
    MismatchedResponse(u32),
    /// SetNewPrevHash names a job the channel does not hold as a future job (R106, E32). The
    /// channel's jobs are all invalidated and it waits for a new job.
    UnknownJob(u32),
    /// A job id reused while the earlier job with that id is still valid (R77, E31). The new
    /// job replaces the old one.
    DuplicateJobId(u32),
    /// A SubmitShares answer for a sequence number with no pending share (R92).
    UnknownSequence(u32),
    /// SubmitShares.Success acknowledges a sequence number the client has not sent yet.
    SequenceAhead(u32),
    /// NewMiningJob on an extended channel, or a group/extended-only message on the wrong kind
    /// of channel (R73, R94, R108).
    WrongChannelKind(u32),
    /// A non-future job arrived before any SetNewPrevHash (R76, E30). It is kept as if it were
    /// a future job, so a later SetNewPrevHash can still activate it.
    NonFutureJobWithoutPrevHash(u32),
    /// A new channel id (or group id) collides with an open channel or group (R54, R68).
    ChannelIdCollision(u32),
    /// The granted `extranonce_size` exceeds 32 bytes (R88, E23).
    ExtranonceSizeTooLarge(u16),
    /// The granted `extranonce_size` is below the requested `min_extranonce_size` (R61, E24).
    ExtranonceSizeTooSmall {
        /// Requested minimum.
        requested: u16,
        /// Granted size.
        granted: u16,
    },
    /// SetExtranoncePrefix would change `len(prefix) + extranonce_size`, which the channel's
    /// coinbase layout cannot absorb (R87, E33). Ignored.
    ExtranoncePrefixLength {
        /// Total the channel was opened with.
        total: usize,
        /// The new prefix's length.
        prefix_len: usize,
    },
    /// A target above the channel's `max_target` (R58). Clamped to `max_target`.
    TargetAboveMax,
    /// A job whose merkle path exceeds 255 entries (SEQ0_255) or whose pieces exceed the
    /// per-channel memory budget. Ignored.
    JobTooLarge(u32),
    /// An extended job without version rolling although the client set
    /// REQUIRES_VERSION_ROLLING (R41). Mined with the fixed version.
    RollingRequiredButForbidden(u32),
    /// An extended job allowing version rolling although the server set REQUIRES_FIXED_VERSION
    /// (R42). Mined with the fixed version.
    RollingAllowedUnderFixedVersion(u32),
    /// SetupConnection.Success has REQUIRES_FIXED_VERSION although the client set
    /// REQUIRES_VERSION_ROLLING (R41). The client does not roll.
    FixedVersionDespiteRollingRequired,
    /// SetGroupChannel or a group-addressed extended job on a connection that set
    /// REQUIRES_STANDARD_JOBS (R44, R70). Applied anyway (the client can compute the roots).
    GroupOnStandardJobsConnection,
    /// SetGroupChannel lists ids that are not open standard channels; the count of such ids.
    /// The listed standard channels are still moved (R69).
    NotStandardChannels(usize),
    /// SetExtranoncePrefix addressed to a group channel (R86). Ignored.
    PrefixForGroup(u32),
    /// A message the client only ever sends, or one of another sub-protocol, delivered to
    /// [`MiningClient::handle_message`](super::MiningClient::handle_message).
    NotForClient,
}

/// Something the caller should act on, drained with
/// [`MiningClient::next_event`](super::MiningClient::next_event).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// An Open*MiningChannel.Success arrived (R56, R60, R99).
    ChannelOpened {
        /// The request id the open returned.
        request_id: u32,
        /// The new channel id.
        channel_id: u32,
        /// True for an extended channel.
        extended: bool,
        /// Initial target (clamped to `max_target`, R58).
        target: U256,
        /// Extranonce prefix.
        extranonce_prefix: B032,
        /// Extranonce bytes the miner supplies (0 for standard channels).
        extranonce_size: u16,
        /// Group of a standard channel (R60); `None` for extended channels.
        group_channel_id: Option<u32>,
    },
    /// The open failed; the request id is free again.
    ChannelOpenFailed {
        /// The request id the open returned.
        request_id: u32,
        /// What went wrong.
        reason: OpenFailure,
    },
    /// A job became active: start hashing it (R74, R104).
    NewWork(Work),
    /// A SetNewPrevHash named no known future job (R106): every job of the channel is now
    /// stale; stop hashing and wait for [`ClientEvent::NewWork`].
    WorkInvalidated {
        /// The channel.
        channel_id: u32,
    },
    /// SetTarget changed the channel's target (R100, R101).
    TargetChanged {
        /// The channel.
        channel_id: u32,
        /// The new target (clamped to `max_target`).
        target: U256,
        /// True if the most recent active job takes the new target (it arrived as a future
        /// job); false if it keeps the target it came with (a non-future job, R100).
        active_work_updated: bool,
    },
    /// A share was accepted (R90, R92).
    ShareAccepted {
        /// The channel.
        channel_id: u32,
        /// The share's sequence number.
        sequence_number: u32,
        /// Its job.
        job_id: u32,
        /// `now_ms` of the answer minus `now_ms` of the submit.
        latency_ms: u64,
    },
    /// A share was rejected by SubmitShares.Error (R91). Behaviour never depends on the code
    /// (R151).
    ShareRejected {
        /// The channel.
        channel_id: u32,
        /// The share's sequence number.
        sequence_number: u32,
        /// Its job.
        job_id: u32,
        /// The server's error code (informational).
        error_code: String,
        /// Latency of the answer.
        latency_ms: u64,
    },
    /// One SubmitShares.Success, after its per-share [`ClientEvent::ShareAccepted`] events
    /// (R90; E25: `new_shares_sum` is informational).
    SharesAcknowledged {
        /// The channel.
        channel_id: u32,
        /// `last_sequence_number`.
        last_sequence_number: u32,
        /// `new_submits_accepted_count` as the server sent it.
        new_submits_accepted_count: u32,
        /// `new_shares_sum` as the server sent it.
        new_shares_sum: u64,
        /// Pending shares this acknowledgement resolved.
        resolved: u32,
    },
    /// A pending share was given up because the pending window
    /// ([`ClientConfig::max_pending_shares`]) filled without an answer.
    ShareExpired {
        /// The channel.
        channel_id: u32,
        /// The share's sequence number.
        sequence_number: u32,
        /// Its job.
        job_id: u32,
    },
    /// The channel is gone; its jobs and pending shares are dropped.
    ChannelClosed {
        /// The channel.
        channel_id: u32,
        /// Who closed it.
        reason: CloseReason,
        /// Shares that were still awaiting an answer.
        pending_dropped: usize,
    },
    /// SetExtranoncePrefix: jobs from now on use this prefix (R86, R87).
    ExtranoncePrefixChanged {
        /// The channel.
        channel_id: u32,
        /// The new prefix.
        extranonce_prefix: B032,
        /// The channel's extranonce size (adjusted so that the total stays the same, R87).
        extranonce_size: u16,
    },
    /// SetGroupChannel moved a standard channel into a group (R69).
    GroupChanged {
        /// The standard channel.
        channel_id: u32,
        /// Its new group.
        group_channel_id: u32,
    },
    /// UpdateChannel.Error (R64).
    UpdateChannelFailed {
        /// The channel.
        channel_id: u32,
        /// The server's code (informational).
        error_code: String,
    },
    /// Reconnect (R116–R119): close this connection, connect to the new endpoint with the same
    /// authority key, and re-open channels there. Call
    /// [`MiningClient::connection_closed`](super::MiningClient::connection_closed) when the
    /// old connection is gone.
    Reconnect {
        /// New host; `None` means the current host (empty `new_host`, R117).
        host: Option<String>,
        /// New port; `None` means the current port (`new_port` = 0, R117).
        port: Option<u16>,
    },
    /// ChannelEndpointChanged (R53): reset extension state for this channel.
    EndpointChanged {
        /// The channel.
        channel_id: u32,
    },
    /// SetCustomMiningJob.Success (R111, R112); the job's [`ClientEvent::NewWork`] follows.
    CustomJobAccepted {
        /// The channel.
        channel_id: u32,
        /// The request id [`MiningClient::set_custom_job`](super::MiningClient::set_custom_job)
        /// returned.
        request_id: u32,
        /// The job id the server assigned.
        job_id: u32,
    },
    /// SetCustomMiningJob.Error (R110, R111).
    CustomJobRejected {
        /// The channel.
        channel_id: u32,
        /// The request id.
        request_id: u32,
        /// The server's code (informational).
        error_code: String,
    },
    /// A message from upstream broke a rule; it was ignored or clamped (logged, not fatal).
    ProtocolError {
        /// The offending message.
        message: MessageKind,
        /// The channel it named, if any.
        channel_id: Option<u32>,
        /// What was wrong.
        violation: Violation,
    },
}

/// A caller mistake in a request to the client; nothing was queued.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UsageError {
    /// [`ClientConfig::max_channels`] channels are open or being opened.
    #[error("too many channels (limit {0})")]
    TooManyChannels(usize),
    /// The server set REQUIRES_EXTENDED_CHANNELS (R43).
    #[error("the server accepts only extended channels")]
    ExtendedChannelsRequired,
    /// No open channel has this id.
    #[error("no open channel {0}")]
    UnknownChannel(u32),
    /// The operation needs an extended channel (R108).
    #[error("channel {0} is not an extended channel")]
    NotExtended(u32),
    /// REQUIRES_WORK_SELECTION was not negotiated (R45, R109).
    #[error("work selection (REQUIRES_WORK_SELECTION) was not negotiated")]
    WorkSelectionNotNegotiated,
    /// A hash rate that is negative, NaN or infinite.
    #[error("nominal hash rate must be finite and >= 0")]
    InvalidHashRate,
    /// A string longer than STR0_255 allows.
    #[error("string of {0} bytes exceeds 255")]
    StringTooLong(usize),
    /// `min_extranonce_size` above 32 (R88).
    #[error("min_extranonce_size {0} exceeds 32")]
    ExtranonceSizeTooLarge(u16),
    /// `coinbase_prefix` longer than 8 bytes (R113) or a merkle path over 255 entries.
    #[error("custom job field {0} out of range")]
    CustomJobField(&'static str),
    /// [`ClientConfig::max_pending_custom_jobs`] requests are outstanding.
    #[error("too many outstanding custom job requests")]
    TooManyPendingCustomJobs,
}

/// Why a share was not sent. Each variant is a local decision; nothing went upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// No open channel has this id.
    #[error("no open channel {0}")]
    UnknownChannel(u32),
    /// SubmitSharesStandard on an extended channel or SubmitSharesExtended on a standard one
    /// (R94).
    #[error("wrong submit kind for channel {0}")]
    WrongChannelKind(u32),
    /// The job is not (or no longer) known to the client.
    #[error("unknown job {0}")]
    UnknownJob(u32),
    /// The job is a future job no SetNewPrevHash has activated yet (R75).
    #[error("job {0} is a future job not yet activated")]
    FutureJob(u32),
    /// A SetNewPrevHash invalidated the job (R105): the share would be stale.
    #[error("job {0} is stale")]
    StaleJob(u32),
    /// The version changes bits outside the allowed mask (R148, R42).
    #[error("version {version:#010x} not allowed for job version {job_version:#010x}")]
    VersionNotAllowed {
        /// The share's version.
        version: u32,
        /// The job's version.
        job_version: u32,
    },
    /// nTime outside `min_ntime ..= min_ntime + elapsed seconds` (R96).
    #[error("ntime {ntime} outside {min}..={max}")]
    NtimeOutOfRange {
        /// The share's nTime.
        ntime: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed now.
        max: u32,
    },
    /// The extranonce length differs from the job's `extranonce_size` (R95).
    #[error("extranonce is {got} bytes, expected {expected}")]
    ExtranonceLength {
        /// The size the channel negotiated.
        expected: u16,
        /// The supplied length.
        got: usize,
    },
    /// The header hash does not meet the job's target (R98, R100): not a share.
    #[error("hash above the job's target")]
    BelowTarget {
        /// The header hash.
        hash: U256,
        /// The job's target.
        target: U256,
    },
    /// The same share was submitted before.
    #[error("duplicate share")]
    Duplicate,
}

/// A share that passed the local checks and was queued for upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubmitReceipt {
    /// The channel.
    pub channel_id: u32,
    /// The sequence number the client assigned (R89).
    pub sequence_number: u32,
    /// The job.
    pub job_id: u32,
    /// The header hash (internal byte order).
    pub hash: U256,
    /// True if the hash also meets the network target: a block. The pool propagates it; a
    /// client mining a custom job must propagate it itself too (R97).
    pub is_block: bool,
}

/// An error returned by [`MiningClient::handle_message`](super::MiningClient::handle_message).
///
/// Misbehaving upstreams never produce one: they produce [`ClientEvent::ProtocolError`]. This
/// only says that the message is not the mining client's business (a Common, Job Negotiation
/// or Template Distribution message, or a Mining message the client itself sends), so the
/// caller routes it elsewhere or treats it as a connection-level error (R35).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Not a server-to-client Mining Protocol message.
    #[error("{} is not a message for the mining client", .0.name())]
    NotForClient(MessageKind),
}
