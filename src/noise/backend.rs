//! The handshake backend: the one place that knows which Noise library runs the NX pattern.
//!
//! [`HandshakeBackend`] is deliberately small (write a message, read a message, the peer's
//! static key, the handshake hash, split) so that a later secp256k1 suite (the current spec's
//! `Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256`) can be a second implementation without
//! touching the negotiation, framing or transport code. No snow type leaves this file.
//!
//! snow provides the pattern and symmetric state with its pure-Rust BLAKE2s and AEADs. X25519
//! is implemented here over curve25519-dalek rather than taken from snow's default resolver
//! because snow 0.10 never zeroizes its private keys; ours live in `Zeroizing` buffers.

use std::cell::Cell;

use curve25519_dalek::montgomery::MontgomeryPoint;
use snow::params::{CipherChoice, DHChoice, HashChoice, NoiseParams};
use snow::resolvers::{CryptoResolver, DefaultResolver};
use snow::types::{Cipher as SnowCipher, Dh, Hash, Random};
use zeroize::Zeroizing;

use super::rng::NoiseRng;
use super::{Cipher, NoiseError};
use crate::keys::{StaticPublicKey, StaticSecretKey};

/// The two transport keys, oriented for the local role.
pub(crate) struct SplitKeys {
    /// Key for the messages this side sends.
    pub send: Zeroizing<[u8; 32]>,
    /// Key for the messages this side receives.
    pub recv: Zeroizing<[u8; 32]>,
}

/// One NX handshake in progress.
pub(crate) trait HandshakeBackend: Send {
    /// Writes the next handshake message carrying `payload` and appends it to `out`.
    fn write_message(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError>;
    /// Reads the next handshake message and appends its decrypted payload to `payload`.
    fn read_message(&mut self, message: &[u8], payload: &mut Vec<u8>) -> Result<(), NoiseError>;
    /// The peer's static public key, once received.
    fn remote_static(&self) -> Option<[u8; 32]>;
    /// The handshake hash `h` (channel binding value; identical on both sides when complete).
    fn handshake_hash(&self) -> [u8; 32];
    /// Noise `Split()`, oriented: the initiator sends with `c1`, the responder with `c2`.
    fn split(&mut self) -> SplitKeys;
}

/// What a backend needs to start an NX handshake.
pub(crate) struct BackendParams<'a> {
    pub cipher: Cipher,
    pub initiator: bool,
    pub prologue: &'a [u8],
    /// The responder's static key pair (public precomputed by the config, so that a
    /// handshake costs no extra scalar multiplication); `None` for the anonymous initiator.
    pub static_key: Option<(&'a StaticSecretKey, &'a StaticPublicKey)>,
    pub rng: NoiseRng,
}

/// Starts `Noise_NX_25519_<cipher>_BLAKE2s`.
pub(crate) fn nx_25519_blake2s(
    params: BackendParams<'_>,
) -> Result<Box<dyn HandshakeBackend>, NoiseError> {
    Ok(Box::new(build_snow(params)?))
}

fn build_snow(params: BackendParams<'_>) -> Result<SnowHandshake, NoiseError> {
    let noise_params: NoiseParams = params
        .cipher
        .protocol_name()
        .parse()
        .map_err(|_| NoiseError::Internal("protocol name rejected"))?;
    let resolver = Resolver {
        rng: Cell::new(Some(params.rng)),
        known_static: params
            .static_key
            .map(|(secret, public)| (Zeroizing::new(*secret.as_bytes()), *public.as_bytes())),
    };
    let mut builder = snow::Builder::with_resolver(noise_params, Box::new(resolver))
        .prologue(params.prologue)
        .map_err(|_| NoiseError::Internal("prologue rejected"))?;
    if let Some((secret, _)) = params.static_key {
        builder = builder
            .local_private_key(&secret.as_bytes()[..])
            .map_err(|_| NoiseError::Internal("static key rejected"))?;
    }
    let state = if params.initiator {
        builder.build_initiator()
    } else {
        builder.build_responder()
    }
    .map_err(map_snow_error)?;
    Ok(SnowHandshake {
        state,
        initiator: params.initiator,
    })
}

/// The X25519 public key of a secret (RFC 7748 clamping applied).
pub(crate) fn x25519_public(secret: &[u8; 32]) -> [u8; 32] {
    MontgomeryPoint::mul_base_clamped(*secret).to_bytes()
}

fn map_snow_error(err: snow::Error) -> NoiseError {
    match err {
        snow::Error::Decrypt => NoiseError::HandshakeDecrypt,
        snow::Error::Dh => NoiseError::InvalidPublicKey,
        snow::Error::Rng => NoiseError::Rng,
        snow::Error::Input => NoiseError::Internal("snow rejected a message length"),
        _ => NoiseError::Internal("snow state error"),
    }
}

