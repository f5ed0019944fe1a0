//! `ktera template` and `ktera values`, run as the real binary on real files: the happy path and
//! every class of error, each asserting the message names the right file and line.

use std::fs;
use std::path::Path;

use crate::common::{self, ktera, template};
use predicates::prelude::*;
use tempfile::TempDir;

const CHART_YAML: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: \"1.0\"\n";

/// A chart `demo` written from (relative path, content) pairs into a fresh temporary directory.
fn chart(files: &[(&str, &str)]) -> (TempDir, std::path::PathBuf) {
    common::chart_named("demo", files)
}

#[test]
fn renders_in_install_order_with_source_headers() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "replicas: 2\nname: web\n"),
        (
            "templates/a-deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ Values.name }}\nspec:\n  replicas: {{ Values.replicas }}\n",
        ),
        (
            "templates/b-namespace.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n",
        ),
        (
            "templates/_helpers.tera",
            "{# partial: never emitted #}kind: Broken\n",
        ),
        ("templates/NOTES.txt", "Installed {{ Release.Name }}\n"),
    ]);
    let out = template(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert_eq!(
        text,
        "---\n# Source: demo/templates/b-namespace.yaml\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n\
         ---\n# Source: demo/templates/a-deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n"
    );
}

#[test]
fn integers_stay_exact_and_ambiguous_strings_are_quoted() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "values.yaml",
            "big: 1000000\nhuge: 123456789012345678\nanswer: \"yes\"\nmode: \"0755\"\n",
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  big: \"{{ Values.big }}\"\n  answer: {{ Values.answer | quote }}\n  mode: {{ Values.mode | quote }}\nspec:\n  num: {{ Values.big }}\n  n: {{ Values.huge }}\n",
        ),
    ]);
    template(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("big: '1000000'"))
        .stdout(predicate::str::contains("answer: 'yes'"))
        .stdout(predicate::str::contains("mode: '0755'"))
        .stdout(predicate::str::contains("num: 1000000\n"))
        // `n` is a YAML 1.1 boolean: as a key it is quoted too.
        .stdout(predicate::str::contains("'n': 123456789012345678\n"));
}

#[test]
fn release_name_namespace_and_values_flags_reach_templates() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "tag: dev\n"),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}-{{ Chart.Name }}\n  namespace: {{ Release.Namespace }}\ndata:\n  tag: {{ Values.tag | quote }}\n  kube: {{ Capabilities.KubeVersion.Minor | quote }}\n",
        ),
    ]);
    template(&dir)
        .args(["--set", "tag=1.4.3", "-n", "prod", "--kube-version", "1.30"])
        .assert()
        .success()
        .stdout(predicate::str::contains("name: release-name-demo"))
        .stdout(predicate::str::contains("namespace: prod"))
        // YAML 1.1 allows `1.4.3` as a float spelling, so it is quoted.
        .stdout(predicate::str::contains("tag: '1.4.3'"))
        .stdout(predicate::str::contains("kube: '30'"));
    ktera()
        .arg("template")
        .arg("myrel")
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("name: myrel-demo"));
}

