//! Just enough of a Bitcoin transaction to build and check blocks: where its parts are, its
//! txid (SHA256d of the serialization without witness, BIP141), its weight and whether it
//! carries witness data. Transactions stay opaque bytes otherwise (06 §6.5, R143).

use crate::codec::U256;
use crate::mining::coinbase::read_compact_size;
use crate::mining::{double_sha256, MathError};

/// A transaction that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// The bytes end inside the transaction.
    #[error("transaction truncated at byte {0}")]
    Truncated(usize),
    /// Bytes follow the locktime.
    #[error("{0} bytes after the end of the transaction")]
    TrailingBytes(usize),
    /// A CompactSize that is not minimal, or a count no transaction could hold.
    #[error("invalid count or length at byte {0}")]
    BadCount(usize),
    /// The segwit flag byte is not 1, or a witness transaction whose witnesses are all empty
    /// (BIP144 forbids that serialization).
    #[error("invalid segwit marker or empty witness")]
    BadWitness,
    /// No inputs (only the segwit marker could stand there).
    #[error("transaction without inputs")]
    NoInputs,
}

/// The shape of a parsed transaction: offsets into its serialization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxShape {
    /// Whole serialization, as given.
    pub total_len: usize,
    /// Whether it is the BIP144 witness serialization (marker `00 01` after the version).
    pub has_witness: bool,
    /// Where the inputs start (after version, and marker and flag if present).
    inputs_at: usize,
    /// Where the witnesses start (= where the locktime starts without witness).
    witness_at: usize,
    /// Number of inputs.
    pub input_count: u64,
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn skip(&mut self, n: u64) -> Result<(), TxError> {
        let n = usize::try_from(n).map_err(|_| TxError::BadCount(self.at))?;
        let end = self.at.checked_add(n).ok_or(TxError::BadCount(self.at))?;
        if end > self.buf.len() {
            return Err(TxError::Truncated(self.buf.len()));
        }
        self.at = end;
        Ok(())
    }

    fn byte(&mut self) -> Result<u8, TxError> {
        let b = *self
            .buf
            .get(self.at)
            .ok_or(TxError::Truncated(self.buf.len()))?;
        self.at += 1;
        Ok(b)
    }

    fn compact_size(&mut self) -> Result<u64, TxError> {
        let rest = &self.buf[self.at..];
        let (value, used) = read_compact_size(rest).map_err(|e| match e {
            MathError::TruncatedTxOut => TxError::Truncated(self.buf.len()),
            _ => TxError::BadCount(self.at),
        })?;
        self.at += used;
        // Every counted item takes at least one byte: a count above what is left is a lie
        // (and must not size anything).
        if value > (self.buf.len() - self.at) as u64 {
            return Err(TxError::Truncated(self.buf.len()));
        }
        Ok(value)
    }
}

/// Parses a serialized transaction (with or without witness).
pub fn parse_tx(tx: &[u8]) -> Result<TxShape, TxError> {
    let mut r = Reader { buf: tx, at: 0 };
    r.skip(4)?; // version
    let mut has_witness = false;
    if tx.get(4) == Some(&0) {
        r.byte()?;
        if r.byte()? != 1 {
            return Err(TxError::BadWitness);
        }
        has_witness = true;
    }
    let inputs_at = r.at;
    let input_count = r.compact_size()?;
    if input_count == 0 {
        return Err(TxError::NoInputs);
    }
    for _ in 0..input_count {
        r.skip(36)?; // prevout
        let script_len = r.compact_size()?;
        r.skip(script_len)?;
        r.skip(4)?; // sequence
    }
    let output_count = r.compact_size()?;
    for _ in 0..output_count {
        r.skip(8)?; // value
        let script_len = r.compact_size()?;
        r.skip(script_len)?;
    }
    let witness_at = r.at;
    if has_witness {
        let mut any = false;
        for _ in 0..input_count {
            let items = r.compact_size()?;
            any |= items > 0;
            for _ in 0..items {
                let len = r.compact_size()?;
                r.skip(len)?;
            }
        }
        if !any {
            return Err(TxError::BadWitness);
        }
    }
    r.skip(4)?; // locktime
    if r.at != tx.len() {
        return Err(TxError::TrailingBytes(tx.len() - r.at));
    }
    Ok(TxShape {
        total_len: tx.len(),
        has_witness,
        inputs_at,
        witness_at,
        input_count,
    })
}

impl TxShape {
    /// Length of the serialization without witness (the "base size" of BIP141).
    pub fn base_len(&self) -> usize {
        if self.has_witness {
            4 + (self.witness_at - self.inputs_at) + 4
        } else {
            self.total_len
        }
    }

    /// BIP141 weight: base size × 3 + total size.
    pub fn weight(&self) -> u64 {
        self.base_len() as u64 * 3 + self.total_len as u64
    }

    /// The serialization without witness, as `(version, middle, locktime)` slices of `tx`.
    pub fn stripped_parts<'a>(&self, tx: &'a [u8]) -> [&'a [u8]; 3] {
        [
            &tx[..4],
            &tx[self.inputs_at..self.witness_at],
            &tx[self.total_len - 4..],
        ]
    }

    /// The txid: SHA256d of the serialization without witness, internal byte order.
    pub fn txid(&self, tx: &[u8]) -> U256 {
        if !self.has_witness {
            return double_sha256(tx);
        }
        let mut stripped = Vec::with_capacity(self.base_len());
        for part in self.stripped_parts(tx) {
            stripped.extend_from_slice(part);
        }
        double_sha256(&stripped)
    }

    /// The witness stack of input `index` as items, if the transaction has witnesses.
    pub fn witness_items<'a>(&self, tx: &'a [u8], index: u64) -> Option<Vec<&'a [u8]>> {
        if !self.has_witness || index >= self.input_count {
            return None;
        }
        let mut r = Reader {
            buf: tx,
            at: self.witness_at,
        };
        let mut items = Vec::new();
        for i in 0..=index {
            let count = r.compact_size().ok()?;
            for _ in 0..count {
                let len = r.compact_size().ok()?;
                let start = r.at;
                r.skip(len).ok()?;
                if i == index {
                    items.push(&tx[start..r.at]);
                }
            }
        }
        Some(items)
    }
}

/// One transaction of a template: its bytes (witness serialization where it has one, as
/// `getblocktemplate` gives them) and what the provider needs to know about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateTransaction {
    /// The serialized transaction.
    pub data: Vec<u8>,
    /// Its txid, internal byte order.
    pub txid: U256,
    /// Its BIP141 weight.
    pub weight: u64,
    /// Its signature-operation cost, when the source knows it (getblocktemplate's `sigops`).
    pub sigops: u64,
    /// Its fee in satoshis, when the source knows it.
    pub fee: u64,
}

impl TemplateTransaction {
    /// Parses `data`, computing txid and weight; `sigops` and `fee` are the source's.
    pub fn new(data: Vec<u8>, sigops: u64, fee: u64) -> Result<Self, TxError> {
        let shape = parse_tx(&data)?;
        Ok(TemplateTransaction {
            txid: shape.txid(&data),
            weight: shape.weight(),
            data,
            sigops,
            fee,
        })
    }
}
