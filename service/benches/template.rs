//! Template Distribution benchmarks (issue 15), each next to its floor in the same run:
//!
//! * `gbt/702861_to_new_template` vs `gbt/702861_serde_json_value`: Bitcoin Core's
//!   `getblocktemplate` answer for mainnet block 702861 (1 300+ transactions) to a
//!   `BlockTemplate` plus its `NewTemplate` and `SetNewPrevHash`, next to `serde_json` parsing
//!   the same JSON into a `Value` alone (target ≤ 2×) and the txid/wtxid hashing no
//!   conversion can skip (`…_hashing_floor`); `gbt/3000_…` the same for a synthetic
//!   answer of 3 000 transactions (block 702861's smaller transactions, re-used with other
//!   locktimes: distinct txids);
//! * `assemble/…`: a `SubmitSolution` to the full block of each template;
//! * `provider/1000_clients_new_tip`: a `TemplateProvider` with 1 000 plaintext clients set
//!   up in memory; `set_template` on a new tip (NewTemplate + SetNewPrevHash to every client)
//!   and draining every connection's bytes.
//!
//! Run: `cargo bench -p sv2-service --bench template -- --warm-up-time 1 --measurement-time 3`

#[path = "../tests/support/mod.rs"]
mod support;

use bitcoin::absolute::LockTime;
use bitcoin::consensus::serialize;
use bitcoin::Block;
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use support::{gbt_json, HEIGHT};
use sv2::codec::U256;
use sv2::messages::SubmitSolution;
use sv2::mining::double_sha256;
use sv2::session::{ClientSecurity, ServerConfig, ServerSecurity};
use sv2::template::{
    parse_tx, BlockTemplate, ProviderConfig, TemplateClient, TemplateClientConfig, TemplateProvider,
};
use sv2_service::bitcoind::parse_getblocktemplate;

const SYNTHETIC_TXS: usize = 3000;

/// Block 702861 with its transactions of at most 400 bytes repeated (other locktimes) to
/// `SYNTHETIC_TXS` transactions: a full block of small transactions.
fn synthetic_block(real: &Block) -> Block {
    let small: Vec<_> = real.txdata[1..]
        .iter()
        .filter(|tx| serialize(*tx).len() <= 400)
        .cloned()
        .collect();
    let mut txdata = vec![real.txdata[0].clone()];
    let mut round = 0u32;
    while txdata.len() <= SYNTHETIC_TXS {
        for tx in &small {
            if txdata.len() > SYNTHETIC_TXS {
                break;
            }
            let mut tx = tx.clone();
            if round > 0 {
                tx.lock_time = LockTime::from_consensus(round);
            }
            txdata.push(tx);
        }
        round += 1;
    }
    Block {
        header: real.header,
        txdata,
    }
}

fn to_new_template(json: &str) -> usize {
    let gbt = parse_getblocktemplate(json).unwrap();
    let t = gbt.template;
    // The full template's variant comes with the answer (computed to check the commitment).
    let new_template = t.new_template(1, true, &gbt.variant);
    let prev = t.set_new_prev_hash(1);
    black_box(&prev);
    new_template.merkle_path.len()
}

fn bench_gbt(c: &mut Criterion) {
    let real = support::block();
    let synthetic = synthetic_block(&real);
    let mut group = c.benchmark_group("gbt");
    group.sample_size(20);
    for (name, block) in [("702861", &real), ("3000", &synthetic)] {
        let json = gbt_json(block, block.header.prev_blockhash, HEIGHT, 0, "lp").to_string();
        eprintln!(
            "gbt/{name}: {} transactions, {} bytes of JSON",
            block.txdata.len() - 1,
            json.len()
        );
        group.bench_function(format!("{name}_to_new_template"), |b| {
            b.iter(|| to_new_template(black_box(&json)))
        });
        group.bench_function(format!("{name}_serde_json_value"), |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&json)).unwrap())
        });
        // The hashing no conversion can skip: every txid (merkle path) and every witness
        // transaction's wtxid (witness commitment).
        let txs: Vec<Vec<u8>> = block.txdata[1..].iter().map(serialize).collect();
        group.bench_function(format!("{name}_txid_wtxid_hashing_floor"), |b| {
            b.iter(|| {
                let mut acc = 0u8;
                for data in &txs {
                    let shape = parse_tx(data).unwrap();
                    acc ^= shape.txid(data).0[0];
                    if shape.has_witness {
                        acc ^= double_sha256(data).0[0];
                    }
                }
                black_box(acc)
            })
        });
    }
    group.finish();
}

