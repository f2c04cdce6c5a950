//! `/i/{code}`: campaign links for an event or a group.
//!
//! - Signed, one per recipient (`?e=EMAIL&n=NAME&l=LANG&s=SIG`, made by
//!   `POST /api/v1/links`): the GET answers a page that posts itself on load (a button
//!   if scripts are off); the POST checks the signature again and sends. A scanner that
//!   only fetches the link sends nothing.
//! - With a merge tag (`?email=*|EMAIL|*` and the like): a confirmation page with the
//!   address filled in and editable; one click sends. A tag the platform did not fill in
//!   leaves the field empty, never taken for an address.

use super::view::{deliver, form_page, group_events, prefill};
use super::{PageRequest, message, not_found, render, sign, store_trouble};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{EventRecord, PrincipalId};
use http::{Method, Response, StatusCode};
use serde_json::json;

/// What a code names.
pub enum Target {
    Event(EventRecord),
    Group { name: String, events: Vec<EventRecord> },
}

impl Target {
    pub fn events(&self) -> Vec<EventRecord> {
        match self {
            Target::Event(e) => vec![e.clone()],
            Target::Group { events, .. } => events.clone(),
        }
    }

    fn many(&self) -> bool {
        matches!(self, Target::Group { .. })
    }
}

/// The event or group a code names; `Ok(None)` when none (or a forged group code).
pub async fn resolve(app: &App, code: &str) -> Result<Option<Target>, Response<Body>> {
    if sign::is_group_code(code) {
        let signer = match app.pages.key.get() {
            Ok(s) => s,
            Err(e) => return Err(store_trouble(app, "en", e)),
        };
        let Some((owner, name)) = signer.parse_group_code(code) else {
            return Ok(None);
        };
        let owner = PrincipalId(owner);
        let events = group_events(app, owner, &name)
            .await
            .map_err(|e| store_trouble(app, "en", e))?;
        if events.is_empty() {
            return Ok(None);
        }
        return Ok(Some(Target::Group { name, events }));
    }
    match app.store.event_by_code(code).await {
        Ok(e) => Ok(e.map(Target::Event)),
        Err(e) => Err(store_trouble(app, "en", e)),
    }
}

pub async fn handle(app: &App, r: &PageRequest, code: &str) -> Response<Body> {
    let target = match resolve(app, code).await {
        Ok(Some(t)) => t,
        Ok(None) => return not_found(app, r.lang),
        Err(resp) => return resp,
    };
    let signed = match r.method {
        Method::POST => r.field("s").is_some(),
        _ => r.query("s").is_some(),
    };
    if !signed {
        return match r.method {
            Method::POST => {
                let picked = super::group::picked(r, &target);
                deliver(app, r, &picked, r.field("email").unwrap_or(""), None, r.lang).await
            }
            _ => {
                let email = prefill(r.query("email").or(r.query("e")));
                form_page(app, r, &target, &email).await
            }
        };
    }
    let get = |k: &str| match r.method {
        Method::POST => r.field(k).unwrap_or("").to_string(),
        _ => r.query(k).unwrap_or("").to_string(),
    };
    let (e, n, l, s) = (get("e"), get("n"), get("l"), get("s"));
    let signer = match app.pages.key.get() {
        Ok(k) => k,
        Err(err) => return store_trouble(app, r.lang, err),
    };
    // The language the link names wins over the browser's.
    let lang = if l.is_empty() {
        r.lang
    } else {
        super::text::negotiate(Some(&l), None)
    };
    if !signer.verify_invite(code, &e, &n, &l, &s) {
        tracing::info!(code, ip = %r.ip, "invite link refused: bad signature");
        return message(
            app,
            lang,
            StatusCode::FORBIDDEN,
            "refused",
            "invalid_title",
            "invalid_link",
        );
    }
    match r.method {
        Method::POST => {
            let name = crate::api::display_name(Some(&n));
            let lang_tag = if l.is_empty() {
                lang
            } else {
                super::text::negotiate(Some(&l), None)
            };
            deliver(app, r, &target.events(), &e, name, lang_tag).await
        }
        _ => render(
            app,
            lang,
            StatusCode::OK,
            "autopost.html",
            json!({
                "title": super::text::texts(lang)["get_title"],
                "action": r.path,
                "e": e, "n": n, "l": l, "s": s,
                "many": target.many(),
            }),
        ),
    }
}
