//! Pool URLs (spec 03 §3.3.6, CHECKLIST A.3.5, R18, R29, E11, E12).
//!
//! Two forms are accepted, and which one is used is always explicit in the URL:
//!
//! * **Encrypted** (the spec's form): `stratum2+tcp://HOST:PORT/AUTHORITY_KEY`. The path is the
//!   pool authority's Ed25519 public key in the [key text format](super::text); it is decoded
//!   and checksum-verified when the URL is parsed (R29). The client runs the Noise handshake
//!   and checks the server certificate against this key.
//! * **Plaintext, for a local network only** (our extension, spec §3.3 / E11 allow the
//!   handshake to be skipped there): `stratum2+tcp+plain://HOST:PORT`, with no path. A
//!   different scheme, rather than the same scheme without a key, so that dropping encryption
//!   is a deliberate act and never the result of a key lost from a configuration file:
//!   `stratum2+tcp://HOST:PORT` without a key is an error.
//!
//! `HOST` is a DNS name (ASCII; use punycode for internationalised names), an IPv4 address, or
//! an IPv6 address in brackets (`[2001:db8::1]`, no zone identifier). `PORT` is required and
//! must be 1-65535: the spec's example has no port but defines no default port (E12), so a
//! missing port is an error rather than a guess. User information (`user@`), queries and
//! fragments are not part of the scheme and are refused. The scheme is matched
//! case-insensitively; DNS names are lowercased for [`Display`](std::fmt::Display), which
//! gives back the canonical URL.
//!
//! The module lives under `keys` because the URL is, above all, how an authority key is
//! configured; it is re-exported as `sv2::keys::{PoolUrl, …}`.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::text::KeyTextError;
use super::{AuthorityPublicKey, XOnlyKey};

/// Scheme of the encrypted form.
pub const SCHEME_NOISE: &str = "stratum2+tcp";
/// Scheme of the explicit plaintext form (local networks only).
pub const SCHEME_PLAINTEXT: &str = "stratum2+tcp+plain";

/// The host part of a pool URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A DNS name, lowercased.
    Domain(String),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address (written in brackets in the URL).
    Ipv6(Ipv6Addr),
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Host::Domain(name) => f.write_str(name),
            Host::Ipv4(addr) => write!(f, "{addr}"),
            Host::Ipv6(addr) => write!(f, "[{addr}]"),
        }
    }
}

/// Whether and how the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Security {
    /// Noise handshake, server certificate checked against this authority key.
    Noise {
        /// The pool authority's public key from the URL path.
        authority_key: AuthorityPublicKey,
    },
    /// The spec-2025 dialect's Noise layer: the path held a current-spec key (38 bytes
    /// decoded, `01 00` ‖ x-only secp256k1 key), which selects that dialect (issue 20).
    Spec2025 {
        /// The pool authority's x-only secp256k1 key from the URL path.
        authority_key: XOnlyKey,
    },
    /// No encryption and no authentication: chosen explicitly with
    /// [`SCHEME_PLAINTEXT`]; for a local network only.
    Plaintext,
}

/// A parsed pool URL. `Display` gives the canonical string back, `FromStr` parses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PoolUrl {
    /// Host to connect to.
    pub host: Host,
    /// TCP port.
    pub port: u16,
    /// Noise with an authority key, or explicit plaintext.
    pub security: Security,
}

