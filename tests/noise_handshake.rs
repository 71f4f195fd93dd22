//! Noise handshake and transport, end to end through the public API: both dialects, both
//! ciphers, detection by the responder, certificates, hostile lengths and tampering, chunked
//! input, and the framing of large and many small SV2 frames.

use sv2::keys::{
    AuthorityPublicKey, AuthoritySecretKey, Certificate, CertificateError, SignatureLayout,
    StaticSecretKey,
};
use sv2::noise::{
    fuzzing, Cipher, InitiatorConfig, NegotiationForm, NoiseError, NoiseHandshake, NoiseProfile,
    NoiseTransport, ResponderConfig, SendPolicy, MAX_PLAINTEXT_LEN,
};

const NOW: u64 = 1_700_000_000;

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

fn responder_cfg(profile: NoiseProfile, valid_from: u64, not_valid_after: u64) -> ResponderConfig {
    let secret = StaticSecretKey::from_bytes([0x5e; 32]);
    let cert = Certificate::sign(
        &authority().0,
        &secret.public_key(),
        valid_from as u32,
        not_valid_after as u32,
    );
    let mut cfg = ResponderConfig::new(secret, cert);
    cfg.profile = Some(profile);
    cfg
}

fn initiator_cfg(profile: NoiseProfile, ciphers: &[Cipher]) -> InitiatorConfig {
    let mut cfg = InitiatorConfig::new(authority().1, NOW);
    cfg.profile = Some(profile);
    cfg.ciphers = Some(ciphers.to_vec());
    cfg
}

#[derive(Debug, PartialEq)]
enum Side {
    Initiator,
    Responder,
}

/// The wire messages of one handshake, initiator's and responder's, in order.
#[derive(Default, Debug)]
struct Transcript {
    from_initiator: Vec<Vec<u8>>,
    from_responder: Vec<Vec<u8>>,
}

fn feed(hs: &mut NoiseHandshake, bytes: &[u8], chunk: usize) -> Result<(), NoiseError> {
    if bytes.is_empty() {
        return Ok(());
    }
    for piece in bytes.chunks(chunk) {
        hs.receive_data(piece)?;
    }
    Ok(())
}

/// Runs both sides to completion, feeding each message in `chunk`-byte pieces. `tamper` may
/// rewrite any message in flight (`true` = from the initiator, index in its direction).
fn run(
    i: &mut NoiseHandshake,
    r: &mut NoiseHandshake,
    chunk: usize,
    mut tamper: impl FnMut(bool, usize, &mut Vec<u8>),
) -> Result<Transcript, (Side, NoiseError)> {
    let mut t = Transcript::default();
    for _ in 0..4 {
        let mut buf = Vec::new();
        i.data_to_send(&mut buf);
        if !buf.is_empty() {
            tamper(true, t.from_initiator.len(), &mut buf);
            t.from_initiator.push(buf.clone());
        }
        feed(r, &buf, chunk).map_err(|e| (Side::Responder, e))?;
        let mut buf = Vec::new();
        r.data_to_send(&mut buf);
        if !buf.is_empty() {
            tamper(false, t.from_responder.len(), &mut buf);
            t.from_responder.push(buf.clone());
        }
        feed(i, &buf, chunk).map_err(|e| (Side::Initiator, e))?;
        if i.is_complete() && r.is_complete() && !i.wants_write() && !r.wants_write() {
            return Ok(t);
        }
    }
    panic!("handshake made no progress: {i:?} {r:?}");
}

fn no_tamper(_: bool, _: usize, _: &mut Vec<u8>) {}

fn transports(i: NoiseHandshake, r: NoiseHandshake) -> (NoiseTransport, NoiseTransport) {
    let (ti, left_i) = i.into_transport().unwrap();
    let (tr, left_r) = r.into_transport().unwrap();
    assert!(left_i.is_empty() && left_r.is_empty());
    (ti, tr)
}

fn exchange(a: &mut NoiseTransport, b: &mut NoiseTransport, msg: &[u8], chunk: usize) {
    let mut wire = Vec::new();
    a.encrypt(msg, &mut wire).unwrap();
    let mut plain = Vec::new();
    for piece in wire.chunks(chunk) {
        b.decrypt(piece, &mut plain).unwrap();
    }
    assert_eq!(plain, msg);
    assert_eq!(b.buffered_len(), 0);
}

