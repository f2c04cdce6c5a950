//! Opening a store file: create, check the schema version, refuse what is not ours.
//!
//! A store written by a newer calinvite is refused rather than read, because an older
//! build could misread or overwrite records it does not understand. A file that is not a
//! redb database, or is damaged beyond redb's own repair, is reported as `Corrupt` with the
//! path, never as a panic: redb may panic on some damaged files, so the open runs under
//! `catch_unwind` as a last line of defence.

use super::tables::{META, create_all};
use crate::SCHEMA_VERSION;
use crate::error::{StoreError, StoreResult};
use redb::{Database, DatabaseError, ReadableTable, StorageError};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

const SCHEMA_KEY: &str = "schema_version";

/// Opens or creates the database at `path` and brings its schema to [`SCHEMA_VERSION`].
pub(super) fn open_database(path: &Path) -> StoreResult<Database> {
    let shown = path.display().to_string();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::Engine(format!("cannot create the directory {}: {e}", parent.display())))?;
    }
    let opened = catch_unwind(AssertUnwindSafe(|| Database::builder().create(path)));
    let db = match opened {
        Ok(Ok(db)) => db,
        Ok(Err(e)) => return Err(open_error(&shown, e)),
        Err(_) => {
            return Err(StoreError::Corrupt {
                path: shown,
                reason: "the database engine could not read the file".into(),
            });
        }
    };
    let checked = catch_unwind(AssertUnwindSafe(|| check_schema(&db, &shown)));
    match checked {
        Ok(result) => result.map(|()| db),
        Err(_) => Err(StoreError::Corrupt {
            path: shown,
            reason: "the database engine could not read the file's tables".into(),
        }),
    }
}

fn open_error(path: &str, e: DatabaseError) -> StoreError {
    match e {
        DatabaseError::DatabaseAlreadyOpen => StoreError::Engine(format!(
            "the store at {path} is in use by another process (a running `calinvite serve`?); stop it first"
        )),
        DatabaseError::Storage(StorageError::Io(io)) if io.kind() != std::io::ErrorKind::InvalidData => {
            StoreError::Engine(format!("cannot open the store at {path}: {io}"))
        }
        other => StoreError::Corrupt {
            path: path.to_string(),
            reason: other.to_string(),
        },
    }
}

fn check_schema(db: &Database, path: &str) -> StoreResult<()> {
    let corrupt = |reason: String| StoreError::Corrupt {
        path: path.to_string(),
        reason,
    };
    let tx = db.begin_write()?;
    let has_tables = tx.list_tables()?.next().is_some();
    let found = {
        let meta = tx.open_table(META).map_err(|e| corrupt(e.to_string()))?;
        meta.get(SCHEMA_KEY)?.map(|g| g.value())
    };
    match found {
        None if has_tables => {
            return Err(corrupt(
                "it is a redb database without a calinvite schema version".into(),
            ));
        }
        None => {
            let mut meta = tx.open_table(META)?;
            meta.insert(SCHEMA_KEY, SCHEMA_VERSION)?;
        }
        Some(found) if found > SCHEMA_VERSION => {
            return Err(StoreError::NewerSchema {
                path: path.to_string(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        // Version 1 lacks only the webhook tables, which `create_all` below adds: new
        // tables are the whole migration, existing records are read as they are.
        Some(found) if found < SCHEMA_VERSION => {
            let mut meta = tx.open_table(META)?;
            meta.insert(SCHEMA_KEY, SCHEMA_VERSION)?;
        }
        Some(_) => {}
    }
    create_all(&tx).map_err(|e| match e {
        StoreError::Engine(reason) => corrupt(reason),
        other => other,
    })?;
    tx.commit()?;
    Ok(())
}

/// Overwrites the stored schema version. Only for tests that check how a store written by
/// a newer calinvite is refused.
pub(super) fn write_schema_version(path: &Path, version: u32) -> StoreResult<()> {
    let db = Database::open(path).map_err(|e| open_error(&path.display().to_string(), e))?;
    let tx = db.begin_write()?;
    {
        let mut meta = tx.open_table(META)?;
        meta.insert(SCHEMA_KEY, version)?;
    }
    tx.commit()?;
    Ok(())
}
