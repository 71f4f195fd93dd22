//! Arbitrary bytes fed to a Noise initiator of each profile, in pieces: any input must end in an
//! error or a completed handshake, never a panic or a hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sv2::noise::fuzzing::drive_initiator(data));