#[test]
fn show_only_and_unknown_show_only() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        ),
        (
            "templates/b.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
        ),
    ]);
    template(&dir)
        .args(["-s", "templates/b.yaml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("name: b"))
        .stdout(predicate::str::contains("name: a").not());
    template(&dir)
        .args(["-s", "templates/nope.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("templates/nope.yaml"))
        .stderr(predicate::str::contains("templates/a.yaml"));
}

/// Each reason a `--show-only` path prints nothing gets its own hint (Helm says only "could not
/// find template"; tests/cli/helm/show_only.rs holds Helm's answers).
#[test]
fn show_only_refusals_say_why() {
    let (tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        ),
        (
            "templates/_labels.tera",
            "{# components would be defined here #}",
        ),
        (
            "templates/job.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: post-install\n",
        ),
        ("templates/NOTES.txt", "hello\n"),
    ]);
    let refused = |args: &[&str], hint: &str| {
        template(&dir)
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with(format!(
                "error: --show-only {}: matches no template that rendered objects\n  hint: ",
                args[1]
            )))
            .stderr(predicate::str::contains(hint));
    };
    refused(
        &["-s", "demo/templates/a.yaml"],
        "without `./` or the chart's name: `-s templates/a.yaml`",
    );
    refused(&["-s", "./templates/a.yaml"], "`-s templates/a.yaml`");
    refused(&["-s", "templates/_labels.tera"], "is a partial");
    refused(&["-s", "templates/NOTES.txt"], "--notes");
    refused(
        &["-s", "templates/job.yaml", "--no-hooks"],
        "renders hooks, which --no-hooks leaves out",
    );
    refused(
        &["-s", "templates/aa.yaml"],
        "did you mean `-s templates/a.yaml`?",
    );
    template(&dir)
        .args(["-s", "templates/["])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a valid glob pattern"));
    // Two patterns naming one template: twice on standard output (as Helm), once in a file.
    template(&dir)
        .args(["-s", "templates/a.yaml", "-s", "templates/*.yaml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("name: a\n").count(2));
    let out = tmp.path().join("out");
    template(&dir)
        .args([
            "-s",
            "templates/a.yaml",
            "-s",
            "templates/*.yaml",
            "--output-dir",
        ])
        .arg(&out)
        .assert()
        .success();
    let written = fs::read_to_string(out.join("demo/templates/a.yaml")).expect("written");
    assert_eq!(written.matches("name: a\n").count(), 1, "{written}");
}

#[test]
fn output_dir_writes_one_file_per_template_and_nothing_on_error() {
    let (tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        ),
    ]);
    let out = tmp.path().join("out");
    template(&dir)
        .arg("--output-dir")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote "));
    let written = fs::read_to_string(out.join("demo/templates/a.yaml")).expect("written");
    assert!(written.starts_with("---\n# Source: demo/templates/a.yaml\n"));

    // A failing render leaves the directory as it was.
    fs::write(dir.join("templates/b.yaml"), "x: {{ Values.missing }}\n").expect("write");
    let out2 = tmp.path().join("out2");
    template(&dir)
        .arg("--output-dir")
        .arg(&out2)
        .assert()
        .code(1);
    assert!(
        !out2.exists(),
        "nothing may be written when a template fails"
    );

    // --output-dir naming a file is refused.
    let file = tmp.path().join("file");
    fs::write(&file, "x").expect("write");
    fs::remove_file(dir.join("templates/b.yaml")).expect("rm");
    template(&dir)
        .arg("--output-dir")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("must be a directory"));
}

#[test]
fn undefined_value_names_file_line_and_column() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "image:\n  tag: x\n"),
        (
            "templates/deploy.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Values.image.name }}\n",
        ),
    ]);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("templates/deploy.yaml:4:"))
        .stderr(predicate::str::contains("name"))
        .stderr(predicate::str::contains("not defined"))
        .stderr(predicate::str::contains("{{ Values.image.name }}"));
}

#[test]
fn template_syntax_error_names_file_line_and_column() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ Values.name }\n",
        ),
    ]);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("templates/svc.yaml:4:"));
}

#[test]
fn unknown_filter_is_reported_with_its_place() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "a: 1\n"),
        ("templates/x.yaml", "a: {{ Values.a | toYaml }}\n"),
    ]);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("templates/x.yaml:1:"))
        .stderr(predicate::str::contains("toYaml"));
}

#[test]
fn invalid_rendered_yaml_names_template_and_rendered_line() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "v: \"a: b\"\n"),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: {{ Values.v }}\n",
        ),
    ]);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("templates/cm.yaml"))
        .stderr(predicate::str::contains("line 6"));
}

#[test]
fn duplicate_key_in_rendered_yaml_is_an_error() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  name: d\n",
        ),
    ]);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("templates/cm.yaml"))
        .stderr(predicate::str::contains("duplicate"))
        .stderr(predicate::str::contains("line 5"));
}

#[test]
fn bad_values_yaml_names_file_and_line() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "a: 1\nb: [unclosed\n"),
        ("templates/x.yaml", "a: 1\n"),
    ]);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("values.yaml:"));
}

