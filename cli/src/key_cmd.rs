//! `sv2 key …`: generate authority and server keys, sign and verify server certificates, show
//! key files and check pool URLs. A thin layer over `sv2::keys`: everything except argument
//! parsing and reading the wall clock is library code that the bindings can expose too.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{ArgGroup, Args, Subcommand};
use sv2::keys::{
    self, AuthorityPublicKey, KeyFile, PoolUrl, Security, ServerCertificate, Spec2025FileKind,
    Spec2025KeyFile, StaticPublicKey,
};
use sv2::noise::SPEC_2025;

/// Key and certificate operations.
#[derive(Subcommand)]
pub enum KeyCommand {
    /// Generate a pool authority key pair (Ed25519); prints the public key for pool URLs.
    GenAuthority(GenArgs),
    /// Generate a server static key pair (X25519, the Noise static key).
    GenServer(GenArgs),
    /// Sign a certificate for a server's public key with the authority secret key.
    Sign(SignArgs),
    /// Show what a key or certificate file holds (never prints a secret).
    Show {
        /// A key or certificate file written by `sv2 key`.
        file: PathBuf,
        /// Read the file as this dialect's; by default the header line decides.
        #[arg(long, value_name = "DIALECT")]
        dialect: Option<String>,
    },
    /// Verify a certificate file against a trusted authority public key at a given time.
    VerifyCert(VerifyArgs),
    /// Parse a pool URL and show its host, port and security.
    CheckUrl {
        /// stratum2+tcp://HOST:PORT/AUTHORITY_KEY or stratum2+tcp+plain://HOST:PORT
        url: String,
    },
}

/// Arguments of `gen-authority` and `gen-server`.
#[derive(Args)]
pub struct GenArgs {
    /// Where to write the secret key (created with mode 0600).
    #[arg(long, value_name = "FILE")]
    secret_out: PathBuf,
    /// Where to write the public key, too.
    #[arg(long, value_name = "FILE")]
    public_out: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    force: bool,
    /// Key generation: `spec-2025` for secp256k1 keys and BIP340 certificates (the current
    /// protocol); the 2022 dialects (`spec`, `sri-2023`, `braiins-2021`, the default) use
    /// Ed25519/X25519.
    #[arg(long, value_name = "DIALECT", default_value = "spec")]
    dialect: String,
}

/// `sv2 key sign`'s default start of validity: back-dated so that miners with a slow clock
/// accept a certificate signed just now.
const DEFAULT_VALID_FROM: &str = "now-5m";

/// Arguments of `sign`.
#[derive(Args)]
#[command(group(ArgGroup::new("end").required(true).args(["valid_for", "not_valid_after"])))]
pub struct SignArgs {
    /// Authority secret key file.
    #[arg(long, value_name = "FILE")]
    authority_secret: PathBuf,
    /// The server's public key: a server public key file, or the key text itself.
    #[arg(long, value_name = "FILE|KEY")]
    server_public: String,
    /// Start of validity: unix seconds, `now`, or `now-DURATION` (e.g. `now-10m`). The default
    /// is five minutes ago: a miner whose clock is behind the signer's refuses a certificate that
    /// is not valid yet, and devices fresh from boot are often a few minutes behind.
    #[arg(long, value_name = "UNIX|now|now-DURATION", default_value = DEFAULT_VALID_FROM)]
    valid_from: String,
    /// Length of validity from --valid-from, e.g. 30d, 12h, 1w2d, 90m, 3600s.
    #[arg(long, value_name = "DURATION")]
    valid_for: Option<String>,
    /// End of validity (inclusive): unix seconds.
    #[arg(long, value_name = "UNIX")]
    not_valid_after: Option<String>,
    /// Where to write the certificate.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
    /// Key generation: `spec-2025` for secp256k1 keys and BIP340 certificates (the current
    /// protocol); the 2022 dialects (`spec`, `sri-2023`, `braiins-2021`, the default) use
    /// Ed25519/X25519.
    #[arg(long, value_name = "DIALECT", default_value = "spec")]
    dialect: String,
}

