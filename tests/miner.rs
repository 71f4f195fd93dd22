//! The composed Miner (session + mining client) against a scripted server session, plaintext
//! and Noise: setup, channel opening, work, a real CPU-mined share accepted, and a Reconnect
//! that re-runs the handshake under the same authority key and re-opens the channel (R116,
//! R119).

use sv2::codec::U256;
use sv2::keys::{AuthoritySecretKey, Certificate, StaticSecretKey};
use sv2::messages::*;
use sv2::mining::client::{ClientConfig as MiningClientConfig, ClientEvent};
use sv2::mining::miner::{ChannelRequest, Miner, MinerConfig, MinerEvent};
use sv2::noise::{InitiatorConfig, ResponderConfig};
use sv2::session::*;

fn security(noise: bool, server_seed: u8) -> (ClientSecurity, ServerSecurity) {
    if !noise {
        return (ClientSecurity::Plaintext, ServerSecurity::Plaintext);
    }
    let authority = AuthoritySecretKey::generate_seeded([1; 32]);
    let server_key = StaticSecretKey::generate_seeded([server_seed; 32]);
    let certificate = Certificate::sign(&authority, &server_key.public_key(), 0, u32::MAX);
    (
        ClientSecurity::Noise(InitiatorConfig::new(authority.public_key(), 1_700_000_000)),
        ServerSecurity::Noise(ResponderConfig::new(server_key, certificate)),
    )
}

fn server(security: ServerSecurity) -> Session {
    Session::server(
        ServerConfig::new(security, vec![ProtocolSupport::mining()]),
        0,
    )
    .unwrap()
}

/// Moves bytes until both sides are quiet; returns the server's events.
fn pump(miner: &mut Miner, server: &mut Session, now: u64) -> Vec<Event> {
    let mut server_events = Vec::new();
    for _ in 0..100 {
        let mut to_server = Vec::new();
        miner.take_data_to_send(&mut to_server);
        let mut to_miner = Vec::new();
        server.take_data_to_send(&mut to_miner);
        if to_server.is_empty() && to_miner.is_empty() {
            break;
        }
        if !to_server.is_empty() {
            server.receive_data(&to_server, now).unwrap();
        }
        if !to_miner.is_empty() {
            miner.receive_data(&to_miner, now).unwrap();
        }
        server_events.extend(std::iter::from_fn(|| server.next_event()));
    }
    server_events
}

fn miner_events(miner: &mut Miner) -> Vec<MinerEvent> {
    std::iter::from_fn(|| miner.next_event()).collect()
}

