//! What filters and functions share to read their input and keyword arguments, and to say what
//! went wrong in a chart author's words.

use tera::{Kwargs, Map, TeraResult, Value};

/// `a string (`"x"`)`, `a number (`5`)`, `null`: a value as an error message names it.
pub fn describe(value: &Value) -> String {
    if value.is_undefined() {
        "an undefined value".into()
    } else if value.is_none() {
        "null".into()
    } else if value.is_string() {
        "a string".into()
    } else if value.is_bool() {
        format!("a boolean (`{value}`)")
    } else if value.is_number() {
        format!("a number (`{value}`)")
    } else if value.is_array() {
        "a list".into()
    } else if value.is_map() {
        "a map".into()
    } else {
        value.name().into()
    }
}

fn wrong(name: &str, wanted: &str, value: &Value) -> tera::Error {
    let mut message = format!("`{name}` needs {wanted}, not {}", describe(value));
    if value.is_undefined() {
        message.push_str("; give it a default with `| default(value=...)`");
    } else if value.is_number() && wanted == "a string" {
        message.push_str("; make it a string first with `| to_string`");
    } else if (value.is_map() || value.is_array()) && wanted == "a string" {
        message.push_str("; convert it first with `| to_yaml` or `| to_json`");
    }
    tera::Error::message(message)
}

/// The value as a string; anything else is refused.
pub fn text<'v>(value: &'v Value, name: &str) -> TeraResult<&'v str> {
    value.as_str().ok_or_else(|| wrong(name, "a string", value))
}

/// A scalar as the text `{{ }}` prints (numbers and booleans too); null prints as nothing.
/// Lists, maps and undefined values are refused.
pub fn scalar_text(value: &Value, name: &str) -> TeraResult<String> {
    if let Some(s) = value.as_str() {
        return Ok(s.to_string());
    }
    if value.is_none() {
        return Ok(String::new());
    }
    if value.is_undefined() || value.is_map() || value.is_array() {
        return Err(wrong(name, "a string", value));
    }
    Ok(value.to_string())
}

pub fn list<'v>(value: &'v Value, name: &str) -> TeraResult<&'v [Value]> {
    value.as_array().ok_or_else(|| wrong(name, "a list", value))
}

pub fn map<'v>(value: &'v Value, name: &str) -> TeraResult<&'v Map> {
    value.as_map().ok_or_else(|| wrong(name, "a map", value))
}

/// A keyword argument that must be given; the message shows how to write it.
pub fn required<'k, T>(kwargs: &'k Kwargs, key: &'k str, name: &str, example: &str) -> TeraResult<T>
where
    T: tera::ArgFromValue<'k, Output = T>,
{
    match kwargs.get::<T>(key)? {
        Some(v) => Ok(v),
        None => Err(tera::Error::message(format!(
            "`{name}` needs `{key}`, e.g. `{example}`"
        ))),
    }
}

/// A keyword argument that must be a list (`values=[a, b]`).
pub fn list_arg<'k>(
    kwargs: &'k Kwargs,
    key: &'k str,
    name: &str,
    example: &str,
) -> TeraResult<Vec<Value>> {
    let value = required::<Value>(kwargs, key, name, example)?;
    match value.as_array() {
        Some(items) => Ok(items.to_vec()),
        None => Err(tera::Error::message(format!(
            "`{name}`: `{key}` must be a list, e.g. `{example}`, not {}",
            describe(&value)
        ))),
    }
}

/// A value as a map key: strings, integers and booleans (Tera's keys).
pub fn key_of(value: &Value) -> TeraResult<tera::value::Key<'static>> {
    use tera::value::Key;
    if let Some(s) = value.as_str() {
        return Ok(Key::from(s.to_string()));
    }
    if let Some(b) = value.as_bool() {
        return Ok(Key::Bool(b));
    }
    if !value.is_f64() {
        if let Some(i) = value.as_i64() {
            return Ok(Key::I64(i));
        }
        if let Some(u) = value.as_u64() {
            return Ok(Key::U64(u));
        }
    }
    Err(tera::Error::message(format!(
        "{} cannot be a map key; use a string",
        describe(value)
    )))
}
