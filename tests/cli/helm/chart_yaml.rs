//! `Chart.yaml` against real Helm: each case of `tests/fixtures/helm-chart-yaml/` is a chart
//! whose templates print the chart's name, apiVersion, version and `helm.sh/chart` label text;
//! `expected.yaml` is what Helm 3 printed, or `helm-error.txt` says Helm refused the chart
//! (scripts/gen-helm-chart-yaml-fixtures). Where Helm refuses, ktera must refuse too, naming
//! the chart's Chart.yaml, with the text of `ktera-error.txt`.

use std::fs;
use std::path::{Path, PathBuf};

use super::subcharts::by_source;
use crate::common;

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helm-chart-yaml");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .expect("fixture directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn chart_yaml_is_read_as_helm_reads_it() {
    let cases = cases();
    assert!(cases.len() >= 11, "the fixture cases are there");
    for dir in cases {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        let chart = dir.join("chart");
        let output = common::template(&chart).output().expect("run ktera");
        let stderr = String::from_utf8_lossy(&output.stderr);
        if let Ok(expected) = fs::read_to_string(dir.join("expected.yaml")) {
            assert!(output.status.success(), "{name:?}: ktera failed: {stderr}");
            let actual = String::from_utf8_lossy(&output.stdout);
            assert_eq!(by_source(&actual), by_source(&expected), "{name:?}");
        } else {
            let helm_error = fs::read_to_string(dir.join("helm-error.txt"))
                .expect("expected.yaml or helm-error.txt, from the generator");
            let want = fs::read_to_string(dir.join("ktera-error.txt"))
                .expect("ktera-error.txt where Helm refuses");
            assert!(
                !output.status.success(),
                "{name:?}: Helm refuses ({helm_error}), ktera rendered"
            );
            assert!(
                stderr.contains("Chart.yaml") && stderr.contains(want.trim()),
                "{name:?}: ktera's error names Chart.yaml and says {want:?}: {stderr}"
            );
        }
    }
}
