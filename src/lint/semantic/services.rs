//! Services reach pods: the selector matches the pod template of some rendered workload in the
//! same namespace, and each targetPort (named or numbered) is a port of the selected containers.

use serde_yaml::Value;

use super::objects::{Object, Objects, PodTemplate, lookup, pairs};
use crate::lint::finding::Findings;
use crate::lint::path::FieldPath;

pub fn check(objects: &Objects, findings: &mut Findings) {
    for service in objects.of("", "Service") {
        let v = service.value();
        if lookup(v, &["spec", "type"]).and_then(Value::as_str) == Some("ExternalName") {
            continue;
        }
        // No selector: the endpoints are managed by hand or by a controller.
        let Some(selector) = lookup(v, &["spec", "selector"]).and_then(Value::as_mapping) else {
            continue;
        };
        if selector.is_empty() {
            continue;
        }
        let workloads: Vec<(&Object, PodTemplate)> = objects
            .all
            .iter()
            .filter(|o| o.namespace == service.namespace)
            .filter_map(|o| o.pod().map(|pod| (o, pod)))
            .collect();
        let path = FieldPath::of(&["spec", "selector"]);
        if workloads.is_empty() {
            findings.warning(
                service.index,
                service.manifest,
                &path,
                format!("no rendered workload in namespace {:?}; the selector {} must match pods created elsewhere", service.namespace, pairs(selector)),
            );
            continue;
        }
        let selected: Vec<&(&Object, PodTemplate)> = workloads
            .iter()
            .filter(|(_, pod)| pod.matches(selector))
            .collect();
        if selected.is_empty() {
            let seen: Vec<String> = workloads
                .iter()
                .map(|(o, pod)| {
                    format!(
                        "{} {} has {}",
                        o.kind,
                        o.name.unwrap_or("?"),
                        pod.labels_text()
                    )
                })
                .collect();
            findings.error(
                service.index,
                service.manifest,
                &path,
                format!(
                    "the selector {} matches no pod template in namespace {:?}: {}",
                    pairs(selector),
                    service.namespace,
                    seen.join("; ")
                ),
            );
            continue;
        }
        target_ports(service, &selected, findings);
    }
}

fn target_ports(service: &Object, selected: &[&(&Object, PodTemplate)], findings: &mut Findings) {
    // (name, number) of every port of every selected container.
    let declared: Vec<(Option<String>, Option<i64>)> = selected
        .iter()
        .flat_map(|(_, pod)| pod.containers())
        .filter(|c| !c.init)
        .flat_map(|c| {
            c.value
                .get("ports")
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default()
        })
        .map(|p| {
            (
                p.get("name").and_then(Value::as_str).map(str::to_string),
                p.get("containerPort").and_then(Value::as_i64),
            )
        })
        .collect();
    let listing = || {
        let items: Vec<String> = declared
            .iter()
            .map(|(name, number)| match (name, number) {
                (Some(n), Some(p)) => format!("{n} ({p})"),
                (None, Some(p)) => p.to_string(),
                (Some(n), None) => n.clone(),
                (None, None) => "?".into(),
            })
            .collect();
        items.join(", ")
    };
    let owners: Vec<String> = selected
        .iter()
        .map(|(o, _)| format!("{} {}", o.kind, o.name.unwrap_or("?")))
        .collect();
    let owners = owners.join(", ");
    let ports = lookup(service.value(), &["spec", "ports"]).and_then(Value::as_sequence);
    for (i, port) in ports.into_iter().flatten().enumerate() {
        let path = FieldPath::of(&["spec", "ports"])
            .item(i, port)
            .field("targetPort");
        match port.get("targetPort").or_else(|| port.get("port")) {
            Some(Value::String(name)) if name.chars().all(|c| c.is_ascii_digit()) => findings.error(
                service.index,
                service.manifest,
                &path,
                format!("targetPort {name:?} is a string, so Kubernetes reads it as a port name (and names need a letter); write the number unquoted"),
            ),
            Some(Value::String(name))
                if !declared.iter().any(|(n, _)| n.as_deref() == Some(name.as_str())) => {
                    findings.error(
                        service.index,
                        service.manifest,
                        &path,
                        format!("no container of the selected pods ({owners}) has a port named {name:?}; their ports: {}", or_none(listing())),
                    );
                }
            Some(Value::Number(n)) => {
                let number = n.as_i64();
                let any_numbers = declared.iter().any(|(_, p)| p.is_some());
                if any_numbers && !declared.iter().any(|(_, p)| *p == number) {
                    findings.warning(
                        service.index,
                        service.manifest,
                        &path,
                        format!("no container of the selected pods ({owners}) declares port {n}; their ports: {} (traffic is sent to {n} all the same)", listing()),
                    );
                }
            }
            _ => {}
        }
    }
}

fn or_none(text: String) -> String {
    if text.is_empty() {
        "none declared".into()
    } else {
        text
    }
}