/// Arguments of `verify-cert`.
#[derive(Args)]
pub struct VerifyArgs {
    /// Certificate file.
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// The trusted authority public key: a key file, or the key text itself.
    #[arg(long, value_name = "FILE|KEY")]
    authority_public: String,
    /// The time to check validity at: unix seconds, or `now`.
    #[arg(long, value_name = "UNIX|now", default_value = "now")]
    now: String,
    /// Key generation: `spec-2025` for secp256k1 keys and BIP340 certificates (the current
    /// protocol); the 2022 dialects (`spec`, `sri-2023`, `braiins-2021`, the default) use
    /// Ed25519/X25519.
    #[arg(long, value_name = "DIALECT", default_value = "spec")]
    dialect: String,
}

/// Runs one key subcommand.
pub fn run(command: KeyCommand) -> Result<(), String> {
    match command {
        KeyCommand::GenAuthority(args) if is_spec_2025(&args.dialect)? => {
            gen_2025(&args, Spec2025FileKind::AuthoritySecretKey)
        }
        KeyCommand::GenServer(args) if is_spec_2025(&args.dialect)? => {
            gen_2025(&args, Spec2025FileKind::ServerSecretKey)
        }
        KeyCommand::Sign(args) if is_spec_2025(&args.dialect)? => sign_2025(args),
        KeyCommand::VerifyCert(args) if is_spec_2025(&args.dialect)? => {
            let authority = keys::spec_2025_public_key_arg(
                &args.authority_public,
                Spec2025FileKind::AuthorityPublicKey,
            )
            .map_err(|e| e.to_string())?;
            let now = parse_time(&args.now, "--now")?;
            let cert = keys::verify_spec_2025_certificate_file(&args.cert, &authority, now)
                .map_err(|e| e.to_string())?;
            println!(
                "certificate OK (spec-2025): server {} signed by authority {}, valid {} .. {}",
                cert.server_public_key,
                cert.authority_public_key,
                format_time(cert.certificate.valid_from.into()),
                format_time(cert.certificate.not_valid_after.into()),
            );
            Ok(())
        }
        KeyCommand::GenAuthority(args) => {
            let public = keys::generate_authority_key_files(
                &args.secret_out,
                args.public_out.as_deref(),
                args.force,
                None,
            )
            .map_err(|e| e.to_string())?;
            report_written(&args);
            println!("authority public key: {public}");
            println!("pool URL:             stratum2+tcp://HOST:PORT/{public}");
            Ok(())
        }
        KeyCommand::GenServer(args) => {
            let public = keys::generate_server_key_files(
                &args.secret_out,
                args.public_out.as_deref(),
                args.force,
                None,
            )
            .map_err(|e| e.to_string())?;
            report_written(&args);
            println!("server public key: {public}");
            Ok(())
        }
        KeyCommand::Sign(args) => sign(args),
        KeyCommand::Show { file, dialect } => {
            let spec_2025 = match dialect {
                Some(name) => is_spec_2025(&name)?,
                None => std::fs::read_to_string(&file)
                    .map(|t| t.to_ascii_lowercase().contains("# sv2 spec-2025"))
                    .unwrap_or(false),
            };
            if spec_2025 {
                show_2025(&file)
            } else {
                show(&file)
            }
        }
        KeyCommand::VerifyCert(args) => {
            let authority = authority_public_arg(&args.authority_public)?;
            let now = parse_time(&args.now, "--now")?;
            let cert = keys::verify_certificate_file(&args.cert, &authority, now)
                .map_err(|e| e.to_string())?;
            println!(
                "certificate OK: server {} signed by authority {}, valid {} .. {}",
                cert.server_public_key,
                cert.authority_public_key,
                format_time(cert.certificate.valid_from.into()),
                format_time(cert.certificate.not_valid_after.into()),
            );
            Ok(())
        }
        KeyCommand::CheckUrl { url } => {
            let url = PoolUrl::parse(&url).map_err(|e| e.to_string())?;
            println!("url:      {url}");
            println!("host:     {}", url.host);
            println!("port:     {}", url.port);
            match url.security {
                Security::Noise { authority_key } => {
                    println!("security: Noise, server certificate checked against authority {authority_key}")
                }
                Security::Spec2025 { authority_key } => {
                    println!("security: Noise spec-2025 (secp256k1), server certificate checked against authority {authority_key}")
                }
                Security::Plaintext => {
                    println!("security: NONE (plaintext; local network only)")
                }
            }
            Ok(())
        }
    }
}

