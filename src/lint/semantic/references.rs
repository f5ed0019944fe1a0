//! ConfigMaps and Secrets that pods read (envFrom, env valueFrom, volumes, projected volumes).
//! One the chart does not render is a warning: it may be created outside the chart (by hand,
//! by another chart), unless a rendered ExternalSecret or SealedSecret makes it
//! ([`secret_sources`]). One the chart renders or makes must have the keys asked for, where
//! they are known. References marked `optional: true` are skipped.

use serde_yaml::Value;

use super::objects::{Object, Objects, lookup};
use super::secret_sources::{self, SecretSource};
use crate::diff::FieldPath;
use crate::lint::finding::Findings;
use crate::lint::schema::validate::closest;

#[derive(Clone, Copy)]
enum Target {
    ConfigMap,
    Secret,
}

impl Target {
    fn kind(self) -> &'static str {
        match self {
            Target::ConfigMap => "ConfigMap",
            Target::Secret => "Secret",
        }
    }

    /// The maps whose keys a pod can read.
    fn key_maps(self) -> &'static [&'static str] {
        match self {
            Target::ConfigMap => &["data", "binaryData"],
            Target::Secret => &["data", "stringData"],
        }
    }
}

/// One reference: where it is, what it names, which keys it needs.
struct Reference<'v> {
    target: Target,
    name: &'v str,
    path: FieldPath,
    keys: Vec<(&'v str, FieldPath)>,
}

pub fn check(objects: &Objects, findings: &mut Findings) {
    for object in &objects.all {
        let Some(pod) = object.pod() else { continue };
        let mut refs = Vec::new();
        for container in pod.containers() {
            container_refs(container.value, &container.path, &mut refs);
        }
        let volumes = pod.spec.get("volumes").and_then(Value::as_sequence);
        for (i, volume) in volumes.into_iter().flatten().enumerate() {
            volume_refs(
                volume,
                &pod.spec_path.field("volumes").item(i, volume),
                &mut refs,
            );
        }
        for reference in refs {
            resolve(objects, object, &reference, findings);
        }
    }
}

fn optional(value: &Value) -> bool {
    value.get("optional").and_then(Value::as_bool) == Some(true)
}

fn container_refs<'v>(c: &'v Value, path: &FieldPath, refs: &mut Vec<Reference<'v>>) {
    let env_from = c.get("envFrom").and_then(Value::as_sequence);
    for (i, source) in env_from.into_iter().flatten().enumerate() {
        for (field, target) in [
            ("configMapRef", Target::ConfigMap),
            ("secretRef", Target::Secret),
        ] {
            let Some(r) = source.get(field) else { continue };
            if let (Some(name), false) = (r.get("name").and_then(Value::as_str), optional(r)) {
                let path = path.field("envFrom").index(i).field(field).field("name");
                refs.push(Reference {
                    target,
                    name,
                    path,
                    keys: Vec::new(),
                });
            }
        }
    }
    let env = c.get("env").and_then(Value::as_sequence);
    for (i, var) in env.into_iter().flatten().enumerate() {
        for (field, target) in [
            ("configMapKeyRef", Target::ConfigMap),
            ("secretKeyRef", Target::Secret),
        ] {
            let Some(r) = var.get("valueFrom").and_then(|v| v.get(field)) else {
                continue;
            };
            if let (Some(name), false) = (r.get("name").and_then(Value::as_str), optional(r)) {
                let base = path
                    .field("env")
                    .item(i, var)
                    .field("valueFrom")
                    .field(field);
                let keys = r
                    .get("key")
                    .and_then(Value::as_str)
                    .map(|k| (k, base.field("key")))
                    .into_iter()
                    .collect();
                refs.push(Reference {
                    target,
                    name,
                    path: base.field("name"),
                    keys,
                });
            }
        }
    }
}

