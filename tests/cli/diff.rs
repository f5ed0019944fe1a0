//! `ktera diff`, run as the real binary on the fixture pairs in tests/fixtures/diff/<case>/:
//! one case per class of difference, exit codes as diff(1) (0 equal, 1 differ, 2 error); and the
//! directories `kubectl diff` hands `KUBECTL_EXTERNAL_DIFF`, built as kubectl writes them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(case: &str, side: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "diff",
        case,
        side,
    ]
    .iter()
    .collect();
    path.display().to_string()
}

fn ktera() -> Command {
    let mut cmd = Command::cargo_bin("ktera").expect("binary");
    cmd.env_remove("NO_COLOR");
    cmd
}

/// `ktera diff <case>/left.yaml <case>/right.yaml [extra...]`.
fn diff_case(case: &str, extra: &[&str]) -> Command {
    let mut cmd = ktera();
    cmd.arg("diff")
        .arg(fixture(case, "left.yaml"))
        .arg(fixture(case, "right.yaml"))
        .args(extra);
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// stdout and stderr together, for "appears nowhere" checks.
fn everything(output: &Output) -> String {
    format!("{}{}", text(&output.stdout), text(&output.stderr))
}

#[test]
fn reordered_documents_are_equal() {
    diff_case("reordered-documents", &[])
        .assert()
        .code(0)
        .stdout("no differences: 2 objects equal\n")
        .stderr("");
}

#[test]
fn reordered_keys_quoting_and_comments_are_equal() {
    diff_case("reordered-keys", &[]).assert().code(0);
}

#[test]
fn api_version_change_alone_is_equal() {
    diff_case("api-version", &[]).assert().code(0);
}

#[test]
fn changed_scalar_prints_path_and_both_values() {
    diff_case("changed-scalar", &[])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "~ apps/Deployment dominos-service-backend/backend-app",
        ))
        .stdout(predicate::str::contains("spec.replicas: 2 -> 3\n"))
        .stdout(predicate::str::contains(
            "spec.template.spec.containers[name=backend-app].image: \
             \"123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/backend-app:1.4.2\" -> \
             \"123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/backend-app:1.5.0\"",
        ))
        .stdout(predicate::str::contains("1 changed, 1 equal\n"));
}

#[test]
fn named_list_items_added_removed_and_reordered() {
    let env = "spec.template.spec.containers[name=backend-app].env";
    diff_case("named-list", &[])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "- {env}[name=LEGACY_MODE]: {{name: \"LEGACY_MODE\", value: \"true\"}}"
        )))
        .stdout(predicate::str::contains(format!(
            "+ {env}[name=FEATURE_FLAGS]: {{name: \"FEATURE_FLAGS\", value: \"new-checkout\"}}"
        )))
        .stdout(predicate::str::contains(
            "~ spec.template.spec.containers: order [\"backend-app\", \"log-shipper\"] -> \
             [\"log-shipper\", \"backend-app\"]",
        ))
        // Matched by name: the unchanged entries after the removed one are not reported.
        .stdout(predicate::str::contains("DB_HOST").not());
}

#[test]
fn plain_list_items_added_and_removed_by_index() {
    let args = "spec.template.spec.containers[name=migrate].args";
    diff_case("plain-list", &[])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "- {args}[1]: \"--verbose\""
        )))
        .stdout(predicate::str::contains(format!(
            "+ {args}[2]: \"--dry-run=false\""
        )))
        .stdout(predicate::str::contains("--target=latest").not());
}

#[test]
fn objects_only_on_one_side() {
    diff_case("only-one-side", &[])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "- /ConfigMap dominos-service-backend/legacy-config: only on the left",
        ))
        .stdout(predicate::str::contains(
            "+ networking.k8s.io/Ingress dominos-service-backend/backend-app: only on the right",
        ))
        // Listed, not shown.
        .stdout(predicate::str::contains("api.example.com").not());
}

