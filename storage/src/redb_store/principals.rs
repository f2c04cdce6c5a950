//! Principals and API keys.
//!
//! Names and addresses are unique through their own index tables, so a login or an
//! address lookup is one point read. API keys are found by the hash of the secret only; the
//! per-principal index makes listing and scoped deletion a range over that principal.

use super::tables::*;
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, WriteTransaction};

fn normalize_emails(emails: Vec<String>) -> StoreResult<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(emails.len());
    for e in emails {
        let e = normalize_email(&e)?;
        if !out.contains(&e) {
            out.push(e);
        }
    }
    Ok(out)
}

fn load_principal(tx: &WriteTransaction, id: PrincipalId) -> StoreResult<Principal> {
    let table = tx.open_table(PRINCIPALS)?;
    read_rec(table.get(id.0)?)?.ok_or_else(|| StoreError::not_found(format!("principal {id}")))
}

fn save_principal(tx: &WriteTransaction, p: &Principal) -> StoreResult<()> {
    tx.open_table(PRINCIPALS)?.insert(p.id.0, enc(p)?.as_slice())?;
    Ok(())
}

pub(super) fn create(tx: &WriteTransaction, new: NewPrincipal) -> StoreResult<Principal> {
    let name = new.name.trim().to_lowercase();
    if name.is_empty() || name.contains('/') {
        return Err(StoreError::Invalid(format!(
            "principal name {:?} must be non-empty and contain no '/'",
            new.name
        )));
    }
    let emails = normalize_emails(new.emails)?;
    let mut names = tx.open_table(PRINCIPAL_NAMES)?;
    if names.get(name.as_str())?.is_some() {
        return Err(StoreError::exists(format!("principal {name}")));
    }
    let mut by_email = tx.open_table(PRINCIPAL_EMAILS)?;
    for e in &emails {
        if by_email.get(e.as_str())?.is_some() {
            return Err(StoreError::exists(format!("address {e}")));
        }
    }
    let id = next_id(&mut tx.open_table(COUNTERS)?, "principal")?;
    names.insert(name.as_str(), id)?;
    for e in &emails {
        by_email.insert(e.as_str(), id)?;
    }
    let principal = Principal {
        id: PrincipalId(id),
        name,
        display_name: new.display_name,
        emails,
        role: new.role,
        password_hash: new.password_hash,
        credential_version: 1,
        created_at: crate::now(),
    };
    save_principal(tx, &principal)?;
    Ok(principal)
}

pub(super) fn get(tx: &ReadTransaction, id: PrincipalId) -> StoreResult<Option<Principal>> {
    read_rec(tx.open_table(PRINCIPALS)?.get(id.0)?)
}

fn get_via(tx: &ReadTransaction, index: redb::TableDefinition<&str, u64>, key: &str) -> StoreResult<Option<Principal>> {
    let key = key.trim().to_lowercase();
    match get_u64(&tx.open_table(index)?, key.as_str())? {
        Some(id) => get(tx, PrincipalId(id)),
        None => Ok(None),
    }
}

pub(super) fn by_name(tx: &ReadTransaction, name: &str) -> StoreResult<Option<Principal>> {
    get_via(tx, PRINCIPAL_NAMES, name)
}

pub(super) fn by_email(tx: &ReadTransaction, email: &str) -> StoreResult<Option<Principal>> {
    get_via(tx, PRINCIPAL_EMAILS, email)
}

pub(super) fn list(tx: &ReadTransaction) -> StoreResult<Vec<Principal>> {
    let table = tx.open_table(PRINCIPALS)?;
    let mut out = Vec::new();
    for row in table.iter()? {
        let (_, v) = row?;
        out.push(dec(v.value())?);
    }
    Ok(out)
}

pub(super) fn set_password(tx: &WriteTransaction, id: PrincipalId, hash: String) -> StoreResult<Principal> {
    let mut p = load_principal(tx, id)?;
    p.password_hash = hash;
    p.credential_version += 1;
    save_principal(tx, &p)?;
    Ok(p)
}

pub(super) fn set_emails(tx: &WriteTransaction, id: PrincipalId, emails: Vec<String>) -> StoreResult<Principal> {
    let mut p = load_principal(tx, id)?;
    let emails = normalize_emails(emails)?;
    let mut by_email = tx.open_table(PRINCIPAL_EMAILS)?;
    for e in &emails {
        if let Some(holder) = get_u64(&by_email, e.as_str())?
            && holder != id.0
        {
            return Err(StoreError::exists(format!("address {e}")));
        }
    }
    for old in &p.emails {
        if !emails.contains(old) {
            by_email.remove(old.as_str())?;
        }
    }
    for e in &emails {
        by_email.insert(e.as_str(), id.0)?;
    }
    drop(by_email);
    p.emails = emails;
    save_principal(tx, &p)?;
    Ok(p)
}

pub(super) fn create_api_key(tx: &WriteTransaction, new: NewApiKey) -> StoreResult<ApiKey> {
    load_principal(tx, new.principal)?;
    let mut hashes = tx.open_table(API_KEY_HASHES)?;
    if hashes.get(new.hash.as_slice())?.is_some() {
        return Err(StoreError::exists("an API key with this secret"));
    }
    let id = next_id(&mut tx.open_table(COUNTERS)?, "api_key")?;
    let key = ApiKey {
        id: ApiKeyId(id),
        principal: new.principal,
        label: new.label,
        prefix: new.prefix,
        hash: new.hash,
        created_at: crate::now(),
    };
    hashes.insert(key.hash.as_slice(), id)?;
    tx.open_table(API_KEYS)?.insert(id, enc(&key)?.as_slice())?;
    tx.open_table(API_KEYS_BY_PRINCIPAL)?
        .insert((key.principal.0, id), ())?;
    Ok(key)
}

pub(super) fn api_key_by_hash(tx: &ReadTransaction, hash: &[u8; 32]) -> StoreResult<Option<ApiKey>> {
    match get_u64(&tx.open_table(API_KEY_HASHES)?, hash.as_slice())? {
        Some(id) => read_rec(tx.open_table(API_KEYS)?.get(id)?),
        None => Ok(None),
    }
}

pub(super) fn list_api_keys(tx: &ReadTransaction, principal: PrincipalId) -> StoreResult<Vec<ApiKey>> {
    let index = tx.open_table(API_KEYS_BY_PRINCIPAL)?;
    let keys = tx.open_table(API_KEYS)?;
    let mut out = Vec::new();
    for row in index.range((principal.0, 0)..=(principal.0, u64::MAX))? {
        let (k, _) = row?;
        if let Some(key) = read_rec(keys.get(k.value().1)?)? {
            out.push(key);
        }
    }
    Ok(out)
}

pub(super) fn delete_api_key(tx: &WriteTransaction, principal: PrincipalId, id: ApiKeyId) -> StoreResult<()> {
    let mut keys = tx.open_table(API_KEYS)?;
    let key: ApiKey = match read_rec(keys.get(id.0)?)? {
        Some(k) => k,
        None => return Err(StoreError::not_found(format!("API key {id}"))),
    };
    if key.principal != principal {
        return Err(StoreError::not_found(format!("API key {id}")));
    }
    keys.remove(id.0)?;
    tx.open_table(API_KEY_HASHES)?.remove(key.hash.as_slice())?;
    tx.open_table(API_KEYS_BY_PRINCIPAL)?.remove((principal.0, id.0))?;
    Ok(())
}
