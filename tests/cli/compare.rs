//! `ktera compare`: the example chart against the committed goldens (the real `kubectl
//! kustomize` output) and against live Kustomize, for both environments.

use assert_cmd::Command;
use predicates::prelude::*;

use crate::common::tools;

fn ktera() -> Command {
    Command::cargo_bin("ktera").expect("binary")
}

#[test]
fn example_equals_its_golden_file_in_both_environments() {
    for env in ["dev", "prod"] {
        ktera()
            .args(["compare", "charts/backend", "-f"])
            .arg(format!("values/{env}.yaml"))
            .arg("--golden")
            .arg(format!("tests/golden/backend/{env}.yaml"))
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with("EQUAL: "))
            .stdout(predicate::str::contains(
                " 0 changed, 0 only in the chart, 0 only in the file",
            ));
    }
}

#[test]
fn example_equals_live_kustomize_in_both_environments() {
    if !tools::kustomize_installed() {
        tools::skip_without_kustomize();
        return;
    }
    for env in ["dev", "prod"] {
        ktera()
            .args(["compare", "charts/backend", "-f"])
            .arg(format!("values/{env}.yaml"))
            .arg("--kustomize")
            .arg(format!("kustomize/backend/overlays/{env}"))
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with("EQUAL: "));
    }
}

#[test]
fn the_wrong_environment_differs_and_says_where() {
    ktera()
        .args([
            "compare",
            "charts/backend",
            "-f",
            "values/dev.yaml",
            "--golden",
            "tests/golden/backend/prod.yaml",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("DIFFERENT: "))
        .stdout(predicate::str::contains("spec.replicas"))
        .stdout(predicate::str::contains(
            "spec.template.spec.containers[name=backend-app].image",
        ));
}

#[test]
fn json_report_is_machine_readable() {
    let out = ktera()
        .args([
            "compare",
            "charts/backend",
            "-f",
            "values/prod.yaml",
            "--set",
            "replicaCount=7",
            "--golden",
            "tests/golden/backend/prod.yaml",
            "-o",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON report");
    assert_eq!(json["report"]["equal"], serde_json::Value::Bool(false));
    let text = json.to_string();
    assert!(text.contains("spec.replicas"), "{text}");
}

#[test]
fn errors_exit_2() {
    ktera()
        .args(["compare", "charts/backend", "-f", "values/dev.yaml"])
        .args(["--golden", "no/such/file.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.yaml"));
    ktera()
        .args(["compare", "charts/backend", "-f", "values/dev.yaml"])
        .args(["--kustomize", "kustomize/backend/overlays/dev"])
        .env("PATH", "")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "neither `kustomize` nor `kubectl` is installed",
        ));
    ktera().args(["compare", "charts/backend"]).assert().code(2);
}
