//! The `--set` grammar, as Helm's strvals reads it:
//!
//! ```text
//! expr  := item (',' item)*          a.b=c,d=e
//! item  := name path* '=' value
//! path  := '.' name | '[' index ']'  a.b[0][1].c=x; gaps in lists are filled with null
//! value := '{' v (',' v)* '}' | v    {a,b,c} is a list
//! ```
//! A backslash escapes the next character anywhere (`a\.b=x\,y` sets key "a.b" to "x,y"); a
//! value runs to the next unescaped comma, so `name=foo=bar` gives "foo=bar". With `--set`,
//! `true`/`false`/`null` in any case are booleans and null, digits not starting with 0 that fit
//! in 64 bits are integers (`0123`, `1.5`, `1e3` stay strings); `--set-string` keeps strings;
//! `--set-file` reads the named file; `--set-json` reads one JSON value (empty means null).
//!
//! Error messages show the expression with the values already read hidden (`a=***`), since
//! values passed this way are often secrets.

use serde_yaml::{Mapping, Value};

use crate::error::Error;

/// Which flag an expression came from, which decides how its values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// `--set`: booleans, null and integers are recognised, everything else is a string.
    Typed,
    /// `--set-string`: every value is a string.
    String,
    /// `--set-json`: every value is JSON.
    Json,
    /// `--set-file`: every value is a path; the value set is that file's text.
    File,
}

impl SetKind {
    pub fn flag(self) -> &'static str {
        match self {
            SetKind::Typed => "--set",
            SetKind::String => "--set-string",
            SetKind::Json => "--set-json",
            SetKind::File => "--set-file",
        }
    }
}

/// The largest list index accepted, as in Helm (a bigger one would allocate a huge list).
pub const MAX_INDEX: usize = 65536;
/// Helm's cap on dotted name levels in one key path.
const MAX_NAME_LEVELS: usize = 30;
/// Cap on all levels (names and indexes) in one key path; bounds the parser's recursion.
const MAX_DEPTH: usize = 64;

/// Applies one `--set` style expression (`a.b=c,d[0].e=f`) onto `target`. On error `target` is
/// left unchanged.
pub fn apply_set(target: &mut Value, expr: &str, kind: SetKind) -> Result<(), Error> {
    apply_set_with(target, expr, kind, &mut read_text_file)
}

/// Reads a `--set-file` path; the error's message is the reason, for a message naming key and
/// path.
pub(crate) type FileReader<'r> = dyn FnMut(&str) -> Result<String, Error> + 'r;

pub(crate) fn read_text_file(path: &str) -> Result<String, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(e.to_string(), e))?;
    crate::input::read_exact_text(file).map_err(|failure| match failure {
        crate::input::Failure::Io(e) => Error::io(e.to_string(), e),
        crate::input::Failure::TooLarge => Error::input(format!(
            "larger than {} MiB, the most ktera reads as a value",
            crate::input::MAX_INPUT_BYTES / (1024 * 1024)
        )),
        crate::input::Failure::NotUtf8 { offset, .. } => {
            Error::input(format!("not UTF-8 text (invalid byte at offset {offset})"))
        }
    })
}

/// [`apply_set`] with the way `--set-file` paths are read supplied by the caller.
pub(crate) fn apply_set_with(
    target: &mut Value,
    expr: &str,
    kind: SetKind,
    read: &mut FileReader<'_>,
) -> Result<(), Error> {
    let mut work = match target {
        Value::Null => Mapping::new(),
        Value::Mapping(map) => map.clone(),
        _ => {
            return Err(Error::input(format!(
                "invalid {} expression at character 1: the values it applies to are not a mapping",
                kind.flag()
            ))
            .with_hint("expected values that are a mapping of names to values"));
        }
    };
    let mut parser = Parser {
        src: expr,
        pos: 0,
        kind,
        read,
        hidden: Vec::new(),
        key: String::new(),
    };
    while parser.pos < expr.len() {
        parser.key(&mut work, 0, 0)?;
    }
    *target = Value::Mapping(work);
    Ok(())
}

