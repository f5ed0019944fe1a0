//! Helm habits in a Tera chart: each error names the habit, points at it in the template as
//! written (file:line:column and a caret under the habit's text, also where the print checks
//! moved the text), and says what to write instead; writing that renders.

use crate::common;

const CHART: &str = "apiVersion: v2\nname: app\nversion: 0.1.0\n";
const VALUES: &str = "image:\n  repository: nginx\n  tag: \"1.27\"\nresources:\n  cpu: 1\n";

/// `templates/cm.yaml` with `lines` under `data:`; the first of them is line 6.
fn configmap(lines: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n{lines}\n")
}

/// Renders a chart whose `templates/cm.yaml` is `template`: the exit code, standard output and
/// standard error.
fn render(template: &str) -> (Option<i32>, String, String) {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            ("Chart.yaml", CHART),
            ("values.yaml", VALUES),
            (
                "templates/_helpers.tera",
                "{% component app.name() %}app{% endcomponent app.name %}\n{% component app.image(@Values) %}{{ Values.image.repository }}{% endcomponent app.image %}\n",
            ),
            ("templates/cm.yaml", template),
        ],
    );
    let output = common::template(&dir).output().expect("run");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The text the caret of `stderr`'s snippet underlines on line `line` of `template`.
fn underlined(template: &str, stderr: &str, line: usize, column: usize) -> String {
    let carets = stderr
        .lines()
        .find(|l| l.trim_start().starts_with('|') && l.contains('^'))
        .map_or(0, |l| l.matches('^').count());
    template
        .lines()
        .nth(line - 1)
        .unwrap_or("")
        .chars()
        .skip(column - 1)
        .take(carets)
        .collect()
}

/// The first text between backquotes after `write ` in the hint.
fn suggestion(stderr: &str) -> String {
    let hint = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("hint:"))
        .unwrap_or("");
    let after = hint.split("write `").nth(1).unwrap_or("");
    after.split('`').next().unwrap_or("").to_string()
}

