//! Schema validation: every rendered object against the Kubernetes API schema of its kind, for
//! the chosen Kubernetes version, or against the schema of a CRD the chart renders.

pub mod crd;
pub mod format;
pub mod node;
pub mod store;
pub mod validate;

use serde_yaml::Value;

pub use store::{Schemas, supported_versions};

use crate::diff::FieldPath;
use crate::lint::finding::Findings;
use crate::manifest::Manifest;
use node::Node;
use validate::{Issue, Validator};

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

pub fn check(manifests: &[Manifest], schemas: &Schemas, findings: &mut Findings) {
    let crds = crd::collect(manifests, findings);
    for (index, manifest) in manifests.iter().enumerate() {
        let doc = &manifest.value;
        // Objects without apiVersion or kind are reported by the identity check.
        let (Some(api_version), Some(kind)) = (
            doc.get("apiVersion").and_then(Value::as_str),
            doc.get("kind").and_then(Value::as_str),
        ) else {
            continue;
        };
        let issues = if let Some(node) = schemas.kind(api_version, kind) {
            run(schemas, node, doc)
        } else if let Some(node) = crds.get(&format!("{api_version}/{kind}")) {
            custom_resource(schemas, node, doc)
        } else {
            unknown_kind(schemas, api_version, kind, index, manifest, findings);
            continue;
        };
        let mut issues = issues;
        hide_secret_values(doc, &mut issues);
        for issue in issues {
            findings.push(index, manifest, issue.severity, &issue.path, issue.message);
        }
    }
}

/// A Secret's data never shows in a finding (CI logs are widely read): its values are named
/// by their field and type alone, whatever the layout (a Secret in a `List`, a `SecretList`,
/// `data` that is a scalar or nested).
fn hide_secret_values(doc: &Value, issues: &mut [Issue]) {
    let hidden = crate::secret::hidden_values(doc);
    if hidden.is_empty() {
        return;
    }
    let mut shown: Vec<(String, &str)> = Vec::new();
    let mut todo = hidden;
    while let Some(value) = todo.pop() {
        let label = match value {
            Value::String(text) => {
                // The text itself too, wherever a message quotes it without describing it
                // (short texts would also match unrelated words; they are only described).
                if text.chars().count() >= 4 {
                    shown.push((text.clone(), "***"));
                }
                "a string (hidden: Secret data)"
            }
            Value::Number(_) => "a number (hidden: Secret data)",
            Value::Bool(_) => "a boolean (hidden: Secret data)",
            Value::Sequence(items) => {
                todo.extend(items);
                continue;
            }
            Value::Mapping(map) => {
                todo.extend(map.values());
                continue;
            }
            Value::Tagged(tagged) => {
                todo.push(&tagged.value);
                continue;
            }
            Value::Null => continue,
        };
        shown.push((validate::describe(value), label));
    }
    // Longest first, so that no part of a longer value is left after a shorter one.
    shown.sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
    for issue in issues {
        for (text, hidden) in &shown {
            if issue.message.contains(text.as_str()) {
                issue.message = issue.message.replace(text.as_str(), hidden);
            }
        }
    }
}

fn run(schemas: &Schemas, node: &Node, value: &Value) -> Vec<Issue> {
    let mut validator = Validator::new(&schemas.definitions, FieldPath::root());
    validator.validate(node, value);
    validator.issues
}

/// `metadata` is always a full ObjectMeta, whatever the CRD says of it; apiVersion and kind are
/// implied.
fn custom_resource(schemas: &Schemas, node: &Node, doc: &Value) -> Vec<Issue> {
    let mut rest = doc.clone();
    let mut issues = Vec::new();
    if let Value::Mapping(map) = &mut rest {
        map.remove("apiVersion");
        map.remove("kind");
        if let Some(meta) = map.remove("metadata") {
            let mut validator = Validator::new(&schemas.definitions, FieldPath::of(&["metadata"]));
            if let Some(object_meta) = schemas.definitions.get(OBJECT_META) {
                validator.validate(object_meta, &meta);
            }
            issues = validator.issues;
        }
    }
    issues.extend(run(schemas, node, &rest));
    issues
}

fn unknown_kind(
    schemas: &Schemas,
    api_version: &str,
    kind: &str,
    index: usize,
    manifest: &Manifest,
    findings: &mut Findings,
) {
    let version = &schemas.kubernetes;
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    // CRD groups always contain a dot; a dotless group can only be Kubernetes' own.
    let built_in_group = !group.contains('.') || schemas.has_group(group);
    let served = schemas.api_versions_of(kind);
    if !built_in_group {
        findings.note(
            index,
            manifest,
            &FieldPath::root(),
            format!("no schema for {api_version} {kind} (a custom resource whose CustomResourceDefinition the chart does not render); not checked against a schema"),
        );
    } else if !served.is_empty() {
        findings.error(
            index,
            manifest,
            &FieldPath::of(&["apiVersion"]),
            format!(
                "Kubernetes {version} does not serve {kind} as {api_version}; use {}",
                served.join(" or ")
            ),
        );
    } else {
        let in_version: Vec<String> = schemas
            .kinds
            .keys()
            .filter_map(|k| k.rsplit_once('/'))
            .filter(|(av, _)| *av == api_version)
            .map(|(_, k)| k.to_string())
            .collect();
        let hint = validate::closest(kind, in_version.iter())
            .map(|k| format!(" (did you mean {k}?)"))
            .unwrap_or_default();
        findings.error(
            index,
            manifest,
            &FieldPath::of(&["kind"]),
            format!("Kubernetes {version} has no kind {kind} in {api_version}{hint}"),
        );
    }
}
