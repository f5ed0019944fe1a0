//! Golden files: `tests/golden/backend/<env>.yaml` is the exact output of the real Kustomize
//! for `kustomize/backend/overlays/<env>`.
//!
//! Each test builds the overlay with the real tool (a standalone `kustomize build` when it is on
//! PATH, `kubectl kustomize` otherwise) and fails when its output differs, byte for byte, from
//! the committed golden file. Run `scripts/regen-golden` after changing an overlay or the base.
//! Without either tool the tests are skipped with a note (`common::tools`), or fail under
//! `KTERA_REQUIRE_TOOLS=1`.
//!
//! The chart side: `ktera compare charts/backend -f values/<env>.yaml --golden <golden>` must
//! find the same objects. Together the two checks say that the chart and the overlay agree.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::tools;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn overlay_dir(env: &str) -> PathBuf {
    root().join("kustomize/backend/overlays").join(env)
}

fn golden_file(env: &str) -> PathBuf {
    root()
        .join("tests/golden/backend")
        .join(format!("{env}.yaml"))
}

/// Builds `dir` with the first tool that is installed. `None` when neither is.
fn kustomize_build(dir: &Path) -> Option<(String, Vec<u8>)> {
    let tools: [(&str, &[&str]); 2] = [("kustomize", &["build"]), ("kubectl", &["kustomize"])];
    for (program, args) in tools {
        let output = match Command::new(program).args(args).arg(dir).output() {
            Ok(output) => output,
            Err(err) if err.kind() == ErrorKind::NotFound => continue,
            Err(err) => panic!("cannot run {program}: {err}"),
        };
        let command = format!("{program} {} {}", args.join(" "), dir.display());
        assert!(
            output.status.success(),
            "`{command}` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        return Some((command, output.stdout));
    }
    None
}

/// The first line where `actual` and `expected` differ, for the failure message.
fn first_difference(actual: &str, expected: &str) -> String {
    let mut actual_lines = actual.lines();
    let mut expected_lines = expected.lines();
    let mut line = 1;
    loop {
        match (actual_lines.next(), expected_lines.next()) {
            (Some(a), Some(e)) if a == e => line += 1,
            (None, None) => return "the files differ only in line endings".to_string(),
            (a, e) => {
                return format!(
                    "first difference at line {line}:\n  golden: {}\n  now:    {}",
                    e.unwrap_or("<end of file>"),
                    a.unwrap_or("<end of file>")
                );
            }
        }
    }
}

fn check_golden(env: &str) {
    let overlay = overlay_dir(env);
    let Some((command, built)) = kustomize_build(&overlay) else {
        tools::skip_without_kustomize();
        return;
    };
    let golden_path = golden_file(env);
    let golden = fs::read(&golden_path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", golden_path.display()));
    if built != golden {
        panic!(
            "{} differs from the output of `{command}`;\n{}\nRun scripts/regen-golden {env} to update it, then review the change with `git diff`.",
            golden_path.display(),
            first_difference(
                &String::from_utf8_lossy(&built),
                &String::from_utf8_lossy(&golden)
            )
        );
    }
}

#[test]
fn golden_dev_matches_kustomize() {
    check_golden("dev");
}

#[test]
fn golden_prod_matches_kustomize() {
    check_golden("prod");
}

/// `ktera compare` of the chart, rendered with `values/<env>.yaml`, against the golden file.
fn check_chart_against_golden(env: &str) {
    let values = format!("values/{env}.yaml");
    let golden = format!("tests/golden/backend/{env}.yaml");
    let args = [
        "compare",
        "charts/backend",
        "-f",
        values.as_str(),
        "--golden",
        golden.as_str(),
    ];
    let output = Command::new(env!("CARGO_BIN_EXE_ktera"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run ktera");
    assert!(
        output.status.success(),
        "`ktera {}` found differences ({}):\n{}{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn chart_dev_renders_the_golden_objects() {
    check_chart_against_golden("dev");
}

#[test]
fn chart_prod_renders_the_golden_objects() {
    check_chart_against_golden("prod");
}

/// Every overlay has a golden file and every golden file an overlay (no tool needed).
#[test]
fn every_overlay_has_a_golden_file() {
    let names = |dir: PathBuf, golden: bool| -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter_map(|path| {
                if golden {
                    (path.extension()? == "yaml")
                        .then(|| path.file_stem()?.to_str().map(str::to_string))?
                } else {
                    path.is_dir()
                        .then(|| path.file_name()?.to_str().map(str::to_string))?
                }
            })
            .collect();
        names.sort();
        names
    };
    let overlays = names(root().join("kustomize/backend/overlays"), false);
    let goldens = names(root().join("tests/golden/backend"), true);
    assert_eq!(overlays, ["dev", "prod"]);
    assert_eq!(
        overlays, goldens,
        "overlays and golden files differ; run scripts/regen-golden"
    );
}
