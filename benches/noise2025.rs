//! Spec-2025 Noise benchmarks (issue 20): the `Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256`
//! responder against its elliptic-curve work, and the chunked transport against the bare AEAD
//! operations it is made of.
//!
//! `cargo bench --bench noise2025 -- --warm-up-time 1 --measurement-time 3`.
//! Targets: responder handshake ≤ 1.2 × `ec/responder_work`; one share frame encrypted and
//! decrypted ≤ 1.3 × `aead/two_ops` (header and payload, each sealed and opened once).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use secp256k1::ellswift::{ElligatorSwift, ElligatorSwiftParty};
use secp256k1::{Secp256k1, SecretKey};
use sv2::keys::{SchnorrCertificate, Secp256k1SecretKey};
use sv2::noise::{
    Spec2025Handshake, Spec2025InitiatorConfig, Spec2025ResponderConfig, Spec2025Transport,
};

const NOW: u64 = 1_760_000_000;

fn configs() -> (Spec2025InitiatorConfig, Spec2025ResponderConfig) {
    let authority = Secp256k1SecretKey::generate_seeded([0xa1; 32]);
    let server = Secp256k1SecretKey::generate_seeded([0x5e; 32]);
    let cert = SchnorrCertificate::sign(
        &authority,
        &server.x_only_public_key(),
        0,
        u32::MAX,
        &[0; 32],
    );
    (
        Spec2025InitiatorConfig::new(authority.x_only_public_key(), NOW),
        Spec2025ResponderConfig::new(server, cert),
    )
}

fn handshake() -> (Spec2025Handshake, Spec2025Handshake) {
    let (icfg, rcfg) = configs();
    let mut i = Spec2025Handshake::initiator(icfg).unwrap();
    let mut r = Spec2025Handshake::responder(rcfg).unwrap();
    let mut buf = Vec::with_capacity(256);
    i.data_to_send(&mut buf);
    r.receive_data(&buf).unwrap();
    buf.clear();
    r.data_to_send(&mut buf);
    i.receive_data(&buf).unwrap();
    (i, r)
}

fn bench_handshake(c: &mut Criterion) {
    let mut g = c.benchmark_group("spec2025_handshake");
    // The responder's EC floor: create its ephemeral key and the ElligatorSwift encodings of
    // `e` and `s` (two `ellswift_create`), then `ee` and `es` (two `ellswift_xdh`).
    let secp = Secp256k1::new();
    let remote = ElligatorSwift::from_seckey(&secp, SecretKey::from_slice(&[7; 32]).unwrap(), None);
    let static_key = SecretKey::from_slice(&[0x5e; 32]).unwrap();
    g.bench_function("ec/responder_work", |b| {
        let mut seed = [1u8; 32];
        b.iter(|| {
            seed[0] = seed[0].wrapping_add(1);
            let e = SecretKey::from_slice(&seed).unwrap();
            let e_pub = ElligatorSwift::from_seckey(&secp, e, Some(seed));
            let s_pub = ElligatorSwift::from_seckey(&secp, static_key, Some(seed));
            let ee = ElligatorSwift::shared_secret(remote, e_pub, e, ElligatorSwiftParty::B, None);
            let es = ElligatorSwift::shared_secret(
                remote,
                s_pub,
                static_key,
                ElligatorSwiftParty::B,
                None,
            );
            black_box((ee.to_secret_bytes(), es.to_secret_bytes()))
        })
    });
    g.bench_function("full", |b| b.iter(handshake));
    // The responder alone, fed one recorded `-> e` (valid for any responder ephemeral).
    let (icfg, rcfg) = configs();
    let mut m1 = Vec::new();
    Spec2025Handshake::initiator(icfg)
        .unwrap()
        .data_to_send(&mut m1);
    g.bench_function("responder", |b| {
        let mut out = Vec::with_capacity(256);
        b.iter(|| {
            let mut r = Spec2025Handshake::responder(rcfg.clone()).unwrap();
            r.receive_data(&m1).unwrap();
            out.clear();
            r.data_to_send(&mut out);
            black_box(r.into_transport().unwrap())
        })
    });
    g.finish();
}

fn transports() -> (Spec2025Transport, Spec2025Transport) {
    let (i, r) = handshake();
    (i.into_transport().unwrap().0, r.into_transport().unwrap().0)
}

/// A SubmitSharesStandard frame: 6-byte header, 24-byte payload.
fn share_frame() -> Vec<u8> {
    let mut f = vec![0x00, 0x80, 0x1a, 24, 0, 0];
    f.extend_from_slice(&[0x42; 24]);
    f
}

fn bench_transport(c: &mut Criterion) {
    let mut g = c.benchmark_group("spec2025_transport");
    let frame = share_frame();
    // The floor: the two AEAD operations a 2025 frame costs (6-byte header, 24-byte payload),
    // each sealed and opened in place by ring.
    let key = LessSafeKey::new(UnboundKey::new(&aead::CHACHA20_POLY1305, &[9; 32]).unwrap());
    g.bench_function("aead/two_ops", |b| {
        let mut buf = Vec::with_capacity(64);
        let mut n = 0u64;
        b.iter(|| {
            for part in [&frame[..6], &frame[6..]] {
                n += 1;
                let mut nonce = [0u8; 12];
                nonce[4..].copy_from_slice(&n.to_le_bytes());
                buf.clear();
                buf.extend_from_slice(part);
                let tag = key
                    .seal_in_place_separate_tag(
                        Nonce::assume_unique_for_key(nonce),
                        Aad::empty(),
                        &mut buf,
                    )
                    .unwrap();
                buf.extend_from_slice(tag.as_ref());
                let plain = key
                    .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut buf)
                    .unwrap();
                black_box(plain.len());
            }
        })
    });
    let (mut sender, mut receiver) = transports();
    g.bench_function("share_frame", |b| {
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

criterion_group!(benches, bench_handshake, bench_transport);
criterion_main!(benches);
