//! Key types: the pool authority key (Ed25519, signs certificates) and the server static key
//! (X25519, the Noise `s`). Two different curves, so two different types that cannot be mixed up.
//!
//! Secret keys are zeroized when dropped.
//!
//! * [`text`]: the key text format (Base58Check without version byte), `FromStr`/`Display`.
//! * generation ([`AuthoritySecretKey::generate_os`], seeded variants) and derivation
//!   ([`AuthoritySecretKey::public_key`], [`StaticSecretKey::public_key`]).
//! * [`mod@file`]: key and certificate files, and the operations behind `sv2 key`.
//! * [`ServerCertificate`]: a certificate with the keys it binds, and its text format.
//! * [`SchnorrCertificate`], [`Secp256k1SecretKey`], [`XOnlyKey`]: the spec-2025 dialect's
//!   secp256k1 keys, BIP340 certificates and versioned key text.
//! * [`foreign`]: the key files of the deployed tools (Braiins JSON, SRI TOML), read by the
//!   same loaders.
//! * [`url`]: pool URLs `stratum2+tcp://host:port/<authority key>` and the explicit plaintext
//!   form `stratum2+tcp+plain://host:port`.

mod cert;
mod cert_file;
pub mod file;
mod file2025;
pub mod foreign;
mod generate;
mod schnorr;
pub mod text;
pub mod url;
pub use cert::{Certificate, CertificateError, SignatureLayout, SIGNED_BYTES_LEN};
pub use cert_file::{CertificateCheckError, EmptyValidityError, ServerCertificate};
pub use file::{
    generate_authority_key_files, generate_server_key_files, sign_certificate_file,
    verify_certificate_file, FileFormatError, FileKind, KeyFile, KeyFileError,
};
pub use file2025::{
    generate_spec_2025_key_files, sign_spec_2025_certificate_file, spec_2025_public_key_arg,
    verify_spec_2025_certificate_file, Spec2025FileError, Spec2025FileKind, Spec2025KeyFile,
    Spec2025ServerCertificate,
};
pub use foreign::ForeignFormat;
pub use generate::EntropyError;
pub use schnorr::{
    SchnorrCertificate, Secp256k1SecretKey, XOnlyKey, CERTIFICATE_VERSION_2025, KEY_TEXT_VERSION,
    SCHNORR_SNM_LEN,
};
pub use text::KeyTextError;
pub use url::{Host, PoolUrl, Security, UrlError};

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
