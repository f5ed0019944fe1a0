//! Ingress backends name a Service of the same namespace and one of its ports.

use serde_yaml::Value;

use super::objects::{Object, Objects, lookup};
use crate::diff::FieldPath;
use crate::lint::finding::Findings;
use crate::lint::schema::validate::closest;

pub fn check(objects: &Objects, findings: &mut Findings) {
    for ingress in objects.of("networking.k8s.io", "Ingress") {
        let v = ingress.value();
        if let Some(backend) = lookup(v, &["spec", "defaultBackend"]) {
            backend_service(
                objects,
                ingress,
                backend,
                FieldPath::of(&["spec", "defaultBackend"]),
                findings,
            );
        }
        let rules = lookup(v, &["spec", "rules"]).and_then(Value::as_sequence);
        for (r, rule) in rules.into_iter().flatten().enumerate() {
            let paths = lookup(rule, &["http", "paths"]).and_then(Value::as_sequence);
            for (p, entry) in paths.into_iter().flatten().enumerate() {
                let Some(backend) = entry.get("backend") else {
                    continue;
                };
                let path = FieldPath::of(&["spec", "rules"])
                    .index(r)
                    .field("http")
                    .field("paths")
                    .index(p)
                    .field("backend");
                backend_service(objects, ingress, backend, path, findings);
            }
        }
    }
}

fn backend_service(
    objects: &Objects,
    ingress: &Object,
    backend: &Value,
    path: FieldPath,
    findings: &mut Findings,
) {
    let Some(name) = lookup(backend, &["service", "name"]).and_then(Value::as_str) else {
        return; // a resource backend, or a missing name the schema check reports
    };
    let path = path.field("service");
    let Some(service) = objects.find("", "Service", ingress.namespace, name) else {
        let known = objects.names("", "Service", ingress.namespace);
        let hint = closest(name, known.iter())
            .or_else(|| (known.len() == 1).then(|| known[0].as_str()))
            .map(|s| format!(" (did you mean {s:?}?)"))
            .unwrap_or_default();
        findings.warning(
            ingress.index,
            ingress.manifest,
            &path.field("name"),
            format!("no Service {name:?} among the rendered objects in namespace {:?}{hint}; it must exist in the cluster", ingress.namespace),
        );
        return;
    };
    let ports: Vec<&Value> = lookup(service.value(), &["spec", "ports"])
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .collect();
    let listing = || {
        let items: Vec<String> = ports
            .iter()
            .map(|p| {
                match (
                    p.get("name").and_then(Value::as_str),
                    p.get("port").and_then(Value::as_i64),
                ) {
                    (Some(n), Some(port)) => format!("{n} ({port})"),
                    (None, Some(port)) => port.to_string(),
                    (Some(n), None) => n.to_string(),
                    (None, None) => "?".into(),
                }
            })
            .collect();
        items.join(", ")
    };
    let port = backend.get("service").and_then(|s| s.get("port"));
    if let Some(wanted) = port.and_then(|p| p.get("name")).and_then(Value::as_str)
        && !ports
            .iter()
            .any(|p| p.get("name").and_then(Value::as_str) == Some(wanted))
    {
        findings.error(
            ingress.index,
            ingress.manifest,
            &path.field("port").field("name"),
            format!(
                "Service {name:?} has no port named {wanted:?}; its ports: {}",
                listing()
            ),
        );
    }
    if let Some(wanted) = port.and_then(|p| p.get("number")).and_then(Value::as_i64)
        && !ports
            .iter()
            .any(|p| p.get("port").and_then(Value::as_i64) == Some(wanted))
    {
        findings.error(
            ingress.index,
            ingress.manifest,
            &path.field("port").field("number"),
            format!(
                "Service {name:?} has no port {wanted}; its ports: {}",
                listing()
            ),
        );
    }
}
