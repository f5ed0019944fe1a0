//! `ktera create`: the starter chart renders what Helm's own starter renders (fixtures recorded
//! from real Helm by `scripts/gen-create-fixtures`), lints clean with and without its optional
//! objects, reads back the same under PyYAML, and a failed create writes nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_yaml::Value;
use tempfile::TempDir;

use crate::common::ktera;

const OPTIONAL_ON: &str = "ingress.enabled=true,autoscaling.enabled=true";

/// `ktera create mychart` in a new temporary directory.
fn created() -> (TempDir, PathBuf) {
    let tmp = TempDir::new().expect("temp dir");
    let output = ktera()
        .current_dir(tmp.path())
        .args(["create", "mychart"])
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("ktera lint mychart --strict"),
        "says what to run next: {stdout}"
    );
    let dir = tmp.path().join("mychart");
    (tmp, dir)
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let output = ktera().current_dir(dir).args(args).output().expect("run");
    assert!(
        output.status.success(),
        "ktera {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// The documents of a stream with their `# Source:` templates.
fn documents(stream: &str) -> Vec<(String, Value)> {
    stream
        .split("\n---\n")
        .map(|doc| doc.trim_start_matches("---\n"))
        .filter(|doc| !doc.trim().is_empty())
        .map(|doc| {
            let source = doc
                .lines()
                .find_map(|line| line.strip_prefix("# Source: "))
                .expect("a # Source: line")
                .to_owned();
            let value = serde_yaml::from_str(doc).expect("a YAML document");
            (source, value)
        })
        .collect()
}

fn kind_and_name(value: &Value) -> (String, String) {
    let text = |v: &Value| v.as_str().expect("a string").to_owned();
    (text(&value["kind"]), text(&value["metadata"]["name"]))
}

/// Helm's starter runs `busybox` (which means :latest) in its test Pod, without resources;
/// ktera's pins the image and sets resources so that `lint --strict` passes. The rest is equal.
fn without_test_pod_pins(mut value: Value) -> Value {
    if value["kind"] == "Pod"
        && let Some(container) = value["spec"]["containers"][0].as_mapping_mut()
    {
        let image = container.remove("image").expect("an image");
        assert!(
            image.as_str().is_some_and(|i| i.starts_with("busybox")),
            "{image:?}"
        );
        container.remove("resources");
    }
    value
}

#[test]
fn the_starter_renders_what_helm_create_renders() {
    let (tmp, _) = created();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/create");
    for (fixture, set) in [
        ("default.yaml", None),
        ("ingress-autoscaling.yaml", Some(OPTIONAL_ON)),
    ] {
        let mut args = vec!["template", "mychart", "--release-service", "Helm"];
        if let Some(set) = set {
            args.extend(["--set", set]);
        }
        let ours = documents(&run_ok(tmp.path(), &args));
        let helms = documents(
            &fs::read_to_string(fixtures.join(fixture)).expect("run scripts/gen-create-fixtures"),
        );
        let names = |docs: &[(String, Value)]| -> Vec<(String, String, String)> {
            docs.iter()
                .map(|(source, v)| {
                    let (kind, name) = kind_and_name(v);
                    (source.clone(), kind, name)
                })
                .collect()
        };
        assert_eq!(names(&ours), names(&helms), "{fixture}: kinds and names");
        for ((source, ours), (_, helms)) in ours.into_iter().zip(helms) {
            assert_eq!(
                without_test_pod_pins(ours),
                without_test_pod_pins(helms),
                "{fixture}: {source}"
            );
        }
    }
}

#[test]
fn the_starter_lints_clean_with_and_without_its_options() {
    let (tmp, _) = created();
    for set in [None, Some(OPTIONAL_ON)] {
        let mut args = vec!["lint", "mychart", "--strict", "-o", "json"];
        if let Some(set) = set {
            args.extend(["--set", set]);
        }
        let report: serde_json::Value =
            serde_json::from_str(&run_ok(tmp.path(), &args)).expect("JSON");
        assert_eq!(report["findings"], serde_json::json!([]), "{set:?}");
    }
    let notes = run_ok(tmp.path(), &["template", "mychart", "--notes"]);
    assert!(
        notes.contains("kubectl --namespace default port-forward"),
        "{notes}"
    );
    let notes = run_ok(
        tmp.path(),
        &["template", "mychart", "--notes", "--set", OPTIONAL_ON],
    );
    assert!(notes.contains("http://chart-example.local/"), "{notes}");
}

/// Kubernetes reads YAML 1.1: PyYAML must read the same objects serde_yaml does.
#[test]
fn the_starter_output_reads_back_under_pyyaml() {
    let (tmp, _) = created();
    let stream = run_ok(
        tmp.path(),
        &[
            "template",
            "mychart",
            "--set",
            OPTIONAL_ON,
            "--set",
            "podLabels.enabled=on",
        ],
    );
    let mut python = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml\n\
             print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d is not None]))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write as _;
    python
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream.as_bytes())
        .expect("write");
    let output = python.wait_with_output().expect("python3 ends");
    assert!(
        output.status.success(),
        "PyYAML reads the output (pip install pyyaml): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pyyaml: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let ours: Vec<serde_json::Value> = documents(&stream)
        .into_iter()
        .map(|(_, v)| serde_json::to_value(v).expect("JSON value"))
        .collect();
    assert_eq!(pyyaml, serde_json::Value::Array(ours));
    assert!(
        stream.contains("enabled: 'on'"),
        "a YAML 1.1 boolean word is quoted"
    );
}

