//! The template engine: a chart's and its subcharts' templates compiled once into one Tera
//! instance, then rendered with the template context (`Values`, `Release`, `Chart`,
//! `Capabilities`, `Template`, and `Root`, all of them as one value), with
//! Helm's and Sprig's functions under Tera names, `tpl`, and the limits that keep a render from
//! running away. Prints go through a check that refuses null (`print_guard`), and errors name
//! the user's file, line and column, in a Helm user's words where a Helm habit caused them
//! (`habits`).

mod args;
mod builtins;
mod case;
mod collections;
mod context;
mod convert;
mod defaults;
mod file_functions;
mod functions;
pub(crate) mod go;
mod go_timestamp;
mod go_toml;
mod go_yaml;
mod habits;
mod limit;
mod numbers;
mod print_guard;
mod printf;
mod regex;
mod register;
mod serial;
mod sprig_more;
mod stack;
mod strings;
pub(crate) mod tera_text;
mod tpl;
mod url;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use tera::{Context, Tera};

use crate::chart::{Chart, TemplateFile};
use crate::diagnostic::{Diagnostic, span_snippet};
use crate::error::Error;
use crate::pool;
use crate::release::Release;

pub use limit::{MAX_OUTPUT_BYTES, MAX_RANGE_ITEMS};
pub use stack::{RENDER_STACK_BYTES, mark_render_thread};
pub use tpl::MAX_TPL_DEPTH;

/// The chart's values stages in the order they render; two with one place are refused.
fn values_stages(chart: &Chart) -> Result<Vec<String>, Error> {
    let mut stages: Vec<(u64, &TemplateFile)> = chart
        .templates
        .iter()
        .filter_map(|t| Some((t.values_stage()?, t)))
        .collect();
    stages.sort_by_key(|(place, _)| *place);
    if let Some(pair) = stages.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(Error::input(format!(
            "{} and {} are both values stage {}",
            pair[0].1.name, pair[1].1.name, pair[0].0
        ))
        .in_file(pair[1].1.path.display().to_string())
        .with_hint(format!(
            "rename one: the stages are {}, then {}, ...",
            crate::chart::VALUES_STAGE,
            crate::chart::values_stage_name(2)
        )));
    }
    Ok(stages.into_iter().map(|(_, t)| t.name.clone()).collect())
}

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

/// A chart and its subcharts' templates, compiled once into one Tera instance, so that
/// components are shared by the whole tree as Helm shares defines; render as many times as
/// needed.
pub struct Engine {
    tera: Arc<Tera>,
    /// The charts of the tree, the top chart first.
    parts: Vec<Part>,
    /// Tera name -> (path on disk, source), to locate errors in the user's file.
    files: HashMap<String, (String, String)>,
    /// Tera name -> where `print_guard` inserted text, to give error columns back as written.
    inserts: HashMap<String, Vec<(usize, usize)>>,
    /// Whether a template can build values nested deeper than the calling thread's stack
    /// holds: renders then go to a render thread (`stack`).
    nests_values: bool,
}

/// One chart of a compiled tree.
struct Part {
    /// `backend`, or `backend/charts/cache` for a subchart: prefix of `# Source:` names.
    source_base: String,
    /// Prefix of its Tera template names: empty for the top chart (whose templates keep the
    /// names `{% include %}` uses), `backend/charts/cache/templates/` for a subchart.
    prefix: String,
    /// Emitted templates in path order (partials, NOTES.txt and library charts' excluded),
    /// relative to `templates/`.
    emitted: Vec<String>,
    notes: Option<String>,
    /// `_values.tera` (and `_values.2.tera`, ...) in order, rendered first: the output of the
    /// last is the `Values` of the rest.
    values_stages: Vec<String>,
}

