//! What the pages show of events, and the one send step behind every form.

use super::{PageRequest, message_with, render, store_trouble};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{EventRecord, NewRecipient, PrincipalId, StoreError};
use http::{Response, StatusCode};
use serde_json::{Value, json};

/// An event as a page shows it: the time in the event's own zone (the viewer's zone is
/// added in the browser), and whether it is cancelled.
pub async fn event_view(app: &App, event: &EventRecord) -> Result<Value, StoreError> {
    let object = if event.cancelled {
        None
    } else {
        app.store.object(event.collection, &event.object_name).await?
    };
    let facts = object.and_then(|o| calinvite_imip::imip::event_summary(&o.body).ok());
    let iso = |ts: i64| {
        chrono::DateTime::from_timestamp(ts, 0)
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    let summary = facts
        .as_ref()
        .and_then(|f| f.summary.clone())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| event.summary.clone());
    let Some(f) = facts else {
        return Ok(json!({
            "code": event.public_code,
            "summary": summary,
            "when": event.start.map(|s| format_in(s, None, false)).unwrap_or_default(),
            "start_iso": "",
            "cancelled": event.cancelled,
        }));
    };
    let tz = f.tz.as_deref().and_then(|t| t.parse::<chrono_tz::Tz>().ok());
    let when = if f.all_day {
        format_in(f.start, None, true)
    } else {
        let start = format_in(f.start, tz, false);
        let end_same_day = match tz {
            Some(z) => {
                chrono::DateTime::from_timestamp(f.end, 0).map(|d| d.with_timezone(&z).format("%H:%M").to_string())
            }
            None => chrono::DateTime::from_timestamp(f.end, 0).map(|d| d.format("%H:%M").to_string()),
        };
        let zone = tz.map(|z| z.name().to_string()).unwrap_or_else(|| "UTC".into());
        match end_same_day {
            Some(end) if f.end > f.start && f.end - f.start < 86_400 => format!("{start} – {end} ({zone})"),
            _ => format!("{start} ({zone})"),
        }
    };
    Ok(json!({
        "code": event.public_code,
        "summary": summary,
        "when": when,
        "start_iso": if f.all_day { String::new() } else { iso(f.start) },
        "end_iso": iso(f.end),
        "tz": tz.map(|z| z.name().to_string()).unwrap_or_else(|| "UTC".into()),
        "location": f.location,
        "description": f.description,
        "cancelled": event.cancelled,
    }))
}

fn format_in(ts: i64, tz: Option<chrono_tz::Tz>, date_only: bool) -> String {
    let Some(utc) = chrono::DateTime::from_timestamp(ts, 0) else {
        return String::new();
    };
    let pattern = if date_only { "%Y-%m-%d" } else { "%Y-%m-%d %H:%M" };
    match tz {
        Some(z) => utc.with_timezone(&z).format(pattern).to_string(),
        None => utc.format(pattern).to_string(),
    }
}

/// Every event of an owner's group, by start.
pub async fn group_events(app: &App, owner: PrincipalId, group: &str) -> Result<Vec<EventRecord>, StoreError> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = app.store.list_events(owner, cursor.as_deref(), 500).await?;
        out.extend(page.items.into_iter().filter(|e| e.groups.iter().any(|g| g == group)));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    out.sort_by_key(|e| (e.start.unwrap_or(i64::MAX), e.id));
    Ok(out)
}

/// Whether a value is an email platform's merge tag that was never filled in
/// (`*|EMAIL|*`, `{{ contact.EMAIL }}`, `%%emailaddr%%`, `[email]`, `$email`, ...).
pub fn looks_like_merge_tag(value: &str) -> bool {
    ["*|", "|*", "{{", "}}", "{%", "%%", "[", "]", "$", "<", ">"]
        .iter()
        .any(|m| value.contains(m))
}

