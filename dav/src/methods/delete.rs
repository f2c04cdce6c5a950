//! DELETE of an object or a collection (RFC 4918 §9.6). The home, the principal and the
//! scheduling mailboxes cannot be deleted.

use super::empty;
use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::resource::Resource;
use bytes::Bytes;
use calinvite_storage::{CollectionKind, Effects};
use http::{HeaderMap, Response, StatusCode};

pub async fn handle(ctx: &DavContext, resource: &Resource, headers: &HeaderMap) -> DavResult<Response<Bytes>> {
    match resource {
        Resource::Object { collection, meta } => {
            let precondition = super::put::precondition(headers, resource)?;
            let effects = match collection.kind {
                CollectionKind::Calendar => ctx.hooks.on_delete(&ctx.principal, collection, meta).await,
                CollectionKind::Plain => Effects::default(),
            };
            ctx.store
                .delete_object(collection.id, &meta.name, precondition, effects)
                .await?;
        }
        Resource::Collection(c) => {
            if headers.get(http::header::IF_MATCH).is_some() {
                return Err(DavError::precondition_failed("collections have no ETag to match"));
            }
            ctx.store.delete_collection(c.id).await?;
        }
        Resource::Missing(_) => return Err(DavError::not_found()),
        _ => return Err(DavError::forbidden("this resource cannot be deleted")),
    }
    Ok(empty(StatusCode::NO_CONTENT))
}
