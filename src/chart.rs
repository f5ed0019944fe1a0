//! A chart on disk: `Chart.yaml`, `values.yaml` and `templates/`, loaded once and confined to the
//! chart directory (a template symlinked from outside the chart is refused).

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::files::ChartFiles;
use crate::schema::{SchemaError, ValuesSchema};
use crate::source;
use crate::values;
use crate::yaml::Keys;

/// `Chart.yaml`, as far as rendering needs it. Unknown fields are kept in `raw` for `Chart.*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartMeta {
    pub api_version: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub app_version: Option<serde_yaml::Value>,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub chart_type: Option<String>,
    pub kube_version: Option<String>,
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
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

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error(
        "{path}: no such chart directory\n  hint: pass the directory that holds Chart.yaml, e.g. `ktera template charts/backend`"
    )]
    MissingDir { path: String },
    #[error(
        "{path}: not a directory\n  hint: a chart is a directory that holds Chart.yaml, values.yaml and templates/"
    )]
    NotADir { path: String },
    #[error(
        "{path}: missing Chart.yaml\n  hint: a chart directory needs a Chart.yaml with at least `apiVersion: v2`, `name` and `version`"
    )]
    MissingChartYaml { path: String },
    #[error("{path}: cannot read: {source}")]
    Unreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not valid UTF-8 text\n  hint: save the file as UTF-8")]
    NotUtf8 { path: String },
    #[error("{path}:{line}:{column}: invalid Chart.yaml: {message}")]
    BadChartYaml {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: invalid Chart.yaml: {message}")]
    InvalidChart { path: String, message: String },
    #[error(
        "{path}: the file is a link that leads out of the chart ({target})\n  hint: templates must live inside the chart directory"
    )]
    OutsideChart { path: String, target: String },
    #[error(transparent)]
    Values(#[from] values::ValuesError),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error("{path}: dependency `{name}`: {message}")]
    Dependency {
        path: String,
        name: String,
        message: String,
    },
}

/// Deepest chain of subcharts of subcharts.
pub const MAX_SUBCHART_DEPTH: usize = 16;

