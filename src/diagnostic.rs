//! Where a problem is in the user's input and what to do about it: [`Diagnostic`] (file, line,
//! column, snippet, hint), the one shape every located error takes, and the one [`snippet`]
//! that shows the place. Also the helpers that find the place of a YAML error: serde_yaml's
//! message without its own places, the real line of a duplicate key (serde_yaml points at the
//! start of the mapping that holds it), a Secret's values hidden from a snippet, and the
//! "did you mean" of a misspelt name.

use std::fmt;

/// Where a problem is and what to do about it. Every part is optional: an error about the
/// command line has no file, a file that cannot be read has no line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, or what stands for one (`<stdin>`); empty when the problem is in no file.
    pub file: String,
    /// 1-based.
    pub line: Option<usize>,
    /// 1-based, in characters; only given with a line.
    pub column: Option<usize>,
    /// The place shown: the lines with a caret under the column (see [`snippet`]), or what
    /// else belongs under the message (a list of violations, a tool's output).
    pub snippet: String,
    /// What to do about it; empty when the message says it.
    pub hint: String,
}

impl Diagnostic {
    /// A problem with a whole file (or directory).
    pub fn in_file(file: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.into(),
            ..Diagnostic::default()
        }
    }

    /// A problem at `line` and `column` (1-based) of `file`, with no snippet.
    pub fn at(file: impl Into<String>, line: usize, column: usize) -> Diagnostic {
        Diagnostic {
            line: Some(line),
            column: Some(column),
            ..Diagnostic::in_file(file)
        }
    }

    /// A problem at `line` and `column` of `file`, whose text is `text`: with the snippet.
    pub fn in_text(file: impl Into<String>, text: &str, line: usize, column: usize) -> Diagnostic {
        Diagnostic {
            snippet: snippet(text, line, column),
            ..Diagnostic::at(file, line, column)
        }
    }

    pub fn with_snippet(mut self, snippet: impl Into<String>) -> Diagnostic {
        self.snippet = snippet.into();
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = hint.into();
        self
    }

    /// `file:line:column: `, `file:line: `, `file: ` or nothing: what leads the message.
    pub(crate) fn write_place(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        if self.file.is_empty() {
            return Ok(());
        }
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{}:{line}:{column}: ", self.file),
            (Some(line), None) => write!(f, "{}:{line}: ", self.file),
            _ => write!(f, "{}: ", self.file),
        }
    }

    /// The snippet and the hint, each on lines of their own after the message.
    pub(crate) fn write_details(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        if !self.snippet.is_empty() {
            write!(f, "\n{}", self.snippet)?;
        }
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// The candidate closest to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// [`snippet`] of a document that failed to parse, with the values hidden when the document
/// is or may be a Secret ([`crate::secret::text_may_hold_secret`]): its data must not reach a
/// CI log through an error message.
pub fn snippet_hiding_secrets(text: &str, line: usize, column: usize, document: &str) -> String {
    if !crate::secret::text_may_hold_secret(document) {
        return snippet(text, line, column);
    }
    snippet(&hide_values(text), line, column)
}

/// Each line reduced to its indentation, list dashes and key: `  password: aHVudGVy` ->
/// `  password: ***`; a line with no key, and every line of a block scalar (`|`, `>`), shows
/// `***`.
fn hide_values(text: &str) -> String {
    let mut hidden = Vec::new();
    // The indentation of the line that opened a block scalar: deeper lines are its text.
    let mut block_of: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(opener) = block_of {
            if line.trim().is_empty() || indent > opener {
                hidden.push(if line.trim().is_empty() {
                    String::new()
                } else {
                    format!("{}***", &line[..indent])
                });
                continue;
            }
            block_of = None;
        }
        let (shown, opens_block) = hide_value(line);
        if opens_block {
            block_of = Some(indent);
        }
        hidden.push(shown);
    }
    hidden.join("\n")
}

/// One line with its value hidden, and whether the value opens a block scalar.
fn hide_value(line: &str) -> (String, bool) {
    let body = line.trim_start_matches([' ', '-', '\t']);
    let lead = &line[..line.len() - body.len()];
    if body.is_empty() || body.starts_with('#') {
        return (line.to_string(), false);
    }
    let (key, value) = match body
        .split_once(": ")
        .or_else(|| body.split_once(":\t"))
        .or_else(|| body.strip_suffix(':').map(|k| (k, "")))
    {
        Some(parts) => parts,
        None => return (format!("{lead}***"), false),
    };
    let value = value.trim();
    // `|`, `>-`, `|2+`, an anchor or tag before it, a comment after it.
    let indicator = value
        .split_whitespace()
        .find(|word| !word.starts_with(['&', '!']))
        .unwrap_or("");
    let opens_block = indicator.starts_with(['|', '>'])
        && indicator[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '+');
    if value.is_empty() {
        (format!("{lead}{key}:"), false)
    } else {
        (format!("{lead}{key}: ***"), opens_block)
    }
}