/// Every initiator profile × offer × responder profile, whole messages and one byte at a time.
#[test]
fn all_combinations() {
    // R19, R20, R21, R22, R23, R24
    use Cipher::*;
    let offers: [&[Cipher]; 4] = [
        &[ChaChaPoly],
        &[AesGcm],
        &[ChaChaPoly, AesGcm],
        &[AesGcm, ChaChaPoly],
    ];
    for init_profile in [NoiseProfile::Sri2023, NoiseProfile::Braiins2021] {
        for offer in offers {
            for resp_profile in [NoiseProfile::Sri2023, NoiseProfile::Braiins2021] {
                for chunk in [usize::MAX, 1] {
                    let mut i =
                        NoiseHandshake::initiator(initiator_cfg(init_profile, offer)).unwrap();
                    let mut r =
                        NoiseHandshake::responder(responder_cfg(resp_profile, NOW - 10, NOW + 10))
                            .unwrap();
                    let t = run(&mut i, &mut r, chunk, no_tamper).unwrap();
                    let ctx =
                        format!("{init_profile:?} {offer:?} -> {resp_profile:?} chunk {chunk}");

                    // Responder's choice: its own preference order among the offered.
                    let expected = match resp_profile {
                        NoiseProfile::Sri2023 if offer.contains(&ChaChaPoly) => ChaChaPoly,
                        NoiseProfile::Braiins2021 if offer.contains(&AesGcm) => AesGcm,
                        _ => offer[0],
                    };
                    assert_eq!(i.cipher(), Some(expected), "{ctx}");
                    assert_eq!(r.cipher(), Some(expected), "{ctx}");
                    let form = match init_profile {
                        NoiseProfile::Sri2023 => NegotiationForm::Str3,
                        NoiseProfile::Braiins2021 => NegotiationForm::Str2,
                    };
                    assert_eq!(r.negotiation_form(), Some(form), "{ctx}");

                    // Wire sizes (A.3.2): N1 = 5 + 4n, N2 = 4 (STR3) or 9 (STR2), M1 = 32,
                    // M2 = 170 (74-byte SNM) or 172 (76-byte SNM); each with `len` U16 LE.
                    let (reply_len, m2_len, layout) = match form {
                        NegotiationForm::Str3 => (4, 170, SignatureLayout::Raw),
                        _ => (9, 172, SignatureLayout::LengthPrefixed),
                    };
                    let sizes = |v: &Vec<Vec<u8>>| v.iter().map(|m| m.len()).collect::<Vec<_>>();
                    assert_eq!(
                        sizes(&t.from_initiator),
                        [2 + 5 + 4 * offer.len(), 2 + 32],
                        "{ctx}"
                    );
                    assert_eq!(
                        sizes(&t.from_responder),
                        [2 + reply_len, 2 + m2_len],
                        "{ctx}"
                    );
                    assert_eq!(t.from_initiator[1][..2], [32, 0]);
                    assert_eq!(i.certificate().map(|c| c.1), Some(layout), "{ctx}");
                    assert_eq!(i.server_static_key(), r.server_static_key());
                    assert_eq!(i.handshake_hash(), r.handshake_hash());
                    assert!(i.handshake_hash().is_some());

                    let (mut ti, mut tr) = transports(i, r);
                    let policy = if form == NegotiationForm::Str3 {
                        SendPolicy::FramePerMessage
                    } else {
                        SendPolicy::FramePerMessageNoSplit
                    };
                    assert_eq!(ti.send_policy(), policy);
                    assert_eq!(ti.cipher(), expected);
                    exchange(&mut ti, &mut tr, b"SetupConnection", chunk.min(7));
                    exchange(&mut tr, &mut ti, b"SetupConnection.Success", chunk.min(7));
                }
            }
        }
    }
}

