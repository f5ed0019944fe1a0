//! Inputs that once crashed, hung, leaked or misbehaved (found by fuzzing, `tests/bad-inputs/`
//! or review), each kept as a test of the library so it stays fixed. Each test says what the
//! input did before its fix.

use std::fs;
use std::path::{Path, PathBuf};

use ktera::release::Release;
use ktera::values::{SetKind, ValueSources, apply_set, load_values_file, parse_values};
use serde_yaml::{Mapping, Value};

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (rel, content) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let _ = fs::write(&path, content);
    }
}

/// A chart with one template and the given values.yaml, in a fresh temporary directory.
fn chart(template: &str, values: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::TempDir::new().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let dir = tmp.path().join("chart");
    write(
        &dir,
        &[
            ("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n"),
            ("values.yaml", values),
            ("templates/t.yaml", template),
        ],
    );
    (tmp, dir)
}

fn render_error(dir: &Path) -> String {
    match render_output(dir) {
        Ok(_) => panic!("expected the render of {} to fail", dir.display()),
        Err(e) => e,
    }
}

/// The chart's YAML stream, rendered in this process with its defaults, or the error's text.
fn render_output(dir: &Path) -> Result<String, String> {
    ktera::pipeline::render_chart(
        dir,
        &ValueSources::default(),
        &Release::default(),
        &mut std::io::empty(),
    )
    .map(|o| ktera::output::stream(&o.manifests))
    .map_err(|e| e.to_string())
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) {
    let _ = std::os::unix::fs::symlink(target, link);
}

/// `-f /dev/zero` read zeros until memory ran out.
#[test]
fn an_endless_values_file_is_refused() {
    let e = load_values_file(Path::new("/dev/zero")).map(|_| ());
    let e = e.map_err(|e| e.to_string());
    assert!(
        e.as_ref()
            .is_err_and(|e| e.starts_with("/dev/zero: larger than")),
        "{e:?}"
    );
}

/// Three links back up in a chart's files (`config/a/l1 -> ..`) made the listing of its files
/// grow as 3^40 paths: a hang.
#[cfg(unix)]
#[test]
fn links_back_up_in_chart_files_do_not_hang() {
    let (_tmp, dir) = chart("kind: A\nmetadata: {name: a}\n", "");
    let a = dir.join("config/a");
    write(&a, &[("x.txt", "x")]);
    for (name, target) in [("l1", ".."), ("l2", ".."), ("l3", "../..")] {
        symlink(target, &a.join(name));
    }
    // The same under templates/, which the chart loader lists itself.
    let sub = dir.join("templates/sub");
    let _ = fs::create_dir_all(&sub);
    for (name, target) in [("up1", ".."), ("up2", "../.."), ("here", ".")] {
        symlink(target, &sub.join(name));
    }
    let chart = ktera::chart::Chart::load(&dir).map_err(|e| e.to_string());
    let templates = chart.map(|c| c.templates.len());
    assert_eq!(templates, Ok(1));
}

/// Nested `range(end=100000)` loops rendered until memory ran out.
#[test]
fn a_runaway_loop_stops_at_the_output_cap() {
    let template = "{% for i in range(end=100000) %}{% for j in range(end=100000) %}\
                    xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n{% endfor %}{% endfor %}";
    let (_tmp, dir) = chart(template, "");
    let e = render_error(&dir);
    assert!(
        e.contains("templates/t.yaml: the template renders more than 64 MiB"),
        "{e}"
    );
    // The same inside a `tpl` string.
    let values = format!("bomb: {:?}\n", template);
    let (_tmp, dir) = chart("a: {{ Values.bomb | tpl }}\n", &values);
    let e = render_error(&dir);
    assert!(e.contains("templates/t.yaml:1:"), "{e}");
    assert!(
        e.contains("the string given to `tpl` renders more than 64 MiB"),
        "{e}"
    );
}

