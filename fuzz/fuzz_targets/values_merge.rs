//! Values documents parsed and merged as `-f` files and chart defaults are.
//!
//! Input: up to three NUL-separated values documents. Checks: no panic on any text; Helm's
//! merge laws (an empty overlay changes nothing, a scalar or list replaces, a null deletes in
//! `merge` and stays in `merge_files`, merging a null-free document onto itself changes nothing).
#![no_main]

use ktera::values::{merge, merge_files, parse_values};
use ktera_fuzz::{parts, same};
use libfuzzer_sys::fuzz_target;
use serde_yaml::{Mapping, Value};

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Mapping(m) => m.values().any(has_null),
        _ => false,
    }
}

fn check_laws(base: &Value, overlay: &Value) {
    let empty = Value::Mapping(Mapping::new());
    for combine in [merge, merge_files] {
        let mut same_base = base.clone();
        combine(&mut same_base, empty.clone());
        assert!(same(&same_base, base), "an empty overlay changed {base:?}");
    }
    if !has_null(base) {
        let mut twice = base.clone();
        merge(&mut twice, base.clone());
        assert!(same(&twice, base), "merging onto itself changed {base:?}");
    }
    let (Value::Mapping(b), Value::Mapping(o)) = (base, overlay) else {
        return;
    };
    let mut merged = base.clone();
    merge(&mut merged, overlay.clone());
    let mut files = base.clone();
    merge_files(&mut files, overlay.clone());
    for (key, value) in o {
        match value {
            Value::Null => {
                let kept = files.get(key) == Some(&Value::Null);
                assert!(kept, "merge_files dropped the null of {key:?}");
                let expected = if b.contains_key(key) {
                    None
                } else {
                    Some(&Value::Null)
                };
                assert!(merged.get(key) == expected, "null mishandled for {key:?}");
            }
            Value::Mapping(_) if b.get(key).is_some_and(Value::is_mapping) => {}
            _ => {
                assert!(
                    files.get(key) == Some(value),
                    "{key:?} not replaced by the overlay"
                );
                assert!(
                    merged.get(key) == Some(value),
                    "{key:?} not replaced by the overlay"
                );
            }
        }
    }
    for key in b.keys() {
        if !o.contains_key(key) {
            assert!(
                merged.get(key) == base.get(key),
                "{key:?} changed without an overlay"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut docs = Vec::new();
    for (i, text) in parts(data, 3).iter().enumerate() {
        match parse_values(text, &format!("f{i}.yaml")) {
            Ok(v) => {
                assert!(v.is_mapping(), "parse_values returned a non-mapping");
                docs.push(v);
            }
            Err(e) => {
                let message = e.to_string();
                assert!(message.starts_with(&format!("f{i}.yaml")), "{message}");
            }
        }
    }
    for pair in docs.windows(2) {
        check_laws(&pair[0], &pair[1]);
    }
    if let Some(first) = docs.first() {
        check_laws(first, first);
    }
});
