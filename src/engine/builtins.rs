//! Tera's own filters, tests and `throw`, registered again through [`Registry`] so that they
//! refuse keyword arguments they do not take (Tera keeps its built-ins private: they cannot be
//! wrapped, only replaced). Their meaning is Tera's; the ones Helm users know under another
//! meaning (`default`, `title`, `split`, `join`) are registered by the modules that give them
//! Helm's.

use std::fmt::Write as _;

use tera::value::Key;
use tera::{Kwargs, State, TeraResult, Value};

use super::args::{describe, key_of, list, map, required, text};
use super::register::Registry;

pub fn register(r: &mut Registry) {
    r.filter("safe", &[], |v, _, _| Ok(v));
    r.filter("upper", &[], |v, _, _| {
        Ok(text(&v, "upper")?.to_uppercase().into())
    });
    r.filter("lower", &[], |v, _, _| {
        Ok(text(&v, "lower")?.to_lowercase().into())
    });
    r.filter("wordcount", &[], |v, _, _| {
        Ok(text(&v, "wordcount")?.split_whitespace().count().into())
    });
    r.filter("escape", &[], |v, _, _| {
        Ok(escape_html(text(&v, "escape")?).into())
    });
    r.filter("escape_html", &[], |v, _, _| {
        Ok(escape_html(text(&v, "escape_html")?).into())
    });
    r.filter("escape_xml", &[], |v, _, _| {
        Ok(escape_xml(text(&v, "escape_xml")?).into())
    });
    r.filter("newlines_to_br", &[], |v, _, _| {
        let s = text(&v, "newlines_to_br")?;
        Ok(s.replace("\r\n", "<br>")
            .replace(['\n', '\r'], "<br>")
            .into())
    });
    r.filter("pluralize", &["singular", "plural"], pluralize);
    r.filter("trim", &["pat"], |v, k, _| {
        let s = text(&v, "trim")?;
        Ok(match k.get::<&str>("pat")? {
            Some(p) => s.trim_start_matches(p).trim_end_matches(p),
            None => s.trim(),
        }
        .into())
    });
    r.filter("trim_start", &["pat"], |v, k, _| {
        let s = text(&v, "trim_start")?;
        Ok(match k.get::<&str>("pat")? {
            Some(p) => s.trim_start_matches(p),
            None => s.trim_start(),
        }
        .into())
    });
    r.filter("trim_end", &["pat"], |v, k, _| {
        let s = text(&v, "trim_end")?;
        Ok(match k.get::<&str>("pat")? {
            Some(p) => s.trim_end_matches(p),
            None => s.trim_end(),
        }
        .into())
    });
    r.filter("replace", &["from", "to"], |v, k, _| {
        let s = text(&v, "replace")?;
        let from = required::<&str>(k, "from", "replace", r#"replace(from="+", to="_")"#)?;
        let to = required::<String>(k, "to", "replace", r#"replace(from="+", to="_")"#)?;
        Ok(s.replace(from, &to).into())
    });
    r.filter("capitalize", &[], |v, _, _| {
        let s = text(&v, "capitalize")?;
        let mut chars = s.chars();
        Ok(match chars.next() {
            Some(first) => format!("{}{}", first.to_uppercase(), chars.as_str().to_lowercase()),
            None => String::new(),
        }
        .into())
    });
    r.filter("truncate", &["length", "end"], |v, k, _| {
        let s = text(&v, "truncate")?;
        let length = required::<usize>(k, "length", "truncate", "truncate(length=10)")?;
        let end = k.get::<&str>("end")?.unwrap_or("…");
        Ok(match s.char_indices().nth(length) {
            Some((at, _)) => format!("{}{end}", &s[..at]),
            None => s.to_string(),
        }
        .into())
    });
    r.filter(
        "indent",
        &["width", "indentation", "first", "blank"],
        indent,
    );
    r.filter("str", &[], |v, _, _| Ok(format!("{v}").into()));
    r.filter("int", &["base"], int);
    r.filter("float", &[], float);
    r.filter("length", &[], |v, _, _| match v.len() {
        Some(n) => Ok(n.into()),
        None => Err(tera::Error::message(format!(
            "`length` needs a string, list or map, not {}",
            describe(&v)
        ))),
    });
    r.filter("reverse", &[], |v, _, _| v.reverse());
    r.filter("abs", &[], abs);
    r.filter("round", &["method", "precision"], round);
    r.filter("first", &[], |v, _, _| {
        Ok(list(&v, "first")?
            .first()
            .cloned()
            .unwrap_or_else(Value::none))
    });
    r.filter("last", &[], |v, _, _| {
        Ok(list(&v, "last")?
            .last()
            .cloned()
            .unwrap_or_else(Value::none))
    });
    r.filter("nth", &["n"], |v, k, _| {
        let n = required::<usize>(k, "n", "nth", "nth(n=0)")?;
        Ok(list(&v, "nth")?.get(n).cloned().unwrap_or_else(Value::none))
    });
    r.filter("sort", &["attribute"], sort);
    r.filter("unique", &[], |v, _, _| {
        let mut out: Vec<Value> = Vec::new();
        for item in list(&v, "unique")? {
            if !out.contains(item) {
                out.push(item.clone());
            }
        }
        Ok(out.into())
    });
    r.filter("get", &["key", "default"], get);
    r.filter("values", &[], |v, _, _| {
        Ok(map(&v, "values")?
            .values()
            .cloned()
            .collect::<Vec<_>>()
            .into())
    });
    r.filter("keys", &[], |v, _, _| {
        Ok(map(&v, "keys")?
            .keys()
            .map(Key::as_value)
            .collect::<Vec<_>>()
            .into())
    });
    r.filter("pairs", &[], |v, _, _| {
        Ok(map(&v, "pairs")?
            .iter()
            .map(|(k, v)| Value::from(vec![k.as_value(), v.clone()]))
            .collect::<Vec<_>>()
            .into())
    });
    r.filter("group_by", &["attribute"], group_by);

    r.test("string", &[], |v, _, _| Ok(v.is_string()));
    r.test("number", &[], |v, _, _| Ok(v.is_number()));
    // A version `semver` gave is a map in ktera, and no map for Helm (`kindIs "map"` is false:
    // its kind is `ptr` or `struct`).
    r.test("map", &[], |v, _, _| {
        Ok(v.is_map() && super::functions::semver_text(v).is_none())
    });
    r.test("bool", &[], |v, _, _| Ok(v.is_bool()));
    r.test("array", &[], |v, _, _| Ok(v.is_array()));
    r.test("integer", &[], |v, _, _| Ok(v.is_number() && !v.is_f64()));
    r.test("float", &[], |v, _, _| Ok(v.is_f64()));
    r.test("none", &[], |v, _, _| Ok(v.is_none()));
    r.test("iterable", &[], |v, _, _| {
        Ok(v.is_map() || v.is_array() || v.is_string() || v.is_bytes())
    });
    r.test("defined", &[], |v, _, _| Ok(!v.is_undefined()));
    r.test("undefined", &[], |v, _, _| Ok(v.is_undefined()));
    r.test("odd", &[], |v, _, _| Ok(integer(v, "odd")? % 2 != 0));
    r.test("even", &[], |v, _, _| Ok(integer(v, "even")? % 2 == 0));
    r.test("divisible_by", &["divisor"], |v, k, _| {
        let divisor = required::<i128>(k, "divisor", "divisible_by", "divisible_by(divisor=3)")?;
        let n = integer(v, "divisible_by")?;
        Ok(divisor != 0 && n.checked_rem_euclid(divisor).is_none_or(|r| r == 0))
    });
    r.test("starting_with", &["pat"], |v, k, _| {
        let pat = required::<&str>(k, "pat", "starting_with", r#"starting_with(pat="v")"#)?;
        Ok(text(v, "starting_with")?.starts_with(pat))
    });
    r.test("ending_with", &["pat"], |v, k, _| {
        let pat = required::<&str>(k, "pat", "ending_with", r#"ending_with(pat=".yaml")"#)?;
        Ok(text(v, "ending_with")?.ends_with(pat))
    });
    r.test("containing", &["pat"], |v, k, _| {
        let pat = required::<Value>(k, "pat", "containing", r#"containing(pat="x")"#)?;
        if let Some(s) = v.as_str() {
            return Ok(s.contains(text(&pat, "containing")?));
        }
        if let Some(items) = v.as_array() {
            return Ok(items.contains(&pat));
        }
        if let Some(m) = v.as_map() {
            return Ok(key_of(&pat).is_ok_and(|key| m.contains_key(&key)));
        }
        Err(tera::Error::message(format!(
            "`containing` needs a string, list or map, not {}",
            describe(v)
        )))
    });

    r.function("throw", &["message"], |k, _| {
        let message = required::<String>(k, "message", "throw", r#"throw(message="...")"#)?;
        Err(tera::Error::message(message))
    });
}

fn integer(v: &Value, name: &str) -> TeraResult<i128> {
    v.as_i128().filter(|_| !v.is_f64()).ok_or_else(|| {
        tera::Error::message(format!("`{name}` needs an integer, not {}", describe(v)))
    })
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2F;"),
            c => out.push(c),
        }
    }
    out
}

fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn pluralize(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let singular = k.get::<&str>("singular")?.unwrap_or("");
    let plural = k.get::<&str>("plural")?.unwrap_or("s");
    let n = integer(&v, "pluralize")?;
    Ok(if n == 1 || n == -1 { singular } else { plural }.into())
}

/// Tera's `indent`: `width` spaces (or `indentation` repeated) before every line but the first
/// (`first=true`: it too) and blank lines (`blank=true`: them too).
fn indent(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let s = text(&v, "indent")?;
    let width = k.get::<usize>("width")?.unwrap_or(4).min(1000);
    let unit = match k.get::<&str>("indentation")? {
        Some(i) if i.chars().count() == 1 => i,
        Some(_) => {
            return Err(tera::Error::message(
                "`indent`: `indentation` must be exactly one character",
            ));
        }
        None => " ",
    };
    let first = k.get::<bool>("first")?.unwrap_or(false);
    let blank = k.get::<bool>("blank")?.unwrap_or(false);
    let pad = unit.repeat(width);
    let mut out = String::with_capacity(s.len() * 2);
    if blank {
        // Sprig's `indent`: every line start gets the pad, an empty last line too.
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if i > 0 || first {
                out.push_str(&pad);
            }
            out.push_str(line);
        }
        return Ok(out.into());
    }
    for (i, line) in s.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if (i > 0 || first) && !line.is_empty() {
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    if s.ends_with('\n') {
        out.push('\n');
    }
    Ok(out.into())
}

/// Tera's `int`: strict (a string that is not a number fails); Helm's lenient `int` is `to_int`.
fn int(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let base = k.get::<u32>("base")?.unwrap_or(10);
    if !(2..=36).contains(&base) {
        return Err(tera::Error::message(format!(
            "`int`: `base` must be between 2 and 36, not {base}"
        )));
    }
    let from_float = |f: f64| -> TeraResult<Value> {
        if f.is_finite() && f.abs() < 1.7e38 {
            Ok(Value::from(f.trunc() as i128))
        } else {
            Err(tera::Error::message(format!(
                "`int`: the number {f} does not fit an integer"
            )))
        }
    };
    if let Some(s) = v.as_str() {
        let s = s.trim();
        let digits = match base {
            2 => s.trim_start_matches("0b"),
            8 => s.trim_start_matches("0o"),
            16 => s.trim_start_matches("0x"),
            _ => s,
        };
        if let Ok(n) = i128::from_str_radix(digits, base) {
            return Ok(n.into());
        }
        if digits.contains('.')
            && let Ok(f) = digits.parse::<f64>()
        {
            return from_float(f);
        }
        return Err(tera::Error::message(format!(
            "`int`: `{s}` is not an integer in base {base}; `to_int` gives 0 instead, as Helm's `int`"
        )));
    }
    if v.is_f64() {
        return from_float(v.as_f64().unwrap_or_default());
    }
    if v.is_number() {
        return Ok(v);
    }
    Err(tera::Error::message(format!(
        "`int` needs a number or a string, not {}",
        describe(&v)
    )))
}

fn float(v: Value, _: &Kwargs, _: &State) -> TeraResult<Value> {
    if let Some(s) = v.as_str() {
        return s
            .trim()
            .parse::<f64>()
            .map(Value::from)
            .map_err(|_| tera::Error::message(format!("`float`: `{s}` is not a number")));
    }
    match v.as_f64() {
        Some(f) => Ok(f.into()),
        None => Err(tera::Error::message(format!(
            "`float` needs a number or a string, not {}",
            describe(&v)
        ))),
    }
}

fn abs(v: Value, _: &Kwargs, _: &State) -> TeraResult<Value> {
    if v.is_f64() {
        return Ok(v.as_f64().unwrap_or_default().abs().into());
    }
    if let Some(i) = v.as_i128() {
        return i
            .checked_abs()
            .map(Value::from)
            .ok_or_else(|| tera::Error::message("`abs`: the number is too large"));
    }
    if v.as_u128().is_some() {
        return Ok(v);
    }
    Err(tera::Error::message(format!(
        "`abs` needs a number, not {}",
        describe(&v)
    )))
}

fn round(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let f = v.as_f64().ok_or_else(|| {
        tera::Error::message(format!("`round` needs a number, not {}", describe(&v)))
    })?;
    let precision = k.get::<i32>("precision")?.unwrap_or_default();
    let multiplier = 10.0_f64.powi(precision);
    let scaled = multiplier * f;
    let rounded = match k.get::<&str>("method")? {
        None | Some("common") => scaled.round(),
        Some("ceil") => scaled.ceil(),
        Some("floor") => scaled.floor(),
        Some(other) => {
            return Err(tera::Error::message(format!(
                "`round`: `method` is `ceil` or `floor` (or left out), not `{other}`"
            )));
        }
    };
    Ok((rounded / multiplier).into())
}

fn sort(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let items = list(&v, "sort")?;
    let mut keyed: Vec<(Value, &Value)> = Vec::with_capacity(items.len());
    let attribute = k.get::<&str>("attribute")?;
    for (i, item) in items.iter().enumerate() {
        let key = match attribute {
            Some(path) => item.get_from_path(path).cloned().ok_or_else(|| {
                tera::Error::message(format!(
                    "`sort`: item {i} ({}) has no `{path}`",
                    describe(item)
                ))
            })?,
            None => item.clone(),
        };
        keyed.push((key, item));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    for pair in keyed.windows(2) {
        let (a, b) = (&pair[0].0, &pair[1].0);
        if !a.is_none() && !b.is_none() && a.partial_cmp(b).is_none() {
            return Err(tera::Error::message(format!(
                "`sort`: {} and {} cannot be compared",
                describe(a),
                describe(b)
            )));
        }
    }
    Ok(keyed
        .into_iter()
        .map(|(_, item)| item.clone())
        .collect::<Vec<_>>()
        .into())
}

/// Tera's `get`: a missing key fails unless `default` is given (Sprig's `get` gives `""`:
/// write `get(key=k, default="")`).
fn get(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let m = map(&v, "get")?;
    let key = required::<&str>(k, "key", "get", r#"get(key="name", default="")"#)?;
    if let Some(found) = m.get(&Key::Str(key)) {
        return Ok(found.clone());
    }
    match k.get::<Value>("default")? {
        Some(d) => Ok(d),
        None => {
            let mut message = format!("`get`: the map has no key `{key}`");
            let _ = write!(message, "; add `default=...` for that case");
            Err(tera::Error::message(message))
        }
    }
}

fn group_by(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let items = list(&v, "group_by")?;
    let path = required::<&str>(k, "attribute", "group_by", r#"group_by(attribute="kind")"#)?;
    let mut groups = tera::Map::new();
    for (i, item) in items.iter().enumerate() {
        let Some(key) = item.get_from_path(path) else {
            return Err(tera::Error::message(format!(
                "`group_by`: item {i} ({}) has no `{path}`",
                describe(item)
            )));
        };
        if key.is_none() {
            continue;
        }
        let entry = groups
            .entry(key_of(key)?)
            .or_insert_with(|| Value::from(Vec::<Value>::new()));
        let mut members = entry.as_array().map(<[Value]>::to_vec).unwrap_or_default();
        members.push(item.clone());
        *entry = members.into();
    }
    Ok(groups.into())
}
