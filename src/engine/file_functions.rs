//! Template functions over the chart's files (Helm's `.Files.Get`, `.Glob`, `.Lines`,
//! `.AsConfig`, `.AsSecrets`).

use std::sync::Arc;

use base64::Engine as _;
use tera::{Kwargs, State, TeraResult, Value};

use crate::chart::files::{ChartFiles, FilesError};

pub fn register(tera: &mut tera::Tera, files: &ChartFiles) {
    let shared = Arc::new(files.clone());
    let f = shared.clone();
    tera.register_function("files_get", move |kwargs: Kwargs, _: &State| {
        let path = kwargs.must_get::<String>("path")?;
        f.get(&path).map_err(message)
    });
    let f = shared.clone();
    tera.register_function("files_lines", move |kwargs: Kwargs, _: &State| {
        let path = kwargs.must_get::<String>("path")?;
        let text = f.get(&path).map_err(message)?;
        Ok::<_, tera::Error>(text.lines().map(str::to_string).collect::<Vec<_>>())
    });
    let f = shared.clone();
    tera.register_function("files_glob", move |kwargs: Kwargs, _: &State| {
        let pattern = kwargs.must_get::<String>("pattern")?;
        let found = f.glob(&pattern).map_err(message)?;
        Ok::<_, tera::Error>(Value::from_serializable(&found))
    });
    let f = shared.clone();
    tera.register_function("files_as_config", move |kwargs: Kwargs, _: &State| {
        as_map(&f, &kwargs, |text| {
            serde_yaml::Value::String(text.to_string())
        })
    });
    let f = shared;
    tera.register_function("files_as_secrets", move |kwargs: Kwargs, _: &State| {
        as_map(&f, &kwargs, |text| {
            serde_yaml::Value::String(base64::engine::general_purpose::STANDARD.encode(text))
        })
    });
}

fn message(e: FilesError) -> tera::Error {
    tera::Error::message(e.to_string())
}

/// A YAML block of `file name: value` for the files matching `pattern`, keyed by base name
/// as Helm does (for `data:` of a ConfigMap or Secret).
fn as_map(
    files: &ChartFiles,
    kwargs: &Kwargs,
    value: impl Fn(&str) -> serde_yaml::Value,
) -> TeraResult<String> {
    let pattern = kwargs.must_get::<String>("pattern")?;
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
