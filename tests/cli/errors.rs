//! One layout for every command's errors: `error: file:line:column: message`, the lines at that
//! place with a caret, `  hint: ...`, `  note: ...`, each part only where there is one; and the
//! documented exit code (README "Exit codes"). Each command is run as the real binary, in a
//! directory of its own so the paths in messages are the ones given on the command line.

use std::path::Path;

use tempfile::TempDir;

use crate::common::{ktera, write};

/// A chart `demo` whose ConfigMap reads `Values.port`, which its values do not define, a
/// values file that does not parse, and a project that renders the chart.
fn inputs() -> TempDir {
    let tmp = TempDir::new().expect("temp dir");
    write(
        tmp.path(),
        &[
            (
                "demo/Chart.yaml",
                "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
            ),
            ("demo/values.yaml", "name: web\n"),
            (
                "demo/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Values.name }}\ndata:\n  port: \"{{ Values.port }}\"\n",
            ),
            ("bad.yaml", "a: 1\nb: [\n"),
            ("flow.yaml", "a: {b: 1}\n"),
            (
                "ktera.yaml",
                "environments:\n  dev:\n    releases:\n      - name: web\n        chart: demo\n",
            ),
        ],
    );
    tmp
}

/// Runs `ktera args` in `dir`: the exit code and standard error.
fn fails(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = ktera().current_dir(dir).args(args).output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), stderr)
}

const BAD_VALUES: &str = "\
error: bad.yaml:2:5: did not find expected node content, while parsing a flow node
  |
1 | a: 1
2 | b: [
  |     ^
  hint: fix the YAML here: check the indentation, a missing `:`, or an unclosed quote or bracket
";

const UNDEFINED_PORT: &str = "\
error: demo/templates/cm.yaml:6:20: Field `port` is not defined. Available fields: name
  |
5 | data:
6 |   port: \"{{ Values.port }}\"
  |                    ^^^^
  hint: every value must be defined: set it in values.yaml or a -f file, or use `| default(value=...)`
";

#[test]
fn template_and_values() {
    let tmp = inputs();
    let dir = tmp.path();
    assert_eq!(
        fails(dir, &["template", "demo"]),
        (1, UNDEFINED_PORT.into())
    );
    let bad_values = (1, BAD_VALUES.to_string());
    assert_eq!(
        fails(dir, &["template", "demo", "-f", "bad.yaml"]),
        bad_values
    );
    assert_eq!(
        fails(dir, &["values", "demo", "-f", "bad.yaml"]),
        bad_values
    );
    // A usage error: no file, no place; 2.
    assert_eq!(
        fails(dir, &["template", "Bad_Name", "demo"]),
        (
            2,
            "error: invalid release name `Bad_Name`: use at most 53 lowercase letters, digits, `-` or `.`, starting and ending with a letter or digit\n".into()
        )
    );
}

#[test]
fn diff_and_compare() {
    let tmp = inputs();
    let dir = tmp.path();
    // The same prefix as every other command (it was `ktera diff:`); no snippet, as the
    // document may be a Secret; 2 for an error that stopped the comparison.
    let invalid = "error: bad.yaml:3:1: invalid YAML: did not find expected node content, while parsing a flow node; fix the document and run again\n";
    assert_eq!(
        fails(dir, &["diff", "bad.yaml", "flow.yaml"]),
        (2, invalid.into())
    );
    assert_eq!(
        fails(dir, &["diff", "-", "-"]),
        (
            2,
            "error: both sides are - (standard input); at most one side can be read from standard input\n".into()
        )
    );
    assert_eq!(
        fails(
            dir,
            &["compare", "demo", "--set", "port=1", "--golden", "bad.yaml"]
        ),
        (2, invalid.into())
    );
    assert_eq!(
        fails(dir, &["compare", "demo", "--golden", "flow.yaml"]),
        (2, UNDEFINED_PORT.into())
    );
}

#[test]
fn lint() {
    let tmp = inputs();
    assert_eq!(
        fails(tmp.path(), &["lint", "demo"]),
        (2, UNDEFINED_PORT.into())
    );
}

#[test]
fn render_notes_the_release_and_counts_the_errors() {
    let tmp = inputs();
    let expected = format!(
        "{}  note: in release dev/web (ktera.yaml:4:9)\n1 error; nothing in rendered was changed\n",
        UNDEFINED_PORT
    );
    assert_eq!(fails(tmp.path(), &["render"]), (1, expected));
    assert_eq!(
        fails(tmp.path(), &["render", "--env", "prod"]),
        (
            2,
            "error: --env prod: ktera.yaml has no such environment; its environments are: dev\n"
                .into()
        )
    );
}

#[test]
fn set() {
    let tmp = inputs();
    assert_eq!(
        fails(tmp.path(), &["set", "flow.yaml", "a.b=2"]),
        (
            1,
            "error: flow.yaml:1:4: `a` is a flow-style mapping (`{...}`)
  |
1 | a: {b: 1}
  |    ^
  hint: ktera set edits block style only: rewrite this mapping with one `key: value` per line, then run it again
"
            .into()
        )
    );
    // A malformed assignment is a usage error: its own snippet, a hint, 2.
    assert_eq!(
        fails(tmp.path(), &["set", "flow.yaml", "a.=2"]),
        (
            2,
            "error: invalid --set expression at character 3: a key name is missing: found `=`
  a.=...
    ^
  hint: expected a key name, as in name=value or a.b=value
"
            .into()
        )
    );
}
