//! `ktera compare`: render a chart and compare it with a Kustomize overlay or a stored file,
//! reported as `ktera diff` reports, after a one-screen summary.

use super::ExitStatus;
use crate::cli::{ColorChoice, CompareArgs, OutputFormat};
use crate::diff::{self, Document, ReportOptions};
use crate::error::{Error, ErrorKind};
use crate::kustomize;

/// Prints the summary and the report; the status says whether the sides are equal (as `diff`).
pub fn run(args: &CompareArgs, color: ColorChoice) -> Result<ExitStatus, Error> {
    let (name, chart) = super::release_and_chart(&args.target)?;
    let release = super::release_from(&name, &args.release)?;
    let rendered = super::render_with_flags(&chart, &args.values, &release)?;
    let left = chart_documents(&rendered);
    let chart_label = format!("ktera template {}", chart.display());

    let (right_label, right) = match (&args.kustomize, &args.golden) {
        (Some(dir), _) => {
            let text = kustomize::build(dir)?;
            let origin = kustomize::command_line(dir);
            let docs = diff::parse_manifests(&text, &origin)?;
            (origin, docs)
        }
        (None, Some(file)) => {
            let docs = diff::load_side(&file.display().to_string(), &mut std::io::stdin().lock())?;
            (file.display().to_string(), docs)
        }
        (None, None) => {
            return Err(Error::usage(
                "compare needs --kustomize DIR or --golden FILE",
            ));
        }
    };

    let report = diff::compare(&left, &right);
    let options = ReportOptions {
        color: super::color::enabled(color, args.output),
        show_secrets: args.show_secrets,
    };
    let mut out = Vec::new();
    match args.output {
        OutputFormat::Json => {
            let json = serde_json::json!({
                "left": chart_label,
                "right": right_label,
                "report": report.to_json(&options),
            });
            let text = serde_json::to_string_pretty(&json).map_err(|e| {
                Error::new(ErrorKind::Io, format!("cannot write the JSON report: {e}"))
            })?;
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
        }
        OutputFormat::Text => {
            let other = if args.kustomize.is_some() {
                "kustomize"
            } else {
                "the file"
            };
            write_text(
                &report,
                &chart_label,
                &right_label,
                other,
                &options,
                &mut out,
            )?;
        }
    }
    super::print(&String::from_utf8_lossy(&out))?;
    Ok(ExitStatus::success_if(report.is_equal()))
}

/// The rendered chart's objects, as `compare` pairs them: the items of a `kind: List` each on
/// its own, as the other side's are read (`diff::parse_manifests`).
pub(crate) fn chart_documents(rendered: &crate::pipeline::Output) -> Vec<Document> {
    let mut documents = Vec::with_capacity(rendered.manifests.len());
    for m in &rendered.manifests {
        let mut value = m.value.clone();
        match diff::list_items(&mut value) {
            Some(items) => documents.extend(
                items
                    .into_iter()
                    .enumerate()
                    .filter(|(_, item)| !item.is_null())
                    .map(|(i, item)| Document::new(item, format!("{} items[{i}]", m.source_name))),
            ),
            None => documents.push(Document::new(value, m.source_name.clone())),
        }
    }
    documents
}

/// The text report: a one-screen summary (`EQUAL: ... vs ...`, the counts), then, when the
/// sides differ, every difference as `ktera diff` reports it. `other` names the right side in
/// the counts (`kustomize`, `the file`).
pub(crate) fn write_text(
    report: &diff::Report,
    chart_label: &str,
    right_label: &str,
    other: &str,
    options: &ReportOptions,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let counts = report.counts();
    let verdict = if report.is_equal() {
        "EQUAL"
    } else {
        "DIFFERENT"
    };
    let summary = format!(
        "{verdict}: {chart_label} vs {right_label}\n  {} equal, {} changed, {} only in the chart, {} only in {other}\n",
        counts.equal, counts.changed, counts.only_left, counts.only_right,
    );
    out.extend_from_slice(summary.as_bytes());
    if !report.is_equal() {
        out.push(b'\n');
        report
            .write_text(options, out)
            .map_err(|e| Error::io(e.to_string(), e))?;
    }
    Ok(())
}
