//! The template model against a real mainnet block (702861, from the `bitcoin-test-data`
//! crate): every transaction's txid and weight as the `bitcoin` crate computes them, the merkle
//! path and witness commitment a provider would send for it, and the block a provider
//! assembles from the miner's SubmitSolution — byte-identical to the block the network
//! accepted (06 §6.7, R134, R144, R145).

use bitcoin::consensus::{deserialize, serialize};
use bitcoin::hashes::Hash;
use bitcoin::Block;
use sv2::codec::U256;
use sv2::messages::SubmitSolution;
use sv2::mining::{merkle_root, nbits_to_target};
use sv2::template::{
    parse_tx, BlockTemplate, TemplateError, TemplateTransaction, TxError, MAX_BLOCK_WEIGHT,
};

const HEIGHT: u32 = 702_861;

fn block() -> Block {
    deserialize(bitcoin_test_data::blocks::mainnet_702861()).unwrap()
}

/// The template a node would have served for this block (fees unknown: 0 each).
fn template_of(block: &Block) -> BlockTemplate {
    let coinbase_value = block.txdata[0]
        .output
        .iter()
        .map(|o| o.value.to_sat())
        .sum();
    BlockTemplate {
        version: block.header.version.to_consensus() as u32,
        prev_hash: U256(block.header.prev_blockhash.to_byte_array()),
        nbits: block.header.bits.to_consensus(),
        target: nbits_to_target(block.header.bits.to_consensus()).unwrap(),
        header_timestamp: block.header.time,
        min_time: block.header.time - 3600,
        height: HEIGHT,
        coinbase_value,
        segwit: true,
        transactions: block.txdata[1..]
            .iter()
            .map(|tx| TemplateTransaction::new(serialize(tx), 0, 0).unwrap())
            .collect(),
    }
}

#[test]
fn transactions_parse_with_the_txid_and_weight_bitcoin_computes() {
    let block = block();
    assert!(block.txdata.len() > 1000, "a full block");
    let mut witness_txs = 0;
    for tx in &block.txdata {
        let bytes = serialize(tx);
        let shape = parse_tx(&bytes).unwrap();
        let parsed = TemplateTransaction::new(bytes.clone(), 0, 0).unwrap();
        assert_eq!(parsed.txid.0, tx.compute_txid().to_byte_array());
        assert_eq!(parsed.weight, tx.weight().to_wu());
        assert_eq!(shape.base_len(), tx.base_size());
        witness_txs += usize::from(shape.has_witness);
    }
    assert!(witness_txs > 100, "the block has segwit transactions");
}

#[test]
fn malformed_transactions_are_errors_never_panics() {
    let block = block();
    let tx = serialize(&block.txdata[5]);
    for cut in 0..tx.len() {
        assert!(parse_tx(&tx[..cut]).is_err(), "prefix of {cut} bytes");
    }
    let mut longer = tx.clone();
    longer.push(0);
    assert_eq!(parse_tx(&longer), Err(TxError::TrailingBytes(1)));
    // A count that claims more inputs than there are bytes must not size anything.
    let lying = [1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0x7f];
    assert!(parse_tx(&lying).is_err());
    assert_eq!(parse_tx(&[1, 0, 0, 0, 0, 2, 1]), Err(TxError::BadWitness));
}

#[test]
fn variant_of_the_whole_block_matches_its_merkle_root_and_witness_commitment() {
    let block = block();
    let template = template_of(&block);
    assert_eq!(
        template.transactions_fitting(0).unwrap(),
        template.transactions.len()
    );
    let variant = template.variant(template.transactions.len());

    let coinbase_txid = U256(block.txdata[0].compute_txid().to_byte_array());
    assert_eq!(
        merkle_root(coinbase_txid, &variant.merkle_path).0,
        block.header.merkle_root.to_byte_array()
    );
    // The commitment output the provider sends is the one in the real coinbase.
    let real_outputs = serialize(&block.txdata[0].output);
    assert_eq!(variant.coinbase_tx_outputs_count, 1);
    assert!(real_outputs
        .windows(variant.coinbase_tx_outputs.len())
        .any(|w| w == variant.coinbase_tx_outputs.as_slice()));
    assert_eq!(variant.coinbase_value, template.coinbase_value);

    let new_template = template.new_template(7, true, &variant);
    assert_eq!(new_template.coinbase_prefix, vec![0x03, 0x8d, 0xb9, 0x0a]);
    let real_script_sig = block.txdata[0].input[0].script_sig.as_bytes();
    assert!(real_script_sig.starts_with(&new_template.coinbase_prefix));
}