#[test]
fn legacy_initiator_without_negotiation() {
    // R21, A.3.2 step 5: bare `-> e`, ChaChaPoly, empty prologue, 76-byte SNM
    for resp_profile in [NoiseProfile::Braiins2021, NoiseProfile::Sri2023] {
        let mut cfg = initiator_cfg(NoiseProfile::Braiins2021, &[Cipher::AesGcm]);
        cfg.negotiate = false;
        let mut i = NoiseHandshake::initiator(cfg).unwrap();
        let mut r =
            NoiseHandshake::responder(responder_cfg(resp_profile, 0, u32::MAX as u64)).unwrap();
        let t = run(&mut i, &mut r, 3, no_tamper).unwrap();
        assert_eq!(t.from_initiator.len(), 1);
        assert_eq!(t.from_initiator[0].len(), 34);
        assert_eq!(t.from_initiator[0][..2], [0x20, 0x00]);
        assert_eq!(t.from_responder.len(), 1);
        assert_eq!(t.from_responder[0].len(), 2 + 172);
        assert_eq!(r.negotiation_form(), Some(NegotiationForm::None));
        assert_eq!(i.cipher(), Some(Cipher::ChaChaPoly));
        assert_eq!(r.cipher(), Some(Cipher::ChaChaPoly));
        let (mut ti, mut tr) = transports(i, r);
        assert_eq!(tr.send_policy(), SendPolicy::FramePerMessageNoSplit);
        exchange(&mut ti, &mut tr, b"hello", 1);
        exchange(&mut tr, &mut ti, b"world", 1);
    }
}

#[test]
fn negotiation_required_or_impossible() {
    let mut cfg = initiator_cfg(NoiseProfile::Braiins2021, &[Cipher::ChaChaPoly]);
    cfg.negotiate = false;
    let mut i = NoiseHandshake::initiator(cfg).unwrap();
    let mut rcfg = responder_cfg(NoiseProfile::Sri2023, 0, u32::MAX as u64);
    rcfg.accept_no_negotiation = false;
    let mut r = NoiseHandshake::responder(rcfg).unwrap();
    let err = run(&mut i, &mut r, usize::MAX, no_tamper).unwrap_err();
    assert_eq!(err, (Side::Responder, NoiseError::NegotiationRequired));
    assert_eq!(r.receive_data(&[1]), Err(NoiseError::Closed));

    // The SRI dialect has no negotiation-free form.
    let mut cfg = initiator_cfg(NoiseProfile::Sri2023, &[Cipher::ChaChaPoly]);
    cfg.negotiate = false;
    assert!(matches!(
        NoiseHandshake::initiator(cfg),
        Err(NoiseError::InvalidConfig(_))
    ));
    assert!(matches!(
        NoiseHandshake::initiator(initiator_cfg(NoiseProfile::Sri2023, &[])),
        Err(NoiseError::InvalidConfig(_))
    ));
    // No common cipher.
    let mut i =
        NoiseHandshake::initiator(initiator_cfg(NoiseProfile::Sri2023, &[Cipher::AesGcm])).unwrap();
    let mut rcfg = responder_cfg(NoiseProfile::Sri2023, 0, u32::MAX as u64);
    rcfg.cipher_preference = Some(vec![Cipher::ChaChaPoly]);
    let mut r = NoiseHandshake::responder(rcfg).unwrap();
    let err = run(&mut i, &mut r, usize::MAX, no_tamper).unwrap_err();
    assert_eq!(err, (Side::Responder, NoiseError::NoCommonCipher));
}

