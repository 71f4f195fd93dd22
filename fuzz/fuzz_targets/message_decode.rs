//! Payload decoding of one chosen kind in one chosen dialect; see [`sv2_fuzz::message_decode`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sv2_fuzz::message_decode(data));
