//! Credentials where Helm users keep them, read and never printed:
//! - for OCI registries: `--username`/`--password` of `pull` and `push` (or
//!   `KTERA_REGISTRY_USERNAME` and `KTERA_REGISTRY_PASSWORD`) for the registry they name
//!   (see [`super::Explicit`]), else Helm's registry config (`$HELM_REGISTRY_CONFIG`, default
//!   `~/.config/helm/registry/config.json`, what `helm registry login` writes), else Docker's
//!   (`$DOCKER_CONFIG/config.json`, default `~/.docker/config.json`): their `auths` entries and
//!   credential helpers (`credHelpers`, `credsStore`);
//! - for chart repositories: the `username`/`password` of a repository in Helm's repositories
//!   file (`$HELM_REPOSITORY_CONFIG`, default `~/.config/helm/repositories.yaml`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::Deserialize;

use crate::error::Error;

/// A user name and its secret. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

/// Helm's configuration directory: `$HELM_CONFIG_HOME`, else `$XDG_CONFIG_HOME/helm`, else
/// `~/.config/helm`.
fn helm_config_home() -> Option<PathBuf> {
    if let Some(dir) = non_empty_env("HELM_CONFIG_HOME") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = non_empty_env("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(dir).join("helm"));
    }
    home().map(|h| h.join(".config").join("helm"))
}

fn home() -> Option<PathBuf> {
    non_empty_env("HOME").map(PathBuf::from)
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Helm's registry config file: the flag, else `$HELM_REGISTRY_CONFIG`, else the default.
pub fn registry_config_path(flag: Option<&Path>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(|| non_empty_env("HELM_REGISTRY_CONFIG").map(PathBuf::from))
        .or_else(|| helm_config_home().map(|d| d.join("registry").join("config.json")))
}

/// Helm's repositories file: the flag, else `$HELM_REPOSITORY_CONFIG`, else the default.
pub fn repository_config_path(flag: Option<&Path>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(|| non_empty_env("HELM_REPOSITORY_CONFIG").map(PathBuf::from))
        .or_else(|| helm_config_home().map(|d| d.join("repositories.yaml")))
}

fn docker_config_path() -> Option<PathBuf> {
    non_empty_env("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".docker")))
        .map(|d| d.join("config.json"))
}

/// A Docker-style config file (`config.json`), as far as credentials go.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// The credentials for the registry `host` (`host:port`): `explicit` (the command line's, when
/// they are for this host), else Helm's registry config, else Docker's. `None` means anonymous.
pub fn for_registry(
    host: &str,
    explicit: Option<Credentials>,
    registry_config: Option<&Path>,
) -> Result<Option<Credentials>, Error> {
    if explicit.is_some() {
        return Ok(explicit);
    }
    for path in [registry_config_path(registry_config), docker_config_path()]
        .into_iter()
        .flatten()
    {
        if let Some(found) = from_docker_config(&path, host)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

fn from_docker_config(path: &Path, host: &str) -> Result<Option<Credentials>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(
                Error::io(format!("cannot read: {e}"), e).in_file(path.display().to_string())
            );
        }
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    let config: DockerConfig = serde_json::from_str(&text).map_err(|e| {
        Error::input(format!(
            "not a registry config file (Docker's config.json format): {}",
            without_values(&e.to_string())
        ))
        .in_file(path.display().to_string())
    })?;
    let keys = [
        host.to_string(),
        format!("https://{host}"),
        format!("http://{host}"),
        format!("https://{host}/v1/"),
        format!("https://{host}/v2/"),
    ];
    if let Some(helper) = config.cred_helpers.get(host) {
        return from_helper(helper, host);
    }
    if let Some(entry) = keys.iter().find_map(|k| config.auths.get(k))
        && let Some(found) = decode_entry(entry, path, host)?
    {
        return Ok(Some(found));
    }
    match &config.creds_store {
        Some(store) if !store.is_empty() => from_helper(store, host),
        _ => Ok(None),
    }
}

fn decode_entry(entry: &AuthEntry, path: &Path, host: &str) -> Result<Option<Credentials>, Error> {
    if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
        return Ok(Some(Credentials {
            username: username.clone(),
            password: password.clone(),
        }));
    }
    let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    let malformed = || {
        Error::input(format!(
            "the `auth` of `{host}` is not base64 of `user:password`"
        ))
        .in_file(path.display().to_string())
        .with_hint("log in again with `helm registry login`")
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (username, password) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok(Some(Credentials {
        username: username.to_string(),
        password: password.to_string(),
    }))
}

/// Asks a Docker credential helper (`docker-credential-<name> get`, the host on standard
/// input, a JSON answer).
fn from_helper(name: &str, host: &str) -> Result<Option<Credentials>, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Answer {
        username: String,
        secret: String,
    }
    let program = format!("docker-credential-{name}");
    let child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            return Err(Error::io(
                format!(
                    "the credential helper `{program}` named in the Docker config cannot run: {e}"
                ),
                e,
            ));
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(host.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| Error::io(format!("the credential helper `{program}` failed: {e}"), e))?;
    if !output.status.success() {
        // "credentials not found in native keychain": anonymous, as Docker takes it.
        return Ok(None);
    }
    let answer: Answer = serde_json::from_slice(&output.stdout).map_err(|_| {
        Error::input(format!(
            "the credential helper `{program}` answered something other than its JSON"
        ))
    })?;
    Ok(Some(Credentials {
        username: answer.username,
        password: answer.secret,
    }))
}

/// One entry of Helm's repositories file. `Debug` hides the password.
#[derive(Clone, Default, Deserialize)]
pub struct RepositoryEntry {
    pub name: String,
    pub url: String,
    #[serde(default, deserialize_with = "scalar_as_string")]
    pub username: String,
    #[serde(default, deserialize_with = "scalar_as_string")]
    pub password: String,
    #[serde(default)]
    pub pass_credentials_all: bool,
}

impl std::fmt::Debug for RepositoryEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RepositoryEntry({}, {}, {}, ***)",
            self.name, self.url, self.username
        )
    }
}