/// Flipping any byte of any handshake message makes the handshake fail, never succeed with
/// different keys, and the failing side is dead afterwards.
#[test]
fn tampered_handshake_fails() {
    // R20, R26
    for profile in [NoiseProfile::Sri2023, NoiseProfile::Braiins2021] {
        let (n1, n2, m1, m2) = {
            let mut i = NoiseHandshake::initiator(initiator_cfg(profile, &Cipher::ALL)).unwrap();
            let mut r =
                NoiseHandshake::responder(responder_cfg(profile, 0, u32::MAX as u64)).unwrap();
            let t = run(&mut i, &mut r, usize::MAX, no_tamper).unwrap();
            (
                t.from_initiator[0].len(),
                t.from_responder[0].len(),
                t.from_initiator[1].len(),
                t.from_responder[1].len(),
            )
        };
        for (from_initiator, index, len) in
            [(true, 0, n1), (false, 0, n2), (true, 1, m1), (false, 1, m2)]
        {
            for pos in 2..len {
                let mut i =
                    NoiseHandshake::initiator(initiator_cfg(profile, &Cipher::ALL)).unwrap();
                let mut r =
                    NoiseHandshake::responder(responder_cfg(profile, 0, u32::MAX as u64)).unwrap();
                let result = run(&mut i, &mut r, usize::MAX, |dir, k, msg| {
                    if dir == from_initiator && k == index {
                        msg[pos] ^= 0x01;
                    }
                });
                if result.is_ok() {
                    // Only one flip may pass: an algorithm id in a STR2 offer. The Braiins
                    // prologue carries the reply but not the offer (A.3.2 step 4), so a
                    // changed offer that leads to the same choice goes unnoticed; both sides
                    // still agree on everything that keys the channel.
                    assert!(
                        profile == NoiseProfile::Braiins2021
                            && from_initiator
                            && index == 0
                            && pos >= 7,
                        "{profile:?} msg {from_initiator} {index} byte {pos} was not detected"
                    );
                    assert_eq!(i.handshake_hash(), r.handshake_hash());
                    let (mut ti, mut tr) = transports(i, r);
                    exchange(&mut ti, &mut tr, b"still consistent", 5);
                    continue;
                }
                let (side, err) = result.unwrap_err();
                let failed = if side == Side::Initiator {
                    &mut i
                } else {
                    &mut r
                };
                assert!(failed.is_failed());
                assert_eq!(failed.receive_data(&[0]), Err(NoiseError::Closed));
                // A bit flip in N1's offer or in M1's `e` changes the prologue or `ee`, so the
                // initiator cannot decrypt `s` (R20). A flip in the reply's id picks the other
                // cipher; in the magic it is malformed or the other dialect (STR3 <-> STR2,
                // whose 9-byte reply the initiator refuses); in the count it is malformed.
                assert!(
                    matches!(
                        err,
                        NoiseError::HandshakeDecrypt
                            | NoiseError::MalformedNegotiation(_)
                            | NoiseError::UnofferedCipher(_)
                            | NoiseError::DialectMismatch { .. }
                            | NoiseError::NoCommonCipher
                            | NoiseError::UnexpectedHandshakeLength { .. }
                            | NoiseError::MessageTooLong { .. }
                            | NoiseError::InvalidPublicKey
                    ),
                    "{profile:?} msg {from_initiator} {index} byte {pos}: {err:?}"
                );
            }
        }
    }
}

#[test]
fn certificate_checks() {
    // R24, R25
    let case = |resp: ResponderConfig, authority_key: AuthorityPublicKey| {
        let mut cfg = initiator_cfg(NoiseProfile::Sri2023, &Cipher::ALL);
        cfg.authority_key = authority_key;
        let mut i = NoiseHandshake::initiator(cfg).unwrap();
        let mut r = NoiseHandshake::responder(resp).unwrap();
        run(&mut i, &mut r, usize::MAX, no_tamper).map(|_| ())
    };
    let good = authority().1;
    assert_eq!(
        case(responder_cfg(NoiseProfile::Sri2023, NOW, NOW), good),
        Ok(())
    );
    let other = AuthorityPublicKey::from_bytes(
        ed25519_dalek::SigningKey::from_bytes(&[9; 32])
            .verifying_key()
            .to_bytes(),
    );
    assert_eq!(
        case(
            responder_cfg(NoiseProfile::Sri2023, 0, u32::MAX as u64),
            other
        ),
        Err((
            Side::Initiator,
            NoiseError::Certificate(CertificateError::BadSignature)
        ))
    );
    assert!(matches!(
        case(
            responder_cfg(NoiseProfile::Braiins2021, NOW - 100, NOW - 1),
            good
        ),
        Err((
            Side::Initiator,
            NoiseError::Certificate(CertificateError::Expired { .. })
        ))
    ));
    assert!(matches!(
        case(
            responder_cfg(NoiseProfile::Sri2023, NOW + 1, NOW + 100),
            good
        ),
        Err((
            Side::Initiator,
            NoiseError::Certificate(CertificateError::NotYetValid { .. })
        ))
    ));
    // A certificate signed for another server key.
    let mut resp = responder_cfg(NoiseProfile::Sri2023, 0, u32::MAX as u64);
    resp.certificate = Certificate::sign(
        &authority().0,
        &StaticSecretKey::from_bytes([1; 32]).public_key(),
        0,
        u32::MAX,
    );
    assert_eq!(
        case(resp, good),
        Err((
            Side::Initiator,
            NoiseError::Certificate(CertificateError::BadSignature)
        ))
    );
}

