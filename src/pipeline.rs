//! The whole render of one chart: load -> merge values -> render -> parse -> order.
//! Every command that renders a chart goes through here.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::chart::Chart;
use crate::chart::subcharts::{self, Resolved};
use crate::engine::{Engine, SubchartObject, TreeChart};
use crate::error::Error;
use crate::manifest::{self, Manifest, RenderedText};
use crate::release::Release;
use crate::values::{self, ValueSources};

/// A rendered chart: its documents in install order, and the rendered NOTES.txt.
#[derive(Debug)]
pub struct Output {
    pub chart: Chart,
    pub manifests: Vec<Manifest>,
    /// The chart's `crds/` documents, parsed but not rendered.
    pub crds: Vec<Manifest>,
    pub notes: Option<String>,
    /// The compiled templates, handed back rather than freed: a command about to exit can
    /// `std::mem::forget` them rather than free them piece by piece.
    pub compiled: CompiledTemplates,
}

/// The compiled templates of a rendered chart; nothing to use, only to keep or forget.
pub struct CompiledTemplates {
    _engines: Mutex<Vec<(Vec<String>, Arc<Engine>)>>,
}

impl std::fmt::Debug for CompiledTemplates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompiledTemplates")
    }
}

/// Loads the chart at `dir` and merges its values with `sources` (Helm's precedence).
pub fn load_with_values(
    dir: &Path,
    sources: &ValueSources,
    stdin: &mut dyn Read,
) -> Result<(Chart, serde_yaml::Value), Error> {
    let chart = Chart::load(dir)?;
    let merged = merge_values(&chart, sources, stdin)?;
    Ok((chart, merged))
}

/// The chart's values merged with `sources`, checked against its values.schema.json.
fn merge_values(
    chart: &Chart,
    sources: &ValueSources,
    stdin: &mut dyn Read,
) -> Result<serde_yaml::Value, Error> {
    checked(
        chart,
        values::resolve(chart.values.clone(), sources, stdin)?,
    )
}

/// `merged`, once it passes the chart's values.schema.json.
fn checked(chart: &Chart, merged: serde_yaml::Value) -> Result<serde_yaml::Value, Error> {
    if let Some(schema) = &chart.schema {
        schema.validate(&merged)?;
    }
    Ok(merged)
}

/// A chart and its subcharts loaded, and their templates compiled once, to render for any
/// number of releases (compiling is most of the cost of a small render).
pub struct CompiledChart {
    pub chart: Chart,
    /// One engine per set of enabled charts of the tree (by `# Source:` base, `backend`,
    /// `backend/charts/cache`): a chart and its subcharts share one engine, whose components
    /// are global as Helm's defines, and Helm never reads the templates of a disabled subchart
    /// (they cost time to compile). Most releases enable the same set: one engine.
    engines: Mutex<Vec<(Vec<String>, Arc<Engine>)>>,
}

/// What one release of a compiled chart renders to.
#[derive(Debug)]
pub struct Documents {
    pub manifests: Vec<Manifest>,
    pub crds: Vec<Manifest>,
    pub notes: Option<String>,
}

/// Loads the chart at `dir` and compiles its templates.
pub fn compile_chart(dir: &Path) -> Result<CompiledChart, Error> {
    CompiledChart::new(Chart::load(dir)?)
}

impl CompiledChart {
    /// Compiles the chart with the subcharts its own values enable (what most releases use).
    pub fn new(chart: Chart) -> Result<CompiledChart, Error> {
        let compiled = CompiledChart::uncompiled(chart);
        let defaults = subcharts::resolve(&compiled.chart, compiled.chart.values.clone());
        match defaults {
            Ok(resolved) => {
                compiled.engine(&resolved)?;
            }
            // The chart's own values alone may not render (a required value): compile the top
            // chart, so that its templates' errors still show here.
            Err(_) => {
                let top = TreeChart {
                    chart: &compiled.chart,
                    source_base: compiled.chart.name.clone(),
                    components_only: false,
                };
                Engine::for_tree(&[top])?;
            }
        }
        Ok(compiled)
    }

    /// The chart, to be compiled by its first render (for a single render, whose values are
    /// known: no engine for the chart's own values that the render might not use).
    fn uncompiled(chart: Chart) -> CompiledChart {
        CompiledChart {
            chart,
            engines: Mutex::new(Vec::new()),
        }
    }

