//! `ktera lint`: render a chart and check the objects offline (see crate::lint).

use crate::cli::{LintArgs, OutputFormat};
use crate::lint::{self, LintOptions, Summary};

/// Exit code: 0 clean or warnings only, 1 errors (or warnings with --strict), 2 could not lint.
pub fn run(args: &LintArgs) -> i32 {
    match lint_chart(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            2
        }
    }
}

fn lint_chart(args: &LintArgs) -> Result<i32, String> {
    let release = super::release_from(&args.name, &args.release).map_err(|e| e.to_string())?;
    let opts = LintOptions {
        kube_version: release.kube_version.clone(),
        namespace: release.namespace.clone(),
    };
    // An unsupported version fails before the chart is rendered.
    lint::check(&[], &opts).map_err(|e| format!("--kube-version: {e}"))?;
    let rendered =
        super::render_with_flags(&args.chart, &args.values, &release).map_err(|e| e.to_string())?;
    let findings = lint::check(&rendered.manifests, &opts).map_err(|e| e.to_string())?;
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
    super::print(&report).map_err(|e| e.to_string())?;
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    Ok(i32::from(failed))
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
