//! Mining client benchmarks: the per-hash and per-extranonce paths of a [`Work`], and turning
//! an extended job into work, each beside the bare hashing it needs.
//!
//! Run: `cargo bench --bench mining_client -- --measurement-time 2 --warm-up-time 1`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sha2::{Digest, Sha256};
use sv2::codec::{B032, U256};
use sv2::messages::{
    Message, MiningSetNewPrevHash, NewExtendedMiningJob, OpenExtendedMiningChannelSuccess,
};
use sv2::mining::client::{ClientConfig, ClientEvent, MiningClient, Work};

const EXTRANONCE_PREFIX: [u8; 4] = [0xe0, 0xe1, 0xe2, 0xe3];

/// A realistic extended job: a ~60-byte coinbase head (version, input, BIP34 height, tag), a
/// ~150-byte tail (sequence, a payout and a witness-commitment output, locktime), a 4 + 8 byte
/// extranonce area and a 12-deep branch (~4 000 transactions).
fn job() -> NewExtendedMiningJob {
    NewExtendedMiningJob {
        channel_id: 1,
        job_id: 1,
        future_job: true,
        version: 0x2000_0000,
        version_rolling_allowed: true,
        merkle_path: (0..12u8).map(|i| U256([i; 32])).collect(),
        coinbase_tx_prefix: vec![0x11; 60],
        coinbase_tx_suffix: vec![0x22; 150],
        min_ntime: None,
    }
}

fn prevhash() -> Message {
    MiningSetNewPrevHash {
        channel_id: 1,
        job_id: 1,
        prev_hash: U256([0x33; 32]),
        min_ntime: 1_700_000_000,
        nbits: 0x1703_4219,
    }
    .into()
}

/// A client with extended channel 1 holding `job()` as a future job.
fn client() -> MiningClient {
    let mut c = MiningClient::new(ClientConfig::default());
    let request_id = c.open_extended_channel("b", 1e15, U256::MAX, 8).unwrap();
    c.handle_message(
        OpenExtendedMiningChannelSuccess {
            request_id,
            channel_id: 1,
            target: U256::MAX,
            extranonce_size: 8,
            extranonce_prefix: B032::new(&EXTRANONCE_PREFIX).unwrap(),
        }
        .into(),
        0,
    )
    .unwrap();
    c.handle_message(job().into(), 0).unwrap();
    c
}

fn take_work(c: &mut MiningClient) -> Option<Work> {
    let mut work = None;
    while let Some(e) = c.next_event() {
        if let ClientEvent::NewWork(w) = e {
            work = Some(w);
        }
    }
    work
}

/// The bare hashing an extended job's work needs: SHA256d of the assembled coinbase and one
/// SHA256d per merkle level, with sha2's streaming API on prebuilt buffers.
fn bare_root(coinbase: &[u8], path: &[U256]) -> [u8; 32] {
    let mut acc: [u8; 32] = Sha256::digest(Sha256::digest(coinbase)).into();
    let mut node = [0u8; 64];
    for p in path {
        node[..32].copy_from_slice(&acc);
        node[32..].copy_from_slice(&p.0);
        acc = Sha256::digest(Sha256::digest(node)).into();
    }
    acc
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("mining_client");
    g.throughput(Throughput::Elements(1));

    let mut cl = client();
    cl.handle_message(prevhash(), 0).unwrap();
    let mut work = take_work(&mut cl).unwrap();

    // Per hash: the header for a new nonce / nTime / version (80-byte copy, three stores).
    let mut n = 0u32;
    g.bench_function("work_header_for", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            black_box(&work).header_for(n, 1_700_000_000 + (n >> 20), 0x2000_0000 | ((n & 7) << 13))
        })
    });
    g.bench_function("work_hash_for", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            black_box(&work).hash_for(n, 1_700_000_000, 0x2000_0000)
        })
    });
    let bytes = *work.header.as_bytes();
    g.bench_function("baseline_sha256d_80", |b| {
        b.iter(|| {
            let d: [u8; 32] = Sha256::digest(Sha256::digest(black_box(&bytes))).into();
            d
        })
    });

    // Per extranonce: coinbase txid + 12-level merkle root into the header template.
    let mut counter = 0u64;
    g.bench_function("work_set_extranonce_12", |b| {
        b.iter(|| {
            counter = counter.wrapping_add(1);
            work.set_extranonce(black_box(&counter.to_le_bytes()))
                .unwrap();
            work.header.merkle_root()
        })
    });
    let j = job();
    let coinbase = [
        &j.coinbase_tx_prefix[..],
        &EXTRANONCE_PREFIX,
        &[0u8; 8],
        &j.coinbase_tx_suffix,
    ]
    .concat();
    g.bench_function("bare_root_12", |b| {
        b.iter(|| bare_root(black_box(&coinbase), &j.merkle_path))
    });

    // A whole extended job turned into Work: SetNewPrevHash activating the job, the merkle
    // root for the initial extranonce, the header template and the NewWork event.
    g.bench_function("job_to_work_12", |b| {
        b.iter(|| {
            cl.handle_message(black_box(prevhash()), 0).unwrap();
            take_work(&mut cl).unwrap()
        })
    });
    g.finish();
    eprintln!("coinbase: {} bytes, merkle path: 12", coinbase.len());
}

criterion_group!(benches, bench);
criterion_main!(benches);
