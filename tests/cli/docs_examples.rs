//! The shell examples of README.md and docs/*.md run, so that the documentation cannot drift
//! from the tool. Every fenced block marked `sh`, `bash` or `shell` runs with `bash -euo
//! pipefail` in a copy of the repository (one copy per document, blocks in order, as a reader
//! would type them) with the `ktera` this test run built first on PATH; every command must
//! succeed.
//!
//! - `cargo run [flags] -- ARGS` runs as `ktera ARGS`; other `cargo` lines (`cargo test`,
//!   `cargo install`, `cargo bench`) build or test ktera itself and are left out.
//! - A block that needs the network, a cluster or hours says so on the line before it:
//!   `<!-- not run: REASON -->`.
//! - A block that runs `kubectl` is skipped with a note where kubectl is missing (a failure
//!   under `KTERA_REQUIRE_TOOLS=1`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

use crate::common::tools;

const NOT_RUN: &str = "<!-- not run: ";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One fenced shell block.
struct Example {
    /// `README.md:28`, where the block starts.
    place: String,
    script: String,
    /// The reason on a `<!-- not run: REASON -->` line just before the block.
    not_run: Option<String>,
}

fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md")];
    let mut more: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

fn examples(doc: &Path) -> Vec<Example> {
    let name = doc
        .strip_prefix(root())
        .expect("inside the repository")
        .display()
        .to_string();
    let text = fs::read_to_string(doc).expect("readable");
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].trim_start().strip_prefix("```") else {
            i += 1;
            continue;
        };
        let start = i;
        let mut body = Vec::new();
        i += 1;
        while i < lines.len() && !lines[i].trim_start().starts_with("```") {
            body.push(lines[i]);
            i += 1;
        }
        i += 1;
        let language = info.split_whitespace().next().unwrap_or("");
        if !matches!(language, "sh" | "bash" | "shell") {
            continue;
        }
        let not_run = lines[..start]
            .iter()
            .rev()
            .find(|line| !line.trim().is_empty())
            .and_then(|line| line.trim().strip_prefix(NOT_RUN))
            .map(|reason| reason.trim_end_matches("-->").trim().to_owned());
        found.push(Example {
            place: format!("{name}:{}", start + 1),
            script: script(&body),
            not_run,
        });
    }
    found
}

/// The block as it runs: `cargo run ... --` is `ktera`, other cargo commands are left out.
fn script(body: &[&str]) -> String {
    let mut out = String::new();
    for line in body {
        let command = line.trim_start();
        if let Some(rest) = command.strip_prefix("cargo ") {
            match rest
                .strip_prefix("run ")
                .and_then(|run| run.split_once("-- "))
            {
                Some((_, args)) => {
                    out.push_str("ktera ");
                    out.push_str(args);
                    out.push('\n');
                }
                None => out.push_str(&format!("# left out: {command}\n")),
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The repository's files as git knows them (tracked and new, not ignored), without the
/// test fixtures no example reads.
fn copy_of_repository() -> TempDir {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output()
        .expect("git runs");
    assert!(listed.status.success(), "git ls-files");
    let tmp = TempDir::new().expect("temp dir");
    for path in listed.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let path = String::from_utf8_lossy(path).into_owned();
        let needed = !path.starts_with("fuzz/")
            && (!path.starts_with("tests/") || path.starts_with("tests/golden/"));
        let from = root().join(&path);
        if !needed || !from.is_file() {
            continue;
        }
        let to = tmp.path().join(&path);
        fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {path}: {e}"));
    }
    tmp
}

/// A directory holding only `ktera`, the binary this test run built, to go first on PATH.
fn ktera_on_path() -> (TempDir, String) {
    let bin = TempDir::new().expect("temp dir");
    let ktera = Path::new(env!("CARGO_BIN_EXE_ktera"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(ktera, bin.path().join("ktera")).expect("symlink");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.path().to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let joined = std::env::join_paths(dirs).expect("PATH");
    (bin, joined.to_string_lossy().into_owned())
}

fn kubectl_installed() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_documents_have_shell_examples_and_every_skip_says_why() {
    let all: Vec<Example> = documents().iter().flat_map(|d| examples(d)).collect();
    let readme = all
        .iter()
        .filter(|e| e.place.starts_with("README.md:"))
        .count();
    assert!(readme >= 5, "README.md's shell blocks were found: {readme}");
    for example in &all {
        if let Some(reason) = &example.not_run {
            assert!(
                reason.len() >= 10,
                "{}: say why it is not run",
                example.place
            );
        }
    }
}

#[test]
fn shell_examples_run() {
    let (_bin, path) = ktera_on_path();
    let kubectl = kubectl_installed();
    let mut ran = 0;
    for doc in documents() {
        let examples = examples(&doc);
        if examples.iter().all(|e| e.not_run.is_some()) {
            continue;
        }
        let copy = copy_of_repository();
        for example in examples {
            if example.not_run.is_some() {
                continue;
            }
            if example.script.contains("kubectl ") && !kubectl {
                tools::skip_without("kubectl", "the example runs `kubectl kustomize`");
                continue;
            }
            let output = Command::new("bash")
                .args(["-euo", "pipefail", "-c", &example.script])
                .current_dir(copy.path())
                .env("PATH", &path)
                // `ktera set --string values/dev.yaml image.tag=$CI_COMMIT_SHORT_SHA`
                .env("CI_COMMIT_SHORT_SHA", "3f9c2a1")
                .env("NO_COLOR", "1")
                .output()
                .expect("bash runs");
            assert!(
                output.status.success(),
                "the example at {} fails ({}):\n{}\n--- stdout:\n{}\n--- stderr:\n{}\n\
                 Fix the example, or mark it `<!-- not run: REASON -->` if it needs the \
                 network, a cluster or a long time.",
                example.place,
                output.status,
                example.script,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 5, "only {ran} examples ran");
}
