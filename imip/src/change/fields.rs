//! The comparable meaning of one VEVENT: its times as instants and its attendee-facing
//! text, read once so two versions are compared by value and not by encoding.
//!
//! A DTSTART written in another TZID, a Windows zone name swapped for its IANA name, or a
//! DURATION replaced by the DTEND it implies all read back to the same [`Fields`].

use crate::ical::tz::{Zone, ZoneTable};
use calcard::common::PartialDateTime;
use calcard::icalendar::{ICalendarComponent, ICalendarEntry, ICalendarProperty, ICalendarValue};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::collections::{BTreeMap, BTreeSet};

/// A point in time with what is needed to show it as its author wrote it.
#[derive(Debug, Clone)]
pub(crate) struct Moment {
    /// Seconds since the epoch, UTC (floating and all-day values read as UTC).
    pub instant: i64,
    /// A DATE value (RFC 5545 §3.3.4).
    pub all_day: bool,
    /// A DATE-TIME without zone (RFC 5545 §3.3.5 form #1).
    pub floating: bool,
    /// The resolved zone and the name to show for it.
    pub zone: Option<(Zone, String)>,
}

impl PartialEq for Moment {
    /// Same instant and same kind; the zone is presentation only.
    fn eq(&self, other: &Self) -> bool {
        self.instant == other.instant && self.all_day == other.all_day && self.floating == other.floating
    }
}

impl Moment {
    /// Reads one DATE or DATE-TIME value of `entry`.
    pub(crate) fn read(dt: &PartialDateTime, entry: &ICalendarEntry, zones: &ZoneTable) -> Option<Moment> {
        let date = NaiveDate::from_ymd_opt(i32::from(dt.year?), u32::from(dt.month?), u32::from(dt.day?))?;
        if !dt.has_time() {
            return Some(Moment {
                instant: date.and_time(NaiveTime::MIN).and_utc().timestamp(),
                all_day: true,
                floating: false,
                zone: None,
            });
        }
        let time = NaiveTime::from_hms_opt(
            u32::from(dt.hour.unwrap_or(0)),
            u32::from(dt.minute.unwrap_or(0)),
            // RFC 5545 §3.3.12: a leap second 60 is read as 59.
            u32::from(dt.second.unwrap_or(0).min(59)),
        )?;
        let naive = date.and_time(time);
        if dt.has_zone() {
            let secs = i64::from(dt.tz_hour.unwrap_or(0)) * 3600 + i64::from(dt.tz_minute.unwrap_or(0)) * 60;
            let offset = if dt.tz_minus { -secs } else { secs };
            return Some(Moment {
                instant: naive.and_utc().timestamp().saturating_sub(offset),
                all_day: false,
                floating: false,
                zone: None,
            });
        }
        let tzid = entry.tz_id();
        match tzid.and_then(|t| zones.resolve(t).map(|z| (t, z))) {
            Some((tzid, zone)) => {
                let name = match &zone {
                    Zone::Iana(tz) => tz.name().to_string(),
                    Zone::Fixed(_) | Zone::Custom(_) => tzid.trim_matches('"').to_string(),
                };
                Some(Moment {
                    instant: zone.local_to_utc(naive),
                    all_day: false,
                    floating: false,
                    zone: Some((zone, name)),
                })
            }
            None => Some(Moment {
                instant: naive.and_utc().timestamp(),
                all_day: false,
                floating: true,
                zone: None,
            }),
        }
    }

    /// The first value of a DATE/DATE-TIME property.
    pub(crate) fn of_entry(entry: &ICalendarEntry, zones: &ZoneTable) -> Option<Moment> {
        match entry.values.first() {
            Some(ICalendarValue::PartialDateTime(dt)) => Moment::read(dt, entry, zones),
            _ => None,
        }
    }

    /// A UTC instant.
    pub(crate) fn utc(instant: i64) -> Moment {
        Moment {
            instant,
            all_day: false,
            floating: false,
            zone: None,
        }
    }

    /// Another instant shown in the same frame (an occurrence of this DTSTART).
    pub(crate) fn at(&self, instant: i64) -> Moment {
        Moment {
            instant,
            ..self.clone()
        }
    }

    /// The wall-clock time in this value's own frame.
    fn local(&self) -> NaiveDateTime {
        match &self.zone {
            Some((zone, _)) => zone.utc_to_local(self.instant),
            None => naive(self.instant),
        }
    }

