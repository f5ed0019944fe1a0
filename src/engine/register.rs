//! Registration of every filter, test and function with the keyword arguments it accepts.
//!
//! Tera hands a filter whatever keyword arguments the template wrote and offers no hook to
//! check them, so `indent(width=2, frist=true)` would render as if `frist` were not there. Every
//! filter, test and function ktera exposes — its own and the Tera built-ins, which ktera
//! registers again for this reason (`builtins`) — goes through [`Registry`], which declares the
//! names each one takes and refuses any other with a did-you-mean.

use tera::{Kwargs, State, Tera, TeraResult, Value};

/// Registers on one Tera instance; every registration declares its keyword arguments.
pub struct Registry<'t> {
    tera: &'t mut Tera,
    /// What was registered, with the keyword arguments each takes (for error messages' hints).
    signatures: Signatures,
}

/// The names of the filters and functions registered, each with the keyword arguments it takes.
#[derive(Default)]
pub struct Signatures {
    pub filters: Vec<(&'static str, &'static [&'static str])>,
    pub functions: Vec<(&'static str, &'static [&'static str])>,
}

impl<'t> Registry<'t> {
    pub fn new(tera: &'t mut Tera) -> Registry<'t> {
        Registry {
            tera,
            signatures: Signatures::default(),
        }
    }

    /// What was registered, with the keyword arguments each takes.
    pub fn into_signatures(self) -> Signatures {
        self.signatures
    }

    /// A filter `value | name(...)` taking the keyword arguments `accepted`.
    pub fn filter<F>(&mut self, name: &'static str, accepted: &'static [&'static str], f: F)
    where
        F: Fn(Value, &Kwargs, &State) -> TeraResult<Value> + Send + Sync + 'static,
    {
        self.signatures.filters.push((name, accepted));
        self.tera.register_filter(
            name,
            move |value: Value, kwargs: Kwargs, state: &State| -> TeraResult<Value> {
                check(Kind::Filter, name, accepted, &kwargs)?;
                f(value, &kwargs, state)
            },
        );
    }

    /// A function `name(...)` taking the keyword arguments `accepted`.
    pub fn function<F>(&mut self, name: &'static str, accepted: &'static [&'static str], f: F)
    where
        F: Fn(&Kwargs, &State) -> TeraResult<Value> + Send + Sync + 'static,
    {
        self.signatures.functions.push((name, accepted));
        self.tera.register_function(
            name,
            move |kwargs: Kwargs, state: &State| -> TeraResult<Value> {
                check(Kind::Function, name, accepted, &kwargs)?;
                f(&kwargs, state)
            },
        );
    }

    /// A test `value is name(...)` taking the keyword arguments `accepted`.
    pub fn test<F>(&mut self, name: &'static str, accepted: &'static [&'static str], f: F)
    where
        F: Fn(&Value, &Kwargs, &State) -> TeraResult<bool> + Send + Sync + 'static,
    {
        self.tera.register_test(
            name,
            move |value: Value, kwargs: Kwargs, state: &State| -> TeraResult<bool> {
                check(Kind::Test, name, accepted, &kwargs)?;
                f(&value, &kwargs, state)
            },
        );
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Filter,
    Function,
    Test,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Filter => "filter",
            Kind::Function => "function",
            Kind::Test => "test",
        }
    }
}

/// Fails on the first keyword argument that `name` does not take.
fn check(kind: Kind, name: &str, accepted: &[&str], kwargs: &Kwargs) -> TeraResult<()> {
    for (key, _) in kwargs.iter() {
        let Some(key) = key.as_str() else { continue };
        if accepted.contains(&key) {
            continue;
        }
        return Err(tera::Error::message(unknown_argument(
            kind, name, key, accepted,
        )));
    }
    Ok(())
}

fn unknown_argument(kind: Kind, name: &str, key: &str, accepted: &[&str]) -> String {
    let noun = kind.noun();
    let mut message = format!("the {noun} `{name}` has no argument `{key}`");
    if let Some(near) = crate::diagnostic::did_you_mean(key, accepted.iter().copied()) {
        message.push_str(&format!("; did you mean `{near}`?"));
    }
    match accepted {
        [] => message.push_str(&format!(" (`{name}` takes no arguments)")),
        [one] => message.push_str(&format!(" (it takes `{one}`)")),
        many => {
            let list: Vec<String> = many.iter().map(|a| format!("`{a}`")).collect();
            message.push_str(&format!(" (it takes {})", list.join(", ")));
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> Result<String, String> {
        let mut tera = Tera::new();
        let mut registry = Registry::new(&mut tera);
        registry.filter("indent", &["width", "first"], |v, _, _| Ok(v));
        registry.function("ping", &[], |_, _| Ok(Value::from("pong")));
        registry.test("short", &["max"], |v, k, _| {
            Ok(v.len().unwrap_or(0) <= k.get::<usize>("max")?.unwrap_or(3))
        });
        tera.render_str(template, &tera::Context::new(), false)
            .map_err(|e| match e.kind() {
                tera::ErrorKind::RenderingError(r) => r.message().to_string(),
                _ => e.to_string(),
            })
    }

    #[test]
    fn known_arguments_pass() {
        assert_eq!(
            render("{{ 'a' | indent(width=2, first=true) }}").as_deref(),
            Ok("a")
        );
        assert_eq!(render("{{ ping() }}").as_deref(), Ok("pong"));
        assert_eq!(render("{{ 'ab' is short(max=2) }}").as_deref(), Ok("true"));
    }

    #[test]
    fn a_misspelled_argument_is_refused_with_the_right_name() {
        let err = render("{{ 'a' | indent(width=2, frist=true) }}").unwrap_err();
        assert!(
            err.contains("the filter `indent` has no argument `frist`"),
            "{err}"
        );
        assert!(err.contains("did you mean `first`?"), "{err}");
        let err = render("{{ ping(x=1) }}").unwrap_err();
        assert!(err.contains("`ping` takes no arguments"), "{err}");
        let err = render("{{ 'a' is short(maxx=1) }}").unwrap_err();
        assert!(err.contains("the test `short` has no argument `maxx`; did you mean `max`?"));
    }
}
