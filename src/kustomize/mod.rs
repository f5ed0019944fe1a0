//! Running the real Kustomize: a standalone `kustomize build` when on PATH, else
//! `kubectl kustomize`; and its content hash of generated names ([`name_hash`]).

mod hash;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, ErrorKind};

pub use hash::name_hash;

/// The command that builds an overlay on this machine, as program and arguments before DIR.
pub fn find() -> Option<(&'static str, &'static [&'static str])> {
    if on_path("kustomize") {
        Some(("kustomize", &["build"]))
    } else if on_path("kubectl") {
        Some(("kubectl", &["kustomize"]))
    } else {
        None
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let candidate = dir.join(program);
            candidate.is_file()
        })
    })
}

/// Builds the Kustomize directory and returns what it prints.
pub fn build(dir: &Path) -> Result<String, Error> {
    build_with_warnings(dir).map(|(manifests, _)| manifests)
}

/// The command line that builds `dir`, as [`build`] runs it: `kubectl kustomize ./overlays/prod`.
pub fn command_line(dir: &Path) -> String {
    match find() {
        Some((program, args)) => {
            format!("{program} {} {}", args.join(" "), argument(dir).display())
        }
        None => format!("kustomize build {}", argument(dir).display()),
    }
}

/// A relative directory as `./dir`, so that a name starting with `-` cannot be read as a flag.
fn argument(dir: &Path) -> PathBuf {
    if dir.is_absolute() || dir.starts_with(".") || dir.starts_with("..") {
        dir.to_path_buf()
    } else {
        Path::new(".").join(dir)
    }
}

/// Builds the Kustomize directory: what it prints, and what it writes to standard error when it
/// succeeds (warnings such as deprecated fields; empty when none). A failed build's error
/// shows Kustomize's own message under it.
pub fn build_with_warnings(dir: &Path) -> Result<(String, String), Error> {
    let (program, args) = find().ok_or_else(|| {
        Error::new(ErrorKind::Io, "neither `kustomize` nor `kubectl` is installed (looked on PATH)")
            .with_hint("install kustomize (https://kubectl.docs.kubernetes.io/installation/kustomize/) or kubectl, or compare with a stored output: --golden FILE")
    })?;
    let command = command_line(dir);
    let shown = dir.display().to_string();
    let failed = |status: &str, stderr: &str| {
        Error::new(ErrorKind::Io, format!("`{command}` failed ({status}):"))
            .in_file(&shown)
            .with_snippet(stderr)
    };
    let output = Command::new(program)
        .args(args)
        .arg(argument(dir))
        .output()
        .map_err(|e| failed("could not start", &e.to_string()).with_source(e))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(failed(
            &output.status.to_string(),
            &without_stack(stderr.trim_end()),
        ));
    }
    let warnings = String::from_utf8_lossy(&output.stderr)
        .trim_end()
        .to_string();
    let manifests = String::from_utf8(output.stdout).map_err(|_| {
        Error::input(format!("`{command}` printed output that is not UTF-8 text")).in_file(&shown)
    })?;
    Ok((manifests, warnings))
}

/// Kustomize's message without the stack of its goroutines, when it panicked: the panic's
/// own lines say what went wrong.
fn without_stack(stderr: &str) -> String {
    match stderr.find("\ngoroutine ") {
        Some(at) => format!(
            "{}\n(the stack trace Kustomize printed is left out)",
            stderr[..at].trim_end()
        ),
        None => stderr.to_string(),
    }
}
