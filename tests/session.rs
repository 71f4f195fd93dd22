//! Sessions end to end over the in-memory `Pair` harness: plaintext and both Noise profiles,
//! setup errors, extensions, limits, timeouts and hostile input (CHECKLIST C.1, C.2, A.3.4).

use sv2::codec::{FrameHeader, RawFrame, U256};
use sv2::keys::{AuthoritySecretKey, Certificate, StaticSecretKey};
use sv2::messages::*;
use sv2::noise::{Cipher, InitiatorConfig, NoiseProfile, ResponderConfig};
use sv2::session::pair::Pair;
use sv2::session::*;

const NOW_UNIX: u64 = 1_700_000_000;

fn noise_configs(profile: NoiseProfile, cipher: Cipher) -> (ClientSecurity, ServerSecurity) {
    let authority = AuthoritySecretKey::generate_seeded([1; 32]);
    let server_key = StaticSecretKey::generate_seeded([2; 32]);
    let certificate = Certificate::sign(&authority, &server_key.public_key(), 0, u32::MAX);
    let mut initiator = InitiatorConfig::new(authority.public_key(), NOW_UNIX);
    initiator.profile = Some(profile);
    initiator.ciphers = Some(vec![cipher]);
    initiator.rng_seed = Some([3; 32]);
    let mut responder = ResponderConfig::new(server_key, certificate);
    responder.rng_seed = Some([4; 32]);
    (
        ClientSecurity::Noise(initiator),
        ServerSecurity::Noise(responder),
    )
}

fn pair_with(client: ClientConfig, server: ServerConfig) -> Pair {
    Pair::new(
        Session::client(client, 0).unwrap(),
        Session::server(server, 0).unwrap(),
    )
}

fn mining_pair(client_security: ClientSecurity, server_security: ServerSecurity) -> Pair {
    let client = ClientConfig::new(client_security, Protocol::Mining, 0, "libsv2-test");
    let server = ServerConfig::new(server_security, vec![ProtocolSupport::mining()]);
    pair_with(client, server)
}

fn open_channel() -> Message {
    Message::from(OpenStandardMiningChannel {
        request_id: 1,
        user_identity: "alice".into(),
        nominal_hash_rate: 1e12,
        max_target: U256::MAX,
    })
}

fn open_success(channel_id: u32) -> Message {
    Message::from(OpenStandardMiningChannelSuccess {
        request_id: 1,
        channel_id,
        target: U256::MAX,
        extranonce_prefix: Default::default(),
        group_channel_id: 0,
    })
}

fn closed_reason(events: &[Event]) -> Option<&CloseReason> {
    events.iter().find_map(|e| match e {
        Event::Closed(reason) => Some(reason),
        _ => None,
    })
}

/// Sets up, opens a channel and exchanges a share and its acknowledgement.
fn exercise(pair: &mut Pair) {
    pair.pump().unwrap();
    let client_events = pair.client_events();
    let server_events = pair.server_events();
    assert!(
        client_events.iter().any(|e| matches!(
            e,
            Event::SetupComplete {
                protocol: Protocol::Mining,
                version: 2,
                ..
            }
        )),
        "{client_events:?}"
    );
    assert!(
        server_events.iter().any(|e| matches!(
            e,
            Event::SetupComplete {
                protocol: Protocol::Mining,
                ..
            }
        )),
        "{server_events:?}"
    );
    assert!(pair.client.is_ready() && pair.server.is_ready());

    pair.client.send(&open_channel(), 0).unwrap();
    pair.pump().unwrap();
    assert_eq!(pair.server_events(), vec![Event::Message(open_channel())]);
    pair.server.send(&open_success(7), 0).unwrap();
    pair.pump().unwrap();
    assert_eq!(pair.client_events(), vec![Event::Message(open_success(7))]);
    let share = Message::SubmitSharesStandard(SubmitSharesStandard {
        channel_id: 7,
        sequence_number: 0,
        job_id: 1,
        nonce: 2,
        ntime: 3,
        version: 4,
    });
    pair.client.send(&share, 0).unwrap();
    pair.pump().unwrap();
    assert_eq!(pair.server_events(), vec![Event::Message(share)]);
    assert_eq!(pair.server.open_channels(), 1);
}

