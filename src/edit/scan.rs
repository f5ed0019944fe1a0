//! Reading the block structure of a values file as byte ranges of its text: where each mapping
//! entry, list item and value starts and ends, so that an edit replaces exactly those bytes.
//!
//! This is not a YAML parser: the file has already been parsed (and so is valid YAML) when it
//! gets here. It follows block mappings and block lists by indentation and finds the exact
//! extent of the values inside them (plain, quoted and block scalars, flow collections), and
//! marks what an in-place edit cannot go through (anchors, aliases, tags, non-empty flow
//! collections) so the caller can refuse it with its position.

use serde_yaml::Value;

use crate::diagnostic::Diagnostic;
use crate::error::Error;

/// A line of the text: content is `start..end` (without `\n` or `\r\n`), the next line starts at
/// `next`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

pub(crate) struct Doc<'a> {
    pub text: &'a str,
    pub lines: Vec<Line>,
}

/// How a scalar is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quoting {
    Plain,
    Single,
    Double,
}

/// What an in-place edit cannot go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blocker {
    FlowMapping,
    FlowSequence,
    Anchor,
    Alias,
    Tag,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Nothing written after the indicator (`key:`, `key: # note`, `-`): null. `at` is the byte
    /// just after the indicator.
    Empty { at: usize },
    /// A plain or quoted scalar, `start..end` (possibly over several lines).
    Scalar {
        end: usize,
        quoting: Quoting,
        null: bool,
    },
    /// A `|` or `>` block scalar, header to last content line.
    BlockScalar { end: usize },
    /// `{}` or `[]`.
    EmptyFlow { end: usize, mapping: bool },
    /// A block mapping whose first key starts at `start`, at column `col`.
    Map { line: usize, col: usize },
    /// A block list whose first `-` is at `start`, at column `col`.
    Seq { line: usize, col: usize },
    /// Something an edit cannot go through.
    Blocked(Blocker),
}

/// A value: what it is, where it starts, and the last line it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    pub kind: Kind,
    pub start: usize,
    pub last_line: usize,
}

/// A mapping entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    /// Byte offset of the key.
    pub key_start: usize,
    pub value: Node,
}

/// A list item.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub value: Node,
}

/// Where a node sits, which decides what may start it and which lines continue it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// After `key:` on the key's line: a scalar, flow collection, anchor... but not a key or `-`.
    MapValue,
    /// At the start of a node of its own (a list item's content, a value on its own line, the
    /// top level): a mapping key or `-` may start here too.
    Block,
}

/// The place and the reason why the scanner could not follow the file; the caller names it.
type Scan<T> = Result<T, Error>;

