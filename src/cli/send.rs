//! `calinvite send UID --recipients FILE.csv`: the Send API from the command line.
//!
//! The embedded store belongs to the running server, so this command talks to the server
//! over its API, like any integration would. The CSV has `email[,name[,lang]]` per row (a
//! header row is recognized and skipped). Recipients go in calls of at most 100,000, each
//! with an idempotency key derived from the file and the call's position, so running the
//! same command again after an interruption invites nobody twice. Progress is drawn until
//! every message was sent or failed.

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

const CHUNK: usize = 100_000;

#[derive(Debug, Args)]
pub struct SendArgs {
    /// UID of the event to send (it must be in one of your calendars).
    pub uid: String,
    /// CSV file: email, optional name, optional language, one recipient per row.
    #[arg(long, value_name = "FILE.csv")]
    pub recipients: PathBuf,
    /// The server's URL (default: server.public_url, or http://<server.listen>).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// API key of the event's owner.
    #[arg(long, env = "CALINVITE_API_KEY", hide_env_values = true)]
    pub api_key: String,
    /// Return once queued instead of showing delivery progress.
    #[arg(long)]
    pub no_wait: bool,
}

pub fn run(args: SendArgs, default_server: String) -> Result<()> {
    let server = args.server.unwrap_or(default_server).trim_end_matches('/').to_string();
    let raw = std::fs::read(&args.recipients).with_context(|| format!("reading {}", args.recipients.display()))?;
    let rows = parse_csv(&raw).with_context(|| format!("{} is not a recipients CSV", args.recipients.display()))?;
    if rows.is_empty() {
        bail!("{} holds no recipients", args.recipients.display());
    }
    let file_key = hex::encode(&Sha256::digest(&raw)[..12]);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let auth = format!("Bearer {}", args.api_key);
    let url = format!("{server}/api/v1/events/{}/invitations", percent_encode(&args.uid));
    let (mut batches, mut queued, mut already, mut suppressed, mut invalid) = (Vec::new(), 0, 0, 0, Vec::new());
    for (i, chunk) in rows.chunks(CHUNK).enumerate() {
        let body = json!({ "recipients": chunk, "idempotency_key": format!("cli-{file_key}-{i}") });
        let mut resp = agent
            .post(&url)
            .header("Authorization", &auth)
            .send_json(&body)
            .with_context(|| format!("cannot reach {server}"))?;
        let status = resp.status().as_u16();
        let v: Value = resp.body_mut().read_json().unwrap_or(Value::Null);
        if status != 202 {
            bail!(
                "the server refused the call ({status}): {}",
                v["detail"].as_str().unwrap_or("no detail")
            );
        }
        batches.push(
            v["batch"]
                .as_u64()
                .ok_or_else(|| anyhow!("the server's answer has no batch id"))?,
        );
        queued += v["queued"].as_u64().unwrap_or(0);
        already += v["already_invited"].as_u64().unwrap_or(0);
        suppressed += v["suppressed"].as_u64().unwrap_or(0);
        invalid.extend(v["invalid"].as_array().cloned().unwrap_or_default());
    }
    println!(
        "queued {queued}, already invited {already}, suppressed {suppressed}, invalid {}",
        invalid.len()
    );
    for i in &invalid {
        println!(
            "  invalid: {} ({})",
            i["email"].as_str().unwrap_or(""),
            i["reason"].as_str().unwrap_or("")
        );
    }
    if args.no_wait || queued == 0 {
        return Ok(());
    }
    loop {
        let (mut sent, mut failed, mut deferred, mut total, mut done) = (0, 0, 0, 0, true);
        for b in &batches {
            let mut resp = agent
                .get(&format!("{server}/api/v1/batches/{b}"))
                .header("Authorization", &auth)
                .call()
                .with_context(|| format!("cannot reach {server}"))?;
            let v: Value = resp.body_mut().read_json().unwrap_or(Value::Null);
            sent += v["sent"].as_u64().unwrap_or(0);
            failed += v["failed"].as_u64().unwrap_or(0);
            deferred += v["deferred"].as_u64().unwrap_or(0);
            total += v["queued"].as_u64().unwrap_or(0);
            done &= v["done"].as_bool().unwrap_or(false);
        }
        draw(sent, failed, deferred, total);
        if done {
            eprintln!();
            println!("sent {sent}, failed {failed}");
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn draw(sent: u64, failed: u64, deferred: u64, total: u64) {
    let width = 30u64;
    let filled = ((sent + failed) * width).checked_div(total).unwrap_or(width).min(width);
    let bar: String = (0..width).map(|i| if i < filled { '#' } else { '-' }).collect();
    let mut err = std::io::stderr();
    let _ = write!(
        err,
        "\r[{bar}] {}/{total} sent, {failed} failed, {deferred} deferrals",
        sent
    );
    let _ = err.flush();
}

/// Rows of `email[,name[,lang]]`; a first row whose first field has no `@` is a header.
fn parse_csv(raw: &[u8]) -> Result<Vec<Value>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(raw);
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("row {}", n + 1))?;
        let email = record.get(0).unwrap_or("");
        if n == 0 && !email.contains('@') {
            continue;
        }
        if email.is_empty() {
            continue;
        }
        let mut r = json!({ "email": email });
        if let Some(name) = record.get(1).filter(|s| !s.is_empty()) {
            r["name"] = json!(name);
        }
        if let Some(lang) = record.get(2).filter(|s| !s.is_empty()) {
            r["lang"] = json!(lang);
        }
        out.push(r);
    }
    Ok(out)
}

fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::parse_csv;

    #[test]
    fn csv_rows_with_and_without_header_names_and_quotes() {
        let rows = parse_csv(b"email,name,lang\nann@example.org,\"Lee, Ann\",de\n bob@example.org \n\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["name"], "Lee, Ann");
        assert_eq!(rows[0]["lang"], "de");
        assert_eq!(rows[1]["email"], "bob@example.org");
        assert!(rows[1].get("name").is_none());
        let rows = parse_csv(b"ann@example.org\n").unwrap();
        assert_eq!(rows.len(), 1);
    }
}
