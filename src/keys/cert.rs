//! Server certificates (spec 3.3.5-3.3.6, CHECKLIST A.3.3, E9).
//!
//! The pool authority signs, with Ed25519, the 78 bytes
//! `version U16 ‖ valid_from U32 ‖ not_valid_after U32 ‖ B0_64K(server static key) ‖
//! B0_64K(authority key)`. The server sends `version`, the validity window and the signature as
//! the SIGNATURE_NOISE_MESSAGE inside Noise message 2; the client rebuilds the signed bytes from
//! the server's static key `s` and the authority key it was configured with.

use super::{AuthorityPublicKey, AuthoritySecretKey, StaticPublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// Size of the signed part of a certificate.
pub const SIGNED_BYTES_LEN: usize = 78;

/// A server certificate: what travels in the SIGNATURE_NOISE_MESSAGE.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Certificate {
    /// Certificate format version; 0 is the only one defined.
    pub version: u16,
    /// Unix time (seconds) from which the certificate is valid.
    pub valid_from: u32,
    /// Unix time (seconds) after which the certificate is no longer valid.
    pub not_valid_after: u32,
    /// Ed25519 signature by the authority over [`Certificate::signed_bytes`].
    pub signature: [u8; 64],
}

/// Why a certificate was refused. Each case is distinct so that operators can tell a
/// misconfigured authority key from a clock problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// The signature does not verify under the configured authority key (wrong authority, or
    /// tampered certificate fields or server key).
    #[error("certificate signature does not verify under the configured authority key")]
    BadSignature,
    /// The configured authority key is not a valid Ed25519 point.
    #[error("the configured authority key is not a valid Ed25519 public key")]
    InvalidAuthorityKey,
    /// `now` is before `valid_from`.
    #[error("certificate is not valid yet (valid from {valid_from}, now {now})")]
    NotYetValid {
        /// Start of validity.
        valid_from: u32,
        /// The time the check was made at.
        now: u64,
    },
    /// `now` is after `not_valid_after`.
    #[error("certificate expired (not valid after {not_valid_after}, now {now})")]
    Expired {
        /// End of validity.
        not_valid_after: u32,
        /// The time the check was made at.
        now: u64,
    },
    /// The SIGNATURE_NOISE_MESSAGE does not have one of the known layouts (74 or 76 bytes).
    #[error("malformed SIGNATURE_NOISE_MESSAGE: {0}")]
    Malformed(&'static str),
}

/// How the signature is laid out inside the SIGNATURE_NOISE_MESSAGE (CHECKLIST E3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SignatureLayout {
    /// 64 raw bytes: 74-byte message (spec text, SRI-2022).
    Raw,
    /// `40 00` length prefix then 64 bytes: 76-byte message (braiins-2021).
    LengthPrefixed,
}

impl SignatureLayout {
    /// Total size of the SIGNATURE_NOISE_MESSAGE in this layout.
    pub fn message_len(self) -> usize {
        match self {
            SignatureLayout::Raw => 74,
            SignatureLayout::LengthPrefixed => 76,
        }
    }
}

impl Certificate {
    /// The 78 bytes the authority signs.
    pub fn signed_bytes(
        version: u16,
        valid_from: u32,
        not_valid_after: u32,
        server_static_key: &StaticPublicKey,
        authority_key: &AuthorityPublicKey,
    ) -> [u8; SIGNED_BYTES_LEN] {
        let mut out = [0u8; SIGNED_BYTES_LEN];
        out[0..2].copy_from_slice(&version.to_le_bytes());
        out[2..6].copy_from_slice(&valid_from.to_le_bytes());
        out[6..10].copy_from_slice(&not_valid_after.to_le_bytes());
        out[10..12].copy_from_slice(&32u16.to_le_bytes());
        out[12..44].copy_from_slice(server_static_key.as_bytes());
        out[44..46].copy_from_slice(&32u16.to_le_bytes());
        out[46..78].copy_from_slice(authority_key.as_bytes());
        out
    }

    /// Signs a version-0 certificate for `server_static_key`, valid in
    /// `[valid_from, not_valid_after]` (unix seconds).
    pub fn sign(
        authority: &AuthoritySecretKey,
        server_static_key: &StaticPublicKey,
        valid_from: u32,
        not_valid_after: u32,
    ) -> Certificate {
        let signing_key = SigningKey::from_bytes(authority.as_bytes());
        let authority_public = AuthorityPublicKey(signing_key.verifying_key().to_bytes());
        let message = Self::signed_bytes(
            0,
            valid_from,
            not_valid_after,
            server_static_key,
            &authority_public,
        );
        Certificate {
            version: 0,
            valid_from,
            not_valid_after,
            signature: signing_key.sign(&message).to_bytes(),
        }
    }

