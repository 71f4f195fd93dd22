//! Key and certificate files of the spec-2025 dialect, and the operations behind
//! `sv2 key … --dialect spec-2025`. Same shape as the 2022 files ([`super::file`]), with
//! headers that name the dialect so a file of one generation is never read as the other:
//!
//! ```text
//! # sv2 spec-2025 authority secret key      Base58Check(32 secret bytes), as SRI writes it
//! # sv2 spec-2025 authority public key      Base58Check(01 00 ‖ x-only key), the URL form
//! # sv2 spec-2025 server secret key
//! # sv2 spec-2025 server public key
//! # sv2 spec-2025 server certificate        name = value lines, as the 2022 certificate
//! ```
//!
//! A public key file may also hold the bare key text (copied from a pool's web page).

use std::path::{Path, PathBuf};

use rand_core::{OsRng, RngCore};

use super::cert_file::{from_hex_64, parse_decimal, to_hex};
use super::file::{check_outputs, read_text, write_text, KeyFileError};
use super::text::{decode_key, encode_key};
use super::{CertificateError, SchnorrCertificate, Secp256k1SecretKey, XOnlyKey};

/// What a spec-2025 key or certificate file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spec2025FileKind {
    /// `# sv2 spec-2025 authority secret key`.
    AuthoritySecretKey,
    /// `# sv2 spec-2025 authority public key`.
    AuthorityPublicKey,
    /// `# sv2 spec-2025 server secret key`.
    ServerSecretKey,
    /// `# sv2 spec-2025 server public key`.
    ServerPublicKey,
    /// `# sv2 spec-2025 server certificate`.
    Certificate,
}

impl Spec2025FileKind {
    const ALL: [Spec2025FileKind; 5] = [
        Spec2025FileKind::AuthoritySecretKey,
        Spec2025FileKind::AuthorityPublicKey,
        Spec2025FileKind::ServerSecretKey,
        Spec2025FileKind::ServerPublicKey,
        Spec2025FileKind::Certificate,
    ];

    /// Human-readable name, e.g. `spec-2025 authority secret key`.
    pub fn name(self) -> &'static str {
        match self {
            Spec2025FileKind::AuthoritySecretKey => "spec-2025 authority secret key",
            Spec2025FileKind::AuthorityPublicKey => "spec-2025 authority public key",
            Spec2025FileKind::ServerSecretKey => "spec-2025 server secret key",
            Spec2025FileKind::ServerPublicKey => "spec-2025 server public key",
            Spec2025FileKind::Certificate => "spec-2025 server certificate",
        }
    }

    /// The header line, `# sv2 <name>`.
    pub fn header(self) -> String {
        format!("# sv2 {}", self.name())
    }

    fn from_header(line: &str) -> Option<Self> {
        let rest = line.strip_prefix('#')?.trim();
        Self::ALL
            .into_iter()
            .find(|k| rest.eq_ignore_ascii_case(&format!("sv2 {}", k.name())))
    }
}

/// Why a spec-2025 file was refused or could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Spec2025FileError {
    /// Reading, writing, an existing output, or randomness (as for 2022 files).
    #[error(transparent)]
    File(#[from] KeyFileError),
    /// The contents do not parse as the expected kind.
    #[error("{}: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong (a fixed description, never file contents).
        reason: &'static str,
    },
    /// The certificate does not verify (wrong authority, tampered, or outside its window).
    #[error("{}: {source}", path.display())]
    Certificate {
        /// The file.
        path: PathBuf,
        /// Why.
        source: CertificateError,
    },
}

/// A spec-2025 certificate with the two keys it binds (what the certificate file holds).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Spec2025ServerCertificate {
    /// The SIGNATURE_NOISE_MESSAGE contents.
    pub certificate: SchnorrCertificate,
    /// The server's x-only static key.
    pub server_public_key: XOnlyKey,
    /// The authority that signed it.
    pub authority_public_key: XOnlyKey,
}

