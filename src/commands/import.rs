//! `ktera import`: Kustomize overlays -> a chart and `values/<env>.yaml` that render the same
//! objects (see [`crate::import`]), then, for every environment, the comparison
//! `ktera compare CHART -f values/<env>.yaml --kustomize <overlay>` makes, against the builds
//! the chart was made from.

use super::ExitStatus;
use crate::cli::{ColorChoice, ImportArgs, OutputFormat, ReleaseFlags};
use crate::diff::{self, ReportOptions};
use crate::error::Error;
use crate::import::{self, Request};
use crate::pipeline;
use crate::values::ValueSources;

/// Writes the chart and the values files, then prints each environment's comparison. An
/// environment that does not compare equal is an error: the chart would silently differ.
pub fn run(args: &ImportArgs, color: ColorChoice) -> Result<ExitStatus, Error> {
    let overlays = args
        .overlays
        .iter()
        .map(|arg| import::parse_overlay(arg))
        .collect::<Result<Vec<_>, _>>()?;
    let request = Request {
        chart: args.chart.clone(),
        values_dir: args.values_dir.clone(),
        name: args.name.clone(),
        overlays,
    };
    import::check_all(&request.overlays)?;
    let overlay_dirs: Vec<_> = request.overlays.iter().map(|o| o.dir.clone()).collect();
    import::check_targets(
        &request.chart,
        &request.values_files(),
        &overlay_dirs,
        args.force,
    )?;
    let plan = import::plan(&request)?;
    import::write(&plan, args.force)?;
    let templates = plan
        .chart_files
        .iter()
        .filter(|(p, _)| p.starts_with("templates") && p.extension().is_some_and(|e| e == "yaml"))
        .count();
    let values: Vec<String> = plan
        .values_files
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    eprintln!(
        "wrote {} ({templates} templates) and {}",
        plan.chart.display(),
        values.join(", ")
    );
    for note in &plan.notes {
        eprintln!("note: {note}");
    }

    let release = compare_release()?;
    let options = ReportOptions {
        color: super::color::enabled(color, OutputFormat::Text),
        show_secrets: false,
    };
    let mut out = Vec::new();
    let mut equal = true;
    for (build, (values_file, _)) in plan.builds.iter().zip(&plan.values_files) {
        let sources = ValueSources {
            files: vec![values_file.display().to_string()],
            ..ValueSources::default()
        };
        let rendered =
            pipeline::render_chart(&plan.chart, &sources, &release, &mut std::io::empty())?;
        let left = super::compare::chart_documents(&rendered);
        let report = diff::compare(&left, &build.documents);
        equal &= report.is_equal();
        let chart_label = format!(
            "ktera template {} -f {}",
            plan.chart.display(),
            values_file.display()
        );
        super::compare::write_text(
            &report,
            &chart_label,
            &build.command,
            "kustomize",
            &options,
            &mut out,
        )?;
    }
    super::print(&String::from_utf8_lossy(&out))?;
    if !equal {
        return Err(Error::input(format!(
            "the chart written to {} does not render what Kustomize builds in every environment (the differences are above)",
            plan.chart.display()
        ))
        .with_hint("this is a bug in ktera import: please report it with the overlays"));
    }
    Ok(ExitStatus::Success)
}

/// The release `ktera compare` renders for when given no release flags: the release flags'
/// own defaults, read from their definition so that the two cannot drift apart.
fn compare_release() -> Result<crate::release::Release, Error> {
    #[derive(clap::Parser)]
    struct Defaults {
        #[command(flatten)]
        release: ReleaseFlags,
    }
    let flags = <Defaults as clap::Parser>::try_parse_from(["ktera"])
        .map_err(|e| {
            Error::usage(format!("the release flags' defaults do not parse: {e}"))
                .with_hint("this is a bug in ktera: please report it")
        })?
        .release;
    super::release_from("release-name", &flags)
}
