//! The whole render of one chart: load -> merge values -> render -> parse -> order.
//! Every command that renders a chart goes through here.

use std::io::Read;
use std::path::Path;

use crate::chart::Chart;
use crate::error::Error;
use crate::manifest::{self, Manifest, RenderedText};
use crate::render::{Engine, Release};
use crate::values::{self, ValueSources};

/// A rendered chart: its documents in install order, and the rendered NOTES.txt.
#[derive(Debug)]
pub struct Output {
    pub chart: Chart,
    pub manifests: Vec<Manifest>,
    /// The chart's `crds/` documents, parsed but not rendered.
    pub crds: Vec<Manifest>,
    pub notes: Option<String>,
}

/// Loads the chart at `dir` and merges its values with `sources` (Helm's precedence).
pub fn load_with_values(
    dir: &Path,
    sources: &ValueSources,
    stdin: &mut dyn Read,
) -> Result<(Chart, serde_yaml::Value), Error> {
    let chart = Chart::load(dir)?;
    let merged = values::resolve(chart.values.clone(), sources, stdin)?;
    if let Some(schema) = &chart.schema {
        schema
            .validate(&merged)
            .map_err(crate::chart::ChartError::from)?;
    }
    Ok((chart, merged))
}

/// Renders the chart at `dir` for `release`.
pub fn render_chart(
    dir: &Path,
    sources: &ValueSources,
    release: &Release,
    stdin: &mut dyn Read,
) -> Result<Output, Error> {
    let (chart, merged) = load_with_values(dir, sources, stdin)?;
    let engine = Engine::new(&chart)?;
    let rendered = engine.render(&chart, &merged, release)?;
    let mut manifests = Vec::new();
    for template in &rendered.templates {
        let source = chart
            .templates
            .iter()
            .find(|t| t.name == template.name)
            .map(|t| t.source.as_str())
            .unwrap_or("");
        let text = RenderedText {
            name: &template.name,
            source_name: &template.source_name,
            path: &template.path,
            text: &template.text,
        };
        manifests.extend(manifest::parse_rendered(&text, source)?);
    }
    manifest::sort_install_order(&mut manifests);
    let mut crds = Vec::new();
    for crd in &chart.crds {
        let source_name = format!("{}/crds/{}", chart.name, crd.name);
        let path = crd.path.display().to_string();
        let text = RenderedText {
            name: &crd.name,
            source_name: &source_name,
            path: &path,
            text: &crd.source,
        };
        crds.extend(manifest::parse_rendered(&text, &crd.source)?);
    }
    Ok(Output {
        chart,
        manifests,
        crds,
        notes: rendered.notes,
    })
}