/// Reads a file as UTF-8 text; a leading byte order mark is dropped.
pub fn read_text(path: &Path) -> Result<String, ChartError> {
    use std::io::Read as _;
    // Capped: a chart file linked to /dev/zero would otherwise be read until memory runs out.
    let limit = values::MAX_VALUES_BYTES;
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|file| {
            // Sized from the file's length: one read instead of a dozen growing ones (a length
            // that is wrong, as for /dev/zero, only costs those reads back).
            let length = file.metadata().map_or(0, |m| m.len());
            if length <= limit {
                bytes.reserve_exact(usize::try_from(length).unwrap_or(0));
            }
            file.take(limit + 1).read_to_end(&mut bytes)
        })
        .and_then(|read| {
            if read as u64 > limit {
                return Err(std::io::Error::other(format!(
                    "larger than {} MiB, the most ktera reads from a chart file",
                    limit / (1024 * 1024)
                )));
            }
            Ok(())
        })
        .map_err(|source| ChartError::Unreadable {
            path: path.display().to_string(),
            source,
        })?;
    let text = String::from_utf8(bytes).map_err(|_| ChartError::NotUtf8 {
        path: path.display().to_string(),
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

impl Chart {
    pub fn load(dir: &Path) -> Result<Chart, ChartError> {
        Chart::load_nested(dir, None, &mut Vec::new())
    }

    /// Loads a chart and its subcharts; `parents` holds the real paths of the charts above it
    /// (a chart that is its own ancestor is a cycle). `real` is the real path of `dir`, when the
    /// caller has resolved it already.
    fn load_nested(
        dir: &Path,
        real: Option<PathBuf>,
        parents: &mut Vec<PathBuf>,
    ) -> Result<Chart, ChartError> {
        let shown = dir.display().to_string();
        let meta = fs::metadata(dir).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => ChartError::MissingDir {
                path: shown.clone(),
            },
            _ => ChartError::Unreadable {
                path: shown.clone(),
                source,
            },
        })?;
        if !meta.is_dir() {
            return Err(ChartError::NotADir { path: shown });
        }
        let chart_yaml_path = dir.join("Chart.yaml");
        if !chart_yaml_path.exists() {
            return Err(ChartError::MissingChartYaml { path: shown });
        }
        let (meta, chart_yaml) = parse_chart_yaml(&chart_yaml_path)?;
        let bad = |message: String| ChartError::InvalidChart {
            path: chart_yaml_path.display().to_string(),
            message,
        };
        match meta.api_version.as_deref() {
            Some("v2") | Some("v1") => {}
            Some(other) => {
                return Err(bad(format!(
                    "apiVersion `{other}` is not supported; use `apiVersion: v2`"
                )));
            }
            None => return Err(bad("`apiVersion` is missing; add `apiVersion: v2`".into())),
        }
        let name = match meta.name.as_deref() {
            Some(n) if !n.trim().is_empty() => n.to_string(),
            _ => return Err(bad("`name` is missing; add `name: <chart name>`".into())),
        };
        let version = match meta.version.as_deref() {
            Some(v) if semver::Version::parse(v.trim_start_matches('v')).is_ok() => v.to_string(),
            Some(v) => {
                return Err(bad(format!(
                    "`version: {v}` is not a semantic version; write it as MAJOR.MINOR.PATCH, e.g. `version: 0.1.0`"
                )));
            }
            None => return Err(bad("`version` is missing; add `version: 0.1.0`".into())),
        };
        match meta.chart_type.as_deref() {
            None | Some("application") => {}
            Some("library") => {
                return Err(bad(
                    "library charts are not installable: they provide helpers to other charts only"
                        .into(),
                ));
            }
            Some(other) => {
                return Err(bad(format!(
                    "`type: {other}` is unknown; use `application` or `library`"
                )));
            }
        }

        let values_path = dir.join("values.yaml");
        let values = if values_path.exists() {
            let text = read_text(&values_path)?;
            values::parse_values(&text, &values_path.display().to_string())?
        } else {
            serde_yaml::Value::Mapping(Default::default())
        };

        // The chart's real path, resolved once: templates, crds and files are confined to it.
        let real = match real {
            Some(real) => real,
            None => fs::canonicalize(dir).map_err(|source| ChartError::Unreadable {
                path: shown.clone(),
                source,
            })?,
        };
        let templates_dir = dir.join("templates");
        let mut templates = Vec::new();
        if templates_dir.is_dir() {
            let here = real_child(&real, &templates_dir).map_err(unreadable_dir(&templates_dir))?;
            collect_templates(&templates_dir, &here, "", &real, &mut templates)?;
        }
        templates.sort_by(|a, b| a.name.cmp(&b.name));

        let schema_path = dir.join("values.schema.json");
        let schema = if schema_path.exists() {
            let text = read_text(&schema_path)?;
            Some(ValuesSchema::parse(&text, &schema_path)?)
        } else {
            None
        };

        let files = ChartFiles::list_at(dir, &real).map_err(|source| ChartError::Unreadable {
            path: shown.clone(),
            source,
        })?;

        let crds_dir = dir.join("crds");
        let mut crds = Vec::new();
        if crds_dir.is_dir() {
            let here = real_child(&real, &crds_dir).map_err(unreadable_dir(&crds_dir))?;
            collect_templates(&crds_dir, &here, "", &real, &mut crds)?;
            crds.retain(|c| {
                [".yaml", ".yml", ".json"]
                    .iter()
                    .any(|ext| c.name.ends_with(ext))
            });
            crds.sort_by(|a, b| a.name.cmp(&b.name));
        }

        parents.push(real);
        let subcharts = load_subcharts(dir, &chart_yaml_path, &meta, parents);
        parents.pop();
        let subcharts = subcharts?;

        Ok(Chart {
            dir: dir.to_path_buf(),
            name,
            version,
            meta,
            chart_yaml,
            values,
            templates,
            crds,
            files,
            schema,
            subcharts,
        })
    }
}

