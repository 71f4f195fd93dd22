//! Key and certificate files of the deployed tools (issue 13), read beside libsv2's own:
//!
//! * **Braiins 2021** (`ii-stratum-keytool`, profile braiins-2021 `key_text_format`): a JSON
//!   object wrapping one key text, `{"ed25519_public_key": "<key>"}` (authority public),
//!   `{"ed25519_secret_key": …}` (authority secret), `{"noise_public_key": …}` and
//!   `{"noise_secret_key": …}` (server static key); a certificate is
//!   `{"signed_part_header": {"version", "valid_from", "not_valid_after"}, "public_key":
//!   {"noise_public_key": …}, "authority_public_key": {"ed25519_public_key": …}, "signature":
//!   {"ed25519_signature": <Base58Check of the 64 bytes>}}`.
//! * **SRI 2023** role configurations (profile sri-2023 `key_text_format`): TOML files with
//!   `authority_public_key = "<key>"`, `authority_secret_key = "<key>"` or
//!   `upstream_authority_pubkey = "<key>"` among other settings. Only those lines are read.
//!
//! The key text inside is the same Base58Check as ours, so only the wrapping differs.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::file::{FileFormatError, FileKind};
use super::text::{decode_check, KeyTextError};
use super::{AuthorityPublicKey, Certificate, ServerCertificate, StaticPublicKey};

/// The formats of the deployed tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForeignFormat {
    /// A JSON key or certificate file of Braiins' `ii-stratum-keytool` (2021).
    BraiinsJson,
    /// A TOML role configuration of the Stratum Reference Implementation (2023).
    SriToml,
}

impl ForeignFormat {
    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            ForeignFormat::BraiinsJson => "Braiins key tool JSON",
            ForeignFormat::SriToml => "SRI TOML configuration",
        }
    }
}

impl std::fmt::Display for ForeignFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The Braiins JSON field holding a key of `kind`.
fn braiins_field(kind: FileKind) -> Option<&'static str> {
    match kind {
        FileKind::AuthorityPublicKey => Some("ed25519_public_key"),
        FileKind::AuthoritySecretKey => Some("ed25519_secret_key"),
        FileKind::ServerPublicKey => Some("noise_public_key"),
        FileKind::ServerSecretKey => Some("noise_secret_key"),
        FileKind::Certificate => None,
    }
}

/// The SRI TOML settings holding a key of `kind`, in order of preference.
fn sri_settings(kind: FileKind) -> &'static [&'static str] {
    match kind {
        FileKind::AuthorityPublicKey => &["authority_public_key", "upstream_authority_pubkey"],
        FileKind::AuthoritySecretKey => &["authority_secret_key"],
        _ => &[],
    }
}

/// The accepted formats for `kind`, for error messages.
pub(crate) fn expected_formats(kind: FileKind) -> String {
    let mut formats = vec![format!("`# sv2 {}` and one key text line", kind.name())];
    if kind == FileKind::Certificate {
        formats[0] = "`# sv2 server certificate` with `name = value` lines".into();
        formats.push("Braiins JSON with `signed_part_header`, `public_key`, `authority_public_key` and `signature`".into());
    }
    if let Some(field) = braiins_field(kind) {
        formats.push(format!("Braiins JSON `{{\"{field}\": \"<key>\"}}`"));
    }
    let settings = sri_settings(kind);
    if !settings.is_empty() {
        formats.push(format!(
            "SRI TOML `{} = \"<key>\"`",
            settings.join(" = \"<key>\"` or `")
        ));
    }
    formats.join(", or ")
}

/// Whether the contents look like JSON (the only format starting with `{`).
pub(crate) fn is_json(contents: &str) -> bool {
    contents.trim_start().starts_with('{')
}

fn parse_json(contents: &str) -> Result<Map<String, Value>, FileFormatError> {
    match serde_json::from_str::<Value>(contents) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(FileFormatError::BadJson(
            "the top level is not a JSON object".into(),
        )),
        // serde_json's message names line and column but never quotes the input, so a secret
        // key cannot leak into the error.
        Err(e) => Err(FileFormatError::BadJson(e.to_string())),
    }
}

/// Which kind a Braiins JSON object holds, by its fields.
fn braiins_kind(map: &Map<String, Value>) -> Option<FileKind> {
    if map.contains_key("signed_part_header") {
        return Some(FileKind::Certificate);
    }
    [
        FileKind::AuthorityPublicKey,
        FileKind::AuthoritySecretKey,
        FileKind::ServerPublicKey,
        FileKind::ServerSecretKey,
    ]
    .into_iter()
    .find(|k| braiins_field(*k).is_some_and(|f| map.contains_key(f)))
}