    /// Checks the signature (strict Ed25519 verification) and then the validity window
    /// against `now_unix` (seconds; the library reads no clock, R25).
    pub fn verify(
        &self,
        authority_key: &AuthorityPublicKey,
        server_static_key: &StaticPublicKey,
        now_unix: u64,
    ) -> Result<(), CertificateError> {
        let verifying_key = VerifyingKey::from_bytes(authority_key.as_bytes())
            .map_err(|_| CertificateError::InvalidAuthorityKey)?;
        let message = Self::signed_bytes(
            self.version,
            self.valid_from,
            self.not_valid_after,
            server_static_key,
            authority_key,
        );
        let signature = Signature::from_bytes(&self.signature);
        verifying_key
            .verify_strict(&message, &signature)
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

    /// Serializes the SIGNATURE_NOISE_MESSAGE in the given layout (74 or 76 bytes).
    pub fn encode(&self, layout: SignatureLayout) -> Vec<u8> {
        let mut out = Vec::with_capacity(layout.message_len());
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&self.valid_from.to_le_bytes());
        out.extend_from_slice(&self.not_valid_after.to_le_bytes());
        if layout == SignatureLayout::LengthPrefixed {
            out.extend_from_slice(&64u16.to_le_bytes());
        }
        out.extend_from_slice(&self.signature);
        out
    }

    /// Parses a SIGNATURE_NOISE_MESSAGE, telling the layout by its length (CHECKLIST E3):
    /// 74 bytes = raw signature, 76 bytes with `40 00` at offset 10 = length-prefixed.
    pub fn decode(bytes: &[u8]) -> Result<(Certificate, SignatureLayout), CertificateError> {
        let (layout, signature_at) = match bytes.len() {
            74 => (SignatureLayout::Raw, 10),
            76 if bytes[10..12] == [0x40, 0x00] => (SignatureLayout::LengthPrefixed, 12),
            76 => {
                return Err(CertificateError::Malformed(
                    "76-byte message without the 64-byte signature length prefix",
                ))
            }
            _ => {
                return Err(CertificateError::Malformed(
                    "length is neither 74 nor 76 bytes",
                ))
            }
        };
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&bytes[signature_at..signature_at + 64]);
        let certificate = Certificate {
            version: u16::from_le_bytes([bytes[0], bytes[1]]),
            valid_from: u32::from_le_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]),
            not_valid_after: u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]),
            signature,
        };
        Ok((certificate, layout))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (AuthoritySecretKey, AuthorityPublicKey, StaticPublicKey) {
        let secret = AuthoritySecretKey::from_bytes([7u8; 32]);
        let public = AuthorityPublicKey(
            SigningKey::from_bytes(&[7u8; 32])
                .verifying_key()
                .to_bytes(),
        );
        (secret, public, StaticPublicKey([9u8; 32]))
    }

    #[test]
    fn sign_then_verify_within_window() {
        // R24, R25
        let (secret, public, server) = keys();
        let cert = Certificate::sign(&secret, &server, 100, 200);
        assert_eq!(cert.verify(&public, &server, 150), Ok(()));
        assert_eq!(cert.verify(&public, &server, 100), Ok(()));
        assert_eq!(cert.verify(&public, &server, 200), Ok(()));
        assert!(matches!(
            cert.verify(&public, &server, 99),
            Err(CertificateError::NotYetValid { .. })
        ));
        assert!(matches!(
            cert.verify(&public, &server, 201),
            Err(CertificateError::Expired { .. })
        ));
    }

    #[test]
    fn tampering_or_wrong_authority_fails() {
        // R24: flip one bit of valid_from; another authority; another server key
        let (secret, public, server) = keys();
        let cert = Certificate::sign(&secret, &server, 100, 200);
        let mut tampered = cert;
        tampered.valid_from ^= 1;
        assert_eq!(
            tampered.verify(&public, &server, 150),
            Err(CertificateError::BadSignature)
        );
        let other = AuthorityPublicKey(
            SigningKey::from_bytes(&[8u8; 32])
                .verifying_key()
                .to_bytes(),
        );
        assert_eq!(
            cert.verify(&other, &server, 150),
            Err(CertificateError::BadSignature)
        );
        assert_eq!(
            cert.verify(&public, &StaticPublicKey([10u8; 32]), 150),
            Err(CertificateError::BadSignature)
        );
    }

    #[test]
    fn both_layouts_round_trip() {
        // E3: 74 bytes raw, 76 bytes with 40 00 before the signature
        let (secret, _, server) = keys();
        let cert = Certificate::sign(&secret, &server, 0, u32::MAX);
        let raw = cert.encode(SignatureLayout::Raw);
        let prefixed = cert.encode(SignatureLayout::LengthPrefixed);
        assert_eq!(raw.len(), 74);
        assert_eq!(prefixed.len(), 76);
        assert_eq!(
            &prefixed[..12],
            &[0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x40, 0x00]
        );
        assert_eq!(Certificate::decode(&raw), Ok((cert, SignatureLayout::Raw)));
        assert_eq!(
            Certificate::decode(&prefixed),
            Ok((cert, SignatureLayout::LengthPrefixed))
        );
        assert!(Certificate::decode(&raw[..73]).is_err());
        let mut bad = prefixed.clone();
        bad[10] = 0x41;
        assert!(Certificate::decode(&bad).is_err());
    }
}
