//! Noise benchmarks: the handshake against its Diffie-Hellman cost, and the transport against
//! the bare AEAD it wraps.
//!
//! `cargo bench --bench noise -- --quick` (or `--measurement-time 2`).
//! Targets: responder handshake ≤ 1.2 × `dh/responder_work`; transport encrypt+decrypt of a
//! 100-byte frame ≤ 1.3 × `aead/<cipher>/100`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use curve25519_dalek::MontgomeryPoint;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use sv2::keys::{AuthorityPublicKey, AuthoritySecretKey, Certificate, StaticSecretKey};
use sv2::noise::{Cipher, InitiatorConfig, NoiseHandshake, NoiseTransport, ResponderConfig};

fn authority() -> (AuthoritySecretKey, AuthorityPublicKey) {
    let seed = [0xa1; 32];
    let public = ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes();
    (
        AuthoritySecretKey::from_bytes(seed),
        AuthorityPublicKey::from_bytes(public),
    )
}

fn responder_cfg(cipher: Cipher) -> ResponderConfig {
    let secret = StaticSecretKey::from_bytes([0x5e; 32]);
    let cert = Certificate::sign(&authority().0, &secret.public_key(), 0, u32::MAX);
    let mut cfg = ResponderConfig::new(secret, cert);
    cfg.cipher_preference = Some(vec![cipher]);
    cfg
}

fn initiator_cfg(cipher: Cipher) -> InitiatorConfig {
    let mut cfg = InitiatorConfig::new(authority().1, 1_700_000_000);
    cfg.ciphers = Some(vec![cipher]);
    cfg
}

fn handshake(icfg: InitiatorConfig, rcfg: ResponderConfig) -> (NoiseHandshake, NoiseHandshake) {
    let mut i = NoiseHandshake::initiator(icfg).unwrap();
    let mut r = NoiseHandshake::responder(rcfg).unwrap();
    let mut buf = Vec::with_capacity(256);
    while !(i.is_complete() && r.is_complete() && !r.wants_write()) {
        buf.clear();
        i.data_to_send(&mut buf);
        r.receive_data(&buf).unwrap();
        buf.clear();
        r.data_to_send(&mut buf);
        i.receive_data(&buf).unwrap();
    }
    (i, r)
}

fn name(cipher: Cipher) -> &'static str {
    match cipher {
        Cipher::ChaChaPoly => "chachapoly",
        Cipher::AesGcm => "aesgcm",
    }
}

fn bench_handshake(c: &mut Criterion) {
    let mut g = c.benchmark_group("handshake");
    // The responder's share of the DH work: generate `e` (one fixed-base multiplication),
    // then `ee` and `es` (two variable-base ones). The floor for any NX responder.
    let remote = MontgomeryPoint::mul_base_clamped([7; 32]);
    g.bench_function("dh/responder_work", |b| {
        let mut seed = [1u8; 32];
        b.iter(|| {
            seed[0] = seed[0].wrapping_add(1);
            let e_pub = MontgomeryPoint::mul_base_clamped(black_box(seed));
            let ee = black_box(remote).mul_clamped(seed);
            let es = black_box(remote).mul_clamped([0x5e; 32]);
            black_box((e_pub, ee, es))
        })
    });
    for cipher in Cipher::ALL {
        g.bench_function(BenchmarkId::new("full", name(cipher)), |b| {
            let (icfg, rcfg) = (initiator_cfg(cipher), responder_cfg(cipher));
            b.iter(|| handshake(icfg.clone(), rcfg.clone()))
        });
        // The responder alone, fed an initiator's N1 and M1 recorded once (M1 is `e` in
        // clear, valid for any responder ephemeral).
        let mut icfg = initiator_cfg(cipher);
        icfg.rng_seed = Some([3; 32]);
        let mut i = NoiseHandshake::initiator(icfg).unwrap();
        let mut r = NoiseHandshake::responder(responder_cfg(cipher)).unwrap();
        let (mut n1, mut n2, mut m1) = (Vec::new(), Vec::new(), Vec::new());
        i.data_to_send(&mut n1);
        r.receive_data(&n1).unwrap();
        r.data_to_send(&mut n2);
        i.receive_data(&n2).unwrap();
        i.data_to_send(&mut m1);
        let rcfg = responder_cfg(cipher);
        g.bench_function(BenchmarkId::new("responder", name(cipher)), |b| {
            let mut out = Vec::with_capacity(256);
            b.iter(|| {
                let mut r = NoiseHandshake::responder(rcfg.clone()).unwrap();
                r.receive_data(&n1).unwrap();
                out.clear();
                r.data_to_send(&mut out);
                r.receive_data(&m1).unwrap();
                out.clear();
                r.data_to_send(&mut out);
                black_box(r.into_transport().unwrap())
            })
        });
    }
    g.finish();
}

fn transports(cipher: Cipher) -> (NoiseTransport, NoiseTransport) {
    let (i, r) = handshake(initiator_cfg(cipher), responder_cfg(cipher));
    (i.into_transport().unwrap().0, r.into_transport().unwrap().0)
}

fn bench_transport(c: &mut Criterion) {
    let mut g = c.benchmark_group("transport");
    for size in [32usize, 100, 1024, 65_536] {
        g.throughput(Throughput::Bytes(size as u64));
        let msg = vec![0x42u8; size];
        for cipher in Cipher::ALL {
            // Bare ring AEAD, seal + open in place with one copy: the floor.
            let algorithm = match cipher {
                Cipher::ChaChaPoly => &aead::CHACHA20_POLY1305,
                Cipher::AesGcm => &aead::AES_256_GCM,
            };
            let key = LessSafeKey::new(UnboundKey::new(algorithm, &[9; 32]).unwrap());
            g.bench_with_input(
                BenchmarkId::new(format!("aead/{}", name(cipher)), size),
                &msg,
                |b, msg| {
                    let mut buf = Vec::with_capacity(size + 16);
                    let mut n = 0u64;
                    b.iter(|| {
                        n += 1;
                        let mut nonce = [0u8; 12];
                        nonce[4..].copy_from_slice(&n.to_le_bytes());
                        buf.clear();
                        buf.extend_from_slice(msg);
                        let tag = key
                            .seal_in_place_separate_tag(
                                Nonce::assume_unique_for_key(nonce),
                                Aad::empty(),
                                &mut buf,
                            )
                            .unwrap();
                        buf.extend_from_slice(tag.as_ref());
                        let plain = key
                            .open_in_place(
                                Nonce::assume_unique_for_key(nonce),
                                Aad::empty(),
                                &mut buf,
                            )
                            .unwrap();
                        black_box(plain.len())
                    })
                },
            );
            let (mut ti, mut tr) = transports(cipher);
            g.bench_with_input(
                BenchmarkId::new(format!("noise/{}", name(cipher)), size),
                &msg,
                |b, msg| {
                    let mut wire = Vec::with_capacity(size + 64);
                    let mut plain = Vec::with_capacity(size + 64);
                    b.iter(|| {
                        wire.clear();
                        plain.clear();
                        ti.encrypt(msg, &mut wire).unwrap();
                        tr.decrypt(&wire, &mut plain).unwrap();
                        black_box(plain.len())
                    })
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench_handshake, bench_transport);
criterion_main!(benches);