#[test]
fn bad_values_file_flag_names_file_and_line() {
    let (tmp, dir) = chart(&[("Chart.yaml", CHART_YAML), ("templates/x.yaml", "a: 1\n")]);
    let values = tmp.path().join("prod.yaml");
    fs::write(&values, "a: 1\na: 2\n").expect("write");
    template(&dir)
        .arg("-f")
        .arg(&values)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("prod.yaml:2"));
}

#[test]
fn missing_chart_directory() {
    template(Path::new("no/such/chart"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no/such/chart"))
        .stderr(predicate::str::contains("no such chart directory"));
}

#[test]
fn missing_and_malformed_chart_yaml() {
    let (_tmp, dir) = chart(&[("templates/x.yaml", "a: 1\n")]);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing Chart.yaml"));
    fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: [demo\n").expect("write");
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Chart.yaml:"));
    fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: demo\n").expect("write");
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`version` is missing"));
}

#[cfg(unix)]
#[test]
fn unreadable_template_file_is_named() {
    let (_tmp, dir) = chart(&[("Chart.yaml", CHART_YAML)]);
    fs::create_dir_all(dir.join("templates")).expect("mkdir");
    std::os::unix::fs::symlink(dir.join("gone.yaml"), dir.join("templates/x.yaml"))
        .expect("symlink");
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("templates/x.yaml"));
}

#[test]
fn non_utf8_template_is_named() {
    let (_tmp, dir) = chart(&[("Chart.yaml", CHART_YAML)]);
    fs::create_dir_all(dir.join("templates")).expect("mkdir");
    fs::write(dir.join("templates/x.yaml"), b"a: \xff\xfe\n").expect("write");
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("templates/x.yaml"))
        .stderr(predicate::str::contains("UTF-8"));
}

#[test]
fn usage_errors_exit_2() {
    ktera().arg("template").assert().code(2);
    ktera()
        .args(["template", "Bad_Name", "charts/backend"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid release name"));
}

#[test]
fn values_command_prints_merged_values() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "values.yaml",
            "image:\n  repo: r\n  tag: dev\nreplicas: 1\n",
        ),
    ]);
    ktera()
        .arg("values")
        .arg(&dir)
        .args(["--set", "image.tag=1.2.3,replicas=3"])
        .assert()
        .success()
        .stdout("image:\n  repo: r\n  tag: '1.2.3'\nreplicas: 3\n");
}

#[test]
fn helpers_are_included_at_the_right_indentation() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "values.yaml",
            "name: web\nresources:\n  limits:\n    cpu: 500m\n",
        ),
        (
            "templates/_helpers.tera",
            "{% component labels(@Values) %}app: {{ Values.name }}\ntier: backend{% endcomponent labels %}",
        ),
        (
            "templates/d.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n  labels:{{ <labels /> | nindent(width=4) }}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        resources:{{ Values.resources | to_yaml | nindent(width=10) }}\n",
        ),
    ]);
    template(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "  labels:\n    app: web\n    tier: backend\n",
        ))
        .stdout(predicate::str::contains(
            "      - name: c\n        resources:\n          limits:\n            cpu: 500m\n",
        ));
}

#[test]
fn validate_reports_schema_errors_and_prints_nothing() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "replicas: '3'\n"),
        (
            "templates/d.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {{ Values.replicas | quote }}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        contianerPort: 80\n",
        ),
    ]);
    template(&dir)
        .arg("--validate")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("spec.replicas"))
        .stderr(predicate::str::contains("contianerPort"));
    // Without --validate the same chart renders: validation is opt-in for `template`.
    template(&dir).assert().success();
}

#[test]
fn an_error_in_a_helper_names_the_template_that_called_it() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/_helpers.tera",
            "{% component labels(@Values) %}app: {{ Values.name }}{% endcomponent labels %}",
        ),
        (
            "templates/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels:{{ <labels /> | nindent(width=4) }}\n",
        ),
    ]);
    template(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("templates/_helpers.tera:1:"))
        .stderr(predicate::str::contains("while rendering"))
        .stderr(predicate::str::contains("templates/svc.yaml"));
}

