//! Key and certificate files, and the file-level operations behind `sv2 key` (which the C,
//! Python and Node bindings can expose as they are).
//!
//! # Key files
//!
//! Plain UTF-8 text holding one key in the [key text format](super::text), optionally preceded
//! by comment lines starting with `#`. The files this library writes start with a header line
//! naming the kind of key, because the key text itself does not say whether it is an
//! authority or a server key, or secret or public:
//!
//! ```text
//! # sv2 authority secret key
//! 3pYVHkR7…
//! ```
//!
//! The headers are `# sv2 authority secret key`, `# sv2 authority public key`,
//! `# sv2 server secret key` and `# sv2 server public key` (matched case-insensitively).
//! When a file is read as one kind and carries the header of another, it is refused
//! ([`FileFormatError::WrongKind`]): that catches, for example, a secret key file given where a
//! public key is expected. A file with no header is accepted as whatever kind is asked for,
//! so a key copied from a pool's web page can be saved as is. Blank lines and surrounding
//! whitespace are ignored; a second key line is an error.
//!
//! Secret key files are created with mode 0600 on Unix (on other systems the default
//! permissions apply). Existing files are never overwritten unless the caller asks.
//!
//! # Certificate files
//!
//! See [`ServerCertificate`] for the `name = value` format.
//!
//! # Files of the deployed tools
//!
//! Every loader here also reads the Braiins key tool's JSON files and SRI's TOML role
//! configurations ([`super::foreign`]); a file in none of the formats is refused with
//! [`FileFormatError::UnrecognizedFormat`], which lists the formats expected.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::cert_file::{CertificateCheckError, EmptyValidityError};
use super::generate::EntropyError;
use super::text::KeyTextError;
use super::ServerCertificate;
use super::{AuthorityPublicKey, AuthoritySecretKey, StaticPublicKey, StaticSecretKey};

/// Files larger than this are refused before parsing: a key file is under 100 bytes and a
/// certificate file under 1 KiB, and the bound keeps `/dev/zero` or a wrong path from being
/// read into memory whole.
pub const MAX_FILE_LEN: u64 = 64 * 1024;

/// What an sv2 key or certificate file holds, as named by its header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `# sv2 authority secret key`: the pool authority's Ed25519 seed.
    AuthoritySecretKey,
    /// `# sv2 authority public key`: the key published in pool URLs.
    AuthorityPublicKey,
    /// `# sv2 server secret key`: the server's X25519 Noise static secret.
    ServerSecretKey,
    /// `# sv2 server public key`: the server's X25519 Noise static key `s`.
    ServerPublicKey,
    /// `# sv2 server certificate`: see [`ServerCertificate`].
    Certificate,
}

impl FileKind {
    const ALL: [FileKind; 5] = [
        FileKind::AuthoritySecretKey,
        FileKind::AuthorityPublicKey,
        FileKind::ServerSecretKey,
        FileKind::ServerPublicKey,
        FileKind::Certificate,
    ];

