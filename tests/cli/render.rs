//! `ktera render`, run as the real binary on projects in temporary directories: the tree it
//! writes, what it removes and what it leaves alone, all or nothing on failure, `--check`,
//! `--env`, `-o json`, and project file errors.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

const PROJECT: &str = "\
output: rendered
environments:
  dev:
    releases:
      - name: web
        chart: charts/demo
        values: [values/dev.yaml]
      - name: api
        chart: charts/demo
        values: [values/dev.yaml]
        set: [replicas=5]
  prod:
    releases:
      - name: web
        chart: charts/demo
        namespace: shop
        values: [values/prod.yaml]
";

/// A project with one chart used by three releases over two environments.
fn project() -> TempDir {
    let tmp = TempDir::new().expect("temp dir");
    let files = [
        ("ktera.yaml", PROJECT),
        (
            "charts/demo/Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
        ),
        ("charts/demo/values.yaml", "replicas: 1\nimage: web:1.0\n"),
        (
            "charts/demo/templates/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ Release.Name }}\n  namespace: {{ Release.Namespace }}\nspec:\n  replicas: {{ Values.replicas }}\n  template:\n    spec:\n      containers:\n        - name: app\n          image: {{ Values.image }}\n",
        ),
        (
            "charts/demo/templates/configmap.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}-config\ndata:\n  env: {{ Values.env | quote }}\n",
        ),
        ("values/dev.yaml", "env: dev\n"),
        ("values/prod.yaml", "env: prod\nreplicas: 3\n"),
    ];
    for (rel, content) in files {
        write(tmp.path(), rel, content);
    }
    tmp
}

fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(&path, content).expect("write");
}

fn ktera(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ktera").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn render(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    ktera(dir).arg("render").args(args).assert()
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).expect("utf-8")
}

/// Every file under `dir` (relative path -> bytes and modification time).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, (Vec<u8>, SystemTime)>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root").to_path_buf();
                let modified = fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .expect("mtime");
                out.insert(rel, (fs::read(&path).expect("read"), modified));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn renders_every_environment_as_ktera_template_prints_it() {
    let tmp = project();
    let root = tmp.path();
    let assert = render(root, &[]).success();
    assert_eq!(
        stdout(&assert),
        "dev/web.yaml: written\ndev/api.yaml: written\nprod/web.yaml: written\nrendered: 3 written\n"
    );
    let prod = fs::read_to_string(root.join("rendered/prod/web.yaml")).expect("prod/web");
    assert!(
        prod.starts_with("---\n# Source: demo/templates/configmap.yaml\n"),
        "{prod}"
    );
    assert!(
        prod.contains("namespace: shop\nspec:\n  replicas: 3\n"),
        "{prod}"
    );
    let api = fs::read_to_string(root.join("rendered/dev/api.yaml")).expect("dev/api");
    assert!(api.contains("  replicas: 5\n"), "{api}");

    // The same bytes as `ktera template` with the same inputs.
    let template = ktera(root)
        .args(["template", "web", "charts/demo", "-n", "shop"])
        .args(["-f", "values/prod.yaml"])
        .assert()
        .success();
    assert_eq!(stdout(&template), prod);
}

#[test]
fn output_is_byte_for_byte_deterministic() {
    let tmp = project();
    let root = tmp.path();
    render(root, &[]).success();
    let first = snapshot(&root.join("rendered"));
    fs::remove_dir_all(root.join("rendered")).expect("rm");
    render(root, &[]).success();
    let second = snapshot(&root.join("rendered"));
    let bytes = |s: &BTreeMap<PathBuf, (Vec<u8>, SystemTime)>| -> Vec<(PathBuf, Vec<u8>)> {
        s.iter().map(|(p, (b, _))| (p.clone(), b.clone())).collect()
    };
    assert_eq!(bytes(&first), bytes(&second));

    // A render with nothing new rewrites nothing.
    let assert = render(root, &[]).success();
    assert!(stdout(&assert).ends_with("rendered: 3 unchanged\n"));
    assert_eq!(second, snapshot(&root.join("rendered")));
}