    /// `2030-03-15 18:00 UTC (Europe/Berlin 19:00)`, `2030-03-15 (all day)`,
    /// `2030-03-15 18:00 (floating)`.
    pub(crate) fn render(&self) -> String {
        let utc = naive(self.instant);
        if self.all_day {
            return format!("{} (all day)", utc.format("%Y-%m-%d"));
        }
        if self.floating {
            return format!("{} (floating)", utc.format("%Y-%m-%d %H:%M"));
        }
        let base = format!("{} UTC", utc.format("%Y-%m-%d %H:%M"));
        match &self.zone {
            Some((_, name)) if !matches!(name.as_str(), "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT") => {
                let local = self.local();
                let shown = if local.date() == utc.date() {
                    local.format("%H:%M").to_string()
                } else {
                    local.format("%Y-%m-%d %H:%M").to_string()
                };
                format!("{base} ({name} {shown})")
            }
            _ => base,
        }
    }
}

fn naive(ts: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|dt| dt.naive_utc())
        .unwrap_or_default()
}

/// The attendee-facing meaning of one VEVENT (master or override).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Fields {
    pub start: Option<Moment>,
    /// The effective end: DTEND, else DTSTART + DURATION, else the RFC 5545 §3.6.1 default.
    pub end: Option<Moment>,
    pub rid: Option<Moment>,
    pub rrule: Option<String>,
    pub rdates: Vec<Moment>,
    pub exdates: Vec<Moment>,
    /// SUMMARY, LOCATION, DESCRIPTION, STATUS and the conference properties, by name.
    pub text: BTreeMap<String, String>,
}

/// Properties whose text attendees act on.
pub(crate) const TEXT_PROPERTIES: [&str; 4] = ["SUMMARY", "LOCATION", "DESCRIPTION", "STATUS"];

/// Hosts of online-meeting join links: a URL pointing at one of them is conference data.
const JOIN_HOSTS: [&str; 12] = [
    "meet.google.com",
    "teams.microsoft.com",
    "teams.live.com",
    "zoom.us",
    "zoom.com",
    "webex.com",
    "gotomeeting.com",
    "meet.jit.si",
    "whereby.com",
    "bluejeans.com",
    "chime.aws",
    "facetime.apple.com",
];

/// Whether a URL value is an online-meeting join link.
pub(crate) fn is_join_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    JOIN_HOSTS
        .iter()
        .any(|h| host == *h || host.ends_with(&format!(".{h}")))
}

/// Whether a property carries conference data (RFC 7986 §5.11 and vendor extensions).
pub(crate) fn is_conference_property(name: &str) -> bool {
    name == "CONFERENCE"
        || name == "X-GOOGLE-CONFERENCE"
        || name == "X-MICROSOFT-SKYPETEAMSMEETINGURL"
        || name.starts_with("X-MICROSOFT-ONLINEMEETING")
}

/// The property name as written, upper-cased (X- names keep the author's case otherwise).
pub(crate) fn name_of(entry: &ICalendarEntry) -> String {
    entry.name.as_str().to_ascii_uppercase()
}

/// One value as text: unescaped by calcard, line ends normalised, trailing blanks dropped.
fn text_of(value: &ICalendarValue) -> Option<String> {
    let text = value.clone().into_text()?.replace("\r\n", "\n");
    let text = text.trim_end();
    (!text.is_empty()).then(|| text.to_string())
}

impl Fields {
    pub(crate) fn read(comp: &ICalendarComponent, zones: &ZoneTable) -> Fields {
        let mut fields = Fields::default();
        let mut dtend = None;
        let mut duration = None;
        for entry in &comp.entries {
            let name = name_of(entry);
            match &entry.name {
                ICalendarProperty::Dtstart => fields.start = Moment::of_entry(entry, zones),
                ICalendarProperty::Dtend => dtend = Moment::of_entry(entry, zones),
                ICalendarProperty::RecurrenceId => fields.rid = Moment::of_entry(entry, zones),
                ICalendarProperty::Duration => {
                    if let Some(ICalendarValue::Duration(d)) = entry.values.first() {
                        duration = Some(d.clone());
                    }
                }
                ICalendarProperty::Rrule => {
                    if let Some(ICalendarValue::RecurrenceRule(rule)) = entry.values.first() {
                        fields.rrule = Some(rule.to_string());
                    }
                }
                ICalendarProperty::Rdate | ICalendarProperty::Exdate => {
                    let list = if entry.name == ICalendarProperty::Rdate {
                        &mut fields.rdates
                    } else {
                        &mut fields.exdates
                    };
                    for value in &entry.values {
                        let moment = match value {
                            ICalendarValue::PartialDateTime(dt) => Moment::read(dt, entry, zones),
                            ICalendarValue::Period(calcard::icalendar::ICalendarPeriod::Range { start, .. })
                            | ICalendarValue::Period(calcard::icalendar::ICalendarPeriod::Duration { start, .. }) => {
                                Moment::read(start, entry, zones)
                            }
                            _ => None,
                        };
                        list.extend(moment);
                    }
                }
                _ => {
                    let wanted = TEXT_PROPERTIES.contains(&name.as_str())
                        || is_conference_property(&name)
                        || (name == "URL" && entry.values.iter().filter_map(|v| v.as_text()).any(is_join_link));
                    if wanted {
                        let values: Vec<String> = entry.values.iter().filter_map(text_of).collect();
                        if !values.is_empty() {
                            let slot = fields.text.entry(name).or_default();
                            if !slot.is_empty() {
                                slot.push('\n');
                            }
                            slot.push_str(&values.join(", "));
                        }
                    }
                }
            }
        }
        fields.rdates.sort_by_key(|m| m.instant);
        fields.rdates.dedup();
        fields.exdates.sort_by_key(|m| m.instant);
        fields.exdates.dedup();
        fields.end = match (&fields.start, dtend, duration) {
            (_, Some(end), _) => Some(end),
            (Some(start), None, Some(d)) => {
                let sign = if d.neg { -1 } else { 1 };
                let days = sign * (i64::from(d.weeks) * 7 + i64::from(d.days));
                let secs = sign * (i64::from(d.hours) * 3600 + i64::from(d.minutes) * 60 + i64::from(d.seconds));
                Some(start.at(nominal_end(start, days).saturating_add(secs)))
            }
            // RFC 5545 §3.6.1: an all-day VEVENT without end lasts one day.
            (Some(start), None, None) if start.all_day => Some(start.at(start.instant.saturating_add(86_400))),
            (Some(start), None, None) => Some(start.clone()),
            (None, _, _) => None,
        };
        fields
    }

