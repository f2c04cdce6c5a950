//! The command line: accounts, keys, configuration checks, and clear errors for bad
//! configuration and damaged or newer stores.

mod common;

use common::*;

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failed(out: &std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "expected failure, got: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

#[test]
fn users_are_added_listed_and_can_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let out = ok(&cli(
        &data,
        &["user", "add", "Alice", "--email", "Alice@Example.org"],
        "s3cret\n",
    ));
    assert_eq!(out, "created user alice (organizer)\n");
    ok(&cli(&data, &["user", "add", "root", "--admin"], "pw\n"));
    let list = ok(&cli(&data, &["user", "list"], ""));
    assert_eq!(list, "alice\torganizer\talice@example.org\nroot\tadmin\t\n");

    let server = Server::start_in(&data, &[], &[]);
    assert_eq!(
        server
            .get("/api/v1/me", &[("Authorization", &basic("alice", "s3cret"))])
            .status,
        200
    );
    assert_eq!(
        server
            .get("/api/v1/me", &[("Authorization", &basic("ALICE", "s3cret"))])
            .status,
        200
    );
    assert_eq!(
        server
            .get("/api/v1/me", &[("Authorization", &basic("alice", "S3cret"))])
            .status,
        401
    );
}

#[test]
fn adding_a_user_twice_or_without_a_password_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&cli(&data, &["user", "add", "bob"], "pw\n"));
    let err = failed(&cli(&data, &["user", "add", "bob"], "pw\n"));
    assert!(err.contains("already exists"), "{err}");
    let err = failed(&cli(&data, &["user", "add", "carol"], ""));
    assert!(err.contains("no password on stdin"), "{err}");
    let err = failed(&cli(&data, &["user", "add", "../etc"], "pw\n"));
    assert!(err.contains("may only hold"), "{err}");
    let err = failed(&cli(&data, &["user", "add", "dave", "--email", "nope"], "pw\n"));
    assert!(err.contains("not a mail address"), "{err}");
}

#[test]
fn an_api_key_is_printed_once_and_works_as_bearer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&cli(&data, &["user", "add", "erin"], "pw\n"));
    let key = ok(&cli(&data, &["apikey", "create", "erin"], "")).trim().to_string();
    assert!(key.starts_with("cik_") && key.len() == 44, "{key}");
    let listed = ok(&cli(&data, &["apikey", "list", "erin"], ""));
    assert!(listed.contains(&key[..10]) && !listed.contains(&key), "{listed}");
    let err = failed(&cli(&data, &["apikey", "create", "nobody"], ""));
    assert!(err.contains("no user named nobody"), "{err}");

    let server = Server::start_in(&data, &[], &[]);
    let me = server.get("/api/v1/me", &[("Authorization", &format!("Bearer {key}"))]);
    assert_eq!(me.status, 200);
    assert!(me.text().contains("\"erin\""));
}

#[test]
fn a_password_change_ends_the_old_password() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&cli(&data, &["user", "add", "frank"], "old\n"));
    ok(&cli(&data, &["user", "passwd", "frank"], "new\n"));
    let server = Server::start_in(&data, &[], &[]);
    assert_eq!(
        server
            .get("/api/v1/me", &[("Authorization", &basic("frank", "old"))])
            .status,
        401
    );
    assert_eq!(
        server
            .get("/api/v1/me", &[("Authorization", &basic("frank", "new"))])
            .status,
        200
    );
}

#[test]
fn check_config_accepts_the_example_and_hides_secrets() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let out = std::process::Command::new(BIN)
        .args(["check-config", "--config", example])
        .env("CALINVITE_SMTP__USERNAME", "u")
        .env("CALINVITE_SMTP__PASSWORD", "hunter2")
        .output()
        .unwrap();
    let text = ok(&out);
    assert!(text.starts_with("# configuration is valid"), "{text}");
    assert!(!text.contains("hunter2") && text.contains("********"), "{text}");
    assert!(text.contains("listen = \"127.0.0.1:8080\""), "{text}");
}

#[test]
fn bad_configuration_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[smtp]\nsecurity = \"ssl\"\n").unwrap();
    let out = std::process::Command::new(BIN)
        .args(["check-config", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    let err = failed(&out);
    assert!(err.contains("smtp.security") && err.contains("ssl"), "{err}");

    let out = std::process::Command::new(BIN)
        .args(["serve", "--data"])
        .arg(dir.path())
        .env("CALINVITE_SMTP__PORT", "seventy")
        .output()
        .unwrap();
    let err = failed(&out);
    assert!(err.contains("CALINVITE_SMTP__PORT"), "{err}");

    let out = std::process::Command::new(BIN)
        .args(["serve", "--listen", "not-an-address", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = failed(&out);
    assert!(err.contains("server.listen"), "{err}");
}

#[test]
fn a_damaged_store_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("calinvite.redb"), vec![0x42u8; 8192]).unwrap();
    let err = failed(&cli(&data, &["user", "list"], ""));
    assert!(err.contains("damaged or not a calinvite store"), "{err}");
    assert!(err.contains("calinvite.redb"), "{err}");
}

#[test]
fn a_store_written_by_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&cli(&data, &["user", "add", "gina"], "pw\n"));
    calinvite_storage::RedbStore::write_schema_version_for_tests(&data.join("calinvite.redb"), 99).unwrap();
    let err = failed(&cli(&data, &["user", "list"], ""));
    assert!(
        err.contains("schema version 99") && err.contains("upgrade calinvite"),
        "{err}"
    );
}

#[test]
fn a_store_in_use_by_a_running_server_is_named_as_such() {
    let server = Server::demo();
    let err = failed(&cli(&server.data, &["user", "list"], ""));
    assert!(err.contains("in use"), "{err}");
}
