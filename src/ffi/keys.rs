//! Keys, key text, certificates and pool URLs: the operations behind `sv2 key`, without files.
//!
//! Keys cross the boundary as raw 32-byte arrays: an authority key pair is Ed25519 (the secret
//! is the 32-byte seed), a server key pair is X25519. Secret keys copied into the library are
//! zeroized when dropped; the caller's copies are the caller's to wipe.

use super::*;
use crate::keys::text::{decode_key, encode_key};
use crate::keys::{
    AuthorityPublicKey, AuthoritySecretKey, Certificate, Host, PoolUrl, Security,
    ServerCertificate, StaticPublicKey, StaticSecretKey,
};

/// Size of a key (public or secret) in bytes.
pub const SV2_KEY_LEN: usize = 32;
/// A buffer of this size holds any key text with its NUL (`sv2_key_to_text()`).
pub const SV2_KEY_TEXT_SIZE: usize = 64;
/// A buffer of this size holds any certificate text with its NUL (`sv2_certificate_to_text()`).
pub const SV2_CERTIFICATE_TEXT_SIZE: usize = 512;

/// A server certificate with the two keys it binds (spec 3.3.6): what the pool authority signs
/// and what a server needs for `sv2_server_config_set_noise()`. Plain data, caller-allocated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_certificate {
    /// Certificate format version (0).
    pub version: u16,
    /// Unix time (seconds) from which the certificate is valid, inclusive.
    pub valid_from: u32,
    /// Unix time (seconds) after which it is no longer valid, inclusive.
    pub not_valid_after: u32,
    /// The server's X25519 static public key the certificate was signed for.
    pub server_public_key: [u8; 32],
    /// The Ed25519 public key of the authority that signed it.
    pub authority_public_key: [u8; 32],
    /// The Ed25519 signature over the 78 signed bytes.
    pub signature: [u8; 64],
}

impl sv2_certificate {
    pub(crate) fn to_core(self) -> Certificate {
        Certificate {
            version: self.version,
            valid_from: self.valid_from,
            not_valid_after: self.not_valid_after,
            signature: self.signature,
        }
    }
    fn to_server_certificate(self) -> ServerCertificate {
        ServerCertificate {
            certificate: self.to_core(),
            server_public_key: StaticPublicKey::from_bytes(self.server_public_key),
            authority_public_key: AuthorityPublicKey::from_bytes(self.authority_public_key),
        }
    }
    fn from_server_certificate(c: &ServerCertificate) -> Self {
        sv2_certificate {
            version: c.certificate.version,
            valid_from: c.certificate.valid_from,
            not_valid_after: c.certificate.not_valid_after,
            server_public_key: *c.server_public_key.as_bytes(),
            authority_public_key: *c.authority_public_key.as_bytes(),
            signature: c.certificate.signature,
        }
    }
}

/// A parsed pool URL (`stratum2+tcp://host:port/<authority key>` or
/// `stratum2+tcp+plain://host:port`). Plain data, caller-allocated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_pool_url {
    /// The host, NUL-terminated: a lowercased DNS name or an IP address (IPv6 without brackets,
    /// ready for `getaddrinfo()`). `char`, so that it passes to the C string functions as is.
    pub host: [c_char; 256],
    /// The TCP port.
    pub port: u16,
    /// True for Noise (`stratum2+tcp://`), false for explicit plaintext.
    pub noise: bool,
    /// The pool authority's Ed25519 public key when `noise` is true (zeros otherwise).
    pub authority_key: [u8; 32],
}

/// A string argument that is not UTF-8 gets the area's code; NULL stays `SV2_ERR_NULL_ARG`.
fn recode(e: Error, code: sv2_result) -> Error {
    if e.code == SV2_ERR_NULL_ARG {
        e
    } else {
        Error::new(code, e.message)
    }
}

fn generate_pair(
    seed: *const u8,
    secret_out: *mut u8,
    public_out: *mut u8,
    make: impl FnOnce(Option<[u8; 32]>) -> Result<([u8; 32], [u8; 32]), Error>,
) -> sv2_result {
    boundary(|| {
        let secret_out = out_ptr(secret_out, "secret_out")?;
        let public_out = out_ptr(public_out, "public_out")?;
        let seed = if seed.is_null() {
            None
        } else {
            Some(in_array::<32>(seed, "seed")?)
        };
        let (secret, public) = make(seed)?;
        write_array(secret_out, &secret);
        write_array(public_out, &public);
        Ok(())
    })
}

/// Generates a pool authority key pair (Ed25519), which signs server certificates.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_RNG` if the OS random source failed.
/// In: `seed`: 32 bytes making the generation reproducible (tests, or devices bringing their own
/// entropy), or NULL for the OS random source.
/// Out: `secret_out`: 32 bytes (keep it secret). `public_out`: 32 bytes (the key of the pool
/// URL).
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_authority_key_generate(
    seed: *const u8,
    secret_out: *mut u8,
    public_out: *mut u8,
) -> sv2_result {
    generate_pair(seed, secret_out, public_out, |seed| {
        let secret = AuthoritySecretKey::generate_with(seed)?;
        Ok((*secret.as_bytes(), *secret.public_key().as_bytes()))
    })
}