#[test]
fn plaintext_end_to_end() {
    let mut pair = mining_pair(ClientSecurity::Plaintext, ServerSecurity::Plaintext);
    exercise(&mut pair);
}

#[test]
fn noise_end_to_end_every_profile_and_cipher() {
    // R17: the handshake completes before any Stratum message; R19, R21
    for profile in [NoiseProfile::Sri2023, NoiseProfile::Braiins2021] {
        for cipher in Cipher::ALL {
            for chunk in [None, Some(1), Some(7)] {
                let (c, s) = noise_configs(profile, cipher);
                let mut pair = mining_pair(c, s);
                pair.chunk = chunk;
                pair.pump().unwrap();
                let first = pair.client.next_event();
                assert!(
                    matches!(first, Some(Event::HandshakeComplete { cipher: c, .. }) if c == cipher),
                    "{first:?}"
                );
                exercise(&mut pair);
            }
        }
    }
}

#[test]
fn wrong_protocol_is_refused_and_closed() {
    // R34, R32
    let client = ClientConfig::new(
        ClientSecurity::Plaintext,
        Protocol::TemplateDistribution,
        0,
        "t",
    );
    let server = ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]);
    let mut pair = pair_with(client, server);
    pair.pump().unwrap();
    let expected = CloseReason::SetupRejected {
        flags: 0,
        error_code: "unsupported-protocol".into(),
    };
    assert_eq!(closed_reason(&pair.client_events()), Some(&expected));
    assert_eq!(closed_reason(&pair.server_events()), Some(&expected));
    assert!(pair.client.is_closed() && pair.server.is_closed());
}

#[test]
fn version_mismatch_is_refused() {
    // R33
    let mut client = ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0, "t");
    client.setup.min_version = 3;
    client.setup.max_version = 4;
    let mut pair = pair_with(
        client,
        ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]),
    );
    pair.pump().unwrap();
    let expected = CloseReason::SetupRejected {
        flags: 0,
        error_code: "protocol-version-mismatch".into(),
    };
    assert_eq!(closed_reason(&pair.client_events()), Some(&expected));
}

#[test]
fn unsupported_flags_error_carries_exactly_the_unsupported_set() {
    // R38, R40: probe with every flag set
    let client = ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0b111, "t");
    let support = ProtocolSupport {
        protocol: Protocol::Mining,
        supported_flags: 0b001,
        success_flags: 0,
    };
    let mut pair = pair_with(
        client,
        ServerConfig::new(ServerSecurity::Plaintext, vec![support]),
    );
    pair.pump().unwrap();
    let expected = CloseReason::SetupRejected {
        flags: 0b110,
        error_code: "unsupported-feature-flags".into(),
    };
    assert_eq!(closed_reason(&pair.client_events()), Some(&expected));
}

#[test]
fn version_rolling_client_is_never_told_fixed_version() {
    // R41: REQUIRES_VERSION_ROLLING (bit 2) against a server requiring a fixed version
    let client = ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0b100, "t");
    let support = ProtocolSupport {
        protocol: Protocol::Mining,
        supported_flags: 0b111,
        success_flags: 0b01,
    };
    let mut pair = pair_with(
        client,
        ServerConfig::new(ServerSecurity::Plaintext, vec![support]),
    );
    pair.pump().unwrap();
    let expected = CloseReason::SetupRejected {
        flags: 0b100,
        error_code: "unsupported-feature-flags".into(),
    };
    assert_eq!(closed_reason(&pair.client_events()), Some(&expected));
}

