//! Services reach pods: the selector matches the pod template of some rendered workload in the
//! same namespace, and each targetPort (named or numbered) is a port of the selected containers.

use serde_yaml::Value;

use super::objects::{Object, Objects, PodTemplate, lookup, pairs};
use crate::diff::FieldPath;
use crate::lint::finding::Findings;

pub fn check(objects: &Objects, findings: &mut Findings) {
    let all_workloads: Vec<(&Object, PodTemplate)> = objects
        .all
        .iter()
        .filter_map(|o| o.pod().map(|pod| (o, pod)))
        .collect();
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
        let workloads: Vec<&(&Object, PodTemplate)> = all_workloads
            .iter()
            .filter(|(o, _)| o.namespace == service.namespace)
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
            .copied()
            .filter(|(_, pod)| pod.matches(selector))
            .collect();
        if selected.is_empty() {
            const SHOWN: usize = 5;
            let mut seen: Vec<String> = workloads
                .iter()
                .take(SHOWN)
                .map(|(o, pod)| {
                    format!(
                        "{} {} has {}",
                        o.kind,
                        o.name.unwrap_or("?"),
                        pod.labels_text()
                    )
                })
                .collect();
            if workloads.len() > SHOWN {
                seen.push(format!("and {} more", workloads.len() - SHOWN));
            }
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
    // (name, number) of every port of every selected container, once each.
    let mut declared: Vec<(Option<&str>, Option<i64>)> = Vec::new();
    for (_, pod) in selected {
        for container in pod.main_containers() {
            let ports = container.get("ports").and_then(Value::as_sequence);
            for port in ports.into_iter().flatten() {
                let entry = (
                    port.get("name").and_then(Value::as_str),
                    port.get("containerPort").and_then(Value::as_i64),
                );
                if !declared.contains(&entry) {
                    declared.push(entry);
                }
            }
        }
    }
    let listing = || {
        let items: Vec<String> = declared
            .iter()
            .map(|(name, number)| match (name, number) {
                (Some(n), Some(p)) => format!("{n} ({p})"),
                (None, Some(p)) => p.to_string(),
                (Some(n), None) => n.to_string(),
                (None, None) => "?".into(),
            })
            .collect();
        items.join(", ")
    };
    let mut owners: Vec<String> = selected
        .iter()
        .take(3)
        .map(|(o, _)| format!("{} {}", o.kind, o.name.unwrap_or("?")))
        .collect();
    if selected.len() > 3 {
        owners.push(format!("and {} more", selected.len() - 3));
    }
    let owners = owners.join(", ");
    let ports = lookup(service.value(), &["spec", "ports"]).and_then(Value::as_sequence);
    for (i, port) in ports.into_iter().flatten().enumerate() {
        let path = FieldPath::of(&["spec", "ports"])
            .item(i, port)
            .field("targetPort");
        // Kubernetes defaults an unset, 0 or "" targetPort to the port.
        let unset = |t: &&Value| match t {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::Number(n) => n.as_i64() == Some(0),
            _ => false,
        };
        let target = port
            .get("targetPort")
            .filter(|t| !unset(t))
            .or_else(|| port.get("port"));
        match target {
            Some(Value::String(name)) if name.chars().all(|c| c.is_ascii_digit()) => findings.error(
                service.index,
                service.manifest,
                &path,
                format!("targetPort {name:?} is a string, so Kubernetes reads it as a port name (and names need a letter); write the number unquoted"),
            ),
            Some(Value::String(name))
                if !declared.iter().any(|(n, _)| *n == Some(name.as_str())) => {
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
                // Out-of-range numbers are reported by the port check.
                let in_range = number.is_some_and(|n| (1..=65535).contains(&n));
                if in_range && any_numbers && !declared.iter().any(|(_, p)| *p == number) {
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
