//! Shared pieces of the fuzz targets: splitting an input into parts, building arbitrary YAML
//! values, and comparing values as the emitter promises to keep them.

use arbitrary::{Result, Unstructured};
use serde_yaml::value::{Tag, TaggedValue};
use serde_yaml::{Mapping, Number, Value};

/// Splits the input on NUL bytes into at most `max` UTF-8 parts (invalid bytes replaced): one
/// input can carry a template, a values document and several `--set` expressions.
pub fn parts(data: &[u8], max: usize) -> Vec<String> {
    data.splitn(max, |&b| b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

/// Strings that YAML readers take for something else, mixed into generated values.
const NASTY: &[&str] = &[
    "",
    " ",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "~",
    "null",
    "true",
    "0755",
    "0x1F",
    "1e3",
    "1_000",
    "12:30",
    "2024-01-01",
    ".inf",
    ".nan",
    "<<",
    "-",
    "---",
    "...",
    "? a",
    ": a",
    "a:",
    "a #b",
    "#",
    "[",
    "{",
    "&a",
    "*a",
    "!a",
    "|",
    ">",
    "'",
    "\"",
    "%YAML",
    "@a",
    "`a",
    "\t",
    "\n",
    "a\n",
    "a\n\n",
    " a\nb",
    "a \nb",
    "a\r\nb",
    "\r",
    "\0",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{feff}",
    "é",
    "😀",
];

/// An arbitrary string, often built from the pieces YAML finds hard.
pub fn string(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=3)? {
        0 => String::from(*u.choose(NASTY)?),
        1 => {
            let n = u.int_in_range(0..=4)?;
            let mut s = String::new();
            for _ in 0..n {
                s.push_str(u.choose(NASTY)?);
            }
            s
        }
        _ => u.arbitrary()?,
    })
}

/// A tag name as the emitter supports it: not empty, no NUL, no leading `!` (a named handle).
fn tag(u: &mut Unstructured<'_>) -> Result<Tag> {
    let mut name: String = u.arbitrary()?;
    name.retain(|c| c != '\0');
    let name = name.trim_start_matches('!');
    Ok(Tag::new(if name.is_empty() { "t" } else { name }))
}

fn scalar(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=6)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::Number(Number::from(u.arbitrary::<i64>()?)),
        3 => Value::Number(Number::from(u.arbitrary::<u64>()?)),
        4 => Value::Number(Number::from(u.arbitrary::<f64>()?)),
        _ => Value::String(string(u)?),
    })
}

/// Any value serde_yaml can hold, `depth` levels deep at most: scalar, tagged and collection
/// keys included (a tag never wraps another tag: YAML has one tag per node).
pub fn value(u: &mut Unstructured<'_>, depth: usize) -> Result<Value> {
    if depth == 0 || u.is_empty() {
        return scalar(u);
    }
    Ok(match u.int_in_range(0..=7)? {
        0 | 1 => scalar(u)?,
        2 => Value::Tagged(Box::new(TaggedValue {
            tag: tag(u)?,
            value: untagged(u, depth - 1)?,
        })),
        3 | 4 => {
            let n = u.int_in_range(0..=6)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(value(u, depth - 1)?);
            }
            Value::Sequence(items)
        }
        _ => {
            let n = u.int_in_range(0..=6)?;
            let mut map = Mapping::new();
            for _ in 0..n {
                let key = match u.int_in_range(0..=9)? {
                    0 => value(u, depth - 1)?,
                    1 => scalar(u)?,
                    _ => Value::String(string(u)?),
                };
                map.insert(key, value(u, depth - 1)?);
            }
            Value::Mapping(map)
        }
    })
}

fn untagged(u: &mut Unstructured<'_>, depth: usize) -> Result<Value> {
    Ok(match value(u, depth)? {
        Value::Tagged(t) => t.value,
        v => v,
    })
}

#[path = "../../tests/cli/common/same.rs"]
mod same_value;
pub use same_value::same;

/// Emits `value` and reads it back with serde_yaml; panics (a finding) when it differs.
pub fn assert_round_trip(value: &Value) {
    let text = ktera::yaml::emit_document(value);
    assert!(
        text.ends_with('\n') && !text.ends_with("\n\n"),
        "document must end with exactly one newline: {text:?}"
    );
    match serde_yaml::from_str::<Value>(&text) {
        Ok(back) => assert!(
            same(value, &back),
            "read back differs\nin:   {value:?}\ntext:\n{text}\nback: {back:?}"
        ),
        Err(e) => panic!("emitted YAML does not parse: {e}\nin: {value:?}\ntext:\n{text}"),
    }
}
