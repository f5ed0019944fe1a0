//! The Renovate recipe (renovate.json): valid against Renovate's published schema, the
//! helm-values manager finds the third-party images of the chart and leaves the application's
//! own tag to the deploy job, and its post-upgrade command re-renders the tree after a bump, so
//! that `ktera render --check` passes on Renovate's branch.

use crate::common::copy_dir;
use crate::common::schema::{Schema, load};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_yaml::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(root().join("renovate.json")).unwrap()).unwrap()
}

/// The helm-values manager's default file pattern (Renovate's docs, modules/manager/helm-values).
const DEFAULT_PATTERN: &str = "/(^|/)values\\.ya?ml$/";

/// The packageRule that runs after helm-values updates.
fn post_upgrade(config: &serde_json::Value) -> &serde_json::Value {
    let rule = config["packageRules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["matchManagers"] == serde_json::json!(["helm-values"]))
        .expect("a packageRule for helm-values");
    &rule["postUpgradeTasks"]
}

/// Renovate's schema (draft-07) checks little below the top level: its object-valued options
/// are `{"$ref": "#", "allOf": [...]}`, and draft-07 ignores the siblings of a `$ref`. So the
/// options are checked one by one too: every key must be an option of the schema's
/// `definitions`, object-valued ones (`"$ref": "#"`) are checked the same way inside, and
/// every other value against its option's own definition.
fn option_violations(
    options: &serde_json::Map<String, serde_json::Value>,
    definitions: &serde_json::Map<String, serde_json::Value>,
    at: &str,
    out: &mut Vec<String>,
) {
    for (key, value) in options {
        if key == "$schema" {
            continue;
        }
        let here = format!("{at}/{key}");
        let Some(definition) = definitions.get(key) else {
            out.push(format!("{here}: not a Renovate option"));
            continue;
        };
        let nested = definition.get("$ref").is_some_and(|r| r == "#");
        match value {
            serde_json::Value::Object(inner) if nested => {
                option_violations(inner, definitions, &here, out)
            }
            serde_json::Value::Array(items) if key == "packageRules" => {
                for (i, item) in items.iter().enumerate() {
                    let rule = item.as_object().expect("a packageRule is an object");
                    option_violations(rule, definitions, &format!("{here}/{i}"), out);
                }
            }
            _ => {
                assert!(!nested, "{here}: an object option given as {value}");
                let leaf = serde_json::to_string(definition).unwrap();
                assert!(
                    !leaf.contains("\"$ref\""),
                    "{here}: a definition with references"
                );
                let schema = Schema::new(definition);
                let yaml: Value = serde_json::from_value(value.clone()).unwrap();
                out.extend(
                    schema
                        .violations(&yaml)
                        .into_iter()
                        .map(|v| format!("{here}{v}")),
                );
            }
        }
    }
}

fn renovate_violations(config: &serde_json::Value) -> Vec<String> {
    let schema_json = load(&root().join("tests/fixtures/vendor/renovate.json.gz"));
    let mut violations =
        Schema::new(&schema_json).violations(&serde_json::from_value(config.clone()).unwrap());
    let definitions = schema_json["definitions"].as_object().unwrap();
    option_violations(
        config.as_object().unwrap(),
        definitions,
        "",
        &mut violations,
    );
    violations
}

#[test]
fn the_config_is_valid_against_renovates_schema() {
    let config = config();
    assert_eq!(
        config["$schema"],
        "https://docs.renovatebot.com/renovate-schema.json"
    );
    assert_eq!(renovate_violations(&config), Vec::<String>::new());
    let broken = serde_json::json!({
        "packageRules": [{"matchManager": ["helm-values"],
                          "postUpgradeTasks": {"executionMode": "always", "commands": "ktera render"}}]
    });
    assert_eq!(
        renovate_violations(&broken).len(),
        3,
        "the check bites: {:?}",
        renovate_violations(&broken)
    );
}

/// A `managerFilePatterns` entry: `/regex/` (Renovate's re2 syntax, which these patterns share
/// with regex-lite) or a glob.
fn matches_pattern(pattern: &str, path: &str) -> bool {
    let regex = pattern
        .strip_prefix('/')
        .and_then(|p| p.strip_suffix('/'))
        .expect("a /regex/ pattern");
    regex_lite::Regex::new(regex).unwrap().is_match(path)
}

/// Renovate's helm-values heuristic (lib/modules/manager/helm-values/util.ts and extract.ts):
/// a key ending in `image` (any case) whose value is a mapping with `repository` and `tag` or
/// `version` is an image; a key ending in `image` with a string value is an image reference.
fn images(value: &Value, path: &str, found: &mut Vec<(String, String)>) {
    let Some(map) = value.as_mapping() else {
        return;
    };
    for (key, value) in map {
        let key = key.as_str().unwrap_or_default();
        let here = if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        };
        let image_key = key.to_lowercase().ends_with("image");
        if image_key
            && value.get("repository").is_some()
            && (value.get("tag").is_some() || value.get("version").is_some())
        {
            let tag = value.get("tag").or(value.get("version")).unwrap();
            let tag = tag
                .as_str()
                .map_or_else(|| serde_yaml::to_string(tag).unwrap(), str::to_string);
            found.push((
                here,
                format!("{}:{}", value["repository"].as_str().unwrap(), tag.trim()),
            ));
        } else if image_key && value.as_str().is_some_and(|s| !s.is_empty()) {
            found.push((here, value.as_str().unwrap().to_string()));
        } else {
            images(value, &here, found);
        }
    }
}