impl<'a> Doc<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let (end, next) = match text[start..].find('\n') {
                Some(i) => {
                    let nl = start + i;
                    let end = if nl > start && text.as_bytes()[nl - 1] == b'\r' {
                        nl - 1
                    } else {
                        nl
                    };
                    (end, nl + 1)
                }
                None => (text.len(), text.len()),
            };
            lines.push(Line { start, end, next });
            start = next;
        }
        Doc { text, lines }
    }

    pub fn line_text(&self, line: usize) -> &'a str {
        let l = self.lines[line];
        &self.text[l.start..l.end]
    }

    pub fn indent(&self, line: usize) -> usize {
        self.line_text(line)
            .bytes()
            .take_while(|&b| b == b' ')
            .count()
    }

    fn is_blank(&self, line: usize) -> bool {
        self.line_text(line)
            .bytes()
            .all(|b| b == b' ' || b == b'\t')
    }

    fn is_comment(&self, line: usize) -> bool {
        self.line_text(line)
            .trim_start_matches([' ', '\t'])
            .starts_with('#')
    }

    /// Neither blank nor a comment.
    fn is_content(&self, line: usize) -> bool {
        !self.is_blank(line) && !self.is_comment(line)
    }

    fn next_content(&self, from: usize) -> Option<usize> {
        (from..self.lines.len()).find(|&l| self.is_content(l))
    }

    /// The line holding byte `offset` (the last line for the end of the text).
    pub fn line_of(&self, offset: usize) -> usize {
        match self.lines.binary_search_by(|l| l.start.cmp(&offset)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        if self.lines.is_empty() {
            return (1, 1);
        }
        let line = self.line_of(offset);
        let start = self.lines[line].start;
        let column = self.text[start..offset.min(self.text.len()).max(start)]
            .chars()
            .count()
            + 1;
        (line + 1, column)
    }

    fn col_of(&self, offset: usize) -> usize {
        offset - self.lines[self.line_of(offset)].start
    }

    fn err<T>(&self, at: usize, message: impl Into<String>) -> Scan<T> {
        Err(self.error(at, message))
    }

    /// An error at byte `offset`, with its line, column and snippet (the file is the caller's
    /// to name).
    pub fn error(&self, offset: usize, message: impl Into<String>) -> Error {
        let (line, column) = self.position(offset);
        Error::input(message).with_diagnostic(Diagnostic::in_text("", self.text, line, column))
    }

    /// The top-level node. Refuses a second document.
    pub fn root(&self) -> Scan<Node> {
        let mut seen_start = false;
        let mut line = 0;
        let root = loop {
            if line >= self.lines.len() {
                let at = self.text.len();
                return Ok(Node {
                    kind: Kind::Empty { at },
                    start: at,
                    last_line: self.lines.len().saturating_sub(1),
                });
            }
            let text = self.line_text(line);
            if !self.is_content(line) || (!seen_start && text.starts_with('%')) {
                line += 1;
                continue;
            }
            if is_marker(text, "---") {
                if seen_start {
                    return self.multi_document(line);
                }
                seen_start = true;
                let rest = text[3..].trim_start_matches([' ', '\t']);
                if !rest.is_empty() && !rest.starts_with('#') {
                    let at = self.lines[line].start + (text.len() - rest.len());
                    return self.err(
                        at,
                        "the document starts on the `---` line; move it to the next line",
                    );
                }
                line += 1;
                continue;
            }
            if is_marker(text, "...") {
                return self.multi_document(line);
            }
            let start = self.lines[line].start + self.indent(line);
            break self.node_at(start, None, Ctx::Block)?;
        };
        if let Some(extra) = self.next_content(root.last_line + 1) {
            let text = self.line_text(extra);
            if is_marker(text, "---") || is_marker(text, "...") {
                return self.multi_document(extra);
            }
            return self.err(
                self.lines[extra].start + self.indent(extra),
                "cannot follow the file's structure here",
            );
        }
        Ok(root)
    }

    /// Refuses a second document before anything else reads the file, with the marker's place.
    pub fn single_document(&self) -> Scan<()> {
        let mut seen_start = false;
        let mut seen_content = false;
        for line in 0..self.lines.len() {
            let text = self.line_text(line);
            if is_marker(text, "---") {
                if seen_start || seen_content {
                    return self.multi_document(line);
                }
                seen_start = true;
            } else if is_marker(text, "...") {
                if self.next_content(line + 1).is_some() {
                    return self.multi_document(line);
                }
            } else if self.is_content(line) && (seen_start || !text.starts_with('%')) {
                seen_content = true;
            }
        }
        Ok(())
    }

    fn multi_document<T>(&self, line: usize) -> Scan<T> {
        self.err(
            self.lines[line].start,
            "the file holds more than one YAML document (a `---` or `...` marker after content)",
        )
    }

    /// The node starting at byte `pos` (blanks before it are skipped). `parent` is the column of
    /// the key or `-` it belongs to (None at the top level).
    fn node_at(&self, pos: usize, parent: Option<usize>, ctx: Ctx) -> Scan<Node> {
        let line = self.line_of(pos);
        let l = self.lines[line];
        let skipped = self.text[pos..l.end].len()
            - self.text[pos..l.end].trim_start_matches([' ', '\t']).len();
        let q = pos + skipped;
        let rest = &self.text[q..l.end];
        let deeper = |indent: usize| parent.is_none_or(|p| indent > p);
        let Some(first) = rest.chars().next().filter(|&c| c != '#') else {
            // Nothing on this line: the value, if any, is on the following lines.
            let Some(next) = self.next_content(line + 1) else {
                return Ok(Node {
                    kind: Kind::Empty { at: pos },
                    start: pos,
                    last_line: line,
                });
            };
            let indent = self.indent(next);
            let same_indent_list = ctx == Ctx::MapValue
                && Some(indent) == parent
                && starts_dash(&self.line_text(next)[indent..]);
            if deeper(indent) || same_indent_list {
                return self.node_at(self.lines[next].start + indent, parent, Ctx::Block);
            }
            return Ok(Node {
                kind: Kind::Empty { at: pos },
                start: pos,
                last_line: line,
            });
        };
        let node = |kind, last_line| Node {
            kind,
            start: q,
            last_line,
        };
        match first {
            '&' | '!' => {
                // An anchor or tag, then the node it applies to.
                let len = rest.find([' ', '\t']).unwrap_or(rest.len());
                let inner = self.node_at(q + len, parent, ctx)?;
                let blocker = if first == '&' {
                    Blocker::Anchor
                } else {
                    Blocker::Tag
                };
                Ok(node(Kind::Blocked(blocker), inner.last_line.max(line)))
            }
            '*' => Ok(node(Kind::Blocked(Blocker::Alias), line)),
            '{' | '[' => {
                let end = self.flow_end(q)?;
                let inner = &self.text[q + 1..end - 1];
                let mapping = first == '{';
                let empty = inner.trim_matches([' ', '\t', '\r', '\n']).is_empty();
                let kind = match (empty, mapping) {
                    (true, _) => Kind::EmptyFlow { end, mapping },
                    (false, true) => Kind::Blocked(Blocker::FlowMapping),
                    (false, false) => Kind::Blocked(Blocker::FlowSequence),
                };
                Ok(node(kind, self.line_of(end - 1)))
            }
            '|' | '>' => {
                let mut last = line;
                let mut next = line + 1;
                while next < self.lines.len() && (self.is_blank(next) || deeper(self.indent(next)))
                {
                    if !self.is_blank(next) {
                        last = next;
                    }
                    next += 1;
                }
                let end = if last == line {
                    self.comment_free_end(q, l.end)
                } else {
                    self.lines[last].end
                };
                Ok(node(Kind::BlockScalar { end }, last))
            }
            '\'' | '"' => {
                let end = self.quoted_end(q)?;
                let end_line = self.line_of(end - 1);
                if ctx == Ctx::Block && self.key_follows(end) {
                    return self.block_map(q, parent);
                }
                let quoting = if first == '\'' {
                    Quoting::Single
                } else {
                    Quoting::Double
                };
                Ok(node(
                    Kind::Scalar {
                        end,
                        quoting,
                        null: false,
                    },
                    end_line,
                ))
            }
            '-' if ctx == Ctx::Block && starts_dash(rest) => {
                let col = self.col_of(q);
                let items = self.seq_items(q)?;
                let last = items.last().map_or(line, |i| i.value.last_line);
                Ok(node(Kind::Seq { line, col }, last))
            }
            '?' if rest.len() == 1 || rest[1..].starts_with([' ', '\t']) => self.err(
                q,
                "complex mapping keys (`? key`) are not supported; write `key: value`",
            ),
            _ => {
                if ctx == Ctx::Block && plain_key_end(rest).is_some() {
                    return self.block_map(q, parent);
                }
                // A plain scalar, possibly continued on deeper lines.
                let mut end = self.comment_free_end(q, l.end);
                let mut last = line;
                let mut next = line + 1;
                while next < self.lines.len() {
                    if self.is_blank(next) {
                        next += 1;
                        continue;
                    }
                    if self.is_comment(next) || !deeper(self.indent(next)) {
                        break;
                    }
                    let nl = self.lines[next];
                    end = self.comment_free_end(nl.start + self.indent(next), nl.end);
                    last = next;
                    next += 1;
                }
                let text = &self.text[q..end];
                let null = last == line && matches!(text, "~" | "null" | "Null" | "NULL");
                Ok(node(
                    Kind::Scalar {
                        end,
                        quoting: Quoting::Plain,
                        null,
                    },
                    last,
                ))
            }
        }
    }

    fn block_map(&self, q: usize, _parent: Option<usize>) -> Scan<Node> {
        let line = self.line_of(q);
        let col = self.col_of(q);
        let entries = self.map_entries(q)?;
        let last = entries.last().map_or(line, |e| e.value.last_line);
        Ok(Node {
            kind: Kind::Map { line, col },
            start: q,
            last_line: last,
        })
    }

    /// The entries of the block mapping whose first key starts at byte `start`.
    pub fn map_entries(&self, start: usize) -> Scan<Vec<Entry>> {
        let col = self.col_of(start);
        let mut entries = Vec::new();
        let mut key_start = start;
        loop {
            let line = self.line_of(key_start);
            let l = self.lines[line];
            let Some((key, colon_end)) = self.key_at(key_start, l.end)? else {
                return self.err(key_start, "expected `key: value` here");
            };
            let value = self.node_at(colon_end, Some(col), Ctx::MapValue)?;
            let after = value.last_line.max(line) + 1;
            entries.push(Entry {
                key,
                key_start,
                value,
            });
            let Some(next) = self.next_content(after) else {
                break;
            };
            let indent = self.indent(next);
            if indent < col {
                break;
            }
            let at = self.lines[next].start + indent;
            if indent > col || starts_dash(&self.line_text(next)[indent..]) {
                if indent == col {
                    break;
                }
                return self.err(at, "cannot tell which key this line belongs to");
            }
            key_start = at;
        }
        Ok(entries)
    }

    /// The items of the block list whose first `-` is at byte `start`.
    pub fn seq_items(&self, start: usize) -> Scan<Vec<Item>> {
        let col = self.col_of(start);
        let mut items = Vec::new();
        let mut dash = start;
        loop {
            let line = self.line_of(dash);
            let value = self.node_at(dash + 1, Some(col), Ctx::Block)?;
            let after = value.last_line.max(line) + 1;
            items.push(Item { value });
            let Some(next) = self.next_content(after) else {
                break;
            };
            let indent = self.indent(next);
            if indent < col || (indent == col && !starts_dash(&self.line_text(next)[indent..])) {
                break;
            }
            let at = self.lines[next].start + indent;
            if indent > col {
                return self.err(at, "cannot tell which list item this line belongs to");
            }
            dash = at;
        }
        Ok(items)
    }

    /// A mapping key at byte `start` (before `line_end`): its text and the byte after its `:`.
    fn key_at(&self, start: usize, line_end: usize) -> Scan<Option<(String, usize)>> {
        let rest = &self.text[start..line_end];
        match rest.chars().next() {
            Some('\'' | '"') => {
                let end = self.quoted_end(start)?;
                if end > line_end || !self.key_follows(end) {
                    return Ok(None);
                }
                let colon = end + self.text[end..line_end].find(':').unwrap_or(0);
                let key = match serde_yaml::from_str::<Value>(&self.text[start..end]) {
                    Ok(Value::String(s)) => s,
                    _ => return Ok(None),
                };
                Ok(Some((key, colon + 1)))
            }
            Some('&' | '!' | '*') => {
                self.err(start, "anchors, tags and aliases on keys are not supported")
            }
            Some('?') if rest.len() == 1 || rest[1..].starts_with([' ', '\t']) => self.err(
                start,
                "complex mapping keys (`? key`) are not supported; write `key: value`",
            ),
            _ => Ok(plain_key_end(rest).map(|colon| {
                (
                    rest[..colon].trim_end_matches([' ', '\t']).to_string(),
                    start + colon + 1,
                )
            })),
        }
    }

    /// Whether `: ` (or `:` at the end of the line) follows byte `pos`, after blanks.
    fn key_follows(&self, pos: usize) -> bool {
        let line = self.line_of(pos.saturating_sub(1));
        let end = self.lines[line].end;
        if pos > end {
            return false;
        }
        let rest = self.text[pos..end].trim_start_matches([' ', '\t']);
        rest.starts_with(':') && (rest.len() == 1 || rest[1..].starts_with([' ', '\t']))
    }

    /// The byte after the closing quote of the quoted scalar starting at `start`.
    fn quoted_end(&self, start: usize) -> Scan<usize> {
        let quote = self.text.as_bytes()[start];
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if quote == b'"' => i += 2,
                b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                b if b == quote => return Ok(i + 1),
                _ => i += 1,
            }
        }
        self.err(start, "this quoted string is not closed")
    }

    /// The byte after the bracket closing the flow collection starting at `start`.
    fn flow_end(&self, start: usize) -> Scan<usize> {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut i = start;
        let mut prev = b' ';
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(i + 1);
                    }
                }
                b'\'' | b'"'
                    if matches!(prev, b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':') =>
                {
                    i = self.quoted_end(i)?;
                    prev = b;
                    continue;
                }
                b'#' if matches!(prev, b' ' | b'\t' | b'\n' | b'\r') => {
                    i = self.text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                    continue;
                }
                _ => {}
            }
            prev = b;
            i += 1;
        }
        self.err(start, "this flow collection is not closed")
    }

    /// The end of the text from `from` to `line_end` before a ` #` comment, without trailing
    /// blanks.
    fn comment_free_end(&self, from: usize, line_end: usize) -> usize {
        let rest = &self.text[from..line_end];
        let mut cut = rest.len();
        let bytes = rest.as_bytes();
        for i in 1..bytes.len() {
            if bytes[i] == b'#' && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
                cut = i;
                break;
            }
        }
        from + rest[..cut].trim_end_matches([' ', '\t']).len()
    }
}

/// `---` or `...` alone or followed by a blank.
fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// A `-` list indicator: `-` alone or followed by a blank.
fn starts_dash(text: &str) -> bool {
    text == "-" || text.starts_with("- ") || text.starts_with("-\t")
}

/// The index of the `:` ending a plain key at the start of `text`, if `text` starts with one.
fn plain_key_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if b"[]{},#&*!|>'\"%@`".contains(&first) {
        return None;
    }
    for i in 0..bytes.len() {
        match bytes[i] {
            b':' if i > 0
                && (i + 1 == bytes.len() || bytes[i + 1] == b' ' || bytes[i + 1] == b'\t') =>
            {
                return Some(i);
            }
            b'#' if i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') => return None,
            _ => {}
        }
    }
    None
}
