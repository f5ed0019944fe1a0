//! Every object says what it is (apiVersion, kind, metadata.name), and no two objects claim the
//! same identity (one would silently replace the other when applied).

use std::collections::HashMap;

use serde_yaml::Value;

use super::objects::Objects;
use crate::diff::FieldPath;
use crate::lint::finding::Findings;
use crate::manifest::Manifest;

pub fn check(manifests: &[Manifest], objects: &Objects, findings: &mut Findings) {
    for (index, manifest) in manifests.iter().enumerate() {
        let v = &manifest.value;
        for field in ["apiVersion", "kind"] {
            match v.get(field) {
                Some(Value::String(s)) if !s.is_empty() => {}
                Some(Value::String(_)) | None | Some(Value::Null) => findings.error(
                    index,
                    manifest,
                    &FieldPath::of(&[field]),
                    "required field is missing: every object needs apiVersion, kind and metadata.name",
                ),
                Some(_) => {} // a wrong type is the schema check's
            }
        }
        let meta = v.get("metadata");
        let name = meta.and_then(|m| m.get("name"));
        if matches!(name, None | Some(Value::Null)) || name.and_then(Value::as_str) == Some("") {
            let generate = meta.and_then(|m| m.get("generateName")).is_some();
            let message = if generate {
                "required field is missing: generateName works with `kubectl create` only; kubectl apply, Helm and Argo CD need a name"
            } else {
                "required field is missing: every object needs apiVersion, kind and metadata.name"
            };
            findings.error(
                index,
                manifest,
                &FieldPath::of(&["metadata", "name"]),
                message,
            );
        }
    }

    let mut first: HashMap<(&str, &str, &str, &str), usize> = HashMap::new();
    for object in &objects.all {
        let Some(name) = object.name else { continue };
        let key = (object.group, object.kind, object.namespace, name);
        match first.get(&key) {
            Some(&earlier) => {
                let other = &manifests[earlier];
                findings.error(
                    object.index,
                    object.manifest,
                    &FieldPath::root(),
                    format!(
                        "another object has the same group, kind, namespace and name ({}, document {} of the output); one would replace the other",
                        other.source_name,
                        earlier + 1
                    ),
                );
            }
            None => {
                first.insert(key, object.index);
            }
        }
    }
}
