//! A fast reader for the plain block YAML that templates render and values files hold.
//!
//! Hand-written because serde_yaml, through libyaml, made reading YAML most of ktera's time
//! (docs/performance.md). This reader handles only a
//! common subset: block mappings and sequences, one-line plain, single- and double-quoted
//! scalars, literal block scalars (`|`, `|-`, `|+`), one-line flow collections and comments.
//! For anything else (anchors, tags, folded or multi-line scalars, tabs, duplicate keys,
//! errors...) it returns `None` and the caller reads the text with serde_yaml, which also
//! reports the errors. So it never decides what a document means on its own: when it answers,
//! the answer is the one serde_yaml gives, which the differential tests check.

use serde_yaml::{Mapping, Number, Value};

/// How mapping keys are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// As serde_yaml reads them: `1:` is a number key, `true:` a boolean key.
    Resolved,
    /// As values files read them (`crate::values::parse`): every key a string (`1:` is "1"),
    /// and the documents it refuses or treats specially (null keys, `<<`, infinities) left to it.
    Strings,
}

/// Deeper documents are left to serde_yaml, whose own limit is 128.
const MAX_DEPTH: usize = 100;

/// libyaml refuses an implicit key whose ':' is more than 1,024 bytes after its start
/// (spaces before the ':' count).
const MAX_KEY_BYTES: usize = 1000;

/// Reads one YAML document (no `---` markers in it), or `None` when the text is outside the
/// subset described above.
pub fn read_document(text: &str, keys: Keys) -> Option<Value> {
    if !only_plain_characters(text) {
        return None;
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line_start: 0,
        depth: 0,
        keys,
        entries: Vec::new(),
    };
    let Next::Line(column) = reader.next_content()? else {
        return Some(Value::Null);
    };
    let value = reader.block_node(column, None, true)?;
    match reader.next_content()? {
        Next::End => Some(value),
        Next::Line(_) => None,
    }
}

/// Line breaks other than '\n', control characters, tabs and byte order marks are left to
/// serde_yaml: libyaml gives each a meaning or an error of its own. (So no code below meets a
/// tab.)
fn only_plain_characters(text: &str) -> bool {
    let ascii_ok = |b: u8| b == b'\n' || (0x20..0x7f).contains(&b);
    if text.is_ascii() {
        // A block at a time without an early exit, which the compiler can vectorise.
        return text
            .as_bytes()
            .chunks(64)
            .all(|block| block.iter().fold(true, |ok, &b| ok & ascii_ok(b)));
    }
    text.chars().all(|c| {
        if c.is_ascii() {
            ascii_ok(c as u8)
        } else {
            let c = c as u32;
            c >= 0xa0 && c != 0x2028 && c != 0x2029 && c != 0xfeff && c != 0xfffe && c != 0xffff
        }
    })
}

/// What [`Reader::next_content`] finds: a content line starting at a column, or the end.
enum Next {
    Line(usize),
    End,
}

/// What [`Reader::mapping_key`] finds at the start of a line.
enum MappingKey {
    Found(Value),
    Absent,
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line_start: usize,
    depth: usize,
    keys: Keys,
    /// The entries of the block mappings being read, innermost last: a mapping is built once
    /// its size is known, without growing (and rehashing) its table on the way.
    entries: Vec<(Value, Value)>,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    /// True when the byte before the current one is a space (a `#` there starts a comment).
    fn after_space(&self) -> bool {
        self.pos
            .checked_sub(1)
            .is_some_and(|i| self.bytes.get(i) == Some(&b' '))
    }

    fn column(&self) -> usize {
        self.pos - self.line_start
    }

