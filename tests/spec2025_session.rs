//! Sessions over the spec-2025 security layer (issue 20, sv2-spec 0f38d51 §4): a `Pair` of
//! sessions runs the `Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256` handshake, then
//! SetupConnection and mining messages over the 22-byte-header chunked transport. The message
//! table is still the 2022 one (the 2025 messages are later work).

use sv2::codec::U256;
use sv2::keys::{CertificateError, SchnorrCertificate, Secp256k1SecretKey};
use sv2::messages::*;
use sv2::noise::{NoiseError, Spec2025InitiatorConfig, Spec2025ResponderConfig};
use sv2::session::pair::Pair;
use sv2::session::*;

const NOW_UNIX: u64 = 1_760_000_000;

fn securities(authority_seed: u8, now_unix: u64) -> (ClientSecurity, ServerSecurity) {
    let authority = Secp256k1SecretKey::generate_seeded([1; 32]);
    let server_key = Secp256k1SecretKey::generate_seeded([2; 32]);
    let certificate = SchnorrCertificate::sign(
        &authority,
        &server_key.x_only_public_key(),
        (NOW_UNIX - 60) as u32,
        (NOW_UNIX + 86_400) as u32,
        &[5; 32],
    );
    let trusted = Secp256k1SecretKey::generate_seeded([authority_seed; 32]).x_only_public_key();
    let mut initiator = Spec2025InitiatorConfig::new(trusted, now_unix);
    initiator.rng_seed = Some([3; 32]);
    let mut responder = Spec2025ResponderConfig::new(server_key, certificate);
    responder.rng_seed = Some([4; 32]);
    (
        ClientSecurity::Spec2025(initiator),
        ServerSecurity::Spec2025(responder),
    )
}

fn mining_pair(client: ClientSecurity, server: ServerSecurity) -> Pair {
    let client = ClientConfig::new(client, Protocol::Mining, 0, "libsv2-test");
    let server = ServerConfig::new(server, vec![ProtocolSupport::mining()]);
    Pair::new(
        Session::client(client, 0).unwrap(),
        Session::server(server, 0).unwrap(),
    )
}

fn setup_complete(events: &[Event]) -> bool {
    events.iter().any(|e| {
        matches!(
            e,
            Event::SetupComplete {
                protocol: Protocol::Mining,
                ..
            }
        )
    })
}

#[test]
fn spec_2025_pair_completes_handshake_and_setup_connection() {
    let (client, server) = securities(1, NOW_UNIX);
    let mut pair = mining_pair(client, server);
    // The client's first bytes are the bare 64-byte `-> e` (no negotiation, no length prefix).
    let mut first = Vec::new();
    pair.client.take_data_to_send(&mut first);
    assert_eq!(first.len(), 64);
    pair.server.receive_data(&first, 0).unwrap();
    let mut second = Vec::new();
    pair.server.take_data_to_send(&mut second);
    assert_eq!(second.len(), 234, "<- e, ee, s, es, SNM");
    pair.client.receive_data(&second, 0).unwrap();
    pair.pump().unwrap();
    assert!(setup_complete(&pair.client_events()));
    assert!(setup_complete(&pair.server_events()));
    assert!(pair.client.is_ready() && pair.server.is_ready());

    let open = Message::from(OpenStandardMiningChannel {
        request_id: 1,
        user_identity: "alice".into(),
        nominal_hash_rate: 1e12,
        max_target: U256::MAX,
    });
    pair.client.send(&open, 0).unwrap();
    pair.pump().unwrap();
    assert_eq!(pair.server_events(), vec![Event::Message(open)]);
}

#[test]
fn spec_2025_pair_carries_frames_in_one_byte_pieces() {
    let (client, server) = securities(1, NOW_UNIX);
    let mut pair = mining_pair(client, server);
    pair.chunk = Some(1);
    pair.pump().unwrap();
    assert!(setup_complete(&pair.client_events()));
    assert!(pair.server.is_ready());
}

#[test]
fn spec_2025_pair_refuses_a_certificate_from_another_authority_r24() {
    let (client, server) = securities(9, NOW_UNIX);
    let mut pair = mining_pair(client, server);
    let error = pair.pump().unwrap_err();
    assert_eq!(
        error,
        SessionError::Noise(NoiseError::Certificate(CertificateError::BadSignature))
    );
    assert!(pair.client.is_closed());
}

#[test]
fn spec_2025_pair_refuses_an_expired_certificate_r25() {
    let (client, server) = securities(1, NOW_UNIX + 86_401);
    let mut pair = mining_pair(client, server);
    assert!(matches!(
        pair.pump().unwrap_err(),
        SessionError::Noise(NoiseError::Certificate(CertificateError::Expired { .. }))
    ));
}

#[test]
fn spec_2025_handshake_complete_event_reports_chachapoly_without_negotiation() {
    let (client, server) = securities(1, NOW_UNIX);
    let mut pair = mining_pair(client, server);
    pair.pump().unwrap();
    for events in [pair.client_events(), pair.server_events()] {
        assert_eq!(
            events.first(),
            Some(&Event::HandshakeComplete {
                cipher: sv2::noise::Cipher::ChaChaPoly,
                form: sv2::noise::NegotiationForm::None,
            })
        );
    }
}

#[test]
fn spec_2025_oversized_frame_closes_at_its_header_not_at_the_buffer_limit() {
    let (client, server) = securities(1, NOW_UNIX);
    let client = ClientConfig::new(client, Protocol::Mining, 0, "libsv2-test");
    let mut server = ServerConfig::new(server, vec![ProtocolSupport::mining()]);
    server.limits.max_frame_payload = 100;
    let mut pair = Pair::new(
        Session::client(client, 0).unwrap(),
        Session::server(server, 0).unwrap(),
    );
    pair.pump().unwrap();
    assert!(pair.server.is_ready());
    let open = Message::from(OpenStandardMiningChannel {
        request_id: 1,
        user_identity: "x".repeat(200).as_str().into(),
        nominal_hash_rate: 1e12,
        max_target: U256::MAX,
    });
    pair.client.send(&open, 0).unwrap();
    let mut wire = Vec::new();
    pair.client.take_data_to_send(&mut wire);
    // The 22-byte encrypted header alone is enough to refuse it.
    assert!(matches!(
        pair.server.receive_data(&wire[..22], 0),
        Err(SessionError::Noise(NoiseError::FrameTooLarge {
            max: 100,
            ..
        }))
    ));
    assert!(pair.server.is_closed());
}