fn bench_assemble(c: &mut Criterion) {
    let real = support::block();
    let synthetic = synthetic_block(&real);
    let mut group = c.benchmark_group("assemble");
    group.sample_size(20);
    for (name, block) in [("702861", &real), ("3000", &synthetic)] {
        let json = gbt_json(block, block.header.prev_blockhash, HEIGHT, 0, "lp").to_string();
        let mut template = parse_getblocktemplate(&json).unwrap().template;
        if name != "702861" {
            // The synthetic block has no proof of work: any hash is a block here.
            template.target = U256::MAX;
        }
        let variant = template.variant(template.transactions.len());
        // The real coinbase with the commitment to this template's transactions.
        let mut coinbase = block.txdata[0].clone();
        for output in &mut coinbase.output {
            if output
                .script_pubkey
                .as_bytes()
                .starts_with(&[0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed])
            {
                output.script_pubkey =
                    bitcoin::ScriptBuf::from_bytes(variant.coinbase_tx_outputs[9..].to_vec());
            }
        }
        let solution = SubmitSolution {
            template_id: 1,
            version: block.header.version.to_consensus() as u32,
            header_timestamp: block.header.time,
            header_nonce: block.header.nonce,
            coinbase_tx: serialize(&coinbase),
        };
        let bytes = template.assemble(&variant, &solution).unwrap().bytes.len();
        eprintln!("assemble/{name}: {bytes} bytes");
        group.bench_function(name, |b| {
            b.iter(|| template.assemble(&variant, black_box(&solution)).unwrap())
        });
    }
    group.finish();
}

/// A provider with `n` plaintext clients past CoinbaseOutputDataSize, and the template.
fn provider_with_clients(n: usize, template: &BlockTemplate) -> TemplateProvider {
    let server = ServerConfig::new(ServerSecurity::Plaintext, vec![]);
    let config = ProviderConfig::new(server);
    let mut tp = TemplateProvider::new(config);
    tp.set_template(template.clone(), 0).unwrap();
    for _ in 0..n {
        let conn = tp.accept(0).unwrap();
        let mut client = TemplateClient::new(
            TemplateClientConfig::new(ClientSecurity::Plaintext, "bench-pool", 100),
            0,
        )
        .unwrap();
        for _ in 0..10 {
            let mut up = Vec::new();
            client.take_data_to_send(&mut up);
            if !up.is_empty() {
                tp.receive_data(conn, &up, 0).unwrap();
            }
            let mut down = Vec::new();
            tp.take_data_to_send(conn, &mut down);
            if !down.is_empty() {
                client.receive_data(&down, 0).unwrap();
            }
            while client.next_event().is_some() {}
            if up.is_empty() && down.is_empty() {
                break;
            }
        }
    }
    while tp.next_event().is_some() {}
    tp
}

fn bench_provider(c: &mut Criterion) {
    let real = support::block();
    let json = gbt_json(&real, real.header.prev_blockhash, HEIGHT, 0, "lp").to_string();
    let template = parse_getblocktemplate(&json).unwrap().template;
    let mut tp = provider_with_clients(1000, &template);
    let conns = tp.writable_connections();
    assert!(conns.is_empty(), "every client drained after setup");
    let mut tip = 0u64;
    let mut out = Vec::new();
    let mut group = c.benchmark_group("provider");
    group.sample_size(20);
    group.bench_function("1000_clients_new_tip", |b| {
        b.iter_batched(
            || {
                tip += 1;
                let mut t = template.clone();
                t.prev_hash.0[..8].copy_from_slice(&tip.to_le_bytes());
                t
            },
            |t| {
                tp.set_template(t, 0).unwrap();
                let mut bytes = 0;
                for conn in tp.writable_connections() {
                    out.clear();
                    tp.take_data_to_send(conn, &mut out);
                    bytes += out.len();
                }
                assert!(bytes > 1000 * 100, "every client got its messages: {bytes}");
                bytes
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_gbt, bench_assemble, bench_provider);
criterion_main!(benches);
