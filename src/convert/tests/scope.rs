//! The scope analysis: what `.`, `$` and variables hold at each use, and what each define is
//! called with, one case per test.

use std::collections::BTreeSet;

use crate::convert::parse;
use crate::convert::scope::{Analysis, CallKind, Severity, TemplateFile, Value, analyse};

/// Analyses `(Helm name, source)` files together.
fn chart(files: &[(&str, &str)]) -> Analysis {
    let templates: Vec<_> = files
        .iter()
        .map(|(name, source)| parse(name, source).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let files: Vec<TemplateFile<'_>> = files
        .iter()
        .zip(&templates)
        .map(|((name, _), template)| TemplateFile { name, template })
        .collect();
    analyse(&files)
}

fn one(source: &str) -> Analysis {
    chart(&[("app/templates/t.yaml", source)])
}

/// `text => value` of every use, in order.
fn uses(a: &Analysis) -> Vec<String> {
    a.dot_uses
        .iter()
        .map(|u| format!("{} => {}", u.text, u.value))
        .collect()
}

fn contexts(a: &Analysis, define: &str) -> Vec<String> {
    a.defines[define]
        .contexts
        .iter()
        .map(Value::to_string)
        .collect()
}

fn issues(a: &Analysis, severity: Severity) -> Vec<String> {
    a.issues_of(severity)
        .map(|i| format!("{}: {}", i.location, i.message))
        .collect()
}

#[test]
fn dot_and_dollar_at_the_top_of_a_file_are_the_root() {
    let a = one("{{ .Values.a }}{{ . }}{{ $.Release.Name }}{{ $ }}");
    assert_eq!(
        uses(&a),
        [
            ".Values.a => root.Values.a",
            ". => root",
            "$.Release.Name => root.Release.Name",
            "$ => root"
        ]
    );
    assert!(a.issues.is_empty(), "{:?}", a.issues);
}

#[test]
fn range_makes_dot_an_element() {
    let a = one(
        "{{ range .Values.hosts }}{{ .name }}{{ $.Values.x }}{{ else }}{{ .Values.none }}{{ end }}{{ .after }}",
    );
    assert_eq!(
        uses(&a),
        [
            ".Values.hosts => root.Values.hosts",
            ".name => elem(root.Values.hosts).name",
            "$.Values.x => root.Values.x",
            ".Values.none => root.Values.none",
            ".after => root.after",
        ]
    );
    let a = one(
        "{{ range $i, $h := .Values.l }}{{ $i }}{{ $h.name }}{{ . }}{{ end }}{{ range $e := .m }}{{ $e }}{{ end }}",
    );
    assert_eq!(
        uses(&a)[1..],
        [
            "$i => key(root.Values.l)",
            "$h.name => elem(root.Values.l).name",
            ". => elem(root.Values.l)",
            ".m => root.m",
            "$e => elem(root.m)",
        ]
    );
    // Nested ranges, and a range over a literal list and over an integer.
    let a = one(
        "{{ range .a }}{{ range .b }}{{ .c }}{{ end }}{{ end }}{{ range list 1 2 }}{{ . }}{{ end }}{{ range 3 }}{{ . }}{{ end }}",
    );
    assert_eq!(
        uses(&a)[2..],
        [
            ".c => elem(elem(root.a).b).c",
            ". => elem(list(1, 2))",
            ". => elem(3)"
        ]
    );
}

#[test]
fn with_makes_dot_its_value_and_else_keeps_it() {
    let a = one(
        "{{ with .Values.a }}{{ .b }}{{ else }}{{ .c }}{{ end }}{{ with $x := .d }}{{ $x.e }}{{ . }}{{ end }}{{ with .f }}{{ else with .g }}{{ .h }}{{ else }}{{ .i }}{{ end }}",
    );
    assert_eq!(
        uses(&a),
        [
            ".Values.a => root.Values.a",
            ".b => root.Values.a.b",
            ".c => root.c",
            ".d => root.d",
            "$x.e => root.d.e",
            ". => root.d",
            ".f => root.f",
            ".g => root.g",
            ".h => root.g.h",
            ".i => root.i",
        ]
    );
    // `if` does not change dot; its variable lives in both branches.
    let a = one("{{ if $v := .a }}{{ .b }}{{ $v }}{{ else }}{{ $v }}{{ end }}");
    assert_eq!(
        uses(&a)[1..],
        [".b => root.b", "$v => root.a", "$v => root.a"]
    );
}

#[test]
fn in_a_define_dot_and_dollar_are_its_argument() {
    let a = one(
        "{{- define \"app.name\" -}}{{ .Values.nameOverride }}{{ $.Chart.Name }}{{ with .Values.x }}{{ .y }}{{ $.z }}{{ end }}{{- end -}}",
    );
    assert_eq!(
        uses(&a),
        [
            ".Values.nameOverride => arg(app.name).Values.nameOverride",
            "$.Chart.Name => arg(app.name).Chart.Name",
            ".Values.x => arg(app.name).Values.x",
            ".y => arg(app.name).Values.x.y",
            "$.z => arg(app.name).z",
        ]
    );
    let info = &a.defines["app.name"];
    let reads: BTreeSet<String> = info.reads.iter().map(|r| r.join(".")).collect();
    assert_eq!(
        reads,
        BTreeSet::from(
            [
                "Values.nameOverride",
                "Chart.Name",
                "Values.x",
                "Values.x.y",
                "z"
            ]
            .map(String::from)
        )
    );
    assert!(!info.uses_whole);
    assert!(info.contexts.is_empty(), "never called");
}

#[test]
fn callers_pass_every_kind_of_context() {
    let a = chart(&[
        (
            "app/templates/_helpers.tpl",
            r#"{{ define "x" }}{{ end }}{{ define "y" }}{{ end }}{{ define "z" }}{{ .ctx.Values.a }}{{ end }}{{ define "w" }}{{ index . 0 }}{{ end }}{{ define "t" }}{{ end }}{{ define "u" }}{{ . }}{{ end }}"#,
        ),
        (
            "app/templates/deployment.yaml",
            r#"{{ include "x" . }}
{{- range .Values.l }}{{ include "x" $ }}{{ include "y" . }}{{ end }}
{{ include "z" (dict "ctx" $ "v" .Values.a "n" 1) }}
{{ include "w" (list $ "a") }}
{{ template "t" .Values.x }}
{{ template "u" }}
{{ .Values.p | include "y" }}"#,
        ),
    ]);
    assert_eq!(contexts(&a, "x"), ["root"]);
    assert_eq!(contexts(&a, "y"), ["root.Values.p", "elem(root.Values.l)"]);
    assert_eq!(
        contexts(&a, "z"),
        ["dict(ctx: root, v: root.Values.a, n: 1)"]
    );
    assert_eq!(contexts(&a, "w"), [r#"list(root, "a")"#]);
    assert_eq!(contexts(&a, "t"), ["root.Values.x"]);
    assert_eq!(contexts(&a, "u"), ["nil"]);
    assert!(a.defines["u"].uses_whole);
    let reads: Vec<String> = a.defines["z"].reads.iter().map(|r| r.join(".")).collect();
    assert_eq!(reads, ["ctx.Values.a"]);
    let kinds: Vec<CallKind> = a.calls.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == CallKind::Template).count(),
        2
    );
    assert!(a.issues.is_empty(), "{:?}", a.issues);
}

#[test]
fn contexts_are_resolved_through_other_defines() {
    let a = chart(&[
        (
            "app/templates/_helpers.tpl",
            r#"{{ define "outer" }}{{ include "inner" . }}{{ include "inner2" (dict "context" .context "k" "v") }}{{ end }}
{{ define "inner" }}{{ .context.Values.x }}{{ end }}
{{ define "inner2" }}{{ .context.Chart.Name }}{{ end }}
{{ define "leaf" }}{{ end }}"#,
        ),
        (
            "app/templates/a.yaml",
            r#"{{ include "outer" (dict "context" $) }}{{ range .Values.items }}{{ include "outer" (dict "context" $ "item" .) }}{{ end }}"#,
        ),
        (
            "app/templates/b.yaml",
            r#"{{ include "inner" (dict "context" .Values.sub) }}"#,
        ),
    ]);
    assert_eq!(
        contexts(&a, "outer"),
        [
            "dict(context: root)",
            "dict(context: root, item: elem(root.Values.items))"
        ]
    );
    assert_eq!(
        contexts(&a, "inner"),
        [
            "dict(context: root)",
            "dict(context: root, item: elem(root.Values.items))",
            "dict(context: root.Values.sub)",
        ]
    );
    assert_eq!(contexts(&a, "inner2"), [r#"dict(context: root, k: "v")"#]);
    assert!(contexts(&a, "leaf").is_empty());
}

#[test]
fn a_define_that_calls_itself_ends() {
    let a = one(
        r#"{{ define "r" }}{{ if .next }}{{ include "r" .next }}{{ end }}{{ end }}{{ include "r" .Values.tree }}"#,
    );
    let contexts = contexts(&a, "r");
    assert!(contexts.len() > 3 && contexts.len() <= 32, "{contexts:?}");
    assert!(contexts.contains(&"root.Values.tree.next.next".to_string()));
}

#[test]
fn helm_uses_the_definition_it_parses_last() {
    let a = chart(&[
        (
            "app/charts/sub/templates/_helpers.tpl",
            r#"{{ define "common.name" }}sub{{ include "only.sub" . }}{{ end }}{{ define "only.sub" }}{{ end }}"#,
        ),
        (
            "app/templates/_helpers.tpl",
            r#"{{ define "common.name" }}app{{ end }}{{ define "empty" }}x{{ end }}"#,
        ),
        (
            "app/templates/_more.tpl",
            r#"{{ define "empty" }} {{ end }}"#,
        ),
        (
            "app/templates/_a.tpl",
            r#"{{ define "same.depth" }}a{{ end }}"#,
        ),
        (
            "app/templates/_b.tpl",
            r#"{{ define "same.depth" }}b{{ end }}"#,
        ),
        ("app/templates/x.yaml", r#"{{ include "common.name" . }}"#),
    ]);
    let used = |name: &str| {
        let info = &a.defines[name];
        a.definitions[info.definition].location.file.clone()
    };
    // The parent's definition wins over the subchart's (files with fewer `/` are parsed later).
    assert_eq!(used("common.name"), "app/templates/_helpers.tpl");
    assert_eq!(a.defines["common.name"].overridden.len(), 1);
    // Of two files at the same depth, the one first in name order is parsed last.
    assert_eq!(used("same.depth"), "app/templates/_a.tpl");
    // An empty definition never replaces another.
    assert_eq!(used("empty"), "app/templates/_helpers.tpl");
    // The call inside the ignored definition never runs.
    assert!(a.defines["only.sub"].calls.is_empty());
    let notes = issues(&a, Severity::Note);
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[0].contains("is defined again at"), "{notes:?}");
}

#[test]
fn variables_follow_gos_scopes() {
    // Shadowing: the inner `$x` lives until the range's end.
    let a = one("{{ $x := .a }}{{ range .l }}{{ $x := .b }}{{ $x }}{{ end }}{{ $x }}");
    assert_eq!(a.variables.len(), 2);
    assert_eq!(a.variables[1].shadows, Some(0));
    assert_eq!(a.variables[0].uses.len(), 1);
    assert_eq!(a.variables[1].uses.len(), 1);
    assert_eq!(uses(&a)[3..], ["$x => elem(root.l).b", "$x => root.a"]);
    // Assignment inside a range changes the variable declared outside it.
    let a = chart(&[(
        "app/templates/t.yaml",
        r#"{{ $l := list }}{{ range .Values.l }}{{ $l = append $l . }}{{ end }}{{ include "y" $l }}{{ $n := 1 }}{{ $n = 2 }}{{ include "y" $n }}{{ if .a }}{{ $n = 3 }}{{ end }}{{ include "y" $n }}
{{ range .m }}{{ $y := 1 }}{{ if . }}{{ $y = 2 }}{{ end }}{{ end }}{{ define "y" }}{{ end }}"#,
    )]);
    let l = &a.variables[0];
    assert_eq!(l.assignments.len(), 1);
    assert!(l.assignments[0].in_inner_range && l.assignments[0].in_inner_branch);
    let n = &a.variables[1];
    assert_eq!(
        n.assignments
            .iter()
            .map(|x| (x.in_inner_range, x.in_inner_branch))
            .collect::<Vec<_>>(),
        [(false, false), (false, true)]
    );
    let y = &a.variables[2];
    assert_eq!(
        (
            y.assignments[0].in_inner_range,
            y.assignments[0].in_inner_branch
        ),
        (false, true)
    );
    // After a change in a loop or a branch the value is unknown; after a plain one, known.
    assert_eq!(contexts(&a, "y"), ["2", "?"]);
    // A range may assign its variables instead of declaring them.
    let a = one("{{ $i := 0 }}{{ $e := 0 }}{{ range $i, $e = .l }}{{ end }}{{ $i }}");
    assert_eq!(a.variables.len(), 2);
    assert_eq!(
        a.variables[0].assignments[0].value.to_string(),
        "key(root.l)"
    );
    assert_eq!(
        a.variables[1].assignments[0].value.to_string(),
        "elem(root.l)"
    );
}

#[test]
fn what_helm_fails_on_at_render_time_is_reported() {
    let a = one("{{ $x = 1 }}{{ $x }}");
    let errors = issues(&a, Severity::Error);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("app/templates/t.yaml:1:4: `$x` is assigned but was never declared")
    );
    // Declared in the `if` body, used in the `else`: Go's parser accepts it, Go fails there.
    let a = one("{{ if .a }}{{ $x := 1 }}{{ else }}{{ $x }}{{ end }}");
    let errors = issues(&a, Severity::Error);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("1:38: `$x` is not declared where this runs"),
        "{errors:?}"
    );
    let a = one(r#"{{ include "nowhere" . }}{{ frobnicate 1 }}"#);
    let errors = issues(&a, Severity::Error);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("no template is defined with the name \"nowhere\""))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("Helm has no function `frobnicate`"))
    );
}

