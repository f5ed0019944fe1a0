//! The template engine as a chart meets it: components shared by a chart and its subcharts,
//! library charts, the `Root` object, `Release.Service`, Helm's `Chart` fields, and keyword
//! arguments that no filter takes.

use crate::common;

const CHART: &str = "apiVersion: v2\nname: app\nversion: 0.1.0\n";

fn configmap(data: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n{data}\n")
}

#[test]
fn subcharts_and_their_parent_share_components() {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            ("Chart.yaml", CHART),
            (
                "templates/_helpers.tera",
                "{% component app.name() %}from-app{% endcomponent app.name %}\
                 {% component shared.label() %}parent-wins{% endcomponent shared.label %}",
            ),
            (
                "templates/cm.yaml",
                &configmap("  sub: {{ <sub.name /> }}\n  shared: {{ <shared.label /> }}"),
            ),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ),
            (
                "charts/sub/templates/_helpers.tera",
                "{% component sub.name() %}from-sub{% endcomponent sub.name %}\
                 {% component shared.label() %}sub-loses{% endcomponent shared.label %}",
            ),
            (
                "charts/sub/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub\ndata:\n  parent: {{ <app.name /> }}\n  shared: {{ <shared.label /> }}\n",
            ),
        ],
    );
    let out = common::stdout_of(&["template", dir.to_str().expect("path")]);
    assert!(out.contains("sub: from-sub"), "{out}");
    assert!(out.contains("parent: from-app"), "{out}");
    assert!(out.contains("shared: parent-wins"), "{out}");
    assert!(!out.contains("sub-loses"), "{out}");
}

#[test]
fn a_library_chart_lends_its_components_and_renders_nothing() {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: common\n  version: 1.0.0\n",
            ),
            (
                "templates/cm.yaml",
                &configmap("  name: {{ <common.name /> }}"),
            ),
            (
                "charts/common/Chart.yaml",
                "apiVersion: v2\nname: common\nversion: 1.0.0\ntype: library\n",
            ),
            (
                "charts/common/templates/_names.tera",
                "{% component common.name(@Release) %}{{ Release.Name }}-common{% endcomponent common.name %}",
            ),
            (
                "charts/common/templates/never.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: never\n",
            ),
        ],
    );
    let out = common::stdout_of(&["template", "demo", dir.to_str().expect("path")]);
    assert!(out.contains("name: demo-common"), "{out}");
    assert!(
        !out.contains("never"),
        "a library chart's templates are not rendered: {out}"
    );

    let library = dir.join("charts/common");
    let output = common::ktera()
        .args(["template", library.to_str().expect("path")])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("library charts are not installable"),
        "{stderr}"
    );
}

#[test]
fn root_holds_helm_top_level_objects() {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: db\n  alias: store\n  version: 0.2.0\n",
            ),
            ("values.yaml", "greeting: hi\nstore:\n  port: 5432\n"),
            (
                "templates/cm.yaml",
                &configmap(
                    "  greeting: {{ Root.Values.greeting }}\n  template: {{ Root.Template.Name }}\n  release: {{ Root.Release.Name }}\n  store: {{ Root.Subcharts.store.Values.port | quote }}\n  storeChart: {{ Root.Subcharts.store.Chart.Version }}\n  viaTpl: {{ \"{{ Root.Chart.Name }}\" | tpl }}",
                ),
            ),
            (
                "charts/db/Chart.yaml",
                "apiVersion: v2\nname: db\nversion: 0.2.0\n",
            ),
            ("charts/db/values.yaml", "port: 1\n"),
        ],
    );
    let out = common::stdout_of(&["template", "demo", dir.to_str().expect("path")]);
    for line in [
        "greeting: hi",
        "template: app/templates/cm.yaml",
        "release: demo",
        "store: '5432'",
        "storeChart: '0.2.0'",
        "viaTpl: app",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
}