/// A chart of a tree to compile: the chart and its `# Source:` base.
pub struct TreeChart<'a> {
    pub chart: &'a Chart,
    /// `backend`, `backend/charts/cache`.
    pub source_base: String,
    /// A subchart the values disable: its partials are compiled for their components (a
    /// chart's templates may name them in a branch that does not run, which Tera checks when
    /// compiling and Helm only when running), nothing of it renders.
    pub components_only: bool,
}

/// A subchart as its parent's templates see it under `Root.Subcharts.<name>`.
pub struct SubchartObject<'a> {
    /// The alias, else the chart's name.
    pub name: &'a str,
    pub chart: &'a Chart,
    pub values: &'a serde_yaml::Value,
}

impl Engine {
    /// Compiles the chart's own templates (not its subcharts').
    pub fn new(chart: &Chart) -> Result<Engine, Error> {
        Engine::for_tree(&[TreeChart {
            chart,
            source_base: chart.name.clone(),
            components_only: false,
        }])
    }

    /// Compiles every template of the charts of a tree, the top chart first, in one batch
    /// (adding them one by one re-checks all of them each time and grows quadratically). A
    /// component defined by two charts is the one of the chart nearer the top, as Helm keeps
    /// the define it reads last.
    pub fn for_tree(charts: &[TreeChart]) -> Result<Engine, Error> {
        let parts: Vec<Part> = charts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                Ok(Part {
                    prefix: if i == 0 {
                        String::new()
                    } else {
                        format!("{}/templates/", c.source_base)
                    },
                    source_base: c.source_base.clone(),
                    emitted: if c.chart.is_library() || c.components_only {
                        Vec::new()
                    } else {
                        c.chart
                            .templates
                            .iter()
                            .filter(|t| !t.is_partial() && !t.is_notes())
                            .map(|t| t.name.clone())
                            .collect()
                    },
                    notes: c
                        .chart
                        .templates
                        .iter()
                        .find(|t| {
                            TemplateFile::is_notes(t) && !c.chart.is_library() && !c.components_only
                        })
                        .map(|t| t.name.clone()),
                    values_stages: if c.chart.is_library() || c.components_only {
                        Vec::new()
                    } else {
                        values_stages(c.chart)?
                    },
                })
            })
            .collect::<Result<_, Error>>()?;
        let mut sources: HashMap<String, (String, String)> = HashMap::new();
        for (chart, part) in charts.iter().zip(&parts) {
            for t in &chart.chart.templates {
                if chart.components_only && !t.is_partial() {
                    continue;
                }
                let path = t.path.to_string_lossy().into_owned();
                let name = format!("{}{}", part.prefix, t.name);
                match sources.entry(name) {
                    Entry::Vacant(entry) => {
                        entry.insert((path, t.source.clone()));
                    }
                    // One name for two templates would render one of them twice and drop the
                    // other.
                    Entry::Occupied(entry) => {
                        let (name, (first, _)) = (entry.key(), entry.get());
                        return Err(Error::input(format!(
                            "two templates are both named `{name}`: {first} and {path}"
                        ))
                        .in_file(path)
                        .with_hint("rename one of them, or the directory that holds it"));
                    }
                }
            }
        }
        // Each source is scanned on the pool: Tera's compile that follows runs on this thread
        // alone, so this is the one part of compiling that can share out.
        let named: Vec<(&String, &String)> = sources
            .iter()
            .map(|(name, (_, source))| (name, source))
            .collect();
        let worth = if named.len() < 16 { 1 } else { named.len() };
        let scanned = pool::map(&named, worth, |(_, source)| {
            (print_guard::guard(source), stack::may_nest_values(source))
        });
        let nests_values = scanned.iter().any(|(_, nests)| *nests);
        let guarded: HashMap<&str, print_guard::Guarded> = named
            .iter()
            .zip(scanned)
            .map(|((name, _), (guarded, _))| (name.as_str(), guarded))
            .collect();
        let compiled = compile(charts, &parts, |name| {
            guarded.get(name).map_or("", |g| g.source.as_str())
        });
        let (tera, handle, inserts) = match compiled {
            Ok((tera, handle)) => {
                let inserts = guarded
                    .into_iter()
                    .filter(|(_, g)| !g.inserts.is_empty())
                    .map(|(name, g)| (name.to_string(), g.inserts))
                    .collect();
                (tera, handle, inserts)
            }
            // The error as the templates are written: compiled again without the print checks
            // (only on this path), which also keeps a chart rendering should the wrapping ever
            // break a template that compiles as written.
            Err(_) => {
                let (tera, handle) = compile(charts, &parts, |name| {
                    sources.get(name).map_or("", |(_, s)| s.as_str())
                })
                .map_err(|e| locate(&e, &sources, &HashMap::new(), None))?;
                (tera, handle, HashMap::new())
            }
        };
        let tera = Arc::new(tera);
        let _ = handle.set(Arc::downgrade(&tera));
        Ok(Engine {
            tera,
            parts,
            files: sources,
            inserts,
            nests_values,
        })
    }

    /// Renders every emitted template (and NOTES.txt) of the top chart.
    pub fn render(
        &self,
        chart: &Chart,
        values: &serde_yaml::Value,
        release: &Release,
    ) -> Result<Rendered, Error> {
        let base = self
            .parts
            .first()
            .map_or(chart.name.as_str(), |p| p.source_base.as_str());
        self.render_part(base, chart, values, release, &[])
    }

    /// Renders every emitted template (and NOTES.txt) of the chart at `source_base` with its
    /// values; `subcharts` are its enabled direct subcharts (`Root.Subcharts`).
    pub fn render_part(
        &self,
        source_base: &str,
        chart: &Chart,
        values: &serde_yaml::Value,
        release: &Release,
        subcharts: &[SubchartObject],
    ) -> Result<Rendered, Error> {
        let Some(part) = self.parts.iter().find(|p| p.source_base == source_base) else {
            return Err(Error::input(format!(
                "internal: {source_base} was not compiled"
            )));
        };
        let release_object = convert::to_tera(&context::release_object(release));
        let capabilities = convert::to_tera(&context::capabilities_object(release));
        let chart_object = convert::to_tera(&context::chart_object(chart));
        let values = convert::to_tera(values);
        let subcharts = context::subcharts_object(subcharts, &release_object, &capabilities);
        let mut base = Context::new();
        base.insert_value("Values", values);
        base.insert_value("Release", release_object);
        base.insert_value("Chart", chart_object);
        base.insert_value("Capabilities", capabilities);
        base.insert_value("Subcharts", subcharts);

        let render = || {
            let mut staged = None;
            for stage in &part.values_stages {
                let values = self.staged_values(part, stage, staged.as_ref().unwrap_or(&base))?;
                staged = Some(values);
            }
            let base = staged.as_ref().unwrap_or(&base);
            let templates = self.render_names(part, &part.emitted, base)?;
            let notes = match &part.notes {
                Some(name) => Some(self.render_one(part, name, base)?.text),
                None => None,
            };
            Ok(Rendered { templates, notes })
        };
        if self.nests_values {
            stack::on_render_stack(render)
        } else {
            stack::render_here(render)
        }
    }

    /// The context with the `Values` the values stage `stage` prints (a YAML mapping, read as
    /// a values file is).
    fn staged_values(&self, part: &Part, stage: &str, base: &Context) -> Result<Context, Error> {
        let rendered = self.render_one(part, stage, base)?;
        let origin = format!("{} (as rendered)", rendered.path);
        let printed = rendered.text.lines().any(|line| {
            let line = line.trim();
            !line.is_empty() && !line.starts_with('#')
        });
        if !printed {
            return Err(Error::input(
                "the values stage printed no values: its output is the `Values` of every other template of the chart",
            )
            .in_file(rendered.path)
            .with_hint("end it with `{{ Values | to_yaml }}` (or print `{}` for no values)"));
        }
        let values = crate::values::parse_values(&rendered.text, &origin).map_err(|e| {
            e.with_note("the values stage must print a YAML mapping: the `Values` of the chart's other templates")
        })?;
        let mut staged = base.clone();
        staged.insert_value("Values", convert::to_tera(&values));
        Ok(staged)
    }

    /// Renders templates over the available cores; results keep the input order and the first
    /// error (in template order) wins, so output and errors do not depend on scheduling.
    fn render_names(
        &self,
        part: &Part,
        names: &[String],
        base: &Context,
    ) -> Result<Vec<RenderedTemplate>, Error> {
        // Starting threads costs more than rendering a handful of templates.
        let worth = if names.len() < 16 { 1 } else { names.len() };
        pool::map(names, worth, |name| self.render_one(part, name, base))
            .into_iter()
            .collect()
    }

    fn render_one(
        &self,
        part: &Part,
        name: &str,
        base: &Context,
    ) -> Result<RenderedTemplate, Error> {
        let mut context = base.clone();
        let source_name = format!("{}/templates/{name}", part.source_base);
        let template = context::template_object(&part.source_base, &source_name);
        context.insert_value("Root", context::root_object(&context, &template));
        context.insert_value("Template", template);
        // The top chart's templates are named as they are (no prefix).
        let tera_name = if part.prefix.is_empty() {
            std::borrow::Cow::Borrowed(name)
        } else {
            std::borrow::Cow::Owned(format!("{}{name}", part.prefix))
        };
        let (path, source_len) = self
            .files
            .get(tera_name.as_ref())
            .map_or_else(|| (name.to_string(), 0), |(p, s)| (p.clone(), s.len()));
        crate::memory::rendering(&path);
        let mut out = limit::Capped::for_source(source_len);
        limit::start_render();
        let rendered = self
            .tera
            .render_to(&tera_name, &context, &mut out)
            .map_err(|e| self.explain_undefined(e, &tera_name, &context));
        crate::memory::rendering("");
        if out.exceeded {
            return Err(Error::input(limit::too_large("the template")).in_file(path));
        }
        rendered.map_err(|e| {
            let error = locate(&e, &self.files, &self.inserts, Some(&context));
            let file = &error.diagnostic().file;
            if file.is_empty() && !error.message().contains(&path) {
                // Errors without a place (a component calling itself too deep) still name the file.
                error.in_file(&path)
            } else if !file.is_empty() && *file != path {
                // An error inside a partial or component: say which template was being rendered.
                error.with_note(format!("while rendering {path}"))
            } else {
                error
            }
        })?;
        let text = String::from_utf8(out.bytes)
            .map_err(|_| Error::input("the output is not UTF-8 text").in_file(&path))?;
        let text = defaults::drop_no_value(text);
        Ok(RenderedTemplate {
            name: name.to_string(),
            source_name,
            path,
            text,
        })
    }
}