/// A template that builds text without end (here a capture of a million KiB) used to grow until
/// the kernel killed ktera (exit 134); the memory cap stops it with an error naming the file.
#[test]
fn text_built_without_end_stops_at_the_memory_cap() {
    let kib = "x".repeat(1024);
    let template_text = format!(
        "{{% set s %}}{{% for i in range(end=1000) %}}{{% for j in range(end=1000) %}}{kib}{{% endfor %}}{{% endfor %}}{{% endset %}}\
         apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  n: \"{{{{ s | length }}}}\"\n"
    );
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        ("templates/grow.yaml", &template_text),
    ]);
    template(&dir)
        .env("KTERA_MAX_MEMORY", "64M")
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains(
                "templates/grow.yaml: rendering this template needs more than 64 MiB",
            )
            .and(predicate::str::contains("KTERA_MAX_MEMORY")),
        );
    // A cap that is not a size is a usage error.
    template(&dir)
        .env("KTERA_MAX_MEMORY", "lots")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "KTERA_MAX_MEMORY=\"lots\" is not a size",
        ));
    // So is a time cap that is not a number of seconds.
    template(&dir)
        .env("KTERA_MAX_RENDER_SECONDS", "soon")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "KTERA_MAX_RENDER_SECONDS=\"soon\" is not a number of seconds",
        ));
}

/// Under an address-space limit too small for the 1 GiB render stack, no thread with it can
/// be started and the render runs on the calling thread, silently. (A loop and a `set` in one
/// template send its render to a render thread.)
#[test]
fn renders_under_an_address_space_limit() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/cm.yaml",
            "{% set names = [] %}{% for n in [1] %}{% endfor %}\
             apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
        ),
        ("templates/NOTES.txt", "notes for {{ Release.Name }}"),
    ]);
    let free = template(&dir).output().expect("run");
    assert!(free.status.success());
    let binary = assert_cmd::cargo::cargo_bin("ktera");
    // A timeout, so that a hang under the limit fails the test instead of stalling the run.
    let limited = assert_cmd::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 200000 && exec \"$0\" template \"$1\"")
        .arg(&binary)
        .arg(&dir)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run under ulimit");
    assert_eq!(String::from_utf8_lossy(&limited.stderr), "");
    assert!(limited.status.success());
    assert_eq!(limited.stdout, free.stdout);
    assert!(String::from_utf8_lossy(&free.stdout).contains("name: cm"));
}

