//! End-to-end `sv2 key` runs of the built binary: gen-authority → gen-server → sign →
//! verify-cert, file permissions, and error exits.

use std::path::Path;
use std::process::{Command, Output};

fn sv2(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sv2"))
        .args(args)
        .output()
        .expect("run sv2")
}

fn ok(args: &[&str]) -> String {
    let out = sv2(args);
    assert!(
        out.status.success(),
        "sv2 {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = sv2(args);
    assert!(!out.status.success(), "sv2 {args:?} should fail");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.is_empty());
    stderr
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The key text on the line `label: KEY` of the output.
fn key_after(output: &str, label: &str) -> String {
    output
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no `{label}` in {output}"))
        .trim()
        .to_string()
}

#[test]
fn generate_sign_verify() {
    // R24, R25, R29 end to end
    let dir = tempfile::tempdir().unwrap();
    let auth_key = dir.path().join("authority.key");
    let auth_pub = dir.path().join("authority.pub");
    let srv_key = dir.path().join("server.key");
    let srv_pub = dir.path().join("server.pub");
    let cert = dir.path().join("server.cert");

    let out = ok(&[
        "key",
        "gen-authority",
        "--secret-out",
        p(&auth_key),
        "--public-out",
        p(&auth_pub),
    ]);
    let authority = key_after(&out, "authority public key:");
    assert!(out.contains(&format!("stratum2+tcp://HOST:PORT/{authority}")));
    let out = ok(&[
        "key",
        "gen-server",
        "--secret-out",
        p(&srv_key),
        "--public-out",
        p(&srv_pub),
    ]);
    let server = key_after(&out, "server public key:");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for secret in [&auth_key, &srv_key] {
            let mode = std::fs::metadata(secret).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", secret.display());
        }
    }
    // The secret never appears on stdout, and show prints only the public half.
    let secret_text = std::fs::read_to_string(&auth_key).unwrap();
    let secret_line = secret_text.lines().last().unwrap();
    let shown = ok(&["key", "show", p(&auth_key)]);
    assert!(shown.contains("authority secret key"));
    assert_eq!(key_after(&shown, "public key:"), authority);
    assert!(!shown.contains(secret_line));
    assert_eq!(
        key_after(&ok(&["key", "show", p(&srv_key)]), "public key:"),
        server
    );
    assert_eq!(
        key_after(&ok(&["key", "show", p(&srv_pub)]), "public key:"),
        server
    );

    // Sign with the server key given as a file; verify inside and outside the window.
    let out = ok(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_key),
        "--server-public",
        p(&srv_pub),
        "--valid-from",
        "1700000000",
        "--valid-for",
        "30d",
        "--out",
        p(&cert),
    ]);
    assert!(out.contains("1702592000"), "{out}");
    let shown = ok(&["key", "show", p(&cert)]);
    assert!(
        shown.contains("valid_from: 1700000000 (2023-11-14T22:13:20Z)"),
        "{shown}"
    );
    assert_eq!(key_after(&shown, "server_public_key:"), server);
    assert_eq!(key_after(&shown, "authority_public_key:"), authority);

    let out = ok(&[
        "key",
        "verify-cert",
        "--cert",
        p(&cert),
        "--authority-public",
        p(&auth_pub),
        "--now",
        "1701000000",
    ]);
    assert!(out.starts_with("certificate OK"), "{out}");
    // the authority key as text works as well as the file
    ok(&[
        "key",
        "verify-cert",
        "--cert",
        p(&cert),
        "--authority-public",
        &authority,
        "--now",
        "1702592000",
    ]);
    let err = fails(&[
        "key",
        "verify-cert",
        "--cert",
        p(&cert),
        "--authority-public",
        &authority,
        "--now",
        "1702592001",
    ]);
    assert!(err.contains("expired"), "{err}");
    let err = fails(&[
        "key",
        "verify-cert",
        "--cert",
        p(&cert),
        "--authority-public",
        &authority,
        "--now",
        "1699999999",
    ]);
    assert!(err.contains("not valid yet"), "{err}");

    // Another authority is refused.
    let other_key = dir.path().join("other.key");
    let other = key_after(
        &ok(&["key", "gen-authority", "--secret-out", p(&other_key)]),
        "authority public key:",
    );
    let err = fails(&[
        "key",
        "verify-cert",
        "--cert",
        p(&cert),
        "--authority-public",
        &other,
        "--now",
        "1701000000",
    ]);
    assert!(err.contains("not by the trusted authority"), "{err}");

    // Sign with the server key as text and --not-valid-after and --valid-from now.
    let cert2 = dir.path().join("server2.cert");
    ok(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_key),
        "--server-public",
        &server,
        "--not-valid-after",
        "4000000000",
        "--out",
        p(&cert2),
    ]);
    ok(&[
        "key",
        "verify-cert",
        "--cert",
        p(&cert2),
        "--authority-public",
        &authority,
    ]);

    // An edited certificate file is refused when read.
    let text = std::fs::read_to_string(&cert).unwrap();
    let edited = dir.path().join("edited.cert");
    std::fs::write(
        &edited,
        text.replace("valid_from = 1700000000", "valid_from = 1600000000"),
    )
    .unwrap();
    let err = fails(&[
        "key",
        "verify-cert",
        "--cert",
        p(&edited),
        "--authority-public",
        &authority,
        "--now",
        "1701000000",
    ]);
    assert!(err.contains("altered after signing"), "{err}");
}

