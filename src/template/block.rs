//! The block template a Template Provider serves (06): what a source (Bitcoin Core's
//! `getblocktemplate`, or the synthetic source) knows about the next block, turned into
//! `NewTemplate` / `SetNewPrevHash` for one client's coinbase reservation, and back into a full
//! block from a `SubmitSolution`.
//!
//! A client's `CoinbaseOutputDataSize` (R135, E59) can make the source's template too big: the
//! provider then serves a *variant* that keeps the first `n` transactions. Transactions come in
//! block order, where a parent always precedes its children, so every prefix is a valid block
//! body. A variant has its own merkle path, coinbase value (less the dropped fees) and witness
//! commitment (over the kept transactions).

use super::tx::{parse_tx, TemplateTransaction, TxError};
use crate::codec::U256;
use crate::messages::{NewTemplate, SubmitSolution, TdpSetNewPrevHash};
use crate::mining::coinbase::{compact_size_len, put_compact_size};
use crate::mining::pool::bip34_height_push;
use crate::mining::{
    double_sha256, hash_meets_target, merkle_path_for_coinbase, merkle_path_len, merkle_root,
    write_txout, BlockHeader,
};

/// Consensus limit on block weight (BIP141).
pub const MAX_BLOCK_WEIGHT: u64 = 4_000_000;
/// Consensus limit on the signature-operation cost of a block (BIP141).
pub const MAX_BLOCK_SIGOPS_COST: u64 = 80_000;
/// Sigop cost kept free for the coinbase, as Bitcoin Core's block assembler does: the pool's
/// payout outputs may carry signature operations (E59).
pub const COINBASE_SIGOPS_RESERVE: u64 = 400;
/// The coinbase scriptSig may take up to 100 bytes (consensus); R135 makes the provider assume
/// the pool uses all of them.
pub const MAX_COINBASE_SCRIPT_SIG: u64 = 100;
/// BIP141 witness reserved value: the coinbase's one witness item, 32 zero bytes, committed to
/// together with the witness merkle root.
pub const WITNESS_RESERVED_VALUE: [u8; 32] = [0; 32];

/// Why a template or a solution cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A transaction of the template does not parse.
    #[error("template transaction {index}: {error}")]
    Transaction {
        /// Position in block order.
        index: usize,
        /// What is wrong.
        error: TxError,
    },
    /// A block with this coinbase reservation cannot be valid even without transactions.
    #[error(
        "coinbase_output_max_additional_size {requested} leaves no valid block (at most {max} bytes fit)"
    )]
    CoinbaseReservationTooLarge {
        /// What the client asked for.
        requested: u32,
        /// The most this template allows.
        max: u64,
    },
    /// The submitted coinbase does not parse.
    #[error("coinbase_tx: {0}")]
    Coinbase(TxError),
    /// The submitted coinbase has more than one input.
    #[error("coinbase_tx has {0} inputs, a coinbase has exactly one")]
    CoinbaseInputs(u64),
    /// The coinbase's scriptSig does not start with the template's `coinbase_prefix` (BIP34).
    #[error(
        "coinbase scriptSig does not start with the template's coinbase_prefix (BIP34 height)"
    )]
    CoinbasePrefix,
    /// The template's outputs (its witness commitment) are missing from the coinbase.
    #[error("coinbase_tx lacks the template's coinbase outputs (witness commitment)")]
    CoinbaseOutputs,
    /// A segwit template needs the coinbase's witness reserved value (BIP141, E29).
    #[error("coinbase_tx must carry the 32-byte witness reserved value (witness serialization)")]
    CoinbaseWitness,
    /// The header's hash is above the template's target: not a block.
    #[error("block hash {hash} does not meet the target")]
    AboveTarget {
        /// The header's SHA256d, displayed big-endian.
        hash: String,
    },
}