#[test]
fn hostile_lengths_and_order() {
    // R22: zero and oversize prefixes, wrong lengths, messages out of order
    let responder = || {
        NoiseHandshake::responder(responder_cfg(NoiseProfile::Sri2023, 0, u32::MAX as u64)).unwrap()
    };
    let initiator = |p| NoiseHandshake::initiator(initiator_cfg(p, &Cipher::ALL)).unwrap();

    // A zero prefix as a server's first bytes is a plaintext frame's extension type 0x0000:
    // the error says the client is plaintext (issue 14), not just "length prefix 0".
    let mut r = responder();
    assert_eq!(r.receive_data(&[0, 0]), Err(NoiseError::PlaintextPeer));
    assert_eq!(r.receive_data(&[0, 0]), Err(NoiseError::Closed));
    let mut r = responder();
    assert_eq!(r.receive_data(&[0xff]), Ok(()));
    assert_eq!(
        r.receive_data(&[0xff]),
        Err(NoiseError::MessageTooLong {
            len: 65535,
            max: 1025
        })
    );
    let mut r = responder();
    assert!(matches!(r.receive_data(&[33, 0]), Ok(())));
    assert!(matches!(
        r.receive_data(&[0; 33]),
        Err(NoiseError::MalformedNegotiation(_))
    ));

    // Responder after N1 wants exactly 32 bytes.
    let mut r = responder();
    let mut i = initiator(NoiseProfile::Sri2023);
    let mut n1 = Vec::new();
    i.data_to_send(&mut n1);
    r.receive_data(&n1).unwrap();
    assert_eq!(
        r.receive_data(&[31, 0]),
        Err(NoiseError::UnexpectedHandshakeLength {
            step: "-> e",
            len: 31
        })
    );
    let mut r = responder();
    r.receive_data(&n1).unwrap();
    // A second N1 instead of M1.
    assert_eq!(
        r.receive_data(&n1),
        Err(NoiseError::UnexpectedHandshakeLength {
            step: "-> e",
            len: 13
        })
    );

    // Initiator waiting for N2 receives M2 (out of order) or a zero prefix.
    let mut i = initiator(NoiseProfile::Sri2023);
    assert_eq!(
        i.receive_data(&[170, 0]),
        // 9: the STR2 reply length passes the prefix check, so that such a reply can be named
        // as the other dialect's rather than refused as noise.
        Err(NoiseError::MessageTooLong { len: 170, max: 9 })
    );
    let mut i = initiator(NoiseProfile::Sri2023);
    assert_eq!(
        i.receive_data(&[0, 0, 1]),
        Err(NoiseError::ZeroLengthMessage)
    );
    let mut i = initiator(NoiseProfile::Sri2023);
    assert_eq!(
        i.receive_data(&[3, 0]),
        Err(NoiseError::UnexpectedHandshakeLength { step: "N2", len: 3 })
    );

    // Replies of the wrong shape or naming an algorithm that was not offered.
    let mut i =
        NoiseHandshake::initiator(initiator_cfg(NoiseProfile::Sri2023, &[Cipher::ChaChaPoly]))
            .unwrap();
    let err = i.receive_data(&[4, 0, b'A', b'E', b'S', b'G']).unwrap_err();
    assert_eq!(err, NoiseError::UnofferedCipher(Cipher::AesGcm.id()));
    // Errors show the wire name (issue 13 item 9).
    assert_eq!(
        err.to_string(),
        "the responder chose algorithm AESG (0x47534541), which was not offered"
    );
    let mut i = initiator(NoiseProfile::Sri2023);
    assert_eq!(
        i.receive_data(b"\x04\x00XXXX"),
        Err(NoiseError::UnofferedCipher(0x5858_5858))
    );
    let mut i = initiator(NoiseProfile::Braiins2021);
    assert!(matches!(
        i.receive_data(b"\x09\x00STR3\x01AESG"),
        Err(NoiseError::MalformedNegotiation(_))
    ));
    let mut i = initiator(NoiseProfile::Braiins2021);
    assert!(matches!(
        i.receive_data(b"\x09\x00STR2\x02AESG"),
        Err(NoiseError::MalformedNegotiation(_))
    ));
    let mut i = initiator(NoiseProfile::Braiins2021);
    assert_eq!(
        i.receive_data(b"\x0d\x00STR2\x02AESGCHCH"),
        Err(NoiseError::MessageTooLong { len: 13, max: 9 })
    );
    // A bare known id to an STR2 offer is an SRI server's answer (issue 13, item 2).
    let mut i = initiator(NoiseProfile::Braiins2021);
    assert_eq!(
        i.receive_data(b"\x04\x00AESG"),
        Err(NoiseError::DialectMismatch {
            answered: NoiseProfile::Sri2023
        })
    );
    let mut i = initiator(NoiseProfile::Braiins2021);
    assert_eq!(
        i.receive_data(b"\x04\x00XXXX"),
        Err(NoiseError::UnexpectedHandshakeLength { step: "N2", len: 4 })
    );

    // Initiator waiting for M2: only 170 or 172.
    let mut i = initiator(NoiseProfile::Sri2023);
    i.receive_data(b"\x04\x00CHCH").unwrap();
    assert_eq!(
        i.receive_data(&[171, 0]),
        Err(NoiseError::UnexpectedHandshakeLength {
            step: "<- e, ee, s, es",
            len: 171
        })
    );

    // into_transport too early.
    let i = initiator(NoiseProfile::Sri2023);
    assert_eq!(
        i.into_transport().err(),
        Some(NoiseError::HandshakeIncomplete)
    );
}