#[test]
fn values_the_schema_does_not_know_are_errors() {
    let (tmp, _) = created();
    let output = ktera()
        .current_dir(tmp.path())
        .args([
            "template",
            "mychart",
            "--set",
            "replicaCont=2,service.port=http",
        ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("'replicaCont' was unexpected"), "{stderr}");
    assert!(
        stderr.contains("service.port: \"http\" is not of type \"integer\""),
        "{stderr}"
    );
}

#[test]
fn create_refuses_what_exists_and_names_that_are_not_chart_names() {
    let tmp = TempDir::new().expect("temp dir");
    let run = |arg: &str| {
        let output = ktera()
            .current_dir(tmp.path())
            .args(["create", arg])
            .output()
            .expect("run");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    fs::create_dir(tmp.path().join("taken")).expect("mkdir");
    fs::write(tmp.path().join("taken/values.yaml"), "mine: 1\n").expect("write");
    fs::write(tmp.path().join("file"), "").expect("write");
    fs::create_dir(tmp.path().join("empty")).expect("mkdir");

    let (code, stderr) = run("taken");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("`taken` exists and is a directory that is not empty"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(tmp.path().join("taken/values.yaml")).expect("read"),
        "mine: 1\n"
    );
    let (code, stderr) = run("file");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("`file` exists and is a file"), "{stderr}");
    let (code, stderr) = run("missing/app");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("mkdir -p missing"), "{stderr}");
    for bad in ["My_App", "2app", "app-", "a.b"] {
        let (code, stderr) = run(bad);
        assert_eq!(code, Some(2), "{bad}: {stderr}");
        assert!(
            stderr.contains(&format!("invalid chart name `{bad}`")),
            "{stderr}"
        );
    }
    // Nothing was left behind: no chart, no temporary directory.
    let mut left: Vec<String> = fs::read_dir(tmp.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["empty", "file", "taken"]);

    // An empty directory is filled; a name with `-` gives components with `_`.
    let (code, stderr) = run("empty");
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = run("my-app");
    assert_eq!(code, Some(0), "{stderr}");
    let helpers =
        fs::read_to_string(tmp.path().join("my-app/templates/_helpers.tera")).expect("read");
    assert!(
        helpers.contains("{% component my_app.fullname("),
        "{helpers}"
    );
    let chart = fs::read_to_string(tmp.path().join("my-app/Chart.yaml")).expect("read");
    assert!(chart.contains("name: my-app\n"), "{chart}");
    let stream = run_ok(tmp.path(), &["template", "prod", "my-app"]);
    assert!(stream.contains("name: prod-my-app\n"), "{stream}");
}