#[test]
fn string_one_differs_from_integer_one() {
    diff_case("string-vs-int", &[])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("data.WORKERS: \"1\" -> 1\n"));
}

const SECRET_TEXTS: [&str; 8] = [
    "db-password-42",
    "ZGItcGFzc3dvcmQtNDI=",
    "rotated-db-password-2024",
    "cm90YXRlZC1kYi1wYXNzd29yZC0yMDI0",
    "tok-live-5f3a9c",
    "tok-live-77e1d0",
    "eyJhdXRocyI6eyJlY3IiOnsiYXV0aCI6InJlZy1zZWNyZXQtOTkifX19",
    "reg-secret-99",
];

#[test]
fn secret_values_are_masked() {
    let output = diff_case("secret", &[]).output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    let all = everything(&output);
    for secret in SECRET_TEXTS {
        assert!(!all.contains(secret), "{secret} leaked:\n{all}");
    }
    assert!(
        all.contains("data.password: <secret: 14 bytes> -> <secret: 24 bytes>"),
        "{all}"
    );
    assert!(
        all.contains("stringData.api-token: <secret: 15 bytes> -> <secret: 15 bytes>"),
        "{all}"
    );
    assert!(
        all.contains("+ /Secret dominos-service-backend/registry-credentials"),
        "{all}"
    );
}

#[test]
fn secret_values_are_masked_in_json() {
    let output = diff_case("secret", &["-o", "json"]).output().expect("run");
    let all = everything(&output);
    for secret in SECRET_TEXTS {
        assert!(!all.contains(secret), "{secret} leaked:\n{all}");
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let change = &report["changed"][0]["changes"][0];
    assert_eq!(change["path"], "data.password");
    assert_eq!(change["left"], "<secret: 14 bytes>");
    assert_eq!(change["masked"], true);
}

#[test]
fn show_secrets_reveals_them() {
    let output = diff_case("secret", &["--show-secrets"])
        .output()
        .expect("run");
    let all = everything(&output);
    assert!(
        all.contains(
            "data.password: \"ZGItcGFzc3dvcmQtNDI=\" -> \"cm90YXRlZC1kYi1wYXNzd29yZC0yMDI0\""
        ),
        "{all}"
    );
    assert!(
        all.contains("\"tok-live-5f3a9c\" -> \"tok-live-77e1d0\""),
        "{all}"
    );
}

#[test]
fn secret_parse_error_does_not_echo_the_value() {
    let output = diff_case("bad-secret-yaml", &[]).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    let all = everything(&output);
    assert!(!all.contains("hunter2"), "leaked:\n{all}");
    assert!(
        all.contains("bad-secret-yaml/left.yaml:6:13: invalid YAML"),
        "{all}"
    );
}

#[test]
fn directory_sides() {
    let mut cmd = ktera();
    cmd.arg("diff")
        .arg(fixture("dir", "left"))
        .arg(fixture("dir", "right"));
    cmd.assert()
        .code(1)
        .stdout(predicate::str::contains("spec.replicas: 2 -> 4\n"))
        // The Service from left/service.yaml matched the one in right/all.yaml.
        .stdout(predicate::str::contains("1 changed, 1 equal\n"))
        .stdout(predicate::str::contains("sub/deployment.yml:2"));
}

#[test]
fn stdin_side() {
    let left = fs::read(fixture("changed-scalar", "left.yaml")).expect("fixture");
    ktera()
        .arg("diff")
        .arg("-")
        .arg(fixture("changed-scalar", "right.yaml"))
        .write_stdin(left)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("--- <stdin>\n"))
        .stdout(predicate::str::contains("spec.replicas: 2 -> 3"));
}

#[test]
fn stdin_on_both_sides_is_an_error() {
    ktera()
        .args(["diff", "-", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at most one side"));
}

#[test]
fn bad_yaml_names_file_line_and_column() {
    diff_case("bad-yaml", &[])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "bad-yaml/left.yaml:12:14: invalid YAML: mapping values are not allowed",
        ));
}

