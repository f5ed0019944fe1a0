//! A Helm chart's files as `ktera convert` reads them: from a directory or a `.tgz`, with every
//! `.tgz` subchart under `charts/` unpacked into `charts/<name>/`, as Helm loads them.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::chart::archive;
use crate::chart::files::{HelmIgnore, MAX_ENTRIES as MAX_FILES, MAX_FILE_BYTES};
use crate::error::Error;

/// Largest total size of a chart directory's files (archives have their own cap,
/// [`archive::MAX_UNPACKED_BYTES`]).
const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// `.tgz` subcharts nested deeper are refused.
const MAX_ARCHIVE_DEPTH: usize = 16;

/// Every file of a chart and its subcharts, by its path relative to the chart (`/`-separated).
#[derive(Debug, Clone, Default)]
pub struct ChartFiles {
    pub files: BTreeMap<String, Vec<u8>>,
    /// `.tgz` subcharts that were unpacked: archive path -> directory.
    pub unpacked: Vec<(String, String)>,
}

fn invalid(path: &str, message: impl Into<String>) -> Error {
    Error::input(message).in_file(path)
}

fn unreadable(path: &str, source: std::io::Error) -> Error {
    Error::io(format!("cannot read: {source}"), source).in_file(path)
}

/// Reads the chart at `path`: a directory, or a `.tgz` made by `helm package`.
pub fn read(path: &Path) -> Result<ChartFiles, Error> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|source| unreadable(&shown, source))?;
    let mut chart = ChartFiles::default();
    let mut budget = archive::Budget::default();
    if meta.is_dir() {
        let mut total = 0;
        let ignore = HelmIgnore::of(path);
        read_dir(path, path, &ignore, &mut chart.files, &mut total)?;
    } else {
        let bytes = read_file(path)?;
        chart.files = unpack(&bytes, &shown, &mut budget)?.1;
    }
    if !chart.files.contains_key("Chart.yaml") {
        return Err(invalid(&shown, "this is not a Helm chart: it has no Chart.yaml").with_hint(
            "give the chart's directory (the one holding Chart.yaml) or a .tgz made by `helm package`",
        ));
    }
    unpack_subcharts(&mut chart, "", 0, &mut budget)?;
    Ok(chart)
}

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|source| unreadable(&shown, source))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(invalid(
            &shown,
            format!("larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024),
        ));
    }
    fs::read(path).map_err(|source| unreadable(&shown, source))
}

/// The files under `dir` that Helm loads: what `.helmignore` excludes is left out, as Helm
/// leaves it out of the chart.
fn read_dir(
    root: &Path,
    dir: &Path,
    ignore: &HelmIgnore,
    out: &mut BTreeMap<String, Vec<u8>>,
    total: &mut u64,
) -> Result<(), Error> {
    let shown = dir.display().to_string();
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|source| unreadable(&shown, source))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_cached_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        // A linked directory could lead anywhere, or in a circle; linked files are read.
        if file_type.is_symlink() && path.is_dir() {
            continue;
        }
        if ignore.excludes(&path, path.is_dir()) {
            continue;
        }
        if path.is_dir() {
            read_dir(root, &path, ignore, out, total)?;
            continue;
        }
        let bytes = read_file(&path)?;
        *total += bytes.len() as u64;
        if *total > MAX_TOTAL_BYTES || out.len() >= MAX_FILES {
            return Err(invalid(
                &root.display().to_string(),
                "the chart is too large to convert (more than 1 GiB or 100,000 files)",
            ));
        }
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        out.insert(rel, bytes);
    }
    Ok(())
}

/// The files of a chart archive, relative to the chart (Helm's `.tgz`: one top directory named
/// after the chart, dropped here), and that directory's name.
fn unpack(
    bytes: &[u8],
    shown: &str,
    budget: &mut archive::Budget,
) -> Result<(String, BTreeMap<String, Vec<u8>>), Error> {
    let unpacked = archive::read(bytes, budget).map_err(|e| e.in_file(shown))?;
    let files = unpacked
        .files
        .into_iter()
        .map(|(path, content)| (path, content.to_vec()))
        .collect();
    Ok((unpacked.top, files))
}

/// Replaces each `charts/*.tgz` of the chart at `prefix` (and of its subcharts) by the
/// files it holds, under `charts/<name>/`.
fn unpack_subcharts(
    chart: &mut ChartFiles,
    prefix: &str,
    depth: usize,
    budget: &mut archive::Budget,
) -> Result<(), Error> {
    if depth > MAX_ARCHIVE_DEPTH {
        return Err(invalid(prefix, "subcharts are nested too deep"));
    }
    let charts_dir = format!("{prefix}charts/");
    let archives: Vec<String> = chart
        .files
        .keys()
        .filter(|k| {
            k.strip_prefix(&charts_dir)
                .is_some_and(|rest| !rest.contains('/') && rest.ends_with(".tgz"))
        })
        .cloned()
        .collect();
    for archive in archives {
        let Some(bytes) = chart.files.remove(&archive) else {
            continue;
        };
        let (name, inner) = unpack(&bytes, &archive, budget)?;
        let dir = format!("{charts_dir}{name}/");
        if chart.files.keys().any(|k| k.starts_with(&dir)) {
            return Err(invalid(
                &archive,
                format!("{dir} exists too; keep the archive or the directory, not both"),
            ));
        }
        for (path, content) in inner {
            chart.files.insert(format!("{dir}{path}"), content);
        }
        chart
            .unpacked
            .push((archive, dir.trim_end_matches('/').to_string()));
    }
    // Subcharts' own subcharts.
    let subcharts: Vec<String> = chart
        .files
        .keys()
        .filter_map(|k| {
            let rest = k.strip_prefix(&charts_dir)?;
            let (name, file) = rest.split_once('/')?;
            (file == "Chart.yaml").then(|| format!("{charts_dir}{name}/"))
        })
        .collect();
    for sub in subcharts {
        unpack_subcharts(chart, &sub, depth + 1, budget)?;
    }
    Ok(())
}
