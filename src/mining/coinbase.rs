//! Coinbase transactions: assembly from job pieces (R80), streaming txids, the pool-side
//! builder that splits a coinbase around its extranonce area (E29, R88), and TxOut lists (E55).
//!
//! Jobs carry the **non-witness** ("stripped") coinbase, because the merkle root commits to
//! txids (R81, E29). The witness serialization, with the segwit marker and flag and the 32-byte
//! witness reserved value, exists only for SubmitSolution and block assembly.

use super::MathError;
use crate::codec::U256;
use sha2::{Digest, Sha256};

/// Largest `extranonce_prefix` (B0_32, R88).
pub const MAX_EXTRANONCE_PREFIX_SIZE: usize = 32;
/// Largest `extranonce_size` a server may grant: `SubmitSharesExtended.extranonce` is B0_32
/// (R88, E23).
pub const MAX_EXTRANONCE_SIZE: usize = 32;
/// Smallest coinbase scriptSig consensus accepts (`bad-cb-length`).
pub const MIN_SCRIPT_SIG_LEN: usize = 2;
/// Largest coinbase scriptSig consensus accepts (`bad-cb-length`).
pub const MAX_SCRIPT_SIG_LEN: usize = 100;

/// Where serialized bytes go: a length counter, a caller buffer or a hasher. One
/// serialization routine feeds all three, so lengths, bytes and txids cannot disagree.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

struct Counter(usize);
impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
}

/// Writes into a buffer whose size was checked beforehand; a short buffer would only
/// truncate (never panic), and callers check lengths first.
struct SliceWriter<'a> {
    buf: &'a mut [u8],
    pos: usize,
}
impl Sink for SliceWriter<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.pos.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
        }
        self.pos = end;
    }
}

impl Sink for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// Copies `parts` back to back into `out`, returning the total length.
fn concat_into(out: &mut [u8], parts: &[&[u8]]) -> Result<usize, MathError> {
    let needed = parts.iter().fold(0usize, |n, p| n.saturating_add(p.len()));
    if out.len() < needed {
        return Err(MathError::BufferTooSmall {
            needed,
            available: out.len(),
        });
    }
    let mut w = SliceWriter { buf: out, pos: 0 };
    for p in parts {
        w.put(p);
    }
    Ok(needed)
}

/// R80, extended channel: writes `coinbase_tx_prefix ‖ extranonce_prefix ‖ extranonce ‖
/// coinbase_tx_suffix` into `out` and returns its length. Allocation-free.
///
/// # Errors
/// [`MathError::BufferTooSmall`] if `out` cannot hold the coinbase (nothing useful is written).
pub fn assemble_coinbase_extended(
    out: &mut [u8],
    coinbase_tx_prefix: &[u8],
    extranonce_prefix: &[u8],
    extranonce: &[u8],
    coinbase_tx_suffix: &[u8],
) -> Result<usize, MathError> {
    concat_into(
        out,
        &[
            coinbase_tx_prefix,
            extranonce_prefix,
            extranonce,
            coinbase_tx_suffix,
        ],
    )
}

/// R80, standard channel in a group: `coinbase_tx_prefix ‖ extranonce_prefix ‖
/// coinbase_tx_suffix` (no miner extranonce). Allocation-free.
///
/// # Errors
/// [`MathError::BufferTooSmall`] if `out` cannot hold the coinbase.
pub fn assemble_coinbase_standard(
    out: &mut [u8],
    coinbase_tx_prefix: &[u8],
    extranonce_prefix: &[u8],
    coinbase_tx_suffix: &[u8],
) -> Result<usize, MathError> {
    concat_into(
        out,
        &[coinbase_tx_prefix, extranonce_prefix, coinbase_tx_suffix],
    )
}

/// SHA256d of the concatenation of `parts`, streamed: the transaction is never assembled.
pub fn txid_of_parts(parts: &[&[u8]]) -> U256 {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    U256(Sha256::digest(h.finalize()).into())
}

/// Txid of an extended-channel coinbase (R80, R81) without assembling it. Allocation-free.
pub fn coinbase_txid_extended(
    coinbase_tx_prefix: &[u8],
    extranonce_prefix: &[u8],
    extranonce: &[u8],
    coinbase_tx_suffix: &[u8],
) -> U256 {
    txid_of_parts(&[
        coinbase_tx_prefix,
        extranonce_prefix,
        extranonce,
        coinbase_tx_suffix,
    ])
}

