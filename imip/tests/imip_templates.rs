//! Invitation texts: built-in templates in five languages, a calendar's own templates,
//! HTML escaping, custom data, and the event facts that fill them.

use calinvite_imip::imip::{
    BuildError, InviteContext, InviteInput, Mailbox, Method, RsvpLinks, TemplateError, Templates, build_invite,
    event_summary,
};
use serde_json::json;

const NY_SERIES: &[u8] = include_bytes!("fixtures/stored/invite-new-york-series-override.ics");
const ALL_DAY: &[u8] = include_bytes!("fixtures/stored/invite-allday.ics");
const EXCHANGE_TEAMS: &[u8] = include_bytes!("fixtures/calcard-exchange2010-teams-recurring-request-utf8.ics");

/// What a browser shows for the text of an HTML fragment's entities (minijinja escapes
/// `/` and `'` too).
fn shown(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
}

/// 2025-03-03 09:00–10:00 America/New_York (EST).
fn ctx(lang: &str) -> InviteContext {
    InviteContext {
        summary: Some("Weekly sync".into()),
        start: 1_741_010_400,
        end: 1_741_014_000,
        tz: Some("America/New_York".into()),
        all_day: false,
        location: Some("Room 4".into()),
        description: Some("Line one\nLine two".into()),
        organizer_name: "Alice".into(),
        lang: lang.into(),
        method: Method::Request,
        custom: json!(null),
        rsvp: None,
    }
}

#[test]
fn english_subject_names_the_event_and_its_local_time() {
    let (subject, text, html) = Templates::new().render(&ctx("en")).unwrap();
    assert_eq!(
        subject,
        "Invitation: Weekly sync @ 2025-03-03 09:00 – 10:00 (America/New_York)"
    );
    assert!(
        text.contains("When: 2025-03-03 09:00 – 10:00 (America/New_York)"),
        "{text}"
    );
    assert!(text.contains("2025-03-03 14:00 – 15:00 (UTC)"), "{text}");
    assert!(text.contains("Where: Room 4"));
    assert!(text.contains("Organizer: Alice"));
    assert!(text.contains("Line one\nLine two"));
    assert!(text.contains("Reply with your calendar's Yes / No / Maybe buttons."));
    assert!(shown(&html).contains("Reply with your calendar's Yes / No / Maybe buttons."));
    assert!(html.contains("Line one<br>\nLine two"), "{html}");
}

#[test]
fn every_language_has_its_own_labels() {
    for (lang, subject_start, reply) in [
        ("en", "Invitation: ", "Yes / No / Maybe"),
        ("de", "Einladung: ", "Ja / Nein / Vielleicht"),
        ("de-AT", "Einladung: ", "Ja / Nein / Vielleicht"),
        ("es", "Invitación: ", "Sí / No / Quizás"),
        ("fr", "Invitation: ", "Oui / Non / Peut-être"),
        ("ja", "招待: ", "はい / いいえ / 未定"),
        ("ja-JP", "招待: ", "はい / いいえ / 未定"),
        ("zz", "Invitation: ", "Yes / No / Maybe"),
    ] {
        let (subject, text, html) = Templates::new().render(&ctx(lang)).unwrap();
        assert!(subject.starts_with(subject_start), "{lang}: {subject}");
        assert!(subject.contains("Weekly sync"), "{lang}");
        assert!(text.contains(reply), "{lang}: {text}");
        assert!(shown(&html).contains(reply), "{lang}: {html}");
    }
    let (_, text, _) = Templates::new().render(&ctx("de")).unwrap();
    assert!(text.contains("Wann: ") && text.contains("Wo: Room 4") && text.contains("Alice hat Sie eingeladen"));
    let (_, text, html) = Templates::new().render(&ctx("ja")).unwrap();
    assert!(text.contains("日時: ") && text.contains("場所: Room 4") && text.contains("主催者: Alice"));
    assert!(html.contains("lang=\"ja\""));
}

#[test]
fn a_cancellation_says_so_in_subject_and_body() {
    let mut c = ctx("en");
    c.method = Method::Cancel;
    let (subject, text, html) = Templates::new().render(&c).unwrap();
    assert_eq!(
        subject,
        "Cancelled: Weekly sync @ 2025-03-03 09:00 – 10:00 (America/New_York)"
    );
    assert!(text.contains("Alice cancelled this event"));
    assert!(text.contains("has been cancelled"));
    assert!(!text.contains("Yes / No / Maybe"));
    assert!(html.contains("line-through"));
    c.lang = "fr".into();
    assert!(Templates::new().render(&c).unwrap().0.starts_with("Annulé: "));
}

