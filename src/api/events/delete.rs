//! `DELETE /api/v1/events/{uid}`: a CalDAV DELETE of the event's object; the lifecycle
//! marks it cancelled and sends every recipient a CANCEL (RFC 5546 §3.2.5).

use super::find_live_event;
use super::write::{self, WriteError};
use crate::api::problem::problem;
use crate::app::App;
use crate::http::{Body, full};
use calinvite_storage::Principal;
use http::{Response, StatusCode};

pub async fn handle(app: &App, principal: &Principal, uid: &str) -> Response<Body> {
    let event = match find_live_event(app, principal, uid).await {
        Ok(e) => e,
        Err(resp) => return resp,
    };
    match write::delete(app, principal, &event).await {
        Ok(()) => {
            tracing::info!(uid, "event deleted through the API");
            let mut resp = Response::new(full(""));
            *resp.status_mut() = StatusCode::NO_CONTENT;
            resp
        }
        Err(WriteError::Response(r)) => r,
        Err(WriteError::Refused { status, reason }) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "calendar-refused",
            format!("event {uid} was not deleted ({status}): {reason}"),
        ),
    }
}
