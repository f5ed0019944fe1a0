//! Names and labels the API server would refuse: object names by the rule of their kind,
//! namespaces, label and annotation keys, label values (on objects, pod templates and
//! selectors), container names and port names.

use serde_yaml::{Mapping, Value};

use super::objects::{Object, Objects, lookup};
use super::syntax;
use crate::diff::FieldPath;
use crate::error::Error;
use crate::lint::finding::Findings;

pub fn check(objects: &Objects, findings: &mut Findings) {
    for object in &objects.all {
        let mut report = |path: &FieldPath, message: String| {
            findings.error(object.index, object.manifest, path, message);
        };
        let v = object.value();
        if let Some(name) = object.name
            && let Err(why) = name_rule(object, name)
        {
            report(
                &FieldPath::of(&["metadata", "name"]),
                format!("invalid {} name {name:?}: {why}", object.kind),
            );
        }
        if let Some(ns) = lookup(v, &["metadata", "namespace"]).and_then(Value::as_str)
            && let Err(why) = syntax::dns1123_label(ns)
        {
            report(
                &FieldPath::of(&["metadata", "namespace"]),
                format!("invalid namespace {ns:?}: {why}"),
            );
        }
        labels(v, &["metadata", "labels"], &mut report);
        if let Some(annotations) =
            lookup(v, &["metadata", "annotations"]).and_then(Value::as_mapping)
        {
            let base = FieldPath::of(&["metadata", "annotations"]);
            for key in annotations.keys().filter_map(Value::as_str) {
                if let Err(why) = syntax::label_key(key) {
                    report(
                        &base.field(key),
                        format!("invalid annotation key {key:?}: {why}"),
                    );
                }
            }
        }
        labels(v, &["spec", "selector", "matchLabels"], &mut report);
        if object.is("", "Service") {
            labels(v, &["spec", "selector"], &mut report);
            service_port_names(v, &mut report);
        }
        if let Some(pod) = object.pod() {
            // A Pod's own labels are its metadata.labels, checked above.
            if let (Some(map), false) = (pod.labels, object.kind == "Pod") {
                check_labels(map, &pod.labels_path, &mut report);
            }
            for container in pod.containers() {
                let c = container.value;
                if let Some(name) = c.get("name").and_then(Value::as_str)
                    && let Err(why) = syntax::dns1123_label(name)
                {
                    report(
                        &container.path.field("name"),
                        format!("invalid container name {name:?}: {why}"),
                    );
                }
                let ports = c.get("ports").and_then(Value::as_sequence);
                for (i, port) in ports.into_iter().flatten().enumerate() {
                    if let Some(name) = port.get("name").and_then(Value::as_str)
                        && let Err(why) = syntax::port_name(name)
                    {
                        report(
                            &container.path.field("ports").index(i).field("name"),
                            format!("invalid port name {name:?}: {why}"),
                        );
                    }
                }
            }
        }
    }
}

/// The API server's rule for names of `object`'s kind: most are RFC 1123 subdomains.
fn name_rule(object: &Object, name: &str) -> Result<(), Error> {
    match (object.group, object.kind) {
        ("", "Namespace") => syntax::dns1123_label(name),
        ("", "Service") => syntax::dns1035_label(name),
        (
            "rbac.authorization.k8s.io",
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding",
        ) => syntax::path_segment_name(name),
        // The Jobs a CronJob creates add 11 characters to its name.
        ("batch", "CronJob") if name.len() > 52 => Err(Error::input(format!(
            "must be no more than 52 characters (it has {}), as the Jobs it creates add 11",
            name.len()
        ))),
        _ => syntax::dns1123_subdomain(name),
    }
}

/// Label keys and values of the map at `at`, if there is one.
fn labels(v: &Value, at: &[&str], report: &mut impl FnMut(&FieldPath, String)) {
    let Some(map) = lookup(v, at).and_then(Value::as_mapping) else {
        return;
    };
    check_labels(map, &FieldPath::of(at), report);
}

fn check_labels(map: &Mapping, base: &FieldPath, report: &mut impl FnMut(&FieldPath, String)) {
    for (key, value) in map {
        let Some(key) = key.as_str() else { continue };
        let path = base.field(key);
        if let Err(why) = syntax::label_key(key) {
            report(&path, format!("invalid label key {key:?}: {why}"));
        }
        if let Some(text) = value.as_str()
            && let Err(why) = syntax::label_value(text)
        {
            report(&path, format!("invalid label value {text:?}: {why}"));
        }
    }
}

/// Service port names are RFC 1123 labels (Ingresses and EndpointSlices refer to them).
fn service_port_names(v: &Value, report: &mut impl FnMut(&FieldPath, String)) {
    let ports = lookup(v, &["spec", "ports"]).and_then(Value::as_sequence);
    for (i, port) in ports.into_iter().flatten().enumerate() {
        if let Some(name) = port.get("name").and_then(Value::as_str)
            && let Err(why) = syntax::dns1123_label(name)
        {
            report(
                &FieldPath::of(&["spec", "ports"])
                    .item(i, port)
                    .field("name"),
                format!("invalid port name {name:?}: {why}"),
            );
        }
    }
}
