//! Jobs: a template (or custom job) turned into coinbase prefix/suffix and merkle path, the
//! data every channel's shares are rebuilt from.

use super::policy::TxOut;
use crate::codec::U256;
use crate::mining::{merkle_root, write_txout, CoinbaseBuilder, MathError};

/// Everything needed to rebuild the coinbase of a job, stripped (for txids) or with witness
/// (for SubmitSolution). Owned copy of [`CoinbaseBuilder`]'s inputs.
#[derive(Clone, Debug)]
pub(crate) struct CoinbaseParts {
    pub(crate) tx_version: u32,
    pub(crate) script_sig_prefix: Vec<u8>,
    pub(crate) extranonce_len: usize,
    pub(crate) script_sig_suffix: Vec<u8>,
    pub(crate) input_sequence: u32,
    pub(crate) value_remaining: u64,
    pub(crate) pool_outputs: Vec<u8>,
    pub(crate) template_outputs: Vec<u8>,
    pub(crate) template_outputs_count: u32,
    pub(crate) locktime: u32,
}

impl CoinbaseParts {
    pub(crate) fn builder(&self) -> CoinbaseBuilder<'_> {
        CoinbaseBuilder {
            tx_version: self.tx_version,
            script_sig_prefix: &self.script_sig_prefix,
            extranonce_len: self.extranonce_len,
            script_sig_suffix: &self.script_sig_suffix,
            input_sequence: self.input_sequence,
            value_remaining: self.value_remaining,
            pool_outputs: &self.pool_outputs,
            template_outputs: &self.template_outputs,
            template_outputs_count: self.template_outputs_count,
            locktime: self.locktime,
        }
    }

    /// The full coinbase (witness form when needed, E29) for `extranonce` (the whole area).
    pub(crate) fn full_tx(&self, extranonce: &[u8]) -> Result<Vec<u8>, MathError> {
        let b = self.builder();
        let l = b.layout()?;
        let mut out = vec![0u8; l.witness_tx_len.max(l.tx_len)];
        let n = b.write_full_tx(extranonce, &mut out)?;
        out.truncate(n);
        Ok(out)
    }
}

/// Serializes the pool's outputs back to back.
pub(crate) fn serialize_outputs(outputs: &[TxOut]) -> Vec<u8> {
    let mut flat = Vec::new();
    for o in outputs {
        let start = flat.len();
        flat.resize(start + crate::mining::txout_len(o.script_pubkey.len()), 0);
        // The buffer was sized with txout_len, so this cannot fail.
        let _ = write_txout(&mut flat[start..], o.value, &o.script_pubkey);
    }
    flat
}

/// Where a job's prevhash fields come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TipFields {
    pub(crate) prev_hash: U256,
    pub(crate) min_ntime: u32,
    pub(crate) nbits: u32,
    /// When the prevhash (or custom job) arrived: the nTime window grows from here (R147).
    pub(crate) received_ms: u64,
}

/// Lifecycle (R156): `Future` until a SetNewPrevHash activates it; removed when stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobState {
    Future,
    Active,
}

/// One job, shared by every channel (template jobs) or owned by one (custom jobs).
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) id: u32,
    pub(crate) template_id: Option<u64>,
    /// Custom job: the channel that set it (R112); only its shares may use it.
    pub(crate) owner: Option<u32>,
    /// Custom job: connection owning it (for the per-connection cap).
    pub(crate) owner_conn: Option<u64>,
    pub(crate) state: JobState,
    pub(crate) version: u32,
    pub(crate) version_rolling_allowed: bool,
    /// Stripped coinbase before the extranonce area (E29).
    pub(crate) coinbase_prefix: Vec<u8>,
    /// Stripped coinbase after the extranonce area.
    pub(crate) coinbase_suffix: Vec<u8>,
    pub(crate) merkle_path: Vec<U256>,
    pub(crate) parts: CoinbaseParts,
    /// Custom jobs carry their own prevhash fields; template jobs use the engine's tip.
    pub(crate) custom_tip: Option<TipFields>,
}

impl Job {
    /// Builds the job pieces; fails if the coinbase would be invalid.
    pub(crate) fn build(
        id: u32,
        template_id: Option<u64>,
        version: u32,
        version_rolling_allowed: bool,
        parts: CoinbaseParts,
        merkle_path: Vec<U256>,
    ) -> Result<Job, MathError> {
        let (coinbase_prefix, coinbase_suffix) = parts.builder().prefix_and_suffix()?;
        Ok(Job {
            id,
            template_id,
            owner: None,
            owner_conn: None,
            state: JobState::Active,
            version,
            version_rolling_allowed,
            coinbase_prefix,
            coinbase_suffix,
            merkle_path,
            parts,
            custom_tip: None,
        })
    }

    /// Merkle root for a standard channel (the whole extranonce area is its prefix, R80).
    pub(crate) fn standard_root(&self, extranonce_prefix: &[u8]) -> U256 {
        let txid = crate::mining::coinbase_txid_standard(
            &self.coinbase_prefix,
            extranonce_prefix,
            &self.coinbase_suffix,
        );
        merkle_root(txid, &self.merkle_path)
    }

    /// Merkle root for an extended channel's share (R80, R81).
    pub(crate) fn extended_root(&self, extranonce_prefix: &[u8], extranonce: &[u8]) -> U256 {
        crate::mining::extended_job_merkle_root(
            &self.coinbase_prefix,
            extranonce_prefix,
            extranonce,
            &self.coinbase_suffix,
            &self.merkle_path,
        )
    }
}
