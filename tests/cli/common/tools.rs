//! Tools some tests run beside ktera (Kustomize, util-linux `script`), and what a test does when
//! one is missing: it is skipped with one line that a plain `cargo test` shows, or, under
//! `KTERA_REQUIRE_TOOLS=1` (as `.ci/run` sets it), it fails. PyYAML is not among them: the
//! YAML 1.1 round trip always needs it.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::process::Command;
use std::sync::{Mutex, PoisonError};

/// Whether `kustomize` or `kubectl` (whose `kustomize` subcommand is the same tool) runs here.
pub fn kustomize_installed() -> bool {
    ["kustomize", "kubectl"].iter().any(|tool| {
        Command::new(tool)
            .arg("version")
            .arg("--client")
            .output()
            .is_ok()
    })
}

/// For a test that cannot run without Kustomize; the caller returns after it.
pub fn skip_without_kustomize() {
    skip_without("kustomize", "neither `kustomize` nor `kubectl` is on PATH");
}

/// For a test that cannot run because `tool` is missing (`why` says so and what to install);
/// the caller returns after it. Fails the test under `KTERA_REQUIRE_TOOLS=1`.
pub fn skip_without(tool: &str, why: &str) {
    let test = current_test();
    assert!(
        std::env::var_os("KTERA_REQUIRE_TOOLS").is_none_or(|v| v != "1"),
        "{test} needs {tool}: {why} (KTERA_REQUIRE_TOOLS=1 is set, so this fails, not skips)"
    );
    note_once(
        tool,
        &format!(
            "note: skipped {test} and every later test that needs {tool}: {why}; \
             KTERA_REQUIRE_TOOLS=1 makes such skips failures"
        ),
    );
}

/// For a part of a test that this machine does not allow (a privilege, not a tool, so never a
/// failure): one line for the first time each `reason` is met.
pub fn skip_not_allowed(what: &str, reason: &str) {
    note_once(
        reason,
        &format!("note: skipped {what} and every later one for the same reason: {reason}"),
    );
}

/// The reasons already reported: one line each per test run.
static REPORTED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Writes `line` the first time `reason` is met, to the process's standard error itself:
/// libtest captures only what `print!` and `eprint!` write, so the line shows without
/// `--nocapture`.
fn note_once(reason: &str, line: &str) {
    let mut reported = REPORTED.lock().unwrap_or_else(PoisonError::into_inner);
    if reported.insert(reason.to_owned()) {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}

/// libtest names each test's thread after the test.
fn current_test() -> String {
    std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .unwrap_or("a test")
        .to_owned()
}