/// Nested `range(end=100000)` loops that print nothing ran for hours (1e10 iterations).
#[test]
fn nested_empty_loops_stop_at_the_range_allowance() {
    let (_tmp, dir) = chart(
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
        "",
    );
    let e = render_error(&dir);
    assert!(e.contains("templates/t.yaml:1:"), "{e}");
    assert!(e.contains("produced more than 10000000 numbers"), "{e}");
    // Tera's own arguments and single-call limit still hold.
    let (_tmp, dir) = chart(
        "a: \"{% for i in range(start=5, end=20, step_by=5) %}{{ i }} {% endfor %}\
         {% for i in range(start=3, end=-3, step_by=-2) %}{{ i }} {% endfor %}\"\n",
        "",
    );
    let out = render_output(&dir);
    assert!(
        out.as_ref()
            .is_ok_and(|o| o.contains("a: '5 10 15 3 1 -1 '")),
        "{out:?}"
    );
    let (_tmp, dir) = chart("{% for i in range(end=100001) %}{% endfor %}", "");
    assert!(render_error(&dir).contains("exceeds the limit of 100000"));
}

/// A `tpl` string calling a component that calls `tpl` again nested 32 x 20 levels deep and
/// overflowed the stack (an abort, not an error) of a render thread.
#[test]
fn tpl_through_components_does_not_overflow_the_stack() {
    let (_tmp, dir) = chart(
        "a: {{ Values.loop | tpl }}\n",
        "loop: \"{{ <c n={0} /> }}\"\n",
    );
    write(
        &dir,
        &[(
            "templates/_helpers.tera",
            "{% component c(n, @Values) %}{% if n < 18 %}{{ <c n={n + 1} /> }}\
             {% else %}{{ Values.loop | tpl }}{% endif %}{% endcomponent c %}",
        )],
    );
    let e = render_error(&dir);
    assert!(
        e.contains("`tpl` calls are nested more than 32 deep"),
        "{e}"
    );
    // Said once, not once per level.
    assert_eq!(e.matches("nested more than").count(), 1, "{e}");
}

/// A list nested 100,000 deep, built in a loop by the template or by a `tpl` string, printed
/// and dropped by Tera's recursive walks: more stack than the calling thread (a test's 2 MiB)
/// has, so the render goes to a render thread.
#[test]
fn values_nested_in_a_loop_render_on_a_deep_stack() {
    let build = "{% set_global x = [] %}{% for i in range(end=100000) %}{% set_global x = [x] %}\
                 {% endfor %}{{ x | length }}";
    for (template, values) in [
        (format!("a: {build}\n"), String::new()),
        (
            "a: {{ Values.t | tpl }}\n".to_string(),
            format!("t: {:?}\n", build.replace("\\", "")),
        ),
    ] {
        let (_tmp, dir) = chart(&template, &values);
        let out = render_output(&dir);
        assert!(out.as_ref().is_ok_and(|o| o.contains("a: 1")), "{out:?}");
    }
}

/// `include_file` and `include` of a file or a component through 18 components each, nested
/// until the 32 levels of nested renders are refused: deeper than the calling thread's stack
/// (a test's 2 MiB) holds, so the rest goes to a render thread, and the cap answers.
#[test]
fn includes_through_components_do_not_overflow_the_stack() {
    for call in [
        "include_file(name=\"t.yaml\")",
        "include(name=\"t.yaml\", context=Root)",
        "include(name=\"c\", context={\"n\": 0})",
    ] {
        let (_tmp, dir) = chart("a: {{ <c n={0} /> }}\n", "");
        write(
            &dir,
            &[(
                "templates/_helpers.tera",
                &format!(
                    "{{% component c(n) %}}{{% if n < 18 %}}{{{{ <c n={{n + 1}} /> }}}}\
                     {{% else %}}{{{{ {call} }}}}{{% endif %}}{{% endcomponent c %}}"
                ),
            )],
        );
        let e = render_error(&dir);
        assert!(e.contains("nested more than 32 deep"), "{call}: {e}");
    }
}

/// The `range()` allowance is the template's over a move to a render thread: 9.9 million
/// numbers before two `tpl` levels of 18 components each (deeper than a render goes on the
/// calling thread), 200,000 after, and the template is stopped.
#[test]
fn range_allowance_goes_with_a_render_to_another_thread() {
    let (_tmp, dir) = chart(
        "{% for i in range(end=99) %}{% set n = range(end=100000) | length %}{% endfor %}\
         a: {{ Values.chain | replace(from=\"L\", to=\"1\") | tpl }}\n",
        "chain: \"{{ <c n={0} level={L} /> }}\"\n\
         last: \"{% for i in range(end=2) %}{% set n = range(end=100000) | length %}{% endfor %}x\"\n",
    );
    write(
        &dir,
        &[(
            "templates/_helpers.tera",
            "{% component c(n, level, @Values) %}{% if n < 18 %}{{ <c n={n + 1} level={level} /> }}\
             {% elif level < 2 %}{{ Values.chain | replace(from=\"L\", to=(level + 1) ~ \"\") | tpl }}\
             {% else %}{{ Values.last | tpl }}{% endif %}{% endcomponent c %}",
        )],
    );
    let e = render_error(&dir);
    assert!(e.contains("numbers in all"), "{e}");
}

