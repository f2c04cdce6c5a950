//! The CalDAV query model: what a `calendar-query` filter and a `calendar-data` request ask
//! of an iCalendar object (RFC 4791 §9.6, §9.7).
//!
//! The DAV layer parses XML into these values; this crate evaluates them, because only it
//! knows iCalendar semantics (recurrence, time zones, floating times). Instants are
//! seconds since the Unix epoch, UTC.

/// `<C:filter>`: exactly one comp-filter, on VCALENDAR (RFC 4791 §9.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub root: CompFilter,
}

/// `<C:comp-filter name="...">` (RFC 4791 §9.7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompFilter {
    /// Component name, upper-case (`VCALENDAR`, `VEVENT`, `VTODO`, `VALARM`, ...).
    pub name: String,
    /// `<C:is-not-defined/>`: matches when no such component exists.
    pub is_not_defined: bool,
    pub time_range: Option<TimeRange>,
    pub prop_filters: Vec<PropFilter>,
    pub comp_filters: Vec<CompFilter>,
}

/// `<C:prop-filter name="...">` (RFC 4791 §9.7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropFilter {
    /// Property name, upper-case.
    pub name: String,
    pub is_not_defined: bool,
    pub time_range: Option<TimeRange>,
    pub text_match: Option<TextMatch>,
    pub param_filters: Vec<ParamFilter>,
}

/// `<C:param-filter name="...">` (RFC 4791 §9.7.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamFilter {
    /// Parameter name, upper-case.
    pub name: String,
    pub is_not_defined: bool,
    pub text_match: Option<TextMatch>,
}

/// `<C:text-match>` (RFC 4791 §9.7.5): a substring match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMatch {
    pub text: String,
    pub collation: Collation,
    pub negate: bool,
}

/// Collations (RFC 4790); `i;ascii-casemap` is the CalDAV default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Collation {
    #[default]
    AsciiCasemap,
    Octet,
    /// `i;unicode-casemap` (RFC 5051).
    UnicodeCasemap,
}

impl Collation {
    /// The collation for a `collation="..."` attribute; `None` for one not supported (the
    /// server then answers with the `supported-collation` precondition).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "i;ascii-casemap" => Some(Collation::AsciiCasemap),
            "i;octet" => Some(Collation::Octet),
            "i;unicode-casemap" => Some(Collation::UnicodeCasemap),
            _ => None,
        }
    }
}

/// `<C:time-range start=... end=...>` (RFC 4791 §9.9). Either bound may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl TimeRange {
    /// The bounds with open ends filled in, for index look-ups.
    pub fn bounds(&self) -> (i64, i64) {
        (self.start.unwrap_or(i64::MIN / 2), self.end.unwrap_or(i64::MAX / 2))
    }
}

/// `<C:calendar-data>` in a REPORT or PROPFIND (RFC 4791 §9.6): which parts of the object
/// to return and in what form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CalendarDataRequest {
    /// `<C:comp name="VCALENDAR">...`: return only these components and properties.
    /// `None` returns the whole object.
    pub comp: Option<CompSelection>,
    /// `<C:expand start end>` (§9.6.5): recurrence expanded into instances, in UTC.
    pub expand: Option<TimeRange>,
    /// `<C:limit-recurrence-set start end>` (§9.6.6).
    pub limit_recurrence_set: Option<TimeRange>,
    /// `<C:limit-freebusy-set start end>` (§9.6.7).
    pub limit_freebusy_set: Option<TimeRange>,
}

/// `<C:comp name="...">` with its `<C:allprop/>`/`<C:prop name>` and nested
/// `<C:allcomp/>`/`<C:comp>` (RFC 4791 §9.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompSelection {
    pub name: String,
    /// `None` means all properties (`<C:allprop/>` or no prop element at all).
    pub props: Option<Vec<String>>,
    /// `None` means all sub-components (`<C:allcomp/>` or no comp element at all).
    pub comps: Option<Vec<CompSelection>>,
}
