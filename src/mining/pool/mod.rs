//! The pool engine: the upstream side of the Mining Protocol (spec 4), sans I/O.
//!
//! What a pool, or the upstream half of a proxy, runs: it opens channels with unique search
//! space, turns block templates into jobs, validates shares, acknowledges them in batches,
//! steers each channel's difficulty, reports found blocks and keeps the books. It performs
//! no I/O, reads no clock and starts no threads; pool policy (who may mine, custom-job tokens,
//! payouts) comes in through the [`PoolPolicy`] hooks.
//!
//! # Call order
//!
//! ```text
//! PoolEngine::new(config, policy)
//! on a new connection, after SetupConnection:   connection_opened(conn, flags) -> Success.flags
//!                                                (Err(UnsupportedFlags(f)): SetupConnection.Error)
//! for every Mining message from a client:       handle_message(conn, msg, now_ms)
//! from the template provider:                   new_template(t, now_ms), set_prev_hash(p, now_ms)
//! when the application decides:                 set_target, set_extranonce_prefix, reconnect,
//!                                                close_channel
//! when a connection ends:                       connection_closed(conn, now_ms)
//! after ANY of the calls above, and at poll_timeout():
//!     handle_timeout(now_ms)         (if the deadline passed)
//!     drain_outgoing / next_outgoing  -> send each (conn, message) through its Session
//!     next_event                      -> blocks (SubmitSolution to the TP), accounting
//!     poll_timeout                    -> when to call handle_timeout next
//! ```
//!
//! `now_ms` is the caller's monotonic clock in milliseconds; it must never go backwards.
//! Messages for one connection leave in the order they must be sent.
//!
//! # Jobs and search space
//!
//! Every channel gets an extranonce prefix that no other channel ever had (`server_id ‖
//! counter`, 4.2, R83). The coinbase reserves one extranonce area of
//! `extranonce_total_len` bytes for all channels, so one coinbase prefix/suffix pair serves
//! them all: a standard channel's prefix fills the area, an extended channel's prefix plus
//! its `extranonce_size` does (R80, R87, R88). Jobs go out once per group (connections
//! without REQUIRES_STANDARD_JOBS), once per extended channel, and as per-channel
//! NewMiningJob with its merkle root to standard channels of REQUIRES_STANDARD_JOBS
//! connections (R44, R73, R79). Standard channels in a group compute their merkle root at
//! their first share of a job and cache it, so a new job costs O(1) per group.
//!
//! # Error codes
//!
//! SubmitShares.Error: see [`RejectReason`] (`invalid-channel-id`, `stale-share`,
//! `invalid-job-id`, `ntime-out-of-range`, `version-not-allowed`,
//! `invalid-extranonce-size`, `difficulty-too-low`, `duplicate-share`).
//! OpenMiningChannel.Error: [`open_error`]. UpdateChannel.Error: [`update_error`].
//! SetCustomMiningJob.Error: [`custom_job_error`] and `invalid-job-param-value-<field>`.
//!
//! # Bounds against hostile clients
//!
//! Channels per connection, jobs kept (active, future, custom per connection), accepted
//! shares remembered for duplicate detection, and queued acknowledgements are all bounded
//! by [`PoolConfig`]. Bad input is answered with the spec's error message and never changes
//! other state; client messages a pool must not receive return
//! [`EngineError::UnexpectedMessage`] so the caller can close the connection.

mod channel;
mod config;
mod engine;
mod events;
mod job;
mod policy;
mod synthetic;
mod vardiff;

pub use config::{
    ClientMaxTarget, PoolConfig, VardiffConfig, SETUP_REQUIRES_STANDARD_JOBS,
    SETUP_REQUIRES_VERSION_ROLLING, SETUP_REQUIRES_WORK_SELECTION,
    SUCCESS_REQUIRES_EXTENDED_CHANNELS, SUCCESS_REQUIRES_FIXED_VERSION,
};
pub use engine::PoolEngine;
pub use events::{
    custom_job_error, open_error, update_error, BlockFound, ChannelKind, ChannelStats, CloseCause,
    PoolEvent, PoolSnapshot, RejectReason, TargetChangeCause, REJECT_REASON_COUNT,
};
pub use policy::{OpenPolicy, PoolPolicy, TxOut};
pub use synthetic::{
    bip34_height_push, nbits_harder_than, SyntheticTemplateSource, DEFAULT_BLOCK_DIFFICULTY_FACTOR,
    REGTEST_NBITS,
};
pub use vardiff::HASHES_PER_DIFFICULTY_1;

use crate::mining::MathError;
use thiserror::Error;

/// The caller's name for a connection (any u64 it likes, e.g. a socket token).
pub type ConnectionId = u64;

/// Misuse of the engine, or a message that has no place on a pool connection. Protocol
/// rejections a client can receive are messages, not errors.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The configuration is unusable.
    #[error("invalid pool configuration: {0}")]
    InvalidConfig(&'static str),
    /// The connection was never opened or is closed.
    #[error("unknown connection {0}")]
    UnknownConnection(ConnectionId),
    /// `connection_opened` twice for one id.
    #[error("connection {0} is already open")]
    ConnectionExists(ConnectionId),
    /// SetupConnection asked for flags the pool does not support (R38): reply
    /// SetupConnection.Error with exactly these flags.
    #[error("unsupported SetupConnection flags {0:#x}")]
    UnsupportedFlags(u32),
    /// A message a client must not send to a pool (R35); close the connection.
    #[error("unexpected message {0} from a client")]
    UnexpectedMessage(&'static str),
    /// No such channel on that connection.
    #[error("unknown channel {0}")]
    UnknownChannel(u32),
    /// A non-future template arrived before any prevhash.
    #[error("non-future template before any SetNewPrevHash")]
    NoPrevHash,
    /// SetNewPrevHash named a template that is not a pending future template.
    #[error("SetNewPrevHash for unknown future template {0}")]
    UnknownTemplate(u64),
    /// The template's coinbase cannot be built.
    #[error("invalid template: {0}")]
    InvalidTemplate(MathError),
    /// 2^32 − 1 job ids were used.
    #[error("job ids exhausted")]
    JobIdsExhausted,
    /// No fresh extranonce prefix is left (R83 forbids reuse).
    #[error("extranonce prefix space exhausted")]
    ExtranonceSpaceExhausted,
    /// A bad argument from the application.
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
}
