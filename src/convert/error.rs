//! Why a Go template could not be read: where (file, line, column), what, and what to do.

use std::fmt;

use crate::diagnostic::located_message;

/// A Go template the converter cannot read. Helm would refuse it too (the parser accepts
/// exactly what Go's accepts), so the fix is always in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    /// What to do about it.
    pub hint: String,
    /// The line of the file with a caret under the column.
    pub snippet: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&located_message(
            &self.file,
            Some((self.line, self.column)),
            &self.message,
            &self.snippet,
            &self.hint,
        ))
    }
}

impl std::error::Error for ParseError {}
