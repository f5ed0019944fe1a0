//! Document order and `# Source:` headers against real Helm: `tests/fixtures/helm-order/chart`
//! holds static YAML of twenty kinds (known, unknown and hooks) in shuffled file order;
//! `expected.yaml` is what `helm template` printed (scripts/gen-helm-order-fixture).

use crate::common;

#[test]
fn output_matches_helm_byte_for_byte() {
    let expected = std::fs::read_to_string("tests/fixtures/helm-order/expected.yaml")
        .expect("fixture recorded by scripts/gen-helm-order-fixture");
    let actual = common::stdout_of(&["template", "tests/fixtures/helm-order/chart"]);
    // Compare the header sequence first: a clearer failure than a whole-text diff.
    let headers = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("# Source:") || l.starts_with("  name:"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(headers(&actual), headers(&expected));
    assert_eq!(actual, expected);
}
