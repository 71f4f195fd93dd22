//! Codec benchmarks: whole frames (6-byte header + payload) in the default dialect.
//!
//! ```text
//! cargo bench --bench codec                                   # full run
//! cargo bench --bench codec -- --warm-up-time 1 --measurement-time 3
//! cargo bench --bench codec -- submit_shares_standard         # one message
//! ```
//!
//! * `encode_frame/<msg>`: `Message::encode_frame` into one reused `Vec`, cleared each
//!   iteration, so after warm-up no allocation is measured (tests/alloc_free_decode.rs proves it
//!   for SubmitSharesStandard).
//! * `decode_frame/<msg>`: `sv2::messages::decode_frame` of the whole frame, the decoded value
//!   dropped inside the loop (for NewExtendedMiningJob and SetupConnection that includes freeing
//!   their `Vec`s and strings, as a receiver would).
//! * `decode_layers/submit_shares_standard/*`: the same decode at three depths, to show where
//!   the time goes (struct decoder, `Message` dispatch, frame).
//! * `round_trip/submit_shares_standard`: encode + decode of a full SubmitSharesStandard frame,
//!   the share-submission hot path. Target: under 50 ns.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sv2::codec::{HEADER_LEN, U256};
use sv2::messages::{
    decode_frame, Dialect, Frame, Message, MessageKind, NewExtendedMiningJob, NewMiningJob,
    SetupConnection, SubmitSharesStandard,
};

fn submit_shares_standard() -> SubmitSharesStandard {
    SubmitSharesStandard {
        channel_id: 1,
        sequence_number: 2,
        job_id: 3,
        nonce: 0x1122_3344,
        ntime: 0x5F5E_1000,
        version: 0x2000_0000,
    }
}

/// Deterministic, non-repeating filler so no value is all zeroes.
fn bytes(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn hash(seed: u8) -> U256 {
    U256(bytes(seed, 32).try_into().expect("32 bytes"))
}

/// The messages measured, with the names used in benchmark ids.
fn samples() -> Vec<(&'static str, Message)> {
    vec![
        ("submit_shares_standard", submit_shares_standard().into()),
        (
            "new_mining_job",
            NewMiningJob {
                channel_id: 1,
                job_id: 5,
                future_job: false,
                version: 0x2000_0000,
                merkle_root: hash(7),
                min_ntime: None,
            }
            .into(),
        ),
        (
            "new_extended_mining_job",
            // A 12-hash merkle path (a block of ~2,000-4,000 transactions) and ~100-byte
            // coinbase halves, as a pool sends to an extended-channel proxy.
            NewExtendedMiningJob {
                channel_id: 1,
                job_id: 5,
                future_job: false,
                version: 0x2000_0000,
                version_rolling_allowed: true,
                merkle_path: (0..12).map(hash).collect(),
                coinbase_tx_prefix: bytes(1, 100),
                coinbase_tx_suffix: bytes(2, 104),
                min_ntime: None,
            }
            .into(),
        ),
        (
            "setup_connection",
            SetupConnection {
                protocol: 0,
                min_version: 2,
                max_version: 2,
                flags: 1,
                endpoint_host: "pool.example.com".into(),
                endpoint_port: 3336,
                vendor: "Bitmain".into(),
                hardware_version: "S19 Pro".into(),
                firmware: "braiins-os-2023-01".into(),
                device_id: "rig-0042".into(),
            }
            .into(),
        ),
    ]
}

fn encode_to_vec(message: &Message) -> Vec<u8> {
    let mut out = Vec::new();
    message
        .encode_frame(Dialect::default(), &mut out)
        .expect("sample encodes");
    out
}

fn encode(c: &mut Criterion) {
    let dialect = Dialect::default();
    let mut group = c.benchmark_group("encode_frame");
    for (name, message) in samples() {
        let len = encode_to_vec(&message).len();
        group.throughput(Throughput::Bytes(len as u64));
        let mut out = Vec::with_capacity(len);
        group.bench_with_input(BenchmarkId::from_parameter(name), &message, |b, message| {
            b.iter(|| {
                out.clear();
                black_box(message)
                    .encode_frame(dialect, &mut out)
                    .expect("encodes");
                black_box(out.as_slice());
            })
        });
    }
    group.finish();
}

fn decode(c: &mut Criterion) {
    let dialect = Dialect::default();
    let mut group = c.benchmark_group("decode_frame");
    for (name, message) in samples() {
        let frame = encode_to_vec(&message);
        // Measure the real thing: the frame decodes back to the message.
        assert!(
            matches!(decode_frame(dialect, &frame), Ok((Frame::Message(ref m), n)) if *m == message && n == frame.len())
        );
        group.throughput(Throughput::Bytes(frame.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(name),
            frame.as_slice(),
            |b, frame| b.iter(|| decode_frame(dialect, black_box(frame)).expect("decodes")),
        );
    }
    group.finish();
}

/// Where SubmitSharesStandard decode time goes: the struct's own payload decoder, the same
/// through the `Message` dispatch, and the whole frame (header parse + kind lookup + dispatch).
fn decode_layers(c: &mut Criterion) {
    let dialect = Dialect::default();
    let frame = encode_to_vec(&submit_shares_standard().into());
    let payload = &frame[HEADER_LEN..];
    let mut group = c.benchmark_group("decode_layers/submit_shares_standard");
    group.bench_function("struct_payload", |b| {
        b.iter(|| {
            SubmitSharesStandard::decode_payload(dialect, black_box(payload)).expect("decodes")
        })
    });
    group.bench_function("message_payload", |b| {
        b.iter(|| {
            Message::decode_payload(
                MessageKind::SubmitSharesStandard,
                dialect,
                black_box(payload),
            )
            .expect("decodes")
        })
    });
    group.bench_function("frame", |b| {
        b.iter(|| decode_frame(dialect, black_box(&frame)).expect("decodes"))
    });
    group.finish();
}

fn round_trip(c: &mut Criterion) {
    let dialect = Dialect::default();
    let message = Message::from(submit_shares_standard());
    let mut out = Vec::with_capacity(64);
    let mut group = c.benchmark_group("round_trip");
    group.throughput(Throughput::Bytes(encode_to_vec(&message).len() as u64));
    group.bench_function("submit_shares_standard", |b| {
        b.iter(|| {
            out.clear();
            black_box(&message)
                .encode_frame(dialect, &mut out)
                .expect("encodes");
            decode_frame(dialect, black_box(out.as_slice())).expect("decodes")
        })
    });
    group.finish();
}

criterion_group!(benches, encode, decode, decode_layers, round_trip);
criterion_main!(benches);
