//! The Bitcoin Core template source against a fake node serving templates of the real mainnet
//! block 702861 (issue 15): getblocktemplate → NewTemplate/SetNewPrevHash (06 §6.2, §6.3,
//! R134), tip changes without stale templates (R133), the errors a runtime retries on, and a
//! SubmitSolution's block (R144) accepted by the node after the `bitcoin` crate's checks.

mod support;

use bitcoin::consensus::serialize;
use bitcoin::hashes::Hash;
use serde_json::Value;
use std::time::{Duration, Instant};
use support::{gbt_json, real_coinbase_value, FakeAuth, FakeNode, Mode, HEIGHT};
use sv2::codec::U256;
use sv2::messages::SubmitSolution;
use sv2::mining::merkle_root;
use sv2_service::bitcoind::{
    parse_getblocktemplate, BitcoindConfig, BitcoindSource, RpcAuth, MAX_ABANDONED_LONG_POLLS,
};
use sv2_service::source::{Backoff, SourceError, SubmitOutcome, TemplateSource};

fn user_password() -> FakeAuth {
    FakeAuth::UserPassword("pool".into(), "hunter2".into())
}

fn polling_config(url: String, auth: RpcAuth) -> BitcoindConfig {
    let mut config = BitcoindConfig::new(url, auth);
    config.long_poll = false;
    config.poll_interval = Duration::from_millis(20);
    config.refresh_interval = Duration::from_millis(50);
    config.rpc_timeout = Duration::from_secs(10);
    config
}

fn rpc_user() -> RpcAuth {
    RpcAuth::UserPassword {
        user: "pool".into(),
        password: "hunter2".into(),
    }
}

fn source_for(node: &FakeNode) -> BitcoindSource {
    BitcoindSource::new(polling_config(node.url(), rpc_user()))
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    std::env::temp_dir().join(format!("sv2-{name}-{}-{nanos}", std::process::id()))
}

fn first_template(source: &mut BitcoindSource) -> sv2::template::BlockTemplate {
    source
        .next_template(Duration::from_secs(5))
        .unwrap()
        .expect("the first template")
}

/// No template within `timeout` (printing a short description, not 1 MB of transactions).
fn assert_no_template(source: &mut BitcoindSource, timeout: Duration) {
    if let Some(t) = source.next_template(timeout).unwrap() {
        panic!(
            "unexpected template at height {} on {}",
            t.height,
            sv2::template::hex_be(t.prev_hash)
        );
    }
}

#[test]
fn gbt_of_block_702861_becomes_the_new_template_and_prev_hash_of_the_real_block() {
    let block = support::block();
    let json = gbt_json(&block, block.header.prev_blockhash, HEIGHT, 0, "lp").to_string();
    let gbt = parse_getblocktemplate(&json).unwrap();
    assert_eq!(gbt.longpollid.as_deref(), Some("lp"));
    let t = gbt.template;
    assert_eq!(t.transactions.len(), block.txdata.len() - 1);
    assert!(t.segwit, "rules has !segwit");
    assert_eq!(t.height, HEIGHT);
    assert_eq!(t.coinbase_value, real_coinbase_value(&block));

    let variant = t.variant(t.transactions.len());
    assert_eq!(
        gbt.variant, variant,
        "the answer's variant is the full template's"
    );
    let new_template = t.new_template(1, true, &variant);
    assert_eq!(
        new_template.version,
        block.header.version.to_consensus() as u32
    );
    // BIP34 height as Bitcoin Core writes it: push of 3 bytes, little-endian 702861.
    assert_eq!(new_template.coinbase_prefix, vec![0x03, 0x8d, 0xb9, 0x0a]);
    assert!(block.txdata[0].input[0]
        .script_sig
        .as_bytes()
        .starts_with(&new_template.coinbase_prefix));
    assert_eq!(
        new_template.coinbase_tx_value_remaining,
        real_coinbase_value(&block)
    );
    // The witness commitment output is the one in the real coinbase.
    let real_outputs = serialize(&block.txdata[0].output);
    assert_eq!(new_template.coinbase_tx_outputs_count, 1);
    assert!(real_outputs
        .windows(new_template.coinbase_tx_outputs.len())
        .any(|w| w == new_template.coinbase_tx_outputs.as_slice()));
    // The merkle path folds the real coinbase's txid into the real merkle root.
    let coinbase_txid = U256(block.txdata[0].compute_txid().to_byte_array());
    assert_eq!(
        merkle_root(coinbase_txid, &new_template.merkle_path).0,
        block.header.merkle_root.to_byte_array()
    );

    let prev = t.set_new_prev_hash(1);
    assert_eq!(
        prev.prev_hash.0,
        block.header.prev_blockhash.to_byte_array()
    );
    assert_eq!(prev.n_bits, block.header.bits.to_consensus());
    assert_eq!(prev.header_timestamp, block.header.time);
    assert_eq!(
        prev.target.to_be_bytes(),
        bitcoin::Target::from_compact(block.header.bits).to_be_bytes()
    );
    assert_eq!(t.min_time, block.header.time - 3600);
}

