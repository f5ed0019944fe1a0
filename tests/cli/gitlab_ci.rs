//! GitLab CI: the root `.gitlab-ci.yml` (this repository's pipeline), the job templates it
//! includes (`deploy/gitlab/ktera.gitlab-ci.yml`) and the application template
//! (`deploy/gitlab/application.gitlab-ci.yml`). Each file is validated against GitLab's
//! published CI schema (tests/fixtures/vendor/gitlab-ci.json), `workflow:rules` and job rules
//! are evaluated for the pipelines GitLab would create, and the shell of every job that needs
//! no network runs here: render-check, lint and the deploy (set, render, commit to a bare
//! repository standing for GitLab).

use crate::common::copy_dir;
use crate::common::schema::{Schema, load};
use crate::common::tools::skip_not_allowed;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::LazyLock;

use serde_yaml::{Mapping, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const ROOT_PIPELINE: &str = ".gitlab-ci.yml";
const TEMPLATES: &str = "deploy/gitlab/ktera.gitlab-ci.yml";
const APPLICATION: &str = "deploy/gitlab/application.gitlab-ci.yml";

fn read(path: &str) -> Mapping {
    let text = fs::read_to_string(root().join(path)).unwrap();
    match serde_yaml::from_str(&text).unwrap() {
        Value::Mapping(map) => map,
        other => panic!("{path}: the top level is not a mapping: {other:?}"),
    }
}

/// A configuration with its `include`s merged in, as GitLab merges them: the including file's
/// keys win, mappings merge key by key. `include: project` names the project that holds ktera,
/// which is this repository.
fn pipeline(path: &str) -> Mapping {
    let own = read(path);
    let mut merged = Value::Mapping(Mapping::new());
    for include in own
        .get("include")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let file = match (include.get("local"), include.get("project")) {
            (Some(local), None) => local.as_str().unwrap().to_string(),
            (None, Some(project)) => {
                assert_eq!(
                    project, "dominos/ktera",
                    "{path}: include of another project"
                );
                assert!(include["ref"].is_string(), "{path}: pin the included ref");
                include["file"].as_str().unwrap().to_string()
            }
            _ => panic!("{path}: include {include:?}"),
        };
        assert!(
            root().join(&file).is_file(),
            "{path}: {file} does not exist"
        );
        merged = merge(&merged, &Value::Mapping(read(&file)));
    }
    match merge(&merged, &Value::Mapping(own)) {
        Value::Mapping(map) => map,
        _ => unreachable!(),
    }
}

/// Deep merge as GitLab's `extends` and `include` do: mappings merge key by key, the second
/// side's keys win, anything else (lists too) is replaced.
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

/// A job with its `extends` (a name or a list, applied in order) resolved.
fn job(ci: &Mapping, name: &str) -> Value {
    let own = ci.get(name).unwrap_or_else(|| panic!("no job {name}"));
    let parents: Vec<&str> = match own.get("extends") {
        None => Vec::new(),
        Some(Value::String(parent)) => vec![parent.as_str()],
        Some(Value::Sequence(list)) => list.iter().filter_map(Value::as_str).collect(),
        Some(other) => panic!("{name}: extends {other:?}"),
    };
    let mut resolved = Value::Mapping(Mapping::new());
    for parent in parents {
        resolved = merge(&resolved, &job(ci, parent));
    }
    let mut resolved = merge(&resolved, own);
    if let Value::Mapping(map) = &mut resolved {
        map.remove("extends");
    }
    resolved
}

/// The jobs: every top-level key that is not a keyword or a hidden template.
fn job_names(ci: &Mapping) -> Vec<String> {
    const KEYWORDS: [&str; 9] = [
        "stages",
        "workflow",
        "variables",
        "include",
        "default",
        "image",
        "services",
        "cache",
        "spec",
    ];
    ci.keys()
        .filter_map(Value::as_str)
        .filter(|k| !k.starts_with('.') && !KEYWORDS.contains(k))
        .map(str::to_string)
        .collect()
}

/// The job's shell: before_script then script, as one shell runs them. GitLab takes only
/// strings there (a line with an unquoted `: ` would read as a mapping).
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

// --- rules ---------------------------------------------------------------------------------

