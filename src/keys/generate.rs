//! Key generation and public-key derivation.
//!
//! Randomness comes from the operating system by default ([`AuthoritySecretKey::generate_os`]).
//! For reproducible tests, and for devices whose own entropy source is poor but which can be
//! given a good seed, every generator also takes a 32-byte seed that drives a ChaCha20 RNG
//! (the same `rng_seed: Option<[u8; 32]>` convention as the rest of the library). Any
//! `rand_core` 0.6 CSPRNG can be passed to the `generate` functions as well; 0.6 is the
//! version ed25519-dalek 2 uses, so one RNG type serves both.

use curve25519_dalek::montgomery::MontgomeryPoint;
use ed25519_dalek::SigningKey;
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, OsRng, RngCore, SeedableRng};
use zeroize::Zeroizing;

use super::{AuthorityPublicKey, AuthoritySecretKey, StaticPublicKey, StaticSecretKey};

/// The operating system's random number generator failed. Rare (for example very early in boot
/// on some embedded systems), but it is reported rather than answered with a weak key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the operating system's random number generator failed: {message}")]
pub struct EntropyError {
    message: String,
}

impl EntropyError {
    pub(crate) fn from_message(message: String) -> Self {
        EntropyError { message }
    }
}

/// Fills 32 bytes from `rng`, in a buffer zeroized on drop.
fn random_32<R: RngCore + CryptoRng>(rng: &mut R) -> Result<Zeroizing<[u8; 32]>, EntropyError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rng.try_fill_bytes(&mut bytes[..])
        .map_err(|e| EntropyError {
            message: e.to_string(),
        })?;
    Ok(bytes)
}

/// Builds the RNG behind the `*_seeded` and `*_with` generators.
fn seeded_rng(rng_seed: [u8; 32]) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(rng_seed)
}

impl AuthoritySecretKey {
    /// Generates a new authority key from `rng` (any cryptographically secure RNG).
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Result<Self, EntropyError> {
        // An Ed25519 secret key is any 32-byte seed, so no rejection sampling is needed.
        Ok(Self(random_32(rng)?))
    }

    /// Generates a new authority key from the operating system's RNG.
    pub fn generate_os() -> Result<Self, EntropyError> {
        Self::generate(&mut OsRng)
    }

    /// Generates a key deterministically from `rng_seed` (ChaCha20): the same seed gives the
    /// same key. For tests and for devices that are handed a seed; the seed must be secret and
    /// random for the key to be.
    pub fn generate_seeded(rng_seed: [u8; 32]) -> Self {
        let mut rng = seeded_rng(rng_seed);
        let mut bytes = Zeroizing::new([0u8; 32]);
        // ChaCha20 cannot fail, so the infallible fill is used.
        rng.fill_bytes(&mut bytes[..]);
        Self(bytes)
    }

    /// `generate_seeded(seed)` when a seed is given, `generate_os()` otherwise.
    pub fn generate_with(rng_seed: Option<[u8; 32]>) -> Result<Self, EntropyError> {
        match rng_seed {
            Some(seed) => Ok(Self::generate_seeded(seed)),
            None => Self::generate_os(),
        }
    }

    /// The authority public key (Ed25519), the one that goes into pool URLs.
    pub fn public_key(&self) -> AuthorityPublicKey {
        // SigningKey zeroizes its copy of the secret on drop (ed25519-dalek "zeroize" feature).
        let signing_key = SigningKey::from_bytes(&self.0);
        AuthorityPublicKey(signing_key.verifying_key().to_bytes())
    }
}

