use super::*;

fn vars(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calinvite.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn no_file_and_no_variables_give_the_documented_defaults() {
    let c = Config::load(None, vars(&[])).unwrap();
    assert_eq!(c, Config::default());
    assert_eq!(c.server.listen, "127.0.0.1:8080");
    assert_eq!(c.server.data_dir, std::path::PathBuf::from("./data"));
    assert_eq!(c.public_url(), "http://127.0.0.1:8080");
}

#[test]
fn an_environment_variable_sets_a_key_with_the_keys_type() {
    let c = Config::load(
        None,
        vars(&[
            ("CALINVITE_SMTP__PORT", "2525"),
            ("CALINVITE_SMTP__HOST", "mail.example.org"),
            ("CALINVITE_SMTP__USERNAME", "u"),
            ("CALINVITE_SMTP__PASSWORD", "1234"),
            ("CALINVITE_MAIL__FROM", "events@example.org"),
        ]),
    )
    .unwrap();
    assert_eq!(c.smtp.port, 2525);
    assert_eq!(c.smtp.host, "mail.example.org");
    assert_eq!(c.smtp.password, "1234", "a numeric password stays a string");
    assert_eq!(c.mail.from, "events@example.org");
}

#[test]
fn the_environment_wins_over_the_file() {
    let (_d, path) = write("[smtp]\nport = 587\nhost = \"a\"\n");
    let c = Config::load(Some(&path), vars(&[("CALINVITE_SMTP__PORT", "2525")])).unwrap();
    assert_eq!(c.smtp.port, 2525);
    assert_eq!(c.smtp.host, "a");
}

#[test]
fn unrelated_variables_are_ignored() {
    let c = Config::load(None, vars(&[("CALINVITE_CONFIG", "/x"), ("HOME", "/root")])).unwrap();
    assert_eq!(c, Config::default());
}

#[test]
fn a_bad_environment_value_names_the_variable() {
    let e = Config::load(None, vars(&[("CALINVITE_SMTP__PORT", "abc")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("CALINVITE_SMTP__PORT") && e.contains("abc"), "{e}");
    let e = Config::load(None, vars(&[("CALINVITE_SMTP__PROT", "1")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("CALINVITE_SMTP__PROT") && e.contains("prot"), "{e}");
    let e = Config::load(None, vars(&[("CALINVITE_NOPE__X", "1")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("[nope]"), "{e}");
}

#[test]
fn an_unknown_key_in_the_file_names_the_file_and_key() {
    let (_d, path) = write("[smtp]\nprot = 25\n");
    let e = Config::load(Some(&path), vars(&[])).unwrap_err().to_string();
    assert!(e.contains("calinvite.toml") && e.contains("prot"), "{e}");
}

#[test]
fn a_file_that_is_not_toml_is_a_parse_error() {
    let (_d, path) = write("[smtp\nport = ");
    let e = Config::load(Some(&path), vars(&[])).unwrap_err();
    assert!(matches!(e, ConfigError::Parse { .. }), "{e}");
}

#[test]
fn a_missing_file_is_a_read_error() {
    let e = Config::load(Some(std::path::Path::new("/nonexistent/calinvite.toml")), vars(&[])).unwrap_err();
    assert!(matches!(e, ConfigError::Read { .. }), "{e}");
}

#[test]
fn invalid_values_name_their_key() {
    let cases: &[(&str, &str)] = &[
        ("[server]\nlisten = \"nowhere\"\n", "server.listen"),
        ("[smtp]\nsecurity = \"ssl\"\n", "smtp.security"),
        ("[smtp]\nmax_connections = 0\n", "smtp.max_connections"),
        ("[smtp]\nusername = \"u\"\n", "smtp.password"),
        ("[mail]\nfrom = \"not-an-address\"\n", "mail.from"),
        ("[imap]\nsecurity = \"maybe\"\n", "imap.security"),
        ("[imap]\nhost = \"imap.example.org\"\n", "imap.username"),
        ("[lmtp]\nlisten = \"x\"\n", "lmtp.listen"),
        ("[imap]\nidle_seconds = 1800\n", "imap.idle_seconds"),
        ("[imap]\npoll_seconds = 0\n", "imap.poll_seconds"),
        (
            "[imap]\nprocessed_mailbox = \"Erledigt\u{e4}\"\n",
            "imap.processed_mailbox",
        ),
        ("[imap]\nca_file = \"/nonexistent/ca.pem\"\n", "imap.ca_file"),
        ("[server]\ntls_cert = \"/nonexistent.pem\"\n", "server.tls_key"),
        (
            "[server]\ntls_cert = \"/nonexistent.pem\"\ntls_key = \"/nonexistent.key\"\n",
            "server.tls_cert",
        ),
        ("[server]\npublic_url = \"example.org\"\n", "server.public_url"),
        ("[server]\nlog_format = \"xml\"\n", "server.log_format"),
        ("[limits]\nmax_instances = 0\n", "limits.max_instances"),
        ("[webhooks]\nretry_base_seconds = 0\n", "webhooks.retry_base_seconds"),
        ("[webhooks]\nmax_attempts = 0\n", "webhooks.max_attempts"),
        ("[webhooks]\ntimeout_seconds = 0\n", "webhooks.timeout_seconds"),
    ];
    for (text, key) in cases {
        let (_d, path) = write(text);
        let e = Config::load(Some(&path), vars(&[])).unwrap_err().to_string();
        assert!(e.contains(key), "{text:?} should name {key}: {e}");
    }
}

#[test]
fn the_example_file_documents_every_key_with_its_default() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml")).unwrap();
    // The example, with every commented `# key = value` line uncommented, equals the defaults.
    let uncommented: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.contains(" = ") && !rest.starts_with(' ') => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let parsed: Config = toml::from_str(&uncommented).unwrap();
    assert_eq!(parsed, Config::default());
    let defaults = toml::Value::try_from(Config::default()).unwrap();
    let toml::Value::Table(sections) = defaults else {
        panic!()
    };
    for (section, keys) in sections {
        assert!(
            text.contains(&format!("[{section}]")),
            "section [{section}] undocumented"
        );
        let toml::Value::Table(keys) = keys else { panic!() };
        for key in keys.keys() {
            assert!(
                text.contains(&format!("# {key} = ")),
                "key {section}.{key} undocumented"
            );
        }
    }
}