/// Evaluates a `rules:if` expression of the forms these files use: `$VAR` (set and not
/// empty), `$VAR == "text"`, `!=`, `&&` (binding tighter than `||`) and parentheses.
fn condition(expr: &str, vars: &BTreeMap<&str, &str>) -> bool {
    let tokens = tokenize(expr);
    let mut at = 0;
    let value = or(&tokens, &mut at, vars);
    assert_eq!(at, tokens.len(), "{expr}: trailing tokens");
    value
}

fn tokenize(expr: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '\'' {
            let end = chars[i + 1..].iter().position(|&d| d == c).unwrap() + i + 1;
            tokens.push(chars[i..=end].iter().collect());
            i = end + 1;
        } else if "()".contains(c) {
            tokens.push(c.to_string());
            i += 1;
        } else if ["&&", "||", "==", "!="].contains(
            &chars[i..(i + 2).min(chars.len())]
                .iter()
                .collect::<String>()
                .as_str(),
        ) {
            tokens.push(chars[i..i + 2].iter().collect());
            i += 2;
        } else {
            let end = chars[i..]
                .iter()
                .position(|d| d.is_whitespace() || "()&|=!\"'".contains(*d))
                .map_or(chars.len(), |p| p + i);
            assert!(end > i, "{expr}: unexpected {c:?}");
            tokens.push(chars[i..end].iter().collect());
            i = end;
        }
    }
    tokens
}

fn or(tokens: &[String], at: &mut usize, vars: &BTreeMap<&str, &str>) -> bool {
    let mut value = and(tokens, at, vars);
    while tokens.get(*at).is_some_and(|t| t == "||") {
        *at += 1;
        let right = and(tokens, at, vars);
        value = value || right;
    }
    value
}

fn and(tokens: &[String], at: &mut usize, vars: &BTreeMap<&str, &str>) -> bool {
    let mut value = comparison(tokens, at, vars);
    while tokens.get(*at).is_some_and(|t| t == "&&") {
        *at += 1;
        let right = comparison(tokens, at, vars);
        value = value && right;
    }
    value
}

fn comparison(tokens: &[String], at: &mut usize, vars: &BTreeMap<&str, &str>) -> bool {
    if tokens[*at] == "(" {
        *at += 1;
        let value = or(tokens, at, vars);
        assert_eq!(tokens[*at], ")");
        *at += 1;
        return value;
    }
    let left = operand(&tokens[*at], vars);
    *at += 1;
    match tokens.get(*at).map(String::as_str) {
        Some(op @ ("==" | "!=")) => {
            *at += 1;
            let right = operand(&tokens[*at], vars);
            *at += 1;
            (left == right) == (op == "==")
        }
        _ => left.is_some_and(|v| !v.is_empty()),
    }
}

fn operand<'a>(token: &'a str, vars: &BTreeMap<&str, &'a str>) -> Option<&'a str> {
    if let Some(name) = token.strip_prefix('$') {
        vars.get(name).copied()
    } else if token == "null" {
        None
    } else {
        Some(&token[1..token.len() - 1])
    }
}

/// `Some(when)` when the rules add the job (or create the pipeline), `None` when not.
/// No rules: always, `on_success`.
fn rules_result(rules: Option<&Value>, vars: &BTreeMap<&str, &str>, repo: &Path) -> Option<String> {
    let Some(rules) = rules.and_then(Value::as_sequence) else {
        return Some("on_success".into());
    };
    for rule in rules {
        let mut matches = true;
        if let Some(expr) = rule.get("if") {
            matches &= condition(expr.as_str().unwrap(), vars);
        }
        if let Some(paths) = rule.get("exists").and_then(Value::as_sequence) {
            matches &= paths
                .iter()
                .any(|p| repo.join(p.as_str().unwrap()).exists());
        }
        if matches {
            let when = rule
                .get("when")
                .and_then(Value::as_str)
                .unwrap_or("on_success");
            return (when != "never").then(|| when.to_string());
        }
    }
    None
}

/// The pipeline GitLab creates for these predefined variables: `None` when workflow:rules
/// create none, else each job that is added, with its `when`.
fn created(ci: &Mapping, vars: &[(&str, &str)], repo: &Path) -> Option<BTreeMap<String, String>> {
    let vars: BTreeMap<&str, &str> = vars.iter().copied().collect();
    rules_result(ci.get("workflow").and_then(|w| w.get("rules")), &vars, repo)?;
    let mut jobs = BTreeMap::new();
    for name in job_names(ci) {
        if let Some(when) = rules_result(job(ci, &name).get("rules"), &vars, repo) {
            jobs.insert(name, when);
        }
    }
    Some(jobs)
}