/// Why a pool URL was refused. One case per mistake, so that the message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// No `scheme://` at the start.
    #[error("missing scheme: a pool URL looks like {SCHEME_NOISE}://host:port/<authority key>")]
    MissingScheme,
    /// A scheme other than the two supported ones.
    #[error("unsupported scheme `{scheme}`: expected {SCHEME_NOISE}:// (or {SCHEME_PLAINTEXT}:// for an unencrypted local connection){hint}")]
    UnsupportedScheme {
        /// The scheme found.
        scheme: String,
        /// Extra advice for well-known mistakes (empty otherwise).
        hint: &'static str,
    },
    /// `user@host` is not part of the scheme.
    #[error("user information (`…@`) is not allowed in a pool URL")]
    UserInfo,
    /// `?query` or `#fragment` present.
    #[error("query strings and fragments (`?`, `#`) are not allowed in a pool URL")]
    QueryOrFragment,
    /// Nothing between `://` and the port.
    #[error("the host is empty")]
    EmptyHost,
    /// A host that is neither a DNS name nor an IP address.
    #[error("invalid host `{host}`: {reason}")]
    InvalidHost {
        /// The host as written.
        host: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// No `:port`. The spec defines no default port (E12).
    #[error(
        "missing port: the Stratum V2 spec defines no default port, so write one, e.g. host:3336"
    )]
    MissingPort,
    /// The port is not a number from 1 to 65535.
    #[error("invalid port `{port}`: must be a number from 1 to 65535")]
    InvalidPort {
        /// The port as written.
        port: String,
    },
    /// `stratum2+tcp://` without the authority key.
    #[error("missing pool authority key: {SCHEME_NOISE}://host:port/<authority key> needs the key the pool publishes; for an unencrypted connection on a local network write {SCHEME_PLAINTEXT}://host:port explicitly")]
    MissingAuthorityKey,
    /// The authority key in the path is malformed (bad checksum, wrong length, …) (R29).
    #[error("invalid pool authority key in URL: {0}")]
    InvalidAuthorityKey(#[source] KeyTextError),
    /// The path has more than one segment.
    #[error("unexpected path `{path}`: the path must be exactly the authority key")]
    UnexpectedPath {
        /// The path as written.
        path: String,
    },
    /// A plaintext URL with a path: probably a key, which would suggest a security that the
    /// plaintext scheme does not provide.
    #[error("{SCHEME_PLAINTEXT}:// takes no path or key (it is unencrypted); to authenticate the pool use {SCHEME_NOISE}://host:port/<authority key>")]
    PlaintextWithPath,
}

impl PoolUrl {
    /// Parses a pool URL (see the [module docs](self)). Surrounding whitespace is ignored.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let url = url.trim();
        let (scheme, rest) = url.split_once("://").ok_or(UrlError::MissingScheme)?;
        let plaintext = if scheme.eq_ignore_ascii_case(SCHEME_NOISE) {
            false
        } else if scheme.eq_ignore_ascii_case(SCHEME_PLAINTEXT) {
            true
        } else {
            return Err(UrlError::UnsupportedScheme {
                scheme: scheme.to_owned(),
                hint: scheme_hint(scheme),
            });
        };
        if rest.contains(['?', '#']) {
            return Err(UrlError::QueryOrFragment);
        }
        let (authority, path) = match rest.find('/') {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        if authority.contains('@') {
            return Err(UrlError::UserInfo);
        }
        let (host, port) = split_host_port(authority)?;
        let security = if plaintext {
            // A lone trailing slash carries nothing and is tolerated.
            match path {
                None | Some("") => Security::Plaintext,
                Some(_) => return Err(UrlError::PlaintextWithPath),
            }
        } else {
            match path {
                None | Some("") => return Err(UrlError::MissingAuthorityKey),
                Some(key) if key.contains('/') => {
                    return Err(UrlError::UnexpectedPath {
                        path: key.to_owned(),
                    })
                }
                // Both key generations are accepted: the key's format selects the dialect.
                Some(key) => match AuthorityPublicKey::from_text(key) {
                    Ok(authority_key) => Security::Noise { authority_key },
                    Err(KeyTextError::Secp256k1Format) => Security::Spec2025 {
                        authority_key: XOnlyKey::from_text(key)
                            .map_err(UrlError::InvalidAuthorityKey)?,
                    },
                    Err(e) => return Err(UrlError::InvalidAuthorityKey(e)),
                },
            }
        };
        Ok(PoolUrl {
            host,
            port,
            security,
        })
    }

    /// The authority key, for the encrypted form.
    pub fn authority_key(&self) -> Option<&AuthorityPublicKey> {
        match &self.security {
            Security::Noise { authority_key } => Some(authority_key),
            Security::Spec2025 { .. } | Security::Plaintext => None,
        }
    }