#[test]
fn release_service_is_set_by_flag_and_defaults_to_ktera() {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            ("Chart.yaml", CHART),
            (
                "templates/cm.yaml",
                &configmap("  by: {{ Release.Service }}"),
            ),
        ],
    );
    let path = dir.to_str().expect("path");
    assert!(common::stdout_of(&["template", path]).contains("by: ktera"));
    let helm = common::stdout_of(&["template", path, "--release-service", "Helm"]);
    assert!(helm.contains("by: Helm"), "{helm}");
    let output = common::ktera()
        .args(["template", path, "--release-service", " "])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn release_service_is_set_in_the_project_file() {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    common::write(
        tmp.path(),
        &[
            ("charts/app/Chart.yaml", CHART),
            (
                "charts/app/templates/cm.yaml",
                &configmap("  by: {{ Release.Service }}"),
            ),
            (
                "ktera.yaml",
                "environments:\n  dev:\n    releaseService: Helm\n    releases:\n    - {name: a, chart: charts/app}\n    - {name: b, chart: charts/app, releaseService: Flux}\n  prod:\n    releases:\n    - {name: c, chart: charts/app}\n",
            ),
        ],
    );
    let project = tmp.path().join("ktera.yaml");
    common::stdout_of(&["render", "-p", project.to_str().expect("path")]);
    let read =
        |f: &str| std::fs::read_to_string(tmp.path().join("rendered").join(f)).expect("rendered");
    assert!(read("dev/a.yaml").contains("by: Helm"));
    assert!(read("dev/b.yaml").contains("by: Flux"));
    assert!(read("prod/c.yaml").contains("by: ktera"));
    common::stdout_of(&[
        "render",
        "-p",
        project.to_str().expect("path"),
        "--release-service",
        "Argo",
    ]);
    assert!(read("prod/c.yaml").contains("by: Argo"));
}

#[test]
fn every_field_of_helms_chart_is_there() {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 0.1.0\nmaintainers:\n- name: Ana\n  url: https://x\n",
            ),
            (
                "templates/cm.yaml",
                &configmap(
                    "  home: {{ Chart.Home | quote }}\n  keywords: {{ Chart.Keywords | length }}\n  deprecated: {{ Chart.Deprecated | quote }}\n  annotations: {{ Chart.Annotations | length }}\n  maintainer: {{ Chart.Maintainers[0].Name }} {{ Chart.Maintainers[0].URL }}\n  type: {{ Chart.Type | quote }}",
                ),
            ),
        ],
    );
    let out = common::stdout_of(&["template", dir.to_str().expect("path")]);
    for line in [
        "home: ''",
        "keywords: 0",
        "deprecated: 'false'",
        "annotations: 0",
        "maintainer: Ana https://x",
        "type: ''",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
}

#[test]
fn a_misspelled_keyword_argument_is_a_located_error_with_a_suggestion() {
    for (template, says) in [
        (
            "  a: {{ \"x\" | indent(width=2, frist=true) }}",
            "the filter `indent` has no argument `frist`; did you mean `first`?",
        ),
        (
            "  a: {{ Values.x | default(value=\"x\", bolean=true) }}",
            "the filter `default` has no argument `bolean`; did you mean `boolean`?",
        ),
        (
            "  a: {{ \"x\" | upper(case=1) }}",
            "the filter `upper` has no argument `case` (`upper` takes no arguments)",
        ),
        (
            "  a: {{ semver_compare(constraint=\">1\", versoin=\"2.0.0\") }}",
            "the function `semver_compare` has no argument `versoin`; did you mean `version`?",
        ),
    ] {
        let (stderr, _) = failure_of("", template);
        assert!(stderr.contains(says), "{template}: {stderr}");
        assert!(stderr.contains("templates/cm.yaml:6:"), "located: {stderr}");
    }
}

#[test]
fn printing_a_null_is_an_error_that_points_at_the_value() {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            ("Chart.yaml", CHART),
            ("values.yaml", "image:\n  repository: nginx\n  tag:\n"),
            (
                "templates/cm.yaml",
                &configmap("  image: \"{{ Values.image.repository }}:{{ Values.image.tag }}\""),
            ),
        ],
    );
    let output = common::template(&dir).output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("templates/cm.yaml:6:44: Tried to render a value that is null"),
        "{stderr}"
    );
    assert!(stderr.contains("^^^^^^^^^^^^^^^^"), "{stderr}");
    assert!(stderr.contains("`| default(value=...)`"), "{stderr}");

    // What a chart says it wants instead renders.
    for (print, want) in [
        (
            "{{ Values.image.tag | default(value=\"1.0\") }}",
            "nginx:1.0",
        ),
        ("{{ Values.image.tag | or_empty }}", "nginx:"),
    ] {
        let template = configmap(&format!(
            "  image: \"{{{{ Values.image.repository }}}}:{print}\""
        ));
        std::fs::write(dir.join("templates/cm.yaml"), template).expect("write");
        let out = common::stdout_of(&["template", dir.to_str().expect("path")]);
        assert!(out.contains(want), "{print}: {out}");
    }
}

