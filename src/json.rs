//! JSON read as ktera reads YAML (`--set-json`, `from_json`, `values.schema.json`): a key
//! written twice is an error, not the last one winning, and an integer stays the integer it
//! was written as or is refused, never rounded to a float (`99999999999999999999` would become
//! `1.0e+20`). serde_json does the parsing (its nesting limit of 128 included); this module adds
//! the two checks it does not make.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_yaml::{Mapping, Value};

/// One JSON value read strictly, with the number of bytes of `text` it took (what follows may
/// be more text, as after a `--set-json` value). serde_json's error places the problem.
pub fn read_prefix(text: &str) -> Option<Result<(Value, usize), serde_json::Error>> {
    // First the extent of the value (serde_json's syntax check), then the value itself.
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<de::IgnoredAny>();
    match stream.next()? {
        Ok(_) => {
            let end = stream.byte_offset();
            Some(read(&text[..end]).map(|value| (value, end)))
        }
        Err(e) => Some(Err(e)),
    }
}

/// The whole of `text` as one JSON value, read strictly.
pub fn read(text: &str) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Strict.deserialize(&mut deserializer)?;
    deserializer.end()?;
    if let Some(token) = inexact_integer(text) {
        return Err(de::Error::custom(format!(
            "the integer {token} does not fit in 64 bits; quote it to keep it as a string, as in \"{token}\""
        )));
    }
    Ok(value)
}

/// The first integer of `text` (outside strings) that does not fit in 64 bits: serde_json
/// reads it as a float, so only the text can tell.
fn inexact_integer(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < bytes.len()
                    && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                let token = &text[start..i];
                let integer = !token.contains(['.', 'e', 'E']);
                if integer && token.parse::<i64>().is_err() && token.parse::<u64>().is_err() {
                    return Some(token);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// A JSON value as a values value, a repeated key refused.
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Value::Sequence(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Mapping::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(key.as_str()) {
                return Err(de::Error::custom(format!(
                    "duplicate key {key:?}; write each key once"
                )));
            }
            let value = map.next_value_seed(Strict)?;
            out.insert(Value::String(key), value);
        }
        Ok(Value::Mapping(out))
    }
}

/// A JSON string as Go's `encoding/json` writes it: besides the usual escapes (backspace and form
/// feed as `\b`, `\f`), `<`, `>` and `&` (HTML-safe) and U+2028, U+2029 become `\uXXXX`. Hand-written because serde_json escapes
/// none of these, and Helm's `toJson` output and `Chart.lock` digests must match to the byte.
pub fn write_go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Go 1.22 and later (Helm 3.17, Kustomize 5.5) write these two short.
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => push_unicode_escape(c, out),
            c if (c as u32) < 0x20 => push_unicode_escape(c, out),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_unicode_escape(c: char, out: &mut String) {
    use std::fmt::Write;
    let _ = write!(out, "\\u{:04x}", c as u32);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As Helm 3.17.3 writes them: `helm template` of `{{ list "a\bb\fc\x01" | toJson }}`
    /// gives `["a\bb\fc\u0001"]`.
    #[test]
    fn control_characters_are_escaped_as_go_writes_them() {
        let mut out = String::new();
        write_go_string("a\u{8}b\u{c}c\u{1}<", &mut out);
        assert_eq!(out, r#""a\bb\fc\u0001\u003c""#);
    }

    fn error(text: &str) -> String {
        read(text).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn integers_stay_exact_or_are_refused() {
        assert_eq!(
            read("18446744073709551615").ok(),
            Some(Value::from(u64::MAX))
        );
        assert_eq!(
            read("-9223372036854775808").ok(),
            Some(Value::from(i64::MIN))
        );
        assert!(error("99999999999999999999").contains("99999999999999999999 does not fit"));
        assert!(error("{\"a\": [1, -99999999999999999999]}").contains("does not fit"));
        assert_eq!(read("1e20").ok(), Some(Value::from(1e20)));
        assert_eq!(
            read("\"99999999999999999999\\\"\"").ok(),
            Some(Value::from("99999999999999999999\""))
        );
    }

    #[test]
    fn duplicate_keys_are_refused() {
        assert!(error("{\"x\":1,\"x\":2}").contains("duplicate key \"x\""));
        assert!(error("[{\"a\": {\"x\":1,\"x\":2}}]").contains("duplicate key"));
        assert!(read("{\"x\":1,\"y\":{\"x\":2}}").is_ok());
    }

    #[test]
    fn a_prefix_is_read_with_its_length() {
        let read = read_prefix("{\"a\":1},b=2").and_then(Result::ok);
        assert_eq!(read.map(|(_, end)| end), Some(7));
        assert!(read_prefix("").is_none());
    }
}
