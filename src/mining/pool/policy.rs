//! Policy hooks: the decisions a pool makes that the protocol does not (who may mine, which
//! custom jobs are allowed, where the coinbase pays). Bindings implement this trait with
//! Python or JavaScript callables; every method has a default.

use super::{ChannelKind, ConnectionId};
use crate::codec::U256;
use crate::messages::{NewTemplate, SetCustomMiningJob};

/// One coinbase output the pool adds (before the template's own outputs, R136).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxOut {
    /// Amount in satoshis.
    pub value: u64,
    /// Locking script.
    pub script_pubkey: Vec<u8>,
}

/// What the engine asks the pool. Calls are synchronous and happen inside the engine call
/// that needs the answer; they must not call back into the engine.
pub trait PoolPolicy: Send {
    /// May `user_identity` open a channel? `false` answers `unknown-user` (04 §4.3.6).
    /// Default: everyone may mine.
    fn authorize(&mut self, _conn: ConnectionId, _user_identity: &str, _kind: ChannelKind) -> bool {
        true
    }

    /// The initial target of a new channel, instead of the vardiff estimate from
    /// `nominal_hash_rate`. The engine still clamps it to the pool's and the client's
    /// bounds (R58). Default: `None` (use the estimate).
    fn initial_target(
        &mut self,
        _conn: ConnectionId,
        _user_identity: &str,
        _nominal_hash_rate: f32,
    ) -> Option<U256> {
        None
    }

    /// Is `token` a job token the pool's Job Negotiator issued for this job (R110)?
    /// Default: no (custom jobs need a policy that knows the tokens).
    fn validate_mining_job_token(
        &mut self,
        _conn: ConnectionId,
        _channel_id: u32,
        _user_identity: &str,
        _token: &[u8],
        _job: &SetCustomMiningJob,
    ) -> bool {
        false
    }

    /// The pool's coinbase outputs for `template` (they come first, the template's outputs
    /// follow). Their values must not exceed `coinbase_tx_value_remaining`.
    /// Default: `None`, one output paying everything to `PoolConfig::payout_script`.
    fn coinbase_outputs(&mut self, _template: &NewTemplate) -> Option<Vec<TxOut>> {
        None
    }
}

/// Lets everyone mine and refuses every custom job token (the trait's defaults).
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenPolicy;

impl PoolPolicy for OpenPolicy {}
