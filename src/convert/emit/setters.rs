//! Defines that only set keys on the top-level object their caller passes (vault's
//! `{{ template "vault.mode" . }}`, then `{{ if eq .mode "ha" }}`). Helm's caller sees the keys;
//! a ktera component cannot change its caller's data, so such a component prints the keys it
//! set as JSON and the caller merges them into its `Root` (docs/convert.md, section 14). A
//! change inside its `.Values` (`$_ := set .Values.cfg "k" v`, falco) is the key `Values`.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::convert::ast::*;
use crate::convert::scope::{Analysis, Location, TemplateFile};

/// For each define that prints nothing and sets keys on its `.` (itself, or through the defines
/// it calls with its `.`), those keys, sorted.
pub fn find(analysis: &Analysis, files: &[TemplateFile]) -> BTreeMap<String, Vec<String>> {
    let mut bodies: BTreeMap<&str, &[Node]> = BTreeMap::new();
    for file in files {
        for node in &file.template.nodes {
            let Node::Define(d) = node else { continue };
            let Some(info) = analysis.defines.get(&d.name.value) else {
                continue;
            };
            let location = Location {
                file: file.name.to_string(),
                line: d.tag.pos.line,
                column: d.tag.pos.column,
            };
            if analysis.definitions[info.definition].location == location {
                bodies.insert(&d.name.value, &d.body);
            }
        }
    }
    let mut found = BTreeMap::new();
    for name in bodies.keys() {
        let mut keys = BTreeSet::new();
        let mut seen = HashSet::new();
        if collect(name, &bodies, &mut keys, &mut seen) && !keys.is_empty() {
            found.insert(name.to_string(), keys.into_iter().collect());
        }
    }
    found
}

/// Adds the keys the define sets on its `.` to `keys`; false when it prints anything (or calls
/// a define it cannot see).
fn collect<'a>(
    name: &'a str,
    bodies: &BTreeMap<&'a str, &'a [Node]>,
    keys: &mut BTreeSet<String>,
    seen: &mut HashSet<&'a str>,
) -> bool {
    if !seen.insert(name) {
        return true;
    }
    let Some(body) = bodies.get(name) else {
        return false;
    };
    walk(body, true, bodies, keys, seen)
}

/// `dot_is_arg`: `.` is still the define's argument (not inside `with` or `range`).
fn walk<'a>(
    nodes: &'a [Node],
    dot_is_arg: bool,
    bodies: &BTreeMap<&'a str, &'a [Node]>,
    keys: &mut BTreeSet<String>,
    seen: &mut HashSet<&'a str>,
) -> bool {
    nodes.iter().all(|node| match node {
        Node::Text(t) => t.text.trim().is_empty(),
        Node::Comment(_) | Node::Break(_) | Node::Continue(_) => true,
        Node::Action(a) => {
            if a.pipe.decl.is_empty() {
                return false;
            }
            if let [command] = a.pipe.commands.as_slice()
                && let [Expr::Identifier(f), target, Expr::String(key), _] = command.args.as_slice()
                && f.name == "set"
                && is_arg(target, dot_is_arg)
            {
                keys.insert(key.value.clone());
            }
            // A change inside its `.Values` (`$_ := set .Values.cfg "k" v`): the caller's
            // `.Values` changes.
            if let [command] = a.pipe.commands.as_slice()
                && let [Expr::Identifier(f), target, ..] = command.args.as_slice()
                && super::plan::MUTATORS.contains(&f.name.as_str())
                && in_values_of_arg(target, dot_is_arg)
            {
                keys.insert("Values".to_string());
            }
            true
        }
        Node::Template(t) => match &t.pipe {
            Some(pipe) if passes_arg(pipe, dot_is_arg) => {
                collect(&t.name.value, bodies, keys, seen)
            }
            // Called with something else: it must print nothing, and sets nothing of ours.
            _ => collect(&t.name.value, bodies, &mut BTreeSet::new(), seen),
        },
        Node::If(b) => branch(b, dot_is_arg, dot_is_arg, bodies, keys, seen),
        Node::With(b) | Node::Range(b) => branch(b, false, dot_is_arg, bodies, keys, seen),
        Node::Block(_) | Node::Define(_) => false,
    })
}

fn branch<'a>(
    b: &'a Branch,
    body_dot_is_arg: bool,
    else_dot_is_arg: bool,
    bodies: &BTreeMap<&'a str, &'a [Node]>,
    keys: &mut BTreeSet<String>,
    seen: &mut HashSet<&'a str>,
) -> bool {
    walk(&b.body, body_dot_is_arg, bodies, keys, seen)
        && match &b.otherwise {
            None => true,
            Some(Otherwise::Else { body, .. }) => walk(body, else_dot_is_arg, bodies, keys, seen),
            Some(Otherwise::Chain(next)) => {
                branch(next, body_dot_is_arg, else_dot_is_arg, bodies, keys, seen)
            }
        }
}

/// `.Values`, `.Values.a.b`, `$.Values.a` of the define's argument.
fn in_values_of_arg(e: &Expr, dot_is_arg: bool) -> bool {
    match e {
        Expr::Field(f) => dot_is_arg && f.names.first().is_some_and(|n| n == "Values"),
        Expr::Variable(v) => v.name == "$" && v.fields.first().is_some_and(|n| n == "Values"),
        _ => false,
    }
}

fn is_arg(e: &Expr, dot_is_arg: bool) -> bool {
    match e {
        Expr::Dot(_) => dot_is_arg,
        Expr::Variable(v) => v.name == "$" && v.fields.is_empty(),
        _ => false,
    }
}

/// `{{ template "x" . }}` or `{{ template "x" $ }}`.
pub fn passes_arg(pipe: &Pipeline, dot_is_arg: bool) -> bool {
    pipe.decl.is_empty()
        && matches!(pipe.commands.as_slice(), [c] if matches!(c.args.as_slice(), [e] if is_arg(e, dot_is_arg)))
}
