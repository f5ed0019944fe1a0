//! Reports of findings: text for people (one line per finding, grouped by object) and JSON for
//! machines.

use std::fmt;

use serde_json::json;

use super::finding::{Finding, Severity};

/// How many findings of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Self {
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Note),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        write!(
            f,
            "{}, {}, {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.notes, "note")
        )
    }
}

fn object_text(finding: &Finding) -> String {
    finding.id.as_ref().map_or_else(
        || "(object without kind or name)".to_string(),
        ToString::to_string,
    )
}

/// `ERROR apps/Deployment ns/name: spec.replicas: expected an integer, got string "3" (backend/templates/deployment.yaml)`,
/// or for a values file `WARNING values.yaml:3:10: ...`; a blank line between objects and files.
pub fn format_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    let mut previous: Option<(String, &str)> = None;
    for finding in findings {
        let severity = finding.severity.as_str().to_uppercase();
        // A values file's findings are grouped by file: `WARNING values.yaml:3:10: ...`.
        let group = match &finding.place {
            Some(place) => (place.file.clone(), ""),
            None => (object_text(finding), finding.source.as_str()),
        };
        if previous.as_ref().is_some_and(|p| *p != group) {
            out.push('\n');
        }
        match &finding.place {
            Some(place) => out.push_str(&format!("{severity} {place}: {}\n", finding.message)),
            None => {
                out.push_str(&format!("{severity} {}: ", group.0));
                if !finding.path.is_empty() {
                    out.push_str(&format!("{}: ", finding.path));
                }
                out.push_str(&format!("{} ({})\n", finding.message, finding.source));
            }
        }
        previous = Some(group);
    }
    out
}

/// One JSON document: the version asked for and the shipped schemas used for it (the same minor,
/// or the nearest shipped one), counts, and every finding.
pub fn format_json(
    findings: &[Finding],
    kube_version: &semver::Version,
    schema_version: &str,
    objects: usize,
) -> String {
    let summary = Summary::of(findings);
    let items: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            json!({
                "severity": f.severity.as_str(),
                "object": f.id.as_ref().map(|id| json!({
                    "group": id.group,
                    "kind": id.kind,
                    "namespace": id.namespace,
                    "name": id.name,
                })),
                "source": f.source,
                "path": f.path,
                "location": f.place.as_ref().map(|p| json!({
                    "file": p.file,
                    "line": p.line,
                    "column": p.column,
                })),
                "message": f.message,
            })
        })
        .collect();
    let doc = json!({
        "kubernetesVersion": format!("v{kube_version}"),
        "schemaVersion": schema_version,
        "objects": objects,
        "summary": {
            "errors": summary.errors,
            "warnings": summary.warnings,
            "notes": summary.notes,
        },
        "findings": items,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
