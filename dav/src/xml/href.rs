//! Converting between resource paths and the `<D:href>` text that names them.
//!
//! Inside the server a resource is identified by its decoded path (`/dav/alice@x/Work
//! Calendar/`); on the wire an href is a URI reference (RFC 4918 §8.3), so path segments are
//! percent-encoded. Encoding every byte outside RFC 3986's unreserved set (as SabreDAV does,
//! `@` included) is the form every client tested accepts. Clients may send absolute URLs
//! (`https://host/dav/...`) where a path is meant, so decoding strips scheme and authority.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::error::XmlError;

/// Bytes escaped in a path segment: everything but RFC 3986 §2.3 unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Encodes a decoded path for `<D:href>`; `/` separators are left alone.
///
/// A value that already is an absolute URI (`mailto:alice@example.com`, `https://...`) is
/// returned unchanged: those appear as hrefs in principal properties.
pub fn href_encode(path: &str) -> String {
    if has_scheme(path) {
        return path.to_owned();
    }
    path.split('/')
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Decodes an href from a request into a server path: scheme and authority of an absolute
/// URL are dropped, query and fragment are ignored, percent-escapes are decoded.
pub fn href_decode(href: &str) -> Result<String, XmlError> {
    let href = href.trim();
    let path = if has_scheme(href) {
        let (_, rest) = href.split_once(':').unwrap_or(("", href));
        match rest.strip_prefix("//") {
            // RFC 3986 §3.2: the authority ends at the first '/', '?' or '#'.
            Some(after) => match after.find(['/', '?', '#']) {
                Some(i) => after.get(i..).unwrap_or("/"),
                None => "/",
            },
            None => {
                return Err(XmlError::invalid(format!(
                    "href {href:?} is not a URL of this server; send a path like /dav/..."
                )));
            }
        }
    } else {
        href
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if path.is_empty() {
        return Err(XmlError::invalid("empty href; send the path of a resource"));
    }
    let decoded = percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| XmlError::invalid(format!("href {href:?} does not decode to UTF-8")))?;
    Ok(decoded.into_owned())
}

/// RFC 3986 §3.1: `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` then `:`.
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_non_ascii_and_at_signs_are_percent_encoded_but_slashes_are_not() {
        assert_eq!(
            href_encode("/dav/calendars/alice@example.com/Work Calendar/été.ics"),
            "/dav/calendars/alice%40example.com/Work%20Calendar/%C3%A9t%C3%A9.ics"
        );
    }

    #[test]
    fn unreserved_characters_are_left_alone() {
        assert_eq!(href_encode("/a-b_c.d~e/"), "/a-b_c.d~e/");
    }

    #[test]
    fn reserved_characters_in_segments_are_encoded() {
        assert_eq!(href_encode("/a?b#c%d&e"), "/a%3Fb%23c%25d%26e");
    }

    #[test]
    fn absolute_uris_are_not_encoded() {
        assert_eq!(href_encode("mailto:alice@example.com"), "mailto:alice@example.com");
    }

    #[test]
    fn decoding_inverts_encoding() {
        let path = "/dav/calendars/alice@example.com/Work Calendar/été 100%.ics";
        assert_eq!(href_decode(&href_encode(path)).unwrap(), path);
    }

    #[test]
    fn absolute_urls_lose_scheme_authority_query_and_fragment() {
        assert_eq!(
            href_decode("https://cal.example.com:8443/dav/a%20b/x.ics?x=1#f").unwrap(),
            "/dav/a b/x.ics"
        );
        assert_eq!(href_decode("http://host").unwrap(), "/");
        assert_eq!(href_decode("  /dav/x.ics \n").unwrap(), "/dav/x.ics");
    }

    #[test]
    fn unusable_hrefs_are_errors() {
        assert!(href_decode("").is_err());
        assert!(href_decode("mailto:alice@example.com").is_err());
        assert!(href_decode("/dav/%FF.ics").is_err());
    }
}
