//! The template engine: a chart's templates compiled once into one Tera instance, then rendered
//! with the template context (`Values`, `Release`, `Chart`, `Capabilities`, `Template`), with
//! Helm's and Sprig's functions under Tera names, `tpl`, and the limits that keep a render from
//! running away.

mod args;
mod builtins;
mod case;
mod collections;
mod context;
mod convert;
mod defaults;
mod error;
mod file_functions;
mod functions;
mod go;
mod limit;
mod numbers;
mod printf;
mod regex;
mod register;
mod serial;
mod stack;
mod strings;
mod tpl;

use std::collections::HashMap;
use std::sync::Arc;

use tera::{Context, Tera};

use crate::chart::{Chart, TemplateFile};
use crate::pool;
use crate::release::Release;

pub use error::{Location, RenderError};
pub use limit::{MAX_OUTPUT_BYTES, MAX_RANGE_ITEMS};
pub use stack::{RENDER_STACK_BYTES, mark_render_thread};
pub use tpl::MAX_TPL_DEPTH;

/// One emitted template's output, before it is split into documents.
#[derive(Debug, Clone)]
pub struct RenderedTemplate {
    /// Relative to `templates/`: `deployment.yaml`.
    pub name: String,
    /// As Helm prints it in `# Source:`: `backend/templates/deployment.yaml`.
    pub source_name: String,
    /// The template file on disk, for error messages.
    pub path: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Rendered {
    pub templates: Vec<RenderedTemplate>,
    /// The rendered `templates/NOTES.txt`, if the chart has one.
    pub notes: Option<String>,
}

/// A chart's templates, compiled once; render as many times as needed.
pub struct Engine {
    tera: Arc<Tera>,
    /// `backend`, or `backend/charts/cache` for a subchart: prefix of `# Source:` names.
    source_base: String,
    /// Emitted templates in path order (partials and NOTES.txt excluded).
    emitted: Vec<String>,
    notes: Option<String>,
    /// Template name -> (path on disk, source), to locate errors in the user's file.
    files: HashMap<String, (String, String)>,
}

impl Engine {
    /// Compiles every template of the chart in one batch (adding them one by one re-checks all
    /// of them each time and grows quadratically).
    pub fn new(chart: &Chart) -> Result<Engine, RenderError> {
        Engine::with_source_base(chart, &chart.name)
    }

