//! Filters that charts need beyond Tera's own, named in Tera's snake_case; the Helm/Sprig
//! function each one replaces is given beside it (and in the README).

use base64::Engine as _;
use sha2::Digest as _;
use tera::{Kwargs, State, TeraResult, Value};

use super::convert::{from_tera, to_tera};

pub fn register(tera: &mut tera::Tera) {
    tera.register_filter("to_yaml", to_yaml);
    tera.register_filter("to_json", to_json);
    tera.register_filter("from_yaml", from_yaml);
    tera.register_filter("from_json", from_json);
    tera.register_filter("nindent", nindent);
    tera.register_filter("quote", quote);
    tera.register_filter("squote", squote);
    tera.register_filter("b64encode", b64encode);
    tera.register_filter("b64decode", b64decode);
    tera.register_filter("sha256", sha256);
    tera.register_filter("required", required);
    tera.register_filter("trunc", trunc);
    tera.register_filter("trim_suffix", trim_suffix);
    tera.register_filter("trim_prefix", trim_prefix);
}

/// The text of a scalar the way `{{ }}` prints it; maps and lists are refused with a hint.
fn scalar_text(value: &Value, filter: &str) -> TeraResult<String> {
    if value.is_undefined() {
        return Err(tera::Error::message(format!(
            "`{filter}` got an undefined value; give it a default with `| default(value=...)`"
        )));
    }
    if value.is_none() {
        return Ok(String::new());
    }
    if value.is_map() || value.is_array() {
        return Err(tera::Error::message(format!(
            "`{filter}` needs a string, not a {}; convert it first with `| to_yaml` or `| to_json`",
            value.name()
        )));
    }
    Ok(value.to_string())
}

/// Helm `toYaml`: the value as YAML without the final newline, written by ktera's emitter.
fn to_yaml(value: Value, _: Kwargs, _: &State) -> TeraResult<String> {
    let yaml = from_tera(&value)?;
    let mut text = crate::yaml::emit_document(&yaml);
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(text)
}

/// Helm `toJson`: compact JSON, keys in written order, integers exact.
fn to_json(value: Value, _: Kwargs, _: &State) -> TeraResult<String> {
    if value.is_undefined() {
        return Err(tera::Error::message(
            "`to_json` got an undefined value; give it a default with `| default(value=...)`",
        ));
    }
    serde_json::to_string(&value).map_err(|e| tera::Error::message(format!("to_json: {e}")))
}

/// Helm `fromYaml`.
fn from_yaml(text: &str, _: Kwargs, _: &State) -> TeraResult<Value> {
    let parsed: serde_yaml::Value = serde_yaml::from_str(text)
        .map_err(|e| tera::Error::message(format!("from_yaml: the text is not valid YAML: {e}")))?;
    Ok(to_tera(&parsed))
}

/// Helm `fromJson`.
fn from_json(text: &str, _: Kwargs, _: &State) -> TeraResult<Value> {
    let parsed: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| tera::Error::message(format!("from_json: the text is not valid JSON: {e}")))?;
    Ok(Value::from_serializable(&parsed))
}

/// Helm `nindent N`: a newline, then every line indented by `width` spaces (blank lines stay
/// empty so no trailing spaces are produced).
fn nindent(value: Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let width = kwargs
        .get::<usize>("width")?
        .ok_or_else(|| tera::Error::message("`nindent` needs `width`, e.g. `nindent(width=4)`"))?;
    if width > 1000 {
        return Err(tera::Error::message("`nindent` width is limited to 1000"));
    }
    let text = scalar_text(&value, "nindent")?;
    let pad = " ".repeat(width);
    let mut out = String::with_capacity(text.len() + (width + 1) * (text.lines().count() + 1));
    for line in text.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    Ok(out)
}

/// Helm `quote`: a double-quoted string that is also a valid YAML double-quoted scalar.
fn quote(value: Value, _: Kwargs, _: &State) -> TeraResult<String> {
    let text = scalar_text(&value, "quote")?;
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// Helm `squote`; unlike Sprig, an inner `'` is doubled so the result stays valid YAML.
fn squote(value: Value, _: Kwargs, _: &State) -> TeraResult<String> {
    let text = scalar_text(&value, "squote")?;
    Ok(format!("'{}'", text.replace('\'', "''")))
}

/// Helm `b64enc`.
fn b64encode(value: Value, _: Kwargs, _: &State) -> TeraResult<String> {
    let text = scalar_text(&value, "b64encode")?;
    Ok(base64::engine::general_purpose::STANDARD.encode(text.as_bytes()))
}

/// Helm `b64dec`; refuses invalid base64 instead of printing Sprig's error text into the output.
fn b64decode(text: &str, _: Kwargs, _: &State) -> TeraResult<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim().as_bytes())
        .map_err(|e| tera::Error::message(format!("b64decode: not valid base64: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|_| tera::Error::message("b64decode: the decoded bytes are not UTF-8 text"))
}

/// Helm `sha256sum`: lowercase hex.
fn sha256(value: Value, _: Kwargs, _: &State) -> TeraResult<String> {
    let text = scalar_text(&value, "sha256")?;
    let digest = sha2::Sha256::digest(text.as_bytes());
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// Helm `required "msg"`: fails the render when the value is undefined, null or empty.
fn required(value: Value, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let missing =
        value.is_undefined() || value.is_none() || value.as_str().is_some_and(str::is_empty);
    if missing {
        let message = kwargs
            .get::<String>("message")?
            .unwrap_or_else(|| "a required value is missing".to_string());
        return Err(tera::Error::message(message));
    }
    Ok(value)
}

/// Helm `trunc N`: at most `length` characters; a negative length keeps the last ones.
fn trunc(value: Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let length = kwargs
        .get::<i64>("length")?
        .ok_or_else(|| tera::Error::message("`trunc` needs `length`, e.g. `trunc(length=63)`"))?;
    let text = scalar_text(&value, "trunc")?;
    let count = text.chars().count();
    let keep = usize::try_from(length.unsigned_abs()).unwrap_or(usize::MAX);
    if keep >= count {
        return Ok(text);
    }
    Ok(if length >= 0 {
        text.chars().take(keep).collect()
    } else {
        text.chars().skip(count - keep).collect()
    })
}

/// Helm `trimSuffix`.
fn trim_suffix(value: Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let suffix = kwargs.must_get::<String>("suffix")?;
    let text = scalar_text(&value, "trim_suffix")?;
    Ok(text
        .strip_suffix(suffix.as_str())
        .unwrap_or(&text)
        .to_string())
}

/// Helm `trimPrefix`.
fn trim_prefix(value: Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let prefix = kwargs.must_get::<String>("prefix")?;
    let text = scalar_text(&value, "trim_prefix")?;
    Ok(text
        .strip_prefix(prefix.as_str())
        .unwrap_or(&text)
        .to_string())
}
