//! A change set in plain English, for the organizer's approval screen: one line per change,
//! before → after, so the organizer sees exactly what attendees will be told.

use super::{ChangeSet, FieldChange, OccurrenceKind};

/// One line per significant change, e.g. `Start: 2030-03-15 18:00 UTC → 2030-03-15 19:00
/// UTC`, `Location: Stadion → Arena`, `Occurrence 2030-03-22 18:00 UTC: cancelled`;
/// `No significant changes` when there are none.
pub fn describe(changes: &ChangeSet) -> String {
    let mut lines: Vec<String> = changes.series.iter().map(field_line).collect();
    for occ in &changes.occurrences {
        let prefix = format!("Occurrence {}", occ.label);
        match &occ.kind {
            OccurrenceKind::Added => lines.push(format!("{prefix}: added")),
            OccurrenceKind::Cancelled => lines.push(format!("{prefix}: cancelled")),
            OccurrenceKind::Restored => lines.push(format!("{prefix}: restored to the series")),
            OccurrenceKind::Modified(fields) => {
                lines.extend(fields.iter().map(|f| format!("{prefix}: {}", field_line(f))));
            }
        }
    }
    if lines.is_empty() {
        return "No significant changes".to_string();
    }
    lines.join("\n")
}

fn field_line(change: &FieldChange) -> String {
    format!(
        "{}: {} → {}",
        label(&change.property),
        shown(change.before.as_deref()),
        shown(change.after.as_deref())
    )
}

/// A value on one line: a multi-line DESCRIPTION keeps its breaks as ` / `.
fn shown(value: Option<&str>) -> String {
    match value {
        Some(v) => v.lines().collect::<Vec<_>>().join(" / "),
        None => "(none)".to_string(),
    }
}

/// The reader's word for an iCalendar property.
fn label(property: &str) -> String {
    match property {
        "DTSTART" => "Start".to_string(),
        "DTEND" => "End".to_string(),
        "RRULE" => "Repeats".to_string(),
        "RDATE" => "Extra dates".to_string(),
        "SUMMARY" => "Title".to_string(),
        "LOCATION" => "Location".to_string(),
        "DESCRIPTION" => "Description".to_string(),
        "STATUS" => "Status".to_string(),
        "CONFERENCE" => "Conference".to_string(),
        "URL" => "Meeting link".to_string(),
        "X-GOOGLE-CONFERENCE" => "Google Meet link".to_string(),
        "X-MICROSOFT-SKYPETEAMSMEETINGURL" => "Teams link".to_string(),
        other if other.starts_with("X-MICROSOFT-ONLINEMEETING") => format!("Online meeting ({other})"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;
    use crate::change::{ChangeSet, FieldChange, OccurrenceChange, OccurrenceKind};

    #[test]
    fn missing_values_and_line_breaks_stay_on_one_line() {
        let changes = ChangeSet {
            series: vec![
                FieldChange {
                    property: "DESCRIPTION".into(),
                    before: Some("Bring:\nshoes\nwater".into()),
                    after: None,
                },
                FieldChange {
                    property: "X-MICROSOFT-ONLINEMEETINGCONFLINK".into(),
                    before: None,
                    after: Some("conf:sip:jo@example.com".into()),
                },
            ],
            occurrences: vec![OccurrenceChange {
                recurrence_id: 0,
                label: "1970-01-01 00:00 UTC".into(),
                kind: OccurrenceKind::Restored,
            }],
            insignificant: vec!["DTSTAMP".into()],
        };
        assert_eq!(
            describe(&changes),
            "Description: Bring: / shoes / water → (none)\n\
             Online meeting (X-MICROSOFT-ONLINEMEETINGCONFLINK): (none) → conf:sip:jo@example.com\n\
             Occurrence 1970-01-01 00:00 UTC: restored to the series"
        );
    }
}