#[test]
fn files_of_removed_releases_go_and_nothing_else_does() {
    let tmp = project();
    let root = tmp.path();
    render(root, &[]).success();
    // Things ktera did not write: a hand-written YAML file, a non-YAML file, a file at the top.
    write(root, "rendered/dev/README.md", "notes\n");
    write(root, "rendered/dev/hand.yaml", "kind: ConfigMap\n");
    write(root, "rendered/top.yaml", "---\n# Source: x\n");
    // An environment that is no longer in the project.
    write(root, "rendered/staging/web.yaml", "---\n# Source: demo/x\n");
    let project = PROJECT.replace(
        "      - name: api\n        chart: charts/demo\n        values: [values/dev.yaml]\n        set: [replicas=5]\n",
        "",
    );
    write(root, "ktera.yaml", &project);

    let assert = render(root, &[]).success();
    let out = stdout(&assert);
    assert!(out.contains("dev/api.yaml: removed\n"), "{out}");
    assert!(!root.join("rendered/dev/api.yaml").exists());
    // What ktera did not write in an environment's directory is reported and left; so is the
    // directory of an environment no longer in the project (its files are not ktera's to
    // prune any more).
    for left in [
        "dev/README.md: left in place (not written by ktera)\n",
        "dev/hand.yaml: left in place (not written by ktera)\n",
        "staging/: left in place (no such environment in the project; remove it by hand)\n",
    ] {
        assert!(out.contains(left), "{out}");
    }
    assert!(!out.contains("top.yaml"), "{out}");
    for kept in [
        "dev/README.md",
        "dev/hand.yaml",
        "top.yaml",
        "dev/web.yaml",
        "staging/web.yaml",
    ] {
        assert!(root.join("rendered").join(kept).exists(), "{kept} removed");
    }
}

#[test]
fn a_failing_release_changes_nothing() {
    let tmp = project();
    let root = tmp.path();
    render(root, &[]).success();
    let before = snapshot(&root.join("rendered"));
    // dev would change; prod fails: `replicas: null` deletes the chart's default.
    write(root, "values/dev.yaml", "env: dev2\n");
    write(root, "values/prod.yaml", "env: prod\nreplicas: null\n");

    render(root, &[])
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "note: in release prod/web (ktera.yaml:14:9)",
        ))
        .stderr(predicate::str::contains(
            "charts/demo/templates/deployment.yaml:7:",
        ))
        .stderr(predicate::str::contains("nothing in rendered was changed"));
    assert_eq!(before, snapshot(&root.join("rendered")));
    // No temporary files left behind either.
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        snapshot(&root.join("rendered")).keys().collect::<Vec<_>>()
    );
}

#[test]
fn check_passes_on_a_fresh_tree_and_shows_what_is_stale() {
    let tmp = project();
    let root = tmp.path();
    render(root, &[]).success();
    let assert = render(root, &["--check"]).success();
    assert_eq!(
        stdout(&assert),
        "dev/web.yaml: up to date\ndev/api.yaml: up to date\nprod/web.yaml: up to date\nrendered: up to date (3 files)\n"
    );

    write(root, "values/prod.yaml", "env: prod\nreplicas: 4\n");
    let before = snapshot(&root.join("rendered"));
    let assert = render(root, &["--check"]).code(1);
    let out = stdout(&assert);
    assert!(out.contains("prod/web.yaml: stale\n"), "{out}");
    assert!(out.contains("spec.replicas: 3 -> 4"), "{out}");
    assert!(out.contains("dev/web.yaml: up to date\n"), "{out}");
    assert!(out.contains("rendered is stale: 1 stale\n"), "{out}");
    // --check writes nothing.
    assert_eq!(before, snapshot(&root.join("rendered")));

    fs::remove_file(root.join("rendered/dev/api.yaml")).expect("rm");
    write(root, "rendered/dev/old.yaml", "---\n# Source: demo/x\n");
    let assert = render(root, &["--check"]).code(1);
    let out = stdout(&assert);
    assert!(out.contains("dev/api.yaml: missing"), "{out}");
    assert!(out.contains("dev/old.yaml: extra"), "{out}");
    assert!(
        out.contains("rendered is stale: 1 stale, 1 missing, 1 extra\n"),
        "{out}"
    );
}

#[test]
fn check_reports_formatting_only_changes_as_stale() {
    let tmp = project();
    let root = tmp.path();
    render(root, &[]).success();
    let path = root.join("rendered/dev/web.yaml");
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, format!("{text}# a comment\n")).expect("write");
    let assert = render(root, &["--check"]).code(1);
    assert!(stdout(&assert).contains("dev/web.yaml: stale (the objects are equal"));
}

