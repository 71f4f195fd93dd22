//! Bitcoin Core's `getblocktemplate` answer (BIP22/BIP23/BIP145) → [`BlockTemplate`].
//!
//! Strict where a wrong byte would make a block the network refuses: every hex field has its
//! exact length, every transaction parses and hashes to the `txid`/`hash` the node gave, its
//! `weight` is the one we compute, and the node's `default_witness_commitment` is the output
//! libsv2 builds for the template. Lenient about fields we do not use (Bitcoin Core adds some
//! from version to version).

use crate::source::SourceError;
use serde::Deserialize;
use std::borrow::Cow;
use sv2::codec::U256;
use sv2::mining::{merkle_path_for_coinbase, merkle_path_len, merkle_root};
use sv2::template::{
    witness_commitment_script, BlockTemplate, TemplateTransaction, TemplateVariant,
};

/// A template as the node gave it, with what the next long poll needs.
#[derive(Clone, Debug, PartialEq)]
pub struct GbtTemplate {
    /// The template in libsv2's terms.
    pub template: BlockTemplate,
    /// The template with all its transactions ([`BlockTemplate::variant`]), computed while
    /// checking the witness commitment: what a client without reservation is served.
    pub variant: TemplateVariant,
    /// `longpollid`: pass it back to wait for the next template (BIP22 long polling).
    pub longpollid: Option<String>,
}

/// Field names as Bitcoin Core writes them. Strings are borrowed when the JSON has no escapes
/// (hex never does), so a 3 MB answer is not copied field by field.
#[derive(Deserialize)]
struct GbtResult<'a> {
    version: u32,
    #[serde(borrow)]
    previousblockhash: Cow<'a, str>,
    #[serde(borrow)]
    bits: Cow<'a, str>,
    #[serde(borrow)]
    target: Cow<'a, str>,
    curtime: u32,
    mintime: u32,
    height: u32,
    coinbasevalue: u64,
    #[serde(borrow)]
    transactions: Vec<GbtTransaction<'a>>,
    #[serde(default, borrow)]
    rules: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    default_witness_commitment: Option<Cow<'a, str>>,
    #[serde(default)]
    longpollid: Option<String>,
}

#[derive(Deserialize)]
struct GbtTransaction<'a> {
    #[serde(borrow)]
    data: Cow<'a, str>,
    #[serde(borrow)]
    txid: Cow<'a, str>,
    /// The wtxid (BIP145); equal to `txid` for a transaction without witness.
    #[serde(default, borrow)]
    hash: Option<Cow<'a, str>>,
    #[serde(default)]
    fee: Option<u64>,
    #[serde(default)]
    sigops: Option<u64>,
    #[serde(default)]
    weight: Option<u64>,
}

fn malformed(what: impl Into<String>) -> SourceError {
    SourceError::Malformed(what.into())
}

/// Decodes hex of exactly `N` bytes.
fn hex_exact<const N: usize>(field: &str, text: &str) -> Result<[u8; N], SourceError> {
    let mut out = [0u8; N];
    if text.len() != 2 * N {
        return Err(malformed(format!(
            "{field}: {} hex digits, expected {}",
            text.len(),
            2 * N
        )));
    }
    faster_hex::hex_decode(text.as_bytes(), &mut out)
        .map_err(|e| malformed(format!("{field}: {e}")))?;
    Ok(out)
}

/// A hash as Bitcoin Core prints it (big-endian hex) → internal byte order.
fn hash_be(field: &str, text: &str) -> Result<U256, SourceError> {
    Ok(U256::from_be_bytes(hex_exact::<32>(field, text)?))
}

/// Decodes a non-empty hex string of any even length.
fn hex_bytes(field: impl Fn() -> String, text: &str) -> Result<Vec<u8>, SourceError> {
    if text.is_empty() || text.len() % 2 != 0 {
        return Err(malformed(format!(
            "{}: {} hex digits, expected a non-empty even number",
            field(),
            text.len()
        )));
    }
    let mut out = vec![0u8; text.len() / 2];
    faster_hex::hex_decode(text.as_bytes(), &mut out)
        .map_err(|e| malformed(format!("{}: {e}", field())))?;
    Ok(out)
}