/// Parser messages may quote a scalar (`invalid value: string "…", expected an integer`), which
/// could be Secret data: every quoted span goes, except the key of a duplicate-key message.
pub fn hide_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        if c != '"' && c != '`' {
            out.push(c);
            continue;
        }
        let keep = c == '"' && message[..index].ends_with("with key ");
        out.push(c);
        let mut escaped = false;
        for (_, inner) in chars.by_ref() {
            if inner == c && !escaped {
                break;
            }
            escaped = inner == '\\' && !escaped;
            if keep {
                out.push(inner);
            }
        }
        if !keep {
            out.push('…');
        }
        out.push(c);
    }
    out
}

/// The key named in serde_yaml's "duplicate entry with key \"k\"" message.
pub fn duplicate_key_name(message: &str) -> Option<String> {
    let rest = message.split("duplicate entry with key ").nth(1)?;
    let quoted = rest.split(" at line ").next()?.trim();
    let name = quoted.strip_prefix('"')?.strip_suffix('"')?;
    Some(name.replace("\\\"", "\"").replace("\\\\", "\\"))
}

/// Where the second `key:` of a mapping starting at (`line`, `column`) is: same indentation,
/// after the first one. Falls back to the mapping's own place.
pub fn duplicate_key_location(text: &str, line: usize, column: usize, key: &str) -> (usize, usize) {
    let indent = column.saturating_sub(1);
    let matches_key = |l: &str| {
        let Some(rest) = l.get(indent..) else {
            return false;
        };
        if l[..indent].trim_start_matches([' ', '-']).is_empty() {
            for candidate in [key.to_string(), format!("\"{key}\""), format!("'{key}'")] {
                if let Some(after) = rest.strip_prefix(&candidate)
                    && after.trim_start().starts_with(':')
                {
                    return true;
                }
            }
        }
        false
    };
    let mut seen = 0;
    for (i, l) in text.lines().enumerate().skip(line.saturating_sub(1)) {
        if matches_key(l) {
            seen += 1;
            if seen == 2 {
                return (i + 1, column);
            }
        }
    }
    (line, column)
}

/// Where serde_yaml places an error in `text`, as (line, column), 1-based. libyaml places
/// errors at the end of input one line past the last; they are moved to the end of the last line.
pub fn yaml_error_location(text: &str, error: &serde_yaml::Error) -> Option<(usize, usize)> {
    let location = error.location()?;
    Some(within_text(text, location.line(), location.column()))
}

/// `(line, column)` moved back to just after the last line when it lies past the end of `text`.
pub fn within_text(text: &str, line: usize, column: usize) -> (usize, usize) {
    let lines = text.lines().count();
    match text.lines().last() {
        Some(last) if line > lines => (lines, last.trim_end_matches('\r').chars().count() + 1),
        _ => (line, column),
    }
}

/// serde_yaml's message without its trailing " at line L column C" (the location is given
/// before the message).
pub fn yaml_error_message(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match error.location() {
        Some(l) => message.replacen(
            &format!(" at line {} column {}", l.line(), l.column()),
            "",
            1,
        ),
        None => message,
    }
}

/// The line `line` (1-based) of `text` and the line before it, numbered, with a caret under
/// `column` (1-based, in characters); empty when `text` has no such line. A place just past the
/// end of the text is shown after its last line. Tabs are kept in the caret's padding so it
/// lines up; long lines are shown as a window around the column.
pub fn snippet(text: &str, line: usize, column: usize) -> String {
    span_snippet(text, line, column, 1)
}

/// [`snippet`] with `width` carets, under a span that starts at `column`.
pub fn span_snippet(text: &str, line: usize, column: usize, width: usize) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let (line, column) = within_text(text, line, column);
    let Some(index) = line.checked_sub(1).filter(|&i| i < lines.len()) else {
        return String::new();
    };
    let chars = |i: usize| -> Vec<char> { lines[i].trim_end_matches('\r').chars().collect() };
    let content = chars(index);
    let col = column.saturating_sub(1).min(content.len());
    // A long line is shown as a window around the column.
    let from = col
        .saturating_sub(WIDTH * 2 / 3)
        .min(content.len().saturating_sub(WIDTH));
    let to = (from + WIDTH).min(content.len());
    let number = (index + 1).to_string();
    let gutter = " ".repeat(number.len());
    let mut out = format!("{gutter} |\n");
    let shown_line = |n: usize, content: &[char]| {
        let (start, end) = (from.min(content.len()), (from + WIDTH).min(content.len()));
        let mut shown = if start > 0 {
            "...".to_string()
        } else {
            String::new()
        };
        shown.extend(&content[start..end]);
        if end < content.len() {
            shown.push_str("...");
        }
        format!("{:>w$} | {shown}\n", n, w = gutter.len())
    };
    // The line before gives the context of most YAML errors (libyaml often places them one
    // line late); a blank one says nothing.
    if let Some(before) = index
        .checked_sub(1)
        .map(chars)
        .filter(|c| c.iter().any(|c| !c.is_whitespace()))
    {
        out.push_str(&shown_line(index, &before));
    }
    out.push_str(&shown_line(index + 1, &content));
    let mut pad: String = if from > 0 {
        "   ".into()
    } else {
        String::new()
    };
    pad.extend(
        content[from..col]
            .iter()
            .map(|&c| if c == '\t' { '\t' } else { ' ' }),
    );
    let carets = "^".repeat(width.clamp(1, (to - col).max(1)));
    out.push_str(&format!("{gutter} | {pad}{carets}"));
    out
}