#[test]
fn env_renders_and_prunes_one_environment() {
    let tmp = project();
    let root = tmp.path();
    write(root, "rendered/prod/old.yaml", "---\n# Source: demo/x\n");
    write(root, "rendered/dev/old.yaml", "---\n# Source: demo/x\n");
    let assert = render(root, &["--env", "dev"]).success();
    assert_eq!(
        stdout(&assert),
        "dev/web.yaml: written\ndev/api.yaml: written\ndev/old.yaml: removed\nrendered: 2 written, 1 removed\n"
    );
    assert!(!root.join("rendered/prod/web.yaml").exists());
    assert!(root.join("rendered/prod/old.yaml").exists());
    render(root, &["--env", "dev", "--check"]).success();

    render(root, &["--env", "staging"])
        .code(2)
        .stderr(predicate::str::contains(
            "--env staging: ktera.yaml has no such environment; its environments are: dev, prod",
        ));
}

#[test]
fn json_summaries() {
    let tmp = project();
    let root = tmp.path();
    let assert = render(root, &["-o", "json"]).success();
    let summary: serde_json::Value = serde_json::from_str(&stdout(&assert)).expect("JSON");
    assert_eq!(summary["ok"], true);
    assert_eq!(
        summary["written"],
        serde_json::json!(["dev/web.yaml", "dev/api.yaml", "prod/web.yaml"])
    );
    assert_eq!(summary["environments"]["prod"]["web"]["status"], "written");

    write(root, "values/prod.yaml", "env: prod\nreplicas: 4\n");
    fs::remove_file(root.join("rendered/dev/api.yaml")).expect("rm");
    let assert = render(root, &["--check", "-o", "json"]).code(1);
    let summary: serde_json::Value = serde_json::from_str(&stdout(&assert)).expect("JSON");
    assert_eq!(summary["ok"], false);
    assert_eq!(summary["missing"], serde_json::json!(["dev/api.yaml"]));
    assert_eq!(summary["extra"], serde_json::json!([]));
    assert_eq!(summary["stale"][0]["file"], "prod/web.yaml");
    let change = &summary["stale"][0]["diff"]["changed"][0]["changes"][0];
    assert_eq!(change["path"], "spec.replicas");
    assert_eq!(change["right"], 4);
    assert_eq!(
        summary["environments"]["dev"]["web"]["status"],
        "up_to_date"
    );

    write(root, "values/prod.yaml", "env: prod\nreplicas: null\n");
    let assert = render(root, &["-o", "json"]).code(1);
    let summary: serde_json::Value = serde_json::from_str(&stdout(&assert)).expect("JSON");
    assert_eq!(summary["ok"], false);
    assert_eq!(summary["errors"][0]["release"], "prod/web");
}

#[test]
fn project_file_errors_name_the_place() {
    let tmp = project();
    let root = tmp.path();
    write(
        root,
        "ktera.yaml",
        "environments:\n  dev:\n    releases:\n      - name: web\n        chart: charts/demo\n        valuse: [values/dev.yaml]\n",
    );
    render(root, &[])
        .code(1)
        .stderr(predicate::str::contains(
            "ktera.yaml:6:9: environments.dev.releases[0]: unknown field `valuse`",
        ))
        .stderr(predicate::str::contains("hint:"));

    write(
        root,
        "ktera.yaml",
        "environments:\n  dev:\n    releases:\n      - name: web\n        chart: charts/nope\n",
    );
    render(root, &[]).code(1).stderr(predicate::str::contains(
        "ktera.yaml:5:16: chart charts/nope does not exist",
    ));

    write(
        root,
        "ktera.yaml",
        "environments:\n  dev:\n    releases:\n      - {name: web, chart: charts/demo}\n      - {name: web, chart: charts/demo}\n",
    );
    render(root, &[]).code(1).stderr(predicate::str::contains(
        "ktera.yaml:5:16: release `web` is named twice in environment `dev` (first at line 4)",
    ));

    write(root, "ktera.yaml", "environments:\n  Dev/1: {}\n");
    render(root, &[]).code(1).stderr(predicate::str::contains(
        "ktera.yaml:2:3: environments: invalid environment name `Dev/1`",
    ));

    render(root, &["-p", "missing.yaml"])
        .code(1)
        .stderr(predicate::str::contains(
            "missing.yaml: cannot read the project file",
        ));
    assert!(!root.join("rendered").exists());
}

