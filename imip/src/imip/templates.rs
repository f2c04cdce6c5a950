//! The invitation's subject and bodies, rendered with minijinja from built-in templates
//! or a calendar's own.
//!
//! The built-in texts say what every guest needs (title, time in the event's zone and in
//! UTC, place, organizer) and point to the calendar's RSVP buttons, in the recipient's
//! language. HTML templates auto-escape everything the organizer wrote, so a SUMMARY with
//! `<script>` arrives as text. Calendar templates run with a fuel limit: a template is
//! data from a user, and one with a runaway loop must fail, not hang the sender.

use super::Method;
use super::error::TemplateError;
use super::facts::EventFacts;
use super::frame::utc_naive;
use super::labels::{Labels, for_lang};
use crate::ical::tz::Zone;
use chrono::{Duration, NaiveDateTime};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::{Value, json};

const SUBJECT: &str = "subject.txt";
const TEXT: &str = "body.txt";
const HTML: &str = "body.html";

/// Enough for any reasonable invitation (the defaults use a few hundred).
const FUEL: u64 = 200_000;

const DEFAULT_SUBJECT: &str =
    "{% if cancelled %}{{ t.cancelled }}{% else %}{{ t.invitation }}{% endif %}: {{ summary }} @ {{ when }}";

const DEFAULT_TEXT: &str = r#"{% if cancelled %}{{ organizer }} {{ t.cancelled_by }}: {{ summary }}{% else %}{{ organizer }} {{ t.invited_by }}: {{ summary }}{% endif %}

{{ t.when }}: {{ when }}
{% if when_utc %}{{ t.when }} (UTC): {{ when_utc }}
{% endif %}
{% if location %}{{ t.where }}: {{ location }}
{% endif %}
{{ t.organizer }}: {{ organizer }}
{% if description %}

{{ t.description }}:
{{ description }}
{% endif %}

{% if cancelled %}{{ t.cancel_hint }}{% else %}{{ t.reply_hint }}{% endif %}
{% if rsvp %}

{{ t.web_reply }}
{{ t.yes }}: {{ rsvp.accepted }}
{{ t.no }}: {{ rsvp.declined }}
{{ t.maybe }}: {{ rsvp.tentative }}
{% endif %}
"#;

const DEFAULT_HTML: &str = r#"<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><title>{{ summary }}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; color: #202124;">
<p>{% if cancelled %}{{ organizer }} {{ t.cancelled_by }}{% else %}{{ organizer }} {{ t.invited_by }}{% endif %}</p>
<h2 style="margin: 0 0 12px 0;{% if cancelled %} text-decoration: line-through;{% endif %}">{{ summary }}</h2>
<table cellpadding="4" cellspacing="0" style="border-collapse: collapse;">
<tr><td style="color: #5f6368; vertical-align: top;">{{ t.when }}</td><td>{{ when }}{% if when_utc %}<br><span style="color: #5f6368;">{{ when_utc }}</span>{% endif %}</td></tr>
{% if location %}<tr><td style="color: #5f6368; vertical-align: top;">{{ t.where }}</td><td>{{ location }}</td></tr>
{% endif %}
<tr><td style="color: #5f6368; vertical-align: top;">{{ t.organizer }}</td><td>{{ organizer }}</td></tr>
</table>
{% if description %}<p style="color: #5f6368; margin-bottom: 4px;">{{ t.description }}</p>
<p style="margin-top: 0;">{% for line in description|lines %}{{ line }}{% if not loop.last %}<br>
{% endif %}{% endfor %}</p>
{% endif %}
<p style="color: #5f6368; font-size: small;">{% if cancelled %}{{ t.cancel_hint }}{% else %}{{ t.reply_hint }}{% endif %}</p>
{% if rsvp %}<p style="color: #5f6368; font-size: small; margin-bottom: 4px;">{{ t.web_reply }}</p>
<table cellpadding="0" cellspacing="0" role="presentation"><tr>
<td style="padding: 0 8px 0 0;"><a href="{{ rsvp.accepted }}" style="display: inline-block; padding: 8px 16px; background: #137333; color: #ffffff; text-decoration: none; border-radius: 4px; font-weight: bold;">{{ t.yes }}</a></td>
<td style="padding: 0 8px 0 0;"><a href="{{ rsvp.declined }}" style="display: inline-block; padding: 8px 16px; background: #a50e0e; color: #ffffff; text-decoration: none; border-radius: 4px; font-weight: bold;">{{ t.no }}</a></td>
<td><a href="{{ rsvp.tentative }}" style="display: inline-block; padding: 8px 16px; background: #3c4043; color: #ffffff; text-decoration: none; border-radius: 4px; font-weight: bold;">{{ t.maybe }}</a></td>
</tr></table>
{% endif %}
</body>
</html>
"#;

