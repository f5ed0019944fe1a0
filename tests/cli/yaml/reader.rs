//! The fast YAML reader (`ktera::yaml::read_document`) against serde_yaml: whenever it answers,
//! its answer is serde_yaml's (and, for values files, that of `ktera::values::parse_values`
//! when it does not use the fast reader); and it
//! does answer for the documents ktera's own example renders, or it would not be worth having.
//! (`yaml::roundtrip` also runs it on everything the emitter writes.)

use std::path::Path;

use crate::common::same::same;
use ktera::manifest::split_documents;
use ktera::values::parse_values_with_serde_yaml;
use ktera::yaml::{Keys, read_document};
use proptest::prelude::*;
use serde_yaml::{Mapping, Value};

/// Checks one text in both modes; returns whether the fast reader answered in resolved mode.
fn check(text: &str) -> Result<bool, TestCaseError> {
    let fast = read_document(text, Keys::Resolved);
    if let Some(fast) = &fast {
        match serde_yaml::from_str::<Value>(text) {
            Ok(slow) => prop_assert!(
                same(fast, &slow),
                "differs from serde_yaml\ntext:\n{}\nfast: {:?}\nserde_yaml: {:?}",
                text,
                fast,
                slow
            ),
            Err(e) => prop_assert!(
                false,
                "serde_yaml refuses what the fast reader read\ntext:\n{}\nfast: {:?}\nerror: {}",
                text,
                fast,
                e
            ),
        }
    }
    if let Some(fast) = read_document(text, Keys::Strings) {
        let fast = match fast {
            Value::Null => Value::Mapping(Mapping::new()),
            other => other,
        };
        if let Value::Mapping(_) = fast {
            match parse_values_with_serde_yaml(text, "v.yaml") {
                Ok(slow) => prop_assert!(
                    same(&fast, &slow),
                    "differs from the values parser\ntext:\n{}\nfast: {:?}\nparse_values: {:?}",
                    text,
                    fast,
                    slow
                ),
                // Its depth scan is lexical and may refuse brackets libyaml reads as text: a
                // refusal, not another value.
                Err(e) if e.to_string().contains("nest deeper than") => {}
                Err(e) => prop_assert!(
                    false,
                    "the values parser refuses what the fast reader read\ntext:\n{}\nfast: {:?}\nerror: {}",
                    text,
                    fast,
                    e
                ),
            }
        }
    }
    Ok(fast.is_some())
}

#[rustfmt::skip]
const KEYS: &[&str] = &[
    "a", "b", "key", "name", "\"q\"", "'s'", "\"a b\"", "1", "-1", "0x10", "1.5", "1e3", "true",
    "True", "~", "null", "<<", "a b", "-x", "?x", ":x", "a:b", "x#y", "\"\"", "''", ".inf", "é",
    "[a]", "{a: 1}", "&k a", "!t a", "\"k\\\"\"", "'it''s'", "a ", "0o7", "1_0", "012",
];

#[rustfmt::skip]
const VALUES: &[&str] = &[
    "", "1", "-1", "0x1F", "-0x1F", "0o7", "0b11", "+1", "1.5", "-1.5", "1e3", "1E-3", ".5", "1.",
    ".inf", "-.inf", "+.inf", ".nan", ".NaN", "inf", "nan", "012", "0", "-0", "+0", "00", "0.0",
    "-0.0", "true", "False", "TRUE", "tRUE", "NULL", "Null", "~", "yes", "on", "text", "a b",
    "a: b", "a:", "a:b", "a #c", "a#c", "#c", "\"dq\"", "\"a\\nb\"", "\"\\u00e9\\x41\\t\\\\\"",
    "\"\\U0001F600\"", "\"\\ud800\"", "\"\\q\"", "\"a\"b", "'s''q'", "''", "\"\"", "|", "|-",
    "|+", "|2", ">", ">-", "[]", "{}", "[a, b]", "[1, [2, {}]]", "{a: 1, b: [x]}", "{\"a\":1}",
    "{a:1}", "[a: b]", "[a, ]", "[, a]", "{a: }", "{a, b}", "[a #c]", "&a x", "*a", "!!str 1",
    "- x", "-", "- - y", "? x", ": x", "é", "😀 x", "99999999999999999999", "-99999999999999999999",
    "340282366920938463463374607431768211456", "1.0e400", "'unterminated", "\"unterminated",
    "trailing  ", "@x", "`x", "%x", ",x", "a, b", "a [b]", "a {b}", "- a: b", "\"a\": b",
    "k: v", "0x", "0x_1", "1_000", "12:30", "2024-01-01", "C:\\x", "\"\\\\\"", "'\\'",
];

/// A line: indentation, optional `- ` entries, an optional key, a value, an optional comment.
fn line() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![0usize, 0, 0, 1, 2, 2, 2, 3, 4, 4, 6, 8]),
        prop::sample::select(vec!["", "", "", "- ", "- ", "-  ", "- - ", "-"]),
        prop::option::weighted(0.6, prop::sample::select(KEYS)),
        prop::sample::select(vec![": ", ": ", ":", " : ", ":  "]),
        prop::sample::select(VALUES),
        prop::sample::select(vec!["", "", "", "", " # c", "  #c", "#x"]),
    )
        .prop_map(|(indent, dash, key, colon, value, comment)| {
            let mut line = " ".repeat(indent);
            line.push_str(dash);
            if let Some(key) = key {
                line.push_str(key);
                line.push_str(colon);
            }
            line.push_str(value);
            line.push_str(comment);
            line
        })
}

