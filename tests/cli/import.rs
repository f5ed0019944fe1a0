//! `ktera import`: Kustomize trees imported with the real Kustomize, each environment then
//! compared equal, by the import itself, by `ktera compare --kustomize` and against the
//! committed builds in `tests/fixtures/import/<case>/expected/`. Every case of that corpus is a
//! test of its own; the bad inputs must fail with a clear message and write nothing.

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_yaml::Value;
use tempfile::TempDir;

use crate::common::{copy_dir, ktera, tools};

const CORPUS: &str = "tests/fixtures/import";

/// The environments of a case, in `case.yaml`'s order: (env, directory relative to the case).
fn environments(case: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(case.join("case.yaml")).expect("case.yaml");
    let doc: Value = serde_yaml::from_str(&text).expect("case.yaml is YAML");
    doc.as_mapping()
        .expect("case.yaml is a map")
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().expect("env").to_string(),
                v.as_str().expect("dir").to_string(),
            )
        })
        .collect()
}

/// Imports `case` (run from its directory, as `ENV=DIR` arguments) into a temporary
/// directory; requires exit 0 and one `EQUAL` per environment. Returns the directory (with
/// `chart/` and `values/`).
fn import_case(case: &Path) -> (TempDir, Vec<(String, String)>) {
    let envs = environments(case);
    let out = TempDir::new().expect("temp dir");
    let output = ktera()
        .current_dir(case)
        .arg("import")
        .arg("--chart")
        .arg(out.path().join("chart"))
        .arg("--values-dir")
        .arg(out.path().join("values"))
        .args(envs.iter().map(|(env, dir)| format!("{env}={dir}")))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}: import failed:\n{stdout}\n{stderr}",
        case.display()
    );
    let equal = stdout.lines().filter(|l| l.starts_with("EQUAL: ")).count();
    assert_eq!(equal, envs.len(), "{}:\n{stdout}", case.display());
    (out, envs)
}

/// No key of `values/<env>.yaml` holds what `values.yaml` already gives it.
fn assert_only_differences(chart_values: &Path, env_values: &Path) {
    let read = |p: &Path| -> Value {
        serde_yaml::from_str(&fs::read_to_string(p).expect("values file")).expect("YAML")
    };
    let defaults = read(chart_values);
    let env = read(env_values);
    fn walk(env: &Value, defaults: Option<&Value>, path: &mut Vec<String>, file: &Path) {
        match (env, defaults) {
            (Value::Mapping(map), Some(Value::Mapping(d)))
                if !map.is_empty() || path.is_empty() =>
            {
                for (k, v) in map {
                    path.push(k.as_str().unwrap_or("?").to_string());
                    walk(v, d.get(k), path, file);
                    path.pop();
                }
            }
            (value, Some(default)) => assert_ne!(
                value,
                default,
                "{}: {} repeats the value of values.yaml",
                file.display(),
                path.join(".")
            ),
            (_, None) => {}
        }
    }
    walk(&env, Some(&defaults), &mut Vec::new(), env_values);
}

/// Imports a corpus case and checks it every way: the import's own comparison, the committed
/// build of each environment (`ktera compare --golden`), and values files that hold only
/// differences.
fn check_case(name: &str) {
    if !tools::kustomize_installed() {
        tools::skip_without_kustomize();
        return;
    }
    let case = Path::new(CORPUS).join(name);
    let (out, envs) = import_case(&case);
    let chart = out.path().join("chart");
    for (env, _) in &envs {
        let values = out.path().join("values").join(format!("{env}.yaml"));
        assert_only_differences(&chart.join("values.yaml"), &values);
        ktera()
            .arg("compare")
            .arg(&chart)
            .arg("-f")
            .arg(&values)
            .arg("--golden")
            .arg(case.join("expected").join(format!("{env}.yaml")))
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with("EQUAL: "));
    }
}

macro_rules! corpus_cases {
    ($($test:ident => $case:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_case($case);
            }
        )*

        /// Every case directory has its test above.
        #[test]
        fn every_case_of_the_corpus_is_tested() {
            let listed = [$($case),*];
            for entry in fs::read_dir(CORPUS).expect("corpus") {
                let entry = entry.expect("entry");
                let name = entry.file_name().to_string_lossy().into_owned();
                if entry.path().join("case.yaml").is_file() {
                    assert!(listed.contains(&name.as_str()), "{name} has no test in tests/cli/import.rs");
                }
            }
        }
    };
}

