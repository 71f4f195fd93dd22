//! Wire-level tests: CHECKLIST A.1/A.2 vectors, every message round trip in every dialect,
//! stream splitting, truncation and dialect differences.

mod common;

use common::arbitrary_generated::arb_message;
use common::hex;
use proptest::prelude::*;
use sv2::codec::{DecodeErrorKind, FrameHeader, StreamDecoder, U256};
use sv2::messages::*;

fn encode(m: impl Into<Message>, d: &Dialect) -> Vec<u8> {
    let mut out = Vec::new();
    m.into().encode_frame(d, &mut out).expect("encodes");
    out
}

fn decode_message(d: &Dialect, bytes: &[u8]) -> Message {
    match decode_frame(d, bytes).expect("decodes") {
        (Frame::Message(m), used) => {
            assert_eq!(used, bytes.len());
            m
        }
        (Frame::Raw(r), _) => panic!("unexpected raw frame {r:?}"),
    }
}

#[test]
fn checklist_a2_submit_shares_standard() {
    // R1, R8, R9, R10
    let m = SubmitSharesStandard {
        channel_id: 1,
        sequence_number: 2,
        job_id: 3,
        nonce: 0x11223344,
        ntime: 0x5F5E1000,
        version: 0x20000000,
    };
    let expected = hex("00 80 1a 18 00 00 | 01 00 00 00 02 00 00 00 03 00 00 00 44 33 22 11 00 10 5e 5f 00 00 00 20");
    assert_eq!(encode(m.clone(), Dialect::default()), expected);
    assert_eq!(
        decode_message(Dialect::default(), &expected),
        Message::SubmitSharesStandard(m)
    );
}

#[test]
fn checklist_a2_setup_connection() {
    // E14: endpoint_host is STR0_255
    let m = SetupConnection {
        protocol: 0,
        min_version: 2,
        max_version: 2,
        flags: 1,
        endpoint_host: "pool.example".into(),
        endpoint_port: 3336,
        vendor: "libsv2 0.1".into(),
        hardware_version: "".into(),
        firmware: "".into(),
        device_id: "".into(),
    };
    let expected = hex("00 00 00 26 00 00 | 00 02 00 02 00 01 00 00 00 0c 70 6f 6f 6c 2e 65 78 61 6d 70 6c 65 08 0d 0a 6c 69 62 73 76 32 20 30 2e 31 00 00 00");
    assert_eq!(encode(m.clone(), Dialect::default()), expected);
    assert_eq!(
        decode_message(Dialect::default(), &expected),
        Message::from(m)
    );
}

#[test]
fn checklist_a2_setup_success_and_new_mining_job() {
    let success = SetupConnectionSuccess {
        used_version: 2,
        flags: 0,
    };
    assert_eq!(
        encode(success, Dialect::default()),
        hex("00 00 01 06 00 00 | 02 00 00 00 00 00")
    );
    let job = NewMiningJob {
        channel_id: 1,
        job_id: 5,
        future_job: false,
        version: 0x20000000,
        merkle_root: U256([0xaa; 32]),
        min_ntime: None,
    };
    let mut expected = hex("00 80 1e 2d 00 00 | 01 00 00 00 05 00 00 00 00 00 00 00 20");
    expected.extend([0xaa; 32]);
    assert_eq!(encode(job, Dialect::default()), expected);
}

#[test]
fn seq_of_variable_elements_prefixes_each_element() {
    // R5: SEQ0_64K[B0_64K] holding [01 02] and [] = 02 00 02 00 01 02 00 00
    let m = CommitMiningJobSuccess {
        request_id: 0,
        new_mining_job_token: vec![],
    };
    let _ = m;
    let job = SetCustomMiningJob {
        coinbase_tx_outputs: vec![vec![1, 2], vec![]],
        ..Default::default()
    };
    let mut payload = Vec::new();
    job.encode_payload(Dialect::default(), &mut payload)
        .unwrap();
    let needle = hex("02 00 02 00 01 02 00 00");
    assert!(payload.windows(needle.len()).any(|w| w == needle));
}

