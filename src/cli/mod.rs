//! The command line: `serve`, `user`, `apikey`, `check-config`, `send`, `import`.
//!
//! Command output (keys, listings, URLs) goes to stdout for scripts to read; logs go to
//! stderr.

pub mod apikey;
pub mod check_config;
pub mod import;
pub mod inbound;
pub mod send;
pub mod serve;
pub mod user;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "calinvite",
    version,
    about = "Self-hosted calendar invite server: CalDAV, native invites, RSVPs"
)]
pub struct Cli {
    /// Configuration file (TOML). Without it, defaults and CALINVITE_* variables apply.
    #[arg(long, global = true, env = "CALINVITE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Folder of the embedded store (overrides server.data_dir).
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(serve::ServeArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Apikey(apikey::ApikeyCommand),
    /// Validate the configuration and print it (passwords hidden).
    CheckConfig,
    /// The inbound mail log: list messages, process a quarantined one again.
    #[command(subcommand)]
    Inbound(inbound::InboundCommand),
    /// Send an event's invitation to the recipients in a CSV file (through a running server).
    Send(send::SendArgs),
    /// Import the events of a calendar file (through a running server).
    Import(import::ImportArgs),
}
