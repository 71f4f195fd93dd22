//! Key types: the pool authority key (Ed25519, signs certificates) and the server static key
//! (X25519, the Noise `s`). Two different curves, so two different types that cannot be mixed up.
//!
//! Secret keys are zeroized when dropped.

mod cert;
pub use cert::{Certificate, CertificateError, SignatureLayout, SIGNED_BYTES_LEN};

use zeroize::Zeroizing;

/// Ed25519 public key of a pool authority: the key in `stratum2+tcp://host:port/<key>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuthorityPublicKey(pub(crate) [u8; 32]);

/// Ed25519 secret key (the 32-byte seed) of a pool authority. Zeroized on drop.
#[derive(Clone)]
pub struct AuthoritySecretKey(pub(crate) Zeroizing<[u8; 32]>);

/// X25519 public key of a server: the Noise static key `s`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StaticPublicKey(pub(crate) [u8; 32]);

/// X25519 secret key of a server. Zeroized on drop.
#[derive(Clone)]
pub struct StaticSecretKey(pub(crate) Zeroizing<[u8; 32]>);

impl AuthorityPublicKey {
    /// Wraps 32 raw key bytes (no validation beyond the length; verification rejects bad keys).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
    /// The 32 raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl AuthoritySecretKey {
    /// Wraps a 32-byte Ed25519 seed.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }
    /// The 32-byte Ed25519 seed.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl StaticPublicKey {
    /// Wraps 32 raw X25519 public key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
    /// The 32 raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl StaticSecretKey {
    /// Wraps 32 raw X25519 secret key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }
    /// The 32 raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for AuthoritySecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthoritySecretKey(<redacted>)")
    }
}

impl std::fmt::Debug for StaticSecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticSecretKey(<redacted>)")
    }
}

impl std::fmt::Debug for AuthorityPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuthorityPublicKey(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl std::fmt::Debug for StaticPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StaticPublicKey(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}