#[test]
fn changes_to_shared_data_need_attention() {
    let a = chart(&[(
        "app/templates/t.yaml",
        r#"{{ $_ := set .Values "x" 1 }}{{ $d := dict "a" 1 }}{{ $_ := set $d "b" .Values.c }}{{ $_ := unset $d "a" }}{{ include "x" $d }}
{{ $m := mergeOverwrite (dict) .Values.a .Values.b }}{{ $_ := merge $ (dict) }}{{ $_ := set (deepCopy $) "k" 1 }}
{{ define "x" }}{{ $_ := set . "k" 1 }}{{ end }}"#,
    )]);
    let attention = issues(&a, Severity::Attention);
    assert_eq!(attention.len(), 3, "{attention:?}");
    assert!(attention[0].contains("`set` changes .Values (root.Values) in place"));
    assert!(attention[1].contains("`merge` changes $ (root)"));
    assert!(attention[2].contains("`set` changes . (arg(x))"));
    // A dict the template made itself may change; the analysis follows it.
    assert_eq!(contexts(&a, "x"), ["dict(b: root.Values.c)"]);
}

/// opentelemetry-collector's `rewriteDeprecatedComponentNames`: a section picked by a key known
/// only when rendering is still part of the map the caller passed, so changing it in place
/// changes that map (and Helm's later `toYaml $config` shows it).
#[test]
fn an_element_picked_by_a_computed_key_is_still_shared() {
    let a = chart(&[(
        "app/templates/_h.tpl",
        r#"{{ define "rw" }}{{ $config := .config }}{{ range $kind, $t := .renames }}{{ $section := index $config $kind }}{{ $_ := set $section "new" 1 }}{{ end }}{{ toYaml $config }}{{ end }}
{{ define "own" }}{{ $d := dict "a" (dict) }}{{ range $k, $v := .Values.m }}{{ $e := index $d $k }}{{ $_ := set $e "x" 1 }}{{ end }}{{ end }}"#,
    )]);
    let attention = issues(&a, Severity::Attention);
    assert_eq!(attention.len(), 1, "{attention:?}");
    assert!(
        attention[0].contains("`set` changes $section (elem(arg(rw).config)) in place"),
        "{attention:?}"
    );
}

