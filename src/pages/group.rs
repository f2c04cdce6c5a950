//! `/g/{code}`: a group's public page (a team's season): its events by date, cancelled
//! ones shown as such; POST sends every ticked event to the address in one step.

use super::invite::{Target, resolve};
use super::view::{deliver, form_page, prefill};
use super::{PageRequest, not_found};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::EventRecord;
use http::{Method, Response};

pub async fn handle(app: &App, r: &PageRequest, code: &str) -> Response<Body> {
    let target = match resolve(app, code).await {
        Ok(Some(t @ Target::Group { .. })) => t,
        Ok(_) => return not_found(app, r.lang),
        Err(resp) => return resp,
    };
    if r.method == Method::POST {
        let events = picked(r, &target);
        return deliver(app, r, &events, r.field("email").unwrap_or(""), None, r.lang).await;
    }
    form_page(app, r, &target, &prefill(r.query("email"))).await
}

/// The events a form chose: for a group, those ticked (by code) that belong to it; for
/// one event, that event.
pub fn picked(r: &PageRequest, target: &Target) -> Vec<EventRecord> {
    match target {
        Target::Event(e) => vec![e.clone()],
        Target::Group { events, .. } => {
            let chosen: Vec<&str> = r.fields("pick").collect();
            events
                .iter()
                .filter(|e| chosen.contains(&e.public_code.as_str()))
                .cloned()
                .collect()
        }
    }
}
