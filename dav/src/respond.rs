//! Building one `<D:response>` for a resource: the property lookup every method shares
//! (PROPFIND, calendar-query, calendar-multiget, sync-collection), so they all answer alike.

use crate::context::DavContext;
use crate::props::{self, Found};
use crate::resource::Resource;
use crate::xml::PropName;
use crate::xml::request::propfind::Propfind;
use crate::xml::response::{Out, PropValueOut, Propstat, ResponseBody, propname_body};
use calinvite_imip::ical::CalendarObject;
use calinvite_imip::query::CalendarDataRequest;
use http::StatusCode;

/// The propstats of `resource` for a selection. `body` is the object's content, needed only
/// when `calendar-data` is asked for; `floating` is the zone for floating times.
pub fn properties(
    ctx: &DavContext,
    resource: &Resource,
    selection: &Propfind,
    calendar_data: Option<&CalendarDataRequest>,
    body: Option<&[u8]>,
    parsed: Option<&CalendarObject>,
) -> ResponseBody {
    let names: Vec<PropName> = match selection {
        Propfind::PropName => return propname_body(props::names(ctx, resource)),
        Propfind::AllProp { include } => {
            let mut n = props::names(ctx, resource);
            for i in include {
                if !n.contains(i) {
                    n.push(i.clone());
                }
            }
            n
        }
        Propfind::Prop(names) => names.clone(),
    };
    let mut found = Vec::new();
    let mut missing = Vec::new();
    let mut failed = Vec::new();
    for name in names {
        if name.is(props::NS_CALDAV, "calendar-data") {
            match calendar_data_value(ctx, resource, calendar_data, body, parsed) {
                Some(Ok(text)) => found.push(PropValueOut::new(name, Out::CalendarData(text))),
                Some(Err(reason)) => {
                    tracing::warn!(%reason, "calendar-data could not be produced");
                    failed.push(PropValueOut::name_only(name));
                }
                None => missing.push(PropValueOut::name_only(name)),
            }
            continue;
        }
        match props::get(ctx, resource, &name) {
            Found::Value(v) => found.push(PropValueOut::new(name, v)),
            Found::Missing => missing.push(PropValueOut::name_only(name)),
        }
    }
    let mut stats = Vec::new();
    if !found.is_empty() {
        stats.push(Propstat::new(StatusCode::OK, found));
    }
    if !missing.is_empty() {
        stats.push(Propstat::new(StatusCode::NOT_FOUND, missing));
    }
    if !failed.is_empty() {
        stats.push(Propstat::new(StatusCode::INTERNAL_SERVER_ERROR, failed));
    }
    if stats.is_empty() {
        // RFC 4918 §9.1: every response has at least one propstat.
        stats.push(Propstat::new(StatusCode::OK, Vec::new()));
    }
    ResponseBody::Propstat(stats)
}

fn calendar_data_value(
    ctx: &DavContext,
    resource: &Resource,
    req: Option<&CalendarDataRequest>,
    body: Option<&[u8]>,
    parsed: Option<&CalendarObject>,
) -> Option<Result<String, String>> {
    let Resource::Object { collection, .. } = resource else {
        return None;
    };
    if collection.kind != calinvite_storage::CollectionKind::Calendar {
        return None;
    }
    let body = body?;
    let plain = req.is_none_or(|r| {
        r.comp.is_none() && r.expand.is_none() && r.limit_recurrence_set.is_none() && r.limit_freebusy_set.is_none()
    });
    if plain {
        return Some(String::from_utf8(body.to_vec()).map_err(|_| "stored object is not UTF-8".to_string()));
    }
    let req = req?;
    let owned;
    let object = match parsed {
        Some(o) => o,
        None => {
            owned = match CalendarObject::parse(body, &ctx.limits) {
                Ok(o) => o,
                Err(e) => return Some(Err(e.to_string())),
            };
            &owned
        }
    };
    Some(object.render_in(req, None, &ctx.limits).map_err(|e| e.to_string()))
}
