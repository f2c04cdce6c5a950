//! Collections: paths below a principal's home, nesting, copy, move and recursive delete.
//!
//! A collection is found by id (its record) or by (owner, path) through an index whose
//! ordering puts a collection's descendants in one contiguous range (`path/` up to `path0`,
//! `0` being the byte after `/`), so "everything below" is one range scan. A copy creates
//! new collections with new ids and fresh change logs; a move is a copy that re-points the
//! registered events at the new collections and then removes the source.

use super::objects;
use super::tables::*;
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, WriteTransaction};

/// Checks a collection path: segments separated by `/`, none empty, no `.` or `..`.
pub(super) fn validate_path(path: &str) -> StoreResult<()> {
    let bad = path.is_empty() || path.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..");
    if bad {
        return Err(StoreError::Invalid(format!(
            "collection path {path:?} must be non-empty segments separated by '/', without '.' or '..' and without leading or trailing '/'"
        )));
    }
    Ok(())
}

/// The parent path and the last segment of a path (`""` parent for a top-level one).
pub(super) fn split_parent(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((parent, last)) => (parent, last),
        None => ("", path),
    }
}

/// The range bounds of every path strictly below `path`.
fn below(path: &str) -> (String, String) {
    (format!("{path}/"), format!("{path}0"))
}

pub(super) fn load(tx: &WriteTransaction, id: CollectionId) -> StoreResult<Collection> {
    read_rec(tx.open_table(COLLECTIONS)?.get(id.0)?)?.ok_or_else(|| StoreError::not_found(format!("collection {id}")))
}

pub(super) fn save(tx: &WriteTransaction, c: &Collection) -> StoreResult<()> {
    tx.open_table(COLLECTIONS)?.insert(c.id.0, enc(c)?.as_slice())?;
    Ok(())
}

pub(super) fn get(tx: &ReadTransaction, id: CollectionId) -> StoreResult<Option<Collection>> {
    read_rec(tx.open_table(COLLECTIONS)?.get(id.0)?)
}

/// The id of the collection at (owner, path), if any.
pub(super) fn id_at(tx: &WriteTransaction, owner: PrincipalId, path: &str) -> StoreResult<Option<CollectionId>> {
    Ok(get_u64(&tx.open_table(COLLECTION_PATHS)?, (owner.0, path))?.map(CollectionId))
}

pub(super) fn by_path(tx: &ReadTransaction, owner: PrincipalId, path: &str) -> StoreResult<Option<Collection>> {
    match get_u64(&tx.open_table(COLLECTION_PATHS)?, (owner.0, path))? {
        Some(id) => get(tx, CollectionId(id)),
        None => Ok(None),
    }
}

/// The parent a new collection at `path` would live in: `None` for a top-level path.
/// It must exist and be a plain collection.
fn parent_for(tx: &WriteTransaction, owner: PrincipalId, path: &str) -> StoreResult<Option<Collection>> {
    let (parent_path, _) = split_parent(path);
    if parent_path.is_empty() {
        return Ok(None);
    }
    let parent = match id_at(tx, owner, parent_path)? {
        Some(id) => load(tx, id)?,
        None => return Err(StoreError::not_found(format!("parent collection {parent_path}"))),
    };
    if parent.kind != CollectionKind::Plain {
        // RFC 4791 §4.2: calendar collections must not contain other collections.
        return Err(StoreError::Invalid(format!(
            "{parent_path} is a calendar; collections cannot be created inside it"
        )));
    }
    Ok(Some(parent))
}

fn insert_new(
    tx: &WriteTransaction,
    owner: PrincipalId,
    path: &str,
    kind: CollectionKind,
    props: Properties,
) -> StoreResult<Collection> {
    let id = next_id(&mut tx.open_table(COUNTERS)?, "collection")?;
    let c = Collection {
        id: CollectionId(id),
        owner,
        path: path.to_string(),
        kind,
        props,
        sync_seq: 0,
        created_at: crate::now(),
    };
    save(tx, &c)?;
    tx.open_table(COLLECTION_PATHS)?.insert((owner.0, path), id)?;
    Ok(c)
}

pub(super) fn create(tx: &WriteTransaction, new: NewCollection) -> StoreResult<Collection> {
    validate_path(&new.path)?;
    if tx.open_table(PRINCIPALS)?.get(new.owner.0)?.is_none() {
        return Err(StoreError::not_found(format!("principal {}", new.owner)));
    }
    if id_at(tx, new.owner, &new.path)?.is_some() {
        return Err(StoreError::exists(format!("collection {}", new.path)));
    }
    if let Some(parent) = parent_for(tx, new.owner, &new.path)? {
        let (_, last) = split_parent(&new.path);
        if objects::exists(tx, parent.id, last)? {
            return Err(StoreError::exists(format!("{} (an object of the same name)", new.path)));
        }
    }
    insert_new(tx, new.owner, &new.path, new.kind, new.props)
}

