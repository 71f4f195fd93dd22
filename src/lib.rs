//! # libsv2: Stratum V2 for C, Python and Node, with a sans-I/O Rust core
//!
//! Implements sv2-spec 157b9c2 (September 2022): the binary framing and every message of the
//! Common, Mining, Job Negotiation and Template Distribution protocols, the Noise NX secure
//! channel with ED25519 certificates, connection sessions and the mining roles.
//!
//! Layers depend one way only:
//! wire types ([`codec`]) → framing ([`codec::framing`]) → messages ([`messages`]) → Noise
//! ([`noise`]) → session → roles ([`mining`]) → `ffi` and the bindings.
//!
//! The protocol logic performs no I/O, reads no clock and starts no threads: callers feed it
//! bytes and the current time and get back events and bytes to send.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
/// The C API (`include/sv2.h`): the only module allowed to use `unsafe`.
#[cfg(feature = "capi")]
#[allow(unsafe_code)]
pub mod ffi;
pub mod keys;
pub mod messages;
pub mod mining;
pub mod net;
pub mod noise;
pub mod session;
pub mod template;
