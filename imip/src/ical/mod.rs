//! iCalendar semantics for the CalDAV server: validating stored objects (RFC 4791 §4.1),
//! expanding recurrences, evaluating `calendar-query` filters (§9.7), shaping
//! `calendar-data` (§9.6) and computing free-busy time (§7.10).
//!
//! Parsing is calcard's; recurrence expansion is ours, built on `rrule` applied to
//! wall-clock times, because calcard's expansion drops or duplicates instances in common
//! Outlook and Lotus Notes objects (UNTIL at the last instance, UTC RECURRENCE-IDs against
//! zoned DTSTARTs, unknown TZIDs read as floating).

mod error;
mod filter;
mod freebusy;
mod object;
mod recur;
mod render;
mod text;
mod time;
pub mod tz;

pub use error::IcalError;
pub use freebusy::{BusyKind, BusyPeriod, freebusy_calendar};
pub use object::{CalendarObject, ComponentKind, Span};
pub use recur::Instance;
pub use time::format_utc;

/// Bounds on what one calendar object may cost (RFC 4791 §5.2.5, §5.2.8, §5.2.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted object, in bytes.
    pub max_size: usize,
    /// Most instances one query may expand a recurrence into.
    pub max_instances: usize,
    /// Most ATTENDEE properties in one component.
    pub max_attendees: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_size: 1024 * 1024,
            max_instances: 5000,
            max_attendees: 1000,
        }
    }
}
