//! `ktera convert` against real Helm: every Go-template case of `tests/fixtures/convert/cases/`
//! and every chart of the conversion corpus (`tests/fixtures/convert/charts/`), converted and
//! rendered by ktera, equal to what Helm 3.17.3 rendered (recorded by
//! `scripts/gen-convert-case-fixtures` and `scripts/gen-convert-fixtures`); then the command
//! itself: the report, all-or-nothing writes, `.tgz` charts, `--verify`.
//!
//! The few cases where a converted chart renders differently on purpose are listed, each with
//! why, in one place: `tests/fixtures/convert/differences.yaml`. The test fails when a listed
//! difference goes away as well as when an unlisted one appears.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde::Deserialize;
use serde_yaml::Value;

use crate::common;

const CASES: &str = "tests/fixtures/convert/cases";
const CORPUS: &str = "tests/fixtures/convert/charts";
const DIFFERENCES: &str = "tests/fixtures/convert/differences.yaml";
const CHART_YAML: &str = "apiVersion: v2\nname: cases\nversion: 0.1.0\nappVersion: 1.0.0\ndescription: scratch chart for convert cases\n";

#[derive(Deserialize)]
struct Area {
    cases: Vec<Case>,
}

#[derive(Deserialize, Clone)]
struct Case {
    name: String,
    template: String,
    #[serde(default)]
    values: Option<Value>,
    #[serde(default)]
    files: Option<BTreeMap<String, String>>,
    expected: Option<String>,
    error: Option<String>,
}

/// `differences.yaml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Differences {
    /// Cases whose output is compared after ktera's integers are printed as Go prints a
    /// float64 (`1000000` as `1e+06`): Helm reads every number of a values file as a float64,
    /// ktera keeps it as written.
    numbers: Vec<String>,
    /// Cases whose output is YAML that ktera writes in another style (quotes, key order, line
    /// folding), compared as data.
    yaml: Vec<String>,
    /// Cases the converted chart renders differently, each with why.
    different: Vec<Difference>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Difference {
    case: String,
    why: String,
}

fn cases() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(CASES)
        .expect("cases directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(path).expect("read case file");
            let area: Area =
                serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            area.cases
        })
        .collect()
}

fn differences() -> Differences {
    let text = std::fs::read_to_string(DIFFERENCES).expect("differences.yaml");
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{DIFFERENCES}: {e}"))
}

/// The case as a Helm chart named `cases` (its template is `templates/cases.yaml`, as the
/// recorder's driver includes it), converted; ktera's output for it, or its error.
fn convert_and_render(case: &Case) -> Result<String, String> {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let helm = tmp.path().join("cases");
    let values = match &case.values {
        // As JSON, as the recorder wrote them: YAML would leave strings such as `1e3` plain.
        Some(v) => serde_json::to_string(v).expect("values as JSON"),
        None => "{}\n".to_string(),
    };
    let mut files: Vec<(String, String)> = vec![
        ("Chart.yaml".into(), CHART_YAML.into()),
        ("values.yaml".into(), values),
        ("templates/cases.yaml".into(), case.template.clone()),
    ];
    for (path, content) in case.files.iter().flatten() {
        files.push((path.clone(), content.clone()));
    }
    for (rel, content) in &files {
        let path = helm.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, content).expect("write");
    }
    let source = ktera::convert::source::read(&helm).map_err(|e| e.to_string())?;
    let conversion = ktera::convert::chart::convert(&source).map_err(|e| e.to_string())?;
    let out = tmp.path().join("converted");
    ktera::output::tree::write_dir(&out, &conversion.files, false).expect("write the chart");
    let chart = ktera::chart::Chart::load(&out).map_err(|e| e.to_string())?;
    let release = ktera::release::Release {
        name: "demo".into(),
        namespace: "apps".into(),
        kube_version: semver::Version::new(1, 32, 0),
        service: "Helm".into(),
        ..Default::default()
    };
    let engine = ktera::engine::Engine::new(&chart).map_err(|e| e.to_string())?;
    let rendered = engine
        .render(&chart, &chart.values, &release)
        .map_err(|e| e.to_string())?;
    Ok(rendered
        .templates
        .into_iter()
        .find(|t| t.name == "cases.yaml")
        .map(|t| t.text)
        .unwrap_or_default())
}

/// ktera's integers as Go prints a float64 (`1000000` -> `1e+06`).
fn as_go_floats(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '.'));
        if !starts {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let digits: String = chars[start..i].iter().collect();
        let followed = i < chars.len() && (chars[i] == '.' || chars[i].is_alphabetic());
        match digits.parse::<f64>() {
            Ok(n) if !followed => {
                let e = format!("{n:e}");
                let (mantissa, exponent) = e.split_once('e').expect("exponent");
                let exponent: i32 = exponent.parse().expect("number");
                if exponent >= 6 {
                    out.push_str(&format!("{mantissa}e+{exponent:02}"));
                } else {
                    out.push_str(&digits);
                }
            }
            _ => out.push_str(&digits),
        }
    }
    out
}

fn same_yaml(a: &str, b: &str) -> bool {
    matches!(
        (serde_yaml::from_str::<Value>(a), serde_yaml::from_str::<Value>(b)),
        (Ok(x), Ok(y)) if x == y
    )
}