/// Largest handshake message this module builds or reads: NX message 2 with a 76-byte payload
/// is 172 bytes; the rest is headroom for the payload check below.
const MAX_HANDSHAKE_MESSAGE: usize = 256;

struct SnowHandshake {
    state: snow::HandshakeState,
    initiator: bool,
}

impl HandshakeBackend for SnowHandshake {
    fn write_message(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        let mut buf = [0u8; MAX_HANDSHAKE_MESSAGE];
        let n = self
            .state
            .write_message(payload, &mut buf)
            .map_err(map_snow_error)?;
        out.extend_from_slice(buf.get(..n).ok_or(NoiseError::Internal("write length"))?);
        Ok(())
    }

    fn read_message(&mut self, message: &[u8], payload: &mut Vec<u8>) -> Result<(), NoiseError> {
        if message.len() > MAX_HANDSHAKE_MESSAGE {
            // The caller checks lengths per step; this only keeps the buffer below sound.
            return Err(NoiseError::Internal("handshake message over backend limit"));
        }
        let mut buf = Zeroizing::new([0u8; MAX_HANDSHAKE_MESSAGE]);
        let n = self
            .state
            .read_message(message, &mut buf[..])
            .map_err(map_snow_error)?;
        payload.extend_from_slice(buf.get(..n).ok_or(NoiseError::Internal("read length"))?);
        Ok(())
    }

    fn remote_static(&self) -> Option<[u8; 32]> {
        self.state
            .get_remote_static()
            .and_then(|key| key.try_into().ok())
    }

    fn handshake_hash(&self) -> [u8; 32] {
        let mut h = [0u8; 32];
        let hash = self.state.get_handshake_hash();
        let n = hash.len().min(32);
        h[..n].copy_from_slice(&hash[..n]);
        h
    }

    fn split(&mut self) -> SplitKeys {
        let (c1, c2) = self.state.dangerously_get_raw_split();
        let (c1, c2) = (Zeroizing::new(c1), Zeroizing::new(c2));
        if self.initiator {
            SplitKeys { send: c1, recv: c2 }
        } else {
            SplitKeys { send: c2, recv: c1 }
        }
    }
}

/// snow's crypto resolver: our RNG and X25519, snow's BLAKE2s and handshake AEADs.
struct Resolver {
    /// Handed to snow once, when the handshake state is built. `Cell` keeps the resolver
    /// `Send` (snow requires it) without a lock.
    rng: Cell<Option<NoiseRng>>,
    /// The static key pair, so that `Dh::set` need not recompute the public key.
    known_static: Option<(Zeroizing<[u8; 32]>, [u8; 32])>,
}

impl CryptoResolver for Resolver {
    fn resolve_rng(&self) -> Option<Box<dyn Random>> {
        self.rng.take().map(|rng| Box::new(rng) as Box<dyn Random>)
    }

    fn resolve_dh(&self, choice: &DHChoice) -> Option<Box<dyn Dh>> {
        match choice {
            DHChoice::Curve25519 => Some(Box::new(X25519 {
                known: self.known_static.clone(),
                ..X25519::default()
            })),
            _ => None,
        }
    }

    fn resolve_hash(&self, choice: &HashChoice) -> Option<Box<dyn Hash>> {
        DefaultResolver.resolve_hash(choice)
    }

    fn resolve_cipher(&self, choice: &CipherChoice) -> Option<Box<dyn SnowCipher>> {
        DefaultResolver.resolve_cipher(choice)
    }
}

/// X25519 with a zeroized private key.
#[derive(Default)]
struct X25519 {
    private: Zeroizing<[u8; 32]>,
    public: [u8; 32],
    /// A key pair whose public half is already known (the server static key).
    known: Option<(Zeroizing<[u8; 32]>, [u8; 32])>,
}