#[test]
fn tampered_key_text_and_other_errors_exit_nonzero() {
    // R29: a mistyped key is refused with the checksum named
    let dir = tempfile::tempdir().unwrap();
    let auth_key = dir.path().join("a.key");
    let auth_pub = dir.path().join("a.pub");
    ok(&[
        "key",
        "gen-authority",
        "--secret-out",
        p(&auth_key),
        "--public-out",
        p(&auth_pub),
    ]);
    let srv_key = dir.path().join("s.key");
    let server = key_after(
        &ok(&["key", "gen-server", "--secret-out", p(&srv_key)]),
        "server public key:",
    );

    let mut tampered: Vec<char> = server.chars().collect();
    let i = tampered.len() / 2;
    tampered[i] = if tampered[i] == 'a' { 'b' } else { 'a' };
    let tampered: String = tampered.into_iter().collect();
    let cert = dir.path().join("c.cert");
    let err = fails(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_key),
        "--server-public",
        &tampered,
        "--valid-for",
        "1h",
        "--out",
        p(&cert),
    ]);
    assert!(err.starts_with("sv2: "), "{err}");
    assert!(err.contains("checksum"), "{err}");
    assert!(!cert.exists());

    // A tampered key inside a file.
    let text = std::fs::read_to_string(&auth_pub).unwrap();
    let key_line = text.lines().last().unwrap().to_string();
    let mut chars: Vec<char> = key_line.chars().collect();
    chars[3] = if chars[3] == 'x' { 'y' } else { 'x' };
    let bad_pub = dir.path().join("bad.pub");
    std::fs::write(
        &bad_pub,
        text.replace(&key_line, &chars.into_iter().collect::<String>()),
    )
    .unwrap();
    let err = fails(&["key", "show", p(&bad_pub)]);
    assert!(err.contains("line 2") && err.contains("checksum"), "{err}");

    // Invalid base58 character.
    let err = fails(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_key),
        "--server-public",
        "0OIl",
        "--valid-for",
        "1h",
        "--out",
        p(&cert),
    ]);
    assert!(err.contains("invalid base58 character"), "{err}");

    // Refuses to overwrite, and the secret is unchanged.
    let before = std::fs::read(&auth_key).unwrap();
    let err = fails(&["key", "gen-authority", "--secret-out", p(&auth_key)]);
    assert!(err.contains("refusing to overwrite"), "{err}");
    assert_eq!(std::fs::read(&auth_key).unwrap(), before);
    ok(&[
        "key",
        "gen-authority",
        "--secret-out",
        p(&auth_key),
        "--force",
    ]);
    assert_ne!(std::fs::read(&auth_key).unwrap(), before);

    // Wrong kind of file: a secret where a public key is expected.
    let err = fails(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_pub),
        "--server-public",
        &server,
        "--valid-for",
        "1h",
        "--out",
        p(&cert),
    ]);
    assert!(err.contains("expected authority secret key"), "{err}");
    let err = fails(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_key),
        "--server-public",
        p(&srv_key),
        "--valid-for",
        "1h",
        "--out",
        p(&cert),
    ]);
    assert!(err.contains("expected server public key"), "{err}");

    // Bad durations and windows.
    let err = fails(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_key),
        "--server-public",
        &server,
        "--valid-for",
        "30",
        "--out",
        p(&cert),
    ]);
    assert!(err.contains("needs a unit"), "{err}");
    let err = fails(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_key),
        "--server-public",
        &server,
        "--valid-from",
        "2000",
        "--not-valid-after",
        "1000",
        "--out",
        p(&cert),
    ]);
    assert!(err.contains("empty validity window"), "{err}");
    // clap: neither --valid-for nor --not-valid-after
    fails(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_key),
        "--server-public",
        &server,
        "--out",
        p(&cert),
    ]);
    assert!(!cert.exists());

    // A file without an sv2 header cannot be shown.
    let bare = dir.path().join("bare");
    std::fs::write(&bare, format!("{server}\n")).unwrap();
    let err = fails(&["key", "show", p(&bare)]);
    assert!(err.contains("no `# sv2 <kind>` header"), "{err}");
    fails(&["key", "show", p(&dir.path().join("missing"))]);
}

