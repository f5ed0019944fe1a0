//! Templates that become their chart's values stage (`templates/_values.tera`, see
//! [`crate::chart::VALUES_STAGE`]).
//!
//! Helm renders a chart's templates one after another with one `.Values`, so a template it
//! renders first can compute values for all the others: istio's charts name it
//! `zzz_profile.yaml` (reverse name order puts it first), merge a profile over the defaults and
//! `set $ "Values"` to the result. Such a template prints nothing, and what it leaves in
//! `.Values` is what the rest read: in ktera it is the values stage, which prints the values it
//! made (`{{ Values | to_yaml }}`) and is rendered before the rest.

use std::collections::HashMap;

use super::ast::{Branch, Command, Expr, Node, Otherwise, Pipeline};
use super::emit::plan::MUTATORS;
use super::scope::{TemplateFile, helm_order};
use crate::chart::values_stage_name;

/// The templates that become their chart's values stages, by Helm name
/// (`istio-base/templates/zzz_profile.yaml`), with the stage's name in the converted chart
/// (`_values.tera`, `_values.2.tera`, ...): the first templates Helm renders of each chart
/// (partials are not rendered; NOTES.txt is) as long as each prints nothing but blank lines and
/// YAML comments and changes `.Values` in place at its top level.
pub fn find(files: &[TemplateFile]) -> HashMap<String, String> {
    let mut rendered: Vec<&TemplateFile> = files
        .iter()
        .filter(|f| {
            let base = f.name.rsplit('/').next().unwrap_or(f.name);
            !base.starts_with('_') && f.name.contains("/templates/")
        })
        .collect();
    rendered.sort_by(|a, b| helm_order(a.name, b.name));
    // Per chart: how many stages so far, or none once a template is not one.
    let mut charts: HashMap<&str, Option<u64>> = HashMap::new();
    let mut stages = HashMap::new();
    for file in rendered {
        let count = charts.entry(chart_of(file.name)).or_insert(Some(0));
        let Some(n) = count else {
            continue;
        };
        let nodes = &file.template.nodes;
        if prints_nothing(nodes) && changes_values(nodes, true) {
            *n += 1;
            stages.insert(file.name.to_string(), values_stage_name(*n));
        } else {
            *count = None;
        }
    }
    stages
}

/// `app/charts/db` of `app/charts/db/templates/x.yaml`.
fn chart_of(name: &str) -> &str {
    name.find("/templates/").map_or(name, |i| &name[..i])
}

/// Whether the nodes print nothing but whitespace and YAML comment lines, whichever branch
/// runs (`fail` stops the render; declarations print nothing; a define prints where called).
fn prints_nothing(nodes: &[Node]) -> bool {
    nodes.iter().all(|node| match node {
        Node::Text(t) => t.text.lines().all(|line| {
            let line = line.trim();
            line.is_empty() || line.starts_with('#')
        }),
        Node::Comment(_) | Node::Define(_) | Node::Break(_) | Node::Continue(_) => true,
        Node::Action(a) => !a.pipe.decl.is_empty() || first_function(&a.pipe) == Some("fail"),
        Node::If(b) | Node::With(b) | Node::Range(b) => branch_prints_nothing(b),
        Node::Template(_) | Node::Block(_) => false,
    })
}

fn branch_prints_nothing(b: &Branch) -> bool {
    prints_nothing(&b.body)
        && match &b.otherwise {
            None => true,
            Some(Otherwise::Else { body, .. }) => prints_nothing(body),
            Some(Otherwise::Chain(next)) => branch_prints_nothing(next),
        }
}

fn first_function(pipe: &Pipeline) -> Option<&str> {
    match pipe.commands.first()?.args.first()? {
        Expr::Identifier(id) => Some(&id.name),
        _ => None,
    }
}

/// Whether the nodes change `.Values` (or set `$.Values`) in place, outside defines.
/// `dot_is_root`: `.` is the template's top-level object here (not inside `with` or `range`).
fn changes_values(nodes: &[Node], dot_is_root: bool) -> bool {
    nodes.iter().any(|node| match node {
        Node::Action(a) => pipeline_changes(&a.pipe, dot_is_root),
        Node::If(b) => branch_changes(b, dot_is_root, dot_is_root),
        Node::With(b) | Node::Range(b) => branch_changes(b, false, dot_is_root),
        _ => false,
    })
}

/// `body_root`: whether `.` is the top-level object in the branch's body; its condition and
/// `else` keep the dot of the enclosing nodes.
fn branch_changes(b: &Branch, body_root: bool, dot_is_root: bool) -> bool {
    pipeline_changes(&b.pipe, dot_is_root)
        || changes_values(&b.body, body_root)
        || match &b.otherwise {
            None => false,
            Some(Otherwise::Else { body, .. }) => changes_values(body, dot_is_root),
            // `else if` / `else with`: a branch of the same kind.
            Some(Otherwise::Chain(next)) => branch_changes(next, body_root, dot_is_root),
        }
}

