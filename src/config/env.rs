//! Environment overrides: `CALINVITE_SECTION__KEY=value` sets `[section] key`.
//!
//! The value is read as the type the key has in the defaults, not guessed from its text:
//! `CALINVITE_SMTP__PASSWORD=1234` stays a string, `CALINVITE_SMTP__PORT=x` is an error
//! that names the variable. Variables without `__` (such as `CALINVITE_CONFIG`) are not
//! configuration keys and are left to the command line.

use super::{Config, ConfigError};

const PREFIX: &str = "CALINVITE_";

pub(super) fn apply(
    table: &mut toml::Table,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    let defaults = match toml::Value::try_from(Config::default()) {
        Ok(toml::Value::Table(t)) => t,
        _ => return Err(ConfigError::invalid("(defaults)", "cannot represent the defaults")),
    };
    let mut vars: Vec<(String, String)> = vars
        .into_iter()
        .filter(|(k, _)| k.starts_with(PREFIX) && k.contains("__"))
        .collect();
    vars.sort();
    for (var, raw) in vars {
        let rest = &var[PREFIX.len()..];
        let Some((section, key)) = rest.split_once("__") else {
            continue;
        };
        let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
        let err = |message: String| ConfigError::Env {
            var: var.clone(),
            message,
        };
        let Some(toml::Value::Table(default_section)) = defaults.get(&section) else {
            return Err(err(format!("there is no configuration section [{section}]")));
        };
        let Some(default_value) = default_section.get(&key) else {
            return Err(err(format!("there is no key `{key}` in section [{section}]")));
        };
        let value = typed(default_value, &raw).map_err(err)?;
        let entry = table
            .entry(section.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        match entry {
            toml::Value::Table(t) => {
                t.insert(key, value);
            }
            _ => return Err(err(format!("[{section}] in the configuration file is not a section"))),
        }
    }
    Ok(())
}

fn typed(like: &toml::Value, raw: &str) -> Result<toml::Value, String> {
    let raw = raw.trim();
    Ok(match like {
        toml::Value::String(_) => toml::Value::String(raw.to_string()),
        toml::Value::Integer(_) => {
            toml::Value::Integer(raw.parse().map_err(|_| format!("`{raw}` is not a whole number"))?)
        }
        toml::Value::Float(_) => toml::Value::Float(raw.parse().map_err(|_| format!("`{raw}` is not a number"))?),
        toml::Value::Boolean(_) => match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => toml::Value::Boolean(true),
            "false" | "0" | "no" | "off" => toml::Value::Boolean(false),
            _ => return Err(format!("`{raw}` is not true or false")),
        },
        toml::Value::Array(_) => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_string()))
                .collect(),
        ),
        toml::Value::Datetime(_) | toml::Value::Table(_) => {
            return Err("this key cannot be set from the environment".into());
        }
    })
}
