//! The values layer's error type. Each message names the place (file:line:column, or the
//! position in a `--set` expression), shows it, and says what to do.

use crate::diagnostic::located_message;

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
    #[error("{}", located_message(origin, *location, message, snippet, hint))]
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