    /// Whether this component is cancelled (RFC 5545 §3.8.1.11).
    pub(crate) fn is_cancelled(&self) -> bool {
        self.text
            .get("STATUS")
            .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
    }

    /// The instants of a date list, for set comparison.
    pub(crate) fn instants(list: &[Moment]) -> BTreeSet<i64> {
        list.iter().map(|m| m.instant).collect()
    }
}

/// RFC 5545 §3.3.6: days in a DURATION are nominal, so they are added to wall-clock time.
fn nominal_end(start: &Moment, days: i64) -> i64 {
    match &start.zone {
        Some((zone, _)) => {
            let local = zone.utc_to_local(start.instant);
            let shifted = local.checked_add_signed(chrono::Duration::days(days)).unwrap_or(local);
            zone.local_to_utc(shifted)
        }
        None => start.instant.saturating_add(days.saturating_mul(86_400)),
    }
}

#[cfg(test)]
mod tests {
    use super::{Moment, is_join_link};
    use crate::ical::tz::Zone;

    fn moment(instant: i64) -> Moment {
        Moment::utc(instant)
    }

    #[test]
    fn times_render_in_utc_with_the_authors_zone_beside_them() {
        // 2030-03-15 18:00:00 UTC
        let t = 1_899_828_000;
        assert_eq!(moment(t).render(), "2030-03-15 18:00 UTC");
        let berlin = Moment {
            zone: Some((Zone::Iana(chrono_tz::Europe::Berlin), "Europe/Berlin".into())),
            ..moment(t)
        };
        assert_eq!(berlin.render(), "2030-03-15 18:00 UTC (Europe/Berlin 19:00)");
        let tokyo = Moment {
            zone: Some((Zone::Iana(chrono_tz::Asia::Tokyo), "Asia/Tokyo".into())),
            ..moment(t)
        };
        assert_eq!(tokyo.render(), "2030-03-15 18:00 UTC (Asia/Tokyo 2030-03-16 03:00)");
        let all_day = Moment {
            all_day: true,
            ..moment(t - 18 * 3600)
        };
        assert_eq!(all_day.render(), "2030-03-15 (all day)");
        let floating = Moment {
            floating: true,
            ..moment(t)
        };
        assert_eq!(floating.render(), "2030-03-15 18:00 (floating)");
    }

    #[test]
    fn moments_are_equal_by_instant_whatever_zone_they_are_shown_in() {
        let berlin = Moment {
            zone: Some((Zone::Iana(chrono_tz::Europe::Berlin), "Europe/Berlin".into())),
            ..moment(100)
        };
        assert_eq!(berlin, moment(100));
        assert_ne!(berlin, moment(160));
    }

    #[test]
    fn meeting_hosts_are_join_links_and_other_pages_are_not() {
        assert!(is_join_link("https://meet.google.com/abc-defg-hij"));
        assert!(is_join_link("https://teams.microsoft.com/l/meetup-join/19%3ameeting"));
        assert!(is_join_link("https://us02web.zoom.us/j/123456789"));
        assert!(!is_join_link("https://example.com/agenda"));
        assert!(!is_join_link("https://zoom.us.example.com/j/1"));
    }
}