/// What one invitation's texts are rendered from.
#[derive(Debug, Clone, PartialEq)]
pub struct InviteContext {
    pub summary: Option<String>,
    /// Start instant, UTC seconds (midnight UTC of the date for all-day events).
    pub start: i64,
    /// End instant (exclusive; the day after the last day for all-day events).
    pub end: i64,
    /// The event's zone (IANA; Windows names are understood too); `None` means UTC.
    pub tz: Option<String>,
    pub all_day: bool,
    pub location: Option<String>,
    pub description: Option<String>,
    pub organizer_name: String,
    /// The recipient's language tag (`de`, `fr-CA`, ...).
    pub lang: String,
    pub method: Method,
    /// Per-event data for calendar templates, available as `custom`.
    pub custom: Value,
    /// Web links to answer Yes / No / Maybe, for mail clients without native buttons.
    /// Shown in REQUEST messages only (a cancellation asks no answer).
    pub rsvp: Option<RsvpLinks>,
}

/// The three answer links of an invitation (`rsvp.accepted`, ... in templates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsvpLinks {
    pub accepted: String,
    pub declined: String,
    pub tentative: String,
}

impl InviteContext {
    /// A context from an event's facts; `custom` starts empty.
    pub fn from_facts(facts: &EventFacts, organizer_name: &str, lang: &str, method: Method) -> Self {
        InviteContext {
            summary: facts.summary.clone(),
            start: facts.start,
            end: facts.end,
            tz: facts.tz.clone(),
            all_day: facts.all_day,
            location: facts.location.clone(),
            description: facts.description.clone(),
            organizer_name: organizer_name.to_string(),
            lang: lang.to_string(),
            method,
            custom: Value::Null,
            rsvp: None,
        }
    }
}

/// The compiled invitation templates.
#[derive(Debug, Clone)]
pub struct Templates {
    env: Environment<'static>,
}

impl Default for Templates {
    fn default() -> Self {
        Templates::new()
    }
}

fn base_env() -> Environment<'static> {
    let mut env = Environment::new();
    // HTML templates escape every value; subject and text are plain text.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    env.set_trim_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_fuel(Some(FUEL));
    env
}

fn compile(
    env: &mut Environment<'static>,
    name: &'static str,
    source: String,
    which: &'static str,
) -> Result<(), TemplateError> {
    env.add_template_owned(name, source).map_err(|e| TemplateError::Syntax {
        which,
        message: describe(&e),
    })
}

