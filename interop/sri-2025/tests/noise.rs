//! libsv2's spec-2025 security layer (`Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256`, sv2-spec
//! 0f38d51 §4) against an implementation we did not write: SRI's published `noise_sv2` 2.0.0,
//! the crate behind every deployed SRI pool, proxy and miner of 2024–2026.
//!
//! * Handshakes both ways, certificates checked on both sides (R24, R25): libsv2 initiator ↔
//!   their responder, their initiator ↔ libsv2 responder, and the refusals (wrong authority,
//!   expired).
//! * Transport frames of 0, 1, 100, 65 519, 65 520 and 200 000 payload bytes both ways. `noise_sv2`
//!   encrypts single Noise messages; the 22-byte header + ≤ 65 519-byte chunk framing around it
//!   lives in SRI's `codec_sv2`, and is reproduced here exactly as that codec applies it
//!   (header alone, then the payload in 65 519-byte chunks, each through the same
//!   `NoiseEngine`), so the AEAD, the nonces and the keys are theirs.
//! * Byte-identical where deterministic: the protocol-name hash; and every transport block,
//!   because ChaCha20-Poly1305 is deterministic in (key, nonce, plaintext) and their engine
//!   authenticates each of our blocks byte for byte (and we theirs), with the exact §4.6
//!   ciphertext length checked on both sides. The handshake messages themselves depend on each
//!   side's randomness (ephemeral keys, ElligatorSwift encodings), so they cannot be compared.

use noise_sv2::{Initiator, NoiseEngine, Responder};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::time::Duration;
use sv2::keys::{CertificateError, SchnorrCertificate, Secp256k1SecretKey};
use sv2::noise::{
    NoiseError, Spec2025Handshake, Spec2025InitiatorConfig, Spec2025ResponderConfig,
    Spec2025Transport,
};

/// Their crate checks certificates against this time through `*_with_now`; ours takes it as
/// configuration. Any fixed time works.
const NOW: u32 = 1_760_000_000;
const SIZES: [usize; 6] = [0, 1, 100, 65_519, 65_520, 200_000];
const MAX_CHUNK: usize = 65_519;

fn authority() -> Secp256k1SecretKey {
    Secp256k1SecretKey::generate_seeded([1; 32])
}

fn their_responder(authority: &Secp256k1SecretKey, seed: u64) -> Box<Responder> {
    Responder::from_authority_kp_with_rng(
        authority.x_only_public_key().as_bytes(),
        authority.as_bytes(),
        Duration::from_secs(3600),
        &mut StdRng::seed_from_u64(seed),
    )
    .unwrap()
}

fn our_responder(valid_from: u32, not_valid_after: u32) -> Spec2025Handshake {
    let server = Secp256k1SecretKey::generate_seeded([2; 32]);
    let cert = SchnorrCertificate::sign(
        &authority(),
        &server.x_only_public_key(),
        valid_from,
        not_valid_after,
        &[3; 32],
    );
    let mut config = Spec2025ResponderConfig::new(server, cert);
    config.rng_seed = Some([4; 32]);
    Spec2025Handshake::responder(config).unwrap()
}

fn our_initiator(trusted: &Secp256k1SecretKey, now: u64) -> Spec2025Handshake {
    let mut config = Spec2025InitiatorConfig::new(trusted.x_only_public_key(), now);
    config.rng_seed = Some([5; 32]);
    Spec2025Handshake::initiator(config).unwrap()
}

fn take(hs: &mut Spec2025Handshake) -> Vec<u8> {
    let mut out = Vec::new();
    hs.data_to_send(&mut out);
    out
}

fn frame(len: usize) -> Vec<u8> {
    // SubmitSharesStandard-like header (channel bit set), then a recognisable payload.
    let mut f = vec![0x00, 0x80, 0x1a];
    f.extend_from_slice(&(len as u32).to_le_bytes()[..3]);
    f.extend((0..len).map(|i| (i * 31 + 7) as u8));
    f
}

