//! How Go and Sprig see ktera's values: emptiness (Sprig's `empty`, which `default`, `merge` and
//! `compact` use), printing with Go's `%v` (Sprig's `strval`, behind `toString`, `join`, `cat`,
//! `quote`), Go's float formatting, Go's map-key order, and spf13/cast's lenient conversions
//! (`int`, `float64`). Hand-written: these are Go's rules, which no Rust crate reproduces.

use std::cmp::Ordering;

use tera::value::Key;
use tera::{Map, Value};

/// Sprig's `empty`: undefined, null, false, zero, `""`, an empty list or map.
pub fn is_empty(value: &Value) -> bool {
    !value.is_truthy()
}

/// A value as Go's `fmt` prints it with `%v`: `map[a:1 b:[x y]]`, `<nil>`, floats as Go writes
/// them (`1e+06`), a `semver` version as its text. Strings print as they are.
pub fn strval(value: &Value) -> String {
    let mut out = String::new();
    write_strval(value, &mut out);
    out
}

fn write_strval(value: &Value, out: &mut String) {
    if let Some(s) = value.as_str() {
        out.push_str(s);
    } else if value.is_none() || value.is_undefined() {
        out.push_str("<nil>");
    } else if let Some(b) = value.as_bool() {
        out.push_str(if b { "true" } else { "false" });
    } else if value.is_f64() {
        out.push_str(&format_float(value.as_f64().unwrap_or_default()));
    } else if let Some(i) = value.as_i128() {
        out.push_str(&i.to_string());
    } else if let Some(u) = value.as_u128() {
        out.push_str(&u.to_string());
    } else if let Some(items) = value.as_array() {
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            write_strval(item, out);
        }
        out.push(']');
    } else if let Some(version) = super::functions::semver_text(value) {
        out.push_str(version);
    } else if let Some(map) = value.as_map() {
        out.push_str("map[");
        for (i, (key, item)) in sorted_entries(map).into_iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            write_strval(&key.as_value(), out);
            out.push(':');
            write_strval(item, out);
        }
        out.push(']');
    } else if let Some(bytes) = value.as_bytes() {
        out.push_str(&String::from_utf8_lossy(bytes));
    }
}

/// A float64 as Go's `%v` (`strconv.FormatFloat(f, 'g', -1, 64)`): the shortest digits that
/// read back the same, in exponent form when the exponent is below -4 or 6 and above (`1e+06`,
/// `1.5e-07`), with at least two exponent digits.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (mantissa, exponent) = shortest_digits(f);
    if !(-4..6).contains(&exponent) {
        exponent_form(&mantissa, exponent)
    } else {
        // Rust's `Display` writes the same shortest digits without an exponent.
        format!("{f}")
    }
}

/// A float64 as Go's `encoding/json` writes it: plain decimal digits, or the exponent form
/// below 1e-6 and from 1e21 up (`1e+21`, `5e-7`).
pub fn format_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let (mantissa, exponent) = shortest_digits(f);
        let text = exponent_form(&mantissa, exponent);
        // Go cleans `e-07` up to `e-7`.
        return match text.split_once("e-0") {
            Some((m, e)) => format!("{m}e-{e}"),
            None => text,
        };
    }
    format!("{f}")
}

/// The shortest round-trip mantissa (`-1.5`) and decimal exponent of `f`.
fn shortest_digits(f: f64) -> (String, i32) {
    let text = format!("{f:e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) => (mantissa.to_string(), exponent.parse().unwrap_or(0)),
        None => (text, 0),
    }
}

fn exponent_form(mantissa: &str, exponent: i32) -> String {
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

/// Map entries in the order Go prints and ranges over them: numbers numerically, strings by
/// their bytes, other keys after.
pub fn sorted_entries(map: &Map) -> Vec<(&Key<'static>, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| compare_keys(a.0, b.0));
    entries
}

pub fn compare_keys(a: &Key, b: &Key) -> Ordering {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => a.as_value().cmp(&b.as_value()),
    }
}

/// spf13/cast `ToInt64`, as Sprig's `int`, `int64`, `add`, `max` convert their operands: floats
/// truncated, strings parsed with Go's base prefixes after dropping a trailing `.0` run, bools
/// 1/0, and 0 for anything that does not convert (nil, `"x"`, `"3.7"`, a list).
pub fn to_int64(value: &Value) -> i64 {
    if let Some(i) = value.as_i64() {
        return i;
    }
    if value.is_f64() {
        return value.as_f64().map_or(0, |f| f.trunc() as i64);
    }
    if let Some(i) = value.as_i128() {
        // Beyond i64: Go's conversion wraps; keep the low bits as it does.
        return i as i64;
    }
    if let Some(b) = value.as_bool() {
        return i64::from(b);
    }
    match value.as_str() {
        Some(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        None => 0,
    }
}

/// cast's `trimZeroDecimal`: `"3.00"` -> `"3"`; anything else unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    match s.split_once('.') {
        Some((whole, fraction))
            if !whole.is_empty() && !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') =>
        {
            whole
        }
        _ => s,
    }
}