    /// Human-readable name, e.g. `authority secret key`.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::AuthoritySecretKey => "authority secret key",
            FileKind::AuthorityPublicKey => "authority public key",
            FileKind::ServerSecretKey => "server secret key",
            FileKind::ServerPublicKey => "server public key",
            FileKind::Certificate => "server certificate",
        }
    }

    /// The header line written at the top of such a file, e.g. `# sv2 authority secret key`.
    pub fn header(self) -> String {
        format!("# sv2 {}", self.name())
    }

    /// Whether files of this kind hold a secret (and are written with mode 0600).
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            FileKind::AuthoritySecretKey | FileKind::ServerSecretKey
        )
    }

    /// The kind named by a comment line, if it is one of the sv2 headers.
    fn from_comment(line: &str) -> Option<FileKind> {
        let body = line.strip_prefix('#')?.trim();
        let name = body
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("sv2 "))
            .map(|_| body[4..].trim())?;
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name))
    }
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why the contents of a key or certificate file were refused. Line numbers start at 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileFormatError {
    /// The file is larger than [`MAX_FILE_LEN`].
    #[error("file is larger than {MAX_FILE_LEN} bytes; not a key or certificate file")]
    TooLarge,
    /// The file is not UTF-8 text.
    #[error("file is not UTF-8 text; key and certificate files are plain text")]
    NotText,
    /// No key line was found.
    #[error("no key found (expected: {expected})")]
    NoKey {
        /// The kind of key that was expected.
        expected: FileKind,
    },
    /// More than one key line.
    #[error("line {line}: a second key; a key file holds exactly one key")]
    MultipleKeys {
        /// Line of the second key.
        line: usize,
    },
    /// The key text is malformed.
    #[error("line {line}: {source}")]
    BadKey {
        /// Line of the key.
        line: usize,
        /// What is wrong with it.
        source: KeyTextError,
    },
    /// A key in another tool's format (Braiins JSON, SRI TOML) whose key text is malformed.
    #[error("{format} `{field}`: {source}")]
    BadForeignKey {
        /// The format.
        format: super::ForeignFormat,
        /// The JSON field or TOML setting.
        field: &'static str,
        /// What is wrong with the key text.
        source: KeyTextError,
    },
    /// A JSON file that is not a Braiins key tool file.
    #[error("not a Braiins key tool JSON file: {0}")]
    BadJson(String),
    /// The file is in none of the formats read for this kind.
    #[error("not a {expected} file in a format libsv2 reads; expected {formats}")]
    UnrecognizedFormat {
        /// The kind the caller asked for.
        expected: FileKind,
        /// The accepted formats, for the message.
        formats: String,
    },
    /// The header names another kind of file than the one expected.
    #[error("wrong kind of file: expected {expected}, but its header says {found}")]
    WrongKind {
        /// The kind the caller asked for.
        expected: FileKind,
        /// The kind named by the file's header.
        found: FileKind,
    },
    /// The kind of file cannot be told because it has no `# sv2 …` header line.
    #[error("cannot tell what this file holds: it has no `# sv2 <kind>` header line, and it is neither a Braiins key tool JSON file nor an SRI TOML configuration with an authority key")]
    MissingHeader,
    /// A certificate line is not of the form `name = value`.
    #[error("line {line}: expected `name = value`")]
    BadLine {
        /// The line.
        line: usize,
    },
    /// A certificate field name that this format does not define.
    #[error("line {line}: unknown certificate field `{name}`")]
    UnknownField {
        /// The line.
        line: usize,
        /// The unknown name.
        name: String,
    },
    /// A certificate field given twice.
    #[error("line {line}: certificate field `{name}` given twice")]
    DuplicateField {
        /// The line of the second occurrence.
        line: usize,
        /// The field.
        name: &'static str,
    },
    /// A required certificate field is missing.
    #[error("certificate field `{0}` is missing")]
    MissingField(&'static str),
    /// A numeric certificate field is not a decimal number in range.
    #[error("line {line}: `{name}` must be a decimal integer from 0 to {max}")]
    BadNumber {
        /// The line.
        line: usize,
        /// The field.
        name: &'static str,
        /// Largest allowed value.
        max: u32,
    },
    /// A certificate version other than 0, the only one defined.
    #[error("certificate version {0} is not supported (only version 0 is defined)")]
    UnsupportedVersion(u16),
    /// The certificate's key fields are malformed.
    #[error("line {line}: `{name}`: {source}")]
    BadCertificateKey {
        /// The line.
        line: usize,
        /// The field.
        name: &'static str,
        /// What is wrong with the key text.
        source: KeyTextError,
    },
    /// The signature is not 128 hexadecimal digits.
    #[error("line {line}: `signature` must be 128 hexadecimal digits (64 bytes)")]
    BadSignatureEncoding {
        /// The line.
        line: usize,
    },
    /// `valid_from` is after `not_valid_after`.
    #[error(transparent)]
    EmptyValidity(#[from] EmptyValidityError),
    /// The signature does not verify under the authority key the file names: the file was
    /// edited after signing, or assembled from parts of different certificates.
    #[error("the certificate signature does not match its fields and authority key (the file was altered after signing)")]
    SignatureMismatch,
}

/// Errors of the file-level operations: I/O, refusal to overwrite, and the content errors
/// with the path they occurred in.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The output file exists and overwriting was not requested.
    #[error("{}: file exists; refusing to overwrite it", path.display())]
    AlreadyExists {
        /// The file.
        path: PathBuf,
    },
    /// The same path was given for the secret and the public key output.
    #[error("{}: given as both the secret and the public key file", path.display())]
    SamePath {
        /// The path.
        path: PathBuf,
    },
    /// The file's contents were refused.
    #[error("{}: {source}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: FileFormatError,
    },
    /// Key generation could not get randomness.
    #[error(transparent)]
    Entropy(#[from] EntropyError),
    /// A certificate was requested with `valid_from` after `not_valid_after`.
    #[error(transparent)]
    EmptyValidity(#[from] EmptyValidityError),
    /// The certificate file is well-formed but does not verify.
    #[error("{}: {source}", path.display())]
    Verify {
        /// The certificate file.
        path: PathBuf,
        /// Why it does not verify.
        source: CertificateCheckError,
    },
}

/// Splits file contents into trimmed, numbered lines, checking any sv2 header against
/// `expected`. Returns the non-comment, non-blank lines with their 1-based numbers.
pub(crate) fn content_lines(
    contents: &str,
    expected: FileKind,
) -> Result<Vec<(usize, &str)>, FileFormatError> {
    let mut lines = Vec::new();
    for (index, raw) in contents.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') {
            if let Some(found) = FileKind::from_comment(line) {
                if found != expected {
                    return Err(FileFormatError::WrongKind { expected, found });
                }
            }
            continue;
        }
        lines.push((index + 1, line));
    }
    Ok(lines)
}

