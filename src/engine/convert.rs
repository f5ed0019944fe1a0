//! Conversions between the project's value type (`serde_yaml::Value`) and Tera's `Value`.

use tera::Value as TeraValue;
use tera::value::Key;

/// Values and chart data as a Tera value; maps keep their written key order (`preserve_order`).
///
/// Converted by hand rather than with `TeraValue::from_serializable`, which panics on a key Tera
/// cannot hold (a float, null or list key, possible in Chart.yaml or `from_yaml` input) and
/// goes through serde for every node. Keys that are strings, integers or booleans stay so; any
/// other key becomes its YAML text (`1.5`, `null`), as a YAML-to-JSON reader makes it.
pub fn to_tera(value: &serde_yaml::Value) -> TeraValue {
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
        Yaml::Sequence(items) => TeraValue::from(items.iter().map(to_tera).collect::<Vec<_>>()),
        Yaml::Mapping(m) => {
            let mut map = tera::Map::with_capacity(m.len());
            for (k, v) in m {
                map.insert(to_key(k), to_tera(v));
            }
            TeraValue::from(map)
        }
        // As serde_yaml serializes a tagged value: a one-entry map from the tag.
        Yaml::Tagged(tagged) => {
            let mut map = tera::Map::with_capacity(1);
            map.insert(Key::from(tagged.tag.to_string()), to_tera(&tagged.value));
            TeraValue::from(map)
        }
    }
}

fn to_key(key: &serde_yaml::Value) -> Key<'static> {
    use serde_yaml::Value as Yaml;
    match key {
        Yaml::String(s) => Key::from(s.clone()),
        Yaml::Bool(b) => Key::Bool(*b),
        Yaml::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Key::U64(u),
            (None, Some(i)) => Key::I64(i),
            _ => Key::from(crate::yaml::emit_document(key).trim_end().to_string()),
        },
        Yaml::Null => Key::from("null"),
        other => Key::from(crate::yaml::emit_document(other).trim_end().to_string()),
    }
}

/// A Tera value (a filter's input) as a YAML value, for `to_yaml`/`to_json`.
pub fn from_tera(value: &TeraValue) -> Result<serde_yaml::Value, tera::Error> {
    if value.is_undefined() {
        return Err(tera::Error::message(
            "the value is undefined; give it a default with `| default(value=...)`",
        ));
    }
    if nested_deeper_than(value, MAX_CONVERTED_DEPTH) {
        return Err(tera::Error::message(format!(
            "the value nests deeper than {MAX_CONVERTED_DEPTH} levels; a loop probably nests it in itself"
        )));
    }
    serde_yaml::to_value(value)
        .map_err(|e| tera::Error::message(format!("cannot convert the value: {e}")))
}

/// Deepest Tera value converted: serde's walk is recursive, and a template can nest a list in
/// itself millions of times (`{% set_global x = [x] %}` in a loop).
const MAX_CONVERTED_DEPTH: usize = 10_000;

/// Whether `value` nests lists and maps deeper than `max`, walked without recursion.
fn nested_deeper_than(value: &TeraValue, max: usize) -> bool {
    let mut todo = vec![(value, 1usize)];
    while let Some((value, depth)) = todo.pop() {
        let children: Vec<&TeraValue> = if let Some(items) = value.as_array() {
            items.iter().collect()
        } else if let Some(map) = value.as_map() {
            map.values().collect()
        } else {
            continue;
        };
        if depth > max && !children.is_empty() {
            return true;
        }
        todo.extend(children.into_iter().map(|child| (child, depth + 1)));
    }
    false
}