    /// As [`Engine::new`], for a subchart whose `# Source:` names start with `source_base`
    /// (`backend/charts/cache`).
    pub fn with_source_base(chart: &Chart, source_base: &str) -> Result<Engine, RenderError> {
        let handle = tpl::EngineHandle::default();
        let mut tera = Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        register_all(&mut tera, chart, &handle);

        let files: HashMap<String, (String, String)> = chart
            .templates
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    (t.path.display().to_string(), t.source.clone()),
                )
            })
            .collect();
        let compile = tera.add_raw_templates(
            chart
                .templates
                .iter()
                .map(|t| (t.name.as_str(), t.source.as_str())),
        );
        if let Err(e) = compile {
            return Err(locate(&e, &files));
        }
        let tera = Arc::new(tera);
        let _ = handle.set(Arc::downgrade(&tera));
        let emitted = chart
            .templates
            .iter()
            .filter(|t| !t.is_partial() && !t.is_notes())
            .map(|t| t.name.clone())
            .collect();
        let notes = chart
            .templates
            .iter()
            .find(|t| TemplateFile::is_notes(t))
            .map(|t| t.name.clone());
        Ok(Engine {
            tera,
            source_base: source_base.to_string(),
            emitted,
            notes,
            files,
        })
    }

    /// Renders every emitted template (and NOTES.txt) with the given values and release.
    pub fn render(
        &self,
        chart: &Chart,
        values: &serde_yaml::Value,
        release: &Release,
    ) -> Result<Rendered, RenderError> {
        let mut base = Context::new();
        base.insert_value("Values", convert::to_tera(values));
        base.insert_value(
            "Release",
            convert::to_tera(&context::release_object(release)),
        );
        base.insert_value("Chart", convert::to_tera(&context::chart_object(chart)));
        base.insert_value(
            "Capabilities",
            convert::to_tera(&context::capabilities_object(release)),
        );

        stack::on_render_stack(|| {
            let templates = self.render_names(&self.emitted, &base)?;
            let notes = match &self.notes {
                Some(name) => Some(self.render_one(name, &base)?.text),
                None => None,
            };
            Ok(Rendered { templates, notes })
        })
    }

    /// Renders templates over the available cores; results keep the input order and the first
    /// error (in template order) wins, so output and errors do not depend on scheduling.
    fn render_names(
        &self,
        names: &[String],
        base: &Context,
    ) -> Result<Vec<RenderedTemplate>, RenderError> {
        // Starting threads costs more than rendering a handful of templates.
        let worth = if names.len() < 16 { 1 } else { names.len() };
        pool::map(names, worth, |name| self.render_one(name, base))
            .into_iter()
            .collect()
    }

    fn render_one(&self, name: &str, base: &Context) -> Result<RenderedTemplate, RenderError> {
        let mut context = base.clone();
        context.insert_value(
            "Template",
            convert::to_tera(&context::template_object(&self.source_base, name)),
        );
        let path = self
            .files
            .get(name)
            .map(|(p, _)| p.clone())
            .unwrap_or_else(|| name.to_string());
        crate::memory::rendering(&path);
        let mut out = limit::Capped::default();
        limit::start_render();
        let rendered = self.tera.render_to(name, &context, &mut out);
        crate::memory::rendering("");
        if out.exceeded {
            return Err(RenderError::Other(format!(
                "{path}: {}",
                limit::too_large("the template")
            )));
        }
        rendered.map_err(|e| match locate(&e, &self.files) {
            // Errors without a place (a component calling itself too deep) still name the file.
            RenderError::Other(message) if !message.contains(&path) => {
                RenderError::Other(format!("{path}: {message}"))
            }
            // An error inside a partial or component: say which template was being rendered.
            RenderError::Template {
                message,
                location: Some(location),
                hint,
            } if location.path != path => RenderError::Template {
                message,
                hint: Some(match hint {
                    Some(h) => format!("{h}\n  note: while rendering {path}"),
                    None => format!("this helper was called while rendering {path}"),
                }),
                location: Some(location),
            },
            located => located,
        })?;
        let text = String::from_utf8(out.bytes)
            .map_err(|_| RenderError::Other(format!("{path}: the output is not UTF-8 text")))?;
        Ok(RenderedTemplate {
            name: name.to_string(),
            source_name: format!("{}/templates/{name}", self.source_base),
            path,
            text,
        })
    }
}

/// Every filter, test and function a template can call, each with the keyword arguments it
/// takes (`register`).
fn register_all(tera: &mut Tera, chart: &Chart, handle: &tpl::EngineHandle) {
    let mut r = register::Registry::new(tera);
    builtins::register(&mut r);
    defaults::register(&mut r);
    strings::register(&mut r);
    collections::register(&mut r);
    numbers::register(&mut r);
    serial::register(&mut r);
    regex::register(&mut r);
    printf::register(&mut r);
    functions::register(&mut r);
    limit::register_range(&mut r);
    file_functions::register(&mut r, &chart.files);
    tpl::register(&mut r, handle.clone());
}

/// Turns a Tera error into one that names the user's file, line and column.
fn locate(error: &tera::Error, files: &HashMap<String, (String, String)>) -> RenderError {
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            let message = report.message().to_string();
            let location = files.get(report.filename()).map(|(path, source)| {
                let source_line = source
                    .lines()
                    .nth(span.start_line.saturating_sub(1))
                    .unwrap_or("")
                    .to_string();
                let width = if span.end_line == span.start_line {
                    span.end_col.saturating_sub(span.start_col)
                } else {
                    source_line.chars().count().saturating_sub(span.start_col)
                };
                Location {
                    path: path.clone(),
                    line: span.start_line,
                    column: span.start_col + 1,
                    source_line,
                    width,
                }
            });
            let hint = error::hint_for(&message);
            RenderError::Template {
                message,
                location,
                hint,
            }
        }
        _ => {
            // Other kinds (include cycles, missing templates) name templates, not lines.
            let mut message = error.to_string();
            // Validation errors (unknown filters...) arrive as text naming the template; name
            // the file instead, as every other error does.
            for (name, (path, _)) in files {
                message = message.replace(&format!("--> {name}:"), &format!("--> {path}:"));
            }
            if let Some(rest) = message.strip_prefix("error: ") {
                message = rest.to_string();
            }
            let mut source = std::error::Error::source(error);
            while let Some(inner) = source {
                message.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            RenderError::Other(message)
        }
    }
}
