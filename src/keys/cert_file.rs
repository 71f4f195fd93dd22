//! The full server certificate (spec 03 §3.3.6 with the server key the table leaves out, E9)
//! and its text file format; documented on [`ServerCertificate`].

use super::file::{content_lines, FileFormatError, FileKind};
use super::{
    AuthorityPublicKey, AuthoritySecretKey, Certificate, CertificateError, StaticPublicKey,
};

/// A signed server certificate together with the two keys it binds.
///
/// [`Certificate`] is what travels on the wire; the operator also needs to keep which server
/// key and which authority it was signed for, so a certificate file holds all of them:
///
/// ```text
/// # sv2 server certificate
/// version = 0
/// valid_from = 1700000000
/// not_valid_after = 1702592000
/// server_public_key = <key text of the server's X25519 static key>
/// authority_public_key = <key text of the authority's Ed25519 key>
/// signature = <128 hex digits: the Ed25519 signature over the 78 signed bytes>
/// ```
///
/// * One `name = value` per line; spaces around `=` are optional; names are the six above,
///   each exactly once, in any order. Blank lines and `#` comments are ignored; a `# sv2 …`
///   header naming another kind of file is refused.
/// * `version` is 0 (the only defined version). Times are unix seconds (U32), inclusive.
/// * Keys use the [key text format](super::text); the signature is hexadecimal, either case.
///
/// Parsing ([`ServerCertificate::from_text`]) validates everything it can without a trusted
/// key: the fields, `valid_from ≤ not_valid_after`, and that the signature verifies under the
/// authority key named in the file (so an edited file is caught on reading). Whether that
/// authority is *trusted*, and whether the certificate is valid *now*, is
/// [`ServerCertificate::verify`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ServerCertificate {
    /// Version, validity window and signature: the SIGNATURE_NOISE_MESSAGE contents.
    pub certificate: Certificate,
    /// The server's Noise static public key the certificate was signed for.
    pub server_public_key: StaticPublicKey,
    /// The authority that signed it.
    pub authority_public_key: AuthorityPublicKey,
}

/// A validity window whose start is after its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "empty validity window: valid_from ({valid_from}) is after not_valid_after ({not_valid_after})"
)]
pub struct EmptyValidityError {
    /// Requested start.
    pub valid_from: u32,
    /// Requested end.
    pub not_valid_after: u32,
}

/// Why a certificate did not verify against a trusted authority key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CertificateCheckError {
    /// The certificate names another authority than the trusted one. (Its signature could not
    /// verify anyway, since the authority key is signed; this names the cause.)
    #[error("certificate is signed by authority {in_certificate}, not by the trusted authority {trusted}")]
    AuthorityMismatch {
        /// The authority key in the certificate.
        in_certificate: AuthorityPublicKey,
        /// The authority key the caller trusts.
        trusted: AuthorityPublicKey,
    },
    /// Signature or validity-window failure.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
}

const FIELDS: [&str; 6] = [
    "version",
    "valid_from",
    "not_valid_after",
    "server_public_key",
    "authority_public_key",
    "signature",
];

impl ServerCertificate {
    /// Signs a version-0 certificate for `server_public_key`, valid from `valid_from` to
    /// `not_valid_after` inclusive (unix seconds).
    pub fn sign(
        authority: &AuthoritySecretKey,
        server_public_key: StaticPublicKey,
        valid_from: u32,
        not_valid_after: u32,
    ) -> Result<Self, EmptyValidityError> {
        if valid_from > not_valid_after {
            return Err(EmptyValidityError {
                valid_from,
                not_valid_after,
            });
        }
        Ok(Self {
            certificate: Certificate::sign(
                authority,
                &server_public_key,
                valid_from,
                not_valid_after,
            ),
            server_public_key,
            authority_public_key: authority.public_key(),
        })
    }

