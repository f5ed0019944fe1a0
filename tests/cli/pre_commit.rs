//! The pre-commit hooks (.pre-commit-hooks.yaml): the keys pre-commit requires of a hook
//! (`MANIFEST_HOOK_DICT` in pre-commit's pre_commit/clientlib.py; `.ci/run` also has pre-commit
//! itself validate the file), and each hook run as pre-commit runs it: the entry split into
//! words, then the hook's args, no file names, in the repository's root.

use crate::common::copy_dir;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_yaml::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn hooks() -> Vec<Value> {
    let text = fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn hook(id: &str) -> Value {
    hooks()
        .into_iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("no hook {id}"))
}

/// The hook's command with `args`, run in `dir` with ktera on PATH.
fn run_hook(hook: &Value, args: &[&str], dir: &Path) -> Output {
    let mut words = hook["entry"].as_str().unwrap().split_whitespace();
    let program = words.next().unwrap();
    assert_eq!(program, "ktera");
    Command::new(env!("CARGO_BIN_EXE_ktera"))
        .args(words)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["charts", "values", "rendered"] {
        copy_dir(&root().join(dir), &tmp.path().join(dir));
    }
    fs::copy(root().join("ktera.yaml"), tmp.path().join("ktera.yaml")).unwrap();
    tmp
}

#[test]
fn hooks_have_what_pre_commit_requires() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().filter_map(|h| h["id"].as_str()).collect();
    assert_eq!(ids, ["ktera-render-check", "ktera-lint"]);
    for hook in &hooks {
        for key in ["id", "name", "entry", "language"] {
            assert!(hook[key].is_string(), "{:?}: no {key}", hook["id"]);
        }
        assert_eq!(
            hook["language"], "rust",
            "pre-commit builds ktera from this repository"
        );
        // ktera's commands take no list of changed files: they check the whole project.
        assert_eq!(hook["pass_filenames"], false);
        assert_eq!(hook["always_run"], true);
    }
    // This repository is a Rust package pre-commit can `cargo install --path .`.
    assert!(root().join("Cargo.toml").is_file());
}

#[test]
fn the_render_check_hook_fails_on_a_stale_tree() {
    let hook = hook("ktera-render-check");
    let repo = repository();
    let fresh = run_hook(&hook, &[], repo.path());
    assert!(
        fresh.status.success(),
        "{}",
        String::from_utf8_lossy(&fresh.stdout)
    );
    let values = repo.path().join("values/dev.yaml");
    let text = fs::read_to_string(&values).unwrap();
    fs::write(&values, text.replace("replicaCount: 1", "replicaCount: 2")).unwrap();
    let stale = run_hook(&hook, &[], repo.path());
    assert_eq!(stale.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stale.stdout).contains("dev/backend.yaml: stale"));
}

#[test]
fn the_lint_hook_lints_the_chart_it_is_given() {
    let hook = hook("ktera-lint");
    let repo = repository();
    let args = ["charts/backend", "-f", "values/prod.yaml", "--strict"];
    let clean = run_hook(&hook, &args, repo.path());
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    let service = repo.path().join("charts/backend/templates/service.yaml");
    let text = fs::read_to_string(&service).unwrap();
    assert!(text.contains("targetPort:"));
    fs::write(&service, text.replace("targetPort:", "targetPorts:")).unwrap();
    let broken = run_hook(&hook, &args, repo.path());
    assert_eq!(broken.status.code(), Some(1));
    // Without a chart, a usage error (exit 2) says what is missing.
    let bare = run_hook(&hook, &[], repo.path());
    assert_eq!(bare.status.code(), Some(2));
}
