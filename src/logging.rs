//! Logging: `tracing` to stderr, pretty or JSON. The server logs at the configured level;
//! the other commands only warn, so their stdout stays clean for scripts.

use crate::config::Config;
use anyhow::{Result, anyhow};
use tracing_subscriber::EnvFilter;

pub fn init(config: &Config, serving: bool) -> Result<()> {
    let default = if serving {
        config.server.log_level.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new(default))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if config.server.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    result.map_err(|e| anyhow!("cannot start logging: {e}"))
}