#[test]
fn every_case_converts_and_renders_what_helm_renders() {
    let differences = differences();
    let different: HashMap<&str, &str> = differences
        .different
        .iter()
        .map(|d| (d.case.as_str(), d.why.as_str()))
        .collect();
    let all = cases();
    let names: std::collections::HashSet<&str> = all.iter().map(|c| c.name.as_str()).collect();
    for listed in differences
        .numbers
        .iter()
        .chain(&differences.yaml)
        .map(String::as_str)
        .chain(different.keys().copied())
    {
        assert!(names.contains(listed), "{DIFFERENCES}: no case `{listed}`");
    }
    let rendered: Vec<Result<String, String>> =
        ktera::pool::map(&all, all.len(), convert_and_render);
    let results: Vec<(&Case, Result<String, String>)> = all.iter().zip(rendered).collect();
    let mut failures = Vec::new();
    let (mut equal, mut errors) = (0, 0);
    for (case, got) in &results {
        let name = case.name.as_str();
        let agrees = match (got, &case.expected) {
            (Ok(out), Some(want)) if differences.numbers.iter().any(|n| n == name) => {
                as_go_floats(out) == *want
            }
            (Ok(out), Some(want)) if differences.yaml.iter().any(|n| n == name) => {
                same_yaml(out, want)
            }
            (Ok(out), Some(want)) => out == want,
            // Helm fails; ktera must fail too (converting, or rendering).
            (Err(_), None) => case.error.is_some(),
            _ => false,
        };
        match (different.get(name), agrees) {
            (None, true) => {
                if case.expected.is_some() {
                    equal += 1;
                } else {
                    errors += 1;
                }
            }
            (Some(_), false) => {}
            (None, false) => failures.push(format!(
                "{name}:\n  Helm:  {}\n  ktera: {}",
                match (&case.expected, &case.error) {
                    (Some(out), _) => format!("{out:?}"),
                    (_, Some(e)) => format!("fails: {e}"),
                    _ => "?".into(),
                },
                match got {
                    Ok(out) => format!("{out:?}"),
                    Err(e) => format!("fails: {e}"),
                }
            )),
            (Some(why), true) => failures.push(format!(
                "{name}: listed as a difference ({why}), but ktera now agrees with Helm: remove it from {DIFFERENCES}"
            )),
        }
    }
    eprintln!(
        "convert cases: {} in all; {equal} render what Helm renders, {errors} fail where Helm fails, {} differ as documented in {DIFFERENCES}",
        all.len(),
        different.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Helm:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

// ---- the corpus of real charts ----

/// Converts the corpus chart `name` and renders it with ktera, with its values files, as
/// `expected/<which>.yaml` was rendered by Helm; the semantic diff of the two, if any.
fn corpus_difference(name: &str, features: bool) -> Option<String> {
    let dir = Path::new(CORPUS).join(name);
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let out = tmp.path().join(name);
    let convert = common::ktera()
        .arg("convert")
        .arg(dir.join("chart"))
        .arg(&out)
        .output()
        .expect("run ktera convert");
    assert!(
        convert.status.success(),
        "{name}: ktera convert failed:\n{}",
        String::from_utf8_lossy(&convert.stderr)
    );
    let mut render = common::ktera();
    render.args(["template", "demo"]).arg(&out).args([
        "--namespace",
        "apps",
        "--kube-version",
        "1.32.0",
        "--release-service",
        "Helm",
    ]);
    for file in ["required.yaml"]
        .into_iter()
        .chain(features.then_some("features.yaml"))
    {
        let path = dir.join(file);
        if path.exists() {
            render.arg("-f").arg(path);
        }
    }
    let rendered = render.output().expect("run ktera template");
    if !rendered.status.success() {
        return Some(format!(
            "ktera template failed:\n{}",
            String::from_utf8_lossy(&rendered.stderr)
        ));
    }
    let which = if features { "features" } else { "default" };
    let expected = dir.join("expected").join(format!("{which}.yaml"));
    let got = tmp.path().join("ktera.yaml");
    std::fs::write(&got, &rendered.stdout).expect("write output");
    let diff = common::ktera()
        .arg("diff")
        .arg(&expected)
        .arg(&got)
        .output()
        .expect("run ktera diff");
    (!diff.status.success()).then(|| String::from_utf8_lossy(&diff.stdout).into_owned())
}

macro_rules! corpus {
    ($($test:ident: $chart:literal,)*) => {$(
        #[test]
        fn $test() {
            let problems: Vec<String> = [false, true]
                .into_iter()
                .filter_map(|features| {
                    corpus_difference($chart, features).map(|d| {
                        format!("{} values:\n{d}", if features { "features" } else { "default" })
                    })
                })
                .collect();
            assert!(
                problems.is_empty(),
                "{}: the converted chart renders differently from Helm:\n{}",
                $chart,
                problems.join("\n")
            );
        }
    )*};
}

corpus! {
    corpus_helm_create: "helm-create",
    corpus_podinfo: "podinfo",
    corpus_guestbook: "guestbook",
    corpus_bitnami_nginx: "bitnami-nginx",
    corpus_prometheus: "prometheus",
    corpus_fluent_bit: "fluent-bit",
    corpus_cluster_autoscaler: "cluster-autoscaler",
    corpus_grafana: "grafana",
    corpus_ingress_nginx: "ingress-nginx",
    corpus_kube_state_metrics: "kube-state-metrics",
    corpus_prometheus_node_exporter: "prometheus-node-exporter",
    corpus_metrics_server: "metrics-server",
    corpus_external_dns: "external-dns",
    corpus_sealed_secrets: "sealed-secrets",
    corpus_reloader: "reloader",
    corpus_istio_cni: "istio-cni",
}

// ---- the command ----

/// A Helm chart `h` whose one template makes a password at random unless values give one.
const H_CHART_YAML: (&str, &str) = ("Chart.yaml", "apiVersion: v2\nname: h\nversion: 0.1.0\n");

const RANDOM_PASSWORD: &[(&str, &str)] = &[
    H_CHART_YAML,
    (
        "values.yaml",
        "# the password; made at random when empty\npassword: \"\"\n",
    ),
    (
        "templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\nstringData:\n  password: {{ .Values.password | default (randAlphaNum 16) | quote }}\n",
    ),
];

/// `ktera convert HELM OUT`, which must succeed: its report.
fn converted_report(helm: &Path, out: &Path) -> String {
    let converted = common::ktera()
        .arg("convert")
        .arg(helm)
        .arg(out)
        .output()
        .expect("run");
    assert!(converted.status.success(), "{converted:?}");
    String::from_utf8_lossy(&converted.stdout).into_owned()
}

#[test]
fn the_report_names_every_place_that_needs_a_person() {
    let (tmp, helm) = common::chart_named("h", RANDOM_PASSWORD);
    let out = tmp.path().join("out");
    let report = converted_report(&helm, &out);
    assert!(
        report.contains("templates/secret.yaml:6:44: attention: `randAlphaNum 16` gives a new value on every render; ktera renders the same output every time: the converted chart stops here and asks for password to be set"),
        "{report}"
    );
    assert!(report.contains("1 for attention"), "{report}");
    // values.yaml is kept byte for byte, comments included.
    assert_eq!(
        std::fs::read_to_string(out.join("values.yaml")).expect("values"),
        RANDOM_PASSWORD[1].1
    );
    // The random branch stops the render and names what to supply; a value given renders.
    common::template(&out).assert().code(1).stderr(
        predicates::str::contains("out/templates/secret.yaml:6:").and(predicates::str::contains(
            "randAlphaNum 16, which gives a new value on every render",
        )),
    );
    let given = common::stdout_of(&[
        "template",
        out.to_str().expect("path"),
        "--set",
        "password=s3cret",
    ]);
    assert!(given.contains("password: s3cret"), "{given}");
}

/// values.yaml is kept as written, and Helm reads it as YAML 1.1: a plain `no` is false there and
/// the string "no" (true in an `if`) in ktera. Each such value is reported where it stands;
/// quoted ones and block text are strings for both.
#[test]
fn yaml_1_1_booleans_in_values_are_reported() {
    let (tmp, helm) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            (
                "values.yaml",
                "enabled: no\nname: \"no\"\nmode: on\nlist:\n  - off\ntext: |\n  yes\n",
            ),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  on: {{ .Values.enabled | quote }}\n",
            ),
        ],
    );
    let out = tmp.path().join("out");
    let report = converted_report(&helm, &out);
    for place in [
        "values.yaml:1:10: attention: Helm reads `no` as the boolean false (YAML 1.1)",
        "values.yaml:3:7: attention: Helm reads `on` as the boolean true",
        "values.yaml:5:5: attention: Helm reads `off` as the boolean false",
    ] {
        assert!(report.contains(place), "{place}: {report}");
    }
    assert!(!report.contains("values.yaml:2:"), "{report}");
    assert!(!report.contains("`yes`"), "{report}");
}

