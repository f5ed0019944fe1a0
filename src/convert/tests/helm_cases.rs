//! The parser against real Helm on the conversion corpus' cases
//! (`tests/fixtures/convert/cases/*.yaml`, recorded by `scripts/gen-convert-fixtures`): every
//! template Helm parses is read and printed back to the same tree, and every template Helm
//! refuses while parsing is refused too (or, for a function Helm does not know, reported by the
//! scope analysis, since the parser does not check function names).

use std::path::Path;

use super::assert_round_trip;
use crate::convert::parse;
use crate::convert::scope::{Severity, TemplateFile, analyse};

#[derive(serde::Deserialize)]
struct Area {
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    template: String,
    helm_error: Option<String>,
}

#[test]
fn templates_are_read_or_refused_as_helm_reads_or_refuses_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/convert/cases");
    let mut read = 0;
    let mut refused = 0;
    let mut problems = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let area: Area =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in area.cases {
            let helm_refuses = case
                .helm_error
                .as_deref()
                .is_some_and(|e| e.contains("parse error"));
            match (parse(&case.name, &case.template), helm_refuses) {
                (Ok(_), false) => {
                    assert_round_trip(&case.template);
                    read += 1;
                }
                (Err(_), true) => refused += 1,
                (Ok(template), true) => {
                    let helm = case.helm_error.unwrap_or_default();
                    let files = [TemplateFile {
                        name: &case.name,
                        template: &template,
                    }];
                    let analysis = analyse(&files);
                    let unknown_function = analysis
                        .issues_of(Severity::Error)
                        .any(|i| i.message.starts_with("Helm has no function"));
                    if helm.contains("not defined") && unknown_function {
                        refused += 1;
                    } else {
                        problems.push(format!(
                            "{}: Helm refuses it ({helm}), ktera reads it",
                            case.name
                        ));
                    }
                }
                (Err(e), false) => {
                    problems.push(format!("{}: Helm reads it, ktera: {e}", case.name))
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        read >= 600 && refused >= 14,
        "read {read}, refused {refused}"
    );
}
