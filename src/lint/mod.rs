//! `ktera lint`: offline validation of rendered objects, against the Kubernetes API schemas of
//! one version ([`schema`], shipped in schemas/), the chart's CRDs and `--schema-location`
//! files, and against each other ([`semantic`]: names, labels, identities, Service selectors
//! and ports, Ingress backends, ConfigMap and Secret references, image references, resources
//! and probes). `ktera template --validate` runs the same.

mod finding;
mod report;
pub mod schema;
mod semantic;
pub mod values;

pub use finding::{Finding, Severity, ValuesPlace};
pub use report::{Summary, format_json, format_text};
pub use schema::location::SchemaLocation;
pub use schema::store::{Choice as SchemaChoice, nearest as schemas_for};
pub use schema::supported_versions;

use crate::error::Error;
use crate::manifest::Manifest;
use finding::Findings;

/// What to check against.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// Kubernetes version whose API schemas apply (any patch of a supported minor; outside the
    /// shipped range, the nearest shipped minor: see [`schemas_for`]).
    pub kube_version: semver::Version,
    /// Namespace of objects that set none (the release namespace, `-n`).
    pub namespace: String,
    /// Where JSON Schemas of custom resources are looked up (`--schema-location`), in order,
    /// after the chart's own CRDs.
    pub schema_locations: Vec<SchemaLocation>,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            kube_version: semver::Version::new(1, 32, 0),
            namespace: "default".into(),
            schema_locations: Vec::new(),
        }
    }
}

/// Checks rendered manifests; `crds` are the chart's `crds/` documents (their schemas apply to
/// custom resources; they are not checked themselves). Findings come in manifest order, each
/// object's together. Fails when a `--schema-location` file cannot be used, or the shipped
/// schemas cannot be read (a broken build).
pub fn check(
    manifests: &[Manifest],
    crds: &[Manifest],
    opts: &LintOptions,
) -> Result<Vec<Finding>, Error> {
    let schemas = schema::Schemas::for_version(&opts.kube_version)?;
    let mut catalog = schema::location::Catalog::new(&opts.schema_locations, &opts.kube_version);
    let mut findings = Findings::default();
    schema::check(manifests, crds, schemas, &mut catalog, &mut findings)?;
    semantic::check(manifests, &opts.namespace, &mut findings);
    Ok(findings.into_sorted())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifests(yaml: &str) -> Vec<Manifest> {
        serde_yaml::Deserializer::from_str(yaml)
            .map(|doc| {
                let value = <serde_yaml::Value as serde::Deserialize>::deserialize(doc).unwrap();
                Manifest {
                    source_name: "app/templates/all.yaml".into(),
                    template_name: "all.yaml".into(),
                    kind: value["kind"].as_str().unwrap_or_default().into(),
                    value,
                }
            })
            .collect()
    }

    const APP: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: \"3\"
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{name: http, containerPort: 8080}]
          resources: {requests: {cpu: 10m}, limits: {memory: 64Mi}}
          livenessProbe: {tcpSocket: {port: http}}
          readinessProbe: {tcpSocket: {port: http}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
";

    #[test]
    fn check_reports_in_manifest_order_with_identity_and_path() {
        let found = check(&manifests(APP), &[], &LintOptions::default()).unwrap();
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.path, "spec.replicas");
        assert_eq!(f.source, "app/templates/all.yaml");
        assert_eq!(
            f.id.as_ref().map(ToString::to_string).as_deref(),
            Some("apps/Deployment web")
        );
        let text = format_text(&found);
        assert_eq!(
            text,
            "ERROR apps/Deployment web: spec.replicas: expected an integer, got string \"3\" (app/templates/all.yaml)\n"
        );
    }

    #[test]
    fn every_supported_version_accepts_a_valid_app() {
        let fixed = APP.replace("\"3\"", "3");
        for version in supported_versions() {
            let opts = LintOptions {
                kube_version: semver::Version::parse(&format!("{}.0", &version[1..])).unwrap(),
                ..LintOptions::default()
            };
            let found = check(&manifests(&fixed), &[], &opts).unwrap();
            assert!(found.is_empty(), "{version}: {found:#?}");
        }
    }

    /// A Pod that is not restarted (a `helm test` hook) runs to completion, as a Job does, and
    /// wants no probes; one that is restarted runs on and does.
    #[test]
    fn probes_are_expected_of_pods_that_run_on() {
        let pod = |policy: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: t}}\nspec:\n  restartPolicy: {policy}\n  containers:\n    - name: wget\n      image: busybox:1.37\n      resources: {{limits: {{memory: 16Mi}}}}\n"
            )
        };
        for policy in ["Never", "OnFailure"] {
            let found = check(&manifests(&pod(policy)), &[], &LintOptions::default()).unwrap();
            assert!(found.is_empty(), "{policy}: {found:#?}");
        }
        let found = check(&manifests(&pod("Always")), &[], &LintOptions::default()).unwrap();
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.containers[name=wget].livenessProbe",
                "spec.containers[name=wget].readinessProbe"
            ]
        );
    }

    #[test]
    fn a_version_past_the_shipped_ones_is_checked_against_the_newest() {
        let opts = LintOptions {
            kube_version: semver::Version::new(1, 99, 0),
            ..LintOptions::default()
        };
        let found = check(&manifests(APP), &[], &opts).unwrap();
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].path, "spec.replicas");
        assert!(schemas_for(&opts.kube_version).note.is_some());
    }
}
