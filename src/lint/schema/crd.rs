//! The schemas of custom resources whose CustomResourceDefinition comes with the chart, rendered
//! from `templates/` or shipped in `crds/` (its own or a subchart's):
//! `spec.versions[].schema.openAPIV3Schema`, read as the same OpenAPI subset as built-ins, for
//! the versions the CRD serves.

use std::collections::HashMap;

use serde_yaml::Value;

use super::node::Node;
use crate::diff::FieldPath;
use crate::lint::finding::Findings;
use crate::manifest::Manifest;

/// Every CRD of the chart, by `group/Kind`.
#[derive(Default)]
pub struct CrdSchemas(HashMap<String, Crd>);

struct Crd {
    /// `metadata.name`: `widgets.example.com`.
    name: String,
    versions: Vec<Version>,
}

struct Version {
    name: String,
    served: bool,
    /// `None` when the version declares no schema, or one ktera cannot read (reported).
    schema: Option<Node>,
}

/// What the chart's CRDs say about one `apiVersion` and kind.
pub enum Lookup<'a> {
    /// No CRD of the chart defines the kind.
    Unknown,
    Schema(&'a Node),
    /// The CRD serves the version but gives no schema to check against.
    NoSchema,
    /// The CRD defines the kind, but does not serve this version.
    NotServed {
        crd: &'a str,
        served: Vec<&'a str>,
    },
}

impl CrdSchemas {
    pub fn lookup(&self, api_version: &str, kind: &str) -> Lookup<'_> {
        let Some((group, version)) = api_version.rsplit_once('/') else {
            return Lookup::Unknown; // CRDs always have a group
        };
        let Some(crd) = self.0.get(&format!("{group}/{kind}")) else {
            return Lookup::Unknown;
        };
        match crd.versions.iter().find(|v| v.name == version && v.served) {
            Some(Version {
                schema: Some(node), ..
            }) => Lookup::Schema(node),
            Some(_) => Lookup::NoSchema,
            None => Lookup::NotServed {
                crd: &crd.name,
                served: crd
                    .versions
                    .iter()
                    .filter(|v| v.served)
                    .map(|v| v.name.as_str())
                    .collect(),
            },
        }
    }
}

/// Reads the CRDs among the rendered `manifests` and the chart's `crds/` documents. A schema that
/// cannot be read is a finding on its CRD: a rendered one's at its index, a `crds/` one's first
/// (index 0; those files are installed before everything else).
pub fn collect(manifests: &[Manifest], crds: &[Manifest], findings: &mut Findings) -> CrdSchemas {
    let mut schemas = CrdSchemas::default();
    let from_templates = manifests.iter().enumerate();
    let from_crds_dir = crds.iter().map(|crd| (0, crd));
    for (index, manifest) in from_crds_dir.chain(from_templates) {
        if let Some((key, crd)) = read(index, manifest, findings) {
            schemas.0.insert(key, crd);
        }
    }
    schemas
}

fn read(index: usize, manifest: &Manifest, findings: &mut Findings) -> Option<(String, Crd)> {
    let doc = &manifest.value;
    let is_crd = doc.get("apiVersion").and_then(Value::as_str) == Some("apiextensions.k8s.io/v1")
        && doc.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition");
    if !is_crd {
        return None;
    }
    let spec = doc.get("spec");
    let group = spec.and_then(|s| s.get("group")).and_then(Value::as_str);
    let kind = spec
        .and_then(|s| s.get("names"))
        .and_then(|n| n.get("kind"))
        .and_then(Value::as_str);
    // A rendered CRD missing these is reported by the schema check of the CRD itself.
    let (group, kind) = (group?, kind?);
    let name = doc
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let listed = spec
        .and_then(|s| s.get("versions"))
        .and_then(Value::as_sequence)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut versions = Vec::new();
    for (i, version) in listed.iter().enumerate() {
        let Some(version_name) = version.get("name").and_then(Value::as_str) else {
            continue;
        };
        // `served` is required; a CRD without it is reported, and read as serving the version.
        let served = version
            .get("served")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let schema = version
            .get("schema")
            .and_then(|s| s.get("openAPIV3Schema"))
            .and_then(|schema| match parse(schema) {
                Ok(node) => Some(node),
                Err(why) => {
                    let path = FieldPath::of(&["spec", "versions"])
                        .item(i, version)
                        .field("schema")
                        .field("openAPIV3Schema");
                    findings.error(
                        index,
                        manifest,
                        &path,
                        format!("cannot read this schema ({why}); objects of {group}/{version_name} {kind} are not checked"),
                    );
                    None
                }
            });
        versions.push(Version {
            name: version_name.to_string(),
            served,
            schema,
        });
    }
    Some((format!("{group}/{kind}"), Crd { name, versions }))
}

fn parse(schema: &Value) -> Result<Node, serde_json::Error> {
    serde_json::from_value(serde_json::to_value(schema)?)
}
