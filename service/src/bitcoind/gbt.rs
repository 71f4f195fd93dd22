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
use sv2::mining::double_sha256;
use sv2::template::{BlockTemplate, TemplateTransaction};

/// A template as the node gave it, with what the next long poll needs.
#[derive(Clone, Debug, PartialEq)]
pub struct GbtTemplate {
    /// The template in libsv2's terms.
    pub template: BlockTemplate,
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
    hex::decode_to_slice(text, &mut out).map_err(|e| malformed(format!("{field}: {e}")))?;
    Ok(out)
}

/// A hash as Bitcoin Core prints it (big-endian hex) → internal byte order.
fn hash_be(field: &str, text: &str) -> Result<U256, SourceError> {
    Ok(U256::from_be_bytes(hex_exact::<32>(field, text)?))
}

/// Decodes a non-empty hex string of any even length.
fn hex_bytes(field: &str, text: &str) -> Result<Vec<u8>, SourceError> {
    if text.is_empty() || text.len() % 2 != 0 {
        return Err(malformed(format!(
            "{field}: {} hex digits, expected a non-empty even number",
            text.len()
        )));
    }
    let mut out = vec![0u8; text.len() / 2];
    hex::decode_to_slice(text, &mut out).map_err(|e| malformed(format!("{field}: {e}")))?;
    Ok(out)
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
    for (index, tx) in gbt.transactions.iter().enumerate() {
        let field = |name: &str| format!("transactions[{index}].{name}");
        let data = hex_bytes(&field("data"), &tx.data)?;
        let txid = hash_be(&field("txid"), &tx.txid)?;
        let wtxid = match &tx.hash {
            Some(hash) => Some(hash_be(&field("hash"), hash)?),
            None => None,
        };
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
        if let Some(wtxid) = wtxid {
            // Without witness (weight = 4 × size) the wtxid is the txid: no second hash.
            let has_witness = parsed.weight != 4 * parsed.data.len() as u64;
            let computed = if has_witness {
                double_sha256(&parsed.data)
            } else {
                parsed.txid
            };
            if computed != wtxid {
                return Err(malformed(format!(
                    "{}: does not match the data's wtxid",
                    field("hash")
                )));
            }
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

    if let Some(commitment) = &gbt.default_witness_commitment {
        let script = hex_bytes("default_witness_commitment", commitment)?;
        if !segwit {
            return Err(malformed(
                "default_witness_commitment in a template whose rules lack segwit",
            ));
        }
        // The provider sends the commitment libsv2 computes; it must be the node's, or the
        // block would be refused as bad-witness-merkle-match.
        let ours = template.variant(template.transactions.len());
        let outputs = &ours.coinbase_tx_outputs;
        if outputs.len() < 9 || outputs[9..] != script[..] {
            return Err(malformed(
                "default_witness_commitment differs from the commitment of the template's transactions",
            ));
        }
    }

    Ok(GbtTemplate {
        template,
        longpollid: gbt.longpollid,
    })
}
