//! Authentication-Results (RFC 8601): only our own MTA's verdicts count, and a pass only
//! authenticates the From address when its domain is aligned (RFC 7489 §3.1).

use calinvite_imip::inbound::{AuthResult, authenticated_from, parse_authentication_results, parse_message};

const TRUSTED: &str = "mx.calinvite.example";

fn results(values: &[&str]) -> Vec<AuthResult> {
    parse_authentication_results(values)
}

#[test]
fn an_aligned_dkim_pass_from_the_trusted_server_authenticates() {
    let r = results(&[
        "mx.calinvite.example; dkim=pass header.d=mail.example.org header.s=s1; spf=fail smtp.mailfrom=bounce@other.net; dmarc=pass header.from=example.org",
    ]);
    assert_eq!(r[0].authserv_id, TRUSTED);
    assert_eq!(r[0].dkim, vec![("pass".to_string(), "mail.example.org".to_string())]);
    assert_eq!(r[0].spf, vec![("fail".to_string(), "other.net".to_string())]);
    assert_eq!(r[0].dmarc.as_deref(), Some("pass"));
    assert!(authenticated_from(&r, TRUSTED, "Alice@Example.org"));
}

#[test]
fn a_pass_from_an_untrusted_authserv_id_is_ignored() {
    let r = results(&["forged.example; dkim=pass header.d=example.org; spf=pass smtp.mailfrom=a@example.org"]);
    assert!(!authenticated_from(&r, TRUSTED, "alice@example.org"));
}

#[test]
fn an_unaligned_spf_pass_does_not_authenticate() {
    let r = results(&["mx.calinvite.example; spf=pass smtp.mailfrom=bounces@sendgrid.net; dkim=none"]);
    assert!(!authenticated_from(&r, TRUSTED, "alice@example.org"));
    let r = results(&["mx.calinvite.example; spf=pass smtp.mailfrom=bounces@em.example.org"]);
    assert!(authenticated_from(&r, TRUSTED, "alice@example.org"));
}

#[test]
fn a_dkim_fail_does_not_authenticate() {
    let r = results(&["mx.calinvite.example; dkim=fail (bad signature) header.d=example.org"]);
    assert_eq!(r[0].dkim[0].0, "fail");
    assert!(!authenticated_from(&r, TRUSTED, "alice@example.org"));
}

#[test]
fn several_headers_are_read_and_the_trusted_one_decides() {
    let raw = "Authentication-Results: forged.example; dkim=pass header.d=evil.example\r\nAuthentication-Results: mx.calinvite.example;\r\n dkim=pass header.d=example.org;\r\n spf=neutral smtp.mailfrom=a@example.org\r\nFrom: Alice <alice@example.org>\r\nSubject: x\r\n\r\nbody\r\n";
    let inbound = parse_message(raw.as_bytes()).unwrap();
    assert_eq!(inbound.authentication_results.len(), 2);
    assert!(authenticated_from(
        &inbound.authentication_results,
        TRUSTED,
        "alice@example.org"
    ));
    assert!(!authenticated_from(
        &inbound.authentication_results,
        TRUSTED,
        "mallory@evil.example"
    ));
}

#[test]
fn comments_quoted_strings_and_versions_are_tolerated() {
    let r = results(&[
        "mx.calinvite.example 1 (Postfix; ok); dkim=pass (2048-bit key; unprotected) header.d=\"example.org\" header.i=@example.org (comment; with semicolon); spf=pass (sender SPF authorized) smtp.mailfrom=\"a@example.org\"; auth=pass smtp.auth=alice; iprev=pass policy.iprev=192.0.2.1",
    ]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].authserv_id, TRUSTED);
    assert_eq!(r[0].dkim, vec![("pass".to_string(), "example.org".to_string())]);
    assert_eq!(r[0].spf, vec![("pass".to_string(), "example.org".to_string())]);
    assert!(authenticated_from(&r, TRUSTED, "a@example.org"));
}

#[test]
fn a_none_result_has_no_methods() {
    let r = results(&["mx.calinvite.example; none"]);
    assert!(r[0].dkim.is_empty() && r[0].spf.is_empty() && r[0].dmarc.is_none());
    assert!(!authenticated_from(&r, TRUSTED, "a@example.org"));
}
