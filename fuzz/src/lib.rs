//! The properties behind the fuzz targets.
//!
//! They live in a library, not in the target files, so that `seed_corpus` can replay them over
//! the seed corpus as an ordinary program (no libFuzzer, stable Rust) and so that a crash found
//! by `cargo fuzz` can be reproduced under a debugger with plain `cargo run`.
//!
//! Both targets check one property on top of "never panics": **encode ∘ decode is the identity
//! on the wire** for every payload that decodes. The one exception the spec itself makes is BOOL,
//! which is read from bit 0 only (R2) and written as 0x00/0x01; so the re-encoded payload must
//! equal the input byte for byte, except that a BOOL byte above 1 may come back as `byte & 1`
//! in a dialect without strict BOOLs. Message values are not compared with `==`: F32 fields
//! make that false for NaN, while their bytes survive the round trip unchanged.

use sv2::codec::{FrameError, FrameHeader, StreamDecoder, HEADER_LEN};
use sv2::messages::{decode, decode_frame, Dialect, Frame, Message, MessageKind, DIALECTS};

/// The largest payload the stream decoder of `frame_decode` accepts: modest, as a pool would
/// configure it. `-max_len` keeps inputs far below, so `TooLarge` is reached only through a
/// header announcing more than this.
pub const MAX_PAYLOAD: usize = 1 << 20;

/// At most this many leading bytes of a `frame_decode` input give piece sizes.
pub const MAX_PIECE_SIZE_BYTES: u8 = 8;

/// Buffers reused across the frames of one input.
#[derive(Default)]
struct Scratch {
    once: Vec<u8>,
    twice: Vec<u8>,
    frame: Vec<u8>,
    frame_again: Vec<u8>,
}

/// Splits a `frame_decode` input into piece sizes and the byte stream.
///
/// Byte 0 modulo [`MAX_PIECE_SIZE_BYTES`] is the number `n` of size bytes that follow; each size
/// byte `s` means a piece of `s + 1` bytes, used in turn and cyclically. With `n == 0` the whole
/// stream is pushed at once. The rest of the input is the stream.
pub fn split_frame_input(data: &[u8]) -> (&[u8], &[u8]) {
    match data.split_first() {
        None => (&[], &[]),
        Some((&n, rest)) => rest.split_at(usize::from(n % MAX_PIECE_SIZE_BYTES).min(rest.len())),
    }
}

/// Target `frame_decode`: the input, cut into pieces, goes through a [`StreamDecoder`]; every
/// frame that comes out is decoded in every dialect of [`DIALECTS`], and every message that
/// decodes is re-encoded and decoded again.
///
/// Checked besides "no panic": the frames do not depend on how the stream was cut (each one is
/// the bytes at its offset in the whole stream); the decoder buffers exactly what it has not
/// returned; a too-large header is refused and the refusal is sticky; an unknown kind comes back
/// as a raw frame with its bytes untouched; a known kind round-trips (see the crate docs), as a
/// frame whose header names the same kind.
pub fn frame_decode(data: &[u8]) {
    let (sizes, stream) = split_frame_input(data);
    let mut decoder = StreamDecoder::new(MAX_PAYLOAD);
    let mut scratch = Scratch::default();
    // Stream offsets: bytes pushed so far, and the start of the next frame to come out.
    let mut pushed = 0usize;
    let mut consumed = 0usize;
    let mut piece = 0usize;
    while pushed < stream.len() {
        let size = match sizes.is_empty() {
            true => stream.len(),
            false => usize::from(sizes[piece % sizes.len()]) + 1,
        };
        piece += 1;
        let end = pushed.saturating_add(size).min(stream.len());
        decoder.push(&stream[pushed..end]);
        pushed = end;
        loop {
            match decoder.next_frame() {
                Ok(Some((header, payload))) => {
                    let length = HEADER_LEN + header.msg_length as usize;
                    assert!(
                        consumed + length <= pushed,
                        "frame returned before all of it was pushed"
                    );
                    assert_eq!(stream[consumed..consumed + HEADER_LEN], header.to_bytes());
                    assert_eq!(&stream[consumed + HEADER_LEN..consumed + length], payload);
                    consumed += length;
                    check_frame(header, payload, &mut scratch);
                }
                Ok(None) => {
                    let rest = &stream[consumed..pushed];
                    assert_eq!(decoder.buffered(), rest.len());
                    if let Some(h) = rest.get(..HEADER_LEN) {
                        let header = FrameHeader::parse(h.try_into().expect("6 bytes"));
                        assert!(
                            rest.len() < HEADER_LEN + header.msg_length as usize,
                            "a whole frame is buffered but not returned"
                        );
                    }
                    break;
                }
                Err(error) => {
                    let FrameError::TooLarge { length, max } = error;
                    assert_eq!(max, MAX_PAYLOAD);
                    let h = &stream[consumed..consumed + HEADER_LEN];
                    assert_eq!(
                        length,
                        usize::from(h[3]) | usize::from(h[4]) << 8 | usize::from(h[5]) << 16
                    );
                    assert!(length > max);
                    // The stream cannot be resynchronised: the decoder stays failed.
                    decoder.push(&[0; HEADER_LEN]);
                    assert_eq!(decoder.next_frame().err(), Some(error));
                    return;
                }
            }
        }
    }
}