#[test]
fn bool_decoding_reads_only_bit_zero() {
    // R2: 0xFE is false, 0x03 is true; the encoder writes 0/1
    let mut frame = encode(
        NewMiningJob {
            future_job: true,
            ..Default::default()
        },
        Dialect::default(),
    );
    assert_eq!(frame[6 + 8], 1);
    frame[6 + 8] = 0xfe;
    let Message::NewMiningJob(j) = decode_message(Dialect::default(), &frame) else {
        panic!()
    };
    assert!(!j.future_job);
    frame[6 + 8] = 0x03;
    let Message::NewMiningJob(j) = decode_message(Dialect::default(), &frame) else {
        panic!()
    };
    assert!(j.future_job);
    // braiins-2021 decodes BOOL strictly
    let err = NewMiningJob::decode_payload(&BRAIINS_2021, &frame[6..]).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::InvalidBool(3));
    assert_eq!((err.message, err.field), ("NewMiningJob", "future_job"));
}

#[test]
fn trailing_bytes_and_truncation_name_message_and_field() {
    // R4: one extra byte after SetTarget
    let mut frame = encode(
        SetTarget {
            channel_id: 1,
            maximum_target: U256::MAX,
        },
        Dialect::default(),
    );
    let mut payload = frame[6..].to_vec();
    payload.push(0);
    let err = SetTarget::decode_payload(Dialect::default(), &payload).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::TrailingBytes(1));
    assert_eq!(
        err.to_string(),
        "cannot decode SetTarget: 1 unexpected bytes after the last field"
    );
    frame.truncate(frame.len() - 1);
    let err = SetTarget::decode_payload(Dialect::default(), &frame[6..]).unwrap_err();
    assert_eq!((err.message, err.field), ("SetTarget", "maximum_target"));
    assert!(matches!(
        err.kind,
        DecodeErrorKind::Truncated {
            needed: 32,
            available: 31
        }
    ));
}

#[test]
fn oversized_values_are_refused_not_truncated() {
    // R3
    let err = Message::from(SetupConnectionError {
        flags: 0,
        error_code: String::from_utf8(vec![b'x'; 300]).unwrap().into(),
    })
    .encode_frame(Dialect::default(), &mut Vec::new())
    .unwrap_err();
    assert_eq!(
        (err.message, err.field),
        ("SetupConnection.Error", "error_code")
    );
    let err = Message::from(NewExtendedMiningJob {
        merkle_path: vec![U256::ZERO; 256],
        ..Default::default()
    })
    .encode_frame(Dialect::default(), &mut Vec::new())
    .unwrap_err();
    assert_eq!(err.field, "merkle_path");
    // a B0_32 length byte of 33 on the wire
    let mut frame = encode(
        SetExtranoncePrefix {
            channel_id: 1,
            extranonce_prefix: Default::default(),
        },
        Dialect::default(),
    );
    frame[10] = 33;
    frame.extend([0u8; 33]);
    let err = SetExtranoncePrefix::decode_payload(Dialect::default(), &frame[6..]).unwrap_err();
    assert_eq!(
        err.kind,
        DecodeErrorKind::TooLong {
            length: 33,
            max: 32
        }
    );
}

#[test]
fn unknown_extension_and_type_come_back_raw() {
    // R16, R50 (3.5): untouched for forwarding
    let bytes = hex("05 c0 07 05 00 00 | 2a 00 00 00 ff");
    let (frame, used) = decode_frame(Dialect::default(), &bytes).unwrap();
    assert_eq!(used, bytes.len());
    let Frame::Raw(raw) = frame else { panic!() };
    assert_eq!(raw.header.extension_id(), 0x4005);
    assert_eq!(raw.channel_id(), Some(42));
    let mut out = Vec::new();
    raw.write_to(&mut out);
    assert_eq!(out, bytes);
    let unknown_type = hex("00 00 4f 00 00 00");
    assert!(matches!(
        decode_frame(Dialect::default(), &unknown_type).unwrap().0,
        Frame::Raw(_)
    ));
}

#[test]
fn extension_lookup_ignores_the_channel_bit() {
    // R11, R14: a known core message with the wrong channel bit still decodes
    let mut frame = encode(
        SetupConnectionSuccess {
            used_version: 2,
            flags: 0,
        },
        Dialect::default(),
    );
    frame[1] |= 0x80;
    assert!(matches!(
        decode_message(Dialect::default(), &frame),
        Message::SetupConnectionSuccess(_)
    ));
}

