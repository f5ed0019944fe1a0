//! `ktera template`: render a chart and print (or write) its manifests.

use super::ExitStatus;
use crate::chart::Chart;
use crate::cli::{ManifestFormat, TemplateArgs};
use crate::error::Error;
use crate::lint;
use crate::manifest::{self, Manifest, ShowOnly};
use crate::output;
use crate::pipeline;

pub fn run(args: &TemplateArgs) -> Result<ExitStatus, Error> {
    let (name, chart) = super::release_and_chart(&args.target)?;
    let release = super::release_from(&name, &args.release)?;
    // `--validate` also checks the values files themselves, so it reads their text.
    let (mut rendered, values_files) = if args.validate {
        super::render_reading_values(&chart, &args.values, &release)?
    } else {
        (
            super::render_with_flags(&chart, &args.values, &release)?,
            Vec::new(),
        )
    };
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
        validate(&rendered, &values_files, &release, locations)?;
    }
    let manifests = printed(&mut rendered, args)?;

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

/// `--validate`: lints the values files and every rendered object (not only `--show-only` ones,
/// so references between objects are checked); findings go to standard error, errors fail the
/// run.
fn validate(
    rendered: &pipeline::Output,
    values_files: &[(String, String)],
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
    let mut findings = lint::values::check(values_files)?;
    findings.extend(
        lint::check(&rendered.manifests, &rendered.crds, &options)
            .map_err(|e| e.prefixed("--validate"))?,
    );
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

/// The documents to print: the chart's CRDs first with `--include-crds`, then the rendered
/// documents less the hooks `--no-hooks` and `--skip-tests` leave out; of those, with
/// `--show-only`, the ones its patterns pick (Helm matches them against the same documents).
fn printed(rendered: &mut pipeline::Output, args: &TemplateArgs) -> Result<Vec<Manifest>, Error> {
    let patterns = args
        .show_only
        .iter()
        .map(|pattern| ShowOnly::new(pattern))
        .collect::<Result<Vec<_>, _>>()?;
    // Moved, not cloned: copying every object costs as much as emitting it.
    let mut manifests = std::mem::take(&mut rendered.manifests);
    let left_out: Vec<(String, &str)> = manifests
        .iter()
        .filter_map(|m| left_out_by(m, args).map(|flag| (m.source_name.clone(), flag)))
        .collect();
    if !left_out.is_empty() {
        manifests.retain(|m| left_out_by(m, args).is_none());
    }
    if args.include_crds {
        manifests.splice(0..0, rendered.crds.iter().cloned());
    }
    if patterns.is_empty() {
        return Ok(manifests);
    }
    let mut picked = manifest::select(&manifests, &patterns).map_err(|unmatched| {
        let context = Printable {
            chart: &rendered.chart,
            manifests: &manifests,
            left_out: &left_out,
            include_crds: args.include_crds,
        };
        no_match(&unmatched.pattern, &context)
    })?;
    // A document two patterns pick is printed twice, as Helm prints it; written to a file, once.
    if args.output_dir.is_some() {
        let mut seen = std::collections::HashSet::new();
        picked.retain(|&i| seen.insert(i));
    }
    Ok(picked.into_iter().map(|i| manifests[i].clone()).collect())
}

/// The flag that leaves a rendered document out, if one does.
fn left_out_by(manifest: &Manifest, args: &TemplateArgs) -> Option<&'static str> {
    if args.no_hooks && manifest.is_hook() {
        Some("--no-hooks")
    } else if args.skip_tests && manifest.is_test_hook() {
        Some("--skip-tests")
    } else {
        None
    }
}

/// What `--show-only` could have printed, to say why a pattern matched none of it.
struct Printable<'a> {
    chart: &'a Chart,
    manifests: &'a [Manifest],
    /// `# Source:` of each document a flag left out, and the flag.
    left_out: &'a [(String, &'a str)],
    include_crds: bool,
}

