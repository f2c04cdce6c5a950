//! The REST API (`/api/v1/...`): JSON in and out, API key (Bearer) or Basic auth, errors
//! as RFC 9457 problem details. A principal only ever sees its own events and batches:
//! anything else is 404, so nothing leaks. Server-wide data (the inbound log, the
//! suppression list) is for domain owners (admin) only: 403 for anyone else.
//!
//! [`ROUTES`] is the one list of operations: the dispatcher matches requests against it
//! and the OpenAPI document (`GET /api/v1/openapi.json`) is built from it, so the two
//! cannot drift apart. Adding an endpoint is adding one entry.

mod address;
mod events;
mod inbound;
mod invitations;
mod links;
mod me;
pub mod openapi;
mod page;
mod pending;
mod problem;
mod recipients;
mod route;
mod suppressions;
mod webhooks;

pub(crate) use address::{display_name, normalize as normalize_address};

use crate::app::App;
use crate::http::Body;
use bytes::Bytes;
use calinvite_storage::{Principal, Role};
use http::{HeaderValue, Request, Response, StatusCode, header};
use route::Access::{Admin, Principal as Anyone, Public};
use route::Verb::{Delete, Get, Patch, Post};
use route::{Answer, Cx, Handler, JSON, Kind, Param, Route, paging};

/// The prefix every route path is below.
pub const PREFIX: &str = "/api/v1";

/// An authenticated handler: `h!(|cx| expression producing a future's output)`.
macro_rules! h {
    (|$cx:ident| $body:expr) => {
        Handler::Authed(|$cx| Box::pin(async move { $body }))
    };
}

#[rustfmt::skip]
const EVENT_QUERY: &[Param] = &[
    Param { name: "calendar", kind: Kind::Text, about: "Only events of this calendar (its path, e.g. `default`)." },
    Param { name: "group", kind: Kind::Text, about: "Only events in this group." },
    Param { name: "from", kind: Kind::Text, about: "Only events starting at or after this date or RFC 3339 time." },
    Param { name: "to", kind: Kind::Text, about: "Only events starting before this date or RFC 3339 time." },
    paging(1000)[0],
    paging(1000)[1],
];
#[rustfmt::skip]
const CREATE_QUERY: &[Param] = &[
    Param { name: "calendar", kind: Kind::Text, about: "The calendar to write to (default: `default`)." },
    Param { name: "group", kind: Kind::Text, about: "A group to put the events in (repeatable)." },
];
#[rustfmt::skip]
const RECIPIENT_QUERY: &[Param] = &[
    Param { name: "status", kind: Kind::OneOf(&["NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED"]), about: "Only recipients with this answer." },
    paging(500)[0],
    paging(500)[1],
];
#[rustfmt::skip]
const INBOUND_QUERY: &[Param] = &[
    Param { name: "outcome", kind: Kind::OneOf(&["received", "applied", "ignored", "quarantined"]), about: "Only messages with this outcome." },
    Param { name: "source", kind: Kind::Text, about: "Only messages that came this way (`lmtp`, `imap`, `webhook`)." },
    paging(500)[0],
    paging(500)[1],
];
const RAW_QUERY: &[Param] = &[Param {
    name: "raw",
    kind: Kind::Flag,
    about: "`1`: the kept message itself, byte for byte, as message/rfc822.",
}];
const PAGE_100: &[Param] = &paging(100);
const PAGE_500: &[Param] = &paging(500);

