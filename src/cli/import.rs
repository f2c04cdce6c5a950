//! `calinvite import FILE.ics [--group NAME]... [--calendar NAME]`: a calendar file (a
//! season's schedule) imported through the running server's API, like `send`: the embedded
//! store belongs to the server. Each event is stored or reported with its reason; the exit
//! code is non-zero when any event failed, so a script notices.

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The iCalendar file: one VCALENDAR with any number of events.
    #[arg(value_name = "FILE.ics")]
    pub file: PathBuf,
    /// Add every imported event to this group (repeatable).
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// The calendar to import into.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub calendar: String,
    /// The server's URL (default: server.public_url, or http://<server.listen>).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// API key of the calendar's owner.
    #[arg(long, env = "CALINVITE_API_KEY", hide_env_values = true)]
    pub api_key: String,
}

pub fn run(args: ImportArgs, default_server: String) -> Result<()> {
    let server = args.server.unwrap_or(default_server).trim_end_matches('/').to_string();
    let raw = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    let mut url = format!("{server}/api/v1/events?calendar={}", enc(&args.calendar));
    for g in &args.groups {
        url.push_str("&group=");
        url.push_str(&enc(g));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut resp = agent
        .post(&url)
        .header("Authorization", &format!("Bearer {}", args.api_key))
        .header("Content-Type", "text/calendar; charset=utf-8")
        .send(&raw[..])
        .with_context(|| format!("cannot reach {server}"))?;
    let status = resp.status().as_u16();
    let v: Value = resp.body_mut().read_json().unwrap_or(Value::Null);
    let failed = v["failed"].as_array().cloned().unwrap_or_default();
    if status == 201 {
        println!(
            "created {}, updated {}, failed {}",
            v["created"].as_u64().unwrap_or(0),
            v["updated"].as_u64().unwrap_or(0),
            failed.len()
        );
    }
    for f in &failed {
        println!(
            "  failed: {} ({})",
            f["uid"].as_str().or(f["summary"].as_str()).unwrap_or("(no UID)"),
            f["reason"].as_str().unwrap_or("")
        );
    }
    if status != 201 {
        bail!(
            "the server refused the import ({status}): {}",
            v["detail"].as_str().unwrap_or("no detail")
        );
    }
    if !failed.is_empty() {
        bail!(
            "{} of the events in {} were not imported",
            failed.len(),
            args.file.display()
        );
    }
    Ok(())
}
