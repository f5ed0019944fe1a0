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
//!   - write: {path: "chart/templates/a%0Ab.yaml", text: "..."}  # %XX: any byte in a name
//!   - fifo: chart/values.yaml    # also socket: PATH, and device: PATH (a null device made
//!                                # with mknod as root, else a link to /dev/null)
//!   - hardlink: {path: other.yaml, target: values.yaml}
//!   - chmod: {path: values.yaml, mode: 0o640}
//!   - chown: {path: values.yaml, uid: 65534, gid: 65534}  # as root; else the runner's own ids
//! cwd: work                    # run in this subdirectory (so a write that escapes it shows)
//! changes:                     # files the run must write, change or remove (or directories it
//!                              # makes); every other entry stays as it was
//!   values.yaml: {contains: ['a: 2'], mode: 0o640, same_owner: true}
//!   rendered/dev/old.yaml: {removed: true}
//! timeout: 600                 # seconds before the run counts as a hang (default 60)
//! stderr_max_bytes: 20000      # a message quotes a bounded part of its input
//! env: {KTERA_MAX_RENDER_SECONDS: "0"}   # set for the run (a cap turned off to test another)
//! ```
//!
//! Every case also asserts that the run changed no file and wrote none but those of `changes`:
//! every entry of the scratch directory keeps its kind, bytes, mode, owner and link count.
//! `{tmp}` in `args` and in `write` texts is the scratch directory.
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
    /// The subdirectory of the scratch directory the run starts in.
    cwd: Option<String>,
    /// Files the run must write or change, and what they must then be.
    #[serde(default)]
    changes: BTreeMap<String, Change>,
}

/// What a file the run writes must be afterwards.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    #[serde(default)]
    contains: Vec<String>,
    /// Permission bits.
    mode: Option<u32>,
    /// The file existed before and keeps its owner, group and mode.
    #[serde(default)]
    same_owner: bool,
    /// The file existed before and the run removed it.
    #[serde(default)]
    removed: bool,
}