#[test]
fn responder_output_must_be_drained_and_leftover_is_kept() {
    let mut i =
        NoiseHandshake::initiator(initiator_cfg(NoiseProfile::Sri2023, &Cipher::ALL)).unwrap();
    let mut r = NoiseHandshake::responder(responder_cfg(NoiseProfile::Sri2023, 0, u32::MAX as u64))
        .unwrap();
    let mut buf = Vec::new();
    i.data_to_send(&mut buf);
    r.receive_data(&buf).unwrap();
    buf.clear();
    r.data_to_send(&mut buf);
    i.receive_data(&buf).unwrap();
    buf.clear();
    i.data_to_send(&mut buf);
    r.receive_data(&buf).unwrap();
    assert!(r.is_complete() && r.wants_write());

    // The responder sends M2 and, in the same write, its first transport message.
    let mut m2 = Vec::new();
    r.data_to_send(&mut m2);
    let (mut tr, left) = r.into_transport().unwrap();
    assert!(left.is_empty());
    tr.encrypt(b"early", &mut m2).unwrap();
    i.receive_data(&m2).unwrap();
    assert!(i.is_complete());
    let (mut ti, leftover) = i.into_transport().unwrap();
    let mut plain = Vec::new();
    ti.decrypt(&leftover, &mut plain).unwrap();
    assert_eq!(plain, b"early");

    // A completed responder whose last message was not taken refuses to convert.
    let mut i =
        NoiseHandshake::initiator(initiator_cfg(NoiseProfile::Sri2023, &Cipher::ALL)).unwrap();
    let mut r = NoiseHandshake::responder(responder_cfg(NoiseProfile::Sri2023, 0, u32::MAX as u64))
        .unwrap();
    let mut buf = Vec::new();
    i.data_to_send(&mut buf);
    r.receive_data(&buf).unwrap();
    buf.clear();
    r.data_to_send(&mut buf);
    i.receive_data(&buf).unwrap();
    buf.clear();
    i.data_to_send(&mut buf);
    r.receive_data(&buf).unwrap();
    assert_eq!(
        r.into_transport().err(),
        Some(NoiseError::HandshakeIncomplete)
    );
}

fn pair(profile: NoiseProfile, cipher: Cipher) -> (NoiseTransport, NoiseTransport) {
    let mut i = NoiseHandshake::initiator(initiator_cfg(profile, &[cipher])).unwrap();
    let mut r = NoiseHandshake::responder(responder_cfg(profile, 0, u32::MAX as u64)).unwrap();
    run(&mut i, &mut r, usize::MAX, no_tamper).unwrap();
    transports(i, r)
}

