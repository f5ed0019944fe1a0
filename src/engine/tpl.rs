//! `tpl` (Helm's `tpl`): renders a string value as a template with the current context. It needs
//! the compiled chart (for its filters and components), which only exists after registration, so
//! the filter holds a late-bound weak handle instead of a reference.

use std::cell::Cell;
use std::sync::{Arc, OnceLock, Weak};

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

/// Set once the chart's templates are compiled.
pub type EngineHandle = Arc<OnceLock<Weak<Tera>>>;

pub fn register(r: &mut Registry, handle: EngineHandle) {
    r.filter(
        "tpl",
        &["context"],
        move |value: Value, kwargs: &Kwargs, state: &State| {
            let text = super::args::text(&value, "tpl")?;
            let context = kwargs.get::<Value>("context")?;
            render_tpl(&handle, text, context.as_ref(), state).map(Value::from)
        },
    );
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
            let map = super::args::map(given, "tpl")?;
            for (key, value) in map {
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
    let mut out = super::limit::Capped::default();
    let rendered = tera.render_str_to(text, &context, false, &mut out);
    if out.exceeded {
        return Err(tera::Error::message(super::limit::too_large(
            "the string given to `tpl`",
        )));
    }
    rendered.map_err(|e| tera::Error::message(describe_inner_error(&e, text)))?;
    String::from_utf8(out.bytes)
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
