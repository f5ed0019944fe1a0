//! Go's `fmt` over ktera's values: `printf(format=, values=[...])`, `print(values=[...])` and
//! `println(values=[...])`, with Go's verbs, flags, widths and its `%!d(string=x)` markers for
//! a verb that does not fit its value. Hand-written: Rust's formatting machinery is compile-time
//! only and differs from Go's in every detail that shows (exponents, `%q`, `%v` of maps).

use tera::Value;

use super::args::{list_arg, required};
use super::go;
use super::register::Registry;

pub fn register(r: &mut Registry) {
    r.function("printf", &["format", "values"], |k, _| {
        let example = r#"printf(format="%s-%d", values=[name, 3])"#;
        let format = required::<String>(k, "format", "printf", example)?;
        let values = match k.get::<Value>("values")? {
            Some(_) => list_arg(k, "values", "printf", example)?,
            None => Vec::new(),
        };
        Ok(sprintf(&format, &values).into())
    });
    r.function("print", &["values"], |k, _| {
        let values = list_arg(k, "values", "print", "print(values=[a, b])")?;
        Ok(sprint(&values).into())
    });
    r.function("println", &["values"], |k, _| {
        let values = match k.get::<Value>("values")? {
            Some(_) => list_arg(k, "values", "println", "println(values=[a, b])")?,
            None => Vec::new(),
        };
        let parts: Vec<String> = values.iter().map(go::strval).collect();
        Ok(format!("{}\n", parts.join(" ")).into())
    });
}

/// Go's `fmt.Sprint`: a space between two operands when neither is a string.
pub fn sprint(values: &[Value]) -> String {
    let mut out = String::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 && !value.is_string() && !values[i - 1].is_string() {
            out.push(' ');
        }
        out.push_str(&go::strval(value));
    }
    out
}

/// Go's type name for a value, as `%T` and the `%!verb(type=value)` markers print it.
pub(super) fn type_name(value: &Value) -> &'static str {
    if let Some((_, type_name)) = super::functions::semver_go_type(value) {
        type_name
    } else if value.is_none() || value.is_undefined() {
        "<nil>"
    } else if value.is_string() {
        "string"
    } else if value.is_bool() {
        "bool"
    } else if value.is_f64() {
        "float64"
    } else if value.is_number() {
        "int"
    } else if value.is_array() {
        "[]interface {}"
    } else if value.is_map() {
        "map[string]interface {}"
    } else {
        "[]uint8"
    }
}

#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Go's `fmt.Sprintf`.
pub fn sprintf(format: &str, values: &[Value]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut next = 0usize;
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while i < chars.len() {
            match chars[i] {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        spec.width = number_or_star(&chars, &mut i, values, &mut next);
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            spec.precision = Some(number_or_star(&chars, &mut i, values, &mut next).unwrap_or(0));
        }
        let Some(&verb) = chars.get(i) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        i += 1;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(value) = values.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        out.push_str(&format_one(verb, spec, value));
    }
    if next < values.len() {
        out.push_str("%!(EXTRA ");
        let extras: Vec<String> = values[next..]
            .iter()
            .map(|v| format!("{}={}", type_name(v), go::strval(v)))
            .collect();
        out.push_str(&extras.join(", "));
        out.push(')');
    }
    out
}

fn number_or_star(
    chars: &[char],
    i: &mut usize,
    values: &[Value],
    next: &mut usize,
) -> Option<usize> {
    if chars.get(*i) == Some(&'*') {
        *i += 1;
        let value = values.get(*next)?;
        *next += 1;
        return usize::try_from(value.as_i64()?).ok();
    }
    let start = *i;
    while *i < chars.len() && chars[*i].is_ascii_digit() {
        *i += 1;
    }
    chars[start..*i].iter().collect::<String>().parse().ok()
}

fn bad_verb(verb: char, value: &Value) -> String {
    if value.is_none() || value.is_undefined() {
        return format!("%!{verb}(<nil>)");
    }
    format!("%!{verb}({}={})", type_name(value), go::strval(value))
}

fn integer(value: &Value) -> Option<i128> {
    if value.is_f64() {
        None
    } else {
        value.as_i128()
    }
}

