//! calinvite's iCalendar and iTIP crate: parsing and validating calendar objects, the
//! recurrence-aware queries CalDAV needs, and (later) iMIP message building and parsing.
//!
//! It is pure: no I/O of any kind, so every rule is tested with plain values and the real
//! messages under `tests/fixtures`.

pub mod ical;
pub mod imip;
pub mod query;