corpus_cases! {
    add_object => "add-object",
    common_labels_annotations => "common-labels-annotations",
    components => "components",
    generator_options => "generator-options",
    generators => "generators",
    images => "images",
    labels => "labels",
    multiple_bases => "multiple-bases",
    name_prefix_suffix => "name-prefix-suffix",
    namespace => "namespace",
    patches_json6902 => "patches-json6902",
    patches_strategic_merge => "patches-strategic-merge",
    remove_object => "remove-object",
    replicas => "replicas",
    secrets => "secrets",
    single => "single",
    three_envs => "three-envs",
    upstream_breakfast => "upstream-breakfast",
    upstream_combine_configs => "upstream-combine-configs",
    upstream_components => "upstream-components",
    upstream_config_generation => "upstream-config-generation",
    upstream_generator_options => "upstream-generator-options",
    upstream_hello_world => "upstream-hello-world",
    upstream_image => "upstream-image",
    upstream_inline_patch => "upstream-inline-patch",
    upstream_jsonpatch => "upstream-jsonpatch",
    upstream_ldap => "upstream-ldap",
    upstream_multi_namespace => "upstream-multi-namespace",
    upstream_multibases => "upstream-multibases",
    upstream_patch_multiple_objects => "upstream-patch-multiple-objects",
    upstream_replicas => "upstream-replicas",
    upstream_springboot => "upstream-springboot",
    upstream_wordpress => "upstream-wordpress",
}

/// The repository's own example: both environments, compared again by `ktera compare` with
/// the live Kustomize, as a user would.
#[test]
fn the_example_imports_equal_in_both_environments() {
    if !tools::kustomize_installed() {
        tools::skip_without_kustomize();
        return;
    }
    let out = TempDir::new().expect("temp dir");
    let chart = out.path().join("charts/backend");
    let values = out.path().join("values");
    ktera()
        .arg("import")
        .arg("--chart")
        .arg(&chart)
        .arg("--values-dir")
        .arg(&values)
        .args([
            "kustomize/backend/overlays/dev",
            "kustomize/backend/overlays/prod",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("EQUAL: ").count(2))
        .stderr(
            // The note names the files that hold the Secret's data: prod has none (its
            // credentials come from an ExternalSecret), dev's are the defaults.
            predicate::str::contains("the data of the Secret backend-app-secret is in")
                .and(predicate::str::contains(
                    "backend/values.yaml, as the overlays held it",
                ))
                .and(predicate::str::contains("prod.yaml,").not())
                .and(predicate::str::contains("Git")),
        );
    for env in ["dev", "prod"] {
        let file = values.join(format!("{env}.yaml"));
        assert_only_differences(&chart.join("values.yaml"), &file);
        ktera()
            .arg("compare")
            .arg(&chart)
            .arg("-f")
            .arg(&file)
            .arg("--kustomize")
            .arg(format!("kustomize/backend/overlays/{env}"))
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with("EQUAL: "));
    }
    // What a chart author expects to find.
    let prod = fs::read_to_string(values.join("prod.yaml")).expect("prod.yaml");
    assert!(
        prod.contains(
            "replicas: 3  # kustomize/backend/overlays/prod/kustomization.yaml (replicas)"
        ),
        "{prod}"
    );
    assert!(
        prod.contains(
            "tag: '1.4.2'  # kustomize/backend/overlays/prod/kustomization.yaml (images)"
        ),
        "{prod}"
    );
    let dev = fs::read_to_string(values.join("dev.yaml")).expect("dev.yaml");
    assert!(
        dev.contains("LOG_LEVEL: DEBUG  # kustomize/backend/overlays/dev/config.env"),
        "{dev}"
    );
    assert!(dev.contains("cache:\n  enabled: true"), "{dev}");
    let statefulset =
        fs::read_to_string(chart.join("templates/statefulset-backend-app-cache.yaml"))
            .expect("template");
    assert!(
        statefulset.contains("{%- if Values.cache.enabled %}"),
        "{statefulset}"
    );
    let deployment =
        fs::read_to_string(chart.join("templates/deployment-backend-app.yaml")).expect("template");
    assert!(
        deployment.contains(
            "image: \"{{ Values.backendApp.image.repository }}:{{ Values.backendApp.image.tag }}\""
        ),
        "{deployment}"
    );
    // One tag for every container of the image, as one `images` entry sets them all.
    let job = fs::read_to_string(chart.join("templates/job-backend-app-db-migrate.yaml"))
        .expect("template");
    assert!(job.contains("Values.backendApp.image.tag"), "{job}");
    assert!(
        chart
            .join("files/backend-app-log-collector-config/fluent-bit.conf")
            .is_file()
    );
}

