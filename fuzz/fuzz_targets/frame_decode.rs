//! Stream framing and whole-frame decoding in every dialect; see [`sv2_fuzz::frame_decode`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sv2_fuzz::frame_decode(data));