impl Engine {
    /// A print of a loop's or a `set`'s variable that was undefined, explained: the template
    /// is rendered again with the printed path at hand, so that the error names the missing
    /// field as Tera does (only the render knows the variable). Other errors pass unchanged.
    fn explain_undefined(
        &self,
        error: tera::Error,
        tera_name: &str,
        context: &Context,
    ) -> tera::Error {
        let tera::ErrorKind::RenderingError(report) = error.kind() else {
            return error;
        };
        if report.message() != print_guard::UNDEFINED {
            return error;
        }
        let printed = self.files.get(report.filename()).and_then(|(_, written)| {
            let shift = self
                .inserts
                .get(report.filename())
                .map(|inserts| print_guard::shifts(written, inserts))
                .unwrap_or_default();
            let span = report.span();
            let line = written.lines().nth(span.start_line.saturating_sub(1))?;
            printed_at(&shift, line, span).map(|(_, _, printed)| printed)
        });
        let Some(printed) = printed.filter(|p| print_guard::is_variable_path(p.trim())) else {
            return error;
        };
        print_guard::explaining(printed.trim(), || {
            limit::start_render();
            self.tera
                .render_to(tera_name, context, &mut limit::Capped::default())
                .err()
        })
        .unwrap_or(error)
    }
}