const MERGE_REQUEST: &[(&str, &str)] = &[
    ("CI_PIPELINE_SOURCE", "merge_request_event"),
    ("CI_MERGE_REQUEST_IID", "12"),
];
const FEATURE_WITH_MR: &[(&str, &str)] = &[
    ("CI_PIPELINE_SOURCE", "push"),
    ("CI_COMMIT_BRANCH", "feature/login"),
    ("CI_OPEN_MERGE_REQUESTS", "dominos/backend!12"),
];
const FEATURE: &[(&str, &str)] = &[
    ("CI_PIPELINE_SOURCE", "push"),
    ("CI_COMMIT_BRANCH", "feature/login"),
];
/// A push to develop while the develop -> main merge request is open.
const DEVELOP_WITH_MR: &[(&str, &str)] = &[
    ("CI_PIPELINE_SOURCE", "push"),
    ("CI_COMMIT_BRANCH", "develop"),
    ("CI_OPEN_MERGE_REQUESTS", "dominos/backend!13"),
];
const MAIN: &[(&str, &str)] = &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_BRANCH", "main")];
const TAG: &[(&str, &str)] = &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_TAG", "v1.0.0")];

fn jobs(list: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(
        list.iter()
            .map(|(name, when)| (name.to_string(), when.to_string()))
            .collect(),
    )
}

fn with<'a>(base: &[(&'a str, &'a str)], more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    base.iter().chain(more).copied().collect()
}

#[test]
fn the_rules_evaluator_reads_gitlab_expressions() {
    let vars: BTreeMap<&str, &str> = [("A", "x"), ("E", "")].into_iter().collect();
    assert!(condition("$A", &vars));
    assert!(!condition("$E", &vars), "an empty variable is false");
    assert!(!condition("$B", &vars));
    assert!(condition("$A == \"x\" || $B", &vars));
    assert!(!condition("$A == 'y' || $B == \"x\"", &vars));
    assert!(condition("$A != \"y\" && ($B || $A)", &vars));
    assert!(condition("$B == null", &vars));
    // && binds tighter than ||.
    assert!(condition("$A || $B && $E", &vars));
}

/// The order of workflow:rules decides: the first rule that matches wins. The seed had the
/// `when: never` rule for a branch with an open merge request before the develop/main rule, so
/// a push to develop while the develop -> main merge request was open created no pipeline at
/// all: no publish, no deploy-dev.
#[test]
fn workflow_rules_keep_branch_pipelines_on_develop_and_main() {
    let seed: Value = serde_yaml::from_str(
        "rules:\n  - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n  - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS\n    when: never\n  - if: $CI_COMMIT_BRANCH == \"develop\" || $CI_COMMIT_BRANCH == \"main\"\n",
    )
    .unwrap();
    let vars: BTreeMap<&str, &str> = DEVELOP_WITH_MR.iter().copied().collect();
    assert_eq!(
        rules_result(seed.get("rules"), &vars, &root()),
        None,
        "the seed's order creates no pipeline"
    );

    for path in [ROOT_PIPELINE, APPLICATION] {
        let ci = pipeline(path);
        let workflow = ci["workflow"].get("rules");
        let creates = |scenario: &[(&str, &str)]| {
            let vars: BTreeMap<&str, &str> = scenario.iter().copied().collect();
            rules_result(workflow, &vars, &root()).is_some()
        };
        assert!(creates(MERGE_REQUEST), "{path}");
        assert!(
            creates(DEVELOP_WITH_MR),
            "{path}: develop with an open merge request"
        );
        assert!(creates(MAIN), "{path}");
        assert!(creates(FEATURE), "{path}: a branch without a merge request");
        assert!(
            !creates(FEATURE_WITH_MR),
            "{path}: a branch with a merge request runs its merge request pipeline only"
        );
        assert!(!creates(TAG), "{path}");
    }
}