impl Spec2025ServerCertificate {
    /// The certificate file text.
    pub fn to_text(&self) -> String {
        let c = &self.certificate;
        format!(
            "{}\nversion = {}\nvalid_from = {}\nnot_valid_after = {}\nserver_public_key = {}\nauthority_public_key = {}\nsignature = {}\n",
            Spec2025FileKind::Certificate.header(),
            c.version,
            c.valid_from,
            c.not_valid_after,
            self.server_public_key,
            self.authority_public_key,
            to_hex(&c.signature),
        )
    }

    /// Parses certificate file text and checks its signature under the authority it names.
    pub fn from_text(contents: &str) -> Result<Self, &'static str> {
        const FIELDS: [&str; 6] = [
            "version",
            "valid_from",
            "not_valid_after",
            "server_public_key",
            "authority_public_key",
            "signature",
        ];
        let mut values: [Option<&str>; 6] = [None; 6];
        for line in content_lines(contents, Spec2025FileKind::Certificate)? {
            let (name, value) = line.split_once('=').ok_or("a line is not `name = value`")?;
            let index = FIELDS
                .iter()
                .position(|f| *f == name.trim())
                .ok_or("unknown field")?;
            if values[index].replace(value.trim()).is_some() {
                return Err("duplicate field");
            }
        }
        let get = |i: usize| values[i].ok_or("missing field");
        let number =
            |i: usize, max: u64| get(i).and_then(|t| parse_decimal(t, max).ok_or("bad number"));
        let certificate = SchnorrCertificate {
            version: number(0, u64::from(u16::MAX))? as u16,
            valid_from: number(1, u64::from(u32::MAX))? as u32,
            not_valid_after: number(2, u64::from(u32::MAX))? as u32,
            signature: from_hex_64(get(5)?).ok_or("signature is not 128 hex digits")?,
        };
        let server_public_key =
            XOnlyKey::from_text(get(3)?).map_err(|_| "bad server_public_key")?;
        let authority_public_key =
            XOnlyKey::from_text(get(4)?).map_err(|_| "bad authority_public_key")?;
        if certificate.valid_from > certificate.not_valid_after {
            return Err("valid_from is after not_valid_after");
        }
        // Self-consistency: an edited file is caught on reading (time is checked by verify).
        certificate
            .verify(
                &authority_public_key,
                &server_public_key,
                u64::from(certificate.valid_from),
            )
            .map_err(|_| "the signature does not verify under the authority named in the file")?;
        Ok(Spec2025ServerCertificate {
            certificate,
            server_public_key,
            authority_public_key,
        })
    }
}

/// A parsed spec-2025 key or certificate file.
#[derive(Debug, Clone)]
pub enum Spec2025KeyFile {
    /// An authority secret key.
    AuthoritySecretKey(Secp256k1SecretKey),
    /// An authority public key.
    AuthorityPublicKey(XOnlyKey),
    /// A server secret key.
    ServerSecretKey(Secp256k1SecretKey),
    /// A server public key.
    ServerPublicKey(XOnlyKey),
    /// A certificate.
    Certificate(Spec2025ServerCertificate),
}

impl Spec2025KeyFile {
    /// Parses a file by its header line (which is required here).
    pub fn parse(contents: &str) -> Result<Self, &'static str> {
        let kind = contents
            .lines()
            .map(str::trim)
            .find_map(Spec2025FileKind::from_header)
            .ok_or("no `# sv2 spec-2025 …` header line")?;
        Ok(match kind {
            Spec2025FileKind::AuthoritySecretKey => {
                Self::AuthoritySecretKey(secret_from_text(contents, kind)?)
            }
            Spec2025FileKind::ServerSecretKey => {
                Self::ServerSecretKey(secret_from_text(contents, kind)?)
            }
            Spec2025FileKind::AuthorityPublicKey => {
                Self::AuthorityPublicKey(public_from_text(contents, kind)?)
            }
            Spec2025FileKind::ServerPublicKey => {
                Self::ServerPublicKey(public_from_text(contents, kind)?)
            }
            Spec2025FileKind::Certificate => {
                Self::Certificate(Spec2025ServerCertificate::from_text(contents)?)
            }
        })
    }

    /// Reads and parses a file.
    pub fn read(path: &Path) -> Result<Self, Spec2025FileError> {
        let contents = read_text(path)?;
        Self::parse(&contents).map_err(|reason| format_error(path, reason))
    }
}

