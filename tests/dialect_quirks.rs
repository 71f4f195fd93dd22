//! Quirks of the deployed implementations, replayed byte for byte from what libsv2's interop
//! runs saw on the wire (issue 13), each under the dialect flag that documents it in
//! `messages/dialects.json` and the profile's `deviations`.

use sv2::messages::*;
use sv2::session::*;

/// What braiins' V2→V1 proxy (2021) answers to every SetupConnection, whatever was offered:
/// `SetupConnection.Success { used_version: 0, flags: 0 }` in a plaintext frame.
const BRAIINS_SETUP_SUCCESS: [u8; 12] = [
    0x00, 0x00, 0x01, 0x06, 0x00, 0x00, // header: extension 0, msg_type 0x01, length 6
    0x00, 0x00, // used_version = 0
    0x00, 0x00, 0x00, 0x00, // flags = 0
];

fn mining_client(dialect: &'static str) -> Session {
    let mut config = ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0, "t");
    config.dialect = Dialect::by_name(dialect).unwrap();
    let mut session = Session::client(config, 0).unwrap();
    let mut setup = Vec::new();
    session.take_data_to_send(&mut setup);
    assert!(
        !setup.is_empty(),
        "the client sends SetupConnection first (R30)"
    );
    session
}

fn events(session: &mut Session) -> Vec<Event> {
    std::iter::from_fn(|| session.next_event()).collect()
}

/// braiins-2021 flag `setup_success_version_zero_means_2`: version 0 is read as version 2.
#[test]
fn braiins_2021_setup_success_with_version_zero_is_version_2() {
    let mut client = mining_client("braiins-2021");
    client.receive_data(&BRAIINS_SETUP_SUCCESS, 1).unwrap();
    let events = events(&mut client);
    assert!(
        matches!(
            events.as_slice(),
            [Event::SetupComplete {
                protocol: Protocol::Mining,
                version: 2,
                ..
            }]
        ),
        "{events:?}"
    );
    assert!(!client.is_closed());
}

/// The spec and sri-2023 dialects keep refusing a version that was not offered (3.7.1).
#[test]
fn other_dialects_refuse_setup_success_with_version_zero() {
    for dialect in ["spec", "sri-2023"] {
        let mut client = mining_client(dialect);
        let _ = client.receive_data(&BRAIINS_SETUP_SUCCESS, 1);
        let events = events(&mut client);
        let refused = events.iter().any(|e| {
            matches!(e, Event::Closed(CloseReason::Error(error))
                if error.to_string().contains("server chose version 0, which was not offered"))
        });
        assert!(refused, "{dialect}: {events:?}");
        assert!(client.is_closed(), "{dialect}");
    }
}
