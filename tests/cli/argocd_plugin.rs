//! The Argo CD plugin (deploy/argocd/): its generate command run the way Argo CD's CMP server
//! runs it, the Applications of both deployment modes, and the repo-server sidecar.
//!
//! The command and its args are executed directly, in the Application's source directory
//! inside a copy of the repository, with the build environment, the Application's `plugin.env`
//! entries (prefixed `ARGOCD_ENV_`) and its `plugin.parameters` (as Argo CD's
//! `ApplicationSourcePluginParameters.Environ` passes them), and `ktera` on PATH.

use crate::common::copy_dir;
use crate::common::tools::skip_without;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::Deserialize;
use serde_yaml::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_file(path: &str) -> Value {
    let text = fs::read_to_string(root().join(path)).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn yaml_documents(path: &str) -> Vec<Value> {
    let text = fs::read_to_string(root().join(path)).unwrap();
    serde_yaml::Deserializer::from_str(&text)
        .map(|document| Value::deserialize(document).unwrap())
        .collect()
}

/// `spec.generate.command` followed by `spec.generate.args`, as the CMP server joins them.
fn generate_command() -> Vec<String> {
    let plugin = yaml_file("deploy/argocd/plugin.yaml");
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

/// A template showing what the chart was rendered for.
const RENDERED_FOR: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rendered-for\n  namespace: {{ Release.Namespace }}\ndata:\n  release: \"{{ Release.Name }}\"\n  kubeVersion: \"{{ Capabilities.KubeVersion.Version }}\"\n  monitoring: \"{{ has_api_version(version=\"monitoring.coreos.com/v1\") }}\"\n";

/// A copy of the repository's layout: the chart (plus [`RENDERED_FOR`]) and the
/// per-environment values files.
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let chart = repo.path().join("charts/backend");
    copy_dir(&root().join("charts/backend"), &chart);
    fs::write(chart.join("templates/zz-capabilities.yaml"), RENDERED_FOR).unwrap();
    copy_dir(&root().join("values"), &repo.path().join("values"));
    repo
}

/// A `spec.source.plugin.parameters` entry of an Application.
enum Param<'a> {
    String(&'a str, &'a str),
    Array(&'a str, &'a [&'a str]),
    Map(&'a str, &'a [(&'a str, &'a str)]),
}

/// Argo CD's escaping of a parameter name or map key: upper case, anything but `A-Z0-9_`
/// becomes `_` (`escaped` in pkg/apis/application/v1alpha1/types.go).
fn escaped(name: &str) -> String {
    name.to_uppercase()
        .chars()
        .map(|c| {
            if c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// What Argo CD sets for the parameters: `ARGOCD_APP_PARAMETERS` (all of them as JSON),
/// `PARAM_<NAME>` for a string, `PARAM_<NAME>_<i>` for array items and `PARAM_<NAME>_<KEY>` for
/// map entries (`ApplicationSourcePluginParameters.Environ`).
fn parameter_environment(params: &[Param]) -> Vec<(String, String)> {
    let mut json = Vec::new();
    let mut vars = Vec::new();
    for param in params {
        match param {
            Param::String(name, value) => {
                json.push(serde_json::json!({"name": name, "string": value}));
                vars.push((format!("PARAM_{}", escaped(name)), value.to_string()));
            }
            Param::Array(name, items) => {
                json.push(serde_json::json!({"name": name, "array": items}));
                for (i, item) in items.iter().enumerate() {
                    vars.push((format!("PARAM_{}_{i}", escaped(name)), item.to_string()));
                }
            }
            Param::Map(name, entries) => {
                let map: serde_json::Map<String, serde_json::Value> = entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
                    .collect();
                json.push(serde_json::json!({"name": name, "map": map}));
                for (key, value) in entries.iter() {
                    let var = format!("PARAM_{}_{}", escaped(name), escaped(key));
                    vars.push((var, value.to_string()));
                }
            }
        }
    }
    vars.insert(
        0,
        (
            "ARGOCD_APP_PARAMETERS".to_string(),
            serde_json::Value::Array(json).to_string(),
        ),
    );
    vars
}

/// One manifest generation request: by default Application `backend-prod` in Argo CD's own
/// namespace, source path `charts/backend`, destination namespace `dominos-service-backend`,
/// a 1.31 cluster that serves monitoring.coreos.com/v1.
struct Request<'a> {
    cwd: PathBuf,
    app_name: &'a str,
    source_path: &'a str,
    kube_version: &'a str,
    kube_api_versions: &'a str,
    plugin_env: Vec<(&'a str, &'a str)>,
    params: Vec<Param<'a>>,
}

impl<'a> Request<'a> {
    fn new(repo: &Path) -> Self {
        Request {
            cwd: repo.join("charts/backend"),
            app_name: "backend-prod",
            source_path: "charts/backend",
            kube_version: "1.31.0",
            kube_api_versions: "v1,apps/v1,networking.k8s.io/v1,monitoring.coreos.com/v1,apps/v1/Deployment",
            plugin_env: Vec::new(),
            params: Vec::new(),
        }
    }

    fn env(mut self, name: &'a str, value: &'a str) -> Self {
        self.plugin_env.push((name, value));
        self
    }

    fn param(mut self, param: Param<'a>) -> Self {
        self.params.push(param);
        self
    }

    fn run(&self) -> Output {
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
            .current_dir(&self.cwd)
            .env_clear()
            .env("PATH", std::env::join_paths(path).unwrap())
            .env("ARGOCD_APP_NAME", self.app_name)
            .env("ARGOCD_APP_NAMESPACE", "dominos-service-backend")
            .env("ARGOCD_APP_PROJECT_NAME", "default")
            .env(
                "ARGOCD_APP_REVISION",
                "0123456789abcdef0123456789abcdef01234567",
            )
            .env("ARGOCD_APP_SOURCE_PATH", self.source_path)
            .env(
                "ARGOCD_APP_SOURCE_REPO_URL",
                "https://git.example.com/dominos/backend.git",
            )
            .env("ARGOCD_APP_SOURCE_TARGET_REVISION", "main")
            .env("KUBE_VERSION", self.kube_version)
            .env("KUBE_API_VERSIONS", self.kube_api_versions);
        for (name, value) in &self.plugin_env {
            cmd.env(format!("ARGOCD_ENV_{name}"), value);
        }
        for (name, value) in parameter_environment(&self.params) {
            cmd.env(name, value);
        }
        cmd.output().unwrap()
    }
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

/// Runs the request, requires success and returns the objects.
#[track_caller]
fn rendered(request: &Request) -> Vec<Value> {
    let output = request.run();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("ktera-plugin"), "logs on stdout");
    objects(&stdout)
}

fn rendered_for(objects: &[Value]) -> &Value {
    &objects
        .iter()
        .find(|o| o["metadata"]["name"] == "rendered-for")
        .expect("the rendered-for ConfigMap")["data"]
}

fn deployment(objects: &[Value]) -> &Value {
    objects
        .iter()
        .find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == "backend-app")
        .expect("the Deployment")
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
    let output = Request::new(repo.path()).env("ENVIRONMENT", "prod").run();
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = text(&output.stdout);
    let objects = objects(&stdout);
    let kinds: Vec<&str> = objects.iter().filter_map(|o| o["kind"].as_str()).collect();
    for kind in ["Namespace", "ConfigMap", "Service", "Deployment", "Ingress"] {
        assert!(kinds.contains(&kind), "no {kind} in {kinds:?}");
    }
    assert_eq!(
        deployment(&objects)["spec"]["replicas"],
        3,
        "values/prod.yaml was not used"
    );
    let data = rendered_for(&objects);
    let rendered_for = objects
        .iter()
        .find(|o| o["metadata"]["name"] == "rendered-for")
        .unwrap();
    assert_eq!(
        rendered_for["metadata"]["namespace"],
        "dominos-service-backend"
    );
    assert_eq!(data["release"], "backend-prod");
    assert!(data["kubeVersion"].as_str().unwrap().contains("1.31.0"));
    assert_eq!(data["monitoring"], "true");
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
        .arg("--include-crds")
        .output()
        .unwrap();
    assert!(direct.status.success(), "{}", text(&direct.stderr));
    assert_eq!(stdout, text(&direct.stdout));
}

#[test]
fn values_files_can_be_listed_in_plugin_env() {
    let repo = repository();
    let objects = rendered(
        &Request::new(repo.path())
            .env("VALUES_FILE", "values/prod.yaml, values/dev.yaml")
            .env("RELEASE_NAME", "backend"),
    );
    assert_eq!(rendered_for(&objects)["release"], "backend");
    // dev.yaml comes last and wins.
    let config = objects
        .iter()
        .find(|o| o["kind"] == "ConfigMap" && o["data"]["SPRING_PROFILES_ACTIVE"].is_string());
    assert_eq!(config.unwrap()["data"]["SPRING_PROFILES_ACTIVE"], "dev");
}

/// Argo CD names an Application that lives outside its control-plane namespace
/// `<namespace>_<name>` in ARGOCD_APP_NAME; the release is `<name>`, as in Argo CD's Helm path.
#[test]
fn an_application_in_another_namespace_keeps_its_own_name() {
    let repo = repository();
    let mut request = Request::new(repo.path()).env("ENVIRONMENT", "prod");
    request.app_name = "team-a_backend-prod";
    let objects = rendered(&request);
    assert_eq!(rendered_for(&objects)["release"], "backend-prod");

    // Passed on as it is, the name is refused: that is what the prefix would cost.
    let direct = Command::new(env!("CARGO_BIN_EXE_ktera"))
        .arg("template")
        .arg("team-a_backend-prod")
        .arg(repo.path().join("charts/backend"))
        .output()
        .unwrap();
    assert_eq!(direct.status.code(), Some(2), "{}", text(&direct.stderr));
    assert!(text(&direct.stderr).contains("invalid release name"));
}

#[test]
fn the_environment_and_values_files_parameters_choose_the_values() {
    let repo = repository();
    // environment first, then values-files: dev.yaml wins.
    let objects = rendered(
        &Request::new(repo.path())
            .param(Param::String("environment", "prod"))
            .param(Param::Array("values-files", &["values/dev.yaml"])),
    );
    assert_eq!(deployment(&objects)["spec"]["replicas"], 1);
    let ingress = objects.iter().find(|o| o["kind"] == "Ingress").unwrap();
    assert_eq!(
        ingress["spec"]["rules"][0]["host"],
        "backend.dev.dominos.example.com"
    );
    // values-files alone, in the order given.
    let objects = rendered(&Request::new(repo.path()).param(Param::Array(
        "values-files",
        &["values/dev.yaml", "values/prod.yaml"],
    )));
    assert_eq!(deployment(&objects)["spec"]["replicas"], 3);
    // A parameter wins over the plugin.env entry of the same meaning.
    let objects = rendered(
        &Request::new(repo.path())
            .env("ENVIRONMENT", "dev")
            .param(Param::String("environment", "prod")),
    );
    assert_eq!(deployment(&objects)["spec"]["replicas"], 3);
}

#[test]
fn set_parameters_are_applied_and_kept_out_of_the_log() {
    let repo = repository();
    let output = Request::new(repo.path())
        .param(Param::String("environment", "prod"))
        .param(Param::Array("set", &["replicaCount=4"]))
        .param(Param::Array(
            "set-string",
            &["image.tag=12345678", "config.LOG_LEVEL=o'clock"],
        ))
        .run();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let objects = objects(&text(&output.stdout));
    let deployment = deployment(&objects);
    assert_eq!(deployment["spec"]["replicas"], 4);
    let image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap();
    assert!(image.ends_with(":12345678"), "{image}");
    let config = objects
        .iter()
        .find(|o| o["kind"] == "ConfigMap" && o["data"]["LOG_LEVEL"].is_string())
        .unwrap();
    assert_eq!(config["data"]["LOG_LEVEL"], "o'clock", "quotes survive");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("--set replicaCount=..."), "{stderr}");
    assert!(
        !stderr.contains("12345678"),
        "a set value in the log: {stderr}"
    );
}

#[test]
fn release_name_and_namespace_parameters() {
    let repo = repository();
    let objects = rendered(
        &Request::new(repo.path())
            .env("ENVIRONMENT", "prod")
            .env("RELEASE_NAME", "from-env")
            .param(Param::String("release-name", "from-param"))
            .param(Param::String("namespace", "elsewhere")),
    );
    assert_eq!(rendered_for(&objects)["release"], "from-param");
    let rendered_for = objects
        .iter()
        .find(|o| o["metadata"]["name"] == "rendered-for")
        .unwrap();
    assert_eq!(rendered_for["metadata"]["namespace"], "elsewhere");
}

#[test]
fn a_pinned_kube_version_takes_nothing_from_the_cluster() {
    let repo = repository();
    let base = || {
        let mut request = Request::new(repo.path()).param(Param::String("environment", "prod"));
        request.kube_version = "1.34.1";
        request
    };
    let data = rendered(&base().param(Param::String("kube-version", "v1.30.2")));
    let data = rendered_for(&data);
    assert!(data["kubeVersion"].as_str().unwrap().contains("1.30.2"));
    assert_eq!(
        data["monitoring"], "false",
        "the cluster's API versions leaked in"
    );

    let objects = rendered(
        &base()
            .param(Param::String("kube-version", "v1.30.2"))
            .param(Param::Array("api-versions", &["monitoring.coreos.com/v1"])),
    );
    assert_eq!(rendered_for(&objects)["monitoring"], "true");

    // api-versions replaces the cluster's list.
    let mut request = base().param(Param::Array("api-versions", &["example.com/v1"]));
    request.kube_api_versions = "v1,monitoring.coreos.com/v1";
    let objects = rendered(&request);
    let data = rendered_for(&objects);
    assert!(data["kubeVersion"].as_str().unwrap().contains("1.34.1"));
    assert_eq!(data["monitoring"], "false");

    // The plugin.env spelling.
    let objects = rendered(&base().env("KUBE_VERSION", "1.29.0"));
    assert!(
        rendered_for(&objects)["kubeVersion"]
            .as_str()
            .unwrap()
            .contains("1.29.0")
    );
}

/// A chart with a CRD: rendered first, as Argo CD's Helm renders crds/ unless `skipCrds`.
#[test]
fn crds_are_rendered_unless_skipped() {
    let repo = repository();
    let crds = repo.path().join("charts/backend/crds");
    fs::create_dir_all(&crds).unwrap();
    fs::write(
        crds.join("widgets.yaml"),
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema: {type: object}\n",
    )
    .unwrap();
    let request = || Request::new(repo.path()).param(Param::String("environment", "prod"));
    let objects = rendered(&request());
    assert_eq!(objects[0]["kind"], "CustomResourceDefinition");
    for skip in [
        request().param(Param::String("skip-crds", "true")),
        request().env("SKIP_CRDS", "true"),
    ] {
        let objects = rendered(&skip);
        assert!(
            objects
                .iter()
                .all(|o| o["kind"] != "CustomResourceDefinition")
        );
    }
    let objects = rendered(&request().param(Param::String("skip-crds", "false")));
    assert_eq!(objects[0]["kind"], "CustomResourceDefinition");
    assert_fails(
        &request().param(Param::String("skip-crds", "yes")).run(),
        "skip-crds 'yes': write true or false",
    );
}

#[test]
fn parameters_the_plugin_does_not_take_fail() {
    let repo = repository();
    let request = || Request::new(repo.path()).param(Param::String("environment", "prod"));
    assert_fails(
        &request().param(Param::String("enviroment", "dev")).run(),
        "unknown parameter enviroment",
    );
    assert_fails(
        &request()
            .param(Param::Map("set", &[("image.tag", "1.2.3")]))
            .run(),
        "parameter set is a list",
    );
    assert_fails(
        &request()
            .param(Param::Map("set-string", &[("image.tag", "1.2.3")]))
            .run(),
        "parameter set-string is a list",
    );
    assert_fails(
        &request()
            .param(Param::String("values-files", "values/dev.yaml"))
            .run(),
        "parameter values-files is a list",
    );
}

#[test]
fn announced_parameters_are_the_ones_the_command_reads() {
    let plugin = yaml_file("deploy/argocd/plugin.yaml");
    let script = generate_command().pop().unwrap();
    let announced = plugin["spec"]["parameters"]["static"]
        .as_sequence()
        .unwrap();
    let mut names = Vec::new();
    for param in announced {
        let name = param["name"].as_str().unwrap();
        let collection = param["collectionType"].as_str().unwrap_or("string");
        assert!(
            ["string", "array", "map"].contains(&collection),
            "{name}: {collection}"
        );
        assert!(param["title"].is_string(), "{name}: no title");
        // Announced defaults are what the command does without the parameter.
        if collection == "array" {
            assert_eq!(param["array"], Value::Sequence(Vec::new()), "{name}");
        }
        let var = format!("PARAM_{}", escaped(name));
        assert!(
            script.contains(&var),
            "{name}: the command never reads {var}"
        );
        names.push(name);
    }
    assert!(
        script.contains(&format!("the plugin takes {}", names.join(", "))),
        "the unknown-parameter message lists other names than {names:?}"
    );
}

#[test]
fn a_missing_values_file_fails_with_nothing_on_stdout() {
    let repo = repository();
    let output = Request::new(repo.path())
        .env("ENVIRONMENT", "staging")
        .run();
    assert_fails(&output, "values file 'values/staging.yaml' not found");
}

#[test]
fn an_environment_is_required() {
    let repo = repository();
    assert_fails(
        &Request::new(repo.path()).run(),
        "set the environment parameter",
    );
}

#[test]
fn values_files_stay_inside_the_repository() {
    let repo = repository();
    let request = || Request::new(repo.path());
    assert_fails(
        &request().env("VALUES_FILE", "../etc/x.yaml").run(),
        "inside the repository",
    );
    assert_fails(
        &request()
            .param(Param::Array("values-files", &["/etc/passwd"]))
            .run(),
        "inside the repository",
    );
    assert_fails(
        &request().env("ENVIRONMENT", "../x").run(),
        "letters, digits",
    );
}

#[test]
fn a_failing_render_fails_the_command() {
    // The chart refuses clusters older than 1.19: KUBE_VERSION reached the render.
    let repo = repository();
    let mut request = Request::new(repo.path()).env("ENVIRONMENT", "prod");
    request.kube_version = "1.18.0";
    assert_fails(&request.run(), "1.19");
}

/// With `reposerver.plugin.use.manifest.generate.paths`, Argo CD sends only the common root of
/// the source path and the `manifest-generate-paths` annotation: here `apps/backend/` of a
/// monorepo, so the command runs in `<tmp>/chart` with ARGOCD_APP_SOURCE_PATH
/// `apps/backend/chart`. Values paths stay paths from the repository root.
#[test]
fn a_narrowed_repository_copy_keeps_paths_from_the_root() {
    let sent = tempfile::tempdir().unwrap();
    copy_dir(&root().join("charts/backend"), &sent.path().join("chart"));
    fs::write(
        sent.path().join("chart/templates/zz-capabilities.yaml"),
        RENDERED_FOR,
    )
    .unwrap();
    copy_dir(&root().join("values"), &sent.path().join("values"));
    let request = |values: &'static [&'static str]| {
        let mut request = Request::new(sent.path()).param(Param::Array("values-files", values));
        request.cwd = sent.path().join("chart");
        request.source_path = "apps/backend/chart";
        request
    };
    let objects = rendered(&request(&["apps/backend/values/prod.yaml"]));
    assert_eq!(deployment(&objects)["spec"]["replicas"], 3);
    assert_fails(
        &request(&["values/prod.yaml"]).run(),
        "outside what Argo CD sent to the plugin (the repository below apps/backend)",
    );
}

/// Go's filepath.Match for patterns of `*` and plain characters, as Argo CD matches
/// `reposerver.plugin.tar.exclusions` against each path of the repository.
fn go_match(pattern: &str, path: &str) -> bool {
    fn component(pattern: &str, name: &str) -> bool {
        match pattern.split_once('*') {
            None => pattern == name,
            Some((head, tail)) => {
                name.starts_with(head)
                    && (head.len()..=name.len())
                        .any(|i| name.is_char_boundary(i) && component(tail, &name[i..]))
            }
        }
    }
    assert!(
        !pattern.contains(['[', '?', '\\']),
        "{pattern}: only * is handled here"
    );
    let patterns: Vec<&str> = pattern.split('/').collect();
    let names: Vec<&str> = path.split('/').collect();
    patterns.len() == names.len() && patterns.iter().zip(&names).all(|(p, n)| component(p, n))
}

/// The repository as the repo-server sends it: its Git checkout (the files Git tracks, or
/// would) but the excluded ones; a matching directory is skipped whole (util/io/files/tar.go).
fn copy_sent(to: &Path, exclusions: &[&str]) {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    for path in text(&output.stdout).split('\0').filter(|p| !p.is_empty()) {
        let parts: Vec<&str> = path.split('/').collect();
        let excluded = (1..=parts.len()).any(|n| {
            exclusions
                .iter()
                .any(|p| go_match(p, &parts[..n].join("/")))
        });
        let from = root().join(path);
        if excluded || !from.is_file() {
            continue;
        }
        fs::create_dir_all(to.join(path).parent().unwrap()).unwrap();
        fs::copy(from, to.join(path)).unwrap();
    }
}

/// The two Applications of application-plugin.yaml, rendered by the plugin from this
/// repository as the repo-server sends it (with cmd-params-patch.yaml's exclusions), are byte
/// for byte the committed rendered/<env>/<release>.yaml: what reviewers see is what is applied.
#[test]
fn the_plugin_renders_exactly_the_committed_tree() {
    let params = yaml_file("deploy/argocd/cmd-params-patch.yaml");
    let exclusions: Vec<&str> = params["data"]["reposerver.plugin.tar.exclusions"]
        .as_str()
        .unwrap()
        .split(';')
        .collect();
    assert!(go_match("rendered", "rendered") && !go_match("rendered", "charts/rendered"));
    assert!(go_match(".git/*", ".git/config") && !go_match(".git/*", ".git"));
    let sent = tempfile::tempdir().unwrap();
    copy_sent(sent.path(), &exclusions);
    assert!(!sent.path().join("rendered").exists());
    assert!(sent.path().join("values/prod.yaml").is_file());

    let project = yaml_file("ktera.yaml");
    let apps = yaml_documents("deploy/argocd/application-plugin.yaml");
    assert_eq!(apps.len(), 2);
    for app in &apps {
        let name = app["metadata"]["name"].as_str().unwrap();
        let source = &app["spec"]["source"];
        let params: Vec<(&str, &str)> = source["plugin"]["parameters"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap(), p["string"].as_str().unwrap()))
            .collect();
        let param = |wanted: &str| {
            params
                .iter()
                .find(|(n, _)| *n == wanted)
                .map(|(_, v)| *v)
                .unwrap_or_else(|| panic!("{name}: no {wanted} parameter"))
        };
        let env = param("environment");
        let release = &project["environments"][env]["releases"][0];
        assert_eq!(
            param("kube-version"),
            release["kubeVersion"].as_str().unwrap(),
            "{name}: the plugin must pin what ktera.yaml pins"
        );
        assert_eq!(param("release-name"), release["name"].as_str().unwrap());
        assert_eq!(
            app["spec"]["destination"]["namespace"], release["namespace"],
            "{name}"
        );
        assert_eq!(source["path"], release["chart"], "{name}");

        let source_path = source["path"].as_str().unwrap();
        let mut request = Request::new(sent.path());
        request.cwd = sent.path().join(source_path);
        request.source_path = source_path;
        request.app_name = name;
        // A cluster of another version, with more APIs: the pin keeps them out.
        request.kube_version = "1.35.0";
        for (param_name, value) in &params {
            request = request.param(Param::String(param_name, value));
        }
        let output = request.run();
        assert!(output.status.success(), "{name}: {}", text(&output.stderr));
        let committed = fs::read_to_string(
            root().join(format!("rendered/{env}/{}.yaml", param("release-name"))),
        )
        .unwrap();
        assert!(
            text(&output.stdout) == committed,
            "{name}: the plugin's output differs from rendered/{env}/"
        );
    }
}

