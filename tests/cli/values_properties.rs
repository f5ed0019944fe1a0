//! Laws of values merging and of the `--set` grammar, over generated inputs.

use ktera::values::{self, SetKind, ValueSources};
use proptest::prelude::*;
use serde_yaml::{Mapping, Value};

/// Keys from a small set, so that generated mappings overlap.
fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "c", "image", "tag", "y", "0755", "true"])
        .prop_map(String::from)
}

fn leaf(nulls: bool) -> BoxedStrategy<Value> {
    let mut leaves = vec![
        any::<bool>().prop_map(Value::Bool).boxed(),
        any::<i64>().prop_map(Value::from).boxed(),
        any::<u64>().prop_map(Value::from).boxed(),
        (-1e9f64..1e9).prop_map(Value::from).boxed(),
        "[a-z0-9 :#-]{0,8}".prop_map(Value::String).boxed(),
    ];
    if nulls {
        leaves.push(Just(Value::Null).boxed());
    }
    prop::strategy::Union::new(leaves).boxed()
}

fn value(nulls: bool) -> impl Strategy<Value = Value> {
    leaf(nulls).prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Sequence),
            prop::collection::vec((key(), inner), 0..5).prop_map(|entries| {
                Value::Mapping(
                    entries
                        .into_iter()
                        .map(|(k, v)| (Value::String(k), v))
                        .collect(),
                )
            }),
        ]
    })
}

/// A values document: a mapping at the top.
fn document(nulls: bool) -> impl Strategy<Value = Value> {
    prop::collection::vec((key(), value(nulls)), 0..6).prop_map(|entries| {
        Value::Mapping(
            entries
                .into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect(),
        )
    })
}

/// A document without nulls where a key's name decides whether it holds a mapping (`m*`) or
/// not (`s*`), so no file turns a mapping into something else. (When one does, Helm's merge
/// of the files first differs from merging them one by one over the defaults.)
fn shaped_document() -> impl Strategy<Value = Value> {
    let scalar = leaf(false).prop_recursive(1, 4, 3, |inner| {
        prop::collection::vec(inner, 0..3).prop_map(Value::Sequence)
    });
    let scalars =
        prop::collection::vec((prop::sample::select(vec!["s1", "s2", "s3"]), scalar), 0..4);
    scalars
        .prop_map(to_mapping)
        .prop_recursive(3, 32, 2, |inner| {
            (
                prop::collection::vec(
                    (prop::sample::select(vec!["m1", "m2"]), inner.clone()),
                    0..3,
                ),
                inner,
            )
                .prop_map(|(maps, mut base)| {
                    if let Value::Mapping(map) = &mut base {
                        for (k, v) in maps {
                            map.insert(Value::String(k.to_string()), v);
                        }
                    }
                    base
                })
        })
}

fn to_mapping(entries: Vec<(&'static str, Value)>) -> Value {
    Value::Mapping(
        entries
            .into_iter()
            .map(|(k, v)| (Value::String(k.to_string()), v))
            .collect(),
    )
}

fn has_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Sequence(items) => items.iter().any(has_null),
        Value::Mapping(map) => map.values().any(has_null),
        _ => false,
    }
}

fn write_files(dir: &std::path::Path, docs: &[Value]) -> Result<Vec<String>, TestCaseError> {
    std::fs::create_dir_all(dir).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut paths = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let path = dir.join(format!("{i}.yaml"));
        let text = serde_yaml::to_string(doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        paths.push(path.display().to_string());
    }
    Ok(paths)
}

