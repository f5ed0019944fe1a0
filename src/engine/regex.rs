//! Sprig's regular-expression functions over Go's RE2 syntax: `regex_match`, `regex_find`,
//! `regex_find_all`, `regex_replace_all` (Go's `$1`, `${name}` expansion, or `literal=true`),
//! `regex_split`, `regex_quote_meta`.
//!
//! The `regex` crate reads RE2's syntax, Unicode classes (`\pL`) included, but its `\d`, `\w`,
//! `\s` and `\b` are Unicode-aware where RE2's are ASCII: patterns are rewritten to RE2's
//! meaning before they are compiled. Compiled patterns are kept per thread, since helpers run
//! the same few patterns for every object.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;
use tera::{Kwargs, State, TeraResult, Value};

use super::args::{required, text};
use super::register::Registry;
use crate::error::Error;

/// Patterns kept per thread before the cache starts over.
const CACHE_SIZE: usize = 256;

thread_local! {
    static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

pub fn register(r: &mut Registry) {
    r.filter("regex_match", &["pattern"], |v, k, _| {
        let re = pattern(k, "regex_match")?;
        Ok(re.is_match(text(&v, "regex_match")?).into())
    });
    r.filter("regex_find", &["pattern"], |v, k, _| {
        let re = pattern(k, "regex_find")?;
        let s = text(&v, "regex_find")?;
        Ok(re.find(s).map_or("", |m| m.as_str()).into())
    });
    r.filter("regex_find_all", &["pattern", "n"], |v, k, _| {
        let re = pattern(k, "regex_find_all")?;
        let s = text(&v, "regex_find_all")?;
        let n = limit(k)?;
        Ok(re
            .find_iter(s)
            .take(n)
            .map(|m| Value::from(m.as_str()))
            .collect::<Vec<_>>()
            .into())
    });
    r.filter(
        "regex_replace_all",
        &["pattern", "replacement", "literal"],
        replace_all,
    );
    r.filter("regex_split", &["pattern", "n"], |v, k, _| {
        let re = pattern(k, "regex_split")?;
        let s = text(&v, "regex_split")?;
        Ok(split(&re, s, k.get::<i64>("n")?.unwrap_or(-1)).into())
    });
    r.filter("regex_quote_meta", &[], |v, _, _| {
        let s = text(&v, "regex_quote_meta")?;
        let mut out = String::with_capacity(s.len() * 2);
        for c in s.chars() {
            if r"\.+*?()|[]{}^$".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
        Ok(out.into())
    });
}

fn limit(k: &Kwargs) -> TeraResult<usize> {
    Ok(match k.get::<i64>("n")? {
        Some(n) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => usize::MAX,
    })
}

fn pattern(k: &Kwargs, name: &str) -> TeraResult<Regex> {
    let example = format!(r#"{name}(pattern="^v[0-9]+")"#);
    let source = required::<&str>(k, "pattern", name, &example)?;
    compile(source).map_err(|e| tera::Error::message(format!("`{name}`: {e}")))
}

/// The pattern compiled with RE2's meaning, from the thread's cache when it was seen before.
pub fn compile(source: &str) -> Result<Regex, Error> {
    if let Some(found) = CACHE.with(|c| c.borrow().get(source).cloned()) {
        return Ok(found);
    }
    let re = Regex::new(&as_re2(source))
        .map_err(|e| Error::input(format!("`{source}` is not a valid regular expression: {e}")))?;
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= CACHE_SIZE {
            cache.clear();
        }
        cache.insert(source.to_string(), re.clone());
    });
    Ok(re)
}

/// RE2's ASCII `\d`, `\w`, `\s`, `\b`, `\B` spelled out for the `regex` crate.
fn as_re2(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut chars = source.chars();
    let mut in_class = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push('\\');
                    break;
                };
                match next {
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    'w' => out.push_str("[0-9A-Za-z_]"),
                    'W' => out.push_str("[^0-9A-Za-z_]"),
                    's' => out.push_str(r"[\t\n\f\r ]"),
                    'S' => out.push_str(r"[^\t\n\f\r ]"),
                    'b' if in_class == 0 => out.push_str(r"(?-u:\b)"),
                    'B' if in_class == 0 => out.push_str(r"(?-u:\B)"),
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            '[' => {
                in_class += 1;
                out.push('[');
                // A `]` right after `[` or `[^` is a literal.
                let rest = chars.as_str();
                let skip = if rest.starts_with("^]") {
                    2
                } else if rest.starts_with(']') {
                    1
                } else {
                    0
                };
                for _ in 0..skip {
                    if let Some(c) = chars.next() {
                        out.push(c);
                    }
                }
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

/// Sprig `regexReplaceAll`: Go's `ReplaceAllString`, whose `$1`, `${1}`, `$name` expansion the
/// `regex` crate shares; `literal=true` is `regexReplaceAllLiteral`.
fn replace_all(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let re = pattern(k, "regex_replace_all")?;
    let s = text(&v, "regex_replace_all")?;
    let example = r#"regex_replace_all(pattern="-+", replacement="-")"#;
    let replacement = required::<&str>(k, "replacement", "regex_replace_all", example)?;
    Ok(if k.get::<bool>("literal")?.unwrap_or(false) {
        re.replace_all(s, regex::NoExpand(replacement)).into_owned()
    } else {
        re.replace_all(s, replacement).into_owned()
    }
    .into())
}

/// Go's `Regexp.Split`: at most `n` pieces (all when negative, none when 0).
fn split(re: &Regex, s: &str, n: i64) -> Vec<Value> {
    if n == 0 {
        return Vec::new();
    }
    if !re.as_str().is_empty() && s.is_empty() {
        return vec![Value::from("")];
    }
    let max = usize::try_from(n).unwrap_or(usize::MAX);
    let mut pieces = Vec::new();
    let (mut begin, mut end) = (0, 0);
    for m in re.find_iter(s) {
        if n > 0 && pieces.len() == max - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            pieces.push(Value::from(&s[begin..end]));
        }
        begin = m.end();
    }
    if end != s.len() {
        pieces.push(Value::from(&s[begin..]));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_ascii_as_in_re2() {
        let re = compile(r"^\w+\d$").expect("valid");
        assert!(re.is_match("abc1"));
        assert!(!re.is_match("été1"));
        assert!(compile(r"[\d.]+").expect("valid").is_match("1.2"));
        assert!(compile(r"\pL+").expect("valid").is_match("été"));
        assert!(compile("(").is_err());
    }

    #[test]
    fn split_as_go() {
        let re = compile("z+").expect("valid");
        let parts: Vec<String> = split(&re, "pizza", -1)
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(parts, ["pi", "a"]);
        let re = compile("[,;]").expect("valid");
        let parts: Vec<String> = split(&re, "a,b;c", 2)
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(parts, ["a", "b;c"]);
    }
}