/// Mode "plain directories": the Applications sync rendered/<env>/ with no plugin; each
/// directory is the environment's, its branch the one the pipeline deploys that environment to.
#[test]
fn applications_of_plain_directories_sync_the_rendered_tree() {
    let project = yaml_file("ktera.yaml");
    let apps = yaml_documents("deploy/argocd/application.yaml");
    let mut envs = Vec::new();
    for app in &apps {
        assert_eq!(app["kind"], "Application");
        let source = &app["spec"]["source"];
        assert!(source.get("plugin").is_none(), "no plugin in this mode");
        let path = source["path"].as_str().unwrap();
        let env = path
            .strip_prefix("rendered/")
            .expect("a rendered/ directory");
        let files: Vec<String> = fs::read_dir(root().join(path))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let releases = project["environments"][env]["releases"]
            .as_sequence()
            .unwrap();
        assert_eq!(files.len(), releases.len(), "{path}: {files:?}");
        for release in releases {
            assert_eq!(
                app["spec"]["destination"]["namespace"],
                release["namespace"]
            );
        }
        let branch = source["targetRevision"].as_str().unwrap();
        assert_eq!(
            branch,
            if env == "prod" { "main" } else { "develop" },
            "{path}"
        );
        assert_eq!(source["directory"]["recurse"], false);
        envs.push(env.to_string());
    }
    envs.sort();
    assert_eq!(envs, ["dev", "prod"]);
}

