//! `sv2 tp`, `sv2 pool`, `sv2 mine`: flags (../shared/CLI.md) turned into `sv2_service`
//! options. No protocol logic here: the roles live in the core crate, the runtime in
//! `sv2-service`.

use clap::{ArgGroup, Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use sv2_service::runtime::{init_logging, LogFormat};
use sv2_service::security::ListenSecurity;
use sv2_service::tp::{RpcAuth, TemplateSourceChoice, TpOptions};
use sv2_service::{ServiceError, Summary};

/// `--log-format`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LogFormatArg {
    /// Human-readable lines.
    Human,
    /// One JSON object per line.
    Json,
}

/// Flags every role takes.
#[derive(Args, Debug)]
pub struct CommonArgs {
    /// Run this many seconds, then stop as on SIGTERM.
    #[arg(long, value_name = "N")]
    seconds: Option<f64>,
    /// On exit, print a one-line JSON summary as the last stdout line.
    #[arg(long)]
    json: bool,
    /// Log format on stderr (filter with RUST_LOG, default info).
    #[arg(long, value_enum, default_value = "human")]
    log_format: LogFormatArg,
    /// Wire dialect of the peers: spec (default), sri-2023, braiins-2021.
    #[arg(long, value_name = "D")]
    dialect: Option<String>,
}

/// Listener security flags.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("security").args(["plaintext", "key"])))]
pub struct ListenArgs {
    /// HOST:PORT to listen on (port 0: any free port; the URL on the first stdout line says
    /// which).
    #[arg(long, value_name = "HOST:PORT")]
    listen: String,
    /// No encryption (local networks only).
    #[arg(long)]
    plaintext: bool,
    /// Server secret key file (`sv2 key gen-server`); needs --cert. Without --key and
    /// --plaintext an ephemeral authority and certificate are made and the URL shows the key.
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// Certificate file for --key (`sv2 key sign`); the URL shows the authority it names.
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// Authority public key file (`sv2 key gen-authority --public-out`): optional check that
    /// --cert was signed by this authority.
    #[arg(long, value_name = "FILE", requires = "cert")]
    authority_pub: Option<PathBuf>,
}

impl ListenArgs {
    fn security(&self) -> ListenSecurity {
        match (&self.key, &self.cert) {
            _ if self.plaintext => ListenSecurity::Plaintext,
            (Some(key), Some(cert)) => ListenSecurity::Files {
                key: key.clone(),
                cert: cert.clone(),
                authority_pub: self.authority_pub.clone(),
            },
            _ => ListenSecurity::Ephemeral,
        }
    }
}

/// `sv2 tp`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("source").required(true).args(["synthetic", "bitcoind"])))]
pub struct TpArgs {
    #[command(flatten)]
    listen: ListenArgs,
    /// Templates from a made-up regtest-difficulty chain (no node).
    #[arg(long)]
    synthetic: bool,
    /// Templates from Bitcoin Core's JSON-RPC at URL (http://127.0.0.1:8332).
    #[arg(long, value_name = "URL")]
    bitcoind: Option<String>,
    /// Bitcoin Core cookie file.
    #[arg(long, value_name = "FILE", requires = "bitcoind", conflicts_with_all = ["rpc_user", "rpc_password"])]
    rpc_cookie: Option<PathBuf>,
    /// RPC user (with --rpc-password).
    #[arg(long, value_name = "U", requires_all = ["bitcoind", "rpc_password"])]
    rpc_user: Option<String>,
    /// RPC password (with --rpc-user).
    #[arg(long, value_name = "P", requires = "rpc_user")]
    rpc_password: Option<String>,
    /// Synthetic source: seconds between made-up network blocks.
    #[arg(long, value_name = "S", default_value_t = 600.0)]
    block_interval: f64,
    /// Synthetic source: seconds between fee updates on the same tip.
    #[arg(long, value_name = "S", default_value_t = 30.0)]
    update_interval: f64,
    #[command(flatten)]
    common: CommonArgs,
}

fn positive_seconds(flag: &str, value: f64) -> Result<Duration, ServiceError> {
    if value.is_finite() && value > 0.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(ServiceError::config(
            flag,
            format!("{value}: must be a positive number of seconds"),
        ))
    }
}

fn check_common(common: &CommonArgs) -> Result<(), ServiceError> {
    if let Some(s) = common.seconds {
        positive_seconds("--seconds", s)?;
    }
    Ok(())
}

/// Prints the URL as the first stdout line, flushed at once (scripts wait for it).
fn print_url(url: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{url}");
    let _ = out.flush();
}

