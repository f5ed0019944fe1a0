//! ktera's values against the real Helm: each case in tests/fixtures/helm-values/ holds the
//! chart defaults, the helm arguments, and what Helm 3 printed for `{{ toJson .Values }}`
//! (expected.json) or that it refused (helm-error.txt); see scripts/gen-helm-values-fixtures.
//!
//! Where ktera deliberately differs, the case also holds a WHY file and what ktera gives
//! instead (ktera-expected.json, or ktera-error.txt with lines its message must contain); the
//! test checks that ktera gives that and that Helm really does differ, so the documented
//! difference stays true. A ktera-error.txt in a case Helm also refuses checks the message.

use std::fs;
use std::path::{Path, PathBuf};

use ktera::error::Error;
use ktera::values::{self, ValueSources};
use serde_json::Value as Json;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helm-values")
}

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(fixtures())
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn read(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok()
}

/// The helm arguments of a case as value sources, paths made relative to the case directory.
fn sources(dir: &Path) -> Result<ValueSources, String> {
    let text = read(&dir.join("args")).ok_or("no args file")?;
    let mut args = text.lines();
    let mut sources = ValueSources::default();
    let in_dir = |path: &str| dir.join(path).display().to_string();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} has no value"))?;
        match flag {
            "-f" | "--values" if value == "-" => sources.files.push(value.to_string()),
            "-f" | "--values" => sources.files.push(in_dir(value)),
            "--set" => sources.set.push(value.to_string()),
            "--set-string" => sources.set_string.push(value.to_string()),
            "--set-json" => sources.set_json.push(value.to_string()),
            // key=path,key=path (the fixtures use no escapes here)
            "--set-file" => sources.set_file.push(
                value
                    .split(',')
                    .map(|item| match item.split_once('=') {
                        Some((key, path)) => format!("{key}={}", in_dir(path)),
                        None => item.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(sources)
}

fn run(dir: &Path) -> Result<Result<Json, Error>, String> {
    let defaults_path = dir.join("chart-values.yaml");
    let defaults = match read(&defaults_path) {
        Some(text) => match values::parse_values(&text, "chart-values.yaml") {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        },
        None => serde_yaml::Value::Null,
    };
    let sources = sources(dir)?;
    let stdin = read(&dir.join("stdin.yaml")).unwrap_or_default();
    let resolved = values::resolve(defaults, &sources, &mut stdin.as_bytes());
    Ok(match resolved {
        Ok(v) => Ok(serde_json::to_value(&v).map_err(|e| format!("values are not JSON: {e}"))?),
        Err(e) => Err(e),
    })
}

fn json(path: &Path) -> Result<Option<Json>, String> {
    match read(path) {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
    }
}

/// Checks one case; Ok(true) if it is a deliberate difference from Helm.
fn check(dir: &Path) -> Result<bool, String> {
    let helm = json(&dir.join("expected.json"))?;
    let helm_refused = dir.join("helm-error.txt").exists();
    if helm.is_none() && !helm_refused {
        return Err(
            "neither expected.json nor helm-error.txt: run scripts/gen-helm-values-fixtures".into(),
        );
    }
    let ours = json(&dir.join("ktera-expected.json"))?;
    let our_error = read(&dir.join("ktera-error.txt"));
    let result = run(dir)?;

    let differs = match (&result, &ours, &our_error) {
        (Ok(got), Some(want), _) => {
            if got != want {
                return Err(format!("ktera gave {got}\nktera-expected.json says {want}"));
            }
            if helm.as_ref() == Some(want) {
                return Err(
                    "ktera-expected.json equals Helm's output: the difference is gone".into(),
                );
            }
            true
        }
        (Err(e), Some(_), _) => return Err(format!("ktera failed: {e}")),
        (Err(e), None, Some(lines)) => {
            let message = e.to_string();
            for line in lines.lines().filter(|l| !l.trim().is_empty()) {
                if !message.contains(line) {
                    return Err(format!("the error lacks {line:?}:\n{message}"));
                }
            }
            helm.is_some()
        }
        (Err(e), None, None) if helm_refused => {
            let _ = e;
            false
        }
        (Err(e), None, None) => return Err(format!("ktera failed where Helm did not: {e}")),
        (Ok(got), None, Some(_)) => return Err(format!("ktera should have failed, gave {got}")),
        (Ok(got), None, None) => match &helm {
            Some(want) if got == want => false,
            Some(want) => return Err(format!("ktera gave {got}\nHelm gave     {want}")),
            None => return Err(format!("Helm refused this, ktera gave {got}")),
        },
    };
    let why = read(&dir.join("WHY")).is_some_and(|t| !t.trim().is_empty());
    match (differs, why) {
        (true, false) => Err("differs from Helm but has no WHY file".into()),
        (false, true) => Err("has a WHY file but agrees with Helm".into()),
        _ => Ok(differs),
    }
}

#[test]
fn values_match_helm_or_differ_as_documented() {
    let cases = cases();
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    let mut failures = Vec::new();
    let mut differences = Vec::new();
    for dir in &cases {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match check(dir) {
            Ok(true) => differences.push(name),
            Ok(false) => {}
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    // The documented table lists every deliberate difference.
    let doc =
        read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/values.md")).unwrap_or_default();
    let undocumented: Vec<_> = differences
        .iter()
        .filter(|d| !doc.contains(&format!("`{d}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "docs/values.md does not list {undocumented:?}"
    );
}

#[test]
fn stdin_is_read_once() {
    let sources = ValueSources {
        files: vec!["-".into(), "-".into()],
        ..Default::default()
    };
    let result = values::resolve(serde_yaml::Value::Null, &sources, &mut "a: 1".as_bytes());
    let message = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("more than once"), "{message}");
}

#[test]
fn set_file_dash_reads_stdin() {
    let sources = ValueSources {
        set_file: vec!["cert=-".into()],
        ..Default::default()
    };
    let result = values::resolve(serde_yaml::Value::Null, &sources, &mut "PEM\n".as_bytes());
    let value = result.map_err(|e| e.to_string());
    assert_eq!(
        value
            .ok()
            .and_then(|v| v["cert"].as_str().map(String::from))
            .as_deref(),
        Some("PEM\n")
    );
}

#[test]
fn missing_values_file_is_named() {
    let sources = ValueSources {
        files: vec!["/nonexistent/prod.yaml".into()],
        ..Default::default()
    };
    let result = values::resolve(serde_yaml::Value::Null, &sources, &mut std::io::empty());
    let message = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.starts_with("cannot read values file /nonexistent/prod.yaml"),
        "{message}"
    );
}
