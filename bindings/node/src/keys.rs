//! Keys (key text format), server certificates and pool URLs.

use crate::conv::{bytes_out, u256_of};
use crate::errors::{invalid, js, Result};
use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;
use sv2::keys::{
    AuthorityPublicKey, AuthoritySecretKey, Host, PoolUrl as CorePoolUrl, Security,
    ServerCertificate as CoreCert, StaticPublicKey, StaticSecretKey,
};

/// A secret key and its public key, both in the key text format (Base58Check).
#[napi(object)]
pub struct Keypair {
    /// The secret key text. Keep it secret.
    pub secret_key: String,
    /// The public key text.
    pub public_key: String,
}

fn seed_of(seed: Option<Uint8Array>) -> Result<Option<[u8; 32]>> {
    seed.map(|s| u256_of("seed", &s).map(|u| u.0)).transpose()
}

/// A new pool authority key (Ed25519): its public key goes into pool URLs and verifies
/// certificates. `seed` (32 bytes) makes it reproducible, for tests only.
#[napi]
pub fn generate_authority_keypair(seed: Option<Uint8Array>) -> Result<Keypair> {
    let key = AuthoritySecretKey::generate_with(seed_of(seed)?).map_err(js)?;
    Ok(Keypair {
        secret_key: key.to_text_secret().to_string(),
        public_key: key.public_key().to_text(),
    })
}

/// A new server static key (X25519, the Noise `s`). `seed` as for the authority key.
#[napi]
pub fn generate_server_keypair(seed: Option<Uint8Array>) -> Result<Keypair> {
    let key = StaticSecretKey::generate_with(seed_of(seed)?).map_err(js)?;
    Ok(Keypair {
        secret_key: key.to_text_secret().to_string(),
        public_key: key.public_key().to_text(),
    })
}

/// The public key text of an authority secret key text.
#[napi]
pub fn authority_public_key(secret_key: String) -> Result<String> {
    let key = AuthoritySecretKey::from_text(&secret_key).map_err(js)?;
    Ok(key.public_key().to_text())
}

/// The public key text of a server secret key text.
#[napi]
pub fn server_public_key(secret_key: String) -> Result<String> {
    let key = StaticSecretKey::from_text(&secret_key).map_err(js)?;
    Ok(key.public_key().to_text())
}

/// Which kind of key a key text is checked as.
#[napi(string_enum)]
pub enum KeyKind {
    /// An authority's Ed25519 public key (must be a valid curve point).
    #[napi(value = "authority-public")]
    AuthorityPublic,
    /// A server's X25519 public key.
    #[napi(value = "server-public")]
    ServerPublic,
    /// A secret key (32 bytes).
    #[napi(value = "secret")]
    Secret,
}

/// The 32 raw bytes of a key text (throws `NoiseError` `SV2_ERR_KEY_*` on a bad key).
#[napi]
pub fn decode_key(text: String, kind: Option<KeyKind>) -> Result<Uint8Array> {
    let bytes = match kind.unwrap_or(KeyKind::AuthorityPublic) {
        KeyKind::AuthorityPublic => *AuthorityPublicKey::from_text(&text).map_err(js)?.as_bytes(),
        KeyKind::ServerPublic => *StaticPublicKey::from_text(&text).map_err(js)?.as_bytes(),
        KeyKind::Secret => *sv2::keys::text::decode_key(&text).map_err(js)?,
    };
    Ok(bytes_out(&bytes))
}

/// The key text of 32 raw key bytes.
#[napi]
pub fn encode_key(bytes: Uint8Array) -> Result<String> {
    let key = u256_of("key", &bytes)?;
    Ok(sv2::keys::text::encode_key(&key.0).to_string())
}

/// A server certificate: what the authority signed for a server key.
#[napi(object)]
pub struct ServerCertificate {
    /// Format version (0).
    pub version: u32,
    /// Unix seconds from which it is valid.
    pub valid_from: u32,
    /// Unix seconds after which it is no longer valid.
    pub not_valid_after: u32,
    /// The server's static public key (key text).
    pub server_public_key: String,
    /// The signing authority's public key (key text).
    pub authority_public_key: String,
    /// The 64-byte Ed25519 signature.
    pub signature: Uint8Array,
    /// The certificate file text (what `ServerConfig.certificate` takes).
    pub text: String,
}