/// Finds the single key line of a key file of kind `kind`. A file of several lines that are not
/// all key text is another format (a configuration file, say): the error lists the formats
/// read for `kind` rather than calling its second line a second key.
fn key_line(contents: &str, kind: FileKind) -> Result<(usize, &str), FileFormatError> {
    let lines = content_lines(contents, kind)?;
    let unrecognized = || FileFormatError::UnrecognizedFormat {
        expected: kind,
        formats: super::foreign::expected_formats(kind),
    };
    match lines.as_slice() {
        [] => Err(FileFormatError::NoKey { expected: kind }),
        [(_, text)] if super::foreign::looks_like_settings(text) => Err(unrecognized()),
        [one] => Ok(*one),
        [_, (line, _), ..] => {
            if lines
                .iter()
                .all(|(_, text)| super::text::decode_key(text).is_ok())
            {
                Err(FileFormatError::MultipleKeys { line: *line })
            } else {
                Err(unrecognized())
            }
        }
    }
}

/// Reads a whole text file, refusing files over [`MAX_FILE_LEN`]. The buffer is zeroized on
/// drop since it may hold a secret key.
pub(crate) fn read_text(path: &Path) -> Result<Zeroizing<String>, KeyFileError> {
    let io_err = |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    let format_err = |source| KeyFileError::Format {
        path: path.to_owned(),
        source,
    };
    if bytes.len() as u64 > MAX_FILE_LEN {
        return Err(format_err(FileFormatError::TooLarge));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| format_err(FileFormatError::NotText))?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// Writes `contents` to `path`. Secret files get mode 0600 (Unix) before any byte is written,
/// also when an existing file is overwritten (truncating keeps the old mode, so it is reset).
pub(crate) fn write_text(
    path: &Path,
    contents: &str,
    secret: bool,
    overwrite: bool,
) -> Result<(), KeyFileError> {
    let io_err = |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        // create_new is atomic: no window between "does it exist" and "create".
        options.create_new(true);
    }
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            KeyFileError::AlreadyExists {
                path: path.to_owned(),
            }
        } else {
            io_err(source)
        }
    })?;
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io_err)?;
    }
    #[cfg(not(unix))]
    let _ = secret;
    file.write_all(contents.as_bytes()).map_err(io_err)?;
    file.sync_all().map_err(io_err)?;
    Ok(())
}

/// Parses file contents of a known kind and attaches the path to errors.
fn with_path<T>(path: &Path, result: Result<T, FileFormatError>) -> Result<T, KeyFileError> {
    result.map_err(|source| KeyFileError::Format {
        path: path.to_owned(),
        source,
    })
}

