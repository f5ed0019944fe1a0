//! The one YAML stream splitter: `ktera template` splits what templates render with it, and
//! `ktera diff` the files it compares, so both see the same documents.
//!
//! A marker is `---` or `...` at the start of a line, followed by a space, a tab or the line end
//! (YAML forbids these at the start of a line inside a document, block scalars included), and,
//! as Helm splits it, `---` directly followed by a comment (`---# next`: a template's trim
//! marker often eats the line end after `---`), or directly followed by content
//! (`---apiVersion: v1`, where the document starts after the dashes). As in
//! YAML and Helm, content may follow `---` on its line (`--- {a: 1}`, `--- |`): the document
//! starts there. Comments, blank lines and `%` directives before a document's first `---`
//! belong to it. Each document's text starts after a bare `---` line, so that the fast reader
//! (which knows no markers) can read it; a document with directives keeps its marker, which
//! serde_yaml then needs.

/// One document's text and where it sits in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentText<'a> {
    pub text: &'a str,
    /// Line (1-based) of the stream where `text` starts.
    pub first_line: usize,
    /// Line of the document's first content (not a comment, blank line or directive).
    pub content_line: usize,
}

/// The documents of `stream` that have content; empty and comment-only ones are dropped.
pub fn split_documents(stream: &str) -> Vec<DocumentText<'_>> {
    let mut documents = Vec::new();
    let mut current = Pending::starting_at(0, 1);
    let mut offset = 0;
    let mut number = 0;
    while offset < stream.len() {
        let next = stream[offset..]
            .find('\n')
            .map_or(stream.len(), |at| offset + at + 1);
        let line = &stream[offset..next];
        number += 1;
        // Inside a document only a marker matters, and every marker starts with `-` or `.`:
        // the lines between are passed over, only counted.
        if current.content_line.is_some() && !line.starts_with(['-', '.']) {
            let (start, passed) = next_marker_candidate(stream.as_bytes(), next);
            number += passed;
            offset = start;
            continue;
        }
        if let Some(rest) = glued_marker(line) {
            // `---apiVersion: v1`: Helm splits there (a trim marker ate the line end after
            // `---`); the document starts after the dashes.
            if current.has_marker || current.content_line.is_some() {
                current.flush(stream, offset, &mut documents);
            }
            current = Pending::starting_at(next - rest.len(), number);
            current.has_marker = true;
            current.content_line = Some(number);
        } else if let Some(rest) = marker(line, "---") {
            if current.has_marker || current.content_line.is_some() {
                current.flush(stream, offset, &mut documents);
                current = Pending::starting_at(offset, number);
            }
            current.has_marker = true;
            if !is_blank_or_comment(rest) {
                current.content_line.get_or_insert(number);
            } else if !current.has_directive {
                (current.start, current.first_line) = (next, number + 1);
            }
        } else if marker(line, "...").is_some() {
            current.flush(stream, offset, &mut documents);
            current = Pending::starting_at(next, number + 1);
        } else if current.content_line.is_none() && !is_blank_or_comment(line) {
            if current.has_marker || !line.starts_with('%') {
                current.content_line = Some(number);
            } else {
                current.has_directive = true;
            }
        }
        offset = next;
    }
    current.flush(stream, stream.len(), &mut documents);
    documents
}

/// From the line starting at `from`, the first line that starts with `-` or `.` (or the end),
/// and how many lines come before it.
fn next_marker_candidate(bytes: &[u8], from: usize) -> (usize, usize) {
    if matches!(bytes.get(from), None | Some(b'-' | b'.')) {
        return (from, 0);
    }
    let mut lines = 0;
    for (i, &b) in bytes[from..].iter().enumerate() {
        if b == b'\n' {
            lines += 1;
            let start = from + i + 1;
            if matches!(bytes.get(start), Some(b'-' | b'.')) {
                return (start, lines);
            }
        }
    }
    (bytes.len(), lines)
}

struct Pending {
    start: usize,
    first_line: usize,
    has_marker: bool,
    has_directive: bool,
    content_line: Option<usize>,
}

impl Pending {
    fn starting_at(start: usize, first_line: usize) -> Pending {
        Pending {
            start,
            first_line,
            has_marker: false,
            has_directive: false,
            content_line: None,
        }
    }

