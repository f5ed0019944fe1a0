//! Schema validation: every rendered object against the Kubernetes API schema of its kind, for
//! the chosen Kubernetes version; a custom resource against the schema of its CRD when the chart
//! has the CRD (rendered or in `crds/`), else against a JSON Schema file of a
//! `--schema-location`.

pub mod crd;
pub mod format;
pub mod location;
pub mod node;
pub mod store;
pub mod validate;

use serde_yaml::Value;

pub use store::{Schemas, supported_versions};

use crate::diff::FieldPath;
use crate::error::Error;
use crate::lint::finding::Findings;
use crate::manifest::Manifest;
use crd::{CrdSchemas, Lookup};
use location::Catalog;
use node::Node;
use validate::{Issue, Validator};

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// Checks `manifests`; `crds` are the chart's `crds/` documents, whose schemas apply but which
/// are not checked themselves. Fails only on a `--schema-location` file that cannot be used.
pub fn check(
    manifests: &[Manifest],
    crds: &[Manifest],
    schemas: &Schemas,
    catalog: &mut Catalog,
    findings: &mut Findings,
) -> Result<(), Error> {
    let chart_crds = crd::collect(manifests, crds, findings);
    for (index, manifest) in manifests.iter().enumerate() {
        let doc = &manifest.value;
        // Objects without apiVersion or kind are reported by the identity check.
        let (Some(api_version), Some(kind)) = (
            doc.get("apiVersion").and_then(Value::as_str),
            doc.get("kind").and_then(Value::as_str),
        ) else {
            continue;
        };
        let mut issues = if let Some(node) = schemas.kind(api_version, kind) {
            run(schemas, node, doc)
        } else {
            let object = Object {
                api_version,
                kind,
                index,
                manifest,
            };
            match custom_resource(schemas, &chart_crds, catalog, &object, findings)? {
                Some(issues) => issues,
                None => continue,
            }
        };
        hide_secret_values(doc, &mut issues);
        for issue in issues {
            findings.push(index, manifest, issue.severity, &issue.path, issue.message);
        }
    }
    Ok(())
}

/// An object that is not of a built-in kind.
struct Object<'m> {
    api_version: &'m str,
    kind: &'m str,
    index: usize,
    manifest: &'m Manifest,
}

/// The issues of a custom resource against its CRD's schema, else a `--schema-location` file;
/// `None` when there is nothing to check it against (reported here).
fn custom_resource(
    schemas: &Schemas,
    chart_crds: &CrdSchemas,
    catalog: &mut Catalog,
    object: &Object,
    findings: &mut Findings,
) -> Result<Option<Vec<Issue>>, Error> {
    let Object {
        api_version,
        kind,
        index,
        manifest,
    } = *object;
    let doc = &manifest.value;
    match chart_crds.lookup(api_version, kind) {
        Lookup::Schema(node) => {
            return Ok(Some(with_object_meta(schemas, doc, |rest| {
                run(schemas, node, rest)
            })));
        }
        Lookup::NoSchema => {
            findings.note(
                index,
                manifest,
                &FieldPath::root(),
                format!("the chart's CustomResourceDefinition of {api_version} {kind} declares no schema; not checked against a schema"),
            );
            return Ok(None);
        }
        Lookup::NotServed { crd, served } => {
            let served = if served.is_empty() {
                "no version".to_string()
            } else {
                served.join(", ")
            };
            findings.error(
                index,
                manifest,
                &FieldPath::of(&["apiVersion"]),
                format!("the chart's CustomResourceDefinition {crd} does not serve {api_version}; it serves {served}"),
            );
            return Ok(None);
        }
        Lookup::Unknown => {}
    }
    if is_custom_group(schemas, api_version)
        && let Some(found) = catalog.find(api_version, kind)?
    {
        return Ok(Some(with_object_meta(schemas, doc, |_| {
            found.validate(doc)
        })));
    }
    unknown_kind(schemas, catalog, object, findings);
    Ok(None)
}

/// Whether `apiVersion` is of a group outside the Kubernetes API: CRD groups always contain a
/// dot, and a dotless group can only be Kubernetes' own.
fn is_custom_group(schemas: &Schemas, api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    group.contains('.') && !schemas.has_group(group)
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

/// `metadata` is always a full ObjectMeta, whatever a CRD says of it. `check_rest` sees the
/// object without apiVersion, kind and metadata (which a CRD's schema need not describe); a
/// JSON Schema file, which describes the whole object, ignores it.
fn with_object_meta(
    schemas: &Schemas,
    doc: &Value,
    check_rest: impl FnOnce(&Value) -> Vec<Issue>,
) -> Vec<Issue> {
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
    issues.extend(check_rest(&rest));
    issues
}

fn unknown_kind(schemas: &Schemas, catalog: &Catalog, object: &Object, findings: &mut Findings) {
    let Object {
        api_version,
        kind,
        index,
        manifest,
    } = *object;
    let version = &schemas.kubernetes;
    let served = schemas.api_versions_of(kind);
    if is_custom_group(schemas, api_version) {
        let looked = if catalog.is_empty() {
            "and no --schema-location is given".to_string()
        } else {
            let paths: Vec<String> = catalog
                .paths_for(api_version, kind)
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            format!(
                "and no --schema-location has it (looked for {})",
                paths.join(", ")
            )
        };
        findings.note(
            index,
            manifest,
            &FieldPath::root(),
            format!("no schema for {api_version} {kind}: a custom resource whose CustomResourceDefinition is not in the chart (templates/ or crds/) {looked}; not checked against a schema"),
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
