//! `ktera convert HELM_CHART OUT_DIR [--force] [--verify ...]`: converts a Helm chart into a
//! ktera chart (written all or nothing), prints the report, and with `--verify` renders both
//! charts (Helm's with real Helm) and compares them as `ktera diff` does.

use std::io::Read;
use std::path::Path;

use super::ExitStatus;
use crate::cli::{ColorChoice, ConvertArgs, OutputFormat};
use crate::convert::{chart, report, source, verify};
use crate::diff::ReportOptions;
use crate::error::{Error, ErrorKind};
use crate::release::{self, Release};
use crate::values::ValueSources;

/// Converts and prints the report; with `--verify`, the status says whether Helm's output and
/// ktera's are equal. Errors: a chart that cannot be converted (1), a usage error or no Helm
/// for `--verify` (2).
pub fn run(args: &ConvertArgs, color: ColorChoice) -> Result<ExitStatus, Error> {
    let values = ValueSources::from(&args.values);
    let has_values = !(values.files.is_empty()
        && values.set.is_empty()
        && values.set_string.is_empty()
        && values.set_file.is_empty()
        && values.set_json.is_empty());
    if has_values && !args.verify {
        return Err(Error::usage(
            "value flags (-f, --set, ...) are for --verify: the conversion itself keeps values.yaml as it is",
        ));
    }
    if args.out_dir.exists() && !args.force {
        return Err(Error::usage(format!("{} exists", args.out_dir.display())).with_hint(
            "pass --force to replace it, or name a directory that does not exist; nothing was written",
        ));
    }
    refuse_overlap(&args.chart, &args.out_dir)?;
    let release = if args.verify {
        Some(verify_release(args)?)
    } else {
        None
    };

    let files = source::read(&args.chart)?;
    let conversion = chart::convert(&files)?;
    crate::output::tree::write_dir(&args.out_dir, &conversion.files, args.force)?;

    let input = args.chart.display().to_string();
    let output = args.out_dir.display().to_string();
    match args.output {
        OutputFormat::Text => super::print(&report::text(&conversion, &input, &output))?,
        OutputFormat::Json if !args.verify => {
            let json = report::json(&conversion, &input, &output);
            super::print(&format!("{json:#}\n"))?;
        }
        OutputFormat::Json => {}
    }
    let Some(release) = release else {
        return Ok(ExitStatus::Success);
    };
    let json_report =
        (args.output == OutputFormat::Json).then(|| report::json(&conversion, &input, &output));
    verify_converted(args, &release, values, json_report, color)
}

/// OUT_DIR must not be the chart, hold it, or lie inside it (`--force` would remove it).
fn refuse_overlap(chart: &Path, out_dir: &Path) -> Result<(), Error> {
    if crate::output::overlap(chart, out_dir) {
        let (chart, out) = (
            crate::output::resolved(chart),
            crate::output::resolved(out_dir),
        );
        return Err(Error::usage(format!(
            "{} and {} overlap: write the converted chart outside the Helm chart",
            chart.display(),
            out.display()
        )));
    }
    Ok(())
}

fn verify_release(args: &ConvertArgs) -> Result<Release, Error> {
    release::check_name(&args.name)?;
    let mut release = Release {
        name: args.name.clone(),
        namespace: args.namespace.clone(),
        api_versions: args.api_versions.clone(),
        service: "Helm".to_string(),
        ..Release::default()
    };
    if let Some(v) = &args.kube_version {
        release.kube_version =
            release::parse_kube_version(v).map_err(|e| e.prefixed("--kube-version"))?;
    }
    Ok(release)
}

/// Renders both sides and prints the comparison; 0 when equal.
fn verify_converted(
    args: &ConvertArgs,
    release: &Release,
    mut values: ValueSources,
    conversion_json: Option<serde_json::Value>,
    color: ColorChoice,
) -> Result<ExitStatus, Error> {
    // `-f -` is read once, for both renders.
    let mut stdin_text = None;
    let _stdin_file = if values.files.iter().any(|f| f == "-") {
        let mut text = Vec::new();
        std::io::stdin()
            .read_to_end(&mut text)
            .map_err(|e| Error::io(format!("cannot read standard input: {e}"), e))?;
        stdin_text = Some(String::from_utf8_lossy(&text).into_owned());
        let file = tempfile::NamedTempFile::new()
            .and_then(|f| std::fs::write(f.path(), &text).map(|()| f))
            .map_err(|e| Error::io(format!("cannot keep standard input: {e}"), e))?;
        let path = file.path().display().to_string();
        for f in values.files.iter_mut().filter(|f| *f == "-") {
            *f = path.clone();
        }
        Some(file)
    } else {
        None
    };
    let value_files = crate::values::value_file_texts(&args.values.values, stdin_text.as_deref())?;
    let value_findings = verify::values_file_findings(&value_files)?;
    let helm = verify::find_helm()?;
    let (helm_command, helm_docs) = verify::helm_template(&helm, &args.chart, release, &values)?;
    let rendered =
        crate::pipeline::render_chart(&args.out_dir, &values, release, &mut std::io::empty());
    let ktera_command = format!(
        "ktera template {} {} --namespace {} --release-service Helm",
        release.name,
        args.out_dir.display(),
        release.namespace
    );
    let rendered = match rendered {
        Ok(r) => r,
        Err(e) => {
            return Err(e.with_note(format!(
                "--verify: `{helm_command}` renders the Helm chart; the converted chart fails to render (not equal)"
            )));
        }
    };
    let ktera_docs = super::compare::chart_documents(&rendered);
    let report = verify::compare(&helm_docs, &ktera_docs);
    let options = ReportOptions {
        color: super::color::enabled(color, args.output),
        show_secrets: args.show_secrets,
    };
    match conversion_json {
        Some(conversion) => {
            let json = serde_json::json!({
                "conversion": conversion,
                "verify": {
                    "helm": helm_command,
                    "ktera": ktera_command,
                    "equal": report.is_equal(),
                    "report": report.to_json(&options),
                    "values_findings": value_findings.iter().map(report::finding_json).collect::<Vec<_>>(),
                }
            });
            super::print(&format!("{json:#}\n"))?;
        }
        None => {
            let counts = report.counts();
            let verdict = if report.is_equal() {
                "EQUAL"
            } else {
                "NOT EQUAL"
            };
            let mut out = format!(
                "\n--verify: {verdict}\n  {helm_command}\n  {ktera_command}\n  {} equal, {} changed, {} only in Helm's output, {} only in ktera's\n",
                counts.equal, counts.changed, counts.only_left, counts.only_right
            );
            if !value_findings.is_empty() {
                out.push_str(&format!(
                    "\nValues in -f files that Helm reads otherwise ({}):\n",
                    value_findings.len()
                ));
                for finding in &value_findings {
                    out.push_str(&format!("{finding}\n"));
                }
            }
            if !report.is_equal() {
                out.push('\n');
                let mut text = Vec::new();
                report.write_text(&options, &mut text).map_err(|e| {
                    Error::new(ErrorKind::Io, format!("cannot write the report: {e}"))
                })?;
                out.push_str(&String::from_utf8_lossy(&text));
            }
            super::print(&out)?;
        }
    }
    std::mem::forget(rendered.compiled);
    Ok(ExitStatus::success_if(report.is_equal()))
}