/// One Tera instance holding the templates of `charts`, with the text `source` gives for each
/// Tera name.
fn compile<'s>(
    charts: &[TreeChart],
    parts: &[Part],
    source: impl Fn(&str) -> &'s str,
) -> Result<(Tera, tpl::EngineHandle), tera::Error> {
    let handle = tpl::EngineHandle::default();
    let mut tera = Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    // Subcharts' names are fallbacks in tree order: a component they share with a chart above
    // them is that chart's.
    let prefixes: Vec<String> = parts.iter().skip(1).map(|p| p.prefix.clone()).collect();
    if !prefixes.is_empty() {
        tera.set_fallback_prefixes(prefixes)?;
    }
    let files = file_functions::TreeFiles::new(
        charts
            .iter()
            .map(|c| {
                (
                    format!("{}/templates", c.source_base),
                    c.chart.files.clone(),
                )
            })
            .collect(),
    );
    register_all(&mut tera, &files, &handle);
    let names: Vec<String> = charts
        .iter()
        .zip(parts)
        .flat_map(|(c, p)| {
            c.chart
                .templates
                .iter()
                .map(move |t| format!("{}{}", p.prefix, t.name))
        })
        .collect();
    tera.add_raw_templates(names.iter().map(|n| (n.as_str(), source(n))))?;
    Ok((tera, handle))
}