fn format_one(verb: char, spec: Spec, value: &Value) -> String {
    let body = match verb {
        'v' => {
            if value.is_f64() {
                float_g(value.as_f64().unwrap_or_default(), spec, 'e')
            } else if let Some(n) = integer(value) {
                signed(n.to_string(), n < 0, spec)
            } else {
                go::strval(value)
            }
        }
        's' => match string_of(value) {
            Some(s) => truncate(&s, spec.precision),
            None => return bad_verb(verb, value),
        },
        'q' => {
            if let Some(s) = value.as_str() {
                go::quote(&truncate(s, spec.precision))
            } else if let Some(c) = integer(value)
                .and_then(|n| u32::try_from(n).ok())
                .and_then(char::from_u32)
            {
                let quoted = go::quote(&c.to_string());
                format!("'{}'", &quoted[1..quoted.len() - 1].replace("\\\"", "\""))
            } else {
                return bad_verb(verb, value);
            }
        }
        'd' => match integer(value) {
            Some(n) => signed(n.unsigned_abs().to_string(), n < 0, spec),
            None => return bad_verb(verb, value),
        },
        'x' | 'X' | 'o' | 'O' | 'b' => {
            if let Some(n) = integer(value) {
                let magnitude = n.unsigned_abs();
                let digits = match verb {
                    'x' => format!("{magnitude:x}"),
                    'X' => format!("{magnitude:X}"),
                    'o' | 'O' => format!("{magnitude:o}"),
                    _ => format!("{magnitude:b}"),
                };
                let prefix = match (verb, spec.sharp) {
                    ('x', true) => "0x",
                    ('X', true) => "0X",
                    ('o', true) => "0",
                    ('O', _) => "0o",
                    _ => "",
                };
                signed(format!("{prefix}{digits}"), n < 0, spec)
            } else if let (Some(s), 'x' | 'X') = (value.as_str(), verb) {
                let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
                if verb == 'X' { hex.to_uppercase() } else { hex }
            } else {
                return bad_verb(verb, value);
            }
        }
        'c' => match integer(value)
            .and_then(|n| u32::try_from(n).ok())
            .and_then(char::from_u32)
        {
            Some(c) => c.to_string(),
            None => return bad_verb(verb, value),
        },
        'U' => match integer(value) {
            Some(n) if n >= 0 => format!("U+{n:04X}"),
            _ => return bad_verb(verb, value),
        },
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            if !value.is_f64() {
                return bad_verb(verb, value);
            }
            let f = value.as_f64().unwrap_or_default();
            let text = match verb {
                'e' | 'E' => float_e(f, spec.precision.unwrap_or(6), spec),
                'f' | 'F' => signed(
                    format!("{:.*}", spec.precision.unwrap_or(6), f.abs()),
                    f < 0.0,
                    spec,
                ),
                _ => float_g(f, spec, 'e'),
            };
            if verb.is_ascii_uppercase() {
                text.to_uppercase()
            } else {
                text
            }
        }
        't' => match value.as_bool() {
            Some(b) => b.to_string(),
            None => return bad_verb(verb, value),
        },
        'T' => type_name(value).to_string(),
        _ => return bad_verb(verb, value),
    };
    pad(body, spec)
}

/// `%s` of a value: strings as they are, lists and maps element by element; `None` when some
/// part is not a string (Go then prints its marker for the whole value).
fn string_of(value: &Value) -> Option<String> {
    if let Some(s) = value
        .as_str()
        .or_else(|| super::functions::semver_text(value))
    {
        return Some(s.to_string());
    }
    if let Some(items) = value.as_array() {
        let parts: Vec<String> = items
            .iter()
            .map(|item| string_of(item).unwrap_or_else(|| bad_verb('s', item)))
            .collect();
        return Some(format!("[{}]", parts.join(" ")));
    }
    if let Some(m) = value.as_map() {
        let parts: Vec<String> = go::sorted_entries(m)
            .into_iter()
            .map(|(k, v)| {
                let key = k.as_value();
                let key = string_of(&key).unwrap_or_else(|| bad_verb('s', &key));
                let value = string_of(v).unwrap_or_else(|| bad_verb('s', v));
                format!("{key}:{value}")
            })
            .collect();
        return Some(format!("map[{}]", parts.join(" ")));
    }
    None
}

fn truncate(s: &str, precision: Option<usize>) -> String {
    match precision {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    }
}

/// Digits with the sign Go writes: `-`, or `+`/space when asked; zero padding goes after it.
fn signed(digits: String, negative: bool, spec: Spec) -> String {
    let sign = if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    if spec.zero
        && !spec.minus
        && let Some(width) = spec.width
    {
        let len = sign.len() + digits.chars().count();
        if len < width {
            return format!("{sign}{}{digits}", "0".repeat(width - len));
        }
    }
    format!("{sign}{digits}")
}

