//! The share-submission hot path does not touch the heap: decoding a SubmitSharesStandard frame
//! allocates nothing, and neither does encoding one into a `Vec` that already has the capacity.
//!
//! A counting global allocator wraps the system one. It counts per thread, so the test
//! harness's other threads (and other tests in this file running in parallel) do not disturb
//! the counts.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations_in;
use sv2::codec::StreamDecoder;
use sv2::messages::{decode, decode_frame, Dialect, Frame, Message, SubmitSharesStandard};

fn share(i: u32) -> Message {
    SubmitSharesStandard {
        channel_id: 1,
        sequence_number: i,
        job_id: 3,
        nonce: 0x1122_3344 ^ i,
        ntime: 0x5F5E_1000,
        version: 0x2000_0000,
    }
    .into()
}

fn frame(message: &Message) -> Vec<u8> {
    let mut out = Vec::new();
    message.encode_frame(Dialect::default(), &mut out).unwrap();
    out
}

#[test]
fn the_counter_sees_allocations() {
    // Without this, a broken counter would make the zero checks below pass vacuously.
    assert_eq!(
        allocations_in(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(16)))),
        1
    );
    assert!(allocations_in(|| drop(std::hint::black_box(frame(&share(0))))) >= 1);
}

#[test]
fn decoding_submit_shares_standard_allocates_nothing() {
    let dialect = Dialect::default();
    let bytes = frame(&share(7));
    let expected = Frame::Message(share(7));
    let mut decoded = 0;
    let n = allocations_in(|| {
        for _ in 0..1000 {
            let (frame, used) = decode_frame(dialect, std::hint::black_box(&bytes)).unwrap();
            assert_eq!(used, bytes.len());
            // Compared without building anything new: `expected` exists already.
            assert!(frame == expected);
            decoded += 1;
        }
    });
    assert_eq!(decoded, 1000);
    assert_eq!(
        n, 0,
        "{n} heap allocations in 1000 decodes of a SubmitSharesStandard frame"
    );
}

#[test]
fn encoding_submit_shares_standard_into_a_sized_vec_allocates_nothing() {
    let dialect = Dialect::default();
    let message = share(7);
    let expected = frame(&message);
    let mut out = Vec::with_capacity(expected.len());
    let n = allocations_in(|| {
        for _ in 0..1000 {
            out.clear();
            std::hint::black_box(&message)
                .encode_frame(dialect, &mut out)
                .unwrap();
        }
    });
    assert_eq!(out, expected);
    assert_eq!(
        n, 0,
        "{n} heap allocations in 1000 encodes of a SubmitSharesStandard frame"
    );
}

#[test]
fn stream_decoding_submit_shares_standard_allocates_nothing_once_warm() {
    // The receive path as a session runs it: push what the socket gave, take frames out,
    // decode. After the first frame sized the buffer, nothing more is allocated.
    let dialect = Dialect::default();
    let bytes = frame(&share(7));
    let mut decoder = StreamDecoder::new(1 << 20);
    let receive = |decoder: &mut StreamDecoder| {
        decoder.push(std::hint::black_box(&bytes));
        let (header, payload) = decoder.next_frame().unwrap().expect("a whole frame");
        assert!(matches!(
            decode(dialect, header, payload).unwrap(),
            Frame::Message(Message::SubmitSharesStandard(_))
        ));
        assert!(decoder.next_frame().unwrap().is_none());
    };
    receive(&mut decoder);
    let n = allocations_in(|| {
        for _ in 0..1000 {
            receive(&mut decoder);
        }
    });
    assert_eq!(
        n, 0,
        "{n} heap allocations in 1000 pushes and decodes once warm"
    );
}