/// The error with its cause chain (minijinja puts the line in the display).
fn describe(e: &minijinja::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

impl Templates {
    /// The built-in templates.
    pub fn new() -> Self {
        let mut env = base_env();
        // The built-in sources are constants covered by tests; a failure here cannot
        // depend on input, so it is ignored rather than unwrapped.
        for (name, source) in [(SUBJECT, DEFAULT_SUBJECT), (TEXT, DEFAULT_TEXT), (HTML, DEFAULT_HTML)] {
            let _ = env.add_template(name, source);
        }
        Templates { env }
    }

    /// The built-in templates with a calendar's own text and/or HTML body.
    pub fn with_overrides(text: Option<String>, html: Option<String>) -> Result<Self, TemplateError> {
        let mut templates = Templates::new();
        if let Some(text) = text {
            compile(&mut templates.env, TEXT, text, "text")?;
        }
        if let Some(html) = html {
            compile(&mut templates.env, HTML, html, "HTML")?;
        }
        Ok(templates)
    }

    /// `(subject, text body, HTML body)` for one recipient.
    pub fn render(&self, ctx: &InviteContext) -> Result<(String, String, String), TemplateError> {
        let labels = for_lang(&ctx.lang);
        let value = context_value(ctx, labels);
        let subject = self.render_one(SUBJECT, "subject", &value)?;
        // A subject is one line (RFC 5322 §2.2.3 folding is the header writer's job).
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = self.render_one(TEXT, "text", &value)?;
        let html = self.render_one(HTML, "HTML", &value)?;
        Ok((subject, text, html))
    }

    fn render_one(&self, name: &str, which: &'static str, value: &Value) -> Result<String, TemplateError> {
        let render_error = |e: minijinja::Error| TemplateError::Render {
            which,
            message: describe(&e),
        };
        self.env
            .get_template(name)
            .map_err(render_error)?
            .render(value)
            .map_err(render_error)
    }
}

fn context_value(ctx: &InviteContext, labels: &Labels) -> Value {
    let (when, when_utc) = format_when(ctx, labels);
    let summary = ctx
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(labels.no_title);
    let iso = |ts: i64| utc_naive(ts).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    json!({
        "summary": summary,
        "when": when,
        "when_utc": when_utc,
        "start": iso(ctx.start),
        "end": iso(ctx.end),
        "start_ts": ctx.start,
        "end_ts": ctx.end,
        "tz": ctx.tz,
        "all_day": ctx.all_day,
        "location": ctx.location,
        "description": ctx.description,
        "organizer": ctx.organizer_name,
        "lang": labels.lang,
        "method": ctx.method.as_str(),
        "cancelled": ctx.method == Method::Cancel,
        "t": labels.template_value(),
        "custom": ctx.custom,
        "rsvp": ctx.rsvp.as_ref().filter(|_| ctx.method == Method::Request).map(|r| json!({
            "accepted": r.accepted,
            "declined": r.declined,
            "tentative": r.tentative,
        })),
    })
}

/// An event's time as invitations state it, with labels in English, for the notices to
/// organizers: the span in the event's zone, and in UTC when that differs.
pub fn describe_when(facts: &EventFacts) -> (String, Option<String>) {
    let ctx = InviteContext::from_facts(facts, "", "en", Method::Request);
    format_when(&ctx, for_lang("en"))
}

/// "2025-03-10 09:00 – 10:00 (America/New_York)" and the same span in UTC (`None` for
/// all-day events and events already in UTC).
fn format_when(ctx: &InviteContext, labels: &Labels) -> (String, Option<String>) {
    if ctx.all_day {
        let first = utc_naive(ctx.start).date();
        let last = utc_naive(ctx.end.max(ctx.start + 86_400)).date() - Duration::days(1);
        let span = if last > first {
            format!("{} – {}", first.format("%Y-%m-%d"), last.format("%Y-%m-%d"))
        } else {
            first.format("%Y-%m-%d").to_string()
        };
        return (format!("{span} ({})", labels.all_day), None);
    }
    let zone = ctx
        .tz
        .as_deref()
        .and_then(|name| Zone::from_name(name).map(|zone| (name.trim().trim_matches('"'), zone)));
    let utc = span(utc_naive(ctx.start), utc_naive(ctx.end), "UTC");
    match zone {
        Some((name, zone)) if !name.eq_ignore_ascii_case("UTC") => {
            let local = span(zone.utc_to_local(ctx.start), zone.utc_to_local(ctx.end), name);
            (local, Some(utc))
        }
        _ => (utc, None),
    }
}

fn span(start: NaiveDateTime, end: NaiveDateTime, zone: &str) -> String {
    let first = start.format("%Y-%m-%d %H:%M");
    if end <= start {
        format!("{first} ({zone})")
    } else if end.date() == start.date() {
        format!("{first} – {} ({zone})", end.format("%H:%M"))
    } else {
        format!("{first} – {} ({zone})", end.format("%Y-%m-%d %H:%M"))
    }
}
