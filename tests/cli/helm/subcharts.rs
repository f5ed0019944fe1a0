//! Subcharts' values against real Helm: every chart of `tests/fixtures/helm-subcharts/parent`
//! prints its values; `expected.yaml` is what Helm 3 printed (scripts/gen-helm-subchart-fixtures).
//! Conditions, tags, aliases, globals, nested subcharts and both forms of import-values.

use std::collections::BTreeMap;

use crate::common;

use serde_yaml::Value;

/// `# Source:` path -> the document, parsed.
pub(super) fn by_source(stream: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for chunk in stream.split("---\n").filter(|c| !c.trim().is_empty()) {
        let (header, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
        let source = header.trim_start_matches("# Source: ").to_string();
        let value: Value = serde_yaml::from_str(body).unwrap_or(Value::Null);
        out.insert(source, value);
    }
    out
}

#[test]
fn subchart_values_match_helm() {
    let expected = std::fs::read_to_string("tests/fixtures/helm-subcharts/expected.yaml")
        .expect("fixture recorded by scripts/gen-helm-subchart-fixtures");
    let actual = by_source(&common::stdout_of(&[
        "template",
        "tests/fixtures/helm-subcharts/parent",
    ]));
    let expected = by_source(&expected);
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "the same templates must be rendered (disabled subcharts left out)"
    );
    for (source, want) in &expected {
        assert_eq!(actual.get(source), Some(want), "values seen by {source}");
    }
}