#[test]
fn duplicate_object_names_both_places() {
    diff_case("duplicate", &[])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/ConfigMap backend-config is defined twice",
        ))
        .stderr(predicate::str::contains("duplicate/left.yaml:1 and at"))
        .stderr(predicate::str::contains("duplicate/left.yaml:8;"));
}

#[test]
fn missing_file() {
    ktera()
        .arg("diff")
        .arg(fixture("changed-scalar", "left.yaml"))
        .arg("no/such/manifests.yaml")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "no/such/manifests.yaml: no such file or directory",
        ));
}

#[test]
fn usage_error_exits_2() {
    ktera().args(["diff", "only-one-arg"]).assert().code(2);
}

#[test]
fn json_report() {
    let output = diff_case("only-one-side", &["-o", "json"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(report["equal"], false);
    assert_eq!(
        report["counts"],
        serde_json::json!({"equal": 1, "changed": 0, "only_left": 1, "only_right": 1})
    );
    assert_eq!(
        report["only_left"],
        serde_json::json!(["/ConfigMap dominos-service-backend/legacy-config"])
    );
    assert_eq!(
        report["only_right"],
        serde_json::json!(["networking.k8s.io/Ingress dominos-service-backend/backend-app"])
    );

    let output = diff_case("string-vs-int", &["-o", "json"])
        .output()
        .expect("run");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        report["changed"][0]["id"],
        "/ConfigMap dominos-service-backend/backend-config"
    );
    assert_eq!(
        report["changed"][0]["changes"],
        serde_json::json!([{"path": "data.WORKERS", "op": "changed", "left": "1", "right": 1}])
    );
}

#[test]
fn json_report_when_equal() {
    let output = diff_case("reordered-documents", &["-o", "json"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["equal"], true);
    assert_eq!(report["changed"], serde_json::json!([]));
}

#[test]
fn no_colour_when_piped() {
    diff_case("changed-scalar", &[])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn kustomize_directory_is_refused_with_a_hint() {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let overlay = tmp.path().join("overlays").join("prod");
    fs::create_dir_all(&overlay).expect("mkdir");
    fs::write(
        overlay.join("kustomization.yaml"),
        "resources: [../../base]\n",
    )
    .expect("write");
    fs::write(
        overlay.join("replicas-patch.yaml"),
        "kind: Deployment\nmetadata: {name: a}\n",
    )
    .expect("write");
    ktera()
        .arg("diff")
        .arg(tmp.path())
        .arg(fixture("changed-scalar", "right.yaml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a Kustomize directory, not rendered manifests",
        ))
        .stderr(predicate::str::contains("kubectl kustomize"));
}

#[test]
fn empty_directory_is_an_error() {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    ktera()
        .arg("diff")
        .arg(tmp.path())
        .arg(fixture("changed-scalar", "right.yaml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no .yaml or .yml file"));
}

/// `template` and `diff` split a YAML stream with one splitter, as Helm splits it: the chart's
/// one template uses every form of the `---` marker (content on its line, a comment after it,
/// empty documents), and tests/fixtures/helm-split/expected.yaml is real Helm's output
/// (scripts/gen-helm-split-fixture). `ktera template`'s output, and the template read by
/// `ktera diff` as it is, are both Helm's five objects.
#[test]
fn template_and_diff_split_a_stream_as_helm_does() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helm-split");
    let expected = root.join("expected.yaml");
    let rendered = ktera()
        .arg("template")
        .arg(root.join("chart"))
        .output()
        .expect("run");
    assert!(rendered.status.success(), "{}", text(&rendered.stderr));
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let output = tmp.path().join("template.yaml");
    fs::write(&output, &rendered.stdout).expect("write");
    for left in [output, root.join("chart/templates/streams.yaml")] {
        ktera()
            .arg("diff")
            .arg(&left)
            .arg(&expected)
            .assert()
            .code(0)
            .stdout("no differences: 5 objects equal\n");
    }
}

/// `--- |` starts a document that is a string (YAML; Helm splits there too and refuses it as
/// not an object): `template` says so, where it once read two documents as one.
#[test]
fn template_refuses_a_string_document_after_the_marker() {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let chart = tmp.path().join("c");
    fs::create_dir_all(chart.join("templates")).expect("mkdir");
    fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .expect("write");
    fs::write(
        chart.join("templates/x.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n--- |\n  text\n",
    )
    .expect("write");
    ktera()
        .arg("template")
        .arg(&chart)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "document 2 of the rendered output (line 4) is the text \"text\\n\", not a Kubernetes object",
        ));
}

/// The two directories `kubectl diff` hands `KUBECTL_EXTERNAL_DIFF`, laid out as kubectl writes
/// them (kubernetes/kubectl pkg/cmd/diff/diff.go): `LIVE-<digits>` and `MERGED-<digits>` in a
/// temporary directory, one file per object named `[GROUP.]VERSION.KIND.NAMESPACE.NAME` with no
/// extension, holding the object as sigs.k8s.io/yaml writes it (keys sorted, lists not
/// indented, Secret data already masked by kubectl), or nothing where the object is absent on
/// that side. Each entry: (file name, live, merged).
fn kubectl_dirs(objects: &[(&str, &str, &str)]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let live = tmp.path().join("LIVE-2291409532");
    let merged = tmp.path().join("MERGED-1793262611");
    for (name, live_text, merged_text) in objects {
        for (dir, text) in [(&live, live_text), (&merged, merged_text)] {
            fs::create_dir_all(dir).expect("mkdir");
            fs::write(dir.join(name), text).expect("write");
        }
    }
    (tmp, live, merged)
}

/// What kubectl runs (`DiffProgram.getCommand`): the variable split at spaces; its first word
/// (here the ktera this test run built) with the two directories, then every other word made
/// only of letters, digits, `-` and `=`.
fn as_kubectl(variable: &str, live: &Path, merged: &Path) -> Output {
    let valid = |word: &&str| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'=')
    };
    let mut words = variable.split(' ');
    assert_eq!(words.next(), Some("ktera"));
    ktera()
        .arg(live)
        .arg(merged)
        .args(words.filter(valid))
        .output()
        .expect("run")
}

