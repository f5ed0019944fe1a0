//! The release a chart is rendered for, as Helm models it: its name (Helm's rule), namespace,
//! revision and the service that renders it, and the Kubernetes version of the cluster it
//! would be installed in.

use crate::error::Error;

/// `Release.Service` in templates unless set (`--release-service`, `releaseService:` in
/// ktera.yaml); Helm says `Helm`.
pub const SERVICE: &str = "ktera";
/// `Release.Revision`: ktera renders a first install, as `helm template` does.
pub const REVISION: u64 = 1;

/// What the chart is rendered for: the release and the cluster it would be installed in.
#[derive(Debug, Clone)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    /// `v1.31.0`; checked with [`parse_kube_version`].
    pub kube_version: semver::Version,
    /// Extra entries for `Capabilities.APIVersions` (`-a`).
    pub api_versions: Vec<String>,
    /// `Release.Service`: what renders the release (the `app.kubernetes.io/managed-by` label
    /// of most charts). [`SERVICE`] unless set; `Helm` keeps a chart's output as Helm's.
    pub service: String,
}

impl Default for Release {
    /// `release-name` in `default`, for Kubernetes v1.32.0 (what `--kube-version` defaults to).
    fn default() -> Self {
        Release {
            name: "release-name".into(),
            namespace: "default".into(),
            kube_version: semver::Version::new(1, 32, 0),
            api_versions: Vec::new(),
            service: SERVICE.to_string(),
        }
    }
}

/// Helm's rule for release names: at most 53 characters of lowercase letters, digits, `-` and
/// `.`, starting and ending with a letter or digit (it becomes part of object names).
pub fn check_name(name: &str) -> Result<(), Error> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let valid_ends = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if name.is_empty() || name.len() > 53 || !valid_chars || !valid_ends {
        return Err(Error::usage(format!(
            "invalid release name `{name}`: use at most 53 lowercase letters, digits, `-` or `.`, starting and ending with a letter or digit"
        )));
    }
    Ok(())
}

/// `Release.Service` may be any name, but not an empty one (it becomes a label value).
pub fn check_service(service: &str) -> Result<(), Error> {
    if service.trim().is_empty() {
        return Err(Error::usage(
            "the release service is empty; name what renders the release, e.g. `ktera` or `Helm`",
        ));
    }
    Ok(())
}

/// Accepts `1.31`, `v1.31`, `1.31.2`, `v1.31.2-eks-1`; returns what went wrong otherwise.
pub fn parse_kube_version(text: &str) -> Result<semver::Version, Error> {
    let trimmed = text.trim().trim_start_matches('v');
    let full = match trimmed.matches('.').count() {
        1 => format!("{trimmed}.0"),
        _ => trimmed.to_string(),
    };
    semver::Version::parse(&full).map_err(|e| {
        Error::usage(format!(
            "`{text}` is not a Kubernetes version ({e}); write it like `v1.31.0` or `1.31`"
        ))
    })
}
