//! YAML and JSON in and out: `to_yaml` (Helm `toYaml`), `to_json` (`toJson`,
//! `toPrettyJson` with `pretty=true`), `from_yaml`, `from_yaml_array`, `from_json`,
//! `from_json_array`. Maps keep their written order unless `sort_keys=true` asks for Helm's.

use std::cmp::Ordering;

use serde::Deserialize;

use crate::json::write_go_string;
use tera::value::Key;
use tera::{Kwargs, Map, State, TeraResult, Value};

use super::args::{describe, text};
use super::convert::{from_tera, to_tera};
use super::go;
use super::register::Registry;

pub fn register(r: &mut Registry) {
    r.filter("to_yaml", &["sort_keys", "style"], to_yaml);
    r.filter("to_json", &["pretty", "sort_keys"], to_json);
    r.filter("from_yaml", &["error_key"], |v, k, _| {
        let text = text(&v, "from_yaml")?;
        error_as_key(k, || match parse_yaml(text, "from_yaml")? {
            serde_yaml::Value::Null => Ok(Map::new().into()),
            map @ serde_yaml::Value::Mapping(_) => Ok(to_tera(&map)),
            other => Err(not_a(
                "from_yaml",
                "map",
                &to_tera(&other),
                "use `from_yaml_array` for a list",
            )),
        })
    });
    r.filter("from_yaml_array", &[], |v, _, _| {
        let parsed = parse_yaml(text(&v, "from_yaml_array")?, "from_yaml_array")?;
        match parsed {
            list @ serde_yaml::Value::Sequence(_) => Ok(to_tera(&list)),
            other => Err(not_a(
                "from_yaml_array",
                "list",
                &to_tera(&other),
                "use `from_yaml` for a map",
            )),
        }
    });
    r.filter("from_json", &["any", "error_key"], |v, k, _| {
        let text = text(&v, "from_json")?;
        // `any=true`: Sprig's `mustFromJson`, which takes any JSON value.
        let any = k.get::<bool>("any")?.unwrap_or(false);
        error_as_key(k, || {
            let parsed = parse_json(text, "from_json")?;
            if parsed.is_map() || any {
                Ok(parsed)
            } else {
                Err(not_a(
                    "from_json",
                    "map",
                    &parsed,
                    "use `from_json_array` for a list",
                ))
            }
        })
    });
    r.filter("from_json_array", &[], |v, _, _| {
        let parsed = parse_json(text(&v, "from_json_array")?, "from_json_array")?;
        if parsed.is_array() {
            Ok(parsed)
        } else {
            Err(not_a(
                "from_json_array",
                "list",
                &parsed,
                "use `from_json` for a map",
            ))
        }
    });
}

/// `error_key=true`: text that cannot be read gives `{"Error": message}`, as Helm's `fromYaml`
/// and `fromJson` do, instead of stopping the render.
fn error_as_key(k: &Kwargs, read: impl FnOnce() -> TeraResult<Value>) -> TeraResult<Value> {
    let as_key = k.get::<bool>("error_key")?.unwrap_or(false);
    match read() {
        Err(e) if as_key => {
            let mut map = Map::new();
            map.insert("Error".into(), Value::from(e.to_string()));
            Ok(map.into())
        }
        other => other,
    }
}

fn not_a(name: &str, wanted: &str, got: &Value, hint: &str) -> tera::Error {
    tera::Error::message(format!(
        "`{name}`: the text holds {}, not a {wanted}; {hint}",
        describe(got)
    ))
}

fn parse_yaml(text: &str, name: &str) -> TeraResult<serde_yaml::Value> {
    if crate::yaml::too_deep_flow(text, crate::yaml::MAX_FLOW_DEPTH).is_some() {
        return Err(tera::Error::message(format!(
            "`{name}`: the text nests `[`/`{{` deeper than {} levels",
            crate::yaml::MAX_FLOW_DEPTH
        )));
    }
    let invalid = |e: serde_yaml::Error| {
        tera::Error::message(format!("`{name}`: the text is not valid YAML: {e}"))
    };
    // Helm's reader (go-yaml v2's `Unmarshal`) reads the first document only and lets a key
    // written twice in one mapping keep its last value; charts rely on both (a checksum over a
    // rendered file holding `---`, a config merged from defaults and overrides by text).
    match serde_yaml::Deserializer::from_str(text).next() {
        Some(document) => LastKeyWins::deserialize(document)
            .map(|v| v.0)
            .map_err(invalid),
        None => Ok(serde_yaml::Value::Null),
    }
}

/// A YAML value read as go-yaml v2 reads into `interface{}`: a repeated key replaces the
/// earlier value instead of failing (serde_yaml's `Value` refuses it).
struct LastKeyWins(serde_yaml::Value);

impl<'de> serde::Deserialize<'de> for LastKeyWins {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LastKeyWinsVisitor)
    }
}

struct LastKeyWinsVisitor;