#[test]
fn the_application_template_runs_the_seed_pipeline() {
    let ci = pipeline(APPLICATION);
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
    // An application repository that holds ktera.yaml (as this one does).
    let repo = root();
    let checks = jobs(&[
        ("build", "on_success"),
        ("render-check", "on_success"),
        ("test", "on_success"),
    ]);
    assert_eq!(created(&ci, MERGE_REQUEST, &repo), checks);
    assert_eq!(created(&ci, FEATURE, &repo), checks);
    assert_eq!(
        created(&ci, DEVELOP_WITH_MR, &repo),
        jobs(&[
            ("build", "on_success"),
            ("deploy-dev", "on_success"),
            ("publish", "on_success"),
            ("render-check", "on_success"),
            ("test", "on_success"),
        ])
    );
    assert_eq!(
        created(&ci, MAIN, &repo),
        jobs(&[
            ("build", "on_success"),
            ("deploy-prod", "manual"),
            ("publish", "on_success"),
            ("render-check", "on_success"),
            ("test", "on_success"),
        ])
    );
    // The manual gate blocks the pipeline instead of being skipped.
    assert_eq!(job(&ci, "deploy-prod")["allow_failure"], Value::Bool(false));
    // With the manifests in a separate GitOps repository, the render check runs there.
    let app_only = tempfile::tempdir().unwrap();
    let created = created(&ci, MERGE_REQUEST, app_only.path()).unwrap();
    assert!(!created.contains_key("render-check"), "{created:?}");
    for (name, env) in [("deploy-dev", "dev"), ("deploy-prod", "prod")] {
        let deploy = job(&ci, name);
        assert_eq!(deploy["variables"]["DEPLOY_ENV"].as_str(), Some(env));
        assert_eq!(deploy["variables"]["IMAGE_TAG"], "$CI_COMMIT_SHORT_SHA");
        assert_eq!(deploy["environment"]["name"].as_str(), Some(env));
        assert!(deploy["resource_group"].is_string());
    }
    let publish = script(&job(&ci, "publish"));
    assert!(
        publish.contains("docker push \"$IMAGE:$CI_COMMIT_SHORT_SHA\""),
        "{publish}"
    );
}

#[test]
fn this_repository_runs_its_own_pipeline() {
    let ci = pipeline(ROOT_PIPELINE);
    let repo = root();
    let checks = [
        ("check", "on_success"),
        ("ktera-image", "on_success"),
        ("lint", "on_success"),
        ("render-check", "on_success"),
    ];
    assert_eq!(created(&ci, MERGE_REQUEST, &repo), jobs(&checks));
    assert_eq!(created(&ci, DEVELOP_WITH_MR, &repo), jobs(&checks));
    let deploy_dev = with(DEVELOP_WITH_MR, &[("IMAGE_TAG", "1.4.3")]);
    let mut expected = checks.to_vec();
    expected.push(("deploy-dev", "on_success"));
    assert_eq!(created(&ci, &deploy_dev, &repo), jobs(&expected));
    let deploy_prod = with(MAIN, &[("IMAGE_TAG", "1.4.3")]);
    let mut expected = checks.to_vec();
    expected.push(("deploy-prod", "manual"));
    assert_eq!(created(&ci, &deploy_prod, &repo), jobs(&expected));
    assert_eq!(job(&ci, "deploy-prod")["allow_failure"], Value::Bool(false));

    // ktera's own checks are .ci/run's; the image is deploy/argocd/Dockerfile's, and the jobs
    // that run ktera run in the image this pipeline pushed.
    assert_eq!(
        script(&job(&ci, "check")).lines().last(),
        Some("bash .ci/run")
    );
    let image = script(&job(&ci, "ktera-image"));
    assert!(
        image.contains(
            "docker build --pull --file deploy/argocd/Dockerfile --tag \"$KTERA_IMAGE\" ."
        ),
        "{image}"
    );
    assert!(image.contains("docker push \"$KTERA_IMAGE\""));
    assert!(
        ci["variables"]["KTERA_IMAGE"]
            .as_str()
            .unwrap()
            .ends_with("/ktera:$CI_COMMIT_SHA")
    );
    for name in ["render-check", "lint", "deploy-dev", "deploy-prod"] {
        let job = job(&ci, name);
        assert_eq!(job["image"], "$KTERA_IMAGE", "{name}");
        let needs: Vec<&str> = job["needs"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            needs.contains(&"ktera-image") || needs.contains(&"render-check"),
            "{name} runs before its image exists: {needs:?}"
        );
    }
}