/// One step, written as a mapping with one key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    symlink: Option<Symlink>,
    big_values: Option<BigValues>,
    tmpfs: Option<Tmpfs>,
    long_line: Option<LongLine>,
    write: Option<WriteFile>,
    fifo: Option<String>,
    socket: Option<String>,
    device: Option<String>,
    hardlink: Option<Symlink>,
    chmod: Option<Chmod>,
    chown: Option<Chown>,
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
struct WriteFile {
    /// `%XX` is the byte XX: names with newlines or bytes that are not UTF-8.
    path: String,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Chmod {
    path: String,
    mode: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Chown {
    path: String,
    uid: u32,
    gid: u32,
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

/// Every entry under `dir` (links not followed): path (bytes that are not UTF-8 escaped) ->
/// what it is, holds, and its mode, owner and link count. Only regular files are read.
fn snapshot(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let name = match entry.file_name().to_str() {
            Some(_) => name,
            None => format!("{prefix}{:?}", entry.file_name()),
        };
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let kind = meta.file_type();
        let owner = format!(
            "mode {:o} owner {}:{} links {}",
            meta.mode() & 0o7777,
            meta.uid(),
            meta.gid(),
            meta.nlink()
        );
        let what = if kind.is_symlink() {
            let target = fs::read_link(&path).unwrap_or_default();
            format!("link {}", target.display())
        } else if kind.is_dir() {
            snapshot(&path, &format!("{name}/"), out);
            format!("dir {owner}")
        } else if kind.is_file() {
            let bytes = fs::read(&path).unwrap_or_default();
            format!("file {} {} {owner}", bytes.len(), digest(&bytes))
        } else if kind.is_fifo() {
            format!("fifo {owner}")
        } else if kind.is_socket() {
            format!("socket {owner}")
        } else {
            format!("device {:x} {owner}", meta.rdev())
        };
        out.insert(name, what);
    }
}

/// `%XX` in `text` as the byte XX.
fn unescape_path(text: &str) -> PathBuf {
    use std::os::unix::ffi::OsStringExt as _;
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

/// Whether the tests run as root (owners can be changed, devices made).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// What the tests run as: (uid, gid).
fn own_ids() -> (u32, u32) {
    use std::os::unix::fs::MetadataExt as _;
    fs::metadata("/proc/self").map_or((0, 0), |m| (m.uid(), m.gid()))
}

fn run_tool(program: &str, args: &[&std::ffi::OsStr]) -> Result<(), String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The steps of `setup` that make files: links, FIFOs, devices, modes, owners.
fn make_entries(tmp: &Path, step: &Setup) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    let at = |path: &str| {
        let path = tmp.join(unescape_path(path));
        if let Some(parent) = path.parent() {
            let _ = fs::create_dir_all(parent);
        }
        path
    };
    if let Some(WriteFile { path, text }) = &step.write {
        let text = text.replace("{tmp}", &tmp.display().to_string());
        fs::write(at(path), text).map_err(|e| format!("write {path}: {e}"))?;
    }
    if let Some(path) = &step.fifo {
        run_tool("mkfifo", &[at(path).as_os_str()])?;
    }
    if let Some(path) = &step.socket {
        std::os::unix::net::UnixListener::bind(at(path)).map_err(|e| format!("{path}: {e}"))?;
    }
    if let Some(path) = &step.device {
        let path = at(path);
        if is_root() {
            // A null device of its own: a run that wrongly replaced it harms nothing else.
            let args = [path.as_os_str(), "c".as_ref(), "1".as_ref(), "3".as_ref()];
            run_tool("mknod", &args)?;
        } else {
            // Not root: a link to the system's (which only root could replace).
            std::os::unix::fs::symlink("/dev/null", &path).map_err(|e| e.to_string())?;
        }
    }
    if let Some(Symlink { path, target }) = &step.hardlink {
        fs::hard_link(tmp.join(target), at(path)).map_err(|e| format!("link {path}: {e}"))?;
    }
    if let Some(Chmod { path, mode }) = &step.chmod {
        fs::set_permissions(tmp.join(path), fs::Permissions::from_mode(*mode))
            .map_err(|e| format!("chmod {path}: {e}"))?;
    }
    if let Some(Chown { path, uid, gid }) = &step.chown {
        // Not root: the runner's own ids, so the case still checks they are kept.
        let (uid, gid) = if is_root() { (*uid, *gid) } else { own_ids() };
        std::os::unix::fs::chown(tmp.join(path), Some(uid), Some(gid))
            .map_err(|e| format!("chown {path}: {e}"))?;
    }
    Ok(())
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
        make_entries(tmp, step)?;
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
    let cwd = expect
        .cwd
        .as_ref()
        .map_or(tmp.to_path_buf(), |cwd| tmp.join(cwd));
    fs::create_dir_all(&cwd).map_err(|e| e.to_string())?;
    let mut before = BTreeMap::new();
    snapshot(tmp, "", &mut before);

    let timeout = expect.timeout.map_or(TIMEOUT, Duration::from_secs);
    let mut cmd = assert_cmd::Command::cargo_bin("ktera").map_err(|e| e.to_string())?;
    cmd.current_dir(&cwd)
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
    let mut changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    changed.dedup();
    let unexpected: Vec<_> = changed
        .iter()
        .filter(|k| !expect.changes.contains_key(k.as_str()))
        .collect();
    if !unexpected.is_empty() {
        return Err(format!(
            "files changed or written: {unexpected:?}{}",
            shown()
        ));
    }
    for (path, change) in &expect.changes {
        check_change(tmp, path, change, before.get(path), after.get(path))
            .map_err(|e| format!("{path}: {e}{}", shown()))?;
    }
    Ok(())
}

/// A file of `changes` after the run: written, holding what it must, with its mode and owner.
fn check_change(
    tmp: &Path,
    path: &str,
    change: &Change,
    before: Option<&String>,
    after: Option<&String>,
) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt as _;
    if before == after {
        return Err("was not written".into());
    }
    let file = tmp.join(unescape_path(path));
    if change.removed {
        return match (before, after) {
            (Some(_), None) => Ok(()),
            _ => Err(format!("was to be removed: {before:?} -> {after:?}")),
        };
    }
    let meta = fs::symlink_metadata(&file).map_err(|e| e.to_string())?;
    // A directory the run made: nothing more to check.
    if meta.is_dir() && change.contains.is_empty() && before.is_none() {
        return Ok(());
    }
    if !meta.is_file() {
        return Err("is not a regular file".into());
    }
    let text = fs::read_to_string(&file).map_err(|e| e.to_string())?;
    if let Some(missing) = change.contains.iter().find(|c| !text.contains(c.as_str())) {
        return Err(format!("lacks {missing:?}: {}", cut(&text)));
    }
    if let Some(mode) = change.mode
        && meta.mode() & 0o7777 != mode
    {
        return Err(format!(
            "mode {:o}, expected {mode:o}",
            meta.mode() & 0o7777
        ));
    }
    if change.same_owner {
        // The part of the snapshot after the content: mode, owner, group and links.
        let tail = |s: &str| s.split_once(" mode ").map(|(_, t)| t.to_string());
        let (was, is) = (before.and_then(|b| tail(b)), after.and_then(|a| tail(a)));
        if was.is_none() || was != is {
            return Err(format!("mode or owner changed: {was:?} -> {is:?}"));
        }
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
