//! Loading a chart archive (`.tgz`) into the same model as a chart directory, as Helm's
//! `loader.LoadFiles` does: `charts/` may hold subchart directories and archives, whose names
//! starting with `_` or `.` are left out. Everything is read from memory; a path in a message
//! names the archive, then the file inside it (`charts/cache-0.1.0.tgz/cache/values.yaml`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::archive;
use super::files::ChartFiles;
use super::load::{Loading, Vendored, attach_subcharts, check_meta, is_crd_file, parse_chart_yaml};
use super::load::{dependency_error, missing_chart_yaml};
use super::values_schema::ValuesSchema;
use super::{Chart, MAX_SUBCHART_DEPTH, TemplateFile, unreadable};
use crate::error::Error;
use crate::values;

/// Loads the chart archive at `path`.
pub(super) fn load_file(path: &Path, loading: &mut Loading) -> Result<Chart, Error> {
    let shown = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|source| unreadable(path, source))?
        .len();
    if size > archive::MAX_UNPACKED_BYTES {
        return Err(Error::input(format!(
            "larger than {} MiB, the most ktera reads of a chart archive",
            archive::MAX_UNPACKED_BYTES / (1024 * 1024)
        ))
        .in_file(shown));
    }
    let bytes = std::fs::read(path).map_err(|source| unreadable(path, source))?;
    load_bytes(path, &bytes, loading)
}

/// Loads a chart archive held in memory; `shown` names it in messages.
pub(super) fn load_bytes(
    shown: &Path,
    bytes: &[u8],
    loading: &mut Loading,
) -> Result<Chart, Error> {
    if !archive::is_gzip(bytes) {
        let hint = if shown.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            "it looks like a YAML file: pass a chart directory or a chart archive as CHART (values files go with -f)"
        } else {
            "pass a chart directory (with Chart.yaml) or a chart archive (.tgz)"
        };
        return Err(Error::input("not a chart archive (not gzip-compressed)")
            .in_file(shown.display().to_string())
            .with_hint(hint));
    }
    let unpacked = archive::read(bytes, &mut loading.budget)
        .map_err(|e| e.in_file(shown.display().to_string()))?;
    let base = shown.join(&unpacked.top);
    load_files(&base, unpacked.files, loading)
}

/// Builds a chart from its files (path inside the chart -> content); `base` is where they
/// are shown to be.
fn load_files(
    base: &Path,
    files: BTreeMap<String, Arc<[u8]>>,
    loading: &mut Loading,
) -> Result<Chart, Error> {
    let chart_yaml_path = base.join("Chart.yaml");
    let text_of = |name: &str| -> Result<Option<String>, Error> {
        files
            .get(name)
            .map(|bytes| text(&base.join(name), bytes))
            .transpose()
    };
    let Some(chart_yaml_text) = text_of("Chart.yaml")? else {
        return Err(missing_chart_yaml(&base.display().to_string()));
    };
    let (meta, chart_yaml) = parse_chart_yaml(&chart_yaml_text, &chart_yaml_path)?;
    let (name, version) = check_meta(&meta, &chart_yaml_path, &chart_yaml_text)?;
    let values_text = text_of("values.yaml")?;
    let values = match &values_text {
        Some(text) => values::parse_values(text, &base.join("values.yaml").display().to_string())?,
        None => serde_yaml::Value::Mapping(Default::default()),
    };
    let schema = match text_of("values.schema.json")? {
        Some(text) => Some(ValuesSchema::parse(
            &text,
            &base.join("values.schema.json"),
        )?),
        None => None,
    };
    let mut templates = Vec::new();
    let mut crds = Vec::new();
    for (key, bytes) in &files {
        let (list, name) = if let Some(name) = key.strip_prefix("templates/") {
            (&mut templates, name)
        } else if let Some(name) = key.strip_prefix("crds/").filter(|n| is_crd_file(n)) {
            (&mut crds, name)
        } else {
            continue;
        };
        let path = base.join(key);
        // As in a chart directory: no name that would break the `# Source:` line.
        for part in name.split('/') {
            super::names::check_file_name(std::ffi::OsStr::new(part))
                .map_err(|message| Error::input(message).in_file(path.display().to_string()))?;
        }
        let source = text(&path, bytes)?;
        list.push(TemplateFile {
            name: name.to_string(),
            path,
            source,
        });
    }
    let chart_files = ChartFiles::in_memory(&files);

    if loading.depth >= MAX_SUBCHART_DEPTH {
        return Err(dependency_error(
            &chart_yaml_path,
            &name,
            format!("subcharts are nested more than {MAX_SUBCHART_DEPTH} deep"),
        ));
    }
    loading.depth += 1;
    let vendored = vendored(base, &files, loading);
    loading.depth -= 1;
    let subcharts = attach_subcharts(base, &chart_yaml_path, &meta, vendored?, &mut |_| {
        // An archive holds its dependencies in charts/: a `file://` path would lead out of it.
        Ok(None)
    })?;

    Ok(Chart {
        dir: base.to_path_buf(),
        name,
        version,
        meta,
        chart_yaml,
        values,
        values_text,
        templates,
        crds,
        files: chart_files,
        schema,
        subcharts,
    })
}

/// The subcharts in an archive's `charts/`: directories and archives, in path order.
fn vendored(
    base: &Path,
    files: &BTreeMap<String, Arc<[u8]>>,
    loading: &mut Loading,
) -> Result<Vec<Vendored>, Error> {
    let mut directories: BTreeMap<&str, BTreeMap<String, Arc<[u8]>>> = BTreeMap::new();
    let mut archives = Vec::new();
    for (key, bytes) in files {
        let Some(rest) = key.strip_prefix("charts/") else {
            continue;
        };
        if rest.starts_with(['_', '.']) {
            continue;
        }
        match rest.split_once('/') {
            Some((dir, inside)) => {
                directories
                    .entry(dir)
                    .or_default()
                    .insert(inside.to_string(), Arc::clone(bytes));
            }
            None if rest.ends_with(".tgz") => archives.push((rest, bytes)),
            None => {}
        }
    }
    let mut found: Vec<(PathBuf, Vendored)> = Vec::new();
    for (dir, inside) in directories {
        if !inside.contains_key("Chart.yaml") {
            continue;
        }
        let shown = base.join("charts").join(dir);
        let chart = load_files(&shown, inside, loading)?;
        found.push((
            shown.clone(),
            Vendored {
                shown: shown.display().to_string(),
                chart,
                real: None,
            },
        ));
    }
    for (name, bytes) in archives {
        let shown = base.join("charts").join(name);
        let chart = load_bytes(&shown, bytes, loading)?;
        found.push((
            shown.clone(),
            Vendored {
                shown: shown.display().to_string(),
                chart,
                real: None,
            },
        ));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found.into_iter().map(|(_, v)| v).collect())
}

/// A file's content as UTF-8 text, without a leading byte order mark; bytes that are not
/// UTF-8 are placed by line and column.
fn text(path: &Path, bytes: &[u8]) -> Result<String, Error> {
    crate::input::text(bytes.to_vec()).map_err(|f| f.into_error(&path.display().to_string()))
}