/// The non-comment lines, refusing a header of another kind (or of a 2022 file).
fn content_lines(contents: &str, expected: Spec2025FileKind) -> Result<Vec<&str>, &'static str> {
    let mut lines = Vec::new();
    for line in contents.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with('#') {
            match Spec2025FileKind::from_header(line) {
                Some(found) if found != expected => return Err("the file holds another kind"),
                Some(_) => {}
                None if line.to_ascii_lowercase().starts_with("# sv2 ") => {
                    return Err("a 2022-dialect file where a spec-2025 one is expected")
                }
                None => {}
            }
            continue;
        }
        lines.push(line);
    }
    Ok(lines)
}

fn single_line(contents: &str, kind: Spec2025FileKind) -> Result<&str, &'static str> {
    match content_lines(contents, kind)?.as_slice() {
        [one] => Ok(one),
        [] => Err("no key in the file"),
        _ => Err("more than one key line"),
    }
}

fn secret_from_text(
    contents: &str,
    kind: Spec2025FileKind,
) -> Result<Secp256k1SecretKey, &'static str> {
    let bytes = decode_key(single_line(contents, kind)?).map_err(|_| "bad secret key text")?;
    Secp256k1SecretKey::from_bytes_checked(*bytes).map_err(|_| "not a valid secp256k1 secret key")
}

fn public_from_text(contents: &str, kind: Spec2025FileKind) -> Result<XOnlyKey, &'static str> {
    XOnlyKey::from_text(single_line(contents, kind)?)
        .map_err(|_| "bad spec-2025 public key text (38 bytes decoded, version 01 00)")
}

fn format_error(path: &Path, reason: &'static str) -> Spec2025FileError {
    Spec2025FileError::Format {
        path: path.to_owned(),
        reason,
    }
}

fn secret_file_text(secret: &Secp256k1SecretKey, kind: Spec2025FileKind) -> String {
    format!("{}\n{}\n", kind.header(), &*encode_key(secret.as_bytes()))
}

fn read_secret(
    path: &Path,
    kind: Spec2025FileKind,
) -> Result<Secp256k1SecretKey, Spec2025FileError> {
    let contents = read_text(path)?;
    secret_from_text(&contents, kind).map_err(|reason| format_error(path, reason))
}

/// Reads a spec-2025 public key of `kind` from a file, or takes `arg` as the key text itself.
pub fn spec_2025_public_key_arg(
    arg: &str,
    kind: Spec2025FileKind,
) -> Result<XOnlyKey, Spec2025FileError> {
    if let Ok(key) = XOnlyKey::from_text(arg.trim()) {
        return Ok(key);
    }
    let path = Path::new(arg);
    let contents = read_text(path)?;
    public_from_text(&contents, kind).map_err(|reason| format_error(path, reason))
}

/// Generates a spec-2025 key pair of `secret_kind` (authority or server secret), writes the
/// secret file (mode 0600) and optionally the public one; returns the x-only public key.
pub fn generate_spec_2025_key_files(
    secret_kind: Spec2025FileKind,
    secret_out: &Path,
    public_out: Option<&Path>,
    overwrite: bool,
    rng_seed: Option<[u8; 32]>,
) -> Result<XOnlyKey, Spec2025FileError> {
    let public_kind = match secret_kind {
        Spec2025FileKind::AuthoritySecretKey => Spec2025FileKind::AuthorityPublicKey,
        Spec2025FileKind::ServerSecretKey => Spec2025FileKind::ServerPublicKey,
        _ => return Err(format_error(secret_out, "not a secret key kind")),
    };
    check_outputs(secret_out, public_out, overwrite)?;
    let secret = match rng_seed {
        Some(seed) => Secp256k1SecretKey::generate_seeded(seed),
        None => Secp256k1SecretKey::generate_os().map_err(KeyFileError::from)?,
    };
    let public = secret.x_only_public_key();
    let text = zeroize::Zeroizing::new(secret_file_text(&secret, secret_kind));
    write_text(secret_out, &text, true, overwrite)?;
    if let Some(path) = public_out {
        let text = format!("{}\n{}\n", public_kind.header(), public);
        write_text(path, &text, false, overwrite)?;
    }
    Ok(public)
}

