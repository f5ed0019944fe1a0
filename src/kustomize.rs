//! Running the real Kustomize: a standalone `kustomize build` when on PATH, else
//! `kubectl kustomize`.

use std::path::Path;
use std::process::Command;

use crate::error::{Error, ErrorKind};

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
    let (program, args) = find().ok_or_else(|| {
        Error::new(ErrorKind::Io, "neither `kustomize` nor `kubectl` is installed (looked on PATH)")
            .with_hint("install kustomize (https://kubectl.docs.kubernetes.io/installation/kustomize/) or kubectl, or compare with a stored output: --golden FILE")
    })?;
    let command = format!("{program} {} {}", args.join(" "), dir.display());
    let shown = dir.display().to_string();
    let failed = |status: &str, stderr: &str| {
        Error::new(ErrorKind::Io, format!("`{command}` failed ({status}):"))
            .in_file(&shown)
            .with_snippet(stderr)
    };
    // A relative path that starts with `-` would be read as an option: `./-x` cannot.
    let dir_arg = if dir.is_relative() && dir.as_os_str().as_encoded_bytes().starts_with(b"-") {
        Path::new(".").join(dir)
    } else {
        dir.to_path_buf()
    };
    let output = Command::new(program)
        .args(args)
        .arg(&dir_arg)
        .output()
        .map_err(|e| failed("could not start", &e.to_string()).with_source(e))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(failed(&output.status.to_string(), stderr.trim_end()));
    }
    String::from_utf8(output.stdout).map_err(|_| {
        Error::input(format!("`{command}` printed output that is not UTF-8 text")).in_file(&shown)
    })
}