/// What `IncPatch` (`IncMajor`, `IncMinor`) gives is a `semver.Version` value, on which Helm's
/// templates cannot call `Original` or `Compare`: Helm fails there (cases
/// `semver-inc-compare-error`, `semver-inc-original-chained-error`), and so does the converted
/// chart, with Helm's words, and the report names the place.
#[test]
fn a_method_helm_cannot_call_on_an_incremented_version_fails_as_in_helm() {
    let helm_error = |name: &str| {
        cases()
            .into_iter()
            .find(|c| c.name == name)
            .and_then(|c| c.error)
            .unwrap_or_else(|| panic!("case {name} records Helm's error"))
    };
    let original = helm_error("semver-inc-original-chained-error");
    let compare = helm_error("semver-inc-compare-error");
    let (tmp, helm) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            ("values.yaml", "compare: false\n"),
            (
                "templates/cm.yaml",
                "{{- $next := (semver \"1.2.3\").IncPatch }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  next: {{ $next.String | quote }}\n  original: {{ $next.Original | quote }}\n  {{- if .Values.compare }}\n  order: {{ $next.Compare (semver \"1.0.0\") | quote }}\n  {{- end }}\n",
            ),
        ],
    );
    let out = tmp.path().join("out");
    let report = converted_report(&helm, &out);
    for place in [
        format!("templates/cm.yaml:8:16: error: Helm fails here: {original}"),
        format!("templates/cm.yaml:10:13: error: Helm fails here: {compare}"),
    ] {
        assert!(report.contains(&place), "{place}: {report}");
    }
    common::template(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(original.as_str()));
}

/// ConfigMaps of a rendered output, by name: their `data`.
fn config_maps(output: &str) -> BTreeMap<String, Value> {
    let mut found = BTreeMap::new();
    for document in serde_yaml::Deserializer::from_str(output) {
        let object = Value::deserialize(document).expect("a YAML document");
        if let Some(name) = object["metadata"]["name"].as_str() {
            found.insert(name.to_string(), object["data"].clone());
        }
    }
    found
}

/// Helm renders the templates one after another with one `.Values` (deepest path first, then
/// in reverse name order; a subchart's `.Values` is its parent's `.Values.<name>`), so a `set
/// .Values` reaches the templates rendered after it: tests/fixtures/convert/render-order, as
/// real Helm rendered it (scripts/gen-convert-render-order-fixture). The converted chart
/// renders each template with the values as given; the report names exactly the templates
/// whose output then differs from Helm's, and says where nothing differs.
#[test]
fn the_report_names_the_templates_a_change_of_values_reaches_in_helm() {
    let fixture = Path::new("tests/fixtures/convert/render-order");
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let out = tmp.path().join("out");
    let report = converted_report(&fixture.join("chart"), &out);
    let helm = config_maps(
        &std::fs::read_to_string(fixture.join("expected.yaml")).expect("Helm's output"),
    );
    let ktera = config_maps(&common::stdout_of(&[
        "template",
        "demo",
        out.to_str().expect("path"),
        "--namespace",
        "apps",
        "--kube-version",
        "1.32.0",
    ]));
    assert_eq!(
        helm.keys().collect::<Vec<_>>(),
        ktera.keys().collect::<Vec<_>>()
    );
    let differing: Vec<&str> = helm
        .iter()
        .filter(|(name, data)| ktera.get(*name) != Some(data))
        .map(|(name, _)| name.as_str())
        .collect();
    // Helm: a and c (through a define) are rendered after m.yaml's change, d reads what the
    // subchart changed; z is rendered before m.yaml, and m and s see their own change. e reads
    // the `.mode` that y.yaml, rendered before it, set with the setter define `p.mode`: the
    // converted e calls it first, and renders what Helm renders.
    assert_eq!(differing, ["a", "c", "d"], "Helm {helm:?}\nktera {ktera:?}");
    assert_eq!(ktera.get("e"), helm.get("e"));
    assert_eq!(ktera["e"]["mode"], "standalone");
    for line in [
        "charts/db/templates/s.yaml:1:11: attention: `set` changes .Values in place; Helm renders the templates one after another with one `.Values`, deepest path first, then in reverse name order, and templates/d.yaml rendered after this one, reads it",
        "templates/m.yaml:1:11: attention: `set` changes .Values in place; Helm renders the templates one after another with one `.Values`, deepest path first, then in reverse name order, and templates/c.yaml, templates/a.yaml rendered after this one, read it",
        "templates/b.yaml:1:11: note: `set` changes .Values in place; Helm renders the templates one after another with one `.Values`, deepest path first, then in reverse name order: the one template rendered after this one does not read it, so the converted chart, where only the rest of this template sees the change, renders the same",
        "templates/e.yaml:1:1: note: this template reads `.mode`, which it does not set at its top level; Helm's templates share one top-level object, and templates/y.yaml, rendered before this one, sets it with `template \"p.mode\" .`: the converted template calls p.mode first, which sets the same value",
    ] {
        assert!(report.contains(line), "{line}\n{report}");
    }
}

