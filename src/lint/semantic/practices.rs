//! Warnings about what the API server accepts but production regrets: containers without
//! resource requests or limits, long-running containers without liveness or readiness probes.
//! Init containers, Jobs and Pods that are not restarted (a `helm test` hook) are not expected
//! to have probes. (Images that are not pinned: see `images`.)

use serde_yaml::Value;

use super::objects::{Objects, Role};
use crate::lint::finding::Findings;

pub fn check(objects: &Objects, findings: &mut Findings) {
    for object in &objects.all {
        let Some(pod) = object.pod() else { continue };
        for container in pod.containers() {
            let c = container.value;
            let mut warn = |field: &str, message: String| {
                findings.warning(
                    object.index,
                    object.manifest,
                    &container.path.field(field),
                    message,
                );
            };
            let resources = c.get("resources");
            let has = |section: &str| {
                resources
                    .and_then(|r| r.get(section))
                    .and_then(Value::as_mapping)
                    .is_some_and(|m| !m.is_empty())
            };
            match (has("requests"), has("limits")) {
                (false, false) => warn("resources", "no resource requests or limits: the scheduler cannot place the pod by its needs, and it may use a node's whole memory".into()),
                (false, true) => {} // Kubernetes copies the limits into the requests
                (true, false) => warn("resources", "no resource limits: the container may use a node's whole memory (set at least limits.memory)".into()),
                (true, true) => {}
            }
            if container.role == Role::Main && !pod.runs_to_completion {
                for probe in ["livenessProbe", "readinessProbe"] {
                    if c.get(probe).is_none_or(Value::is_null) {
                        let why = if probe == "livenessProbe" {
                            "a hung process is never restarted"
                        } else {
                            "the pod receives traffic before it is ready"
                        };
                        warn(probe, format!("no {probe}: {why}"));
                    }
                }
            }
        }
    }
}
