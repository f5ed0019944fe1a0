//! Port numbers are valid TCP/UDP ports (1-65535): container and host ports, Service ports,
//! numbered target ports and node ports. The API server checks this in code, not in its schema.

use serde_yaml::Value;

use super::objects::{Objects, lookup};
use crate::diff::FieldPath;
use crate::lint::finding::Findings;

const RANGE: std::ops::RangeInclusive<i64> = 1..=65535;

pub fn check(objects: &Objects, findings: &mut Findings) {
    for object in &objects.all {
        let mut check = |port: &Value, field: &str, path: FieldPath| {
            // 0 means "not set" for these (a Service's targetPort then defaults to its port).
            let unset_ok = matches!(field, "hostPort" | "nodePort" | "targetPort");
            if let Some(n) = port.get(field).and_then(Value::as_i64)
                && !RANGE.contains(&n)
                && !(unset_ok && n == 0)
            {
                findings.error(
                    object.index,
                    object.manifest,
                    &path.field(field),
                    format!("{n} is not a port number (1-65535)"),
                );
            }
        };
        if let Some(pod) = object.pod() {
            for container in pod.containers() {
                let ports = container.value.get("ports").and_then(Value::as_sequence);
                for (i, port) in ports.into_iter().flatten().enumerate() {
                    for field in ["containerPort", "hostPort"] {
                        check(port, field, container.path.field("ports").index(i));
                    }
                }
            }
        }
        if object.is("", "Service") {
            let ports = lookup(object.value(), &["spec", "ports"]).and_then(Value::as_sequence);
            for (i, port) in ports.into_iter().flatten().enumerate() {
                for field in ["port", "targetPort", "nodePort"] {
                    check(port, field, FieldPath::of(&["spec", "ports"]).item(i, port));
                }
            }
        }
    }
}