fn volume_refs<'v>(volume: &'v Value, path: &FieldPath, refs: &mut Vec<Reference<'v>>) {
    let mut add = |source: &'v Value, name_field: &str, target: Target, path: FieldPath| {
        let Some(name) = source.get(name_field).and_then(Value::as_str) else {
            return;
        };
        if optional(source) {
            return;
        }
        let items = source.get("items").and_then(Value::as_sequence);
        let keys = items
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, item)| {
                item.get("key")
                    .and_then(Value::as_str)
                    .map(|k| (k, path.field("items").index(i).field("key")))
            })
            .collect();
        refs.push(Reference {
            target,
            name,
            path: path.field(name_field),
            keys,
        });
    };
    if let Some(source) = volume.get("configMap") {
        add(source, "name", Target::ConfigMap, path.field("configMap"));
    }
    if let Some(source) = volume.get("secret") {
        add(source, "secretName", Target::Secret, path.field("secret"));
    }
    let sources = lookup(volume, &["projected", "sources"]).and_then(Value::as_sequence);
    for (i, source) in sources.into_iter().flatten().enumerate() {
        let base = path.field("projected").field("sources").index(i);
        if let Some(s) = source.get("configMap") {
            add(s, "name", Target::ConfigMap, base.field("configMap"));
        }
        if let Some(s) = source.get("secret") {
            add(s, "name", Target::Secret, base.field("secret"));
        }
    }
}

fn resolve(objects: &Objects, object: &Object, reference: &Reference, findings: &mut Findings) {
    let kind = reference.target.kind();
    let name = reference.name;
    let made = match reference.target {
        Target::Secret => secret_sources::find(objects, object.namespace, name),
        Target::ConfigMap => None,
    };
    let found = objects.find("", kind, object.namespace, name);
    if let (None, Some(source)) = (found, &made) {
        check_made_keys(object, reference, source, findings);
        return;
    }
    let Some(found) = found else {
        let known = objects.names("", kind, object.namespace);
        let hint = closest(name, known.iter())
            .map(|s| format!(" (did you mean {s:?}?)"))
            .unwrap_or_default();
        findings.warning(
            object.index,
            object.manifest,
            &reference.path,
            format!("no {kind} {name:?} among the rendered objects in namespace {:?}{hint}; the pod will not start unless it exists in the cluster (or mark the reference optional: true)", object.namespace),
        );
        return;
    };
    let maps: Vec<&serde_yaml::Mapping> = reference
        .target
        .key_maps()
        .iter()
        .filter_map(|field| found.value().get(field).and_then(Value::as_mapping))
        .collect();
    for (key, path) in &reference.keys {
        if !maps.iter().any(|m| m.contains_key(*key)) {
            let mut have: Vec<&str> = maps
                .iter()
                .flat_map(|m| m.keys())
                .filter_map(Value::as_str)
                .collect();
            have.sort_unstable();
            findings.error(
                object.index,
                object.manifest,
                path,
                format!(
                    "{kind} {name:?} has no key {key:?}; its keys: {}",
                    if have.is_empty() {
                        "none".into()
                    } else {
                        have.join(", ")
                    }
                ),
            );
        }
    }
}

/// The keys a pod reads from a Secret that an ExternalSecret or a SealedSecret makes, when its
/// keys are known.
fn check_made_keys(
    object: &Object,
    reference: &Reference,
    source: &SecretSource,
    findings: &mut Findings,
) {
    let Some(have) = &source.keys else { return };
    for (key, path) in &reference.keys {
        if !have.contains(key) {
            let mut listed = have.clone();
            listed.sort_unstable();
            findings.error(
                object.index,
                object.manifest,
                path,
                format!(
                    "Secret {:?}, made by {} {:?}, has no key {key:?}; its keys: {}",
                    reference.name,
                    source.object.kind,
                    source.object.name.unwrap_or("?"),
                    if listed.is_empty() {
                        "none".into()
                    } else {
                        listed.join(", ")
                    }
                ),
            );
        }
    }
}