#[test]
fn both_open_channel_error_ids_decode() {
    // E21: 0x12 and 0x15 in the spec dialect; sri-2023 sends 0x12 for both and 0x15 is NewMiningJob
    let e = OpenStandardMiningChannelError {
        request_id: 7,
        error_code: "unknown-user".into(),
    };
    let bytes = encode(e, Dialect::default());
    assert_eq!(bytes[2], 0x12);
    let ext = encode(
        OpenExtendedMiningChannelError {
            request_id: 7,
            error_code: "unknown-user".into(),
        },
        Dialect::default(),
    );
    assert_eq!(ext[2], 0x15);
    assert!(matches!(
        decode_message(Dialect::default(), &ext),
        Message::OpenExtendedMiningChannelError(_)
    ));
    let err = Message::from(OpenExtendedMiningChannelError::default())
        .encode_frame(&SRI_2023, &mut Vec::new())
        .unwrap_err();
    assert!(matches!(
        err.kind,
        sv2::codec::EncodeErrorKind::NotInDialect("sri-2023")
    ));
}

#[test]
fn provisional_and_erratum_ids() {
    // E40: CommitMiningJob(.Success/.Error) at 0x57/0x58/0x59; E20 and B.3 flag names are in docs
    assert_eq!(
        SPEC.id(MessageKind::CommitMiningJob).unwrap().msg_type,
        0x57
    );
    assert_eq!(
        SPEC.id(MessageKind::CommitMiningJobSuccess)
            .unwrap()
            .msg_type,
        0x58
    );
    assert_eq!(
        SPEC.id(MessageKind::CommitMiningJobError).unwrap().msg_type,
        0x59
    );
    assert!(MessageKind::CommitMiningJob.info().msg_type_provisional);
    // R12: JN and TDP messages never set the channel bit
    for kind in MessageKind::ALL {
        if matches!(
            kind.protocol(),
            Protocol::JobNegotiation | Protocol::TemplateDistribution
        ) {
            assert!(!SPEC.id(kind).unwrap().channel_msg, "{kind:?}");
        }
    }
}

#[test]
fn sri_2023_new_mining_job_layout() {
    // profile sri-2023: NewMiningJob at 0x15, min_ntime OPTION[U32], merkle_root as B0_32
    let job = NewMiningJob {
        channel_id: 1,
        job_id: 5,
        future_job: false,
        version: 0x20000000,
        merkle_root: U256([0xaa; 32]),
        min_ntime: Some(0x01020304),
    };
    let bytes = encode(job.clone(), &SRI_2023);
    let mut expected =
        hex("00 80 15 32 00 00 | 01 00 00 00 05 00 00 00 01 04 03 02 01 00 00 00 20 20");
    expected.extend([0xaa; 32]);
    assert_eq!(bytes, expected);
    assert_eq!(
        decode_message(&SRI_2023, &bytes),
        Message::NewMiningJob(job)
    );
    let future = NewMiningJob {
        future_job: true,
        min_ntime: None,
        ..Default::default()
    };
    let bytes = encode(future.clone(), &SRI_2023);
    assert_eq!(bytes[6 + 8], 0, "future job = OPTION count 0");
    assert_eq!(
        decode_message(&SRI_2023, &bytes),
        Message::NewMiningJob(future)
    );
}

#[test]
fn braiins_2021_narrow_fields() {
    // profile braiins-2021: new_shares_sum U32, STR0_32 error codes, ChannelEndpointChanged without channel bit
    let ok = SubmitSharesSuccess {
        channel_id: 1,
        last_sequence_number: 10,
        new_submits_accepted_count: 10,
        new_shares_sum: 640,
    };
    let bytes = encode(ok.clone(), &BRAIINS_2021);
    assert_eq!(bytes.len(), 6 + 16);
    assert_eq!(
        decode_message(&BRAIINS_2021, &bytes),
        Message::SubmitSharesSuccess(ok)
    );
    let too_big = SubmitSharesSuccess {
        new_shares_sum: 1 << 40,
        ..Default::default()
    };
    assert!(Message::from(too_big)
        .encode_frame(&BRAIINS_2021, &mut Vec::new())
        .is_err());
    let long = SubmitSharesError {
        channel_id: 1,
        sequence_number: 1,
        error_code: "x".repeat(33).as_str().into(),
    };
    assert!(Message::from(long.clone())
        .encode_frame(&BRAIINS_2021, &mut Vec::new())
        .is_err());
    assert!(Message::from(long)
        .encode_frame(Dialect::default(), &mut Vec::new())
        .is_ok());
    assert_eq!(
        encode(ChannelEndpointChanged { channel_id: 3 }, &BRAIINS_2021)[1],
        0x00
    );
    assert_eq!(
        encode(ChannelEndpointChanged { channel_id: 3 }, Dialect::default())[1],
        0x80
    );
}

