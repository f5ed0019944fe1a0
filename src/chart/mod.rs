//! The chart model, as Helm's `pkg/chartutil` keeps it: a chart on disk (`Chart.yaml`,
//! `values.yaml`, `templates/`, `crds/`, its other files, `values.schema.json`, subcharts),
//! loaded once and confined to the chart directory (a template symlinked from outside the
//! chart is refused).
//!
//! - `load` reads a chart directory and its subcharts, every path resolved by `confine`, which
//!   keeps reads inside the chart; `load_archive` reads a chart archive (`.tgz`);
//! - [`names`] checks the names that become paths and `# Source:` lines;
//! - [`archive`] reads and writes chart archives safely and reproducibly;
//! - [`lock`] is `Chart.lock` and Helm's digest of the dependencies;
//! - [`package`] makes a chart directory an archive (`ktera package`);
//! - [`create`] writes a new chart from the starter (`ktera create`);
//! - [`subcharts`] computes the values each enabled subchart renders with;
//! - [`files`] lists the chart's own files, as templates read them;
//! - [`values_schema`] checks the merged values against `values.schema.json`;
//! - [`version`] matches version constraints (dependencies, `kubeVersion`, `semver_compare`).

pub mod archive;
mod confine;
pub mod create;
pub mod files;
mod files_glob;
mod load;
mod load_archive;
pub mod lock;
pub mod names;
pub mod package;
pub mod subcharts;
pub mod values_schema;
pub mod version;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use files::ChartFiles;
use values_schema::ValuesSchema;

/// `Chart.yaml`, as far as rendering needs it. Unknown fields are kept in `raw` for `Chart.*`.
/// Text fields take a number or boolean as Helm does, as the text Go prints for it
/// (`version: 1.0` is "1", `description: 2.50` is "2.5").
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartMeta {
    #[serde(default, deserialize_with = "text")]
    pub api_version: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub version: Option<String>,
    pub app_version: Option<serde_yaml::Value>,
    #[serde(default, deserialize_with = "text")]
    pub description: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "text")]
    pub chart_type: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub kube_version: Option<String>,
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
}

/// A `Chart.yaml` text field: a string, or a number or boolean as the text Go prints for it.
fn text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    use serde_yaml::Value;
    Ok(match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(scalar @ (Value::Bool(_) | Value::Number(_))) => scalar_text(&scalar),
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "expected text, found {}",
                match other {
                    Value::Sequence(_) => "a list",
                    Value::Mapping(_) => "a mapping",
                    _ => "a tagged value",
                }
            )));
        }
    })
}

/// A number or boolean written where Chart.yaml wants text, as the text Go prints for it
/// (`1.0` is "1", `2.50` is "2.5"); `None` for any other value.
pub fn scalar_text(value: &serde_yaml::Value) -> Option<String> {
    use serde_yaml::Value;
    match value {
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => crate::engine::go::format_float(f),
            _ => n.to_string(),
        }),
        _ => None,
    }
}

/// One entry of `Chart.yaml` `dependencies`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Dependency {
    pub name: String,
    /// A SemVer constraint the subchart's own version must meet (`~0.1.0`, `>=1.2 <2`).
    pub version: Option<String>,
    /// `file://../cache`, or empty for a chart vendored in `charts/<name>`.
    pub repository: Option<String>,
    pub alias: Option<String>,
    /// Comma-separated value paths; the first that exists decides (`cache.enabled`).
    pub condition: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub import_values: Vec<ImportValue>,
}

/// `import-values`: `- data` (the child's `exports.data`) or `- {child: a.b, parent: c}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ImportValue {
    Exported(String),
    Mapped { child: String, parent: String },
}

/// A subchart as the parent sees it.
#[derive(Debug, Clone)]
pub struct Subchart {
    /// The alias, else the chart's name: the key of its values in the parent.
    pub name: String,
    pub chart: Chart,
    /// The `dependencies` entry, when the subchart is listed there.
    pub dependency: Option<Dependency>,
}

/// One file under `templates/`.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Path relative to `templates/`, with `/` separators: `deployment.yaml`, `_helpers.tera`.
    pub name: String,
    /// Where it is on disk, as the user would type it (for error messages).
    pub path: PathBuf,
    pub source: String,
}

impl Chart {
    /// The chart and every subchart below it, parents first, each with its `# Source:` base
    /// (`backend`, `backend/charts/cache`), whether its values enable it or not.
    pub fn tree(&self) -> Vec<(&Chart, String)> {
        fn below<'c>(chart: &'c Chart, base: &str, out: &mut Vec<(&'c Chart, String)>) {
            for sub in &chart.subcharts {
                let sub_base = format!("{base}/charts/{}", sub.chart.name);
                out.push((&sub.chart, sub_base.clone()));
                below(&sub.chart, &sub_base, out);
            }
        }
        let mut out = vec![(self, self.name.clone())];
        below(self, &self.name, &mut out);
        out
    }