macro_rules! key_file_impl {
    ($ty:ty, $kind:expr, public) => {
        key_file_impl!(@read $ty, $kind);
        impl $ty {
            /// The contents of a key file for this key: header line and key text.
            pub fn to_file_text(&self) -> String {
                format!("{}\n{}\n", $kind.header(), self.to_text())
            }
            /// Writes a key file (see the [module docs](self)); refuses to replace an existing
            /// file unless `overwrite`.
            pub fn write_file(&self, path: &Path, overwrite: bool) -> Result<(), KeyFileError> {
                write_text(path, &self.to_file_text(), false, overwrite)
            }
        }
    };
    ($ty:ty, $kind:expr, secret) => {
        key_file_impl!(@read $ty, $kind);
        impl $ty {
            /// The contents of a key file for this secret key; zeroized on drop.
            pub fn to_file_text_secret(&self) -> Zeroizing<String> {
                let text = self.to_text_secret();
                let mut out = Zeroizing::new(String::with_capacity(80));
                out.push_str(&$kind.header());
                out.push('\n');
                out.push_str(&text);
                out.push('\n');
                out
            }
            /// Writes a secret key file with mode 0600 (Unix); refuses to replace an existing
            /// file unless `overwrite`.
            pub fn write_file(&self, path: &Path, overwrite: bool) -> Result<(), KeyFileError> {
                write_text(path, &self.to_file_text_secret(), true, overwrite)
            }
        }
    };
    (@read $ty:ty, $kind:expr) => {
        impl $ty {
            /// Parses the contents of a key file of this kind: libsv2's own format, or the
            /// Braiins key tool's JSON or an SRI TOML configuration (see [`super::foreign`]).
            pub fn from_file_text(contents: &str) -> Result<Self, FileFormatError> {
                if let Some((format, field, text)) = super::foreign::key_text(contents, $kind)? {
                    return Self::from_text(text.trim()).map_err(|source| {
                        FileFormatError::BadForeignKey {
                            format,
                            field,
                            source,
                        }
                    });
                }
                let (line, text) = key_line(contents, $kind)?;
                Self::from_text(text).map_err(|source| FileFormatError::BadKey { line, source })
            }
            /// Reads a key file of this kind.
            pub fn read_file(path: &Path) -> Result<Self, KeyFileError> {
                let contents = read_text(path)?;
                with_path(path, Self::from_file_text(&contents))
            }
        }
    };
}
key_file_impl!(AuthoritySecretKey, FileKind::AuthoritySecretKey, secret);
key_file_impl!(AuthorityPublicKey, FileKind::AuthorityPublicKey, public);
key_file_impl!(StaticSecretKey, FileKind::ServerSecretKey, secret);
key_file_impl!(StaticPublicKey, FileKind::ServerPublicKey, public);

impl ServerCertificate {
    /// Writes a certificate file; refuses to replace an existing file unless `overwrite`.
    pub fn write_file(&self, path: &Path, overwrite: bool) -> Result<(), KeyFileError> {
        write_text(path, &self.to_text(), false, overwrite)
    }
    /// Reads and validates a certificate file (format and self-consistency of the signature;
    /// whether its authority is trusted and the time is right is [`ServerCertificate::verify`]).
    pub fn read_file(path: &Path) -> Result<Self, KeyFileError> {
        let contents = read_text(path)?;
        with_path(path, Self::from_text(&contents))
    }
}

/// Any sv2 key or certificate file, its kind told by its header line. What `sv2 key show`
/// reads.
#[derive(Debug, Clone)]
pub enum KeyFile {
    /// An authority secret key file.
    AuthoritySecretKey(AuthoritySecretKey),
    /// An authority public key file.
    AuthorityPublicKey(AuthorityPublicKey),
    /// A server static secret key file.
    ServerSecretKey(StaticSecretKey),
    /// A server static public key file.
    ServerPublicKey(StaticPublicKey),
    /// A certificate file.
    Certificate(ServerCertificate),
}

impl KeyFile {
    /// The kind of file.
    pub fn kind(&self) -> FileKind {
        match self {
            KeyFile::AuthoritySecretKey(_) => FileKind::AuthoritySecretKey,
            KeyFile::AuthorityPublicKey(_) => FileKind::AuthorityPublicKey,
            KeyFile::ServerSecretKey(_) => FileKind::ServerSecretKey,
            KeyFile::ServerPublicKey(_) => FileKind::ServerPublicKey,
            KeyFile::Certificate(_) => FileKind::Certificate,
        }
    }

