//! The objects every template sees, with Helm's names: `Values`, `Release`, `Chart`,
//! `Capabilities` and `Template`.

use serde_yaml::{Mapping, Value};

use crate::chart::Chart;
use crate::release::{self, Release};

/// API group/versions served by a stock cluster of the default version (`Capabilities.APIVersions`).
pub const BUILTIN_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

fn string(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

pub fn release_object(release: &Release) -> Value {
    let mut m = Mapping::new();
    m.insert(string("Name"), string(release.name.clone()));
    m.insert(string("Namespace"), string(release.namespace.clone()));
    m.insert(string("IsInstall"), Value::Bool(true));
    m.insert(string("IsUpgrade"), Value::Bool(false));
    m.insert(string("Revision"), Value::Number(release::REVISION.into()));
    m.insert(string("Service"), string(release::SERVICE));
    Value::Mapping(m)
}

/// `Chart.yaml` with Helm's field names: `apiVersion` -> `APIVersion`, `appVersion` -> `AppVersion`.
pub fn chart_object(chart: &Chart) -> Value {
    let mut m = Mapping::new();
    for (key, value) in &chart.chart_yaml {
        let Some(key) = key.as_str() else { continue };
        let helm_name = match key {
            "apiVersion" => "APIVersion".to_string(),
            other => {
                let mut chars = other.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => continue,
                }
            }
        };
        m.insert(string(helm_name), value.clone());
    }
    // Fields Helm always provides, so templates can use them without `default`.
    for field in ["AppVersion", "Description", "Type", "KubeVersion"] {
        let key = string(field);
        if !m.contains_key(&key) {
            let empty = if field == "Type" { "application" } else { "" };
            m.insert(key, string(empty));
        }
    }
    m.insert(string("Name"), string(chart.name.clone()));
    m.insert(string("Version"), string(chart.version.clone()));
    Value::Mapping(m)
}

pub fn capabilities_object(release: &Release) -> Value {
    let v = &release.kube_version;
    let version = format!("v{v}");
    let mut kube = Mapping::new();
    kube.insert(string("Version"), string(version.clone()));
    kube.insert(string("GitVersion"), string(version));
    kube.insert(string("Major"), string(v.major.to_string()));
    kube.insert(string("Minor"), string(v.minor.to_string()));
    let api_versions = BUILTIN_API_VERSIONS
        .iter()
        .map(|s| s.to_string())
        .chain(release.api_versions.iter().cloned())
        .map(Value::String)
        .collect();
    let mut m = Mapping::new();
    m.insert(string("KubeVersion"), Value::Mapping(kube));
    m.insert(string("APIVersions"), Value::Sequence(api_versions));
    Value::Mapping(m)
}

pub fn template_object(chart_name: &str, template_name: &str) -> Value {
    let mut m = Mapping::new();
    m.insert(
        string("Name"),
        string(format!("{chart_name}/templates/{template_name}")),
    );
    m.insert(
        string("BasePath"),
        string(format!("{chart_name}/templates")),
    );
    Value::Mapping(m)
}
