//! `calinvite apikey create|list|delete`: keys are printed once at creation and only
//! their hash is stored.

use crate::accounts::api_key;
use anyhow::{Result, anyhow};
use calinvite_storage::{ApiKeyId, NewApiKey, Principal, Store};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Create a key for a user and print it (it is shown only this once).
    Create {
        user: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// List a user's keys (their first characters only).
    List { user: String },
    /// Delete a key by its id.
    Delete { user: String, id: u64 },
}

pub async fn run(cmd: ApikeyCommand, store: &dyn Store) -> Result<()> {
    match cmd {
        ApikeyCommand::Create { user, label } => {
            let principal = find(store, &user).await?;
            println!("{}", create(store, &principal, &label).await?);
        }
        ApikeyCommand::List { user } => {
            let principal = find(store, &user).await?;
            for k in store.list_api_keys(principal.id).await? {
                println!("{}\t{}…\t{}", k.id, k.prefix, k.label);
            }
        }
        ApikeyCommand::Delete { user, id } => {
            let principal = find(store, &user).await?;
            store.delete_api_key(principal.id, ApiKeyId(id)).await?;
            println!("deleted key {id}");
        }
    }
    Ok(())
}

/// Creates a key and returns its secret.
pub async fn create(store: &dyn Store, principal: &Principal, label: &str) -> Result<String> {
    let key = api_key::generate();
    store
        .create_api_key(NewApiKey {
            principal: principal.id,
            label: label.to_string(),
            prefix: key.prefix,
            hash: key.hash,
        })
        .await?;
    Ok(key.secret)
}

async fn find(store: &dyn Store, user: &str) -> Result<Principal> {
    store
        .principal_by_name(&user.to_lowercase())
        .await?
        .ok_or_else(|| anyhow!("no user named {user}"))
}