const DEPLOYMENT_LIVE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  generation: 4\n  name: web\n  namespace: default\n  resourceVersion: \"81723\"\n  uid: 6a1f0a2e-3b7c-4c1e-9d55-0f7f1b2c3d4e\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - image: nginx:1.27.2\n        name: web\n";
const DEPLOYMENT_MERGED: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  generation: 5\n  name: web\n  namespace: default\n  resourceVersion: \"81723\"\n  uid: 6a1f0a2e-3b7c-4c1e-9d55-0f7f1b2c3d4e\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - image: nginx:1.27.3\n        name: web\n";
const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\nspec:\n  finalizers:\n  - kubernetes\n";

#[test]
fn kubectl_external_diff_directories() {
    let (_tmp, live, merged) = kubectl_dirs(&[
        (
            "apps.v1.Deployment.default.web",
            DEPLOYMENT_LIVE,
            DEPLOYMENT_MERGED,
        ),
        // New: kubectl writes an empty live file.
        (
            "v1.ConfigMap.default.cfg",
            "",
            "apiVersion: v1\ndata:\n  LOG_LEVEL: info\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: default\n",
        ),
        // Pruned (`kubectl diff --prune`): an empty merged file.
        (
            "rbac.authorization.k8s.io.v1.ClusterRole..reader",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n",
            "",
        ),
        // Cluster-scoped: no namespace between the dots.
        ("v1.Namespace..prod", NAMESPACE, NAMESPACE),
        // kubectl masks Secret data before writing; ktera says so.
        (
            "v1.Secret.default.creds",
            "apiVersion: v1\ndata:\n  password: '*** (before)'\nkind: Secret\nmetadata:\n  name: creds\n  namespace: default\ntype: Opaque\n",
            "apiVersion: v1\ndata:\n  password: '*** (after)'\nkind: Secret\nmetadata:\n  name: creds\n  namespace: default\ntype: Opaque\n",
        ),
    ]);
    for output in [
        as_kubectl("ktera diff", &live, &merged),
        ktera()
            .arg("diff")
            .arg(&live)
            .arg(&merged)
            .output()
            .expect("run"),
    ] {
        let all = everything(&output);
        // kubectl reads 1 as "differences found".
        assert_eq!(output.status.code(), Some(1), "{all}");
        for expected in [
            "~ apps/Deployment default/web",
            "spec.replicas: 2 -> 3\n",
            "spec.template.spec.containers[name=web].image: \"nginx:1.27.2\" -> \"nginx:1.27.3\"",
            "metadata.generation: 4 -> 5\n",
            "+ /ConfigMap default/cfg: only on the right",
            "- rbac.authorization.k8s.io/ClusterRole reader: only on the left",
            "~ data.password: changed; kubectl diff hid both values\n",
            "1 equal",
        ] {
            assert!(all.contains(expected), "{expected:?} missing:\n{all}");
        }
        assert!(!all.contains("(before)"), "a Secret value shown:\n{all}");
    }

    // Words after `diff` reach it (kubectl appends them after the directories).
    let json = as_kubectl("ktera diff -o json", &live, &merged);
    assert_eq!(json.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    assert!(report.is_object(), "{report}");

    // No differences: 0.
    let (_same, live, merged) = kubectl_dirs(&[
        ("v1.Namespace..prod", NAMESPACE, NAMESPACE),
        (
            "apps.v1.Deployment.default.web",
            DEPLOYMENT_LIVE,
            DEPLOYMENT_LIVE,
        ),
    ]);
    let output = as_kubectl("ktera diff", &live, &merged);
    assert_eq!(output.status.code(), Some(0), "{}", everything(&output));

    // An error is more than 1, which kubectl reports as a failure of the diff program.
    let (_bad, live, merged) = kubectl_dirs(&[(
        "v1.ConfigMap.default.cfg",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [cfg\n",
    )]);
    let output = as_kubectl("ktera diff", &live, &merged);
    assert_eq!(output.status.code(), Some(2), "{}", everything(&output));
    assert!(
        text(&output.stderr)
            .contains("MERGED-1793262611/v1.ConfigMap.default.cfg:5:1: invalid YAML"),
        "{}",
        text(&output.stderr)
    );
}

fn secret(data: &str) -> String {
    format!(
        "apiVersion: v1\ndata:\n{data}kind: Secret\nmetadata:\n  name: creds\n  namespace: default\ntype: Opaque\n"
    )
}

/// kubectl diff masks every `data` value of a Secret before writing it (kubernetes/kubectl
/// pkg/cmd/diff/diff.go, `Masker`): `***` where the value is the same on both sides or on one
/// side only, `*** (before)` and `*** (after)` where it changed. ktera reads these as kubectl's
/// masks, not as values that are not base64; anything else is a value.
#[test]
fn kubectl_secret_masks() {
    const FILE: &str = "v1.Secret.default.creds";
    let run = |live: &str, merged: &str, variable: &str| {
        let (tmp, live_dir, merged_dir) = kubectl_dirs(&[(FILE, live, merged)]);
        let output = as_kubectl(variable, &live_dir, &merged_dir);
        (tmp, output)
    };

    // Equal values: equal masks, no difference (0).
    let same = secret("  password: '***'\n  user: '***'\n");
    for variable in ["ktera diff", "ktera diff --show-secrets"] {
        let (_tmp, output) = run(&same, &same, variable);
        assert_eq!(output.status.code(), Some(0), "{}", everything(&output));
        assert_eq!(text(&output.stdout), "no differences: 1 object equal\n");
    }

    // A changed value, a key added and one removed (1): said to be hidden by kubectl, with or
    // without --show-secrets (kubectl wrote no value to show).
    let live = secret("  old: '***'\n  password: '*** (before)'\n  user: '***'\n");
    let merged = secret("  new: '***'\n  password: '*** (after)'\n  user: '***'\n");
    for variable in ["ktera diff", "ktera diff --show-secrets"] {
        let (_tmp, output) = run(&live, &merged, variable);
        let all = everything(&output);
        assert_eq!(output.status.code(), Some(1), "{all}");
        for expected in [
            "~ /Secret default/creds",
            "    ~ data.password: changed; kubectl diff hid both values\n",
            "    - data.old: <secret: hidden by kubectl diff>\n",
            "    + data.new: <secret: hidden by kubectl diff>\n",
            "1 changed\n",
        ] {
            assert!(all.contains(expected), "{expected:?} missing:\n{all}");
        }
        assert!(!all.contains("base64"), "{all}");
        assert!(!all.contains("data.user"), "{all}");
    }
    let (_tmp, json) = run(&live, &merged, "ktera diff -o json");
    assert_eq!(json.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    let changes = report["changed"][0]["changes"].as_array().expect("changes");
    let password = changes
        .iter()
        .find(|c| c["path"] == "data.password")
        .expect("data.password");
    assert_eq!(password["op"], "changed");
    assert_eq!(password["left"], "<secret: hidden by kubectl diff>");
    assert_eq!(password["right"], "<secret: hidden by kubectl diff>");
    assert_eq!(password["masked"], true);

    // A value that is no mask and not base64 gets the message it always had.
    let (_tmp, output) = run(
        &secret("  password: '***'\n  token: not base64!\n"),
        &secret("  password: '***'\n  token: '**** (after)'\n"),
        "ktera diff",
    );
    let all = everything(&output);
    assert_eq!(output.status.code(), Some(1), "{all}");
    assert!(
        all.contains(
            "~ data.token: <secret: 11 characters, not valid base64> -> <secret: 12 characters, not valid base64>\n"
        ),
        "{all}"
    );

    // An error is still 2: a Secret file kubectl cannot have written.
    let (_tmp, output) = run(
        &same,
        &secret("  password: '***'\n  password: '*** (after)'\n"),
        "ktera diff",
    );
    assert_eq!(output.status.code(), Some(2), "{}", everything(&output));

    // The masks are kubectl's only in kubectl's files: in ordinary manifests they are values.
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let (a, b) = (tmp.path().join("a.yaml"), tmp.path().join("b.yaml"));
    fs::write(&a, &live).expect("write");
    fs::write(&b, &merged).expect("write");
    let output = ktera().arg("diff").arg(&a).arg(&b).output().expect("run");
    let all = everything(&output);
    assert_eq!(output.status.code(), Some(1), "{all}");
    assert!(
        all.contains(
            "~ data.password: <secret: 12 characters, not valid base64> -> <secret: 11 characters, not valid base64>\n"
        ),
        "{all}"
    );
}

/// In an ordinary directory only `.yaml`/`.yml` files and kubectl's object files are read: a
/// README or a Makefile beside the manifests is left alone.
#[test]
fn other_files_without_an_extension_are_left_alone() {
    let tmp = tempfile::TempDir::new().expect("temp dir");
    for side in ["a", "b"] {
        let dir = tmp.path().join(side);
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(dir.join("ns.yaml"), NAMESPACE).expect("write");
        fs::write(dir.join("README"), "Manifests: [see below\n").expect("write");
        fs::write(dir.join("Makefile"), "all:\n\tkubectl apply -f .\n").expect("write");
    }
    ktera()
        .arg("diff")
        .arg(tmp.path().join("a"))
        .arg(tmp.path().join("b"))
        .assert()
        .code(0)
        .stdout("no differences: 1 object equal\n");
}
