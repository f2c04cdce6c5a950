//! PROPPATCH (RFC 4918 §9.2): all instructions succeed together or none is applied.
//!
//! Protected (live) properties answer 403 with `cannot-modify-protected-property`, and
//! every other property of the same request 424 Failed Dependency, so a client knows
//! nothing was changed.

use super::multistatus;
use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::props::{self, encode_dead};
use crate::resource::Resource;
use crate::xml::PropName;
use crate::xml::request::proppatch::{PatchInstruction, parse_proppatch};
use crate::xml::response::{MultistatusWriter, PropValueOut, Propstat, ResponseBody};
use bytes::Bytes;
use calinvite_storage::PropPatch;
use http::{Response, StatusCode};

pub async fn handle(ctx: &DavContext, resource: &Resource, body: &[u8]) -> DavResult<Response<Bytes>> {
    let instructions = parse_proppatch(body)?;
    let writable_dead = matches!(resource, Resource::Collection(_) | Resource::Object { .. });
    if let Resource::Missing(_) = resource {
        return Err(DavError::not_found());
    }
    let mut refused: Vec<PropName> = Vec::new();
    for i in &instructions {
        let name = i.name();
        let ok = match resource {
            Resource::Collection(_) => props::is_writable_collection_prop(name),
            Resource::Object { .. } => !props::is_live(name),
            _ => false,
        };
        if !ok || !writable_dead {
            refused.push(name.clone());
        }
    }
    let names: Vec<PropName> = instructions.iter().map(|i| i.name().clone()).collect();
    let body = if refused.is_empty() {
        let mut patch = PropPatch::default();
        for i in instructions {
            match i {
                PatchInstruction::Set(name, value) => {
                    let key = name.to_string();
                    patch.remove.retain(|k| *k != key);
                    patch.set.retain(|(k, _)| *k != key);
                    patch.set.push((key, encode_dead(&value)));
                }
                PatchInstruction::Remove(name) => {
                    let key = name.to_string();
                    patch.set.retain(|(k, _)| *k != key);
                    patch.remove.push(key);
                }
            }
        }
        match resource {
            Resource::Collection(c) => {
                ctx.store.patch_collection(c.id, patch).await?;
            }
            Resource::Object { collection, meta } => {
                ctx.store.patch_object(collection.id, &meta.name, patch).await?;
            }
            _ => {}
        }
        ResponseBody::Propstat(vec![Propstat::new(
            StatusCode::OK,
            names.into_iter().map(PropValueOut::name_only).collect(),
        )])
    } else {
        tracing::info!(refused = ?refused.iter().map(|n| n.to_string()).collect::<Vec<_>>(), "PROPPATCH refused protected properties");
        let mut forbidden = Propstat::new(
            StatusCode::FORBIDDEN,
            refused.iter().cloned().map(PropValueOut::name_only).collect(),
        );
        forbidden.error = Some(PropName::dav("cannot-modify-protected-property"));
        let dependent: Vec<PropValueOut> = names
            .into_iter()
            .filter(|n| !refused.contains(n))
            .map(PropValueOut::name_only)
            .collect();
        ResponseBody::Propstat(vec![forbidden, Propstat::new(StatusCode::FAILED_DEPENDENCY, dependent)])
    };
    let mut w = MultistatusWriter::new();
    w.response(&resource.href(ctx), body);
    Ok(multistatus(w.finish()))
}