#[test]
fn check_url() {
    let key = "u95GEReVMjK6k5YqiSFNqqTnKU4ypU2Wm8awa6tmbmDmk1bWt";
    let out = ok(&[
        "key",
        "check-url",
        &format!("stratum2+tcp://[::1]:3336/{key}"),
    ]);
    assert!(out.contains("security: Noise"), "{out}");
    let out = ok(&["key", "check-url", "stratum2+tcp+plain://10.0.0.2:3336"]);
    assert!(out.contains("plaintext"), "{out}");
    let err = fails(&[
        "key",
        "check-url",
        &format!("stratum2+tcp://thepool.com/{key}"),
    ]);
    assert!(err.contains("missing port"), "{err}");
    let err = fails(&["key", "check-url", "stratum2+tcp://thepool.com:3336"]);
    assert!(err.contains("missing pool authority key"), "{err}");
}

/// Issue 13 item 11: `sv2 key` reads the deployed tools' files (Braiins key tool JSON, SRI
/// TOML role configurations) wherever it reads a key or certificate file.
#[test]
fn deployed_tools_key_files() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/keys");
    let f = |name: &str| fixtures.join(name).to_str().unwrap().to_string();
    let authority = "2t9vLNLKQKb4xYRxvUd41uNmuceJrFyeGggMJD9RWcST9xJwLP";
    let out = ok(&["key", "show", &f("braiins/authority-secret.json")]);
    assert!(
        out.contains("kind: authority secret key") && out.contains(authority),
        "{out}"
    );
    let out = ok(&["key", "show", &f("braiins/server-cert.json")]);
    assert!(out.contains("kind: server certificate"), "{out}");
    let out = ok(&["key", "show", &f("sri/pool-config.toml")]);
    assert!(out.contains(authority), "{out}");
    // Signing with a Braiins secret key file for a Braiins server key file, then verifying
    // against the authority key of an SRI configuration.
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("server.cert");
    ok(&[
        "key",
        "sign",
        "--authority-secret",
        &f("braiins/authority-secret.json"),
        "--server-public",
        &f("braiins/server-public.json"),
        "--valid-from",
        "1700000000",
        "--not-valid-after",
        "1900000000",
        "--out",
        p(&cert),
    ]);
    let signed = std::fs::read_to_string(&cert).unwrap();
    let ours = std::fs::read_to_string(fixtures.join("sv2/server.cert")).unwrap();
    assert_eq!(signed, ours, "Ed25519 signatures are deterministic");
    // A file in none of the formats names the ones it expected.
    let other = dir.path().join("notes.txt");
    std::fs::write(&other, "listen = 1\nport = 2\n").unwrap();
    let err = fails(&["key", "show", p(&other)]);
    assert!(err.contains("no `# sv2 <kind>` header line"), "{err}");
    let err = fails(&[
        "key",
        "verify-cert",
        "--cert",
        p(&cert),
        "--authority-public",
        p(&other),
    ]);
    assert!(err.contains("SRI TOML `authority_public_key"), "{err}");
}