#[test]
fn braiins_telemetry_extension() {
    // Telemetry messages are extension 0x0001 in braiins-2021 and unknown elsewhere
    let m = SubmitTelemetryData {
        channel_id: 1,
        seq_num: 2,
        telemetry_payload: vec![1, 2, 3],
    };
    let bytes = encode(m.clone(), &BRAIINS_2021);
    assert_eq!(&bytes[..3], &[0x01, 0x00, 0x03]);
    assert_eq!(
        decode_message(&BRAIINS_2021, &bytes),
        Message::SubmitTelemetryData(m)
    );
    assert!(matches!(
        decode_frame(Dialect::default(), &bytes).unwrap().0,
        Frame::Raw(_)
    ));
}

#[test]
fn sri_ignores_extension_on_receive() {
    let mut frame = encode(
        SetupConnectionSuccess {
            used_version: 2,
            flags: 0,
        },
        &SRI_2023,
    );
    frame[0] = 0x07;
    assert!(matches!(
        decode_message(&SRI_2023, &frame),
        Message::SetupConnectionSuccess(_)
    ));
    assert!(matches!(
        decode_frame(Dialect::default(), &frame).unwrap().0,
        Frame::Raw(_)
    ));
}

#[test]
fn every_profile_message_is_defined_in_its_dialect() {
    // Each dialect defines exactly the messages of its table.
    for (dialect, file) in [
        (&SRI_2023, "sri-2023.json"),
        (&BRAIINS_2021, "braiins-2021.json"),
    ] {
        let text = std::fs::read_to_string(format!(
            "{}/messages/profiles/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let listed = json["messages"].as_array().unwrap();
        let defined = MessageKind::ALL
            .iter()
            .filter(|k| dialect.id(**k).is_some())
            .count();
        assert_eq!(defined, listed.len(), "{}", dialect.name());
        for m in listed {
            let kind = MessageKind::from_name(m["protocol"].as_str(), m["name"].as_str().unwrap())
                .unwrap();
            let id = dialect.id(kind).unwrap();
            assert_eq!(u64::from(id.msg_type), m["msg_type"].as_u64().unwrap());
            assert_eq!(id.channel_msg, m["channel_msg"].as_bool().unwrap());
        }
    }
}

#[test]
fn table_matches_the_spec_message_type_table() {
    // 07-Message-Types.md lists id, channel bit and name; the table must agree (except the
    // CommitMiningJob ids 07 omits, E40).
    // A copy of the spec's 07 chapter is kept beside the table (messages/07-Message-Types.md).
    let text = std::fs::read_to_string(format!(
        "{}/messages/07-Message-Types.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut rows = 0;
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || !cells[1].starts_with("0x") {
            continue;
        }
        let id = u8::from_str_radix(&cells[1][2..], 16).unwrap();
        let channel = cells[2] == "1";
        let name = cells[3];
        let kind = MessageKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == name && SPEC.id(*k).map(|i| i.msg_type) == Some(id))
            .unwrap_or_else(|| panic!("{name} 0x{id:02x} not in the table"));
        assert_eq!(SPEC.id(kind).unwrap().channel_msg, channel, "{name}");
        rows += 1;
    }
    assert_eq!(
        rows, 41,
        "07 lists 41 messages (44 minus the three CommitMiningJob*)"
    );
}

/// The message as `d` can carry it: fields the dialect does not have take their default.
fn as_carried_by(m: &Message, d: &Dialect) -> Message {
    Message::from_fields(m.kind(), d, &m.fields(d)).unwrap()
}

fn kinds_in(d: &'static Dialect) -> Vec<MessageKind> {
    MessageKind::ALL
        .iter()
        .copied()
        .filter(|k| d.id(*k).is_some())
        .collect()
}

fn arb_dialect_message() -> impl Strategy<Value = (&'static Dialect, Message)> {
    prop_oneof![
        proptest::sample::select(kinds_in(&SPEC))
            .prop_flat_map(arb_message)
            .prop_map(|m| (&SPEC, m)),
        proptest::sample::select(kinds_in(&SRI_2023))
            .prop_flat_map(arb_message)
            .prop_map(|m| (&SRI_2023, m)),
        proptest::sample::select(kinds_in(&BRAIINS_2021))
            .prop_flat_map(arb_message)
            .prop_map(|m| (&BRAIINS_2021, m)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn decode_encode_round_trip_default(m in proptest::sample::select(kinds_in(&SPEC)).prop_flat_map(arb_message)) {
        // decode(encode(m)) == m for every message of the default dialect
        let mut bytes = Vec::new();
        m.encode_frame(&SPEC, &mut bytes).unwrap();
        let (frame, used) = decode_frame(&SPEC, &bytes).unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(frame, Frame::Message(as_carried_by(&m, &SPEC)));
    }

    #[test]
    fn dialect_round_trip_is_identity_on_the_wire((d, m) in arb_dialect_message()) {
        // Every message a profile defines encodes and decodes under it. Values a narrower
        // dialect field cannot hold are refused at encode time, never truncated.
        let mut bytes = Vec::new();
        if m.encode_frame(d, &mut bytes).is_err() {
            prop_assert!(bytes.is_empty());
            return Ok(());
        }
        let (frame, used) = decode_frame(d, &bytes).unwrap();
        prop_assert_eq!(used, bytes.len());
        let Frame::Message(decoded) = frame else { panic!("raw frame for a defined message") };
        let mut again = Vec::new();
        decoded.encode_frame(d, &mut again).unwrap();
        prop_assert_eq!(again, bytes);
    }

    #[test]
    fn stream_decoder_is_split_invariant(
        ms in proptest::collection::vec(proptest::sample::select(kinds_in(&SPEC)).prop_flat_map(arb_message), 1..6),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let mut stream = Vec::new();
        for m in &ms {
            m.encode_frame(&SPEC, &mut stream).unwrap();
        }
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        points.push(0);
        points.push(stream.len());
        points.sort_unstable();
        let mut decoder = StreamDecoder::default();
        let mut got = Vec::new();
        for pair in points.windows(2) {
            decoder.push(&stream[pair[0]..pair[1]]);
            while let Some((header, payload)) = decoder.next_frame().unwrap() {
                got.push(decode(&SPEC, header, payload).unwrap());
            }
        }
        prop_assert_eq!(got, ms.iter().map(|m| Frame::Message(as_carried_by(m, &SPEC))).collect::<Vec<_>>());
        prop_assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn strict_prefixes_are_incomplete(m in proptest::sample::select(kinds_in(&SPEC)).prop_flat_map(arb_message)) {
        let mut bytes = Vec::new();
        m.encode_frame(&SPEC, &mut bytes).unwrap();
        for cut in 0..bytes.len() {
            let mut decoder = StreamDecoder::default();
            decoder.push(&bytes[..cut]);
            prop_assert!(decoder.next_frame().unwrap().is_none(), "prefix {} of {}", cut, bytes.len());
            prop_assert!(decode_frame(&SPEC, &bytes[..cut]).is_err());
        }
        let header = FrameHeader::parse(bytes[..6].try_into().unwrap());
        prop_assert_eq!(header.msg_length as usize, bytes.len() - 6);
    }

    #[test]
    fn arbitrary_payloads_never_panic(kind in proptest::sample::select(MessageKind::ALL.to_vec()), payload in proptest::collection::vec(any::<u8>(), 0..200)) {
        for d in DIALECTS {
            let _ = Message::decode_payload(kind, d, &payload);
        }
    }
}

/// `Message` is moved on every decode, event and send: the large, rare messages are boxed
/// (xtask's MAX_INLINE_MESSAGE_SIZE) so that it stays the size of the frequent ones. The hot
/// messages stay inline, so decoding a share allocates nothing (tests/alloc_free_decode.rs).
#[test]
fn message_enum_stays_small_and_hot_messages_inline() {
    assert!(
        std::mem::size_of::<Message>() <= 72,
        "Message grew to {} bytes",
        std::mem::size_of::<Message>()
    );
    let share = SubmitSharesStandard::default();
    let extended = SubmitSharesExtended::default();
    // Inline variants hold the struct itself; a boxed one would not compile here.
    let _: SubmitSharesStandard = match Message::from(share) {
        Message::SubmitSharesStandard(m) => m,
        _ => unreachable!(),
    };
    let _: SubmitSharesExtended = match Message::from(extended) {
        Message::SubmitSharesExtended(m) => m,
        _ => unreachable!(),
    };
    let _: NewMiningJob = match Message::from(NewMiningJob::default()) {
        Message::NewMiningJob(m) => m,
        _ => unreachable!(),
    };
}