/// `*` within one path component, as Go's filepath.Glob reads the discovery rule.
fn glob_matches(dir: &Path, pattern: &str) -> bool {
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
        go_match(first, &name) && (rest.is_empty() || glob_matches(&entry.path(), &rest.join("/")))
    })
}

#[test]
fn discovery_takes_ktera_charts_and_leaves_helm_charts() {
    let plugin = yaml_file("deploy/argocd/plugin.yaml");
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
    // The Applications that name the plugin point at a directory it discovers.
    let name = format!(
        "{}-{}",
        plugin["metadata"]["name"].as_str().unwrap(),
        plugin["spec"]["version"].as_str().unwrap()
    );
    for app in yaml_documents("deploy/argocd/application-plugin.yaml") {
        let source = &app["spec"]["source"];
        assert_eq!(source["plugin"]["name"].as_str(), Some(name.as_str()));
        assert!(glob_matches(
            &root().join(source["path"].as_str().unwrap()),
            pattern
        ));
    }
}

/// Argo CD's stock repo-server Deployment (tests/fixtures/argocd) patched with
/// repo-server-patch.yaml by `kubectl patch --local`, the real strategic merge.
fn patched_repo_server(patch: &Path) -> Option<Value> {
    if Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_err()
    {
        skip_without(
            "kubectl",
            "`kubectl patch --local` applies the sidecar patch",
        );
        return None;
    }
    let output = Command::new("kubectl")
        .args([
            "patch",
            "--local",
            "--type",
            "strategic",
            "-o",
            "yaml",
            "-f",
        ])
        .arg(root().join("tests/fixtures/argocd/argocd-repo-server-deployment.yaml"))
        .arg("--patch-file")
        .arg(patch)
        .env("KUBECONFIG", "/dev/null")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    Some(serde_yaml::from_slice(&output.stdout).unwrap())
}

