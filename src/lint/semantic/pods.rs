//! Each workload agrees with itself: its selector picks its own pod template, every container
//! has an image, and probes that name a port name one of the container's ports.

use serde_yaml::{Mapping, Value};

use super::objects::{Objects, PodTemplate, lookup};
use crate::diff::FieldPath;
use crate::lint::finding::Findings;

pub fn check(objects: &Objects, findings: &mut Findings) {
    for object in &objects.all {
        let Some(pod) = object.pod() else { continue };
        let mut error = |path: &FieldPath, message: String| {
            findings.error(object.index, object.manifest, path, message);
        };
        if object.group == "apps"
            && let Some(selector) = lookup(object.value(), &["spec", "selector"])
            && selects(selector, &pod) == Some(false)
        {
            error(
                &FieldPath::of(&["spec", "selector"]),
                format!(
                    "the selector does not match the pod template's labels ({}); Kubernetes rejects the {}",
                    pod.labels_text(),
                    object.kind
                ),
            );
        }
        for container in pod.containers() {
            let c = container.value;
            if c.get("image")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                error(
                    &container.path.field("image"),
                    "required field is missing: every container needs an image".into(),
                );
            }
            let port_names: Vec<&str> = c
                .get("ports")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .filter_map(|p| p.get("name").and_then(Value::as_str))
                .collect();
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                for action in ["httpGet", "tcpSocket", "grpc"] {
                    let Some(port) = c
                        .get(probe)
                        .and_then(|p| p.get(action))
                        .and_then(|a| a.get("port"))
                    else {
                        continue;
                    };
                    let Some(name) = port.as_str() else { continue };
                    if !port_names.contains(&name) {
                        let have = if port_names.is_empty() {
                            "it names no ports".to_string()
                        } else {
                            format!("its ports are named {}", port_names.join(", "))
                        };
                        error(
                            &container.path.field(probe).field(action).field("port"),
                            format!(
                                "the probe uses port {name:?}, but the container has no port of that name ({have}); the probe would fail"
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// Whether a LabelSelector (`matchLabels`, `matchExpressions`) selects the template's labels;
/// `None` when it cannot tell (an operator it does not know).
pub fn selects(selector: &Value, pod: &PodTemplate) -> Option<bool> {
    let empty = Mapping::new();
    let labels = pod.labels.unwrap_or(&empty);
    if let Some(match_labels) = selector.get("matchLabels").and_then(Value::as_mapping)
        && !match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
    {
        return Some(false);
    }
    let expressions = selector
        .get("matchExpressions")
        .and_then(Value::as_sequence);
    for expr in expressions.into_iter().flatten() {
        let key = expr.get("key")?;
        let values: Vec<&Value> = expr
            .get("values")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .collect();
        let actual = labels.get(key);
        let ok = match expr.get("operator").and_then(Value::as_str)? {
            "In" => actual.is_some_and(|a| values.contains(&a)),
            "NotIn" => actual.is_none_or(|a| !values.contains(&a)),
            "Exists" => actual.is_some(),
            "DoesNotExist" => actual.is_none(),
            _ => return None,
        };
        if !ok {
            return Some(false);
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::semantic::objects::pairs;

    fn template(labels: &str) -> (Mapping, Value) {
        (serde_yaml::from_str(labels).unwrap(), Value::Null)
    }

    #[test]
    fn label_selectors() {
        let (labels, spec) = template("{app: web, tier: front}");
        let pod = PodTemplate {
            labels: Some(&labels),
            labels_path: FieldPath::root(),
            spec: &spec,
            spec_path: FieldPath::root(),
            runs_to_completion: false,
        };
        let sel = |y: &str| selects(&serde_yaml::from_str(y).unwrap(), &pod);
        assert_eq!(sel("{matchLabels: {app: web}}"), Some(true));
        assert_eq!(sel("{matchLabels: {app: api}}"), Some(false));
        assert_eq!(
            sel("{matchExpressions: [{key: tier, operator: In, values: [front]}]}"),
            Some(true)
        );
        assert_eq!(
            sel("{matchExpressions: [{key: x, operator: Exists}]}"),
            Some(false)
        );
        assert_eq!(sel("{matchExpressions: [{key: x, operator: Near}]}"), None);
        assert_eq!(pairs(&labels), "app=web,tier=front");
    }
}