fn report_written(args: &GenArgs) {
    eprintln!("wrote secret key to {}", args.secret_out.display());
    if let Some(path) = &args.public_out {
        eprintln!("wrote public key to {}", path.display());
    }
}

/// Whether `--dialect` names the spec-2025 key generation (any 2022 dialect name means 2022).
fn is_spec_2025(name: &str) -> Result<bool, String> {
    match name {
        SPEC_2025 => Ok(true),
        "spec" | "sri-2023" | "braiins-2021" => Ok(false),
        other => Err(format!(
            "--dialect {other}: expected spec-2025 or a 2022 dialect (spec, sri-2023, braiins-2021)"
        )),
    }
}

fn gen_2025(args: &GenArgs, kind: Spec2025FileKind) -> Result<(), String> {
    let public = keys::generate_spec_2025_key_files(
        kind,
        &args.secret_out,
        args.public_out.as_deref(),
        args.force,
        None,
    )
    .map_err(|e| e.to_string())?;
    report_written(args);
    if kind == Spec2025FileKind::AuthoritySecretKey {
        println!("authority public key: {public}");
        println!("pool URL:             stratum2+tcp://HOST:PORT/{public}");
    } else {
        println!("server public key: {public}");
    }
    Ok(())
}

fn sign_2025(args: SignArgs) -> Result<(), String> {
    let server =
        keys::spec_2025_public_key_arg(&args.server_public, Spec2025FileKind::ServerPublicKey)
            .map_err(|e| e.to_string())?;
    let (valid_from, not_valid_after) = validity(&args)?;
    let cert = keys::sign_spec_2025_certificate_file(
        &args.authority_secret,
        &server,
        valid_from,
        not_valid_after,
        &args.out,
        args.force,
    )
    .map_err(|e| e.to_string())?;
    eprintln!("wrote certificate to {}", args.out.display());
    println!(
        "certificate for server {} valid {} .. {}",
        cert.server_public_key,
        format_time(valid_from.into()),
        format_time(not_valid_after.into())
    );
    Ok(())
}

fn show_2025(path: &Path) -> Result<(), String> {
    match Spec2025KeyFile::read(path).map_err(|e| e.to_string())? {
        Spec2025KeyFile::AuthoritySecretKey(secret) => {
            println!("kind: spec-2025 authority secret key (secp256k1)");
            println!("public key: {}", secret.x_only_public_key());
        }
        Spec2025KeyFile::AuthorityPublicKey(public) => {
            println!("kind: spec-2025 authority public key (secp256k1)");
            println!("public key: {public}");
        }
        Spec2025KeyFile::ServerSecretKey(secret) => {
            println!("kind: spec-2025 server secret key (secp256k1)");
            println!("public key: {}", secret.x_only_public_key());
        }
        Spec2025KeyFile::ServerPublicKey(public) => {
            println!("kind: spec-2025 server public key (secp256k1)");
            println!("public key: {public}");
        }
        Spec2025KeyFile::Certificate(cert) => {
            let c = &cert.certificate;
            println!("kind: spec-2025 server certificate (BIP340)");
            println!("version: {}", c.version);
            println!("valid_from: {}", format_time(c.valid_from.into()));
            println!("not_valid_after: {}", format_time(c.not_valid_after.into()));
            println!("server_public_key: {}", cert.server_public_key);
            println!("authority_public_key: {}", cert.authority_public_key);
            println!("signature: matches the fields and the authority key above");
        }
    }
    Ok(())
}

/// `--valid-from` and `--valid-for`/`--not-valid-after` as a validity window.
fn validity(args: &SignArgs) -> Result<(u32, u32), String> {
    let valid_from = to_u32(
        parse_time(&args.valid_from, "--valid-from")?,
        "--valid-from",
    )?;
    let not_valid_after = match (&args.valid_for, &args.not_valid_after) {
        (Some(duration), None) => {
            let seconds = parse_duration(duration, "--valid-for")?;
            let end = u64::from(valid_from)
                .checked_add(seconds)
                .filter(|end| *end <= u64::from(u32::MAX))
                .ok_or_else(|| {
                    format!(
                        "--valid-for {duration}: the certificate would end after {} (the largest time a certificate can hold)",
                        format_time(u32::MAX.into())
                    )
                })?;
            end as u32
        }
        (None, Some(end)) => to_u32(parse_unix(end, "--not-valid-after")?, "--not-valid-after")?,
        // clap's group makes exactly one of them required.
        _ => return Err("give exactly one of --valid-for and --not-valid-after".into()),
    };
    Ok((valid_from, not_valid_after))
}