#[test]
fn html_escapes_what_the_organizer_wrote() {
    let mut c = ctx("en");
    c.summary = Some("<script>alert('x')</script> & friends".into());
    c.location = Some("<b>Room</b>".into());
    c.description = Some("<img src=x onerror=alert(1)>\nsecond".into());
    let (subject, text, html) = Templates::new().render(&c).unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("<b>Room") && !html.contains("<img"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("&amp; friends"));
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;<br>\nsecond"),
        "{html}"
    );
    // Plain text is not HTML: no entities there.
    assert!(subject.contains("<script>alert('x')</script> & friends"));
    assert!(text.contains("<b>Room</b>"));
}

#[test]
fn an_all_day_event_shows_its_days_without_a_utc_line() {
    let mut c = ctx("en");
    c.all_day = true;
    c.start = 1_751_587_200;
    c.end = 1_751_760_000;
    c.tz = None;
    let (subject, text, _) = Templates::new().render(&c).unwrap();
    assert_eq!(subject, "Invitation: Weekly sync @ 2025-07-04 – 2025-07-05 (all day)");
    assert!(!text.contains("(UTC)"));
    c.end = c.start + 86_400;
    c.lang = "de".into();
    assert_eq!(
        Templates::new().render(&c).unwrap().0,
        "Einladung: Weekly sync @ 2025-07-04 (ganztägig)"
    );
}

#[test]
fn an_event_in_utc_or_an_unknown_zone_is_shown_in_utc_once() {
    let mut c = ctx("en");
    c.tz = None;
    let (subject, text, _) = Templates::new().render(&c).unwrap();
    assert_eq!(subject, "Invitation: Weekly sync @ 2025-03-03 14:00 – 15:00 (UTC)");
    assert_eq!(text.matches("(UTC)").count(), 1);
    c.tz = Some("Not/AZone".into());
    assert!(Templates::new().render(&c).unwrap().0.ends_with("(UTC)"));
    // Windows names are understood.
    c.tz = Some("W. Europe Standard Time".into());
    assert!(
        Templates::new()
            .render(&c)
            .unwrap()
            .0
            .contains("15:00 – 16:00 (W. Europe Standard Time)")
    );
}

#[test]
fn a_missing_title_is_named_in_the_recipients_language() {
    let mut c = ctx("es");
    c.summary = Some("   ".into());
    assert!(
        Templates::new()
            .render(&c)
            .unwrap()
            .0
            .starts_with("Invitación: (sin título) @ ")
    );
}

