//! A made-up template provider for demos and tests: invented prevhashes and transactions,
//! valid BIP34 heights and merkle paths. Deterministic from a seed.
//!
//! Its network difficulty is either fixed (`with_nbits`) or, through
//! [`PoolServer::next_synthetic_block`](crate::mining::pool_server::PoolServer::next_synthetic_block),
//! `PoolConfig::block_difficulty_factor` times the hardest share target, so that blocks are
//! rare next to shares as on a real pool. At regtest difficulty nearly every share was also a
//! block, every block changed the prevhash and in-flight shares went stale (issue 14).

use crate::codec::U256;
use crate::messages::{NewTemplate, TdpSetNewPrevHash};
use crate::mining::{
    difficulty_to_target, double_sha256, merkle_path_for_coinbase, merkle_path_len,
    nbits_to_target, target_to_difficulty, target_to_nbits, write_txout,
};

/// Regtest's proof-of-work limit as nBits: about half of all hashes are blocks.
pub const REGTEST_NBITS: u32 = 0x207f_ffff;

/// Default `PoolConfig::block_difficulty_factor`: the synthetic network target is 1000 times
/// harder than the hardest share target, so about one share in 1000 is a block.
pub const DEFAULT_BLOCK_DIFFICULTY_FACTOR: f64 = 1000.0;

/// The network nBits `factor` times harder than `share_target`, never easier than regtest's
/// limit (a factor below 1 or not finite counts as 1).
pub fn nbits_harder_than(share_target: U256, factor: f64) -> u32 {
    let factor = if factor.is_finite() && factor >= 1.0 {
        factor
    } else {
        1.0
    };
    let limit = nbits_to_target(REGTEST_NBITS).unwrap_or(U256::MAX);
    let target = difficulty_to_target(target_to_difficulty(share_target) * factor)
        .unwrap_or(U256::from_limbs([1, 0, 0, 0]))
        .min(limit);
    target_to_nbits(target)
}

/// The BIP34 height push as Bitcoin Core writes it (`CScript() << height`): OP_0, OP_1..OP_16
/// for small heights, else a minimal little-endian signed number push.
pub fn bip34_height_push(height: u32) -> Vec<u8> {
    match height {
        0 => vec![0x00],
        1..=16 => vec![0x50 + height as u8],
        _ => {
            let mut n = Vec::new();
            let mut h = height;
            while h > 0 {
                n.push(h as u8);
                h >>= 8;
            }
            if n.last().is_some_and(|b| b & 0x80 != 0) {
                n.push(0); // keep it positive
            }
            let mut out = vec![n.len() as u8];
            out.extend_from_slice(&n);
            out
        }
    }
}

/// Generates templates and prevhashes (06 §6.2, §6.3) without a bitcoin node.
#[derive(Clone, Debug)]
pub struct SyntheticTemplateSource {
    seed: u64,
    height: u32,
    prev_hash: U256,
    /// A fixed network difficulty; `None`: relative to the shares (see the module docs),
    /// regtest for `next_block`.
    nbits: Option<u32>,
    next_template_id: u64,
    transactions: usize,
    witness_commitment: bool,
    txids: Vec<U256>,
}

impl SyntheticTemplateSource {
    /// Starts below block `height` (the first `next_block` builds on a made-up tip at
    /// `height - 1`), without transactions. Its difficulty follows the shares when fed through
    /// `PoolServer::next_synthetic_block`; `next_block` alone uses regtest difficulty.
    pub fn new(seed: u64, height: u32) -> Self {
        let mut tip = [0u8; 40];
        tip[..8].copy_from_slice(&seed.to_le_bytes());
        tip[8..12].copy_from_slice(&height.to_le_bytes());
        SyntheticTemplateSource {
            seed,
            height,
            prev_hash: double_sha256(&tip),
            nbits: None,
            next_template_id: 1,
            transactions: 0,
            witness_commitment: false,
            txids: Vec::new(),
        }
    }

    /// Adds `n` made-up transactions to each template (so the merkle path is non-empty).
    pub fn with_transactions(mut self, n: usize) -> Self {
        self.transactions = n.min(60_000);
        self
    }

    /// Adds a BIP141 witness commitment output, so blocks need the witness coinbase (E29).
    pub fn with_witness_commitment(mut self, yes: bool) -> Self {
        self.witness_commitment = yes;
        self
    }

    /// Uses a fixed difficulty (e.g. a hard one, so that no share is a block) instead of one
    /// relative to the shares.
    pub fn with_nbits(mut self, nbits: u32) -> Self {
        self.nbits = Some(nbits);
        self
    }

    /// The fixed difficulty set by `with_nbits`, if any.
    pub fn fixed_nbits(&self) -> Option<u32> {
        self.nbits
    }

    /// Height of the block the current templates build.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The prevhash the current templates build on.
    pub fn prev_hash(&self) -> U256 {
        self.prev_hash
    }

