//! `Chart.lock`: the exact versions `dependency update` chose for `Chart.yaml`'s
//! `dependencies`, and Helm's digest of both (`resolver.HashReq` in Helm 3: SHA-256 of Go's
//! JSON encoding of `[requirements, locked]`), which tells `dependency build` whether the lock
//! is still that of the requirements. Written as Helm writes it, so Helm and ktera share it,
//! plus one field Helm reads past: each fetched archive's own `digest` (SHA-256 of the `.tgz`),
//! so that `dependency build` gets the very bytes `update` got, not merely the same version
//! number (a tag moved in a registry, an archive republished in a repository).

use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;
use serde_yaml::Value;

use crate::error::Error;
use crate::json::write_go_string;

/// One locked dependency: where it comes from and the exact version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Locked {
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub repository: String,
    /// `sha256:` and the hex SHA-256 of the archive `update` fetched; empty for a `file://` or
    /// vendored chart (read live, as Helm does) and in Helm's own locks. Not in Helm's digest:
    /// Helm's `chart.Dependency` has no such field, so Helm drops it when it reads the lock.
    #[serde(default)]
    pub digest: String,
}

/// `Chart.lock`.
#[derive(Debug, Clone, Deserialize)]
pub struct Lock {
    /// When it was written (RFC 3339), as Helm keeps it; not part of the digest.
    #[serde(default)]
    pub generated: Value,
    pub digest: String,
    #[serde(default)]
    pub dependencies: Vec<Locked>,
}

impl Lock {
    /// Reads `path`; `None` when there is no lock file.
    pub fn read(path: &Path) -> Result<Option<Lock>, Error> {
        if !path.exists() {
            return Ok(None);
        }
        let text = super::read_text(path)?;
        serde_yaml::from_str(&text).map(Some).map_err(|e| {
            let (line, column) =
                crate::diagnostic::yaml_error_location(&text, &e).unwrap_or((1, 1));
            Error::input(format!(
                "not a Chart.lock: {}",
                crate::diagnostic::yaml_error_message(&e)
            ))
            .in_text(path.display().to_string(), &text, line, column)
            .with_hint("run `ktera dependency update` to write it anew")
        })
    }

    /// The file's text: keys in the order Helm writes them (sorted), `generated` quoted.
    pub fn to_yaml(&self) -> String {
        let mut out = String::from("dependencies:\n");
        for d in &self.dependencies {
            let _ = writeln!(out, "- name: {}", scalar(&d.name));
            let _ = writeln!(out, "  repository: {}", scalar(&d.repository));
            let _ = writeln!(out, "  version: {}", scalar(&d.version));
            if !d.digest.is_empty() {
                let _ = writeln!(out, "  digest: {}", scalar(&d.digest));
            }
        }
        let generated = match &self.generated {
            Value::String(s) => s.as_str(),
            _ => "",
        };
        let _ = writeln!(out, "digest: {}", scalar(&self.digest));
        // Double-quoted as Helm writes it, escaped: a lock edited by hand keeps what it says.
        let _ = writeln!(out, "generated: {}", crate::yaml::double_quoted(generated));
        out
    }
}

/// A YAML scalar that reads back as the same string (an empty one as `""`): plain where Helm
/// writes it plain (`0.1.5`, `https://...`, `sha256:...`), else quoted as the emitter quotes.
fn scalar(s: &str) -> String {
    if s.is_empty() {
        return "\"\"".into();
    }
    let plain_characters = s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/:@+-".contains(c))
        && !s.contains(": ");
    let reads_back = matches!(
        serde_yaml::from_str::<Value>(s),
        Ok(Value::String(ref read)) if read == s
    );
    if plain_characters && reads_back && crate::yaml::quote_scalar_if_needed(s) == s {
        return s.to_string();
    }
    if plain_characters && reads_back && semver::Version::parse(s).is_ok() {
        return s.to_string();
    }
    crate::yaml::quote_scalar_if_needed(s).into_owned()
}

/// Helm's `HashReq(requirements, locked)`: `sha256:` and the hex SHA-256 of Go's JSON encoding
/// of `[requirements, locked]`. `requirements` is `Chart.yaml`'s `dependencies` as written
/// (a sequence of mappings; `None` when the key is absent), with `@name` repositories already
/// replaced by their URLs, as Helm replaces them before hashing.
pub fn digest(requirements: Option<&[Value]>, locked: &[Locked]) -> String {
    let mut json = String::from("[");
    match requirements {
        None => json.push_str("null"),
        Some(reqs) => {
            json.push('[');
            for (i, req) in reqs.iter().enumerate() {
                if i > 0 {
                    json.push(',');
                }
                requirement_json(req, &mut json);
            }
            json.push(']');
        }
    }
    json.push_str(",[");
    for (i, l) in locked.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str("{\"name\":");
        write_go_string(&sanitize(&l.name), &mut json);
        if !l.version.is_empty() {
            json.push_str(",\"version\":");
            write_go_string(&sanitize(&l.version), &mut json);
        }
        json.push_str(",\"repository\":");
        write_go_string(&sanitize(&l.repository), &mut json);
        json.push('}');
    }
    json.push_str("]]");
    format!("sha256:{}", crate::remote::sha256_hex(json.as_bytes()))
}