/// `-o json`: the objects as one JSON list, in the order of the YAML stream; each object is what
/// PyYAML (a YAML 1.1 reader, as Kubernetes') reads from the YAML output.
#[test]
fn output_json_is_the_yaml_stream_as_a_list() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "values.yaml",
            "big: 123456789012345678\nratio: 1.5\nanswer: \"yes\"\nwhen: \"2024-01-01\"\n",
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  answer: {{ Values.answer | quote }}\n  when: {{ Values.when | quote }}\n  empty: \"\"\n",
        ),
        (
            "templates/deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n    big: \"{{ Values.big }}\"\nspec:\n  replicas: 3\n  ratio: {{ Values.ratio }}\n  n: {{ Values.big }}\n  paused: false\n  template: null\n",
        ),
        (
            "templates/ns.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n",
        ),
    ]);
    let yaml = String::from_utf8(template(&dir).output().expect("run").stdout).expect("utf-8");
    let json = String::from_utf8(
        template(&dir)
            .args(["-o", "json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .expect("utf-8");
    let list: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let kinds: Vec<&str> = list
        .as_array()
        .expect("a JSON list")
        .iter()
        .map(|object| object["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["Namespace", "ConfigMap", "Deployment"]);
    // Numbers stay exact (no float for a big integer).
    assert!(json.contains("\"n\": 123456789012345678"), "{json}");
    assert_eq!(list[2]["spec"]["ratio"], serde_json::json!(1.5));

    // The same objects PyYAML reads from the YAML stream.
    let tmp = tempfile::TempDir::new().expect("temp dir");
    fs::write(tmp.path().join("out.yaml"), &yaml).expect("write");
    fs::write(tmp.path().join("out.json"), &json).expect("write");
    let check = "import json, sys, yaml\n\
        docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]\n\
        listed = json.load(open(sys.argv[2]))\n\
        print('same' if docs == listed else 'different: %r != %r' % (docs, listed))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", check])
        .arg(tmp.path().join("out.yaml"))
        .arg(tmp.path().join("out.json"))
        .output()
        .expect("python3 with PyYAML is required (pip install pyyaml)");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "same",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn output_json_follows_show_only_and_hooks_and_refuses_output_dir_and_notes() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        ),
        (
            "templates/test.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n",
        ),
        ("templates/NOTES.txt", "hello\n"),
    ]);
    let names = |extra: &[&str]| -> Vec<String> {
        let out = template(&dir)
            .args(["-o", "json"])
            .args(extra)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON list");
        list.iter()
            .map(|o| o["metadata"]["name"].as_str().expect("name").to_string())
            .collect()
    };
    assert_eq!(names(&[]), ["a", "t"]);
    assert_eq!(names(&["--skip-tests"]), ["a"]);
    assert_eq!(names(&["-s", "templates/test.yaml"]), ["t"]);
    assert_eq!(names(&["--no-hooks"]), ["a"]);
    for conflicting in [&["--output-dir", "out"][..], &["--notes"][..]] {
        template(&dir)
            .args(["-o", "json"])
            .args(conflicting)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot be used with"));
    }
    template(&dir)
        .args(["-o", "xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("[possible values: yaml, json]"));
}

#[test]
fn notes_on_a_chart_without_notes_says_so() {
    let (_tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        ),
    ]);
    template(&dir)
        .arg("--notes")
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains(
            "chart demo has no templates/NOTES.txt; --notes prints nothing",
        ));
    // With a NOTES.txt, its text and nothing on standard error.
    fs::write(
        dir.join("templates/NOTES.txt"),
        "Hello {{ Release.Name }}\n",
    )
    .expect("write");
    template(&dir)
        .arg("--notes")
        .assert()
        .success()
        .stdout("Hello release-name\n")
        .stderr("");
}

/// The release name as Helm's commands take it, on every command that renders a chart:
/// `[NAME] CHART`, or `--name NAME CHART`; both only when they agree; a swapped order is found.
#[test]
fn release_name_is_given_the_same_way_on_template_lint_and_compare() {
    let (tmp, dir) = chart(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}-cm\n",
        ),
    ]);
    let chart_arg = dir.display().to_string();
    let golden = tmp.path().join("golden.yaml");
    fs::write(
        &golden,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-cm\n",
    )
    .expect("write");
    let golden_arg = golden.display().to_string();
    for args in [
        vec!["web", chart_arg.as_str()],
        vec!["--name", "web", chart_arg.as_str()],
        vec!["web", chart_arg.as_str(), "--name", "web"],
    ] {
        ktera()
            .arg("template")
            .args(&args)
            .assert()
            .success()
            .stdout(predicate::str::contains("name: web-cm"));
        ktera()
            .arg("compare")
            .args(&args)
            .args(["--golden", &golden_arg])
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with("EQUAL"));
        ktera().arg("lint").args(&args).assert().success();
    }
    // The default name differs from the golden file's.
    ktera()
        .args(["compare", &chart_arg, "--golden", &golden_arg])
        .assert()
        .code(1);
    for command in ["template", "lint", "compare"] {
        let extra: Vec<&str> = if command == "compare" {
            vec!["--golden", &golden_arg]
        } else {
            vec![]
        };
        ktera()
            .args([command, "web", &chart_arg, "--name", "api"])
            .args(&extra)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "the release name is given twice: `web` before the chart and `--name api`",
            ))
            .stderr(predicate::str::contains("hint: give it once"));
        ktera()
            .current_dir(tmp.path())
            .args([command, "demo", "web"])
            .args(&extra)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "web: no such chart, but demo exists",
            ))
            .stderr(predicate::str::contains(
                "the release name comes first, then the chart, as in Helm: `web demo`",
            ));
    }
}
