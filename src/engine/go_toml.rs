//! `to_toml` (Sprig's `toToml`): a value written as TOML exactly as Helm writes it, through
//! the encoder of BurntSushi/toml that Sprig uses: keys sorted, a table's plain keys before its
//! tables, two spaces of indentation per level, floats always with a decimal point, a list of
//! maps as an array of tables. Hand-written because the `toml` crate lays documents out
//! otherwise (no indentation, other spacing), and Helm's layout is what a chart's output holds.

use tera::{Kwargs, State, TeraResult, Value};

use super::go;
use super::register::Registry;

pub fn register(r: &mut Registry) {
    r.filter("to_toml", &["go_floats"], to_toml);
}

fn to_toml(value: Value, kwargs: &Kwargs, _: &State) -> TeraResult<Value> {
    // BurntSushi's encoder cannot take nil: Helm's toToml fails there too.
    if value.is_none() || value.is_undefined() {
        return Err(tera::Error::message(
            "`to_toml` got a missing or null value, which TOML cannot hold (Helm fails too); give it a default: `x | default(value={}) | to_toml`",
        ));
    }
    let encoder = Encoder {
        out: String::new(),
        go_floats: kwargs.get::<bool>("go_floats")?.unwrap_or(false),
    };
    encoder.document(&value).map(Value::from).map_err(|e| {
        tera::Error::message(format!(
            "`to_toml`: {e}; TOML cannot hold it, so remove it or convert the value first"
        ))
    })
}

struct Encoder {
    out: String,
    /// Integers written as floats (`1.0`), as Helm writes a values file's numbers, which it
    /// reads as float64.
    go_floats: bool,
}

impl Encoder {
    fn document(mut self, value: &Value) -> Result<String, String> {
        if value.is_map() {
            self.table(&[], value)?;
        } else if is_table(value)? {
            return Err("a list of maps is an array of tables, which needs a key: it cannot be the whole document (put it in a map)".into());
        } else {
            // BurntSushi writes any other value as it writes an element.
            let element = self.element(value)?;
            self.out.push_str(&element);
        }
        Ok(self.out)
    }

    /// A newline, unless nothing was written yet.
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(key: &[String]) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    /// The entries of a map under `key`: plain keys first, then tables, each group sorted.
    fn table(&mut self, key: &[String], map: &Value) -> Result<(), String> {
        let Some(map) = map.as_map() else {
            return Ok(());
        };
        let mut direct = Vec::new();
        let mut tables = Vec::new();
        for (k, v) in map.iter() {
            let name = match k.as_str() {
                Some(s) => s.to_string(),
                None => go::strval(&k.as_value()),
            };
            if is_table(v)? {
                tables.push((name, v));
            } else {
                direct.push((name, v));
            }
        }
        direct.sort_by(|a, b| a.0.cmp(&b.0));
        tables.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, value) in direct.into_iter().chain(tables) {
            if value.is_none() || value.is_undefined() {
                continue;
            }
            let mut child = key.to_vec();
            child.push(name);
            self.entry(&child, value)?;
        }
        Ok(())
    }

    fn entry(&mut self, key: &[String], value: &Value) -> Result<(), String> {
        if value.is_map() {
            if key.len() == 1 {
                self.newline();
            }
            let header = format!("{}[{}]", Self::indent(key), dotted(key));
            self.out.push_str(&header);
            self.newline();
            return self.table(key, value);
        }
        if is_table(value)? {
            for item in value.as_array().into_iter().flatten() {
                self.newline();
                let header = format!("{}[[{}]]", Self::indent(key), dotted(key));
                self.out.push_str(&header);
                self.newline();
                self.table(key, item)?;
            }
            return Ok(());
        }
        let line = format!(
            "{}{} = {}",
            Self::indent(key),
            bare_or_quoted(key.last().map(String::as_str).unwrap_or_default()),
            self.element(value)?
        );
        self.out.push_str(&line);
        self.newline();
        Ok(())
    }

    /// A value in a key's place or inside an array.
    fn element(&self, value: &Value) -> Result<String, String> {
        if let Some(s) = value.as_str() {
            return Ok(quoted(s));
        }
        if let Some(b) = value.as_bool() {
            return Ok(b.to_string());
        }
        if value.is_f64() {
            return Ok(float(value.as_f64().unwrap_or_default()));
        }
        if let Some(i) = value.as_i128() {
            return Ok(if self.go_floats {
                float(i as f64)
            } else {
                i.to_string()
            });
        }
        if let Some(items) = value.as_array() {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                if item.is_none() || item.is_undefined() {
                    return Err("an array holds a null element".into());
                }
                parts.push(self.element(item)?);
            }
            return Ok(format!("[{}]", parts.join(", ")));
        }
        if let Some(map) = value.as_map() {
            // An inline table: plain keys first, then tables, each group sorted.
            let mut entries: Vec<(String, &Value, bool)> = Vec::new();
            for (k, v) in map.iter() {
                if v.is_none() || v.is_undefined() {
                    continue;
                }
                let name = k
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| go::strval(&k.as_value()));
                entries.push((name, v, is_table(v)?));
            }
            entries.sort_by(|a, b| a.2.cmp(&b.2).then_with(|| a.0.cmp(&b.0)));
            let mut parts = Vec::with_capacity(entries.len());
            for (name, v, _) in entries {
                parts.push(format!("{} = {}", bare_or_quoted(&name), self.element(v)?));
            }
            return Ok(format!("{{{}}}", parts.join(", ")));
        }
        Err(format!("it cannot write {}", super::args::describe(value)))
    }
}

/// A map, or a non-empty list of maps only (an array of tables).
fn is_table(value: &Value) -> Result<bool, String> {
    if value.is_map() {
        return Ok(true);
    }
    let Some(items) = value.as_array() else {
        return Ok(false);
    };
    if items.iter().any(|i| i.is_none() || i.is_undefined()) {
        return Err("an array holds a null element".into());
    }
    Ok(!items.is_empty() && items.iter().all(Value::is_map))
}

/// A float as BurntSushi writes it: Go's shortest digits without an exponent, and `.0` when
/// there is no decimal point.
fn float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Rust's `Display` for f64 is Go's `FormatFloat(f, 'f', -1, 64)`.
    let text = format!("{f}");
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

fn dotted(key: &[String]) -> String {
    key.iter()
        .map(|k| bare_or_quoted(k))
        .collect::<Vec<_>>()
        .join(".")
}

fn bare_or_quoted(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        key.to_string()
    } else {
        quoted(key)
    }
}

/// A basic string with BurntSushi's escapes.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
