//! `calinvite user add|list|passwd`: accounts from the command line. Passwords are read
//! from standard input (one line), never from arguments, so they stay out of shell
//! history and process listings.

use crate::accounts::password::hash_password;
use crate::config::Config;
use anyhow::{Context, Result, anyhow, bail};
use calinvite_storage::{CollectionKind, NewCollection, NewPrincipal, Principal, Role, Store, StoreError};
use clap::Subcommand;
use std::io::BufRead;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (password read from stdin) with a default calendar.
    Add {
        name: String,
        /// Mail address the user sends invitations from (repeatable).
        #[arg(long)]
        email: Vec<String>,
        /// Make the user a domain owner (administrator).
        #[arg(long)]
        admin: bool,
        /// Name shown to invitees.
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List users.
    List,
    /// Set a user's password (read from stdin).
    Passwd { name: String },
}

pub async fn run(cmd: UserCommand, store: &dyn Store, _config: &Config) -> Result<()> {
    match cmd {
        UserCommand::Add {
            name,
            email,
            admin,
            display_name,
        } => {
            let password = read_password()?;
            let role = if admin { Role::Admin } else { Role::Organizer };
            let principal = create_user(store, &name, display_name, email, role, &password).await?;
            println!("created user {} ({})", principal.name, role_name(principal.role));
        }
        UserCommand::List => {
            let principals = store.list_principals().await?;
            if principals.is_empty() {
                println!("no users");
            }
            for p in principals {
                println!("{}\t{}\t{}", p.name, role_name(p.role), p.emails.join(","));
            }
        }
        UserCommand::Passwd { name } => {
            let password = read_password()?;
            let principal = store
                .principal_by_name(&name.to_lowercase())
                .await?
                .ok_or_else(|| anyhow!("no user named {name}"))?;
            store.set_password(principal.id, hash_password(&password)?).await?;
            println!("password of {} changed", principal.name);
        }
    }
    Ok(())
}

/// Creates a principal and its default calendar. Shared by `user add` and `--demo`.
pub async fn create_user(
    store: &dyn Store,
    name: &str,
    display_name: Option<String>,
    emails: Vec<String>,
    role: Role,
    password: &str,
) -> Result<Principal> {
    validate_name(name)?;
    let emails: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
    for e in &emails {
        if !crate::config::is_address(e) {
            bail!("`{e}` is not a mail address");
        }
    }
    let hash = hash_password(password).context("cannot use this password")?;
    let principal = store
        .create_principal(NewPrincipal {
            name: name.to_lowercase(),
            display_name: display_name.unwrap_or_else(|| name.to_string()),
            emails,
            role,
            password_hash: hash,
        })
        .await
        .map_err(|e| match e {
            StoreError::AlreadyExists { what } => anyhow!("{what} already exists"),
            other => anyhow!(other),
        })?;
    store
        .create_collection(NewCollection {
            owner: principal.id,
            path: "default".into(),
            kind: CollectionKind::Calendar,
            props: [("{DAV:}displayname".to_string(), "Calendar".to_string())]
                .into_iter()
                .collect(),
        })
        .await
        .context("creating the default calendar")?;
    Ok(principal)
}

/// User names become URL segments: keep them to letters, digits, `.`, `_` and `-`.
fn validate_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 64 {
        bail!("a user name has 1 to 64 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        || name.starts_with('.')
    {
        bail!("`{name}` may only hold letters, digits, `.`, `_` and `-`, and must not start with `.`");
    }
    Ok(())
}

fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("no password on stdin: pipe it in, for example `echo 'secret' | calinvite user add NAME`");
    }
    Ok(password)
}

pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Organizer => "organizer",
    }
}