/// The Pod Security Standards' "restricted" profile, checked as the pod-security-admission
/// library does (kubernetes/kubernetes, staging/src/k8s.io/pod-security-admission/policy/
/// check_*.go): the baseline checks this Pod could fail, then the restricted ones. Returns
/// every violation.
fn restricted_violations(pod: &Value) -> Vec<String> {
    let mut violations = Vec::new();
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod[field] == true {
            violations.push(format!("{field}: true"));
        }
    }
    let allowed_volumes = [
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ];
    for volume in pod["volumes"].as_sequence().into_iter().flatten() {
        let kinds: Vec<&str> = volume
            .as_mapping()
            .unwrap()
            .keys()
            .filter_map(Value::as_str)
            .filter(|k| *k != "name")
            .collect();
        if !kinds.iter().all(|k| allowed_volumes.contains(k)) {
            violations.push(format!("volume {:?}: {kinds:?}", volume["name"]));
        }
    }
    let pod_context = &pod["securityContext"];
    let pod_seccomp = pod_context["seccompProfile"]["type"].as_str();
    let containers = ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|key| pod[*key].as_sequence().into_iter().flatten());
    for container in containers {
        let name = container["name"].as_str().unwrap_or("?");
        let context = &container["securityContext"];
        if context["privileged"] == true {
            violations.push(format!("{name}: privileged"));
        }
        if context["allowPrivilegeEscalation"] != false {
            violations.push(format!("{name}: allowPrivilegeEscalation is not false"));
        }
        let non_root = match context["runAsNonRoot"].as_bool() {
            Some(value) => value,
            None => pod_context["runAsNonRoot"] == true,
        };
        if !non_root {
            violations.push(format!("{name}: runAsNonRoot is not true"));
        }
        if context["runAsUser"] == 0 || pod_context["runAsUser"] == 0 {
            violations.push(format!("{name}: runAsUser 0"));
        }
        let seccomp = context["seccompProfile"]["type"].as_str().or(pod_seccomp);
        if !matches!(seccomp, Some("RuntimeDefault" | "Localhost")) {
            violations.push(format!("{name}: seccompProfile {seccomp:?}"));
        }
        let capabilities = &context["capabilities"];
        let drops: Vec<&str> = capabilities["drop"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !drops.contains(&"ALL") {
            violations.push(format!("{name}: capabilities.drop lacks ALL"));
        }
        for added in capabilities["add"].as_sequence().into_iter().flatten() {
            if added != "NET_BIND_SERVICE" {
                violations.push(format!("{name}: capabilities.add {added:?}"));
            }
        }
        for port in container["ports"].as_sequence().into_iter().flatten() {
            if port["hostPort"].as_u64().unwrap_or(0) != 0 {
                violations.push(format!("{name}: hostPort"));
            }
        }
    }
    violations
}

