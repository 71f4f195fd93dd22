//! Deterministic entry points for fuzz targets (`fuzz/`) and robustness tests: fixed keys, a
//! fixed RNG seed, and a driver that feeds arbitrary bytes to a handshake and then, if it
//! completes, to the transport. Not part of the stable API.

use super::{InitiatorConfig, NoiseHandshake, NoiseProfile, ResponderConfig};
use crate::keys::{AuthorityPublicKey, AuthoritySecretKey, Certificate, StaticSecretKey};

/// Authority seed used by the fixtures.
pub const AUTHORITY_SEED: [u8; 32] = [0xa1; 32];
/// Server static secret used by the fixtures.
pub const SERVER_STATIC: [u8; 32] = [0x5e; 32];
/// Unix time the fixtures' certificate is valid at (window `[NOW - 3600, NOW + 3600]`).
pub const NOW: u64 = 1_700_000_000;

/// The fixtures' authority public key.
pub fn authority_key() -> AuthorityPublicKey {
    AuthorityPublicKey::from_bytes(
        ed25519_dalek::SigningKey::from_bytes(&AUTHORITY_SEED)
            .verifying_key()
            .to_bytes(),
    )
}

/// A responder configuration with fixed keys, certificate and RNG seed.
pub fn responder_config(profile: NoiseProfile) -> ResponderConfig {
    let secret = StaticSecretKey::from_bytes(SERVER_STATIC);
    let certificate = Certificate::sign(
        &AuthoritySecretKey::from_bytes(AUTHORITY_SEED),
        &secret.public_key(),
        (NOW - 3600) as u32,
        (NOW + 3600) as u32,
    );
    let mut config = ResponderConfig::new(secret, certificate);
    config.profile = Some(profile);
    config.rng_seed = Some([0x22; 32]);
    config
}

/// An initiator configuration with the fixtures' authority key and a fixed RNG seed.
pub fn initiator_config(profile: NoiseProfile) -> InitiatorConfig {
    let mut config = InitiatorConfig::new(authority_key(), NOW);
    config.profile = Some(profile);
    config.rng_seed = Some([0x11; 32]);
    config
}

/// Feeds `data` to a handshake in chunks whose sizes come from `data` itself, draining
/// output as a real caller would, then hands any remainder to the transport. Must never
/// panic, whatever `data` is.
pub fn drive(mut hs: NoiseHandshake, data: &[u8]) {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some((&n, tail)) = rest.split_first() {
        let take = usize::from(n).min(tail.len());
        let (chunk, tail) = tail.split_at(take);
        rest = tail;
        hs.data_to_send(&mut out);
        if hs.receive_data(chunk).is_err() {
            // Dead after an error (R26).
            assert!(hs.receive_data(chunk).is_err());
            return;
        }
        if hs.is_complete() {
            break;
        }
    }
    hs.data_to_send(&mut out);
    if let Ok((mut transport, leftover)) = hs.into_transport() {
        let mut plain = Vec::new();
        let _ = transport.decrypt(&leftover, &mut plain);
        let _ = transport.decrypt(rest, &mut plain);
        let _ = transport.encrypt(&plain, &mut out);
    }
}

/// Drives a fixture responder with arbitrary bytes.
pub fn drive_responder(data: &[u8]) {
    if let Ok(hs) = NoiseHandshake::responder(responder_config(NoiseProfile::Sri2023)) {
        drive(hs, data);
    }
}

/// Drives a fixture initiator (profile chosen by the first byte) with arbitrary bytes.
pub fn drive_initiator(data: &[u8]) {
    let (profile, data) = match data.split_first() {
        Some((b, rest)) if b & 1 == 1 => (NoiseProfile::Braiins2021, rest),
        Some((_, rest)) => (NoiseProfile::Sri2023, rest),
        None => (NoiseProfile::Sri2023, data),
    };
    if let Ok(hs) = NoiseHandshake::initiator(initiator_config(profile)) {
        drive(hs, data);
    }
}