/// Every stage a job names is declared, every `needs` names a job of the pipeline (or an
/// optional one), and nothing a job's shell names is missing from the repository it runs in:
/// the root pipeline's jobs all run here (no `./gradlew`, no application Dockerfile).
#[test]
fn every_job_of_this_repository_can_run_here() {
    for path in [ROOT_PIPELINE, APPLICATION] {
        let ci = pipeline(path);
        let stages: Vec<&str> = ci["stages"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let names = job_names(&ci);
        for name in &names {
            let job = job(&ci, name);
            let stage = job["stage"].as_str().unwrap_or("test");
            assert!(stages.contains(&stage), "{path}: {name}: stage {stage}");
            assert!(!script(&job).is_empty(), "{path}: {name} has no script");
            for need in job
                .get("needs")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                let (needed, optional) = match need {
                    Value::String(s) => (s.as_str(), false),
                    other => (other["job"].as_str().unwrap(), other["optional"] == true),
                };
                assert!(
                    optional || names.iter().any(|n| n == needed),
                    "{path}: {name} needs {needed}"
                );
            }
        }
    }
    let ci = pipeline(ROOT_PIPELINE);
    for name in job_names(&ci) {
        let shell = script(&job(&ci, &name));
        for word in shell.split(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            let is_path = word.contains('/') || word.ends_with(".yaml") || word.ends_with(".yml");
            let plain = word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
            if is_path
                && plain
                && !word.starts_with('/')
                && !word.starts_with('-')
                && !word.contains("//")
            {
                assert!(
                    root().join(word).exists(),
                    "{name}: `{word}` does not exist in this repository"
                );
            }
        }
    }
}

/// The lint job checks exactly the releases of ktera.yaml, each with its environment's
/// Kubernetes version.
#[test]
fn the_lint_job_lints_every_release_of_the_project() {
    let ci = pipeline(ROOT_PIPELINE);
    let lint = script(&job(&ci, "lint"));
    let lines: Vec<&str> = lint
        .lines()
        .filter(|l| l.starts_with("ktera lint"))
        .collect();
    let project = read("ktera.yaml");
    let mut expected = Vec::new();
    for (_, env) in project["environments"].as_mapping().unwrap() {
        for release in env["releases"].as_sequence().unwrap() {
            let mut line = format!(
                "ktera lint {} --name {} -n {}",
                release["chart"].as_str().unwrap(),
                release["name"].as_str().unwrap(),
                release["namespace"].as_str().unwrap()
            );
            for values in release["values"].as_sequence().unwrap() {
                line += &format!(" -f {}", values.as_str().unwrap());
            }
            line += &format!(
                " --kube-version {} --strict",
                release["kubeVersion"].as_str().unwrap()
            );
            expected.push(line);
        }
    }
    assert_eq!(lines, expected);
}

static GITLAB_CI_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::new(&load(&root().join("tests/fixtures/vendor/gitlab-ci.json"))));

#[test]
fn every_file_is_valid_against_gitlab_ci_schema() {
    for path in [ROOT_PIPELINE, TEMPLATES, APPLICATION] {
        let file = Value::Mapping(read(path));
        assert_eq!(
            GITLAB_CI_SCHEMA.violations(&file),
            Vec::<String>::new(),
            "{path}"
        );
    }
    // The schema bites: a misspelled keyword, a wrong type, an unknown `when`.
    for (broken, at) in [
        ("build:\n  stage: build\n  scirpt: [make]\n", "/build"),
        ("build:\n  script: make\n  retry: often\n", "/build/retry"),
        (
            "workflow:\n  rules:\n    - if: $X\n      when: manual\n",
            "/workflow/rules/0/when",
        ),
    ] {
        let violations = GITLAB_CI_SCHEMA.violations(&serde_yaml::from_str(broken).unwrap());
        assert!(
            violations.iter().any(|v| v.starts_with(&format!("{at}:"))),
            "{broken}: {violations:?}"
        );
    }
}

