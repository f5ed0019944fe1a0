//! `ktera completion SHELL`: each script is loaded by its real shell and asked to complete, where
//! the shell can be driven from a script (bash, fish); zsh parses its script; PowerShell is not
//! on Linux test machines, so its script is only checked to register a completer.

use std::process::Command;

use crate::common::{self, stdout_of, tools};

/// Whether `shell` runs here.
fn installed(shell: &str) -> bool {
    Command::new(shell)
        .args(["-c", "exit 0"])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Runs `script` in `shell`, with the real binary as `ktera` on PATH; standard output.
fn run_in(shell: &str, script: &str) -> String {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_ktera"))
        .parent()
        .expect("binary directory")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let out = Command::new(shell)
        .args(["-c", script])
        .env("PATH", path)
        .output()
        .expect("run shell");
    assert!(
        out.status.success(),
        "{shell} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn bash_completes_commands_flags_and_shells() {
    if !installed("bash") {
        return tools::skip_without("bash", "bash is not on PATH");
    }
    // As bash calls a completion function: COMP_WORDS, COMP_CWORD, then (command, word, previous).
    let script = r#"
source <(ktera completion bash)
complete_at() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=();
  _ktera ktera "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; echo "${COMPREPLY[*]}"; }
complete -p ktera
complete_at ktera tem
complete_at ktera template --show
complete_at ktera completion ''
"#;
    let out = run_in("bash", script);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("_ktera") && lines[0].ends_with(" ktera"),
        "{out}"
    );
    assert_eq!(lines[1], "template");
    assert_eq!(lines[2], "--show-only");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(lines[3].split(' ').any(|word| word == shell), "{out}");
    }
}

#[test]
fn fish_completes_commands_and_flags_with_their_help() {
    if !installed("fish") {
        return tools::skip_without("fish", "fish is not on PATH (Debian package fish)");
    }
    let out = run_in(
        "fish",
        "ktera completion fish | source; complete -C 'ktera tem'; complete -C 'ktera lint --stri'",
    );
    assert!(
        out.contains("template\tRender a chart's templates"),
        "{out}"
    );
    assert!(out.contains("--strict\tWarnings fail the run too"), "{out}");
}

#[test]
fn zsh_reads_its_script() {
    if !installed("zsh") {
        return tools::skip_without("zsh", "zsh is not on PATH (Debian package zsh)");
    }
    let script = stdout_of(&["completion", "zsh"]);
    assert!(script.starts_with("#compdef ktera"), "{script}");
    let dir = tempfile::TempDir::new().expect("temp dir");
    let file = dir.path().join("_ktera");
    std::fs::write(&file, &script).expect("write");
    // -n: read and parse, run nothing.
    let out = Command::new("zsh")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("zsh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn powershell_script_registers_a_completer_for_every_command() {
    let script = stdout_of(&["completion", "powershell"]);
    assert!(
        script.contains("Register-ArgumentCompleter -Native -CommandName 'ktera'"),
        "{}",
        &script[..script.len().min(400)]
    );
    for command in ["template", "lint", "diff", "version", "completion"] {
        assert!(script.contains(&format!("'{command}'")), "{command}");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    common::ktera()
        .args(["completion", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid value 'tcsh'"));
}