/// istio's charts compute their values in the templates Helm renders first, which print
/// nothing: `zzz_profile.yaml` (a profile merged over the defaults, then `set $ "Values"`) and
/// `zzy_descope_legacy.yaml` (`cni:` lifted to the top). They become the values stages
/// `_values.tera` and `_values.2.tera`, which ktera renders first, in that order (the corpus test
/// `corpus_istio_cni` shows the output equal to Helm's); the report says so. A template that
/// prints, or one Helm renders after a template that is no stage, keeps its name and its report
/// (`the_report_names_the_templates_a_change_of_values_reaches_in_helm`).
#[test]
fn templates_helm_renders_first_to_compute_values_become_values_stages() {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let out = tmp.path().join("out");
    let report = converted_report(&Path::new(CORPUS).join("istio-cni/chart"), &out);
    let templates = out.join("templates");
    assert!(!templates.join("zzz_profile.yaml").exists());
    assert!(!templates.join("zzy_descope_legacy.yaml").exists());
    let first = std::fs::read_to_string(templates.join("_values.tera")).expect("first stage");
    assert!(first.contains("istio.labels"), "its defines stay: {first}");
    assert!(first.ends_with("{{ Values | to_yaml }}\n"), "{first}");
    let second = std::fs::read_to_string(templates.join("_values.2.tera")).expect("second stage");
    assert!(
        second.contains("{%- set Values = Values | merge(sources=[Values[\"cni\"] | or_none], overwrite=true) %}"),
        "{second}"
    );
    for line in [
        "templates/zzz_profile.yaml:56:11: note: `set` changes $ in place; Helm renders this template before the chart's others, which read the changed values: it is converted to the values stage templates/_values.tera, which ktera renders first and whose printed values the others read",
        "templates/zzy_descope_legacy.yaml:3:11: note: `mustMergeOverwrite` changes $.Values in place; Helm renders this template before the chart's others, which read the changed values: it is converted to the values stage templates/_values.2.tera",
    ] {
        assert!(report.contains(line), "{line}\n{report}");
    }
}

/// A `-f` file given to `--verify` is the user's, and Helm reads it as YAML 1.1 too: its plain
/// `no` turns a feature off in Helm and (as the string "no") on in ktera. Each such value is
/// reported where it stands, as values.yaml's are; real Helm shows why it matters.
#[test]
fn yaml_1_1_booleans_in_verify_values_files_are_reported() {
    let Some(helm) = crate::common::servers::helm() else {
        return;
    };
    let (tmp, chart) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            (
                "values.yaml",
                "enabled: false
",
            ),
            (
                "templates/cm.yaml",
                "{{ if .Values.enabled }}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n{{ end }}\n",
            ),
        ],
    );
    let prod = tmp.path().join("prod.yaml");
    std::fs::write(&prod, "# prod\nenabled: no\nname: \"no\"\nlist:\n  - Off\n").expect("write");
    let out = tmp.path().join("out");
    let prod_name = prod.display().to_string();
    let assert = common::ktera()
        .arg("convert")
        .arg(&chart)
        .arg(&out)
        .args(["--verify", "-f", &prod_name])
        .env("HELM", &helm)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for place in [
        format!(
            "{prod_name}:2:10: attention: Helm reads `no` as the boolean false (YAML 1.1); ktera reads the string \"no\", which an `if` takes as true: write false"
        ),
        format!("{prod_name}:5:5: attention: Helm reads `Off` as the boolean false"),
    ] {
        assert!(stdout.contains(&place), "{place}: {stdout}");
    }
    assert!(!stdout.contains(&format!("{prod_name}:3:")), "{stdout}");
    // Helm renders no ConfigMap (enabled is false); the converted chart does.
    assert!(stdout.contains("--verify: NOT EQUAL"), "{stdout}");
    assert!(stdout.contains("only in ktera"), "{stdout}");

    // From standard input, in the JSON report. `yes` is true for Helm and a string that an `if`
    // takes as true for ktera: the outputs are equal, and the value is reported all the same
    // (a quoted one is a string for both, and is not).
    let json = common::ktera()
        .arg("convert")
        .arg(&chart)
        .arg(&out)
        .args(["--force", "--verify", "-f", "-", "-o", "json"])
        .env("HELM", &helm)
        .write_stdin("enabled: yes\nquoted: \"yes\"\n")
        .assert()
        .success();
    let report: serde_json::Value =
        serde_json::from_slice(&json.get_output().stdout).expect("json");
    let findings = report["verify"]["values_findings"]
        .as_array()
        .expect("values_findings");
    assert_eq!(report["verify"]["equal"], true, "{report:#}");
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["file"], "<stdin>");
    assert_eq!(findings[0]["line"], 1);
    assert_eq!(findings[0]["column"], 10);
}

