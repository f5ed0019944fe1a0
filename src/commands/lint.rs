//! `ktera lint`: render a chart and check the objects offline (see crate::lint).

use super::ExitStatus;
use crate::cli::{LintArgs, OutputFormat};
use crate::error::Error;
use crate::lint::{self, LintOptions, Summary};

/// Prints the findings; fails on errors (or warnings with --strict).
pub fn run(args: &LintArgs) -> Result<ExitStatus, Error> {
    let (name, chart) = super::release_and_chart(&args.target)?;
    let release = super::release_from(&name, &args.release)?;
    let opts = LintOptions {
        kube_version: release.kube_version.clone(),
        namespace: release.namespace.clone(),
        schema_locations: schema_locations(&args.schema_locations)?,
    };
    // Said before rendering, in text and JSON alike (standard output stays a report).
    let schemas = lint::schemas_for(&opts.kube_version);
    if let Some(note) = &schemas.note {
        eprintln!("{note}");
    }
    let (rendered, values_files) = super::render_reading_values(&chart, &args.values, &release)?;
    let mut findings = lint::values::check(&values_files)?;
    findings.extend(lint::check(&rendered.manifests, &rendered.crds, &opts)?);
    let summary = Summary::of(&findings);
    let objects = rendered.manifests.len();
    let report = match args.output {
        OutputFormat::Json => {
            lint::format_json(&findings, &opts.kube_version, &schemas.minor, objects)
        }
        OutputFormat::Text => {
            let mut text = lint::format_text(&findings);
            if !findings.is_empty() {
                text.push('\n');
            }
            let against = match schemas.note {
                None => format!("Kubernetes v{}", opts.kube_version),
                Some(_) => format!(
                    "the Kubernetes {} schemas (for v{})",
                    schemas.minor, opts.kube_version
                ),
            };
            text.push_str(&format!(
                "{} checked against {against}: {summary}\n",
                plural(objects, "object"),
            ));
            text
        }
    };
    super::print(&report)?;
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    Ok(ExitStatus::success_if(!failed))
}

/// `--schema-location` values, checked before anything is rendered.
pub fn schema_locations(given: &[String]) -> Result<Vec<lint::SchemaLocation>, Error> {
    given
        .iter()
        .map(|text| lint::SchemaLocation::parse(text))
        .collect()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
