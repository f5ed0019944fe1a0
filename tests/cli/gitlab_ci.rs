//! `.gitlab-ci.yml`: valid YAML with the seed's stages, the jobs it promises in them, branch
//! rules (merge requests stop before publishing, main deploys behind a manual gate), and deploy
//! jobs that set the tag with `ktera set` and render with `ktera render`.

use crate::common::copy_dir;
use std::path::PathBuf;

use serde_yaml::{Mapping, Value};

fn pipeline() -> Mapping {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".gitlab-ci.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    match serde_yaml::from_str(&text).unwrap() {
        Value::Mapping(map) => map,
        other => panic!("the top level is not a mapping: {other:?}"),
    }
}

/// Deep merge as GitLab's `extends` does: mappings merge key by key, the job's own keys win.
fn merge(base: &Value, own: &Value) -> Value {
    match (base, own) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            let mut out = b.clone();
            for (key, value) in o {
                let merged = match b.get(key) {
                    Some(inherited) => merge(inherited, value),
                    None => value.clone(),
                };
                out.insert(key.clone(), merged);
            }
            Value::Mapping(out)
        }
        _ => own.clone(),
    }
}

/// A job with its `extends` applied.
fn job(ci: &Mapping, name: &str) -> Value {
    let own = ci.get(name).unwrap_or_else(|| panic!("no job {name}"));
    match own.get("extends").and_then(Value::as_str) {
        Some(parent) => merge(&job(ci, parent), own),
        None => own.clone(),
    }
}

/// The job's shell lines: before_script then script. GitLab takes only strings there (a line
/// with an unquoted `: ` would read as a mapping).
fn script(job: &Value) -> String {
    let mut lines = Vec::new();
    for key in ["before_script", "script"] {
        if let Some(items) = job.get(key).and_then(Value::as_sequence) {
            for item in items {
                match item.as_str() {
                    Some(line) => lines.push(line.to_string()),
                    None => panic!("{key}: not a string: {item:?}"),
                }
            }
        }
    }
    lines.join("\n")
}