#[test]
fn tampered_transport_kills_channel() {
    // R26: no resync; nothing of the bad message is returned
    for cipher in Cipher::ALL {
        let (mut ti, mut tr) = pair(NoiseProfile::Sri2023, cipher);
        let mut wire = Vec::new();
        ti.encrypt(b"first", &mut wire).unwrap();
        let good_len = wire.len();
        ti.encrypt(b"second", &mut wire).unwrap();
        wire[good_len + 5] ^= 0x80;
        let mut plain = Vec::new();
        assert_eq!(
            tr.decrypt(&wire, &mut plain),
            Err(NoiseError::TransportDecrypt)
        );
        assert_eq!(plain, b"first");
        assert!(tr.is_closed());
        // Even a correct message is refused now.
        let mut next = Vec::new();
        ti.encrypt(b"third", &mut next).unwrap();
        assert_eq!(tr.decrypt(&next, &mut plain), Err(NoiseError::Closed));
        assert_eq!(tr.encrypt(b"x", &mut next), Err(NoiseError::Closed));
    }
    // Replay and reordering also fail authentication (the nonce moved on).
    let (mut ti, mut tr) = pair(NoiseProfile::Sri2023, Cipher::ChaChaPoly);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    ti.encrypt(b"a", &mut a).unwrap();
    ti.encrypt(b"b", &mut b).unwrap();
    let mut plain = Vec::new();
    assert_eq!(
        tr.decrypt(&b, &mut plain),
        Err(NoiseError::TransportDecrypt)
    );
    assert!(plain.is_empty());
}

#[test]
fn transport_length_prefix_rules() {
    // R22 on the transport
    let (_, mut tr) = pair(NoiseProfile::Sri2023, Cipher::AesGcm);
    let mut plain = Vec::new();
    assert_eq!(
        tr.decrypt(&[0, 0], &mut plain),
        Err(NoiseError::ZeroLengthMessage)
    );
    let (_, mut tr) = pair(NoiseProfile::Sri2023, Cipher::AesGcm);
    assert_eq!(
        tr.decrypt(&[1, 0, 0], &mut plain),
        Err(NoiseError::MessageTooShort { len: 1 })
    );
    // A maximal prefix is legal and is buffered until complete (bounded by 65 537 bytes).
    let (_, mut tr) = pair(NoiseProfile::Sri2023, Cipher::AesGcm);
    tr.decrypt(&[0xff, 0xff], &mut plain).unwrap();
    tr.decrypt(&vec![0u8; 65_534], &mut plain).unwrap();
    assert_eq!(tr.buffered_len(), 65_536);
    assert_eq!(
        tr.decrypt(&[0, 9, 9], &mut plain),
        Err(NoiseError::TransportDecrypt)
    );
    assert!(plain.is_empty());
}

/// Deterministic pseudo-random generator for test data (xorshift64*).
struct Prng(u64);
impl Prng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn large_frame_is_split_and_reassembled() {
    // R28, E8: a 200 000-byte frame crosses four Noise messages; the receiver sees one stream
    let mut rng = Prng(7);
    for cipher in Cipher::ALL {
        let (mut ti, mut tr) = pair(NoiseProfile::Sri2023, cipher);
        let frame = rng.bytes(200_000);
        let mut wire = Vec::new();
        ti.encrypt(&frame, &mut wire).unwrap();
        assert_eq!(wire.len(), frame.len() + 4 * 18);
        assert_eq!(wire[..2], [0xff, 0xff]);
        let mut plain = Vec::new();
        let mut rest = &wire[..];
        while !rest.is_empty() {
            let n = (rng.next() % 5000) as usize + 1;
            let (piece, tail) = rest.split_at(n.min(rest.len()));
            tr.decrypt(piece, &mut plain).unwrap();
            rest = tail;
        }
        assert_eq!(plain, frame);
    }
    // braiins-2021 peers cannot reassemble: the default policy after STR2 refuses.
    let (mut ti, _) = pair(NoiseProfile::Braiins2021, Cipher::AesGcm);
    let mut wire = Vec::new();
    assert_eq!(
        ti.encrypt(&[0; MAX_PLAINTEXT_LEN + 1], &mut wire),
        Err(NoiseError::FrameTooLarge {
            len: MAX_PLAINTEXT_LEN + 1,
            max: MAX_PLAINTEXT_LEN
        })
    );
    ti.encrypt(&[0; MAX_PLAINTEXT_LEN], &mut wire).unwrap();
}

