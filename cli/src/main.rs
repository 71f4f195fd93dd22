//! `sv2`: the libsv2 command-line tool.
//!
//! `sv2 decode` / `sv2 encode` turn frames into JSON and back; `sv2 key` generates and inspects
//! authority and server keys and signs server certificates. `sv2 tp`, `sv2 pool` and
//! `sv2 mine` run the roles as programs (../shared/CLI.md), over `sv2-service`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod frames;
mod json;
mod key_cmd;
mod roles;

#[derive(Parser)]
#[command(
    name = "sv2",
    version,
    about = "Stratum V2 tool: decode/encode frames, manage keys and certificates, run the roles"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode hex frames (from --hex, a file, or stdin) into one JSON object per frame.
    Decode {
        /// Hex of one or more frames (whitespace, `|` and `#` comments allowed).
        #[arg(long)]
        hex: Option<String>,
        /// File holding hex frames; `-` or nothing reads stdin.
        file: Option<std::path::PathBuf>,
        /// Wire dialect: spec (default), sri-2023, braiins-2021.
        #[arg(long, default_value = "spec")]
        profile: String,
    },
    /// Encode JSON frame descriptions (the `sv2 decode` format) into hex, one line per frame.
    Encode {
        /// JSON text of one or more frames.
        #[arg(long)]
        json: Option<String>,
        /// File holding JSON; `-` or nothing reads stdin.
        file: Option<std::path::PathBuf>,
        /// Wire dialect: spec (default), sri-2023, braiins-2021.
        #[arg(long, default_value = "spec")]
        profile: String,
    },
    /// Keys and certificates: generate, show, sign.
    #[command(subcommand)]
    Key(key_cmd::KeyCommand),
    /// Template Provider (Template Distribution server) on a template source.
    Tp(roles::TpArgs),
    /// Mining pool, with templates from a Template Provider or a synthetic source.
    Pool(roles::PoolArgs),
    /// CPU miner on a pool URL.
    Mine(roles::MineArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode { hex, file, profile } => frames::decode_command(hex, file, &profile),
        Command::Encode {
            json,
            file,
            profile,
        } => frames::encode_command(json, file, &profile),
        Command::Key(command) => key_cmd::run(command),
        Command::Tp(args) => return roles::tp(args),
        Command::Pool(args) => return roles::pool(args),
        Command::Mine(args) => return roles::mine(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sv2: {message}");
            ExitCode::FAILURE
        }
    }
}