    /// `type: library`: loaded for its components, never rendered (as Helm's library charts,
    /// whose defines other charts use).
    pub fn is_library(&self) -> bool {
        self.meta.chart_type.as_deref() == Some("library")
    }
}

impl TemplateFile {
    /// Partials (`_helpers.tera`) are loaded and usable from other templates, never emitted.
    pub fn is_partial(&self) -> bool {
        self.name
            .rsplit('/')
            .next()
            .is_some_and(|base| base.starts_with('_'))
    }

    /// `templates/NOTES.txt` is rendered but not printed by `template`.
    pub fn is_notes(&self) -> bool {
        self.name == "NOTES.txt"
    }

    /// Its place among the chart's values stages ([`VALUES_STAGE`]), if it is one.
    pub fn values_stage(&self) -> Option<u64> {
        values_stage_number(&self.name)
    }
}

/// The values stage, relative to `templates/`: a partial rendered before the chart's other
/// templates, whose output (a YAML mapping) is the `Values` they and NOTES.txt read. It is how
/// a chart computes values from values, as Helm charts do by changing `.Values` in a template
/// Helm renders first (istio's `zzz_profile.yaml`). More stages are `_values.2.tera`,
/// `_values.3.tera`, ..., each rendered with the values the one before printed.
pub const VALUES_STAGE: &str = "_values.tera";

/// The place of the values stage named `name` (relative to `templates/`): 1 for
/// `_values.tera`, N for `_values.N.tera`; none for any other name.
pub fn values_stage_number(name: &str) -> Option<u64> {
    if name == VALUES_STAGE {
        return Some(1);
    }
    let number = name.strip_prefix("_values.")?.strip_suffix(".tera")?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok()
}

/// The name of the values stage at `place` (1: `_values.tera`).
pub fn values_stage_name(place: u64) -> String {
    if place <= 1 {
        VALUES_STAGE.to_string()
    } else {
        format!("_values.{place}.tera")
    }
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub dir: PathBuf,
    pub name: String,
    pub version: String,
    pub meta: ChartMeta,
    /// `Chart.yaml` as written, for the `Chart` template object.
    pub chart_yaml: serde_yaml::Mapping,
    /// `values.yaml` (an empty mapping when the chart has none).
    pub values: serde_yaml::Value,
    /// `values.yaml` as written, for checks of the file itself (`ktera lint`), whether the
    /// chart is a directory or an archive; `None` when the chart has none.
    pub values_text: Option<String>,
    /// Every file under `templates/`, in path order.
    pub templates: Vec<TemplateFile>,
    /// `crds/*.yaml|yml|json`: installed before everything else, never rendered.
    pub crds: Vec<TemplateFile>,
    /// The chart's other files, readable from templates.
    pub files: ChartFiles,
    /// `values.schema.json`, when the chart has one.
    pub schema: Option<ValuesSchema>,
    /// Subcharts: those listed in `dependencies` and any other chart in `charts/`.
    pub subcharts: Vec<Subchart>,
}

/// A file or directory of the chart that cannot be read.
pub(crate) fn unreadable(path: &Path, source: std::io::Error) -> Error {
    Error::io(format!("cannot read: {source}"), source).in_file(path.display().to_string())
}

/// `dir/Chart.yaml`, read and checked as loading a chart checks it (its subcharts are not
/// looked at: `dependency update` reads a chart whose `charts/` is not there yet).
pub fn read_chart_yaml(dir: &Path) -> Result<(ChartMeta, serde_yaml::Mapping), Error> {
    let path = dir.join("Chart.yaml");
    if !dir.is_dir() {
        return Err(Error::input("not a chart directory")
            .in_file(dir.display().to_string())
            .with_hint("pass the directory that holds Chart.yaml"));
    }
    if !path.is_file() {
        return Err(load::missing_chart_yaml(&dir.display().to_string()));
    }
    let text = read_text(&path)?;
    let (meta, mapping) = load::parse_chart_yaml(&text, &path)?;
    load::check_meta(&meta, &path, &text)?;
    Ok((meta, mapping))
}

pub(crate) use load::dependency_error;

/// Loads a chart archive held in memory; `shown` names it in messages.
pub fn load_archive_bytes(shown: &Path, bytes: &[u8]) -> Result<Chart, Error> {
    load_archive::load_bytes(shown, bytes, &mut load::Loading::default())
}

/// Deepest chain of subcharts of subcharts.
pub const MAX_SUBCHART_DEPTH: usize = 16;

/// Reads a chart file as UTF-8 text (a leading byte order mark dropped), capped as every input
/// is: a chart file linked to /dev/zero would otherwise be read until memory runs out.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let shown = path.display().to_string();
    crate::input::read_file_text(path)
        .map_err(|failure| failure.error_or(&shown, |source| unreadable(path, source)))
}
