//! The chart model beyond one directory of templates: subcharts, Files, hooks, CRDs, NOTES and
//! values.schema.json, run as the real binary on charts written to temporary directories.

use std::fs;
use std::path::PathBuf;

use crate::common::{self, template, write};
use predicates::prelude::*;
use tempfile::TempDir;

fn chart(files: &[(&str, &str)]) -> (TempDir, PathBuf) {
    common::chart_named("app", files)
}

const APP: &str = "apiVersion: v2\nname: app\nversion: 1.0.0\n";
const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Chart.Name }}-{{ Values.suffix | default(value='x') }}\n";

#[test]
fn subchart_from_file_path_renders_with_its_source_path() {
    let (tmp, dir) = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: db\n  version: ^2.0.0\n  repository: file://../db\n",
        ),
        ("values.yaml", "db:\n  suffix: from-parent\n"),
        ("templates/cm.yaml", CM),
    ]);
    write(
        &tmp.path().join("db"),
        &[
            ("Chart.yaml", "apiVersion: v2\nname: db\nversion: 2.3.0\n"),
            ("values.yaml", "suffix: own\n"),
            ("templates/cm.yaml", CM),
        ],
    );
    template(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "# Source: app/charts/db/templates/cm.yaml\n",
        ))
        .stdout(predicate::str::contains("name: db-from-parent"))
        .stdout(predicate::str::contains("name: app-x"));
}

/// A `file://` dependency whose directory is not there renders the copy vendored under
/// charts/, as Helm does (linkerd's charts name `file://../partials` and ship it in charts/).
#[test]
fn subchart_from_a_missing_file_path_is_the_vendored_copy() {
    let (_tmp, dir) = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: db\n  version: ^2.0.0\n  repository: file://../db\n",
        ),
        ("values.yaml", "db:\n  suffix: from-parent\n"),
        ("templates/cm.yaml", CM),
        (
            "charts/db/Chart.yaml",
            "apiVersion: v2\nname: db\nversion: 2.3.0\n",
        ),
        ("charts/db/values.yaml", "suffix: own\n"),
        ("charts/db/templates/cm.yaml", CM),
    ]);
    template(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("name: db-from-parent"));
}

/// An apiVersion v1 chart's dependencies are in requirements.yaml, which Helm reads (datadog's
/// chart): its conditions and aliases apply to the charts of charts/.
#[test]
fn requirements_yaml_gives_the_dependencies() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", "apiVersion: v1\nname: app\nversion: 1.0.0\n"),
        (
            "requirements.yaml",
            "dependencies:\n- name: db\n  version: 2.3.0\n  alias: store\n- name: cache\n  version: 1.0.0\n  condition: cache.enabled\n",
        ),
        ("values.yaml", "cache:\n  enabled: false\n"),
        (
            "charts/db/Chart.yaml",
            "apiVersion: v2\nname: db\nversion: 2.3.0\n",
        ),
        ("charts/db/templates/cm.yaml", CM),
        (
            "charts/cache/Chart.yaml",
            "apiVersion: v2\nname: cache\nversion: 1.0.0\n",
        ),
        ("charts/cache/templates/cm.yaml", CM),
    ]);
    template(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("name: store-x"))
        .stdout(predicate::str::contains("cache-").not());
}

#[test]
fn missing_dependency_is_named() {
    let (_tmp, dir) = chart(&[(
        "Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: db\n  version: 1.0.0\n",
    )]);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Chart.yaml: dependency `db`"))
        .stderr(predicate::str::contains("no chart found"));
}

#[test]
fn dependency_version_outside_its_constraint_is_an_error() {
    let (_tmp, dir) = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: db\n  version: ~1.2.0\n",
        ),
        (
            "charts/db/Chart.yaml",
            "apiVersion: v2\nname: db\nversion: 1.3.0\n",
        ),
    ]);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("version 1.3.0"))
        .stderr(predicate::str::contains("outside the constraint `~1.2.0`"));
}