fn rules(job: &Value) -> Vec<(String, Option<String>)> {
    job.get("rules")
        .and_then(Value::as_sequence)
        .map(|rules| {
            rules
                .iter()
                .map(|r| {
                    let condition = r
                        .get("if")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let when = r.get("when").and_then(Value::as_str).map(str::to_string);
                    (condition, when)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn stages_are_the_seed_pipeline() {
    let ci = pipeline();
    let stages: Vec<&str> = ci["stages"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        stages,
        ["build", "test", "render-check", "publish", "deploy"]
    );
}

#[test]
fn every_promised_job_is_in_its_stage() {
    let ci = pipeline();
    let stages: Vec<&str> = ci["stages"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for (name, stage) in [
        ("build", "build"),
        ("test", "test"),
        ("render-check", "render-check"),
        ("publish", "publish"),
        ("deploy-dev", "deploy"),
        ("deploy-prod", "deploy"),
    ] {
        let job = job(&ci, name);
        assert_eq!(job["stage"].as_str(), Some(stage), "{name}");
        assert!(!script(&job).is_empty(), "{name} has no script");
    }
    // Every job (not a hidden template) names a declared stage.
    for (key, value) in &ci {
        let Some(name) = key.as_str() else { continue };
        if name.starts_with('.')
            || !value.is_mapping()
            || value.get("script").is_none() && value.get("extends").is_none()
        {
            continue;
        }
        let stage = job(&ci, name)["stage"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_default();
        assert!(
            stages.contains(&stage.as_str()),
            "{name}: stage {stage:?} is not declared"
        );
    }
}

#[test]
fn render_check_runs_ktera_render_check() {
    let ci = pipeline();
    assert!(script(&job(&ci, "render-check")).contains("ktera render --check"));
}

#[test]
fn publish_logs_in_to_ecr_and_pushes_the_commit_tag() {
    let ci = pipeline();
    let publish = job(&ci, "publish");
    let script = script(&publish);
    assert!(
        script.contains(
            "aws ecr get-login-password --region \"$AWS_REGION\" | docker login --username AWS --password-stdin"
        ),
        "{script}"
    );
    for variable in ["AWS_ACCOUNT_ID", "AWS_REGION", "ECR_REPOSITORY"] {
        let defined = serde_yaml::to_string(&ci["variables"]).unwrap();
        assert!(defined.contains(variable), "{variable} is not used");
    }
    assert!(
        script.contains("docker push \"$IMAGE:$CI_COMMIT_SHORT_SHA\""),
        "{script}"
    );
    // Only branch pipelines publish: merge requests stop at the render check.
    let conditions = rules(&publish);
    assert!(!conditions.is_empty());
    for (condition, _) in conditions {
        assert!(condition.contains("$CI_COMMIT_BRANCH"), "{condition}");
        assert!(!condition.contains("merge_request"), "{condition}");
    }
}

#[test]
fn deploy_jobs_set_the_tag_render_and_commit_for_argo_cd() {
    let ci = pipeline();
    for (name, env, branch, when) in [
        ("deploy-dev", "dev", "develop", None),
        ("deploy-prod", "prod", "main", Some("manual")),
    ] {
        let job = job(&ci, name);
        assert_eq!(job["variables"]["DEPLOY_ENV"].as_str(), Some(env), "{name}");
        assert_eq!(job["environment"]["name"].as_str(), Some(env), "{name}");
        let script = script(&job);
        assert!(
            script.contains(
                "ktera set --string \"values/$DEPLOY_ENV.yaml\" \"image.tag=$CI_COMMIT_SHORT_SHA\""
            ),
            "{name}: {script}"
        );
        assert!(
            script.contains("ktera render --env \"$DEPLOY_ENV\""),
            "{name}"
        );
        let set = script.find("ktera set").unwrap();
        let render = script.find("ktera render").unwrap();
        let commit = script.find("git commit").unwrap();
        let push = script.find("git push").unwrap();
        assert!(
            set < render && render < commit && commit < push,
            "{name}: set, render, commit, push"
        );
        assert!(
            script.contains("[skip ci]"),
            "{name}: the deploy commit must not start a pipeline"
        );
        assert_eq!(
            rules(&job),
            [(
                format!("$CI_COMMIT_BRANCH == \"{branch}\""),
                when.map(str::to_string)
            )],
            "{name}"
        );
        assert!(
            job["resource_group"].is_string(),
            "{name}: deploys of one environment must not overlap"
        );
    }
    // The manual gate blocks the pipeline instead of being skipped.
    assert_eq!(job(&ci, "deploy-prod")["allow_failure"], Value::Bool(false));
}

#[test]
fn merge_requests_and_the_two_branches_start_pipelines() {
    let ci = pipeline();
    let workflow = serde_yaml::to_string(&ci["workflow"]).unwrap();
    for needle in ["merge_request_event", "\"develop\"", "\"main\""] {
        assert!(
            workflow.contains(needle),
            "workflow rules lack {needle}: {workflow}"
        );
    }
}

/// The deploy job's script, run for real: a bare repository stands for GitLab, its `develop`
/// holds the chart, values, project file and rendered tree; the job runs in a detached clone.
#[test]
fn deploy_script_commits_the_new_tag_and_rendered_tree() {
    use std::process::Command;

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let ktera = PathBuf::from(env!("CARGO_BIN_EXE_ktera"));
    let tmp = tempfile::tempdir().unwrap();
    let run = |dir: &std::path::Path, program: &str, args: &[&str]| {
        let output = Command::new(program)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let git = |dir: &std::path::Path, args: &[&str]| {
        let mut all = vec!["-c", "user.name=dev", "-c", "user.email=dev@example.com"];
        all.extend(args);
        run(dir, "git", &all)
    };

    // The application repository as the deploy stage finds it.
    let seed = tmp.path().join("seed");
    for dir in ["charts/backend", "values"] {
        copy_dir(&root.join(dir), &seed.join(dir));
    }
    std::fs::write(
        seed.join("ktera.yaml"),
        "environments:\n  dev:\n    releases:\n      - name: backend\n        chart: charts/backend\n        namespace: dominos-service-backend\n        values: [values/dev.yaml]\n",
    )
    .unwrap();
    run(&seed, ktera.to_str().unwrap(), &["render"]);
    git(&seed, &["init", "-q", "-b", "develop"]);
    git(&seed, &["add", "."]);
    git(&seed, &["commit", "-q", "-m", "app"]);
    let origin = tmp.path().join("origin.git");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            seed.to_str().unwrap(),
            origin.to_str().unwrap(),
        ],
    );
    let before = std::fs::read_to_string(seed.join("values/dev.yaml")).unwrap();

    // The job: a detached checkout of the pipeline's commit, the .deploy script, deploy-dev's
    // variables.
    let work = tmp.path().join("job");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            work.to_str().unwrap(),
        ],
    );
    let head = git(&work, &["rev-parse", "HEAD"]);
    git(&work, &["checkout", "-q", "--detach", head.trim()]);
    let ci = pipeline();
    let deploy = job(&ci, "deploy-dev");
    let script = format!("set -e\n{}\n", script(&deploy));
    let path = std::env::join_paths(
        std::iter::once(ktera.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let deploy_once = || {
        let output = Command::new("sh")
            .args(["-c", &script])
            .current_dir(&work)
            .env("PATH", &path)
            .env("CI_COMMIT_BRANCH", "develop")
            .env("CI_COMMIT_SHORT_SHA", "12345678")
            .env("CI_SERVER_HOST", "gitlab.example.com")
            .env(
                "DEPLOY_ENV",
                deploy["variables"]["DEPLOY_ENV"].as_str().unwrap(),
            )
            .env("PUSH_URL", &origin)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    deploy_once();

    // What Argo CD will see on develop.
    let check = tmp.path().join("check");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "-b",
            "develop",
            origin.to_str().unwrap(),
            check.to_str().unwrap(),
        ],
    );
    let message = git(&check, &["log", "-1", "--format=%s"]);
    assert_eq!(message.trim(), "deploy(dev): image.tag=12345678 [skip ci]");
    let changed = git(&check, &["diff", "--name-only", "HEAD~1", "HEAD"]);
    assert_eq!(
        changed.lines().collect::<Vec<_>>(),
        ["rendered/dev/backend.yaml", "values/dev.yaml"]
    );
    let after = std::fs::read_to_string(check.join("values/dev.yaml")).unwrap();
    let differing: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(differing.len(), 1, "{differing:?}");
    assert_eq!(
        differing[0].1, "  tag: '12345678'",
        "a commit hash of digits stays a string"
    );
    assert_eq!(before.lines().count(), after.lines().count());
    run(&check, ktera.to_str().unwrap(), &["render", "--check"]);

    // Deploying the same commit again changes nothing.
    let again = deploy_once();
    assert!(again.contains("already deploys 12345678"), "{again}");
    git(&check, &["fetch", "-q"]);
    assert_eq!(
        git(&check, &["rev-parse", "origin/develop"]),
        git(&check, &["rev-parse", "HEAD"])
    );
}