/// What codec_sv2 does on send: the 6-byte header alone, then ≤ 65 519-byte chunks.
fn their_encrypt_frame(engine: &mut NoiseEngine, frame: &[u8]) -> Vec<u8> {
    let mut out = frame[..6].to_vec();
    engine.encrypt(&mut out).unwrap();
    for chunk in frame[6..].chunks(MAX_CHUNK) {
        let mut block = chunk.to_vec();
        engine.encrypt(&mut block).unwrap();
        out.extend_from_slice(&block);
    }
    out
}

/// What codec_sv2 does on receive: 22 bytes → header → `pt_len_to_ct_len(msg_length)` bytes.
fn their_decrypt_frame(engine: &mut NoiseEngine, wire: &[u8]) -> Vec<u8> {
    let mut header = wire[..22].to_vec();
    engine.decrypt(&mut header).unwrap();
    assert_eq!(header.len(), 6);
    let mut remaining =
        usize::from(header[3]) | usize::from(header[4]) << 8 | usize::from(header[5]) << 16;
    let mut out = header;
    let mut at = 22;
    while remaining > 0 {
        let pt = remaining.min(MAX_CHUNK);
        let mut block = wire[at..at + pt + 16].to_vec();
        engine.decrypt(&mut block).unwrap();
        out.extend_from_slice(&block);
        at += pt + 16;
        remaining -= pt;
    }
    assert_eq!(
        at,
        wire.len(),
        "no trailing bytes: the frame is exactly header + chunks"
    );
    out
}

/// Frames of every size both ways; ours fed in 1000-byte pieces.
fn exchange(ours: &mut Spec2025Transport, theirs: &mut NoiseEngine) {
    for len in SIZES {
        let f = frame(len);
        let mut wire = Vec::new();
        ours.encrypt_frame(&f, &mut wire).unwrap();
        let expected_len = 22 + len + len.div_ceil(MAX_CHUNK) * 16;
        assert_eq!(wire.len(), expected_len, "libsv2 ciphertext of {len}");
        assert_eq!(
            their_decrypt_frame(theirs, &wire),
            f,
            "SRI reads libsv2's {len}"
        );

        let wire = their_encrypt_frame(theirs, &f);
        assert_eq!(wire.len(), expected_len, "SRI ciphertext of {len}");
        let mut plain = Vec::new();
        for piece in wire.chunks(1000) {
            ours.decrypt(piece, &mut plain).unwrap();
        }
        assert_eq!(plain, f, "libsv2 reads SRI's {len}");
    }
}

#[test]
fn protocol_name_hash_matches_theirs() {
    use sha2::Digest;
    let ours: [u8; 32] =
        sha2::Sha256::digest(sv2::noise::SPEC_2025_PROTOCOL_NAME.as_bytes()).into();
    assert_eq!(ours, noise_sv2::NOISE_HASHED_PROTOCOL_NAME_CHACHA);
}

#[test]
fn libsv2_initiator_with_sri_responder() {
    let authority = authority();
    let mut responder = their_responder(&authority, 7);
    let mut initiator = our_initiator(&authority, u64::from(NOW));
    let m1 = take(&mut initiator);
    assert_eq!(m1.len(), 64);
    let (m2, mut theirs) = responder
        .step_1_with_now_rng(m1.try_into().unwrap(), NOW, &mut StdRng::seed_from_u64(8))
        .unwrap();
    assert_eq!(m2.len(), 234);
    initiator.receive_data(&m2).unwrap();
    assert!(initiator.is_complete());
    // Their certificate passed our check: version 0, signed by the authority, [now, now+3600].
    let cert = initiator.certificate().unwrap();
    assert_eq!(
        (cert.version, cert.valid_from, cert.not_valid_after),
        (0, NOW, NOW + 3600)
    );
    let (mut ours, rest) = initiator.into_transport().unwrap();
    assert!(rest.is_empty());
    exchange(&mut ours, &mut theirs);
}