/// Generates a server static key pair (X25519): the Noise key a pool server proves with its
/// certificate.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_RNG`.
/// In: `seed`: 32 bytes or NULL (as `sv2_authority_key_generate()`).
/// Out: `secret_out`, `public_out`: 32 bytes each.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_key_generate(
    seed: *const u8,
    secret_out: *mut u8,
    public_out: *mut u8,
) -> sv2_result {
    generate_pair(seed, secret_out, public_out, |seed| {
        let secret = StaticSecretKey::generate_with(seed)?;
        Ok((*secret.as_bytes(), *secret.public_key().as_bytes()))
    })
}

/// Derives the public key of an authority secret key (Ed25519).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// In: `secret`: 32 bytes. Out: `public_out`: 32 bytes.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_authority_public_key(secret: *const u8, public_out: *mut u8) -> sv2_result {
    boundary(|| {
        let out = out_ptr(public_out, "public_out")?;
        let secret = AuthoritySecretKey::from_bytes(in_array::<32>(secret, "secret")?);
        write_array(out, secret.public_key().as_bytes());
        Ok(())
    })
}

/// Derives the public key of a server secret key (X25519).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// In: `secret`: 32 bytes. Out: `public_out`: 32 bytes.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_public_key(secret: *const u8, public_out: *mut u8) -> sv2_result {
    boundary(|| {
        let out = out_ptr(public_out, "public_out")?;
        let secret = StaticSecretKey::from_bytes(in_array::<32>(secret, "secret")?);
        write_array(out, secret.public_key().as_bytes());
        Ok(())
    })
}

/// Writes a key (any of the four kinds) as key text: Base58Check of the 32 bytes, the form of
/// pool URLs and key files.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_BUFFER_TOO_SMALL` (`*size_out` tells the
/// size needed; `SV2_KEY_TEXT_SIZE` is always enough).
/// In: `key`: 32 bytes. Out: `buf`/`cap`: receives the NUL-terminated text. `size_out`: the
/// buffer size the text needs, NUL included (written on success and on
/// `SV2_ERR_BUFFER_TOO_SMALL`).
/// Allocates: yes (temporarily; wiped).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_key_to_text(
    key: *const u8,
    buf: *mut c_char,
    cap: usize,
    size_out: *mut usize,
) -> sv2_result {
    boundary(|| {
        out_ptr(size_out, "size_out")?;
        let key = zeroize::Zeroizing::new(in_array::<32>(key, "key")?);
        let text = encode_key(&key);
        copy_text_out(&text, buf, cap, size_out)
    })
}

/// Reads key text (any of the four kinds: only the checksum and length are checked).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_KEY_TEXT`; `SV2_ERR_KEY_CHECKSUM`;
/// `SV2_ERR_KEY_SECP256K1`.
/// In: `text`: NUL-terminated (surrounding whitespace is not accepted). Out: `key_out`: 32
/// bytes.
/// Allocates: yes (temporarily; wiped).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_key_from_text(text: *const c_char, key_out: *mut u8) -> sv2_result {
    boundary(|| {
        let out = out_ptr(key_out, "key_out")?;
        let text = str_arg(text).map_err(|e| recode(e, SV2_ERR_KEY_TEXT))?;
        let key = decode_key(text)?;
        write_array(out, &key);
        Ok(())
    })
}

/// Reads an authority public key from key text, also checking that it is a valid Ed25519 key.
///
/// Returns: as `sv2_key_from_text()`, plus `SV2_ERR_KEY_INVALID`.
/// In: `text`: NUL-terminated. Out: `key_out`: 32 bytes.
/// Allocates: yes (temporarily).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_authority_public_key_from_text(
    text: *const c_char,
    key_out: *mut u8,
) -> sv2_result {
    boundary(|| {
        let out = out_ptr(key_out, "key_out")?;
        let text = str_arg(text).map_err(|e| recode(e, SV2_ERR_KEY_TEXT))?;
        let key = AuthorityPublicKey::from_text(text)?;
        write_array(out, key.as_bytes());
        Ok(())
    })
}

/// Signs a version-0 certificate for a server key, valid from `valid_from` to
/// `not_valid_after` inclusive (unix seconds).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_EMPTY_VALIDITY`.
/// In: `authority_secret`: 32 bytes. `server_public_key`: 32 bytes.
/// Out: `certificate_out`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_certificate_sign(
    authority_secret: *const u8,
    server_public_key: *const u8,
    valid_from: u32,
    not_valid_after: u32,
    certificate_out: *mut sv2_certificate,
) -> sv2_result {
    boundary(|| {
        let out = out_ptr(certificate_out, "certificate_out")?;
        let authority =
            AuthoritySecretKey::from_bytes(in_array::<32>(authority_secret, "authority_secret")?);
        let server =
            StaticPublicKey::from_bytes(in_array::<32>(server_public_key, "server_public_key")?);
        let cert = ServerCertificate::sign(&authority, server, valid_from, not_valid_after)?;
        write_out(out, sv2_certificate::from_server_certificate(&cert));
        Ok(())
    })
}

