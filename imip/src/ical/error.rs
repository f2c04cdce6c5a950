//! Why a calendar object is refused, in the terms CalDAV reports it.
//!
//! Each variant maps onto one RFC 4791 §5.3.2 precondition, so the DAV layer can answer a
//! PUT with the right `<C:...>` element without knowing iCalendar.

/// A calendar object that cannot be stored or expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcalError {
    /// Not parseable as iCalendar, not a VCALENDAR, or missing a required property.
    #[error("invalid calendar data: {0}")]
    InvalidData(String),
    /// Parseable, but breaks the calendar object resource rules of RFC 4791 §4.1.
    #[error("invalid calendar object resource: {0}")]
    InvalidObject(String),
    /// A component type this server does not store.
    #[error("unsupported calendar component {0}: only VEVENT, VTODO, VJOURNAL and VFREEBUSY are stored")]
    UnsupportedComponent(String),
    /// Larger than the configured maximum.
    #[error("calendar object is {size} bytes, more than the maximum of {max} bytes")]
    TooLarge { size: usize, max: usize },
    /// One component lists more attendees than allowed.
    #[error("a component has {count} attendees, more than the maximum of {max}")]
    TooManyAttendees { count: usize, max: usize },
    /// A recurrence produces more instances than allowed in the requested range.
    #[error("the recurrence produces more than {max} instances in the requested range; narrow the range")]
    TooManyInstances { max: usize },
}

impl IcalError {
    /// The CalDAV precondition element (RFC 4791 §5.3.2, §9.6.5) this error reports as.
    pub fn precondition(&self) -> &'static str {
        match self {
            IcalError::InvalidData(_) => "valid-calendar-data",
            IcalError::InvalidObject(_) => "valid-calendar-object-resource",
            IcalError::UnsupportedComponent(_) => "supported-calendar-component",
            IcalError::TooLarge { .. } => "max-resource-size",
            IcalError::TooManyAttendees { .. } => "max-attendees-per-instance",
            IcalError::TooManyInstances { .. } => "max-instances",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_names_its_caldav_precondition() {
        assert_eq!(
            IcalError::InvalidData(String::new()).precondition(),
            "valid-calendar-data"
        );
        assert_eq!(
            IcalError::InvalidObject(String::new()).precondition(),
            "valid-calendar-object-resource"
        );
        assert_eq!(
            IcalError::UnsupportedComponent("VAVAILABILITY".into()).precondition(),
            "supported-calendar-component"
        );
        assert_eq!(
            IcalError::TooLarge { size: 2, max: 1 }.precondition(),
            "max-resource-size"
        );
        assert_eq!(
            IcalError::TooManyAttendees { count: 2, max: 1 }.precondition(),
            "max-attendees-per-instance"
        );
        assert_eq!(IcalError::TooManyInstances { max: 1 }.precondition(), "max-instances");
    }
}
