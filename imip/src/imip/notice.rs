//! Notices to organizers: a plain-text mail telling an organizer who works only from
//! Google Calendar or Outlook what became of the invitation they mailed to the server
//! (stored, and how to reach people with it), of their later changes (how many recipients
//! were told, or that it waits for approval), or why their message could not be used and
//! what to change.
//!
//! Like the invitations, the texts are minijinja templates and the result is pure: the
//! caller gives the clock, ids and addresses. Every notice carries `Auto-Submitted:
//! auto-replied` (RFC 3834), so no well-behaved system answers it, and calinvite itself
//! never answers a message that carries it.

use super::facts::EventFacts;
use super::templates::describe_when;
use super::{BuildError, TemplateError};
use mail_builder::headers::Header;
use mail_builder::headers::address::Address;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::text::Text;
use minijinja::{Environment, Value, context};

/// What happened to the organizer's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeKind {
    /// A new event was stored in the organizer's calendar.
    Stored,
    /// An existing event was changed. `recipients` were told (or would be, when `held`);
    /// none when the change did not matter to attendees.
    Updated {
        significant: bool,
        recipients: u64,
        held: bool,
    },
    /// The event (or some occurrences) was cancelled for `recipients`.
    Cancelled {
        recipients: u64,
        held: bool,
        occurrences: usize,
    },
    /// The message could not be used.
    Failed { reason: String },
    /// An attendee proposes another time (RFC 5546 COUNTER); the organizer decides.
    Counter {
        attendee: String,
        /// The proposed span, as readable text.
        proposed: String,
        comment: Option<String>,
    },
}

/// Everything one notice is built from.
#[derive(Debug, Clone)]
pub struct NoticeInput<'a> {
    pub kind: NoticeKind,
    /// The event as stored, when there is one.
    pub facts: Option<&'a EventFacts>,
    pub uid: &'a str,
    /// The subject of the organizer's message (to recognize what this is about).
    pub original_subject: Option<&'a str>,
    /// The event's public code, for its page and campaign link.
    pub public_code: Option<&'a str>,
    /// The server's public URL, without trailing slash.
    pub public_url: &'a str,
    /// The server's mailbox: From, and where organizers mail their invitations.
    pub server_address: &'a str,
    pub organizer: &'a str,
    pub message_id: &'a str,
    /// The Message-ID of the organizer's message, for threading.
    pub in_reply_to: Option<&'a str>,
    pub date: i64,
}

const SUBJECT: &str = "{% if kind == 'stored' %}Stored: {{ summary }}\
{% elif kind == 'updated' %}Updated: {{ summary }}\
{% elif kind == 'cancelled' %}Cancelled: {{ summary }}\
{% elif kind == 'counter' %}New time proposed: {{ summary }}\
{% else %}Not processed: {{ original_subject or uid or 'your invitation' }}{% endif %}";

const TEXT: &str = r#"{% if kind == 'stored' %}calinvite stored your event.

  {{ summary }}
  When:  {{ when }}{% if when_utc %}
         {{ when_utc }}{% endif %}{% if location %}
  Where: {{ location }}{% endif %}{% if recurring %}
  Repeats (every occurrence is included){% endif %}
  UID:   {{ uid }}
{% if code %}
Public page, where anyone can ask for the invitation:
  {{ public_url }}/e/{{ code }}

Campaign link for email platforms (the platform fills in the address):
  {{ public_url }}/i/{{ code }}?email=*|EMAIL|*      (Mailchimp)
  {{ public_url }}/i/{{ code }}?email={{ '{{' }} contact.EMAIL {{ '}}' }}   (Brevo)
{% endif %}
Send it to a list of people with the Send API:
  curl -X POST {{ public_url }}/api/v1/events/{{ uid_url }}/invitations \
    -H "Authorization: Bearer $CALINVITE_API_KEY" -H "Content-Type: application/json" \
    -d '{"recipients": [{"email": "guest@example.org"}]}'

Changes you make in your calendar reach everyone who answered Yes or Maybe.
{% elif kind == 'updated' %}calinvite applied your change to:

  {{ summary }}
  When:  {{ when }}{% if when_utc %}
         {{ when_utc }}{% endif %}

{% if not significant %}Nothing that matters to attendees changed, so nobody was told.
{% elif held %}The update to {{ recipients }} recipient(s) waits for approval (GET /api/v1/pending).
{% else %}The update goes to {{ recipients }} recipient(s) who answered Yes or Maybe.
{% endif %}{% elif kind == 'counter' %}{{ attendee }} proposes another time for "{{ summary }}".

  Now:      {{ when }}
  Proposed: {{ proposed }}{% if comment %}
  Comment:  {{ comment }}{% endif %}