/// Every operation of the API, one line each. Errors every operation can give are added by
/// [`openapi::document`]; `responses` lists the successes and the particular errors.
#[rustfmt::skip]
pub static ROUTES: &[Route] = &[
    Route { verb: Get, path: "/openapi.json", id: "getOpenApi", summary: "This API's OpenAPI 3.1 description", access: Public, query: &[], request: &[], responses: &[Answer(200, JSON, "")], handler: Handler::Public(openapi::serve) },
    Route { verb: Get, path: "/me", id: "getMe", summary: "Who the credentials belong to", access: Anyone, query: &[], request: &[], responses: &[Answer(200, JSON, "Me")], handler: h!(|cx| me::get(cx.principal)) },
    Route { verb: Post, path: "/events", id: "createEvents", summary: "Create one event (JSON) or import a calendar file (text/calendar)", access: Anyone, query: CREATE_QUERY, request: &[(JSON, "NewEvent"), ("text/calendar", "ICalendar")], responses: &[Answer(201, JSON, "EventsWritten"), Answer(409, "", ""), Answer(415, "", ""), Answer(422, "", "")], handler: h!(|cx| events::create::handle(cx.app, cx.principal, cx.headers, cx.query, cx.body).await) },
    Route { verb: Get, path: "/events", id: "listEvents", summary: "The principal's events, filtered, a page at a time", access: Anyone, query: EVENT_QUERY, request: &[], responses: &[Answer(200, JSON, "EventSummaryPage")], handler: h!(|cx| events::list::events(cx.app, cx.principal, cx.query).await) },
    Route { verb: Get, path: "/events/{uid}", id: "getEvent", summary: "One event (JSON, or its iCalendar object with Accept: text/calendar)", access: Anyone, query: &[], request: &[], responses: &[Answer(200, JSON, "Event"), Answer(200, "text/calendar", "ICalendar"), Answer(410, "", "")], handler: h!(|cx| events::show::handle(cx.app, cx.principal, &cx.params[0], cx.headers).await) },
    Route { verb: Patch, path: "/events/{uid}", id: "patchEvent", summary: "Edit an event (JSON merge patch); recipients are told when it matters", access: Anyone, query: &[], request: &[(JSON, "EventPatch"), ("application/merge-patch+json", "EventPatch")], responses: &[Answer(200, JSON, "Event"), Answer(409, "", ""), Answer(410, "", ""), Answer(422, "", "")], handler: h!(|cx| events::patch::handle(cx.app, cx.principal, &cx.params[0], cx.headers, cx.body).await) },
    Route { verb: Delete, path: "/events/{uid}", id: "deleteEvent", summary: "Delete an event; recipients get a cancellation", access: Anyone, query: &[], request: &[], responses: &[Answer(204, "", ""), Answer(410, "", ""), Answer(422, "", "")], handler: h!(|cx| events::delete::handle(cx.app, cx.principal, &cx.params[0]).await) },
    Route { verb: Get, path: "/events/{uid}/stats", id: "getEventStats", summary: "Answer and delivery counts of an event", access: Anyone, query: &[], request: &[], responses: &[Answer(200, JSON, "Stats")], handler: h!(|cx| events::stats::event(cx.app, cx.principal, &cx.params[0]).await) },
    Route { verb: Get, path: "/events/{uid}/recipients.csv", id: "getRecipientsCsv", summary: "An event's recipients and answers as CSV", access: Anyone, query: &[], request: &[], responses: &[Answer(200, "text/csv", "Csv")], handler: h!(|cx| events::csv::handle(cx.app, cx.principal, &cx.params[0]).await) },
    Route { verb: Get, path: "/events/{uid}/recipients", id: "listRecipients", summary: "An event's recipients with their answers and history", access: Anyone, query: RECIPIENT_QUERY, request: &[], responses: &[Answer(200, JSON, "RecipientPage")], handler: h!(|cx| recipients::list(cx.app, cx.principal, &cx.params[0], cx.query).await) },
    Route { verb: Post, path: "/events/{uid}/invitations", id: "inviteRecipients", summary: "Invite recipients to an event", access: Anyone, query: &[], request: &[(JSON, "InvitationRequest")], responses: &[Answer(202, JSON, "InvitationAccepted"), Answer(409, "", ""), Answer(413, "", "")], handler: h!(|cx| invitations::create(cx.app, cx.principal, &cx.params[0], cx.body).await) },
    Route { verb: Get, path: "/groups", id: "listGroups", summary: "The principal's groups with event counts", access: Anyone, query: PAGE_500, request: &[], responses: &[Answer(200, JSON, "GroupPage")], handler: h!(|cx| events::list::groups(cx.app, cx.principal, cx.query).await) },
    Route { verb: Get, path: "/groups/{name}/stats", id: "getGroupStats", summary: "Answer and delivery counts over a group's events", access: Anyone, query: &[], request: &[], responses: &[Answer(200, JSON, "GroupStats")], handler: h!(|cx| events::stats::group(cx.app, cx.principal, &cx.params[0]).await) },
    Route { verb: Post, path: "/groups/{name}/invitations", id: "inviteRecipientsToGroup", summary: "Invite recipients to every event of a group", access: Anyone, query: &[], request: &[(JSON, "InvitationRequest")], responses: &[Answer(202, JSON, "GroupInvitationAccepted"), Answer(413, "", "")], handler: h!(|cx| invitations::create_for_group(cx.app, cx.principal, &cx.params[0], cx.body).await) },
    Route { verb: Post, path: "/links", id: "createLinks", summary: "Signed per-recipient invite links for an event or group (JSON or CSV)", access: Anyone, query: &[], request: &[(JSON, "LinksRequest")], responses: &[Answer(200, JSON, "Links"), Answer(200, "text/csv", "Csv"), Answer(409, "", ""), Answer(413, "", "")], handler: h!(|cx| links::create(cx.app, cx.principal, cx.body).await) },
    Route { verb: Get, path: "/batches/{id}", id: "getBatch", summary: "Progress of an invitation batch", access: Anyone, query: &[], request: &[], responses: &[Answer(200, JSON, "BatchProgress")], handler: h!(|cx| invitations::progress(cx.app, cx.principal, &cx.params[0]).await) },
    Route { verb: Post, path: "/inbound", id: "receiveInbound", summary: "Receive a raw RFC 5322 message (mail provider webhook)", access: Admin, query: &[], request: &[("message/rfc822", "RawMessage")], responses: &[Answer(200, JSON, "InboundReceived")], handler: h!(|cx| inbound::receive(cx.app, cx.body.clone()).await) },
    Route { verb: Get, path: "/inbound", id: "listInbound", summary: "The inbound log, newest first", access: Admin, query: INBOUND_QUERY, request: &[], responses: &[Answer(200, JSON, "InboundMessagePage")], handler: h!(|cx| inbound::list(cx.app, cx.query).await) },
    Route { verb: Get, path: "/inbound/{id}", id: "getInbound", summary: "One inbound message: metadata and outcome, or the kept message with ?raw=1", access: Admin, query: RAW_QUERY, request: &[], responses: &[Answer(200, JSON, "InboundMessage"), Answer(200, "message/rfc822", "RawMessage")], handler: h!(|cx| inbound::show(cx.app, &cx.params[0], cx.query).await) },
    Route { verb: Post, path: "/inbound/{id}/retry", id: "retryInbound", summary: "Process a kept message again (after a fix) and record the new outcome", access: Admin, query: &[], request: &[], responses: &[Answer(200, JSON, "InboundMessage")], handler: h!(|cx| inbound::retry(cx.app, &cx.params[0]).await) },
    Route { verb: Get, path: "/suppressions", id: "listSuppressions", summary: "The suppression list, by address", access: Admin, query: PAGE_500, request: &[], responses: &[Answer(200, JSON, "SuppressionPage")], handler: h!(|cx| suppressions::list(cx.app, cx.query).await) },
    Route { verb: Post, path: "/suppressions", id: "addSuppression", summary: "Suppress an address: it is never invited again", access: Admin, query: &[], request: &[(JSON, "NewSuppression")], responses: &[Answer(201, JSON, "Suppression"), Answer(200, JSON, "Suppression")], handler: h!(|cx| suppressions::add(cx.app, cx.body).await) },
    Route { verb: Delete, path: "/suppressions/{email}", id: "removeSuppression", summary: "Take an address off the suppression list", access: Admin, query: &[], request: &[], responses: &[Answer(204, "", "")], handler: h!(|cx| suppressions::remove(cx.app, &cx.params[0]).await) },
    Route { verb: Get, path: "/pending", id: "listPending", summary: "Held updates and cancellations awaiting approval", access: Anyone, query: PAGE_100, request: &[], responses: &[Answer(200, JSON, "PendingChangePage")], handler: h!(|cx| pending::list(cx.app, cx.principal, cx.query).await) },
    Route { verb: Post, path: "/pending/{id}/approve", id: "approvePending", summary: "Send a held change", access: Anyone, query: &[], request: &[], responses: &[Answer(200, JSON, "PendingApproved")], handler: h!(|cx| pending::approve(cx.app, cx.principal, &cx.params[0]).await) },
    Route { verb: Post, path: "/pending/{id}/discard", id: "discardPending", summary: "Drop a held change without telling anyone", access: Anyone, query: &[], request: &[], responses: &[Answer(200, JSON, "PendingDiscarded")], handler: h!(|cx| pending::discard(cx.app, cx.principal, &cx.params[0]).await) },
    Route { verb: Post, path: "/webhooks", id: "createWebhook", summary: "Subscribe a URL to event types (the answer holds the signing secret, once)", access: Anyone, query: &[], request: &[(JSON, "NewWebhook")], responses: &[Answer(201, JSON, "WebhookCreated")], handler: h!(|cx| webhooks::create(cx.app, cx.principal, cx.body).await) },
    Route { verb: Get, path: "/webhooks", id: "listWebhooks", summary: "The principal's webhooks", access: Anyone, query: PAGE_100, request: &[], responses: &[Answer(200, JSON, "WebhookPage")], handler: h!(|cx| webhooks::list(cx.app, cx.principal, cx.query).await) },
    Route { verb: Get, path: "/webhooks/{id}", id: "getWebhook", summary: "One webhook", access: Anyone, query: &[], request: &[], responses: &[Answer(200, JSON, "Webhook")], handler: h!(|cx| webhooks::get(cx.app, cx.principal, &cx.params[0]).await) },
    Route { verb: Delete, path: "/webhooks/{id}", id: "deleteWebhook", summary: "Remove a webhook", access: Anyone, query: &[], request: &[], responses: &[Answer(204, "", "")], handler: h!(|cx| webhooks::delete(cx.app, cx.principal, &cx.params[0]).await) },
    Route { verb: Get, path: "/webhooks/{id}/deliveries", id: "listDeliveries", summary: "A webhook's delivery log, newest first", access: Anyone, query: PAGE_100, request: &[], responses: &[Answer(200, JSON, "DeliveryPage")], handler: h!(|cx| webhooks::deliveries(cx.app, cx.principal, &cx.params[0], cx.query).await) },
];