/// Every file of the repository's example (charts/ and values/; the tests' fixtures are charts
/// too) the helm-values manager reads, with the images it finds.
fn helm_values_dependencies() -> Vec<(String, Vec<(String, String)>)> {
    let config = config();
    let mut patterns = vec![DEFAULT_PATTERN.to_string()];
    for pattern in config["helm-values"]["managerFilePatterns"]
        .as_array()
        .unwrap()
    {
        patterns.push(pattern.as_str().unwrap().to_string());
    }
    let output = Command::new("git")
        .args(["ls-files", "--cached", "--others", "--exclude-standard"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(output.status.success());
    let mut files = Vec::new();
    for path in String::from_utf8(output.stdout).unwrap().lines() {
        let example = path.starts_with("charts/") || path.starts_with("values/");
        if !example || !patterns.iter().any(|p| matches_pattern(p, path)) {
            continue;
        }
        let text = fs::read_to_string(root().join(path)).unwrap();
        let mut found = Vec::new();
        images(&serde_yaml::from_str(&text).unwrap(), "", &mut found);
        files.push((path.to_string(), found));
    }
    files.sort();
    files
}

#[test]
fn the_helm_values_manager_finds_the_charts_third_party_images() {
    let found = helm_values_dependencies();
    let expected = vec![
        (
            "charts/backend/charts/cache/values.yaml".to_string(),
            vec![(
                "image".to_string(),
                "public.ecr.aws/docker/library/redis:7.4.2-alpine".to_string(),
            )],
        ),
        (
            "charts/backend/values.yaml".to_string(),
            vec![(
                "logCollector.image".to_string(),
                "cr.fluentbit.io/fluent/fluent-bit:3.2.4".to_string(),
            )],
        ),
        // The application's own image tag is the deploy job's (`ktera set`), never Renovate's:
        // without `repository` beside it, the manager does not take it for an image.
        ("values/dev.yaml".to_string(), vec![]),
        ("values/prod.yaml".to_string(), vec![]),
    ];
    assert_eq!(found, expected);
}

fn ktera_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ktera"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Renovate's update of each image found (its new tag written where the old one was, as its
/// `replaceString` does), then the packageRule's commands run in the repository as Renovate runs
/// them (a shell, ktera on PATH): the tree is stale before, up to date after, and every file the
/// commands changed is one that `fileFilters` commits.
#[test]
fn the_post_upgrade_command_renders_what_a_bump_changed() {
    let config = config();
    let tasks = post_upgrade(&config);
    assert_eq!(
        tasks["executionMode"], "branch",
        "once per branch, after all its updates"
    );
    let commands: Vec<&str> = tasks["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(commands, ["ktera render"]);
    let mut filters = globset::GlobSetBuilder::new();
    for filter in tasks["fileFilters"].as_array().unwrap() {
        filters.add(globset::Glob::new(filter.as_str().unwrap()).unwrap());
    }
    let filters = filters.build().unwrap();

    for (file, images) in helm_values_dependencies() {
        for (_, image) in images {
            let tmp = tempfile::tempdir().unwrap();
            for dir in ["charts", "values", "rendered"] {
                copy_dir(&root().join(dir), &tmp.path().join(dir));
            }
            fs::copy(root().join("ktera.yaml"), tmp.path().join("ktera.yaml")).unwrap();
            let (_, tag) = image.rsplit_once(':').unwrap();
            let values = tmp.path().join(&file);
            let text = fs::read_to_string(&values).unwrap();
            assert_eq!(text.matches(tag).count(), 1, "{file}: {tag}");
            fs::write(&values, text.replace(tag, &format!("{tag}-renovate"))).unwrap();
            let stale = ktera_in(tmp.path(), &["render", "--check"]);
            assert_eq!(
                stale.status.code(),
                Some(1),
                "{image}: the bump must change rendered/"
            );
            let before = files(tmp.path());

            let bin = Path::new(env!("CARGO_BIN_EXE_ktera")).parent().unwrap();
            let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
            ))
            .unwrap();
            for command in &commands {
                let output = Command::new("sh")
                    .args(["-c", command])
                    .current_dir(tmp.path())
                    .env("PATH", &path)
                    .output()
                    .unwrap();
                assert!(
                    output.status.success(),
                    "{command}: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            let fresh = ktera_in(tmp.path(), &["render", "--check"]);
            assert!(
                fresh.status.success(),
                "{image}: {}",
                String::from_utf8_lossy(&fresh.stdout)
            );
            let after = files(tmp.path());
            let changed: Vec<&str> = after
                .iter()
                .filter(|entry| !before.contains(entry))
                .map(|(path, _)| path.as_str())
                .collect();
            assert!(!changed.is_empty(), "{image}");
            for path in &changed {
                assert!(
                    filters.is_match(path),
                    "{path} changed but fileFilters would not commit it"
                );
                let text = fs::read_to_string(tmp.path().join(path)).unwrap();
                assert!(text.contains(&format!("{tag}-renovate")), "{path}");
            }
        }
    }
}
