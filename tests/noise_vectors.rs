//! Deterministic Noise handshake and transport vectors (CHECKLIST A.3.2, E7): fixed keys and
//! RNG seeds, both dialects × both ciphers plus the negotiation-free form, and a transport
//! exchange with a frame larger than 65 535 bytes. The committed files under
//! `tests/vectors/noise/` are regenerated here and compared byte for byte; run with
//! `UPDATE_NOISE_VECTORS=1` to rewrite them after an intended change.
//!
//! File format: `# comment` lines, and `key = value` lines where values are lowercase hex
//! unless the key says otherwise. Wire messages include their U16 LE length prefix.

use std::fmt::Write as _;
use std::path::PathBuf;

use sv2::keys::{AuthorityPublicKey, AuthoritySecretKey, Certificate, StaticSecretKey};
use sv2::noise::{
    static_public_key, Cipher, InitiatorConfig, NoiseHandshake, NoiseProfile, NoiseTransport,
    ResponderConfig,
};

const AUTHORITY_SEED: [u8; 32] = [0x01; 32];
const SERVER_STATIC: [u8; 32] = [0x02; 32];
const INITIATOR_RNG_SEED: [u8; 32] = [0x03; 32];
const RESPONDER_RNG_SEED: [u8; 32] = [0x04; 32];
const NOW: u64 = 1_700_000_000;

struct Case {
    file: &'static str,
    profile: NoiseProfile,
    negotiate: bool,
    offer: &'static [Cipher],
    preference: &'static [Cipher],
    expected: Cipher,
}

const CASES: &[Case] = &[
    Case {
        file: "sri-2023-chachapoly.txt",
        profile: NoiseProfile::Sri2023,
        negotiate: true,
        offer: &[Cipher::ChaChaPoly, Cipher::AesGcm],
        preference: &[Cipher::ChaChaPoly, Cipher::AesGcm],
        expected: Cipher::ChaChaPoly,
    },
    Case {
        file: "sri-2023-aesgcm.txt",
        profile: NoiseProfile::Sri2023,
        negotiate: true,
        offer: &[Cipher::ChaChaPoly, Cipher::AesGcm],
        preference: &[Cipher::AesGcm],
        expected: Cipher::AesGcm,
    },
    Case {
        file: "braiins-2021-aesgcm.txt",
        profile: NoiseProfile::Braiins2021,
        negotiate: true,
        offer: &[Cipher::AesGcm, Cipher::ChaChaPoly],
        preference: &[Cipher::AesGcm, Cipher::ChaChaPoly],
        expected: Cipher::AesGcm,
    },
    Case {
        file: "braiins-2021-chachapoly.txt",
        profile: NoiseProfile::Braiins2021,
        negotiate: true,
        offer: &[Cipher::AesGcm, Cipher::ChaChaPoly],
        preference: &[Cipher::ChaChaPoly],
        expected: Cipher::ChaChaPoly,
    },
    Case {
        file: "braiins-2021-no-negotiation.txt",
        profile: NoiseProfile::Braiins2021,
        negotiate: false,
        offer: &[Cipher::ChaChaPoly],
        preference: &[Cipher::AesGcm, Cipher::ChaChaPoly],
        expected: Cipher::ChaChaPoly,
    },
];

fn authority_public() -> AuthorityPublicKey {
    AuthorityPublicKey::from_bytes(
        ed25519_dalek::SigningKey::from_bytes(&AUTHORITY_SEED)
            .verifying_key()
            .to_bytes(),
    )
}

/// The first 32 bytes the seeded RNG yields: HMAC-SHA256(seed, 0u64 LE). This is the
/// ephemeral secret, written out so other implementations can reproduce the vectors.
fn ephemeral_secret(seed: &[u8; 32]) -> [u8; 32] {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, seed);
    let tag = ring::hmac::sign(&key, &0u64.to_le_bytes());
    tag.as_ref().try_into().unwrap()
}

fn x25519_public(secret: &[u8; 32]) -> [u8; 32] {
    curve25519_dalek::MontgomeryPoint::mul_base_clamped(*secret).to_bytes()
}

