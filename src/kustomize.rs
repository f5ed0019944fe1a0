//! Running the real Kustomize: a standalone `kustomize build` when on PATH, else
//! `kubectl kustomize`.

use std::path::Path;
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum KustomizeError {
    #[error(
        "neither `kustomize` nor `kubectl` is installed (looked on PATH)\n  hint: install kustomize (https://kubectl.docs.kubernetes.io/installation/kustomize/) or kubectl, or compare with a stored output: --golden FILE"
    )]
    NotInstalled,
    #[error("{dir}: `{command}` failed ({status}):\n{stderr}")]
    Failed {
        dir: String,
        command: String,
        status: String,
        stderr: String,
    },
    #[error("{dir}: `{command}` printed output that is not UTF-8 text")]
    NotUtf8 { dir: String, command: String },
}

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
pub fn build(dir: &Path) -> Result<String, KustomizeError> {
    let (program, args) = find().ok_or(KustomizeError::NotInstalled)?;
    let command = format!("{program} {} {}", args.join(" "), dir.display());
    let output = Command::new(program)
        .args(args)
        .arg(dir)
        .output()
        .map_err(|e| KustomizeError::Failed {
            dir: dir.display().to_string(),
            command: command.clone(),
            status: "could not start".into(),
            stderr: e.to_string(),
        })?;
    if !output.status.success() {
        return Err(KustomizeError::Failed {
            dir: dir.display().to_string(),
            command,
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr)
                .trim_end()
                .to_string(),
        });
    }
    String::from_utf8(output.stdout).map_err(|_| KustomizeError::NotUtf8 {
        dir: dir.display().to_string(),
        command,
    })
}