#[test]
fn paths_are_relative_to_the_project_file() {
    let tmp = project();
    let elsewhere = TempDir::new().expect("temp dir");
    let project = tmp.path().join("ktera.yaml");
    let project = project.to_str().expect("utf-8 path");
    render(elsewhere.path(), &["-p", project]).success();
    assert!(tmp.path().join("rendered/prod/web.yaml").exists());
    assert!(fs::read_dir(elsewhere.path()).expect("ls").next().is_none());
}

#[test]
fn a_chart_that_does_not_compile_is_reported_once_with_its_releases() {
    let tmp = project();
    let root = tmp.path();
    render(root, &[]).success();
    let before = snapshot(&root.join("rendered"));
    write(root, "charts/demo/templates/broken.yaml", "{% if %}\n");
    let assert = render(root, &["-o", "json"]).code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf-8");
    assert_eq!(stderr.matches("error: ").count(), 1, "{stderr}");
    assert!(
        stderr.contains("charts/demo/templates/broken.yaml:1:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n  note: chart charts/demo of release dev/web, dev/api, prod/web\n"),
        "{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_str(&stdout(&assert)).expect("JSON");
    assert_eq!(summary["errors"][0]["release"], serde_json::Value::Null);
    assert_eq!(before, snapshot(&root.join("rendered")));
}

/// A values file is read once for the whole project, but a broken one is still an error of
/// each release that names it, located in the file.
#[test]
fn a_broken_values_file_is_an_error_of_each_release_that_names_it() {
    let tmp = project();
    let root = tmp.path();
    write(root, "values/dev.yaml", "env: dev\nenv: again\n");
    let assert = render(root, &[]).code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf-8");
    assert_eq!(
        stderr.matches("values/dev.yaml:2:1: ").count(),
        2,
        "{stderr}"
    );
    assert!(
        stderr.contains("note: in release dev/web (ktera.yaml:5:9)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: in release dev/api (ktera.yaml:8:9)"),
        "{stderr}"
    );
    assert!(!stderr.contains("prod/web"), "{stderr}");
    assert!(
        stderr.contains("2 errors; nothing in rendered was changed"),
        "{stderr}"
    );
    assert!(!root.join("rendered").exists());
}

/// A Secret with data in the rendered tree is refused (the tree is committed), all or nothing
/// and with `--check` too, unless the environment allows it; key names are shown, never values.
#[test]
fn secret_data_is_refused_unless_the_environment_allows_it() {
    let tmp = project();
    let root = tmp.path();
    render(root, &[]).success();
    let before = snapshot(&root.join("rendered"));
    write(
        root,
        "charts/demo/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ Release.Name }}-db\n  namespace: {{ Release.Namespace }}\nstringData:\n  password: s3cret-{{ Values.env }}\n",
    );
    for args in [&[][..], &["--check"][..]] {
        let assert = render(root, args).code(1).stdout("");
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(
            stderr.contains(
                "charts/demo/templates/secret.yaml: renders Secret data, which the committed tree must not hold: Secret shop/web-db (keys password) from demo/templates/secret.yaml"
            ),
            "{stderr}"
        );
        assert!(
            stderr.contains("note: in release prod/web (ktera.yaml:14:9)"),
            "{stderr}"
        );
        assert!(
            stderr.contains("set `allowSecretData: true` under environment `dev`"),
            "{stderr}"
        );
        assert!(
            stderr.contains("3 errors; nothing in rendered was changed"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("s3cret"),
            "a value in the message: {stderr}"
        );
        assert_eq!(before, snapshot(&root.join("rendered")));
    }

    // Allowed for dev only: prod still fails, and nothing is written.
    let allowed = PROJECT.replace("  dev:\n", "  dev:\n    allowSecretData: true\n");
    write(root, "ktera.yaml", &allowed);
    let assert = render(root, &[]).code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("1 error; nothing"), "{stderr}");
    assert!(stderr.contains("release prod/web"), "{stderr}");
    assert_eq!(before, snapshot(&root.join("rendered")));

    // Prod's Secret without data (say, filled in by a controller) passes.
    write(root, "values/prod.yaml", "env: prod\nreplicas: 3\n");
    write(
        root,
        "charts/demo/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ Release.Name }}-db\n{%- if Values.env == \"dev\" %}\nstringData:\n  password: fake\n{%- endif %}\n",
    );
    render(root, &[]).success();
    let dev = fs::read_to_string(root.join("rendered/dev/web.yaml")).expect("dev/web");
    assert!(dev.contains("password: fake"), "{dev}");
    render(root, &["--check"]).success();
}