impl<'de> serde::de::Visitor<'de> for LastKeyWinsVisitor {
    type Value = LastKeyWins;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<LastKeyWins, A::Error> {
        let mut mapping = serde_yaml::Mapping::new();
        while let Some((LastKeyWins(key), LastKeyWins(value))) = map.next_entry()? {
            mapping.insert(key, value);
        }
        Ok(LastKeyWins(serde_yaml::Value::Mapping(mapping)))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<LastKeyWins, A::Error> {
        let mut items = Vec::new();
        while let Some(LastKeyWins(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(LastKeyWins(serde_yaml::Value::Sequence(items)))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<LastKeyWins, A::Error> {
        // A tagged value (`!foo x`): serde_yaml's own reading of it.
        serde_yaml::Value::deserialize(serde::de::value::EnumAccessDeserializer::new(data))
            .map(LastKeyWins)
    }

    fn visit_unit<E>(self) -> Result<LastKeyWins, E> {
        Ok(LastKeyWins(serde_yaml::Value::Null))
    }
    fn visit_none<E>(self) -> Result<LastKeyWins, E> {
        Ok(LastKeyWins(serde_yaml::Value::Null))
    }
    fn visit_bool<E>(self, v: bool) -> Result<LastKeyWins, E> {
        Ok(LastKeyWins(v.into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<LastKeyWins, E> {
        Ok(LastKeyWins(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<LastKeyWins, E> {
        Ok(LastKeyWins(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<LastKeyWins, E> {
        Ok(LastKeyWins(v.into()))
    }
    fn visit_str<E>(self, v: &str) -> Result<LastKeyWins, E> {
        Ok(LastKeyWins(v.into()))
    }
    fn visit_string<E>(self, v: String) -> Result<LastKeyWins, E> {
        Ok(LastKeyWins(v.into()))
    }
}

/// Strict JSON (a repeated key is an error, integers stay exact), as everywhere ktera reads it.
fn parse_json(text: &str, name: &str) -> TeraResult<Value> {
    let parsed = crate::json::read(text)
        .map_err(|e| tera::Error::message(format!("`{name}`: the text is not valid JSON: {e}")))?;
    Ok(super::convert::to_tera(&parsed))
}

/// Helm `toYaml`: the value as YAML without the final newline, written by ktera's emitter;
/// `sort_keys=true` orders map keys as Helm's YAML library does.
fn to_yaml(value: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let go_style = match k.get::<&str>("style")? {
        None | Some("ktera") => false,
        // Helm's toYaml byte for byte, where the text is kept as text (a converted chart's
        // config files, checksums).
        Some("go") => true,
        Some(other) => {
            return Err(tera::Error::message(format!(
                "`to_yaml`: style `{other}` is unknown; use `go` (Helm's toYaml text) or leave it out"
            )));
        }
    };
    let sort_keys = k.get::<bool>("sort_keys")?.unwrap_or(false);
    let write = || -> TeraResult<String> {
        if go_style {
            return super::go_yaml::to_yaml(&from_tera(&value)?);
        }
        let yaml = if sort_keys {
            from_tera(&sorted(&value, yaml_key_order))?
        } else {
            from_tera(&value)?
        };
        let mut text = crate::yaml::emit_document(&yaml);
        if text.ends_with('\n') {
            text.pop();
        }
        Ok(text)
    };
    match shared_address(&value) {
        Some(address) => WRITTEN.with_borrow_mut(|written| {
            let options = (go_style, sort_keys);
            if let Some(w) = written
                .iter()
                .find(|w| w.address == address && w.options == options)
            {
                return Ok(w.text.as_str().into());
            }
            let text = write()?;
            if written.len() == WRITTEN_KEPT {
                written.remove(0);
            }
            written.push(Written {
                address,
                _held: value.clone(),
                options,
                text: text.clone(),
            });
            Ok(text.into())
        }),
        None => write().map(Value::from),
    }
}

/// A map or list `to_yaml` wrote on this thread, and its text. Templates print the same value
/// (common labels, resources) once per item of a loop and once per template, and Tera hands
/// out one shared copy of it: while the entry holds that copy, its address names it and
/// nothing else.
struct Written {
    address: *const (),
    _held: Value,
    options: (bool, bool),
    text: String,
}

/// How many written values are kept: enough for the few a loop body prints.
const WRITTEN_KEPT: usize = 8;

thread_local! {
    static WRITTEN: std::cell::RefCell<Vec<Written>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The address of a map's or a non-empty list's shared copy.
fn shared_address(value: &Value) -> Option<*const ()> {
    match (value.as_map(), value.as_array()) {
        (Some(map), _) => Some(std::ptr::from_ref(map).cast()),
        (_, Some(items)) if !items.is_empty() => Some(items.as_ptr().cast()),
        _ => None,
    }
}

/// Helm `toJson` / `toPrettyJson`: Go's `encoding/json` text (`<`, `>`, `&` escaped, floats as
/// Go writes them); keys in written order unless `sort_keys=true`.
fn to_json(value: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    if value.is_undefined() {
        return Err(tera::Error::message(
            "`to_json` got an undefined value; give it a default with `| default(value=...)`",
        ));
    }
    let pretty = k.get::<bool>("pretty")?.unwrap_or(false);
    let value = if k.get::<bool>("sort_keys")?.unwrap_or(false) {
        sorted(&value, go::compare_keys)
    } else {
        value
    };
    let mut out = String::new();
    write_json(&value, pretty, 0, &mut out);
    Ok(out.into())
}

/// A copy of `value` with every map's keys in `order`.
fn sorted(value: &Value, order: fn(&Key, &Key) -> Ordering) -> Value {
    if let Some(m) = value.as_map() {
        let mut entries: Vec<(&Key<'static>, &Value)> = m.iter().collect();
        entries.sort_by(|a, b| order(a.0, b.0));
        return entries
            .into_iter()
            .map(|(key, item)| (key.clone(), sorted(item, order)))
            .collect::<Map>()
            .into();
    }
    if let Some(items) = value.as_array() {
        return items
            .iter()
            .map(|item| sorted(item, order))
            .collect::<Vec<_>>()
            .into();
    }
    value.clone()
}

/// The key order of go-yaml v2, which Helm's `toYaml` writes: runs of digits compare as
/// numbers (`9` before `10`), a letter after any other character, letters by code point.
fn yaml_key_order(a: &Key, b: &Key) -> Ordering {
    match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => super::go_yaml::key_order(a, b),
        _ => go::compare_keys(a, b),
    }
}

fn write_json(value: &Value, pretty: bool, depth: usize, out: &mut String) {
    let newline = |out: &mut String, depth: usize| {
        if pretty {
            out.push('\n');
            out.push_str(&"  ".repeat(depth));
        }
    };
    if let Some(s) = value.as_str() {
        write_go_string(s, out);
    } else if value.is_none() || value.is_undefined() {
        out.push_str("null");
    } else if let Some(b) = value.as_bool() {
        out.push_str(if b { "true" } else { "false" });
    } else if value.is_f64() {
        out.push_str(&go::format_json_float(value.as_f64().unwrap_or_default()));
    } else if value.is_number() {
        out.push_str(&value.to_string());
    } else if let Some(version) = super::functions::semver_text(value) {
        // Masterminds' `MarshalJSON`.
        write_go_string(version, out);
    } else if let Some(items) = value.as_array() {
        if items.is_empty() {
            out.push_str("[]");
            return;
        }
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            newline(out, depth + 1);
            write_json(item, pretty, depth + 1, out);
        }
        newline(out, depth);
        out.push(']');
    } else if let Some(m) = value.as_map() {
        if m.is_empty() {
            out.push_str("{}");
            return;
        }
        out.push('{');
        for (i, (key, item)) in m.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            newline(out, depth + 1);
            write_go_string(&go::strval(&key.as_value()), out);
            out.push(':');
            if pretty {
                out.push(' ');
            }
            write_json(item, pretty, depth + 1, out);
        }
        newline(out, depth);
        out.push('}');
    } else if let Some(bytes) = value.as_bytes() {
        write_go_string(&String::from_utf8_lossy(bytes), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keys_sort_as_go_yaml() {
        let mut keys: Vec<Key> = ["b", "a", "B", "A", "10", "9"]
            .iter()
            .map(|s| Key::from(s.to_string()))
            .collect();
        keys.sort_by(yaml_key_order);
        let names: Vec<&str> = keys.iter().filter_map(Key::as_str).collect();
        assert_eq!(names, ["9", "10", "A", "B", "a", "b"]);
    }

    #[test]
    fn each_value_written_gets_its_own_text() {
        // Values written again, sorted and not, and more new maps than the memo keeps: the
        // remembered texts of `to_yaml` never stand in for another value's.
        let mut tera = tera::Tera::new();
        register(&mut Registry::new(&mut tera));
        let mut context = tera::Context::new();
        context.insert("a", &serde_json::json!({"b": 1, "a": 2}));
        context.insert("l", &serde_json::json!(["x", {"k": "v"}]));
        let rendered = tera
            .render_str(
                "{% for m in [a, l, a, l] %}{{ m | to_yaml }}|{{ m | to_yaml(sort_keys=true) }};{% endfor %}\
                 {% for i in range(end=12) %}{% set n = {\"i\": i} %}{{ n | to_yaml }} {% endfor %}",
                &context,
                false,
            )
            .expect("renders");
        let pair = "b: 1\na: 2|a: 2\nb: 1;- x\n- k: v|- x\n- k: v;";
        let counted: String = (0..12).map(|i| format!("i: {i} ")).collect();
        assert_eq!(rendered, format!("{pair}{pair}{counted}"));
    }

    #[test]
    fn json_as_go_writes_it() {
        let value =
            Value::from_serializable(&serde_json::json!({"b": [1, 0.5, null], "a": "<x>&"}));
        let mut out = String::new();
        write_json(&value, false, 0, &mut out);
        assert_eq!(out, r#"{"b":[1,0.5,null],"a":"\u003cx\u003e\u0026"}"#);
        let mut pretty = String::new();
        write_json(&sorted(&value, go::compare_keys), true, 0, &mut pretty);
        assert_eq!(
            pretty,
            "{\n  \"a\": \"\\u003cx\\u003e\\u0026\",\n  \"b\": [\n    1,\n    0.5,\n    null\n  ]\n}"
        );
    }
}
