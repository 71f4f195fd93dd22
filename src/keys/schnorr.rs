//! Keys and certificates of the spec-2025 dialect (sv2-spec 0f38d51 §4.3.1, §4.5.3, §4.7):
//! secp256k1 authority and server keys, BIP340 Schnorr certificates, and the versioned key text
//! `Base58Check(01 00 ‖ 32-byte x-only key)` (38 bytes decoded).
//!
//! Separate types from the 2022 Ed25519/X25519 ones so that a key of one generation can never be
//! handed to the other's handshake. Secret keys are zeroized when dropped.

use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, OsRng, RngCore, SeedableRng};
use secp256k1::{schnorr, Keypair, Message, Secp256k1, SecretKey, XOnlyPublicKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::text::{CHECKSUM_LEN, SECP256K1_DECODED_LEN};
use super::{CertificateError, EntropyError, KeyTextError};

/// The version prefix of a spec-2025 key text: a little-endian U16 `1` (§4.7).
pub const KEY_TEXT_VERSION: [u8; 2] = [0x01, 0x00];
/// The certificate format version every deployed spec-2025 implementation sends and requires
/// (SRI `noise_sv2::CERTIFICATE_VERSION`).
pub const CERTIFICATE_VERSION_2025: u16 = 0;
/// Size of the spec-2025 SIGNATURE_NOISE_MESSAGE: version ‖ valid_from ‖ not_valid_after ‖
/// 64-byte BIP340 signature.
pub const SCHNORR_SNM_LEN: usize = 2 + 4 + 4 + 64;

/// A secp256k1 secret key: a spec-2025 pool authority key or a server's Noise static key (the
/// spec uses one key type for both). Zeroized on drop.
#[derive(Clone)]
pub struct Secp256k1SecretKey(Zeroizing<[u8; 32]>);

/// A 32-byte BIP340 x-only secp256k1 public key: the spec-2025 authority key (in the URL) or a
/// server's static key as certificates sign it. Always a valid curve point.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct XOnlyKey([u8; 32]);

impl Secp256k1SecretKey {
    /// Wraps 32 bytes, refusing zero and values ≥ the group order (§4.3.1 key generation, step 3).
    pub fn from_bytes_checked(bytes: [u8; 32]) -> Result<Self, KeyTextError> {
        SecretKey::from_slice(&bytes).map_err(|_| KeyTextError::InvalidSecp256k1Key)?;
        Ok(Self(Zeroizing::new(bytes)))
    }

    /// The 32 secret bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Generates a key from `rng` (rejection sampling: a draw outside 1..n is discarded, which
    /// happens with probability below 2^-127).
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Result<Self, EntropyError> {
        loop {
            let mut bytes = Zeroizing::new([0u8; 32]);
            rng.try_fill_bytes(&mut bytes[..])
                .map_err(|e| EntropyError::from_message(e.to_string()))?;
            if let Ok(key) = Self::from_bytes_checked(*bytes) {
                return Ok(key);
            }
        }
    }

    /// Generates a key from the operating system's RNG.
    pub fn generate_os() -> Result<Self, EntropyError> {
        Self::generate(&mut OsRng)
    }

    /// Generates a key deterministically from `rng_seed` (ChaCha20), as the 2022 generators do.
    pub fn generate_seeded(rng_seed: [u8; 32]) -> Self {
        let mut rng = ChaCha20Rng::from_seed(rng_seed);
        loop {
            let mut bytes = Zeroizing::new([0u8; 32]);
            rng.fill_bytes(&mut bytes[..]);
            if let Ok(key) = Self::from_bytes_checked(*bytes) {
                return key;
            }
        }
    }

    pub(crate) fn secret_key(&self) -> SecretKey {
        // Validated at construction.
        SecretKey::from_slice(&self.0[..]).expect("validated secp256k1 secret key")
    }

    pub(crate) fn keypair(&self) -> Keypair {
        Keypair::from_secret_key(&Secp256k1::signing_only(), &self.secret_key())
    }

    /// The x-only public key (BIP340): what goes into the URL for an authority, and what the
    /// certificate signs for a server.
    pub fn x_only_public_key(&self) -> XOnlyKey {
        XOnlyKey(self.keypair().x_only_public_key().0.serialize())
    }
}

impl std::fmt::Debug for Secp256k1SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secp256k1SecretKey(<redacted>)")
    }
}

impl XOnlyKey {
    /// Wraps 32 bytes after checking they are the x coordinate of a curve point.
    pub fn from_bytes_checked(bytes: [u8; 32]) -> Result<Self, KeyTextError> {
        XOnlyPublicKey::from_slice(&bytes).map_err(|_| KeyTextError::InvalidSecp256k1Key)?;
        Ok(Self(bytes))
    }

