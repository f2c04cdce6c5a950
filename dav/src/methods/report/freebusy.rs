//! free-busy-query (RFC 4791 §7.10): the busy time of a calendar in a range, as a
//! VFREEBUSY, from the objects the time index says overlap.

use super::calendar_of;
use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::methods::with_body;
use crate::resource::Resource;
use crate::xml::request::report::FreeBusyQuery;
use bytes::Bytes;
use calinvite_imip::ical::{CalendarObject, freebusy_calendar};
use http::{Response, StatusCode};

pub async fn handle(ctx: &DavContext, resource: &Resource, q: &FreeBusyQuery) -> DavResult<Response<Bytes>> {
    let calendar = calendar_of(resource)?;
    let (start, end) = match (q.range.start, q.range.end) {
        (Some(s), Some(e)) if s < e => (s, e),
        _ => {
            return Err(DavError::bad_request(
                "free-busy-query needs a time-range with start before end",
            ));
        }
    };
    let mut periods = Vec::new();
    for object in ctx.store.objects_in_range(calendar.id, start, end).await? {
        match CalendarObject::parse(&object.body, &ctx.limits) {
            Ok(parsed) => match parsed.busy_periods(start, end, &ctx.limits, None) {
                Ok(p) => periods.extend(p),
                Err(e) => tracing::warn!(object = %object.meta.name, error = %e, "busy time not computed"),
            },
            Err(e) => tracing::warn!(object = %object.meta.name, error = %e, "stored object does not parse"),
        }
    }
    let body = freebusy_calendar(&periods, start, end, calinvite_storage::now());
    Ok(with_body(StatusCode::OK, "text/calendar; charset=utf-8", body))
}
