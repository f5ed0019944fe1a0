//! Sprig's and Go's less common functions that Helm charts can call, with Helm's meaning:
//! escapes (`html`, `js`), encodings and sums (`b32encode`, `sha512`, `adler32`), paths
//! (`clean`, `is_abs`), text (`repeat`, `abbrev`, `wrap`, `nospace`, `initials`, `swapcase`,
//! `plural`), lists (`chunk`, `to_strings`, `pluck`, `any`, `all`) and numbers (`maxf`, `minf`,
//! `to_decimal`). Hand-written: each is a few lines of Go's or Sprig's rules.

use sha2::Digest as _;
use tera::{Kwargs, State, TeraResult, Value};

use super::args::{list, list_arg, required, text};
use super::go;
use super::register::Registry;

pub fn register(r: &mut Registry) {
    r.filter("html_escape", &[], |v, _, _| {
        Ok(html_escape(&go::strval(&v)).into())
    });
    r.filter("js_escape", &[], |v, _, _| {
        Ok(js_escape(&go::strval(&v)).into())
    });
    r.filter("b32encode", &[], |v, _, _| {
        Ok(base32_encode(go::strval(&v).as_bytes()).into())
    });
    r.filter("b32decode", &[], |v, _, _| {
        let s = text(&v, "b32decode")?;
        // Sprig returns the error text for invalid input.
        Ok(match base32_decode(s) {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => "illegal base32 data".to_string(),
        }
        .into())
    });
    r.filter("sha512", &[], |v, _, _| {
        let digest = sha2::Sha512::digest(go::strval(&v).as_bytes());
        Ok(super::strings::hex(&digest).into())
    });
    r.filter("adler32", &[], |v, _, _| {
        Ok(adler32(go::strval(&v).as_bytes()).to_string().into())
    });
    r.filter("is_abs", &[], |v, _, _| {
        Ok(text(&v, "is_abs")?.starts_with('/').into())
    });
    r.filter("repeat", &["count"], |v, k, _| {
        let count = required::<i64>(k, "count", "repeat", "repeat(count=3)")?;
        if count < 0 {
            return Err(tera::Error::message("`repeat`: negative count"));
        }
        let s = go::strval(&v);
        if s.len().saturating_mul(count as usize) > super::MAX_OUTPUT_BYTES {
            return Err(tera::Error::message("`repeat`: the result is too large"));
        }
        Ok(s.repeat(count as usize).into())
    });
    r.filter("abbrev", &["width"], |v, k, _| {
        let width = required::<i64>(k, "width", "abbrev", "abbrev(width=5)")?;
        Ok(abbrev(text(&v, "abbrev")?, width).into())
    });
    r.filter("wrap", &["width", "with"], |v, k, _| {
        let width = required::<i64>(k, "width", "wrap", "wrap(width=80)")?;
        let with = k.get::<String>("with")?.unwrap_or_else(|| "\n".to_string());
        Ok(wrap(text(&v, "wrap")?, width.max(1) as usize, &with).into())
    });
    r.filter("nospace", &[], |v, _, _| {
        Ok(text(&v, "nospace")?
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .into())
    });
    r.filter("initials", &[], |v, _, _| {
        Ok(text(&v, "initials")?
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .collect::<String>()
            .into())
    });
    r.filter("swapcase", &[], |v, _, _| {
        Ok(swapcase(text(&v, "swapcase")?).into())
    });
    r.function("plural", &["one", "many", "count"], |k, _| {
        let example = r#"plural(one="item", many="items", count=n)"#;
        let one = required::<String>(k, "one", "plural", example)?;
        let many = required::<String>(k, "many", "plural", example)?;
        let count = required::<Value>(k, "count", "plural", example)?;
        Ok(if go::to_int64(&count) == 1 { one } else { many }.into())
    });
    r.filter("chunk", &["size"], chunk);
    r.filter("to_strings", &[], |v, _, _| {
        let items = list(&v, "to_strings")?;
        Ok(items
            .iter()
            .map(|i| Value::from(go::strval(i)))
            .collect::<Vec<_>>()
            .into())
    });
    r.function("pluck", &["key", "maps"], |k, _| {
        let key = required::<String>(k, "key", "pluck", r#"pluck(key="name", maps=[a, b])"#)?;
        let maps = list_arg(k, "maps", "pluck", r#"pluck(key="name", maps=[a, b])"#)?;
        Ok(maps
            .iter()
            .filter_map(|m| {
                m.as_map()?
                    .get(&tera::value::Key::from(key.clone()))
                    .cloned()
            })
            .collect::<Vec<_>>()
            .into())
    });
    r.function("any", &["values"], |k, _| {
        let values = list_arg(k, "values", "any", "any(values=[a, b])")?;
        Ok(values.iter().any(|v| !go::is_empty(v)).into())
    });
    r.function("all", &["values"], |k, _| {
        let values = list_arg(k, "values", "all", "all(values=[a, b])")?;
        Ok(values.iter().all(|v| !go::is_empty(v)).into())
    });
    r.function("maxf", &["values"], |k, _| float_fold(k, "maxf", f64::max));
    r.function("minf", &["values"], |k, _| float_fold(k, "minf", f64::min));
    r.filter("to_decimal", &[], |v, _, _| {
        // Sprig: the text read as an octal number, 0 when it is not one.
        let s = go::strval(&v);
        Ok(i64::from_str_radix(&s, 8).unwrap_or(0).into())
    });
}

fn float_fold(k: &Kwargs, name: &str, f: fn(f64, f64) -> f64) -> TeraResult<Value> {
    let values = list_arg(k, "values", name, &format!("{name}(values=[a, b])"))?;
    let mut numbers = values.iter().map(go::to_float64);
    let Some(first) = numbers.next() else {
        return Err(tera::Error::message(format!(
            "`{name}` needs at least one value"
        )));
    };
    Ok(numbers.fold(first, f).into())
}

fn chunk(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let size = required::<i64>(k, "size", "chunk", "chunk(size=2)")?;
    let items = list(&v, "chunk")?;
    if size <= 0 {
        return Ok(Vec::<Value>::new().into());
    }
    Ok(items
        .chunks(size as usize)
        .map(|c| Value::from(c.to_vec()))
        .collect::<Vec<_>>()
        .into())
}

/// Go's `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '"' => out.push_str("&#34;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

fn base32_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(ALPHABET[((bits >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let trimmed = s.trim_end_matches('=');
    let mut bits: u64 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in trimmed.chars() {
        let value = match c {
            'A'..='Z' => c as u64 - 'A' as u64,
            '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return None,
        };
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    if !s.len().is_multiple_of(8) && !s.is_empty() {
        return None;
    }
    Some(out)
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for byte in bytes {
        a = (a + u32::from(*byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// goutils `Abbreviate`: at most `width` characters, ending with `...` when cut.
fn abbrev(s: &str, width: i64) -> String {
    let chars: Vec<char> = s.chars().collect();
    if width < 4 || chars.len() as i64 <= width {
        return s.to_string();
    }
    let keep = (width - 3) as usize;
    chars[..keep].iter().collect::<String>() + "..."
}

/// goutils `WrapCustom(s, width, with, false)`: breaks at the last space within `width`; longer
/// words stay whole.
fn wrap(s: &str, width: usize, with: &str) -> String {
    let mut out = String::new();
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut current = String::new();
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            if current.is_empty() {
                current.push_str(word);
            } else if current.chars().count() + 1 + word.chars().count() <= width {
                current.push(' ');
                current.push_str(word);
            } else {
                out.push_str(&current);
                out.push_str(with);
                current = word.to_string();
            }
        }
        out.push_str(&current);
    }
    out
}

fn swapcase(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_uppercase() {
                c.to_lowercase().collect::<Vec<_>>()
            } else if c.is_lowercase() {
                c.to_uppercase().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_and_encodings() {
        assert_eq!(adler32(b"hello world"), 436_929_629);
        assert_eq!(base32_encode(b"hi"), "NBUQ====");
        assert_eq!(base32_decode("NBUQ====").as_deref(), Some(&b"hi"[..]));
        assert_eq!(abbrev("hello world", 5), "he...");
        assert_eq!(
            wrap("the quick brown fox jumps", 10, "\n"),
            "the quick\nbrown fox\njumps"
        );
        assert_eq!(swapcase("Hello World"), "hELLO wORLD");
        assert_eq!(
            html_escape("<a href=\"x\">&</a>"),
            "&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(
            js_escape("it's \"q\" <tag>"),
            "it\\'s \\\"q\\\" \\u003Ctag\\u003E"
        );
    }
}