/// Subcharts: each `dependencies` entry (from `file://` or `charts/<name>`), then every other
/// chart directory in `charts/`, as Helm renders those too.
fn load_subcharts(
    dir: &Path,
    chart_yaml_path: &Path,
    meta: &ChartMeta,
    parents: &mut Vec<PathBuf>,
) -> Result<Vec<Subchart>, ChartError> {
    let error = |name: &str, message: String| ChartError::Dependency {
        path: chart_yaml_path.display().to_string(),
        name: name.to_string(),
        message,
    };
    if parents.len() > MAX_SUBCHART_DEPTH {
        return Err(error(
            meta.name.as_deref().unwrap_or("?"),
            format!("subcharts are nested more than {MAX_SUBCHART_DEPTH} deep"),
        ));
    }
    let mut subcharts = Vec::new();
    let mut used_dirs = Vec::new();
    for dep in &meta.dependencies {
        let sub_dir = match dep.repository.as_deref().unwrap_or("").trim() {
            "" => dir.join("charts").join(&dep.name),
            repo => match repo.strip_prefix("file://") {
                Some(rel) => dir.join(rel),
                None => {
                    let vendored = dir.join("charts").join(&dep.name);
                    if vendored.join("Chart.yaml").is_file() {
                        vendored
                    } else {
                        return Err(error(
                            &dep.name,
                            format!(
                                "repository `{repo}` is not fetched by ktera; vendor the chart into {} (e.g. `helm dependency build`) or use a `file://` path",
                                vendored.display()
                            ),
                        ));
                    }
                }
            },
        };
        if !sub_dir.join("Chart.yaml").is_file() {
            return Err(error(
                &dep.name,
                format!(
                    "no chart found at {} (looked for its Chart.yaml)\n  hint: vendor it into charts/{} or point `repository` at it with `file://<path>`",
                    sub_dir.display(),
                    dep.name
                ),
            ));
        }
        let real = fs::canonicalize(&sub_dir).map_err(|source| ChartError::Unreadable {
            path: sub_dir.display().to_string(),
            source,
        })?;
        if parents.contains(&real) {
            return Err(error(
                &dep.name,
                format!(
                    "{} is a chart that depends on itself (a cycle)",
                    sub_dir.display()
                ),
            ));
        }
        let mut chart = Chart::load_nested(&sub_dir, Some(real.clone()), parents)?;
        if chart.name != dep.name {
            return Err(error(
                &dep.name,
                format!(
                    "the chart at {} is named `{}`, not `{}`",
                    sub_dir.display(),
                    chart.name,
                    dep.name
                ),
            ));
        }
        if let Some(constraint) = dep.version.as_deref().filter(|v| !v.trim().is_empty()) {
            let fits = crate::render::semver_matches(constraint, &chart.version)
                .map_err(|e| error(&dep.name, e))?;
            if !fits {
                return Err(error(
                    &dep.name,
                    format!(
                        "version {} at {} is outside the constraint `{constraint}`",
                        chart.version,
                        sub_dir.display()
                    ),
                ));
            }
        }
        used_dirs.push(real);
        // As in Helm, an aliased subchart takes the alias as its name (`Chart.Name`, sources).
        if let Some(alias) = &dep.alias {
            chart.name = alias.clone();
        }
        subcharts.push(Subchart {
            name: dep.alias.clone().unwrap_or_else(|| dep.name.clone()),
            chart,
            dependency: Some(dep.clone()),
        });
    }
    let charts_dir = dir.join("charts");
    if charts_dir.is_dir() {
        let mut entries: Vec<_> = fs::read_dir(&charts_dir)
            .map_err(|source| ChartError::Unreadable {
                path: charts_dir.display().to_string(),
                source,
            })?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("Chart.yaml").is_file())
            .collect();
        entries.sort();
        for sub_dir in entries {
            let Ok(real) = fs::canonicalize(&sub_dir) else {
                continue;
            };
            if used_dirs.contains(&real) {
                continue;
            }
            if parents.contains(&real) {
                return Err(error(
                    &sub_dir.display().to_string(),
                    "a chart that contains itself (a cycle)".into(),
                ));
            }
            let chart = Chart::load_nested(&sub_dir, Some(real), parents)?;
            subcharts.push(Subchart {
                name: chart.name.clone(),
                chart,
                dependency: None,
            });
        }
    }
    Ok(subcharts)
}

