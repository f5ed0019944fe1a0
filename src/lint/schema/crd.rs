//! The schemas of custom resources whose CustomResourceDefinition the chart itself renders:
//! `spec.versions[].schema.openAPIV3Schema`, read as the same OpenAPI subset as built-ins.

use std::collections::HashMap;

use serde_yaml::Value;

use super::node::Node;
use crate::diff::FieldPath;
use crate::lint::finding::Findings;
use crate::manifest::Manifest;

/// `example.com/v1/Widget` -> its schema, for every version of every rendered CRD.
pub type CrdSchemas = HashMap<String, Node>;

pub fn collect(manifests: &[Manifest], findings: &mut Findings) -> CrdSchemas {
    let mut schemas = CrdSchemas::new();
    for (index, manifest) in manifests.iter().enumerate() {
        let doc = &manifest.value;
        let is_crd = doc.get("apiVersion").and_then(Value::as_str)
            == Some("apiextensions.k8s.io/v1")
            && doc.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition");
        if !is_crd {
            continue;
        }
        let spec = doc.get("spec");
        let group = spec.and_then(|s| s.get("group")).and_then(Value::as_str);
        let kind = spec
            .and_then(|s| s.get("names"))
            .and_then(|n| n.get("kind"))
            .and_then(Value::as_str);
        let (Some(group), Some(kind)) = (group, kind) else {
            continue; // the schema check reports the missing fields
        };
        let versions = spec
            .and_then(|s| s.get("versions"))
            .and_then(Value::as_sequence)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (i, version) in versions.iter().enumerate() {
            let Some(name) = version.get("name").and_then(Value::as_str) else {
                continue;
            };
            let Some(schema) = version.get("schema").and_then(|s| s.get("openAPIV3Schema")) else {
                continue;
            };
            let path = FieldPath::of(&["spec", "versions"])
                .item(i, version)
                .field("schema")
                .field("openAPIV3Schema");
            match parse(schema) {
                Ok(node) => {
                    schemas.insert(format!("{group}/{name}/{kind}"), node);
                }
                Err(why) => findings.error(
                    index,
                    manifest,
                    &path,
                    format!("cannot read this schema ({why}); objects of {group}/{name} {kind} are not checked"),
                ),
            }
        }
    }
    schemas
}

fn parse(schema: &Value) -> Result<Node, serde_json::Error> {
    serde_json::from_value(serde_json::to_value(schema)?)
}
