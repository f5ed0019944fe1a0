//! One thing `ktera lint` found about one object, and how serious it is.

use std::fmt;

use crate::manifest::{Manifest, ObjectId};

use crate::diff::FieldPath;

/// How serious a finding is. Errors fail the run; warnings fail it only with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something ktera did not check (a kind without a schema).
    Note,
    /// Likely wrong, or risky, but the API server would accept it.
    Warning,
    /// The API server would reject the object, or the objects do not fit together.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// The object's identity; `None` when it has no kind or no name.
    pub id: Option<ObjectId>,
    /// The template that rendered the object: `backend/templates/deployment.yaml`.
    pub source: String,
    /// Field path inside the object (`spec.replicas`); empty for the object as a whole.
    pub path: String,
    pub message: String,
    /// Where in a values file, for a finding about the values rather than a rendered object
    /// (then `id` is `None` and `source` and `path` are empty).
    pub place: Option<ValuesPlace>,
}

/// A place in a values file: 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuesPlace {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for ValuesPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Finding {
    pub fn new(
        severity: Severity,
        manifest: &Manifest,
        path: &FieldPath,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity,
            id: manifest.id(),
            source: manifest.source_name.clone(),
            path: if path.is_root() {
                String::new()
            } else {
                path.to_string()
            },
            message: message.into(),
            place: None,
        }
    }

    /// A finding about a values file, at `place`.
    pub fn in_values(severity: Severity, place: ValuesPlace, message: impl Into<String>) -> Self {
        Finding {
            severity,
            id: None,
            source: String::new(),
            path: String::new(),
            message: message.into(),
            place: Some(place),
        }
    }
}

/// Findings tagged with the index of their object, so the report can follow manifest order.
#[derive(Debug, Default)]
pub struct Findings(Vec<(usize, Finding)>);

impl Findings {
    pub fn push(
        &mut self,
        object: usize,
        manifest: &Manifest,
        severity: Severity,
        path: &FieldPath,
        message: impl Into<String>,
    ) {
        self.0
            .push((object, Finding::new(severity, manifest, path, message)));
    }

    pub fn error(&mut self, object: usize, m: &Manifest, path: &FieldPath, msg: impl Into<String>) {
        self.push(object, m, Severity::Error, path, msg);
    }

    pub fn warning(
        &mut self,
        object: usize,
        m: &Manifest,
        path: &FieldPath,
        msg: impl Into<String>,
    ) {
        self.push(object, m, Severity::Warning, path, msg);
    }

    pub fn note(&mut self, object: usize, m: &Manifest, path: &FieldPath, msg: impl Into<String>) {
        self.push(object, m, Severity::Note, path, msg);
    }

    /// In manifest order; within one object, in the order they were found.
    pub fn into_sorted(mut self) -> Vec<Finding> {
        self.0.sort_by_key(|(object, _)| *object);
        self.0.into_iter().map(|(_, finding)| finding).collect()
    }
}
