//! `/r/{token}?a=accepted|declined|tentative`: answering an invitation from the web, for
//! mail clients without native Yes / No / Maybe buttons.
//!
//! The token is the recipient's own 192-bit random secret (the one in the unsubscribe
//! link), so it is a capability by itself: no signature is added. The GET shows the
//! choice preselected with a button, since scanners fetch links; only the POST records,
//! through the same step as an emailed REPLY (history with source `web`, the
//! `rsvp.changed` webhook, the organizer's copy).

use super::view::event_view;
use super::{PageRequest, message, message_with, not_found, render, store_trouble};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{PartStat, RsvpEntry, RsvpOutcome};
use http::{Method, Response, StatusCode};
use serde_json::json;

const ANSWERS: [(&str, PartStat); 3] = [
    ("accepted", PartStat::Accepted),
    ("declined", PartStat::Declined),
    ("tentative", PartStat::Tentative),
];

pub async fn handle(app: &App, r: &PageRequest, token: &str) -> Response<Body> {
    let recipient = match app.store.recipient_by_token(token).await {
        Ok(Some(rec)) => rec,
        Ok(None) => return not_found(app, r.lang),
        Err(e) => return store_trouble(app, r.lang, e),
    };
    // The recipient's own language, unless the page asks for another.
    let lang = match (r.query("lang"), recipient.lang.as_deref()) {
        (None, Some(l)) => super::text::negotiate(Some(l), None),
        _ => r.lang,
    };
    let event = match app.store.event(recipient.event).await {
        Ok(Some(e)) => e,
        Ok(None) => return not_found(app, lang),
        Err(e) => return store_trouble(app, lang, e),
    };
    let ev = match event_view(app, &event).await {
        Ok(v) => v,
        Err(e) => return store_trouble(app, lang, e),
    };
    if event.cancelled {
        return render(
            app,
            lang,
            StatusCode::GONE,
            "message.html",
            json!({
                "title": ev["summary"], "text": super::text::texts(lang)["event_cancelled"],
                "outcome": "cancelled", "error": true,
            }),
        );
    }
    let t = super::text::texts(lang);
    if r.method != Method::POST {
        let chosen = r
            .query("a")
            .map(str::to_ascii_lowercase)
            .filter(|a| ANSWERS.iter().any(|(k, _)| k == a))
            .unwrap_or_default();
        let answers: Vec<_> = ANSWERS
            .iter()
            .map(|(k, _)| json!({ "value": k, "label": t[*k] }))
            .collect();
        return render(
            app,
            lang,
            StatusCode::OK,
            "rsvp.html",
            json!({ "title": ev["summary"], "ev": ev, "answers": answers, "chosen": chosen, "action": r.path }),
        );
    }
    let answer = r.field("a").unwrap_or("").to_ascii_lowercase();
    let Some((key, partstat)) = ANSWERS.iter().find(|(k, _)| *k == answer) else {
        return message(
            app,
            lang,
            StatusCode::BAD_REQUEST,
            "bad-answer",
            "answer_title",
            "answer_title",
        );
    };
    let now = calinvite_storage::now();
    let entry = RsvpEntry {
        partstat: *partstat,
        recorded_at: now,
        // The answer is to the version the server holds now.
        sequence: event.sequence,
        dtstamp: now,
        recurrence_id: None,
        message_id: None,
        comment: None,
        source: "web".into(),
    };
    match crate::inbound::pipeline::record_answer(app, &event, &recipient.email, entry, None).await {
        Ok(outcome) => {
            let applied = matches!(outcome, RsvpOutcome::Applied { .. });
            tracing::info!(uid = %event.uid, recipient = %recipient.email, answer = key, applied, "web answer");
            message_with(
                app,
                lang,
                StatusCode::OK,
                "recorded",
                "answer_title",
                "recorded",
                json!({ "items": [format!("{}: {}", ev["summary"].as_str().unwrap_or(""), t[*key].as_str().unwrap_or(key))] }),
            )
        }
        Err(e) => store_trouble(app, lang, e),
    }
}