    /// The 32 key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub(crate) fn to_secp(self) -> XOnlyPublicKey {
        XOnlyPublicKey::from_slice(&self.0).expect("validated x-only key")
    }

    /// The spec-2025 key text: `Base58Check(01 00 ‖ key)` (§4.7).
    pub fn to_text(&self) -> String {
        let mut payload = [0u8; SECP256K1_DECODED_LEN];
        payload[..2].copy_from_slice(&KEY_TEXT_VERSION);
        payload[2..34].copy_from_slice(&self.0);
        let digest = Sha256::digest(Sha256::digest(&payload[..34]));
        payload[34..].copy_from_slice(&digest[..CHECKSUM_LEN]);
        bs58::encode(&payload[..]).into_string()
    }

    /// Parses spec-2025 key text (38 bytes decoded, version `01 00`, checksum, valid point).
    pub fn from_text(text: &str) -> Result<Self, KeyTextError> {
        let bytes = super::text::decode_secp256k1_key(text)?;
        Self::from_bytes_checked(bytes)
    }
}

impl std::fmt::Debug for XOnlyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "XOnlyKey(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl std::fmt::Display for XOnlyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl std::str::FromStr for XOnlyKey {
    type Err = KeyTextError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_text(s)
    }
}

/// A spec-2025 server certificate as it travels in the SIGNATURE_NOISE_MESSAGE (74 bytes): the
/// validity window and the authority's BIP340 signature over
/// `SHA256(version ‖ valid_from ‖ not_valid_after ‖ server x-only key)` (§4.5.3.1). The authority
/// key is not signed, unlike 2022.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SchnorrCertificate {
    /// Certificate format version; 0 ([`CERTIFICATE_VERSION_2025`]) is the only one in use.
    pub version: u16,
    /// Start of validity (unix seconds).
    pub valid_from: u32,
    /// End of validity (unix seconds, inclusive).
    pub not_valid_after: u32,
    /// BIP340 signature `R.x ‖ s`.
    pub signature: [u8; 64],
}