/// The answer for block 702861, built once (the `bitcoin` crate's hashing is slow unoptimized).
fn gbt_value() -> Value {
    static ANSWER: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    ANSWER
        .get_or_init(|| {
            let block = support::block();
            gbt_json(&block, block.header.prev_blockhash, HEIGHT, 0, "lp")
        })
        .clone()
}

fn refused(json: &Value) -> String {
    match parse_getblocktemplate(&json.to_string()) {
        Err(SourceError::Malformed(why)) => why,
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn gbt_with_a_wrong_txid_wtxid_weight_commitment_or_hex_length_is_refused() {
    let mut v = gbt_value();
    let txid = v["transactions"][3]["txid"].as_str().unwrap().to_string();
    v["transactions"][3]["txid"] = Value::String(txid.replacen(&txid[..2], "00", 1));
    if v["transactions"][3]["txid"].as_str().unwrap() == txid {
        v["transactions"][3]["txid"] = Value::String(format!("ff{}", &txid[2..]));
    }
    assert!(refused(&v).contains("transactions[3].txid"));

    let mut v = gbt_value();
    // A witness transaction's wtxid replaced by its txid.
    let index = v["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .position(|t| t["txid"] != t["hash"])
        .unwrap();
    v["transactions"][index]["hash"] = v["transactions"][index]["txid"].clone();
    assert!(refused(&v).contains(".hash"));

    let mut v = gbt_value();
    v["transactions"][0]["weight"] = Value::from(4);
    assert!(refused(&v).contains("weight"));

    let mut v = gbt_value();
    let c = v["default_witness_commitment"]
        .as_str()
        .unwrap()
        .to_string();
    v["default_witness_commitment"] = Value::String(format!("{}00", &c[..c.len() - 2]));
    assert!(refused(&v).contains("default_witness_commitment"));

    // Dropping a transaction changes the commitment the node computed: refused as well.
    let mut v = gbt_value();
    v["transactions"].as_array_mut().unwrap().pop();
    assert!(refused(&v).contains("default_witness_commitment"));

    for (field, bad) in [
        ("previousblockhash", "00".repeat(31)),
        ("bits", "1d00ffff00".into()),
        ("target", "zz".repeat(32)),
    ] {
        let mut v = gbt_value();
        v[field] = Value::String(bad);
        assert!(refused(&v).contains(field), "{field}");
    }
    let mut v = gbt_value();
    v["transactions"][0]["data"] = Value::String("0100000".into());
    assert!(refused(&v).contains("data"));
    let mut v = gbt_value();
    v["height"] = Value::from(-1);
    refused(&v);

    // Extra fields are fine; cut-off JSON is an error, never a panic.
    let mut v = gbt_value();
    v["some_future_field"] = Value::from(1);
    assert!(parse_getblocktemplate(&v.to_string()).is_ok());
    let text = gbt_value().to_string();
    for cut in (0..text.len()).step_by(text.len() / 41) {
        assert!(parse_getblocktemplate(&text[..cut]).is_err());
    }
}

#[test]
fn a_tip_change_yields_a_new_tip_template_and_never_one_on_the_old_tip_again() {
    let node = FakeNode::start(user_password());
    let block = node.real_block().clone();
    let mut source = source_for(&node);
    // Any timeout is fine, even one past the clock's range.
    let first = source
        .next_template(Duration::MAX)
        .unwrap()
        .expect("the first template");
    assert_eq!(
        first.prev_hash.0,
        block.header.prev_blockhash.to_byte_array()
    );
    assert_eq!(first.height, HEIGHT);
    // Nothing changed: no template (the refreshes give the same fees).
    assert_no_template(&mut source, Duration::from_millis(200));

    // Fees went up on the same tip: a template with the higher coinbase value.
    node.add_fees(12_345);
    let richer = source
        .next_template(Duration::from_secs(5))
        .unwrap()
        .expect("a template with more fees");
    assert_eq!(richer.prev_hash, first.prev_hash);
    assert_eq!(richer.coinbase_value, first.coinbase_value + 12_345);

    // Block 702861 was found: the next template builds on it, at the next height.
    node.change_tip(block.block_hash());
    let second = source
        .next_template(Duration::from_secs(5))
        .unwrap()
        .expect("a template on the new tip");
    assert_eq!(second.prev_hash.0, block.block_hash().to_byte_array());
    assert_eq!(second.height, HEIGHT + 1);

    // A late answer on the old tip (after the tip changed) is dropped, not handed out.
    node.answer_once_on(block.header.prev_blockhash, HEIGHT);
    let calls_before = node.calls().len();
    assert_no_template(&mut source, Duration::from_millis(300));
    let calls = node.calls()[calls_before..].to_vec();
    assert!(
        calls.iter().any(|c| c == "getblocktemplate"),
        "the stale answer was served: {calls:?}"
    );
}

#[test]
fn long_polling_waits_for_the_tip_change_and_is_bounded_by_the_timeout() {
    let node = FakeNode::start(user_password());
    let block = node.real_block().clone();
    let mut config = BitcoindConfig::new(node.url(), rpc_user());
    config.long_poll_min = Duration::from_millis(100);
    let mut source = BitcoindSource::new(config);
    first_template(&mut source);

    // Nothing happens: the long poll ends at the caller's deadline with no template.
    let started = Instant::now();
    assert_no_template(&mut source, Duration::from_millis(400));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(350) && waited < Duration::from_secs(3),
        "{waited:?}"
    );

    let tip = block.block_hash();
    let changer = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            node.change_tip(tip);
        });
        let started = Instant::now();
        let template = source
            .next_template(Duration::from_secs(10))
            .unwrap()
            .expect("the long poll answers on the tip change");
        (template, started.elapsed())
    });
    let (template, waited) = changer;
    assert_eq!(template.prev_hash.0, tip.to_byte_array());
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    // Long polling, not polling the best block hash.
    assert!(!node.calls().iter().any(|c| c == "getbestblockhash"));

    // Every long poll given up at the deadline stays with the node until the next tip: after
    // MAX_ABANDONED_LONG_POLLS of them the source polls the best block hash instead.
    for _ in 0..MAX_ABANDONED_LONG_POLLS {
        assert_no_template(&mut source, Duration::from_millis(300));
    }
    assert!(!node.calls().iter().any(|c| c == "getbestblockhash"));
    assert_no_template(&mut source, Duration::from_millis(300));
    assert!(node.calls().iter().any(|c| c == "getbestblockhash"));
    // The next tip is found by polling, and long polling resumes.
    node.change_tip(bitcoin::BlockHash::from_byte_array([7; 32]));
    let third = source
        .next_template(Duration::from_secs(5))
        .unwrap()
        .expect("a template on the third tip");
    assert_eq!(third.prev_hash.0, [7; 32]);
    let polls_before = node.calls().len();
    assert_no_template(&mut source, Duration::from_millis(300));
    assert_eq!(node.calls()[polls_before..], ["getblocktemplate"]);
}