/// A key found in another tool's file: where it came from (format and field, for messages) and
/// its key text, zeroized on drop since it may be secret.
pub(crate) type ForeignKeyText = (ForeignFormat, &'static str, Zeroizing<String>);

/// A key wrapped in another tool's format, when `contents` is in one.
pub(crate) fn key_text(
    contents: &str,
    kind: FileKind,
) -> Result<Option<ForeignKeyText>, FileFormatError> {
    if is_json(contents) {
        let mut map = parse_json(contents)?;
        let found = braiins_kind(&map).ok_or_else(|| FileFormatError::UnrecognizedFormat {
            expected: kind,
            formats: expected_formats(kind),
        })?;
        if found != kind {
            return Err(FileFormatError::WrongKind {
                expected: kind,
                found,
            });
        }
        let field =
            braiins_field(kind).ok_or(FileFormatError::MissingField("signed_part_header"))?;
        return match map.get_mut(field) {
            // Moved out so that the zeroizing wrapper owns the one allocation.
            Some(Value::String(text)) => Ok(Some((
                ForeignFormat::BraiinsJson,
                field,
                Zeroizing::new(std::mem::take(text)),
            ))),
            _ => Err(FileFormatError::BadJson(format!(
                "`{field}` must be a string of key text"
            ))),
        };
    }
    for setting in sri_settings(kind) {
        if let Some(text) = toml_string(contents, setting) {
            return Ok(Some((ForeignFormat::SriToml, setting, text)));
        }
    }
    Ok(None)
}

/// The string value of a top-level or table `name = "value"` line, the way SRI configurations
/// write their keys. A line-level reader, not a TOML parser: the keys are always plain quoted
/// strings on one line, and the rest of a role configuration is not ours to interpret.
fn toml_string(contents: &str, name: &str) -> Option<Zeroizing<String>> {
    contents.lines().find_map(|line| {
        let (key, value) = line.trim().split_once('=')?;
        if key.trim() != name {
            return None;
        }
        let value = value.trim();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let rest = &value[1..];
        let end = rest.find(quote)?;
        Some(Zeroizing::new(rest[..end].trim().to_owned()))
    })
}

/// Whether a file of libsv2's own format has lines that are SRI-style settings, to tell such
/// a file without the key it was asked for from a file with two keys.
pub(crate) fn looks_like_settings(line: &str) -> bool {
    line.contains('=') || line.starts_with('[')
}

/// The kind a foreign file holds, for `sv2 key show`, or `None` if it is not a foreign file.
pub(crate) fn kind_of(contents: &str) -> Result<Option<FileKind>, FileFormatError> {
    if is_json(contents) {
        let map = parse_json(contents)?;
        return braiins_kind(&map)
            .map(Some)
            .ok_or(FileFormatError::MissingHeader);
    }
    // A role configuration holding a secret key names the public one too; show the secret.
    Ok([FileKind::AuthoritySecretKey, FileKind::AuthorityPublicKey]
        .into_iter()
        .find(|k| {
            sri_settings(*k)
                .iter()
                .any(|s| toml_string(contents, s).is_some())
        }))
}

/// A Braiins JSON certificate file, validated as thoroughly as ours (the signature must verify
/// under the authority key it names).
pub(crate) fn braiins_certificate(contents: &str) -> Result<ServerCertificate, FileFormatError> {
    let map = parse_json(contents)?;
    match braiins_kind(&map) {
        Some(FileKind::Certificate) => {}
        Some(found) => {
            return Err(FileFormatError::WrongKind {
                expected: FileKind::Certificate,
                found,
            })
        }
        None => {
            return Err(FileFormatError::UnrecognizedFormat {
                expected: FileKind::Certificate,
                formats: expected_formats(FileKind::Certificate),
            })
        }
    }
    let bad = |what: &str| FileFormatError::BadJson(format!("certificate: {what}"));
    let header = map
        .get("signed_part_header")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("`signed_part_header` must be an object"))?;
    let number = |name: &'static str, max: u64| -> Result<u64, FileFormatError> {
        header
            .get(name)
            .and_then(Value::as_u64)
            .filter(|v| *v <= max)
            .ok_or_else(|| {
                bad(&format!(
                    "`signed_part_header.{name}` must be an integer from 0 to {max}"
                ))
            })
    };
    let version = number("version", u64::from(u16::MAX))? as u16;
    if version != 0 {
        return Err(FileFormatError::UnsupportedVersion(version));
    }
    let valid_from = number("valid_from", u64::from(u32::MAX))? as u32;
    let not_valid_after = number("not_valid_after", u64::from(u32::MAX))? as u32;
    let wrapped = |outer: &'static str, inner: &'static str| -> Result<&str, FileFormatError> {
        map.get(outer)
            .and_then(|v| v.get(inner))
            .and_then(Value::as_str)
            .ok_or_else(|| bad(&format!("`{outer}` must be {{\"{inner}\": \"<text>\"}}")))
    };
    let key_error = |field: &'static str| {
        move |source: KeyTextError| FileFormatError::BadForeignKey {
            format: ForeignFormat::BraiinsJson,
            field,
            source,
        }
    };
    let server_public_key = StaticPublicKey::from_text(wrapped("public_key", "noise_public_key")?)
        .map_err(key_error("public_key"))?;
    let authority_public_key =
        AuthorityPublicKey::from_text(wrapped("authority_public_key", "ed25519_public_key")?)
            .map_err(key_error("authority_public_key"))?;
    let signature_bytes =
        decode_check(wrapped("signature", "ed25519_signature")?).map_err(key_error("signature"))?;
    let signature: [u8; 64] = signature_bytes
        .as_slice()
        .try_into()
        .map_err(|_| bad("`signature.ed25519_signature` must hold 64 bytes"))?;
    let parsed = ServerCertificate {
        certificate: Certificate {
            version,
            valid_from,
            not_valid_after,
            signature,
        },
        server_public_key,
        authority_public_key,
    };
    parsed.check_self_consistent()?;
    Ok(parsed)
}
