//! Filters, functions and template objects against real Helm: `tests/fixtures/helm-functions/`
//! holds one ConfigMap template written twice, with Sprig (`helm/`) and with ktera's filters
//! (`ktera/`); `expected.yaml` is what Helm printed (scripts/gen-helm-functions-fixture).

use crate::common;

use serde_yaml::Value;

fn data(stream: &str) -> serde_yaml::Mapping {
    let body = stream
        .split_once("# Source: functions/templates/cm.yaml\n")
        .map(|(_, b)| b)
        .unwrap_or(stream);
    let doc: Value = serde_yaml::from_str(body).expect("one document");
    doc.get("data")
        .and_then(Value::as_mapping)
        .cloned()
        .expect("data")
}

#[test]
fn filters_and_objects_match_helm() {
    let expected = std::fs::read_to_string("tests/fixtures/helm-functions/expected.yaml")
        .expect("fixture recorded by scripts/gen-helm-functions-fixture");
    let stdout = common::stdout_of(&["template", "tests/fixtures/helm-functions/ktera"]);
    let actual = data(&stdout);
    let expected = data(&expected);
    assert_eq!(actual.len(), expected.len());
    for (key, want) in &expected {
        let key = key.as_str().unwrap_or_default();
        let got = actual
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("<missing>");
        let want = want.as_str().unwrap_or_default();
        match key {
            // Documented difference: ktera names itself as the release service.
            "service" => assert_eq!((got, want), ("ktera", "Helm")),
            // JSON is compared as data: Helm sorts keys, ktera keeps the written order.
            "json" | "from-yaml" | "from-json" => {
                let got: serde_json::Value = serde_json::from_str(got).expect("JSON");
                let want: serde_json::Value = serde_json::from_str(want).expect("JSON");
                assert_eq!(got, want, "{key}");
            }
            _ => assert_eq!(got, want, "{key}"),
        }
    }
}