fn document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(
            prop_oneof![
                6 => line(),
                1 => Just(String::new()),
                1 => prop::sample::select(vec![" ", "  ", "   ", "     ", "#", "  # c", "text", "  text", "    more  text", "  - item", "---", "...", "\t", "  \tx", "\"multi", "  line\""]).prop_map(str::to_owned),
            ],
            0..12,
        ),
        any::<bool>(),
    )
        .prop_map(|(lines, final_break)| {
            let mut text = lines.join("\n");
            if final_break {
                text.push('\n');
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 20_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn whenever_it_answers_it_agrees_with_serde_yaml(text in document()) {
        check(&text)?;
    }

    /// Plain scalars made of the characters of numbers, booleans and nulls: each resolves as
    /// serde_yaml resolves it, as a value and as a key.
    #[test]
    fn plain_scalars_resolve_as_in_serde_yaml(
        scalar in prop_oneof![
            "[-+.0-9eExXoObB_~]{1,8}",
            "[-+]?(0x|0o|0b)?[0-9a-fA-F_]{1,22}",
            "[-+]?[0-9]{0,3}[.]?[0-9]{0,3}([eE][-+]?[0-9]{1,3})?",
            "[-+]?[.]?(inf|Inf|INF|iNf|nan|NaN|NAN|naN|infinity)",
            "(true|True|TRUE|tRue|false|False|FALSE|fAlse|null|Null|NULL|nUll|yes|no|on|off|y|n)",
        ]
    ) {
        check(&format!("k: {scalar}\n"))?;
        check(&format!("{scalar}: v\n"))?;
        check(&format!("- [{scalar}, {{{scalar}: {scalar}}}]\n"))?;
    }
}

/// Block scalars and flow collections, the forms with the most rules, case by case.
#[test]
fn literal_blocks_and_flows_agree_with_serde_yaml() {
    let mut answered = 0;
    let cases: [&str; _] = [
        "a: |\n  x\n  y\n",
        "a: |\n  x\n\n  y\n\n\nb: 1\n",
        "a: |-\n  x\n\n",
        "a: |+\n  x\n\n\n",
        "a: |+\n  x\n  \n   \nb: 1",
        "a: |\n  x",
        "a: |-\n  x",
        "a: |+\n  x",
        "a: |\n\n  x\n",
        "a: |\n   \n  x\n",
        "a: |\n  \n   x\n",
        "a: |\n    x\n  y\n",
        "a: |\n  x\n    y\n   z\n",
        "a: | # c\n  x\n",
        "a: |\n  # not a comment\n  x\n# a comment\nb: 2\n",
        "- |\n  x\n- |-\n  y\n",
        "a:\n- |\n  x\n- y\n",
        "a:\n  b: |\n    x\n  c: 1\n",
        "a: |\nb: 1\n",
        "a: |\n",
        "a: |\n  x\n b: 1\n",
        "a: [1, \"two\", 'three', {b: c}, [], {}]\n",
        "a: {\"k\":\"v\", n: 1, l: [x, y]}\n",
        "a: [a, b, ]\n",
        "a: {a: 1, }\n",
        "- [a, b]\n- {c: d}\n",
        // Keys past libyaml's 1,024-character limit for implicit keys (found by fuzzing).
        &format!("\"{}\": v\n", "k".repeat(1100)),
        &format!("'{}': v\n", "k".repeat(1100)),
        &format!("{}: v\n", "k".repeat(1100)),
        &format!("{{\"{}\": v}}\n", "k".repeat(1100)),
        &format!("a: {{{}: v}}\n", "k".repeat(1100)),
        &format!("{{\"{}\"{}: v}}\n", "k".repeat(990), " ".repeat(40)),
        &format!("\"{}\"{}: v\n", "k".repeat(990), " ".repeat(40)),
    ];
    for text in cases {
        match check(text) {
            Ok(true) => answered += 1,
            Ok(false) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert!(
        answered >= 20,
        "the fast reader answered only {answered} cases"
    );
}

/// Every document the example renders, and its values files, are read by the fast reader,
/// with serde_yaml's result (the point of the reader: ktera's own output never falls back).
#[test]
fn reads_every_document_of_the_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut documents = 0;
    for stream in [
        "tests/golden/backend/dev.yaml",
        "tests/golden/backend/prod.yaml",
        "rendered/dev/backend.yaml",
        "rendered/prod/backend.yaml",
    ] {
        let text = std::fs::read_to_string(root.join(stream)).expect("read example output");
        for doc in split_documents(&text) {
            documents += 1;
            assert!(
                read_document(doc.text, Keys::Resolved).is_some(),
                "{stream}, line {}: left to serde_yaml",
                doc.first_line
            );
            if let Err(e) = check(doc.text) {
                panic!("{stream}, line {}: {e}", doc.first_line);
            }
        }
    }
    assert!(documents >= 40, "only {documents} documents");
    for values in [
        "charts/backend/values.yaml",
        "charts/backend/charts/cache/values.yaml",
        "values/dev.yaml",
        "values/prod.yaml",
    ] {
        let text = std::fs::read_to_string(root.join(values)).expect("read values");
        assert!(
            read_document(&text, Keys::Strings).is_some(),
            "{values}: left to serde_yaml"
        );
        if let Err(e) = check(&text) {
            panic!("{values}: {e}");
        }
    }
}
