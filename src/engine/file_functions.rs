//! Template functions over the chart's files (Helm's `.Files.Get`, `.Glob`, `.Lines`,
//! `.AsConfig`, `.AsSecrets`). A chart and its subcharts share one Tera instance: each call
//! reads the files of the chart whose template is rendering (`Template.BasePath`), as Helm's
//! `.Files` belongs to the template's own chart.

use std::sync::Arc;

use base64::Engine as _;
use tera::{Kwargs, State, TeraResult, Value};

use super::args::required;
use super::register::Registry;
use crate::chart::files::ChartFiles;
use crate::error::Error;

/// Each chart's files by its `Template.BasePath` (`backend/templates`); the first is the top
/// chart's, used when no template is rendering (a `tpl` string given its own context).
#[derive(Clone)]
pub struct TreeFiles(Arc<Vec<(String, ChartFiles)>>);

impl TreeFiles {
    pub fn new(charts: Vec<(String, ChartFiles)>) -> TreeFiles {
        TreeFiles(Arc::new(charts))
    }

    fn of(&self, state: &State) -> TeraResult<&ChartFiles> {
        let base = state.get::<Value>("Template")?.and_then(|t| {
            t.get_from_path("BasePath")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        let found = base.and_then(|b| self.0.iter().find(|(base, _)| *base == b));
        found
            .or_else(|| self.0.first())
            .map(|(_, files)| files)
            .ok_or_else(|| tera::Error::message("no chart files to read"))
    }
}

pub fn register(r: &mut Registry, files: &TreeFiles) {
    let shared = files.clone();
    let f = shared.clone();
    r.function(
        "files_get",
        &["path", "default"],
        move |kwargs: &Kwargs, state: &State| {
            let path = required::<String>(
                kwargs,
                "path",
                "files_get",
                r#"files_get(path="files/app.conf")"#,
            )?;
            let files = f.of(state)?;
            match (files.get(&path), kwargs.get::<Value>("default")?) {
                (Ok(text), _) => Ok(Value::from(text)),
                // Helm's `.Files.Get` gives an empty string for a file the chart does not have;
                // converted charts say so with `default=""`. A file it has but cannot give as
                // text (binary: kube-prometheus-stack's crds.bz2) stops the render.
                (Err(_), Some(fallback)) if !files.has(&path) => Ok(fallback),
                (Err(e), _) => Err(message(e)),
            }
        },
    );
    let f = shared.clone();
    r.function(
        "files_lines",
        &["path", "default"],
        move |kwargs: &Kwargs, state: &State| {
            let path = required::<String>(
                kwargs,
                "path",
                "files_lines",
                r#"files_lines(path="files/list.txt")"#,
            )?;
            let files = f.of(state)?;
            let text = match (files.get(&path), kwargs.get::<Value>("default")?) {
                (Ok(text), _) => text,
                (Err(_), Some(fallback)) if !files.has(&path) => return Ok(fallback),
                (Err(e), _) => return Err(message(e)),
            };
            Ok(text.lines().map(str::to_string).collect::<Vec<_>>().into())
        },
    );
    let f = shared.clone();
    r.function(
        "files_glob",
        &["pattern"],
        move |kwargs: &Kwargs, state: &State| {
            let pattern = required::<String>(
                kwargs,
                "pattern",
                "files_glob",
                r#"files_glob(pattern="files/*.conf")"#,
            )?;
            let found = f.of(state)?.glob(&pattern).map_err(message)?;
            Ok(Value::from_serializable(&found))
        },
    );
    let f = shared.clone();
    r.function(
        "files_as_config",
        &["pattern"],
        move |kwargs: &Kwargs, state: &State| {
            as_map(f.of(state)?, kwargs, "files_as_config", |text| {
                serde_yaml::Value::String(text.to_string())
            })
            .map(Value::from)
        },
    );
    let f = shared;
    r.function(
        "files_as_secrets",
        &["pattern"],
        move |kwargs: &Kwargs, state: &State| {
            as_map(f.of(state)?, kwargs, "files_as_secrets", |text| {
                serde_yaml::Value::String(base64::engine::general_purpose::STANDARD.encode(text))
            })
            .map(Value::from)
        },
    );
}

fn message(e: Error) -> tera::Error {
    tera::Error::message(e.to_string())
}

/// A YAML block of `file name: value` for the files matching `pattern`, keyed by base name
/// as Helm does (for `data:` of a ConfigMap or Secret).
fn as_map(
    files: &ChartFiles,
    kwargs: &Kwargs,
    name: &str,
    value: impl Fn(&str) -> serde_yaml::Value,
) -> TeraResult<String> {
    let pattern = required::<String>(
        kwargs,
        "pattern",
        name,
        &format!(r#"{name}(pattern="files/*")"#),
    )?;
    let found = files.glob(&pattern).map_err(message)?;
    let mut map = serde_yaml::Mapping::new();
    for (path, text) in &found {
        let base = path.rsplit('/').next().unwrap_or(path);
        map.insert(serde_yaml::Value::String(base.to_string()), value(text));
    }
    if map.is_empty() {
        return Ok("{}".into());
    }
    let mut text = crate::yaml::emit_document(&serde_yaml::Value::Mapping(map));
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(text)
}