#[test]
fn success_flags_reach_the_client() {
    // R37: the client is told the Success flags (e.g. REQUIRES_EXTENDED_CHANNELS)
    let client = ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0b001, "t");
    let support = ProtocolSupport {
        protocol: Protocol::Mining,
        supported_flags: 0b111,
        success_flags: 0b10,
    };
    let mut pair = pair_with(
        client,
        ServerConfig::new(ServerSecurity::Plaintext, vec![support]),
    );
    pair.pump().unwrap();
    let events = pair.client_events();
    assert!(
        matches!(
            &events[0],
            Event::SetupComplete {
                requested_flags: 0b001,
                success_flags: 0b10,
                ..
            }
        ),
        "{events:?}"
    );
}

#[test]
fn setup_policy_hook_sees_the_device_and_can_refuse() {
    // R36: vendor must be set; the policy decides on vendor/hardware/firmware/device_id
    let mut server = ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]);
    server.setup_policy = Some(SetupPolicy::new(|setup| {
        if setup.vendor.is_empty() {
            Err("vendor-required".to_string())
        } else {
            Ok(())
        }
    }));
    let mut pair = pair_with(
        ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0, ""),
        server.clone(),
    );
    pair.pump().unwrap();
    let expected = CloseReason::SetupRejected {
        flags: 0,
        error_code: "vendor-required".into(),
    };
    assert_eq!(closed_reason(&pair.client_events()), Some(&expected));
    let mut pair = pair_with(
        ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0, "acme"),
        server,
    );
    pair.pump().unwrap();
    assert!(pair.client.is_ready());
}

fn frame(message: &Message) -> Vec<u8> {
    let mut out = Vec::new();
    message.encode_frame(Dialect::default(), &mut out).unwrap();
    out
}

fn plaintext_server() -> Session {
    Session::server(
        ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]),
        0,
    )
    .unwrap()
}

fn setup_frame() -> Vec<u8> {
    frame(&Message::from(
        ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0, "t").setup,
    ))
}

#[test]
fn message_before_setup_closes() {
    // R30, R154
    let mut server = plaintext_server();
    let result = server.receive_data(&frame(&open_channel()), 0);
    assert!(matches!(
        result,
        Err(SessionError::Protocol(
            ProtocolViolation::FirstMessageNotSetup(MessageKind::OpenStandardMiningChannel)
        ))
    ));
    assert!(server.is_closed());
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert!(matches!(
        closed_reason(&events),
        Some(CloseReason::Error(SessionError::Protocol(_)))
    ));
    assert_eq!(server.receive_data(&[0], 0), Err(SessionError::Closed));
}

#[test]
fn second_setup_connection_closes() {
    // R154
    let mut server = plaintext_server();
    server.receive_data(&setup_frame(), 0).unwrap();
    assert!(server.is_ready());
    server.receive_data(&setup_frame(), 0).unwrap();
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert_eq!(
        closed_reason(&events),
        Some(&CloseReason::Error(SessionError::Protocol(
            ProtocolViolation::SecondSetup
        )))
    );
}

#[test]
fn wrong_protocol_and_direction_after_setup_close() {
    // R35
    let mut server = plaintext_server();
    server.receive_data(&setup_frame(), 0).unwrap();
    server
        .receive_data(
            &frame(&Message::CoinbaseOutputDataSize(CoinbaseOutputDataSize {
                coinbase_output_max_additional_size: 1,
            })),
            0,
        )
        .unwrap();
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert!(
        matches!(
            closed_reason(&events),
            Some(CloseReason::Error(SessionError::Protocol(
                ProtocolViolation::WrongProtocol { .. }
            )))
        ),
        "{events:?}"
    );
    let mut server = plaintext_server();
    server.receive_data(&setup_frame(), 0).unwrap();
    server.receive_data(&frame(&open_success(1)), 0).unwrap();
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert!(
        matches!(
            closed_reason(&events),
            Some(CloseReason::Error(SessionError::Protocol(
                ProtocolViolation::WrongDirection(_)
            )))
        ),
        "{events:?}"
    );
    // and the application cannot send the wrong way either
    let mut server = plaintext_server();
    server.receive_data(&setup_frame(), 0).unwrap();
    assert_eq!(
        server.send(&open_channel(), 0),
        Err(SessionError::NotSendable(
            MessageKind::OpenStandardMiningChannel
        ))
    );
    assert!(
        server.is_ready(),
        "a refused send leaves the session usable"
    );
}