impl Dh for X25519 {
    fn name(&self) -> &'static str {
        "25519"
    }

    fn pub_len(&self) -> usize {
        32
    }

    fn priv_len(&self) -> usize {
        32
    }

    fn set(&mut self, privkey: &[u8]) {
        // snow only passes keys of `priv_len()` bytes (the builder checks); a short slice
        // would leave the rest zero rather than panic.
        let n = privkey.len().min(32);
        self.private[..n].copy_from_slice(&privkey[..n]);
        self.public = match &self.known {
            // Comparing our own secret with our own secret: no attacker-controlled input,
            // so a non-constant-time comparison leaks nothing.
            Some((secret, public)) if secret[..] == self.private[..] => *public,
            _ => x25519_public(&self.private),
        };
    }

    fn generate(&mut self, rng: &mut dyn Random) -> Result<(), snow::Error> {
        rng.try_fill_bytes(&mut self.private[..])?;
        self.public = x25519_public(&self.private);
        Ok(())
    }

    fn pubkey(&self) -> &[u8] {
        &self.public
    }

    fn privkey(&self) -> &[u8] {
        &self.private[..]
    }

    fn dh(&self, pubkey: &[u8], out: &mut [u8]) -> Result<(), snow::Error> {
        let remote: [u8; 32] = pubkey
            .get(..32)
            .and_then(|k| k.try_into().ok())
            .ok_or(snow::Error::Dh)?;
        let shared = Zeroizing::new(
            MontgomeryPoint(remote)
                .mul_clamped(*self.private)
                .to_bytes(),
        );
        // An all-zero result means the peer sent a low-order point: contributory behaviour
        // fails, so refuse it (Noise §12.1 allows either; refusing costs nothing here).
        if shared.iter().all(|&b| b == 0) {
            return Err(snow::Error::Dh);
        }
        let dst = out.get_mut(..32).ok_or(snow::Error::Dh)?;
        dst.copy_from_slice(&shared[..]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7748 §6.1 test vector: Alice's key pair and the shared secret with Bob.
    #[test]
    fn x25519_rfc7748() {
        let alice: [u8; 32] =
            hex32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        let bob_pub = hex32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        assert_eq!(
            x25519_public(&alice),
            hex32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        );
        let mut dh = X25519::default();
        dh.set(&alice);
        let mut out = [0u8; 32];
        dh.dh(&bob_pub, &mut out).unwrap();
        assert_eq!(
            out,
            hex32("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
        );
        // Low-order point (all zeros) is refused rather than producing a zero secret.
        assert!(dh.dh(&[0u8; 32], &mut out).is_err());
        assert!(dh.dh(&[0u8; 31], &mut out).is_err());
    }

    /// Our ring CipherState must produce exactly what snow's own TransportState produces
    /// (same keys, same nonce encoding per cipher), so that we interoperate with peers whose
    /// transport is snow's or any other Noise implementation's.
    #[test]
    fn transport_matches_snow_transport_state() {
        use crate::noise::transport::NoiseTransport;
        use crate::noise::SendPolicy;
        for cipher in Cipher::ALL {
            let secret = StaticSecretKey::from_bytes([3; 32]);
            let public = StaticPublicKey::from_bytes(x25519_public(secret.as_bytes()));
            let make = |initiator: bool| {
                build_snow(BackendParams {
                    cipher,
                    initiator,
                    prologue: b"p",
                    static_key: (!initiator).then_some((&secret, &public)),
                    rng: NoiseRng::new(Some([initiator as u8; 32])),
                })
                .unwrap()
            };
            // Pair A goes through our split; pair B, built identically, through snow's.
            let (mut ia, mut ra, mut ib, mut rb) =
                (make(true), make(false), make(true), make(false));
            for (i, r) in [(&mut ia, &mut ra), (&mut ib, &mut rb)] {
                let (mut m1, mut m2, mut p) = (Vec::new(), Vec::new(), Vec::new());
                i.write_message(&[], &mut m1).unwrap();
                r.read_message(&m1, &mut p).unwrap();
                r.write_message(b"payload", &mut m2).unwrap();
                i.read_message(&m2, &mut p).unwrap();
            }
            let mut ours = NoiseTransport::new(cipher, ia.split(), SendPolicy::default()).unwrap();
            let mut ours_r =
                NoiseTransport::new(cipher, ra.split(), SendPolicy::default()).unwrap();
            let mut snow_i = ib.state.into_transport_mode().unwrap();
            let mut snow_r = rb.state.into_transport_mode().unwrap();
            for round in 0..3u8 {
                let msg = vec![round; 100];
                let mut wire = Vec::new();
                ours.encrypt(&msg, &mut wire).unwrap();
                let mut snow_wire = vec![0u8; 200];
                let n = snow_i.write_message(&msg, &mut snow_wire).unwrap();
                assert_eq!(&wire[2..], &snow_wire[..n], "{cipher:?} round {round}");
                let n = snow_r.write_message(&msg, &mut snow_wire).unwrap();
                let mut framed = (n as u16).to_le_bytes().to_vec();
                framed.extend_from_slice(&snow_wire[..n]);
                let mut plain = Vec::new();
                // ours_r's receive key is the initiator's send key: feed it snow_i's output
                ours_r.decrypt(&wire, &mut plain).unwrap();
                assert_eq!(plain, msg);
                let mut back = Vec::new();
                ours_r.encrypt(&msg, &mut back).unwrap();
                assert_eq!(&back[2..], &snow_wire[..n]);
                let _ = &mut ours;
                plain.clear();
                ours.decrypt(&framed, &mut plain).unwrap();
                assert_eq!(plain, msg);
            }
        }
    }

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }
}