#[test]
fn dependency_cycle_is_an_error() {
    let tmp = TempDir::new().expect("temp dir");
    write(
        tmp.path(),
        &[
            (
                "a/Chart.yaml",
                "apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies:\n- name: b\n  repository: file://../b\n",
            ),
            (
                "b/Chart.yaml",
                "apiVersion: v2\nname: b\nversion: 1.0.0\ndependencies:\n- name: a\n  repository: file://../a\n",
            ),
        ],
    );
    template(&tmp.path().join("a"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cycle"));
}

#[test]
fn files_are_readable_and_confined_to_the_chart() {
    let (tmp, dir) = chart(&[
        ("Chart.yaml", APP),
        ("config/app.properties", "mode=fast\n"),
        ("config/log.xml", "<log/>\n"),
        ("secret.txt", "ignored\n"),
        (".helmignore", "secret.txt\n"),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:{{ files_as_config(pattern='config/*') | nindent(width=2) }}\n  first: {{ files_get(path='config/app.properties') | quote }}\n",
        ),
    ]);
    fs::write(tmp.path().join("outside.txt"), "top secret\n").expect("write");
    template(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "app.properties: |\n    mode=fast\n",
        ))
        .stdout(predicate::str::contains("log.xml: |\n    <log/>\n"));

    for (call, message) in [
        ("files_get(path='../outside.txt')", "leads out of the chart"),
        ("files_get(path='/etc/hostname')", "absolute path"),
        ("files_get(path='templates/cm.yaml')", "is a template"),
        ("files_get(path='secret.txt')", ".helmignore"),
    ] {
        fs::write(
            dir.join("templates/cm.yaml"),
            format!("a: {{{{ {call} }}}}\n"),
        )
        .expect("write");
        template(&dir)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains("templates/cm.yaml:1:"));
    }
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_chart_are_refused() {
    let (tmp, dir) = chart(&[
        ("Chart.yaml", APP),
        ("templates/cm.yaml", "a: {{ files_get(path='link.txt') }}\n"),
    ]);
    fs::write(tmp.path().join("outside.txt"), "top secret\n").expect("write");
    std::os::unix::fs::symlink(tmp.path().join("outside.txt"), dir.join("link.txt"))
        .expect("symlink");
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("link that leads out of the chart"))
        .stderr(predicate::str::contains("top secret").not());
}

#[test]
fn hooks_come_last_and_can_be_left_out() {
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n";
    let test = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: smoke\n  annotations:\n    helm.sh/hook: test\n";
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", APP),
        ("templates/a-job.yaml", job),
        ("templates/b-test.yaml", test),
        ("templates/c-cm.yaml", CM),
    ]);
    let out = template(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    let cm = text.find("kind: ConfigMap").unwrap_or(usize::MAX);
    let hook = text.find("kind: Job").unwrap_or(0);
    assert!(cm < hook, "hooks come after plain objects:\n{text}");
    template(&dir)
        .arg("--skip-tests")
        .assert()
        .success()
        .stdout(predicate::str::contains("name: migrate"))
        .stdout(predicate::str::contains("name: smoke").not());
    template(&dir)
        .arg("--no-hooks")
        .assert()
        .success()
        .stdout(predicate::str::contains("kind: Job").not())
        .stdout(predicate::str::contains("kind: Pod").not());
}

#[test]
fn crds_only_with_include_crds_and_notes_with_notes() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n";
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", APP),
        ("crds/widgets.yaml", crd),
        ("templates/cm.yaml", CM),
        ("templates/NOTES.txt", "Visit {{ Release.Name }}\n"),
    ]);
    template(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("CustomResourceDefinition").not())
        .stdout(predicate::str::contains("Visit").not());
    let out = template(&dir)
        .arg("--include-crds")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).starts_with("---\n# Source: app/crds/widgets.yaml\n"));
    template(&dir)
        .arg("--notes")
        .assert()
        .success()
        .stdout("Visit release-name\n");
}