/// `htpasswd` is random in Helm (a new salt every render) but has a deterministic ktera
/// function: it converts to that, with a note, and the converted chart renders a bcrypt hash
/// that is the same on every render (it was converted to a stop asking for a value).
#[test]
fn htpasswd_converts_to_the_deterministic_function() {
    let (tmp, helm) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            ("values.yaml", "password: s3cret\n"),
            (
                "templates/secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: auth\nstringData:\n  auth: {{ htpasswd \"admin\" .Values.password | quote }}\n",
            ),
        ],
    );
    let out = tmp.path().join("out");
    let report = converted_report(&helm, &out);
    assert!(
        report.contains("`htpasswd` salts at random in Helm"),
        "{report}"
    );
    let first = common::stdout_of(&["template", out.to_str().expect("path")]);
    assert!(first.contains("auth: admin:$2"), "{first}");
    let again = common::stdout_of(&["template", out.to_str().expect("path")]);
    assert_eq!(first, again);
}

/// A define that makes a random value and is called only where its caller found a value empty
/// (grafana's `if .Values.adminPassword ... else include "grafana.password"`) asks for that
/// value, in the report and when the converted chart renders; set, it renders.
#[test]
fn a_random_value_in_a_define_asks_for_the_value_its_caller_tests() {
    let (tmp, helm) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            ("values.yaml", "adminPassword: \"\"\n"),
            (
                "templates/_helpers.tpl",
                "{{- define \"h.password\" -}}\n{{- $secret := lookup \"v1\" \"Secret\" .Release.Namespace \"s\" }}\n{{- if $secret }}{{ index $secret \"data\" \"admin-password\" }}{{- else }}{{ randAlphaNum 40 | b64enc | quote }}{{- end }}\n{{- end -}}\n",
            ),
            (
                "templates/secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  {{- if .Values.adminPassword }}\n  admin-password: {{ .Values.adminPassword | b64enc | quote }}\n  {{- else }}\n  admin-password: {{ include \"h.password\" . }}\n  {{- end }}\n",
            ),
        ],
    );
    let out = tmp.path().join("out");
    let report = converted_report(&helm, &out);
    assert!(
        report.contains("templates/_helpers.tpl:3:75: attention: `randAlphaNum 40` gives a new value on every render; ktera renders the same output every time: the converted chart stops here and asks for adminPassword to be set"),
        "{report}"
    );
    common::template(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "set adminPassword in a values file (-f) or with --set",
        ));
    let rendered = common::stdout_of(&[
        "template",
        out.to_str().expect("path"),
        "--set",
        "adminPassword=pw",
    ]);
    assert!(rendered.contains("admin-password: cHc="), "{rendered}");
}

/// The value to supply is the one the enclosing `if` chain tests: a values path
/// (`if .Values.csrfKey ... else randBytes`, kubernetes-dashboard), or the key a variable was
/// read by (bitnami common's `common.secrets.passwords.manage`, whose values path is known only
/// at render time), never just a file and line when the template tells more.
#[test]
fn a_random_value_asks_for_the_value_the_if_chain_tests() {
    let (tmp, helm) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            ("values.yaml", "auth:\n  password: \"\"\ncsrfKey: \"\"\n"),
            (
                "templates/_helpers.tpl",
                "{{- define \"h.valueOf\" -}}{{ index .context.Values.auth (.key | splitList \".\" | last) | default \"\" }}{{- end -}}\n{{- define \"h.password\" -}}\n{{- $key := index .providedValues 0 -}}\n{{- $value := include \"h.valueOf\" (dict \"key\" $key \"context\" .context) -}}\n{{- if $value -}}{{ $value }}{{- else -}}{{ randAlphaNum 10 }}{{- end -}}\n{{- end -}}\n",
            ),
            (
                "templates/secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: {{ include \"h.password\" (dict \"providedValues\" (list \"auth.password\") \"context\" $) | quote }}\n  {{- if .Values.csrfKey }}\n  csrf: {{ .Values.csrfKey }}\n  {{- else }}\n  csrf: {{ randBytes 8 | b64enc }}\n  {{- end }}\n",
            ),
        ],
    );
    let out = tmp.path().join("out");
    let report = converted_report(&helm, &out);
    assert!(
        report.contains("asks for the value `key` names at render time to be set"),
        "{report}"
    );
    assert!(report.contains("asks for csrfKey to be set"), "{report}");
    common::template(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "set auth.password in a values file",
        ));
    common::ktera()
        .args([
            "template",
            out.to_str().expect("path"),
            "--set",
            "auth.password=pw",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("set csrfKey in a values file"));
    // No key at render time (an empty list of values paths): the place is named instead.
    let secret = out.join("templates/secret.yaml");
    let text = std::fs::read_to_string(&secret).expect("secret.yaml");
    assert!(text.contains("[\"auth.password\"]"), "{text}");
    std::fs::write(&secret, text.replace("[\"auth.password\"]", "[\"\"]")).expect("write");
    common::template(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "set the value at h/templates/_helpers.tpl:5 in a values file",
        ));
}

/// After other `default`s in the same pipeline the value to supply is still the values path
/// the pipeline starts from (harbor's `.Values.x | default (include ...) | default (randAlphaNum
/// 16)`), and a pipeline that does something else between them names only the place. A
/// variable holding a random value, as a values path's fallback (harbor's `$ca := genCA ...`,
/// then `.Values.core.tokenKey | default $ca.Key`), asks for that path.
#[test]
fn a_random_value_after_other_defaults_asks_for_the_piped_value() {
    let (tmp, helm) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            (
                "values.yaml",
                "secretKey: \"\"\ntoken: \"\"\ntokenKey: \"\"\ntokenCert: \"\"\n",
            ),
            (
                "templates/_helpers.tpl",
                "{{- define \"h.existing\" -}}{{- end -}}\n",
            ),
            (
                "templates/secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  key: {{ .Values.secretKey | default (include \"h.existing\" .) | default (randAlphaNum 16) | quote }}\n  token: {{ .Values.token | lower | default (randAlphaNum 8) | quote }}\n  {{- $ca := genCA \"h-ca\" 365 }}\n  tls.key: {{ .Values.tokenKey | default $ca.Key | quote }}\n  tls.crt: {{ default $ca.Cert .Values.tokenCert | quote }}\n",
            ),
        ],
    );
    let out = tmp.path().join("out");
    let report = converted_report(&helm, &out);
    assert!(report.contains("asks for secretKey to be set"), "{report}");
    assert!(
        report.contains("asks for the value at h/templates/secret.yaml:7 to be set"),
        "{report}"
    );
    common::template(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("set secretKey in a values file"));
    assert!(report.contains("asks for tokenKey to be set"), "{report}");
    assert!(report.contains("asks for tokenCert to be set"), "{report}");
    common::ktera()
        .args([
            "template",
            out.to_str().expect("path"),
            "--set",
            "secretKey=k,token=t",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("set tokenKey in a values file"));
    let given = common::stdout_of(&[
        "template",
        out.to_str().expect("path"),
        "--set",
        "secretKey=k,token=t,tokenKey=tk,tokenCert=tc",
    ]);
    assert!(given.contains("  key: k\n"), "{given}");
    assert!(given.contains("token: t\n"), "{given}");
    assert!(given.contains("tls.key: tk\n"), "{given}");
    assert!(given.contains("tls.crt: tc\n"), "{given}");
}