/// `sv2 key sign` without --valid-from back-dates the certificate by five minutes, so that a
/// miner whose clock is a few minutes slow accepts it (it refuses a certificate not valid yet
/// at its own time, R29); an explicit `--valid-from now` still starts now.
#[test]
fn sign_back_dates_valid_from_for_slow_miner_clocks() {
    let dir = tempfile::tempdir().unwrap();
    let auth_key = dir.path().join("authority.key");
    let server_key = dir.path().join("server.key");
    let out = ok(&["key", "gen-authority", "--secret-out", p(&auth_key)]);
    let authority = key_after(&out, "authority public key:");
    let out = ok(&["key", "gen-server", "--secret-out", p(&server_key)]);
    let server = key_after(&out, "server public key:");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let valid_from_of = |cert: &Path| -> u64 {
        let shown = ok(&["key", "show", p(cert)]);
        key_after(&shown, "valid_from:")
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };

    let cert = dir.path().join("server.cert");
    ok(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_key),
        "--server-public",
        &server,
        "--valid-for",
        "1d",
        "--out",
        p(&cert),
    ]);
    let valid_from = valid_from_of(&cert);
    assert!(
        (now.saturating_sub(330)..=now.saturating_sub(299)).contains(&valid_from),
        "valid_from {valid_from}, now {now}"
    );
    // A miner two minutes behind accepts it.
    let slow = (now - 120).to_string();
    ok(&[
        "key",
        "verify-cert",
        "--cert",
        p(&cert),
        "--authority-public",
        &authority,
        "--now",
        &slow,
    ]);

    // `--valid-from now`: starts now, and that slow miner refuses it as not valid yet.
    let cert_now = dir.path().join("server-now.cert");
    ok(&[
        "key",
        "sign",
        "--authority-secret",
        p(&auth_key),
        "--server-public",
        &server,
        "--valid-from",
        "now",
        "--valid-for",
        "1d",
        "--out",
        p(&cert_now),
    ]);
    assert!(valid_from_of(&cert_now) >= now);
    let err = fails(&[
        "key",
        "verify-cert",
        "--cert",
        p(&cert_now),
        "--authority-public",
        &authority,
        "--now",
        &slow,
    ]);
    assert!(err.contains("not valid yet"), "{err}");
}

