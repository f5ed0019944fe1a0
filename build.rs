//! Records what `ktera version` tells beyond the crate version: the git commit the binary was
//! built from and the Tera version in Cargo.lock. Outside a git checkout (a source package, a
//! Docker build context without `.git`) the commit is `unknown`, or `KTERA_GIT_COMMIT` when the
//! builder sets it.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-env-changed=KTERA_GIT_COMMIT");

    let (commit, date) = match std::env::var("KTERA_GIT_COMMIT") {
        Ok(commit) if !commit.is_empty() => (commit, String::new()),
        _ => git_commit().unwrap_or_else(|| ("unknown".to_string(), String::new())),
    };
    println!("cargo:rustc-env=KTERA_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=KTERA_GIT_COMMIT_DATE={date}");

    let tera = std::fs::read_to_string("Cargo.lock")
        .ok()
        .and_then(|lock| locked_version(&lock, "tera"))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=KTERA_TERA_VERSION={tera}");
}

/// The checked-out commit (12 hex digits) and its date, when the crate is the top of a git
/// work tree (not a package unpacked inside some other repository); cargo re-runs this when
/// HEAD, the branch it names or the packed refs change. Uncommitted changes are not told: git
/// status refreshes the index, which would make every build re-run this.
fn git_commit() -> Option<(String, String)> {
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let here = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(&here).ok()? {
        return None;
    }
    let hash = git(&["rev-parse", "--short=12", "HEAD"])?;
    let date = git(&["log", "-1", "--format=%cs", "HEAD"]).unwrap_or_default();
    for file in ["HEAD", "packed-refs"] {
        watch(&git(&["rev-parse", "--git-path", file])?);
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch(&git(&["rev-parse", "--git-path", &branch])?);
    }
    Some((hash, date))
}

fn watch(path: &str) {
    if Path::new(path).exists() {
        println!("cargo:rerun-if-changed={path}");
    }
}

/// A git command's trimmed output, or None when git is missing or fails (no repository).
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The version of `name` in a Cargo.lock: the `version = "..."` line after `name = "<name>"`.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut lines = lock.lines();
    lines.find(|line| *line == format!("name = \"{name}\""))?;
    let version = lines.next()?.strip_prefix("version = \"")?;
    Some(version.trim_end_matches('"').to_string())
}
