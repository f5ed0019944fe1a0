//! `--color` and the environment conventions (NO_COLOR, CLICOLOR_FORCE, FORCE_COLOR, CLICOLOR,
//! TERM=dumb), run as the real binary into a pipe and on a pseudo-terminal (util-linux
//! `script`): `ktera diff` and `compare` reports, and clap's help.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::tools;

/// The variables that decide colour; each run starts without them.
const COLOR_VARIABLES: [&str; 5] = [
    "NO_COLOR",
    "CLICOLOR_FORCE",
    "FORCE_COLOR",
    "CLICOLOR",
    "TERM",
];

fn diff_fixture(side: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/fixtures/diff/changed-scalar",
        side,
    ]
    .iter()
    .collect();
    path.display().to_string()
}

/// `ktera diff` of two files that differ in `spec.replicas` (2 -> 3), with `args` after.
fn diff_args(args: &[&str]) -> Vec<String> {
    let mut all = vec![
        "diff".to_string(),
        diff_fixture("left.yaml"),
        diff_fixture("right.yaml"),
    ];
    all.extend(args.iter().map(ToString::to_string));
    all
}

fn clean(command: &mut Command, env: &[(&str, &str)]) {
    for name in COLOR_VARIABLES {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
}

/// Standard output of ktera with `args` into a pipe.
fn piped(args: &[String], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ktera"));
    command.args(args);
    clean(&mut command, env);
    let output = command.output().expect("run ktera");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What ktera with `args` writes on a pseudo-terminal; None without util-linux `script`.
fn on_terminal(args: &[String], env: &[(&str, &str)]) -> Option<String> {
    let mut line = shell_quote(env!("CARGO_BIN_EXE_ktera"));
    for arg in args {
        line.push(' ');
        line.push_str(&shell_quote(arg));
    }
    let mut script = Command::new("script");
    script.args(["-qec", &line, "/dev/null"]);
    clean(&mut script, &[("TERM", "xterm-256color")]);
    script.envs(env.iter().copied());
    let output = script.output().ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

fn coloured(text: &str) -> bool {
    text.contains("\x1b[")
}

fn skip_without_script() {
    tools::skip_without(
        "script",
        "util-linux `script` is not on PATH (Debian package bsdutils)",
    );
}

#[test]
fn a_terminal_is_coloured_unless_the_environment_or_the_flag_says_no() {
    let args = diff_args(&[]);
    let Some(plain_terminal) = on_terminal(&args, &[]) else {
        return skip_without_script();
    };
    assert!(
        plain_terminal.contains("\x1b[32m3\x1b[0m"),
        "no colour on a terminal: {plain_terminal:?}"
    );
    for env in [[("NO_COLOR", "1")], [("TERM", "dumb")], [("CLICOLOR", "0")]] {
        let text = on_terminal(&args, &env).unwrap_or_default();
        assert!(text.contains("spec.replicas: 2 -> 3"), "{env:?}: {text:?}");
        assert!(!coloured(&text), "{env:?} ignored: {text:?}");
    }
    // An empty NO_COLOR does not count as set.
    assert!(coloured(
        &on_terminal(&args, &[("NO_COLOR", "")]).unwrap_or_default()
    ));
    let never = on_terminal(&diff_args(&["--color", "never"]), &[]).unwrap_or_default();
    assert!(!coloured(&never), "{never:?}");
    // The flag is global: before the command too.
    let mut before = vec!["--color=never".to_string()];
    before.extend(diff_args(&[]));
    assert!(!coloured(&on_terminal(&before, &[]).unwrap_or_default()));
}

#[test]
fn a_pipe_is_plain_unless_forced() {
    let args = diff_args(&[]);
    assert!(!coloured(&piped(&args, &[])));
    assert!(coloured(&piped(&args, &[("CLICOLOR_FORCE", "1")])));
    assert!(!coloured(&piped(&args, &[("CLICOLOR_FORCE", "0")])));
    assert!(coloured(&piped(&args, &[("FORCE_COLOR", "1")])));
    assert!(coloured(&piped(
        &args,
        &[("FORCE_COLOR", "1"), ("TERM", "dumb")]
    )));
    // NO_COLOR, the user's own wish, beats a forcing variable (often set by a CI system)...
    assert!(!coloured(&piped(
        &args,
        &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")]
    )));
    // ...and the flag beats them all.
    assert!(coloured(&piped(
        &diff_args(&["--color", "always"]),
        &[("NO_COLOR", "1")]
    )));
    assert!(!coloured(&piped(
        &diff_args(&["--color=never"]),
        &[("FORCE_COLOR", "1")]
    )));
}

#[test]
fn json_reports_are_never_coloured() {
    let text = piped(&diff_args(&["--color", "always", "-o", "json"]), &[]);
    assert!(text.contains("\"changed\""), "{text}");
    assert!(!coloured(&text), "{text}");
}

#[test]
fn compare_colours_as_diff_does() {
    let chart = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/backend");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/backend/dev.yaml");
    // The prod values against the dev golden file: they differ.
    let args: Vec<String> = [
        "compare",
        &chart.display().to_string(),
        "-f",
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("values/prod.yaml")
            .display()
            .to_string(),
        "--golden",
        &golden.display().to_string(),
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let plain = piped(&args, &[]);
    assert!(plain.starts_with("DIFFERENT"), "{plain}");
    assert!(!coloured(&plain));
    let mut always = args.clone();
    always.push("--color=always".into());
    assert!(coloured(&piped(&always, &[])));
}

#[test]
fn help_follows_the_flag_and_the_environment() {
    let help = ["--help".to_string()];
    let Some(terminal) = on_terminal(&help, &[]) else {
        return skip_without_script();
    };
    assert!(coloured(&terminal), "{terminal:?}");
    let mut never = vec!["--color".to_string(), "never".to_string()];
    never.extend(help.iter().cloned());
    assert!(!coloured(&on_terminal(&never, &[]).unwrap_or_default()));
    assert!(!coloured(
        &on_terminal(&help, &[("NO_COLOR", "1")]).unwrap_or_default()
    ));
    assert!(!coloured(&piped(&help, &[])));
    assert!(coloured(&piped(&help, &[("FORCE_COLOR", "1")])));
}

#[test]
fn an_invalid_choice_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_ktera"))
        .args(["--color", "sometimes", "version"])
        .output()
        .expect("run ktera");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("[possible values: auto, always, never]"),
        "{stderr}"
    );
}