fn sign(args: SignArgs) -> Result<(), String> {
    let server = server_public_arg(&args.server_public)?;
    let (valid_from, not_valid_after) = validity(&args)?;
    let cert = keys::sign_certificate_file(
        &args.authority_secret,
        &server,
        valid_from,
        not_valid_after,
        &args.out,
        args.force,
    )
    .map_err(|e| e.to_string())?;
    eprintln!("wrote certificate to {}", args.out.display());
    println!(
        "certificate for server {} valid {} .. {}",
        cert.server_public_key,
        format_time(valid_from.into()),
        format_time(not_valid_after.into())
    );
    Ok(())
}

fn show(path: &Path) -> Result<(), String> {
    match KeyFile::read(path).map_err(|e| e.to_string())? {
        KeyFile::AuthoritySecretKey(secret) => {
            println!("kind: authority secret key (Ed25519)");
            println!("public key: {}", secret.public_key());
        }
        KeyFile::AuthorityPublicKey(public) => {
            println!("kind: authority public key (Ed25519)");
            println!("public key: {public}");
        }
        KeyFile::ServerSecretKey(secret) => {
            println!("kind: server secret key (X25519)");
            println!("public key: {}", secret.public_key());
        }
        KeyFile::ServerPublicKey(public) => {
            println!("kind: server public key (X25519)");
            println!("public key: {public}");
        }
        KeyFile::Certificate(cert) => print_certificate(&cert),
    }
    Ok(())
}

fn print_certificate(cert: &ServerCertificate) {
    let c = &cert.certificate;
    println!("kind: server certificate");
    println!("version: {}", c.version);
    println!("valid_from: {}", format_time(c.valid_from.into()));
    println!("not_valid_after: {}", format_time(c.not_valid_after.into()));
    println!("server_public_key: {}", cert.server_public_key);
    println!("authority_public_key: {}", cert.authority_public_key);
    println!("signature: matches the fields and the authority key above");
}

/// A key given on the command line either as a file or as key text. A path that exists wins;
/// otherwise the argument must parse as key text, and the error says both were tried.
fn key_arg<T>(
    arg: &str,
    read_file: impl Fn(&Path) -> Result<T, keys::KeyFileError>,
    from_text: impl Fn(&str) -> Result<T, keys::KeyTextError>,
) -> Result<T, String> {
    let path = Path::new(arg);
    if path.exists() {
        return read_file(path).map_err(|e| e.to_string());
    }
    from_text(arg.trim())
        .map_err(|e| format!("`{arg}` is neither an existing file nor a valid key: {e}"))
}

fn authority_public_arg(arg: &str) -> Result<AuthorityPublicKey, String> {
    key_arg(
        arg,
        AuthorityPublicKey::read_file,
        AuthorityPublicKey::from_text,
    )
}

fn server_public_arg(arg: &str) -> Result<StaticPublicKey, String> {
    key_arg(arg, StaticPublicKey::read_file, StaticPublicKey::from_text)
}

/// `now` (the wall clock; only the CLI reads it), `now-DURATION`, or unix seconds.
fn parse_time(arg: &str, option: &str) -> Result<u64, String> {
    let text = arg.trim();
    let Some(after_now) = text
        .get(..3)
        .filter(|head| head.eq_ignore_ascii_case("now"))
        .map(|_| &text[3..])
    else {
        return parse_unix(arg, option);
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| "the system clock is before 1970".to_string())?;
    if after_now.is_empty() {
        return Ok(now);
    }
    let Some(ago) = after_now.strip_prefix('-') else {
        return Err(format!(
            "{option} {arg}: expected `now`, `now-DURATION` (e.g. now-10m) or unix seconds"
        ));
    };
    let seconds = duration_seconds(ago).map_err(|why| duration_error(option, arg, &why))?;
    now.checked_sub(seconds)
        .ok_or_else(|| format!("{option} {arg}: before 1970"))
}