    /// Parses file contents whose first sv2 header line tells the kind, or a Braiins JSON file
    /// or SRI TOML configuration (whose field names tell it). A file without either is refused
    /// ([`FileFormatError::MissingHeader`]): bare key text could be any of the four key kinds.
    pub fn parse(contents: &str) -> Result<Self, FileFormatError> {
        let header = contents
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('#'))
            .find_map(FileKind::from_comment);
        let kind = match header {
            Some(kind) => kind,
            // The deployed tools' files say what they hold by their field names.
            None => super::foreign::kind_of(contents)?.ok_or(FileFormatError::MissingHeader)?,
        };
        Ok(match kind {
            FileKind::AuthoritySecretKey => {
                KeyFile::AuthoritySecretKey(AuthoritySecretKey::from_file_text(contents)?)
            }
            FileKind::AuthorityPublicKey => {
                KeyFile::AuthorityPublicKey(AuthorityPublicKey::from_file_text(contents)?)
            }
            FileKind::ServerSecretKey => {
                KeyFile::ServerSecretKey(StaticSecretKey::from_file_text(contents)?)
            }
            FileKind::ServerPublicKey => {
                KeyFile::ServerPublicKey(StaticPublicKey::from_file_text(contents)?)
            }
            FileKind::Certificate => KeyFile::Certificate(ServerCertificate::from_text(contents)?),
        })
    }

    /// Reads any sv2 key or certificate file.
    pub fn read(path: &Path) -> Result<Self, KeyFileError> {
        let contents = read_text(path)?;
        with_path(path, Self::parse(&contents))
    }
}

/// Generates an authority key pair and writes the secret key file (mode 0600) and, if asked,
/// the public key file. Both outputs are checked before anything is written, so that a
/// refusal to overwrite the public file does not leave a new secret behind. Returns the public
/// key. `rng_seed`: see [`AuthoritySecretKey::generate_with`].
pub fn generate_authority_key_files(
    secret_out: &Path,
    public_out: Option<&Path>,
    overwrite: bool,
    rng_seed: Option<[u8; 32]>,
) -> Result<AuthorityPublicKey, KeyFileError> {
    check_outputs(secret_out, public_out, overwrite)?;
    let secret = AuthoritySecretKey::generate_with(rng_seed)?;
    let public = secret.public_key();
    secret.write_file(secret_out, overwrite)?;
    if let Some(path) = public_out {
        public.write_file(path, overwrite)?;
    }
    Ok(public)
}

/// Generates a server static key pair and writes its files, as
/// [`generate_authority_key_files`] does. Returns the public key.
pub fn generate_server_key_files(
    secret_out: &Path,
    public_out: Option<&Path>,
    overwrite: bool,
    rng_seed: Option<[u8; 32]>,
) -> Result<StaticPublicKey, KeyFileError> {
    check_outputs(secret_out, public_out, overwrite)?;
    let secret = StaticSecretKey::generate_with(rng_seed)?;
    let public = secret.public_key();
    secret.write_file(secret_out, overwrite)?;
    if let Some(path) = public_out {
        public.write_file(path, overwrite)?;
    }
    Ok(public)
}

pub(crate) fn check_outputs(
    secret_out: &Path,
    public_out: Option<&Path>,
    overwrite: bool,
) -> Result<(), KeyFileError> {
    if public_out == Some(secret_out) {
        return Err(KeyFileError::SamePath {
            path: secret_out.to_owned(),
        });
    }
    if !overwrite {
        for path in std::iter::once(secret_out).chain(public_out) {
            if path.exists() {
                return Err(KeyFileError::AlreadyExists {
                    path: path.to_owned(),
                });
            }
        }
    }
    Ok(())
}

/// Signs a certificate for `server_public_key`, valid in `[valid_from, not_valid_after]`
/// (unix seconds, inclusive), with the authority secret key read from
/// `authority_secret_file`, and writes it to `out`.
pub fn sign_certificate_file(
    authority_secret_file: &Path,
    server_public_key: &StaticPublicKey,
    valid_from: u32,
    not_valid_after: u32,
    out: &Path,
    overwrite: bool,
) -> Result<ServerCertificate, KeyFileError> {
    if !overwrite && out.exists() {
        return Err(KeyFileError::AlreadyExists {
            path: out.to_owned(),
        });
    }
    let authority = AuthoritySecretKey::read_file(authority_secret_file)?;
    let certificate =
        ServerCertificate::sign(&authority, *server_public_key, valid_from, not_valid_after)?;
    certificate.write_file(out, overwrite)?;
    Ok(certificate)
}

