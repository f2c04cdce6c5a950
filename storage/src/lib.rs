//! calinvite's storage: the [`Store`] trait and its engines.
//!
//! The store keeps principals, collections and their objects (with ETags and a change log
//! behind sync tokens), the event registry, recipients with their answer history, the
//! durable outbox and the inbound message log. It knows nothing of HTTP, SMTP or
//! iCalendar: the layers above hand it bytes, names and instants.
//!
//! The embedded engine, [`RedbStore`], is the zero-configuration default. Every engine
//! passes the same contract tests ([`contract`]).

pub mod contract;
mod error;
mod model;
mod redb_store;
mod store;

pub use error::{StoreError, StoreResult};
pub use model::*;
pub use redb_store::RedbStore;
pub use store::Store;

/// The schema version this build writes. A store with a higher version is refused at open;
/// a lower one is brought up to this one (version 2 added the webhook tables).
pub const SCHEMA_VERSION: u32 = 2;

/// A strong ETag for a body: the hex of its SHA-256, cut to 32 characters (128 bits).
/// Every engine computes it the same way, so ETags survive a move between engines.
pub fn etag_for(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body);
    let mut s = String::with_capacity(32);
    for b in &digest[..16] {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The current time as a [`Timestamp`].
pub fn now() -> Timestamp {
    chrono::Utc::now().timestamp()
}