/// Txid of a standard-channel (group) coinbase (R80) without assembling it. Allocation-free.
pub fn coinbase_txid_standard(
    coinbase_tx_prefix: &[u8],
    extranonce_prefix: &[u8],
    coinbase_tx_suffix: &[u8],
) -> U256 {
    txid_of_parts(&[coinbase_tx_prefix, extranonce_prefix, coinbase_tx_suffix])
}

/// The merkle root of an extended job for one extranonce: coinbase txid folded over the
/// branch (R80, R81). What a proxy computes per downstream channel, and the pool per share.
pub fn extended_job_merkle_root(
    coinbase_tx_prefix: &[u8],
    extranonce_prefix: &[u8],
    extranonce: &[u8],
    coinbase_tx_suffix: &[u8],
    merkle_path: &[U256],
) -> U256 {
    let txid = coinbase_txid_extended(
        coinbase_tx_prefix,
        extranonce_prefix,
        extranonce,
        coinbase_tx_suffix,
    );
    super::merkle_root(txid, merkle_path)
}

/// R88: checks the sizes a server grants: `extranonce_prefix` ≤ 32 bytes (B0_32) and
/// `extranonce_size` ≤ 32 (SubmitSharesExtended.extranonce is B0_32, E23). Clients apply the
/// same check to grants they receive.
///
/// # Errors
/// [`MathError::ExtranoncePrefixTooLong`] or [`MathError::ExtranonceTooLong`].
pub fn validate_extranonce_sizes(
    extranonce_prefix_len: usize,
    extranonce_size: usize,
) -> Result<(), MathError> {
    if extranonce_prefix_len > MAX_EXTRANONCE_PREFIX_SIZE {
        return Err(MathError::ExtranoncePrefixTooLong(extranonce_prefix_len));
    }
    if extranonce_size > MAX_EXTRANONCE_SIZE {
        return Err(MathError::ExtranonceTooLong(extranonce_size));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CompactSize and TxOut

/// Bytes a CompactSize takes for `n`.
pub(crate) fn compact_size_len(n: u64) -> usize {
    match n {
        0..=0xfc => 1,
        0xfd..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

/// Emits a CompactSize (bitcoin's variable-length integer).
pub(crate) fn put_compact_size<S: Sink>(s: &mut S, n: u64) {
    match compact_size_len(n) {
        1 => s.put(&[n as u8]),
        3 => {
            s.put(&[0xfd]);
            s.put(&(n as u16).to_le_bytes());
        }
        5 => {
            s.put(&[0xfe]);
            s.put(&(n as u32).to_le_bytes());
        }
        _ => {
            s.put(&[0xff]);
            s.put(&n.to_le_bytes());
        }
    }
}

/// Reads a CompactSize from the front of `buf`: (value, bytes used). Consensus rejects
/// non-minimal encodings, and so do we.
pub(crate) fn read_compact_size(buf: &[u8]) -> Result<(u64, usize), MathError> {
    let (&first, rest) = buf.split_first().ok_or(MathError::TruncatedTxOut)?;
    let (value, used, min) = match first {
        0xfd => (le_uint(rest, 2)?, 3, 0xfd),
        0xfe => (le_uint(rest, 4)?, 5, 0x1_0000),
        0xff => (le_uint(rest, 8)?, 9, 0x1_0000_0000),
        b => (u64::from(b), 1, 0),
    };
    if value < min {
        return Err(MathError::NonCanonicalCompactSize);
    }
    Ok((value, used))
}

fn le_uint(buf: &[u8], n: usize) -> Result<u64, MathError> {
    let bytes = buf.get(..n).ok_or(MathError::TruncatedTxOut)?;
    Ok(bytes
        .iter()
        .rev()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

/// One consensus-serialized TxOut, borrowed from a larger buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxOutRef<'a> {
    /// Amount in satoshis.
    pub value: u64,
    /// The locking script.
    pub script_pubkey: &'a [u8],
    /// The whole serialized output (`value ‖ CompactSize len ‖ script`).
    pub raw: &'a [u8],
}

impl TxOutRef<'_> {
    /// Is this the BIP141 witness commitment (`OP_RETURN 0x24 aa21a9ed ‖ 32-byte hash …`)?
    pub fn is_witness_commitment(&self) -> bool {
        self.script_pubkey.len() >= 38
            && self
                .script_pubkey
                .starts_with(&[0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed])
    }
}

/// Iterator over a flat concatenation of serialized TxOuts (NewTemplate's
/// `coinbase_tx_outputs`, E55). Yields one `Err` and stops at the first malformed output.
/// Allocation-free.
#[derive(Clone, Debug)]
pub struct TxOutIter<'a> {
    rest: &'a [u8],
    failed: bool,
}

/// Splits a flat TxOut concatenation into its outputs (see [`TxOutIter`]).
pub fn split_txouts(flat: &[u8]) -> TxOutIter<'_> {
    TxOutIter {
        rest: flat,
        failed: false,
    }
}

impl<'a> TxOutIter<'a> {
    fn parse_one(&mut self) -> Result<TxOutRef<'a>, MathError> {
        let all = self.rest;
        let value = le_uint(all, 8)?;
        let after_value = all.get(8..).ok_or(MathError::TruncatedTxOut)?;
        let (script_len, used) = read_compact_size(after_value)?;
        let script_len = usize::try_from(script_len).map_err(|_| MathError::TruncatedTxOut)?;
        let start = 8 + used;
        let end = start
            .checked_add(script_len)
            .ok_or(MathError::TruncatedTxOut)?;
        let script_pubkey = all.get(start..end).ok_or(MathError::TruncatedTxOut)?;
        let (raw, rest) = all.split_at_checked(end).ok_or(MathError::TruncatedTxOut)?;
        self.rest = rest;
        Ok(TxOutRef {
            value,
            script_pubkey,
            raw,
        })
    }
}

impl<'a> Iterator for TxOutIter<'a> {
    type Item = Result<TxOutRef<'a>, MathError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let item = self.parse_one();
        self.failed = item.is_err();
        Some(item)
    }
}