impl RepositoryEntry {
    pub fn credentials(&self) -> Option<Credentials> {
        (!self.username.is_empty()).then(|| Credentials {
            username: self.username.clone(),
            password: self.password.clone(),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
struct RepositoryFile {
    #[serde(default)]
    repositories: Vec<RepositoryEntry>,
}

/// The repositories of Helm's repositories file (none when it does not exist).
pub fn repositories(flag: Option<&Path>) -> Result<Vec<RepositoryEntry>, Error> {
    let Some(path) = repository_config_path(flag) else {
        return Ok(Vec::new());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(
                Error::io(format!("cannot read: {e}"), e).in_file(path.display().to_string())
            );
        }
    };
    let file: RepositoryFile = serde_yaml::from_str(&text).map_err(|e| {
        let error = Error::input(format!(
            "not a Helm repositories file: {}",
            without_values(&crate::diagnostic::yaml_error_message(&e))
        ));
        // The place, without the snippet: the line may hold a password.
        match e.location() {
            Some(l) => error
                .in_text(path.display().to_string(), &text, l.line(), l.column())
                .with_snippet(""),
            None => error.in_file(path.display().to_string()),
        }
    })?;
    Ok(file.repositories)
}

/// A serde message without the values it quotes (`invalid type: string "hunter2", expected a
/// sequence` -> `invalid type: string, expected a sequence`): a credentials file's values may
/// be secrets, and no error shows them.
fn without_values(message: &str) -> String {
    static QUOTED: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"\s*(?:`[^`]*`|"(?:[^"\\]|\\.)*"|'[^']*')"#).ok()
    });
    match QUOTED.as_ref() {
        Some(quoted) => quoted.replace_all(message, "").into_owned(),
        None => "(the message is left out: it might show a secret)".into(),
    }
}

/// A scalar as text, as Go's YAML reads one into a string field: `password: 12345` is the
/// password `12345`, as Helm takes it.
fn scalar_as_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_yaml::Value::deserialize(d)? {
        serde_yaml::Value::String(s) => Ok(s),
        serde_yaml::Value::Number(n) => Ok(n.to_string()),
        serde_yaml::Value::Bool(b) => Ok(b.to_string()),
        serde_yaml::Value::Null => Ok(String::new()),
        _ => Err(serde::de::Error::custom("expected a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_credentials_file_is_named_but_its_values_are_not_shown() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let repositories = dir.path().join("repositories.yaml");
        let _ = std::fs::write(&repositories, "repositories: \"hunter2-secret\"\n");
        let Err(error) = self::repositories(Some(&repositories)) else {
            panic!("a string is no list of repositories");
        };
        let shown = error.report();
        assert!(shown.contains("repositories.yaml:1:"), "{shown}");
        assert!(
            shown.contains("invalid type: string, expected a sequence"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2"), "{shown}");

        let config = dir.path().join("config.json");
        let _ = std::fs::write(&config, r#"{"auths":{"h:5000":"c2VjcmV0LXBhc3M="}}"#);
        let Err(error) = from_docker_config(&config, "h:5000") else {
            panic!("an entry is an object");
        };
        let shown = error.report();
        assert!(shown.contains("invalid type: string"), "{shown}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
    }

    #[test]
    fn a_numeric_password_is_text_as_helm_reads_it() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let path = dir.path().join("repositories.yaml");
        let _ = std::fs::write(
            &path,
            "repositories:\n- name: r\n  url: https://charts.example.com\n  username: 42\n  password: 12345\n",
        );
        let found = self::repositories(Some(&path)).unwrap_or_default();
        assert_eq!(
            found.first().and_then(RepositoryEntry::credentials),
            Some(Credentials {
                username: "42".into(),
                password: "12345".into()
            })
        );
        assert!(!format!("{found:?}").contains("12345"));
    }

    #[test]
    fn reads_auths_as_helm_registry_login_writes_them() {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { return };
        let path = dir.path().join("config.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret");
        let _ = std::fs::write(
            &path,
            format!(r#"{{"auths":{{"127.0.0.1:5000":{{"auth":"{auth}"}}}}}}"#),
        );
        let found = from_docker_config(&path, "127.0.0.1:5000").ok().flatten();
        assert_eq!(
            found,
            Some(Credentials {
                username: "alice".into(),
                password: "s3cret".into()
            })
        );
        assert_eq!(format!("{found:?}"), "Some(Credentials(alice, ***))");
        assert_eq!(from_docker_config(&path, "other:5000").ok().flatten(), None);
    }
}