#[test]
fn a_rewritten_cookie_is_read_again_after_a_401() {
    let cookie = temp_path("cookie");
    let node = FakeNode::start(FakeAuth::Cookie(cookie.clone()));
    let mut source =
        BitcoindSource::new(polling_config(node.url(), RpcAuth::Cookie(cookie.clone())));
    first_template(&mut source);
    // bitcoind restarted with a new cookie: the source's next call still gets in.
    node.rotate_cookie("second-cookie-password");
    node.change_tip(node.real_block().block_hash());
    let template = source.next_template(Duration::from_secs(5)).unwrap();
    assert!(template.is_some());
    let _ = std::fs::remove_file(cookie);
}

#[test]
fn wrong_credentials_are_unauthorized() {
    let node = FakeNode::start(user_password());
    let mut source = BitcoindSource::new(polling_config(
        node.url(),
        RpcAuth::UserPassword {
            user: "pool".into(),
            password: "wrong".into(),
        },
    ));
    assert!(matches!(
        source.next_template(Duration::from_secs(1)),
        Err(SourceError::Unauthorized)
    ));
    let mut no_auth = BitcoindSource::new(polling_config(node.url(), RpcAuth::None));
    assert!(matches!(
        no_auth.next_template(Duration::from_secs(1)),
        Err(SourceError::Unauthorized)
    ));
    // An address outside -rpcallowip (HTTP 403) is not a credentials problem.
    node.set_mode(Mode::Forbidden);
    let mut right_password = source_for(&node);
    match right_password.next_template(Duration::from_secs(1)) {
        Err(SourceError::Unreachable(why)) => assert!(why.contains("403"), "{why}"),
        other => panic!("expected Unreachable (403), got {:?}", other.map(|_| ())),
    }
    node.set_mode(Mode::Normal);
    // A cookie file that is not there (bitcoind not running) is a node down.
    let mut no_cookie = BitcoindSource::new(polling_config(
        node.url(),
        RpcAuth::Cookie(temp_path("missing-cookie")),
    ));
    assert!(matches!(
        no_cookie.next_template(Duration::from_secs(1)),
        Err(SourceError::Unreachable(_))
    ));
}