#[test]
fn garbage_after_the_handshake_closes() {
    // R26: any AEAD failure ends the session
    let (c, s) = noise_configs(NoiseProfile::Sri2023, Cipher::ChaChaPoly);
    let mut pair = mining_pair(c, s);
    pair.pump().unwrap();
    pair.client_events();
    pair.server_events();
    let garbage = [0x20, 0x00]
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0xab, 32))
        .collect::<Vec<u8>>();
    assert!(pair.server.receive_data(&garbage, 0).is_err());
    let events = pair.server_events();
    assert!(
        matches!(
            closed_reason(&events),
            Some(CloseReason::Error(SessionError::Noise(_)))
        ),
        "{events:?}"
    );
}

#[test]
fn peer_stopping_mid_frame_is_an_error_and_complete_frames_are_kept() {
    let mut server = plaintext_server();
    server.receive_data(&setup_frame(), 0).unwrap();
    let share = frame(&Message::SubmitSharesStandard(
        SubmitSharesStandard::default(),
    ));
    let mut bytes = share.clone();
    bytes.extend_from_slice(&share[..10]);
    server.receive_data(&bytes, 0).unwrap();
    server.peer_closed();
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert!(
        matches!(events[1], Event::Message(Message::SubmitSharesStandard(_))),
        "{events:?}"
    );
    assert_eq!(
        closed_reason(&events),
        Some(&CloseReason::Error(SessionError::PeerClosedMidFrame {
            buffered: 10
        }))
    );
    // at a frame boundary the close is clean
    let mut server = plaintext_server();
    server.receive_data(&setup_frame(), 0).unwrap();
    server.peer_closed();
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert_eq!(closed_reason(&events), Some(&CloseReason::PeerClosed));
}

#[test]
fn timeouts_close_the_session() {
    let (c, s) = noise_configs(NoiseProfile::Sri2023, Cipher::AesGcm);
    let mut server =
        Session::server(ServerConfig::new(s, vec![ProtocolSupport::mining()]), 0).unwrap();
    assert_eq!(server.poll_timeout(), Some(10_000));
    server.handle_timeout(9_999);
    assert!(!server.is_closed());
    server.handle_timeout(10_000);
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert_eq!(
        closed_reason(&events),
        Some(&CloseReason::Error(SessionError::Timeout(
            TimeoutKind::Handshake
        )))
    );
    let _ = c;
    // setup timeout in plaintext, idle timeout once ready
    let mut server = plaintext_server();
    server.handle_timeout(10_000);
    assert!(server.is_closed());
    let mut config = ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]);
    config.timeouts.idle_ms = Some(60_000);
    config.timeouts.open_channel_ms = None;
    let mut server = Session::server(config, 0).unwrap();
    server.receive_data(&setup_frame(), 5).unwrap();
    assert_eq!(server.poll_timeout(), Some(60_005));
    server.handle_timeout(60_005);
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert_eq!(
        closed_reason(&events),
        Some(&CloseReason::Error(SessionError::Timeout(
            TimeoutKind::Idle
        )))
    );
}