#[test]
fn the_patched_repo_server_meets_the_restricted_profile() {
    let patch = root().join("deploy/argocd/repo-server-patch.yaml");
    let Some(deployment) = patched_repo_server(&patch) else {
        return;
    };
    let pod = &deployment["spec"]["template"]["spec"];
    let containers = pod["containers"].as_sequence().unwrap();
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["ktera", "argocd-repo-server"],
        "the sidecar was added"
    );
    assert_eq!(restricted_violations(pod), Vec::<String>::new());

    let sidecar = &containers[0];
    assert_eq!(sidecar["command"][0], "/var/run/argocd/argocd-cmp-server");
    let context = &sidecar["securityContext"];
    assert_eq!(context["runAsUser"], 999, "Argo CD runs sidecars as 999");
    assert_eq!(context["readOnlyRootFilesystem"], true);
    let mounts = sidecar["volumeMounts"].as_sequence().unwrap();
    for path in [
        "/var/run/argocd",
        "/home/argocd/cmp-server/plugins",
        "/home/argocd/cmp-server/config/plugin.yaml",
        "/tmp",
    ] {
        assert!(
            mounts.iter().any(|m| m["mountPath"] == path),
            "no mount at {path}"
        );
    }
    // Every mount names a volume of the patched Pod.
    let volumes = pod["volumes"].as_sequence().unwrap();
    for mount in mounts {
        assert!(
            volumes.iter().any(|v| v["name"] == mount["name"]),
            "{:?}",
            mount["name"]
        );
    }
    let resources = &sidecar["resources"];
    for key in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert!(resources[key][resource].is_string(), "{key}.{resource}");
        }
    }
    // ktera's own memory cap stops a runaway template before the kernel kills the sidecar.
    let limit = mebibytes(resources["limits"]["memory"].as_str().unwrap());
    let cap = sidecar["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "KTERA_MAX_MEMORY")
        .expect("KTERA_MAX_MEMORY");
    let cap = mebibytes(cap["value"].as_str().unwrap());
    assert!(cap * 2 <= limit, "cap {cap} MiB, limit {limit} MiB");

    // The check can fail: without the sidecar's seccomp profile and capability drop, the Pod
    // is refused.
    let text = fs::read_to_string(&patch).unwrap();
    let weakened = text
        .replace("drop: [ALL]", "drop: [NET_RAW]")
        .replace("type: RuntimeDefault", "type: Unconfined");
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("patch.yaml"), weakened).unwrap();
    let weak = patched_repo_server(&tmp.path().join("patch.yaml")).unwrap();
    let violations = restricted_violations(&weak["spec"]["template"]["spec"]);
    assert_eq!(
        violations,
        [
            "ktera: seccompProfile Some(\"Unconfined\")",
            "ktera: capabilities.drop lacks ALL"
        ]
    );
}

