//! A Helm chart's files as `ktera convert` reads them: from a directory or a `.tgz`, with every
//! `.tgz` subchart under `charts/` unpacked into `charts/<name>/`, as Helm loads them.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Component, Path};

use crate::error::Error;

/// Largest file read from a chart or an archive (as `ktera template` caps chart files).
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Largest total size of a chart's files.
const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// Most files in one chart.
const MAX_FILES: usize = 100_000;
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
    if meta.is_dir() {
        let mut total = 0;
        read_dir(path, path, &mut chart.files, &mut total)?;
    } else {
        let bytes = read_file(path)?;
        chart.files = unpack(&bytes, &shown)?;
    }
    if !chart.files.contains_key("Chart.yaml") {
        return Err(invalid(
            &shown,
            "this is not a Helm chart: it has no Chart.yaml\n  hint: give the chart's directory (the one holding Chart.yaml) or a .tgz made by `helm package`",
        ));
    }
    unpack_subcharts(&mut chart, "", 0)?;
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

fn read_dir(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, Vec<u8>>,
    total: &mut u64,
) -> Result<(), Error> {
    let shown = dir.display().to_string();
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|source| unreadable(&shown, source))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        // A linked directory could lead anywhere, or in a circle; linked files are read.
        if file_type.is_symlink() && path.is_dir() {
            continue;
        }
        if path.is_dir() {
            read_dir(root, &path, out, total)?;
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

/// The files of a chart archive, relative to the chart: `helm package` puts them all under
/// one directory named after the chart, which is dropped.
fn unpack(bytes: &[u8], shown: &str) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let gz = flate2::read::GzDecoder::new(bytes);
    let mut archive = tar::Archive::new(gz);
    let mut files = BTreeMap::new();
    let mut total: u64 = 0;
    let entries = archive
        .entries()
        .map_err(|e| invalid(shown, format!("not a .tgz chart archive: {e}")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| invalid(shown, format!("not a .tgz chart archive: {e}")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| invalid(shown, format!("an entry has an unreadable name: {e}")))?
            .into_owned();
        let mut parts = Vec::new();
        for component in path.components() {
            match component {
                Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
                Component::CurDir => {}
                _ => {
                    return Err(invalid(
                        shown,
                        format!(
                            "the archive holds `{}`, a path outside the chart",
                            path.display()
                        ),
                    ));
                }
            }
        }
        if parts.len() < 2 {
            continue;
        }
        let size = entry.size();
        if size > MAX_FILE_BYTES {
            return Err(invalid(shown, format!("`{}` is too large", path.display())));
        }
        total += size;
        if total > MAX_TOTAL_BYTES || files.len() >= MAX_FILES {
            return Err(invalid(shown, "the archive is too large to convert"));
        }
        let mut content = Vec::with_capacity(size as usize);
        entry
            .by_ref()
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut content)
            .map_err(|e| invalid(shown, format!("cannot read `{}`: {e}", path.display())))?;
        files.insert(parts[1..].join("/"), content);
    }
    Ok(files)
}

/// Replaces each `charts/*.tgz` of the chart at `prefix` (and of its subcharts) by the
/// files it holds, under `charts/<name>/`.
fn unpack_subcharts(chart: &mut ChartFiles, prefix: &str, depth: usize) -> Result<(), Error> {
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
        let inner = unpack(&bytes, &archive)?;
        let name = archive_chart_name(&bytes).unwrap_or_else(|| {
            archive[charts_dir.len()..]
                .trim_end_matches(".tgz")
                .to_string()
        });
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
        unpack_subcharts(chart, &sub, depth + 1)?;
    }
    Ok(())
}

/// The directory the archive's files are under (the chart's name).
fn archive_chart_name(bytes: &[u8]) -> Option<String> {
    let gz = flate2::read::GzDecoder::new(bytes);
    let mut archive = tar::Archive::new(gz);
    let mut entries = archive.entries().ok()?;
    let entry = entries.next()?.ok()?;
    let path = entry.path().ok()?;
    let first = path.components().find_map(|c| match c {
        Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
        _ => None,
    })?;
    Some(first)
}
