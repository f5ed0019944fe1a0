//! Values: loading values documents, Helm's merge rules, the `--set` grammar, and the
//! precedence that combines a chart's defaults with what the user passes.
//!
//! The value type is `serde_yaml::Value` with string keys in written order. Semantics follow
//! Helm's `pkg/strvals` and `pkg/chartutil`, checked against the real Helm by the fixtures in
//! `tests/fixtures/helm-values/`; `docs/values.md` lists where ktera deliberately differs.

mod merge;
mod parse;
mod path;
mod strvals;
mod yaml11;

use std::io::Read;
use std::path::Path;

use serde_yaml::{Mapping, Value};

use crate::error::Error;

pub use merge::{merge, merge_files};
pub use parse::{load_values_file, parse_values, parse_values_with_serde_yaml, read_values_text};
pub use path::{PathDisplay, Segment};
pub use strvals::{MAX_INDEX, SetKind, apply_set};
pub use yaml11::{Yaml11Boolean, yaml11_booleans, yaml11_booleans_in_files};

/// Where values come from, besides the chart's values.yaml. Each Vec in command-line order.
#[derive(Debug, Default, Clone)]
pub struct ValueSources {
    /// -f/--values; "-" means standard input.
    pub files: Vec<String>,
    /// --set a.b=c,d=e
    pub set: Vec<String>,
    /// --set-string
    pub set_string: Vec<String>,
    /// --set-file key=path (value = file contents as a string)
    pub set_file: Vec<String>,
    /// --set-json key=<json>
    pub set_json: Vec<String>,
}

/// The name standard input goes by in messages.
pub const STDIN: &str = "<stdin>";

/// The text of each `-f` file, with the name messages give it (`<stdin>` for `-`, whose text
/// is `stdin`, read by the caller once for every use).
pub fn value_file_texts(
    files: &[String],
    stdin: Option<&str>,
) -> Result<Vec<(String, String)>, Error> {
    files
        .iter()
        .map(|file| match (file.as_str(), stdin) {
            ("-", Some(text)) => Ok((STDIN.to_string(), text.to_string())),
            _ => Ok((file.clone(), read_values_text(Path::new(file))?)),
        })
        .collect()
}

/// Final values: chart defaults < -f files in order < --set-json < --set < --set-string <
/// --set-file (Helm's precedence; within a flag type, later wins). `stdin` is read for `-f -`
/// (or `--set-file key=-`), at most once.
///
/// As in Helm, the files are merged with each other first and the `--set` flags applied onto
/// that (so `list[1]=x` edits a list from a file, but replaces one from the chart), then the
/// result is coalesced over the chart defaults, where a null deletes a default.
pub fn resolve(
    chart_defaults: Value,
    sources: &ValueSources,
    stdin: &mut dyn Read,
) -> Result<Value, Error> {
    let mut stdin = StdinOnce {
        reader: stdin,
        used: false,
    };
    let mut files = Value::Mapping(Mapping::new());
    for file in &sources.files {
        let doc = if file == "-" {
            parse_values(&stdin.take()?, STDIN)?
        } else {
            load_values_file(Path::new(file))?
        };
        merge_files(&mut files, doc);
    }
    apply_flags_over_defaults(chart_defaults, files, sources, &mut stdin)
}

/// [`resolve`] with the `-f` files of `sources` already read and merged into `files` (each
/// onto the ones before it by [`merge_files`]): a project reads each file once for all the
/// releases that name it. `sources.files` is not read again.
pub fn resolve_with_files(
    chart_defaults: Value,
    files: Value,
    sources: &ValueSources,
    stdin: &mut dyn Read,
) -> Result<Value, Error> {
    let mut stdin = StdinOnce {
        reader: stdin,
        used: false,
    };
    apply_flags_over_defaults(chart_defaults, files, sources, &mut stdin)
}

/// The `--set` flags of `sources` applied to the merged `-f` files, and the result coalesced
/// over the chart defaults.
fn apply_flags_over_defaults(
    chart_defaults: Value,
    mut user: Value,
    sources: &ValueSources,
    stdin: &mut StdinOnce,
) -> Result<Value, Error> {
    for expr in &sources.set_json {
        apply_set(&mut user, expr, SetKind::Json)?;
    }
    for expr in &sources.set {
        apply_set(&mut user, expr, SetKind::Typed)?;
    }
    for expr in &sources.set_string {
        apply_set(&mut user, expr, SetKind::String)?;
    }
    let mut read_file = |path: &str| {
        if path == "-" {
            stdin.take()
        } else {
            strvals::read_text_file(path)
        }
    };
    for expr in &sources.set_file {
        strvals::apply_set_with(&mut user, expr, SetKind::File, &mut read_file)?;
    }

    let mut values = match chart_defaults {
        Value::Null => Value::Mapping(Mapping::new()),
        defaults => defaults,
    };
    merge(&mut values, user);
    Ok(values)
}

/// Standard input, which can be read once.
struct StdinOnce<'a> {
    reader: &'a mut dyn Read,
    used: bool,
}

impl StdinOnce<'_> {
    fn take(&mut self) -> Result<String, Error> {
        if self.used {
            return Err(Error::input(
                "standard input holds one document, but `-` is given more than once to -f or \
                 --set-file; save it to a file for the other uses",
            ));
        }
        self.used = true;
        crate::input::read_exact_text(&mut self.reader).map_err(|f| {
            f.error_or(STDIN, |e| {
                Error::io(format!("cannot read values from standard input: {e}"), e)
            })
        })
    }
}