/// One frame from the stream, in every dialect.
fn check_frame(header: FrameHeader, payload: &[u8], s: &mut Scratch) {
    for &dialect in DIALECTS.iter() {
        let known = dialect.kind_of(&header);
        match decode(dialect, header, payload) {
            Ok(Frame::Raw(raw)) => {
                assert_eq!(known, None, "{dialect:?}: a known kind came back raw");
                assert_eq!(raw.header, header);
                s.frame.clear();
                raw.write_to(&mut s.frame);
                assert_eq!(s.frame[..HEADER_LEN], header.to_bytes());
                assert_eq!(
                    &s.frame[HEADER_LEN..],
                    payload,
                    "{dialect:?}: a raw frame was altered"
                );
            }
            Ok(Frame::Message(message)) => {
                let kind = message.kind();
                assert_eq!(
                    known,
                    Some(kind),
                    "{dialect:?}: decoded as another kind than the header names"
                );
                check_round_trip(dialect, kind, &message, payload, s);
                check_frame_round_trip(dialect, kind, &message, s);
            }
            Err(e) => {
                let kind = known.unwrap_or_else(|| {
                    panic!("{dialect:?}: an unknown kind is an error ({e}), not a raw frame")
                });
                assert_eq!(
                    e.message,
                    kind.name(),
                    "{dialect:?}: the error names another message"
                );
            }
        }
    }
}

/// Payload level: `message` was decoded from `payload` as `kind` in `dialect`.
fn check_round_trip(
    dialect: &Dialect,
    kind: MessageKind,
    message: &Message,
    payload: &[u8],
    s: &mut Scratch,
) {
    let name = kind.name();
    assert_eq!(message.kind(), kind);
    s.once.clear();
    if let Err(e) = message.encode_payload(dialect, &mut s.once) {
        panic!(
            "{dialect:?}: {name} decoded from {} bytes does not encode again: {e}",
            payload.len()
        );
    }
    assert_eq!(
        s.once.len(),
        payload.len(),
        "{dialect:?}: {name} re-encodes to another length"
    );
    let lenient_bool = !dialect.rules().strict_bool;
    for (i, (&got, &was)) in s.once.iter().zip(payload).enumerate() {
        assert!(
            got == was || (lenient_bool && was > 1 && got == was & 1),
            "{dialect:?}: {name} byte {i} of the payload was {was:#04x}, re-encoded as {got:#04x}"
        );
    }
    // The canonical bytes are a fixpoint.
    let again = Message::decode_payload(kind, dialect, &s.once)
        .unwrap_or_else(|e| panic!("{dialect:?}: {name} re-encoded does not decode: {e}"));
    s.twice.clear();
    again
        .encode_payload(dialect, &mut s.twice)
        .unwrap_or_else(|e| panic!("{dialect:?}: {name}: {e}"));
    assert_eq!(
        s.once, s.twice,
        "{dialect:?}: {name} is not a fixpoint of encode ∘ decode"
    );
}

/// Frame level: the header written for `message` names its kind again, carries the payload
/// checked by [`check_round_trip`], and the frame decodes and re-encodes to itself.
fn check_frame_round_trip(
    dialect: &Dialect,
    kind: MessageKind,
    message: &Message,
    s: &mut Scratch,
) {
    let name = kind.name();
    s.frame.clear();
    message
        .encode_frame(dialect, &mut s.frame)
        .unwrap_or_else(|e| panic!("{dialect:?}: {name} received but not sendable: {e}"));
    let header = FrameHeader::parse(s.frame[..HEADER_LEN].try_into().expect("6 bytes"));
    assert_eq!(header.msg_length as usize, s.frame.len() - HEADER_LEN);
    assert_eq!(
        dialect.kind_of(&header),
        Some(kind),
        "{dialect:?}: {name} is sent under an id that reads back as another kind"
    );
    assert_eq!(s.frame[HEADER_LEN..], s.once);
    let (frame, used) = decode_frame(dialect, &s.frame)
        .unwrap_or_else(|e| panic!("{dialect:?}: {name} frame does not decode: {e}"));
    assert_eq!(used, s.frame.len());
    let Frame::Message(again) = frame else {
        panic!("{dialect:?}: {name} frame came back raw")
    };
    s.frame_again.clear();
    again
        .encode_frame(dialect, &mut s.frame_again)
        .unwrap_or_else(|e| panic!("{dialect:?}: {name}: {e}"));
    assert_eq!(
        s.frame, s.frame_again,
        "{dialect:?}: {name} frame is not a fixpoint"
    );
}