#[test]
fn values_are_checked_against_values_schema_json() {
    let schema = r#"{"$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"replicas": {"type": "integer", "minimum": 1},
                       "image": {"type": "object", "required": ["tag"],
                                 "properties": {"tag": {"type": "string"}}}}}"#;
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", APP),
        ("values.schema.json", schema),
        ("values.yaml", "replicas: 1\nimage:\n  tag: '1.0'\n"),
        ("templates/cm.yaml", CM),
    ]);
    template(&dir).assert().success();
    template(&dir)
        .args(["--set", "replicas=0", "--set", "image.tag=null"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("values.schema.json"))
        .stderr(predicate::str::contains(
            "replicas: 0 is less than the minimum of 1",
        ))
        .stderr(predicate::str::contains(
            "image: \"tag\" is a required property",
        ));
}

#[test]
fn chart_kube_version_constraint_is_checked() {
    let (_tmp, dir) = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\nkubeVersion: '>=1.28.0-0'\n",
        ),
        ("templates/cm.yaml", CM),
    ]);
    template(&dir).assert().success();
    template(&dir)
        .args(["--kube-version", "1.27.3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "requires kubeVersion `>=1.28.0-0`",
        ))
        .stderr(predicate::str::contains("v1.27.3"));
}

/// `.helmignore` leaves templates and CRDs out, and so does Helm's default rule for hidden
/// entries directly under `templates/`; the same chart goes through real Helm when installed.
#[test]
fn helmignore_and_hidden_entries_leave_templates_out() {
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n");
    let (keep, skip, hidden, nested, in_hidden) = (
        cm("keep"),
        cm("skip"),
        cm("hidden"),
        cm("nested-hidden"),
        cm("in-hidden-dir"),
    );
    let (tmp, chart) = common::chart_named(
        "app",
        &[
            ("Chart.yaml", APP),
            (".helmignore", "templates/skip.yaml\ncrds/ignored.yaml\n"),
            ("templates/keep.yaml", keep.as_str()),
            ("templates/skip.yaml", skip.as_str()),
            ("templates/.hidden.yaml", hidden.as_str()),
            ("templates/sub/.nested.yaml", nested.as_str()),
            ("templates/.dir/x.yaml", in_hidden.as_str()),
            ("crds/ignored.yaml", cm("crd-ignored").as_str()),
        ],
    );
    let names = |stream: &str| -> Vec<String> {
        stream
            .lines()
            .filter_map(|l| l.strip_prefix("  name: ").map(str::to_string))
            .collect()
    };
    let ours = common::stdout_of(&["template", chart.to_str().expect("path"), "--include-crds"]);
    assert_eq!(names(&ours), ["keep", "nested-hidden"], "{ours}");
    if let Some(helm) = crate::common::servers::helm() {
        let output = crate::common::servers::helm_command(&helm, tmp.path())
            .args(["template", chart.to_str().expect("path"), "--include-crds"])
            .output()
            .expect("helm");
        let theirs = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{output:?}");
        assert_eq!(names(&theirs), names(&ours), "{theirs}");
    }
}

/// A ConfigMap printing the values `a` and `b`, and NOTES.txt printing `a`.
const READS_A_AND_B: &[(&str, &str)] = &[
    (
        "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: {{ Values.a | quote }}\n  b: {{ Values.b | quote }}\n",
    ),
    ("templates/NOTES.txt", "a is {{ Values.a }}\n"),
];