#[test]
fn a_mining_client_that_opens_no_channel_is_closed() {
    // R55: after SetupConnection.Success the server waits open_channel_ms (60 s by default)
    // for the first OpenStandardMiningChannel / OpenExtendedMiningChannel, then closes.
    let mut server = plaintext_server();
    server.receive_data(&setup_frame(), 7).unwrap();
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert!(
        matches!(events[..], [Event::SetupComplete { .. }]),
        "{events:?}"
    );
    assert_eq!(server.poll_timeout(), Some(60_007));
    server.handle_timeout(60_006);
    assert!(server.is_ready());
    server.handle_timeout(60_007);
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert_eq!(
        closed_reason(&events),
        Some(&CloseReason::Error(SessionError::Timeout(
            TimeoutKind::OpenChannel
        )))
    );

    // Asking for a channel stops the timer, whatever the answer; idle (off here) is the only
    // timer left.
    let mut server = plaintext_server();
    server.receive_data(&setup_frame(), 0).unwrap();
    server
        .receive_data(&frame(&open_channel()), 59_999)
        .unwrap();
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert!(
        matches!(events.last(), Some(Event::Message(_))),
        "{events:?}"
    );
    assert_eq!(server.poll_timeout(), None);
    server.handle_timeout(1_000_000);
    assert!(server.is_ready());

    // With an idle timer too, the earlier of the two is the deadline.
    let mut config = ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]);
    config.timeouts.idle_ms = Some(5_000);
    config.timeouts.open_channel_ms = Some(20_000);
    let mut server = Session::server(config, 0).unwrap();
    server.receive_data(&setup_frame(), 0).unwrap();
    let _: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert_eq!(server.poll_timeout(), Some(5_000));
    server.handle_timeout(5_000);
    assert!(server.is_closed());

    // Disabled, or a protocol without channels: no such timer.
    let mut config = ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]);
    config.timeouts.open_channel_ms = None;
    let mut server = Session::server(config, 0).unwrap();
    server.receive_data(&setup_frame(), 0).unwrap();
    let _: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert_eq!(server.poll_timeout(), None);
    let client = ClientConfig::new(
        ClientSecurity::Plaintext,
        Protocol::TemplateDistribution,
        0,
        "t",
    );
    let tdp = ProtocolSupport {
        protocol: Protocol::TemplateDistribution,
        supported_flags: 0,
        success_flags: 0,
    };
    let mut pair = pair_with(
        client,
        ServerConfig::new(ServerSecurity::Plaintext, vec![tdp]),
    );
    pair.pump().unwrap();
    assert!(pair.server.is_ready());
    assert_eq!(pair.server.poll_timeout(), None);
    // The client side never has it.
    let mut pair = mining_pair(ClientSecurity::Plaintext, ServerSecurity::Plaintext);
    pair.pump().unwrap();
    assert!(pair.client.is_ready());
    assert_eq!(pair.client.poll_timeout(), None);
}

#[test]
fn unknown_extensions_are_forwarded_or_discarded() {
    // R48, R50
    let mut server = plaintext_server();
    server.receive_data(&setup_frame(), 0).unwrap();
    let channel_frame = RawFrame {
        header: FrameHeader::new(0x4001, true, 3, 5),
        payload: vec![7, 0, 0, 0, 9],
    };
    let local_frame = RawFrame {
        header: FrameHeader::new(0x4001, false, 3, 1),
        payload: vec![1],
    };
    let mut bytes = Vec::new();
    channel_frame.write_to(&mut bytes);
    local_frame.write_to(&mut bytes);
    server.receive_data(&bytes, 0).unwrap();
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert_eq!(events.last(), Some(&Event::Forward(channel_frame.clone())));
    assert_eq!(server.discarded_frames(), 1);
    assert!(server.is_ready());
    // a proxy forwards it untouched
    let mut pair = mining_pair(ClientSecurity::Plaintext, ServerSecurity::Plaintext);
    pair.pump().unwrap();
    pair.server.send_raw(&channel_frame, 0).unwrap();
    pair.pump().unwrap();
    let events = pair.client_events();
    assert_eq!(events.last(), Some(&Event::Forward(channel_frame)));
}

#[test]
fn oversized_frame_closes_before_buffering() {
    let mut config = ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]);
    config.limits.max_frame_payload = 1000;
    let mut server = Session::server(config, 0).unwrap();
    server.receive_data(&setup_frame(), 0).unwrap();
    server
        .receive_data(&[0, 0, 0x71, 0xff, 0xff, 0x00], 0)
        .unwrap();
    let events: Vec<_> = std::iter::from_fn(|| server.next_event()).collect();
    assert!(
        matches!(
            closed_reason(&events),
            Some(CloseReason::Error(SessionError::Frame(_)))
        ),
        "{events:?}"
    );
}

