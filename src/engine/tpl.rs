//! `tpl` (Helm's `tpl`): renders a string value as a template with the current context, and
//! `include_file` (Helm's `include` of a template file, the checksum idiom): renders another
//! template of the chart. Both need the compiled chart (for its filters and components), which
//! only exists after registration, so they hold a late-bound weak handle instead of a reference.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use tera::{Context, Kwargs, State, Tera, TeraResult, Value};

use super::register::Registry;

/// Deepest chain of `tpl` calls rendering strings that call `tpl` again.
pub const MAX_TPL_DEPTH: usize = 32;

const TOO_DEEP: &str = "`tpl` calls are nested more than";

/// The objects a `tpl` string sees: the same ones as the calling template.
const CONTEXT_OBJECTS: [&str; 7] = [
    "Values",
    "Release",
    "Chart",
    "Capabilities",
    "Template",
    "Subcharts",
    "Root",
];

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// How deep `tpl` calls are nested on this thread (carried when a render changes threads).
pub fn depth() -> usize {
    DEPTH.with(Cell::get)
}

pub fn set_depth(depth: usize) {
    DEPTH.with(|cell| cell.set(depth));
}

/// Set once the chart's templates are compiled.
pub type EngineHandle = Arc<OnceLock<Weak<Tera>>>;

/// Most Go texts kept converted; a chart's values hold a few dozen at most.
const MAX_CACHED: usize = 4096;

/// Go template texts already converted to Tera (or refused), by text.
type GoCache = Mutex<HashMap<String, Result<Arc<str>, crate::error::Error>>>;

pub fn register(r: &mut Registry, handle: EngineHandle) {
    let cache: Arc<GoCache> = Arc::default();
    r.filter(
        "tpl",
        &["context", "syntax"],
        move |value: Value, kwargs: &Kwargs, state: &State| {
            let text = super::args::text(&value, "tpl")?;
            let context = kwargs.get::<Value>("context")?;
            let syntax = kwargs.get::<String>("syntax")?;
            match syntax.as_deref() {
                None | Some("tera") => render_tpl(&handle, text, context.as_ref(), state),
                Some("go") => {
                    let tera_text = go_text(&handle, &cache, text)?;
                    render_tpl(&handle, &tera_text, context.as_ref(), state)
                }
                Some(other) => Err(tera::Error::message(format!(
                    "`tpl`: syntax `{other}` is unknown; use `go` (Helm's Go templates, as converted charts' values hold) or `tera`"
                ))),
            }
            .map(Value::from)
        },
    );
}

