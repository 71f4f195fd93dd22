//! `sv2 key …`: being written.

use clap::Subcommand;

/// Key and certificate operations.
#[derive(Subcommand)]
pub enum KeyCommand {}

/// Runs one key subcommand.
pub fn run(command: KeyCommand) -> Result<(), String> {
    match command {}
}