Nothing was changed. To take the proposal, move the event in your calendar: everyone who
answered Yes or Maybe gets the update.
{% elif kind == 'cancelled' %}calinvite cancelled {% if occurrences %}{{ occurrences }} occurrence(s) of {% endif %}"{{ summary }}".

{% if held %}The cancellation to {{ recipients }} recipient(s) waits for approval (GET /api/v1/pending).
{% else %}A cancellation goes to {{ recipients }} recipient(s).
{% endif %}{% else %}calinvite could not use your message{% if original_subject %} "{{ original_subject }}"{% endif %}.

Why: {{ reason }}

What to do: {{ advice }}
{% endif %}
-- 
calinvite, {{ server_address }}
This is an automatic message.
"#;

/// What the organizer can change, by the reason given.
fn advice(reason: &str) -> &'static str {
    let r = reason.to_ascii_lowercase();
    if r.contains("winmail.dat") || r.contains("tnef") {
        "Outlook sent the invitation as winmail.dat (TNEF). Send it again with Outlook set to send calendar invitations as iCalendar, or invite the server from Outlook on the web."
    } else if r.contains("invalid calendar") || r.contains("calendar data") || r.contains("icalendar") {
        "The calendar data in the message is not valid iCalendar. Invite the server again from your calendar app rather than forwarding the invitation."
    } else if r.contains("max_message_bytes") {
        "The message is too large. Invite the server without large attachments."
    } else if r.contains("changed while") {
        "Nothing; the server retries, or an administrator runs `calinvite inbound retry`."
    } else {
        "Check the event in your calendar and invite the server's address again. If it keeps failing, your administrator finds the message in the inbound log."
    }
}

fn header(out: &mut Vec<u8>, name: &str, value: &impl Header) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    value.write_header(out, name.len() + 2);
}

