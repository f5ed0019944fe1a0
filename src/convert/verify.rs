//! `ktera convert --verify`: the Helm chart rendered by real Helm and the converted chart by
//! ktera, with the same release, Kubernetes version and values (`Release.Service` set to
//! `Helm` on ktera's side, as Helm renders it), compared as `ktera diff` compares.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::emit::Finding;
use crate::diff::{self, Document, Report};
use crate::error::{Error, ErrorKind};
use crate::release::Release;
use crate::values::ValueSources;

/// Helm: `$HELM` when set, else `helm` on `PATH`.
pub fn find_helm() -> Result<PathBuf, Error> {
    if let Some(path) = std::env::var_os("HELM").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("helm"))
                .find(|candidate| candidate.is_file())
        })
        .ok_or_else(|| {
            Error::usage("--verify needs Helm, and none was found ($HELM is not set and `helm` is not on PATH)")
                .with_hint("install Helm 3 (https://helm.sh/docs/intro/install/) or set HELM=/path/to/helm; the chart was converted all the same")
        })
}

/// The command line `helm template` is run with, for the report and to run it.
pub fn helm_arguments(chart: &Path, release: &Release, values: &ValueSources) -> Vec<String> {
    let mut args = vec![
        "template".to_string(),
        release.name.clone(),
        chart.display().to_string(),
        "--namespace".to_string(),
        release.namespace.clone(),
        "--kube-version".to_string(),
        format!("v{}", release.kube_version),
    ];
    for v in &release.api_versions {
        args.extend(["--api-versions".to_string(), v.clone()]);
    }
    let flags: [(&str, &Vec<String>); 5] = [
        ("--values", &values.files),
        ("--set", &values.set),
        ("--set-string", &values.set_string),
        ("--set-file", &values.set_file),
        ("--set-json", &values.set_json),
    ];
    for (flag, list) in flags {
        for item in list {
            args.extend([flag.to_string(), item.clone()]);
        }
    }
    args
}

/// Runs `helm template` and reads what it prints.
pub fn helm_template(
    helm: &Path,
    chart: &Path,
    release: &Release,
    values: &ValueSources,
) -> Result<(String, Vec<Document>), Error> {
    let args = helm_arguments(chart, release, values);
    let command = format!("{} {}", helm.display(), args.join(" "));
    let output = Command::new(helm).args(&args).output().map_err(|e| {
        Error::io(format!("`{command}` could not start: {e}"), e)
            .with_hint("check that $HELM or `helm` on PATH is a Helm 3 binary")
    })?;
    if !output.status.success() {
        return Err(Error::new(
            ErrorKind::Input,
            format!("`{command}` failed ({}):", output.status),
        )
        .with_snippet(String::from_utf8_lossy(&output.stderr).trim_end())
        .with_hint("Helm cannot render the original chart with these values; fix that first (ktera cannot prove anything Helm refuses)"));
    }
    let text = String::from_utf8(output.stdout).map_err(|_| {
        Error::new(
            ErrorKind::Io,
            format!("`{command}` printed output that is not UTF-8 text"),
        )
    })?;
    let documents = diff::parse_manifests(&text, "helm template").map_err(|e| {
        e.prefixed(&format!(
            "`{command}` printed output that cannot be compared"
        ))
    })?;
    Ok((command, documents))
}

/// The plain YAML 1.1 booleans (`enabled: no`) of the `-f` files, given as (name, text), each
/// where it stands, as the conversion reports those of values.yaml: Helm reads them as
/// booleans, the converted chart as strings.
pub fn values_file_findings(files: &[(String, String)]) -> Result<Vec<Finding>, Error> {
    Ok(crate::values::yaml11_booleans_in_files(files)?
        .into_iter()
        .map(|(file, b)| super::chart::yaml11_finding(&file, &b))
        .collect())
}

/// Helm's documents against ktera's.
pub fn compare(helm: &[Document], ktera: &[Document]) -> Report {
    diff::compare(helm, ktera).with_labels("helm template", "ktera template")
}