fn run(noise: bool) {
    let (client_security, server_security) = security(noise, 2);
    let session = ClientConfig::new(
        client_security.clone(),
        Protocol::Mining,
        0,
        "libsv2-miner-test",
    );
    let config = MinerConfig {
        session,
        client: MiningClientConfig::default(),
        channels: vec![ChannelRequest::Standard {
            user_identity: "alice".into(),
            nominal_hash_rate: 1e6,
            max_target: U256::MAX,
        }],
    };
    let mut miner = Miner::new(config, 0).unwrap();
    let mut server = server(server_security);
    let mut events = pump(&mut miner, &mut server, 0);
    // The miner's SetupComplete event opens the channel: drain miner events, then pump again.
    let mut seen = miner_events(&mut miner);
    events.extend(pump(&mut miner, &mut server, 1));
    assert!(
        seen.iter()
            .any(|e| matches!(e, MinerEvent::SetupComplete { .. })),
        "{seen:?}"
    );
    let open = events
        .iter()
        .find_map(|e| match e {
            Event::Message(Message::OpenStandardMiningChannel(open)) => Some(open.clone()),
            _ => None,
        })
        .expect("the configured channel is opened after setup");
    // A pool answers: channel, future job, prevhash.
    let target = U256::from_be_bytes({
        let mut t = [0xff; 32];
        t[0] = 0x00; // about 1 share in 256 hashes
        t
    });
    server
        .send(
            &Message::from(OpenStandardMiningChannelSuccess {
                request_id: open.request_id,
                channel_id: 5,
                target,
                extranonce_prefix: Default::default(),
                group_channel_id: 1,
            }),
            2,
        )
        .unwrap();
    server
        .send(
            &Message::NewMiningJob(NewMiningJob {
                channel_id: 5,
                job_id: 1,
                future_job: true,
                version: 0x2000_0000,
                merkle_root: U256([7; 32]),
                min_ntime: None,
            }),
            2,
        )
        .unwrap();
    server
        .send(
            &Message::MiningSetNewPrevHash(MiningSetNewPrevHash {
                channel_id: 5,
                job_id: 1,
                prev_hash: U256([9; 32]),
                min_ntime: 1_700_000_000,
                nbits: 0x207f_ffff,
            }),
            2,
        )
        .unwrap();
    pump(&mut miner, &mut server, 2);
    seen = miner_events(&mut miner);
    let work = seen
        .iter()
        .find_map(|e| match e {
            MinerEvent::Client(ClientEvent::NewWork(work)) => Some(work.clone()),
            _ => None,
        })
        .expect("work after the prevhash");
    assert_eq!(work.channel_id, 5);
    // Mine for real on the CPU.
    let nonce = (0u32..100_000)
        .find(|n| work.meets_target(work.hash_for(*n, work.min_ntime, work.version())))
        .expect("a share");
    let receipt = miner
        .submit_standard(5, work.job_id, nonce, work.min_ntime, work.version(), 3)
        .unwrap();
    let events = pump(&mut miner, &mut server, 3);
    let share = events
        .iter()
        .find_map(|e| match e {
            Event::Message(Message::SubmitSharesStandard(s)) => Some(s.clone()),
            _ => None,
        })
        .expect("share on the wire");
    assert_eq!(
        (share.nonce, share.sequence_number),
        (nonce, receipt.sequence_number)
    );
    server
        .send(
            &Message::SubmitSharesSuccess(SubmitSharesSuccess {
                channel_id: 5,
                last_sequence_number: share.sequence_number,
                new_submits_accepted_count: 1,
                new_shares_sum: 256,
            }),
            4,
        )
        .unwrap();
    pump(&mut miner, &mut server, 10);
    seen = miner_events(&mut miner);
    assert!(
        seen.iter()
            .any(|e| matches!(e, MinerEvent::Client(ClientEvent::ShareAccepted { .. }))),
        "{seen:?}"
    );

    // Reconnect (3.4): the pool moves the miner; the new connection repeats the handshake
    // under the same authority key and the channel is re-opened.
    server
        .send(
            &Message::Reconnect(Reconnect {
                new_host: "pool2.example".into(),
                new_port: 3337,
            }),
            11,
        )
        .unwrap();
    pump(&mut miner, &mut server, 11);
    seen = miner_events(&mut miner);
    assert!(
        seen.iter()
            .any(|e| matches!(e, MinerEvent::Client(ClientEvent::Reconnect { .. }))),
        "{seen:?}"
    );
    let (_, second_security) = security(noise, 3);
    let mut second = self::server(second_security);
    miner.reconnect(20, 1_700_000_100).unwrap();
    let mut events = pump(&mut miner, &mut second, 20);
    miner_events(&mut miner);
    events.extend(pump(&mut miner, &mut second, 21));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Message(Message::OpenStandardMiningChannel(_)))),
        "{events:?}"
    );
    assert!(second.is_ready());
}

#[test]
fn miner_plaintext() {
    run(false);
}

#[test]
fn miner_noise_and_reconnect_with_the_same_authority() {
    run(true);
}

#[test]
fn reconnect_to_a_server_of_another_authority_is_refused() {
    // R119: the new server's certificate must verify under the same authority key.
    let (client_security, _) = security(true, 2);
    let config = MinerConfig {
        session: ClientConfig::new(client_security, Protocol::Mining, 0, "t"),
        client: MiningClientConfig::default(),
        channels: vec![],
    };
    let mut miner = Miner::new(config, 0).unwrap();
    let impostor_authority = AuthoritySecretKey::generate_seeded([66; 32]);
    let key = StaticSecretKey::generate_seeded([4; 32]);
    let certificate = Certificate::sign(&impostor_authority, &key.public_key(), 0, u32::MAX);
    let mut impostor = self::server(ServerSecurity::Noise(ResponderConfig::new(
        key,
        certificate,
    )));
    let mut to_server = Vec::new();
    miner.take_data_to_send(&mut to_server);
    impostor.receive_data(&to_server, 0).unwrap();
    let mut to_miner = Vec::new();
    impostor.take_data_to_send(&mut to_miner);
    let _ = miner.receive_data(&to_miner, 0);
    let mut to_server = Vec::new();
    miner.take_data_to_send(&mut to_server);
    let _ = impostor.receive_data(&to_server, 0);
    let mut to_miner = Vec::new();
    impostor.take_data_to_send(&mut to_miner);
    assert!(miner.receive_data(&to_miner, 0).is_err());
    let events = miner_events(&mut miner);
    assert!(
        matches!(
            events.last(),
            Some(MinerEvent::Closed(CloseReason::Error(SessionError::Noise(
                _
            ))))
        ),
        "{events:?}"
    );
}

