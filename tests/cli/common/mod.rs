//! What the CLI tests share: charts written to temporary directories and the real binary.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub mod same;
pub mod schema;
pub mod servers;
pub mod tools;

/// The `ktera` binary this test run built.
pub fn ktera() -> Command {
    Command::cargo_bin("ktera").expect("binary")
}

/// `ktera template DIR`.
pub fn template(dir: &Path) -> Command {
    let mut cmd = ktera();
    cmd.arg("template").arg(dir);
    cmd
}

/// Writes (relative path, content) pairs below `root`.
pub fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, content) in files {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, content).expect("write");
    }
}

/// A chart directory `<tmp>/<name>` holding `files`; the TempDir keeps it alive.
pub fn chart_named(name: &str, files: &[(&str, &str)]) -> (TempDir, PathBuf) {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join(name);
    write(&dir, files);
    (tmp, dir)
}

/// Runs ktera with `args`, requires success and returns standard output.
pub fn stdout_of(args: &[&str]) -> String {
    let output = ktera().args(args).output().expect("run");
    assert!(
        output.status.success(),
        "ktera {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Copies a directory tree (charts have subcharts and files below their top level).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