#[test]
fn buffers_are_bounded_and_refusals_lose_nothing() {
    let mut config = ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]);
    config.limits.max_buffered_input = 200;
    config.limits.max_buffered_output = 100;
    let mut server = Session::server(config, 0).unwrap();
    server.receive_data(&setup_frame(), 0).unwrap();
    assert_eq!(
        server
            .next_event()
            .map(|e| matches!(e, Event::SetupComplete { .. })),
        Some(true)
    );
    let share = frame(&Message::SubmitSharesStandard(
        SubmitSharesStandard::default(),
    ));
    let mut accepted = 0;
    loop {
        match server.receive_data(&share, 0) {
            Ok(()) => accepted += 1,
            Err(SessionError::InputBufferFull { .. }) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(accepted, 200 / share.len());
    let drained = std::iter::from_fn(|| server.next_event()).count();
    assert_eq!(drained, accepted);
    server.receive_data(&share, 0).unwrap();
    // output: a refused send queues nothing and the session stays usable
    let ok = Message::SubmitSharesSuccess(SubmitSharesSuccess::default());
    let mut queued = 0;
    let mut out = Vec::new();
    server.take_data_to_send(&mut out);
    while server.send(&ok, 0).is_ok() {
        queued += 1;
    }
    assert!(matches!(
        server.send(&ok, 0),
        Err(SessionError::OutputBufferFull { .. })
    ));
    out.clear();
    server.take_data_to_send(&mut out);
    assert_eq!(out.len(), queued * frame(&ok).len());
    server.send(&ok, 0).unwrap();
}

#[test]
fn channel_limit() {
    let mut config = ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]);
    config.limits.max_channels = 1;
    let mut pair = pair_with(
        ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0, "t"),
        config,
    );
    pair.pump().unwrap();
    pair.server.send(&open_success(1), 0).unwrap();
    assert_eq!(
        pair.server.send(&open_success(2), 0),
        Err(SessionError::TooManyChannels { max: 1 })
    );
    pair.server
        .send(
            &Message::CloseChannel(CloseChannel {
                channel_id: 1,
                reason_code: "bye".into(),
            }),
            0,
        )
        .unwrap();
    pair.server.send(&open_success(2), 0).unwrap();
    assert_eq!(pair.server.open_channels(), 1);
}

#[test]
fn many_frames_make_one_contiguous_write() {
    let (c, s) = noise_configs(NoiseProfile::Sri2023, Cipher::ChaChaPoly);
    let mut pair = mining_pair(c, s);
    pair.pump().unwrap();
    pair.client_events();
    pair.server_events();
    for seq in 0..100 {
        let share = Message::SubmitSharesStandard(SubmitSharesStandard {
            sequence_number: seq,
            ..Default::default()
        });
        pair.client.send(&share, 0).unwrap();
    }
    let mut write = Vec::new();
    pair.client.take_data_to_send(&mut write);
    assert!(!pair.client.wants_write());
    pair.server.receive_data(&write, 0).unwrap();
    let events = pair.server_events();
    assert_eq!(events.len(), 100);
    assert!(
        matches!(&events[99], Event::Message(Message::SubmitSharesStandard(s)) if s.sequence_number == 99)
    );
}

#[test]
fn data_to_send_copies_in_pieces() {
    let mut pair = mining_pair(ClientSecurity::Plaintext, ServerSecurity::Plaintext);
    let mut all = Vec::new();
    let mut buf = [0u8; 5];
    loop {
        let n = pair.client.data_to_send(&mut buf);
        if n == 0 {
            break;
        }
        all.extend_from_slice(&buf[..n]);
    }
    assert_eq!(all, setup_frame_with_vendor("libsv2-test"));
}

fn setup_frame_with_vendor(vendor: &str) -> Vec<u8> {
    frame(&Message::from(
        ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0, vendor).setup,
    ))
}

