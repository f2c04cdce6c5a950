//! A small, lenient reader of iCalendar content lines (RFC 5545 §3.1).
//!
//! calcard validates the object; this reader pulls out the handful of values inbound
//! processing needs (METHOD, UID, ATTENDEE parameters such as Google's
//! `X-RESPONSE-COMMENT`, iOS's `EMAIL=`) exactly as they were written, without calcard's
//! typed enums getting in the way of vendor oddities. Lines are unfolded before anything
//! else (RFC 5545 §3.1), and bare LF line ends are accepted.

use crate::ical::tz::ZoneTable;
use chrono::{NaiveDate, NaiveDateTime};

/// One unfolded content line: `NAME;PARAM=value:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// Upper-cased property name.
    pub name: String,
    /// Parameters with upper-cased names and unquoted values.
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl Line {
    /// The first value of parameter `name` (upper case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A component with the properties directly inside it (nested components are skipped).
#[derive(Debug, Clone, Default)]
pub(crate) struct Component {
    pub name: String,
    pub lines: Vec<Line>,
}

impl Component {
    pub fn first(&self, name: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.name == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Line> + 'a {
        self.lines.iter().filter(move |l| l.name == name)
    }
}

/// Unfolds and splits `text` into content lines; lines that are not `NAME...:value` are
/// dropped.
pub(crate) fn content_lines(text: &str) -> Vec<Line> {
    let mut unfolded: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            if let Some(last) = unfolded.last_mut() {
                last.push_str(rest);
            }
            continue;
        }
        if !raw.is_empty() {
            unfolded.push(raw.to_string());
        }
    }
    unfolded.iter().filter_map(|l| parse_line(l)).collect()
}

pub(crate) fn parse_line(line: &str) -> Option<Line> {
    let name_end = line.find([';', ':'])?;
    let name = line.get(..name_end)?.trim().to_ascii_uppercase();
    if name.is_empty() {
        return None;
    }
    let mut params = Vec::new();
    let mut rest = line.get(name_end..)?;
    // Each loop consumes one `;NAME=value` (value possibly quoted) until the `:`.
    while let Some(after) = rest.strip_prefix(';') {
        let eq = after.find(['=', ':', ';'])?;
        let pname = after.get(..eq)?.trim().to_ascii_uppercase();
        let after_name = after.get(eq..)?;
        let Some(value_part) = after_name.strip_prefix('=') else {
            rest = after_name;
            continue;
        };
        let (value, remainder) = if let Some(quoted) = value_part.strip_prefix('"') {
            let close = quoted.find('"')?;
            let remainder = quoted.get(close + 1..)?;
            // Skip any further comma-separated values up to the next delimiter.
            let next = remainder.find([';', ':']).unwrap_or(remainder.len());
            (quoted.get(..close)?.to_string(), remainder.get(next..)?)
        } else {
            let end = value_part.find([';', ':'])?;
            (value_part.get(..end)?.to_string(), value_part.get(end..)?)
        };
        params.push((pname, value));
        rest = remainder;
    }
    let value = rest.strip_prefix(':')?.to_string();
    Some(Line { name, params, value })
}

/// The VCALENDAR's own properties and its top-level components (VEVENT, VTODO, ...),
/// excluding VTIMEZONE and nested VALARMs.
pub(crate) fn components(text: &str) -> (Component, Vec<Component>) {
    let mut calendar = Component {
        name: "VCALENDAR".into(),
        lines: Vec::new(),
    };
    let mut comps = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut current: Option<Component> = None;
    for line in content_lines(text) {
        match line.name.as_str() {
            "BEGIN" => {
                let kind = line.value.trim().to_ascii_uppercase();
                if stack.len() == 1 && kind != "VTIMEZONE" {
                    current = Some(Component {
                        name: kind.clone(),
                        lines: Vec::new(),
                    });
                }
                stack.push(kind);
            }
            "END" => {
                if stack.len() == 2
                    && let Some(c) = current.take()
                {
                    comps.push(c);
                }
                stack.pop();
            }
            _ => match stack.len() {
                1 => calendar.lines.push(line),
                2 => {
                    if let Some(c) = current.as_mut() {
                        c.lines.push(line);
                    }
                }
                _ => {}
            },
        }
    }
    (calendar, comps)
}

/// One DATE or DATE-TIME value (RFC 5545 §3.3.4, §3.3.5) as a UTC instant. TZIDs resolve
/// through the object's VTIMEZONEs and known names; floating times and all-day dates are
/// read as UTC, which is only used to compare values within the same object family.
pub(crate) fn value_instant(value: &str, tzid: Option<&str>, zones: &ZoneTable) -> Option<i64> {
    let value = value.trim();
    if value.len() == 8 {
        let date = NaiveDate::parse_from_str(value, "%Y%m%d").ok()?;
        return Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp());
    }
    let (local, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(v) => (v, true),
        None => (value, false),
    };
    let naive = NaiveDateTime::parse_from_str(local, "%Y%m%dT%H%M%S").ok()?;
    if utc {
        return Some(naive.and_utc().timestamp());
    }
    match tzid.and_then(|t| zones.resolve(t)) {
        Some(zone) => Some(zone.local_to_utc(naive)),
        None => Some(naive.and_utc().timestamp()),
    }
}

/// RFC 5545 §3.3.11: undoes TEXT escaping.
pub(crate) fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A calendar user address as a lower-case mail address: `mailto:` (any case) removed,
/// falling back to the `EMAIL=` parameter when the value is not an address (iOS, iCloud).
pub(crate) fn address_of(line: &Line) -> Option<String> {
    let value = line.value.trim();
    let stripped = match value.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => value.get(7..).unwrap_or(""),
        _ => value,
    };
    let stripped = stripped.trim();
    if stripped.contains('@') {
        return Some(stripped.to_ascii_lowercase());
    }
    line.param("EMAIL")
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| e.contains('@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_lines_and_quoted_parameters_are_read() {
        let lines = content_lines("ATTENDEE;CN=\"Weiß, C\";EMAIL=\"a@b\n .de\";PARTSTAT=ACCEPTED:mailto:A@B.DE\r\n");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].param("CN"), Some("Weiß, C"));
        assert_eq!(lines[0].param("EMAIL"), Some("a@b.de"));
        assert_eq!(lines[0].param("PARTSTAT"), Some("ACCEPTED"));
        assert_eq!(address_of(&lines[0]).as_deref(), Some("a@b.de"));
    }

    #[test]
    fn a_non_mailto_organizer_falls_back_to_the_email_parameter() {
        let lines = content_lines("ORGANIZER;CN=X;EMAIL=x@y.org:mailto:\n");
        assert_eq!(address_of(&lines[0]).as_deref(), Some("x@y.org"));
    }
}
