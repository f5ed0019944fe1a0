//! Conversions between the project's value type (`serde_yaml::Value`) and Tera's `Value`.

use serde::ser::{Serialize, SerializeMap, Serializer};
use tera::Value as TeraValue;

/// Values and chart data as a Tera value; maps keep their written key order (`preserve_order`).
///
/// Converted by hand rather than with `TeraValue::from_serializable(value)`, which panics on a
/// key Tera cannot hold (a float, null or list key, possible in Chart.yaml or `from_yaml` input).
/// Keys that are strings, integers or booleans stay so; any other key becomes its YAML text
/// (`1.5`, `null`), as a YAML-to-JSON reader makes it. The conversion is still told to Tera's
/// serializer ([`AsTera`]): it is the one way to build Tera's maps in place, where building a
/// `tera::Map` and converting it builds every map twice.
pub fn to_tera(value: &serde_yaml::Value) -> TeraValue {
    // Cannot fail: every key is written as a string, an integer or a boolean.
    TeraValue::try_from_serializable(&AsTera(value)).unwrap_or_else(|_| TeraValue::none())
}

/// A YAML value as [`to_tera`] converts it.
struct AsTera<'a>(&'a serde_yaml::Value);

impl Serialize for AsTera<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_yaml::Value as Yaml;
        match self.0 {
            Yaml::Null => serializer.serialize_none(),
            Yaml::Bool(b) => serializer.serialize_bool(*b),
            Yaml::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => serializer.serialize_u64(u),
                (None, Some(i), _) => serializer.serialize_i64(i),
                (None, None, Some(f)) => serializer.serialize_f64(f),
                _ => serializer.serialize_none(),
            },
            Yaml::String(s) => serializer.serialize_str(s),
            Yaml::Sequence(items) => serializer.collect_seq(items.iter().map(AsTera)),
            Yaml::Mapping(m) => {
                serializer.collect_map(m.iter().map(|(k, v)| (KeyAsTera(k), AsTera(v))))
            }
            // As serde_yaml serializes a tagged value: a one-entry map from the tag.
            Yaml::Tagged(tagged) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(&tagged.tag.to_string(), &AsTera(&tagged.value))?;
                map.end()
            }
        }
    }
}

/// A mapping key as [`to_tera`] converts it.
struct KeyAsTera<'a>(&'a serde_yaml::Value);

impl Serialize for KeyAsTera<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_yaml::Value as Yaml;
        match self.0 {
            Yaml::String(s) => serializer.serialize_str(s),
            Yaml::Bool(b) => serializer.serialize_bool(*b),
            Yaml::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => serializer.serialize_u64(u),
                (None, Some(i)) => serializer.serialize_i64(i),
                _ => serializer.serialize_str(crate::yaml::emit_document(self.0).trim_end()),
            },
            Yaml::Null => serializer.serialize_str("null"),
            other => serializer.serialize_str(crate::yaml::emit_document(other).trim_end()),
        }
    }
}

/// A Tera value (a filter's input) as a YAML value, for `to_yaml`/`to_json`.
pub fn from_tera(value: &TeraValue) -> Result<serde_yaml::Value, tera::Error> {
    if value.is_undefined() {
        return Err(tera::Error::message(
            "the value is undefined; give it a default with `| default(value=...)`",
        ));
    }
    let walked = walk(value, MAX_CONVERTED_DEPTH);
    if walked.too_deep {
        return Err(tera::Error::message(format!(
            "the value nests deeper than {MAX_CONVERTED_DEPTH} levels; a loop probably nests it in itself"
        )));
    }
    let converted = if walked.has_semver {
        serde_yaml::to_value(semver_as_text(value))
    } else {
        serde_yaml::to_value(value)
    };
    converted.map_err(|e| tera::Error::message(format!("cannot convert the value: {e}")))
}

/// A copy of `value` with every `semver` version as its text, as Helm serialises one.
fn semver_as_text(value: &TeraValue) -> TeraValue {
    if let Some(text) = super::functions::semver_text(value) {
        TeraValue::from(text)
    } else if let Some(items) = value.as_array() {
        TeraValue::from(items.iter().map(semver_as_text).collect::<Vec<_>>())
    } else if let Some(map) = value.as_map() {
        let mut copy = tera::Map::new();
        for (key, item) in map {
            copy.insert(key.clone(), semver_as_text(item));
        }
        TeraValue::from(copy)
    } else {
        value.clone()
    }
}