impl StaticSecretKey {
    /// Generates a new server static key from `rng`.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Result<Self, EntropyError> {
        // X25519 clamps the scalar when it is used (RFC 7748), so any 32 random bytes are a
        // valid secret; the raw bytes are stored, as other Noise implementations do.
        Ok(Self(random_32(rng)?))
    }

    /// Generates a new server static key from the operating system's RNG.
    pub fn generate_os() -> Result<Self, EntropyError> {
        Self::generate(&mut OsRng)
    }

    /// Generates a key deterministically from `rng_seed` (ChaCha20). See
    /// [`AuthoritySecretKey::generate_seeded`].
    pub fn generate_seeded(rng_seed: [u8; 32]) -> Self {
        let mut rng = seeded_rng(rng_seed);
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut bytes[..]);
        Self(bytes)
    }

    /// `generate_seeded(seed)` when a seed is given, `generate_os()` otherwise.
    pub fn generate_with(rng_seed: Option<[u8; 32]>) -> Result<Self, EntropyError> {
        match rng_seed {
            Some(seed) => Ok(Self::generate_seeded(seed)),
            None => Self::generate_os(),
        }
    }

    /// The X25519 public key: the Noise static key `s` the server sends, and the key its
    /// certificate is signed for.
    pub fn public_key(&self) -> StaticPublicKey {
        // mul_base_clamped applies the RFC 7748 clamping, so this equals X25519(k, 9).
        StaticPublicKey(MontgomeryPoint::mul_base_clamped(*self.0).to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Certificate;

    #[test]
    fn seeded_generation_is_deterministic() {
        let a = AuthoritySecretKey::generate_seeded([1u8; 32]);
        let b = AuthoritySecretKey::generate_seeded([1u8; 32]);
        let c = AuthoritySecretKey::generate_seeded([2u8; 32]);
        assert_eq!(a.as_bytes(), b.as_bytes());
        assert_ne!(a.as_bytes(), c.as_bytes());
        let s1 = StaticSecretKey::generate_seeded([1u8; 32]);
        let s2 = StaticSecretKey::generate_with(Some([1u8; 32])).unwrap();
        assert_eq!(s1.as_bytes(), s2.as_bytes());
    }

    #[test]
    fn os_generation_gives_distinct_keys() {
        let a = AuthoritySecretKey::generate_os().unwrap();
        let b = AuthoritySecretKey::generate_with(None).unwrap();
        assert_ne!(a.as_bytes(), b.as_bytes());
        let c = StaticSecretKey::generate_os().unwrap();
        let d = StaticSecretKey::generate_os().unwrap();
        assert_ne!(c.as_bytes(), d.as_bytes());
    }

    #[test]
    fn ed25519_public_key_matches_rfc8032() {
        // RFC 8032 §7.1 TEST 1
        let secret = AuthoritySecretKey::from_bytes(
            hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .unwrap()
                .try_into()
                .unwrap(),
        );
        assert_eq!(
            hex::encode(secret.public_key().as_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
    }

    #[test]
    fn x25519_public_key_matches_rfc7748() {
        // RFC 7748 §6.1: Alice's private and public key
        let secret = StaticSecretKey::from_bytes(
            hex::decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
                .unwrap()
                .try_into()
                .unwrap(),
        );
        assert_eq!(
            hex::encode(secret.public_key().as_bytes()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        );
    }

    #[test]
    fn generated_keys_sign_and_verify() {
        let authority = AuthoritySecretKey::generate_seeded([9u8; 32]);
        let server = StaticSecretKey::generate_seeded([10u8; 32]).public_key();
        let cert = Certificate::sign(&authority, &server, 10, 20);
        assert_eq!(cert.verify(&authority.public_key(), &server, 15), Ok(()));
    }

    #[test]
    fn failing_rng_is_reported() {
        struct Broken;
        impl RngCore for Broken {
            fn next_u32(&mut self) -> u32 {
                0
            }
            fn next_u64(&mut self) -> u64 {
                0
            }
            fn fill_bytes(&mut self, _: &mut [u8]) {}
            fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), rand_core::Error> {
                Err(rand_core::Error::new("no entropy"))
            }
        }
        impl CryptoRng for Broken {}
        let err = AuthoritySecretKey::generate(&mut Broken).unwrap_err();
        assert!(err.to_string().contains("no entropy"), "{err}");
        assert!(StaticSecretKey::generate(&mut Broken).is_err());
    }
}
