//! Compact, typed rendering of values for reports. Strings are always quoted (JSON style) so that
//! the string `"1"` and the integer `1` look different, and invisible characters are escaped so
//! that two strings that differ never print the same.

use std::fmt::Write as _;

use serde_yaml::Value;

use super::path::Segment;

/// Decides, from its path and value, whether a part of a value is hidden, and its stand-in text
/// (`<secret: 12 bytes>`). The path starts with the segments given to the `*_masked` functions.
pub type Mask<'a> = &'a dyn Fn(&[Segment], &Value) -> Option<String>;

fn no_mask(_: &[Segment], _: &Value) -> Option<String> {
    None
}

/// One-line rendering: `{name: "LOG_LEVEL", value: "debug"}`, `[1, 2.0, "3"]`, `!tag "x"`.
pub fn compact(value: &Value) -> String {
    compact_masked(value, &mut Vec::new(), &no_mask)
}

/// [`compact`], with the parts `mask` hides replaced by their stand-in text (unquoted).
pub fn compact_masked(value: &Value, path: &mut Vec<Segment>, mask: Mask<'_>) -> String {
    let mut out = String::new();
    write_value(value, path, mask, &mut out);
    out
}

/// A string as a JSON string literal, with invisible characters escaped.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(text, &mut out);
    out
}

/// Text from the input printed outside quotes (object names, file names): invisible characters
/// are escaped so that no input can send escape sequences to the terminal.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_invisible) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_invisible(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A mapping key or path segment that reads unambiguously without quotes.
pub fn is_bare(key: &str) -> bool {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) if first.is_ascii_alphabetic() || first == '_' => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        }
        _ => false,
    }
}

fn write_value(value: &Value, path: &mut Vec<Segment>, mask: Mask<'_>, out: &mut String) {
    if let Some(stand_in) = mask(path, value) {
        out.push_str(&stand_in);
        return;
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        // serde_yaml prints floats with a fraction (`1.0`), so 1 and 1.0 stay distinct.
        Value::Number(number) => {
            let _ = write!(out, "{number}");
        }
        Value::String(text) => push_quoted(text, out),
        Value::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                path.push(Segment::Index(i));
                write_value(item, path, mask, out);
                path.pop();
            }
            out.push(']');
        }
        Value::Mapping(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_key(key, out);
                out.push_str(": ");
                path.push(Segment::Key(key.clone()));
                write_value(item, path, mask, out);
                path.pop();
            }
            out.push('}');
        }
        Value::Tagged(tagged) => {
            let _ = write!(out, "{} ", tagged.tag);
            write_value(&tagged.value, path, mask, out);
        }
    }
}

fn write_key(key: &Value, out: &mut String) {
    match key {
        Value::String(text) if is_bare(text) => out.push_str(text),
        other => out.push_str(&compact(other)),
    }
}

fn push_quoted(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_invisible(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Control and zero-width/direction characters: they would make different strings look equal.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{ad}' | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// The value as JSON, nothing masked: [`to_json_masked`] with no mask.
pub fn to_json(value: &Value) -> serde_json::Value {
    to_json_masked(value, &mut Vec::new(), &no_mask)
}

/// The value as JSON for `-o json`, with the parts `mask` hides replaced by their stand-in text
/// (a JSON string). Numbers keep their kind (`1` vs `1.0`), non-string keys become their
/// compact text, a tagged value becomes `{"!tag": value}`.
pub fn to_json_masked(value: &Value, path: &mut Vec<Segment>, mask: Mask<'_>) -> serde_json::Value {
    use serde_json::Value as Json;
    if let Some(stand_in) = mask(path, value) {
        return Json::String(stand_in);
    }
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(number) => {
            if let Some(u) = number.as_u64() {
                Json::from(u)
            } else if let Some(i) = number.as_i64() {
                Json::from(i)
            } else {
                number
                    .as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Json::String(number.to_string()), Json::Number)
            }
        }
        Value::String(text) => Json::String(text.clone()),
        Value::Sequence(items) => {
            let mut array = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                array.push(to_json_masked(item, path, mask));
                path.pop();
            }
            Json::Array(array)
        }
        Value::Mapping(map) => {
            let mut object = serde_json::Map::with_capacity(map.len());
            for (key, item) in map {
                let name = match key {
                    Value::String(text) => text.clone(),
                    other => compact(other),
                };
                path.push(Segment::Key(key.clone()));
                object.insert(name, to_json_masked(item, path, mask));
                path.pop();
            }
            Json::Object(object)
        }
        Value::Tagged(tagged) => {
            let mut object = serde_json::Map::new();
            object.insert(
                tagged.tag.to_string(),
                to_json_masked(&tagged.value, path, mask),
            );
            Json::Object(object)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn types_are_visible() {
        assert_eq!(compact(&yaml("'1'")), r#""1""#);
        assert_eq!(compact(&yaml("1")), "1");
        assert_eq!(compact(&yaml("1.0")), "1.0");
        assert_eq!(compact(&yaml("~")), "null");
        assert_eq!(compact(&yaml("'true'")), r#""true""#);
        assert_eq!(compact(&yaml("true")), "true");
    }

    #[test]
    fn collections_are_compact() {
        let value = yaml("{name: LOG_LEVEL, value: debug, app.kubernetes.io/name: x, 1: [a, 2]}");
        assert_eq!(
            compact(&value),
            r#"{name: "LOG_LEVEL", value: "debug", "app.kubernetes.io/name": "x", 1: ["a", 2]}"#
        );
        assert_eq!(compact(&yaml("!custom x")), r#"!custom "x""#);
    }

    #[test]
    fn invisible_characters_are_escaped() {
        assert_eq!(quote("a\u{200b}b\n\"c\\"), r#""a\u200bb\n\"c\\""#);
        assert_eq!(quote("é"), "\"é\"");
    }

    #[test]
    fn masked_parts_print_their_stand_in() {
        let hide_b = |path: &[Segment], _: &Value| {
            matches!(path.last(), Some(Segment::Key(Value::String(k))) if k == "b")
                .then(|| "<hidden>".to_string())
        };
        let value = yaml("{a: 1, b: secret, c: [{b: x}]}");
        assert_eq!(
            compact_masked(&value, &mut Vec::new(), &hide_b),
            "{a: 1, b: <hidden>, c: [{b: <hidden>}]}"
        );
        assert_eq!(
            to_json_masked(&value, &mut Vec::new(), &hide_b),
            serde_json::json!({"a": 1, "b": "<hidden>", "c": [{"b": "<hidden>"}]})
        );
    }

    #[test]
    fn printable_escapes_terminal_sequences() {
        assert_eq!(printable("web"), "web");
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u001b[2Jb");
    }

    #[test]
    fn json_keeps_number_kinds() {
        assert_eq!(to_json(&yaml("1")).to_string(), "1");
        assert_eq!(to_json(&yaml("1.0")).to_string(), "1.0");
        assert_eq!(to_json(&yaml("-3")).to_string(), "-3");
        assert_eq!(to_json(&yaml(".nan")), serde_json::json!(".nan"));
        assert_eq!(to_json(&yaml("{1: a}")), serde_json::json!({"1": "a"}));
    }
}