    /// Refuses a URL whose key selects the spec-2025 dialect, with the error a 2022-only API
    /// has always given for such a key. For the C, Python and Node configurations, which
    /// cannot run a spec-2025 session yet: without this a spec-2025 URL would read there as
    /// "no 2022 key", which they take for plaintext.
    pub fn require_2022(self) -> Result<Self, UrlError> {
        match self.security {
            Security::Spec2025 { .. } => {
                Err(UrlError::InvalidAuthorityKey(KeyTextError::Secp256k1Format))
            }
            Security::Noise { .. } | Security::Plaintext => Ok(self),
        }
    }

    /// The spec-2025 authority key, when the URL carries a current-spec key.
    pub fn spec_2025_authority_key(&self) -> Option<&XOnlyKey> {
        match &self.security {
            Security::Spec2025 { authority_key } => Some(authority_key),
            Security::Noise { .. } | Security::Plaintext => None,
        }
    }

    /// `host:port` in the form `std::net::ToSocketAddrs` accepts (IPv6 in brackets).
    pub fn host_port(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// Advice for schemes people are likely to write by mistake.
fn scheme_hint(scheme: &str) -> &'static str {
    let lower = scheme.to_ascii_lowercase();
    match lower.as_str() {
        "stratum+tcp" | "stratum+ssl" | "stratum+tls" => {
            "; `stratum+tcp` is Stratum V1, Stratum V2 uses `stratum2+tcp`"
        }
        "stratum2+ssl" | "stratum2+tls" => "; Stratum V2 encrypts with Noise over plain TCP",
        "tcp" | "http" | "https" => "; write the Stratum V2 scheme",
        _ => "",
    }
}

fn split_host_port(authority: &str) -> Result<(Host, u16), UrlError> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (inside, after) = bracketed.split_once(']').ok_or(UrlError::InvalidHost {
            host: authority.to_owned(),
            reason: "missing `]` after the IPv6 address",
        })?;
        let addr: Ipv6Addr = inside.parse().map_err(|_| UrlError::InvalidHost {
            host: format!("[{inside}]"),
            reason: "not an IPv6 address (zone identifiers are not supported)",
        })?;
        let port = match after.strip_prefix(':') {
            Some(port) => port,
            None if after.is_empty() => return Err(UrlError::MissingPort),
            None => {
                return Err(UrlError::InvalidHost {
                    host: authority.to_owned(),
                    reason: "unexpected text after the IPv6 address",
                })
            }
        };
        (Host::Ipv6(addr), port)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some(pair) => pair,
            None if authority.is_empty() => return Err(UrlError::EmptyHost),
            None => return Err(UrlError::MissingPort),
        };
        if host.contains(':') {
            return Err(UrlError::InvalidHost {
                host: host.to_owned(),
                reason: "an IPv6 address must be written in brackets, e.g. [::1]:3336",
            });
        }
        (parse_name_or_ipv4(host)?, port)
    };
    Ok((host, parse_port(port)?))
}

fn parse_name_or_ipv4(host: &str) -> Result<Host, UrlError> {
    let invalid = |reason| UrlError::InvalidHost {
        host: host.to_owned(),
        reason,
    };
    if host.is_empty() {
        return Err(UrlError::EmptyHost);
    }
    // All digits and dots: meant as an IPv4 address, so it must be a valid one ("1.2.3" or
    // "256.0.0.1" would otherwise be looked up as a name).
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return host
            .parse::<Ipv4Addr>()
            .map(Host::Ipv4)
            .map_err(|_| invalid("not a valid IPv4 address"));
    }
    if host.len() > 253 {
        return Err(invalid("longer than 253 characters"));
    }
    for label in host.strip_suffix('.').unwrap_or(host).split('.') {
        if label.is_empty() {
            return Err(invalid("empty label (two dots in a row, or a leading dot)"));
        }
        if label.len() > 63 {
            return Err(invalid("a label is longer than 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid(
                "only ASCII letters, digits, `-`, `_` and `.` are allowed (use punycode for international names)",
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid("a label starts or ends with `-`"));
        }
    }
    Ok(Host::Domain(host.to_ascii_lowercase()))
}

fn parse_port(port: &str) -> Result<u16, UrlError> {
    if port.is_empty() {
        return Err(UrlError::MissingPort);
    }
    let invalid = || UrlError::InvalidPort {
        port: port.to_owned(),
    };
    if port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    match port.parse::<u32>() {
        Ok(n @ 1..=65535) => Ok(n as u16),
        _ => Err(invalid()),
    }
}