/// Deepest Tera value converted: serde's walk is recursive, and a template can nest a list in
/// itself millions of times (`{% set_global x = [x] %}` in a loop).
const MAX_CONVERTED_DEPTH: usize = 10_000;

struct Walked {
    /// Lists and maps nest deeper than the limit.
    too_deep: bool,
    /// A `semver` version is among the values.
    has_semver: bool,
}

/// What `from_tera` must know of `value` before serde walks it, found without recursion.
fn walk(value: &TeraValue, max: usize) -> Walked {
    let mut walked = Walked {
        too_deep: false,
        has_semver: false,
    };
    let mut todo = vec![(value, 1usize)];
    while let Some((value, depth)) = todo.pop() {
        if let Some(items) = value.as_array() {
            if depth > max && !items.is_empty() {
                walked.too_deep = true;
                return walked;
            }
            todo.extend(items.iter().map(|child| (child, depth + 1)));
        } else if let Some(map) = value.as_map() {
            if depth > max && !map.is_empty() {
                walked.too_deep = true;
                return walked;
            }
            if super::functions::semver_text(value).is_some() {
                walked.has_semver = true;
                continue;
            }
            todo.extend(map.values().map(|child| (child, depth + 1)));
        }
    }
    walked
}

#[cfg(test)]
mod tests {
    use super::to_tera;
    use tera::Value as TeraValue;
    use tera::value::Key;

    /// The conversion as it is specified, built node by node with `tera::Map`.
    fn reference(value: &serde_yaml::Value) -> TeraValue {
        use serde_yaml::Value as Yaml;
        match value {
            Yaml::Null => TeraValue::none(),
            Yaml::Bool(b) => TeraValue::from(*b),
            Yaml::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => TeraValue::from(u),
                (None, Some(i), _) => TeraValue::from(i),
                (None, None, Some(f)) => TeraValue::from(f),
                _ => TeraValue::none(),
            },
            Yaml::String(s) => TeraValue::from(s.as_str()),
            Yaml::Sequence(items) => {
                TeraValue::from(items.iter().map(reference).collect::<Vec<_>>())
            }
            Yaml::Mapping(m) => {
                let mut map = tera::Map::new();
                for (k, v) in m {
                    let key = match k {
                        Yaml::String(s) => Key::from(s.clone()),
                        Yaml::Bool(b) => Key::Bool(*b),
                        Yaml::Number(n) if n.as_u64().is_some() => Key::U64(n.as_u64().unwrap()),
                        Yaml::Number(n) if n.as_i64().is_some() => Key::I64(n.as_i64().unwrap()),
                        Yaml::Null => Key::from("null"),
                        other => {
                            Key::from(crate::yaml::emit_document(other).trim_end().to_string())
                        }
                    };
                    map.insert(key, reference(v));
                }
                TeraValue::from(map)
            }
            Yaml::Tagged(tagged) => {
                let mut map = tera::Map::new();
                map.insert(Key::from(tagged.tag.to_string()), reference(&tagged.value));
                TeraValue::from(map)
            }
        }
    }

    /// Keys of every kind, in their written order, and values of every kind.
    #[test]
    fn converts_every_kind_of_value_and_key_in_order() {
        let text = r#"
zeta: 1
alpha: -2
18446744073709551615: big
-5: negative
1.5: float key
true: bool key
null: null key
[a, b]: list key
{k: v}: map key
nested:
  list: [1, 2.5, "three", null, true, [x], {y: z}]
  map: {b: 1, a: 2}
  tagged: !custom {inner: 1}
  float: 1e3
  inf: .inf
  text: "line\nbreak"
"#;
        let value: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
        let converted = to_tera(&value);
        assert_eq!(converted, reference(&value));
        // Equality of maps ignores order: check it too.
        let keys =
            |v: &TeraValue| -> Vec<Key<'static>> { v.as_map().unwrap().keys().cloned().collect() };
        assert_eq!(keys(&converted), keys(&reference(&value)));
        let nested = converted
            .as_map()
            .unwrap()
            .get(&Key::Str("nested"))
            .unwrap();
        let map = nested.as_map().unwrap().get(&Key::Str("map")).unwrap();
        let names: Vec<&str> = map
            .as_map()
            .unwrap()
            .keys()
            .filter_map(Key::as_str)
            .collect();
        assert_eq!(names, ["b", "a"]);
    }
}