fn float_e(f: f64, precision: usize, spec: Spec) -> String {
    let text = format!("{:.*e}", precision, f.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    signed(
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs()),
        f < 0.0,
        spec,
    )
}

/// `%g`: the shortest digits (or `precision` significant ones), in exponent form when the
/// exponent is below -4 or at least the precision (6 for the shortest form).
fn float_g(f: f64, spec: Spec, _: char) -> String {
    let Some(precision) = spec.precision else {
        let text = go::format_float(f.abs());
        return signed(text, f.is_sign_negative() && f != 0.0, spec);
    };
    let precision = precision.max(1);
    let text = format!("{:.*e}", precision - 1, f.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let body = if exponent < -4 || exponent >= precision as i32 {
        let mantissa = trim_fraction(mantissa);
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    } else {
        let decimals = (precision as i32 - 1 - exponent).max(0) as usize;
        trim_fraction(&format!("{:.*}", decimals, f.abs())).to_string()
    };
    signed(body, f < 0.0, spec)
}

fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

fn pad(body: String, spec: Spec) -> String {
    let Some(width) = spec.width else { return body };
    let len = body.chars().count();
    if len >= width {
        return body;
    }
    let fill = " ".repeat(width - len);
    if spec.minus {
        format!("{body}{fill}")
    } else {
        format!("{fill}{body}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: serde_json::Value) -> Value {
        Value::from_serializable(&json)
    }

    #[test]
    fn verbs_as_go() {
        use serde_json::json;
        let cases = [
            ("%s-%d", vec![v(json!("a")), v(json!(3))], "a-3"),
            ("%s", vec![v(json!(5))], "%!s(int=5)"),
            ("%d", vec![v(json!("x"))], "%!d(string=x)"),
            (
                "%v|%v|%v|%v|%v",
                vec![
                    v(json!(1)),
                    v(json!("s")),
                    v(json!(true)),
                    v(json!(2.5)),
                    v(json!(null)),
                ],
                "1|s|true|2.5|<nil>",
            ),
            (
                "%v %v",
                vec![v(json!({"b": 1, "a": 2})), v(json!([1, "x"]))],
                "map[a:2 b:1] [1 x]",
            ),
            (
                "%q",
                vec![v(json!("he said \"hi\"\n"))],
                r#""he said \"hi\"\n""#,
            ),
            ("%q", vec![v(json!(65))], "'A'"),
            (
                "%x %X %x",
                vec![v(json!(255)), v(json!(255)), v(json!("hi"))],
                "ff FF 6869",
            ),
            ("%t", vec![v(json!("true"))], "%!t(string=true)"),
            (
                "%f %.2f %.0f",
                vec![v(json!(1.23456)), v(json!(1.23456)), v(json!(2.5))],
                "1.234560 1.23 2",
            ),
            (
                "%g %e",
                vec![v(json!(1000000.0)), v(json!(1234.5678))],
                "1e+06 1.234568e+03",
            ),
            (
                "[%5s][%-5s][%05d][%.2s]",
                vec![
                    v(json!("ab")),
                    v(json!("ab")),
                    v(json!(42)),
                    v(json!("abcdef")),
                ],
                "[   ab][ab   ][00042][ab]",
            ),
            ("100%%", vec![], "100%"),
            ("%s %s", vec![v(json!("a"))], "a %!s(MISSING)"),
            (
                "%s",
                vec![v(json!("a")), v(json!("b"))],
                "a%!(EXTRA string=b)",
            ),
            (
                "%T %T %T",
                vec![v(json!(1)), v(json!("s")), v(json!(1.5))],
                "int string float64",
            ),
            ("%z", vec![v(json!(1))], "%!z(int=1)"),
            ("%s", vec![v(json!(["a", "b"]))], "[a b]"),
            ("%s", vec![v(json!(null))], "%!s(<nil>)"),
            ("[%*d]", vec![v(json!(5)), v(json!(42))], "[   42]"),
            ("%c", vec![v(json!(9731))], "☃"),
        ];
        for (format, values, want) in cases {
            assert_eq!(sprintf(format, &values), want, "{format}");
        }
        assert_eq!(
            sprint(&[
                v(json!("a")),
                v(json!("b")),
                v(json!(1)),
                v(json!(2)),
                v(json!("c"))
            ]),
            "ab1 2c"
        );
    }
}
