//! The listeners' security and the URL they print: `--plaintext`, `--key FILE --cert FILE`
//! (files written by `sv2 key`), or, with neither, an ephemeral authority, server key and
//! certificate made at start (fine for tests and a local network; clients must take the key
//! from the printed URL, and it changes on every start).

use crate::ServiceError;
use std::net::SocketAddr;
use std::path::PathBuf;
use sv2::keys::{
    AuthorityPublicKey, AuthoritySecretKey, Certificate, KeyFile, PoolUrl, Security,
    StaticSecretKey,
};
use sv2::messages::Dialect;
use sv2::noise::{InitiatorConfig, ResponderConfig};
use sv2::session::{ClientSecurity, ServerConfig, ServerSecurity};

/// How a listener secures its connections.
#[derive(Clone, Debug, Default)]
pub enum ListenSecurity {
    /// `--plaintext`: no encryption (local networks only).
    Plaintext,
    /// `--key FILE --cert FILE`: the server secret key and the certificate an authority
    /// signed for it (`sv2 key gen-server`, `sv2 key sign`). The certificate names the
    /// authority, so the printed URL carries its key.
    Files {
        /// The server secret key file.
        key: PathBuf,
        /// The certificate file.
        cert: PathBuf,
        /// `--authority-pub FILE` (as the C pool example takes it): the authority public key
        /// the certificate must name. Optional: the certificate file names its authority and
        /// is checked against it on reading.
        authority_pub: Option<PathBuf>,
    },
    /// Neither: a fresh authority, server key and certificate, valid for 30 days.
    #[default]
    Ephemeral,
}

/// A listener's server security and the authority key its URL shows (`None`: plaintext).
pub fn server_security(
    security: &ListenSecurity,
) -> Result<(ServerSecurity, Option<AuthorityPublicKey>), ServiceError> {
    match security {
        ListenSecurity::Plaintext => Ok((ServerSecurity::Plaintext, None)),
        ListenSecurity::Files {
            key,
            cert,
            authority_pub,
        } => {
            let secret = match KeyFile::read(key) {
                Ok(KeyFile::ServerSecretKey(secret)) => secret,
                Ok(other) => {
                    return Err(ServiceError::config(
                        "--key",
                        format!(
                            "{} holds a {}, not a server secret key (sv2 key gen-server)",
                            key.display(),
                            other.kind().name()
                        ),
                    ))
                }
                Err(error) => {
                    return Err(ServiceError::config(
                        "--key",
                        format!("{}: {error}", key.display()),
                    ))
                }
            };
            let certificate = match KeyFile::read(cert) {
                Ok(KeyFile::Certificate(c)) => c,
                Ok(other) => {
                    return Err(ServiceError::config(
                        "--cert",
                        format!(
                            "{} holds a {}, not a certificate (sv2 key sign)",
                            cert.display(),
                            other.kind().name()
                        ),
                    ))
                }
                Err(error) => {
                    return Err(ServiceError::config(
                        "--cert",
                        format!("{}: {error}", cert.display()),
                    ))
                }
            };
            if certificate.server_public_key != secret.public_key() {
                return Err(ServiceError::config(
                    "--cert",
                    format!(
                        "{} was signed for server key {}, but --key holds {}",
                        cert.display(),
                        certificate.server_public_key,
                        secret.public_key()
                    ),
                ));
            }
            let authority = certificate.authority_public_key;
            if let Some(path) = authority_pub {
                let expected = match KeyFile::read(path) {
                    Ok(KeyFile::AuthorityPublicKey(public)) => public,
                    Ok(KeyFile::AuthoritySecretKey(_)) => {
                        return Err(ServiceError::config(
                            "--authority-pub",
                            format!(
                                "{} is the authority SECRET key; give the public key file",
                                path.display()
                            ),
                        ))
                    }
                    Ok(other) => {
                        return Err(ServiceError::config(
                            "--authority-pub",
                            format!(
                                "{} holds a {}, not an authority public key",
                                path.display(),
                                other.kind().name()
                            ),
                        ))
                    }
                    Err(error) => {
                        return Err(ServiceError::config(
                            "--authority-pub",
                            format!("{}: {error}", path.display()),
                        ))
                    }
                };
                if expected != authority {
                    return Err(ServiceError::config(
                        "--authority-pub",
                        format!(
                            "{} is {expected}, but {} was signed by {authority}",
                            path.display(),
                            cert.display()
                        ),
                    ));
                }
            }
            Ok((
                ServerSecurity::Noise(ResponderConfig::new(secret, certificate.certificate)),
                Some(authority),
            ))
        }
        ListenSecurity::Ephemeral => {
            let authority = AuthoritySecretKey::generate_os()
                .map_err(|e| ServiceError::Runtime(format!("no entropy for a key: {e}")))?;
            let server = StaticSecretKey::generate_os()
                .map_err(|e| ServiceError::Runtime(format!("no entropy for a key: {e}")))?;
            let now = crate::runtime::unix_now() as u32;
            // An hour back for clients whose clock is behind ours.
            let certificate = Certificate::sign(
                &authority,
                &server.public_key(),
                now.saturating_sub(3600),
                now.saturating_add(30 * 86_400),
            );
            Ok((
                ServerSecurity::Noise(ResponderConfig::new(server, certificate)),
                Some(authority.public_key()),
            ))
        }
    }
}

