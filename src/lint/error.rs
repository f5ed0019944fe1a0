//! Why `ktera lint` could not check at all (as opposed to what it found).

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error(
        "no Kubernetes schemas for version {requested}: ktera ships schemas for {supported}\n  hint: pass one of these with --kube-version (any patch release of a supported minor works)"
    )]
    UnsupportedVersion {
        requested: String,
        supported: String,
    },
    #[error(
        "the shipped schemas for Kubernetes {version} ({file}) cannot be read: {reason}\n  hint: this is a bug in the build; scripts/refresh-schemas regenerates schemas/"
    )]
    BrokenSchema {
        version: String,
        file: String,
        reason: String,
    },
}