/// The spec-2025 key generation (issue 20): secp256k1 keys, versioned key text (38 bytes
/// decoded, `01 00` prefix, sv2-spec 0f38d51 §4.7), BIP340 certificates checked at a time
/// (R24, R25), and URLs that carry such a key.
#[test]
fn spec_2025_generate_sign_show_verify() {
    let dir = tempfile::tempdir().unwrap();
    let auth_key = dir.path().join("authority.key");
    let auth_pub = dir.path().join("authority.pub");
    let srv_key = dir.path().join("server.key");
    let srv_pub = dir.path().join("server.pub");
    let cert = dir.path().join("server.cert");
    let d = ["--dialect", "spec-2025"];

    let out = ok(&[
        &["key", "gen-authority", "--secret-out", p(&auth_key)][..],
        &["--public-out", p(&auth_pub)],
        &d,
    ]
    .concat());
    let authority = key_after(&out, "authority public key:");
    // 38 bytes decoded, starting 01 00 (the current spec's key text).
    let decoded = bs58_decode(&authority);
    assert_eq!(decoded.len(), 38);
    assert_eq!(decoded[..2], [1, 0]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&auth_key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let out = ok(&[
        &["key", "gen-server", "--secret-out", p(&srv_key)][..],
        &["--public-out", p(&srv_pub)],
        &d,
    ]
    .concat());
    let server = key_after(&out, "server public key:");

    // show detects the generation from the header, and never prints the secret.
    let shown = ok(&["key", "show", p(&auth_key)]);
    assert!(shown.contains("spec-2025 authority secret key"), "{shown}");
    assert_eq!(key_after(&shown, "public key:"), authority);
    let secret_text = std::fs::read_to_string(&auth_key).unwrap();
    assert!(!shown.contains(secret_text.lines().last().unwrap()));
    assert_eq!(
        key_after(
            &ok(&["key", "show", "--dialect", "spec-2025", p(&srv_pub)]),
            "public key:"
        ),
        server
    );

    ok(&[
        &[
            "key",
            "sign",
            "--authority-secret",
            p(&auth_key),
            "--server-public",
            &server,
            "--valid-from",
            "1700000000",
            "--not-valid-after",
            "1800000000",
            "--out",
            p(&cert),
        ][..],
        &d,
    ]
    .concat());
    let shown = ok(&["key", "show", p(&cert)]);
    assert!(shown.contains("spec-2025 server certificate"), "{shown}");
    assert_eq!(key_after(&shown, "server_public_key:"), server);

    let verify = |authority: &str, now: &str| {
        sv2(&[
            &[
                "key",
                "verify-cert",
                "--cert",
                p(&cert),
                "--authority-public",
                authority,
                "--now",
                now,
            ][..],
            &d,
        ]
        .concat())
    };
    assert!(verify(&authority, "1750000000").status.success());
    assert!(verify(p(&auth_pub), "1750000000").status.success());
    // Outside the window (R25) and under another authority (R24).
    assert!(!verify(&authority, "1800000001").status.success());
    assert!(!verify(&authority, "1699999999").status.success());
    let other = key_after(
        &ok(&[
            &[
                "key",
                "gen-authority",
                "--secret-out",
                p(&dir.path().join("o.key")),
            ][..],
            &d,
        ]
        .concat()),
        "authority public key:",
    );
    assert!(!verify(&other, "1750000000").status.success());
    // A tampered certificate file is refused when read.
    let text = std::fs::read_to_string(&cert).unwrap();
    std::fs::write(&cert, text.replace("1800000000", "1900000000")).unwrap();
    assert!(!verify(&authority, "1750000000").status.success());

    // A URL with the new key selects the spec-2025 dialect.
    let out = ok(&[
        "key",
        "check-url",
        &format!("stratum2+tcp://pool.example:34254/{authority}"),
    ]);
    assert!(out.contains("spec-2025"), "{out}");
    // A 2022-generation verify refuses the 2025 key text with a clear error, and an unknown
    // dialect name is an error.
    fails(&[
        "key",
        "verify-cert",
        "--cert",
        p(&cert),
        "--authority-public",
        &authority,
    ]);
    fails(&[
        "key",
        "gen-authority",
        "--secret-out",
        p(&dir.path().join("x.key")),
        "--dialect",
        "spec-2099",
    ]);
}

/// Base58 without the checksum check (the test decodes to look at the version bytes).
fn bs58_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut bytes: Vec<u8> = Vec::new();
    for c in text.bytes() {
        let mut carry = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        for b in bytes.iter_mut().rev() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = text.bytes().take_while(|&c| c == b'1').count();
    let mut out = vec![0u8; zeros];
    out.extend(bytes);
    out
}
