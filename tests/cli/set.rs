//! `ktera set` through the real binary: exact bytes after each edit, refusals that leave the
//! file untouched, exit codes (1 for input errors, 2 for usage errors), and a render of the
//! edited file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/set")
        .join(name);
    match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Writes `input` to a fresh `values.yaml`, runs `ktera set` on it with `args` (a `{}` in an
/// argument stands for the file), returns the run and the file's bytes afterwards.
fn run_set(input: &str, args: &[&str]) -> (Output, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("values.yaml");
    fs::write(&file, input).unwrap();
    let output = set_cmd(&file, args).output().unwrap();
    let after = fs::read_to_string(&file).unwrap();
    (output, after, dir)
}

fn set_cmd(file: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("ktera").unwrap();
    cmd.arg("set").arg(file);
    cmd.args(args);
    cmd
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
fn assert_edit(input: &str, args: &[&str], expected: &str) {
    let (output, after, _dir) = run_set(input, args);
    assert!(
        output.status.success(),
        "ktera set {args:?} failed: {}",
        stderr(&output)
    );
    assert_eq!(after, expected, "ktera set {args:?}");
}

#[track_caller]
fn assert_refused(input: &str, args: &[&str], code: i32) -> String {
    let (output, after, _dir) = run_set(input, args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "ktera set {args:?}: {}",
        stderr(&output)
    );
    assert_eq!(after, input, "a refused edit changed the file");
    assert!(output.stdout.is_empty());
    stderr(&output)
}

#[test]
fn nested_scalar_keeps_the_comment_after_it() {
    assert_edit(
        &fixture("nested.yaml"),
        &["image.tag=v1.4.3"],
        &fixture("nested.expected.yaml"),
    );
}

#[test]
fn quoting_style_is_kept() {
    assert_edit(
        &fixture("quoting.yaml"),
        &[
            "image.tag=1.4.3",
            "image.digest=sha256:1111",
            "image.pullPolicy=Always",
        ],
        &fixture("quoting.expected.yaml"),
    );
}

#[test]
fn values_a_yaml_1_1_reader_would_misread_are_quoted() {
    assert_edit(
        &fixture("needs-quotes.yaml"),
        &["feature.flag=on", "feature.mode=0755"],
        &fixture("needs-quotes.expected.yaml"),
    );
}

#[test]
fn values_are_typed_as_set_types_them() {
    let args = ["replicaCount=3", "debug=true", "nodePort=null"];
    assert_edit(
        &fixture("typing.yaml"),
        &args,
        &fixture("typing.expected.yaml"),
    );
    let mut with_string = vec!["--string"];
    with_string.extend(args);
    assert_edit(
        &fixture("typing.yaml"),
        &with_string,
        &fixture("typing-string.expected.yaml"),
    );
}

#[test]
fn missing_paths_are_created_in_the_file_layout() {
    assert_edit(
        &fixture("create.yaml"),
        &[
            "image.pullPolicy=Always",
            "resources.limits.memory=1Gi",
            "tolerations[0].key=dedicated",
        ],
        &fixture("create.expected.yaml"),
    );
}

#[test]
fn existing_refuses_a_missing_path() {
    let message = assert_refused(
        &fixture("nested.yaml"),
        &["--existing", "image.digest=sha256:1"],
        1,
    );
    assert!(
        message.contains("values.yaml: image.digest does not exist"),
        "{message}"
    );
    assert!(
        message.contains("`image` (line 2) has no key `digest`"),
        "{message}"
    );
    assert!(message.contains("Drop --existing"), "{message}");
    // An existing path is fine with --existing.
    assert_edit(
        &fixture("nested.yaml"),
        &["--existing", "image.tag=v1.4.3"],
        &fixture("nested.expected.yaml"),
    );
}

#[test]
fn list_items_by_index() {
    assert_edit(
        &fixture("list.yaml"),
        &[
            "ingress.hosts[0].paths[0].path=/api",
            "ingress.hosts[1].host=c.example.com",
            "ingress.hosts[2].host=d.example.com",
        ],
        &fixture("list.expected.yaml"),
    );
    let message = assert_refused(&fixture("list.yaml"), &["ingress.hosts[7].host=x"], 1);
    assert!(message.contains("index 7 is past its end"), "{message}");
}

#[test]
fn crlf_line_ends_stay_crlf() {
    let input = "# dev\r\nimage:\r\n  tag: v1 # here\r\n";
    assert_edit(
        input,
        &["image.tag=v2", "image.pullPolicy=Always"],
        "# dev\r\nimage:\r\n  tag: v2 # here\r\n  pullPolicy: Always\r\n",
    );
}

#[test]
fn flow_style_is_refused_with_its_place() {
    let message = assert_refused(&fixture("flow.yaml"), &["image.tag=v2"], 1);
    assert!(
        message.contains("values.yaml:1:8: `image` is a flow-style mapping"),
        "{message}"
    );
    assert!(message.contains("one `key: value` per line"), "{message}");
}

#[test]
fn several_documents_are_refused() {
    let message = assert_refused(&fixture("multi-document.yaml"), &["a=2"], 1);
    assert!(
        message.contains("values.yaml:2:1: the file holds more than one YAML document"),
        "{message}"
    );
}

#[test]
fn a_block_is_not_replaced_by_a_single_value() {
    let message = assert_refused(&fixture("nested.yaml"), &["image=v1.4.3"], 1);
    assert!(
        message.contains("`image` is a mapping (repository, tag)"),
        "{message}"
    );
}

#[test]
fn missing_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("absent.yaml");
    let output = set_cmd(&file, &["a=1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("absent.yaml") && message.contains("cannot read"),
        "{message}"
    );
    assert!(!file.exists(), "ktera set created the file");
}

#[test]
fn bad_assignment_syntax_is_a_usage_error() {
    let message = assert_refused(&fixture("nested.yaml"), &["image.tag"], 2);
    assert!(message.contains("has no value"), "{message}");
    assert_refused(&fixture("nested.yaml"), &["hosts[x]=1"], 2);
    // Nothing is written when any assignment is bad, even after good ones.
    assert_refused(&fixture("nested.yaml"), &["image.tag=v2", "=x"], 2);
}

#[test]
fn several_assignments_in_one_call() {
    assert_edit(
        &fixture("several.yaml"),
        &["image.tag=2.0.0,replicaCount=2", "config.LOG_LEVEL=DEBUG"],
        &fixture("several.expected.yaml"),
    );
}

#[test]
fn an_unchanged_file_is_not_rewritten() {
    let input = fixture("nested.yaml");
    let (output, after, _dir) = run_set(&input, &["image.tag=v1.4.2"]);
    assert!(output.status.success());
    assert_eq!(after, input);
    assert!(stderr(&output).contains("already up to date"));
}

#[cfg(unix)]
#[test]
fn permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("values.yaml");
    fs::write(&file, fixture("nested.yaml")).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
    set_cmd(&file, &["image.tag=v1.4.3"]).assert().success();
    let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a temporary file was left"
    );
}

/// The deploy stage's round trip: set the tag in the environment's values file, render.
#[test]
fn template_renders_the_new_value() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("prod.yaml");
    fs::copy(root.join("values/prod.yaml"), &values).unwrap();
    set_cmd(&values, &["--string", "image.tag=9.8.7"])
        .assert()
        .success();
    let output = Command::cargo_bin("ktera")
        .unwrap()
        .current_dir(&root)
        .args(["template", "charts/backend", "-f"])
        .arg(&values)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let manifests = String::from_utf8_lossy(&output.stdout);
    assert!(
        manifests.contains("dkr.ecr.ap-northeast-2.amazonaws.com/backend-app:9.8.7"),
        "{manifests}"
    );
}
