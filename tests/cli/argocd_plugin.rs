//! The Argo CD plugin's generate command (deploy/argocd/plugin.yaml), run the way Argo CD's
//! CMP server runs it: the command and its args executed directly, in the Application's source
//! directory inside a copy of the repository, with the build environment and the Application's
//! `plugin.env` entries (prefixed `ARGOCD_ENV_`) set, and `ktera` on PATH.

use crate::common::copy_dir;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::Deserialize;
use serde_yaml::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `spec.generate.command` followed by `spec.generate.args`, as the CMP server joins them.
fn generate_command() -> Vec<String> {
    let text = fs::read_to_string(root().join("deploy/argocd/plugin.yaml")).unwrap();
    let plugin: Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(plugin["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(plugin["kind"], "ConfigManagementPlugin");
    assert!(plugin["spec"]["version"].is_string());
    assert!(plugin["spec"]["discover"]["fileName"].is_string());
    let generate = &plugin["spec"]["generate"];
    let mut argv: Vec<String> = serde_yaml::from_value(generate["command"].clone()).unwrap();
    if let Some(args) = generate.get("args") {
        argv.extend(serde_yaml::from_value::<Vec<String>>(args.clone()).unwrap());
    }
    assert_eq!(argv[..2], ["sh", "-c"]);
    argv
}

/// A copy of the repository's layout: the chart (plus a template showing what it was rendered
/// for) and the per-environment values files.
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let chart = repo.path().join("charts/backend");
    copy_dir(&root().join("charts/backend"), &chart);
    fs::write(
        chart.join("templates/zz-capabilities.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rendered-for\n  namespace: {{ Release.Namespace }}\ndata:\n  release: \"{{ Release.Name }}\"\n  kubeVersion: \"{{ Capabilities.KubeVersion.Version }}\"\n  monitoring: \"{{ has_api_version(version=\"monitoring.coreos.com/v1\") }}\"\n",
    )
    .unwrap();
    copy_dir(&root().join("values"), &repo.path().join("values"));
    repo
}

/// Runs the generate command for an Application `backend-prod` at `charts/backend`.
fn generate(repo: &Path, plugin_env: &[(&str, &str)], kube_version: &str) -> Output {
    let argv = generate_command();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ktera"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut path = vec![bin_dir];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .current_dir(repo.join("charts/backend"))
        .env_clear()
        .env("PATH", std::env::join_paths(path).unwrap())
        .env("ARGOCD_APP_NAME", "backend-prod")
        .env("ARGOCD_APP_NAMESPACE", "dominos-service-backend")
        .env("ARGOCD_APP_PROJECT_NAME", "default")
        .env(
            "ARGOCD_APP_REVISION",
            "0123456789abcdef0123456789abcdef01234567",
        )
        .env("ARGOCD_APP_SOURCE_PATH", "charts/backend")
        .env(
            "ARGOCD_APP_SOURCE_REPO_URL",
            "https://git.example.com/dominos/backend.git",
        )
        .env("ARGOCD_APP_SOURCE_TARGET_REVISION", "main")
        .env("KUBE_VERSION", kube_version)
        .env(
            "KUBE_API_VERSIONS",
            "v1,apps/v1,networking.k8s.io/v1,monitoring.coreos.com/v1,apps/v1/Deployment",
        );
    for (name, value) in plugin_env {
        cmd.env(format!("ARGOCD_ENV_{name}"), value);
    }
    cmd.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every document of the stream is a Kubernetes object; returns them.
fn objects(stdout: &str) -> Vec<Value> {
    let mut found = Vec::new();
    for document in serde_yaml::Deserializer::from_str(stdout) {
        let value =
            Value::deserialize(document).unwrap_or_else(|e| panic!("not YAML: {e}\n{stdout}"));
        if value.is_null() {
            continue;
        }
        for field in ["apiVersion", "kind"] {
            assert!(
                value[field].as_str().is_some_and(|s| !s.is_empty()),
                "no {field}: {value:?}"
            );
        }
        let name = value["metadata"]["name"].as_str();
        assert!(
            name.is_some_and(|s| !s.is_empty()),
            "no metadata.name: {value:?}"
        );
        found.push(value);
    }
    found
}

#[track_caller]
fn assert_fails(output: &Output, message: &str) {
    assert!(!output.status.success(), "expected a failure");
    assert!(
        output.stdout.is_empty(),
        "stdout must stay empty: {}",
        text(&output.stdout)
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(message),
        "stderr lacks {message:?}: {stderr}"
    );
}

#[test]
fn renders_the_environment_with_the_cluster_capabilities() {
    let repo = repository();
    let output = generate(repo.path(), &[("ENVIRONMENT", "prod")], "1.31.0");
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("ktera-plugin"), "logs on stdout");
    let objects = objects(&stdout);
    let kinds: Vec<&str> = objects.iter().filter_map(|o| o["kind"].as_str()).collect();
    for kind in [
        "Namespace",
        "ConfigMap",
        "Secret",
        "Service",
        "Deployment",
        "Ingress",
    ] {
        assert!(kinds.contains(&kind), "no {kind} in {kinds:?}");
    }
    let deployment = objects.iter().find(|o| o["kind"] == "Deployment").unwrap();
    assert_eq!(
        deployment["spec"]["replicas"], 3,
        "values/prod.yaml was not used"
    );
    let rendered_for = objects
        .iter()
        .find(|o| o["metadata"]["name"] == "rendered-for")
        .unwrap();
    assert_eq!(
        rendered_for["metadata"]["namespace"],
        "dominos-service-backend"
    );
    assert_eq!(rendered_for["data"]["release"], "backend-prod");
    assert!(
        rendered_for["data"]["kubeVersion"]
            .as_str()
            .unwrap()
            .contains("1.31.0")
    );
    assert_eq!(rendered_for["data"]["monitoring"], "true");
    assert!(
        stderr.contains("ktera-plugin: ktera template backend-prod"),
        "{stderr}"
    );

    // The same bytes as the command a person would run from the repository root.
    let chart = repo.path().join("charts/backend");
    let direct = Command::new(env!("CARGO_BIN_EXE_ktera"))
        .arg("template")
        .arg("backend-prod")
        .arg(&chart)
        .args(["-n", "dominos-service-backend", "--kube-version", "1.31.0"])
        .args(["-a", "v1", "-a", "apps/v1", "-a", "networking.k8s.io/v1"])
        .args(["-a", "monitoring.coreos.com/v1", "-a", "apps/v1/Deployment"])
        .arg("-f")
        .arg(repo.path().join("values/prod.yaml"))
        .output()
        .unwrap();
    assert!(direct.status.success(), "{}", text(&direct.stderr));
    assert_eq!(stdout, text(&direct.stdout));
}

#[test]
fn values_files_can_be_listed() {
    let repo = repository();
    let output = generate(
        repo.path(),
        &[
            ("VALUES_FILE", "values/prod.yaml, values/dev.yaml"),
            ("RELEASE_NAME", "backend"),
        ],
        "1.30.2",
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let objects = objects(&text(&output.stdout));
    let rendered_for = objects
        .iter()
        .find(|o| o["metadata"]["name"] == "rendered-for")
        .unwrap();
    assert_eq!(rendered_for["data"]["release"], "backend");
    // dev.yaml comes last and wins.
    let config = objects
        .iter()
        .find(|o| o["kind"] == "ConfigMap" && o["data"]["SPRING_PROFILES_ACTIVE"].is_string());
    assert_eq!(config.unwrap()["data"]["SPRING_PROFILES_ACTIVE"], "dev");
}

#[test]
fn a_missing_values_file_fails_with_nothing_on_stdout() {
    let repo = repository();
    let output = generate(repo.path(), &[("ENVIRONMENT", "staging")], "1.31.0");
    assert_fails(&output, "values file 'values/staging.yaml' not found");
}

#[test]
fn an_environment_is_required() {
    let repo = repository();
    let output = generate(repo.path(), &[], "1.31.0");
    assert_fails(&output, "set ENVIRONMENT");
}

#[test]
fn values_files_stay_inside_the_repository() {
    let repo = repository();
    assert_fails(
        &generate(repo.path(), &[("VALUES_FILE", "../etc/x.yaml")], "1.31.0"),
        "inside the repository",
    );
    assert_fails(
        &generate(repo.path(), &[("VALUES_FILE", "/etc/passwd")], "1.31.0"),
        "inside the repository",
    );
    assert_fails(
        &generate(repo.path(), &[("ENVIRONMENT", "../x")], "1.31.0"),
        "letters, digits",
    );
}

#[test]
fn a_failing_render_fails_the_command() {
    // The chart refuses clusters older than 1.19: KUBE_VERSION reached the render.
    let repo = repository();
    let output = generate(repo.path(), &[("ENVIRONMENT", "prod")], "1.18.0");
    assert_fails(&output, "1.19");
}

fn yaml_file(name: &str) -> Value {
    let text = fs::read_to_string(root().join("deploy/argocd").join(name)).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// `*` within one path component, as Go's filepath.Glob reads the discovery rule.
fn glob_matches(dir: &Path, pattern: &str) -> bool {
    fn wildcard(pattern: &str, name: &str) -> bool {
        match pattern.split_once('*') {
            None => pattern == name,
            Some((head, tail)) => {
                name.starts_with(head)
                    && (head.len()..=name.len())
                        .any(|i| name.is_char_boundary(i) && wildcard(tail, &name[i..]))
            }
        }
    }
    let mut parts = pattern.trim_start_matches("./").split('/');
    let Some(first) = parts.next() else {
        return false;
    };
    let rest: Vec<&str> = parts.collect();
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        wildcard(first, &name) && (rest.is_empty() || glob_matches(&entry.path(), &rest.join("/")))
    })
}

#[test]
fn discovery_takes_ktera_charts_and_leaves_helm_charts() {
    let plugin = yaml_file("plugin.yaml");
    let pattern = plugin["spec"]["discover"]["fileName"].as_str().unwrap();
    assert!(glob_matches(&root().join("charts/backend"), pattern));
    let helm = tempfile::tempdir().unwrap();
    fs::create_dir_all(helm.path().join("templates")).unwrap();
    for file in [
        "Chart.yaml",
        "values.yaml",
        "templates/_helpers.tpl",
        "templates/deployment.yaml",
    ] {
        fs::write(helm.path().join(file), "").unwrap();
    }
    assert!(
        !glob_matches(helm.path(), pattern),
        "{pattern} would take Helm charts"
    );
}

#[test]
fn applications_and_sidecar_match_the_plugin() {
    let plugin = yaml_file("plugin.yaml");
    let name = format!(
        "{}-{}",
        plugin["metadata"]["name"].as_str().unwrap(),
        plugin["spec"]["version"].as_str().unwrap()
    );
    let text = fs::read_to_string(root().join("deploy/argocd/application.yaml")).unwrap();
    let mut count = 0;
    for document in serde_yaml::Deserializer::from_str(&text) {
        let app = Value::deserialize(document).unwrap();
        assert_eq!(app["kind"], "Application");
        let source = &app["spec"]["source"];
        assert_eq!(source["plugin"]["name"].as_str(), Some(name.as_str()));
        assert!(glob_matches(
            &root().join(source["path"].as_str().unwrap()),
            "./templates/*.tera"
        ));
        let env = source["plugin"]["env"].as_sequence().unwrap();
        let names: Vec<&str> = env.iter().filter_map(|e| e["name"].as_str()).collect();
        assert!(
            names.contains(&"ENVIRONMENT") || names.contains(&"VALUES_FILE"),
            "{names:?}"
        );
        count += 1;
    }
    assert_eq!(count, 2);

    let patch = yaml_file("repo-server-patch.yaml");
    let sidecar = &patch["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(sidecar["command"][0], "/var/run/argocd/argocd-cmp-server");
    assert_eq!(sidecar["securityContext"]["runAsUser"], 999);
    let mounts = sidecar["volumeMounts"].as_sequence().unwrap();
    let mounted = |path: &str| mounts.iter().any(|m| m["mountPath"] == path);
    for path in [
        "/var/run/argocd",
        "/home/argocd/cmp-server/plugins",
        "/home/argocd/cmp-server/config/plugin.yaml",
        "/tmp",
    ] {
        assert!(mounted(path), "no mount at {path}");
    }
}
