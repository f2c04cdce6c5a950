//! `start`/`end` attributes of CalDAV time ranges: "date with UTC time" values
//! (`20060104T000000Z`, RFC 4791 §9.9) converted to Unix seconds, which is what the query
//! model in `calinvite_imip::query` works in.

use calinvite_imip::query::TimeRange;
use chrono::NaiveDate;

use crate::xml::error::XmlError;
use crate::xml::name::PropName;
use crate::xml::tree::Element;

/// Parses `YYYYMMDDTHHMMSSZ` into seconds since the epoch. Floating or zoned times, dates
/// without a time and impossible dates (Feb 30) are refused.
pub fn parse_utc(value: &str) -> Result<i64, String> {
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 16
        && bytes.get(8) == Some(&b'T')
        && bytes.get(15) == Some(&b'Z')
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 8 || i == 15 || b.is_ascii_digit());
    if !shape_ok {
        return Err(format!(
            "{value:?} is not a UTC date-time; use the form 20060104T000000Z"
        ));
    }
    let num = |from: usize, to: usize| -> u32 { value.get(from..to).and_then(|s| s.parse().ok()).unwrap_or(u32::MAX) };
    let date = i32::try_from(num(0, 4))
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, num(4, 6), num(6, 8)));
    let instant = date.and_then(|d| d.and_hms_opt(num(9, 11), num(11, 13), num(13, 15)));
    instant
        .map(|t| t.and_utc().timestamp())
        .ok_or_else(|| format!("{value:?} is not a valid calendar date and time"))
}

/// The `start`/`end` attributes of `el`; a missing bound is open. `precondition` names the
/// CalDAV precondition a bad value violates (`valid-filter` inside a filter), if any.
pub(crate) fn time_range(el: &Element, precondition: Option<&str>) -> Result<TimeRange, XmlError> {
    let fail = |reason: String| XmlError::Invalid {
        precondition: precondition.map(PropName::caldav),
        reason: format!("<{}>: {reason}", el.name.local),
    };
    let bound = |attr: &str| -> Result<Option<i64>, XmlError> {
        el.attr(attr).map(|v| parse_utc(v.trim())).transpose().map_err(fail)
    };
    let start = bound("start")?;
    let end = bound("end")?;
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Err(fail(format!(
            "start {} is after end {}",
            el.attr("start").unwrap_or_default(),
            el.attr("end").unwrap_or_default()
        )));
    }
    Ok(TimeRange { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::tree;

    #[test]
    fn utc_date_times_become_unix_seconds() {
        assert_eq!(parse_utc("19700101T000000Z"), Ok(0));
        assert_eq!(parse_utc("20060104T000000Z"), Ok(1_136_332_800));
        assert_eq!(parse_utc("20060104T140000Z"), Ok(1_136_383_200));
    }

    #[test]
    fn non_utc_and_impossible_values_are_refused() {
        for bad in [
            "20060104T000000",
            "20060104",
            "2006-01-04T00:00:00Z",
            "20060230T000000Z",
            "20060104T250000Z",
            "20060104T000000z",
            "+0060104T000000Z",
            "",
            "20060104T00000ÿZ",
        ] {
            assert!(parse_utc(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn missing_bounds_are_open() {
        let el = tree::parse(br#"<t start="20060104T000000Z"/>"#).unwrap();
        assert_eq!(
            time_range(&el, None).unwrap(),
            TimeRange {
                start: Some(1_136_332_800),
                end: None
            }
        );
        let el = tree::parse(b"<t/>").unwrap();
        assert_eq!(time_range(&el, None).unwrap(), TimeRange { start: None, end: None });
    }

    #[test]
    fn reversed_ranges_carry_the_given_precondition() {
        let el = tree::parse(br#"<t start="20060105T000000Z" end="20060104T000000Z"/>"#).unwrap();
        let err = time_range(&el, Some("valid-filter")).unwrap_err();
        assert_eq!(err.precondition(), Some(&PropName::caldav("valid-filter")));
        assert!(err.to_string().contains("after"), "{err}");
    }
}