/// A server configuration for `security` and `dialect` (the role sets its protocols).
pub fn server_config(
    security: &ListenSecurity,
    dialect: &'static Dialect,
) -> Result<(ServerConfig, Option<AuthorityPublicKey>), ServiceError> {
    let (security, authority) = server_security(security)?;
    let mut config = ServerConfig::new(security, vec![]);
    config.dialect = dialect;
    Ok((config, authority))
}

/// The URL clients use for a listener bound to `addr`.
pub fn listen_url(addr: SocketAddr, authority: Option<AuthorityPublicKey>) -> String {
    let host = match addr {
        SocketAddr::V4(v4) => v4.ip().to_string(),
        SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
    };
    match authority {
        Some(key) => format!("stratum2+tcp://{host}:{}/{key}", addr.port()),
        None => format!("stratum2+tcp+plain://{host}:{}", addr.port()),
    }
}

/// Parses a URL flag (`--tp`, the miner's URL), naming the flag on error.
pub fn parse_url(flag: &str, text: &str) -> Result<PoolUrl, ServiceError> {
    text.parse::<PoolUrl>()
        .map_err(|e| ServiceError::config(flag, format!("{text}: {e}")))
}

/// The client security a URL asks for (Noise against its authority key, or plaintext).
pub fn client_security(url: &PoolUrl) -> ClientSecurity {
    match url.security {
        Security::Noise { authority_key } => ClientSecurity::Noise(InitiatorConfig::new(
            authority_key,
            crate::runtime::unix_now(),
        )),
        // A 38-byte key selects the spec-2025 security layer (issue 20; its messages are
        // still the 2022 table).
        Security::Spec2025 { authority_key } => ClientSecurity::Spec2025(
            sv2::noise::Spec2025InitiatorConfig::new(authority_key, crate::runtime::unix_now()),
        ),
        Security::Plaintext => ClientSecurity::Plaintext,
    }
}

/// Refreshes the certificate-check time of a client security before a reconnect.
pub fn refresh_client_security(security: &mut ClientSecurity) {
    match security {
        ClientSecurity::Noise(noise) => noise.now_unix = crate::runtime::unix_now(),
        ClientSecurity::Spec2025(noise) => noise.now_unix = crate::runtime::unix_now(),
        ClientSecurity::Plaintext => {}
    }
}

/// `--dialect NAME`.
pub fn dialect(name: Option<&str>) -> Result<&'static Dialect, ServiceError> {
    match name {
        None => Ok(Dialect::default()),
        Some(name) => Dialect::by_name(name).ok_or_else(|| {
            ServiceError::config(
                "--dialect",
                format!("unknown dialect `{name}` (spec, sri-2023, braiins-2021)"),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The printed URL is one `PoolUrl` parses back, with the authority key of the ephemeral
    /// certificate (so a client can pin it).
    #[test]
    fn ephemeral_url_carries_the_authority_of_the_certificate() {
        let (security, authority) = server_security(&ListenSecurity::Ephemeral).unwrap();
        let ServerSecurity::Noise(responder) = security else {
            panic!("ephemeral security is Noise");
        };
        let authority = authority.unwrap();
        let now = crate::runtime::unix_now();
        responder
            .certificate
            .verify(&authority, &responder.static_public_key(), now)
            .unwrap();
        let url = listen_url("127.0.0.1:3336".parse().unwrap(), Some(authority));
        let parsed: PoolUrl = url.parse().unwrap();
        assert_eq!(
            parsed.security,
            Security::Noise {
                authority_key: authority
            }
        );
        assert_eq!(parsed.port, 3336);
    }

    #[test]
    fn plaintext_and_ipv6_urls() {
        assert_eq!(
            listen_url("[::1]:5".parse().unwrap(), None),
            "stratum2+tcp+plain://[::1]:5"
        );
        assert!(parse_url("--tp", "http://x").is_err());
    }
}
