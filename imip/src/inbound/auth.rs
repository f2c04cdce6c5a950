//! Authentication-Results (RFC 8601): did the receiving MTA verify who sent this mail?
//!
//! calinvite does not verify DKIM or SPF itself; the MTA in front of it does and records
//! the outcome in this header. Anyone can write such a header into a message, so only the
//! results stamped with the authserv-id of our own MTA count (RFC 8601 §5). The parser is
//! lenient: comments in parentheses and quoted strings are tolerated anywhere, and a result
//! it does not understand is skipped rather than failing the whole header.

/// The results one Authentication-Results header reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthResult {
    /// Who performed the checks (RFC 8601 §2.5), lower case.
    pub authserv_id: String,
    /// `(result, header.d)` per DKIM signature (RFC 6376), lower case.
    pub dkim: Vec<(String, String)>,
    /// `(result, domain of smtp.mailfrom)` (RFC 7208), lower case.
    pub spf: Vec<(String, String)>,
    /// The DMARC result (RFC 7489), lower case.
    pub dmarc: Option<String>,
}

/// Parses the values of all Authentication-Results headers; unreadable ones are skipped.
pub fn parse_authentication_results(values: &[&str]) -> Vec<AuthResult> {
    values.iter().filter_map(|v| parse_one(v)).collect()
}

/// Replaces comments with spaces and splits on `;` outside quoted strings; quotes removed.
fn split_statements(value: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        let Some(cur) = out.last_mut() else { break };
        if escaped {
            if depth == 0 {
                cur.push(c);
            }
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' if depth == 0 => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                cur.push(' ');
            }
            ';' if !quoted && depth == 0 => out.push(String::new()),
            _ if depth > 0 => {}
            _ => cur.push(c),
        }
    }
    out
}

fn parse_one(value: &str) -> Option<AuthResult> {
    let mut statements = split_statements(value).into_iter();
    let head = statements.next()?;
    let authserv_id = head.split_whitespace().next()?.to_ascii_lowercase();
    let mut result = AuthResult {
        authserv_id,
        ..AuthResult::default()
    };
    for statement in statements {
        let mut tokens = statement.split_whitespace();
        let Some((method, outcome)) = tokens.next().and_then(|t| t.split_once('=')) else {
            continue;
        };
        let method = method.split('/').next().unwrap_or("").to_ascii_lowercase();
        let outcome = outcome.to_ascii_lowercase();
        let props: Vec<(String, String)> = tokens
            .filter_map(|t| t.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect();
        let prop = |name: &str| props.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        match method.as_str() {
            "dkim" => {
                let domain = prop("header.d")
                    .map(str::to_string)
                    .or_else(|| prop("header.i").map(domain_of))
                    .unwrap_or_default();
                result.dkim.push((outcome, domain.to_ascii_lowercase()));
            }
            "spf" => {
                let domain = prop("smtp.mailfrom")
                    .map(domain_of)
                    .or_else(|| prop("smtp.helo").map(str::to_string))
                    .unwrap_or_default();
                result.spf.push((outcome, domain.to_ascii_lowercase()));
            }
            "dmarc" => result.dmarc = Some(outcome),
            _ => {}
        }
    }
    Some(result)
}

/// The domain of an address, or the value itself when it has no `@`.
fn domain_of(value: &str) -> String {
    let v = value.trim().trim_matches(['<', '>']);
    v.rsplit_once('@').map_or(v, |(_, d)| d).to_string()
}

/// RFC 7489 §3.1 relaxed alignment, simplified: two domains are aligned when their last two
/// labels are equal (`mail.example.org` ~ `example.org`). Without the Public Suffix List
/// this wrongly aligns siblings under a two-label public suffix (`a.co.uk` ~ `b.co.uk`);
/// the caller should prefer DMARC's own verdict when present.
fn aligned(a: &str, b: &str) -> bool {
    let norm = |d: &str| d.trim().trim_end_matches('.').to_ascii_lowercase();
    let (a, b) = (norm(a), norm(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let org = |d: &str| {
        let labels: Vec<&str> = d.rsplit('.').take(2).collect();
        labels.join(".")
    };
    a == b || org(&a) == org(&b)
}

/// Whether a result written by `trusted_authserv_id` shows a DKIM pass with `header.d`
/// aligned with the From domain, or an SPF pass with an aligned `smtp.mailfrom` domain
/// (the DMARC identifier alignment rule, RFC 7489 §3.1). Results from any other
/// authserv-id are ignored: the sender could have written them (RFC 8601 §5).
pub fn authenticated_from(results: &[AuthResult], trusted_authserv_id: &str, from: &str) -> bool {
    let from_domain = domain_of(from);
    results
        .iter()
        .filter(|r| r.authserv_id.eq_ignore_ascii_case(trusted_authserv_id.trim()))
        .any(|r| {
            r.dkim.iter().any(|(res, d)| res == "pass" && aligned(d, &from_domain))
                || r.spf.iter().any(|(res, d)| res == "pass" && aligned(d, &from_domain))
        })
}
