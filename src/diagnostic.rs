//! Diagnostics: where a problem is in the user's YAML text (file, line, column) and how it is
//! shown: the snippet under an error, the message without serde_yaml's own places, and the real
//! line of a duplicate key (serde_yaml points at the start of the mapping that holds it).

/// `line` (1-based) with the line before it and a caret under `column` (1-based).
pub fn snippet(text: &str, line: usize, column: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let width = line.to_string().len();
    let mut out = String::new();
    let first = line.saturating_sub(1).max(1);
    for n in first..=line {
        if let Some(l) = lines.get(n - 1) {
            out.push_str(&format!("  {n:>width$} | {l}\n"));
        }
    }
    out.push_str(&format!(
        "  {} | {}^",
        " ".repeat(width),
        " ".repeat(column.saturating_sub(1))
    ));
    out
}

/// [`snippet`] of a document that failed to parse, with the values hidden when the document
/// is a Secret: its data must not reach a CI log through an error message.
pub fn snippet_hiding_secrets(text: &str, line: usize, column: usize, document: &str) -> String {
    if !looks_like_secret(document) {
        return snippet(text, line, column);
    }
    let hidden: Vec<String> = text.lines().map(hide_value).collect();
    snippet(&hidden.join("\n"), line, column)
}

/// A top-level `kind: Secret` line (the document does not parse, so it is read as lines).
fn looks_like_secret(document: &str) -> bool {
    document.lines().any(|l| {
        l.strip_prefix("kind:")
            .map(|v| v.trim().trim_matches(['"', '\'']) == "Secret")
            .unwrap_or(false)
    })
}

/// `  password: aHVudGVy` -> `  password: ***`; a line with no key keeps its indentation and
/// list dashes only.
fn hide_value(line: &str) -> String {
    let body = line.trim_start_matches([' ', '-', '\t']);
    let lead = &line[..line.len() - body.len()];
    if body.is_empty() || body.starts_with('#') {
        return line.to_string();
    }
    match body
        .split_once(": ")
        .or_else(|| body.strip_suffix(':').map(|k| (k, "")))
    {
        Some((key, "")) => format!("{lead}{key}:"),
        Some((key, _)) => format!("{lead}{key}: ***"),
        None => format!("{lead}***"),
    }
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

/// `origin:line:column: message`, then the snippet and the hint on lines of their own: the
/// shape of every located error.
pub fn located_message(
    origin: &str,
    location: Option<(usize, usize)>,
    message: &str,
    snippet: &str,
    hint: &str,
) -> String {
    let mut out = match location {
        Some((line, column)) => format!("{origin}:{line}:{column}: {message}"),
        None => format!("{origin}: {message}"),
    };
    if !snippet.is_empty() {
        out.push('\n');
        out.push_str(snippet);
    }
    if !hint.is_empty() {
        out.push_str("\n  hint: ");
        out.push_str(hint);
    }
    out
}

/// The line `line` (1-based) of `text`, numbered, with a caret under `column` (1-based, in
/// characters). Tabs are kept in the caret's padding so it lines up.
pub fn line_snippet(text: &str, line: usize, column: usize) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let (line, column) = within_text(text, line, column);
    let Some(index) = line.checked_sub(1).filter(|&i| i < lines.len()) else {
        return String::new();
    };
    let content: Vec<char> = lines[index].trim_end_matches('\r').chars().collect();
    // A long line is shown as a window around the column.
    let col = column.saturating_sub(1).min(content.len());
    let (from, to) = if content.len() <= WIDTH {
        (0, content.len())
    } else {
        let from = col.saturating_sub(WIDTH * 2 / 3);
        let to = (from + WIDTH).min(content.len());
        (to.saturating_sub(WIDTH).min(from), to)
    };
    let mut shown: String = if from > 0 {
        "...".into()
    } else {
        String::new()
    };
    shown.extend(&content[from..to]);
    if to < content.len() {
        shown.push_str("...");
    }
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
    let number = (index + 1).to_string();
    let gutter = " ".repeat(number.len());
    format!("{gutter} |\n{number} | {shown}\n{gutter} | {pad}^")
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
            "  4 |   password: ***\n  5 |   list: ***\n    |         ^"
        );
        assert_eq!(
            snippet_hiding_secrets(doc, 6, 5, doc),
            "  5 |   list: ***\n  6 |   - ***\n    |     ^"
        );
        let config = doc.replace("Secret", "ConfigMap");
        assert!(snippet_hiding_secrets(&config, 5, 9, &config).contains("[hunter2"));
        assert!(looks_like_secret("kind: \"Secret\"\n"));
        assert!(!looks_like_secret("  kind: Secret\n"));
    }

    #[test]
    fn snippet_shows_the_line_before_and_a_caret() {
        assert_eq!(snippet("a\nbc\n", 2, 2), "  1 | a\n  2 | bc\n    |  ^");
    }

    #[test]
    fn snippet_points_at_column() {
        let s = line_snippet("a: 1\n\tb: [\n", 2, 3);
        assert_eq!(s, "  |\n2 | \tb: [\n  | \t ^");
    }

    #[test]
    fn snippet_past_end_points_after_last_line() {
        let s = line_snippet("a: [1,\n", 2, 1);
        assert_eq!(s, "  |\n1 | a: [1,\n  |       ^");
    }

    #[test]
    fn long_lines_are_windowed() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let s = line_snippet(&line, 1, 501);
        assert!(s.len() < 300, "{s}");
        assert_eq!(
            s.lines().nth(1).and_then(|l| l.find('X')),
            s.lines().nth(2).and_then(|l| l.find('^'))
        );
        assert!(s.contains("| ...a") && s.contains("b..."), "{s}");
    }

    #[test]
    fn snippet_of_nothing_is_empty() {
        assert_eq!(line_snippet("", 1, 1), "");
        assert_eq!(line_snippet("a", 0, 1), "");
    }
}
