//! HTTPS by rustls when a certificate and key are configured, checked with independent
//! tools: openssl makes the certificate, curl verifies it and talks HTTP/1.1 and HTTP/2.

mod common;

use common::*;
use std::process::Command;

fn make_certificate(dir: &std::path::Path) -> (String, String) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl is installed by conformance/setup.sh");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    (cert.display().to_string(), key.display().to_string())
}

fn curl(args: &[&str]) -> (String, String) {
    let out = Command::new("curl")
        .args(args)
        .output()
        .expect("curl is installed by conformance/setup.sh");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn https_is_served_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = make_certificate(dir.path());
    let server = Server::start(
        &["--demo"],
        &[
            ("CALINVITE_SERVER__TLS_CERT", &cert),
            ("CALINVITE_SERVER__TLS_KEY", &key),
        ],
    );
    let url = format!("https://{}/api/v1/me", server.addr);
    for version in ["--http1.1", "--http2"] {
        let (body, err) = curl(&["-s", "--fail", version, "--cacert", &cert, "-u", "demo:demo", &url]);
        assert!(body.contains("\"name\":\"demo\""), "{version}: {body} {err}");
    }
    // Plain HTTP on the TLS port gets no answer.
    let plain = try_request(server.addr, "GET", "/healthz", &[], b"");
    assert!(plain.is_err() || plain.is_ok_and(|r| r.status != 200));
}

#[test]
fn a_certificate_that_is_not_pem_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, "not a certificate").unwrap();
    std::fs::write(&key, "not a key").unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path().join("d"))
        .env("CALINVITE_SERVER__TLS_CERT", &cert)
        .env("CALINVITE_SERVER__TLS_KEY", &key)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("server.tls_cert") && !err.contains("panicked"), "{err}");
}