fn parse_unix(arg: &str, option: &str) -> Result<u64, String> {
    let arg = arg.trim();
    if arg.is_empty() || !arg.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{option} {arg}: expected unix seconds (digits only) or `now`"
        ));
    }
    arg.parse::<u64>()
        .map_err(|_| format!("{option} {arg}: number too large"))
}

fn to_u32(value: u64, option: &str) -> Result<u32, String> {
    u32::try_from(value).map_err(|_| {
        format!(
            "{option} {value}: certificates hold times up to {} only",
            u32::MAX
        )
    })
}

/// Parses durations like `30d`, `12h`, `1w2d`, `90m`, `3600s`: one or more number+unit pairs.
/// A bare number is refused, so that `30` is not silently read as seconds when days were meant.
pub(crate) fn parse_duration(arg: &str, option: &str) -> Result<u64, String> {
    duration_seconds(arg).map_err(|why| duration_error(option, arg, &why))
}

fn duration_error(option: &str, arg: &str, why: &str) -> String {
    format!("{option} {arg}: {why} (examples: 30d, 12h, 1w2d, 90m, 3600s)")
}

/// The seconds in a duration, or why it is not one.
fn duration_seconds(arg: &str) -> Result<u64, String> {
    let text = arg.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(format!("unknown unit `{c}`")),
        };
        if digits.is_empty() {
            return Err(format!("unit `{c}` without a number"));
        }
        let n: u64 = digits.parse().map_err(|_| "number too large")?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or("too long")?;
    }
    if !digits.is_empty() {
        return Err("a number needs a unit".into());
    }
    if total == 0 {
        return Err("the duration is zero".into());
    }
    Ok(total)
}

/// `1700000000 (2023-11-14T22:13:20Z)`: unix seconds with the UTC date, for operators.
fn format_time(unix: u64) -> String {
    let days = unix / 86_400;
    let secs = unix % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{unix} ({y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z)",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (the well-known "days from civil"
/// inversion, for non-negative day counts).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d", "--valid-for"), Ok(30 * 86_400));
        assert_eq!(parse_duration("1h", "--valid-for"), Ok(3600));
        assert_eq!(
            parse_duration("1w2d3h4m5s", "--valid-for"),
            Ok(9 * 86_400 + 3 * 3600 + 245)
        );
        assert!(parse_duration("30", "--valid-for").is_err());
        assert!(parse_duration("", "--valid-for").is_err());
        assert!(parse_duration("d", "--valid-for").is_err());
        assert!(parse_duration("3y", "--valid-for").is_err());
        assert!(parse_duration("0d", "--valid-for").is_err());
        assert!(parse_duration("99999999999999999999d", "--valid-for").is_err());
        assert!(parse_duration("-1d", "--valid-for").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(format_time(0), "0 (1970-01-01T00:00:00Z)");
        assert_eq!(
            format_time(1_700_000_000),
            "1700000000 (2023-11-14T22:13:20Z)"
        );
        assert_eq!(format_time(951_782_400), "951782400 (2000-02-29T00:00:00Z)");
        assert_eq!(
            format_time(u32::MAX.into()),
            "4294967295 (2106-02-07T06:28:15Z)"
        );
    }

    #[test]
    fn times() {
        assert_eq!(parse_unix("123", "--x"), Ok(123));
        assert!(parse_unix("-1", "--x").is_err());
        assert!(parse_unix("1e9", "--x").is_err());
        let now = parse_time("now", "--x").unwrap();
        assert!(now > 1_600_000_000);
        let earlier = parse_time("now-10m", "--x").unwrap();
        assert!(
            now - earlier >= 599 && now - earlier <= 601,
            "{now} {earlier}"
        );
        assert!(parse_time("NOW-1h", "--x").is_ok());
        let err = parse_time("now+1h", "--x").unwrap_err();
        assert!(err.contains("now-DURATION"), "{err}");
        let err = parse_time("now-10", "--valid-from").unwrap_err();
        assert!(err.starts_with("--valid-from now-10:"), "{err}");
        assert!(parse_time("now-99999999w", "--x").is_err());
        assert!(parse_time("nowhere", "--x").is_err());
        assert!(to_u32(1 << 32, "--x").is_err());
    }
}
