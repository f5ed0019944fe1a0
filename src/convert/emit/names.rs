//! Names in the Tera text: variables, loop variables and components, made from Go's names so a
//! reader recognises them (`$fullName` stays `fullName`, `define "podinfo.fullname"` stays
//! `podinfo.fullname`), changed only where Tera would read them differently.

use std::collections::HashSet;

/// The objects of a template's context, with Helm's names.
pub const OBJECTS: &[&str] = &[
    "Values",
    "Release",
    "Chart",
    "Capabilities",
    "Template",
    "Files",
    "Subcharts",
    "Root",
];

/// Names Tera reads as something else, or that would hide a context object.
const RESERVED: &[&str] = &[
    "true",
    "True",
    "false",
    "False",
    "none",
    "None",
    "null",
    "loop",
    "self",
    "and",
    "or",
    "not",
    "is",
    "in",
    "if",
    "else",
    "for",
    "break",
    "continue",
    "super",
    "body",
    "set",
    "set_global",
    "include",
    "block",
    "component",
    "endif",
    "endfor",
    "elif",
    "raw",
    "macro",
    "filter",
];

/// Whether `name` can be written as a Tera identifier: ASCII letters, digits and `_`, not
/// starting with a digit.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `name` as a Tera identifier: characters Tera does not allow become `_`, a leading digit gets
/// a `_` before it.
fn identifier(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Tera's name for a Go variable (`$x`, without the `$`) or a loop variable: the same where
/// Tera allows it.
pub fn variable_base(go_name: &str) -> String {
    let base = identifier(go_name.trim_start_matches('$'));
    if RESERVED.contains(&base.as_str()) || OBJECTS.contains(&base.as_str()) {
        format!("{base}_2")
    } else {
        base
    }
}

/// The names taken in one template or component: each new variable gets a name no other has
/// taken, so that Tera's flatter scopes (an `if` does not end a variable, a `for` body keeps its
/// own) never mix two of Go's variables.
#[derive(Debug, Default, Clone)]
pub struct Taken {
    names: HashSet<String>,
}

impl Taken {
    pub fn new() -> Taken {
        Taken::default()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    pub fn take(&mut self, name: &str) {
        self.names.insert(name.to_string());
    }

    /// `base`, or `base_2`, `base_3`... the first not taken; it is taken from now on.
    pub fn fresh(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut n = 2;
        while self.names.contains(&name) {
            let stem = base.strip_suffix("_2").unwrap_or(base);
            name = format!("{stem}_{n}");
            n += 1;
        }
        self.names.insert(name.clone());
        name
    }
}

/// A Tera component name for a Go define name: dotted parts, each a Tera identifier
/// (`kube-prometheus-stack.fullname` -> `kube_prometheus_stack.fullname`).
pub fn component_base(define: &str) -> String {
    define
        .split('.')
        .map(|part| {
            let id = identifier(part);
            if matches!(
                id.as_str(),
                "true" | "True" | "false" | "False" | "none" | "None" | "null"
            ) {
                format!("{id}_")
            } else {
                id
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The loop variable for `range` over `field` (`hosts` -> `host`, `entries` -> `entry`), or
/// `item` when the field is not a plain English plural.
pub fn singular(field: &str) -> String {
    let lower = field;
    let candidate = if let Some(stem) = lower.strip_suffix("ies") {
        format!("{stem}y")
    } else if lower.ends_with("sses") || lower.ends_with("shes") || lower.ends_with("ches") {
        lower[..lower.len() - 2].to_string()
    } else if let Some(stem) = lower.strip_suffix('s') {
        if stem.ends_with('s') || stem.ends_with('u') || stem.len() < 2 {
            return "item".to_string();
        }
        stem.to_string()
    } else {
        return "item".to_string();
    };
    if candidate.len() < 2 || !is_identifier(&candidate) {
        return "item".to_string();
    }
    variable_base(&candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_what_tera_allows() {
        assert_eq!(variable_base("$fullName"), "fullName");
        assert_eq!(variable_base("$loop"), "loop_2");
        assert_eq!(variable_base("$Values"), "Values_2");
        assert_eq!(variable_base("$ñame"), "_ame");
        assert_eq!(variable_base("$_"), "_");
        assert_eq!(
            component_base("kube-prometheus-stack.fullname"),
            "kube_prometheus_stack.fullname"
        );
        assert_eq!(component_base("a.true.1x"), "a.true_._1x");
        assert_eq!(component_base("x..y"), "x._.y");
    }

    #[test]
    fn loop_variables_are_singular_fields() {
        assert_eq!(singular("hosts"), "host");
        assert_eq!(singular("entries"), "entry");
        assert_eq!(singular("extraVolumes"), "extraVolume");
        assert_eq!(singular("ingress"), "item");
        assert_eq!(singular("status"), "item");
        assert_eq!(singular("env"), "item");
        assert_eq!(singular("loops"), "loop_2");
    }

    #[test]
    fn fresh_names_do_not_repeat() {
        let mut taken = Taken::new();
        assert_eq!(taken.fresh("x"), "x");
        assert_eq!(taken.fresh("x"), "x_2");
        assert_eq!(taken.fresh("x"), "x_3");
        assert_eq!(taken.fresh("loop_2"), "loop_2");
        assert_eq!(taken.fresh("loop_2"), "loop_3");
    }
}
