//! Kustomize's content hash of a generated ConfigMap or Secret: the suffix of
//! `backend-app-config-5b7k2m9dth`, so that a change of the data gives a new name and the
//! workloads that use it roll.
//!
//! The algorithm of kubernetes-sigs/kustomize `api/hasher/hasher.go` (Kustomize v5): the
//! object's hashed fields as Go's `encoding/json` writes them (keys sorted, `<`, `>`, `&`
//! escaped), SHA-256, the first ten hex digits with `0 1 3 a e` replaced by `g h k m t` (so the
//! suffix never reads as a number). Hashed are, for a ConfigMap, `data` and `binaryData`; for a
//! Secret, `type`, `data` and `stringData`; and `kind`. Kustomize also means to hash the name,
//! but it looks it up with a path (`metadata/name`) that never matches, so the name is always
//! written as `""`; the tests check the result against hashes Kustomize printed.
//! Hand-written: no crate writes JSON exactly as Go's encoder does.

use serde_yaml::{Mapping, Value};
use sha2::{Digest as _, Sha256};

/// The hash Kustomize appends to a generated ConfigMap's or Secret's name, from the object as
/// it is built (after patches). `None` for any other kind.
pub fn name_hash(object: &Value) -> Option<String> {
    let kind = object.get("kind")?.as_str()?;
    let field = |name: &str| object.get(name).filter(|v| !v.is_null());
    let mut hashed: Vec<(&str, String)> = vec![("kind", go_json_string(kind))];
    hashed.push(("name", go_json_string("")));
    hashed.push((
        "data",
        field("data").map_or_else(|| go_json_string(""), go_json),
    ));
    match kind {
        "ConfigMap" => {
            if let Some(binary) = field("binaryData").filter(|v| v.is_mapping()) {
                hashed.push(("binaryData", go_json(binary)));
            }
        }
        "Secret" => {
            let type_ = field("type").map_or_else(String::new, scalar_text);
            hashed.push(("type", go_json_string(&type_)));
            if let Some(string_data) = field("stringData").filter(|v| v.is_mapping()) {
                hashed.push(("stringData", go_json(string_data)));
            }
        }
        _ => return None,
    }
    hashed.sort_by(|a, b| a.0.cmp(b.0));
    let mut text = String::from("{");
    for (i, (key, value)) in hashed.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&go_json_string(key));
        text.push(':');
        text.push_str(value);
    }
    text.push('}');
    Some(encode(&Sha256::digest(text.as_bytes())))
}

/// The first ten hex digits, with the digits and letters that could make it read as a number
/// or a word replaced (kubectl's `hash.go`, which Kustomize copies).
fn encode(digest: &[u8]) -> String {
    digest
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 0xf])
        .take(10)
        .map(|nibble| match nibble {
            0 => 'g',
            1 => 'h',
            3 => 'k',
            0xa => 'm',
            0xe => 't',
            n => char::from_digit(u32::from(n), 16).unwrap_or('?'),
        })
        .collect()
}

/// The text of a scalar as the YAML node holds it (`type: Opaque` gives `Opaque`).
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Tagged(tagged) => scalar_text(&tagged.value),
        _ => String::new(),
    }
}

/// A value as Go writes it after a round trip through `interface{}`: maps with sorted keys,
/// every number a float64.
fn go_json(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_float(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => go_json_string(s),
        Value::Sequence(items) => {
            let items: Vec<String> = items.iter().map(go_json).collect();
            format!("[{}]", items.join(","))
        }
        Value::Mapping(map) => go_json_map(map),
        Value::Tagged(tagged) => go_json(&tagged.value),
    }
}

fn go_json_map(map: &Mapping) -> String {
    let mut entries: Vec<(String, String)> = map
        .iter()
        .map(|(k, v)| (scalar_text(k), go_json(v)))
        .collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let body: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}:{v}", go_json_string(k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// Go's `strconv.FormatFloat(f, 'f' or 'e', -1, 64)` as `encoding/json` chooses between them.
fn go_float(f: f64) -> String {
    if !f.is_finite() {
        return "null".to_string();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Go writes 1e+21 and 1e-07: an exponent of at least two digits, with its sign.
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let (sign, digits) = match exponent.strip_prefix('-') {
            Some(digits) => ('-', digits),
            None => ('+', exponent),
        };
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    let text = format!("{f}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

/// A JSON string as Go's encoder writes it.
fn go_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    crate::json::write_go_string(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(yaml: &str) -> Option<String> {
        name_hash(&serde_yaml::from_str(yaml).unwrap())
    }

    #[test]
    fn config_map_as_kustomize_hashes_it() {
        // tests/fixtures/import/upstream-config-generation: staging-the-map-v1-c2g8fcbf88.
        let cm = "kind: ConfigMap\nmetadata: {name: staging-the-map-v1}\ndata: {altGreeting: Have a kiwi!, enableRisky: 'true'}";
        assert_eq!(hash(cm).as_deref(), Some("c2g8fcbf88"));
    }

    #[test]
    fn the_name_and_labels_do_not_count() {
        let a = "kind: ConfigMap\nmetadata: {name: a, labels: {x: y}}\ndata: {k: v}";
        let b = "kind: ConfigMap\nmetadata: {name: b}\ndata: {k: v}";
        assert_eq!(hash(a), hash(b));
        let c = "kind: ConfigMap\nmetadata: {name: b}\ndata: {k: w}";
        assert_ne!(hash(b), hash(c));
    }

    #[test]
    fn secret_type_counts() {
        let a = "kind: Secret\ntype: Opaque\ndata: {k: dg==}";
        let b = "kind: Secret\ntype: kubernetes.io/tls\ndata: {k: dg==}";
        assert_ne!(hash(a), hash(b));
        assert!(hash("kind: Deployment").is_none());
    }

    #[test]
    fn go_json_escapes() {
        assert_eq!(
            go_json_string("a<b>&\"\\\n\u{1}é"),
            "\"a\\u003cb\\u003e\\u0026\\\"\\\\\\n\\u0001é\""
        );
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(0.5), "0.5");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(9007199254740993.0), "9007199254740992");
    }
}