pub(super) fn children(tx: &ReadTransaction, owner: PrincipalId, parent: &str) -> StoreResult<Vec<Collection>> {
    let paths = tx.open_table(COLLECTION_PATHS)?;
    let mut ids = Vec::new();
    if parent.is_empty() {
        for row in paths.range((owner.0, "")..(owner.0.saturating_add(1), ""))? {
            let (k, v) = row?;
            if !k.value().1.contains('/') {
                ids.push(v.value());
            }
        }
    } else {
        let (lo, hi) = below(parent);
        for row in paths.range((owner.0, lo.as_str())..(owner.0, hi.as_str()))? {
            let (k, v) = row?;
            let rest = k.value().1.get(lo.len()..).unwrap_or("");
            if !rest.contains('/') {
                ids.push(v.value());
            }
        }
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(c) = get(tx, CollectionId(id))? {
            out.push(c);
        }
    }
    Ok(out)
}

pub(super) fn patch(tx: &WriteTransaction, id: CollectionId, patch: PropPatch) -> StoreResult<Collection> {
    let mut c = load(tx, id)?;
    apply_patch(&mut c.props, patch);
    save(tx, &c)?;
    Ok(c)
}

/// Sets then removes properties.
pub(super) fn apply_patch(props: &mut Properties, patch: PropPatch) {
    for (k, v) in patch.set {
        props.insert(k, v);
    }
    for k in patch.remove {
        props.remove(&k);
    }
}

/// The collection and every collection below it, parents before children.
fn subtree(tx: &WriteTransaction, root: &Collection) -> StoreResult<Vec<Collection>> {
    let mut ids = Vec::new();
    {
        let paths = tx.open_table(COLLECTION_PATHS)?;
        let (lo, hi) = below(&root.path);
        for row in paths.range((root.owner.0, lo.as_str())..(root.owner.0, hi.as_str()))? {
            ids.push(row?.1.value());
        }
    }
    let mut out = vec![root.clone()];
    for id in ids {
        out.push(load(tx, CollectionId(id))?);
    }
    Ok(out)
}

/// Removes collections (contents, records, path entries); their events go too unless they
/// were re-pointed before.
fn remove_tree(tx: &WriteTransaction, tree: &[Collection], with_events: bool) -> StoreResult<()> {
    for c in tree {
        objects::purge(tx, c.id)?;
        if with_events {
            let mut ids = Vec::new();
            {
                let index = tx.open_table(EVENTS_BY_COLLECTION)?;
                for row in index.range((c.id.0, 0)..=(c.id.0, u64::MAX))? {
                    ids.push(row?.0.value().1);
                }
            }
            for ev in ids {
                super::events::delete(tx, EventId(ev))?;
            }
        }
        tx.open_table(COLLECTIONS)?.remove(c.id.0)?;
        tx.open_table(COLLECTION_PATHS)?.remove((c.owner.0, c.path.as_str()))?;
    }
    Ok(())
}

pub(super) fn delete(tx: &WriteTransaction, id: CollectionId) -> StoreResult<()> {
    let root = load(tx, id)?;
    let tree = subtree(tx, &root)?;
    remove_tree(tx, &tree, true)
}

pub(super) fn copy(
    tx: &WriteTransaction,
    id: CollectionId,
    new_path: &str,
    overwrite: bool,
    remove_source: bool,
) -> StoreResult<Collection> {
    validate_path(new_path)?;
    let src = load(tx, id)?;
    if new_path == src.path || new_path.starts_with(&format!("{}/", src.path)) {
        // RFC 4918 §9.8.5: source and destination must not overlap.
        return Err(StoreError::Invalid(format!(
            "cannot copy {} onto or into itself",
            src.path
        )));
    }
    if let Some(target) = id_at(tx, src.owner, new_path)? {
        if !overwrite {
            return Err(StoreError::exists(format!("collection {new_path}")));
        }
        if src.path.starts_with(&format!("{new_path}/")) {
            return Err(StoreError::Invalid(format!(
                "cannot replace {new_path}, which contains the source {}",
                src.path
            )));
        }
        delete(tx, target)?;
    }
    if let Some(parent) = parent_for(tx, src.owner, new_path)? {
        let (_, last) = split_parent(new_path);
        if objects::exists(tx, parent.id, last)? {
            if !overwrite {
                return Err(StoreError::exists(format!("{new_path} (an object of the same name)")));
            }
            objects::delete(tx, parent.id, last, Precondition::None, Effects::default())?;
        }
    }
    let tree = subtree(tx, &src)?;
    let mut top = None;
    for old in &tree {
        let suffix = old.path.get(src.path.len()..).unwrap_or("");
        let path = format!("{new_path}{suffix}");
        let mut new = insert_new(tx, old.owner, &path, old.kind, old.props.clone())?;
        objects::copy_all(tx, old, &mut new)?;
        if remove_source {
            super::events::repoint(tx, old.id, new.id)?;
        }
        if top.is_none() {
            top = Some(new);
        }
    }
    if remove_source {
        remove_tree(tx, &tree, false)?;
    }
    top.ok_or_else(|| StoreError::Engine("copying produced no collection".into()))
}