impl std::str::FromStr for PoolUrl {
    type Err = UrlError;
    fn from_str(url: &str) -> Result<Self, UrlError> {
        Self::parse(url)
    }
}

impl std::fmt::Display for PoolUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.security {
            Security::Noise { authority_key } => write!(
                f,
                "{SCHEME_NOISE}://{}:{}/{authority_key}",
                self.host, self.port
            ),
            Security::Spec2025 { authority_key } => write!(
                f,
                "{SCHEME_NOISE}://{}:{}/{authority_key}",
                self.host, self.port
            ),
            Security::Plaintext => write!(f, "{SCHEME_PLAINTEXT}://{}:{}", self.host, self.port),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "u95GEReVMjK6k5YqiSFNqqTnKU4ypU2Wm8awa6tmbmDmk1bWt";

    fn noise(url: &str) -> PoolUrl {
        PoolUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn spec_example_with_port() {
        // R29 via the URL; E12: the spec example plus a port
        let url = noise(&format!("stratum2+tcp://thepool.com:3336/{KEY}"));
        assert_eq!(url.host, Host::Domain("thepool.com".into()));
        assert_eq!(url.port, 3336);
        assert_eq!(
            hex::encode(url.authority_key().unwrap().as_bytes()),
            "76637000979c1c11af0c300bcd8c7fe48610fce9b9c11e3daee35ae0b08a7455"
        );
        assert_eq!(
            url.to_string(),
            format!("stratum2+tcp://thepool.com:3336/{KEY}")
        );
        assert_eq!(url.host_port(), "thepool.com:3336");
    }

    #[test]
    fn spec_example_without_port_is_refused() {
        // E12: no default port is defined
        assert_eq!(
            PoolUrl::parse(&format!("stratum2+tcp://thepool.com/{KEY}")),
            Err(UrlError::MissingPort)
        );
        assert_eq!(
            PoolUrl::parse(&format!("stratum2+tcp://thepool.com:/{KEY}")),
            Err(UrlError::MissingPort)
        );
        assert_eq!(
            PoolUrl::parse(&format!("stratum2+tcp://[::1]/{KEY}")),
            Err(UrlError::MissingPort)
        );
    }

    #[test]
    fn ip_hosts() {
        let url = noise(&format!("stratum2+tcp://10.0.0.5:34255/{KEY}"));
        assert_eq!(url.host, Host::Ipv4(Ipv4Addr::new(10, 0, 0, 5)));
        let url = noise(&format!("stratum2+tcp://[::1]:3336/{KEY}"));
        assert_eq!(url.host, Host::Ipv6(Ipv6Addr::LOCALHOST));
        assert_eq!(url.to_string(), format!("stratum2+tcp://[::1]:3336/{KEY}"));
        assert_eq!(url.host_port(), "[::1]:3336");
        let url = noise(&format!("stratum2+tcp://[2001:DB8::0:1]:1/{KEY}"));
        assert_eq!(
            url.to_string(),
            format!("stratum2+tcp://[2001:db8::1]:1/{KEY}")
        );
    }

    #[test]
    fn canonical_display_round_trips() {
        let url = noise(&format!("  STRATUM2+TCP://Pool.Example.COM:65535/{KEY}\n"));
        assert_eq!(
            url.to_string(),
            format!("stratum2+tcp://pool.example.com:65535/{KEY}")
        );
        assert_eq!(url.to_string().parse::<PoolUrl>(), Ok(url));
        let plain: PoolUrl = "stratum2+tcp+plain://192.168.1.10:3336".parse().unwrap();
        assert_eq!(plain.to_string().parse::<PoolUrl>(), Ok(plain));
    }

    #[test]
    fn bad_key_in_url() {
        // R29: bad checksum and wrong length are refused at parse time
        let mut bad = KEY.to_string();
        bad.replace_range(5..6, "A");
        assert!(matches!(
            PoolUrl::parse(&format!("stratum2+tcp://pool:1/{bad}")),
            Err(UrlError::InvalidAuthorityKey(
                KeyTextError::BadChecksum { .. }
            ))
        ));
        assert!(matches!(
            PoolUrl::parse("stratum2+tcp://pool:1/3yZe7d"),
            Err(UrlError::InvalidAuthorityKey(
                KeyTextError::WrongLength { .. }
            )) | Err(UrlError::InvalidAuthorityKey(
                KeyTextError::BadChecksum { .. }
            ))
        ));
        assert!(matches!(
            PoolUrl::parse("stratum2+tcp://pool:1/0OIl"),
            Err(UrlError::InvalidAuthorityKey(
                KeyTextError::InvalidCharacter { .. }
            ))
        ));
        assert_eq!(
            PoolUrl::parse(&format!("stratum2+tcp://pool:1/{KEY}/extra")),
            Err(UrlError::UnexpectedPath {
                path: format!("{KEY}/extra")
            })
        );
    }

    /// A 38-byte current-spec key text for `key` (`01 00` ‖ key ‖ checksum).
    fn spec_2025_text(key: [u8; 32]) -> String {
        let mut payload = vec![0x01, 0x00];
        payload.extend_from_slice(&key);
        let digest = {
            use sha2::{Digest, Sha256};
            Sha256::digest(Sha256::digest(&payload))
        };
        payload.extend_from_slice(&digest[..4]);
        bs58::encode(payload).into_string()
    }

    #[test]
    fn spec_2025_key_in_url_selects_the_2025_dialect() {
        // sv2-spec 0f38d51 §4.7 URL example: a 38-byte key means the spec-2025 dialect (issue 20).
        let text =
            "stratum2+tcp://thepool.com:34254/9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh";
        let url = PoolUrl::parse(text).unwrap();
        let key = url.spec_2025_authority_key().unwrap();
        assert_eq!(key.as_bytes()[..4], [118, 99, 112, 0]);
        assert_eq!(url.authority_key(), None);
        assert_eq!(url.to_string(), text);
        // The 2022 key form in the same position still selects the 2022 dialect.
        let old = PoolUrl::parse(&format!("stratum2+tcp://pool:1/{KEY}")).unwrap();
        assert!(old.authority_key().is_some() && old.spec_2025_authority_key().is_none());
    }

    #[test]
    fn require_2022_refuses_a_spec_2025_url_instead_of_downgrading() {
        let url = PoolUrl::parse(
            "stratum2+tcp://thepool.com:34254/9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh",
        )
        .unwrap();
        assert_eq!(
            url.require_2022(),
            Err(UrlError::InvalidAuthorityKey(KeyTextError::Secp256k1Format))
        );
        let old = PoolUrl::parse(&format!("stratum2+tcp://pool:1/{KEY}")).unwrap();
        assert_eq!(old.clone().require_2022(), Ok(old));
    }

    #[test]
    fn spec_2025_key_off_the_curve_is_refused() {
        // x = 0 is not on secp256k1 (7 is not a square mod p).
        assert!(XOnlyKey::from_bytes_checked([0; 32]).is_err());
        let key = spec_2025_text([0; 32]);
        assert_eq!(
            PoolUrl::parse(&format!("stratum2+tcp://pool:1/{key}")).unwrap_err(),
            UrlError::InvalidAuthorityKey(KeyTextError::InvalidSecp256k1Key)
        );
    }

    #[test]
    fn no_silent_downgrade() {
        // R18/E11: a missing key never means plaintext
        for url in ["stratum2+tcp://pool:3336", "stratum2+tcp://pool:3336/"] {
            let err = PoolUrl::parse(url).unwrap_err();
            assert_eq!(err, UrlError::MissingAuthorityKey);
            assert!(err.to_string().contains("stratum2+tcp+plain://"));
        }
        let plain = PoolUrl::parse("stratum2+tcp+plain://localhost:3336/").unwrap();
        assert_eq!(plain.security, Security::Plaintext);
        assert_eq!(plain.authority_key(), None);
        assert_eq!(plain.to_string(), "stratum2+tcp+plain://localhost:3336");
        assert_eq!(
            PoolUrl::parse(&format!("stratum2+tcp+plain://localhost:3336/{KEY}")),
            Err(UrlError::PlaintextWithPath)
        );
    }

    #[test]
    fn malformed_urls() {
        let cases: &[(&str, UrlError)] = &[
            ("thepool.com:3336", UrlError::MissingScheme),
            ("", UrlError::MissingScheme),
            ("stratum2+tcp://:3336/k", UrlError::EmptyHost),
            ("stratum2+tcp:///k", UrlError::EmptyHost),
            ("stratum2+tcp://", UrlError::EmptyHost),
            (
                "stratum2+tcp://pool:0/k",
                UrlError::InvalidPort { port: "0".into() },
            ),
            (
                "stratum2+tcp://pool:65536/k",
                UrlError::InvalidPort {
                    port: "65536".into(),
                },
            ),
            (
                "stratum2+tcp://pool:+80/k",
                UrlError::InvalidPort { port: "+80".into() },
            ),
            (
                "stratum2+tcp://pool:http/k",
                UrlError::InvalidPort {
                    port: "http".into(),
                },
            ),
            (
                "stratum2+tcp://pool:0000080/k",
                UrlError::InvalidPort {
                    port: "0000080".into(),
                },
            ),
            ("stratum2+tcp://user@pool:1/k", UrlError::UserInfo),
            ("stratum2+tcp://pool:1/k?x=1", UrlError::QueryOrFragment),
            ("stratum2+tcp://pool:1/k#f", UrlError::QueryOrFragment),
        ];
        for (url, expected) in cases {
            assert_eq!(PoolUrl::parse(url).as_ref(), Err(expected), "{url}");
        }
        let invalid_host = |url: &str| {
            assert!(
                matches!(PoolUrl::parse(url), Err(UrlError::InvalidHost { .. })),
                "{url}: {:?}",
                PoolUrl::parse(url)
            )
        };
        invalid_host("stratum2+tcp://::1:3336/k");
        invalid_host("stratum2+tcp://[::1:3336/k");
        invalid_host("stratum2+tcp://[zz::1]:3336/k");
        invalid_host("stratum2+tcp://[::1]x:3336/k");
        invalid_host("stratum2+tcp://256.1.1.1:3336/k");
        invalid_host("stratum2+tcp://1.2.3:3336/k");
        invalid_host("stratum2+tcp://pool..com:3336/k");
        invalid_host("stratum2+tcp://-pool.com:3336/k");
        invalid_host("stratum2+tcp://pööl.com:3336/k");
        invalid_host("stratum2+tcp://pool com:3336/k");
    }

    #[test]
    fn unsupported_schemes_with_hints() {
        let err = PoolUrl::parse("stratum+tcp://pool:3333").unwrap_err();
        assert!(matches!(err, UrlError::UnsupportedScheme { .. }));
        assert!(err.to_string().contains("Stratum V1"), "{err}");
        let err = PoolUrl::parse("sv2://pool:3333").unwrap_err();
        assert_eq!(
            err,
            UrlError::UnsupportedScheme {
                scheme: "sv2".into(),
                hint: ""
            }
        );
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use crate::keys::{KeyFile, ServerCertificate};
    use proptest::prelude::*;

    proptest! {
        // Bad input never panics: arbitrary strings through every text parser of this module
        // family, and every successful URL parse round-trips through Display.
        #[test]
        fn parsers_never_panic(s in "\\PC{0,120}") {
            let _ = crate::keys::text::decode_key(&s);
            let _ = KeyFile::parse(&s);
            let _ = ServerCertificate::from_text(&s);
            if let Ok(url) = PoolUrl::parse(&s) {
                prop_assert_eq!(PoolUrl::parse(&url.to_string()), Ok(url));
            }
        }

        #[test]
        fn url_like_inputs_never_panic(
            scheme in "(stratum2\\+tcp|stratum2\\+tcp\\+plain|x)",
            host in "[a-z0-9.:\\[\\]-]{0,20}",
            port in "[0-9a-z]{0,7}",
            path in "[1-9A-HJ-NP-Za-km-z/]{0,60}",
        ) {
            let url = format!("{scheme}://{host}:{port}/{path}");
            if let Ok(parsed) = PoolUrl::parse(&url) {
                prop_assert_eq!(PoolUrl::parse(&parsed.to_string()), Ok(parsed));
            }
        }
    }
}