/// Every filter, test and function a template can call, each with the keyword arguments it
/// takes (`register`).
fn register_all(
    tera: &mut Tera,
    files: &file_functions::TreeFiles,
    handle: &tpl::EngineHandle,
) -> register::Signatures {
    tera.register_filter(
        print_guard::FILTER,
        |v: tera::Value, kwargs: tera::Kwargs, state: &tera::State| {
            print_guard::check(v, &kwargs, state)
        },
    );
    tera.register_filter(
        print_guard::COMPARABLE,
        |v: tera::Value, kwargs: tera::Kwargs, state: &tera::State| {
            print_guard::comparable(v, &kwargs, state)
        },
    );
    let mut r = register::Registry::new(tera);
    builtins::register(&mut r);
    defaults::register(&mut r);
    strings::register(&mut r);
    sprig_more::register(&mut r);
    collections::register(&mut r);
    numbers::register(&mut r);
    serial::register(&mut r);
    go_toml::register(&mut r);
    url::register(&mut r);
    regex::register(&mut r);
    printf::register(&mut r);
    functions::register(&mut r);
    limit::register_range(&mut r);
    file_functions::register(&mut r, files);
    tpl::register(&mut r, handle.clone());
    tpl::register_include_file(&mut r, handle.clone());
    r.into_signatures()
}

/// Every filter and function a template can call, with the keyword arguments each takes (for
/// the hints of `habits`).
fn signatures() -> register::Signatures {
    let mut scratch = Tera::new();
    let files = file_functions::TreeFiles::new(Vec::new());
    register_all(&mut scratch, &files, &tpl::EngineHandle::default())
}

