//! The rendered objects as the semantic checks see them: kind, effective namespace, name, and
//! for workloads where their pod template is.

use serde_yaml::{Mapping, Value};

use crate::diff::FieldPath;
use crate::manifest::Manifest;

pub struct Object<'m> {
    /// Position among the manifests (findings are reported in this order).
    pub index: usize,
    pub manifest: &'m Manifest,
    /// API group: "" for `v1`, "apps" for `apps/v1`.
    pub group: &'m str,
    pub kind: &'m str,
    pub name: Option<&'m str>,
    /// `metadata.namespace`, or the release namespace the object is applied to without one.
    pub namespace: &'m str,
}

impl<'m> Object<'m> {
    pub fn is(&self, group: &str, kind: &str) -> bool {
        self.group == group && self.kind == kind
    }

    pub fn value(&self) -> &'m Value {
        &self.manifest.value
    }

    /// The pod template of a workload (or the pod itself), if this object has one.
    pub fn pod(&self) -> Option<PodTemplate<'m>> {
        let v = self.value();
        let (labels_at, spec_at): (&[&str], &[&str]) = match (self.group, self.kind) {
            ("", "Pod") => (&["metadata", "labels"], &["spec"]),
            ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
            | ("", "ReplicationController")
            | ("batch", "Job") => (
                &["spec", "template", "metadata", "labels"],
                &["spec", "template", "spec"],
            ),
            ("batch", "CronJob") => (
                &[
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "metadata",
                    "labels",
                ],
                &["spec", "jobTemplate", "spec", "template", "spec"],
            ),
            _ => return None,
        };
        let spec = lookup(v, spec_at)?;
        // A bare Pod that is not restarted (a `helm test` hook) runs to completion like a Job.
        let restart_policy = spec.get("restartPolicy").and_then(Value::as_str);
        let runs_to_completion = self.group == "batch"
            || (self.kind == "Pod" && matches!(restart_policy, Some("Never" | "OnFailure")));
        Some(PodTemplate {
            labels: lookup(v, labels_at).and_then(Value::as_mapping),
            labels_path: FieldPath::of(labels_at),
            spec,
            spec_path: FieldPath::of(spec_at),
            runs_to_completion,
        })
    }
}

pub struct PodTemplate<'m> {
    pub labels: Option<&'m Mapping>,
    pub labels_path: FieldPath,
    pub spec: &'m Value,
    pub spec_path: FieldPath,
    /// Jobs, CronJobs and Pods that are not restarted: no probes expected.
    pub runs_to_completion: bool,
}

pub struct Container<'m> {
    pub value: &'m Value,
    pub path: FieldPath,
    pub role: Role,
}

/// Which list of the pod spec a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Main,
    /// `initContainers`: run to completion before the others (no probes expected).
    Init,
    /// `ephemeralContainers`: debugging containers, without ports, probes or resources.
    Ephemeral,
}

impl<'m> PodTemplate<'m> {
    /// Containers, then init containers, each with its path.
    pub fn containers(&self) -> Vec<Container<'m>> {
        self.lists(&[("containers", Role::Main), ("initContainers", Role::Init)])
    }

    /// Containers, init containers, then ephemeral containers: for what any of them has (an
    /// image).
    pub fn every_container(&self) -> Vec<Container<'m>> {
        self.lists(&[
            ("containers", Role::Main),
            ("initContainers", Role::Init),
            ("ephemeralContainers", Role::Ephemeral),
        ])
    }

    fn lists(&self, lists: &[(&str, Role)]) -> Vec<Container<'m>> {
        let mut found = Vec::new();
        for &(field, role) in lists {
            let list = self.spec.get(field).and_then(Value::as_sequence);
            for (i, value) in list.into_iter().flatten().enumerate() {
                found.push(Container {
                    value,
                    path: self.spec_path.field(field).item(i, value),
                    role,
                });
            }
        }
        found
    }

    /// The (non-init) containers alone, without paths: cheaper when many pods are scanned.
    pub fn main_containers(&self) -> impl Iterator<Item = &'m Value> + use<'m> {
        self.spec
            .get("containers")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
    }

    /// Whether every `key: value` of `selector` is among this template's labels.
    pub fn matches(&self, selector: &Mapping) -> bool {
        let Some(labels) = self.labels else {
            return selector.is_empty();
        };
        selector.iter().all(|(k, v)| labels.get(k) == Some(v))
    }

    /// `app=backend-app,tier=api`, to show what a selector could have matched.
    pub fn labels_text(&self) -> String {
        self.labels.map(pairs).unwrap_or_else(|| "no labels".into())
    }
}

pub fn pairs(map: &Mapping) -> String {
    let items: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}={}", scalar(k), scalar(v)))
        .collect();
    items.join(",")
}

pub fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        _ => "...".into(),
    }
}

pub fn lookup<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, field| v.get(field))
}

pub fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    lookup(value, path).and_then(Value::as_str)
}

/// Every rendered object that has a kind.
pub struct Objects<'m> {
    pub all: Vec<Object<'m>>,
}

impl<'m> Objects<'m> {
    pub fn new(manifests: &'m [Manifest], default_namespace: &'m str) -> Self {
        let all = manifests
            .iter()
            .enumerate()
            .filter_map(|(index, manifest)| {
                let v = &manifest.value;
                let kind = v.get("kind").and_then(Value::as_str)?;
                let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
                Some(Object {
                    index,
                    manifest,
                    group: api_version.rsplit_once('/').map_or("", |(g, _)| g),
                    kind,
                    name: str_at(v, &["metadata", "name"]),
                    namespace: str_at(v, &["metadata", "namespace"])
                        .filter(|ns| !ns.is_empty())
                        .unwrap_or(default_namespace),
                })
            })
            .collect();
        Objects { all }
    }

    pub fn of<'s>(&'s self, group: &'s str, kind: &'s str) -> impl Iterator<Item = &'s Object<'m>> {
        self.all.iter().filter(move |o| o.is(group, kind))
    }

    pub fn find(
        &self,
        group: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Option<&Object<'m>> {
        self.all
            .iter()
            .find(|o| o.is(group, kind) && o.namespace == namespace && o.name == Some(name))
    }

    /// Names of the objects of a kind in a namespace, for "did you mean".
    pub fn names(&self, group: &str, kind: &str, namespace: &str) -> Vec<String> {
        self.all
            .iter()
            .filter(|o| o.is(group, kind) && o.namespace == namespace)
            .filter_map(|o| o.name.map(str::to_string))
            .collect()
    }
}