fn cert_out(c: &CoreCert) -> ServerCertificate {
    ServerCertificate {
        version: u32::from(c.certificate.version),
        valid_from: c.certificate.valid_from,
        not_valid_after: c.certificate.not_valid_after,
        server_public_key: c.server_public_key.to_text(),
        authority_public_key: c.authority_public_key.to_text(),
        signature: bytes_out(&c.certificate.signature),
        text: c.to_text(),
    }
}

/// Certificate request for `signCertificate`.
#[napi(object)]
pub struct CertificateRequest {
    /// The authority's secret key text.
    pub authority_secret_key: String,
    /// The server's static public key text.
    pub server_public_key: String,
    /// Unix seconds, inclusive (an integer 0..=4294967295: seconds, not `Date.now()`'s ms).
    pub valid_from: f64,
    /// Unix seconds, inclusive (an integer 0..=4294967295).
    pub not_valid_after: f64,
}

/// Signs a version-0 certificate for a server key.
#[napi]
pub fn sign_certificate(request: CertificateRequest) -> Result<ServerCertificate> {
    let authority = AuthoritySecretKey::from_text(&request.authority_secret_key).map_err(js)?;
    let server = StaticPublicKey::from_text(&request.server_public_key).map_err(js)?;
    let valid_from = crate::conv::u32_arg("validFrom", request.valid_from)?;
    let not_valid_after = crate::conv::u32_arg("notValidAfter", request.not_valid_after)?;
    let cert = CoreCert::sign(&authority, server, valid_from, not_valid_after).map_err(js)?;
    Ok(cert_out(&cert))
}

/// Parses certificate file text (checks its own signature).
#[napi]
pub fn parse_certificate(text: String) -> Result<ServerCertificate> {
    Ok(cert_out(&CoreCert::from_text(&text).map_err(js)?))
}

/// Verifies certificate text against the authority key the caller trusts, at `nowUnix`
/// seconds (default: now). Throws `NoiseError` (`SV2_ERR_CERT_*`) when it does not verify.
#[napi]
pub fn verify_certificate(
    text: String,
    trusted_authority: String,
    now_unix: Option<f64>,
) -> Result<()> {
    let cert = CoreCert::from_text(&text).map_err(js)?;
    let trusted = AuthorityPublicKey::from_text(&trusted_authority).map_err(js)?;
    cert.verify(
        &trusted,
        now_unix.map_or_else(crate::unix_now, |n| n as u64),
    )
    .map_err(js)
}

/// A parsed pool URL.
#[napi(object)]
pub struct PoolUrl {
    /// The host: a lowercased DNS name, an IPv4 address, or an IPv6 address without brackets.
    pub host: String,
    /// The port.
    pub port: u32,
    /// `'noise'` (`stratum2+tcp://host:port/<authority key>`) or `'plaintext'`
    /// (`stratum2+tcp+plain://host:port`, local networks only).
    #[napi(ts_type = "'noise' | 'plaintext'")]
    pub security: String,
    /// The authority key text of a Noise URL.
    pub authority_key: Option<String>,
    /// The canonical URL.
    pub url: String,
}

/// Parses a pool URL (throws `NoiseError` `SV2_ERR_URL_*` with a message saying what to fix).
#[napi]
pub fn parse_pool_url(url: String) -> Result<PoolUrl> {
    let u = CorePoolUrl::parse(&url)
        .and_then(CorePoolUrl::require_2022)
        .map_err(js)?;
    let host = match &u.host {
        Host::Domain(d) => d.clone(),
        Host::Ipv4(a) => a.to_string(),
        Host::Ipv6(a) => a.to_string(),
    };
    let (security, authority_key) = match &u.security {
        Security::Noise { authority_key } => ("noise", Some(authority_key.to_text())),
        Security::Plaintext => ("plaintext", None),
        // Refused by `require_2022` above; never reported as plaintext.
        Security::Spec2025 { .. } => return Err(invalid("spec-2025 pool URL")),
    };
    Ok(PoolUrl {
        host,
        port: u32::from(u.port),
        security: security.to_string(),
        authority_key,
        url: u.to_string(),
    })
}

/// Builds a pool URL from its parts (validated by parsing it back).
#[napi]
pub fn format_pool_url(host: String, port: u32, authority_key: Option<String>) -> Result<String> {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host
    };
    if port == 0 || port > 65535 {
        return Err(invalid("port must be 1..=65535"));
    }
    let text = match authority_key {
        Some(k) => format!("stratum2+tcp://{host}:{port}/{k}"),
        None => format!("stratum2+tcp+plain://{host}:{port}"),
    };
    Ok(CorePoolUrl::parse(&text).map_err(js)?.to_string())
}
