//! sync-collection (RFC 6578): what changed in a collection since a token.
//!
//! Tokens name the collection and a position in its change log, which is never pruned, so
//! every token the server issued stays valid across restarts and upgrades. An unknown
//! token gets `valid-sync-token` (403), which makes DAVx5 and Thunderbird start a fresh
//! sync instead of giving up. The initial sync reads the change log from the start, so a
//! `limit` can cut it and the client continue from the token returned (RFC 6578 §3.6).

use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::methods::multistatus;
use crate::resource::Resource;
use crate::respond::properties;
use crate::xml::request::propfind::Propfind;
use crate::xml::request::report::{SyncCollection, SyncLevel};
use crate::xml::response::{MultistatusWriter, Response as DavResponse, ResponseBody};
use crate::xml::{PropName, sync_token};
use bytes::Bytes;
use http::{Response, StatusCode};

pub async fn handle(ctx: &DavContext, resource: &Resource, s: &SyncCollection) -> DavResult<Response<Bytes>> {
    let Resource::Collection(collection) = resource else {
        return Err(DavError::dav(
            StatusCode::FORBIDDEN,
            "supported-report",
            "sync-collection runs on a collection",
        ));
    };
    if s.sync_level == SyncLevel::Infinite {
        // RFC 6578 §3.3: a server may refuse infinite depth on collections it cannot sync deeply.
        return Err(DavError::dav(
            StatusCode::FORBIDDEN,
            "sync-traversal-supported",
            "only sync-level 1 is supported",
        ));
    }
    let since = match &s.sync_token {
        None => 0,
        Some(token) => match sync_token::parse(token) {
            Some((id, seq)) if id == collection.id.0 => seq,
            _ => {
                tracing::info!(%token, "unknown sync token");
                return Err(DavError::dav(
                    StatusCode::FORBIDDEN,
                    "valid-sync-token",
                    "this sync token was not issued for this collection",
                ));
            }
        },
    };
    let limit = s.limit.map(|l| l as usize);
    let changes = ctx.store.changes_since(collection.id, since, limit).await?;
    let wants_data = s.props.asks_for(crate::props::NS_CALDAV, "calendar-data");
    let selection = match &s.props {
        Propfind::Prop(names) if names.is_empty() => Propfind::Prop(vec![PropName::dav("getetag")]),
        other => other.clone(),
    };
    let mut w = MultistatusWriter::new();
    // One batch read either way: bodies only when calendar-data was asked for.
    let objects = if wants_data {
        ctx.store.objects(collection.id, &changes.changed).await?
    } else {
        let metas = ctx.store.object_metas(collection.id, &changes.changed).await?;
        metas
            .into_iter()
            .map(|meta| calinvite_storage::Object { meta, body: Vec::new() })
            .collect()
    };
    for object in &objects {
        let r = Resource::Object {
            collection: collection.clone(),
            meta: object.meta.clone(),
        };
        let body = if wants_data { Some(object.body.as_slice()) } else { None };
        w.response(&r.href(ctx), properties(ctx, &r, &selection, None, body, None));
    }
    // RFC 6578 §3.4: the initial sync lists no removed members.
    if since > 0 {
        for name in &changes.deleted {
            let href = crate::path::object_href(&ctx.principal.name, &collection.path, name);
            w.response(&href, ResponseBody::Status(StatusCode::NOT_FOUND));
        }
    }
    if changes.truncated {
        w.push(
            DavResponse::new(
                resource.href(ctx),
                ResponseBody::Status(StatusCode::INSUFFICIENT_STORAGE),
            )
            .with_error(PropName::dav("number-of-matches-within-limits")),
        );
    }
    w.sync_token(&sync_token::format(collection.id.0, changes.sync_seq));
    Ok(multistatus(w.finish()))
}
