//! `ktera lint` on the real binary: a corpus of broken charts (tests/fixtures/lint/), each
//! finding asserted with its path, and the example chart's environments, which lint clean.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(case: &str) -> PathBuf {
    root().join("tests/fixtures/lint").join(case)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn ktera(args: &[&str]) -> Run {
    let output = Command::cargo_bin("ktera")
        .expect("the ktera binary is built")
        .current_dir(root())
        .args(args)
        .output()
        .expect("ktera runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// One finding of `-o json`, flattened for assertions.
#[derive(Debug)]
struct Found {
    severity: String,
    object: String,
    path: String,
    message: String,
}

fn lint_json(chart: &Path, extra: &[&str]) -> (i32, Value, Vec<Found>) {
    let chart = chart.to_string_lossy().into_owned();
    let mut args = vec!["lint", chart.as_str(), "-o", "json"];
    args.extend_from_slice(extra);
    let run = ktera(&args);
    let doc: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("-o json is JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    let found = doc["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .map(|f| Found {
            severity: f["severity"].as_str().unwrap_or_default().to_string(),
            object: match &f["object"] {
                Value::Null => String::new(),
                o => format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap_or_default(),
                    o["name"].as_str().unwrap_or_default()
                ),
            },
            path: f["path"].as_str().unwrap_or_default().to_string(),
            message: f["message"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    (run.code, doc, found)
}

/// Asserts the findings are exactly `expected`: (severity, object, path, part of the message).
fn assert_findings(found: &[Found], expected: &[(&str, &str, &str, &str)]) {
    for (severity, object, path, text) in expected {
        assert!(
            found.iter().any(|f| f.severity == *severity
                && f.object == *object
                && f.path == *path
                && f.message.contains(text)),
            "expected {severity} {object} at {path} containing {text:?}; found {found:#?}"
        );
    }
    assert_eq!(
        found.len(),
        expected.len(),
        "unexpected findings: {found:#?}"
    );
}

fn case(name: &str, code: i32, expected: &[(&str, &str, &str, &str)]) {
    let (exit, _, found) = lint_json(&fixture(name), &[]);
    assert_findings(&found, expected);
    assert_eq!(exit, code, "exit code of {name}");
}

#[test]
fn unknown_field_is_named_with_a_suggestion() {
    case(
        "unknown-field",
        1,
        &[
            (
                "error",
                "Deployment/web",
                "spec.template.spec.containers[name=web].ports[0].contianerPort",
                "unknown field \"contianerPort\" (did you mean \"containerPort\"?)",
            ),
            (
                "error",
                "Deployment/web",
                "spec.template.spec.containers[name=web].ports[0].containerPort",
                "required field is missing",
            ),
        ],
    );
}

#[test]
fn string_replicas_is_a_type_error() {
    case(
        "wrong-type",
        1,
        &[(
            "error",
            "Deployment/web",
            "spec.replicas",
            "expected an integer, got string \"3\"",
        )],
    );
}

#[test]
fn missing_containers_is_a_required_field() {
    case(
        "missing-containers",
        1,
        &[(
            "error",
            "Deployment/web",
            "spec.template.spec.containers",
            "required field is missing",
        )],
    );
}

#[test]
fn bad_enum_lists_the_allowed_values() {
    case(
        "bad-enum",
        1,
        &[(
            "error",
            "Deployment/web",
            "spec.template.spec.containers[name=web].imagePullPolicy",
            "\"Sometimes\" is not one of the allowed values: \"Always\", \"IfNotPresent\", \"Never\"",
        )],
    );
}

#[test]
fn bad_names_and_label_values() {
    case(
        "bad-name",
        1,
        &[
            (
                "error",
                "ConfigMap/Backend_App",
                "metadata.name",
                "invalid ConfigMap name \"Backend_App\": a lowercase RFC 1123 subdomain",
            ),
            (
                "error",
                "ConfigMap/Backend_App",
                "metadata.labels.app",
                "invalid label value \"backend app\"",
            ),
        ],
    );
}

#[test]
fn service_selector_that_matches_no_pods() {
    case(
        "selector-mismatch",
        1,
        &[(
            "error",
            "Service/web-svc",
            "spec.selector",
            "the selector app=web-frontend matches no pod template in namespace \"shop\": Deployment web has app=web",
        )],
    );
}

#[test]
fn service_target_ports() {
    case(
        "wrong-target-port",
        1,
        &[
            (
                "error",
                "Service/web-svc",
                "spec.ports[name=http].targetPort",
                "has a port named \"htp\"; their ports: http (8080)",
            ),
            (
                "warning",
                "Service/web-svc",
                "spec.ports[name=metrics].targetPort",
                "declares port 9091",
            ),
        ],
    );
}

#[test]
fn ingress_to_a_missing_service_and_a_missing_port() {
    case(
        "ingress-missing-service",
        1,
        &[
            (
                "warning",
                "Ingress/web",
                "spec.rules[0].http.paths[0].backend.service.name",
                "no Service \"web-service\" among the rendered objects in namespace \"shop\" (did you mean \"web-svc\"?)",
            ),
            (
                "error",
                "Ingress/web",
                "spec.rules[0].http.paths[1].backend.service.port.name",
                "Service \"web-svc\" has no port named \"https\"",
            ),
        ],
    );
}

#[test]
fn configmap_and_secret_references() {
    case(
        "missing-configmap",
        1,
        &[
            (
                "warning",
                "Deployment/web",
                "spec.template.spec.containers[name=web].envFrom[0].configMapRef.name",
                "no ConfigMap \"web-config\" among the rendered objects",
            ),
            (
                "error",
                "Deployment/web",
                "spec.template.spec.containers[name=web].env[name=DB_PASSWORD].valueFrom.secretKeyRef.key",
                "Secret \"web-secret\" has no key \"DB_PASSWORD\"; its keys: DB_USER",
            ),
        ],
    );
}

/// A Secret that a rendered ExternalSecret (its target name) or SealedSecret (its own name)
/// makes in the cluster is not missing; the keys read from it must be the ones it makes, where
/// they are known (not with `dataFrom`).
#[test]
fn secrets_made_by_external_and_sealed_secrets() {
    let containers = "spec.template.spec.containers[name=web]";
    let (exit, _, found) = lint_json(&fixture("secret-sources"), &[]);
    assert_findings(
        &found,
        &[
            (
                "error",
                "Deployment/web",
                &format!("{containers}.env[name=DB_HOST].valueFrom.secretKeyRef.key"),
                "Secret \"web-db\", made by ExternalSecret \"db\", has no key \"DB_HOST\"; its keys: DB_PASSWORD",
            ),
            (
                "error",
                "Deployment/web",
                &format!("{containers}.env[name=STRIPE_KEY].valueFrom.secretKeyRef.key"),
                "Secret \"api-keys\", made by SealedSecret \"api-keys\", has no key \"STRIPE\"; its keys: STRIPE_SECRET",
            ),
            (
                "warning",
                "Deployment/web",
                "spec.template.spec.volumes[name=tls].secret.secretName",
                "no Secret \"web-tls\" among the rendered objects",
            ),
            (
                "note",
                "ExternalSecret/db",
                "",
                "no schema for external-secrets.io/v1 ExternalSecret",
            ),
            (
                "note",
                "ExternalSecret/everything",
                "",
                "no schema for external-secrets.io/v1 ExternalSecret",
            ),
            (
                "note",
                "SealedSecret/api-keys",
                "",
                "no schema for bitnami.com/v1alpha1 SealedSecret",
            ),
        ],
    );
    assert_eq!(exit, 1);
}

#[test]
fn latest_tags_resources_and_probes_are_warnings() {
    let containers = "spec.template.spec.containers";
    case(
        "latest-image",
        0,
        &[
            (
                "warning",
                "Deployment/web",
                &format!("{containers}[name=web].image"),
                "uses :latest",
            ),
            (
                "warning",
                "Deployment/web",
                &format!("{containers}[name=web].resources"),
                "no resource requests or limits",
            ),
            (
                "warning",
                "Deployment/web",
                &format!("{containers}[name=web].livenessProbe"),
                "no livenessProbe",
            ),
            (
                "warning",
                "Deployment/web",
                &format!("{containers}[name=web].readinessProbe"),
                "no readinessProbe",
            ),
            (
                "warning",
                "Deployment/web",
                &format!("{containers}[name=sidecar].image"),
                "has no tag",
            ),
        ],
    );
    let (code, _, _) = lint_json(&fixture("latest-image"), &["--strict"]);
    assert_eq!(code, 1, "--strict fails on warnings");
}

/// Image references the kubelet cannot parse (it reports InvalidImageName and the pod never
/// starts), in every kind of container list and workload; the empty tag comes from a value.
#[test]
fn invalid_image_references_are_errors() {
    let pod = "spec.template.spec";
    let cron = "spec.jobTemplate.spec.template.spec";
    case(
        "bad-image",
        1,
        &[
            (
                "error",
                "Deployment/web",
                &format!("{pod}.initContainers[name=migrate].image"),
                "the repository name \"Team/Migrate\" must be lower-case",
            ),
            (
                "error",
                "Deployment/web",
                &format!("{pod}.containers[name=web].image"),
                "\"nginx:\" is not a valid image reference: the tag after `:` is empty",
            ),
            (
                "error",
                "CronJob/report",
                &format!("{cron}.containers[name=report].image"),
                "the digest \"sha256:abc123\" is not `algorithm:hex` with at least 32 hex digits",
            ),
            (
                "error",
                "Pod/debug",
                "spec.ephemeralContainers[name=shell].image",
                "\"busybox: 1.37\" is not a valid image reference: it contains white space",
            ),
        ],
    );
    // With the tag set, the same chart has only the three other errors.
    let (code, _, found) = lint_json(&fixture("bad-image"), &["--set", "image.tag=1.27"]);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found.iter().all(|f| !f.path.contains("name=web")),
        "{found:#?}"
    );
}

#[test]
fn crd_schema_applies_to_its_objects_and_unknown_kinds_get_a_note() {
    case(
        "crd",
        1,
        &[
            (
                "error",
                "Widget/bad",
                "spec.size",
                "expected an integer, got string \"3\"",
            ),
            (
                "error",
                "Widget/bad",
                "spec.colour",
                "unknown field \"colour\" (did you mean \"color\"?)",
            ),
            (
                "note",
                "Dashboard/web",
                "",
                "no schema for monitoring.example.org/v1 Dashboard",
            ),
        ],
    );
}

/// The ServiceMonitor findings against the CRD subset of tests/fixtures/lint/crds-dir, whether
/// the schema comes from the chart's `crds/` or from its catalog file (the same schema made
/// strict by scripts/gen-lint-catalog-fixture).
const SERVICE_MONITOR_FINDINGS: [(&str, &str, &str, &str); 3] = [
    (
        "error",
        "ServiceMonitor/broken",
        "spec.endpoints[0].port",
        "expected a string, got integer 8080",
    ),
    (
        "error",
        "ServiceMonitor/broken",
        "spec.endpoints[0].interval",
        "30 seconds",
    ),
    (
        "error",
        "ServiceMonitor/broken",
        "spec.endpoints[0].schema",
        "unknown field \"schema\" (did you mean \"scheme\"?)",
    ),
];

/// A CRD in the chart's `crds/` directory validates its custom resources, for the versions it
/// serves; a kind with no CRD anywhere still gets a note.
#[test]
fn crds_directory_schemas_apply_to_custom_resources() {
    let mut expected = SERVICE_MONITOR_FINDINGS.to_vec();
    expected.extend([
        (
            "error",
            "ServiceMonitor/old",
            "apiVersion",
            "the chart's CustomResourceDefinition servicemonitors.monitoring.coreos.com does not serve monitoring.coreos.com/v1beta1; it serves v1",
        ),
        (
            "note",
            "Certificate/web-tls",
            "",
            "no schema for cert-manager.io/v1 Certificate",
        ),
        // From the subchart's crds/.
        (
            "error",
            "Probe/web",
            "spec.prober.url",
            "required field is missing",
        ),
    ]);
    case("crds-dir", 1, &expected);
}

/// `--schema-location` as a catalog directory and as kubeconform's path template: the same
/// findings as with the CRD in the chart; without it, notes only.
#[test]
fn schema_location_validates_custom_resources_from_a_catalog() {
    let chart = fixture("crd-catalog");
    let (code, _, found) = lint_json(&chart, &[]);
    assert_eq!(code, 0);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found
            .iter()
            .all(|f| f.severity == "note" && f.message.contains("no --schema-location is given")),
        "{found:#?}"
    );

    let catalog = "tests/fixtures/lint/catalog";
    let template = "tests/fixtures/lint/catalog/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json";
    let missing = "tests/fixtures/lint/no-such-file-{{.ResourceKind}}.json";
    for location in [catalog, template] {
        let (code, _, found) = lint_json(
            &chart,
            &["--schema-location", missing, "--schema-location", location],
        );
        let mut expected = SERVICE_MONITOR_FINDINGS.to_vec();
        expected.push((
            "note",
            "Certificate/web-tls",
            "",
            "no --schema-location has it (looked for tests/fixtures/lint/no-such-file-certificate.json, tests/fixtures/lint/catalog/cert-manager.io/certificate_v1.json)",
        ));
        assert_findings(&found, &expected);
        assert_eq!(code, 1, "{location}");
    }

    // The same through `template --validate`, findings on standard error.
    let run = ktera(&[
        "template",
        &chart.to_string_lossy(),
        "--validate",
        "--schema-location",
        catalog,
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("ERROR monitoring.coreos.com/ServiceMonitor shop/broken: spec.endpoints[0].port: expected a string, got integer 8080"),
        "{}",
        run.stderr
    );
}

#[test]
fn schema_location_errors_name_the_flag_or_the_file() {
    let chart = fixture("crd-catalog");
    let chart = chart.to_string_lossy();
    let run = ktera(&[
        "lint",
        &chart,
        "--schema-location",
        "tests/fixtures/lint/no-such-dir",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--schema-location tests/fixtures/lint/no-such-dir: no such directory"),
        "{}",
        run.stderr
    );
    let run = ktera(&[
        "lint",
        &chart,
        "--schema-location",
        "https://example.com/{{ .Group }}.json",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("local files only"), "{}", run.stderr);

    // A file that is not JSON: its name, line and column.
    let run = ktera(&[
        "lint",
        &chart,
        "--schema-location",
        "tests/fixtures/lint/broken-catalog",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains(
            "tests/fixtures/lint/broken-catalog/monitoring.coreos.com/servicemonitor_v1.json:4:"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("not valid JSON"), "{}", run.stderr);
}

#[test]
fn port_numbers_out_of_range() {
    case(
        "port-range",
        1,
        &[
            (
                "error",
                "Deployment/web",
                "spec.template.spec.containers[name=web].ports[0].containerPort",
                "80800 is not a port number (1-65535)",
            ),
            (
                "error",
                "Service/web-svc",
                "spec.ports[name=admin].port",
                "65536 is not a port number",
            ),
            (
                "error",
                "Service/web-svc",
                "spec.ports[name=admin].targetPort",
                "70000 is not a port number",
            ),
            // targetPort 0 defaults to the port, which no container declares.
            (
                "warning",
                "Service/web-svc",
                "spec.ports[name=same].targetPort",
                "declares port 8080",
            ),
        ],
    );
}

#[test]
fn duplicate_identity() {
    case(
        "duplicate",
        1,
        &[(
            "error",
            "ConfigMap/settings",
            "",
            "another object has the same group, kind, namespace and name",
        )],
    );
}

#[test]
fn api_version_the_cluster_does_not_serve() {
    case(
        "wrong-api-version",
        1,
        &[(
            "error",
            "Deployment/web",
            "apiVersion",
            "does not serve Deployment as extensions/v1beta1; use apps/v1",
        )],
    );
}

#[test]
fn example_chart_lints_clean_in_every_environment() {
    for env in ["dev", "prod"] {
        let values = format!("values/{env}.yaml");
        let run = ktera(&["lint", "charts/backend", "-f", &values]);
        assert_eq!(run.code, 0, "{env}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("0 errors"), "{env}: {}", run.stdout);
        let (code, doc, found) = lint_json(&root().join("charts/backend"), &["-f", &values]);
        assert_eq!(code, 0);
        assert_eq!(doc["summary"]["errors"], 0, "{env}: {found:#?}");
        assert_eq!(doc["summary"]["warnings"], 0, "{env}: {found:#?}");
        // Prod's Secret comes from an ExternalSecret, a custom resource without a schema here.
        let notes = if env == "prod" { 1 } else { 0 };
        assert_eq!(doc["summary"]["notes"], notes, "{env}: {found:#?}");
        // Every object the example renders: 13 in dev (with the cache subchart), 11 in prod.
        let expected = if env == "dev" { 13 } else { 11 };
        assert_eq!(doc["objects"], expected, "{env}");
    }
}

#[test]
fn json_report_shape() {
    let (code, doc, _) = lint_json(&fixture("wrong-type"), &["--kube-version", "v1.30.4"]);
    assert_eq!(code, 1);
    assert_eq!(doc["kubernetesVersion"], "v1.30.4");
    assert_eq!(doc["objects"], 1);
    assert_eq!(
        doc["summary"],
        serde_json::json!({"errors": 1, "warnings": 0, "notes": 0})
    );
    let finding = &doc["findings"][0];
    assert_eq!(finding["severity"], "error");
    assert_eq!(
        finding["object"],
        serde_json::json!({"group": "apps", "kind": "Deployment", "namespace": "shop", "name": "web"})
    );
    assert_eq!(finding["source"], "wrong-type/templates/deployment.yaml");
    assert_eq!(finding["path"], "spec.replicas");
}

#[test]
fn text_report_lines() {
    let chart = fixture("wrong-type");
    let run = ktera(&["lint", &chart.to_string_lossy()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("ERROR apps/Deployment shop/web: spec.replicas: expected an integer, got string \"3\" (wrong-type/templates/deployment.yaml)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with(
            "1 object checked against Kubernetes v1.32.0: 1 error, 0 warnings, 0 notes\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn clean_chart_exits_zero() {
    let (code, doc, found) = lint_json(&fixture("clean"), &[]);
    assert_eq!(code, 0);
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(doc["summary"]["errors"], 0);
}

/// A cluster newer (or older) than the shipped schemas is checked against the nearest shipped
/// minor, and one note on standard error says so, whatever the output format.
#[test]
fn kube_version_outside_the_shipped_range_uses_the_nearest_schemas() {
    let chart = fixture("wrong-type");
    let chart = chart.to_string_lossy();
    let note = "note: ktera ships no schemas for Kubernetes v1.40; validating against v1.36, the nearest shipped (v1.30 to v1.36)\n";
    let run = ktera(&["lint", &chart, "--kube-version", "v1.40.1"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr, note);
    assert!(
        run.stdout.ends_with("1 object checked against the Kubernetes v1.36 schemas (for v1.40.1): 1 error, 0 warnings, 0 notes\n"),
        "{}",
        run.stdout
    );

    let run = ktera(&["lint", &chart, "--kube-version", "1.12", "-o", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        note.replace("v1.40", "v1.12")
            .replace("v1.36, the", "v1.30, the")
    );
    let doc: Value = serde_json::from_str(&run.stdout).expect("standard output is the report");
    assert_eq!(doc["kubernetesVersion"], "v1.12.0");
    assert_eq!(doc["schemaVersion"], "v1.30");
    assert_eq!(doc["summary"]["errors"], 1);

    // A shipped minor: no note.
    let run = ktera(&["lint", &chart, "--kube-version", "v1.33.2", "-o", "json"]);
    assert_eq!(run.stderr, "");
    let doc: Value = serde_json::from_str(&run.stdout).expect("standard output is the report");
    assert_eq!(doc["schemaVersion"], "v1.33");

    // `template --validate` says the same, before its findings.
    let run = ktera(&[
        "template",
        &chart,
        "--validate",
        "--kube-version",
        "v1.40.1",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.starts_with(note), "{}", run.stderr);
}

#[test]
fn kube_version_that_is_not_a_version_is_a_usage_error() {
    let chart = fixture("clean");
    let run = ktera(&["lint", &chart.to_string_lossy(), "--kube-version", "v1.x"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("`v1.x` is not a Kubernetes version"),
        "{}",
        run.stderr
    );
}

#[test]
fn render_errors_exit_two() {
    let run = ktera(&["lint", "tests/fixtures/lint/no-such-chart"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no such chart directory"),
        "{}",
        run.stderr
    );
}

/// A chart archive's values.yaml, and that of a subchart archived in its `charts/`, are read
/// for YAML 1.1 booleans as a chart directory's are: Helm reads them with the same reader
/// (real Helm, when present, shows it on the same archives made by `helm package`). Each
/// warning names the file inside the archive, as the render's messages do.
#[test]
fn yaml_1_1_booleans_in_a_chart_archive_are_warnings() {
    let sub = [
        ("Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
        ("values.yaml", "debug: off\n"),
    ];
    let (tmp, chart) = crate::common::chart_named(
        "yb",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: yb\nversion: 0.1.0\n"),
            ("values.yaml", "# defaults\nenabled: no\nname: \"no\"\n"),
            (
                "templates/cm.yaml",
                "{% if Values.enabled %}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n{% endif %}\n",
            ),
        ],
    );
    let sub_dir = tmp.path().join("sub");
    crate::common::write(&sub_dir, &sub);
    let package = |source: &Path, into: &Path| {
        let run = ktera(&[
            "package",
            &source.display().to_string(),
            "-d",
            &into.display().to_string(),
        ]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    };
    package(&sub_dir, &chart.join("charts"));
    let out = tmp.path().join("out");
    package(&chart, &out);
    let archive = out.join("yb-0.1.0.tgz").display().to_string();
    let run = ktera(&["lint", &archive]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let expected = format!(
        "WARNING {archive}/yb/values.yaml:2:10: Helm reads `no` as the boolean false (YAML 1.1); ktera reads the string \"no\", which an `if` takes as true: write false, or quote it if a string is meant\n\
         \n\
         WARNING {archive}/yb/charts/sub-0.1.0.tgz/sub/values.yaml:1:8: Helm reads `off` as the boolean false (YAML 1.1); ktera reads the string \"off\", which an `if` takes as true: write false, or quote it if a string is meant\n"
    );
    assert!(run.stdout.starts_with(&expected), "{}", run.stdout);
    assert!(
        run.stdout.ends_with(": 0 errors, 2 warnings, 0 notes\n"),
        "{}",
        run.stdout
    );
    assert_eq!(ktera(&["lint", &archive, "--strict"]).code, 1);

    if let Some(helm) = crate::common::servers::helm() {
        let (htmp, helm_chart) = crate::common::chart_named(
            "yb",
            &[
                ("Chart.yaml", "apiVersion: v2\nname: yb\nversion: 0.1.0\n"),
                ("values.yaml", "# defaults\nenabled: no\nname: \"no\"\n"),
                (
                    "templates/t.yaml",
                    "x: {{ typeOf .Values.enabled }} {{ typeOf .Values.name }} {{ typeOf .Values.sub.debug }}\n",
                ),
            ],
        );
        let helm_sub = htmp.path().join("sub");
        crate::common::write(&helm_sub, &sub);
        let helm_package = |source: &Path, into: &Path| {
            let output = crate::common::servers::helm_command(&helm, htmp.path())
                .arg("package")
                .arg(source)
                .arg("-d")
                .arg(into)
                .output()
                .expect("helm");
            assert!(output.status.success(), "{output:?}");
        };
        helm_package(&helm_sub, &helm_chart.join("charts"));
        let helm_out = htmp.path().join("out");
        helm_package(&helm_chart, &helm_out);
        let output = crate::common::servers::helm_command(&helm, htmp.path())
            .arg("template")
            .arg(helm_out.join("yb-0.1.0.tgz"))
            .output()
            .expect("helm");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{output:?}");
        assert!(text.contains("x: bool string bool"), "{text}");
    }
}

/// A plain `no`, `On`, ... in values.yaml or a `-f` file is a boolean for Helm (and any YAML 1.1
/// reader) and a string, true in an `if`, for ktera: a warning at its file, line and column, with
/// the fix; quoted words and block text are strings for both and are left alone. Real Helm,
/// when present, shows the reading the warning states.
#[test]
fn yaml_1_1_booleans_in_values_files_are_warnings() {
    let values = "# defaults\nenabled: no\nname: \"no\"\ntext: |\n  yes\n";
    let template = "{% if Values.enabled %}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  mode: {{ Values.mode | default(value=\"x\") | quote }}\n{% endif %}\n";
    let (tmp, chart) = crate::common::chart_named(
        "yb",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: yb\nversion: 0.1.0\n"),
            ("values.yaml", values),
            ("templates/cm.yaml", template),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ),
            ("charts/sub/values.yaml", "debug: off\n"),
        ],
    );
    let prod = tmp.path().join("prod.yaml");
    std::fs::write(&prod, "mode: On\nlist:\n  - off\n  - \"Off\"\n").expect("write");
    let (chart, prod) = (chart.display().to_string(), prod.display().to_string());
    let run = ktera(&["lint", &chart, "-f", &prod]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let expected = format!(
        "WARNING {chart}/values.yaml:2:10: Helm reads `no` as the boolean false (YAML 1.1); ktera reads the string \"no\", which an `if` takes as true: write false, or quote it if a string is meant\n\
         \n\
         WARNING {chart}/charts/sub/values.yaml:1:8: Helm reads `off` as the boolean false (YAML 1.1); ktera reads the string \"off\", which an `if` takes as true: write false, or quote it if a string is meant\n\
         \n\
         WARNING {prod}:1:7: Helm reads `On` as the boolean true (YAML 1.1); ktera reads the string \"On\", which an `if` takes as true: write true, or quote it if a string is meant\n\
         WARNING {prod}:3:5: Helm reads `off` as the boolean false (YAML 1.1); ktera reads the string \"off\", which an `if` takes as true: write false, or quote it if a string is meant\n"
    );
    assert!(run.stdout.starts_with(&expected), "{}", run.stdout);
    assert!(
        run.stdout.ends_with(": 0 errors, 4 warnings, 0 notes\n"),
        "{}",
        run.stdout
    );
    assert_eq!(ktera(&["lint", &chart, "-f", &prod, "--strict"]).code, 1);
    // `template --validate` runs the same checks: warnings on standard error, the output printed.
    let run = ktera(&["template", &chart, "-f", &prod, "--validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
    assert!(run.stdout.contains("kind: ConfigMap"), "{}", run.stdout);

    // From standard input, in JSON: the place is given as a location.
    let output = Command::cargo_bin("ktera")
        .expect("the ktera binary is built")
        .args(["lint", &chart, "-f", "-", "-o", "json"])
        .write_stdin("mode: Y\n")
        .output()
        .expect("ktera runs");
    let doc: Value = serde_json::from_slice(&output.stdout).expect("json");
    let stdin_finding = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["location"]["file"] == "<stdin>")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(stdin_finding["severity"], "warning");
    assert_eq!(stdin_finding["object"], Value::Null);
    assert_eq!(stdin_finding["location"]["line"], 1);
    assert_eq!(stdin_finding["location"]["column"], 7);

    if let Some(helm) = crate::common::servers::helm() {
        let (htmp, helm_chart) = crate::common::chart_named(
            "yb",
            &[
                ("Chart.yaml", "apiVersion: v2\nname: yb\nversion: 0.1.0\n"),
                ("values.yaml", values),
                (
                    "templates/t.yaml",
                    "x: {{ typeOf .Values.enabled }} {{ typeOf .Values.mode }} {{ typeOf .Values.name }} {{ .Values.list | toJson }}\n",
                ),
            ],
        );
        let output = crate::common::servers::helm_command(&helm, htmp.path())
            .args(["template", &helm_chart.display().to_string(), "-f", &prod])
            .output()
            .expect("helm");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{output:?}");
        assert!(
            text.contains("x: bool bool string [false,\"Off\"]"),
            "{text}"
        );
    }
}