/// What a source knows about the next block. Byte orders are the header's (internal).
#[derive(Clone, Debug, PartialEq)]
pub struct BlockTemplate {
    /// Header version (BIP9 bits of the network's deployments; BIP320 bits free).
    pub version: u32,
    /// The tip the block builds on.
    pub prev_hash: U256,
    /// Header nBits.
    pub nbits: u32,
    /// The hash a block must not exceed (normally the nBits target).
    pub target: U256,
    /// Where the header time starts (`getblocktemplate`'s `curtime`).
    pub header_timestamp: u32,
    /// The smallest valid header time (`mintime`, median time past + 1).
    pub min_time: u32,
    /// Height of the block (BIP34).
    pub height: u32,
    /// Subsidy plus the fees of every transaction (`coinbasevalue`).
    pub coinbase_value: u64,
    /// Segwit active: the coinbase carries a witness commitment output (value 0) and the
    /// witness reserved value.
    pub segwit: bool,
    /// The block's other transactions, in block order.
    pub transactions: Vec<TemplateTransaction>,
}

/// One client's view of a template: its first `tx_count` transactions.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateVariant {
    /// Transactions kept (a prefix of the template's).
    pub tx_count: usize,
    /// The coinbase's merkle branch over the kept transactions, deepest first.
    pub merkle_path: Vec<U256>,
    /// The outputs the template adds to the coinbase (the witness commitment), serialized.
    pub coinbase_tx_outputs: Vec<u8>,
    /// How many outputs `coinbase_tx_outputs` holds.
    pub coinbase_tx_outputs_count: u32,
    /// Subsidy plus the fees of the kept transactions.
    pub coinbase_value: u64,
}

/// A block assembled from a solution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssembledBlock {
    /// The serialized block (header, transaction count, coinbase, transactions).
    pub bytes: Vec<u8>,
    /// The block hash, internal byte order.
    pub hash: U256,
    /// The header.
    pub header: [u8; 80],
}

/// The BIP141 commitment output script: `OP_RETURN 0x24 aa21a9ed ‖ SHA256d(root ‖ reserved)`.
pub fn witness_commitment_script(witness_merkle_root: U256) -> Vec<u8> {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(&witness_merkle_root.0);
    preimage[32..].copy_from_slice(&WITNESS_RESERVED_VALUE);
    let mut script = vec![0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];
    script.extend_from_slice(&double_sha256(&preimage).0);
    script
}

/// Merkle root of `leaves` (Bitcoin's: an odd level repeats its last node).
fn merkle_root_of(leaves: &[U256]) -> U256 {
    let mut level = leaves.to_vec();
    if level.is_empty() {
        return U256::ZERO;
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let mut block = [0u8; 64];
                block[..32].copy_from_slice(&pair[0].0);
                block[32..].copy_from_slice(&pair[pair.len() - 1].0);
                double_sha256(&block)
            })
            .collect();
    }
    level[0]
}

/// The weight of everything in a block but its transactions and the pool's outputs: header,
/// transaction count, and the largest coinbase the pool could build around `outputs_len` bytes
/// of template outputs plus `extra` bytes of its own (R135, E59).
fn fixed_weight(tx_count: usize, outputs_len: usize, outputs_count: u32, extra: u64) -> u64 {
    // Every output takes at least 9 bytes (value and script length).
    let most_outputs = u64::from(outputs_count) + extra / 9;
    let coinbase_base = 4 // version
        + 1 + 36 + 1 + MAX_COINBASE_SCRIPT_SIG + 4 // the one input
        + compact_size_len(most_outputs) as u64
        + outputs_len as u64
        + extra
        + 4; // locktime
             // Marker and flag, one witness item count, its length and the 32-byte reserved value.
    let coinbase_witness = 2 + 1 + 1 + 32;
    let header = 80 + compact_size_len(tx_count as u64 + 1) as u64;
    header * 4 + coinbase_base * 4 + coinbase_witness
}