/// A changed value reaches every place Kustomize would change: the generated ConfigMap's name
/// (its hash, as Kustomize computes it) and every object that refers to it.
#[test]
fn a_generated_name_follows_its_data() {
    if !tools::kustomize_installed() {
        tools::skip_without_kustomize();
        return;
    }
    let (out, _) = import_case(&Path::new(CORPUS).join("generators"));
    let render = |extra: &[&str]| -> Vec<Value> {
        let output = ktera()
            .arg("template")
            .arg(out.path().join("chart"))
            .arg("-f")
            .arg(out.path().join("values/dev.yaml"))
            .args(extra)
            .output()
            .expect("run");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_yaml::Deserializer::from_str(&String::from_utf8_lossy(&output.stdout))
            .map(|d| serde::Deserialize::deserialize(d).expect("YAML"))
            .collect()
    };
    let config_name = |docs: &[Value]| -> String {
        docs.iter()
            .find_map(|d| {
                let name = d.get("metadata")?.get("name")?.as_str()?;
                (d.get("kind")?.as_str()? == "ConfigMap" && name.starts_with("web-config-")).then(
                    || {
                        assert_eq!(
                            Some(&name[11..]),
                            ktera::kustomize::name_hash(d).as_deref(),
                            "{name}"
                        );
                        name.to_string()
                    },
                )
            })
            .expect("the ConfigMap web-config")
    };
    let mentions = |docs: &[Value], name: &str| -> usize {
        docs.iter()
            .map(|d| {
                serde_yaml::to_string(d)
                    .expect("YAML")
                    .matches(name)
                    .count()
            })
            .sum()
    };
    let before = render(&[]);
    let old = config_name(&before);
    let after = render(&["--set-string", "webConfig.data.LOG_LEVEL=trace"]);
    let new = config_name(&after);
    assert_ne!(old, new);
    assert_eq!(mentions(&after, &old), 0);
    assert_eq!(mentions(&after, &new), mentions(&before, &old));
    assert!(
        mentions(&after, &new) >= 3,
        "the ConfigMap and its references"
    );
}

/// The hash function against every hashed name Kustomize printed in the corpus.
#[test]
fn kustomize_hash_matches_every_generated_name_of_the_corpus() {
    let mut checked = 0;
    for file in corpus_files(Path::new(CORPUS)) {
        let text = fs::read_to_string(&file).expect("build");
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let value: Value = serde::Deserialize::deserialize(doc).expect("YAML");
            let Some(name) = value
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let Some(hash) = ktera::kustomize::name_hash(&value) else {
                continue;
            };
            let suffix = name.rsplit('-').next().unwrap_or("");
            let looks_hashed = suffix.len() == 10
                && suffix
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if looks_hashed {
                assert_eq!(suffix, hash, "{}: {name}", file.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "only {checked} hashed names found");
}

fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(corpus_files(&path));
        } else if path.parent().is_some_and(|p| p.ends_with("expected"))
            && path.extension().is_some_and(|e| e == "yaml")
        {
            out.push(path);
        }
    }
    out
}

/// Runs an import of a bad case: exit 1, a message containing `expected`, nothing written.
fn refuses(case: &str, expected: &[&str]) {
    if !tools::kustomize_installed() {
        tools::skip_without_kustomize();
        return;
    }
    let dir = Path::new(CORPUS).join("bad").join(case);
    let envs = environments(&dir);
    let out = TempDir::new().expect("temp dir");
    let assert = ktera()
        .current_dir(&dir)
        .arg("import")
        .arg("--chart")
        .arg(out.path().join("charts/app"))
        .arg("--values-dir")
        .arg(out.path().join("values"))
        .args(envs.iter().map(|(env, dir)| format!("{env}={dir}")))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for fragment in expected {
        assert!(
            stderr.contains(fragment),
            "{case}: {fragment:?} not in:\n{stderr}"
        );
    }
    assert_eq!(
        fs::read_dir(out.path()).expect("out").count(),
        0,
        "{case}: something was written"
    );
}

#[test]
fn a_directory_without_kustomization_is_refused() {
    refuses(
        "not-a-kustomization",
        &["app: not a kustomization", "kustomization.yaml"],
    );
}

#[test]
fn kustomize_refusing_an_overlay_shows_its_message() {
    refuses(
        "kustomize-refuses",
        &["prod", "Kustomize cannot build", "patchesJson6902"],
    );
    refuses(
        "not-yaml",
        &[
            "Kustomize cannot build",
            "service.yaml",
            "MalformedYAMLError",
        ],
    );
    refuses(
        "duplicate-identity",
        &["prod", "may not add resource with an already registered id"],
    );
}