/// Serializes one TxOut (`value u64 LE ‖ CompactSize len ‖ script`) into `out`, returning
/// its length. Allocation-free.
///
/// # Errors
/// [`MathError::BufferTooSmall`] if `out` is too short.
pub fn write_txout(out: &mut [u8], value: u64, script_pubkey: &[u8]) -> Result<usize, MathError> {
    let needed = txout_len(script_pubkey.len());
    if out.len() < needed {
        return Err(MathError::BufferTooSmall {
            needed,
            available: out.len(),
        });
    }
    let mut w = SliceWriter { buf: out, pos: 0 };
    w.put(&value.to_le_bytes());
    put_compact_size(&mut w, script_pubkey.len() as u64);
    w.put(script_pubkey);
    Ok(needed)
}

/// Serialized size of a TxOut whose script is `script_len` bytes.
pub fn txout_len(script_len: usize) -> usize {
    8usize
        .saturating_add(compact_size_len(script_len as u64))
        .saturating_add(script_len)
}

/// E55: a flat concatenation (NewTemplate `coinbase_tx_outputs`, B0_64K) → one serialized
/// TxOut per element (SetCustomMiningJob / CommitMiningJob `SEQ0_64K[B0_64K]`). Allocates.
///
/// # Errors
/// [`MathError::TruncatedTxOut`] / [`MathError::NonCanonicalCompactSize`] on malformed input.
pub fn txouts_flat_to_list(flat: &[u8]) -> Result<Vec<Vec<u8>>, MathError> {
    split_txouts(flat)
        .map(|o| o.map(|o| o.raw.to_vec()))
        .collect()
}

/// E55: one serialized TxOut per element → the flat concatenation, with the output count for
/// `coinbase_tx_outputs_count`. Allocates.
///
/// # Errors
/// [`MathError::NotOneTxOut`] with the index of the first element that is not exactly one
/// well-formed TxOut.
pub fn txouts_list_to_flat<T: AsRef<[u8]>>(list: &[T]) -> Result<(Vec<u8>, u32), MathError> {
    let mut flat = Vec::new();
    for (i, element) in list.iter().enumerate() {
        let bytes = element.as_ref();
        let mut it = split_txouts(bytes);
        match (it.next(), it.next()) {
            (Some(Ok(_)), None) => flat.extend_from_slice(bytes),
            _ => return Err(MathError::NotOneTxOut(i)),
        }
    }
    let count = u32::try_from(list.len()).map_err(|_| MathError::NotOneTxOut(u32::MAX as usize))?;
    Ok((flat, count))
}

