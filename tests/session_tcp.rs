//! The same session flows over real loopback TCP sockets, through the `sv2::net` helper:
//! plaintext and both Noise profiles, blocking and non-blocking.

use std::net::TcpListener;
use std::thread;
use sv2::codec::U256;
use sv2::keys::{AuthoritySecretKey, Certificate, PoolUrl, StaticSecretKey};
use sv2::messages::*;
use sv2::net::{ConnectOptions, Connection, NetError};
use sv2::noise::{NoiseProfile, ResponderConfig};
use sv2::session::*;

fn server_config(noise: bool) -> (ServerConfig, Option<String>) {
    if !noise {
        return (
            ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]),
            None,
        );
    }
    let authority = AuthoritySecretKey::generate_seeded([5; 32]);
    let server_key = StaticSecretKey::generate_seeded([6; 32]);
    let certificate = Certificate::sign(&authority, &server_key.public_key(), 0, u32::MAX);
    let config = ServerConfig::new(
        ServerSecurity::Noise(ResponderConfig::new(server_key, certificate)),
        vec![ProtocolSupport::mining()],
    );
    (config, Some(authority.public_key().to_string()))
}

fn run_pool(
    listener: TcpListener,
    config: ServerConfig,
) -> thread::JoinHandle<Result<u32, NetError>> {
    thread::spawn(move || {
        let (stream, _) = listener.accept()?;
        let mut conn = Connection::accept(stream, config)?;
        let mut shares = 0;
        loop {
            match conn.recv() {
                Ok(Event::Message(Message::OpenStandardMiningChannel(open))) => {
                    conn.send(&Message::from(OpenStandardMiningChannelSuccess {
                        request_id: open.request_id,
                        channel_id: 1,
                        target: U256::MAX,
                        extranonce_prefix: Default::default(),
                        group_channel_id: 0,
                    }))?;
                }
                Ok(Event::Message(Message::SubmitSharesStandard(share))) => {
                    shares += 1;
                    conn.send(&Message::SubmitSharesSuccess(SubmitSharesSuccess {
                        channel_id: share.channel_id,
                        last_sequence_number: share.sequence_number,
                        new_submits_accepted_count: 1,
                        new_shares_sum: 1,
                    }))?;
                }
                Ok(_) => {}
                Err(NetError::Closed(CloseReason::PeerClosed)) => return Ok(shares),
                Err(e) => return Err(e),
            }
        }
    })
}

fn mine_over_tcp(noise: bool, profile: NoiseProfile, nonblocking: bool) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (config, key) = server_config(noise);
    let pool = run_pool(listener, config);
    let url: PoolUrl = match key {
        Some(key) => format!("stratum2+tcp://127.0.0.1:{port}/{key}"),
        None => format!("stratum2+tcp+plain://127.0.0.1:{port}"),
    }
    .parse()
    .unwrap();
    let mut options = ConnectOptions::new(Protocol::Mining, 0, "libsv2-tcp-test");
    options.noise_profile = Some(profile);
    let mut conn = Connection::connect(&url, options).unwrap();
    assert!(matches!(
        conn.setup(),
        Some(Event::SetupComplete {
            protocol: Protocol::Mining,
            ..
        })
    ));
    if nonblocking {
        conn.set_nonblocking(true).unwrap();
    }
    let next = |conn: &mut Connection| -> Event {
        loop {
            if !nonblocking {
                return conn.recv().unwrap();
            }
            if let Some(event) = conn.poll_event().unwrap() {
                return event;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    };
    conn.send(&Message::from(OpenStandardMiningChannel {
        request_id: 9,
        user_identity: "bob".into(),
        nominal_hash_rate: 1.0,
        max_target: U256::MAX,
    }))
    .unwrap();
    assert!(
        matches!(next(&mut conn), Event::Message(Message::OpenStandardMiningChannelSuccess(s)) if s.request_id == 9)
    );
    for seq in 0..20 {
        conn.send(&Message::SubmitSharesStandard(SubmitSharesStandard {
            channel_id: 1,
            sequence_number: seq,
            ..Default::default()
        }))
        .unwrap();
        assert!(
            matches!(next(&mut conn), Event::Message(Message::SubmitSharesSuccess(s)) if s.last_sequence_number == seq)
        );
    }
    conn.close().unwrap();
    assert_eq!(pool.join().unwrap().unwrap(), 20);
}

#[test]
fn plaintext_over_loopback() {
    mine_over_tcp(false, NoiseProfile::Sri2023, false);
}

#[test]
fn noise_sri_over_loopback() {
    mine_over_tcp(true, NoiseProfile::Sri2023, false);
}

#[test]
fn noise_braiins_over_loopback_nonblocking() {
    mine_over_tcp(true, NoiseProfile::Braiins2021, true);
}

#[test]
fn wrong_authority_key_is_refused() {
    // R24 over a real socket
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (config, _) = server_config(true);
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        Connection::accept(stream, config).map(|_| ())
    });
    let other = AuthoritySecretKey::generate_seeded([99; 32]).public_key();
    let url: PoolUrl = format!("stratum2+tcp://127.0.0.1:{port}/{other}")
        .parse()
        .unwrap();
    let result = Connection::connect(&url, ConnectOptions::new(Protocol::Mining, 0, "t"));
    assert!(
        matches!(
            result,
            Err(NetError::Closed(CloseReason::Error(SessionError::Noise(_))))
        ),
        "{result:?}"
    );
    assert!(server.join().unwrap().is_err());
}