/// `.Files.Get` of a file the chart lacks is "" as in Helm; of a binary file the chart has
/// (kube-prometheus-stack's `files/crds.bz2`, then `b64enc`) it stops the render, where it had
/// silently rendered "".
#[test]
fn files_get_of_a_binary_file_stops_the_converted_chart() {
    let (tmp, helm) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nbinaryData:\n  missing: {{ .Files.Get \"files/none.bin\" | b64enc | quote }}\n  blob: {{ .Files.Get \"files/blob.bz2\" | b64enc }}\n",
            ),
        ],
    );
    std::fs::create_dir_all(helm.join("files")).expect("mkdir");
    std::fs::write(
        helm.join("files/blob.bz2"),
        [0x42u8, 0x5a, 0x68, 0xff, 0xfe, 0x00],
    )
    .expect("write");
    let out = tmp.path().join("out");
    converted_report(&helm, &out);
    common::template(&out).assert().code(1).stderr(
        predicates::str::contains("files/blob.bz2")
            .and(predicates::str::contains("is not UTF-8 text")),
    );
}

/// Helm reads a values file's numbers as float64 and prints `1000000` as `1e+06` and `1.0` as
/// `1` (cases `print-values-large-ints`, `values-float-print`). ktera prints integers as written,
/// so the report names each place that prints one whose default Helm would print otherwise; a
/// float prints as Go prints it, in the converted chart as in Helm, and is not reported.
#[test]
fn the_report_names_numbers_that_helm_prints_as_float64() {
    let (tmp, helm) = common::chart_named(
        "n",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: n\nversion: 0.1.0\n"),
            ("values.yaml", "limit: 1000000\nratio: 1.0\nport: 8080\n"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  limit: {{ .Values.limit | quote }}\n  ratio: \"{{ .Values.ratio }}\"\n  port: {{ .Values.port | quote }}\n",
            ),
        ],
    );
    let out = tmp.path().join("out");
    let report = converted_report(&helm, &out);
    assert!(
        report.contains("templates/cm.yaml:6:13: attention: Helm prints this value (1000000 by default) as 1e+06"),
        "{report}"
    );
    assert!(!report.contains("8080"), "{report}");
    assert!(!report.contains("1.0 by default"), "{report}");
    assert!(report.contains("1 for attention"), "{report}");
    let rendered = common::stdout_of(&["template", out.to_str().expect("path")]);
    assert!(rendered.contains("  ratio: '1'\n"), "{rendered}");
}

/// Vault's pattern: a define sets a key on the top-level object its caller passes
/// (`{{ template "vault.mode" . }}`, then `.mode`); Helm renders `mode: standalone` (case
/// `define-sets-key-on-caller-root`). A define that prints nothing hands the keys it set back to
/// its caller, so the converted chart renders the same; one that also prints text cannot, and
/// the converted chart refuses where the key is read, naming the define, never rendering it empty.
#[test]
fn a_key_a_define_sets_on_its_callers_data_reaches_the_caller_or_is_refused() {
    let (tmp, helm) = common::chart_named(
        "v",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: v\nversion: 0.1.0\n"),
            ("values.yaml", "ha: false\n"),
            (
                "templates/_helpers.tpl",
                "{{- define \"v.mode\" -}}\n{{- $_ := set . \"mode\" (ternary \"ha\" \"standalone\" .Values.ha) -}}\n{{- end -}}\n{{- define \"v.noisy\" -}}\nnoise: 1\n{{- $_ := set . \"noisy\" true -}}\n{{- end -}}\n",
            ),
            (
                "templates/cm.yaml",
                "{{ template \"v.mode\" . }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v\ndata:\n  mode: {{ .mode }}\n",
            ),
            (
                "templates/cm2.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: w\ndata:\n  {{ include \"v.noisy\" . }}\n  n: {{ .noisy | quote }}\n",
            ),
        ],
    );
    let out = tmp.path().join("out");
    let report = converted_report(&helm, &out);
    assert!(!report.contains("cm.yaml:7"), "{report}");
    assert!(
        report.contains("templates/cm2.yaml:7:9: attention: `.noisy` is set by the define \"v.noisy\" (v/templates/_helpers.tpl:6:11)"),
        "{report}"
    );
    common::template(&out).assert().code(1).stderr(
        predicates::str::contains("out/templates/cm2.yaml:7:").and(predicates::str::contains(
            "`.noisy` is set by the define \"v.noisy\"",
        )),
    );
    std::fs::remove_file(out.join("templates/cm2.yaml")).expect("remove cm2.yaml");
    common::template(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("  mode: standalone\n"));
}

#[test]
fn a_template_helm_cannot_read_is_an_error_and_nothing_is_written() {
    let mut files = RANDOM_PASSWORD.to_vec();
    files.push(("templates/bad.yaml", "kind: A\n{{ if }}\n"));
    let (tmp, helm) = common::chart_named("h", &files);
    let out = tmp.path().join("out");
    common::ktera()
        .arg("convert")
        .arg(&helm)
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::starts_with(
            "error: templates/bad.yaml:2:7: missing value for if",
        ));
    assert!(!out.exists(), "a failed conversion wrote {}", out.display());
}

