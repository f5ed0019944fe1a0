//! Every template of real public charts parses, prints back to the same tree, and equals the
//! tree Go's own parser builds, as recorded by `scripts/convert-go-parse/run`.
//!
//! The charts: `tests/fixtures/convert/parse/` (a sample committed with this test, sources in
//! its README) and `tests/fixtures/convert/charts/*/chart/` (the conversion corpus; Go's trees of
//! both are in `tests/fixtures/convert/parse/go-trees*.txt`). Any other
//! directory of charts can be checked the same way with `scripts/convert-go-parse/run DIR`,
//! which sets `KTERA_CONVERT_CORPUS` (and `KTERA_CONVERT_GO_TREES` to Go's trees of it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::assert_round_trip;
use super::go_view::go_view;
use crate::convert::parse;

/// Files Helm reads as templates: everything under `templates/` of a directory holding a
/// `Chart.yaml`, subcharts included.
fn template_files(root: &Path) -> Vec<PathBuf> {
    let mut charts = Vec::new();
    find_charts(root, &mut charts);
    let mut files = Vec::new();
    for chart in charts {
        collect_files(&chart.join("templates"), &mut files);
    }
    files.sort();
    files.dedup();
    files
}

fn find_charts(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("Chart.yaml").is_file() {
        out.push(dir.to_path_buf());
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        find_charts(&d, out);
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// `scripts/convert-go-parse`'s output: path -> Go's trees of that file ("error\n" when Go
/// refuses it).
fn go_trees(file: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/convert-go-parse/run", file.display()));
    // Trees are printed one per line with their text quoted, so a line that starts with
    // `== ` is always a file's header.
    let mut trees: HashMap<String, String> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("== ") {
            current = Some(path.to_string());
            trees.insert(path.to_string(), String::new());
        } else if let Some(view) = current.as_ref().and_then(|p| trees.get_mut(p)) {
            view.push_str(line);
            view.push('\n');
        }
    }
    trees
}

/// Both texts around the first place where they differ.
fn first_difference(mine: &str, go: &str) -> String {
    let at = mine
        .char_indices()
        .zip(go.chars())
        .find(|((_, a), b)| a != b)
        .map(|((i, _), _)| i)
        .unwrap_or(mine.len().min(go.len()));
    let window = |s: &str| {
        let start = s.floor_char_boundary(at.saturating_sub(120));
        let end = s.ceil_char_boundary((at + 120).min(s.len()));
        format!("{:?}", &s[start..end])
    };
    format!("  ktera: {}\n  go:    {}", window(mine), window(go))
}

#[derive(Default, Debug)]
struct Tally {
    files: usize,
    parsed: usize,
    refused_as_go_does: usize,
    compared_with_go: usize,
}

/// Checks every template under `root`; `expected` holds Go's trees by path relative to `root`.
fn check(root: &Path, expected: &HashMap<String, String>, tally: &mut Tally) -> Vec<String> {
    let mut problems = Vec::new();
    for file in template_files(root) {
        let Ok(source) = std::fs::read_to_string(&file) else {
            continue; // Not text: Helm cannot render it either.
        };
        tally.files += 1;
        let relative = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let go = expected.get(&relative);
        match parse(&relative, &source) {
            Ok(tree) => {
                tally.parsed += 1;
                assert_round_trip(&source);
                if let Some(go) = go {
                    tally.compared_with_go += 1;
                    let mine = go_view(&tree);
                    if &mine != go {
                        problems.push(format!(
                            "{relative}: differs from Go's tree\n{}",
                            first_difference(&mine, go)
                        ));
                    }
                }
            }
            Err(e) => match go {
                Some(go) if go == "error\n" => tally.refused_as_go_does += 1,
                _ => problems.push(format!("{relative}: {e}")),
            },
        }
    }
    problems
}

#[test]
fn real_chart_templates_parse_as_go_parses_them() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/convert");
    let sample = base.join("parse");
    let mut tally = Tally::default();
    let mut problems = check(&sample, &go_trees(&sample.join("go-trees.txt")), &mut tally);
    assert!(
        tally.compared_with_go >= 100,
        "the committed sample should hold Go's trees of 100 templates or more: {tally:?}"
    );
    assert_eq!(tally.parsed, tally.compared_with_go, "{tally:?}");
    // The conversion corpus grows; its templates without a recorded Go tree are still parsed
    // and printed back.
    let mut corpus = Tally::default();
    let recorded = go_trees(&sample.join("go-trees-charts.txt"));
    problems.extend(check(&base.join("charts"), &recorded, &mut corpus));
    assert!(
        corpus.compared_with_go >= 300,
        "the conversion corpus should be compared with Go's trees: {corpus:?}"
    );
    eprintln!("conversion corpus: {corpus:?}");
    if let Ok(dir) = std::env::var("KTERA_CONVERT_CORPUS") {
        let expected = std::env::var("KTERA_CONVERT_GO_TREES")
            .map(|f| go_trees(Path::new(&f)))
            .unwrap_or_default();
        let mut extra = Tally::default();
        problems.extend(check(Path::new(&dir), &expected, &mut extra));
        eprintln!("{dir}: {extra:?}");
    }
    eprintln!("committed charts: {tally:?}");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