/// What a template calls and nothing defines is an error in the layout of every other:
/// `error: file:line:column: message`, the line, the mark; more than one are listed in a note.
#[test]
fn unknown_names_are_located_as_every_error_is() {
    for (line, says, at) in [
        ("  a: {{ nofn() }}", "Unknown function `nofn`", "nofn()"),
        (
            "  a: {{ \"x\" | upperr }}",
            "Unknown filter `upperr`",
            "upperr",
        ),
        (
            "  a: {% if 1 is nottest %}x{% endif %}",
            "Unknown test `nottest`",
            "nottest",
        ),
        (
            "  a: {{ <Nocomp /> }}",
            "Unknown component `Nocomp`",
            "<Nocomp />",
        ),
        (
            "  a: {% include \"nofile\" %}",
            "Unknown template `nofile`",
            "\"nofile\"",
        ),
    ] {
        let (stderr, path) = failure_of("", line);
        let column = line.find(at).expect("name") + 1;
        let place = format!("error: {path}:6:{column}: {says}\n");
        assert!(stderr.starts_with(&place), "{line}: want {place}: {stderr}");
        let mark = format!(
            "{}{}",
            " ".repeat(column - 1),
            "^".repeat(at.chars().count())
        );
        assert!(
            stderr.contains(&format!("  | {mark}\n")),
            "{line}: {stderr}"
        );
        assert!(!stderr.contains("-->"), "{stderr}");
    }

    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            ("Chart.yaml", CHART),
            (
                "templates/cm.yaml",
                &configmap("  a: {{ Values | toYaml }}\n  b: {{ 1 | nofilter }}"),
            ),
        ],
    );
    let output = common::template(&dir).output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let path = dir.join("templates/cm.yaml").display().to_string();
    assert!(
        stderr.contains(&format!("{path}:6:18: Unknown filter `toYaml`")),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: `toYaml` is Helm's name; ktera's is `to_yaml`"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "note: also: {path}:7:13: Unknown filter `nofilter`"
        )),
        "{stderr}"
    );
}

/// Templates that include each other in a circle: named by their files, with what to do.
#[test]
fn an_include_circle_names_its_files() {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            ("Chart.yaml", CHART),
            ("templates/a.yaml", "{% include \"b.yaml\" %}\n"),
            ("templates/b.yaml", "{% include \"a.yaml\" %}\n"),
        ],
    );
    let output = common::template(&dir).output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (a, b) = (
        dir.join("templates/a.yaml").display().to_string(),
        dir.join("templates/b.yaml").display().to_string(),
    );
    let circle = [
        format!("{a} includes {b} includes {a}"),
        format!("{b} includes {a} includes {b}"),
    ];
    assert!(
        circle.iter().any(|c| stderr.contains(c.as_str())),
        "{stderr}"
    );
    assert!(stderr.contains("hint: break the circle"), "{stderr}");
}

/// Tera joins null and undefined with `~` as nothing; ktera refuses them as it refuses printing
/// them, in a print and in a `set`, and points at the operand.
#[test]
fn joining_a_null_or_undefined_value_with_a_tilde_is_an_error() {
    let values = "image:\n  repository: nginx\n  tag:\nports:\n  - name: http\n";
    for (lines, says, at) in [
        (
            "  image: {{ Values.image.repository ~ \":\" ~ Values.image.tag }}",
            "Tried to render a value that is null",
            "Values.image.tag",
        ),
        (
            "  image: {{ Values.image.repository ~ \":\" ~ Values.image.tga }}",
            "Field `tga` is not defined. Available fields: repository, tag",
            "tga",
        ),
        (
            "{%- set image = Values.image.repository ~ \":\" ~ Values.image.tga %}\n  image: {{ image }}",
            "Field `tga` is not defined. Available fields: repository, tag",
            "tga",
        ),
        (
            "{%- for p in Values.ports %}\n  {{ \"port-\" ~ p.nmae }}: x\n{%- endfor %}",
            "Field `nmae` is not defined. Available fields: name",
            "nmae",
        ),
    ] {
        fails_pointing_at(values, lines, says, at);
    }

    // A default, or `or_empty` on purpose, joins.
    for (join, want) in [
        (
            "Values.image.tag | default(value=\"1.0\")",
            "image: nginx:1.0",
        ),
        ("Values.image.tag | or_empty ~ \"x\"", "image: nginx:x"),
    ] {
        let lines = format!("  image: {{{{ Values.image.repository ~ \":\" ~ {join} }}}}");
        let out = rendered(values, &lines);
        assert!(out.contains(want), "{join}: {out}");
    }
}

