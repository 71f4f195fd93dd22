//! Hostile input to the spec-2025 security layer (issue 20): arbitrary bytes in any chunking
//! never panic, never hang and never grow buffers beyond one message or one chunk; an error
//! closes the object (R26).

use proptest::prelude::*;
use sv2::keys::{SchnorrCertificate, Secp256k1SecretKey};
use sv2::noise::{
    NoiseError, Spec2025Handshake, Spec2025InitiatorConfig, Spec2025ResponderConfig,
    Spec2025Transport,
};

const NOW: u64 = 1_760_000_000;

fn configs() -> (Spec2025InitiatorConfig, Spec2025ResponderConfig) {
    let authority = Secp256k1SecretKey::generate_seeded([1; 32]);
    let server = Secp256k1SecretKey::generate_seeded([2; 32]);
    let cert = SchnorrCertificate::sign(
        &authority,
        &server.x_only_public_key(),
        0,
        u32::MAX,
        &[0; 32],
    );
    let mut i = Spec2025InitiatorConfig::new(authority.x_only_public_key(), NOW);
    i.rng_seed = Some([3; 32]);
    let mut r = Spec2025ResponderConfig::new(server, cert);
    r.rng_seed = Some([4; 32]);
    (i, r)
}

fn transports() -> (Spec2025Transport, Spec2025Transport) {
    let (icfg, rcfg) = configs();
    let mut i = Spec2025Handshake::initiator(icfg).unwrap();
    let mut r = Spec2025Handshake::responder(rcfg).unwrap();
    let mut buf = Vec::new();
    i.data_to_send(&mut buf);
    r.receive_data(&buf).unwrap();
    buf.clear();
    r.data_to_send(&mut buf);
    i.receive_data(&buf).unwrap();
    (i.into_transport().unwrap().0, r.into_transport().unwrap().0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The initiator takes exactly 234 bytes as message 2: garbage fails authentication.
    #[test]
    fn initiator_refuses_garbage_message_2(data in proptest::collection::vec(any::<u8>(), 0..600), cut in 1usize..300) {
        let (icfg, _) = configs();
        let mut i = Spec2025Handshake::initiator(icfg).unwrap();
        let mut result = Ok(());
        for piece in data.chunks(cut) {
            result = i.receive_data(piece);
            if result.is_err() { break; }
        }
        if data.len() >= 234 {
            prop_assert_eq!(result, Err(NoiseError::HandshakeDecrypt));
            prop_assert!(i.is_failed());
        } else {
            prop_assert!(result.is_ok() && !i.is_complete());
        }
    }

    /// Random bytes to an established transport: an AEAD error and a closed channel, never a
    /// panic, and nothing buffered beyond one encrypted header.
    #[test]
    fn transport_refuses_garbage(data in proptest::collection::vec(any::<u8>(), 0..2000), cut in 1usize..500) {
        let (_, mut r) = transports();
        let mut out = Vec::new();
        let mut failed = false;
        for piece in data.chunks(cut) {
            match r.decrypt(piece, &mut out) {
                Ok(()) => prop_assert!(r.buffered_len() < 22),
                Err(e) => {
                    prop_assert_eq!(e, NoiseError::TransportDecrypt);
                    failed = true;
                    break;
                }
            }
        }
        prop_assert!(out.is_empty());
        prop_assert_eq!(failed, data.len() >= 22);
        if failed {
            prop_assert_eq!(r.decrypt(&[0], &mut out), Err(NoiseError::Closed));
        }
    }

    /// Genuine frames cut at arbitrary points come out whole and in order.
    #[test]
    fn transport_reassembles_any_chunking(lens in proptest::collection::vec(0usize..70_000, 1..4), cut in 1usize..100_000) {
        let (mut i, mut r) = transports();
        let mut wire = Vec::new();
        let mut expected = Vec::new();
        for len in lens {
            let mut frame = vec![0, 0, 0x1a];
            frame.extend_from_slice(&(len as u32).to_le_bytes()[..3]);
            frame.extend((0..len).map(|k| k as u8));
            i.encrypt_frame(&frame, &mut wire).unwrap();
            expected.extend_from_slice(&frame);
        }
        let mut out = Vec::new();
        for piece in wire.chunks(cut) {
            r.decrypt(piece, &mut out).unwrap();
        }
        prop_assert_eq!(out, expected);
        prop_assert_eq!(r.buffered_len(), 0);
    }
}