impl SchnorrCertificate {
    /// The 32-byte message the authority signs (§4.5.3.1; little-endian integers as everywhere
    /// in SV2).
    pub fn signed_digest(
        version: u16,
        valid_from: u32,
        not_valid_after: u32,
        server_key: &XOnlyKey,
    ) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(version.to_le_bytes());
        hasher.update(valid_from.to_le_bytes());
        hasher.update(not_valid_after.to_le_bytes());
        hasher.update(server_key.as_bytes());
        hasher.finalize().into()
    }

    /// Signs a certificate for `server_key`. `aux_rand` is BIP340's auxiliary randomness (fresh
    /// random bytes in production; fixed bytes give reproducible signatures).
    pub fn sign(
        authority: &Secp256k1SecretKey,
        server_key: &XOnlyKey,
        valid_from: u32,
        not_valid_after: u32,
        aux_rand: &[u8; 32],
    ) -> Self {
        let version = CERTIFICATE_VERSION_2025;
        let digest = Self::signed_digest(version, valid_from, not_valid_after, server_key);
        let signature = Secp256k1::signing_only().sign_schnorr_with_aux_rand(
            &Message::from_digest(digest),
            &authority.keypair(),
            aux_rand,
        );
        SchnorrCertificate {
            version,
            valid_from,
            not_valid_after,
            signature: signature.serialize(),
        }
    }

    /// Checks the signature under `authority` and then the validity window at `now_unix` (R24,
    /// R25 as for 2022: both bounds inclusive, no leeway — the caller's clock is authoritative).
    pub fn verify(
        &self,
        authority: &XOnlyKey,
        server_key: &XOnlyKey,
        now_unix: u64,
    ) -> Result<(), CertificateError> {
        if self.version != CERTIFICATE_VERSION_2025 {
            return Err(CertificateError::Malformed(
                "unknown spec-2025 certificate version",
            ));
        }
        let digest = Self::signed_digest(
            self.version,
            self.valid_from,
            self.not_valid_after,
            server_key,
        );
        let signature = schnorr::Signature::from_slice(&self.signature)
            .map_err(|_| CertificateError::BadSignature)?;
        Secp256k1::verification_only()
            .verify_schnorr(
                &signature,
                &Message::from_digest(digest),
                &authority.to_secp(),
            )
            .map_err(|_| CertificateError::BadSignature)?;
        if now_unix < u64::from(self.valid_from) {
            return Err(CertificateError::NotYetValid {
                valid_from: self.valid_from,
                now: now_unix,
            });
        }
        if now_unix > u64::from(self.not_valid_after) {
            return Err(CertificateError::Expired {
                not_valid_after: self.not_valid_after,
                now: now_unix,
            });
        }
        Ok(())
    }

    /// The 74-byte SIGNATURE_NOISE_MESSAGE.
    pub fn encode(&self) -> [u8; SCHNORR_SNM_LEN] {
        let mut out = [0u8; SCHNORR_SNM_LEN];
        out[..2].copy_from_slice(&self.version.to_le_bytes());
        out[2..6].copy_from_slice(&self.valid_from.to_le_bytes());
        out[6..10].copy_from_slice(&self.not_valid_after.to_le_bytes());
        out[10..].copy_from_slice(&self.signature);
        out
    }

    /// Parses a 74-byte SIGNATURE_NOISE_MESSAGE.
    pub fn decode(bytes: &[u8]) -> Result<Self, CertificateError> {
        let bytes: &[u8; SCHNORR_SNM_LEN] = bytes.try_into().map_err(|_| {
            CertificateError::Malformed("a spec-2025 SIGNATURE_NOISE_MESSAGE has 74 bytes")
        })?;
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&bytes[10..]);
        Ok(SchnorrCertificate {
            version: u16::from_le_bytes([bytes[0], bytes[1]]),
            valid_from: u32::from_le_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]),
            not_valid_after: u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]),
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §4.7.1 test vector: the same 32 key bytes as the 2022 example key.
    const VECTOR_KEY: [u8; 32] = [
        118, 99, 112, 0, 151, 156, 28, 17, 175, 12, 48, 11, 205, 140, 127, 228, 134, 16, 252, 233,
        185, 193, 30, 61, 174, 227, 90, 224, 176, 138, 116, 85,
    ];
    const VECTOR_TEXT: &str = "9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh";

    #[test]
    fn key_text_2025_test_vector_both_ways() {
        let key = XOnlyKey::from_text(VECTOR_TEXT).unwrap();
        assert_eq!(key.as_bytes(), &VECTOR_KEY);
        assert_eq!(
            XOnlyKey::from_bytes_checked(VECTOR_KEY).unwrap().to_text(),
            VECTOR_TEXT
        );
    }

    #[test]
    fn key_text_2025_refuses_2022_text_and_bad_checksum() {
        // The 2022 text of the same key bytes decodes to 36 bytes.
        let old = crate::keys::text::encode_key(&VECTOR_KEY);
        assert!(XOnlyKey::from_text(&old).is_err());
        let mut bad = VECTOR_TEXT.to_string();
        bad.replace_range(5..6, "a");
        assert!(matches!(
            XOnlyKey::from_text(&bad),
            Err(KeyTextError::BadChecksum { .. })
        ));
    }

    #[test]
    fn seeded_generation_is_deterministic() {
        let a = Secp256k1SecretKey::generate_seeded([7; 32]);
        let b = Secp256k1SecretKey::generate_seeded([7; 32]);
        assert_eq!(a.as_bytes(), b.as_bytes());
        assert_eq!(a.x_only_public_key(), b.x_only_public_key());
        assert_ne!(
            a.x_only_public_key(),
            Secp256k1SecretKey::generate_seeded([8; 32]).x_only_public_key()
        );
        assert!(Secp256k1SecretKey::from_bytes_checked([0; 32]).is_err());
        assert!(Secp256k1SecretKey::from_bytes_checked([0xff; 32]).is_err());
    }

    #[test]
    fn schnorr_certificate_sign_verify_and_window() {
        let authority = Secp256k1SecretKey::generate_seeded([1; 32]);
        let server = Secp256k1SecretKey::generate_seeded([2; 32]).x_only_public_key();
        let cert = SchnorrCertificate::sign(&authority, &server, 100, 200, &[0; 32]);
        let a = authority.x_only_public_key();
        assert_eq!(SchnorrCertificate::decode(&cert.encode()).unwrap(), cert);
        cert.verify(&a, &server, 100).unwrap();
        cert.verify(&a, &server, 200).unwrap();
        assert!(matches!(
            cert.verify(&a, &server, 99),
            Err(CertificateError::NotYetValid { .. })
        ));
        assert!(matches!(
            cert.verify(&a, &server, 201),
            Err(CertificateError::Expired { .. })
        ));
        let other = Secp256k1SecretKey::generate_seeded([3; 32]).x_only_public_key();
        assert_eq!(
            cert.verify(&other, &server, 150),
            Err(CertificateError::BadSignature)
        );
        assert_eq!(
            cert.verify(&a, &other, 150),
            Err(CertificateError::BadSignature)
        );
        let mut tampered = cert;
        tampered.not_valid_after = 300;
        assert_eq!(
            tampered.verify(&a, &server, 150),
            Err(CertificateError::BadSignature)
        );
        assert!(SchnorrCertificate::decode(&[0; 73]).is_err());
    }

    #[test]
    fn signed_digest_is_sha256_of_the_spec_fields() {
        // §4.5.3.1: m = SHA-256(version ‖ valid_from ‖ not_valid_after ‖ server x-only key).
        let server = XOnlyKey::from_bytes_checked(VECTOR_KEY).unwrap();
        let mut data = vec![0u8, 0];
        data.extend_from_slice(&1u32.to_le_bytes());
        data.extend_from_slice(&2u32.to_le_bytes());
        data.extend_from_slice(&VECTOR_KEY);
        let expected: [u8; 32] = Sha256::digest(&data).into();
        assert_eq!(
            SchnorrCertificate::signed_digest(0, 1, 2, &server),
            expected
        );
    }
}