/// `strconv.ParseInt(s, 0, 64)`: an optional sign, then `0x`, `0o`, `0b` or a leading `0`
/// (octal) prefix; `_` allowed between digits only with a prefix, as Go allows.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = digits.to_ascii_lowercase();
    let (radix, body, prefixed) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest.to_string(), true)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest.to_string(), true)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    // Go allows one `_` right after a base prefix (`0x_1F`).
    let body = match body.strip_prefix('_') {
        Some(rest) if prefixed && lower.len() > 2 => rest.to_string(),
        _ => body,
    };
    if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    if body.contains('_') && !prefixed {
        return None;
    }
    let clean: String = body.chars().filter(|c| *c != '_').collect();
    let magnitude = i128::from_str_radix(&clean, radix).ok()?;
    let signed = if negative { -magnitude } else { magnitude };
    i64::try_from(signed).ok()
}

/// spf13/cast `ToFloat64`: strings by `strconv.ParseFloat`, bools 1/0, 0 for anything else.
pub fn to_float64(value: &Value) -> f64 {
    if let Some(f) = value.as_f64() {
        return f;
    }
    if let Some(b) = value.as_bool() {
        return if b { 1.0 } else { 0.0 };
    }
    value
        .as_str()
        .and_then(|s| s.replace('_', "").parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// Go's `%q` of a string (`strconv.Quote`): `\a \b \f \n \r \t \v \\ \"` escaped, other control
/// characters as `\x1b` or `\u2028`, printable text as it is.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x80 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if !is_print(c) || !yaml_printable(c) => {
                if (c as u32) > 0xFFFF {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                } else {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.IsPrint`, closely enough: control and format characters and the separators
/// other than the ASCII space are not printable. (Rust's standard library has no Unicode
/// category table; these are the characters a values file can realistically hold.)
/// Whether YAML may carry `c` as it is in a quoted scalar (YAML 1.2's printable set, 5.1);
/// any other character is escaped, or the result would not be YAML (U+FFFF, U+FFFE, C1
/// controls but NEL).
pub fn yaml_printable(c: char) -> bool {
    let u = c as u32;
    matches!(u, 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn is_print(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || u == 0xA0
        || u == 0xAD
        || u == 0x1680
        || (0x2000..=0x200F).contains(&u)
        || (0x2028..=0x202F).contains(&u)
        || (0x205F..=0x206F).contains(&u)
        || u == 0x3000
        || u == 0xFEFF
        || (0xFFF9..=0xFFFB).contains(&u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_them() {
        for (f, go) in [
            (1e6, "1e+06"),
            (999999.0, "999999"),
            (1000001.0, "1.000001e+06"),
            (0.5, "0.5"),
            (1e-6, "1e-06"),
            (123.456, "123.456"),
            (1.5e-7, "1.5e-07"),
            (1e21, "1e+21"),
            (100000000.0, "1e+08"),
            (3.0, "3"),
            (-2.5, "-2.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
        ] {
            assert_eq!(format_float(f), go, "{f}");
        }
        assert_eq!(format_json_float(1e21), "1e+21");
        assert_eq!(format_json_float(5e-7), "5e-7");
        assert_eq!(format_json_float(1e6), "1000000");
        assert_eq!(format_json_float(0.5), "0.5");
    }

    #[test]
    fn cast_to_int_follows_spf13_cast() {
        for (s, n) in [
            ("42", 42),
            ("x", 0),
            ("3.7", 0),
            ("3.0", 3),
            ("010", 8),
            ("0x1F", 31),
            (" 5", 0),
            ("-7", -7),
            ("1_000", 0),
            ("0x_1F", 31),
        ] {
            assert_eq!(to_int64(&Value::from(s)), n, "{s}");
        }
        assert_eq!(to_int64(&Value::from(-3.9)), -3);
        assert_eq!(to_int64(&Value::from(true)), 1);
        assert_eq!(to_int64(&Value::none()), 0);
    }

    #[test]
    fn strval_prints_as_go() {
        let value: Value = Value::from_serializable(&serde_json::json!({
            "b": [1, "x", null, true], "a": {"k": 2.5}
        }));
        assert_eq!(strval(&value), "map[a:map[k:2.5] b:[1 x <nil> true]]");
        assert_eq!(
            quote("a\"b\\\n\u{1b}é\u{a0}"),
            "\"a\\\"b\\\\\\n\\x1bé\\u00a0\""
        );
    }
}
