//! `ktera version` (and `--version`): what was built, from which commit, with which Tera, and
//! which Kubernetes versions `lint` and `--validate` know (the schemas built into the binary).

use super::ExitStatus;
use crate::cli::{OutputFormat, VersionArgs};
use crate::error::{Error, ErrorKind};
use crate::lint::schema::supported_versions;
use crate::release::Release;

/// The facts, set at build time by build.rs (`unknown` where it could not tell).
const VERSION: &str = env!("CARGO_PKG_VERSION");
const COMMIT: &str = env!("KTERA_GIT_COMMIT");
const COMMIT_DATE: &str = env!("KTERA_GIT_COMMIT_DATE");
const TERA: &str = env!("KTERA_TERA_VERSION");

pub fn run(args: &VersionArgs) -> Result<ExitStatus, Error> {
    let text = match args.output {
        OutputFormat::Text => format!("ktera {}\n", text()),
        OutputFormat::Json => {
            let json = serde_json::to_string_pretty(&json()).map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    format!("cannot print the version as JSON: {e}"),
                )
            })?;
            format!("{json}\n")
        }
    };
    super::print(&text)?;
    Ok(ExitStatus::Success)
}

/// `0.1.0` and a line per fact: what `ktera version` prints after `ktera `, and what clap
/// prints for `-V` and `--version`.
pub fn text() -> String {
    let commit = if COMMIT_DATE.is_empty() {
        COMMIT.to_string()
    } else {
        format!("{COMMIT} ({COMMIT_DATE})")
    };
    let (oldest, newest) = schema_range();
    format!(
        "{VERSION}\ncommit: {commit}\ntera: {TERA}\nkubernetes schemas: {oldest} to {newest} (default {})",
        default_kube_version()
    )
}

fn json() -> serde_json::Value {
    let (oldest, newest) = schema_range();
    serde_json::json!({
        "version": VERSION,
        "commit": COMMIT,
        "commitDate": COMMIT_DATE,
        "tera": TERA,
        "kubernetesSchemas": {
            "oldest": oldest,
            "newest": newest,
            "default": default_kube_version(),
        },
    })
}

/// The oldest and newest Kubernetes minor with shipped schemas (`v1.30`, `v1.36`).
fn schema_range() -> (String, String) {
    let versions = supported_versions();
    let oldest = versions.first().cloned().unwrap_or_default();
    let newest = versions.last().cloned().unwrap_or_default();
    (oldest, newest)
}

fn default_kube_version() -> String {
    let version = Release::default().kube_version;
    format!("v{}.{}", version.major, version.minor)
}