#[test]
fn calendar_templates_see_custom_data_and_still_escape_it() {
    let templates = Templates::with_overrides(
        Some("{{ custom.team }} invites you to {{ summary }}.\n{% for item in custom.agenda %}- {{ item }}\n{% endfor %}".into()),
        Some("<img src=\"{{ custom.logo_url }}\"><h1>{{ summary }}</h1><p>{{ custom.note }}</p>".into()),
    )
    .unwrap();
    let mut c = ctx("en");
    c.custom = json!({
        "team": "Platform",
        "agenda": ["Budget", "Hiring"],
        "logo_url": "https://cdn.example.org/logo.png",
        "note": "<script>x</script>",
    });
    let (subject, text, html) = templates.render(&c).unwrap();
    assert!(
        subject.starts_with("Invitation: Weekly sync"),
        "the subject stays built in"
    );
    assert_eq!(text, "Platform invites you to Weekly sync.\n- Budget\n- Hiring\n");
    assert!(
        shown(&html).contains("<img src=\"https://cdn.example.org/logo.png\">"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;x&lt;&#x2f;script&gt;"));
}

#[test]
fn only_the_overridden_body_changes() {
    let templates = Templates::with_overrides(Some("custom text".into()), None).unwrap();
    let (_, text, html) = templates.render(&ctx("en")).unwrap();
    assert_eq!(text, "custom text");
    assert!(shown(&html).contains("Reply with your calendar"));
}

#[test]
fn a_template_with_bad_syntax_is_refused_with_the_problem_named() {
    let err = Templates::with_overrides(None, Some("<p>{% if summary %}unclosed".into())).unwrap_err();
    match &err {
        TemplateError::Syntax { which, message } => {
            assert_eq!(*which, "HTML");
            assert!(message.contains("syntax error"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("HTML invitation template is invalid"));
    let err = Templates::with_overrides(Some("{{ summary ".into()), None).unwrap_err();
    assert!(matches!(err, TemplateError::Syntax { which: "text", .. }));
}

#[test]
fn a_runaway_template_fails_instead_of_hanging() {
    let templates = Templates::with_overrides(
        Some("{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}".into()),
        None,
    )
    .unwrap();
    assert!(matches!(
        templates.render(&ctx("en")),
        Err(TemplateError::Render { which: "text", .. })
    ));
}

#[test]
fn event_facts_come_from_the_master_in_its_own_zone() {
    let facts = event_summary(NY_SERIES).unwrap();
    assert_eq!(facts.uid, "series-7f3a@calinvite.test");
    assert_eq!(
        facts.summary.as_deref(),
        Some("Weekly sync, planning; review \\ 会議 اجتماع 🎉")
    );
    assert_eq!((facts.start, facts.end), (1_741_010_400, 1_741_014_000));
    assert_eq!(facts.tz.as_deref(), Some("America/New_York"));
    assert!(!facts.all_day && facts.recurring);
    assert_eq!(facts.location.as_deref(), Some("Room 4, Building B"));
    assert!(facts.description.unwrap().starts_with("Agenda: 1. Budget review"));

    let facts = event_summary(ALL_DAY).unwrap();
    assert!(facts.all_day && !facts.recurring);
    assert_eq!((facts.start, facts.end, facts.tz), (1_751_587_200, 1_751_760_000, None));

    // Windows zone names map to IANA.
    let facts = event_summary(EXCHANGE_TEAMS).unwrap();
    assert_eq!(facts.tz.as_deref(), Some("Europe/Berlin"));
    assert_eq!((facts.start, facts.end), (1_606_212_000, 1_606_213_800));

    let no_start = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:n\r\nDTSTAMP:20250101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert!(matches!(
        event_summary(no_start),
        Err(BuildError::MissingDtstart { .. })
    ));
}

#[test]
fn facts_templates_and_builder_make_a_complete_japanese_invitation() {
    let facts = event_summary(NY_SERIES).unwrap();
    let mut c = InviteContext::from_facts(&facts, "チーム", "ja", Method::Request);
    c.custom = json!({});
    let (subject, text, html) = Templates::new().render(&c).unwrap();
    assert!(subject.starts_with("招待: Weekly sync, planning; review \\ 会議 اجتماع 🎉 @ 2025-03-03 09:00"));
    let invite = build_invite(&InviteInput {
        event: NY_SERIES,
        method: Method::Request,
        sequence: 1,
        recurrence_id: None,
        organizer: Mailbox {
            email: "events@invites.example.org",
            name: Some("チーム"),
        },
        recipient: Mailbox {
            email: "guest@example.jp",
            name: None,
        },
        dtstamp: 1_740_045_600,
        message_id: "m1@invites.example.org",
        date: 1_740_045_600,
        subject: &subject,
        text_body: &text,
        html_body: &html,
        list_unsubscribe: None,
    })
    .unwrap();
    assert!(invite.raw.is_ascii());
    let msg = mail_parser::MessageParser::default().parse(&invite.raw).unwrap();
    assert_eq!(msg.subject(), Some(subject.as_str()));
    assert_eq!(msg.body_text(0).unwrap().replace("\r\n", "\n"), text);
    assert_eq!(msg.body_html(0).unwrap().replace("\r\n", "\n"), html);
}

fn with_links(lang: &str, method: Method) -> InviteContext {
    let mut c = ctx(lang);
    c.method = method;
    c.rsvp = Some(RsvpLinks {
        accepted: "https://inv.example.org/r/TOK?a=accepted".into(),
        declined: "https://inv.example.org/r/TOK?a=declined".into(),
        tentative: "https://inv.example.org/r/TOK?a=tentative".into(),
    });
    c
}

#[test]
fn a_request_carries_three_answer_links_in_both_bodies() {
    let (_, text, html) = Templates::new().render(&with_links("en", Method::Request)).unwrap();
    assert!(text.contains("Yes: https://inv.example.org/r/TOK?a=accepted"), "{text}");
    assert!(text.contains("No: https://inv.example.org/r/TOK?a=declined"), "{text}");
    assert!(
        text.contains("Maybe: https://inv.example.org/r/TOK?a=tentative"),
        "{text}"
    );
    let html = shown(&html);
    for (answer, label) in [("accepted", "Yes"), ("declined", "No"), ("tentative", "Maybe")] {
        assert!(
            html.contains(&format!("href=\"https://inv.example.org/r/TOK?a={answer}\"")),
            "{html}"
        );
        assert!(html.contains(&format!(">{label}</a>")), "{html}");
    }
}

#[test]
fn answer_links_are_translated() {
    let (_, text, html) = Templates::new().render(&with_links("de", Method::Request)).unwrap();
    assert!(
        text.contains("Vielleicht: https://inv.example.org/r/TOK?a=tentative"),
        "{text}"
    );
    assert!(html.contains(">Nein</a>"), "{html}");
    let (_, text, _) = Templates::new().render(&with_links("ja", Method::Request)).unwrap();
    assert!(
        text.contains("はい: https://inv.example.org/r/TOK?a=accepted"),
        "{text}"
    );
}

#[test]
fn a_cancellation_or_a_context_without_links_has_none() {
    let (_, text, html) = Templates::new().render(&with_links("en", Method::Cancel)).unwrap();
    assert!(!text.contains("/r/TOK") && !html.contains("/r/TOK"), "{text}{html}");
    let (_, text, html) = Templates::new().render(&ctx("en")).unwrap();
    assert!(!text.contains("Answer here") && !html.contains("Answer here"), "{text}");
}