/// `templates/_values.tera` renders first; what it prints is the `Values` of every other
/// template and of NOTES.txt. `_values.2.tera` renders next, with what the first printed;
/// `_values.10.tera` comes after it (places are numbers, not names).
#[test]
fn values_stages_compute_the_values_the_templates_read() {
    let mut files = vec![
        ("Chart.yaml", APP),
        (
            "values.yaml",
            "profile: big\nprofiles:\n  big:\n    a: large\nb: given\n",
        ),
        (
            "templates/_values.tera",
            "{# the chosen profile over the values #}\n{{ Values | merge(sources=[Values.profiles[Values.profile]], overwrite=true) | to_yaml }}\n",
        ),
        (
            "templates/_values.2.tera",
            "{{ Values | merge(sources=[{\"b\": Values.b ~ \"+\" ~ Values.a}], overwrite=true) | to_yaml }}",
        ),
        (
            "templates/_values.10.tera",
            "# a YAML comment is fine\n{{ Values | merge(sources=[{\"b\": Values.b ~ \"!\"}], overwrite=true) | to_json }}",
        ),
    ];
    files.extend_from_slice(READS_A_AND_B);
    let (_tmp, dir) = chart(&files);
    let out = common::stdout_of(&["template", dir.to_str().expect("path")]);
    assert!(out.contains("  a: large\n  b: given+large!\n"), "{out}");
    assert!(!out.contains("_values"), "a stage is no manifest: {out}");
    let notes = common::stdout_of(&["template", dir.to_str().expect("path"), "--notes"]);
    assert_eq!(notes.trim(), "a is large");
    // `--set` reaches the stage, as a values file does.
    let set = common::stdout_of(&[
        "template",
        dir.to_str().expect("path"),
        "--set",
        "profile=none,profiles.none.a=small",
    ]);
    assert!(set.contains("  a: small\n"), "{set}");
}

/// A subchart's stage changes the subchart's values only; a disabled subchart's stage does not
/// run.
#[test]
fn a_values_stage_belongs_to_its_chart() {
    let (tmp, dir) = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: db\n  version: 1.0.0\n  condition: db.enabled\n",
        ),
        (
            "values.yaml",
            "a: parent\nb: parent\ndb:\n  enabled: true\n",
        ),
        READS_A_AND_B[0],
    ]);
    write(
        &dir.join("charts/db"),
        &[
            ("Chart.yaml", "apiVersion: v2\nname: db\nversion: 1.0.0\n"),
            ("values.yaml", "a: own\n"),
            (
                "templates/_values.tera",
                "{{ Values | merge(sources=[{\"a\": \"staged\"}], overwrite=true) | to_yaml }}",
            ),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\ndata:\n  a: {{ Values.a }}\n",
            ),
        ],
    );
    let out = common::stdout_of(&["template", dir.to_str().expect("path")]);
    assert!(out.contains("name: db\ndata:\n  a: staged\n"), "{out}");
    assert!(out.contains("  a: parent\n"), "{out}");
    // Disabled: the stage would fail if it ran.
    fs::write(
        dir.join("charts/db/templates/_values.tera"),
        "{{ throw(message=\"the stage ran\") }}",
    )
    .expect("write");
    let out = common::stdout_of(&[
        "template",
        dir.to_str().expect("path"),
        "--set",
        "db.enabled=false",
    ]);
    assert!(!out.contains("name: db"), "{out}");
    drop(tmp);
}

/// A stage that prints no values, or something other than a mapping, is an error that names
/// the stage and says what to print; two stages at one place are refused.
#[test]
fn a_values_stage_must_print_a_mapping() {
    let mut files = vec![("Chart.yaml", APP), ("values.yaml", "a: 1\nb: 2\n")];
    files.extend_from_slice(READS_A_AND_B);
    for (stage, message, hint) in [
        (
            "{# nothing #}\n# only a comment\n",
            "_values.tera: the values stage printed no values",
            "hint: end it with `{{ Values | to_yaml }}`",
        ),
        (
            "- a\n- b\n",
            "_values.tera (as rendered):1:1: the top level is a list, but values must be a mapping",
            "note: the values stage must print a YAML mapping",
        ),
        (
            "a: [1\n",
            "_values.tera (as rendered):",
            "note: the values stage must print a YAML mapping",
        ),
    ] {
        let mut with_stage = files.clone();
        with_stage.push(("templates/_values.tera", stage));
        let (_tmp, dir) = chart(&with_stage);
        template(&dir)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains(hint));
    }
    let mut twice = files.clone();
    twice.push(("templates/_values.2.tera", "{}"));
    twice.push(("templates/_values.02.tera", "{}"));
    let (_tmp, dir) = chart(&twice);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "_values.02.tera and _values.2.tera are both values stage 2",
        ));
}
