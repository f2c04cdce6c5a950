//! calendar-query (RFC 4791 §7.8): the objects of a calendar that match a filter.
//!
//! A time-range in the filter is answered from the store's time index first, so only the
//! objects whose first-to-last-instance range overlaps are read and parsed; each is then
//! tested exactly, recurrence included (RFC 4791 §9.9). Without a time-range every object
//! is read in one batch.

use super::calendar_of;
use crate::context::DavContext;
use crate::error::DavResult;
use crate::methods::multistatus;
use crate::resource::Resource;
use crate::respond::properties;
use crate::xml::request::report::CalendarQuery;
use crate::xml::response::{MultistatusWriter, ResponseBody};
use bytes::Bytes;
use calinvite_imip::ical::CalendarObject;
use calinvite_imip::query::{CompFilter, Filter};
use calinvite_storage::Object;
use http::{HeaderMap, Response, StatusCode};

pub async fn handle(
    ctx: &DavContext,
    resource: &Resource,
    _headers: &HeaderMap,
    q: &CalendarQuery,
) -> DavResult<Response<Bytes>> {
    let calendar = calendar_of(resource)?;
    let floating = floating_zone(q);
    let objects: Vec<Object> = match resource {
        Resource::Object { meta, .. } => ctx.store.objects(calendar.id, std::slice::from_ref(&meta.name)).await?,
        _ => match time_window(&q.filter) {
            Some((start, end)) => ctx.store.objects_in_range(calendar.id, start, end).await?,
            None => ctx.store.list_objects_full(calendar.id).await?,
        },
    };
    let mut w = MultistatusWriter::new();
    let mut count = 0u32;
    let mut truncated = false;
    for object in objects {
        let parsed = match CalendarObject::parse(&object.body, &ctx.limits) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(object = %object.meta.name, error = %e, "stored object does not parse; skipped in query");
                continue;
            }
        };
        let matched = parsed.matches(&q.filter, floating)
            || lowered(&q.filter, parsed.component().name()).is_some_and(|f| parsed.matches(&f, floating));
        if !matched {
            continue;
        }
        if q.limit.is_some_and(|l| count >= l) {
            truncated = true;
            break;
        }
        count += 1;
        let r = Resource::Object {
            collection: calendar.clone(),
            meta: object.meta.clone(),
        };
        let body = properties(
            ctx,
            &r,
            &q.props,
            q.calendar_data.as_ref(),
            Some(&object.body),
            Some(&parsed),
        );
        w.response(&r.href(ctx), body);
    }
    if truncated {
        // RFC 5323 §5.1 (used by CalDAV for C:limit): the cut is reported with 507.
        w.push(
            crate::xml::response::Response::new(
                resource.href(ctx),
                ResponseBody::Status(StatusCode::INSUFFICIENT_STORAGE),
            )
            .with_error(crate::xml::PropName::dav("number-of-matches-within-limits")),
        );
    }
    Ok(multistatus(w.finish()))
}

/// The time-range that bounds the query, for the index: on VCALENDAR itself or on the
/// first component filter below it.
fn time_window(filter: &Filter) -> Option<(i64, i64)> {
    filter
        .root
        .time_range
        .or_else(|| {
            filter
                .root
                .comp_filters
                .iter()
                .filter(|c| !c.is_not_defined)
                .find_map(|c| c.time_range)
        })
        .map(|tr| tr.bounds())
}

/// RFC 4791 §9.7.1 puts time-range and prop-filter on a component below VCALENDAR, but
/// clients also put them on VCALENDAR itself, meaning "any component". That form is read
/// as the same conditions on the object's own component type.
fn lowered(filter: &Filter, component: &str) -> Option<Filter> {
    let root = &filter.root;
    if root.time_range.is_none() && root.prop_filters.is_empty() {
        return None;
    }
    let mut lowered = filter.clone();
    lowered.root.comp_filters.push(CompFilter {
        name: component.to_string(),
        is_not_defined: false,
        time_range: lowered.root.time_range.take(),
        prop_filters: std::mem::take(&mut lowered.root.prop_filters),
        comp_filters: Vec::new(),
    });
    Some(lowered)
}

/// The zone floating times are read in: the query's `<C:timezone>` or `<C:timezone-id>`
/// (RFC 4791 §9.8, RFC 7809), when it names a known IANA zone.
fn floating_zone(q: &CalendarQuery) -> Option<chrono_tz::Tz> {
    if let Some(id) = &q.timezone_id {
        return id.parse().ok();
    }
    let text = q.timezone.as_deref()?;
    let line = text.lines().find_map(|l| {
        l.trim()
            .strip_prefix("TZID:")
            .or_else(|| l.trim().strip_prefix("TZID="))
    })?;
    line.trim().parse().ok()
}
