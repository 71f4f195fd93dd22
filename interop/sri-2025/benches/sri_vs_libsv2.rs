//! The spec-2025 benchmarks of `benches/noise2025.rs` for SRI's `noise_sv2` 2.0.0 and libsv2 in
//! the same run (issue 20): the responder's handshake work, and one SubmitSharesStandard frame
//! encrypted and decrypted (SRI: header and payload through its `NoiseEngine` as `codec_sv2`
//! does; libsv2: `Spec2025Transport`).
//!
//! `cargo bench --bench sri_vs_libsv2 -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use noise_sv2::{Initiator, Responder};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sv2::keys::{SchnorrCertificate, Secp256k1SecretKey};
use sv2::noise::{Spec2025Handshake, Spec2025InitiatorConfig, Spec2025ResponderConfig};

const NOW: u32 = 1_760_000_000;

fn share_frame() -> Vec<u8> {
    let mut f = vec![0x00, 0x80, 0x1a, 24, 0, 0];
    f.extend_from_slice(&[0x42; 24]);
    f
}

fn bench(c: &mut Criterion) {
    let authority = Secp256k1SecretKey::generate_seeded([1; 32]);
    let authority_x = *authority.x_only_public_key().as_bytes();
    let mut g = c.benchmark_group("sri_vs_libsv2");

    // Responder: a fresh responder per handshake (both generate `e`; SRI also a fresh static
    // key per responder, libsv2 takes a configured one), fed one recorded `-> e`.
    let m1 = Initiator::from_raw_k_with_rng(authority_x, &mut StdRng::seed_from_u64(1))
        .unwrap()
        .step_0()
        .unwrap();
    let mut rng = StdRng::seed_from_u64(2);
    g.bench_function("responder/sri", |b| {
        b.iter(|| {
            let mut r = Responder::from_authority_kp_with_rng(
                &authority_x,
                authority.as_bytes(),
                Duration::from_secs(3600),
                &mut rng,
            )
            .unwrap();
            black_box(r.step_1_with_now_rng(m1, NOW, &mut rng).unwrap())
        })
    });
    let server = Secp256k1SecretKey::generate_seeded([2; 32]);
    let cert = SchnorrCertificate::sign(
        &authority,
        &server.x_only_public_key(),
        0,
        u32::MAX,
        &[0; 32],
    );
    let rcfg = Spec2025ResponderConfig::new(server, cert);
    g.bench_function("responder/libsv2", |b| {
        let mut out = Vec::with_capacity(256);
        b.iter(|| {
            let mut r = Spec2025Handshake::responder(rcfg.clone()).unwrap();
            r.receive_data(&m1).unwrap();
            out.clear();
            r.data_to_send(&mut out);
            black_box(r.into_transport().unwrap())
        })
    });

    // Transport: one handshake between SRI's two sides, one between libsv2's.
    let frame = share_frame();
    let mut i = Initiator::from_raw_k_with_rng(authority_x, &mut StdRng::seed_from_u64(3)).unwrap();
    let mut r = Responder::from_authority_kp_with_rng(
        &authority_x,
        authority.as_bytes(),
        Duration::from_secs(3600),
        &mut StdRng::seed_from_u64(4),
    )
    .unwrap();
    let (m2, mut their_r) = r
        .step_1_with_now_rng(i.step_0().unwrap(), NOW, &mut StdRng::seed_from_u64(5))
        .unwrap();
    let mut their_i = i.step_2_with_now(m2, NOW).unwrap();
    g.bench_function("share_frame/sri", |b| {
        b.iter(|| {
            let mut header = frame[..6].to_vec();
            their_i.encrypt(&mut header).unwrap();
            let mut payload = frame[6..].to_vec();
            their_i.encrypt(&mut payload).unwrap();
            their_r.decrypt(&mut header).unwrap();
            their_r.decrypt(&mut payload).unwrap();
            black_box((header.len(), payload.len()))
        })
    });
    let mut ours_i = Spec2025Handshake::initiator(Spec2025InitiatorConfig::new(
        authority.x_only_public_key(),
        u64::from(NOW),
    ))
    .unwrap();
    let mut ours_r = Spec2025Handshake::responder(rcfg.clone()).unwrap();
    let mut buf = Vec::new();
    ours_i.data_to_send(&mut buf);
    ours_r.receive_data(&buf).unwrap();
    buf.clear();
    ours_r.data_to_send(&mut buf);
    ours_i.receive_data(&buf).unwrap();
    let (mut sender, _) = ours_i.into_transport().unwrap();
    let (mut receiver, _) = ours_r.into_transport().unwrap();
    g.bench_function("share_frame/libsv2", |b| {
        let mut wire = Vec::with_capacity(128);
        let mut plain = Vec::with_capacity(64);
        b.iter(|| {
            wire.clear();
            plain.clear();
            sender.encrypt_frame(black_box(&frame), &mut wire).unwrap();
            receiver.decrypt(&wire, &mut plain).unwrap();
            black_box(plain.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