/// One `chart.Dependency` as Go encodes it: fields in the struct's order, empty ones left out
/// (`omitempty`) but for `name` and `repository`.
fn requirement_json(req: &Value, out: &mut String) {
    let field = |key: &str| req.get(key).and_then(scalar_text).map(|s| sanitize(&s));
    out.push_str("{\"name\":");
    write_go_string(&field("name").unwrap_or_default(), out);
    if let Some(version) = field("version").filter(|v| !v.is_empty()) {
        out.push_str(",\"version\":");
        write_go_string(&version, out);
    }
    out.push_str(",\"repository\":");
    write_go_string(&field("repository").unwrap_or_default(), out);
    if let Some(condition) = field("condition").filter(|v| !v.is_empty()) {
        out.push_str(",\"condition\":");
        write_go_string(&condition, out);
    }
    if let Some(Value::Sequence(tags)) = req.get("tags")
        && !tags.is_empty()
    {
        out.push_str(",\"tags\":[");
        for (i, tag) in tags.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_go_string(&sanitize(&scalar_text(tag).unwrap_or_default()), out);
        }
        out.push(']');
    }
    if let Some(Value::Bool(true)) = req.get("enabled") {
        out.push_str(",\"enabled\":true");
    }
    if let Some(Value::Sequence(imports)) = req.get("import-values")
        && !imports.is_empty()
    {
        out.push_str(",\"import-values\":");
        go_json(&Value::Sequence(imports.clone()), out);
    }
    if let Some(alias) = field("alias").filter(|v| !v.is_empty()) {
        out.push_str(",\"alias\":");
        write_go_string(&alias, out);
    }
    out.push('}');
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Helm's `sanitizeString` (run on these fields when a chart loads): white space becomes a
/// space, other characters that do not print are dropped.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// Go's `encoding/json` for a value decoded from YAML: maps with their keys sorted.
fn go_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_go_string(s, out),
        Value::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(item, out);
            }
            out.push(']');
        }
        Value::Mapping(map) => {
            let mut entries: Vec<(String, &Value)> = map
                .iter()
                .map(|(k, v)| (scalar_text(k).unwrap_or_default(), v))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_string(key, out);
                out.push(':');
                go_json(item, out);
            }
            out.push('}');
        }
        Value::Tagged(tagged) => go_json(&tagged.value, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_reads_back_as_written() {
        for generated in [
            "2026-12-07T04:00:00.123456789Z",
            "edited \"by hand\" \\ here",
            "line\nbreak",
            "",
        ] {
            let lock = Lock {
                generated: Value::from(generated),
                digest: "sha256:00".into(),
                dependencies: Vec::new(),
            };
            let text = lock.to_yaml();
            let read: Result<Lock, _> = serde_yaml::from_str(&text);
            assert_eq!(
                read.ok().map(|l| l.generated),
                Some(Value::from(generated)),
                "{text}"
            );
        }
        let helms = Lock {
            generated: Value::from("2026-12-07T04:00:00.123Z"),
            digest: "sha256:00".into(),
            dependencies: Vec::new(),
        };
        assert!(
            helms
                .to_yaml()
                .ends_with("generated: \"2026-12-07T04:00:00.123Z\"\n")
        );
    }

    #[test]
    fn go_escapes_html_characters_in_strings() {
        let mut out = String::new();
        write_go_string(">=1.0.0 <2 & \"x\"\n", &mut out);
        assert_eq!(out, r#""\u003e=1.0.0 \u003c2 \u0026 \"x\"\n""#);
    }

    #[test]
    fn requirements_encode_as_go_structs() {
        let req: Value = serde_yaml::from_str(
            "{name: a, version: ~1.2, repository: 'file://../a', condition: a.enabled, tags: [x], alias: b, import-values: [{parent: p, child: c}, d]}",
        )
        .unwrap_or_default();
        let mut out = String::new();
        requirement_json(&req, &mut out);
        assert_eq!(
            out,
            r#"{"name":"a","version":"~1.2","repository":"file://../a","condition":"a.enabled","tags":["x"],"import-values":[{"child":"c","parent":"p"},"d"],"alias":"b"}"#
        );
    }
}
