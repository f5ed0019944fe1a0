//! What the emitter tells the person who will maintain the converted chart: every place where
//! the Tera text cannot do exactly what the Go template did, or where Helm itself would fail.

use std::fmt;

pub use crate::convert::scope::{Location, Severity};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub location: Location,
    pub severity: Severity,
    /// What is different and what to do about it.
    pub message: String,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Attention => "attention",
            Severity::Note => "note",
        })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.severity, self.message)
    }
}