impl BlockTemplate {
    /// The template's coinbase outputs and merkle path when only its first `tx_count`
    /// transactions are kept.
    pub fn variant(&self, tx_count: usize) -> TemplateVariant {
        let kept = &self.transactions[..tx_count.min(self.transactions.len())];
        let txids: Vec<U256> = kept.iter().map(|t| t.txid).collect();
        let mut merkle_path = vec![U256::ZERO; merkle_path_len(txids.len())];
        // Sized with merkle_path_len, so this cannot fail.
        let _ = merkle_path_for_coinbase(&txids, &mut merkle_path);
        let dropped_fees: u64 = self.transactions[kept.len()..].iter().map(|t| t.fee).sum();
        let (coinbase_tx_outputs, coinbase_tx_outputs_count) = if self.segwit {
            // The coinbase's wtxid is 0 in the witness tree (BIP141).
            // Without witness (weight = 4 × size) the wtxid is the txid: no hashing.
            let wtxids: Vec<U256> = std::iter::once(U256::ZERO)
                .chain(kept.iter().map(|t| {
                    if t.weight == 4 * t.data.len() as u64 {
                        t.txid
                    } else {
                        double_sha256(&t.data)
                    }
                }))
                .collect();
            let script = witness_commitment_script(merkle_root_of(&wtxids));
            let mut out = vec![0u8; 8 + 1 + script.len()];
            let n = write_txout(&mut out, 0, &script).unwrap_or(0);
            out.truncate(n);
            (out, 1)
        } else {
            (Vec::new(), 0)
        };
        TemplateVariant {
            tx_count: kept.len(),
            merkle_path,
            coinbase_tx_outputs,
            coinbase_tx_outputs_count,
            coinbase_value: self.coinbase_value.saturating_sub(dropped_fees),
        }
    }

    /// How many of the template's transactions fit in a valid block once a pool adds `extra`
    /// bytes of coinbase outputs (CoinbaseOutputDataSize, R135); an error if none do.
    pub fn transactions_fitting(&self, extra: u32) -> Result<usize, TemplateError> {
        // A commitment output: 8 + 1 + 38 bytes.
        let (outputs_len, outputs_count) = if self.segwit { (47, 1) } else { (0, 0) };
        let extra_u64 = u64::from(extra);
        let mut weight: u64 = self.transactions.iter().map(|t| t.weight).sum();
        let mut sigops: u64 = self.transactions.iter().map(|t| t.sigops).sum();
        let mut n = self.transactions.len();
        loop {
            let fixed = fixed_weight(n, outputs_len, outputs_count, extra_u64);
            if fixed.saturating_add(weight) <= MAX_BLOCK_WEIGHT
                && sigops + COINBASE_SIGOPS_RESERVE <= MAX_BLOCK_SIGOPS_COST
            {
                return Ok(n);
            }
            if n == 0 {
                let room =
                    MAX_BLOCK_WEIGHT.saturating_sub(fixed_weight(0, outputs_len, outputs_count, 0));
                return Err(TemplateError::CoinbaseReservationTooLarge {
                    requested: extra,
                    max: room / 4,
                });
            }
            n -= 1;
            weight -= self.transactions[n].weight;
            sigops -= self.transactions[n].sigops;
        }
    }

    /// The `NewTemplate` of `variant` under `template_id` (06 §6.2).
    pub fn new_template(
        &self,
        template_id: u64,
        future_template: bool,
        variant: &TemplateVariant,
    ) -> NewTemplate {
        NewTemplate {
            template_id,
            future_template,
            version: self.version,
            coinbase_tx_version: 2,
            coinbase_prefix: bip34_height_push(self.height),
            coinbase_tx_input_sequence: u32::MAX,
            coinbase_tx_value_remaining: variant.coinbase_value,
            coinbase_tx_outputs_count: variant.coinbase_tx_outputs_count,
            coinbase_tx_outputs: variant.coinbase_tx_outputs.clone(),
            coinbase_tx_locktime: 0,
            merkle_path: variant.merkle_path.clone(),
        }
    }

