//! The values layer's error type. Each message names the place (file:line:column, or the
//! position in a `--set` expression), shows it, and says what to do.

use std::fmt::Write as _;

#[derive(Debug, thiserror::Error)]
pub enum ValuesError {
    #[error("cannot read values file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{path}: larger than {} MiB, the most ktera reads as values; check that this is the values file you meant",
        super::MAX_VALUES_BYTES / (1024 * 1024)
    )]
    TooLarge { path: String },

    #[error(
        "{path}:{line}: not UTF-8 text (invalid byte at offset {offset}); save the file as UTF-8"
    )]
    NotUtf8 {
        path: String,
        line: usize,
        offset: usize,
    },

    /// A values document that does not parse, or parses to something values cannot be.
    #[error("{}", yaml_message(origin, *location, message, snippet, hint))]
    Yaml {
        origin: String,
        /// 1-based line and column, when the place is known.
        location: Option<(usize, usize)>,
        message: String,
        /// The offending line with a caret under the column; empty when unknown.
        snippet: String,
        hint: String,
    },

    /// A malformed `--set`-style expression, or one that does not fit the values it targets.
    #[error("invalid {flag} expression at character {position}: {message}\n{snippet}\n{expected}")]
    Set {
        flag: &'static str,
        /// 1-based character position in the expression.
        position: usize,
        message: String,
        /// The expression (values already read are hidden) with a caret under the position.
        snippet: String,
        /// What would have been valid there.
        expected: String,
    },

    #[error("{flag} {key}: cannot read {path}: {reason}")]
    SetFile {
        flag: &'static str,
        key: String,
        path: String,
        reason: String,
    },

    #[error("cannot read values from standard input: {source}")]
    Stdin {
        #[source]
        source: std::io::Error,
    },

    #[error(
        "standard input holds one document, but `-` is given more than once to -f or --set-file; \
         save it to a file for the other uses"
    )]
    StdinTwice,
}

fn yaml_message(
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
        let _ = write!(out, "\n{snippet}");
    }
    if !hint.is_empty() {
        let _ = write!(out, "\n{hint}");
    }
    out
}

/// The line `line` (1-based) of `text`, numbered, with a caret under `column` (1-based, in
/// characters). Tabs are kept in the caret's padding so it lines up.
pub(crate) fn snippet(text: &str, line: usize, column: usize) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let Some(index) = line.checked_sub(1) else {
        return String::new();
    };
    // libyaml reports errors at end of input one line past the last.
    let (index, column) = match lines.get(index) {
        Some(_) => (index, column),
        None if !lines.is_empty() => {
            let last = lines.len() - 1;
            (last, lines[last].chars().count() + 1)
        }
        None => return String::new(),
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
    fn snippet_points_at_column() {
        let s = snippet("a: 1\n\tb: [\n", 2, 3);
        assert_eq!(s, "  |\n2 | \tb: [\n  | \t ^");
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
    fn snippet_of_nothing_is_empty() {
        assert_eq!(snippet("", 1, 1), "");
        assert_eq!(snippet("a", 0, 1), "");
    }
}
