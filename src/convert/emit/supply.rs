//! The value a define's random value stands in for, found at its callers: grafana's
//! `{{ if .Values.adminPassword }}...{{ else }}{{ include "grafana.password" . }}{{ end }}`
//! makes a password in `grafana.password` only when `adminPassword` is empty, so the converted
//! define's stop asks for `adminPassword` rather than for "the value at _helpers.tpl:114".

use std::collections::BTreeMap;

use crate::convert::ast::*;
use crate::convert::scope::TemplateFile;

/// For each define that is only called (`include`, `template`) where an `if` chain has tested a
/// value and found it empty (the `else` of `if .Values.a.b` or `if $.Values.a.b`), that value's
/// path (`a.b`). A define also called elsewhere, or after tests of different values, has none.
pub fn find(files: &[TemplateFile]) -> BTreeMap<String, String> {
    let mut sites = Sites::new();
    for file in files {
        sites.nodes(&file.template.nodes, None, true);
    }
    sites
        .tested
        .into_iter()
        .filter_map(|(name, tested)| Some((name, tested?)))
        .collect()
}

struct Sites {
    /// By define: the value tested at every call so far, or `None` once the calls disagree.
    tested: BTreeMap<String, Option<String>>,
}

impl Sites {
    fn new() -> Sites {
        Sites {
            tested: BTreeMap::new(),
        }
    }

    fn call(&mut self, name: &str, tested: Option<&str>) {
        let tested = tested.map(str::to_string);
        self.tested
            .entry(name.to_string())
            .and_modify(|seen| {
                if *seen != tested {
                    *seen = None;
                }
            })
            .or_insert(tested);
    }

    /// `tested`: the value found empty where these nodes run; `dot_is_root`: `.` is still the
    /// object the file or define was given (not inside `range` or `with`).
    fn nodes(&mut self, nodes: &[Node], tested: Option<&str>, dot_is_root: bool) {
        for node in nodes {
            match node {
                Node::Text(_) | Node::Comment(_) | Node::Break(_) | Node::Continue(_) => {}
                Node::Action(a) => self.pipeline(&a.pipe, tested),
                Node::Template(t) => {
                    self.call(&t.name.value, tested);
                    if let Some(pipe) = &t.pipe {
                        self.pipeline(pipe, tested);
                    }
                }
                Node::If(b) => self.branch(b, tested, dot_is_root),
                Node::Range(b) | Node::With(b) => {
                    self.pipeline(&b.pipe, tested);
                    self.nodes(&b.body, None, false);
                    self.otherwise(b, tested, dot_is_root);
                }
                Node::Block(b) => {
                    self.call(&b.name.value, tested);
                    self.nodes(&b.body, None, true);
                }
                Node::Define(d) => self.nodes(&d.body, None, true),
            }
        }
    }

    /// An `if` and its chain: the body runs where the value is set, the `else` where it is
    /// empty.
    fn branch(&mut self, b: &Branch, tested: Option<&str>, dot_is_root: bool) {
        self.pipeline(&b.pipe, tested);
        self.nodes(&b.body, None, dot_is_root);
        // A define's `$` is what it was given: most often the top-level object, and this only names
        // a value in a message.
        let here = values_path(&b.pipe, dot_is_root, true);
        self.otherwise(b, here.as_deref().or(tested), dot_is_root);
    }

    fn otherwise(&mut self, b: &Branch, tested: Option<&str>, dot_is_root: bool) {
        match &b.otherwise {
            None => {}
            Some(Otherwise::Else { body, .. }) => self.nodes(body, tested, dot_is_root),
            Some(Otherwise::Chain(next)) => self.branch(next, tested, dot_is_root),
        }
    }

    fn pipeline(&mut self, pipe: &Pipeline, tested: Option<&str>) {
        for command in &pipe.commands {
            if let [Expr::Identifier(f), Expr::String(name), ..] = command.args.as_slice()
                && f.name == "include"
            {
                self.call(&name.value, tested);
            }
            for arg in &command.args {
                if let Expr::Pipeline(inner) = arg {
                    self.pipeline(inner, tested);
                }
            }
        }
    }
}

/// `.Values.a.b` (where `.` is the top-level object) or `$.Values.a.b` (where `$` is) alone:
/// `a.b`.
pub(super) fn values_path(
    pipe: &Pipeline,
    dot_is_root: bool,
    dollar_is_root: bool,
) -> Option<String> {
    let names = match super::single_expr(pipe)? {
        Expr::Field(f) if dot_is_root => &f.names,
        Expr::Variable(v) if v.name == "$" && dollar_is_root => &v.fields,
        _ => return None,
    };
    match names.split_first() {
        Some((first, rest)) if first == "Values" && !rest.is_empty() => Some(rest.join(".")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::parse::parse;

    fn hints(text: &str) -> BTreeMap<String, String> {
        let template = parse("t.yaml", text).expect("parses");
        find(&[TemplateFile {
            name: "t.yaml",
            template: &template,
        }])
    }

    #[test]
    fn a_define_called_only_where_a_value_was_found_empty_stands_in_for_it() {
        let found = hints(
            "{{ define \"pw\" }}{{ randAlphaNum 8 }}{{ end }}\
             {{ if .Values.admin.password }}{{ .Values.admin.password }}{{ else }}{{ include \"pw\" . | b64enc }}{{ end }}",
        );
        assert_eq!(found.get("pw").map(String::as_str), Some("admin.password"));
        // The nearest test of an `else if` chain, `$.Values` inside `range`, `template` calls.
        let found = hints(
            "{{ if .Values.a }}a{{ else if .Values.b }}b{{ else }}{{ template \"x\" . }}{{ end }}\
             {{ range .Values.l }}{{ if $.Values.c }}c{{ else }}{{ include \"y\" $ }}{{ end }}{{ end }}",
        );
        assert_eq!(found.get("x").map(String::as_str), Some("b"));
        assert_eq!(found.get("y").map(String::as_str), Some("c"));
    }

    #[test]
    fn a_define_also_called_elsewhere_or_under_other_tests_has_no_value() {
        let found = hints(
            "{{ if .Values.a }}{{ else }}{{ include \"pw\" . }}{{ end }}{{ include \"pw\" . }}\
             {{ if .Values.a }}{{ else }}{{ include \"two\" . }}{{ end }}\
             {{ if .Values.b }}{{ else }}{{ include \"two\" . }}{{ end }}\
             {{ if .Values.a }}{{ include \"body\" . }}{{ end }}\
             {{ range .Values.l }}{{ if .Values.a }}{{ else }}{{ include \"dot\" . }}{{ end }}{{ end }}",
        );
        assert_eq!(found, BTreeMap::new());
    }
}
