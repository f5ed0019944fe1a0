//! A test that cannot run for lack of a tool says so in a plain `cargo test` (no
//! `--nocapture`), and fails under `KTERA_REQUIRE_TOOLS=1`, as `.ci/run` sets it
//! (`common::tools`). Checked by running one such test of this binary again with an empty PATH.

use std::process::{Command, Output};

use tempfile::TempDir;

/// `golden::golden_dev_matches_kustomize` alone, with no kustomize or kubectl on PATH.
fn run_without_tools(require_tools: bool) -> Output {
    let empty = TempDir::new().expect("temp dir");
    let mut command = Command::new(std::env::current_exe().expect("this test binary"));
    command
        .args([
            "golden::golden_dev_matches_kustomize",
            "--exact",
            "--test-threads=1",
        ])
        .env("PATH", empty.path())
        .env_remove("KTERA_REQUIRE_TOOLS");
    if require_tools {
        command.env("KTERA_REQUIRE_TOOLS", "1");
    }
    command.output().expect("the test binary runs")
}

#[test]
fn a_skip_prints_one_line_without_nocapture() {
    let output = run_without_tools(false);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("note: skipped"))
        .collect();
    assert_eq!(notes.len(), 1, "{stderr}");
    assert!(
        notes[0].contains("golden::golden_dev_matches_kustomize")
            && notes[0].contains("needs kustomize")
            && notes[0].contains("KTERA_REQUIRE_TOOLS=1"),
        "{}",
        notes[0]
    );
}

#[test]
fn a_skip_fails_when_tools_are_required() {
    let output = run_without_tools(true);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(stdout.contains("1 failed"), "{stdout}");
    assert!(
        stdout.contains("needs kustomize")
            && stdout.contains("KTERA_REQUIRE_TOOLS=1 is set, so this fails, not skips"),
        "{stdout}"
    );
}