/// The route for a request path below `/api/v1` and method, with its path parameters;
/// `Err` with the methods the path allows when only the method is wrong.
fn find(method: &http::Method, rel: &str) -> Result<(&'static Route, Vec<String>), Vec<&'static str>> {
    let mut allowed = Vec::new();
    for r in ROUTES {
        if let Some(params) = route::matches(r.path, rel) {
            if r.verb.method() == *method {
                return Ok((r, params));
            }
            allowed.push(r.verb.upper());
        }
    }
    Err(allowed)
}

/// Answers a request that needs no credentials (the API description), before the router
/// asks for any; `None` for every other request.
pub fn public(method: &http::Method, path: &str) -> Option<Response<Body>> {
    let rel = path.strip_prefix(PREFIX)?;
    match find(method, rel) {
        Ok((
            Route {
                handler: Handler::Public(f),
                ..
            },
            _,
        )) => Some(f()),
        _ => None,
    }
}

pub async fn handle(app: &App, principal: Principal, req: Request<Bytes>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    let Some(rel) = path.strip_prefix(PREFIX).filter(|r| r.starts_with('/')) else {
        return problem::problem(
            StatusCode::NOT_FOUND,
            "no-such-endpoint",
            "the API lives under /api/v1/",
        );
    };
    let (route, params) = match find(&parts.method, rel) {
        Ok(found) => found,
        Err(allowed) if allowed.is_empty() => {
            return problem::problem(
                StatusCode::NOT_FOUND,
                "no-such-endpoint",
                format!("{} {path} is not an API endpoint", parts.method),
            );
        }
        Err(allowed) => {
            let mut resp = problem::problem(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                format!("{path} answers {} only", allowed.join(", ")),
            );
            if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
                resp.headers_mut().insert(header::ALLOW, v);
            }
            return resp;
        }
    };
    if route.access == Admin && principal.role != Role::Admin {
        return problem::problem(
            StatusCode::FORBIDDEN,
            "admin-only",
            format!(
                "{} {path} is server-wide: only a domain owner (admin) may use it",
                parts.method
            ),
        );
    }
    match &route.handler {
        Handler::Public(f) => f(),
        Handler::Authed(f) => {
            let cx = Cx {
                app,
                principal: &principal,
                params,
                query: parts.uri.query(),
                headers: &parts.headers,
                body: &body,
            };
            f(cx).await
        }
    }
}

pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let mut resp = Response::new(crate::http::full(value.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    resp
}
