//! calendar-multiget (RFC 4791 §7.9): named objects in one request. The hrefs are grouped
//! by collection and each group read in one store call; an href that names nothing gets
//! its own 404 response.

use super::calendar_of;
use crate::context::DavContext;
use crate::error::DavResult;
use crate::methods::multistatus;
use crate::path::DavPath;
use crate::resource::Resource;
use crate::respond::properties;
use crate::xml::request::report::CalendarMultiget;
use crate::xml::response::{MultistatusWriter, ResponseBody};
use bytes::Bytes;
use http::{Response, StatusCode};
use std::collections::HashMap;

pub async fn handle(ctx: &DavContext, resource: &Resource, m: &CalendarMultiget) -> DavResult<Response<Bytes>> {
    let calendar = calendar_of(resource)?;
    // Names in the target calendar, in request order; anything else is reported missing.
    let mut names: Vec<String> = Vec::new();
    let mut wanted: Vec<(String, Option<String>)> = Vec::new();
    for href in &m.hrefs {
        let name = match DavPath::parse(href) {
            Ok(DavPath::Member { user, segments, .. }) if user == ctx.principal.name => match segments.split_last() {
                Some((last, parent)) if parent.join("/") == calendar.path => Some(last.clone()),
                _ => None,
            },
            _ => None,
        };
        if let Some(n) = &name {
            names.push(n.clone());
        }
        wanted.push((href.clone(), name));
    }
    let objects = ctx.store.objects(calendar.id, &names).await?;
    let by_name: HashMap<&str, &calinvite_storage::Object> =
        objects.iter().map(|o| (o.meta.name.as_str(), o)).collect();
    let mut w = MultistatusWriter::new();
    for (href, name) in wanted {
        match name.as_deref().and_then(|n| by_name.get(n)) {
            Some(object) => {
                let r = Resource::Object {
                    collection: calendar.clone(),
                    meta: object.meta.clone(),
                };
                let body = properties(ctx, &r, &m.props, m.calendar_data.as_ref(), Some(&object.body), None);
                w.response(&r.href(ctx), body);
            }
            None => {
                w.response(&href, ResponseBody::Status(StatusCode::NOT_FOUND));
            }
        }
    }
    Ok(multistatus(w.finish()))
}
