//! `ktera lint`: offline validation of rendered objects, against the Kubernetes API schemas of
//! one version ([`schema`], shipped in schemas/) and against each other ([`semantic`]: names,
//! labels, identities, Service selectors and ports, Ingress backends, ConfigMap and Secret
//! references, image tags, resources and probes). `ktera template --validate` runs the same.

mod error;
mod finding;
mod path;
mod report;
pub mod schema;
mod semantic;

pub use error::LintError;
pub use finding::{Finding, Severity};
pub use report::{Summary, format_json, format_text};
pub use schema::supported_versions;

use crate::manifest::Manifest;
use finding::Findings;

/// What to check against.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// Kubernetes version whose API schemas apply (any patch of a supported minor).
    pub kube_version: semver::Version,
    /// Namespace of objects that set none (the release namespace, `-n`).
    pub namespace: String,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            kube_version: semver::Version::new(1, 32, 0),
            namespace: "default".into(),
        }
    }
}

/// Checks rendered manifests; findings come in manifest order, each object's together.
/// Fails only when the version has no shipped schemas.
pub fn check(manifests: &[Manifest], opts: &LintOptions) -> Result<Vec<Finding>, LintError> {
    let schemas = schema::Schemas::for_version(&opts.kube_version)?;
    let mut findings = Findings::default();
    schema::check(manifests, schemas, &mut findings);
    semantic::check(manifests, &opts.namespace, &mut findings);
    Ok(findings.into_sorted())
}