#[test]
fn kustomize_panicking_shows_the_panic_without_its_stack() {
    refuses(
        "delete-patches-in-one-file",
        &[
            "panic: runtime error",
            "stack trace Kustomize printed is left out",
        ],
    );
}

#[test]
fn one_object_twice_in_a_build_is_refused() {
    refuses(
        "duplicate-identity-built",
        &["prod", "apps/Deployment web is defined twice"],
    );
}

/// Existing targets are refused without --force (nothing changes); with it, the chart is
/// replaced whole.
#[test]
fn existing_targets_need_force() {
    if !tools::kustomize_installed() {
        tools::skip_without_kustomize();
        return;
    }
    let case = Path::new(CORPUS).join("replicas");
    let (out, envs) = import_case(&case);
    let chart = out.path().join("chart");
    let stale = chart.join("templates/stale.yaml");
    fs::write(&stale, "kind: Stale\nmetadata: {name: x}\n").expect("write");
    let args: Vec<String> = envs.iter().map(|(e, d)| format!("{e}={d}")).collect();
    let run = |force: bool| {
        let mut cmd = ktera();
        cmd.current_dir(&case)
            .arg("import")
            .arg("--chart")
            .arg(&chart)
            .arg("--values-dir")
            .arg(out.path().join("values"))
            .args(&args);
        if force {
            cmd.arg("--force");
        }
        cmd.assert()
    };
    run(false)
        .code(1)
        .stderr(predicate::str::contains("already exist").and(predicate::str::contains("--force")));
    assert!(stale.is_file(), "a refused import changed the chart");
    run(true).code(0);
    assert!(
        !stale.exists(),
        "--force left a template of the earlier chart"
    );
}

/// A --chart directory that is, holds or lies in a kustomization directory is refused even
/// with --force: replacing it whole would remove the Kustomize files the import reads.
#[test]
fn a_chart_over_the_kustomize_tree_is_refused() {
    if !tools::kustomize_installed() {
        tools::skip_without_kustomize();
        return;
    }
    let work = TempDir::new().expect("temp dir");
    let tree = work.path().join("k");
    copy_dir(&Path::new(CORPUS).join("replicas"), &tree);
    for chart in ["k", "k/overlays", "k/overlays/dev/chart", "k/base/chart"] {
        ktera()
            .current_dir(work.path())
            .arg("import")
            .args(["--chart", chart, "--values-dir", "values", "--force"])
            .args(["dev=k/overlays/dev", "prod=k/overlays/prod"])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("overlap").and(predicate::str::contains(
                    "choose a --chart directory outside the Kustomize tree",
                )),
            );
        assert!(
            tree.join("base/kustomization.yaml").is_file()
                && tree.join("overlays/dev/kustomization.yaml").is_file(),
            "--chart {chart} changed the Kustomize tree"
        );
        assert!(!work.path().join("values").exists(), "--chart {chart}");
    }
}

/// A values directory that cannot be made (a file is in the way): exit 1, nothing written.
#[test]
fn an_unwritable_target_writes_nothing() {
    if !tools::kustomize_installed() {
        tools::skip_without_kustomize();
        return;
    }
    let out = TempDir::new().expect("temp dir");
    let blocker = out.path().join("values");
    fs::write(&blocker, "a file, not a directory\n").expect("write");
    ktera()
        .current_dir(Path::new(CORPUS).join("replicas"))
        .arg("import")
        .arg("--chart")
        .arg(out.path().join("charts/replicas"))
        .arg("--values-dir")
        .arg(&blocker)
        .args(["dev=overlays/dev", "prod=overlays/prod"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("cannot write")
                .and(predicate::str::contains("nothing was written")),
        );
    let left: Vec<_> = fs::read_dir(out.path())
        .expect("out")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("values")], "{left:?}");
}

#[test]
fn without_kustomize_it_says_what_to_install() {
    let out = TempDir::new().expect("temp dir");
    let empty = TempDir::new().expect("temp dir");
    ktera()
        .env("PATH", empty.path())
        .arg("import")
        .arg("--chart")
        .arg(out.path().join("chart"))
        .arg("--values-dir")
        .arg(out.path().join("values"))
        .arg("kustomize/backend/overlays/dev")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "neither `kustomize` nor `kubectl` is installed",
        ));
    assert_eq!(fs::read_dir(out.path()).expect("out").count(), 0);
}

#[test]
fn usage_errors() {
    ktera()
        .args(["import", "--chart", "x", "bad name=overlays/dev"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot name an environment"));
    ktera()
        .args([
            "import",
            "--chart",
            "x",
            "kustomize/backend/overlays/dev",
            "dev=kustomize/backend/overlays/prod",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("given twice"));
}
