//! `/e/{code}`: an event's public page. GET shows it (time in its own zone and the
//! viewer's, place, description) with an address form; POST sends the invitation.
//! A cancelled event is shown as cancelled and not offered.

use super::invite::{Target, resolve};
use super::view::{deliver, form_page, prefill};
use super::{PageRequest, not_found};
use crate::app::App;
use crate::http::Body;
use http::{Method, Response};

pub async fn handle(app: &App, r: &PageRequest, code: &str) -> Response<Body> {
    let event = match resolve(app, code).await {
        Ok(Some(Target::Event(e))) => e,
        Ok(_) => return not_found(app, r.lang),
        Err(resp) => return resp,
    };
    if r.method == Method::POST {
        return deliver(app, r, &[event], r.field("email").unwrap_or(""), None, r.lang).await;
    }
    let target = Target::Event(event);
    form_page(app, r, &target, &prefill(r.query("email"))).await
}
