//! Pool engine benchmarks, each next to the bare hashing it cannot avoid (same run):
//!
//! * `share/standard` vs `share/bare_header_sha256d` (target ≤ 1.25×; the per-channel
//!   midstate cache can beat it);
//! * `share/extended` vs `share/coinbase_merkle12_header` (target ≤ 1.2×);
//! * `broadcast/group_100k` (one group of 100 000 standard channels; target < 50 ms);
//! * `broadcast/standard_jobs_100k` vs `broadcast/per_channel_hashing_100k` (target ≤ 1.2×).
//!
//! Run: `cargo bench --bench pool_engine -- --warm-up-time 1 --measurement-time 3`
//! Memory per channel is measured by `tests/pool_engine_memory.rs`.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use sv2::codec::{Str0255, U256};
use sv2::messages::*;
use sv2::mining::pool::*;
use sv2::mining::{coinbase_txid_extended, coinbase_txid_standard, merkle_root, BlockHeader};

const HARD_NBITS: u32 = 0x1703_4219; // mainnet-like: no bench share is a block
const TXS: usize = 4095; // 12-deep merkle path

fn engine(cfg: PoolConfig) -> PoolEngine {
    PoolEngine::new(cfg, Box::new(OpenPolicy)).unwrap()
}

fn bench_cfg() -> PoolConfig {
    PoolConfig {
        share_events: false,
        vardiff: VardiffConfig {
            enabled: false,
            ..VardiffConfig::default()
        },
        max_channels_per_connection: 200_000,
        ..PoolConfig::default()
    }
}

fn source() -> SyntheticTemplateSource {
    SyntheticTemplateSource::new(5, 840_000)
        .with_transactions(TXS)
        .with_witness_commitment(true)
        .with_nbits(HARD_NBITS)
}

fn drain(e: &mut PoolEngine, out: &mut Vec<(u64, Message)>) {
    out.clear();
    e.drain_outgoing(out);
}

/// One channel on a fresh engine with an active job; returns the messages sent.
fn one_channel(extended: bool) -> (PoolEngine, Vec<(u64, Message)>) {
    let mut e = engine(bench_cfg());
    e.connection_opened(1, 0).unwrap();
    let open = if extended {
        Message::from(OpenExtendedMiningChannel {
            request_id: 1,
            user_identity: Str0255::from("proxy"),
            nominal_hash_rate: 0.0,
            max_target: U256::MAX,
            min_extranonce_size: 8,
        })
    } else {
        Message::from(OpenStandardMiningChannel {
            request_id: 1,
            user_identity: Str0255::from("miner"),
            nominal_hash_rate: 0.0,
            max_target: U256::MAX,
        })
    };
    e.handle_message(1, open, 0).unwrap();
    let mut src = source();
    let (t, p) = src.next_block(1_700_000_000);
    e.new_template(t, 0).unwrap();
    e.set_prev_hash(p, 0).unwrap();
    let mut out = Vec::new();
    e.drain_outgoing(&mut out);
    (e, out)
}

fn shares(c: &mut Criterion) {
    let mut g = c.benchmark_group("share");

    // Bare SHA256d of an 80-byte header: the floor for any share check.
    let mut header = BlockHeader::new(
        0x2000_0000,
        U256([0x11; 32]),
        U256([0x22; 32]),
        1_700_000_000,
        HARD_NBITS,
        0,
    );
    let mut nonce = 0u32;
    g.bench_function("bare_header_sha256d", |b| {
        b.iter(|| {
            nonce = nonce.wrapping_add(1);
            header.set_nonce(nonce);
            black_box(header.hash())
        })
    });

    // Standard channel in a group: rebuild header from the cached per-job merkle root,
    // hash, compare with the target, duplicate check, batch the ack. Target U256::MAX, so
    // every share is accepted (the common path).
    let (mut e, out) = one_channel(false);
    // The SetNewPrevHash goes to the group; shares name the channel.
    let (job, ntime) = out
        .iter()
        .find_map(|(_, m)| match m {
            Message::MiningSetNewPrevHash(p) => Some((p.job_id, p.min_ntime)),
            _ => None,
        })
        .unwrap();
    let ch = out
        .iter()
        .find_map(|(_, m)| match m {
            Message::OpenStandardMiningChannelSuccess(s) => Some(s.channel_id),
            _ => None,
        })
        .unwrap();
    let mut sink = Vec::with_capacity(64);
    let mut seq = 0u32;
    // Sanity: the benched share is accepted.
    e.handle_message(
        1,
        Message::SubmitSharesStandard(SubmitSharesStandard {
            channel_id: ch,
            sequence_number: 0,
            job_id: job,
            nonce: u32::MAX,
            ntime,
            version: 0x2000_0000,
        }),
        1,
    )
    .unwrap();
    assert_eq!(
        e.channel_stats(1, ch, 1).unwrap().shares_accepted,
        1,
        "{:?}",
        e.next_outgoing()
    );
    g.bench_function("standard", |b| {
        b.iter(|| {
            seq = seq.wrapping_add(1);
            e.handle_message(
                1,
                Message::SubmitSharesStandard(SubmitSharesStandard {
                    channel_id: ch,
                    sequence_number: seq,
                    job_id: job,
                    nonce: seq,
                    ntime,
                    version: 0x2000_0000,
                }),
                1,
            )
            .unwrap();
            if e.outgoing_len() > 0 {
                drain(&mut e, &mut sink);
            }
        })
    });

    // Extended channel: coinbase with the miner's extranonce → 12-deep merkle root → header.
    let (mut e, out) = one_channel(true);
    let (ch, prefix) = out
        .iter()
        .find_map(|(_, m)| match m {
            Message::OpenExtendedMiningChannelSuccess(s) => {
                Some((s.channel_id, s.extranonce_prefix.as_slice().to_vec()))
            }
            _ => None,
        })
        .unwrap();
    let job = out
        .iter()
        .find_map(|(_, m)| match m {
            Message::NewExtendedMiningJob(j) => Some(j.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(job.merkle_path.len(), 12);
    let mut seq = 0u32;
    g.bench_function("extended", |b| {
        b.iter(|| {
            seq = seq.wrapping_add(1);
            let mut en = [0u8; 8];
            en[..4].copy_from_slice(&seq.to_le_bytes());
            e.handle_message(
                1,
                Message::SubmitSharesExtended(SubmitSharesExtended {
                    channel_id: ch,
                    sequence_number: seq,
                    job_id: job.job_id,
                    nonce: seq,
                    ntime,
                    version: 0x2000_0000,
                    extranonce: sv2::codec::B032::new(&en).unwrap(),
                }),
                1,
            )
            .unwrap();
            if e.outgoing_len() > 0 {
                drain(&mut e, &mut sink);
            }
        })
    });
    // The hashing an extended share needs: coinbase txid, 12 merkle nodes, header.
    let mut n = 0u32;
    g.bench_function("coinbase_merkle12_header", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            let mut en = [0u8; 8];
            en[..4].copy_from_slice(&n.to_le_bytes());
            let txid = coinbase_txid_extended(
                &job.coinbase_tx_prefix,
                &prefix,
                &en,
                &job.coinbase_tx_suffix,
            );
            let root = merkle_root(txid, &job.merkle_path);
            let h = BlockHeader::new(0x2000_0000, U256([0x11; 32]), root, ntime, HARD_NBITS, n);
            black_box(h.hash())
        })
    });
    g.finish();
}