/// `include_file(name="configmap.yaml")`: the template `name` of the calling template's chart,
/// rendered with the calling template's objects.
pub fn register_include_file(r: &mut Registry, handle: EngineHandle) {
    let files = handle.clone();
    r.function(
        "include_file",
        &["name"],
        move |kwargs: &Kwargs, state: &State| {
            let name = super::args::required::<String>(
                kwargs,
                "name",
                "include_file",
                r#"include_file(name="configmap.yaml")"#,
            )?;
            let _guard = DepthGuard::enter()?;
            let tera = engine(&files, "include_file")?;
            let mut context = Context::new();
            for object in CONTEXT_OBJECTS {
                if let Some(value) = state.get::<Value>(object)? {
                    context.insert_value(object, value);
                }
            }
            render_file(&tera, &name, &context, state).map(Value::from)
        },
    );
    // Helm's `include` of a name computed at render time: the component the define became,
    // or a template file, given what Helm passes as `.`.
    r.function(
        "include",
        &["name", "context"],
        move |kwargs: &Kwargs, state: &State| {
            let name = super::args::required::<String>(
                kwargs,
                "name",
                "include",
                r#"include(name=name, context=Root)"#,
            )?;
            let given = kwargs.get::<Value>("context")?.unwrap_or_else(Value::none);
            let _guard = DepthGuard::enter()?;
            let tera = engine(&handle, "include")?;
            let component = crate::convert::emit::names::component_base(&name);
            let Some(info) = tera.get_component_definition(&component) else {
                let mut context = Context::new();
                context.insert_value("Root", given.clone());
                for (key, value) in given.as_map().into_iter().flatten() {
                    context.insert_value(super::go::strval(&key.as_value()), value.clone());
                }
                return render_file(&tera, &name, &context, state).map(Value::from);
            };
            let mut args = Context::new();
            let mut implicits = Context::new();
            let parameters = info.args();
            if parameters.iter().all(|a| a.is_implicit()) {
                // Takes the objects of the top-level object it is given.
                implicits.insert_value("Root", given.clone());
                for (key, value) in given.as_map().into_iter().flatten() {
                    implicits.insert_value(super::go::strval(&key.as_value()), value.clone());
                }
            } else if parameters.len() == 1 && parameters[0].name() == "arg" {
                args.insert_value("arg", given);
            } else {
                for p in parameters.iter().filter(|p| !p.is_implicit()) {
                    let value = given
                        .as_map()
                        .and_then(|m| m.get(&tera::value::Key::from(p.name().to_string())))
                        .cloned()
                        .unwrap_or_else(Value::none);
                    args.insert_value(p.name().to_string(), value);
                }
            }
            super::stack::nested_render(false, || {
                tera.render_component_with_implicits(&component, &args, &implicits, None, false)
            })
            .map(Value::from)
            .map_err(|e| tera::Error::message(format!("in {name:?}: {e}")))
        },
    );
}

fn engine(handle: &EngineHandle, function: &str) -> TeraResult<Arc<Tera>> {
    handle.get().and_then(Weak::upgrade).ok_or_else(|| {
        tera::Error::message(format!(
            "`{function}` is not available outside a chart render"
        ))
    })
}

