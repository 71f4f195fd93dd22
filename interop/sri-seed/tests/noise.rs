//! libsv2's Noise against an implementation we did not write: the Stratum Reference
//! Implementation's seed-era crate `noise_sv2` 0.1.1 (2022, before algorithm negotiation). It
//! speaks the negotiation-free handshake (a bare `-> e`, ChaChaPoly, empty prologue) that
//! libsv2 knows as the legacy form of the Braiins 2021 profile (CHECKLIST A.3.2 step 5, R21),
//! with two quirks of its own, found by this test and recorded in docs/errata.md ("SRI seed
//! crate noise_sv2 0.1.1"):
//! - its responder encrypts the 74-byte certificate message of the spec and then inserts the
//!   signature's length `40 00` *unencrypted* into the ciphertext at offset 95, making a
//!   172-byte message 2 that only its own initiator (which cuts those two bytes out) reads;
//! - its certificate signs `version ‖ valid_from ‖ not_valid_after (big-endian) ‖ static key`
//!   (42 bytes), not the 78 bytes that the spec's deployed peers sign (E9).
//!
//! So no deployed peer can complete a handshake with it, and libsv2 does not try to. What it
//! does prove: with the two inserted bytes cut out as its initiator does, libsv2 decrypts its
//! message 2 — the X25519 exchanges, the BLAKE2s hash chain and ChaCha20-Poly1305 of an
//! independent implementation agree with ours byte for byte — and then refuses the certificate
//! as a bad signature, as it must.
//!
//! Its messages carry no length prefix of their own, so the harness adds and strips the U16 LE
//! prefix that every Noise message has on the wire (R22).

use noise_sv2::handshake::{Step, StepResult};
use sv2::keys::CertificateError;
use sv2::keys::{AuthoritySecretKey, Certificate, StaticSecretKey};
use sv2::noise::{
    InitiatorConfig, NegotiationForm, NoiseError, NoiseHandshake, NoiseProfile, ResponderConfig,
};

/// Unix time now: the SRI crate checks certificates against the system clock.
fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn with_length_prefix(message: &[u8]) -> Vec<u8> {
    let mut out = (message.len() as u16).to_le_bytes().to_vec();
    out.extend_from_slice(message);
    out
}

fn without_length_prefix(wire: &[u8]) -> Vec<u8> {
    let len = u16::from_le_bytes([wire[0], wire[1]]) as usize;
    assert_eq!(wire.len(), 2 + len, "exactly one length-prefixed message");
    wire[2..].to_vec()
}

fn take(handshake: &mut NoiseHandshake) -> Vec<u8> {
    let mut out = Vec::new();
    handshake.data_to_send(&mut out);
    out
}

/// Where `noise_sv2` 0.1.1 inserts `40 00` into message 2 (its `SIGNATURE_INDEX`, 32 + 32 +
/// 16 + 16 - 1): inside the encrypted certificate message, not at its signature field.
const SEED_INSERTED_AT: usize = 95;

#[test]
fn libsv2_initiator_with_sri_seed_responder() {
    let authority = AuthoritySecretKey::generate_seeded([7; 32]);
    let mut sri = noise_sv2::Responder::from_authority_kp(
        authority.public_key().as_bytes(),
        authority.as_bytes(),
        std::time::Duration::from_secs(3600),
    );

    let mut config = InitiatorConfig::new(authority.public_key(), now_unix());
    config.profile = Some(NoiseProfile::Braiins2021);
    config.negotiate = false;
    let mut ours = NoiseHandshake::initiator(config).unwrap();

    let e = without_length_prefix(&take(&mut ours));
    assert_eq!(e.len(), 32, "-> e");
    let reply = match sri.step(Some(e)).unwrap() {
        StepResult::NoMoreReply(reply) => reply,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        reply.len(),
        172,
        "170-byte message 2 plus the two inserted bytes"
    );
    assert_eq!(reply[SEED_INSERTED_AT..SEED_INSERTED_AT + 2], [0x40, 0x00]);
    let mut standard = reply[..SEED_INSERTED_AT].to_vec();
    standard.extend_from_slice(&reply[SEED_INSERTED_AT + 2..]);
    // <- e, ee, s, es, the 74-byte SIGNATURE_NOISE_MESSAGE of the spec (E3).
    // Decrypting message 2 worked (else HandshakeDecrypt): only the certificate is refused.
    assert_eq!(
        ours.receive_data(&with_length_prefix(&standard)),
        Err(NoiseError::Certificate(CertificateError::BadSignature))
    );
    assert!(ours.is_failed());

    // Without cutting the inserted bytes out, the AEAD fails: the harness's cut is what makes
    // the difference, and the bytes are indeed inside the ciphertext.
    let mut config = InitiatorConfig::new(authority.public_key(), now_unix());
    config.profile = Some(NoiseProfile::Braiins2021);
    config.negotiate = false;
    let mut ours = NoiseHandshake::initiator(config).unwrap();
    let mut sri = noise_sv2::Responder::from_authority_kp(
        authority.public_key().as_bytes(),
        authority.as_bytes(),
        std::time::Duration::from_secs(3600),
    );
    let e = without_length_prefix(&take(&mut ours));
    let reply = sri.step(Some(e)).unwrap().inner();
    assert_eq!(
        ours.receive_data(&with_length_prefix(&reply)),
        Err(NoiseError::HandshakeDecrypt)
    );
}

#[test]
fn sri_seed_initiator_cannot_read_a_standard_message_2() {
    let authority = AuthoritySecretKey::generate_seeded([8; 32]);
    let server_key = StaticSecretKey::generate_seeded([9; 32]);
    let now = now_unix() as u32;
    let certificate =
        Certificate::sign(&authority, &server_key.public_key(), now - 300, now + 3600);
    let mut config = ResponderConfig::new(server_key, certificate);
    config.rng_seed = Some([10; 32]);
    let mut ours = NoiseHandshake::responder(config).unwrap();

    let mut sri = noise_sv2::Initiator::from_raw_k(*authority.public_key().as_bytes());
    let e = match sri.step(None).unwrap() {
        StepResult::ExpectReply(e) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(e.len(), 32, "-> e without negotiation");
    ours.receive_data(&with_length_prefix(&e)).unwrap();
    assert_eq!(ours.negotiation_form(), Some(NegotiationForm::None));
    let reply = without_length_prefix(&take(&mut ours));
    assert_eq!(
        reply.len(),
        172,
        "the legacy form answers with the 76-byte certificate"
    );
    assert!(sri.step(Some(reply)).is_err());
}
