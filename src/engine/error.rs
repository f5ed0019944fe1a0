//! Render errors located in the user's template file, with a snippet and a caret.

use std::fmt;

/// Where a template error is, in the user's file.
#[derive(Debug, Clone)]
pub struct Location {
    pub path: String,
    pub line: usize,
    /// 1-based.
    pub column: usize,
    pub source_line: String,
    /// Caret width.
    pub width: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A syntax or rendering error inside a template.
    #[error("{}", format_located(.message, .location.as_ref(), .hint.as_deref()))]
    Template {
        message: String,
        location: Option<Location>,
        hint: Option<String>,
    },
    #[error("{0}")]
    Other(String),
}

fn format_located(message: &str, location: Option<&Location>, hint: Option<&str>) -> String {
    let mut out = String::new();
    match location {
        Some(loc) => {
            let number = loc.line.to_string();
            let pad = " ".repeat(number.len());
            let caret_pad: String = loc
                .source_line
                .chars()
                .take(loc.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "{}:{}:{}: {message}\n{pad} |\n{number} | {}\n{pad} | {caret_pad}{}",
                loc.path,
                loc.line,
                loc.column,
                loc.source_line,
                "^".repeat(loc.width.max(1))
            ));
        }
        None => out.push_str(message),
    }
    if let Some(hint) = hint {
        out.push_str("\n  hint: ");
        out.push_str(hint);
    }
    out
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

/// A hint for the messages Tera gives most often, in the words of a Helm user.
pub fn hint_for(message: &str) -> Option<String> {
    if message.contains("is not defined") {
        Some("every value must be defined: set it in values.yaml or a -f file, or use `| default(value=...)`".into())
    } else if message.contains("Unknown filter")
        || message.contains("filter") && message.contains("not") && message.contains("found")
    {
        Some("see the README for ktera's filters and their Helm names".into())
    } else {
        None
    }
}