/// A component that calls itself stopped at Tera's limit with a message naming no file.
#[test]
fn a_component_calling_itself_names_the_template() {
    let (_tmp, dir) = chart("a: {{ <forever n={1} /> }}\n", "");
    write(
        &dir,
        &[(
            "templates/_helpers.tera",
            "{% component forever(n) %}{{ <forever n={n} /> }}{% endcomponent forever %}",
        )],
    );
    let e = render_error(&dir);
    assert!(e.contains("templates/t.yaml: "), "{e}");
    assert!(e.contains("recursion"), "{e}");
}

/// A write that failed on the second file (here: a path under a file, as a full disk would
/// fail) left the directories made for the first one.
#[test]
fn a_write_failing_mid_way_leaves_nothing() {
    let tmp = tempfile::TempDir::new().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let out = tmp.path().join("out");
    write(&out, &[("blocked", "a file where a directory is needed\n")]);
    let files = vec![
        (PathBuf::from("demo/templates/a.yaml"), "a: 1\n".to_string()),
        (PathBuf::from("blocked/b.yaml"), "b: 1\n".to_string()),
    ];
    let e = ktera::output::write_all(&out, &files).map_err(|e| e.to_string());
    assert!(e.is_err_and(|e| e.contains("nothing was written")));
    let left: Vec<_> = fs::read_dir(&out)
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(left, ["blocked"]);
}

/// An error at the end of a values file named a line past the last one.
#[test]
fn an_error_at_the_end_names_the_last_line() {
    let e = parse_values("name: web\nlist: [\n", "v.yaml").map_err(|e| e.to_string());
    assert!(
        e.as_ref().is_err_and(|e| e.starts_with("v.yaml:2:8: ")),
        "{e:?}"
    );
}

