//! A made-up node for demos and tests of the Template Provider: block templates with real
//! transaction serializations (legacy and segwit, one input and one output each, spending
//! invented outputs), so that merkle paths, witness commitments, transaction data and block
//! assembly are all exercised without Bitcoin Core. Deterministic from a seed.

use super::block::BlockTemplate;
use super::tx::{TemplateTransaction, TxError};
use crate::codec::U256;
use crate::mining::pool::REGTEST_NBITS;
use crate::mining::{double_sha256, nbits_to_target};

/// Templates and tips without a node. See the module documentation.
#[derive(Clone, Debug)]
pub struct SyntheticBlockSource {
    seed: u64,
    height: u32,
    prev_hash: U256,
    nbits: u32,
    transactions: usize,
    /// Templates made on the current tip (each adds transactions, as a mempool fills).
    updates: u32,
}

impl SyntheticBlockSource {
    /// Starts below block `height` at regtest difficulty with 10 transactions per template.
    pub fn new(seed: u64, height: u32) -> Self {
        let mut tip = [0u8; 12];
        tip[..8].copy_from_slice(&seed.to_le_bytes());
        tip[8..].copy_from_slice(&height.to_le_bytes());
        SyntheticBlockSource {
            seed,
            height,
            prev_hash: double_sha256(&tip),
            nbits: REGTEST_NBITS,
            transactions: 10,
            updates: 0,
        }
    }

    /// Transactions in the first template of each tip (later ones add a few).
    pub fn with_transactions(mut self, n: usize) -> Self {
        self.transactions = n.min(50_000);
        self
    }

    /// Another difficulty (header nBits).
    pub fn with_nbits(mut self, nbits: u32) -> Self {
        self.nbits = nbits;
        self
    }

    /// The height of the next block.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The tip templates build on.
    pub fn prev_hash(&self) -> U256 {
        self.prev_hash
    }

    /// One made-up transaction: a segwit spend for even `i`, a legacy one for odd `i`.
    fn transaction(&self, i: usize) -> Result<TemplateTransaction, TxError> {
        let mut id = [0u8; 20];
        id[..8].copy_from_slice(&self.seed.to_le_bytes());
        id[8..12].copy_from_slice(&self.height.to_le_bytes());
        id[12..20].copy_from_slice(&(i as u64).to_le_bytes());
        let prevout = double_sha256(&id);
        let segwit = i % 2 == 0;
        let mut tx = Vec::with_capacity(200);
        tx.extend_from_slice(&2u32.to_le_bytes());
        if segwit {
            tx.extend_from_slice(&[0x00, 0x01]);
        }
        tx.push(1); // one input
        tx.extend_from_slice(&prevout.0);
        tx.extend_from_slice(&0u32.to_le_bytes());
        if segwit {
            tx.push(0); // empty scriptSig
        } else {
            tx.push(2);
            tx.extend_from_slice(&[0x51, 0x51]);
        }
        tx.extend_from_slice(&0xffff_fffdu32.to_le_bytes());
        tx.push(1); // one output: P2WPKH to a made-up key hash
        tx.extend_from_slice(&(10_000 + i as u64).to_le_bytes());
        tx.extend_from_slice(&[22, 0x00, 0x14]);
        tx.extend_from_slice(&prevout.0[..20]);
        if segwit {
            // Two witness items shaped like a signature and a public key.
            tx.push(2);
            tx.push(71);
            tx.extend(std::iter::repeat_n(0x30, 71));
            tx.push(33);
            tx.extend(std::iter::repeat_n(0x02, 33));
        }
        tx.extend_from_slice(&0u32.to_le_bytes());
        TemplateTransaction::new(tx, 1, 1_000 + i as u64)
    }

    fn template(&self, header_timestamp: u32) -> BlockTemplate {
        let count = self.transactions + self.updates as usize * 2;
        // Every made-up transaction is well formed, so none is skipped.
        let transactions: Vec<TemplateTransaction> = (0..count)
            .filter_map(|i| self.transaction(i).ok())
            .collect();
        let fees: u64 = transactions.iter().map(|t| t.fee).sum();
        // Regtest subsidy halves every 150 blocks.
        let subsidy = (50 * 100_000_000u64) >> (self.height / 150).min(63);
        BlockTemplate {
            version: 0x2000_0000,
            prev_hash: self.prev_hash,
            nbits: self.nbits,
            target: nbits_to_target(self.nbits).unwrap_or(U256::ZERO),
            header_timestamp,
            min_time: header_timestamp.saturating_sub(600),
            height: self.height,
            coinbase_value: subsidy + fees,
            segwit: true,
            transactions,
        }
    }

    /// The first template on the current tip.
    pub fn next_block(&mut self, header_timestamp: u32) -> BlockTemplate {
        self.updates = 0;
        self.template(header_timestamp)
    }

    /// Another template on the same tip, with a few more transactions (fees rose, R133).
    pub fn update(&mut self, header_timestamp: u32) -> BlockTemplate {
        self.updates = self.updates.saturating_add(1);
        self.template(header_timestamp)
    }

    /// A block was found on the current tip (by us or the made-up network): the next
    /// template builds on `block_hash` one height up.
    pub fn advance(&mut self, block_hash: U256) {
        self.prev_hash = block_hash;
        self.height = self.height.saturating_add(1);
        self.updates = 0;
    }
}
