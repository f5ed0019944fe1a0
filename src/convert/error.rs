//! Why a Go template could not be read: where (file, line, column), what, and what to do.

use std::fmt;

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
    /// The text of the line, shown under the message with a caret.
    pub source_line: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        let caret_pad: String = self
            .source_line
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(
            f,
            "{}:{}:{}: {}\n  {} | {}\n  {} | {}^",
            self.file,
            self.line,
            self.column,
            self.message,
            number,
            self.source_line,
            pad,
            caret_pad
        )?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}