/// Runs the handshake, returning the record text and the two transports.
fn handshake(case: &Case) -> (String, NoiseTransport, NoiseTransport) {
    let secret = StaticSecretKey::from_bytes(SERVER_STATIC);
    let server_public = static_public_key(&secret);
    let certificate = Certificate::sign(
        &AuthoritySecretKey::from_bytes(AUTHORITY_SEED),
        &server_public,
        0,
        u32::MAX,
    );
    let mut rcfg = ResponderConfig::new(secret, certificate);
    rcfg.profile = case.profile;
    rcfg.cipher_preference = Some(case.preference.to_vec());
    rcfg.rng_seed = Some(RESPONDER_RNG_SEED);
    let mut icfg = InitiatorConfig::new(authority_public(), NOW);
    icfg.profile = case.profile;
    icfg.ciphers = Some(case.offer.to_vec());
    icfg.negotiate = case.negotiate;
    icfg.rng_seed = Some(INITIATOR_RNG_SEED);
    let mut i = NoiseHandshake::initiator(icfg).unwrap();
    let mut r = NoiseHandshake::responder(rcfg).unwrap();

    let mut from_i = Vec::new();
    let mut from_r = Vec::new();
    while !(i.is_complete() && r.is_complete() && !r.wants_write()) {
        let mut buf = Vec::new();
        i.data_to_send(&mut buf);
        if !buf.is_empty() {
            r.receive_data(&buf).unwrap();
            from_i.push(buf);
        }
        let mut buf = Vec::new();
        r.data_to_send(&mut buf);
        if !buf.is_empty() {
            i.receive_data(&buf).unwrap();
            from_r.push(buf);
        }
    }
    assert_eq!(i.cipher(), Some(case.expected));

    let mut out = String::new();
    let w = &mut out;
    writeln!(
        w,
        "# Noise NX handshake vector, generated by tests/noise_vectors.rs"
    )
    .unwrap();
    writeln!(w, "profile = {:?}", case.profile).unwrap();
    writeln!(w, "negotiation_form = {:?}", r.negotiation_form().unwrap()).unwrap();
    writeln!(w, "protocol_name = {}", case.expected.protocol_name()).unwrap();
    writeln!(w, "authority_secret_seed = {}", h(AUTHORITY_SEED)).unwrap();
    writeln!(
        w,
        "authority_public_key = {}",
        h(authority_public().as_bytes())
    )
    .unwrap();
    writeln!(w, "server_static_secret = {}", h(SERVER_STATIC)).unwrap();
    writeln!(w, "server_static_public = {}", h(server_public.as_bytes())).unwrap();
    writeln!(w, "initiator_rng_seed = {}", h(INITIATOR_RNG_SEED)).unwrap();
    let ie = ephemeral_secret(&INITIATOR_RNG_SEED);
    let re = ephemeral_secret(&RESPONDER_RNG_SEED);
    writeln!(
        w,
        "# ephemeral secret = HMAC-SHA256(rng_seed, 00 00 00 00 00 00 00 00)"
    )
    .unwrap();
    writeln!(w, "initiator_ephemeral_secret = {}", h(ie)).unwrap();
    writeln!(w, "initiator_ephemeral_public = {}", h(x25519_public(&ie))).unwrap();
    writeln!(w, "responder_rng_seed = {}", h(RESPONDER_RNG_SEED)).unwrap();
    writeln!(w, "responder_ephemeral_secret = {}", h(re)).unwrap();
    writeln!(w, "responder_ephemeral_public = {}", h(x25519_public(&re))).unwrap();
    writeln!(w, "now_unix (decimal) = {NOW}").unwrap();
    writeln!(w, "certificate_valid_from (decimal) = 0").unwrap();
    writeln!(w, "certificate_not_valid_after (decimal) = {}", u32::MAX).unwrap();

    let (m1, m2) = if case.negotiate {
        writeln!(
            w,
            "offer_ids = {}",
            case.offer
                .iter()
                .map(|c| h(c.id().to_le_bytes()))
                .collect::<Vec<_>>()
                .join(" ")
        )
        .unwrap();
        writeln!(w, "n1_initiator_offer = {}", h(&from_i[0])).unwrap();
        writeln!(w, "n2_responder_reply = {}", h(&from_r[0])).unwrap();
        // The prologue as the dialect defines it (A.3.2 step 4), rebuilt from the wire bytes.
        let prologue = match case.profile {
            NoiseProfile::Sri2023 => {
                let mut p = vec![case.offer.len() as u8];
                p.extend_from_slice(&from_i[0][7..]);
                p.extend_from_slice(&from_r[0][2..]);
                p
            }
            NoiseProfile::Braiins2021 => {
                let mut p = vec![0x00, 0x01];
                p.extend_from_slice(&from_r[0][2..]);
                p
            }
        };
        writeln!(w, "prologue = {}", h(prologue)).unwrap();
        (&from_i[1], &from_r[1])
    } else {
        writeln!(w, "prologue = ").unwrap();
        (&from_i[0], &from_r[0])
    };
    assert_eq!(m1[2..34], x25519_public(&ie));
    assert_eq!(m2[2..34], x25519_public(&re));
    writeln!(w, "m1_initiator_e = {}", h(m1)).unwrap();
    writeln!(w, "m2_responder_e_ee_s_es_snm = {}", h(m2)).unwrap();
    let (cert, layout) = i.certificate().unwrap();
    writeln!(w, "signature_noise_message = {}", h(cert.encode(layout))).unwrap();
    writeln!(w, "handshake_hash = {}", h(i.handshake_hash().unwrap())).unwrap();
    assert_eq!(i.handshake_hash(), r.handshake_hash());

    let (ti, _) = i.into_transport().unwrap();
    let (tr, _) = r.into_transport().unwrap();
    (out, ti, tr)
}