/// The raw RFC 5322 message for one notice.
pub fn build_notice(input: &NoticeInput<'_>) -> Result<Vec<u8>, BuildError> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_keep_trailing_newline(true);
    let render_error = |which: &'static str| {
        move |e: minijinja::Error| {
            BuildError::Template(TemplateError::Render {
                which,
                message: e.to_string(),
            })
        }
    };
    env.add_template("subject", SUBJECT).map_err(render_error("subject"))?;
    env.add_template("text", TEXT).map_err(render_error("text"))?;
    let (when, when_utc) = input.facts.map(describe_when).unwrap_or_default();
    let summary = input
        .facts
        .and_then(|f| f.summary.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("(no title)");
    let (attendee, proposed, comment) = match &input.kind {
        NoticeKind::Counter {
            attendee,
            proposed,
            comment,
        } => (attendee.clone(), proposed.clone(), comment.clone()),
        _ => (String::new(), String::new(), None),
    };
    let (kind, significant, recipients, held, occurrences, reason) = match &input.kind {
        NoticeKind::Stored => ("stored", false, 0, false, 0, String::new()),
        NoticeKind::Updated {
            significant,
            recipients,
            held,
        } => ("updated", *significant, *recipients, *held, 0, String::new()),
        NoticeKind::Cancelled {
            recipients,
            held,
            occurrences,
        } => ("cancelled", true, *recipients, *held, *occurrences, String::new()),
        NoticeKind::Failed { reason } => ("failed", false, 0, false, 0, reason.clone()),
        NoticeKind::Counter { .. } => ("counter", false, 0, false, 0, String::new()),
    };
    let value: Value = context! {
        kind,
        summary,
        when,
        when_utc,
        location => input.facts.and_then(|f| f.location.clone()),
        recurring => input.facts.is_some_and(|f| f.recurring),
        uid => input.uid,
        uid_url => percent_encoding::utf8_percent_encode(input.uid, percent_encoding::NON_ALPHANUMERIC).to_string(),
        code => input.public_code,
        public_url => input.public_url,
        server_address => input.server_address,
        original_subject => input.original_subject,
        significant,
        recipients,
        held,
        occurrences,
        advice => advice(&reason),
        reason,
        attendee,
        proposed,
        comment,
    };
    let subject = env
        .get_template("subject")
        .and_then(|t| t.render(&value))
        .map_err(render_error("subject"))?;
    let subject: String = subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let text = env
        .get_template("text")
        .and_then(|t| t.render(&value))
        .map_err(render_error("text"))?;

    let mut out = Vec::with_capacity(text.len() + 1024);
    header(
        &mut out,
        "From",
        &Address::new_address(Some("calinvite"), input.server_address),
    );
    header(&mut out, "To", &Address::new_address(None::<&str>, input.organizer));
    header(&mut out, "Subject", &Text::new(subject.trim()));
    header(&mut out, "Date", &Date::new(input.date));
    header(&mut out, "Message-ID", &MessageId::new(input.message_id));
    if let Some(id) = input.in_reply_to {
        header(&mut out, "In-Reply-To", &MessageId::new(id));
    }
    for (name, value) in [
        ("Auto-Submitted", "auto-replied"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "quoted-printable"),
    ] {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(super::encoding::quoted_printable(&text).as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> EventFacts {
        EventFacts {
            uid: "u1@example.org".into(),
            summary: Some("Spieltag – Heim".into()),
            start: 1_740_074_400,
            end: 1_740_078_000,
            tz: Some("Europe/Berlin".into()),
            all_day: false,
            location: Some("Stadion".into()),
            description: None,
            recurring: false,
        }
    }

    fn input<'a>(kind: NoticeKind, facts: &'a EventFacts) -> NoticeInput<'a> {
        NoticeInput {
            kind,
            facts: Some(facts),
            uid: "u1@example.org",
            original_subject: Some("Invitation: Spieltag"),
            public_code: Some("abc123"),
            public_url: "https://invites.example.org",
            server_address: "events@invites.example.org",
            organizer: "alice@example.org",
            message_id: "notice-1@invites.example.org",
            in_reply_to: Some("orig@example.org"),
            date: 1_740_000_000,
        }
    }

    fn decoded(raw: &[u8]) -> String {
        let text = String::from_utf8_lossy(raw).replace("=\r\n", "");
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn a_stored_event_is_confirmed_with_its_links_and_a_send_line() {
        let f = facts();
        let raw = build_notice(&input(NoticeKind::Stored, &f)).expect("built");
        let text = decoded(&raw);
        assert!(text.contains("Auto-Submitted: auto-replied"));
        assert!(text.contains("In-Reply-To: <orig@example.org>"));
        assert!(text.contains("Spieltag – Heim"), "{text}");
        assert!(text.contains("2025-02-20 19:00 – 20:00 (Europe/Berlin)"), "{text}");
        assert!(text.contains("https://invites.example.org/e/abc123"));
        assert!(text.contains("/i/abc123?email=*|EMAIL|*"));
        assert!(text.contains("/api/v1/events/u1%40example%2Eorg/invitations"), "{text}");
    }

    #[test]
    fn changes_say_how_many_were_told_or_that_they_wait() {
        let f = facts();
        let sent = decoded(
            &build_notice(&input(
                NoticeKind::Updated {
                    significant: true,
                    recipients: 12,
                    held: false,
                },
                &f,
            ))
            .expect("built"),
        );
        assert!(sent.contains("goes to 12 recipient(s)"), "{sent}");
        let held = decoded(
            &build_notice(&input(
                NoticeKind::Cancelled {
                    recipients: 40,
                    held: true,
                    occurrences: 0,
                },
                &f,
            ))
            .expect("built"),
        );
        assert!(held.contains("waits for approval"), "{held}");
        let quiet = decoded(
            &build_notice(&input(
                NoticeKind::Updated {
                    significant: false,
                    recipients: 0,
                    held: false,
                },
                &f,
            ))
            .expect("built"),
        );
        assert!(quiet.contains("nobody was told"), "{quiet}");
    }

    #[test]
    fn a_proposed_time_is_shown_beside_the_current_one() {
        let f = facts();
        let text = decoded(
            &build_notice(&input(
                NoticeKind::Counter {
                    attendee: "guest@example.net".into(),
                    proposed: "2025-02-21 19:00 – 20:00 (Europe/Berlin)".into(),
                    comment: Some("Friday suits me better".into()),
                },
                &f,
            ))
            .expect("built"),
        );
        // The subject is an RFC 2047 encoded word (the summary is not ASCII).
        assert!(
            text.contains("Subject: =?utf-8?Q?New_time_proposed:_Spieltag"),
            "{text}"
        );
        assert!(text.contains("Proposed: 2025-02-21 19:00"), "{text}");
        assert!(text.contains("Now:      2025-02-20 19:00"), "{text}");
        assert!(text.contains("Friday suits me better"));
    }

    #[test]
    fn a_failure_says_why_and_what_to_do() {
        let f = facts();
        let mut i = input(
            NoticeKind::Failed {
                reason: "Outlook sent winmail.dat (TNEF), which calinvite cannot read".into(),
            },
            &f,
        );
        i.facts = None;
        let text = decoded(&build_notice(&i).expect("built"));
        assert!(text.contains("Subject: Not processed: Invitation: Spieltag"), "{text}");
        assert!(text.contains("Why: Outlook sent winmail.dat"));
        assert!(text.contains("iCalendar"), "{text}");
    }
}