    /// The made-up txids of the last template (block order, coinbase excluded).
    pub fn txids(&self) -> &[U256] {
        &self.txids
    }

    fn template(&mut self, future: bool) -> NewTemplate {
        let template_id = self.next_template_id;
        self.next_template_id += 1;
        self.txids = (0..self.transactions)
            .map(|i| {
                let mut b = [0u8; 24];
                b[..8].copy_from_slice(&self.seed.to_le_bytes());
                b[8..16].copy_from_slice(&template_id.to_le_bytes());
                b[16..24].copy_from_slice(&(i as u64).to_le_bytes());
                double_sha256(&b)
            })
            .collect();
        let mut path = vec![U256::ZERO; merkle_path_len(self.txids.len())];
        // Sized with merkle_path_len, so this cannot fail.
        let _ = merkle_path_for_coinbase(&self.txids, &mut path);
        let mut outputs = Vec::new();
        let mut count = 0;
        if self.witness_commitment {
            let mut script = vec![0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];
            script.extend_from_slice(&double_sha256(&template_id.to_le_bytes()).0);
            let mut o = [0u8; 64];
            let n = write_txout(&mut o, 0, &script).unwrap_or(0);
            outputs.extend_from_slice(&o[..n]);
            count += 1;
        }
        // Regtest subsidy halves every 150 blocks; 1000 sat of made-up fees per transaction.
        let subsidy = (50 * 100_000_000u64) >> (self.height / 150).min(63);
        NewTemplate {
            template_id,
            future_template: future,
            version: 0x2000_0000,
            coinbase_tx_version: 2,
            coinbase_prefix: bip34_height_push(self.height),
            coinbase_tx_input_sequence: u32::MAX,
            coinbase_tx_value_remaining: subsidy + 1000 * self.transactions as u64,
            coinbase_tx_outputs_count: count,
            coinbase_tx_outputs: outputs,
            coinbase_tx_locktime: 0,
            merkle_path: path,
        }
    }

    /// A future template for the next block and the SetNewPrevHash that activates it
    /// (R132). `header_timestamp` is the block time to start from.
    /// (R132). `header_timestamp` is the block time to start from. Without `with_nbits`, the
    /// difficulty is regtest's (about every other hash is a block).
    pub fn next_block(&mut self, header_timestamp: u32) -> (NewTemplate, TdpSetNewPrevHash) {
        self.next_block_with_nbits(header_timestamp, self.nbits.unwrap_or(REGTEST_NBITS))
    }

    /// Like `next_block`, but without `with_nbits` the network target is `factor` times harder
    /// than `share_target` (see [`nbits_harder_than`]).
    pub fn next_block_for_shares(
        &mut self,
        header_timestamp: u32,
        share_target: U256,
        factor: f64,
    ) -> (NewTemplate, TdpSetNewPrevHash) {
        let nbits = self
            .nbits
            .unwrap_or_else(|| nbits_harder_than(share_target, factor));
        self.next_block_with_nbits(header_timestamp, nbits)
    }

    fn next_block_with_nbits(
        &mut self,
        header_timestamp: u32,
        nbits: u32,
    ) -> (NewTemplate, TdpSetNewPrevHash) {
        let t = self.template(true);
        let p = TdpSetNewPrevHash {
            template_id: t.template_id,
            prev_hash: self.prev_hash,
            header_timestamp,
            n_bits: nbits,
            target: nbits_to_target(nbits).unwrap_or(U256::ZERO),
        };
        (t, p)
    }

    /// Another (non-future) template for the current block, as a template provider sends
    /// when fees rise (R133).
    pub fn update(&mut self) -> NewTemplate {
        self.template(false)
    }

    /// A block was found (or the made-up network found one): the next `next_block` builds
    /// on `block_hash` at the next height.
    pub fn advance(&mut self, block_hash: U256) {
        self.prev_hash = block_hash;
        self.height = self.height.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bip34_pushes() {
        assert_eq!(bip34_height_push(0), vec![0x00]);
        assert_eq!(bip34_height_push(16), vec![0x60]);
        assert_eq!(bip34_height_push(17), vec![0x01, 17]);
        assert_eq!(bip34_height_push(128), vec![0x02, 0x80, 0x00]);
        assert_eq!(bip34_height_push(840_000), vec![0x03, 0x40, 0xd1, 0x0c]);
    }

    #[test]
    fn network_target_is_factor_times_harder_than_shares() {
        let share = difficulty_to_target(4096.0).unwrap();
        let net = nbits_to_target(nbits_harder_than(share, 1000.0)).unwrap();
        let ratio = target_to_difficulty(net) / target_to_difficulty(share);
        assert!((999.0..1001.0).contains(&ratio), "ratio {ratio}");
        // Never easier than regtest's limit, whatever the share target.
        assert_eq!(nbits_harder_than(U256::MAX, 1.0), REGTEST_NBITS);
        assert_eq!(
            nbits_harder_than(share, f64::NAN),
            nbits_harder_than(share, 1.0)
        );
    }
}