#[test]
fn sri_initiator_with_libsv2_responder() {
    let authority = authority();
    let mut initiator = Initiator::from_raw_k_with_rng(
        *authority.x_only_public_key().as_bytes(),
        &mut StdRng::seed_from_u64(9),
    )
    .unwrap();
    let mut responder = our_responder(NOW - 60, NOW + 3600);
    let m1 = initiator.step_0().unwrap();
    // Fed one byte at a time: there is no length prefix to announce the 64 bytes.
    for b in m1 {
        responder.receive_data(&[b]).unwrap();
    }
    let m2 = take(&mut responder);
    assert_eq!(m2.len(), 234);
    // Their initiator checks our BIP340 certificate under the authority key.
    let mut theirs = initiator
        .step_2_with_now(m2.try_into().unwrap(), NOW)
        .unwrap();
    let (mut ours, _) = responder.into_transport().unwrap();
    exchange(&mut ours, &mut theirs);
}

#[test]
fn sri_initiator_refuses_libsv2_certificate_from_another_authority_r24() {
    let other = Secp256k1SecretKey::generate_seeded([9; 32]);
    let mut initiator = Initiator::from_raw_k_with_rng(
        *other.x_only_public_key().as_bytes(),
        &mut StdRng::seed_from_u64(9),
    )
    .unwrap();
    let mut responder = our_responder(NOW - 60, NOW + 3600);
    responder
        .receive_data(&initiator.step_0().unwrap())
        .unwrap();
    let m2 = take(&mut responder);
    assert!(initiator
        .step_2_with_now(m2.try_into().unwrap(), NOW)
        .is_err());
}

#[test]
fn sri_initiator_refuses_expired_libsv2_certificate_r25() {
    let authority = authority();
    let mut initiator = Initiator::from_raw_k_with_rng(
        *authority.x_only_public_key().as_bytes(),
        &mut StdRng::seed_from_u64(9),
    )
    .unwrap();
    // Expired an hour ago (beyond their 10-second leeway).
    let mut responder = our_responder(NOW - 7200, NOW - 3600);
    responder
        .receive_data(&initiator.step_0().unwrap())
        .unwrap();
    let m2 = take(&mut responder);
    assert!(initiator
        .step_2_with_now(m2.try_into().unwrap(), NOW)
        .is_err());
}

#[test]
fn libsv2_initiator_refuses_sri_certificate_r24_r25() {
    let authority = authority();
    // Another authority.
    let mut responder = their_responder(&Secp256k1SecretKey::generate_seeded([9; 32]), 7);
    let mut initiator = our_initiator(&authority, u64::from(NOW));
    let m1: [u8; 64] = take(&mut initiator).try_into().unwrap();
    let (m2, _) = responder
        .step_1_with_now_rng(m1, NOW, &mut StdRng::seed_from_u64(8))
        .unwrap();
    assert_eq!(
        initiator.receive_data(&m2),
        Err(NoiseError::Certificate(CertificateError::BadSignature))
    );
    // Right authority, but checked after the window.
    let mut responder = their_responder(&authority, 7);
    let mut initiator = our_initiator(&authority, u64::from(NOW) + 3601);
    let m1: [u8; 64] = take(&mut initiator).try_into().unwrap();
    let (m2, _) = responder
        .step_1_with_now_rng(m1, NOW, &mut StdRng::seed_from_u64(8))
        .unwrap();
    assert!(matches!(
        initiator.receive_data(&m2),
        Err(NoiseError::Certificate(CertificateError::Expired { .. }))
    ));
}

#[test]
fn tampered_sri_message_2_is_refused() {
    let authority = authority();
    let mut responder = their_responder(&authority, 7);
    let mut initiator = our_initiator(&authority, u64::from(NOW));
    let m1: [u8; 64] = take(&mut initiator).try_into().unwrap();
    let (mut m2, _) = responder
        .step_1_with_now_rng(m1, NOW, &mut StdRng::seed_from_u64(8))
        .unwrap();
    m2[200] ^= 0x40;
    assert_eq!(
        initiator.receive_data(&m2),
        Err(NoiseError::HandshakeDecrypt)
    );
}
