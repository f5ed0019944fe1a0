//! The objects every template sees, with Helm's names: `Values`, `Release`, `Chart`,
//! `Capabilities` and `Template`.

use serde_yaml::{Mapping, Value};

use crate::chart::Chart;
use crate::release::{self, Release};

/// `Capabilities.APIVersions`: the group/versions Helm 3.17.3's `helm template` lists without a
/// cluster (its Kubernetes client's scheme), in Helm's order, so that a chart choosing an API
/// with `APIVersions.Has` chooses what it chooses under Helm.
pub const BUILTIN_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
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
    m.insert(string("Service"), string(release.service.clone()));
    Value::Mapping(m)
}

/// `Chart.yaml` with Helm's field names (`apiVersion` -> `APIVersion`, `appVersion` ->
/// `AppVersion`). Every field of Helm's chart metadata is there, empty when `Chart.yaml` leaves
/// it out, as in Helm (`{{ Chart.Home }}` prints nothing rather than failing); maintainers and
/// dependencies get Helm's field names too.
pub fn chart_object(chart: &Chart) -> Value {
    // Helm's `chart.Metadata` string fields: a number or boolean written there is its text as
    // Go prints it (`appVersion: 1.0` is "1", `2.10` is "2.1").
    let strings = [
        "APIVersion",
        "Home",
        "Description",
        "Icon",
        "Condition",
        "Tags",
        "AppVersion",
        "KubeVersion",
        "Type",
    ];
    let mut m = Mapping::new();
    for (key, value) in &chart.chart_yaml {
        let Some(key) = key.as_str() else { continue };
        let name = helm_name(key);
        let value = match (key, value) {
            ("maintainers", _) => helm_fields(value, &[("url", "URL")]),
            ("dependencies", _) => helm_fields(value, &[("import-values", "ImportValues")]),
            _ => match crate::chart::scalar_text(value) {
                Some(text) if strings.contains(&name.as_str()) => string(text),
                _ => value.clone(),
            },
        };
        m.insert(string(name), value);
    }
    let lists = ["Sources", "Keywords", "Maintainers", "Dependencies"];
    let empty = strings
        .iter()
        .map(|f| (*f, string("")))
        .chain(lists.iter().map(|f| (*f, Value::Sequence(Vec::new()))))
        .chain([
            ("Deprecated", Value::Bool(false)),
            ("Annotations", Value::Mapping(Mapping::new())),
        ]);
    for (field, zero) in empty {
        let key = string(field);
        if !m.contains_key(&key) {
            m.insert(key, zero);
        }
    }
    m.insert(string("Name"), string(chart.name.clone()));
    m.insert(string("Version"), string(chart.version.clone()));
    Value::Mapping(m)
}

/// `apiVersion` -> `APIVersion`, `kubeVersion` -> `KubeVersion`, `import-values` ->
/// `ImportValues`: Go's exported field names.
fn helm_name(key: &str) -> String {
    match key {
        "apiVersion" => "APIVersion".to_string(),
        other => other
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                }
            })
            .collect(),
    }
}

/// A list of maps (maintainers, dependencies) with each key as Helm's struct names it.
fn helm_fields(value: &Value, special: &[(&str, &str)]) -> Value {
    let Value::Sequence(items) = value else {
        return value.clone();
    };
    let items = items
        .iter()
        .map(|item| match item {
            Value::Mapping(fields) => Value::Mapping(
                fields
                    .iter()
                    .map(|(k, v)| {
                        let name = k.as_str().map(|k| {
                            special
                                .iter()
                                .find(|(from, _)| *from == k)
                                .map_or_else(|| helm_name(k), |(_, to)| to.to_string())
                        });
                        (name.map_or_else(|| k.clone(), string), v.clone())
                    })
                    .collect(),
            ),
            other => other.clone(),
        })
        .collect();
    Value::Sequence(items)
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
    // The Helm whose output ktera renders: charts that check the Helm version see 3.17.3.
    let mut helm = Mapping::new();
    helm.insert(string("Version"), string("v3.17.3"));
    helm.insert(
        string("GitCommit"),
        string("e4da49785aa6e6ee2b86efd5dd9e43400318262b"),
    );
    helm.insert(string("GitTreeState"), string("clean"));
    helm.insert(string("GoVersion"), string("go1.23.7"));
    let mut m = Mapping::new();
    m.insert(string("KubeVersion"), Value::Mapping(kube));
    m.insert(string("APIVersions"), Value::Sequence(api_versions));
    m.insert(string("HelmVersion"), Value::Mapping(helm));
    Value::Mapping(m)
}

/// `Template`: `name` is the template's path from the chart's directory
/// (`backend/templates/deployment.yaml`), as Helm's `.Template.Name`.
pub fn template_object(chart_name: &str, name: &str) -> tera::Value {
    tera_map(&[
        ("Name", name),
        ("BasePath", &format!("{chart_name}/templates")),
    ])
}

/// A Tera map of `entries`, in their order, built as Tera's serializer builds a map: in place
/// (`Value::from` of a `tera::Map` builds the map a second time, and these are made for every
/// template rendered). A `tera::Value` among them is passed through as it is (a shared copy).
fn tera_map<V: serde::Serialize>(entries: &[(&str, V)]) -> tera::Value {
    struct Entries<'a, V>(&'a [(&'a str, V)]);
    impl<V: serde::Serialize> serde::Serialize for Entries<'_, V> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.0.iter().map(|(key, value)| (key, value)))
        }
    }
    // Cannot fail: every key is a string.
    tera::Value::try_from_serializable(&Entries(entries)).unwrap_or_else(|_| tera::Value::none())
}

/// `Root.Subcharts`: each enabled direct subchart's own objects, by its name (alias, else
/// chart name), as Helm's `.Subcharts`.
pub fn subcharts_object(
    subcharts: &[super::SubchartObject],
    release: &tera::Value,
    capabilities: &tera::Value,
) -> tera::Value {
    let mut out = tera::Map::new();
    for sub in subcharts {
        let mut objects = tera::Map::new();
        objects.insert("Values".into(), super::convert::to_tera(sub.values));
        objects.insert(
            "Chart".into(),
            super::convert::to_tera(&chart_object(sub.chart)),
        );
        objects.insert("Release".into(), release.clone());
        objects.insert("Capabilities".into(), capabilities.clone());
        out.insert(sub.name.to_string().into(), objects.into());
    }
    out.into()
}

/// `Root`: Helm's top-level object as one value (`Values`, `Release`, `Chart`, `Capabilities`,
/// `Template`, `Subcharts`), for what Helm passes `.` or `$` to as a whole.
pub fn root_object(context: &tera::Context, template: &tera::Value) -> tera::Value {
    let mut root = Vec::with_capacity(6);
    for name in ["Values", "Release", "Chart", "Capabilities", "Subcharts"] {
        if let Some(value) = context.get(name) {
            root.push((name, value));
        }
    }
    root.push(("Template", template));
    tera_map(&root)
}
