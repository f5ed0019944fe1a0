//! Putting the chart and the values files in place, all at once or not at all. The chart is
//! written into a new directory beside its target and the values files beside theirs
//! ([`crate::output::atomic`]); only when everything is written are they renamed into place.
//! An existing chart or values file is refused unless `force`; with it, the old chart
//! directory is replaced whole, so no template of an earlier import stays behind.

use std::fs;
use std::path::{Path, PathBuf};

use super::Import;
use crate::error::Error;
use crate::output::atomic;

/// Refuses targets that exist (unless `force`), a chart directory that is, holds or lies in
/// one of the kustomization directories read (`sources`: the import replaces the chart
/// directory whole, so it would remove them), and values files inside the chart directory:
/// before anything is built.
pub fn check_targets(
    chart: &Path,
    values: &[PathBuf],
    sources: &[PathBuf],
    force: bool,
) -> Result<(), Error> {
    if let Some(source) = sources.iter().find(|s| crate::output::overlap(chart, s)) {
        return Err(Error::usage(format!(
            "--chart {} and the kustomization directory {} overlap: the import replaces the \
             chart directory whole, and would remove the Kustomize files it reads",
            chart.display(),
            source.display()
        ))
        .with_hint("choose a --chart directory outside the Kustomize tree"));
    }
    let inside =
        |path: &Path| super::tree::normalize(path).starts_with(super::tree::normalize(chart));
    if let Some(file) = values.iter().find(|v| inside(v)) {
        return Err(Error::usage(format!(
            "the values files cannot go inside the chart directory {}",
            chart.display()
        ))
        .in_file(file.display().to_string())
        .with_hint("choose another --values-dir"));
    }
    if force {
        return Ok(());
    }
    let mut existing: Vec<String> = Vec::new();
    if chart.exists() {
        existing.push(chart.display().to_string());
    }
    existing.extend(
        values
            .iter()
            .filter(|p| p.exists())
            .map(|p| p.display().to_string()),
    );
    if existing.is_empty() {
        return Ok(());
    }
    Err(Error::input(format!(
        "{} already exist{}; nothing was written",
        existing.join(", "),
        if existing.len() == 1 { "s" } else { "" },
    ))
    .with_hint(format!(
        "pass --force to replace {}, or choose another --chart or --values-dir",
        if existing.len() == 1 { "it" } else { "them" }
    )))
}

/// Writes the import; returns the paths written (the chart directory, then the values files).
pub fn write(import: &Import, force: bool) -> Result<Vec<PathBuf>, Error> {
    let chart = &import.chart;
    let values: Vec<PathBuf> = import.values_files.iter().map(|(p, _)| p.clone()).collect();
    check_targets(chart, &values, &import.sources, force)?;
    if chart.exists() && !chart.is_dir() {
        return Err(Error::input(
            "--chart must be a directory, but this is a file; nothing was written",
        )
        .in_file(chart.display().to_string()));
    }
    let mut made: Vec<PathBuf> = Vec::new();
    let staged = stage(import, &mut made);
    let (new_chart, values) = match staged {
        Ok(staged) => staged,
        Err(e) => {
            for dir in made.iter().rev() {
                let _ = fs::remove_dir_all(dir);
            }
            return Err(e);
        }
    };
    // Everything is on disk: swap the chart directory, then rename the values files.
    let replaced = if chart.exists() {
        let old = fresh_name(chart, "old");
        fs::rename(chart, &old).map_err(|e| {
            let _ = fs::remove_dir_all(&new_chart);
            write_error(chart, e)
        })?;
        Some(old)
    } else {
        None
    };
    if let Err(e) = fs::rename(&new_chart, chart) {
        let _ = fs::remove_dir_all(&new_chart);
        if let Some(old) = &replaced {
            let _ = fs::rename(old, chart);
        }
        return Err(write_error(chart, e));
    }
    if let Some(old) = replaced {
        let _ = fs::remove_dir_all(old);
    }
    let mut written = vec![chart.clone()];
    for file in values {
        let target = file.target().to_path_buf();
        written.push(file.commit().map_err(|e| write_error(&target, e))?);
    }
    Ok(written)
}

/// The new chart in a directory beside the target, and each values file beside its own.
fn stage(
    import: &Import,
    made: &mut Vec<PathBuf>,
) -> Result<(PathBuf, Vec<atomic::Staged>), Error> {
    let chart = &import.chart;
    let parent = parent_of(chart);
    atomic::create_dirs(&parent, made).map_err(|e| write_error(&parent, e))?;
    let new_chart = fresh_name(chart, "new");
    fs::create_dir(&new_chart).map_err(|e| write_error(&new_chart, e))?;
    made.push(new_chart.clone());
    for (relative, text) in &import.chart_files {
        let path = new_chart.join(relative);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| write_error(&chart.join(relative), e))?;
        }
        fs::write(&path, text).map_err(|e| write_error(&chart.join(relative), e))?;
    }
    let mut staged = Vec::new();
    for (path, text) in &import.values_files {
        if path.is_dir() {
            return Err(Error::input(
                "a directory of that name is in the way of the values file; nothing was written",
            )
            .in_file(path.display().to_string()));
        }
        let dir = parent_of(path);
        atomic::create_dirs(&dir, made).map_err(|e| write_error(&dir, e))?;
        staged.push(atomic::stage(path, text.as_bytes()).map_err(|e| write_error(path, e))?);
    }
    Ok((new_chart, staged))
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `charts/.backend.ktera-new-<pid>-<n>`: a name beside `path` that nothing has.
fn fresh_name(path: &Path, what: &str) -> PathBuf {
    let parent = parent_of(path);
    let stem = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "chart".into());
    let mut n = 0;
    loop {
        let candidate = parent.join(format!(".{stem}.ktera-{what}-{}-{n}", std::process::id()));
        if !candidate.exists() {
            return candidate;
        }
        n += 1;
    }
}

fn write_error(path: &Path, e: std::io::Error) -> Error {
    Error::io(format!("cannot write: {e}"), e)
        .in_file(path.display().to_string())
        .with_hint(
            "check that the directory is writable and the disk not full; nothing was written",
        )
}