/// Escapes text for a `--set` value: backslash, comma, and a leading `{`.
fn escape_value(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if c == '\\' || c == ',' || (i == 0 && c == '{') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text for a `--set` key name.
fn escape_key(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '\\' | ',' | '.' | '=' | '[') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn merging_an_empty_map_changes_nothing(base in document(true)) {
        let mut merged = base.clone();
        values::merge(&mut merged, Value::Mapping(Mapping::new()));
        prop_assert_eq!(&merged, &base);
        let mut files = base.clone();
        values::merge_files(&mut files, Value::Mapping(Mapping::new()));
        prop_assert_eq!(&files, &base);
        // And onto an empty map, an overlay without nulls arrives whole.
        if !has_null(&base) {
            let mut onto_empty = Value::Mapping(Mapping::new());
            values::merge(&mut onto_empty, base.clone());
            prop_assert_eq!(&onto_empty, &base);
        }
    }

    #[test]
    fn null_deletes_the_key(base in document(true), k in key()) {
        let mut overlay = Mapping::new();
        overlay.insert(Value::String(k.clone()), Value::Null);
        let had = base.get(&k).is_some();
        let mut merged = base.clone();
        values::merge(&mut merged, Value::Mapping(overlay));
        if had {
            prop_assert!(merged.get(&k).is_none());
        } else {
            prop_assert_eq!(merged.get(&k), Some(&Value::Null));
        }
        // Every other key is untouched.
        let others = |v: &Value| v.as_mapping().map(|m| m.iter().filter(|(kk, _)| kk.as_str() != Some(&k)).map(|(a, b)| (a.clone(), b.clone())).collect::<Vec<_>>());
        prop_assert_eq!(others(&merged), others(&base));
    }

    #[test]
    fn nulls_delete_defaults_at_any_depth(base in document(false), overlay in document(true)) {
        let mut merged = base.clone();
        values::merge(&mut merged, overlay.clone());
        // Where the overlay has null over an existing default, the key is gone.
        fn check(base: &Value, overlay: &Value, merged: &Value) -> bool {
            let (Value::Mapping(b), Value::Mapping(o)) = (base, overlay) else { return true };
            o.iter().all(|(k, ov)| match (b.get(k), ov) {
                (Some(_), Value::Null) => merged.get(k).is_none(),
                (Some(bv), ov) if bv.is_mapping() && ov.is_mapping() => merged.get(k).is_some_and(|mv| check(bv, ov, mv)),
                (_, ov) => merged.get(k) == Some(ov),
            })
        }
        prop_assert!(check(&base, &overlay, &merged));
    }

    #[test]
    fn a_chain_of_files_is_their_successive_merges(
        defaults in document(true),
        files in prop::collection::vec(document(true), 1..4),
    ) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let sources = ValueSources { files: write_files(dir.path(), &files)?, ..Default::default() };
        let resolved = values::resolve(defaults.clone(), &sources, &mut std::io::empty())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;

        // Helm's rule: the files merge with each other, then the result goes over the defaults.
        let mut user = Value::Mapping(Mapping::new());
        for file in &files {
            values::merge_files(&mut user, file.clone());
        }
        let mut expected = defaults.clone();
        values::merge(&mut expected, user.clone());
        prop_assert_eq!(&resolved, &expected);

        // So the chain gives what one file holding their successive merges gives.
        let one = ValueSources { files: write_files(&dir.path().join("one"), &[user])?, ..Default::default() };
        let from_one = values::resolve(defaults, &one, &mut std::io::empty())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&resolved, &from_one);
    }

    #[test]
    fn without_nulls_or_shape_changes_files_merge_one_by_one(
        defaults in shaped_document(),
        files in prop::collection::vec(shaped_document(), 1..4),
    ) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let sources = ValueSources { files: write_files(dir.path(), &files)?, ..Default::default() };
        let resolved = values::resolve(defaults.clone(), &sources, &mut std::io::empty())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut successive = defaults;
        for file in files {
            values::merge(&mut successive, file);
        }
        prop_assert_eq!(&resolved, &successive);
    }

    #[test]
    fn merging_a_null_free_value_onto_itself_changes_nothing(base in document(false)) {
        let mut merged = base.clone();
        values::merge(&mut merged, base.clone());
        prop_assert_eq!(&merged, &base);
    }

    #[test]
    fn set_then_parse_round_trips_simple_typed_values(
        path in prop::collection::vec("[a-zA-Z_][a-zA-Z0-9_-]{0,6}", 1..5),
        leaf in prop_oneof![
            any::<i64>().prop_map(|n| (n.to_string(), Value::from(n))),
            any::<bool>().prop_map(|b| (b.to_string(), Value::Bool(b))),
            "[a-z][a-z_-]{0,10}".prop_filter("not a keyword", |s| !matches!(s.as_str(), "true" | "false" | "null"))
                .prop_map(|s| (s.clone(), Value::String(s))),
        ],
    ) {
        let (text, want) = leaf;
        let mut set = Value::Null;
        values::apply_set(&mut set, &format!("{}={text}", path.join(".")), SetKind::Typed)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut expected = want;
        for name in path.iter().rev() {
            let mut map = Mapping::new();
            map.insert(Value::String(name.clone()), expected);
            expected = Value::Mapping(map);
        }
        prop_assert_eq!(&set, &expected);
        let yaml = serde_yaml::to_string(&set).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let parsed = values::parse_values(&yaml, "set.yaml").map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&parsed, &set);
    }

    #[test]
    fn escaped_text_comes_back_exactly(name in "\\PC{1,12}", text in "\\PC{0,16}") {
        let mut set = Value::Null;
        let expr = format!("{}={}", escape_key(&name), escape_value(&text));
        values::apply_set(&mut set, &expr, SetKind::String).map_err(|e| TestCaseError::fail(format!("{expr:?}: {e}")))?;
        let mut expected = Mapping::new();
        expected.insert(Value::String(name), Value::String(text));
        prop_assert_eq!(set, Value::Mapping(expected));
    }

    #[test]
    fn set_expressions_never_panic(expr in "[a-c0-9.,=\\[\\]{}\\\\\" -]{0,24}", existing in document(true)) {
        for kind in [SetKind::Typed, SetKind::String, SetKind::Json, SetKind::File] {
            let mut target = existing.clone();
            let before = target.clone();
            if values::apply_set(&mut target, &expr, kind).is_err() {
                prop_assert_eq!(&target, &before);
            }
        }
    }

    #[test]
    fn parsing_never_panics(text in "[a-z0-9:{}\\[\\],&*!|>'\"#~ \n-]{0,64}") {
        let _ = values::parse_values(&text, "fuzz.yaml");
    }
}