    fn flush<'a>(&self, stream: &'a str, end: usize, documents: &mut Vec<DocumentText<'a>>) {
        if let (Some(content_line), Some(text)) = (self.content_line, stream.get(self.start..end)) {
            documents.push(DocumentText {
                text,
                first_line: self.first_line,
                content_line,
            });
        }
    }
}

/// The rest of the line after `marker`, when the line is that document marker.
fn marker<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(marker)?;
    match rest.chars().next() {
        None | Some(' ' | '\t' | '\r' | '\n') => Some(rest),
        Some('#') if marker == "---" => Some(rest),
        _ => None,
    }
}

/// `---` directly followed by content (not a space, a comment or more dashes): what follows.
fn glued_marker(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("---")?;
    match rest.chars().next() {
        Some(c) if !c.is_whitespace() && c != '#' && c != '-' => Some(rest),
        _ => None,
    }
}

fn is_blank_or_comment(text: &str) -> bool {
    let trimmed = text.trim();
    trimmed.is_empty() || trimmed.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(stream: &str) -> Vec<(&str, usize, usize)> {
        split_documents(stream)
            .into_iter()
            .map(|c| (c.text, c.first_line, c.content_line))
            .collect()
    }

    #[test]
    fn single_document_without_marker() {
        assert_eq!(texts("a: 1\nb: 2\n"), [("a: 1\nb: 2\n", 1, 1)]);
    }

    #[test]
    fn documents_start_after_a_bare_marker() {
        assert_eq!(
            texts("a: 1\n---\n# Source: x\nb: 2\n"),
            [("a: 1\n", 1, 1), ("# Source: x\nb: 2\n", 3, 4)]
        );
    }

    #[test]
    fn empty_and_comment_only_documents_are_dropped() {
        assert_eq!(
            texts("---\n---\n# only a comment\n---\n\n---\nb: 2\n---\n"),
            [("b: 2\n", 7, 7)]
        );
        assert!(texts("").is_empty());
        assert!(texts("# nothing\n").is_empty());
    }

    #[test]
    fn leading_comments_and_directives_join_the_first_document() {
        assert_eq!(
            texts("# header\n%YAML 1.2\n---\na: 1\n"),
            [("# header\n%YAML 1.2\n---\na: 1\n", 1, 4)]
        );
    }

    #[test]
    fn content_on_the_marker_line() {
        assert_eq!(
            texts("--- {a: 1}\n--- |\n  text\n"),
            [("--- {a: 1}\n", 1, 1), ("--- |\n  text\n", 2, 2)]
        );
    }

    #[test]
    fn document_end_marker() {
        assert_eq!(
            texts("a: 1\n...\nb: 2\n"),
            [("a: 1\n", 1, 1), ("b: 2\n", 3, 3)]
        );
    }

    #[test]
    fn a_comment_right_after_the_marker() {
        // Helm's `(?:^|\s*\n)---\s*` splits there (cert-manager's rbac.yaml renders this).
        assert_eq!(
            texts("a: 1\n---# next\nb: 2\n"),
            [("a: 1\n", 1, 1), ("b: 2\n", 3, 3)]
        );
    }

    #[test]
    fn look_alikes_are_not_markers() {
        assert_eq!(texts("a: ----\n----\n"), [("a: ----\n----\n", 1, 1)]);
    }

    #[test]
    fn content_glued_to_the_marker() {
        // Helm's `(?:^|\s*\n)---\s*` splits there too: `---` then `{{- if ... -}}` in a
        // template (external-secrets' serviceaccount.yaml) renders `---apiVersion: v1`.
        assert_eq!(
            texts("a: 1\n---apiVersion: v1\nkind: Secret\n"),
            [("a: 1\n", 1, 1), ("apiVersion: v1\nkind: Secret\n", 2, 2)]
        );
    }

    #[test]
    fn crlf_line_ends() {
        assert_eq!(
            texts("a: 1\r\n---\r\nb: 2\r\n"),
            [("a: 1\r\n", 1, 1), ("b: 2\r\n", 3, 3)]
        );
    }

    #[test]
    fn comments_before_a_bare_marker_are_left_out() {
        assert_eq!(
            texts("# only a comment\n---\na: 1\n--- # next\n\nb: 2\n---\n"),
            [("a: 1\n", 3, 3), ("\nb: 2\n", 5, 6)]
        );
    }
}