/// jenkins' `jenkins.casc.defaults`: `$oldRoot := deepCopy $`, changes, then
/// `set $ "Values" $oldRoot.Values` puts the values back; the caller sees no change.
#[test]
fn putting_back_a_saved_copy_changes_nothing_for_the_caller() {
    let a = chart(&[(
        "app/templates/_h.tpl",
        r#"{{ define "restore" }}{{ $old := deepCopy $ }}{{ $_ := set $ "Values" $old.Values }}{{ end }}
{{ define "other" }}{{ $old := deepCopy .Values }}{{ $_ := set $ "Values" $old.Values }}{{ end }}"#,
    )]);
    assert_eq!(a.caller_sets.keys().collect::<Vec<_>>(), ["Values"]);
    assert_eq!(a.caller_sets["Values"].0, "other");
    let attention = issues(&a, Severity::Attention);
    assert_eq!(attention.len(), 1, "{attention:?}");
}

#[test]
fn functions_are_recorded_and_checked() {
    let a = chart(&[
        (
            "app/templates/t.yaml",
            r#"{{ include (printf "%s.labels" .Chart.Name) . }}{{ randAlphaNum 10 | b64enc }}{{ .Files.Get "f.txt" }}{{ .Capabilities.APIVersions.Has "v1" }}{{ index .Values "my-key" "b" }}{{ get .Values.m "k" }}{{ (include "l" .).x }}"#,
        ),
        ("app/templates/_h.tpl", r#"{{ define "l" }}{{ end }}"#),
    ]);
    let names: Vec<&str> = a.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "include",
            "printf",
            "randAlphaNum",
            "b64enc",
            "index",
            "get",
            "include"
        ]
    );
    assert_eq!(issues(&a, Severity::Attention).len(), 1);
    let attention = issues(&a, Severity::Attention);
    assert!(
        attention[0].contains(r#"computed at render time: `(printf "%s.labels" .Chart.Name)`"#),
        "{attention:?}"
    );
    assert_eq!(issues(&a, Severity::Note).len(), 1);
    assert!(issues(&a, Severity::Note)[0].contains("`randAlphaNum` returns a different value"));
    let dynamic = a.calls.iter().find(|c| c.name.is_none()).unwrap();
    assert_eq!(dynamic.arg, Value::Root);
    let u = uses(&a);
    assert!(
        u.contains(&".Files.Get => root.Files.Get".to_string()),
        "{u:?}"
    );
    assert!(u.contains(
        &".Capabilities.APIVersions.Has => root.Capabilities.APIVersions.Has".to_string()
    ));
    assert!(u.contains(&"(include \"l\" .).x => ?".to_string()), "{u:?}");
    // `index` and `get` with literal keys are paths.
    let a = one(
        r#"{{ $v := index .Values "my-key" "b" }}{{ $w := get .Values.m "k" }}{{ include "d" (list $v $w) }}{{ define "d" }}{{ end }}"#,
    );
    assert_eq!(
        contexts(&a, "d"),
        ["list(root.Values.my-key.b, root.Values.m.k)"]
    );
}

