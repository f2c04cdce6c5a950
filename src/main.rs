//! calinvite: a self-hosted calendar invite server.
//!
//! The binary is thin glue: it reads the command line and configuration, opens the store
//! and hands requests to the protocol crates. Errors end here, as one message naming what
//! to fix.

mod accounts;
mod api;
mod app;
mod cli;
mod config;
mod dav_service;
mod http;
mod inbound;
mod lifecycle;
mod logging;
mod outbound;
mod pages;
mod webhooks;

use anyhow::{Context, Result};
use calinvite_storage::{RedbStore, Store};
use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;
use std::sync::Arc;

/// The embedded store's file inside `server.data_dir`.
const STORE_FILE: &str = "calinvite.redb";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let mut config = config::Config::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(data) = &cli.data {
        config.server.data_dir = data.clone();
    }
    if let Command::Serve(args) = &cli.command
        && let Some(listen) = &args.listen
    {
        config.server.listen = listen.clone();
        config.validate()?;
    }
    logging::init(&config, matches!(cli.command, Command::Serve(_)))?;
    match cli.command {
        Command::CheckConfig => return cli::check_config::run(&config),
        Command::Send(args) => {
            let server = config.public_url();
            return tokio::task::spawn_blocking(move || cli::send::run(args, server)).await?;
        }
        Command::Import(args) => {
            let server = config.public_url();
            return tokio::task::spawn_blocking(move || cli::import::run(args, server)).await?;
        }
        _ => {}
    }
    let store = open_store(&config).await?;
    match cli.command {
        Command::Serve(args) => {
            let app = Arc::new(app::App::new(config, store));
            cli::serve::run(args, app).await
        }
        Command::User(cmd) => cli::user::run(cmd, store.as_ref(), &config).await,
        Command::Apikey(cmd) => cli::apikey::run(cmd, store.as_ref()).await,
        Command::Inbound(cmd) => {
            let app = app::App::new(config, store);
            cli::inbound::run(cmd, &app).await
        }
        Command::CheckConfig | Command::Send(_) | Command::Import(_) => Ok(()),
    }
}

async fn open_store(config: &config::Config) -> Result<Arc<dyn Store>> {
    let dir = &config.server.data_dir;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the data folder {}", dir.display()))?;
    let path = dir.join(STORE_FILE);
    let store = tokio::task::spawn_blocking(move || RedbStore::open(&path)).await??;
    Ok(Arc::new(store))
}
