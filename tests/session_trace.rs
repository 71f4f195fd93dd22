//! Issue 13 item 12: the wire tap. A session's trace holds every SV2 frame sent and received
//! (decrypted), each read as one JSON line in the `sv2 decode` form with its direction; off by
//! default, and free when off (no allocation per frame, no JSON).

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations_in;
use sv2::keys::{AuthoritySecretKey, Certificate, StaticSecretKey};
use sv2::messages::json::frame_bytes_to_json;
use sv2::messages::*;
use sv2::noise::{InitiatorConfig, ResponderConfig};
use sv2::session::pair::Pair;
use sv2::session::*;

fn noise_pair(trace: bool) -> Pair {
    let authority = AuthoritySecretKey::generate_seeded([1; 32]);
    let server_key = StaticSecretKey::generate_seeded([2; 32]);
    let certificate = Certificate::sign(&authority, &server_key.public_key(), 0, u32::MAX);
    let mut client = ClientConfig::new(
        ClientSecurity::Noise(InitiatorConfig::new(authority.public_key(), 1_700_000_000)),
        Protocol::Mining,
        0,
        "trace-test",
    );
    client.trace = trace;
    let mut server = ServerConfig::new(
        ServerSecurity::Noise(ResponderConfig::new(server_key, certificate)),
        vec![ProtocolSupport::mining()],
    );
    server.trace = trace;
    Pair::new(
        Session::client(client, 0).unwrap(),
        Session::server(server, 0).unwrap(),
    )
}

fn share(i: u32) -> Message {
    SubmitSharesStandard {
        channel_id: 1,
        sequence_number: i,
        job_id: 3,
        nonce: 0x1122_3344,
        ntime: 0x5F5E_1000,
        version: 0x2000_0000,
    }
    .into()
}

fn drain(session: &mut Session) -> Vec<String> {
    std::iter::from_fn(|| session.next_trace_json()).collect()
}

#[test]
fn trace_shows_decrypted_frames_in_the_decode_form() {
    let mut pair = noise_pair(true);
    pair.pump().unwrap();
    pair.client_events();
    pair.server_events();
    let client_lines = drain(&mut pair.client);
    let server_lines = drain(&mut pair.server);
    // Setup, seen from both ends; the Noise handshake messages are not frames.
    assert_eq!(client_lines.len(), 2, "{client_lines:?}");
    let first: serde_json::Value = serde_json::from_str(&client_lines[0]).unwrap();
    assert_eq!(first["direction"], "sent");
    assert_eq!(first["frame"]["message"], "SetupConnection");
    assert_eq!(first["frame"]["fields"]["vendor"], "trace-test");
    let second: serde_json::Value = serde_json::from_str(&client_lines[1]).unwrap();
    assert_eq!(second["direction"], "received");
    assert_eq!(second["frame"]["message"], "SetupConnection.Success");
    let received: serde_json::Value = serde_json::from_str(&server_lines[0]).unwrap();
    assert_eq!(received["direction"], "received");
    assert_eq!(received["frame"], first["frame"]);

    // A share: the exact `sv2 decode` JSON of its frame, wire-order fields.
    pair.client.send(&share(9), 1).unwrap();
    pair.pump().unwrap();
    pair.server_events();
    let mut bytes = Vec::new();
    share(9)
        .encode_frame(Dialect::default(), &mut bytes)
        .unwrap();
    let decode_form = frame_bytes_to_json(Dialect::default(), &bytes);
    assert_eq!(
        drain(&mut pair.client),
        vec![format!(r#"{{"direction":"sent","frame":{decode_form}}}"#)]
    );
    assert_eq!(
        drain(&mut pair.server),
        vec![format!(
            r#"{{"direction":"received","frame":{decode_form}}}"#
        )]
    );
    assert!(decode_form.to_string().starts_with(
        r#"{"protocol":"Mining","message":"SubmitSharesStandard","msg_type":26,"extension_type":0,"channel_msg":true,"fields":{"channel_id":1,"sequence_number":9"#
    ));
}

#[test]
fn trace_is_bounded_and_counts_what_it_dropped() {
    let mut pair = noise_pair(true);
    pair.pump().unwrap();
    drain(&mut pair.client);
    let extra = 10;
    for i in 0..(MAX_TRACE_ENTRIES as u32 + extra) {
        pair.client.send(&share(i), 1).unwrap();
    }
    let first = pair.client.next_trace().unwrap();
    assert_eq!(first.dropped_before, u64::from(extra));
    assert!(pair
        .client
        .next_trace_json()
        .unwrap()
        .contains("\"direction\":\"sent\""));
    assert_eq!(drain(&mut pair.client).len(), MAX_TRACE_ENTRIES - 2);
    // Switching it off discards and stops.
    pair.client.send(&share(0), 1).unwrap();
    pair.client.set_trace(false);
    pair.client.send(&share(1), 1).unwrap();
    assert_eq!(pair.client.next_trace(), None);
}

#[test]
fn trace_is_off_by_default_and_free_when_off() {
    let mut pair = noise_pair(false);
    pair.pump().unwrap();
    pair.client_events();
    pair.server_events();
    assert!(!pair.client.is_tracing());
    let mut out = Vec::with_capacity(1 << 16);
    let mut round = |pair: &mut Pair| {
        for i in 0..100 {
            pair.client.send(&share(i), 1).unwrap();
        }
        out.clear();
        pair.client.take_data_to_send(&mut out);
        pair.server.receive_data(&out, 1).unwrap();
        while pair.server.next_event().is_some() {}
    };
    round(&mut pair); // warm the buffers
    let off = allocations_in(|| round(&mut pair));
    pair.client.set_trace(true);
    pair.server.set_trace(true);
    let on = allocations_in(|| round(&mut pair));
    // Each traced frame costs one copy on each side; off, none of that happens.
    assert!(on >= off + 200, "off {off}, on {on}");
    pair.client.set_trace(false);
    pair.server.set_trace(false);
    assert_eq!(allocations_in(|| round(&mut pair)), off);
    assert_eq!(pair.server.next_trace(), None);
}