/// The address to prefill in a form: only a real address, never a raw merge tag.
pub fn prefill(raw: Option<&str>) -> String {
    match raw {
        Some(v) if !looks_like_merge_tag(v) => crate::api::normalize_address(v).unwrap_or_default(),
        _ => String::new(),
    }
}

/// Sends `events` to one address (the Send API's path) and says what happened: first
/// send, already sent, or refused. The address is checked and rate-limited first.
pub async fn deliver(
    app: &App,
    r: &PageRequest,
    events: &[EventRecord],
    raw_email: &str,
    name: Option<String>,
    lang: &str,
) -> Response<Body> {
    let Ok(email) = crate::api::normalize_address(raw_email) else {
        return message_with(
            app,
            lang,
            StatusCode::BAD_REQUEST,
            "bad-address",
            "get_title",
            "bad_address",
            json!({ "back": r.path }),
        );
    };
    let live: Vec<&EventRecord> = events.iter().filter(|e| !e.cancelled).collect();
    if live.is_empty() {
        let key = if events.is_empty() {
            "nothing_chosen"
        } else {
            "nothing_left"
        };
        return message_with(
            app,
            lang,
            StatusCode::BAD_REQUEST,
            "nothing",
            "get_title",
            key,
            json!({ "back": r.path }),
        );
    }
    if !app.pages.allow_send(r.ip, &email) {
        tracing::info!(ip = %r.ip, recipient = %email, "page send refused: rate limit");
        return message_with(
            app,
            lang,
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "too_many_title",
            "too_many",
            json!({}),
        );
    }
    let (mut queued, mut already, mut suppressed) = (0u64, 0u64, 0u64);
    let mut sent_items = Vec::new();
    for event in &live {
        let recipient = NewRecipient {
            email: email.clone(),
            name: name.clone(),
            lang: Some(lang.to_string()),
        };
        match crate::outbound::invite::queue_invitations(app, event, None, vec![recipient]).await {
            Ok(o) => {
                queued += o.batch.queued;
                already += o.batch.already_invited;
                suppressed += o.batch.suppressed;
                if o.batch.queued > 0 {
                    sent_items.push(event.summary.clone());
                }
            }
            Err(e) => return store_trouble(app, lang, e),
        }
    }
    tracing::info!(recipient = %email, events = live.len(), queued, already, suppressed, "page send");
    let (outcome, text_key) = if queued > 0 {
        ("sent", if live.len() > 1 { "sent_many" } else { "sent" })
    } else if already > 0 {
        ("already", "already")
    } else {
        ("refused", "bad_address")
    };
    message_with(
        app,
        lang,
        StatusCode::OK,
        outcome,
        "get_title",
        text_key,
        json!({
            "email": if outcome == "sent" { email.clone() } else { String::new() },
            "items": sent_items,
        }),
    )
}

/// Renders the form page for one event or a group, `email` prefilled.
pub async fn form_page(app: &App, r: &PageRequest, target: &super::invite::Target, email: &str) -> Response<Body> {
    match target {
        super::invite::Target::Event(event) => match event_view(app, event).await {
            Ok(ev) => {
                let status = if event.cancelled {
                    StatusCode::GONE
                } else {
                    StatusCode::OK
                };
                render(
                    app,
                    r.lang,
                    status,
                    "event.html",
                    json!({ "title": ev["summary"], "ev": ev, "action": r.path, "email": email }),
                )
            }
            Err(e) => store_trouble(app, r.lang, e),
        },
        super::invite::Target::Group { name, events, .. } => {
            let mut views = Vec::with_capacity(events.len());
            for e in events {
                match event_view(app, e).await {
                    Ok(v) => views.push(v),
                    Err(e) => return store_trouble(app, r.lang, e),
                }
            }
            let live = events.iter().filter(|e| !e.cancelled).count();
            render(
                app,
                r.lang,
                StatusCode::OK,
                "group.html",
                json!({ "title": name, "group": name, "events": views, "live": live, "action": r.path, "email": email }),
            )
        }
    }
}