/// The templates OIDC rather than stored keys: the image job's ID token is for AWS STS, and
/// the AWS CLI assumes AWS_ROLE_ARN with it.
#[test]
fn images_are_pushed_with_an_oidc_role_by_default() {
    let ci = pipeline(ROOT_PIPELINE);
    for job in [
        job(&ci, "ktera-image"),
        job(&pipeline(APPLICATION), "publish"),
    ] {
        assert_eq!(job["id_tokens"]["AWS_ID_TOKEN"]["aud"], "sts.amazonaws.com");
        let shell = script(&job);
        let token = shell
            .find("printf '%s' \"$AWS_ID_TOKEN\" > \"$AWS_WEB_IDENTITY_TOKEN_FILE\"")
            .unwrap();
        let login = shell
            .find("aws ecr get-login-password --region \"$AWS_REGION\" | docker login --username AWS --password-stdin \"$ECR_REGISTRY\"")
            .unwrap();
        assert!(token < login);
        assert!(shell.contains("export AWS_WEB_IDENTITY_TOKEN_FILE="));
        assert!(
            !shell.contains("AWS_SECRET_ACCESS_KEY"),
            "no stored key in the job"
        );
    }
}

// --- running job shells --------------------------------------------------------------------

/// `$NAME` and `${NAME}` expanded from `vars`, as GitLab expands variables in variables.
fn expand(value: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, len) = if let Some(braced) = after.strip_prefix('{') {
            let end = braced.find('}').unwrap();
            (&braced[..end], end + 2)
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        out.push_str(vars.get(name).map(String::as_str).unwrap_or(""));
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// Runs a job's shell as the runner would, in `dir`: bash with `set -eo pipefail`, the
/// predefined variables `ci`, then the pipeline's and the job's `variables:` expanded, then
/// project-level `overrides`. `ktera` (this build) and git are on PATH; HOME is a temporary
/// directory, so `git config --global` changes nothing of this machine.
fn run_job(
    pipeline: &Mapping,
    job: &Value,
    dir: &Path,
    ci: &[(&str, &str)],
    overrides: &[(&str, &str)],
) -> Output {
    let mut vars: BTreeMap<String, String> = ci
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for defined in [pipeline.get("variables"), job.get("variables")]
        .into_iter()
        .flatten()
    {
        for (name, value) in defined.as_mapping().unwrap() {
            let value = expand(value.as_str().unwrap(), &vars);
            vars.insert(name.as_str().unwrap().to_string(), value);
        }
    }
    for (name, value) in overrides {
        vars.insert(name.to_string(), value.to_string());
    }
    let home = tempfile::tempdir().unwrap();
    let ktera_dir = Path::new(env!("CARGO_BIN_EXE_ktera"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(ktera_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("set -eo pipefail\n{}\n", script(job)))
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home.path())
        .env("TMPDIR", home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(&vars)
        .output()
        .unwrap();
    // The temporary HOME goes only now that the job has ended.
    drop(home);
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=dev", "-c", "user.email=dev@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// A copy of what the GitOps flow needs of this repository: the chart, values, project file and
/// rendered tree.
fn manifests_copy(to: &Path) {
    for dir in ["charts", "values", "rendered"] {
        copy_dir(&root().join(dir), &to.join(dir));
    }
    fs::copy(root().join("ktera.yaml"), to.join("ktera.yaml")).unwrap();
}

/// A bare repository holding `content` on `branch`, standing for the project on GitLab.
fn origin(tmp: &Path, name: &str, branch: &str, content: &dyn Fn(&Path)) -> PathBuf {
    let seed = tmp.join(format!("{name}-seed"));
    fs::create_dir_all(&seed).unwrap();
    content(&seed);
    git(&seed, &["init", "-q", "-b", branch]);
    git(&seed, &["add", "."]);
    git(&seed, &["commit", "-q", "-m", "initial"]);
    let bare = tmp.join(format!("{name}.git"));
    git(
        tmp,
        &[
            "clone",
            "-q",
            "--bare",
            seed.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    bare
}

/// The runner's checkout: a detached clone of the pipeline's commit.
fn checkout(tmp: &Path, origin: &Path) -> PathBuf {
    let dir = tmp.join("checkout");
    git(
        tmp,
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
    );
    let head = git(&dir, &["rev-parse", "HEAD"]);
    git(&dir, &["checkout", "-q", "--detach", head.trim()]);
    dir
}

const PROJECT_CI: &[(&str, &str)] = &[
    ("CI_PROJECT_PATH", "dominos/backend"),
    ("CI_PROJECT_ID", "42"),
    ("CI_SERVER_HOST", "gitlab.example.com"),
    (
        "CI_PIPELINE_URL",
        "https://gitlab.example.com/dominos/backend/-/pipelines/7",
    ),
    ("CI_COMMIT_SHORT_SHA", "12345678"),
];

#[test]
fn the_render_check_job_fails_on_a_stale_tree() {
    let ci = pipeline(ROOT_PIPELINE);
    let render_check = job(&ci, "render-check");
    let tmp = tempfile::tempdir().unwrap();
    manifests_copy(tmp.path());
    let dir = tmp.path().to_str().unwrap();
    let vars = with(PROJECT_CI, &[("CI_PROJECT_DIR", dir)]);
    let output = run_job(&ci, &render_check, tmp.path(), &vars, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));

    fs::write(
        tmp.path().join("values/prod.yaml"),
        fs::read_to_string(tmp.path().join("values/prod.yaml"))
            .unwrap()
            .replace("replicaCount: 3", "replicaCount: 4"),
    )
    .unwrap();
    let output = run_job(&ci, &render_check, tmp.path(), &vars, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stdout).contains("spec.replicas: 3 -> 4"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn the_lint_job_passes_here_and_fails_on_a_broken_chart() {
    let ci = pipeline(ROOT_PIPELINE);
    let lint = job(&ci, "lint");
    let tmp = tempfile::tempdir().unwrap();
    manifests_copy(tmp.path());
    let vars = with(
        PROJECT_CI,
        &[("CI_PROJECT_DIR", tmp.path().to_str().unwrap())],
    );
    let output = run_job(&ci, &lint, tmp.path(), &vars, &[]);
    assert!(
        output.status.success(),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );

    let deployment = tmp.path().join("charts/backend/templates/deployment.yaml");
    let text_before = fs::read_to_string(&deployment).unwrap();
    assert!(text_before.contains("containerPort:"));
    fs::write(
        &deployment,
        text_before.replace("containerPort:", "contianerPort:"),
    )
    .unwrap();
    let output = run_job(&ci, &lint, tmp.path(), &vars, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stdout).contains("contianerPort"),
        "{}",
        text(&output.stdout)
    );
}

/// What the GitOps repository's branch holds after a deploy: the commit's subject, the files it
/// changed, and the values file.
fn deployed(
    tmp: &Path,
    origin: &Path,
    branch: &str,
    values: &str,
) -> (String, Vec<String>, String) {
    let dir = tmp.join(format!("after-{}", tmp.read_dir().unwrap().count()));
    git(
        tmp,
        &[
            "clone",
            "-q",
            "-b",
            branch,
            origin.to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
    );
    let subject = git(&dir, &["log", "-1", "--format=%s"]).trim().to_string();
    let changed = git(&dir, &["diff", "--name-only", "HEAD~1", "HEAD"])
        .lines()
        .map(str::to_string)
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_ktera"))
        .args(["render", "--check"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the deployed tree is stale: {}",
        text(&output.stdout)
    );
    (
        subject,
        changed,
        fs::read_to_string(dir.join(values)).unwrap(),
    )
}

/// This repository as its own GitOps repository: deploy-dev on develop sets the tag, renders,
/// and pushes one `[skip ci]` commit to develop; the same deploy again changes nothing.
#[test]
fn the_deploy_job_commits_to_this_repository() {
    let ci = pipeline(ROOT_PIPELINE);
    let deploy = job(&ci, "deploy-dev");
    let tmp = tempfile::tempdir().unwrap();
    let origin = origin(tmp.path(), "backend", "develop", &manifests_copy);
    let checkout = checkout(tmp.path(), &origin);
    let before = fs::read_to_string(root().join("values/dev.yaml")).unwrap();
    let vars = with(
        PROJECT_CI,
        &[("CI_COMMIT_BRANCH", "develop"), ("IMAGE_TAG", "12345678")],
    );
    let mut vars = vars;
    let project_dir = checkout.to_str().unwrap().to_string();
    vars.push(("CI_PROJECT_DIR", &project_dir));
    // The push URL GitLab would build from GITOPS_PUSH_TOKEN and CI_SERVER_HOST, pointed at
    // the bare repository.
    let url = origin.to_str().unwrap();
    let overrides = [("GITOPS_REPOSITORY_URL", url)];
    let output = run_job(&ci, &deploy, &checkout, &vars, &overrides);
    assert!(output.status.success(), "{}", text(&output.stderr));

    let (subject, changed, after) = deployed(tmp.path(), &origin, "develop", "values/dev.yaml");
    assert_eq!(subject, "deploy(dev): image.tag=12345678 [skip ci]");
    assert_eq!(changed, ["rendered/dev/backend.yaml", "values/dev.yaml"]);
    let differing: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        differing,
        [("  tag: dev-3f9c2a1", "  tag: '12345678'")],
        "a commit hash of digits stays a string"
    );
    assert_eq!(before.lines().count(), after.lines().count());

    let again = run_job(&ci, &deploy, &checkout, &vars, &overrides);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stdout).contains("values/dev.yaml already deploys 12345678"));
    let log = git(
        tmp.path(),
        &["--git-dir", url, "log", "--format=%s", "develop"],
    );
    assert_eq!(log.lines().count(), 2, "{log}");
}

/// The application template's deploy into a separate GitOps repository (the seed's layout):
/// the application's checkout holds no manifests; the job clones the GitOps project's branch,
/// here main for the dev environment.
#[test]
fn the_template_deploys_into_a_separate_gitops_repository() {
    let ci = pipeline(APPLICATION);
    let deploy = job(&ci, "deploy-dev");
    let tmp = tempfile::tempdir().unwrap();
    let gitops = origin(tmp.path(), "gitops", "main", &manifests_copy);
    let app = origin(tmp.path(), "app", "develop", &|dir: &Path| {
        fs::write(dir.join("Dockerfile"), "FROM eclipse-temurin:21-jre\n").unwrap();
    });
    let checkout = checkout(tmp.path(), &app);
    let project_dir = checkout.to_str().unwrap().to_string();
    let vars = with(PROJECT_CI, &[("CI_COMMIT_BRANCH", "develop")]);
    let mut vars = vars;
    vars.push(("CI_PROJECT_DIR", &project_dir));
    let url = gitops.to_str().unwrap();
    let output = run_job(
        &ci,
        &deploy,
        &checkout,
        &vars,
        &[("GITOPS_REPOSITORY_URL", url), ("GITOPS_BRANCH", "main")],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let (subject, changed, after) = deployed(tmp.path(), &gitops, "main", "values/dev.yaml");
    // IMAGE_TAG is the template's $CI_COMMIT_SHORT_SHA.
    assert_eq!(subject, "deploy(dev): image.tag=12345678 [skip ci]");
    assert_eq!(changed, ["rendered/dev/backend.yaml", "values/dev.yaml"]);
    assert!(after.contains("  tag: '12345678'"));
    // Nothing was pushed to the application's repository.
    let log = git(
        tmp.path(),
        &[
            "--git-dir",
            app.to_str().unwrap(),
            "log",
            "--format=%s",
            "develop",
        ],
    );
    assert_eq!(log.trim(), "initial");
}

/// The job image runs as user 999 while the runner checks out as another user: the `.ktera`
/// before_script marks the checkout safe, else git refuses it ("dubious ownership").
#[test]
fn the_jobs_user_may_use_a_checkout_it_does_not_own() {
    let ci = pipeline(ROOT_PIPELINE);
    let tmp = tempfile::tempdir().unwrap();
    let origin = origin(tmp.path(), "backend", "main", &manifests_copy);
    let checkout = checkout(tmp.path(), &origin);
    let owned_by_another = Command::new("chown")
        .args(["-R", "12345:12345"])
        .arg(&checkout)
        .status()
        .is_ok_and(|s| s.success());
    if !owned_by_another {
        skip_not_allowed(
            "the_jobs_user_may_use_a_checkout_it_does_not_own",
            "giving files to another user needs root",
        );
        return;
    }
    let project_dir = checkout.to_str().unwrap().to_string();
    let vars = with(PROJECT_CI, &[]);
    let mut vars = vars;
    vars.push(("CI_PROJECT_DIR", &project_dir));
    let mut uses_git: Value = serde_yaml::from_str("script: [git rev-parse HEAD]").unwrap();
    let refused = run_job(&ci, &uses_git, &checkout, &vars, &[]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("dubious ownership"),
        "{}",
        text(&refused.stderr)
    );
    uses_git = merge(&job(&ci, "render-check"), &uses_git);
    let allowed = run_job(&ci, &uses_git, &checkout, &vars, &[]);
    assert!(allowed.status.success(), "{}", text(&allowed.stderr));
}