    /// The engine of the charts `resolved` enables, compiled on first use. Two releases may
    /// compile it at once; one result is kept.
    fn engine(&self, resolved: &[Resolved]) -> Result<Arc<Engine>, Error> {
        let key: Vec<String> = resolved.iter().map(|r| r.source_base.clone()).collect();
        let found = |engines: &Vec<(Vec<String>, Arc<Engine>)>| {
            engines
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, e)| e.clone())
        };
        if let Some(engine) = found(&self.engines.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(engine);
        }
        let mut charts: Vec<TreeChart> = resolved
            .iter()
            .map(|r| TreeChart {
                chart: r.chart,
                source_base: r.source_base.clone(),
                components_only: false,
            })
            .collect();
        // The disabled subcharts, for their components only (after the enabled ones, which
        // win when both define a component).
        for (chart, source_base) in self.chart.tree() {
            if !key.contains(&source_base) {
                charts.push(TreeChart {
                    chart,
                    source_base,
                    components_only: true,
                });
            }
        }
        let engine = Arc::new(Engine::for_tree(&charts)?);
        let mut engines = self.engines.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(existing) = found(&engines) {
            return Ok(existing);
        }
        engines.push((key, engine.clone()));
        Ok(engine)
    }

    /// Merges values and renders the chart for `release`: documents in install order. `files`
    /// are the `-f` files of `sources`, already read and merged in order
    /// ([`values::resolve_with_files`]), as a project reads them once for all its releases.
    pub fn render(
        &self,
        files: serde_yaml::Value,
        sources: &ValueSources,
        release: &Release,
        stdin: &mut dyn Read,
    ) -> Result<Documents, Error> {
        let merged = values::resolve_with_files(self.chart.values.clone(), files, sources, stdin)?;
        self.render_values(checked(&self.chart, merged)?, release)
    }

    /// Renders the chart and its enabled subcharts with the merged values.
    fn render_values(
        &self,
        merged: serde_yaml::Value,
        release: &Release,
    ) -> Result<Documents, Error> {
        let resolved = subcharts::resolve(&self.chart, merged)?;
        for part in &resolved {
            check_kube_version(part.chart, release)?;
        }
        let engine = self.engine(&resolved)?;
        let mut manifests = Vec::new();
        let mut crds = Vec::new();
        let mut notes = None;
        for (index, part) in resolved.iter().enumerate() {
            let subcharts = direct_subcharts(part, &resolved);
            let rendered = engine.render_part(
                &part.source_base,
                part.chart,
                &part.values,
                release,
                &subcharts,
            )?;
            let sources: HashMap<&str, &str> = part
                .chart
                .templates
                .iter()
                .map(|t| (t.name.as_str(), t.source.as_str()))
                .collect();
            let texts: Vec<_> = rendered
                .templates
                .iter()
                .map(|template| {
                    let text = RenderedText {
                        name: &template.name,
                        source_name: &template.source_name,
                        path: &template.path,
                        text: &template.text,
                    };
                    (
                        text,
                        sources.get(template.name.as_str()).copied().unwrap_or(""),
                    )
                })
                .collect();
            manifests.extend(manifest::parse_rendered_all(&texts)?);
            // Helm shows the top chart's notes only.
            if index == 0 {
                notes = rendered.notes;
            }
            for crd in &part.chart.crds {
                let source_name = format!("{}/crds/{}", part.source_base, crd.name);
                let path = crd.path.display().to_string();
                let text = RenderedText {
                    name: &crd.name,
                    source_name: &source_name,
                    path: &path,
                    text: &crd.source,
                };
                crds.extend(manifest::parse_rendered(&text, &crd.source)?);
            }
        }
        manifest::sort_install_order(&mut manifests);
        Ok(Documents {
            manifests,
            crds,
            notes,
        })
    }
}

/// Renders the chart at `dir` for `release`.
pub fn render_chart(
    dir: &Path,
    sources: &ValueSources,
    release: &Release,
    stdin: &mut dyn Read,
) -> Result<Output, Error> {
    let (chart, merged) = load_with_values(dir, sources, stdin)?;
    let compiled = CompiledChart::uncompiled(chart);
    let documents = compiled.render_values(merged, release)?;
    Ok(Output {
        chart: compiled.chart,
        manifests: documents.manifests,
        crds: documents.crds,
        notes: documents.notes,
        compiled: CompiledTemplates {
            _engines: compiled.engines,
        },
    })
}

/// A chart's `kubeVersion` constraint must admit the Kubernetes version rendered for, as Helm
/// checks it.
fn check_kube_version(chart: &Chart, release: &Release) -> Result<(), Error> {
    let Some(constraint) = chart
        .meta
        .kube_version
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    else {
        return Ok(());
    };
    let version = format!("v{}", release.kube_version);
    let path = chart.dir.join("Chart.yaml").display().to_string();
    match crate::chart::version::matches(constraint, &version) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::input(format!(
            "the chart requires kubeVersion `{constraint}`, which Kubernetes {version} does not meet"
        ))
        .in_file(path)
        .with_hint("render for a supported version with --kube-version")),
        Err(e) => Err(e.prefixed("kubeVersion").in_file(path)),
    }
}

/// The enabled direct subcharts of `part`, with their values, for `Root.Subcharts`.
fn direct_subcharts<'a>(
    part: &Resolved<'a>,
    resolved: &'a [Resolved<'a>],
) -> Vec<SubchartObject<'a>> {
    part.chart
        .subcharts
        .iter()
        .filter_map(|sub| {
            let base = format!("{}/charts/{}", part.source_base, sub.chart.name);
            resolved
                .iter()
                .find(|r| r.source_base == base)
                .map(|r| SubchartObject {
                    name: &sub.name,
                    chart: r.chart,
                    values: &r.values,
                })
        })
        .collect()
}