/// `512Mi`, `256M`, `1Gi` in MiB (rounded down).
fn mebibytes(quantity: &str) -> u64 {
    let (number, unit) = quantity.split_at(quantity.find(|c: char| !c.is_ascii_digit()).unwrap());
    let number: u64 = number.parse().unwrap();
    match unit {
        "Mi" => number,
        "Gi" => number * 1024,
        "M" => number,
        "G" => number * 1024,
        other => panic!("unit {other}"),
    }
}

/// The image (deploy/argocd/Dockerfile) cannot be built here, with no Docker engine; what it
/// runs is what `.ci/run` runs: the same script with the same setting, so CI checks the very
/// binary the image ships.
#[test]
fn the_image_ships_the_binary_ci_checks() {
    let dockerfile = fs::read_to_string(root().join("deploy/argocd/Dockerfile")).unwrap();
    let build = "KTERA_STRIP=1 scripts/build-release --locked";
    assert!(
        dockerfile.contains(&format!("RUN cp \"$({build})\" /ktera")),
        "{dockerfile}"
    );
    let ci = fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.contains("shipped=$(KTERA_STRIP=1 scripts/build-release --quiet --locked)"),
        "{ci}"
    );
    assert!(ci.contains("\"$shipped\" render --check"));
    let final_stage = &dockerfile[dockerfile.rfind("\nFROM ").unwrap()..];
    assert!(final_stage.contains("COPY --from=build /ktera /usr/local/bin/ktera"));
    assert!(
        final_stage.contains("\nUSER 999\n"),
        "Argo CD runs sidecars as 999"
    );

    // BuildKit reads <Dockerfile>.dockerignore: it must leave everything the build reads.
    let ignore = fs::read_to_string(root().join("deploy/argocd/Dockerfile.dockerignore")).unwrap();
    let patterns: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(patterns.contains(&"target"), "{patterns:?}");
    let needed = [
        "Cargo.toml",
        "Cargo.lock",
        "src/main.rs",
        "benches/stages.rs",
        "schemas/kubernetes-v1.32.json.gz",
        "scripts/build-release",
        "scripts/pgo-train",
        "charts/backend/Chart.yaml",
        "values/prod.yaml",
        "ktera.yaml",
        "rendered/prod/backend.yaml",
        "tests/golden/backend/prod.yaml",
    ];
    for path in needed {
        assert!(root().join(path).exists(), "{path} moved: update this list");
        let parts: Vec<&str> = path.split('/').collect();
        let excluded =
            (1..=parts.len()).any(|n| patterns.iter().any(|p| go_match(p, &parts[..n].join("/"))));
        assert!(!excluded, "{path} is left out of the image's build context");
    }
}