    /// Verifies the certificate against the authority key the caller trusts, at `now_unix`
    /// (R24, R25).
    pub fn verify(
        &self,
        trusted_authority: &AuthorityPublicKey,
        now_unix: u64,
    ) -> Result<(), CertificateCheckError> {
        if self.authority_public_key != *trusted_authority {
            return Err(CertificateCheckError::AuthorityMismatch {
                in_certificate: self.authority_public_key,
                trusted: *trusted_authority,
            });
        }
        self.certificate
            .verify(trusted_authority, &self.server_public_key, now_unix)?;
        Ok(())
    }

    /// The certificate file text (format: see [`ServerCertificate`]).
    pub fn to_text(&self) -> String {
        let c = &self.certificate;
        format!(
            "{header}\n\
             version = {version}\n\
             valid_from = {valid_from}\n\
             not_valid_after = {not_valid_after}\n\
             server_public_key = {server}\n\
             authority_public_key = {authority}\n\
             signature = {signature}\n",
            header = FileKind::Certificate.header(),
            version = c.version,
            valid_from = c.valid_from,
            not_valid_after = c.not_valid_after,
            server = self.server_public_key,
            authority = self.authority_public_key,
            signature = to_hex(&c.signature),
        )
    }

    /// Parses and validates certificate file text (format: see [`ServerCertificate`]; a
    /// Braiins key tool JSON certificate is read too, see [`super::foreign`]).
    pub fn from_text(contents: &str) -> Result<Self, FileFormatError> {
        if super::foreign::is_json(contents) {
            return super::foreign::braiins_certificate(contents);
        }
        let mut values: [Option<(usize, &str)>; 6] = [None; 6];
        for (line, text) in content_lines(contents, FileKind::Certificate)? {
            let (name, value) = text
                .split_once('=')
                .ok_or(FileFormatError::BadLine { line })?;
            let name = name.trim();
            let index = FIELDS.iter().position(|f| *f == name).ok_or_else(|| {
                FileFormatError::UnknownField {
                    line,
                    name: name.to_owned(),
                }
            })?;
            if values[index].is_some() {
                return Err(FileFormatError::DuplicateField {
                    line,
                    name: FIELDS[index],
                });
            }
            values[index] = Some((line, value.trim()));
        }
        let get = |index: usize| values[index].ok_or(FileFormatError::MissingField(FIELDS[index]));

        let (line, text) = get(0)?;
        let version =
            parse_decimal(text, u64::from(u16::MAX)).ok_or(FileFormatError::BadNumber {
                line,
                name: "version",
                max: u32::from(u16::MAX),
            })? as u16;
        if version != 0 {
            return Err(FileFormatError::UnsupportedVersion(version));
        }
        let time = |index: usize| -> Result<u32, FileFormatError> {
            let (line, text) = get(index)?;
            parse_decimal(text, u64::from(u32::MAX))
                .map(|v| v as u32)
                .ok_or(FileFormatError::BadNumber {
                    line,
                    name: FIELDS[index],
                    max: u32::MAX,
                })
        };
        let valid_from = time(1)?;
        let not_valid_after = time(2)?;
        let (line, text) = get(3)?;
        let server_public_key = StaticPublicKey::from_text(text).map_err(|source| {
            FileFormatError::BadCertificateKey {
                line,
                name: FIELDS[3],
                source,
            }
        })?;
        let (line, text) = get(4)?;
        let authority_public_key = AuthorityPublicKey::from_text(text).map_err(|source| {
            FileFormatError::BadCertificateKey {
                line,
                name: FIELDS[4],
                source,
            }
        })?;
        let (line, text) = get(5)?;
        let signature = from_hex_64(text).ok_or(FileFormatError::BadSignatureEncoding { line })?;
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

    /// What reading a file checks without a trusted key: a non-empty validity window, and a
    /// signature that verifies under the authority key the file names.
    pub(crate) fn check_self_consistent(&self) -> Result<(), FileFormatError> {
        let c = &self.certificate;
        if c.valid_from > c.not_valid_after {
            return Err(EmptyValidityError {
                valid_from: c.valid_from,
                not_valid_after: c.not_valid_after,
            }
            .into());
        }
        // Checked at a time inside the window so that only the signature matters here.
        // from_text already checked the authority key is a curve point.
        c.verify(
            &self.authority_public_key,
            &self.server_public_key,
            u64::from(c.valid_from),
        )
        .map_err(|_| FileFormatError::SignatureMismatch)
    }
}

/// Parses a plain decimal number no larger than `max`: digits only (no sign, no spaces inside),
/// so that `+5` or `0x10` is an error rather than a surprise.
pub(super) fn parse_decimal(text: &str, max: u64) -> Option<u64> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u64>().ok().filter(|v| *v <= max)
}