/// Reads a certificate file and verifies it against the trusted authority key at `now_unix`
/// (unix seconds; the library reads no clock). Returns the certificate when it verifies.
pub fn verify_certificate_file(
    certificate_file: &Path,
    trusted_authority: &AuthorityPublicKey,
    now_unix: u64,
) -> Result<ServerCertificate, KeyFileError> {
    let certificate = ServerCertificate::read_file(certificate_file)?;
    certificate
        .verify(trusted_authority, now_unix)
        .map_err(|source| KeyFileError::Verify {
            path: certificate_file.to_owned(),
            source,
        })?;
    Ok(certificate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::CertificateError;

    fn tempdir() -> PathBuf {
        // A fresh directory per test without a tempfile dependency in the core crate.
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sv2-keys-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn key_files_round_trip_with_headers() {
        let secret = AuthoritySecretKey::generate_seeded([1; 32]);
        let text = secret.to_file_text_secret();
        assert!(text.starts_with("# sv2 authority secret key\n"));
        let back = AuthoritySecretKey::from_file_text(&text).unwrap();
        assert_eq!(back.as_bytes(), secret.as_bytes());

        let public = StaticSecretKey::generate_seeded([2; 32]).public_key();
        let text = public.to_file_text();
        assert_eq!(text, format!("# sv2 server public key\n{public}\n"));
        assert_eq!(StaticPublicKey::from_file_text(&text), Ok(public));
        match KeyFile::parse(&text).unwrap() {
            KeyFile::ServerPublicKey(k) => assert_eq!(k, public),
            other => panic!("wrong kind {:?}", other.kind()),
        }
    }

    #[test]
    fn bare_key_text_and_comments_accepted() {
        let public = AuthoritySecretKey::generate_seeded([3; 32]).public_key();
        let text = format!("\n# copied from the pool's web page\n  {public}  \r\n\n");
        assert_eq!(AuthorityPublicKey::from_file_text(&text), Ok(public));
        // but the kind cannot be guessed from bare text
        assert_eq!(
            KeyFile::parse(&public.to_string()).unwrap_err(),
            FileFormatError::MissingHeader
        );
    }

    #[test]
    fn wrong_kind_refused() {
        let secret = StaticSecretKey::generate_seeded([4; 32]);
        let text = secret.to_file_text_secret();
        assert_eq!(
            StaticPublicKey::from_file_text(&text),
            Err(FileFormatError::WrongKind {
                expected: FileKind::ServerPublicKey,
                found: FileKind::ServerSecretKey
            })
        );
        assert!(matches!(
            AuthoritySecretKey::from_file_text(&text),
            Err(FileFormatError::WrongKind { .. })
        ));
    }

    #[test]
    fn malformed_key_files_refused() {
        assert_eq!(
            StaticPublicKey::from_file_text("# sv2 server public key\n"),
            Err(FileFormatError::NoKey {
                expected: FileKind::ServerPublicKey
            })
        );
        let k = StaticPublicKey::from_bytes([1; 32]).to_string();
        assert_eq!(
            StaticPublicKey::from_file_text(&format!("{k}\n\n{k}\n")),
            Err(FileFormatError::MultipleKeys { line: 3 })
        );
        let mut bad = k.clone();
        bad.pop();
        bad.push(if k.ends_with('z') { 'y' } else { 'z' });
        let err = StaticPublicKey::from_file_text(&format!("# c\n{bad}\n")).unwrap_err();
        assert!(matches!(
            err,
            FileFormatError::BadKey {
                line: 2,
                source: KeyTextError::BadChecksum { .. }
            }
        ));
    }

    #[cfg(unix)]
    #[test]
    fn secret_files_are_0600_and_not_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempdir();
        let secret_path = dir.join("authority.key");
        let public_path = dir.join("authority.pub");
        let public =
            generate_authority_key_files(&secret_path, Some(&public_path), false, Some([5; 32]))
                .unwrap();
        let mode = std::fs::metadata(&secret_path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(AuthorityPublicKey::read_file(&public_path).unwrap(), public);
        assert_eq!(
            AuthoritySecretKey::read_file(&secret_path)
                .unwrap()
                .public_key(),
            public
        );
        let before = std::fs::read(&secret_path).unwrap();
        let err = generate_authority_key_files(&secret_path, None, false, None).unwrap_err();
        assert!(matches!(err, KeyFileError::AlreadyExists { .. }), "{err}");
        assert_eq!(std::fs::read(&secret_path).unwrap(), before);

        // overwriting a world-readable file still leaves it 0600
        let loose = dir.join("loose.key");
        std::fs::write(&loose, "old").unwrap();
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
        generate_server_key_files(&loose, None, true, None).unwrap();
        let mode = std::fs::metadata(&loose).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        let err = generate_server_key_files(&dir.join("same"), Some(&dir.join("same")), true, None)
            .unwrap_err();
        assert!(matches!(err, KeyFileError::SamePath { .. }));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn public_file_refusal_leaves_no_secret() {
        let dir = tempdir();
        let public_path = dir.join("server.pub");
        std::fs::write(&public_path, "keep").unwrap();
        let secret_path = dir.join("server.key");
        let err =
            generate_server_key_files(&secret_path, Some(&public_path), false, None).unwrap_err();
        assert!(matches!(err, KeyFileError::AlreadyExists { .. }));
        assert!(!secret_path.exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn sign_and_verify_files() {
        // R24, R25 through files
        let dir = tempdir();
        let authority_key = dir.join("authority.key");
        let authority =
            generate_authority_key_files(&authority_key, None, false, Some([6; 32])).unwrap();
        let server =
            generate_server_key_files(&dir.join("server.key"), None, false, Some([7; 32])).unwrap();
        let cert_path = dir.join("server.cert");
        let cert =
            sign_certificate_file(&authority_key, &server, 1000, 2000, &cert_path, false).unwrap();
        assert_eq!(cert.server_public_key, server);
        assert_eq!(
            verify_certificate_file(&cert_path, &authority, 1500).unwrap(),
            cert
        );
        match verify_certificate_file(&cert_path, &authority, 2001).unwrap_err() {
            KeyFileError::Verify {
                source: CertificateCheckError::Certificate(CertificateError::Expired { .. }),
                ..
            } => {}
            other => panic!("{other}"),
        }
        let other = AuthoritySecretKey::generate_seeded([8; 32]).public_key();
        match verify_certificate_file(&cert_path, &other, 1500).unwrap_err() {
            KeyFileError::Verify {
                source: CertificateCheckError::AuthorityMismatch { .. },
                ..
            } => {}
            other => panic!("{other}"),
        }
        match KeyFile::read(&cert_path).unwrap() {
            KeyFile::Certificate(c) => assert_eq!(c, cert),
            other => panic!("wrong kind {:?}", other.kind()),
        }
        let err = sign_certificate_file(&authority_key, &server, 3000, 2000, &dir.join("x"), false)
            .unwrap_err();
        assert!(matches!(err, KeyFileError::EmptyValidity(_)), "{err}");
        let err =
            sign_certificate_file(&authority_key, &server, 1, 2, &cert_path, false).unwrap_err();
        assert!(matches!(err, KeyFileError::AlreadyExists { .. }), "{err}");
        // a public key file where the authority secret is expected
        let pub_path = dir.join("authority.pub");
        authority.write_file(&pub_path, false).unwrap();
        let err =
            sign_certificate_file(&pub_path, &server, 1, 2, &dir.join("y"), false).unwrap_err();
        assert!(
            err.to_string().contains(
                "expected authority secret key, but its header says authority public key"
            ),
            "{err}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn oversized_and_binary_files_refused() {
        let dir = tempdir();
        let big = dir.join("big");
        std::fs::write(&big, vec![b'1'; (MAX_FILE_LEN + 1) as usize]).unwrap();
        assert!(matches!(
            StaticPublicKey::read_file(&big),
            Err(KeyFileError::Format {
                source: FileFormatError::TooLarge,
                ..
            })
        ));
        let bin = dir.join("bin");
        std::fs::write(&bin, [0xff, 0xfe, 0x00]).unwrap();
        assert!(matches!(
            KeyFile::read(&bin),
            Err(KeyFileError::Format {
                source: FileFormatError::NotText,
                ..
            })
        ));
        assert!(matches!(
            KeyFile::read(&dir.join("missing")),
            Err(KeyFileError::Io { .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