/// A `--show-only` pattern that matches no printed document (Helm: "could not find template"),
/// with the likely reason: a `./` or chart-name prefix, a partial, NOTES.txt, a template that
/// rendered nothing, a hook left out, a CRD without `--include-crds`, a directory, a typo.
fn no_match(pattern: &str, printable: &Printable<'_>) -> Error {
    let error = Error::usage(format!(
        "--show-only {pattern}: matches no template that rendered objects"
    ));
    let paths: Vec<&str> = printable
        .manifests
        .iter()
        .map(|m| manifest::show_only_path(&m.source_name))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let matches_printed = |candidate: &str| {
        ShowOnly::new(candidate).is_ok_and(|p| paths.iter().any(|path| p.matches(path)))
    };
    // Helm's paths are relative to the chart directory, with no `./` and no chart name.
    let mut relative = pattern;
    loop {
        let stripped = relative
            .strip_prefix("./")
            .or_else(|| relative.strip_prefix(&format!("{}/", printable.chart.name)));
        match stripped {
            Some(rest) => relative = rest,
            None => break,
        }
    }
    if relative != pattern && matches_printed(relative) {
        return error.with_hint(format!(
            "paths are relative to the chart directory, without `./` or the chart's name: `-s {relative}`"
        ));
    }
    if let Some(reason) = ShowOnly::new(relative)
        .ok()
        .and_then(|p| why_not_printed(&p, printable))
    {
        return error.with_hint(reason);
    }
    if paths
        .iter()
        .any(|path| path.starts_with(&format!("{}/", relative.trim_end_matches('/'))))
    {
        let dir = relative.trim_end_matches('/');
        return error.with_hint(format!(
            "`{dir}` is a directory; a pattern names files: `-s '{dir}/*'` shows each template in it"
        ));
    }
    let list = listed(&paths);
    match crate::diagnostic::did_you_mean(relative, paths.iter().copied()) {
        Some(near) => error.with_hint(format!(
            "did you mean `-s {near}`? The templates that rendered objects: {list}"
        )),
        None => error.with_hint(format!(
            "paths are relative to the chart directory (`templates/x.yaml`, \
             `charts/SUBCHART/templates/x.yaml`); the templates that rendered objects: {list}"
        )),
    }
}

/// Why a file of the chart tree that `pattern` names printed nothing, if it names one.
fn why_not_printed(pattern: &ShowOnly, printable: &Printable<'_>) -> Option<String> {
    for (chart, base) in printable.chart.tree() {
        for crd in &chart.crds {
            let source = format!("{base}/crds/{}", crd.name);
            let path = manifest::show_only_path(&source);
            if pattern.matches(path) && !printable.include_crds {
                return Some(format!(
                    "`{path}` is a CRD file: CRDs are printed only with --include-crds"
                ));
            }
        }
        for template in &chart.templates {
            let source = format!("{base}/templates/{}", template.name);
            let path = manifest::show_only_path(&source);
            if !pattern.matches(path) {
                continue;
            }
            if template.is_partial() {
                return Some(format!(
                    "`{path}` is a partial (its name starts with `_`): it holds components for \
                     other templates and renders no objects itself"
                ));
            }
            if template.is_notes() {
                return Some(format!(
                    "`{path}` is the chart's notes, not a manifest; `ktera template --notes` prints the top chart's"
                ));
            }
            if let Some((_, flag)) = printable.left_out.iter().find(|(s, _)| *s == source) {
                return Some(format!("`{path}` renders hooks, which {flag} leaves out"));
            }
            return Some(format!(
                "`{path}` rendered no objects with these values (its output is empty, or it \
                 belongs to a disabled subchart or a library chart)"
            ));
        }
    }
    None
}

/// At most 20 paths, in backticks.
fn listed(paths: &[&str]) -> String {
    const SHOWN: usize = 20;
    let mut list: Vec<String> = paths.iter().take(SHOWN).map(|p| format!("`{p}`")).collect();
    if paths.len() > SHOWN {
        list.push(format!("and {} more", paths.len() - SHOWN));
    }
    list.join(", ")
}
