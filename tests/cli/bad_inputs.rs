//! The bad-input corpus: every directory under `tests/bad-inputs/` is one case, run as the real
//! binary in a scratch copy of the directory. A case holds its inputs (a chart, values files...),
//! `args` (the command line after `ktera`, one argument per line) and `expect.yaml`:
//!
//! ```yaml
//! exit: 1                      # 0, 1 or 2; never 101 (a panic)
//! stderr: [values.yaml:3:5]    # substrings the message must contain: file and place
//! stderr_not: [hunter2]        # substrings it must not contain (secrets)
//! stdout: []                   # substrings standard output must contain (else it stays empty)
//! stdout_not: []
//! base: true                   # start from _base/ (a small valid chart at chart/), then overlay
//! setup:                       # what cannot be committed, made before the run
//!   - symlink: {path: chart/files/out, target: /etc/hostname}
//!   - big_values: {path: big.yaml, mib: 100}
//!   - tmpfs: {path: full, kib: 16}
//!   - long_line: {path: long.yaml, prefix: "a: [", mib: 10}   # one line of `x`
//! timeout: 600                 # seconds before the run counts as a hang (default 60)
//! stderr_max_bytes: 20000      # a message quotes a bounded part of its input
//! env: {KTERA_MAX_RENDER_SECONDS: "0"}   # set for the run (a cap turned off to test another)
//! ```
//!
//! Every case also asserts that the run changed no file and wrote none: the scratch directory
//! is the same, byte for byte, before and after. `{tmp}` in `args` is the scratch directory.
//! `KTERA_BAD_INPUT=set- cargo test --test cli bad_inputs` runs only the cases named with `set-`.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

use crate::common::tools;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    exit: i32,
    #[serde(default)]
    stderr: Vec<String>,
    #[serde(default)]
    stderr_not: Vec<String>,
    #[serde(default)]
    stdout: Vec<String>,
    #[serde(default)]
    stdout_not: Vec<String>,
    #[serde(default)]
    base: bool,
    #[serde(default)]
    setup: Vec<Setup>,
    /// Seconds before the run counts as a hang; 60 unless given.
    timeout: Option<u64>,
    /// Most bytes standard error may hold.
    stderr_max_bytes: Option<usize>,
    /// Environment variables set for the run.
    #[serde(default)]
    env: BTreeMap<String, String>,
}

/// One step, written as a mapping with one key: `symlink`, `big_values` or `tmpfs`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    symlink: Option<Symlink>,
    big_values: Option<BigValues>,
    tmpfs: Option<Tmpfs>,
    long_line: Option<LongLine>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LongLine {
    path: String,
    prefix: String,
    mib: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Symlink {
    path: String,
    target: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BigValues {
    path: String,
    mib: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tmpfs {
    path: String,
    kib: usize,
}

/// A run that takes longer than this is a hang, unless the case says otherwise.
const TIMEOUT: Duration = Duration::from_secs(60);

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-inputs")
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("mkdir {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        if kind.is_dir() {
            copy_tree(&src, &dst)?;
        } else if kind.is_symlink() {
            let target = fs::read_link(&src).map_err(|e| e.to_string())?;
            std::os::unix::fs::symlink(target, &dst).map_err(|e| e.to_string())?;
        } else {
            fs::copy(&src, &dst).map_err(|e| format!("copy {}: {e}", src.display()))?;
        }
    }
    Ok(())
}

/// Every entry under `dir` (links not followed): path -> what it is and holds.
fn snapshot(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            let target = fs::read_link(&path).unwrap_or_default();
            out.insert(name, format!("link {}", target.display()));
        } else if kind.is_dir() {
            out.insert(name.clone(), "dir".into());
            snapshot(&path, &format!("{name}/"), out);
        } else {
            let bytes = fs::read(&path).unwrap_or_default();
            out.insert(name, format!("file {} {}", bytes.len(), digest(&bytes)));
        }
    }
}

