//! `ktera template`: render a chart and print (or write) its manifests.

use super::ExitStatus;
use crate::cli::{ManifestFormat, TemplateArgs};
use crate::error::Error;
use crate::lint;
use crate::manifest::Manifest;
use crate::output;
use crate::pipeline;

pub fn run(args: &TemplateArgs) -> Result<ExitStatus, Error> {
    let (name, chart) = super::release_and_chart(&args.target)?;
    let release = super::release_from(&name, &args.release)?;
    let mut rendered = super::render_with_flags(&chart, &args.values, &release)?;
    if args.notes {
        match rendered.notes.as_deref() {
            Some(notes) => super::print(notes)?,
            // Nothing on standard output, as for an empty NOTES.txt, and the reason beside it.
            None => eprintln!(
                "note: chart {} has no templates/NOTES.txt; --notes prints nothing",
                rendered.chart.name
            ),
        }
        return Ok(ExitStatus::Success);
    }
    if args.validate {
        let locations = super::lint::schema_locations(&args.schema_locations)?;
        validate(&rendered, &release, locations)?;
    }
    let mut manifests = select(&mut rendered, &args.show_only)?;
    let drop_hook =
        |m: &Manifest| (args.no_hooks && m.is_hook()) || (args.skip_tests && m.is_test_hook());
    manifests.retain(|m| !drop_hook(m));
    if args.include_crds && args.show_only.is_empty() {
        manifests.splice(0..0, rendered.crds.iter().cloned());
    }

    let result = match &args.output_dir {
        Some(dir) => {
            let files = output::files_for(&manifests);
            let written = output::write_all(dir, &files)?;
            let mut report = String::new();
            for path in written {
                report.push_str(&format!("wrote {}\n", path.display()));
            }
            super::print(&report)
        }
        None => match args.output {
            ManifestFormat::Yaml => super::print(&output::stream(&manifests)),
            ManifestFormat::Json => super::print(&output::json_list(&manifests)),
        },
    };
    // The process ends next and the system reclaims the memory: freeing every parsed object
    // and compiled template one by one would only cost time.
    std::mem::forget((manifests, rendered));
    result.map(|()| ExitStatus::Success)
}

/// `--validate`: lints every rendered object (not only `--show-only` ones, so references
/// between objects are checked); findings go to standard error, errors fail the run.
fn validate(
    rendered: &pipeline::Output,
    release: &crate::release::Release,
    schema_locations: Vec<lint::SchemaLocation>,
) -> Result<(), Error> {
    let options = lint::LintOptions {
        kube_version: release.kube_version.clone(),
        namespace: release.namespace.clone(),
        schema_locations,
    };
    if let Some(note) = lint::schemas_for(&options.kube_version).note {
        eprintln!("{note}");
    }
    let findings = lint::check(&rendered.manifests, &rendered.crds, &options)
        .map_err(|e| e.prefixed("--validate"))?;
    eprint!("{}", lint::format_text(&findings));
    let errors = findings
        .iter()
        .filter(|f| f.severity == lint::Severity::Error)
        .count();
    if errors > 0 {
        return Err(Error::input(format!(
            "--validate: {errors} error(s) in the rendered objects; nothing was printed"
        )));
    }
    Ok(())
}

/// Applies `--show-only`: each path (`templates/service.yaml`, optionally prefixed by the chart
/// name) must name a template of the chart.
fn select(rendered: &mut pipeline::Output, show_only: &[String]) -> Result<Vec<Manifest>, Error> {
    if show_only.is_empty() {
        // Moved, not cloned: copying every object costs as much as emitting it.
        return Ok(std::mem::take(&mut rendered.manifests));
    }
    let chart = &rendered.chart;
    let mut wanted = Vec::new();
    for path in show_only {
        let path = path.trim_start_matches("./");
        let relative = path
            .strip_prefix(&format!("{}/", chart.name))
            .unwrap_or(path);
        let name = relative.strip_prefix("templates/").unwrap_or(relative);
        if !chart.templates.iter().any(|t| t.name == name) {
            let known: Vec<String> = chart
                .templates
                .iter()
                .filter(|t| !t.is_partial())
                .map(|t| format!("templates/{}", t.name))
                .collect();
            return Err(Error::usage(format!(
                "--show-only {path}: the chart has no such template; its templates are: {}",
                known.join(", ")
            )));
        }
        wanted.push(name.to_string());
    }
    Ok(rendered
        .manifests
        .iter()
        .filter(|m| wanted.contains(&m.template_name))
        .cloned()
        .collect())
}