    /// The `SetNewPrevHash` that activates `template_id` (06 §6.3).
    pub fn set_new_prev_hash(&self, template_id: u64) -> TdpSetNewPrevHash {
        TdpSetNewPrevHash {
            template_id,
            prev_hash: self.prev_hash,
            header_timestamp: self.header_timestamp,
            n_bits: self.nbits,
            target: self.target,
        }
    }

    /// `RequestTransactionData.Success`'s data for `variant`: the kept transactions in block
    /// order (E53) and, as excess data, the witness reserved value of a segwit block — what a
    /// pool needs besides the transactions to rebuild the block (opaque to the Job
    /// Negotiator, R143).
    pub fn transaction_data(&self, variant: &TemplateVariant) -> (Vec<u8>, Vec<Vec<u8>>) {
        let excess = if self.segwit {
            WITNESS_RESERVED_VALUE.to_vec()
        } else {
            Vec::new()
        };
        let txs = self.transactions[..variant.tx_count]
            .iter()
            .map(|t| t.data.clone())
            .collect();
        (excess, txs)
    }

    /// The full block of a solution found on `variant` (06 §6.7, R144), checked as far as the
    /// provider can: the coinbase parses, starts its scriptSig with the BIP34 prefix, carries
    /// the template's outputs and (segwit) the witness reserved value, and the header meets
    /// the target.
    pub fn assemble(
        &self,
        variant: &TemplateVariant,
        solution: &SubmitSolution,
    ) -> Result<AssembledBlock, TemplateError> {
        let coinbase = &solution.coinbase_tx;
        let shape = parse_tx(coinbase).map_err(TemplateError::Coinbase)?;
        if shape.input_count != 1 {
            return Err(TemplateError::CoinbaseInputs(shape.input_count));
        }
        let [_, middle, _] = shape.stripped_parts(coinbase);
        // middle = input count (1 byte) ‖ prevout (36) ‖ scriptSig length ‖ scriptSig ‖ …
        let prefix = bip34_height_push(self.height);
        let script_sig = middle.get(38..).unwrap_or_default();
        if !script_sig.starts_with(&prefix) {
            return Err(TemplateError::CoinbasePrefix);
        }
        if !variant.coinbase_tx_outputs.is_empty()
            && !middle
                .windows(variant.coinbase_tx_outputs.len())
                .any(|w| w == variant.coinbase_tx_outputs.as_slice())
        {
            return Err(TemplateError::CoinbaseOutputs);
        }
        if self.segwit {
            let items = shape.witness_items(coinbase, 0).unwrap_or_default();
            if items.len() != 1 || items[0].len() != 32 {
                return Err(TemplateError::CoinbaseWitness);
            }
        }
        let root = merkle_root(shape.txid(coinbase), &variant.merkle_path);
        let header = BlockHeader::new(
            solution.version,
            self.prev_hash,
            root,
            solution.header_timestamp,
            self.nbits,
            solution.header_nonce,
        );
        let hash = header.hash();
        if !hash_meets_target(hash, self.target) {
            return Err(TemplateError::AboveTarget { hash: hex_be(hash) });
        }
        let kept = &self.transactions[..variant.tx_count];
        let body_len: usize = kept.iter().map(|t| t.data.len()).sum();
        let mut bytes = Vec::with_capacity(80 + 9 + coinbase.len() + body_len);
        bytes.extend_from_slice(header.as_bytes());
        put_compact_size(&mut bytes, kept.len() as u64 + 1);
        bytes.extend_from_slice(coinbase);
        for t in kept {
            bytes.extend_from_slice(&t.data);
        }
        Ok(AssembledBlock {
            bytes,
            hash,
            header: *header.as_bytes(),
        })
    }
}

/// A hash as block explorers show it (big-endian hex).
pub fn hex_be(hash: U256) -> String {
    hash.to_be_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