/// What `.helmignore` leaves out (and hidden entries under `templates/`) is not converted or
/// copied, as Helm does not load it.
#[test]
fn helmignored_files_are_not_converted() {
    let (tmp, helm) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            (".helmignore", ".git/\ntemplates/skip.yaml\n"),
            (".git/config", "[core]\n"),
            ("templates/keep.yaml", "a: {{ .Release.Name }}\n"),
            ("templates/skip.yaml", "a: {{ if }}\n"),
            ("templates/.hidden.yaml", "a: {{ if }}\n"),
        ],
    );
    let out = tmp.path().join("out");
    common::ktera()
        .arg("convert")
        .arg(&helm)
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("templates/keep.yaml").is_file());
    for left_out in ["templates/skip.yaml", "templates/.hidden.yaml", ".git"] {
        assert!(!out.join(left_out).exists(), "{left_out} was converted");
    }
}

/// A values.yaml ktera cannot read (a key written twice) stops the conversion at its line.
#[test]
fn an_unreadable_values_file_is_an_error_at_its_line() {
    let (tmp, helm) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            ("values.yaml", "a: 1\na: 2\n"),
            ("templates/t.yaml", "a: {{ .Values.a }}\n"),
        ],
    );
    let out = tmp.path().join("out");
    common::ktera()
        .arg("convert")
        .arg(&helm)
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("values.yaml:2:1"));
    assert!(!out.exists());
}

/// Calls with too few arguments: Helm stops with "wrong number of args for get: want 2 got 1"
/// (Helm 3.17.3); the converter reports each one, never crashes.
#[test]
fn a_call_with_too_few_arguments_is_reported_as_helm_fails_it() {
    for call in [
        "get .Values",
        ".Values | get",
        "repeat 3",
        "abbrev 3",
        "wrap 80",
        "chunk 2",
        "pluck",
        "max",
    ] {
        let template = format!("a: {{{{ {call} }}}}\n");
        let (tmp, helm) =
            common::chart_named("h", &[H_CHART_YAML, ("templates/t.yaml", &template)]);
        let out = tmp.path().join("out");
        let converted = common::ktera()
            .arg("convert")
            .arg(&helm)
            .arg(&out)
            .output()
            .expect("run");
        let report = String::from_utf8_lossy(&converted.stdout);
        assert!(
            converted.status.code().is_some_and(|c| c < 100),
            "{call}: {converted:?}"
        );
        assert!(
            report.contains("arguments, this call gives"),
            "{call}: {report}"
        );
    }
}

/// `squote` of several values, as Helm 3.17.3 renders `{{ squote "x" "y" | quote }}`.
#[test]
fn squote_of_several_values_converts() {
    let (tmp, helm) = common::chart_named(
        "h",
        &[
            H_CHART_YAML,
            ("templates/t.yaml", "a: {{ squote \"x\" \"y\" | quote }}\n"),
        ],
    );
    let out = tmp.path().join("out");
    common::ktera()
        .arg("convert")
        .arg(&helm)
        .arg(&out)
        .assert()
        .success();
    let rendered = common::stdout_of(&["template", out.to_str().expect("path")]);
    let object: serde_yaml::Value = serde_yaml::from_str(&rendered).expect("YAML");
    assert_eq!(object["a"].as_str(), Some("'x' 'y'"), "{rendered}");
}

#[test]
fn out_dir_is_replaced_only_with_force() {
    let (tmp, helm) = common::chart_named("h", RANDOM_PASSWORD);
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("mine.txt"), "keep").expect("write");
    common::ktera()
        .arg("convert")
        .arg(&helm)
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("exists").and(predicates::str::contains("--force")));
    assert!(out.join("mine.txt").exists());
    common::ktera()
        .arg("convert")
        .arg(&helm)
        .arg(&out)
        .arg("--force")
        .assert()
        .success();
    assert!(!out.join("mine.txt").exists());
    assert!(out.join("templates/secret.yaml").exists());
    // OUT_DIR inside the chart would be removed with it by a later --force, also when its
    // parent directories are not made yet.
    for inside in [helm.join("converted"), helm.join("a/b/converted")] {
        common::ktera()
            .arg("convert")
            .arg(&helm)
            .arg(&inside)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("overlap"));
        assert!(!helm.join("a").exists() && !inside.exists());
    }
}

/// `dir` packed as `helm package` packs it: every file under `<name>/`.
fn package(dir: &Path, name: &str, archive: &Path) {
    let file = std::fs::File::create(archive).expect("create archive");
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all(name, dir).expect("pack");
    tar.into_inner().expect("tar").finish().expect("gzip");
}

#[test]
fn a_packaged_chart_converts_and_renders_what_helm_renders() {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let archive = tmp.path().join("helm-guestbook-0.1.0.tgz");
    let corpus = Path::new(CORPUS).join("guestbook");
    package(&corpus.join("chart"), "helm-guestbook", &archive);
    let out = tmp.path().join("guestbook");
    common::ktera()
        .arg("convert")
        .arg(&archive)
        .arg(&out)
        .assert()
        .success();
    let rendered = tmp.path().join("ktera.yaml");
    let text = common::stdout_of(&[
        "template",
        "demo",
        out.to_str().expect("path"),
        "--namespace",
        "apps",
        "--release-service",
        "Helm",
    ]);
    std::fs::write(&rendered, text).expect("write");
    common::ktera()
        .arg("diff")
        .arg(corpus.join("expected/default.yaml"))
        .arg(&rendered)
        .assert()
        .success();
}

/// A `helm` that prints what Helm 3.17.3 printed for `helm template demo CHART --namespace apps
/// --kube-version v1.32.0` (the recorded output `$EXPECTED`), after checking it was asked
/// exactly that.
fn recorded_helm(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let helm = dir.join("helm");
    std::fs::write(
        &helm,
        "#!/bin/sh\n\
         [ \"$1 $2 $4 $5 $6 $7\" = \"template demo --namespace apps --kube-version v1.32.0\" ] || { echo \"unexpected: $*\" >&2; exit 3; }\n\
         [ $# = 7 ] || { echo \"unexpected: $*\" >&2; exit 3; }\n\
         cat \"$EXPECTED\"\n",
    )
    .expect("write helm");
    std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    helm
}

