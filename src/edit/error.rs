//! Why `ktera set` did not change a file. Each message names the file (and the line and column
//! when the problem is at a place in it) and says what to do; the file is never changed.

use crate::diagnostic::located_message;

use crate::values::ValuesError;

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(
        "cannot read {path}: {source}; check the path (the file must exist, ktera set does not create it)"
    )]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{path}: not UTF-8 text (invalid byte at offset {offset}); save the file as UTF-8")]
    NotUtf8 { path: String, offset: usize },

    /// The file does not parse as values.
    #[error(transparent)]
    Values(#[from] ValuesError),

    /// A place in the file the edit cannot go through, or a value it cannot replace.
    #[error("{}", located_message(path, Some((*line, *column)), message, snippet, hint))]
    At {
        path: String,
        line: usize,
        column: usize,
        message: String,
        /// The line with a caret under the column.
        snippet: String,
        hint: String,
    },

    /// `--existing` and the path is not in the file.
    #[error(
        "{path}: {missing} does not exist ({detail}); nothing was changed. Drop --existing to create it, or check the spelling of the path"
    )]
    Missing {
        path: String,
        /// The full path asked for.
        missing: String,
        /// Which part is missing, and where the existing part ends.
        detail: String,
    },

    /// An assignment whose value cannot be written in place.
    #[error("{assignment}: {message}")]
    Value { assignment: String, message: String },

    /// The edited text does not read back as the old values with the assignments applied.
    #[error(
        "{path}: the edited file would not read back as the old values with the changes applied ({detail}); the file is unchanged. Make this change by hand, and please report the file's shape as a ktera bug"
    )]
    SelfCheck { path: String, detail: String },

    #[error("cannot write {path}: {source}; the file is unchanged")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