#[test]
fn send_before_setup_is_a_usage_error() {
    let mut server = plaintext_server();
    assert!(matches!(
        server.send(&open_success(1), 0),
        Err(SessionError::WrongState(_))
    ));
    assert!(!server.is_closed());
}

#[test]
fn braiins_dialect_session() {
    // braiins-2021 wire dialect end to end (STR2 Noise and the braiins message layouts)
    let (c, s) = noise_configs(NoiseProfile::Braiins2021, Cipher::AesGcm);
    let mut client = ClientConfig::new(c, Protocol::Mining, 0, "t");
    client.dialect = &BRAIINS_2021;
    let mut server = ServerConfig::new(s, vec![ProtocolSupport::mining()]);
    server.dialect = &BRAIINS_2021;
    let mut pair = pair_with(client, server);
    exercise(&mut pair);
}

/// Noise security with default profiles (both sides follow their session's dialect).
fn noise_configs_following_dialect() -> (ClientSecurity, ServerSecurity) {
    let authority = AuthoritySecretKey::generate_seeded([1; 32]);
    let server_key = StaticSecretKey::generate_seeded([2; 32]);
    let certificate = Certificate::sign(&authority, &server_key.public_key(), 0, u32::MAX);
    let mut initiator = InitiatorConfig::new(authority.public_key(), NOW_UNIX);
    initiator.rng_seed = Some([3; 32]);
    let mut responder = ResponderConfig::new(server_key, certificate);
    responder.rng_seed = Some([4; 32]);
    (
        ClientSecurity::Noise(initiator),
        ServerSecurity::Noise(responder),
    )
}

/// Issue 13 item 2 (E7): the dialect alone selects the Noise negotiation. A braiins-2021 client
/// offers STR2 (the first bytes on the wire are `len ‖ "STR2"`), the spec and sri-2023 ones
/// STR3; an explicit profile still overrides the dialect.
#[test]
fn e7_dialect_selects_noise_negotiation() {
    for (dialect, override_profile, magic) in [
        ("braiins-2021", None, b"STR2"),
        ("spec", None, b"STR3"),
        ("sri-2023", None, b"STR3"),
        ("braiins-2021", Some(NoiseProfile::Sri2023), b"STR3"),
        ("spec", Some(NoiseProfile::Braiins2021), b"STR2"),
    ] {
        let (mut security, _) = noise_configs_following_dialect();
        if let ClientSecurity::Noise(n) = &mut security {
            n.profile = override_profile;
        }
        let mut config = ClientConfig::new(security, Protocol::Mining, 0, "t");
        config.dialect = Dialect::by_name(dialect).unwrap();
        let mut session = Session::client(config, 0).unwrap();
        let mut out = Vec::new();
        session.take_data_to_send(&mut out);
        assert_eq!(&out[2..6], magic, "{dialect} {override_profile:?}");
    }
}

/// Issue 13 item 2 / profile braiins-2021 "responder_choice": a libsv2 server of the
/// braiins-2021 dialect prefers AESGCM as Braiins does; a spec server prefers ChaChaPoly.
#[test]
fn e7_server_dialect_selects_cipher_preference() {
    for (dialect, cipher) in [
        ("braiins-2021", Cipher::AesGcm),
        ("spec", Cipher::ChaChaPoly),
    ] {
        let (client_security, server_security) = noise_configs_following_dialect();
        let mut client = ClientConfig::new(client_security, Protocol::Mining, 0, "t");
        client.dialect = Dialect::by_name(dialect).unwrap();
        let mut server = ServerConfig::new(server_security, vec![ProtocolSupport::mining()]);
        server.dialect = Dialect::by_name(dialect).unwrap();
        let mut pair = pair_with(client, server);
        pair.pump().unwrap();
        assert!(
            pair.client_events().iter().any(|e| matches!(
                e,
                Event::HandshakeComplete { cipher: c, .. } if *c == cipher
            )),
            "{dialect}"
        );
    }
}