fn parse_chart_yaml(path: &Path) -> Result<(ChartMeta, serde_yaml::Mapping), ChartError> {
    let text = read_text(path)?;
    let shown = path.display().to_string();
    let located = |e: serde_yaml::Error| {
        let (line, column) = source::yaml_error_location(&text, &e).unwrap_or((1, 1));
        ChartError::BadChartYaml {
            path: shown.clone(),
            line,
            column,
            message: source::yaml_error_message(&e),
        }
    };
    let raw: serde_yaml::Value = match crate::yaml::read_document(&text, Keys::Resolved) {
        Some(value) => value,
        None => serde_yaml::from_str(&text).map_err(located)?,
    };
    let mapping = match raw {
        serde_yaml::Value::Mapping(m) => m,
        serde_yaml::Value::Null => {
            return Err(ChartError::InvalidChart {
                path: shown,
                message: "the file is empty; it needs `apiVersion: v2`, `name` and `version`"
                    .into(),
            });
        }
        _ => {
            return Err(ChartError::InvalidChart {
                path: shown,
                message: "the top level must be a mapping (`name: ...`, `version: ...`)".into(),
            });
        }
    };
    let meta: ChartMeta = serde_yaml::from_value(serde_yaml::Value::Mapping(mapping.clone()))
        .map_err(|e| ChartError::InvalidChart {
            path: shown.clone(),
            message: e.to_string(),
        })?;
    Ok((meta, mapping))
}

fn unreadable_dir(dir: &Path) -> impl Fn(std::io::Error) -> ChartError + '_ {
    move |source| ChartError::Unreadable {
        path: dir.display().to_string(),
        source,
    }
}

fn collect_templates(
    dir: &Path,
    here: &Path,
    prefix: &str,
    chart_root: &Path,
    out: &mut Vec<TemplateFile>,
) -> Result<(), ChartError> {
    let unreadable = |source| ChartError::Unreadable {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(unreadable)?
        .collect::<Result<_, _>>()
        .map_err(unreadable)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let unreadable_entry = |source| ChartError::Unreadable {
            path: path.display().to_string(),
            source,
        };
        let file_type = entry.file_type().map_err(unreadable_entry)?;
        let (real, is_dir) = if file_type.is_symlink() {
            let real = fs::canonicalize(&path).map_err(unreadable_entry)?;
            let is_dir = real.is_dir();
            (real, is_dir)
        } else {
            (here.join(entry.file_name()), file_type.is_dir())
        };
        if !real.starts_with(chart_root) {
            return Err(ChartError::OutsideChart {
                path: path.display().to_string(),
                target: real.display().to_string(),
            });
        }
        let name = format!("{prefix}{file_name}");
        // A link to this directory or one above it is a loop: listing it would never end.
        if is_dir && here.starts_with(&real) {
            continue;
        }
        if is_dir {
            collect_templates(&path, &real, &format!("{name}/"), chart_root, out)?;
        } else {
            let source = read_text(&path)?;
            out.push(TemplateFile { name, path, source });
        }
    }
    Ok(())
}

/// The real path of `dir/name` given the real path of `dir`: only a link can lead elsewhere
/// (resolving a whole path costs a system call per component of it, and the current directory).
fn real_child(real_dir: &Path, path: &Path) -> std::io::Result<PathBuf> {
    match (fs::symlink_metadata(path), path.file_name()) {
        (Ok(meta), Some(name)) if !meta.file_type().is_symlink() => Ok(real_dir.join(name)),
        _ => fs::canonicalize(path),
    }
}