/// Bytes as lowercase hex (signatures in certificate files, checksums in key errors).
pub(super) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

pub(super) fn from_hex_64(text: &str) -> Option<[u8; 64]> {
    let digits = text.as_bytes();
    if digits.len() != 128 {
        return None;
    }
    let nibble = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 64];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::StaticSecretKey;

    fn sample() -> (ServerCertificate, AuthoritySecretKey) {
        let authority = AuthoritySecretKey::generate_seeded([11; 32]);
        let server = StaticSecretKey::generate_seeded([12; 32]).public_key();
        (
            ServerCertificate::sign(&authority, server, 1_700_000_000, 1_702_592_000).unwrap(),
            authority,
        )
    }

    #[test]
    fn text_round_trip() {
        let (cert, authority) = sample();
        let text = cert.to_text();
        assert!(text.starts_with("# sv2 server certificate\nversion = 0\n"));
        assert_eq!(ServerCertificate::from_text(&text), Ok(cert));
        assert_eq!(cert.authority_public_key, authority.public_key());
        // order, spacing, case of hex and comments do not matter
        let mut lines: Vec<String> = text
            .lines()
            .skip(1)
            .map(|l| l.replace(" = ", "="))
            .collect();
        lines.reverse();
        let shuffled = format!("# hand edited\n\n{}\n", lines.join("\n")).replace(
            &to_hex(&cert.certificate.signature),
            &to_hex(&cert.certificate.signature).to_uppercase(),
        );
        assert_eq!(ServerCertificate::from_text(&shuffled), Ok(cert));
    }

    #[test]
    fn verify_checks_authority_signature_and_time() {
        // R24, R25
        let (cert, authority) = sample();
        let trusted = authority.public_key();
        assert_eq!(cert.verify(&trusted, 1_700_000_000), Ok(()));
        assert_eq!(cert.verify(&trusted, 1_702_592_000), Ok(()));
        assert!(matches!(
            cert.verify(&trusted, 1_699_999_999),
            Err(CertificateCheckError::Certificate(
                CertificateError::NotYetValid { .. }
            ))
        ));
        assert!(matches!(
            cert.verify(&trusted, 1_702_592_001),
            Err(CertificateCheckError::Certificate(
                CertificateError::Expired { .. }
            ))
        ));
        let other = AuthoritySecretKey::generate_seeded([13; 32]).public_key();
        let err = cert.verify(&other, 1_700_000_001).unwrap_err();
        assert!(matches!(
            err,
            CertificateCheckError::AuthorityMismatch { .. }
        ));
        assert!(err.to_string().contains(&other.to_string()));
        // a certificate whose fields were changed in memory fails on the signature
        let mut tampered = cert;
        tampered.certificate.not_valid_after += 1;
        assert_eq!(
            tampered.verify(&trusted, 1_700_000_001),
            Err(CertificateCheckError::Certificate(
                CertificateError::BadSignature
            ))
        );
    }

    #[test]
    fn sign_refuses_empty_window() {
        let authority = AuthoritySecretKey::generate_seeded([1; 32]);
        let server = StaticPublicKey::from_bytes([2; 32]);
        assert_eq!(
            ServerCertificate::sign(&authority, server, 10, 9),
            Err(EmptyValidityError {
                valid_from: 10,
                not_valid_after: 9
            })
        );
        assert!(ServerCertificate::sign(&authority, server, 10, 10).is_ok());
    }

    fn replace_line(text: &str, field: &str, new_line: &str) -> String {
        text.lines()
            .map(|l| {
                if l.starts_with(field) {
                    new_line.to_owned()
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn edited_fields_are_refused() {
        // R24 on a file: flipping valid_from, or swapping in another server key, is caught
        let (cert, _) = sample();
        let text = cert.to_text();
        let edited = replace_line(&text, "valid_from", "valid_from = 1700000001");
        assert_eq!(
            ServerCertificate::from_text(&edited),
            Err(FileFormatError::SignatureMismatch)
        );
        let other_server = StaticPublicKey::from_bytes([99; 32]);
        let edited = replace_line(
            &text,
            "server_public_key",
            &format!("server_public_key = {other_server}"),
        );
        assert_eq!(
            ServerCertificate::from_text(&edited),
            Err(FileFormatError::SignatureMismatch)
        );
    }

    #[test]
    fn malformed_certificates_are_refused() {
        let (cert, _) = sample();
        let text = cert.to_text();
        let check = |t: &str, expected: FileFormatError| {
            assert_eq!(ServerCertificate::from_text(t), Err(expected), "{t}");
        };
        check(
            &replace_line(&text, "version", "version = 1"),
            FileFormatError::UnsupportedVersion(1),
        );
        check(
            &replace_line(&text, "version", "version = -1"),
            FileFormatError::BadNumber {
                line: 2,
                name: "version",
                max: 65535,
            },
        );
        check(
            &replace_line(&text, "valid_from", "valid_from = 4294967296"),
            FileFormatError::BadNumber {
                line: 3,
                name: "valid_from",
                max: u32::MAX,
            },
        );
        check(
            &replace_line(&text, "not_valid_after", "not_valid_after = 0x10"),
            FileFormatError::BadNumber {
                line: 4,
                name: "not_valid_after",
                max: u32::MAX,
            },
        );
        check(
            &replace_line(&text, "not_valid_after", "not_valid_after = 1"),
            FileFormatError::EmptyValidity(EmptyValidityError {
                valid_from: 1_700_000_000,
                not_valid_after: 1,
            }),
        );
        check(
            &replace_line(&text, "signature", "signature = abcd"),
            FileFormatError::BadSignatureEncoding { line: 7 },
        );
        check(
            &replace_line(
                &text,
                "signature",
                &format!("signature = {}", "g".repeat(128)),
            ),
            FileFormatError::BadSignatureEncoding { line: 7 },
        );
        check(
            &replace_line(&text, "signature", "colour = blue"),
            FileFormatError::UnknownField {
                line: 7,
                name: "colour".into(),
            },
        );
        check(
            &replace_line(&text, "signature", "just text"),
            FileFormatError::BadLine { line: 7 },
        );
        check(
            &replace_line(&text, "signature", ""),
            FileFormatError::MissingField("signature"),
        );
        check(
            &format!("{text}version = 0\n"),
            FileFormatError::DuplicateField {
                line: 8,
                name: "version",
            },
        );
        let err = ServerCertificate::from_text(&replace_line(
            &text,
            "authority_public_key",
            "authority_public_key = 1111",
        ))
        .unwrap_err();
        assert!(
            matches!(
                err,
                FileFormatError::BadCertificateKey {
                    line: 6,
                    name: "authority_public_key",
                    ..
                }
            ),
            "{err}"
        );
        check(
            &text.replace("# sv2 server certificate", "# sv2 server public key"),
            FileFormatError::WrongKind {
                expected: FileKind::Certificate,
                found: FileKind::ServerPublicKey,
            },
        );
        check("", FileFormatError::MissingField("version"));
    }
}