/// A loop's or a `set`'s variable: a missing field is named as Tera names it, a null field is
/// refused as a null value is, each pointed at as written (line 7, the printed path).
#[test]
fn a_variable_s_missing_or_null_field_is_named() {
    let values = "ports:\n  - name: http\n    number: 80\n  - name:\n    number: 81\n";
    for (lines, says, at) in [
        (
            "{%- for p in Values.ports %}\n  p{{ p.number }}: \"{{ p.nmae }}\"\n{%- endfor %}",
            "Field `nmae` is not defined. Available fields: name, number",
            "nmae",
        ),
        (
            "{%- for p in Values.ports %}\n  p{{ p.number }}: \"{{ p.name }}\"\n{%- endfor %}",
            "Tried to render a value that is null",
            "p.name",
        ),
        (
            "{%- set first = Values.ports | first %}\n  a: {{ first.nubmer }}",
            "Field `nubmer` is not defined. Available fields: name, number",
            "nubmer",
        ),
    ] {
        fails_pointing_at(values, lines, says, at);
    }
}

/// Tera says a boolean or a number is unequal to a string without a word; Helm refuses the
/// comparison, and so does ktera when one side is a literal: `Values.enabled == "true"`
/// would always be false.
#[test]
fn comparing_a_value_with_a_literal_of_another_kind_is_an_error() {
    let values = "enabled: true\nport: 8080\ntag: \"1.0\"\n";
    for (lines, says, at) in [
        (
            "{%- if Values.enabled == \"true\" %}\n  a: x\n{%- endif %}",
            "a boolean (true) is compared with a string: the two are never equal",
            "Values.enabled",
        ),
        (
            "  a: {{ Values.port != \"8080\" }}",
            "a number (8080) is compared with a string: the two are never equal",
            "Values.port",
        ),
        (
            "  a: {{ 1.0 == Values.tag }}",
            "a string (\"1.0\") is compared with a number: the two are never equal",
            "Values.tag",
        ),
    ] {
        fails_pointing_at(values, lines, says, at);
    }

    // The same kind on both sides compares.
    let out = rendered(
        values,
        "  a: {{ Values.enabled == true }}\n  b: {{ Values.port | to_string == \"8080\" }}\n  c: {{ Values.tag == \"1.0\" }}",
    );
    assert!(out.contains("a: true\n  b: true\n  c: true"), "{out}");
}

/// Renders a chart whose one template is a ConfigMap holding `lines`, with `values`: what it
/// prints.
fn rendered(values: &str, lines: &str) -> String {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            ("Chart.yaml", CHART),
            ("values.yaml", values),
            ("templates/cm.yaml", &configmap(lines)),
        ],
    );
    common::stdout_of(&["template", dir.to_str().expect("path")])
}

/// Renders a chart whose one template is a ConfigMap holding `lines`, with `values`: the run
/// fails with exit code 1. Its standard error, and the template's path.
fn failure_of(values: &str, lines: &str) -> (String, String) {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            ("Chart.yaml", CHART),
            ("values.yaml", values),
            ("templates/cm.yaml", &configmap(lines)),
        ],
    );
    let output = common::template(&dir).output().expect("run");
    assert_eq!(output.status.code(), Some(1), "{lines}");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (stderr, dir.join("templates/cm.yaml").display().to_string())
}

/// Renders `lines` in a ConfigMap with `values`: the run fails saying `says`, at the first
/// line that holds `at`, pointing at it.
fn fails_pointing_at(values: &str, lines: &str, says: &str, at: &str) {
    let (stderr, _) = failure_of(values, lines);
    let template = configmap(lines);
    let (index, written) = template
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(at))
        .expect("a line that holds `at`");
    let column = written.find(at).expect("at") + 1;
    let place = format!("templates/cm.yaml:{}:{column}: {says}", index + 1);
    assert!(stderr.contains(&place), "{place}\n{stderr}");
    let carets = format!("| {}{}\n", " ".repeat(column - 1), "^".repeat(at.len()));
    assert!(stderr.contains(&carets), "{carets}\n{stderr}");
}
