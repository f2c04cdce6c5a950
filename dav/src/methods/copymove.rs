//! COPY and MOVE within a home (RFC 4918 §9.8, §9.9).
//!
//! An object copied into a calendar must still be a valid calendar object resource there,
//! so a copy from a plain folder into a calendar is validated like a PUT
//! (RFC 4791 §5.3.2 applies to COPY and MOVE too).

use super::empty;
use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::path::DavPath;
use crate::resource::{self, Parent, Resource};
use bytes::Bytes;
use calinvite_storage::{CollectionKind, Effects, Precondition, StoreError};
use http::{HeaderMap, Response, StatusCode};

pub async fn handle(
    ctx: &DavContext,
    source: &Resource,
    headers: &HeaderMap,
    remove_source: bool,
) -> DavResult<Response<Bytes>> {
    let destination = headers
        .get("destination")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| DavError::bad_request("COPY and MOVE need a Destination header"))?;
    let dest_path = DavPath::parse(destination)?;
    if !matches!(dest_path, DavPath::Member { .. }) {
        return Err(DavError::forbidden("the destination must be inside your calendar home"));
    }
    // RFC 4918 §10.6: Overwrite defaults to T.
    let overwrite = !matches!(headers.get("overwrite").and_then(|v| v.to_str().ok()), Some(v) if v.trim().eq_ignore_ascii_case("F"));
    let dest = resource::resolve(ctx, &dest_path).await?;
    if dest.href(ctx) == source.href(ctx) {
        return Err(DavError::forbidden("source and destination are the same resource"));
    }
    let existed = !matches!(dest, Resource::Missing(_));
    if existed && !overwrite {
        return Err(DavError::precondition_failed(
            "the destination exists and Overwrite is F",
        ));
    }
    match source {
        Resource::Object { collection, meta } => {
            let (target, name) = match &dest {
                Resource::Missing(m) => match &m.parent {
                    Parent::Collection(c) => (c.clone(), m.name().to_string()),
                    Parent::Home => return Err(DavError::conflict("objects live inside a collection")),
                    Parent::Absent => return Err(DavError::conflict("the destination's parent does not exist")),
                },
                Resource::Object { collection, meta } => (collection.clone(), meta.name.clone()),
                Resource::Collection(c) => {
                    // Overwriting a collection with an object: remove it first (RFC 4918 §9.8.4).
                    let parent_path = c.path.rsplit_once('/').map(|(p, _)| p.to_string());
                    let name = c.path.rsplit('/').next().unwrap_or(&c.path).to_string();
                    let Some(parent_path) = parent_path else {
                        return Err(DavError::conflict("objects live inside a collection"));
                    };
                    let parent = ctx
                        .store
                        .collection_by_path(ctx.principal.id, &parent_path)
                        .await?
                        .ok_or_else(|| DavError::conflict("the destination's parent does not exist"))?;
                    ctx.store.delete_collection(c.id).await?;
                    (parent, name)
                }
                _ => return Err(DavError::forbidden("cannot overwrite this resource")),
            };
            if target.kind == CollectionKind::Calendar && collection.kind != CollectionKind::Calendar {
                // Validate like a PUT, then write and remove the source.
                let object = ctx
                    .store
                    .object(collection.id, &meta.name)
                    .await?
                    .ok_or_else(DavError::not_found)?;
                let mut h = HeaderMap::new();
                h.insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("text/calendar"),
                );
                let target_resource = match &dest {
                    Resource::Object { .. } => dest.clone(),
                    _ => Resource::Missing(resource::Missing {
                        path: format!("{}/{name}", target.path),
                        parent: Parent::Collection(target.clone()),
                    }),
                };
                let resp = super::put::handle(ctx, &target_resource, &h, Bytes::from(object.body)).await?;
                if remove_source {
                    ctx.store
                        .delete_object(collection.id, &meta.name, Precondition::None, Effects::default())
                        .await?;
                }
                return Ok(resp);
            }
            let created = ctx
                .store
                .copy_object(collection.id, &meta.name, target.id, &name, overwrite, remove_source)
                .await
                .map_err(|e| match e {
                    StoreError::UidConflict { uid, existing } => {
                        let mut err = DavError::from(StoreError::UidConflict {
                            uid,
                            existing: existing.clone(),
                        });
                        err.status = StatusCode::FORBIDDEN;
                        err.hrefs = vec![crate::path::object_href(&ctx.principal.name, &target.path, &existing)];
                        err
                    }
                    other => other.into(),
                })?;
            // RFC 4918 §9.8.5: 204 when an existing resource was overwritten.
            Ok(empty(if created && !existed {
                StatusCode::CREATED
            } else {
                StatusCode::NO_CONTENT
            }))
        }
        Resource::Collection(c) => {
            if let Some(d) = headers.get("depth").and_then(|v| v.to_str().ok()) {
                let d = d.trim();
                // RFC 4918 §9.9.3: MOVE of a collection is always Depth infinity.
                if remove_source && d != "infinity" {
                    return Err(DavError::bad_request("MOVE of a collection takes Depth: infinity"));
                }
                if d == "1" {
                    return Err(DavError::bad_request("COPY of a collection takes Depth 0 or infinity"));
                }
            }
            let new_path = match &dest {
                Resource::Missing(m) => match m.parent {
                    Parent::Absent => return Err(DavError::conflict("the destination's parent does not exist")),
                    Parent::Collection(ref p) if p.kind == CollectionKind::Calendar => {
                        return Err(DavError::forbidden("a calendar cannot hold collections"));
                    }
                    _ => m.path.clone(),
                },
                Resource::Collection(d) => d.path.clone(),
                Resource::Object { collection, meta } => {
                    ctx.store
                        .delete_object(collection.id, &meta.name, Precondition::None, Effects::default())
                        .await?;
                    format!("{}/{}", collection.path, meta.name)
                }
                _ => return Err(DavError::forbidden("cannot overwrite this resource")),
            };
            if new_path.starts_with(&format!("{}/", c.path)) {
                return Err(DavError::forbidden("cannot copy a collection into itself"));
            }
            let shallow = headers.get("depth").and_then(|v| v.to_str().ok()).map(str::trim) == Some("0");
            if shallow && !remove_source {
                // Depth 0: the collection and its properties, without members (RFC 4918 §9.8.3).
                if let Resource::Collection(d) = &dest {
                    ctx.store.delete_collection(d.id).await?;
                }
                ctx.store
                    .create_collection(calinvite_storage::NewCollection {
                        owner: ctx.principal.id,
                        path: new_path,
                        kind: c.kind,
                        props: c.props.clone(),
                    })
                    .await?;
            } else {
                ctx.store
                    .copy_collection(c.id, &new_path, overwrite, remove_source)
                    .await?;
            }
            Ok(empty(if existed {
                StatusCode::NO_CONTENT
            } else {
                StatusCode::CREATED
            }))
        }
        Resource::Missing(_) => Err(DavError::not_found()),
        _ => Err(DavError::forbidden("this resource cannot be copied or moved")),
    }
}
