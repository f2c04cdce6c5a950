//! The application state every request and worker shares.

use crate::accounts::Authenticator;
use crate::accounts::login_cache::LoginCache;
use crate::config::Config;
use calinvite_storage::Store;
use std::sync::Arc;
use std::time::Duration;

pub struct App {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub auth: Authenticator,
    /// The lifecycle, as the DAV layer sees it.
    pub hooks: Arc<dyn calinvite_dav::DavHooks>,
    /// Wakes idle senders when jobs are queued, so a new invitation goes out at once.
    pub wake: Arc<tokio::sync::Notify>,
    /// Names this process in outbox leases, so a restart can tell its own leases apart.
    pub instance: String,
    /// The inbound path's writes, group-committed; started on first use (it needs the
    /// runtime, which CLI commands that only read do not start).
    inbound_writes: std::sync::OnceLock<crate::inbound::group_commit::InboundWrites>,
    /// Public pages: the link key, rate limits, templates.
    pub pages: crate::pages::Pages,
}

impl App {
    pub fn new(config: Config, store: Arc<dyn Store>) -> Self {
        let cache = LoginCache::new(
            Duration::from_secs(config.auth.login_cache_seconds),
            config.auth.login_cache_entries,
        );
        let instance = format!("{}-{}", hostname(), std::process::id());
        App {
            auth: Authenticator::new(store.clone(), cache),
            hooks: Arc::new(crate::lifecycle::Lifecycle {
                store: store.clone(),
                settle_seconds: i64::try_from(config.lifecycle.settle_seconds).unwrap_or(i64::MAX / 4),
                update_needs_action: config.lifecycle.update_needs_action,
                approval: config.lifecycle.approval,
                server_address: config.mail.from.clone(),
            }),
            wake: Arc::new(tokio::sync::Notify::new()),
            pages: crate::pages::Pages::new(&config),
            config,
            store,
            instance,
            inbound_writes: std::sync::OnceLock::new(),
        }
    }

    /// The inbound path's batched writes (see `inbound::group_commit`).
    pub fn inbound_writes(&self) -> &crate::inbound::group_commit::InboundWrites {
        self.inbound_writes
            .get_or_init(|| crate::inbound::group_commit::InboundWrites::spawn(self.store.clone()))
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "calinvite".into())
}