#[test]
fn solution_assembles_the_block_the_network_accepted() {
    let block = block();
    let template = template_of(&block);
    let variant = template.variant(template.transactions.len());
    let solution = SubmitSolution {
        template_id: 7,
        version: block.header.version.to_consensus() as u32,
        header_timestamp: block.header.time,
        header_nonce: block.header.nonce,
        coinbase_tx: serialize(&block.txdata[0]),
    };
    let assembled = template.assemble(&variant, &solution).unwrap();
    assert_eq!(assembled.bytes, bitcoin_test_data::blocks::mainnet_702861());
    assert_eq!(assembled.hash.0, block.block_hash().to_byte_array());

    // A nonce off by one is no block at this difficulty.
    let wrong = SubmitSolution {
        header_nonce: solution.header_nonce.wrapping_add(1),
        ..solution.clone()
    };
    assert!(matches!(
        template.assemble(&variant, &wrong),
        Err(TemplateError::AboveTarget { .. })
    ));
    // The witness reserved value is required in a segwit block (BIP141, E29).
    let mut stripped = block.txdata[0].clone();
    stripped.input[0].witness.clear();
    let no_witness = SubmitSolution {
        coinbase_tx: serialize(&stripped),
        ..solution.clone()
    };
    assert_eq!(
        template.assemble(&variant, &no_witness),
        Err(TemplateError::CoinbaseWitness)
    );
    // Another height in the scriptSig (BIP34) is refused.
    let mut other_height = block.txdata[0].clone();
    let mut script = other_height.input[0].script_sig.to_bytes();
    script[1] ^= 1;
    other_height.input[0].script_sig = bitcoin::ScriptBuf::from_bytes(script);
    let bad_prefix = SubmitSolution {
        coinbase_tx: serialize(&other_height),
        ..solution
    };
    assert_eq!(
        template.assemble(&variant, &bad_prefix),
        Err(TemplateError::CoinbasePrefix)
    );
}

/// R135/E59: a reservation the block cannot hold drops transactions from the end (a valid
/// block body: parents precede children), and the weight of the largest coinbase the pool
/// could then build still fits.
#[test]
fn coinbase_reservations_trim_the_template_to_a_valid_block() {
    let block = block();
    let template = template_of(&block);
    let all = template.transactions.len();
    let weight_of = |n: usize| -> u64 { template.transactions[..n].iter().map(|t| t.weight).sum() };
    // The real block leaves its coinbase some room already.
    let small = template.transactions_fitting(100).unwrap();
    assert!(small <= all);
    let large = template.transactions_fitting(50_000).unwrap();
    assert!(
        large < small,
        "50 kB of outputs need room: {large} < {small}"
    );
    assert!(weight_of(large) + 50_000 * 4 <= MAX_BLOCK_WEIGHT);
    assert!(weight_of(large + 1) + 50_000 * 4 + 4 * 80 > MAX_BLOCK_WEIGHT - 4 * 300);
    // The variant of a trimmed template commits to the kept transactions only.
    let variant = template.variant(large);
    assert_eq!(variant.tx_count, large);
    assert_ne!(variant.merkle_path, template.variant(all).merkle_path);
    // Nothing fits a reservation of a whole block.
    assert!(matches!(
        template.transactions_fitting(1_000_000),
        Err(TemplateError::CoinbaseReservationTooLarge {
            requested: 1_000_000,
            ..
        })
    ));
    assert!(template.transactions_fitting(u32::MAX).is_err());
}