// ---------------------------------------------------------------------------------------------
// Pool-side coinbase builder

/// What the pool knows when it turns a template into a job: the NewTemplate coinbase fields,
/// its own outputs, and the size of the extranonce area.
///
/// The coinbase has one input whose scriptSig is
/// `script_sig_prefix ‖ extranonce area (extranonce_len bytes) ‖ script_sig_suffix`, and its
/// outputs are `pool_outputs` followed by `template_outputs` (R136). The extranonce area is
/// what channels fill with `extranonce_prefix ‖ extranonce` (R80), so the serialization splits
/// there into `coinbase_tx_prefix` and `coinbase_tx_suffix` (E29: without witness data).
#[derive(Clone, Copy, Debug)]
pub struct CoinbaseBuilder<'a> {
    /// NewTemplate `coinbase_tx_version`.
    pub tx_version: u32,
    /// Start of the scriptSig: NewTemplate `coinbase_prefix` (the BIP34 height push), plus
    /// anything the pool wants before the extranonce.
    pub script_sig_prefix: &'a [u8],
    /// Size of the extranonce area: `len(extranonce_prefix) + extranonce_size` for extended
    /// channels, `len(extranonce_prefix)` for standard/group channels.
    pub extranonce_len: usize,
    /// Rest of the scriptSig after the extranonce area (e.g. a pool tag); may be empty.
    pub script_sig_suffix: &'a [u8],
    /// NewTemplate `coinbase_tx_input_sequence`.
    pub input_sequence: u32,
    /// NewTemplate `coinbase_tx_value_remaining`: what the pool outputs may spend in total.
    pub value_remaining: u64,
    /// The pool's outputs, serialized back to back (they come first).
    pub pool_outputs: &'a [u8],
    /// NewTemplate `coinbase_tx_outputs`, appended as is (R136).
    pub template_outputs: &'a [u8],
    /// NewTemplate `coinbase_tx_outputs_count`.
    pub template_outputs_count: u32,
    /// NewTemplate `coinbase_tx_locktime`.
    pub locktime: u32,
}

/// Sizes of a validated coinbase (see [`CoinbaseBuilder::layout`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoinbaseLayout {
    /// `coinbase_tx_prefix` length (everything before the extranonce area).
    pub prefix_len: usize,
    /// Extranonce area length.
    pub extranonce_len: usize,
    /// `coinbase_tx_suffix` length (everything after the extranonce area).
    pub suffix_len: usize,
    /// Whole scriptSig length (2..=100).
    pub script_sig_len: usize,
    /// Total number of outputs.
    pub output_count: u64,
    /// Sum of the pool outputs' values.
    pub pool_value: u64,
    /// Whether an output is a BIP141 witness commitment, so the block needs the witness
    /// serialization of the coinbase.
    pub has_witness_commitment: bool,
    /// Length of the non-witness serialization (the one whose SHA256d is the txid).
    pub tx_len: usize,
    /// Length of the witness serialization (equal to `tx_len` without a commitment).
    pub witness_tx_len: usize,
}

/// Counts and checks a flat TxOut list: (count, value sum, has witness commitment).
fn scan_outputs(flat: &[u8]) -> Result<(u64, u64, bool), MathError> {
    let mut count = 0u64;
    let mut value = 0u64;
    let mut commitment = false;
    for out in split_txouts(flat) {
        let out = out?;
        count += 1;
        value = value.saturating_add(out.value);
        commitment |= out.is_witness_commitment();
    }
    Ok((count, value, commitment))
}

/// Which serialization to emit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Stripped,
    Witness,
}

