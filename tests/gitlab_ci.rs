//! `.gitlab-ci.yml`: valid YAML with the seed's stages, the jobs it promises in them, branch
//! rules (merge requests stop before publishing, main deploys behind a manual gate), and deploy
//! jobs that set the tag with `ktera set` and render with `ktera render`.

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