struct Parser<'a, 'r, 'f> {
    src: &'a str,
    /// Byte offset of the next character.
    pos: usize,
    kind: SetKind,
    read: &'r mut FileReader<'f>,
    /// Byte ranges of the values read so far, hidden in error messages.
    hidden: Vec<(usize, usize)>,
    /// The last key name read, for messages about its value.
    key: String,
}

/// Text read up to a stop character, escapes resolved.
struct Token {
    text: String,
    /// Byte offset where the token starts.
    start: usize,
    /// Byte offset of the stop character (or the end of input).
    end: usize,
    /// The stop character; None at the end of input.
    stop: Option<char>,
}

impl Parser<'_, '_, '_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn until(&mut self, stops: &[char]) -> Token {
        let start = self.pos;
        let mut text = String::new();
        let mut chars = self.src[start..].char_indices();
        loop {
            match chars.next() {
                None => {
                    self.pos = self.src.len();
                    return Token {
                        text,
                        start,
                        end: self.pos,
                        stop: None,
                    };
                }
                Some((i, c)) if stops.contains(&c) => {
                    self.pos = start + i + c.len_utf8();
                    return Token {
                        text,
                        start,
                        end: start + i,
                        stop: Some(c),
                    };
                }
                Some((_, '\\')) => match chars.next() {
                    Some((_, next)) => text.push(next),
                    // A trailing backslash escapes nothing; Helm drops it too.
                    None => {
                        self.pos = self.src.len();
                        return Token {
                            text,
                            start,
                            end: self.pos,
                            stop: None,
                        };
                    }
                },
                Some((_, c)) => text.push(c),
            }
        }
    }

    /// Reads a key path and its value into `map`. `names` counts dotted levels, `depth` all.
    fn key(&mut self, map: &mut Mapping, names: usize, depth: usize) -> Result<(), Error> {
        let token = self.until(&['=', '[', ',', '.']);
        let name = token.text.clone();
        if name.is_empty() {
            let after = match token.stop {
                Some(c) => format!("found `{c}`"),
                None => "the expression ends".into(),
            };
            return Err(self.error(
                token.end,
                format!("a key name is missing: {after}"),
                "expected a key name, as in name=value or a.b=value",
            ));
        }
        self.key = name.clone();
        match token.stop {
            None => Err(self.error(
                token.end,
                format!("the key `{name}` has no value"),
                &format!("expected `=` and a value, as in {name}=value"),
            )),
            Some(',') => Err(self.error(
                token.end,
                format!("the key `{name}` has no value"),
                &format!("expected `=` and a value before the `,`, as in {name}=value"),
            )),
            Some('=') => {
                let value = self.value()?;
                map.insert(Value::String(name), value);
                Ok(())
            }
            Some('.') => {
                if names + 1 > MAX_NAME_LEVELS || depth + 1 > MAX_DEPTH {
                    return Err(self.error(
                        token.end,
                        format!("the key path nests more than {MAX_NAME_LEVELS} names deep"),
                        "expected a shorter key path",
                    ));
                }
                let slot = map
                    .entry(Value::String(name.clone()))
                    .or_insert(Value::Null);
                // A null (as from `key:` in a file or an earlier key=null) counts as absent.
                if slot.is_null() {
                    *slot = Value::Mapping(Mapping::new());
                }
                match slot {
                    Value::Mapping(inner) => self.key(inner, names + 1, depth + 1),
                    other => Err(self.conflict(token.start, &name, other, "a mapping", '.')),
                }
            }
            Some(_) => {
                let index = self.index()?;
                let slot = map
                    .entry(Value::String(name.clone()))
                    .or_insert(Value::Null);
                if slot.is_null() {
                    *slot = Value::Sequence(Vec::new());
                }
                match slot {
                    Value::Sequence(list) => self.list_item(list, index, names, depth + 1),
                    other => Err(self.conflict(token.start, &name, other, "a list", '[')),
                }
            }
        }
    }

    /// Reads `N]` after a `[`.
    fn index(&mut self) -> Result<usize, Error> {
        let token = self.until(&[']']);
        if token.stop.is_none() {
            return Err(self.error(
                token.end,
                "the list index is not closed".into(),
                "expected `]` after the index, as in list[0]=value",
            ));
        }
        let text = token.text.as_str();
        let digits = text.strip_prefix('+').unwrap_or(text);
        let problem = if let Some(abs) = digits.strip_prefix('-') {
            if !abs.is_empty() && abs.bytes().all(|b| b.is_ascii_digit()) {
                format!("the list index {text} is negative")
            } else {
                format!("the list index `{text}` is not a number")
            }
        } else if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            format!("the list index `{text}` is not a number")
        } else {
            match digits.parse::<usize>() {
                Ok(index) if index <= MAX_INDEX => return Ok(index),
                _ => {
                    format!("the list index {text} is larger than {MAX_INDEX}, the largest allowed")
                }
            }
        };
        Err(self.error(
            token.start,
            problem,
            &format!("expected a whole number from 0 to {MAX_INDEX} between `[` and `]`"),
        ))
    }

    /// Reads what follows `name[index]` into `list`.
    fn list_item(
        &mut self,
        list: &mut Vec<Value>,
        index: usize,
        names: usize,
        depth: usize,
    ) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                self.pos,
                format!("the key path nests more than {MAX_DEPTH} levels deep"),
                "expected a shorter key path",
            ));
        }
        let token = self.until(&['[', '.', '=']);
        if !token.text.is_empty() || token.stop.is_none() {
            let found = if token.text.is_empty() {
                "the expression ends".to_string()
            } else {
                format!("found `{}`", token.text)
            };
            return Err(self.error(
                token.start,
                format!("unexpected text after a list index: {found}"),
                "expected `=`, `.` or `[` after `]`, as in list[0]=value or list[0].name=value",
            ));
        }
        if list.len() <= index {
            list.resize(index + 1, Value::Null);
        }
        let slot = &mut list[index];
        match token.stop {
            Some('=') => {
                *slot = self.value()?;
                Ok(())
            }
            Some('[') => {
                let next = self.index()?;
                if slot.is_null() {
                    *slot = Value::Sequence(Vec::new());
                }
                match slot {
                    Value::Sequence(inner) => self.list_item(inner, next, names, depth + 1),
                    other => {
                        let name = format!("{}[{index}]", self.key);
                        Err(self.conflict(token.start, &name, other, "a list", '['))
                    }
                }
            }
            _ => {
                // As Helm: a non-mapping element is replaced by the mapping being set.
                if !slot.is_mapping() {
                    *slot = Value::Mapping(Mapping::new());
                }
                match slot {
                    Value::Mapping(inner) => self.key(inner, names, depth + 1),
                    _ => Ok(()),
                }
            }
        }
    }

    /// Reads the value after `=`, by the flag's rules.
    fn value(&mut self) -> Result<Value, Error> {
        let start = self.pos;
        let (value, end) = match self.kind {
            SetKind::Json => self.json_value()?,
            _ if self.pos >= self.src.len() => (Value::String(String::new()), self.pos),
            _ if self.peek() == Some('{') => self.brace_list()?,
            _ => {
                let token = self.until(&[',']);
                (self.scalar(&token.text)?, token.end)
            }
        };
        self.hidden.push((start, end));
        Ok(value)
    }

    /// Reads `{a,b,c}`; a `,` right after the `}` is consumed.
    fn brace_list(&mut self) -> Result<(Value, usize), Error> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            let token = self.until(&[',', '}']);
            match token.stop {
                None => {
                    return Err(self.value_error(
                        start,
                        format!("the list for `{}` is not closed", self.key),
                        "expected `}` at the end of the list, as in name={a,b}",
                    ));
                }
                Some('}') => {
                    items.push(self.scalar(&token.text)?);
                    let end = self.pos;
                    if self.peek() == Some(',') {
                        self.pos += 1;
                    }
                    return Ok((Value::Sequence(items), end));
                }
                Some(_) => items.push(self.scalar(&token.text)?),
            }
        }
    }

    fn scalar(&mut self, text: &str) -> Result<Value, Error> {
        match self.kind {
            SetKind::Typed => Ok(typed_value(text)),
            SetKind::String | SetKind::Json => Ok(Value::String(text.to_string())),
            SetKind::File => match (self.read)(text) {
                Ok(contents) => Ok(Value::String(contents)),
                Err(reason) => Err(reason.prefixed(&format!(
                    "{} {}: cannot read {text}",
                    self.kind.flag(),
                    self.key
                ))),
            },
        }
    }

    /// Skips blanks, then a `,` or the end of input; true if it found one (no value here).
    fn empty_value(&mut self) -> bool {
        loop {
            match self.peek() {
                None => return true,
                Some(',') => {
                    self.pos += 1;
                    return true;
                }
                Some(c) if c.is_whitespace() => self.pos += c.len_utf8(),
                Some(_) => return false,
            }
        }
    }

    /// Reads one JSON value; an empty value is null. Blanks and a `,` after it are consumed.
    fn json_value(&mut self) -> Result<(Value, usize), Error> {
        let start = self.pos;
        if self.empty_value() {
            return Ok((Value::Null, start));
        }
        let rest = &self.src[self.pos..];
        match crate::json::read_prefix(rest) {
            Some(Ok((value, length))) => {
                self.pos += length;
                let end = self.pos;
                self.empty_value();
                Ok((value, end))
            }
            Some(Err(err)) => {
                let mut reason = err.to_string();
                reason = reason.replacen(
                    &format!(" at line {} column {}", err.line(), err.column()),
                    "",
                    1,
                );
                let at = if err.line() <= 1 {
                    format!(" (character {} of the value)", err.column())
                } else {
                    format!(
                        " (line {} column {} of the value)",
                        err.line(),
                        err.column()
                    )
                };
                Err(self.value_error(
                    start,
                    format!(
                        "the value for `{}` is not valid JSON: {reason}{at}",
                        self.key
                    ),
                    "expected a JSON value, as in name={\"a\":1}, name=[1,2] or name=\"text\"",
                ))
            }
            None => Ok((Value::Null, start)),
        }
    }

    fn conflict(&self, at: usize, name: &str, found: &Value, wanted: &str, op: char) -> Error {
        let found = super::parse::describe(found);
        self.error(
            at,
            format!("`{name}` already holds {found}, so `{op}` cannot go into it as into {wanted}"),
            &format!(
                "expected `{name}` to be {wanted}; to replace it, clear it first in the same \
                 expression, as in {name}=null,{name}{op}..."
            ),
        )
    }

    /// An error at byte offset `at` in a key part of the expression.
    fn error(&self, at: usize, message: String, expected: &str) -> Error {
        self.render(at, false, message, expected)
    }

    /// An error about the value starting at byte offset `start` (shown hidden).
    fn value_error(&self, start: usize, message: String, expected: &str) -> Error {
        self.render(start, true, message, expected)
    }

    fn render(&self, at: usize, in_value: bool, message: String, expected: &str) -> Error {
        let at = at.min(self.src.len());
        let mut shown = String::new();
        let mut cursor = 0;
        for &(start, end) in &self.hidden {
            if end > at || start < cursor {
                continue;
            }
            shown.push_str(&self.src[cursor..start]);
            if end > start {
                shown.push_str("***");
            }
            cursor = end;
        }
        shown.push_str(&self.src[cursor..at]);
        let caret = shown.chars().count();
        let rest = &self.src[at..];
        let tail = if in_value {
            "***"
        } else {
            // The rest of this key, up to its `=`: keys are not secret, what follows may be.
            match rest.find(['=', ',']) {
                Some(i) => &rest[..=i],
                None => rest,
            }
        };
        shown.push_str(tail);
        if !in_value && tail.len() < rest.len() {
            shown.push_str("...");
        }
        let position = self.src[..at].chars().count() + 1;
        Error::input(format!(
            "invalid {} expression at character {position}: {message}",
            self.kind.flag()
        ))
        .with_snippet(format!("  {shown}\n  {}^", " ".repeat(caret)))
        .with_hint(expected)
    }
}