const N: u32 = 100_000;

fn many_channels(flags: u32) -> PoolEngine {
    let mut e = engine(bench_cfg());
    e.connection_opened(1, flags).unwrap();
    let mut out = Vec::new();
    for i in 0..N {
        e.handle_message(
            1,
            Message::from(OpenStandardMiningChannel {
                request_id: i,
                user_identity: Str0255::from("w"),
                nominal_hash_rate: 0.0,
                max_target: U256::MAX,
            }),
            0,
        )
        .unwrap();
        if i % 1024 == 0 {
            drain(&mut e, &mut out);
        }
    }
    drain(&mut e, &mut out);
    while e.next_event().is_some() {}
    e
}

fn broadcast(c: &mut Criterion) {
    let mut g = c.benchmark_group("broadcast");
    g.sample_size(10);
    let mut src = source();
    let mut ts = 1_700_000_000;
    let mut out = Vec::with_capacity(2 * N as usize + 16);

    // One group of 100 000 standard channels: a future job + SetNewPrevHash is two messages.
    let mut e = many_channels(0);
    g.bench_function("group_100k", |b| {
        b.iter_batched(
            || {
                ts += 1;
                src.next_block(ts)
            },
            |(t, p)| {
                e.new_template(t, 0).unwrap();
                e.set_prev_hash(p, 0).unwrap();
                drain(&mut e, &mut out);
                assert_eq!(out.len(), 2);
            },
            BatchSize::SmallInput,
        )
    });
    drop(e);

    // 100 000 REQUIRES_STANDARD_JOBS channels: a NewMiningJob with its own merkle root and a
    // SetNewPrevHash per channel.
    let mut e = many_channels(SETUP_REQUIRES_STANDARD_JOBS);
    g.bench_function("standard_jobs_100k", |b| {
        b.iter_batched(
            || {
                ts += 1;
                src.next_block(ts)
            },
            |(t, p)| {
                e.new_template(t, 0).unwrap();
                e.set_prev_hash(p, 0).unwrap();
                drain(&mut e, &mut out);
                assert_eq!(out.len(), 2 * N as usize);
            },
            BatchSize::SmallInput,
        )
    });
    drop(e);

    // The hashing those 100 000 jobs need at the least: a coinbase txid and a 12-deep merkle
    // root per channel prefix.
    let (t, _) = src.next_block(ts);
    let prefix_len = bench_cfg().extranonce_total_len as usize;
    let (cb_prefix, cb_suffix) = {
        // Build the same coinbase the engine builds (one extended job message carries it).
        let mut e = engine(bench_cfg());
        e.connection_opened(1, 0).unwrap();
        e.handle_message(
            1,
            Message::from(OpenExtendedMiningChannel {
                request_id: 1,
                user_identity: Str0255::from("p"),
                nominal_hash_rate: 0.0,
                max_target: U256::MAX,
                min_extranonce_size: 0,
            }),
            0,
        )
        .unwrap();
        e.new_template(t.clone(), 0).unwrap();
        let mut o = Vec::new();
        e.drain_outgoing(&mut o);
        o.into_iter()
            .find_map(|(_, m)| match m {
                Message::NewExtendedMiningJob(j) => {
                    Some((j.coinbase_tx_prefix, j.coinbase_tx_suffix))
                }
                _ => None,
            })
            .unwrap()
    };
    let path = t.merkle_path.clone();
    g.bench_function("per_channel_hashing_100k", |b| {
        b.iter(|| {
            let mut acc = 0u8;
            let mut p = vec![0u8; prefix_len];
            for i in 0..N {
                p[..4].copy_from_slice(&i.to_be_bytes());
                let txid = coinbase_txid_standard(&cb_prefix, &p, &cb_suffix);
                acc ^= merkle_root(txid, &path).0[0];
            }
            black_box(acc)
        })
    });
    g.finish();
}

criterion_group!(benches, shares, broadcast);
criterion_main!(benches);