fn verify(chart: &Path, out: &Path, helm: &Path, expected: &Path) -> assert_cmd::assert::Assert {
    common::ktera()
        .arg("convert")
        .arg(chart)
        .arg(out)
        .args([
            "--force",
            "--verify",
            "--name",
            "demo",
            "-n",
            "apps",
            "--kube-version",
            "1.32.0",
        ])
        .env("HELM", helm)
        .env("EXPECTED", expected)
        .assert()
}

/// A template printing a `kind: List` (alertmanager's `serviceperreplica.yaml`): Helm's items
/// are compared one by one, so the converted chart's must be too. The expected text is what
/// Helm 3.17.3 printed for this chart.
#[test]
fn verify_compares_the_items_of_a_list_on_both_sides() {
    let (tmp, chart) = common::chart_named(
        "lt",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: lt\nversion: 0.1.0\n"),
            ("values.yaml", "replicas: 2\n"),
            (
                "templates/svc.yaml",
                "apiVersion: v1\nkind: List\nitems:\n{{- range $i := until (int .Values.replicas) }}\n  - apiVersion: v1\n    kind: Service\n    metadata:\n      name: {{ $.Release.Name }}-{{ $i }}\n    spec:\n      ports:\n        - port: 80\n{{- end }}\n",
            ),
        ],
    );
    let helm = recorded_helm(tmp.path());
    let expected = tmp.path().join("expected.yaml");
    let item = |i: usize| {
        format!(
            "  - apiVersion: v1\n    kind: Service\n    metadata:\n      name: demo-{i}\n    spec:\n      ports:\n        - port: 80\n"
        )
    };
    std::fs::write(
        &expected,
        format!(
            "---\n# Source: lt/templates/svc.yaml\napiVersion: v1\nkind: List\nitems:\n{}{}",
            item(0),
            item(1)
        ),
    )
    .expect("write");
    verify(&chart, &tmp.path().join("out"), &helm, &expected)
        .success()
        .stdout(predicates::str::contains("--verify: EQUAL"))
        .stdout(predicates::str::contains("2 equal, 0 changed"));
}

/// loki's helpers: a define includes a template file by a name made of the `.ctx` it is given
/// (`print .ctx.Template.BasePath .name`), and a values string for `tpl` calls a define with a
/// dict lacking a key the chart's own calls pass (nil in Helm). The expected text is what Helm
/// 3.17.3 printed for this chart.
#[test]
fn verify_includes_a_file_named_from_the_given_context_and_a_dict_lacking_a_key() {
    let (tmp, chart) = common::chart_named(
        "hh",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: hh\nversion: 0.1.0\n"),
            (
                "values.yaml",
                "addr: '{{ include \"hh.name\" (dict \"ctx\" $ \"component\" \"cache\") }}.svc'\n",
            ),
            (
                "templates/_helpers.tpl",
                "{{- define \"hh.name\" -}}\n{{ .ctx.Release.Name }}-{{ .component }}{{ with .suffix }}-{{ . }}{{ end }}\n{{- end }}\n{{- define \"hh.hash\" -}}\n{{ get (include (print .ctx.Template.BasePath .name) .ctx | fromYaml) \"data\" | toYaml | sha256sum }}\n{{- end }}\n",
            ),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"hh.name\" (dict \"ctx\" . \"component\" \"cm\" \"suffix\" \"x\") }}\ndata:\n  addr: {{ tpl .Values.addr . }}\n",
            ),
            (
                "templates/deploy.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dep\n  annotations:\n    checksum/config: {{ include \"hh.hash\" (dict \"ctx\" . \"name\" \"/cm.yaml\") }}\n",
            ),
        ],
    );
    let helm = recorded_helm(tmp.path());
    let expected = tmp.path().join("expected.yaml");
    std::fs::write(
        &expected,
        "---\n# Source: hh/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo-cm-x\ndata:\n  addr: demo-cache.svc\n---\n# Source: hh/templates/deploy.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dep\n  annotations:\n    checksum/config: 87a52e3db2c37360bd8eb375d876f2b6b3bfafab805d20682f38f1557bca3548\n",
    )
    .expect("write");
    verify(&chart, &tmp.path().join("out"), &helm, &expected)
        .success()
        .stdout(predicates::str::contains("--verify: EQUAL"))
        .stdout(predicates::str::contains("2 equal, 0 changed"));
}

#[test]
fn verify_compares_helms_output_with_the_converted_charts() {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let helm = recorded_helm(tmp.path());
    let corpus = Path::new(CORPUS).join("guestbook");
    let out = tmp.path().join("out");
    verify(
        &corpus.join("chart"),
        &out,
        &helm,
        &corpus.join("expected/default.yaml"),
    )
    .success()
    .stdout(predicates::str::contains("--verify: EQUAL"));

    // Helm's output changed by one field: not equal, and the report says where.
    let recorded = std::fs::read_to_string(corpus.join("expected/default.yaml")).expect("expected");
    let changed = tmp.path().join("changed.yaml");
    std::fs::write(&changed, recorded.replace("replicas: 1", "replicas: 3")).expect("write");
    assert_ne!(recorded, std::fs::read_to_string(&changed).expect("read"));
    verify(&corpus.join("chart"), &out, &helm, &changed)
        .code(1)
        .stdout(
            predicates::str::contains("--verify: NOT EQUAL")
                .and(predicates::str::contains("replicas")),
        );
}

#[test]
fn verify_without_helm_says_what_to_install() {
    let (tmp, chart) = common::chart_named("h", RANDOM_PASSWORD);
    let out = tmp.path().join("out");
    common::ktera()
        .arg("convert")
        .arg(&chart)
        .arg(&out)
        .arg("--verify")
        .env_remove("HELM")
        .env("PATH", tmp.path())
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("--verify needs Helm")
                .and(predicates::str::contains("HELM=")),
        );
}