fn h(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(bytes)
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/noise")
}

fn check_or_update(file: &str, text: &str) {
    let path = vectors_dir().join(file);
    if std::env::var_os("UPDATE_NOISE_VECTORS").is_some() {
        std::fs::create_dir_all(vectors_dir()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_NOISE_VECTORS=1)", path.display()));
    assert!(
        committed == text,
        "{} differs from the regenerated vector (run with UPDATE_NOISE_VECTORS=1 if intended)",
        path.display()
    );
}

fn field<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(" = ")))
        .unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn handshake_vectors() {
    for case in CASES {
        let (text, _, _) = handshake(case);
        // The CHECKLIST bytes (A.3.2, A.3.3, profiles sri-2023 / braiins-2021).
        match (case.profile, case.negotiate) {
            (NoiseProfile::Sri2023, _) => {
                assert_eq!(
                    field(&text, "n1_initiator_offer"),
                    "0d0053545233024348434841455347"
                );
                let id = hex::encode(case.expected.id().to_le_bytes());
                assert_eq!(field(&text, "n2_responder_reply"), format!("0400{id}"));
                assert_eq!(field(&text, "prologue"), format!("024348434841455347{id}"));
                assert_eq!(
                    field(&text, "m2_responder_e_ee_s_es_snm").len(),
                    2 * (2 + 170)
                );
                assert_eq!(field(&text, "signature_noise_message").len(), 2 * 74);
            }
            (NoiseProfile::Braiins2021, true) => {
                assert_eq!(
                    field(&text, "n1_initiator_offer"),
                    "0d0053545232024145534743484348"
                );
                let id = hex::encode(case.expected.id().to_le_bytes());
                assert_eq!(
                    field(&text, "n2_responder_reply"),
                    format!("09005354523201{id}")
                );
                assert_eq!(field(&text, "prologue"), format!("00015354523201{id}"));
                assert_eq!(
                    field(&text, "m2_responder_e_ee_s_es_snm").len(),
                    2 * (2 + 172)
                );
            }
            (NoiseProfile::Braiins2021, false) => {
                assert!(field(&text, "m1_initiator_e").starts_with("2000"));
                assert_eq!(field(&text, "prologue"), "");
            }
        }
        if case.profile == NoiseProfile::Braiins2021 {
            // ii-stratum's SNM test vector prefix: version 0, valid 0..ffffffff, 40 00 (E3)
            let snm = field(&text, "signature_noise_message");
            assert_eq!(snm.len(), 2 * 76);
            assert!(snm.starts_with("000000000000ffffffff4000"), "{snm}");
        }
        check_or_update(case.file, &text);
    }
}

#[test]
fn transport_vector() {
    // R28: a 70 000-byte frame crosses two Noise messages; three small frames follow back.
    let (mut text, mut ti, mut tr) = handshake(&CASES[0]);
    let big: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let mut wire = Vec::new();
    ti.encrypt(&big, &mut wire).unwrap();
    assert_eq!(wire.len(), 70_000 + 2 * 18);
    let mut plain = Vec::new();
    tr.decrypt(&wire, &mut plain).unwrap();
    assert_eq!(plain, big);

    let small = b"frame-one|frame-two|frame-three";
    let ends = [10, 20, small.len()];
    let mut back = Vec::new();
    tr.encrypt_frames(small, &ends, &mut back).unwrap();
    let mut plain = Vec::new();
    for byte in &back {
        ti.decrypt(std::slice::from_ref(byte), &mut plain).unwrap();
    }
    assert_eq!(plain, small);

    writeln!(text, "# transport, after the handshake above").unwrap();
    writeln!(text, "# initiator -> responder: one frame of 70000 bytes, byte i = i mod 251, split 65519 + 4481").unwrap();
    writeln!(text, "i2r_plaintext_len (decimal) = 70000").unwrap();
    writeln!(text, "i2r_wire = {}", hex::encode(&wire)).unwrap();
    writeln!(
        text,
        "# responder -> initiator: three frames, one Noise message each (FramePerMessage)"
    )
    .unwrap();
    writeln!(text, "r2i_plaintext = {}", hex::encode(small)).unwrap();
    writeln!(text, "r2i_frame_ends (decimal) = 10 20 {}", small.len()).unwrap();
    writeln!(text, "r2i_wire = {}", hex::encode(&back)).unwrap();
    check_or_update("transport-sri-2023-chachapoly.txt", &text);
}
