//! What a project render does: each release of the chosen environments, the file it renders to
//! (`<env>/<release>.yaml`), and each distinct chart, compiled once however many releases use
//! it. Charts compile and releases render on all cores, and results are collected in project
//! order, so the output and the errors do not depend on scheduling.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Environment, Project, ReleaseSpec, secrets};
use crate::error::Error;
use crate::manifest::Manifest;
use crate::output;
use crate::pipeline::{self, CompiledChart};
use crate::pool;

/// The releases to render, in project order, and the charts they use.
pub struct Plan<'p> {
    pub project: &'p Project,
    pub releases: Vec<PlannedRelease<'p>>,
    /// Distinct charts by their real path (so `charts/x` and `./charts/x` compile once), each
    /// with the path as the project names it.
    charts: Vec<(PathBuf, &'p Path)>,
}

/// One release to render, and the file it renders to.
pub struct PlannedRelease<'p> {
    pub env: &'p str,
    /// Its position in the environment, to locate it in the project file.
    pub index: usize,
    pub spec: &'p ReleaseSpec,
    /// Index into the plan's charts.
    chart: usize,
    /// Relative to the output directory: `dev/backend.yaml`.
    pub file: String,
}

impl PlannedRelease<'_> {
    /// `dev/backend`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.env, self.spec.name())
    }
}

/// An error of a plan's render, and the release it belongs to: none for a chart that does not
/// load or compile, reported once for all the releases that use it.
pub type ReleaseError<'a, 'p> = (Option<&'a PlannedRelease<'p>>, Error);

impl<'p> Plan<'p> {
    /// Every release of `environments` (of `project`), in project order.
    pub fn new(project: &'p Project, environments: &[&'p Environment]) -> Plan<'p> {
        let mut charts: Vec<(PathBuf, &Path)> = Vec::new();
        let mut releases = Vec::new();
        for env in environments {
            for (index, spec) in env.releases.iter().enumerate() {
                let key = fs::canonicalize(&spec.chart).unwrap_or_else(|_| spec.chart.clone());
                let chart = match charts.iter().position(|(k, _)| *k == key) {
                    Some(i) => i,
                    None => {
                        charts.push((key, &spec.chart));
                        charts.len() - 1
                    }
                };
                releases.push(PlannedRelease {
                    env: &env.name,
                    index,
                    spec,
                    chart,
                    file: format!("{}/{}.yaml", env.name, spec.name()),
                });
            }
        }
        Plan {
            project,
            releases,
            charts,
        }
    }

    /// Renders every release: the text of each one's file, in plan order; or every error, in
    /// plan order, each noting its release (a chart that fails to compile is reported once).
    pub fn render(&self) -> Result<Vec<String>, Vec<ReleaseError<'_, 'p>>> {
        let compiled = pool::map(&self.charts, self.charts.len(), |(_, dir)| {
            pipeline::compile_chart(dir)
        });
        let rendered = pool::map(&self.releases, self.releases.len(), |release| {
            match compiled.get(release.chart) {
                Some(Ok(chart)) => Some(render_release(chart, release)),
                // Reported once, for the chart.
                _ => None,
            }
        });
        let mut errors = Vec::new();
        for (index, (result, (_, dir))) in compiled.into_iter().zip(&self.charts).enumerate() {
            if let Err(e) = result {
                let users: Vec<String> = self
                    .releases
                    .iter()
                    .filter(|release| release.chart == index)
                    .map(PlannedRelease::label)
                    .collect();
                let note = format!("chart {} of release {}", dir.display(), users.join(", "));
                errors.push((None, e.with_note(note)));
            }
        }
        let mut files = Vec::with_capacity(self.releases.len());
        for (release, result) in self.releases.iter().zip(rendered) {
            match result {
                Some(Ok(text)) => files.push(text),
                Some(Err(e)) => {
                    let place = self.project.release_place(release.env, release.index);
                    let note = format!("in release {} ({place})", release.label());
                    errors.push((Some(release), e.with_note(note)));
                }
                None => {}
            }
        }
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(errors)
        }
    }
}

/// Renders one release to the text of its file.
fn render_release(chart: &CompiledChart, release: &PlannedRelease) -> Result<String, Error> {
    let spec = release.spec;
    // A project's values come from files only; standard input stays untouched.
    let documents = chart.render(&spec.sources, &spec.release, &mut io::empty())?;
    let mut manifests = Vec::with_capacity(documents.crds.len() + documents.manifests.len());
    if spec.include_crds {
        manifests.extend(documents.crds);
    }
    let dropped =
        |m: &Manifest| (spec.no_hooks && m.is_hook()) || (spec.skip_tests && m.is_test_hook());
    manifests.extend(documents.manifests.into_iter().filter(|m| !dropped(m)));
    if !spec.allow_secret_data {
        secrets::refuse_secret_data(&manifests, &spec.chart, release.env)?;
    }
    Ok(output::stream(&manifests))
}
