//! Issue 13 item 11: the key files of the deployed tools are read by the same loaders as
//! libsv2's own. The fixtures in `tests/fixtures/keys/` hold one set of (test-only) keys in
//! the three formats: `sv2/` (ours), `braiins/` (ii-stratum-keytool JSON, profile braiins-2021
//! `key_text_format`) and `sri/` (SRI 2023 TOML role configurations, profile sri-2023
//! `key_text_format`); `convert.py` wrote the last two from the first.

use std::path::PathBuf;
use sv2::keys::{
    AuthorityPublicKey, AuthoritySecretKey, FileFormatError, FileKind, ForeignFormat, KeyFile,
    KeyFileError, ServerCertificate, StaticPublicKey, StaticSecretKey,
};

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(path)
}

fn format_error(e: KeyFileError) -> FileFormatError {
    match e {
        KeyFileError::Format { source, .. } => source,
        other => panic!("not a format error: {other}"),
    }
}

#[test]
fn braiins_json_key_files_read_as_ours() {
    let authority = AuthorityPublicKey::read_file(&fixture("sv2/authority.public")).unwrap();
    let authority_secret = AuthoritySecretKey::read_file(&fixture("sv2/authority.secret")).unwrap();
    let server = StaticPublicKey::read_file(&fixture("sv2/server.public")).unwrap();
    let server_secret = StaticSecretKey::read_file(&fixture("sv2/server.secret")).unwrap();
    let cert = ServerCertificate::read_file(&fixture("sv2/server.cert")).unwrap();

    assert_eq!(
        AuthorityPublicKey::read_file(&fixture("braiins/authority-public.json")).unwrap(),
        authority
    );
    assert_eq!(
        AuthoritySecretKey::read_file(&fixture("braiins/authority-secret.json"))
            .unwrap()
            .public_key(),
        authority_secret.public_key()
    );
    assert_eq!(
        StaticPublicKey::read_file(&fixture("braiins/server-public.json")).unwrap(),
        server
    );
    assert_eq!(
        StaticSecretKey::read_file(&fixture("braiins/server-secret.json"))
            .unwrap()
            .public_key(),
        server_secret.public_key()
    );
    let braiins_cert = ServerCertificate::read_file(&fixture("braiins/server-cert.json")).unwrap();
    assert_eq!(braiins_cert, cert);
    braiins_cert.verify(&authority, 1_800_000_000).unwrap();
    // `sv2 key show` tells the kind from the JSON field names.
    let shown = KeyFile::read(&fixture("braiins/authority-secret.json")).unwrap();
    assert_eq!(shown.kind(), FileKind::AuthoritySecretKey);
    let shown = KeyFile::read(&fixture("braiins/server-cert.json")).unwrap();
    assert_eq!(shown.kind(), FileKind::Certificate);
}

#[test]
fn sri_toml_configurations_give_their_authority_keys() {
    let authority = AuthorityPublicKey::read_file(&fixture("sv2/authority.public")).unwrap();
    assert_eq!(
        AuthorityPublicKey::read_file(&fixture("sri/pool-config.toml")).unwrap(),
        authority
    );
    assert_eq!(
        AuthoritySecretKey::read_file(&fixture("sri/pool-config.toml"))
            .unwrap()
            .public_key(),
        authority
    );
    assert_eq!(
        AuthorityPublicKey::read_file(&fixture("sri/proxy-config.toml")).unwrap(),
        authority
    );
    let shown = KeyFile::read(&fixture("sri/pool-config.toml")).unwrap();
    assert_eq!(shown.kind(), FileKind::AuthoritySecretKey);
}

#[test]
fn wrong_or_unknown_files_name_the_expected_format() {
    // Issue 13: a braiins JSON file read as a certificate used to give "line 2: a second key".
    let json_as_server_key = format_error(
        StaticPublicKey::read_file(&fixture("braiins/authority-public.json")).unwrap_err(),
    );
    assert_eq!(
        json_as_server_key,
        FileFormatError::WrongKind {
            expected: FileKind::ServerPublicKey,
            found: FileKind::AuthorityPublicKey
        }
    );
    // An SRI proxy configuration holds no server key: the formats read are listed.
    let e =
        format_error(StaticSecretKey::read_file(&fixture("sri/proxy-config.toml")).unwrap_err());
    let text = e.to_string();
    assert!(
        matches!(e, FileFormatError::UnrecognizedFormat { .. }),
        "{e:?}"
    );
    assert!(
        text.contains("not a server secret key file")
            && text.contains("`# sv2 server secret key` and one key text line")
            && text.contains("Braiins JSON `{\"noise_secret_key\": \"<key>\"}`"),
        "{text}"
    );
    let e = AuthorityPublicKey::from_file_text("{\"something\": 1}\n").unwrap_err();
    assert!(
        e.to_string()
            .contains("SRI TOML `authority_public_key = \"<key>\"`"),
        "{e}"
    );
    assert!(matches!(
        AuthorityPublicKey::from_file_text("{not json"),
        Err(FileFormatError::BadJson(_))
    ));
    // A mistyped key inside a foreign file names the format and the field.
    let e = AuthorityPublicKey::from_file_text(
        "{\"ed25519_public_key\": \"2t9vLNLKQKb4xYRxvUd41uNmuceJrFyeGggMJD9RWcST9xJwLQ\"}",
    )
    .unwrap_err();
    assert!(matches!(
        e,
        FileFormatError::BadForeignKey {
            format: ForeignFormat::BraiinsJson,
            field: "ed25519_public_key",
            ..
        }
    ));
    // Two of our own key lines are still "a second key".
    let key = "2t9vLNLKQKb4xYRxvUd41uNmuceJrFyeGggMJD9RWcST9xJwLP";
    assert_eq!(
        AuthorityPublicKey::from_file_text(&format!("{key}\n{key}\n")),
        Err(FileFormatError::MultipleKeys { line: 2 })
    );
    // A tampered Braiins certificate is caught on reading, as ours is.
    let text = std::fs::read_to_string(fixture("braiins/server-cert.json")).unwrap();
    let tampered = text.replace("1900000000", "1900000001");
    assert_eq!(
        ServerCertificate::from_text(&tampered),
        Err(FileFormatError::SignatureMismatch)
    );
}