/// A `--set` value: `true`/`false`/`null` in any case, integers without a leading zero that fit
/// in 64 bits (Helm's rule), else the text as a string.
pub(crate) fn typed_value(text: &str) -> Value {
    if text.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if text == "0" {
        return Value::from(0i64);
    }
    if !text.is_empty()
        && !text.starts_with('0')
        && let Ok(int) = text.parse::<i64>()
    {
        return Value::from(int);
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap_or(Value::Null)
    }

    fn set(expr: &str, kind: SetKind) -> Value {
        let mut target = Value::Null;
        match apply_set(&mut target, expr, kind) {
            Ok(()) => target,
            Err(e) => panic!("{expr:?}: {e}"),
        }
    }

    fn typed(expr: &str) -> Value {
        set(expr, SetKind::Typed)
    }

    fn error(expr: &str, kind: SetKind) -> String {
        let mut target = y("keep: 1");
        let before = target.clone();
        match apply_set(&mut target, expr, kind) {
            Ok(()) => panic!("{expr:?} should fail, gave {target:?}"),
            Err(e) => {
                assert_eq!(target, before, "a failed expression must change nothing");
                e.to_string()
            }
        }
    }

    #[test]
    fn paths_and_commas() {
        assert_eq!(typed("a.b=c,d=e"), y("a: {b: c}\nd: e"));
        assert_eq!(typed("a.b=1,a.c=2"), y("a: {b: 1, c: 2}"));
        assert_eq!(typed("a=1,a=2"), y("a: 2"));
        assert_eq!(typed("a=1,"), y("a: 1"));
        assert_eq!(typed(""), y("{}"));
    }

    #[test]
    fn escapes() {
        assert_eq!(typed(r"a\.b=x\,y"), y("a.b: x,y"));
        assert_eq!(typed(r"w=C:\\d"), y(r"w: 'C:\d'"));
        assert_eq!(typed(r"k\=e=v"), y("k=e: v"));
        assert_eq!(typed(r"b=\{x}"), y("b: '{x}'"));
        assert_eq!(typed("t=x\\"), y("t: x"));
    }

    #[test]
    fn value_runs_to_the_next_comma() {
        assert_eq!(typed("name=foo=bar,u=a==b"), y("name: foo=bar\nu: a==b"));
        assert_eq!(typed("a="), y("a: ''"));
        assert_eq!(typed("a=,b=1"), y("a: ''\nb: 1"));
        assert_eq!(typed("s= x "), y("s: ' x '"));
    }

    #[test]
    fn indexes_fill_gaps_with_null() {
        assert_eq!(typed("a[2]=x"), y("a: [null, null, x]"));
        assert_eq!(typed("b[1].c=y"), y("b: [null, {c: y}]"));
        assert_eq!(typed("n[0][2]=z"), y("n: [[null, null, z]]"));
        assert_eq!(typed("m[1][0].k=v"), y("m: [null, [{k: v}]]"));
        assert_eq!(typed("l[0]=a,l[0].k=v"), y("l: [{k: v}]"));
        assert_eq!(typed("l[+1]=a"), y("l: [null, a]"));
    }

    #[test]
    fn indexes_edit_an_existing_list() {
        let mut target = y("l: [p, q, r]\no: [{n: a, p: 1}]");
        let result = apply_set(&mut target, "l[1]=x,o[0].p=2", SetKind::Typed);
        assert!(result.is_ok());
        assert_eq!(target, y("l: [p, x, r]\no: [{n: a, p: 2}]"));
    }

    #[test]
    fn brace_lists() {
        assert_eq!(typed("a={x,y,z}"), y("a: [x, y, z]"));
        assert_eq!(
            typed("b={1,true,null,0123}"),
            y("b: [1, true, null, '0123']")
        );
        assert_eq!(typed("c={}"), y("c: ['']"));
        assert_eq!(typed("d[0]={p,q}"), y("d: [[p, q]]"));
        assert_eq!(typed("e={1},f=2"), y("e: [1]\nf: 2"));
        assert_eq!(typed(r"g={x\,y,z}"), y("g: ['x,y', z]"));
        assert_eq!(typed("h= {x}"), y("h: ' {x}'"));
    }

    #[test]
    fn typed_values_follow_helm() {
        let cases = [
            ("true", y("true")),
            ("TRUE", y("true")),
            ("False", y("false")),
            ("nUlL", Value::Null),
            ("0", y("0")),
            ("-5", y("-5")),
            ("+5", y("5")),
            ("-0", y("0")),
            ("-05", y("-5")),
            ("1000000", y("1000000")),
            ("9223372036854775807", y("9223372036854775807")),
            ("-9223372036854775808", y("-9223372036854775808")),
            ("9223372036854775808", Value::from("9223372036854775808")),
            ("0123", Value::from("0123")),
            ("00", Value::from("00")),
            ("1.5", Value::from("1.5")),
            ("1e3", Value::from("1e3")),
            ("0x1F", Value::from("0x1F")),
            ("1_000", Value::from("1_000")),
            ("yes", Value::from("yes")),
            ("~", Value::from("~")),
            ("", Value::from("")),
        ];
        for (text, expected) in cases {
            assert_eq!(typed_value(text), expected, "{text:?}");
        }
        assert_eq!(typed("big=1000000")["big"].as_u64(), Some(1_000_000));
    }

    #[test]
    fn set_string_keeps_strings() {
        let v = set("t=true,n=null,i=5,l={1,true},x[1]=2", SetKind::String);
        assert_eq!(
            v,
            y("t: 'true'\nn: 'null'\ni: '5'\nl: ['1', 'true']\nx: [null, '2']")
        );
    }

    #[test]
    fn set_json_values() {
        let v = set(
            r#"obj={"b":[1,2,{"c":null}],"a":1.5},n=1000000,s="x,y",e=,t=true"#,
            SetKind::Json,
        );
        assert_eq!(
            v,
            y("obj: {b: [1, 2, {c: null}], a: 1.5}\nn: 1000000\ns: 'x,y'\ne: null\nt: true")
        );
        assert_eq!(v["n"].as_u64(), Some(1_000_000));
        assert_eq!(
            set("l[1]={\"i\":-1}", SetKind::Json),
            y("l: [null, {i: -1}]")
        );
        assert_eq!(set("a = , b=[ ]", SetKind::Json), y("'a ': null\n' b': []"));
    }

    #[test]
    fn set_file_reads_each_path() {
        let mut target = Value::Null;
        let mut read = |path: &str| match path {
            "cfg.txt" => Ok("a: 1\n".to_string()),
            other => Err(Error::input(format!("no file {other}"))),
        };
        let result = apply_set_with(
            &mut target,
            "x=cfg.txt,l={cfg.txt}",
            SetKind::File,
            &mut read,
        );
        assert!(result.is_ok());
        assert_eq!(target, y("x: \"a: 1\\n\"\nl: [\"a: 1\\n\"]"));
        let e = apply_set_with(&mut target, "k.z=nope.txt", SetKind::File, &mut read);
        let e = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(e, "--set-file z: cannot read nope.txt: no file nope.txt");
    }

    #[test]
    fn errors_point_at_the_place_and_say_what_is_expected() {
        let e = error("a.=b", SetKind::Typed);
        assert_eq!(
            e,
            "invalid --set expression at character 3: a key name is missing: found `=`\n  a.=...\n    ^\n  hint: expected a key name, as in name=value or a.b=value"
        );
        let e = error("a[x]=1", SetKind::Typed);
        assert!(
            e.starts_with(
                "invalid --set expression at character 3: the list index `x` is not a number"
            ),
            "{e}"
        );
        assert!(
            e.contains("\n  a[x]=...\n    ^\n  hint: expected a whole number from 0 to 65536"),
            "{e}"
        );
        let e = error("[0]=1", SetKind::Typed);
        assert!(
            e.contains("at character 1: a key name is missing: found `[`"),
            "{e}"
        );
        let e = error("a.b", SetKind::Typed);
        assert!(
            e.contains("at character 4: the key `b` has no value"),
            "{e}"
        );
        assert!(e.contains("expected `=` and a value, as in b=value"), "{e}");
        let e = error("a,b=1", SetKind::Typed);
        assert!(
            e.contains("at character 2: the key `a` has no value"),
            "{e}"
        );
        let e = error("a[65537]=1", SetKind::Typed);
        assert!(
            e.contains("the list index 65537 is larger than 65536"),
            "{e}"
        );
        assert!(
            error("a[99999999999999999999999]=1", SetKind::Typed).contains("larger than 65536")
        );
        assert!(error("a[-1]=1", SetKind::Typed).contains("the list index -1 is negative"));
        assert!(error("a[]=1", SetKind::Typed).contains("the list index `` is not a number"));
        assert!(error("a[0", SetKind::Typed).contains("the list index is not closed"));
        assert!(
            error("a[0]", SetKind::Typed)
                .contains("unexpected text after a list index: the expression ends")
        );
        assert!(
            error("a[0]x=1", SetKind::Typed)
                .contains("unexpected text after a list index: found `x`")
        );
        assert!(error("a={x,y", SetKind::Typed).contains("the list for `a` is not closed"));
        assert!(error(".a=1", SetKind::Typed).contains("at character 1: a key name is missing"));
        assert!(error("a..b=1", SetKind::Typed).contains("at character 3: a key name is missing"));
        assert!(error("a.", SetKind::Typed).contains("a key name is missing: the expression ends"));
        let e = error("j={\"a\":1,,}", SetKind::Json);
        assert!(e.contains("the value for `j` is not valid JSON"), "{e}");
        assert!(e.contains("  j=***\n    ^"), "{e}");
    }

    #[test]
    fn type_conflicts_are_errors() {
        let mut target = y("image: nginx\nlist: [1]\nm: {a: 1}");
        let e = apply_set(&mut target, "image.tag=1", SetKind::Typed)
            .err()
            .map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(
            e.contains(
                "`image` already holds a string, so `.` cannot go into it as into a mapping"
            ),
            "{e}"
        );
        assert!(e.contains("image=null,image...."), "{e}");
        assert!(apply_set(&mut target, "m[0]=1", SetKind::Typed).is_err());
        assert!(apply_set(&mut target, "list.a=1", SetKind::Typed).is_err());
        assert!(apply_set(&mut target, "list[0][0]=1", SetKind::Typed).is_err());
        // Clearing first, or a null from a file, makes room.
        assert!(apply_set(&mut target, "image=null,image.tag=1", SetKind::Typed).is_ok());
        assert_eq!(target["image"], y("tag: 1"));
    }

    #[test]
    fn name_levels_are_capped() {
        let ok = format!("{}=1", vec!["k"; 31].join("."));
        assert!(apply_set(&mut Value::Null, &ok, SetKind::Typed).is_ok());
        let deep = format!("{}=1", vec!["k"; 32].join("."));
        assert!(error(&deep, SetKind::Typed).contains("nests more than 30 names deep"));
        let indexes = format!("a{}=1", "[0]".repeat(100));
        assert!(error(&indexes, SetKind::Typed).contains("nests more than 64 levels deep"));
    }

    #[test]
    fn errors_hide_values() {
        let e = error("password=hunter2,x.=1,token=abc", SetKind::Typed);
        assert!(!e.contains("hunter2") && !e.contains("abc"), "{e}");
        assert!(
            e.contains("  password=***,x.=...\n                 ^"),
            "{e}"
        );
        let e = error("a={secret,x", SetKind::Typed);
        assert!(!e.contains("secret"), "{e}");
        let e = error("j={\"pw\":\"s3cret\"", SetKind::Json);
        assert!(!e.contains("s3cret"), "{e}");
    }

    #[test]
    fn non_ascii_positions_count_characters() {
        let e = error("ключ.=1", SetKind::Typed);
        assert!(e.contains("at character 6"), "{e}");
        assert!(e.contains("  ключ.=...\n       ^"), "{e}");
    }

    #[test]
    fn target_must_be_a_mapping() {
        let mut target = y("[1]");
        assert!(apply_set(&mut target, "a=1", SetKind::Typed).is_err());
    }
}