fn finish(json: bool, result: Result<Summary, ServiceError>) -> ExitCode {
    match result {
        Ok(summary) => {
            if json {
                println!("{}", summary.to_json());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("sv2: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

fn logging(common: &CommonArgs) {
    init_logging(match common.log_format {
        LogFormatArg::Human => LogFormat::Human,
        LogFormatArg::Json => LogFormat::Json,
    });
}

/// Runs `sv2 tp`.
pub fn tp(args: TpArgs) -> ExitCode {
    logging(&args.common);
    let result = (|| {
        check_common(&args.common)?;
        let source = if args.synthetic {
            TemplateSourceChoice::Synthetic {
                block_interval: positive_seconds("--block-interval", args.block_interval)?,
                update_interval: positive_seconds("--update-interval", args.update_interval)?,
            }
        } else {
            let auth = match (args.rpc_cookie, args.rpc_user, args.rpc_password) {
                (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                    return Err(ServiceError::config(
                        "--rpc-cookie",
                        "give either --rpc-cookie or --rpc-user/--rpc-password, not both",
                    ))
                }
                (Some(cookie), None, None) => RpcAuth::Cookie(cookie),
                (None, Some(user), Some(password)) => RpcAuth::UserPassword { user, password },
                (None, Some(_), None) => {
                    return Err(ServiceError::config(
                        "--rpc-password",
                        "needed with --rpc-user",
                    ))
                }
                (None, None, Some(_)) => {
                    return Err(ServiceError::config(
                        "--rpc-user",
                        "needed with --rpc-password",
                    ))
                }
                // Bitcoin Core's default cookie, as bitcoin-cli finds it.
                (None, None, None) => match std::env::var_os("HOME") {
                    Some(home) => {
                        RpcAuth::Cookie(std::path::Path::new(&home).join(".bitcoin/.cookie"))
                    }
                    None => RpcAuth::None,
                },
            };
            TemplateSourceChoice::Bitcoind {
                url: args.bitcoind.unwrap_or_default(),
                auth,
            }
        };
        sv2_service::tp::run_tp(
            TpOptions {
                listen: args.listen.listen.clone(),
                source,
                security: args.listen.security(),
                dialect: args.common.dialect.clone(),
                seconds: args.common.seconds,
            },
            print_url,
        )
    })();
    finish(args.common.json, result)
}

/// `sv2 pool`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("templates").required(true).args(["synthetic", "tp"])))]
pub struct PoolArgs {
    #[command(flatten)]
    listen: ListenArgs,
    /// Made-up regtest-difficulty templates (no provider).
    #[arg(long)]
    synthetic: bool,
    /// Templates from the Template Provider at URL (stratum2+tcp://HOST:PORT/<key> or
    /// stratum2+tcp+plain://HOST:PORT).
    #[arg(long, value_name = "URL")]
    tp: Option<String>,
    /// --synthetic: header difficulty as compact nBits in hex (default 207fffff, regtest:
    /// about every second hash is a block; 1e00ffff makes blocks rare).
    #[arg(
        long,
        value_name = "HEX",
        requires = "synthetic",
        default_value = "207fffff"
    )]
    synthetic_nbits: String,
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs `sv2 pool`.
pub fn pool(args: PoolArgs) -> ExitCode {
    use sv2_service::pool::{PoolOptions, PoolTemplates};
    logging(&args.common);
    let result = (|| {
        check_common(&args.common)?;
        let nbits = u32::from_str_radix(args.synthetic_nbits.trim_start_matches("0x"), 16)
            .map_err(|e| {
                ServiceError::config(
                    "--synthetic-nbits",
                    format!("{}: {e}", args.synthetic_nbits),
                )
            })?;
        let templates = match args.tp {
            Some(url) => PoolTemplates::Provider(url),
            None => PoolTemplates::Synthetic { nbits },
        };
        sv2_service::pool::run_pool(
            PoolOptions {
                listen: args.listen.listen.clone(),
                templates,
                security: args.listen.security(),
                dialect: args.common.dialect.clone(),
                seconds: args.common.seconds,
            },
            print_url,
        )
    })();
    finish(args.common.json, result)
}

/// `sv2 mine`.
#[derive(Args, Debug)]
pub struct MineArgs {
    /// Pool URL: stratum2+tcp://HOST:PORT/<authority key> or stratum2+tcp+plain://HOST:PORT.
    url: String,
    /// user_identity of the channel.
    #[arg(long, value_name = "NAME", default_value = "sv2-cpu-miner")]
    user: String,
    /// Open an extended channel instead of a standard one.
    #[arg(long)]
    extended: bool,
    /// Hashes per second announced to the pool as the channel's nominal hash rate (the pool
    /// sets its target from it); also the rate the CPU scan keeps to unless --scan-rate.
    #[arg(long, value_name = "H", default_value_t = 100_000.0)]
    hashrate: f64,
    /// Hashes per second the CPU scan keeps to (default: --hashrate). Scanning faster than
    /// announced makes shares come faster (tests and demos).
    #[arg(long, value_name = "R")]
    scan_rate: Option<f64>,
    /// Stop after N accepted shares.
    #[arg(long, value_name = "N")]
    shares: Option<u64>,
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs `sv2 mine`.
pub fn mine(args: MineArgs) -> ExitCode {
    use sv2_service::mine::MineOptions;
    logging(&args.common);
    let result = (|| {
        check_common(&args.common)?;
        sv2_service::mine::run_mine(MineOptions {
            url: args.url.clone(),
            user: args.user.clone(),
            extended: args.extended,
            hashrate: args.hashrate,
            scan_rate: args.scan_rate,
            seconds: args.common.seconds,
            shares: args.shares,
            dialect: args.common.dialect.clone(),
        })
    })();
    finish(args.common.json, result)
}