/// The OpenStandardMiningChannel requests the server saw, as (request id, user).
fn opens(events: &[Event]) -> Vec<(u32, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(Message::OpenStandardMiningChannel(open)) => Some((
                open.request_id,
                String::from_utf8_lossy(open.user_identity.as_bytes()).into_owned(),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn channels_added_before_setup_open_once_with_the_ids_returned() {
    // R56: request ids are per connection. A channel added before setup opens once, with the
    // id open_channel returned, after the configured ones; on the next connection every
    // channel opens again with the same ids (a refused one keeps its number).
    let standard = |user: &str| ChannelRequest::Standard {
        user_identity: user.into(),
        nominal_hash_rate: 1e6,
        max_target: U256::MAX,
    };
    let config = MinerConfig {
        session: ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0, "t"),
        client: MiningClientConfig::default(),
        channels: vec![standard("config.rig")],
    };
    let mut miner = Miner::new(config, 0).unwrap();
    assert_eq!(miner.open_channel(standard("early.rig")).unwrap(), 2);
    assert!(miner.open_channel(standard(&"x".repeat(300))).is_err());
    let mut server = server(ServerSecurity::Plaintext);
    let mut events = pump(&mut miner, &mut server, 0);
    miner_events(&mut miner);
    events.extend(pump(&mut miner, &mut server, 1));
    let expected = vec![(1, "config.rig".to_string()), (2, "early.rig".to_string())];
    assert_eq!(opens(&events), expected);
    // After setup: the next id, sent at once.
    assert_eq!(miner.open_channel(standard("late.rig")).unwrap(), 3);
    let events = pump(&mut miner, &mut server, 2);
    assert_eq!(opens(&events), vec![(3, "late.rig".to_string())]);

    let mut second = self::server(ServerSecurity::Plaintext);
    miner.reconnect(10, 1_700_000_100).unwrap();
    miner_events(&mut miner);
    let mut events = pump(&mut miner, &mut second, 10);
    miner_events(&mut miner);
    events.extend(pump(&mut miner, &mut second, 11));
    assert_eq!(
        opens(&events),
        vec![
            (1, "config.rig".to_string()),
            (2, "early.rig".to_string()),
            (3, "late.rig".to_string())
        ]
    );
}

#[test]
fn extended_open_that_the_server_ignores_times_out_naming_the_request() {
    // Issue 13 item 8: braiins' 2021 proxy never answers OpenExtendedMiningChannel. The miner
    // reports it after `open_channel_timeout_ms` (ChannelOpenFailed, OpenFailure::TimedOut
    // with request id, kind and user) instead of waiting silently forever.
    let (client_security, server_security) = security(false, 2);
    let config = MinerConfig {
        session: ClientConfig::new(client_security, Protocol::Mining, 0, "fw"),
        client: MiningClientConfig {
            open_channel_timeout_ms: 5_000,
            ..MiningClientConfig::default()
        },
        channels: vec![ChannelRequest::Extended {
            user_identity: "bob.proxy".into(),
            nominal_hash_rate: 1e12,
            max_target: U256::MAX,
            min_extranonce_size: 4,
        }],
    };
    let mut miner = Miner::new(config, 0).unwrap();
    let mut server = server(server_security);
    pump(&mut miner, &mut server, 100);
    miner_events(&mut miner); // SetupComplete: the channel opens
    let events = pump(&mut miner, &mut server, 100);
    assert!(
        matches!(&events[..], [Event::Message(Message::OpenExtendedMiningChannel(o))] if o.request_id == 1),
        "the open reached the server: {events:?}"
    );
    miner_events(&mut miner);
    // The server says nothing. The miner's next timer is the open's deadline.
    assert_eq!(miner.poll_timeout(), Some(5_100));
    miner.handle_timeout(5_099);
    assert!(miner_events(&mut miner).is_empty());
    miner.handle_timeout(5_100);
    let failed: Vec<_> = miner_events(&mut miner)
        .into_iter()
        .filter_map(|e| match e {
            MinerEvent::Client(ClientEvent::ChannelOpenFailed { request_id, reason }) => {
                Some((request_id, reason))
            }
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1);
    let (request_id, reason) = &failed[0];
    assert_eq!(
        reason,
        &sv2::mining::client::OpenFailure::TimedOut {
            extended: true,
            user_identity: "bob.proxy".into(),
            waited_ms: 5_000,
        }
    );
    assert_eq!(
        reason.describe(*request_id),
        "no answer to OpenExtendedMiningChannel request 1 (user 'bob.proxy') within 5000 ms"
    );
    assert_eq!(miner.client().pending_opens(), 0);
    assert_eq!(miner.poll_timeout(), miner.session().poll_timeout());
}