/// Each habit: the lines as written, where the error is (the line, and the text underlined,
/// whose first character is the column),
/// the message, and whether writing the hint's suggestion in place of the underlined text
/// renders (it does where the suggestion is an expression).
#[test]
fn each_habit_is_named_where_it_is_written_and_the_fix_renders() {
    struct Case {
        lines: &'static str,
        line: usize,
        underlined: &'static str,
        message: &'static str,
        fix_renders: bool,
    }
    let cases = [
        Case {
            lines: "  image: {{ .Values.image.repository }}",
            line: 6,
            underlined: ".Values.image.repository",
            message: "`.Values.image.repository` is Go template syntax, which ktera does not read",
            fix_renders: true,
        },
        // The print before the habit is wrapped by the null check: the column is as written.
        Case {
            lines: "  image: \"{{ Values.image.repository }}:{{ $.Values.image.tag }}\"",
            line: 6,
            underlined: "$.Values.image.tag",
            message: "`$.Values.image.tag` is Go template syntax",
            fix_renders: true,
        },
        Case {
            lines: "  name: {{ Values.image.repository | default \"x\" | quote }}",
            line: 6,
            underlined: "default \"x\"",
            message: "`| default \"x\"` passes an argument the Go way",
            fix_renders: true,
        },
        Case {
            lines: "  r: |\n    {{- Values.resources | to_yaml | nindent 4 }}",
            line: 7,
            underlined: "nindent 4",
            message: "`| nindent 4` passes an argument the Go way",
            fix_renders: true,
        },
        Case {
            lines: "  tag: {{ Values.image.tag | trimSuffix \".27\" }}",
            line: 6,
            underlined: "trimSuffix \".27\"",
            message: "`| trimSuffix \".27\"` passes an argument the Go way",
            fix_renders: true,
        },
        Case {
            lines: "  a: b\n  name: {{ printf \"%s:%s\" Values.image.repository Values.image.tag }}",
            line: 7,
            underlined: "printf \"%s:%s\" Values.image.repository Values.image.tag",
            message: "`printf \"%s:%s\" Values.image.repository Values.image.tag` calls a function the Go way",
            fix_renders: true,
        },
        Case {
            lines: "  name: {{ default \"x\" Values.image.tag | quote }}",
            line: 6,
            underlined: "default \"x\" Values.image.tag",
            message: "`default \"x\" Values.image.tag` calls a function the Go way",
            fix_renders: true,
        },
        Case {
            lines: "  r: |\n    {{- toYaml Values.resources | nindent(width=4) }}",
            line: 7,
            underlined: "toYaml Values.resources",
            message: "`toYaml Values.resources` calls a function the Go way",
            fix_renders: true,
        },
        Case {
            lines: "  a: b\n{{- if .Values.image }}\n  c: d\n{{- end }}",
            line: 7,
            underlined: "{{- if .Values.image }}",
            message: "`{{ if }}` is Go template syntax",
            fix_renders: false,
        },
        Case {
            lines: "{{- range Values.image }}\n  c: d\n{{- end }}",
            line: 6,
            underlined: "{{- range Values.image }}",
            message: "`{{ range }}` is Go template syntax",
            fix_renders: false,
        },
        // Read by Tera as a print of `end`, after a print the null check wrapped.
        Case {
            lines: "  a: {{ Values.image.tag }}{{ end }}",
            line: 6,
            underlined: "{{ end }}",
            message: "`{{ end }}` is Go template syntax",
            fix_renders: false,
        },
        Case {
            lines: "  name: {{ include \"app.name\" . }}",
            line: 6,
            underlined: "{{ include \"app.name\" . }}",
            message: "`{{ include }}` is Go template syntax",
            fix_renders: false,
        },
        Case {
            lines: "  a: b\n  {% if Values.image %}\n  c: d",
            line: 7,
            underlined: "{% if Values.image %}",
            message: "`{% if %}` is never closed",
            fix_renders: false,
        },
    ];
    for case in cases {
        let template = configmap(case.lines);
        let written = template.lines().nth(case.line - 1).expect("line");
        let at = written
            .find(case.underlined)
            .expect("underlined text on the line");
        let column = written[..at].chars().count() + 1;
        let (code, _, stderr) = render(&template);
        assert_eq!(code, Some(1), "{}: {stderr}", case.lines);
        let place = format!(
            "templates/cm.yaml:{}:{}: {}",
            case.line, column, case.message
        );
        assert!(stderr.contains(&place), "{place}\n{stderr}");
        assert_eq!(
            underlined(&template, &stderr, case.line, column),
            case.underlined,
            "{stderr}"
        );
        assert!(stderr.contains("note: Tera said: "), "{stderr}");
        if case.fix_renders {
            let fixed = template.replacen(case.underlined, &suggestion(&stderr), 1);
            let (code, out, err) = render(&fixed);
            assert_eq!(code, Some(0), "{fixed}\n{err}");
            assert!(out.contains("kind: ConfigMap"), "{out}");
        }
    }
}

#[test]
fn helm_names_of_filters_are_given_ktera_names() {
    let (code, _, stderr) = render(&configmap("  r: {{ Values.resources | toYaml }}"));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("Unknown filter `toYaml`"), "{stderr}");
    assert!(
        stderr.contains("hint: `toYaml` is Helm's name; ktera's is `to_yaml`"),
        "{stderr}"
    );
    let (_, _, stderr) = render(&configmap(
        "  r: {{ Values.image.tag | trimSufix(suffix=\"7\") }}",
    ));
    assert!(stderr.contains("did you mean `trim_suffix`?"), "{stderr}");
}

/// A component sees only its arguments: `Values` undefined inside one points at its signature.
#[test]
fn an_undefined_object_in_a_component_hints_at_its_signature() {
    let (_tmp, dir) = common::chart_named(
        "app",
        &[
            ("Chart.yaml", CHART),
            ("values.yaml", VALUES),
            (
                "templates/_helpers.tera",
                "{% component app.image() %}\n{{ Values.image.repository }}\n{% endcomponent app.image %}\n",
            ),
            (
                "templates/cm.yaml",
                &configmap("  image: {{ <app.image /> }}"),
            ),
        ],
    );
    let output = common::template(&dir).output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("templates/_helpers.tera:2:4"), "{stderr}");
    assert!(
        stderr.contains(
            "by declaring `@Values` in its signature, `{% component app.image(@Values) %}`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("note: while rendering"), "{stderr}");
}