/// Renders the template `name` of the calling template's chart: relative to its `templates/`
/// (`configmap.yaml`), or as Helm names it (`app/templates/configmap.yaml`).
fn render_file(tera: &Tera, name: &str, context: &Context, state: &State) -> TeraResult<String> {
    // A subchart's templates are named after its `Template.BasePath`; the top chart's keep
    // their own names. The `.` the include passes tells it where the calling template's does
    // not (a component without `@Template`: loki's `configMapOrSecretContentHash`).
    let base_of = |t: &Value| {
        t.get_from_path("BasePath")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let base = match state.get::<Value>("Template")?.and_then(|t| base_of(&t)) {
        Some(base) => Some(base),
        None => context.get("Template").and_then(base_of),
    };
    let mut candidates = vec![name.to_string()];
    if let Some(base) = &base {
        candidates.insert(0, format!("{base}/{name}"));
        if let Some(rest) = name.strip_prefix(&format!("{base}/")) {
            candidates.push(rest.to_string());
        }
    }
    let Some(found) = candidates.iter().find(|c| tera.contains_template(c)) else {
        return Err(tera::Error::message(format!(
            "no template {name:?} is defined (not a define of the chart, nor a template file)"
        )));
    };
    // The file's own loops are the chart's (`stack::may_nest_values` of every template).
    let (rendered, out) = super::stack::nested_render(false, || {
        let mut out = super::limit::Capped::default();
        let rendered = tera.render_to(found, context, &mut out);
        (rendered, out)
    });
    if out.exceeded {
        return Err(tera::Error::message(super::limit::too_large(&format!(
            "{name} (included)"
        ))));
    }
    rendered.map_err(|e| tera::Error::message(format!("in {name}: {e}")))?;
    String::from_utf8(out.bytes)
        .map_err(|_| tera::Error::message("the included template rendered non-UTF-8 text"))
}

/// Go template text as Tera text, converted once per text with the converter that made the
/// chart; the chart's components are callable from it.
fn go_text(handle: &EngineHandle, cache: &GoCache, text: &str) -> TeraResult<Arc<str>> {
    if let Some(done) = cache.lock().ok().and_then(|c| c.get(text).cloned()) {
        return done.map_err(|e| tera::Error::message(e.to_string()));
    }
    let tera = handle
        .get()
        .and_then(Weak::upgrade)
        .ok_or_else(|| tera::Error::message("`tpl` is not available outside a chart render"))?;
    let arguments = |name: &str| {
        tera.get_component_definition(name).map(|info| {
            info.args()
                .iter()
                .map(|a| (a.name().to_string(), a.is_implicit()))
                .collect::<Vec<_>>()
        })
    };
    let converted = crate::convert::runtime::go_to_tera(text, &arguments)
        .map(|t| Arc::<str>::from(t.as_str()))
        .map_err(|e| {
            e.prefixed(&format!(
                "cannot parse the Go template given to `tpl` ({text:?})"
            ))
        });
    if let Ok(mut cache) = cache.lock()
        && cache.len() < MAX_CACHED
    {
        cache.insert(text.to_string(), converted.clone());
    }
    converted.map_err(|e| tera::Error::message(e.to_string()))
}

/// Restores the depth counter however the render ends.
struct DepthGuard;

impl DepthGuard {
    fn enter() -> TeraResult<DepthGuard> {
        let depth = DEPTH.with(|d| {
            let next = d.get() + 1;
            d.set(next);
            next
        });
        let guard = DepthGuard;
        if depth > MAX_TPL_DEPTH {
            return Err(tera::Error::message(format!(
                "{TOO_DEEP} {MAX_TPL_DEPTH} deep; a value probably renders itself"
            )));
        }
        Ok(guard)
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Renders `text` with the objects of the calling template, or with the keys of `context` as
/// its top-level names when one is given (`tpl(context={"x": 1})`).
fn render_tpl(
    handle: &EngineHandle,
    text: &str,
    context_map: Option<&Value>,
    state: &State,
) -> TeraResult<String> {
    let _guard = DepthGuard::enter()?;
    let tera = handle
        .get()
        .and_then(Weak::upgrade)
        .ok_or_else(|| tera::Error::message("`tpl` is not available outside a chart render"))?;
    let mut context = Context::new();
    match context_map {
        Some(given) => {
            // `Root` is the context as a whole (converted Go text writes `.` so), unless the
            // map has a key of that name.
            context.insert_value("Root", given.clone());
            for (key, value) in given.as_map().into_iter().flatten() {
                context.insert_value(super::go::strval(&key.as_value()), value.clone());
            }
        }
        None => {
            for name in CONTEXT_OBJECTS {
                if let Some(value) = state.get::<Value>(name)? {
                    context.insert_value(name, value);
                }
            }
        }
    }
    let render = || {
        let mut out = super::limit::Capped::default();
        let rendered = tera.render_str_to(text, &context, false, &mut out);
        (rendered, out)
    };
    let (rendered, out) = super::stack::nested_render(super::stack::may_nest_values(text), render);
    if out.exceeded {
        return Err(tera::Error::message(super::limit::too_large(
            "the string given to `tpl`",
        )));
    }
    rendered.map_err(|e| tera::Error::message(describe_inner_error(&e, text)))?;
    String::from_utf8(out.bytes)
        .map(super::defaults::drop_no_value)
        .map_err(|_| tera::Error::message("the string given to `tpl` rendered non-UTF-8 text"))
}

/// An error inside the `tpl` string, located in that string (Tera names it `__tera_one_off`).
fn describe_inner_error(error: &tera::Error, text: &str) -> String {
    match error.kind() {
        // Said once, not once per level.
        tera::ErrorKind::RenderingError(report) if report.message().contains(TOO_DEEP) => {
            report.message().to_string()
        }
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            let line = text
                .lines()
                .nth(span.start_line.saturating_sub(1))
                .unwrap_or("");
            format!(
                "in the string given to `tpl`, line {} column {}: {} (`{}`)",
                span.start_line,
                span.start_col + 1,
                report.message(),
                line.trim()
            )
        }
        _ => format!("in the string given to `tpl`: {error}"),
    }
}
