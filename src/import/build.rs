//! Building every overlay with the real Kustomize, several at once, and reading the builds.
//! The shared base is built too, for the defaults; when it cannot be built alone (a base that
//! needs its overlay), the defaults come from the environments instead.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_yaml::Value;

use super::overlay::Overlay;
use crate::diff::{self, Document};
use crate::error::{Error, ErrorKind};
use crate::kustomize;

/// What Kustomize built for one environment.
#[derive(Debug)]
pub struct Build {
    pub env: String,
    pub dir: PathBuf,
    /// The command that built it, as `ktera compare` names it: `kubectl kustomize ./overlays/dev`.
    pub command: String,
    pub documents: Vec<Document>,
    /// What Kustomize wrote to standard error while succeeding (deprecations).
    pub warnings: String,
}

/// Builds each overlay (and the base, when there is one): the builds in the overlays' order,
/// and the base's objects when it built.
pub fn run(
    overlays: &[Overlay],
    base: Option<&Path>,
) -> Result<(Vec<Build>, Option<Vec<Value>>), Error> {
    if kustomize::find().is_none() {
        return Err(Error::new(
            ErrorKind::Io,
            "neither `kustomize` nor `kubectl` is installed (looked on PATH): ktera import builds each overlay with the real Kustomize",
        )
        .with_hint("install kustomize (https://kubectl.docs.kubernetes.io/installation/kustomize/) or kubectl; nothing was written"));
    }
    let mut dirs: Vec<&Path> = overlays.iter().map(|o| o.dir.as_path()).collect();
    dirs.extend(base);
    let results = build_all(&dirs);
    let mut builds = Vec::with_capacity(overlays.len());
    let mut results = results.into_iter();
    for overlay in overlays {
        let result = results
            .next()
            .unwrap_or_else(|| Err(unfinished(&overlay.dir)));
        let command = kustomize::command_line(&overlay.dir);
        let (text, warnings) = result.map_err(|e| {
            e.with_hint(format!(
                "fix the overlay until `{command}` succeeds; nothing was written"
            ))
            .with_note(format!(
                "Kustomize cannot build the environment `{}`",
                overlay.env
            ))
        })?;
        let documents = diff::parse_manifests(&text, &command).map_err(|e| {
            e.with_note(format!(
                "in the build of the environment `{}` ({}), which cannot be imported",
                overlay.env,
                overlay.dir.display()
            ))
        })?;
        builds.push(Build {
            env: overlay.env.clone(),
            dir: overlay.dir.clone(),
            command,
            documents,
            warnings,
        });
    }
    let base_objects = results
        .next()
        .and_then(Result::ok)
        .and_then(|(text, _)| diff::parse_manifests(&text, "base").ok())
        .map(|docs| docs.into_iter().map(|d| d.value).collect());
    Ok((builds, base_objects))
}

/// A build's standard output and standard error, or why it failed.
type Outcome = Result<(String, String), Error>;

/// Runs the builds on as many threads as there are cores; results in the order of `dirs`.
fn build_all(dirs: &[&Path]) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new((0..dirs.len()).map(|_| None).collect());
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, dirs.len().max(1));
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some(dir) = dirs.get(i) else { break };
            let result = kustomize::build_with_warnings(dir);
            if let Ok(mut results) = results.lock() {
                results[i] = Some(result);
            }
        }
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..workers)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        work();
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .zip(dirs)
        .map(|(r, dir)| r.unwrap_or_else(|| Err(unfinished(dir))))
        .collect()
}

/// A build no worker reported (its thread could not start and none was left to take it).
fn unfinished(dir: &Path) -> Error {
    Error::new(ErrorKind::Io, "the Kustomize build did not run").in_file(dir.display().to_string())
}