#[test]
fn blocks_define_and_call_in_place() {
    let a = one(r#"{{ block "b" .Values.x }}{{ .y }}{{ $.z }}{{ end }}{{ template "b" . }}"#);
    assert_eq!(contexts(&a, "b"), ["root", "root.Values.x"]);
    assert_eq!(
        uses(&a),
        [
            ".Values.x => root.Values.x",
            ".y => arg(b).y",
            "$.z => arg(b).z",
            ". => root"
        ]
    );
    assert_eq!(a.calls[0].kind, CallKind::Block);
}

#[test]
fn tpl_calls_are_recorded_with_their_context() {
    let a = one(r#"{{ tpl .Values.annotation . }}{{ tpl (toYaml .Values.x) $ }}"#);
    let tpl: Vec<String> = a
        .calls
        .iter()
        .filter(|c| c.kind == CallKind::Tpl)
        .map(|c| c.arg.to_string())
        .collect();
    assert_eq!(tpl, ["root", "root"]);
}

#[test]
fn the_checksum_idiom_names_a_file() {
    let a = chart(&[
        ("app/templates/configmap.yaml", "kind: ConfigMap"),
        (
            "app/templates/deployment.yaml",
            r#"{{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
{{ include (printf "%s/configmap.yaml" .Template.BasePath) . }}
{{ include (print $.Template.BasePath "/secret.yaml") . }}
{{ range .Values.l }}{{ include (print $.Template.BasePath "/configmap.yaml") $ }}{{ end }}"#,
        ),
        (
            "app/charts/sub/templates/x.yaml",
            r#"{{ include (print .Template.BasePath "/y.yaml") . }}"#,
        ),
    ]);
    let names: Vec<String> = a
        .calls
        .iter()
        .map(|c| c.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "app/templates/configmap.yaml",
            "app/templates/configmap.yaml",
            "app/templates/secret.yaml",
            "app/templates/configmap.yaml",
            "app/charts/sub/templates/y.yaml"
        ]
    );
    let errors = issues(&a, Severity::Error);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].contains("\"app/templates/secret.yaml\""),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("\"app/charts/sub/templates/y.yaml\""),
        "{errors:?}"
    );
    assert!(issues(&a, Severity::Attention).is_empty());
}
