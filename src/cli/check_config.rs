//! `calinvite check-config`: load and validate, then show the effective settings with
//! secrets masked, so a user can see what the server would run with.

use crate::config::Config;
use anyhow::Result;

pub fn run(config: &Config) -> Result<()> {
    let mut shown = config.clone();
    for secret in [&mut shown.smtp.password, &mut shown.imap.password] {
        if !secret.is_empty() {
            *secret = "********".into();
        }
    }
    println!("# configuration is valid\n{}", toml::to_string_pretty(&shown)?);
    Ok(())
}