/// Turns a Tera error into one that names the user's file, line and column.
/// `inserts` (by template name) give columns of templates whose prints were wrapped
/// (`print_guard`) back as the user wrote them; `context`, while rendering, names the missing
/// field of an undefined path that a print checked.
fn locate(
    error: &tera::Error,
    files: &HashMap<String, (String, String)>,
    inserts: &HashMap<String, Vec<(usize, usize)>>,
    context: Option<&Context>,
) -> Error {
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            let mut message = report.message().to_string();
            let Some((path, written)) = files.get(report.filename()) else {
                let hint = hint_for(&message);
                return Error::input(message).with_hint(hint);
            };
            let shift = inserts
                .get(report.filename())
                .map(|inserts| print_guard::shifts(written, inserts))
                .unwrap_or_default();
            let mut start_col =
                print_guard::original_column(&shift, span.start_line, span.start_col);
            let mut end_col = print_guard::original_column(&shift, span.end_line, span.end_col);
            let written_line = written
                .lines()
                .nth(span.start_line.saturating_sub(1))
                .unwrap_or("");
            // A print's check failed: point at the printed expression.
            if let Some((start, end, printed)) = printed_at(&shift, written_line, span) {
                start_col = start;
                end_col = end;
                // An undefined path printed: name the missing field as Tera does.
                if message == print_guard::UNDEFINED
                    && let Some(better) =
                        context.and_then(|c| print_guard::undefined_path(printed.trim(), c))
                {
                    message = better;
                }
                // A missing field: point at it, as Tera does.
                if let Some((from, len)) = print_guard::missing_field_place(&printed, &message) {
                    (start_col, end_col) = (start + from, start + from + len);
                }
            }
            let mut hint = hint_for(&message);
            let mut note = None;
            let mut line = span.start_line;
            // A span over several lines is underlined to the end of its first.
            let mut width = if span.end_line == span.start_line {
                end_col.saturating_sub(start_col)
            } else {
                usize::MAX
            };
            // A Helm habit on the line: named, pointed at, and what to write instead.
            let habit = match error.kind() {
                tera::ErrorKind::SyntaxError(_) => habits::explain(written_line, start_col),
                _ => habits::misread_action(&message, written_line, start_col),
            };
            if let Some(habit) = habit {
                note = Some(format!("Tera said: {message}"));
                (message, hint) = (habit.message, habit.hint);
                (start_col, width) = (habit.column, habit.width);
            } else if let Some(open) = habits::unclosed_tag(written)
                .filter(|_| matches!(error.kind(), tera::ErrorKind::SyntaxError(_)))
                .filter(|_| message.contains("end of input"))
            {
                // Pointed at where the tag opens: the end of the text says nothing.
                note = Some(format!("Tera said: {message}"));
                (message, hint) = (open.message, open.hint);
                (line, start_col, width) = (open.line, open.column, open.width);
            } else if let Some(why) = habits::component_hint(&message, written, span.start_line) {
                hint = why;
            }
            let column = start_col + 1;
            let error = Error::input(message).with_diagnostic(Diagnostic {
                snippet: span_snippet(written, line, column, width),
                hint,
                ..Diagnostic::at(path, line, column)
            });
            match note {
                Some(note) => error.with_note(note),
                None => error,
            }
        }
        tera::ErrorKind::Msg(text) if let Some(report) = ValidationReport::read(text, files) => {
            report.into_error()
        }
        tera::ErrorKind::CircularInclude { tpl, include_chain } => {
            let shown = |name: &String| files.get(name).map_or(name.clone(), |(p, _)| p.clone());
            let chain: Vec<String> = include_chain.iter().map(shown).collect();
            Error::input(format!(
                "`{{% include %}}` goes round in a circle: {}",
                chain.join(" includes ")
            ))
            .in_file(shown(tpl))
            .with_hint("break the circle: move what both need into a component or a third file")
        }
        _ => {
            // Other kinds (a missing parent template) name templates, not lines.
            let mut message = error.to_string();
            // Validation errors that `ValidationReport` could not read back name the
            // template; name the file instead, as every other error does.
            for (name, (path, _)) in files {
                message = message.replace(&format!("--> {name}:"), &format!("--> {path}:"));
            }
            if let Some(rest) = message.strip_prefix("error: ") {
                message = rest.to_string();
            }
            let hint = habits::helm_name_hint(&message).unwrap_or_default();
            let mut source = std::error::Error::source(error);
            while let Some(inner) = source {
                message.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            Error::input(message).with_hint(hint)
        }
    }
}

