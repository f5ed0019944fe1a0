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
    let content = lines[index].trim_end_matches('\r');
    let number = (index + 1).to_string();
    let gutter = " ".repeat(number.len());
    let pad: String = content
        .chars()
        .take(column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("{gutter} |\n{number} | {content}\n{gutter} | {pad}^")
}

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
    fn snippet_of_nothing_is_empty() {
        assert_eq!(snippet("", 1, 1), "");
        assert_eq!(snippet("a", 0, 1), "");
    }
}
