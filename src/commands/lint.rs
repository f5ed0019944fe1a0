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
    };
    // An unsupported version fails before the chart is rendered.
    lint::check(&[], &opts).map_err(|e| e.prefixed("--kube-version"))?;
    let rendered = super::render_with_flags(&chart, &args.values, &release)?;
    let findings = lint::check(&rendered.manifests, &opts)?;
    let summary = Summary::of(&findings);
    let objects = rendered.manifests.len();
    let report = match args.output {
        OutputFormat::Json => lint::format_json(&findings, &opts.kube_version, objects),
        OutputFormat::Text => {
            let mut text = lint::format_text(&findings);
            if !findings.is_empty() {
                text.push('\n');
            }
            text.push_str(&format!(
                "{} checked against Kubernetes v{}: {summary}\n",
                plural(objects, "object"),
                opts.kube_version
            ));
            text
        }
    };
    super::print(&report)?;
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    Ok(ExitStatus::success_if(!failed))
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