/// Signs a spec-2025 certificate for `server_public_key` with the authority secret key file
/// and writes it to `out`. BIP340's auxiliary randomness comes from the OS.
pub fn sign_spec_2025_certificate_file(
    authority_secret_file: &Path,
    server_public_key: &XOnlyKey,
    valid_from: u32,
    not_valid_after: u32,
    out: &Path,
    overwrite: bool,
) -> Result<Spec2025ServerCertificate, Spec2025FileError> {
    if !overwrite && out.exists() {
        return Err(KeyFileError::AlreadyExists {
            path: out.to_owned(),
        }
        .into());
    }
    if valid_from > not_valid_after {
        return Err(format_error(out, "valid_from is after not_valid_after"));
    }
    let authority = read_secret(authority_secret_file, Spec2025FileKind::AuthoritySecretKey)?;
    let mut aux = [0u8; 32];
    OsRng.fill_bytes(&mut aux);
    let certificate = Spec2025ServerCertificate {
        certificate: SchnorrCertificate::sign(
            &authority,
            server_public_key,
            valid_from,
            not_valid_after,
            &aux,
        ),
        server_public_key: *server_public_key,
        authority_public_key: authority.x_only_public_key(),
    };
    write_text(out, &certificate.to_text(), false, overwrite)?;
    Ok(certificate)
}

/// Reads a spec-2025 certificate file and verifies it under the trusted authority at
/// `now_unix`.
pub fn verify_spec_2025_certificate_file(
    certificate_file: &Path,
    trusted_authority: &XOnlyKey,
    now_unix: u64,
) -> Result<Spec2025ServerCertificate, Spec2025FileError> {
    let contents = read_text(certificate_file)?;
    let certificate = Spec2025ServerCertificate::from_text(&contents)
        .map_err(|reason| format_error(certificate_file, reason))?;
    certificate
        .certificate
        .verify(trusted_authority, &certificate.server_public_key, now_unix)
        .map_err(|source| Spec2025FileError::Certificate {
            path: certificate_file.to_owned(),
            source,
        })?;
    Ok(certificate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_2025_certificate_file_round_trips_and_catches_edits() {
        let authority = Secp256k1SecretKey::generate_seeded([1; 32]);
        let server = Secp256k1SecretKey::generate_seeded([2; 32]).x_only_public_key();
        let cert = Spec2025ServerCertificate {
            certificate: SchnorrCertificate::sign(&authority, &server, 10, 20, &[0; 32]),
            server_public_key: server,
            authority_public_key: authority.x_only_public_key(),
        };
        let text = cert.to_text();
        assert_eq!(Spec2025ServerCertificate::from_text(&text), Ok(cert));
        let edited = text.replace("not_valid_after = 20", "not_valid_after = 21");
        assert!(Spec2025ServerCertificate::from_text(&edited).is_err());
        assert!(matches!(
            Spec2025KeyFile::parse(&text),
            Ok(Spec2025KeyFile::Certificate(_))
        ));
    }

    #[test]
    fn spec_2025_files_refuse_2022_headers() {
        let text =
            "# sv2 authority public key\n9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh\n";
        assert!(public_from_text(text, Spec2025FileKind::AuthorityPublicKey).is_err());
        let bare = "9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh\n";
        assert!(public_from_text(bare, Spec2025FileKind::AuthorityPublicKey).is_ok());
    }
}
