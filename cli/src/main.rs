//! `sv2`: the libsv2 command-line tool.
//!
//! `sv2 decode` / `sv2 encode` turn frames into JSON and back; `sv2 key` generates and inspects
//! authority and server keys and signs server certificates.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod key_cmd;

#[derive(Parser)]
#[command(name = "sv2", version, about = "Stratum V2 tool: decode/encode frames, manage keys and certificates")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Keys and certificates: generate, show, sign.
    #[command(subcommand)]
    Key(key_cmd::KeyCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Key(command) => key_cmd::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sv2: {message}");
            ExitCode::FAILURE
        }
    }
}
