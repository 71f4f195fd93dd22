//! Arbitrary bytes to a server session after setup; see [`sv2_fuzz::session_receive`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sv2_fuzz::session_receive(data));