fn digest(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(bytes);
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// A values file of about `mib` MiB, valid YAML.
fn big_values(path: &Path, mib: usize) -> Result<(), String> {
    let file = fs::File::create(path).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(file);
    let mut written = 0;
    let mut i = 0usize;
    writeln!(out, "items:").map_err(|e| e.to_string())?;
    while written < mib * 1024 * 1024 {
        let line = format!("  key{i}: value-{i}-padding-padding-padding-padding-padding\n");
        out.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
        written += line.len();
        i += 1;
    }
    out.flush().map_err(|e| e.to_string())
}

/// Mounts a tiny tmpfs (a full disk to be); false when this machine does not allow it.
fn mount_tmpfs(path: &Path, kib: usize) -> bool {
    if fs::create_dir_all(path).is_err() {
        return false;
    }
    Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={}k", kib), "tmpfs"])
        .arg(path)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn unmount(path: &Path) {
    let _ = Command::new("umount").arg(path).output();
}

enum Outcome {
    Passed,
    Skipped(String),
}

fn run_case(case: &Path) -> Result<Outcome, String> {
    let expect_text =
        fs::read_to_string(case.join("expect.yaml")).map_err(|e| format!("expect.yaml: {e}"))?;
    let expect: Expect =
        serde_yaml::from_str(&expect_text).map_err(|e| format!("expect.yaml: {e}"))?;
    let args_text = fs::read_to_string(case.join("args")).map_err(|e| format!("args: {e}"))?;

    let scratch = tempfile::TempDir::new().map_err(|e| e.to_string())?;
    let tmp = scratch.path();
    if expect.base {
        copy_tree(&corpus().join("_base"), tmp)?;
    }
    copy_tree(case, tmp)?;
    for name in ["expect.yaml", "args"] {
        let _ = fs::remove_file(tmp.join(name));
    }
    let mut mounts: Vec<PathBuf> = Vec::new();
    for step in &expect.setup {
        if let Some(Symlink { path, target }) = &step.symlink {
            let link = tmp.join(path);
            if let Some(parent) = link.parent() {
                fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            let _ = fs::remove_file(&link);
            let target = target.replace("{tmp}", &tmp.display().to_string());
            std::os::unix::fs::symlink(target, &link).map_err(|e| e.to_string())?;
        }
        if let Some(BigValues { path, mib }) = &step.big_values {
            big_values(&tmp.join(path), *mib)?;
        }
        if let Some(LongLine { path, prefix, mib }) = &step.long_line {
            let line = format!("{prefix}{}\n", "x".repeat(mib * 1024 * 1024));
            fs::write(tmp.join(path), line).map_err(|e| e.to_string())?;
        }
        if let Some(Tmpfs { path, kib }) = &step.tmpfs {
            let at = tmp.join(path);
            if !mount_tmpfs(&at, *kib) {
                for at in &mounts {
                    unmount(at);
                }
                return Ok(Outcome::Skipped("cannot mount a tmpfs here".into()));
            }
            mounts.push(at);
        }
    }
    let result = run_in(tmp, &args_text, &expect);
    for at in &mounts {
        unmount(at);
    }
    result.map(|()| Outcome::Passed)
}

fn run_in(tmp: &Path, args_text: &str, expect: &Expect) -> Result<(), String> {
    let args: Vec<String> = args_text
        .lines()
        .map(|a| a.replace("{tmp}", &tmp.display().to_string()))
        .collect();
    let mut before = BTreeMap::new();
    snapshot(tmp, "", &mut before);

    let timeout = expect.timeout.map_or(TIMEOUT, Duration::from_secs);
    let mut cmd = assert_cmd::Command::cargo_bin("ktera").map_err(|e| e.to_string())?;
    cmd.current_dir(tmp)
        .args(&args)
        .envs(&expect.env)
        .timeout(timeout);
    let output = cmd.output().map_err(|e| format!("cannot run ktera: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let shown = || format!("\n--- stderr:\n{stderr}\n--- stdout:\n{}", cut(&stdout));

    let Some(code) = output.status.code() else {
        return Err(format!("killed (a hang past {timeout:?}?){}", shown()));
    };
    if code == 101 {
        return Err(format!("ktera panicked{}", shown()));
    }
    if code != expect.exit {
        return Err(format!(
            "exit code {code}, expected {}{}",
            expect.exit,
            shown()
        ));
    }
    for want in &expect.stderr {
        if !stderr.contains(want.as_str()) {
            return Err(format!("stderr lacks {want:?}{}", shown()));
        }
    }
    if let Some(max) = expect.stderr_max_bytes
        && output.stderr.len() > max
    {
        return Err(format!(
            "standard error holds {} bytes, more than {max}{}",
            output.stderr.len(),
            shown()
        ));
    }
    for want in &expect.stdout {
        if !stdout.contains(want.as_str()) {
            return Err(format!("stdout lacks {want:?}{}", shown()));
        }
    }
    for (text, forbidden) in [(&stderr, &expect.stderr_not), (&stdout, &expect.stdout_not)] {
        if let Some(bad) = forbidden.iter().find(|f| text.contains(f.as_str())) {
            return Err(format!("output shows {bad:?}{}", shown()));
        }
    }
    if expect.exit != 0 && expect.stdout.is_empty() && !stdout.is_empty() {
        return Err(format!(
            "a failed run printed to standard output{}",
            shown()
        ));
    }
    let mut after = BTreeMap::new();
    snapshot(tmp, "", &mut after);
    if before != after {
        let changed: Vec<_> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        return Err(format!("files changed or written: {changed:?}{}", shown()));
    }
    Ok(())
}

fn cut(text: &str) -> String {
    text.chars().take(2000).collect()
}

#[test]
fn every_bad_input_fails_cleanly() {
    let mut cases: Vec<PathBuf> = fs::read_dir(corpus())
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.join("expect.yaml").is_file())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    assert!(cases.len() >= 40, "the corpus has {} cases", cases.len());
    // KTERA_BAD_INPUT=part runs only the cases whose names contain it.
    if let Ok(only) = std::env::var("KTERA_BAD_INPUT") {
        cases.retain(|c| c.to_string_lossy().contains(only.as_str()));
    }
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap_or_default().to_string_lossy();
        match run_case(case) {
            Ok(Outcome::Passed) => {}
            Ok(Outcome::Skipped(why)) => {
                tools::skip_not_allowed(&format!("bad input {name}"), &why)
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