/// Tera's reports of what a template calls and nothing defines (an unknown filter, function,
/// test, component or template) arrive as text, several joined by blank lines:
/// `error: Unknown filter `x`` / ` --> <name>:3:7` / the line / its `^^^`. Read back, the first
/// is shown as every other error is; the others are listed in a note.
struct ValidationReport<'f> {
    message: String,
    path: &'f str,
    written: &'f str,
    line: usize,
    column: usize,
    width: usize,
    others: Vec<String>,
}

impl<'f> ValidationReport<'f> {
    fn read(text: &str, files: &'f HashMap<String, (String, String)>) -> Option<Self> {
        let mut reports = text.split("\n\nerror: ");
        let first = reports.next()?.strip_prefix("error: ")?;
        let mut lines = first.lines();
        let message = lines.next()?.to_string();
        let place = lines.next()?.trim_start().strip_prefix("--> ")?;
        let mut parts = place.rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        let (path, written) = files.get(parts.next()?)?;
        let width = lines.nth(2).map_or(1, |u| u.matches('^').count().max(1));
        let others = reports
            .filter_map(|r| {
                let mut lines = r.lines();
                let message = lines.next()?;
                let place = lines.next()?.trim_start().strip_prefix("--> ")?;
                let (name, at) = place.split_once(':')?;
                let path = files.get(name).map_or(name, |(path, _)| path.as_str());
                Some(format!("{path}:{at}: {message}"))
            })
            .collect();
        Some(ValidationReport {
            message,
            path,
            written,
            line,
            column,
            width,
            others,
        })
    }

    fn into_error(self) -> Error {
        let hint = habits::helm_name_hint(&self.message).unwrap_or_else(|| hint_for(&self.message));
        let mut error = Error::input(self.message).with_diagnostic(Diagnostic {
            snippet: span_snippet(self.written, self.line, self.column, self.width),
            hint,
            ..Diagnostic::at(self.path, self.line, self.column)
        });
        if !self.others.is_empty() {
            error = error.with_note(format!("also: {}", self.others.join("; ")));
        }
        error
    }
}

/// The expression as written of the print whose check failed at `span`, with its start and
/// end columns; `None` when the error is not a print's check.
fn printed_at(
    shift: &[print_guard::Shift],
    written_line: &str,
    span: &tera::Span,
) -> Option<(usize, usize, String)> {
    let (start, end) =
        print_guard::printed_expression(shift, written_line, span.start_line, span.start_col)?;
    let printed = written_line
        .chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect();
    Some((start, end, printed))
}

/// A hint for the messages Tera gives most often, in the words of a Helm user.
fn hint_for(message: &str) -> String {
    if message.contains("a value that is null") {
        "the value is null (a key left empty in values.yaml, `~`): Helm would print nothing; give it a value, use `| default(value=...)`, or print nothing on purpose with `| or_empty`".into()
    } else if message.contains("a variable that is undefined") {
        "every value must be defined: set it in values.yaml or a -f file, or use `| default(value=...)`; `| or_empty` prints nothing instead".into()
    } else if message.contains(") is compared with a ") {
        "compare with a value of the same kind: `== 8080` or `== true` without quotes, `| to_string` to compare as text, `| int` to compare a string as a number".into()
    } else if message.contains("is not defined") {
        "every value must be defined: set it in values.yaml or a -f file, or use `| default(value=...)`".into()
    } else if message.contains("Unknown filter")
        || message.contains("filter") && message.contains("not") && message.contains("found")
    {
        "see the README for ktera's filters and their Helm names".into()
    } else {
        String::new()
    }
}

/// A Tera string literal with the same value: `\`, `"` escaped, newline, tab and carriage return
/// as escapes (Tera knows no others; other characters are written as they are).
pub fn string_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