    /// True when the byte at `offset` ends a token: a space, a line end or the end of input.
    fn blank_at(&self, offset: usize) -> bool {
        matches!(self.peek_at(offset), None | Some(b' ' | b'\n'))
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    /// Moves past the rest of the current line (its '\n' included).
    fn skip_line(&mut self) {
        match memchr(b'\n', &self.bytes[self.pos..]) {
            Some(at) => {
                self.pos += at + 1;
                self.line_start = self.pos;
            }
            None => self.pos = self.bytes.len(),
        }
    }

    /// From the start of a line, skips blank and comment lines; stops on the first character of
    /// the next content line and returns its column, or the end of input.
    /// `None` for what is left to serde_yaml: document markers and directives.
    fn next_content(&mut self) -> Option<Next> {
        loop {
            self.skip_spaces();
            match self.peek() {
                None => return Some(Next::End),
                Some(b'\n' | b'#') => self.skip_line(),
                Some(b'-' | b'.' | b'%') if self.column() == 0 => {
                    let line = &self.bytes[self.pos..];
                    if line[0] == b'%' || line.starts_with(b"---") || line.starts_with(b"...") {
                        return None;
                    }
                    return Some(Next::Line(0));
                }
                Some(_) => return Some(Next::Line(self.column())),
            }
        }
    }

    /// After a scalar or flow collection: only spaces and a comment may end the line.
    fn end_line(&mut self) -> Option<()> {
        self.skip_spaces();
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.skip_line();
                Some(())
            }
            Some(b'#') if self.after_space() => {
                self.skip_line();
                Some(())
            }
            Some(_) => None,
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn is_sequence_entry(&self) -> bool {
        self.peek() == Some(b'-') && self.blank_at(1)
    }

    /// A node whose first character is at `column`. `owner` is the column of the collection it
    /// belongs to (`None` at the top level); `block` allows a block collection to start here.
    fn block_node(&mut self, column: usize, owner: Option<usize>, block: bool) -> Option<Value> {
        if block {
            if self.is_sequence_entry() {
                return self.block_sequence(column);
            }
            if let MappingKey::Found(key) = self.mapping_key()? {
                return self.block_mapping(column, key);
            }
        }
        let value = match self.peek()? {
            b'|' => return self.literal_block(owner?),
            b'"' => {
                let text = self.double_quoted()?;
                self.end_line()?;
                Value::String(text)
            }
            b'\'' => {
                let text = self.single_quoted()?;
                self.end_line()?;
                Value::String(text)
            }
            b'[' | b'{' => {
                let value = self.flow_node()?;
                self.end_line()?;
                value
            }
            _ => {
                let start = self.pos;
                let end = self.plain_in_block()?;
                self.end_line()?;
                self.scalar(&self.text[start..end])?
            }
        };
        // A scalar ends at its line: deeper lines after it would continue it.
        match self.next_content()? {
            Next::Line(next) if owner.is_none_or(|owner| next > owner) => None,
            _ => Some(value),
        }
    }

    fn block_mapping(&mut self, column: usize, first_key: Value) -> Option<Value> {
        self.enter()?;
        let first_entry = self.entries.len();
        let mut key = first_key;
        loop {
            let value = self.value_after_indicator(column, true)?;
            self.entries.push((key, value));
            match self.next_content()? {
                Next::Line(next) if next == column => {
                    let MappingKey::Found(next_key) = self.mapping_key()? else {
                        return None;
                    };
                    key = next_key;
                }
                Next::Line(next) if next > column => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        let mut map = Mapping::with_capacity(self.entries.len() - first_entry);
        for (key, value) in self.entries.drain(first_entry..) {
            if map.insert(key, value).is_some() {
                return None;
            }
        }
        Some(Value::Mapping(map))
    }

    fn block_sequence(&mut self, column: usize) -> Option<Value> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.pos += 1; // the '-'
            items.push(self.value_after_indicator(column, false)?);
            match self.next_content()? {
                Next::Line(next) if next == column && self.is_sequence_entry() => {}
                Next::Line(next) if next > column => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(Value::Sequence(items))
    }

    /// The value after a key's ':' or an entry's '-', of the collection at `column`.
    fn value_after_indicator(&mut self, column: usize, after_key: bool) -> Option<Value> {
        self.skip_spaces();
        match self.peek() {
            None => Some(Value::Null),
            Some(b'\n') | Some(b'#') => {
                self.skip_line();
                match self.next_content()? {
                    Next::Line(next) if next > column => self.block_node(next, Some(column), true),
                    // A list may sit at its key's column.
                    Next::Line(next) if next == column && after_key && self.is_sequence_entry() => {
                        self.block_sequence(column)
                    }
                    _ => Some(Value::Null),
                }
            }
            Some(_) => {
                let here = self.column();
                // `- - a` and `- name: x` open a collection on the entry's line; `key: - a`
                // and `key: other: x` are errors.
                self.block_node(here, Some(column), !after_key)
            }
        }
    }

    /// When the current line starts with `key:`, reads the key and moves past the ':';
    /// `Absent` (and nothing moved) when it does not.
    fn mapping_key(&mut self) -> Option<MappingKey> {
        let start = self.pos;
        let key = match self.peek()? {
            b'"' | b'\'' => {
                let text = if self.peek() == Some(b'"') {
                    self.double_quoted()?
                } else {
                    self.single_quoted()?
                };
                self.skip_spaces();
                if self.peek() != Some(b':') || !self.blank_at(1) {
                    self.pos = start;
                    return Some(MappingKey::Absent);
                }
                if self.pos - start > MAX_KEY_BYTES {
                    return None;
                }
                Value::String(text)
            }
            first => {
                if is_indicator(first) {
                    return Some(MappingKey::Absent);
                }
                let Some(colon) = key_colon(&self.bytes[self.pos..]) else {
                    return Some(MappingKey::Absent);
                };
                if colon > MAX_KEY_BYTES {
                    return None;
                }
                let text = self.text[self.pos..self.pos + colon].trim_end_matches(' ');
                self.pos += colon;
                resolve_plain(text)?
            }
        };
        self.pos += 1; // the ':'
        let key = match self.keys {
            Keys::Resolved => key,
            Keys::Strings => Value::String(key_as_string(key)?),
        };
        Some(MappingKey::Found(key))
    }

    /// What a plain scalar value means; values files leave infinities and NaN to
    /// `crate::values::parse`, which refuses them.
    fn scalar(&self, text: &str) -> Option<Value> {
        let value = resolve_plain(text)?;
        if self.keys == Keys::Strings
            && let Value::Number(n) = &value
            && n.as_f64().is_some_and(|f| !f.is_finite())
        {
            return None;
        }
        Some(value)
    }

    /// A plain scalar in block context, up to a comment or the line's end; returns where its
    /// text ends (trailing spaces left out).
    fn plain_in_block(&mut self) -> Option<usize> {
        let first = self.peek()?;
        if is_indicator(first)
            || ((first == b'-' || first == b'?' || first == b':') && self.blank_at(1))
        {
            return None;
        }
        let start = self.pos;
        let mut end = start;
        while let Some(b) = self.peek() {
            match b {
                b'\n' => break,
                b'#' if self.after_space() => break,
                b':' if self.blank_at(1) => return None,
                b' ' => {}
                _ => end = self.pos + 1,
            }
            self.pos += 1;
        }
        Some(end)
    }

    /// A double-quoted scalar on one line, with its escapes.
    fn double_quoted(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.bytes[self.pos..];
            let stop = rest
                .iter()
                .position(|&b| matches!(b, b'"' | b'\\' | b'\n'))?;
            out.push_str(&self.text[self.pos..self.pos + stop]);
            self.pos += stop;
            match self.bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let escape = self.peek()?;
                    self.pos += 1;
                    let simple = match escape {
                        b'0' => '\0',
                        b'a' => '\u{7}',
                        b'b' => '\u{8}',
                        b't' | b'\t' => '\t',
                        b'n' => '\n',
                        b'v' => '\u{b}',
                        b'f' => '\u{c}',
                        b'r' => '\r',
                        b'e' => '\u{1b}',
                        b' ' => ' ',
                        b'"' => '"',
                        b'/' => '/',
                        b'\\' => '\\',
                        b'N' => '\u{85}',
                        b'_' => '\u{a0}',
                        b'L' => '\u{2028}',
                        b'P' => '\u{2029}',
                        b'x' => self.hex_escape(2)?,
                        b'u' => self.hex_escape(4)?,
                        b'U' => self.hex_escape(8)?,
                        _ => return None,
                    };
                    out.push(simple);
                }
                _ => return None, // a line break: multi-line scalars are left to serde_yaml
            }
        }
    }