impl CoinbaseBuilder<'_> {
    /// Validates the inputs and computes every length.
    ///
    /// # Errors
    /// [`MathError::ScriptSigLength`] if the scriptSig leaves 2..=100 bytes (R88);
    /// [`MathError::TruncatedTxOut`] / [`MathError::NonCanonicalCompactSize`] for malformed
    /// outputs; [`MathError::OutputCountMismatch`] if `template_outputs` does not hold
    /// `template_outputs_count` outputs (E55); [`MathError::ValueExceedsRemaining`] if the pool
    /// outputs spend more than `value_remaining`.
    pub fn layout(&self) -> Result<CoinbaseLayout, MathError> {
        let script_sig_len = self
            .script_sig_prefix
            .len()
            .saturating_add(self.extranonce_len)
            .saturating_add(self.script_sig_suffix.len());
        if !(MIN_SCRIPT_SIG_LEN..=MAX_SCRIPT_SIG_LEN).contains(&script_sig_len) {
            return Err(MathError::ScriptSigLength(script_sig_len));
        }
        let (pool_count, pool_value, pool_commitment) = scan_outputs(self.pool_outputs)?;
        let (tmpl_count, _, tmpl_commitment) = scan_outputs(self.template_outputs)?;
        if tmpl_count != u64::from(self.template_outputs_count) {
            return Err(MathError::OutputCountMismatch {
                declared: u64::from(self.template_outputs_count),
                found: tmpl_count,
            });
        }
        if pool_value > self.value_remaining {
            return Err(MathError::ValueExceedsRemaining {
                spent: pool_value,
                available: self.value_remaining,
            });
        }
        let output_count = pool_count + tmpl_count;
        let has_witness_commitment = pool_commitment || tmpl_commitment;

        let mut prefix = Counter(0);
        self.emit_prefix(&mut prefix, Form::Stripped, script_sig_len);
        let mut suffix = Counter(0);
        self.emit_suffix(&mut suffix, Form::Stripped, output_count);
        let mut witness_prefix = Counter(0);
        self.emit_prefix(&mut witness_prefix, Form::Witness, script_sig_len);
        let mut witness_suffix = Counter(0);
        self.emit_suffix(&mut witness_suffix, Form::Witness, output_count);

        let tx_len = prefix
            .0
            .saturating_add(self.extranonce_len)
            .saturating_add(suffix.0);
        let witness_tx_len = witness_prefix
            .0
            .saturating_add(self.extranonce_len)
            .saturating_add(witness_suffix.0);
        Ok(CoinbaseLayout {
            prefix_len: prefix.0,
            extranonce_len: self.extranonce_len,
            suffix_len: suffix.0,
            script_sig_len,
            output_count,
            pool_value,
            has_witness_commitment,
            tx_len,
            witness_tx_len,
        })
    }

    /// version ‖ [marker, flag] ‖ one input: null prevout, scriptSig length, scriptSig prefix.
    fn emit_prefix<S: Sink>(&self, s: &mut S, form: Form, script_sig_len: usize) {
        s.put(&self.tx_version.to_le_bytes());
        if form == Form::Witness {
            // Callers pick this form only when a witness commitment exists (`full_form`).
            s.put(&[0x00, 0x01]);
        }
        s.put(&[0x01]); // one input
        s.put(&[0u8; 32]); // null prevout hash
        s.put(&u32::MAX.to_le_bytes()); // prevout index 0xffffffff
        put_compact_size(s, script_sig_len as u64);
        s.put(self.script_sig_prefix);
    }

    /// scriptSig suffix ‖ sequence ‖ outputs ‖ [witness] ‖ locktime.
    fn emit_suffix<S: Sink>(&self, s: &mut S, form: Form, output_count: u64) {
        s.put(self.script_sig_suffix);
        s.put(&self.input_sequence.to_le_bytes());
        put_compact_size(s, output_count);
        s.put(self.pool_outputs);
        s.put(self.template_outputs);
        if form == Form::Witness {
            // One stack item: the 32-byte witness reserved value, all zero (BIP141).
            s.put(&[0x01, 0x20]);
            s.put(&[0u8; 32]);
        }
        s.put(&self.locktime.to_le_bytes());
    }

    /// The form to use for "the full coinbase": witness only if a commitment needs it
    /// (a segwit serialization with an empty witness is invalid).
    fn full_form(layout: &CoinbaseLayout) -> Form {
        if layout.has_witness_commitment {
            Form::Witness
        } else {
            Form::Stripped
        }
    }

    fn write_with(
        out: &mut [u8],
        needed: usize,
        f: impl FnOnce(&mut SliceWriter<'_>),
    ) -> Result<usize, MathError> {
        if out.len() < needed {
            return Err(MathError::BufferTooSmall {
                needed,
                available: out.len(),
            });
        }
        let mut w = SliceWriter { buf: out, pos: 0 };
        f(&mut w);
        Ok(needed)
    }

    /// Writes `coinbase_tx_prefix` (non-witness, E29) into `out`; returns its length.
    ///
    /// # Errors
    /// As [`layout`](Self::layout), plus [`MathError::BufferTooSmall`].
    pub fn write_prefix(&self, out: &mut [u8]) -> Result<usize, MathError> {
        let l = self.layout()?;
        Self::write_with(out, l.prefix_len, |w| {
            self.emit_prefix(w, Form::Stripped, l.script_sig_len)
        })
    }

    /// Writes `coinbase_tx_suffix` (non-witness, E29) into `out`; returns its length.
    ///
    /// # Errors
    /// As [`layout`](Self::layout), plus [`MathError::BufferTooSmall`].
    pub fn write_suffix(&self, out: &mut [u8]) -> Result<usize, MathError> {
        let l = self.layout()?;
        Self::write_with(out, l.suffix_len, |w| {
            self.emit_suffix(w, Form::Stripped, l.output_count)
        })
    }

    fn check_extranonce(&self, extranonce: &[u8]) -> Result<(), MathError> {
        if extranonce.len() != self.extranonce_len {
            return Err(MathError::ExtranonceLength {
                expected: self.extranonce_len,
                got: extranonce.len(),
            });
        }
        Ok(())
    }

    /// Writes the whole non-witness coinbase with `extranonce` (the channel's
    /// `extranonce_prefix ‖ extranonce`) filled in; its SHA256d is the txid.
    ///
    /// # Errors
    /// As [`layout`](Self::layout), plus [`MathError::ExtranonceLength`] and
    /// [`MathError::BufferTooSmall`].
    pub fn write_tx(&self, extranonce: &[u8], out: &mut [u8]) -> Result<usize, MathError> {
        self.check_extranonce(extranonce)?;
        let l = self.layout()?;
        Self::write_with(out, l.tx_len, |w| {
            self.emit_tx(w, Form::Stripped, &l, extranonce)
        })
    }

    /// Writes the full coinbase for SubmitSolution and block assembly (E29, R145): the
    /// witness serialization (marker, flag, 32-byte zero reserved value) when an output is a
    /// witness commitment, otherwise the plain serialization. Length: `witness_tx_len`.
    ///
    /// # Errors
    /// As [`write_tx`](Self::write_tx).
    pub fn write_full_tx(&self, extranonce: &[u8], out: &mut [u8]) -> Result<usize, MathError> {
        self.check_extranonce(extranonce)?;
        let l = self.layout()?;
        let form = Self::full_form(&l);
        let needed = if form == Form::Witness {
            l.witness_tx_len
        } else {
            l.tx_len
        };
        Self::write_with(out, needed, |w| self.emit_tx(w, form, &l, extranonce))
    }

    fn emit_tx<S: Sink>(&self, s: &mut S, form: Form, l: &CoinbaseLayout, extranonce: &[u8]) {
        self.emit_prefix(s, form, l.script_sig_len);
        s.put(extranonce);
        self.emit_suffix(s, form, l.output_count);
    }

    /// The coinbase txid for `extranonce`, streamed (nothing assembled, no allocation).
    ///
    /// # Errors
    /// As [`layout`](Self::layout), plus [`MathError::ExtranonceLength`].
    pub fn txid(&self, extranonce: &[u8]) -> Result<U256, MathError> {
        self.check_extranonce(extranonce)?;
        let l = self.layout()?;
        let mut h = Sha256::new();
        self.emit_tx(&mut h, Form::Stripped, &l, extranonce);
        Ok(U256(Sha256::digest(h.finalize()).into()))
    }

    /// `(coinbase_tx_prefix, coinbase_tx_suffix)` as owned buffers, for building
    /// NewExtendedMiningJob. Allocates (once per template, not per share).
    ///
    /// # Errors
    /// As [`layout`](Self::layout).
    pub fn prefix_and_suffix(&self) -> Result<(Vec<u8>, Vec<u8>), MathError> {
        let l = self.layout()?;
        let mut prefix = vec![0u8; l.prefix_len];
        let mut suffix = vec![0u8; l.suffix_len];
        self.write_prefix(&mut prefix)?;
        self.write_suffix(&mut suffix)?;
        Ok((prefix, suffix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn be(s: &str) -> U256 {
        let mut b = [0u8; 32];
        b.copy_from_slice(&hex::decode(s).unwrap());
        U256::from_be_bytes(b)
    }

    const GENESIS_SCRIPT_SIG: &str = "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73";
    const GENESIS_OUTPUT: &str = "00f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac";
    const GENESIS_TXID: &str = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";

    fn genesis_builder<'a>(script: &'a [u8], output: &'a [u8]) -> CoinbaseBuilder<'a> {
        // Split the genesis scriptSig as a pool would: 7 bytes before a 4-byte extranonce area.
        CoinbaseBuilder {
            tx_version: 1,
            script_sig_prefix: &script[..7],
            extranonce_len: 4,
            script_sig_suffix: &script[11..],
            input_sequence: u32::MAX,
            value_remaining: 50 * 100_000_000,
            pool_outputs: output,
            template_outputs: &[],
            template_outputs_count: 0,
            locktime: 0,
        }
    }

    #[test]
    fn builder_reproduces_the_genesis_coinbase() {
        // E29/R80/R81: prefix ‖ extranonce ‖ suffix is the stripped tx whose SHA256d is the txid.
        let script = hex::decode(GENESIS_SCRIPT_SIG).unwrap();
        let output = hex::decode(GENESIS_OUTPUT).unwrap();
        let b = genesis_builder(&script, &output);
        let l = b.layout().unwrap();
        assert!(!l.has_witness_commitment);
        assert_eq!(l.tx_len, 204);
        assert_eq!(l.tx_len, l.witness_tx_len - 36);
        let (prefix, suffix) = b.prefix_and_suffix().unwrap();
        assert_eq!(prefix.len(), 4 + 1 + 36 + 1 + 7);
        let extranonce = &script[7..11];
        assert_eq!(
            coinbase_txid_extended(&prefix, &extranonce[..1], &extranonce[1..], &suffix),
            be(GENESIS_TXID)
        );
        assert_eq!(
            coinbase_txid_standard(&prefix, extranonce, &suffix),
            be(GENESIS_TXID)
        );
        assert_eq!(b.txid(extranonce).unwrap(), be(GENESIS_TXID));
        let mut tx = [0u8; 300];
        let n = b.write_tx(extranonce, &mut tx).unwrap();
        assert_eq!(super::super::txid(&tx[..n]), be(GENESIS_TXID));
        let mut assembled = [0u8; 300];
        let m = assemble_coinbase_extended(
            &mut assembled,
            &prefix,
            &extranonce[..2],
            &extranonce[2..],
            &suffix,
        )
        .unwrap();
        assert_eq!(assembled[..m], tx[..n]);
        let m = assemble_coinbase_standard(&mut assembled, &prefix, extranonce, &suffix).unwrap();
        assert_eq!(assembled[..m], tx[..n]);
        // No commitment: the "full" coinbase is the stripped one.
        let mut full = [0u8; 300];
        assert_eq!(b.write_full_tx(extranonce, &mut full).unwrap(), n);
        assert_eq!(full[..n], tx[..n]);
        // The same root through the one-call extended-job helper (empty branch).
        assert_eq!(
            extended_job_merkle_root(&prefix, extranonce, &[], &suffix, &[]),
            be(GENESIS_TXID)
        );
    }

    #[test]
    fn script_sig_length_is_bounded() {
        // R88: prefix + extranonce area + suffix must fit the 2..=100-byte coinbase scriptSig.
        let script = [0x03, 0x01, 0x02, 0x03];
        let filler = [0u8; 11];
        let mut b = genesis_builder(&filler, &[]);
        b.script_sig_prefix = &script;
        b.script_sig_suffix = &[];
        b.extranonce_len = 96;
        assert_eq!(b.layout().unwrap().script_sig_len, 100);
        b.extranonce_len = 97;
        assert_eq!(b.layout(), Err(MathError::ScriptSigLength(101)));
        b.script_sig_prefix = &[0x51];
        b.extranonce_len = 0;
        assert_eq!(b.layout(), Err(MathError::ScriptSigLength(1)));
        b.extranonce_len = usize::MAX;
        assert_eq!(b.layout(), Err(MathError::ScriptSigLength(usize::MAX)));
        // R88: granted sizes.
        assert!(validate_extranonce_sizes(32, 32).is_ok());
        assert_eq!(
            validate_extranonce_sizes(33, 0),
            Err(MathError::ExtranoncePrefixTooLong(33))
        );
        assert_eq!(
            validate_extranonce_sizes(8, 33),
            Err(MathError::ExtranonceTooLong(33))
        );
    }

    #[test]
    fn segwit_coinbase_gets_witness_only_in_full_form() {
        // E29: job pieces stay stripped; the SubmitSolution coinbase carries the witness.
        let mut commitment_script = vec![0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];
        commitment_script.extend_from_slice(&[0x5a; 32]);
        let mut tmpl = [0u8; 64];
        let tn = write_txout(&mut tmpl, 0, &commitment_script).unwrap();
        let mut pool = [0u8; 64];
        let pn = write_txout(&mut pool, 625_000_000, &[0x51]).unwrap();
        let b = CoinbaseBuilder {
            tx_version: 2,
            script_sig_prefix: &[0x03, 0x40, 0x0d, 0x03],
            extranonce_len: 16,
            script_sig_suffix: b"/libsv2/",
            input_sequence: u32::MAX,
            value_remaining: 625_000_000,
            pool_outputs: &pool[..pn],
            template_outputs: &tmpl[..tn],
            template_outputs_count: 1,
            locktime: 0,
        };
        let l = b.layout().unwrap();
        assert!(l.has_witness_commitment);
        assert_eq!(l.output_count, 2);
        assert_eq!(l.witness_tx_len, l.tx_len + 2 + 2 + 32);
        let en = [7u8; 16];
        let mut full = [0u8; 256];
        let n = b.write_full_tx(&en, &mut full).unwrap();
        assert_eq!(n, l.witness_tx_len);
        assert_eq!(&full[4..6], &[0x00, 0x01]);
        assert_eq!(
            &full[n - 4 - 34..n - 4],
            [&[0x01, 0x20][..], &[0u8; 32]].concat().as_slice()
        );
        // Value and count checks.
        let mut over = b;
        over.value_remaining = 1;
        assert_eq!(
            over.layout(),
            Err(MathError::ValueExceedsRemaining {
                spent: 625_000_000,
                available: 1
            })
        );
        let mut miscount = b;
        miscount.template_outputs_count = 2;
        assert_eq!(
            miscount.layout(),
            Err(MathError::OutputCountMismatch {
                declared: 2,
                found: 1
            })
        );
        assert_eq!(
            b.txid(&[0u8; 3]),
            Err(MathError::ExtranonceLength {
                expected: 16,
                got: 3
            })
        );
        assert!(matches!(
            b.write_prefix(&mut [0u8; 3]),
            Err(MathError::BufferTooSmall { .. })
        ));
    }

    #[test]
    fn txout_lists() {
        // E55: flat ↔ list conversion.
        let mut buf = [0u8; 400];
        let a = write_txout(&mut buf, 1, &[0xab; 3]).unwrap();
        let b = write_txout(&mut buf[a..], u64::MAX, &[0xcd; 300]).unwrap();
        assert_eq!(b, 8 + 3 + 300);
        let flat = &buf[..a + b];
        let list = txouts_flat_to_list(flat).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1][8..11], [0xfd, 0x2c, 0x01]);
        let outs: Vec<TxOutRef<'_>> = split_txouts(flat).map(Result::unwrap).collect();
        assert_eq!((outs[0].value, outs[1].value), (1, u64::MAX));
        assert_eq!(outs[1].script_pubkey, &[0xcd; 300][..]);
        assert_eq!(txouts_list_to_flat(&list).unwrap(), (flat.to_vec(), 2));
        // Malformed input.
        assert_eq!(
            txouts_flat_to_list(&flat[..flat.len() - 1]),
            Err(MathError::TruncatedTxOut)
        );
        assert_eq!(
            txouts_flat_to_list(&[0u8; 7]),
            Err(MathError::TruncatedTxOut)
        );
        assert_eq!(
            txouts_flat_to_list(&[0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0x01, 0x00]),
            Err(MathError::NonCanonicalCompactSize)
        );
        assert_eq!(
            txouts_flat_to_list(&[
                0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
            ]),
            Err(MathError::TruncatedTxOut)
        );
        assert_eq!(
            txouts_list_to_flat(&[flat.to_vec()]),
            Err(MathError::NotOneTxOut(0))
        );
        assert_eq!(txouts_list_to_flat::<Vec<u8>>(&[]).unwrap(), (vec![], 0));
        assert!(matches!(
            write_txout(&mut [0u8; 4], 0, &[]),
            Err(MathError::BufferTooSmall {
                needed: 9,
                available: 4
            })
        ));
    }
}
