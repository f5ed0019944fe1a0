//! Loading a chart directory and its subcharts: `Chart.yaml` checked as Helm checks it,
//! templates and CRDs read in path order, dependencies found and their versions checked.

use std::fs;
use std::path::{Path, PathBuf};

use super::files::ChartFiles;
use super::values_schema::ValuesSchema;
use super::{Chart, ChartMeta, MAX_SUBCHART_DEPTH, Subchart, TemplateFile, read_text, unreadable};
use crate::diagnostic;
use crate::error::Error;
use crate::values;
use crate::yaml::Keys;

impl Chart {
    pub fn load(dir: &Path) -> Result<Chart, Error> {
        let chart = Chart::load_nested(dir, None, &mut Vec::new())?;
        if chart.is_library() {
            return Err(invalid_chart(
                &dir.join("Chart.yaml"),
                "library charts are not installable: they provide components to other charts only; list it under `dependencies` of a chart that uses them",
            ));
        }
        Ok(chart)
    }

    /// Loads a chart and its subcharts; `parents` holds the real paths of the charts above it
    /// (a chart that is its own ancestor is a cycle). `real` is the real path of `dir`, when the
    /// caller has resolved it already.
    fn load_nested(
        dir: &Path,
        real: Option<PathBuf>,
        parents: &mut Vec<PathBuf>,
    ) -> Result<Chart, Error> {
        let shown = dir.display().to_string();
        let meta = fs::metadata(dir).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => Error::io("no such chart directory", source)
                .in_file(&shown)
                .with_hint("pass the directory that holds Chart.yaml, e.g. `ktera template charts/backend`"),
            _ => unreadable(dir, source),
        })?;
        if !meta.is_dir() {
            return Err(Error::input("not a directory").in_file(shown).with_hint(
                "a chart is a directory that holds Chart.yaml, values.yaml and templates/",
            ));
        }
        let chart_yaml_path = dir.join("Chart.yaml");
        if !chart_yaml_path.exists() {
            return Err(Error::input("missing Chart.yaml").in_file(shown).with_hint(
                "a chart directory needs a Chart.yaml with at least `apiVersion: v2`, `name` and `version`",
            ));
        }
        let (meta, chart_yaml) = parse_chart_yaml(&chart_yaml_path)?;
        let bad = |message: String| invalid_chart(&chart_yaml_path, message);
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
            // A library chart is loaded for its components; `Chart::load` refuses one alone.
            None | Some("application") | Some("library") => {}
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
            None => fs::canonicalize(dir).map_err(|source| unreadable(dir, source))?,
        };
        let templates_dir = dir.join("templates");
        let mut templates = Vec::new();
        if templates_dir.is_dir() {
            let here =
                real_child(&real, &templates_dir).map_err(|e| unreadable(&templates_dir, e))?;
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

        let files = ChartFiles::list_at(dir, &real).map_err(|source| unreadable(dir, source))?;

        let crds_dir = dir.join("crds");
        let mut crds = Vec::new();
        if crds_dir.is_dir() {
            let here = real_child(&real, &crds_dir).map_err(|e| unreadable(&crds_dir, e))?;
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
) -> Result<Vec<Subchart>, Error> {
    let error = |name: &str, message: String| {
        Error::input(format!("dependency `{name}`: {message}"))
            .in_file(chart_yaml_path.display().to_string())
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
                    "no chart found at {} (looked for its Chart.yaml)",
                    sub_dir.display()
                ),
            )
            .with_hint(format!(
                "vendor it into charts/{} or point `repository` at it with `file://<path>`",
                dep.name
            )));
        }
        let real = fs::canonicalize(&sub_dir).map_err(|source| unreadable(&sub_dir, source))?;
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
            let fits = super::version::matches(constraint, &chart.version)
                .map_err(|e| error(&dep.name, e.message().to_string()))?;
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
            .map_err(|source| unreadable(&charts_dir, source))?
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

/// `Chart.yaml` that is not what Helm accepts.
fn invalid_chart(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::input(format!("invalid Chart.yaml: {message}")).in_file(path.display().to_string())
}

fn parse_chart_yaml(path: &Path) -> Result<(ChartMeta, serde_yaml::Mapping), Error> {
    let text = read_text(path)?;
    let shown = path.display().to_string();
    let located = |e: serde_yaml::Error| {
        let (line, column) = diagnostic::yaml_error_location(&text, &e).unwrap_or((1, 1));
        Error::input(format!(
            "invalid Chart.yaml: {}",
            diagnostic::yaml_error_message(&e)
        ))
        .in_text(&shown, &text, line, column)
    };
    let raw: serde_yaml::Value = match crate::yaml::read_document(&text, Keys::Resolved) {
        Some(value) => value,
        None => serde_yaml::from_str(&text).map_err(located)?,
    };
    let mapping = match raw {
        serde_yaml::Value::Mapping(m) => m,
        serde_yaml::Value::Null => {
            return Err(invalid_chart(
                path,
                "the file is empty; it needs `apiVersion: v2`, `name` and `version`",
            ));
        }
        _ => {
            return Err(invalid_chart(
                path,
                "the top level must be a mapping (`name: ...`, `version: ...`)",
            ));
        }
    };
    let meta: ChartMeta = serde_yaml::from_value(serde_yaml::Value::Mapping(mapping.clone()))
        .map_err(|e| invalid_chart(path, e))?;
    Ok((meta, mapping))
}

fn collect_templates(
    dir: &Path,
    here: &Path,
    prefix: &str,
    chart_root: &Path,
    out: &mut Vec<TemplateFile>,
) -> Result<(), Error> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .and_then(|entries| entries.collect::<Result<_, _>>())
        .map_err(|e| unreadable(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let unreadable_entry = |source| unreadable(&path, source);
        let file_type = entry.file_type().map_err(unreadable_entry)?;
        let (real, is_dir) = if file_type.is_symlink() {
            let real = fs::canonicalize(&path).map_err(unreadable_entry)?;
            let is_dir = real.is_dir();
            (real, is_dir)
        } else {
            (here.join(entry.file_name()), file_type.is_dir())
        };
        if !real.starts_with(chart_root) {
            return Err(Error::input(format!(
                "the file is a link that leads out of the chart ({})",
                real.display()
            ))
            .in_file(path.display().to_string())
            .with_hint("templates must live inside the chart directory"));
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