#[test]
fn many_small_frames_in_one_batch() {
    let mut rng = Prng(99);
    let mut plaintext = Vec::new();
    let mut ends = Vec::new();
    for _ in 0..2000 {
        let len = 6 + (rng.next() % 120) as usize;
        plaintext.extend(rng.bytes(len));
        ends.push(plaintext.len());
    }
    for (policy, messages) in [
        (SendPolicy::FramePerMessage, ends.len()),
        (SendPolicy::FramePerMessageNoSplit, ends.len()),
        (
            SendPolicy::Stream,
            plaintext.len().div_ceil(MAX_PLAINTEXT_LEN),
        ),
    ] {
        let (mut ti, mut tr) = pair(NoiseProfile::Sri2023, Cipher::ChaChaPoly);
        ti.set_send_policy(policy);
        let mut wire = Vec::new();
        ti.encrypt_frames(&plaintext, &ends, &mut wire).unwrap();
        assert_eq!(wire.len(), plaintext.len() + messages * 18, "{policy:?}");
        let mut plain = Vec::new();
        for piece in wire.chunks(1000) {
            tr.decrypt(piece, &mut plain).unwrap();
        }
        assert_eq!(plain, plaintext);
    }
}

/// A few thousand pseudo-random byte strings, raw and behind plausible prefixes, must never
/// make either side panic (the same drivers back the cargo-fuzz targets).
#[test]
fn random_input_never_panics() {
    let mut rng = Prng(0x5eed);
    let mut n1 = Vec::new();
    NoiseHandshake::initiator(fuzzing::initiator_config(NoiseProfile::Sri2023))
        .unwrap()
        .data_to_send(&mut n1);
    for round in 0..3000 {
        let len = (rng.next() % 300) as usize;
        let mut data = rng.bytes(len);
        match round % 4 {
            // A valid offer first, then garbage.
            1 => {
                let mut d = vec![255];
                d.extend_from_slice(&n1);
                d.extend_from_slice(&data);
                data = d;
            }
            // A plausible reply for the initiator.
            2 => {
                let mut d = vec![0, 255, 4, 0];
                d.extend_from_slice(b"CHCH");
                d.extend_from_slice(&data);
                data = d;
            }
            _ => {}
        }
        fuzzing::drive_responder(&data);
        fuzzing::drive_initiator(&data);
    }
}

#[test]
fn debug_output_hides_secrets() {
    let mut cfg = responder_cfg(NoiseProfile::Sri2023, 0, 1);
    cfg.rng_seed = Some([0xab; 32]);
    let mut icfg = initiator_cfg(NoiseProfile::Sri2023, &Cipher::ALL);
    icfg.rng_seed = Some([0xab; 32]);
    for text in [format!("{cfg:?}"), format!("{icfg:?}")] {
        assert!(!text.contains("171, 171, 171"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}

/// Issue 13 item 2 (CHECKLIST E7, R21): an STR3 initiator that gets the 9-byte reply a Braiins
/// 2021 server sends (`STR2 01 AESG`, profile braiins-2021 "N2") is told which dialect the
/// server speaks, and the reverse: an STR2 initiator given SRI's bare 4-byte id.
#[test]
fn e7_reply_of_the_other_dialect_names_it() {
    let initiator = |p| NoiseHandshake::initiator(initiator_cfg(p, &Cipher::ALL)).unwrap();
    let mut i = initiator(NoiseProfile::Sri2023);
    let err = i
        .receive_data(&hex::decode("0900535452320141455347").unwrap())
        .unwrap_err();
    assert_eq!(
        err,
        NoiseError::DialectMismatch {
            answered: NoiseProfile::Braiins2021
        }
    );
    assert_eq!(
        err.to_string(),
        "the server answered with the braiins-2021 negotiation (STR2); configure dialect braiins-2021"
    );
    assert!(i.is_failed());

    let mut i = initiator(NoiseProfile::Braiins2021);
    let err = i
        .receive_data(&hex::decode("040043484348").unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the server answered with the sri-2023 negotiation (STR3); configure dialect sri-2023"
    );
    // A 9-byte reply with another magic is still just malformed, not a dialect.
    let mut i = initiator(NoiseProfile::Sri2023);
    assert_eq!(
        i.receive_data(b"\x09\x00XXXX\x01AESG"),
        Err(NoiseError::UnexpectedHandshakeLength { step: "N2", len: 9 })
    );
}
