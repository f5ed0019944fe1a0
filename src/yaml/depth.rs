//! The lexical depth scan every YAML input passes before serde_yaml reads it (values files,
//! `Chart.yaml`, `ktera.yaml`, `diff` and `compare` inputs, rendered output, `from_yaml`).

use crate::error::Error;

/// Deepest nesting of flow collections any YAML input may have: serde_yaml's own limit.
pub const MAX_FLOW_DEPTH: usize = 128;

/// The error for `text` (shown as `origin`) when its flow collections nest deeper than
/// [`MAX_FLOW_DEPTH`]: refused in the time of one pass, not the minutes libyaml takes.
pub fn check_flow_depth(text: &str, origin: &str) -> Result<(), Error> {
    match too_deep_flow(text, MAX_FLOW_DEPTH) {
        Some((line, column)) => Err(Error::input(format!(
            "YAML nests deeper than {MAX_FLOW_DEPTH} levels of `[`/`{{`"
        ))
        .in_text(origin, text, line, column)
        .with_hint("flatten the structure")),
        None => Ok(()),
    }
}

/// Where `[`/`{` flow collections open deeper than `max`, if they do. libyaml's
/// scanner costs time in proportion to the flow depth for every token, so a long run of `{a: `
/// takes minutes before serde_yaml's own depth check refuses it; this lexical scan refuses it
/// first. Outside flow collections it counts a bracket only where a node can begin (not inside
/// a plain scalar such as `a[0]`); quoted strings, comments and the content of block scalars
/// (`|`, `>`) are skipped.
pub fn too_deep_flow(text: &str, max: usize) -> Option<(usize, usize)> {
    let (mut line, mut column) = (1usize, 0usize);
    let mut depth = 0usize;
    // Inside a plain scalar in block context, where brackets are text.
    let mut in_plain = false;
    let mut blank_before = true;
    let mut line_start = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        column += 1;
        let next_blank = chars.peek().is_none_or(|&(_, n)| n.is_whitespace());
        let node_start = depth > 0 || !in_plain;
        match c {
            '\n' => {
                line += 1;
                column = 0;
                in_plain = false;
                line_start = at + 1;
            }
            '#' if blank_before => {
                while chars.peek().is_some_and(|&(_, n)| n != '\n') {
                    chars.next();
                }
            }
            '\'' | '"' if node_start => {
                let mut escaped = false;
                while let Some((_, n)) = chars.next() {
                    column += 1;
                    if n == '\n' {
                        line += 1;
                        column = 0;
                    }
                    if c == '"' && n == '\\' && !escaped {
                        escaped = true;
                        continue;
                    }
                    if n == c && !escaped {
                        if c == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                            chars.next();
                            column += 1;
                            continue;
                        }
                        break;
                    }
                    escaped = false;
                }
                in_plain = depth == 0;
            }
            '[' | '{' if node_start => {
                depth += 1;
                if depth > max {
                    return Some((line, column));
                }
            }
            ']' | '}' if depth > 0 => {
                depth -= 1;
                in_plain = depth == 0;
            }
            '|' | '>' if depth == 0 && !in_plain => {
                if let Some(end) = block_scalar_end(text, at, line_start) {
                    // On to the first line after the scalar's content.
                    while chars.peek().is_some_and(|&(i, _)| i < end) {
                        if chars.next().is_some_and(|(_, n)| n == '\n') {
                            line += 1;
                        }
                    }
                    column = 0;
                    blank_before = true;
                    line_start = end;
                    continue;
                }
                in_plain = true;
            }
            ':' | '-' | '?' if next_blank && depth == 0 => in_plain = false,
            c if c.is_whitespace() => {}
            _ => in_plain = depth == 0,
        }
        blank_before = c.is_whitespace();
    }
    None
}

/// When `text[header..]` starts a block scalar header (`|`, `>-`, `|+2`, then only a comment),
/// where its content ends: the start of the first line after it. The content is the lines
/// indented at least as deep as its first non-blank line, and blank lines; `None` when that is
/// not clear (a leading blank line wider than the first line, which libyaml treats on its own),
/// so that the scan goes on counting.
fn block_scalar_end(text: &str, header: usize, line_start: usize) -> Option<usize> {
    // The header's line: indicators, then blanks, then nothing or a comment. Read forward
    // only as far as needed, so that many `|` on one long line stay linear.
    let bytes = text.as_bytes();
    let mut at = header + 1;
    while bytes
        .get(at)
        .is_some_and(|b| matches!(b, b'-' | b'+' | b'0'..=b'9'))
    {
        at += 1;
    }
    let blanks_from = at;
    while bytes.get(at).is_some_and(|b| matches!(b, b' ' | b'\t')) {
        at += 1;
    }
    let line_end = match bytes.get(at) {
        None | Some(b'\n') => at,
        Some(b'#') if at > blanks_from => text[at..].find('\n').map_or(text.len(), |i| at + i),
        _ => return None,
    };
    let header_indent = indentation(&text[line_start..]);
    let mut start = (line_end + 1).min(text.len());
    let mut widest_blank = 0;
    let mut content_indent = None;
    while start < text.len() {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        let indent = indentation(line);
        let blank = line.trim().is_empty();
        match content_indent {
            _ if blank => widest_blank = widest_blank.max(indent),
            None if indent > header_indent && indent >= widest_blank => {
                content_indent = Some(indent)
            }
            None => return None,
            Some(wanted) if indent < wanted => return Some(start),
            Some(_) => {}
        }
        start = (end + 1).min(text.len());
        if end == text.len() {
            break;
        }
    }
    content_indent.map(|_| text.len())
}

/// Leading spaces of a line.
fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}
