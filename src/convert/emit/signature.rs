//! What each `define` becomes: a component with the same name, whose arguments say what its
//! callers pass as `.` (docs/convert.md, section 9), chosen from what the scope analysis found
//! every call in the chart passes.

use std::collections::{BTreeMap, HashSet};

use super::names::{self, Taken};
use crate::convert::scope::{Analysis, DefineInfo, Value};

/// How a component receives what Go passes as `.`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// Every caller passes the template's own top-level object: the component takes the objects
    /// it reads as implicit arguments (`@Values, @Release`), found in the caller's context.
    Root { objects: Vec<String> },
    /// Every caller passes `dict` with the same literal keys: one argument per key.
    Dict { keys: Vec<String> },
    /// Anything else: one argument, `arg`.
    Arg,
}

#[derive(Debug, Clone)]
pub struct Component {
    /// The Tera name: the define's name where Tera allows it.
    pub name: String,
    pub signature: Signature,
}

/// The objects of a template's context a component can take implicitly. `Files` is not one:
/// the file functions find the chart from `Template`.
const IMPLICIT: &[&str] = &["Values", "Release", "Chart", "Capabilities", "Template"];

/// Names a component argument cannot take.
const NOT_ARGUMENTS: &[&str] = &[
    "body",
    "loop",
    "self",
    "true",
    "false",
    "none",
    "null",
    "True",
    "False",
    "None",
    "and",
    "or",
    "not",
    "is",
    "in",
    "if",
    "else",
    "Root",
    "Values",
    "Release",
    "Chart",
    "Capabilities",
    "Template",
];

/// A component for every define of the chart, by the define's Go name.
pub fn components(analysis: &Analysis) -> BTreeMap<String, Component> {
    let mut taken = Taken::new();
    let mut out = BTreeMap::new();
    for (name, info) in &analysis.defines {
        let tera_name = taken.fresh(&names::component_base(name));
        out.insert(
            name.clone(),
            Component {
                name: tera_name,
                signature: signature(info),
            },
        );
    }
    out
}

fn signature(info: &DefineInfo) -> Signature {
    let contexts: Vec<&Value> = info.contexts.iter().collect();
    if contexts.is_empty() {
        // Nobody in the chart calls it: a `tpl` string or a hand-written template may. Take the
        // root when it only reads the top-level objects.
        let only_objects = info.reads.iter().all(|r| {
            r.first()
                .is_some_and(|f| names::OBJECTS.contains(&f.as_str()))
        });
        if only_objects && !info.uses_whole && !info.reads.is_empty() {
            return root(info);
        }
        return Signature::Arg;
    }
    if contexts.iter().all(|c| **c == Value::Root) {
        return root(info);
    }
    if let Some(keys) = same_dict_keys(&contexts) {
        return Signature::Dict { keys };
    }
    Signature::Arg
}

fn root(info: &DefineInfo) -> Signature {
    let mut objects: Vec<String> = Vec::new();
    let mut whole = info.uses_whole;
    for read in &info.reads {
        let Some(first) = read.first() else { continue };
        if IMPLICIT.contains(&first.as_str()) {
            if !objects.contains(first) {
                objects.push(first.clone());
            }
        } else if first == "Files" {
            if !objects.iter().any(|o| o == "Template") {
                objects.push("Template".to_string());
            }
        } else {
            whole = true;
        }
    }
    objects.sort_by_key(|o| IMPLICIT.iter().position(|i| i == o));
    if whole {
        objects.push("Root".to_string());
    }
    Signature::Root { objects }
}

/// The keys, in the first caller's order, when every context is a `dict` with the same keys,
/// each a name a component argument can take.
fn same_dict_keys(contexts: &[&Value]) -> Option<Vec<String>> {
    let mut first: Option<Vec<String>> = None;
    for context in contexts {
        let Value::Dict(entries) = context else {
            return None;
        };
        let keys: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();
        match &first {
            None => first = Some(keys),
            Some(seen) => {
                let a: HashSet<&String> = seen.iter().collect();
                let b: HashSet<&String> = keys.iter().collect();
                if a != b {
                    return None;
                }
            }
        }
    }
    let keys = first?;
    let usable = !keys.is_empty()
        && keys
            .iter()
            .all(|k| names::is_identifier(k) && !NOT_ARGUMENTS.contains(&k.as_str()));
    usable.then_some(keys)
}

/// `@Values, @Chart, @Root`: the objects a component of [`Signature::Root`] uses, in the
/// context's order.
pub fn implicit_parameters(uses: &std::collections::BTreeSet<&str>) -> String {
    IMPLICIT
        .iter()
        .chain(std::iter::once(&"Root"))
        .filter(|o| uses.contains(*o))
        .map(|o| format!("@{o}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Signature {
    /// The argument list of the component's definition: `(@Values, @Chart)`, `(context, name)`,
    /// `(arg)`.
    pub fn parameters(&self) -> String {
        match self {
            Signature::Root { objects } => objects
                .iter()
                .map(|o| format!("@{o}"))
                .collect::<Vec<_>>()
                .join(", "),
            Signature::Dict { keys } => keys.join(", "),
            Signature::Arg => "arg".to_string(),
        }
    }
}
