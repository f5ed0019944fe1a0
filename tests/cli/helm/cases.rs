//! ktera's functions against real Helm, case by case. `tests/fixtures/convert/cases/*.yaml` hold
//! Go templates with what Helm 3.17.3 rendered for each (scripts/gen-convert-case-fixtures);
//! `tests/fixtures/functions/*.yaml` hold, for some of those cases, the same template written
//! in Tera with ktera's functions. Each is rendered with the case's values and files, and
//! compared with Helm's recorded output (or error), looked up by the case's name: no expected
//! output here is written by hand.
//!
//! A fixture entry may say how to compare:
//! - `compare: numbers`: Helm reads every number of a values file as a float64 and prints
//!   `1000000` as `1e+06`; ktera keeps numbers as written. ktera's output is compared after
//!   printing its integers as Go prints a float64.
//! - `compare: yaml`: both outputs are read as YAML and compared as data (ktera's YAML emitter
//!   quotes some strings differently from Helm's).
//! - `difference: <why>`: a documented difference (README, "Filters and functions"): the test
//!   checks that ktera's result really differs from Helm's, so a difference that goes away is
//!   noticed, and `ktera_error: <text>` checks ktera's error when ktera refuses.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_yaml::Value;

const HELM_CASES: &str = "tests/fixtures/convert/cases";
const KTERA_CASES: &str = "tests/fixtures/functions";
const CHART_YAML: &str = "apiVersion: v2\nname: cases\nversion: 0.1.0\nappVersion: 1.0.0\ndescription: scratch chart for convert cases\n";

#[derive(Deserialize)]
struct HelmFile {
    cases: Vec<HelmCase>,
}

#[derive(Deserialize, Clone)]
struct HelmCase {
    name: String,
    #[serde(default)]
    values: Option<Value>,
    #[serde(default)]
    files: Option<HashMap<String, String>>,
    expected: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KteraFile {
    #[allow(dead_code)]
    area: String,
    cases: Vec<KteraCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KteraCase {
    case: String,
    tera: String,
    #[serde(default)]
    compare: Compare,
    difference: Option<String>,
    ktera_error: Option<String>,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Debug)]
#[serde(rename_all = "lowercase")]
enum Compare {
    #[default]
    Exact,
    Numbers,
    Yaml,
}

fn yaml_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn helm_cases() -> HashMap<String, HelmCase> {
    let mut cases = HashMap::new();
    for path in yaml_files(HELM_CASES) {
        let text = std::fs::read_to_string(&path).expect("read");
        let file: HelmFile = serde_yaml::from_str(&text).expect("Helm case file");
        for case in file.cases {
            cases.insert(case.name.clone(), case);
        }
    }
    cases
}

/// ktera's output for `template` with the case's values and files, or its error.
fn render(helm: &HelmCase, template: &str) -> Result<String, String> {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let dir = tmp.path().join("cases");
    let values = match &helm.values {
        // As JSON, which values files may hold, as the fixture generator writes them: YAML
        // leaves strings such as `1e3` unquoted, and they would read back as numbers.
        Some(v) => serde_json::to_string(v).expect("values as JSON"),
        None => "{}\n".to_string(),
    };
    let mut files: Vec<(String, String)> = vec![
        ("Chart.yaml".into(), CHART_YAML.into()),
        ("values.yaml".into(), values),
        ("templates/cases.yaml".into(), template.into()),
    ];
    for (path, content) in helm.files.iter().flatten() {
        files.push((path.clone(), content.clone()));
    }
    for (rel, content) in &files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, content).expect("write");
    }
    let chart = ktera::chart::Chart::load(&dir).map_err(|e| e.to_string())?;
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
        .next()
        .map(|t| t.text)
        .unwrap_or_default())
}

/// ktera's integers as Go prints a float64 (`1000000` -> `1e+06`): what Helm prints for the
/// same number read from a values file.
fn as_go_floats(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '.'));
        if !starts_number {
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
            Ok(n) if !followed => out.push_str(&go_float(n)),
            _ => out.push_str(&digits),
        }
    }
    out
}

/// Go's `%v` of a float64: shortest digits, exponent form from 1e+06 up.
fn go_float(f: f64) -> String {
    let text = format!("{f:e}");
    let (mantissa, exponent) = text.split_once('e').expect("exponent");
    let exponent: i32 = exponent.parse().expect("number");
    if !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    } else {
        format!("{f}")
    }
}

fn same_yaml(a: &str, b: &str) -> bool {
    match (
        serde_yaml::from_str::<Value>(a),
        serde_yaml::from_str::<Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// What went wrong with one case, or `None` when ktera agrees with Helm as the entry says.
fn check(entry: &KteraCase, helm: &HelmCase) -> Option<String> {
    let got = render(helm, &entry.tera);
    let matches_helm = match (&got, &helm.expected, &helm.error) {
        (Ok(out), Some(want), _) => match entry.compare {
            Compare::Exact => out == want,
            Compare::Numbers => as_go_floats(out) == *want,
            Compare::Yaml => same_yaml(out, want),
        },
        (Err(_), None, Some(_)) => true,
        _ => false,
    };
    if let (Some(want), Err(message)) = (&entry.ktera_error, &got)
        && !message.contains(want.as_str())
    {
        return Some(format!(
            "ktera's error should say `{want}`, it says:\n{message}"
        ));
    }
    match (&entry.difference, matches_helm) {
        (None, true) | (Some(_), false) => None,
        (None, false) => Some(format!(
            "Helm: {}\nktera: {}",
            match (&helm.expected, &helm.error) {
                (Some(out), _) => format!("{out:?}"),
                (_, Some(e)) => format!("fails: {e}"),
                _ => "?".into(),
            },
            match &got {
                Ok(out) => format!("{out:?}"),
                Err(e) => format!("fails: {e}"),
            }
        )),
        (Some(why), true) => Some(format!(
            "documented as a difference ({why}), but ktera now agrees with Helm: drop `difference`"
        )),
    }
}

#[test]
fn functions_render_what_helm_renders() {
    let helm = helm_cases();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut differences = 0;
    for path in yaml_files(KTERA_CASES) {
        let text = std::fs::read_to_string(&path).expect("read");
        let file: KteraFile =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for entry in &file.cases {
            let Some(case) = helm.get(&entry.case) else {
                failures.push(format!(
                    "{}: no Helm case named `{}`",
                    path.display(),
                    entry.case
                ));
                continue;
            };
            checked += 1;
            if entry.difference.is_some() {
                differences += 1;
            }
            if let Some(problem) = check(entry, case) {
                failures.push(format!(
                    "{} `{}`:\n{}",
                    file_name(&path),
                    entry.case,
                    problem
                ));
            }
        }
    }
    assert!(checked > 0, "no cases under {KTERA_CASES}");
    eprintln!("{checked} Helm cases checked, {differences} of them documented differences");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from Helm:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn numbers_print_as_go_floats() {
    assert_eq!(as_go_floats("8080 1000000 -3 0.5"), "8080 1e+06 -3 0.5");
    assert_eq!(as_go_floats("a1 1.5 1234567"), "a1 1.5 1.234567e+06");
}
