//! What a project render does: each release of the chosen environments, the file it renders to
//! (`<env>/<release>.yaml`), each distinct chart, compiled once however many releases use it,
//! and each values file, read once however many releases name it. Charts compile, values files
//! are read and releases render on all cores, and results are collected in project order, so
//! the output and the errors do not depend on scheduling.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use super::{Environment, Project, ReleaseSpec, secrets};
use crate::error::Error;
use crate::manifest::Manifest;
use crate::output;
use crate::pipeline::{self, CompiledChart};
use crate::pool;
use crate::values;

/// The releases to render, in project order, and the charts they use.
pub struct Plan<'p> {
    pub project: &'p Project,
    pub releases: Vec<PlannedRelease<'p>>,
    /// Distinct charts by their real path (so `charts/x` and `./charts/x` compile once), each
    /// with the path as the project names it.
    charts: Vec<(PathBuf, &'p Path)>,
    /// Distinct lists of values files (`values:` of a release), in first-use order.
    value_files: Vec<&'p [String]>,
}

/// One release to render, and the file it renders to.
pub struct PlannedRelease<'p> {
    pub env: &'p str,
    /// Its position in the environment, to locate it in the project file.
    pub index: usize,
    pub spec: &'p ReleaseSpec,
    /// Index into the plan's charts.
    chart: usize,
    /// Index into the plan's lists of values files.
    value_files: usize,
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
        let mut value_files: Vec<&[String]> = Vec::new();
        let mut value_files_index: HashMap<&[String], usize> = HashMap::new();
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
                let files = spec.sources.files.as_slice();
                let files = *value_files_index.entry(files).or_insert_with(|| {
                    value_files.push(files);
                    value_files.len() - 1
                });
                releases.push(PlannedRelease {
                    env: &env.name,
                    index,
                    spec,
                    chart,
                    value_files: files,
                    file: format!("{}/{}.yaml", env.name, spec.name()),
                });
            }
        }
        Plan {
            project,
            releases,
            charts,
            value_files,
        }
    }

    /// Renders every release: the text of each one's file, in plan order; or every error, in
    /// plan order, each noting its release (a chart that fails to compile is reported once).
    pub fn render(&self) -> Result<Vec<String>, Vec<ReleaseError<'_, 'p>>> {
        let compiled = pool::map(&self.charts, self.charts.len(), |(_, dir)| {
            pipeline::compile_chart(dir)
        });
        let value_files = self.read_value_files();
        let rendered = pool::map(&self.releases, self.releases.len(), |release| {
            match compiled.get(release.chart) {
                Some(Ok(chart)) => Some(render_release(
                    chart,
                    &value_files[release.value_files],
                    release,
                )),
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

    /// Each list of values files merged in its order (Helm's `-f` files), every file read and
    /// parsed once however many lists name it; or the first error of a list's files, which
    /// each release naming the list reports as its own.
    fn read_value_files(&self) -> Vec<Result<Value, Error>> {
        let mut paths: Vec<&str> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for file in self.value_files.iter().flat_map(|list| list.iter()) {
            index.entry(file).or_insert_with(|| {
                paths.push(file);
                paths.len() - 1
            });
        }
        let parsed = pool::map(&paths, paths.len(), |path| {
            values::load_values_file(Path::new(path))
        });
        self.value_files
            .iter()
            .map(|list| {
                let mut merged = Value::Mapping(Mapping::new());
                for file in list.iter() {
                    values::merge_files(&mut merged, parsed[index[file.as_str()]].clone()?);
                }
                Ok(merged)
            })
            .collect()
    }
}

/// Renders one release to the text of its file; `files` are its values files merged.
fn render_release(
    chart: &CompiledChart,
    files: &Result<Value, Error>,
    release: &PlannedRelease,
) -> Result<String, Error> {
    let spec = release.spec;
    let files = files.clone()?;
    // A project's values come from files only; standard input stays untouched.
    let documents = chart.render(files, &spec.sources, &spec.release, &mut io::empty())?;
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