/// An error at the end of a template's output, or of Chart.yaml, named a line past the last.
#[test]
fn errors_at_the_end_of_output_and_chart_yaml_name_the_last_line() {
    let text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [1,\n";
    let rendered = ktera::manifest::RenderedText {
        name: "cm.yaml",
        source_name: "demo/templates/cm.yaml",
        path: "chart/templates/cm.yaml",
        text,
    };
    let e = ktera::manifest::parse_rendered(&rendered, text).map_err(|e| e.to_string());
    assert!(
        e.as_ref()
            .is_err_and(|e| e.contains("at line 4, column 9 of what this template rendered")),
        "{e:?}"
    );

    let (_tmp, dir) = chart("", "");
    write(
        &dir,
        &[(
            "Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: [0.1.0\n",
        )],
    );
    let e = render_error(&dir);
    assert!(e.contains("Chart.yaml:3:16: "), "{e}");
    assert!(!e.contains("line 4"), "{e}");
}

/// `--set` errors hide the values read before the error (values passed so are often secrets).
#[test]
fn set_errors_hide_values_read_before() {
    for kind in [SetKind::Typed, SetKind::String] {
        let mut values = Value::Mapping(Mapping::new());
        let e = apply_set(&mut values, "password=hunter2,token=s3cret,x[y]=1", kind)
            .map_err(|e| e.to_string());
        let e = e.err().unwrap_or_default();
        assert!(e.contains("password=***"), "{e}");
        assert!(!e.contains("hunter2") && !e.contains("s3cret"), "{e}");
    }
    let mut values = Value::Mapping(Mapping::new());
    let e = apply_set(&mut values, "password=\"hunter2\",x={", SetKind::Json)
        .map_err(|e| e.to_string());
    assert!(e.is_err_and(|e| !e.contains("hunter2")));
}

/// A rendered Secret that was not valid YAML showed its data in the error's snippet.
#[test]
fn an_invalid_secret_does_not_show_its_data() {
    let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: aHVudGVyMg==\n  token: [s3cret\n";
    let rendered = ktera::manifest::RenderedText {
        name: "secret.yaml",
        source_name: "demo/templates/secret.yaml",
        path: "chart/templates/secret.yaml",
        text,
    };
    let e = ktera::manifest::parse_rendered(&rendered, text).map_err(|e| e.to_string());
    let e = e.err().unwrap_or_default();
    assert!(e.starts_with("chart/templates/secret.yaml: "), "{e}");
    assert!(e.contains("token: ***"), "{e}");
    assert!(!e.contains("aHVudGVyMg") && !e.contains("s3cret"), "{e}");
}

/// A directory where an output file goes was found only when renaming, after the files before
/// it had been replaced: a half-written --output-dir, and a temporary file left behind.
#[test]
fn a_directory_in_the_way_is_found_before_anything_is_replaced() {
    let tmp = tempfile::TempDir::new().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let out = tmp.path().join("out");
    write(&out, &[("a.yaml", "old\n"), ("b.yaml/keep", "kept\n")]);
    let files = vec![
        (PathBuf::from("a.yaml"), "new\n".to_string()),
        (PathBuf::from("b.yaml"), "b: 1\n".to_string()),
    ];
    let e = ktera::output::write_all(&out, &files).map_err(|e| e.to_string());
    assert!(e.is_err_and(|e| e.contains("a directory of that name is in the way")));
    assert_eq!(
        fs::read_to_string(out.join("a.yaml")).ok().as_deref(),
        Some("old\n")
    );
    let mut left: Vec<_> = fs::read_dir(&out)
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    left.sort();
    assert_eq!(left, ["a.yaml", "b.yaml"]);
}

/// Chart.yaml keys that are floats, null or lists (and such keys from `from_yaml`) made the
/// conversion to Tera's values panic (exit 101).
#[test]
fn keys_tera_cannot_hold_become_strings() {
    let (_tmp, dir) = chart(
        "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: c\ndata:\n  chart: {{ Chart.Annotations | to_json | quote }}\n  parsed: {{ \"{1.5: a, ~: b, [x]: c, 2: d}\" | from_yaml | to_json | quote }}\n",
        "",
    );
    write(
        &dir,
        &[(
            "Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 0.1.0\nannotations:\n  1.5: a\n  ~: b\n  [x]: c\n  2: d\n",
        )],
    );
    let rendered = ktera::pipeline::render_chart(
        &dir,
        &ValueSources::default(),
        &Release::default(),
        &mut std::io::empty(),
    )
    .unwrap_or_else(|e| panic!("render failed: {e}"));
    let data = &rendered.manifests[0].value["data"];
    let expected = r#"{"1.5":"a","null":"b","- x":"c","2":"d"}"#;
    assert_eq!(data["chart"].as_str(), Some(expected));
    assert_eq!(data["parsed"].as_str(), Some(expected));
}

/// `semver_inc` of a part at the largest number panicked on the overflow (debug builds) where
/// Helm's `IncMajor`, `IncMinor` and `IncPatch` wrap it to 0 (Go's uint64), as real Helm 3.17.3
/// prints for this template.
#[test]
fn a_version_part_incremented_past_the_largest_number_wraps_as_in_helm() {
    let (_tmp, dir) = chart(
        "a: {{ semver(version=\"18446744073709551615.18446744073709551615.18446744073709551615\") | semver_inc(part=\"major\") }}\n\
         b: {{ semver(version=\"1.18446744073709551615.18446744073709551615\") | semver_inc(part=\"minor\") }}\n\
         c: {{ semver(version=\"1.2.18446744073709551615\") | semver_inc(part=\"patch\") }}\n",
        "",
    );
    assert_eq!(
        render_output(&dir).as_deref(),
        Ok("---\n# Source: demo/templates/t.yaml\na: '0.0.0'\nb: '1.0.0'\nc: '1.2.0'\n")
    );
}

/// A `%` escape in a URL's host cut short by a multi-byte character (`a%aé`) panicked on a
/// string slice inside the character; Go's url.Parse refuses it as an invalid escape.
#[test]
fn a_url_escape_that_is_not_two_hex_digits_is_an_error() {
    // A sign is not a hex digit either (`%+a`, `%-1`): real Helm 3.17.3 fails on each of these
    // with `invalid URL escape`, in the host and in the path.
    for url in [
        "http://a%aé.com/",
        "http://[fe80::1%25e%aé]/",
        "http://a%+a.com/",
        "http://x/%+a",
        "http://x/%-1",
    ] {
        let (_tmp, dir) = chart(&format!("a: {{{{ \"{url}\" | url_parse }}}}\n"), "");
        let e = render_error(&dir);
        assert!(e.contains("invalid URL escape"), "{url}: {e}");
    }
}
