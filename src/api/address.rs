//! Mail address validation and normalization for recipients.
//!
//! Addresses are compared lower-cased and trimmed, so `Ann@Example.org ` and
//! `ann@example.org` are one recipient. The check is the practical subset of RFC 5321
//! (dot-atom local part, a domain of LDH labels): what every mail server accepts, and
//! enough to catch typos and injected headers before anything is queued.

use calinvite_storage::NewRecipient;
use serde::Deserialize;

/// One recipient as the Send API and the links API take it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientIn {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}

impl RecipientIn {
    /// The recipient with its address normalized, its name cleaned (see [`display_name`])
    /// and its language tag kept only when it looks like one (letters, digits and `-`, at
    /// most 35 characters, RFC 5646's bound); else `{email, reason}` for the caller's list
    /// of refused addresses.
    pub fn clean(self) -> Result<NewRecipient, serde_json::Value> {
        match normalize(&self.email) {
            Ok(email) => Ok(NewRecipient {
                email,
                name: display_name(self.name.as_deref()),
                lang: self
                    .lang
                    .filter(|l| l.len() <= 35 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')),
            }),
            Err(reason) => Err(serde_json::json!({ "email": self.email, "reason": reason })),
        }
    }

    /// The JSON Schema of one recipient.
    pub fn schema() -> serde_json::Value {
        serde_json::json!({
            "type": "object",
            "required": ["email"],
            "additionalProperties": false,
            "properties": {
                "email": { "type": "string" },
                "name": { "type": ["string", "null"] },
                "lang": { "type": ["string", "null"] }
            }
        })
    }
}

/// The JSON Schema of the list of refused addresses that answers carry (`invalid`).
pub fn refused_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "array",
        "items": {
            "type": "object",
            "properties": { "email": { "type": "string" }, "reason": { "type": "string" } }
        }
    })
}

/// A display name as it may go into a mail header: trimmed, none when empty, and none
/// when it holds a line break (a header injection attempt).
pub fn display_name(name: Option<&str>) -> Option<String> {
    Some(name?.trim().to_string()).filter(|n| !n.is_empty() && !n.contains(['\r', '\n']))
}

/// The normalized address, or why it is not one.
pub fn normalize(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim().to_lowercase();
    if s.is_empty() {
        return Err("empty address");
    }
    if s.len() > 254 {
        return Err("longer than 254 characters");
    }
    let (local, domain) = s.rsplit_once('@').ok_or("no @")?;
    if local.is_empty() || local.len() > 64 {
        return Err("the part before @ must have 1 to 64 characters");
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    if local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
        || !local.chars().all(|c| atext(c) || c == '.')
    {
        return Err("the part before @ has characters mail servers do not accept");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("the domain needs a dot");
    }
    for label in labels {
        if label.is_empty() || label.len() > 63 || label.starts_with('-') || label.ends_with('-') {
            return Err("the domain is not valid");
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err("the domain has characters that are not letters, digits or -");
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize("  Ann.Lee+events@Example.ORG ").unwrap(),
            "ann.lee+events@example.org"
        );
    }

    #[test]
    fn malformed_addresses_say_why() {
        for bad in [
            "",
            "ann",
            "@example.org",
            "ann@",
            "ann@localhost",
            "a..b@example.org",
            ".a@example.org",
            "ann@exa_mple.org",
            "ann@-example.org",
            "ann lee@example.org",
            "ann@example.org\r\nBcc: x@y.z",
            "<ann@example.org>",
        ] {
            assert!(normalize(bad).is_err(), "{bad:?}");
        }
        assert!(normalize(&format!("{}@example.org", "a".repeat(65))).is_err());
    }
}