/// Issue 13 item 2: a spec-dialect client talking to a Braiins 2021 server (the server's
/// exact STR2 reply) closes with an error that names the dialect to configure.
#[test]
fn e7_client_of_wrong_dialect_is_told_the_servers() {
    let (security, _) = noise_configs_following_dialect();
    let config = ClientConfig::new(security, Protocol::Mining, 0, "t");
    let mut session = Session::client(config, 0).unwrap();
    let err = session
        .receive_data(&hex::decode("0900535452320141455347").unwrap(), 1)
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "answered with the braiins-2021 negotiation (STR2); configure dialect braiins-2021"
        ),
        "{err}"
    );
}

/// Issue 14: a plaintext client reaching a Noise pool. The pool's error says that it speaks
/// Noise and the client is plaintext (it said "Noise message with length prefix 0"); the
/// client, whose socket the pool then closes, ends before setup.
#[test]
fn plaintext_client_on_a_noise_server_is_told_so() {
    for profile in [NoiseProfile::Sri2023, NoiseProfile::Braiins2021] {
        let (_, noise_server) = noise_configs(profile, Cipher::ChaChaPoly);
        let mut pair = mining_pair(ClientSecurity::Plaintext, noise_server);
        let err = pair.pump().unwrap_err();
        assert_eq!(
            err,
            SessionError::Noise(sv2::noise::NoiseError::PlaintextPeer)
        );
        let text = err.to_string();
        assert!(
            text.contains("server speaks Noise and the client is plaintext"),
            "{text}"
        );
        assert!(!text.contains("length prefix 0"), "{text}");
        let events = pair.server_events();
        assert_eq!(closed_reason(&events), Some(&CloseReason::Error(err)));
        // The client only sees the pool hang up; its error suggests the Noise URL.
        pair.client.peer_closed();
        let events = pair.client_events();
        let Some(CloseReason::Error(err @ SessionError::PeerClosedBeforeSetup { .. })) =
            closed_reason(&events)
        else {
            panic!("{events:?}");
        };
        let text = err.to_string();
        assert!(
            text.contains("this client is plaintext: if the server speaks Noise"),
            "{text}"
        );
    }
}

/// Issue 14, the reverse: a Noise client reaching a plaintext pool. The pool says that the
/// client started a Noise handshake (it said "frame payload of 3363412 bytes exceeds the
/// configured maximum"), whatever the negotiation form, and closes at once instead of waiting
/// for a frame that never comes (R30: the first message must be SetupConnection).
#[test]
fn noise_client_on_a_plaintext_server_is_told_so() {
    let forms = [
        (NoiseProfile::Sri2023, true),      // STR3
        (NoiseProfile::Braiins2021, true),  // STR2
        (NoiseProfile::Braiins2021, false), // no negotiation: `-> e` first
    ];
    for (profile, negotiate) in forms {
        let (mut noise_client, _) = noise_configs(profile, Cipher::ChaChaPoly);
        if let ClientSecurity::Noise(initiator) = &mut noise_client {
            initiator.negotiate = negotiate;
        }
        let mut pair = mining_pair(noise_client, ServerSecurity::Plaintext);
        let err = pair.pump().unwrap_err();
        assert_eq!(
            err,
            SessionError::Protocol(ProtocolViolation::NoiseHandshakeOnPlaintext),
            "{profile:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("client started a Noise handshake, but this server is plaintext"),
            "{text}"
        );
        let events = pair.server_events();
        assert_eq!(closed_reason(&events), Some(&CloseReason::Error(err)));
        // The client sees the pool hang up during its handshake; its error suggests plaintext.
        pair.client.peer_closed();
        let events = pair.client_events();
        let Some(CloseReason::Error(err @ SessionError::PeerClosedBeforeSetup { .. })) =
            closed_reason(&events)
        else {
            panic!("{events:?}");
        };
        let text = err.to_string();
        assert!(
            text.contains("during the Noise handshake: if the server is plaintext"),
            "{text}"
        );
    }
    // A plaintext client's SetupConnection still works on that server, in one-byte pieces.
    let mut server = plaintext_server();
    for byte in setup_frame() {
        server.receive_data(&[byte], 0).unwrap();
    }
}