    fn hex_escape(&mut self, digits: usize) -> Option<char> {
        let hex = self.text.get(self.pos..self.pos + digits)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += digits;
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)
    }

    /// A single-quoted scalar on one line (`''` is a quote).
    fn single_quoted(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.bytes[self.pos..];
            let stop = rest.iter().position(|&b| b == b'\'' || b == b'\n')?;
            out.push_str(&self.text[self.pos..self.pos + stop]);
            self.pos += stop;
            if self.bytes[self.pos] == b'\n' {
                return None;
            }
            self.pos += 1;
            if self.peek() == Some(b'\'') {
                out.push('\'');
                self.pos += 1;
            } else {
                return Some(out);
            }
        }
    }

    /// A literal block scalar (`|`, `|-`, `|+`) of a collection at column `owner`, as libyaml
    /// reads it: the first content line sets the indentation; spaces beyond it are content.
    fn literal_block(&mut self, owner: usize) -> Option<Value> {
        self.pos += 1;
        let chomp = match self.peek() {
            Some(b'-') => Some(false),
            Some(b'+') => Some(true),
            _ => None,
        };
        if chomp.is_some() {
            self.pos += 1;
        }
        if !self.blank_at(0) {
            return None; // an indentation digit, or anything else: left to serde_yaml
        }
        self.end_line()?;
        // Leading empty lines, then the first content line's indentation.
        let mut leading_breaks = 0;
        let mut widest_blank = 0;
        let indent = loop {
            let start = self.pos;
            self.skip_spaces();
            let spaces = self.pos - start;
            match self.peek() {
                Some(b'\n') => {
                    widest_blank = widest_blank.max(spaces);
                    leading_breaks += 1;
                    self.skip_line();
                }
                Some(_) if spaces > owner && spaces >= widest_blank => break spaces,
                _ => return None, // empty, or odd indentation: left to serde_yaml
            }
        };
        let mut out = "\n".repeat(leading_breaks);
        let mut breaks = 0; // empty lines after the last content line
        let mut ended_with_break;
        loop {
            // At `indent` on a content line.
            for _ in 0..breaks {
                out.push('\n');
            }
            breaks = 0;
            let end =
                memchr(b'\n', &self.bytes[self.pos..]).map_or(self.bytes.len(), |at| self.pos + at);
            out.push_str(&self.text[self.pos..end]);
            self.pos = end;
            ended_with_break = self.peek() == Some(b'\n');
            if !ended_with_break {
                break;
            }
            self.skip_line();
            // Empty lines, then the next line: content when it reaches `indent`.
            let next_content = loop {
                let start = self.pos;
                while self.pos - start < indent && self.peek() == Some(b' ') {
                    self.pos += 1;
                }
                match self.peek() {
                    Some(b'\n') => {
                        breaks += 1;
                        self.skip_line();
                    }
                    Some(_) if self.pos - start == indent => break true,
                    _ => {
                        self.pos = start;
                        break false;
                    }
                }
            };
            if !next_content {
                break;
            }
            out.push('\n');
        }
        match chomp {
            Some(false) => {}
            None => {
                if ended_with_break {
                    out.push('\n');
                }
            }
            Some(true) => {
                if ended_with_break {
                    out.push('\n');
                }
                for _ in 0..breaks {
                    out.push('\n');
                }
            }
        }
        // The next line (if any) must belong to an enclosing collection.
        match self.next_content()? {
            Next::Line(next) if next > owner => None,
            _ => Some(Value::String(out)),
        }
    }

    /// The items of a flow collection, the reader on its opening bracket: `item` reads one
    /// (from its first character), then a `,` or `close` must follow; an empty collection and
    /// a trailing comma are allowed, as YAML allows them.
    fn flow_items(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.enter()?;
        self.pos += 1;
        loop {
            self.skip_spaces();
            if self.peek()? == close {
                break;
            }
            item(self)?;
            self.skip_spaces();
            match self.peek()? {
                b',' => self.pos += 1,
                next if next == close => break,
                _ => return None,
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Some(())
    }

    /// A flow collection or scalar inside `[...]`/`{...}`, all on one line.
    fn flow_node(&mut self) -> Option<Value> {
        match self.peek()? {
            b'[' => {
                let mut items = Vec::new();
                self.flow_items(b']', |reader| {
                    items.push(reader.flow_node()?);
                    Some(())
                })?;
                Some(Value::Sequence(items))
            }
            b'{' => {
                let mut map = Mapping::new();
                self.flow_items(b'}', |reader| {
                    let quoted = matches!(reader.peek(), Some(b'"' | b'\''));
                    let key_start = reader.pos;
                    let key = reader.flow_node()?;
                    reader.skip_spaces();
                    if matches!(key, Value::Sequence(_) | Value::Mapping(_))
                        || reader.pos - key_start > MAX_KEY_BYTES
                    {
                        return None;
                    }
                    // `"a":1` is JSON and fine; after a plain key the ':' needs a space.
                    if reader.peek()? != b':' || !(quoted || reader.blank_at(1)) {
                        return None;
                    }
                    reader.pos += 1;
                    reader.skip_spaces();
                    if matches!(reader.peek()?, b',' | b'}') {
                        return None;
                    }
                    let value = reader.flow_node()?;
                    let key = match reader.keys {
                        Keys::Resolved => key,
                        Keys::Strings => Value::String(key_as_string(key)?),
                    };
                    map.insert(key, value).is_none().then_some(())
                })?;
                Some(Value::Mapping(map))
            }
            b'"' => self.double_quoted().map(Value::String),
            b'\'' => self.single_quoted().map(Value::String),
            first => {
                if is_indicator(first) || first == b'-' && self.blank_at(1) {
                    return None;
                }
                let start = self.pos;
                let mut end = start;
                while let Some(b) = self.peek() {
                    match b {
                        b',' | b']' | b'}' | b'\n' => break,
                        b'#' if self.after_space() => return None,
                        // The ':' of `{a: 1}`; the caller checks what may follow the scalar.
                        b':' if self.blank_at(1) => break,
                        b':' | b'[' | b'{' | b'?' => return None,
                        b' ' => {}
                        _ => end = self.pos + 1,
                    }
                    self.pos += 1;
                }
                if end == start {
                    return None;
                }
                let text = &self.text[start..end];
                self.scalar(text)
            }
        }
    }
}

/// Characters that cannot start a plain scalar (YAML's c-indicators, less `-`, `?` and `:`,
/// which may when a non-space follows).
fn is_indicator(b: u8) -> bool {
    matches!(
        b,
        b',' | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

/// Where a plain key's ':' is on the line that `rest` starts: the first ':' followed by a
/// space or the line's end, before any comment. `None` when the line is not `key: ...` or not
/// simple enough. The line is read up to its ':' only, not to its end.
fn key_colon(rest: &[u8]) -> Option<usize> {
    let ends = |b: Option<&u8>| matches!(b, None | Some(b' ' | b'\n'));
    if (rest[0] == b'-' || rest[0] == b'?' || rest[0] == b':') && ends(rest.get(1)) {
        return None;
    }
    for (i, &b) in rest.iter().enumerate() {
        match b {
            b'\n' => return None,
            b':' if ends(rest.get(i + 1)) => return Some(i),
            b'#' if i > 0 && rest[i - 1] == b' ' => return None,
            _ => {}
        }
    }
    None
}

/// A key as values files keep it (`crate::values::parse`'s key visitor); `None` for the keys
/// it treats specially.
fn key_as_string(key: Value) -> Option<String> {
    match key {
        Value::String(s) if s == "<<" => None,
        Value::String(s) => Some(s),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Some(u.to_string()),
            (None, Some(i), _) => Some(i.to_string()),
            (None, None, Some(f)) => Some(f.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// What serde_yaml makes of an untagged plain scalar (its `visit_untagged_scalar`, which is
/// private): null, booleans and numbers of the YAML 1.2 core schema, else a string. `None` for
/// integers beyond 64 bits, which serde_yaml reads through a path of its own.
fn resolve_plain(text: &str) -> Option<Value> {
    let Some(&first) = text.as_bytes().first() else {
        return Some(Value::Null);
    };
    if !matches!(
        first,
        b'0'..=b'9' | b'+' | b'-' | b'.' | b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F'
    ) {
        return Some(Value::String(text.to_string()));
    }
    match text {
        "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    // No number starts with a letter (`nan` or `inf` would parse as a float, which is refused
    // as not finite): `name`, `null_x` and the like are strings without trying every number
    // form.
    if first.is_ascii_alphabetic() {
        return Some(Value::String(text.to_string()));
    }
    if let Some(n) = parse_unsigned(text, u64::from_str_radix) {
        return Some(Value::Number(Number::from(n)));
    }
    if let Some(n) = parse_negative(text, i64::from_str_radix) {
        return Some(Value::Number(Number::from(n)));
    }
    if parse_unsigned(text, u128::from_str_radix).is_some()
        || parse_negative(text, i128::from_str_radix).is_some()
    {
        return None;
    }
    if !digits_but_not_number(text)
        && let Some(float) = parse_float(text)
    {
        return Some(Value::Number(Number::from(float)));
    }
    Some(Value::String(text.to_string()))
}

// The number rules below are serde_yaml 0.9's (de.rs), which are private to it.

fn parse_unsigned<T>(
    text: &str,
    radix: fn(&str, u32) -> Result<T, std::num::ParseIntError>,
) -> Option<T> {
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    for (prefix, base) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unsigned.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(n) = radix(rest, base) {
                return Some(n);
            }
        }
    }
    if unsigned.starts_with(['+', '-']) || digits_but_not_number(text) {
        return None;
    }
    radix(unsigned, 10).ok()
}

fn parse_negative<T>(
    text: &str,
    radix: fn(&str, u32) -> Result<T, std::num::ParseIntError>,
) -> Option<T> {
    for (prefix, base) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = text.strip_prefix(prefix)
            && let Ok(n) = radix(&format!("-{rest}"), base)
        {
            return Some(n);
        }
    }
    if digits_but_not_number(text) {
        return None;
    }
    radix(text, 10).ok()
}

fn parse_float(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match text {
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN.copysign(1.0)),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros then digits: a string in YAML 1.2.
fn digits_but_not_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits[1..].bytes().all(|b| b.is_ascii_digit())
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}
