//! Mail address validation and normalization for recipients.
//!
//! Addresses are compared lower-cased and trimmed, so `Ann@Example.org ` and
//! `ann@example.org` are one recipient. The check is the practical subset of RFC 5321
//! (dot-atom local part, a domain of LDH labels): what every mail server accepts, and
//! enough to catch typos and injected headers before anything is queued.

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