/// Widest part of a line shown in a snippet, in characters.
const WIDTH: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_second_occurrence_of_a_duplicate_key() {
        let text = "a: 1\nmeta:\n  name: x\n  other:\n    name: nested\n  name: y\n";
        let err = serde_yaml::from_str::<serde_yaml::Value>(text).err();
        let err = err.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(duplicate_key_name(&err).as_deref(), Some("name"));
        assert_eq!(duplicate_key_location(text, 3, 3, "name"), (6, 3));
    }

    #[test]
    fn a_secret_shows_its_keys_not_its_values() {
        let doc = "apiVersion: v1\nkind: Secret\ndata:\n  password: aHVudGVy\n  list: [hunter2\n  - s3cret\n";
        let s = snippet_hiding_secrets(doc, 5, 9, doc);
        assert_eq!(
            s,
            "  |\n4 |   password: ***\n5 |   list: ***\n  |         ^"
        );
        assert_eq!(
            snippet_hiding_secrets(doc, 6, 5, doc),
            "  |\n5 |   list: ***\n6 |   - ***\n  |     ^"
        );
        let config = doc.replace("Secret", "ConfigMap");
        assert!(snippet_hiding_secrets(&config, 5, 9, &config).contains("[hunter2"));
    }

    #[test]
    fn block_scalars_of_a_secret_are_hidden_whole() {
        let doc = "kind: Secret\nstringData:\n  conf: |-\n    user: admin\n    hunter2\n  x: [\n";
        let s = snippet_hiding_secrets(doc, 5, 5, doc);
        assert_eq!(s, "  |\n4 |     ***\n5 |     ***\n  |     ^");
        assert!(snippet_hiding_secrets(doc, 6, 6, doc).contains("6 |   x: ***"));
        let json = "{\"kind\":\"Secret\",\"data\":{\"p\":\"aHVudGVy\"}}}";
        assert_eq!(
            snippet_hiding_secrets(json, 1, 1, json),
            "  |\n1 | ***\n  | ^"
        );
    }

    #[test]
    fn snippet_shows_the_line_before_and_a_caret() {
        assert_eq!(snippet("a\nbc\n", 2, 2), "  |\n1 | a\n2 | bc\n  |  ^");
        // A blank line before says nothing.
        assert_eq!(snippet("\nbc\n", 2, 2), "  |\n2 | bc\n  |  ^");
        // The gutter is as wide as the widest number.
        let text = "x\n".repeat(9) + "y: [\n";
        assert_eq!(snippet(&text, 10, 4), "   |\n 9 | x\n10 | y: [\n   |    ^");
    }

    #[test]
    fn snippet_points_at_column() {
        let s = snippet("a: 1\n\tb: [\n", 2, 3);
        assert_eq!(s, "  |\n1 | a: 1\n2 | \tb: [\n  | \t ^");
    }

    #[test]
    fn snippet_past_end_points_after_last_line() {
        let s = snippet("a: [1,\n", 2, 1);
        assert_eq!(s, "  |\n1 | a: [1,\n  |       ^");
    }

    #[test]
    fn long_lines_are_windowed() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let s = snippet(&line, 1, 501);
        assert!(s.len() < 300, "{s}");
        assert_eq!(
            s.lines().nth(1).and_then(|l| l.find('X')),
            s.lines().nth(2).and_then(|l| l.find('^'))
        );
        assert!(s.contains("| ...a") && s.contains("b..."), "{s}");
    }

    #[test]
    fn a_span_has_as_many_carets_as_characters() {
        assert_eq!(
            span_snippet("{{ x }}", 1, 4, 1),
            "  |\n1 | {{ x }}\n  |    ^"
        );
        assert_eq!(
            span_snippet("{{ abc }}", 1, 4, 3),
            "  |\n1 | {{ abc }}\n  |    ^^^"
        );
        // Never past the end of the line.
        assert_eq!(span_snippet("ab", 1, 2, 9), "  |\n1 | ab\n  |  ^");
    }

    #[test]
    fn snippet_of_nothing_is_empty() {
        assert_eq!(snippet("", 1, 1), "");
        assert_eq!(snippet("a", 0, 1), "");
    }
}
