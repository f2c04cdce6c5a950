//! Storage errors.
//!
//! One enum for every engine, so that callers (the DAV layer, the API, the workers) map a
//! failure to an HTTP status or a job outcome once, whatever engine sits underneath.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The thing addressed does not exist (principal, collection, object, job, ...).
    #[error("{what} not found")]
    NotFound { what: String },

    /// A unique name is taken: a principal name, a collection path, an email address.
    #[error("{what} already exists")]
    AlreadyExists { what: String },

    /// An `If-Match` / `If-None-Match` style precondition did not hold.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),

    /// Another object in the same calendar collection already carries this UID
    /// (RFC 4791 §5.3.2.1 `no-uid-conflict`). Carries the href of the holder.
    #[error("UID {uid} is already used by {existing}")]
    UidConflict { uid: String, existing: String },

    /// A sync token that this collection never issued (RFC 6578 `valid-sync-token`).
    #[error("invalid sync token")]
    InvalidSyncToken,

    /// The job's lease is held by somebody else or has been released.
    #[error("lease on job {job} is not held by {owner}")]
    LeaseLost { job: u64, owner: String },

    /// The store on disk was written by a newer calinvite; opening it could destroy data.
    #[error(
        "the store at {path} has schema version {found}, newer than this calinvite supports ({supported}); upgrade calinvite or restore a backup"
    )]
    NewerSchema { path: String, found: u32, supported: u32 },

    /// The store exists but cannot be read as a calinvite store.
    #[error("the store at {path} is damaged or not a calinvite store: {reason}")]
    Corrupt { path: String, reason: String },

    /// The value given by the caller cannot be stored (empty name, bad path, ...).
    #[error("invalid input: {0}")]
    Invalid(String),

    /// The engine failed (I/O, database error). The message carries the engine's words.
    #[error("storage engine error: {0}")]
    Engine(String),
}

impl StoreError {
    pub fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound { what: what.into() }
    }

    pub fn exists(what: impl Into<String>) -> Self {
        StoreError::AlreadyExists { what: what.into() }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, StoreError::NotFound { .. })
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
