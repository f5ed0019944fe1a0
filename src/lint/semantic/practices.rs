//! Warnings about what the API server accepts but production regrets: images without a pinned
//! tag, containers without resource requests or limits, long-running containers without
//! liveness or readiness probes. Init containers, Jobs and Pods that are
//! not restarted (a `helm test` hook) are not expected to have probes.

use serde_yaml::Value;

use super::objects::Objects;
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
            if let Some(image) = c.get("image").and_then(Value::as_str)
                && let Some(problem) = image_problem(image)
            {
                warn("image", problem);
            }
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
            if !container.init && !pod.runs_to_completion {
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

/// Why an image reference is not pinned: no tag (means `:latest`) or `:latest`. A digest pins it.
fn image_problem(image: &str) -> Option<String> {
    if image.contains('@') {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        None => Some(format!(
            "image {image:?} has no tag, so it means :latest: pin a version, or a digest (@sha256:...)"
        )),
        Some((_, "latest")) => Some(format!(
            "image {image:?} uses :latest, which changes under you: pin a version, or a digest (@sha256:...)"
        )),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags() {
        assert!(image_problem("nginx").is_some());
        assert!(image_problem("nginx:latest").is_some());
        assert!(image_problem("registry:5000/team/app").is_some());
        assert!(image_problem("registry:5000/team/app:1.2").is_none());
        assert!(image_problem("app@sha256:abcd").is_none());
        assert!(
            image_problem("123.dkr.ecr.ap-northeast-2.amazonaws.com/backend-app:dev-3f9c2a1")
                .is_none()
        );
    }
}