/// The kind and dialect a `message_decode` selector byte picks: index `b mod (kinds × dialects)`
/// into [`MessageKind::ALL`] (fast-moving) and [`DIALECTS`].
pub fn select(selector: u8) -> (MessageKind, &'static Dialect) {
    let kinds = MessageKind::ALL.len();
    let i = usize::from(selector) % (kinds * DIALECTS.len());
    (MessageKind::ALL[i % kinds], DIALECTS[i / kinds])
}

/// The selector byte for `kind` in `dialect`, the inverse of [`select`]; `None` if the table
/// has grown past what one byte can address.
pub fn selector(kind: MessageKind, dialect: &Dialect) -> Option<u8> {
    let k = MessageKind::ALL.iter().position(|x| *x == kind)?;
    let d = DIALECTS.iter().position(|x| *x == dialect)?;
    u8::try_from(d * MessageKind::ALL.len() + k).ok()
}

/// Target `message_decode`: byte 0 picks a kind and a dialect ([`select`]), the rest is a
/// payload for [`Message::decode_payload`]. Whether or not the dialect defines that kind, a
/// payload that decodes must round-trip (crate docs), and an error must name the message.
pub fn message_decode(data: &[u8]) {
    let Some((&selector, payload)) = data.split_first() else {
        return;
    };
    let (kind, dialect) = select(selector);
    match Message::decode_payload(kind, dialect, payload) {
        Ok(message) => check_round_trip(dialect, kind, &message, payload, &mut Scratch::default()),
        Err(e) => assert_eq!(
            e.message,
            kind.name(),
            "{dialect:?}: the error names another message"
        ),
    }
}

/// `session_receive`: a server session that has completed SetupConnection (in plaintext, so
/// that the fuzzer reaches the session's message handling rather than the AEAD) is fed the
/// input in pieces, with events drained between pieces. Whatever arrives, the session must end
/// up either still usable or closed with exactly one `Closed` event, never panic, and keep its
/// buffers within the configured limits.
pub fn session_receive(data: &[u8]) {
    use sv2::session::{
        ClientConfig, ClientSecurity, Event, ProtocolSupport, ServerConfig, ServerSecurity,
        Session, SessionError,
    };
    let (piece, data) = match data.split_first() {
        Some((b, rest)) => (usize::from(*b) + 1, rest),
        None => return,
    };
    let mut config = ServerConfig::new(ServerSecurity::Plaintext, vec![ProtocolSupport::mining()]);
    config.limits.max_frame_payload = 1 << 16;
    config.limits.max_buffered_input = 1 << 17;
    let Ok(mut server) = Session::server(config, 0) else {
        return;
    };
    let setup = ClientConfig::new(
        ClientSecurity::Plaintext,
        sv2::messages::Protocol::Mining,
        0,
        "fuzz",
    )
    .setup;
    let mut frame = Vec::new();
    if Message::from(setup)
        .encode_frame(Dialect::default(), &mut frame)
        .is_err()
        || server.receive_data(&frame, 0).is_err()
    {
        panic!("a valid SetupConnection must be accepted");
    }
    let mut closed_events = 0;
    let mut out = Vec::new();
    for (i, chunk) in data.chunks(piece).enumerate() {
        match server.receive_data(chunk, i as u64) {
            Ok(()) | Err(SessionError::InputBufferFull { .. }) => {}
            Err(_) => assert!(
                server.is_closed(),
                "an error from receive_data closes the session"
            ),
        }
        while let Some(event) = server.next_event() {
            if let Event::Closed(_) = event {
                closed_events += 1;
            }
            // A server answers what it can; the answer must encode.
            if let Event::Message(Message::SubmitSharesStandard(share)) = event {
                let ack = Message::SubmitSharesSuccess(sv2::messages::SubmitSharesSuccess {
                    channel_id: share.channel_id,
                    last_sequence_number: share.sequence_number,
                    new_submits_accepted_count: 1,
                    new_shares_sum: 1,
                });
                let _ = server.send(&ack, i as u64);
            }
        }
        server.take_data_to_send(&mut out);
        out.clear();
        if server.is_closed() {
            break;
        }
    }
    server.peer_closed();
    while let Some(event) = server.next_event() {
        if let Event::Closed(_) = event {
            closed_events += 1;
        }
    }
    assert!(server.is_closed());
    assert_eq!(closed_events, 1, "exactly one Closed event");
}