/// Verifies a certificate against the authority key the caller trusts, at `now_unix` (what a
/// client does during the handshake).
///
/// Returns: `SV2_OK` if valid; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_AUTHORITY_MISMATCH`;
/// `SV2_ERR_CERT_BAD_SIGNATURE`; `SV2_ERR_CERT_INVALID_AUTHORITY_KEY`;
/// `SV2_ERR_CERT_NOT_YET_VALID`; `SV2_ERR_CERT_EXPIRED`.
/// In: `certificate`. `trusted_authority`: 32 bytes. `now_unix`: seconds.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_certificate_verify(
    certificate: *const sv2_certificate,
    trusted_authority: *const u8,
    now_unix: u64,
) -> sv2_result {
    boundary(|| {
        let cert = in_ref(certificate, "certificate")?;
        let trusted =
            AuthorityPublicKey::from_bytes(in_array::<32>(trusted_authority, "trusted_authority")?);
        cert.to_server_certificate().verify(&trusted, now_unix)?;
        Ok(())
    })
}

/// Writes a certificate in the certificate file format (`# sv2 server certificate`, then
/// `name = value` lines), as `sv2 key sign` does.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_BUFFER_TOO_SMALL` (`*size_out` tells the
/// size needed; `SV2_CERTIFICATE_TEXT_SIZE` is always enough).
/// In: `certificate`. Out: `buf`/`cap`: the NUL-terminated text. `size_out`: the size needed,
/// NUL included (written on success and on `SV2_ERR_BUFFER_TOO_SMALL`).
/// Allocates: yes (temporarily).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_certificate_to_text(
    certificate: *const sv2_certificate,
    buf: *mut c_char,
    cap: usize,
    size_out: *mut usize,
) -> sv2_result {
    boundary(|| {
        out_ptr(size_out, "size_out")?;
        let cert = in_ref(certificate, "certificate")?;
        copy_text_out(&cert.to_server_certificate().to_text(), buf, cap, size_out)
    })
}

/// Reads a certificate file's text, checking its fields and that its signature verifies under
/// the authority key it names (whether that authority is trusted is `sv2_certificate_verify()`).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_MALFORMED`.
/// In: `text`: NUL-terminated. Out: `certificate_out`.
/// Allocates: yes (temporarily).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_certificate_from_text(
    text: *const c_char,
    certificate_out: *mut sv2_certificate,
) -> sv2_result {
    boundary(|| {
        let out = out_ptr(certificate_out, "certificate_out")?;
        let text = str_arg(text).map_err(|e| recode(e, SV2_ERR_CERT_MALFORMED))?;
        let cert = ServerCertificate::from_text(text)?;
        write_out(out, sv2_certificate::from_server_certificate(&cert));
        Ok(())
    })
}

/// Parses a pool URL: `stratum2+tcp://host:port/<authority key>` (Noise) or
/// `stratum2+tcp+plain://host:port` (explicit plaintext). There is no default port.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_URL_SCHEME`; `SV2_ERR_URL_HOST`;
/// `SV2_ERR_URL_PORT`; `SV2_ERR_URL_KEY`.
/// In: `url`: NUL-terminated; surrounding whitespace is ignored. Out: `url_out`.
/// Allocates: yes (temporarily).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_url_parse(url: *const c_char, url_out: *mut sv2_pool_url) -> sv2_result {
    boundary(|| {
        let out = out_ptr(url_out, "url_out")?;
        let text = str_arg(url).map_err(|e| recode(e, SV2_ERR_URL_SCHEME))?;
        let parsed = PoolUrl::parse(text)?.require_2022()?;
        let host = match &parsed.host {
            Host::Domain(name) => name.clone(),
            Host::Ipv4(addr) => addr.to_string(),
            Host::Ipv6(addr) => addr.to_string(),
        };
        let mut result = sv2_pool_url {
            host: [0; 256],
            port: parsed.port,
            noise: false,
            authority_key: [0; 32],
        };
        if host.len() >= result.host.len() {
            return Err(Error::new(SV2_ERR_URL_HOST, "host longer than 255 bytes"));
        }
        for (dst, &src) in result.host.iter_mut().zip(host.as_bytes()) {
            *dst = src as c_char;
        }
        if let Security::Noise { authority_key } = parsed.security {
            result.noise = true;
            result.authority_key = *authority_key.as_bytes();
        }
        write_out(out, result);
        Ok(())
    })
}