/// The witness commitment script over the wtxids of the transactions after the coinbase
/// (whose own wtxid counts as zero, BIP141).
fn commitment_of(other_wtxids: &[U256]) -> Vec<u8> {
    let mut path = vec![U256::ZERO; merkle_path_len(other_wtxids.len())];
    // Sized with merkle_path_len, so this cannot fail.
    let _ = merkle_path_for_coinbase(other_wtxids, &mut path);
    witness_commitment_script(merkle_root(U256::ZERO, &path))
}

/// Parses the `result` of `getblocktemplate` (the JSON object, not the JSON-RPC envelope).
pub fn parse_getblocktemplate(json: &str) -> Result<GbtTemplate, SourceError> {
    let gbt: GbtResult<'_> =
        serde_json::from_str(json).map_err(|e| malformed(format!("getblocktemplate: {e}")))?;
    let prev_hash = hash_be("previousblockhash", &gbt.previousblockhash)?;
    let nbits = u32::from_be_bytes(hex_exact::<4>("bits", &gbt.bits)?);
    let target = hash_be("target", &gbt.target)?;
    // Bitcoin Core lists the rules it applied; `!segwit` means the client must know segwit.
    let segwit = gbt
        .rules
        .iter()
        .any(|r| r.strip_prefix('!').unwrap_or(r) == "segwit");

    let mut transactions = Vec::with_capacity(gbt.transactions.len());
    // The node's wtxids (`hash`), checked all at once against the witness commitment below
    // rather than by hashing every transaction a second time.
    let mut node_wtxids = Vec::with_capacity(gbt.transactions.len());
    for (index, tx) in gbt.transactions.iter().enumerate() {
        let field = |name: &str| format!("transactions[{index}].{name}");
        let data = hex_bytes(|| field("data"), &tx.data)?;
        let txid = hash_be("transactions[].txid", &tx.txid)
            .map_err(|_| malformed(format!("{}: not a 64-digit hex hash", field("txid"))))?;
        if let Some(hash) = &tx.hash {
            node_wtxids.push(
                hash_be("", hash).map_err(|_| {
                    malformed(format!("{}: not a 64-digit hex hash", field("hash")))
                })?,
            );
        }
        let parsed = TemplateTransaction::new(data, tx.sigops.unwrap_or(0), tx.fee.unwrap_or(0))
            .map_err(|e| malformed(format!("{}: {e}", field("data"))))?;
        if parsed.txid != txid {
            return Err(malformed(format!(
                "{}: {} but the data hashes to {}",
                field("txid"),
                tx.txid,
                sv2::template::hex_be(parsed.txid)
            )));
        }
        if let Some(weight) = tx.weight {
            if weight != parsed.weight {
                return Err(malformed(format!(
                    "{}: {weight} but the data weighs {}",
                    field("weight"),
                    parsed.weight
                )));
            }
        }
        transactions.push(parsed);
    }
    if !node_wtxids.is_empty() && node_wtxids.len() != transactions.len() {
        return Err(malformed(
            "transactions[].hash given for some transactions only",
        ));
    }

    let template = BlockTemplate {
        version: gbt.version,
        prev_hash,
        nbits,
        target,
        header_timestamp: gbt.curtime,
        min_time: gbt.mintime,
        height: gbt.height,
        coinbase_value: gbt.coinbasevalue,
        segwit,
        transactions,
    };

    // The variant a provider serves to a client without reservation; computing it hashes
    // every transaction's witness serialization (the wtxids).
    let variant = template.variant(template.transactions.len());
    let ours = variant.coinbase_tx_outputs.get(9..).unwrap_or_default();
    if let Some(commitment) = &gbt.default_witness_commitment {
        let script = hex_bytes(|| "default_witness_commitment".into(), commitment)?;
        if !segwit {
            return Err(malformed(
                "default_witness_commitment in a template whose rules lack segwit",
            ));
        }
        // The provider sends the commitment libsv2 computes; it must be the node's, or the
        // block would be refused as bad-witness-merkle-match.
        if ours != script.as_slice() {
            return Err(malformed(
                "default_witness_commitment differs from the commitment of the template's transactions",
            ));
        }
    }
    // The node's wtxids commit to the same root as the data's (collision resistance: they
    // are the same list), at the cost of ~n small hashes instead of hashing every transaction.
    if segwit && !node_wtxids.is_empty() && commitment_of(&node_wtxids) != ours {
        return Err(malformed(
            "transactions[].hash: the node's wtxids do not match the data's",
        ));
    }

    Ok(GbtTemplate {
        template,
        variant,
        longpollid: gbt.longpollid,
    })
}