#[test]
fn node_down_is_unreachable_and_a_retry_with_backoff_succeeds_when_it_comes_back() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut source = BitcoindSource::new(polling_config(
        format!("http://127.0.0.1:{port}"),
        rpc_user(),
    ));
    assert!(matches!(
        source.next_template(Duration::from_secs(1)),
        Err(SourceError::Unreachable(_))
    ));
    let node = FakeNode::start_on(port, user_password());
    let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_millis(200));
    let mut template = None;
    for _ in 0..20 {
        match source.next_template(Duration::from_secs(1)) {
            Ok(Some(t)) => {
                backoff.reset();
                template = Some(t);
                break;
            }
            Ok(None) => {}
            Err(_) => std::thread::sleep(backoff.next_delay()),
        }
    }
    assert_eq!(template.expect("the node came back").height, HEIGHT);

    // The node goes down after serving: the running source reports it, then recovers.
    node.stop();
    assert!(matches!(
        source.next_template(Duration::from_millis(200)),
        Err(SourceError::Unreachable(_))
    ));
    let node = FakeNode::start_on(port, user_password());
    node.change_tip(node.real_block().block_hash());
    let again = source
        .next_template(Duration::from_secs(5))
        .unwrap()
        .expect("a template on the new tip after the restart");
    assert_eq!(again.height, HEIGHT + 1);
}

#[test]
fn initial_block_download_and_malformed_json_are_told_apart_and_recover() {
    let node = FakeNode::start(user_password());
    let mut source = source_for(&node);
    node.set_mode(Mode::InitialBlockDownload);
    assert!(matches!(
        source.next_template(Duration::from_secs(1)),
        Err(SourceError::InitialBlockDownload)
    ));
    node.set_mode(Mode::MalformedJson);
    assert!(matches!(
        source.next_template(Duration::from_secs(1)),
        Err(SourceError::Malformed(_))
    ));
    assert!(matches!(
        source.submit_block(&[0; 81]),
        Err(SourceError::Malformed(_))
    ));
    node.set_mode(Mode::Normal);
    assert_eq!(first_template(&mut source).height, HEIGHT);
}

#[test]
fn the_block_assembled_from_a_submit_solution_is_accepted_and_validates_in_the_node() {
    let node = FakeNode::start(user_password());
    let block = node.real_block().clone();
    let mut source = source_for(&node);
    let template = first_template(&mut source);
    let variant = template.variant(template.transactions.len());
    let solution = SubmitSolution {
        template_id: 1,
        version: block.header.version.to_consensus() as u32,
        header_timestamp: block.header.time,
        header_nonce: block.header.nonce,
        coinbase_tx: serialize(&block.txdata[0]),
    };
    let assembled = template.assemble(&variant, &solution).unwrap();
    assert_eq!(
        source.submit_block(&assembled.bytes).unwrap(),
        SubmitOutcome::Accepted
    );
    let submissions = node.submissions();
    assert_eq!(submissions.len(), 1);
    assert_eq!(submissions[0].rejection, None);
    assert_eq!(
        submissions[0].bytes,
        bitcoin_test_data::blocks::mainnet_702861()
    );

    // A block whose last transaction was altered fails the merkle check: the node's reason
    // comes back as Rejected.
    let mut bad = assembled.bytes.clone();
    let n = bad.len();
    bad[n - 1] ^= 1; // its locktime: part of the txid
    assert_eq!(
        source.submit_block(&bad).unwrap(),
        SubmitOutcome::Rejected("bad-txnmrklroot".into())
    );
}