fn pipeline_changes(pipe: &Pipeline, dot_is_root: bool) -> bool {
    pipe.commands
        .iter()
        .any(|c| command_changes(c, dot_is_root))
}

fn command_changes(command: &Command, dot_is_root: bool) -> bool {
    let args = &command.args;
    let changes_here = match args.first() {
        Some(Expr::Identifier(id)) if MUTATORS.contains(&id.name.as_str()) => args
            .get(1)
            .is_some_and(|target| is_values(target, args.get(2), dot_is_root)),
        _ => false,
    };
    changes_here
        || args.iter().any(|arg| match arg {
            Expr::Pipeline(p) => pipeline_changes(p, dot_is_root),
            _ => false,
        })
}

/// Whether `target` (with the key a `set` is given) is `.Values` or inside it.
fn is_values(target: &Expr, key: Option<&Expr>, dot_is_root: bool) -> bool {
    let names_values = |fields: &[String]| match fields.first() {
        Some(first) => first == "Values",
        None => matches!(key, Some(Expr::String(k)) if k.value == "Values"),
    };
    match target {
        Expr::Variable(v) if v.name == "$" => names_values(&v.fields),
        Expr::Field(f) if dot_is_root => names_values(&f.names),
        Expr::Dot(_) if dot_is_root => names_values(&[]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::parse::parse;

    /// The stages `find` picks among files (Helm name, text).
    fn stages(files: &[(&str, &str)]) -> Vec<(String, String)> {
        let parsed: Vec<_> = files
            .iter()
            .map(|(name, text)| {
                let mut t = parse(name, text).expect("parses");
                t.name = name.to_string();
                t
            })
            .collect();
        let files: Vec<TemplateFile> = files
            .iter()
            .zip(&parsed)
            .map(|((name, _), template)| TemplateFile { name, template })
            .collect();
        let mut found: Vec<_> = find(&files).into_iter().collect();
        found.sort();
        found
    }

    const PROFILE: &str = "{{- $p := .Values.profiles.big }}\n# merged\n{{- $_ := set $ \"Values\" (mergeOverwrite .Values $p) }}\n{{- define \"x\" }}printed where called{{ end }}";

    #[test]
    fn the_first_templates_helm_renders_that_change_values_and_print_nothing() {
        // Reverse name order: z, y, then n (which prints: the run ends there, so m, though it
        // would qualify, is no stage).
        let found = stages(&[
            ("c/templates/n.yaml", "kind: N\n"),
            ("c/templates/m.yaml", "{{ $_ := unset .Values \"x\" }}"),
            (
                "c/templates/y.yaml",
                "{{- $_ := mustMergeOverwrite $.Values (index $.Values \"cni\") }}",
            ),
            ("c/templates/z.yaml", PROFILE),
            (
                "c/templates/_helpers.tpl",
                "{{ $_ := set .Values \"a\" 1 }}",
            ),
        ]);
        assert_eq!(
            found,
            [
                (
                    "c/templates/y.yaml".to_string(),
                    "_values.2.tera".to_string()
                ),
                ("c/templates/z.yaml".to_string(), "_values.tera".to_string()),
            ]
        );
    }

    #[test]
    fn a_template_that_prints_or_changes_no_values_is_no_stage() {
        for text in [
            // Prints a value.
            "{{- $_ := set .Values \"a\" 1 }}{{ .Values.a }}",
            // Prints text that is not a comment.
            "{{- $_ := set .Values \"a\" 1 }}\nkind: A",
            // Prints what `set` returns.
            "{{ set .Values \"a\" 1 }}",
            // Calls a template, which prints.
            "{{- $_ := set .Values \"a\" 1 }}{{ template \"x\" }}",
            // Changes nothing of .Values: a variable, `$` beside `Values`, `.` inside `with`.
            "{{- $d := dict }}{{ $_ := set $d \"a\" 1 }}",
            "{{- $_ := set $ \"mode\" \"a\" }}",
            "{{- with .Values.db }}{{ $_ := set . \"a\" 1 }}{{ end }}",
        ] {
            assert_eq!(stages(&[("c/templates/z.yaml", text)]), [], "{text}");
        }
        for text in [
            "{{- if .Values.x }}{{ fail \"no\" }}{{ else }}{{ $_ := set .Values \"a\" 1 }}{{ end }}",
            "{{- with .Values.db }}{{ $_ := set $.Values \"a\" . }}{{ end }}",
            "{{- range .Values.list }}{{ $_ := merge $.Values . }}{{ end }}",
        ] {
            assert_eq!(stages(&[("c/templates/z.yaml", text)]).len(), 1, "{text}");
        }
    }

    #[test]
    fn each_chart_has_its_own_stages() {
        let found = stages(&[
            ("app/templates/z.yaml", PROFILE),
            ("app/charts/db/templates/a.yaml", PROFILE),
            ("app/charts/db/templates/b.yaml", "kind: B\n"),
        ]);
        // db's b.yaml renders before a.yaml: db has no stage.
        assert_eq!(
            found,
            [(
                "app/templates/z.yaml".to_string(),
                "_values.tera".to_string()
            )]
        );
    }
}
