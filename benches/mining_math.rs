//! Mining arithmetic benchmarks: the per-share hashing path against bare SHA-256d.
//!
//! Run: `cargo bench --bench mining_math -- --measurement-time 2 --warm-up-time 1`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sha2::{Digest, Sha256};
use sv2::codec::U256;
use sv2::mining::{self, BlockHeader, CoinbaseBuilder};

fn header() -> BlockHeader {
    BlockHeader::new(
        0x2000_0000,
        U256([0x11; 32]),
        U256([0x22; 32]),
        1_700_000_000,
        0x1703_4219,
        0,
    )
}

/// A realistic extended job: BIP34 height, 16-byte extranonce area (8 prefix + 8 miner), a pool
/// tag, one payout output and a witness commitment; 12-deep branch (~4 000 transactions).
struct Job {
    prefix: Vec<u8>,
    suffix: Vec<u8>,
    path: Vec<U256>,
}

fn job() -> Job {
    let mut pool = vec![0u8; 64];
    let n = mining::write_txout(
        &mut pool,
        312_500_000,
        &[[0x00, 0x14].as_slice(), &[0xab; 20]].concat(),
    )
    .unwrap();
    pool.truncate(n);
    let mut commitment = vec![0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];
    commitment.extend_from_slice(&[0x42; 32]);
    let mut tmpl = vec![0u8; 64];
    let t = mining::write_txout(&mut tmpl, 0, &commitment).unwrap();
    tmpl.truncate(t);
    let b = CoinbaseBuilder {
        tx_version: 2,
        script_sig_prefix: &[0x03, 0x40, 0x0d, 0x0d],
        extranonce_len: 16,
        script_sig_suffix: b"/libsv2/",
        input_sequence: u32::MAX,
        value_remaining: 312_500_000,
        pool_outputs: &pool,
        template_outputs: &tmpl,
        template_outputs_count: 1,
        locktime: 0,
    };
    let (prefix, suffix) = b.prefix_and_suffix().unwrap();
    let path = (0..12u8).map(|i| U256([i; 32])).collect();
    Job {
        prefix,
        suffix,
        path,
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("mining_math");
    g.throughput(Throughput::Elements(1));

    // Baseline: the bare double SHA-256 of 80 bytes through sha2's streaming API.
    let bytes = *header().as_bytes();
    g.bench_function("baseline_sha256d_80", |b| {
        b.iter(|| {
            let d: [u8; 32] = Sha256::digest(Sha256::digest(black_box(&bytes))).into();
            d
        })
    });

    // Header update (nonce) + hash: what a software miner or the pool does per share.
    let mut h = header();
    let mut nonce = 0u32;
    g.bench_function("header_set_nonce_and_hash", |b| {
        b.iter(|| {
            nonce = nonce.wrapping_add(1);
            h.set_nonce(black_box(nonce));
            h.hash()
        })
    });

    // Cached midstate: only the second block and the outer hash.
    let h = header();
    let mid = h.midstate();
    let mut tail = h.tail();
    g.bench_function("midstate_hash", |b| {
        b.iter(|| {
            nonce = nonce.wrapping_add(1);
            tail.set_nonce(black_box(nonce));
            mid.hash(&tail)
        })
    });

    // The full extended-channel share: coinbase txid + 12-step merkle root + header hash.
    let j = job();
    let en_prefix = [0x01u8; 8];
    let mut en = [0u8; 8];
    let mut counter = 0u64;
    g.bench_function("extended_share_full", |b| {
        b.iter(|| {
            counter = counter.wrapping_add(1);
            en.copy_from_slice(&counter.to_le_bytes());
            let root =
                mining::extended_job_merkle_root(&j.prefix, &en_prefix, &en, &j.suffix, &j.path);
            let mut hdr = header();
            hdr.set_merkle_root(root);
            hdr.set_nonce(black_box(counter as u32));
            hdr.hash()
        })
    });

    // The bare hashing that share needs, with sha2's streaming API on prebuilt buffers.
    let coinbase = [&j.prefix[..], &en_prefix, &en, &j.suffix].concat();
    let mut node = [0u8; 64];
    g.bench_function("extended_share_bare_sha256d", |b| {
        b.iter(|| {
            let mut acc: [u8; 32] = Sha256::digest(Sha256::digest(black_box(&coinbase))).into();
            for p in &j.path {
                node[..32].copy_from_slice(&acc);
                node[32..].copy_from_slice(&p.0);
                acc = Sha256::digest(Sha256::digest(node)).into();
            }
            let mut hb = bytes;
            hb[36..68].copy_from_slice(&acc);
            let d: [u8; 32] = Sha256::digest(Sha256::digest(hb)).into();
            d
        })
    });
    g.finish();
    eprintln!(
        "coinbase for the extended-share bench: {} bytes",
        coinbase.len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
