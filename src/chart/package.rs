//! `ktera package`: a chart directory as a chart archive, `NAME-VERSION.tgz` (Helm's
//! `chartutil.Save`). What goes in is what Helm packages: every file of the chart but what
//! `.helmignore` leaves out (and, as in Helm, hidden files under `templates/`). A `file://`
//! dependency that is not in `charts/` goes in as `charts/NAME/`, so the archive renders on
//! its own. Files keep their bytes (Helm rewrites `Chart.yaml`; ktera keeps its comments).
//! Same files, same archive: see [`super::archive::write`].

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Chart, archive, files, unreadable};
use crate::error::Error;

/// A packaged chart.
#[derive(Debug)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub bytes: Vec<u8>,
}

impl Package {
    /// `NAME-VERSION.tgz`, as Helm names it.
    pub fn file_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }
}

/// Packages the chart directory `dir`, after loading it as `ktera template` would (a chart
/// that does not load is not packaged).
pub fn package(dir: &Path) -> Result<Package, Error> {
    if !dir.is_dir() {
        return Err(Error::input("not a chart directory")
            .in_file(dir.display().to_string())
            .with_hint("`ktera package` packages a directory that holds Chart.yaml"));
    }
    let chart = Chart::load(dir)?;
    let mut contents = BTreeMap::new();
    collect(dir, &chart, "", &mut contents)?;
    let bytes = archive::write(&chart.name, &contents, archive::package_time()?)
        .map_err(|source| Error::io(format!("cannot write the archive: {source}"), source))?;
    Ok(Package {
        name: chart.name,
        version: chart.version,
        bytes,
    })
}

/// Adds the files of the chart at `dir` (loaded as `chart`) under `prefix`, then its `file://`
/// dependencies that `charts/` lacks.
fn collect(
    dir: &Path,
    chart: &Chart,
    prefix: &str,
    out: &mut BTreeMap<String, Arc<[u8]>>,
) -> Result<(), Error> {
    let root = fs::canonicalize(dir).map_err(|source| unreadable(dir, source))?;
    let ignore = files::helmignore(dir);
    walk(
        dir,
        &root,
        "",
        &ignore,
        &mut vec![root.clone()],
        prefix,
        out,
    )?;
    for dep in &chart.meta.dependencies {
        let Some(rel) = dep
            .repository
            .as_deref()
            .and_then(|r| r.trim().strip_prefix("file://"))
        else {
            continue;
        };
        let vendored = out.keys().any(|k| {
            k.strip_prefix(prefix)
                .and_then(|k| k.strip_prefix("charts/"))
                .is_some_and(|k| {
                    k.starts_with(&format!("{}/", dep.name))
                        || (k.starts_with(&format!("{}-", dep.name)) && k.ends_with(".tgz"))
                })
        });
        if vendored {
            continue;
        }
        let sub_dir = dir.join(rel);
        let Some(sub) = chart
            .subcharts
            .iter()
            .find(|s| s.dependency.as_ref().is_some_and(|d| d.name == dep.name))
        else {
            continue;
        };
        collect(
            &sub_dir,
            &sub.chart,
            &format!("{prefix}charts/{}/", dep.name),
            out,
        )?;
    }
    Ok(())
}

/// Lists the files of `dir` (real path `real`) into `out` as `prefix` + chart-relative path.
fn walk(
    dir: &Path,
    root: &Path,
    rel: &str,
    ignore: &ignore::gitignore::Gitignore,
    ancestors: &mut Vec<PathBuf>,
    prefix: &str,
    out: &mut BTreeMap<String, Arc<[u8]>>,
) -> Result<(), Error> {
    let unreadable = |path: &Path| {
        let path = path.to_path_buf();
        move |source| unreadable(&path, source)
    };
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(unreadable(dir))?
        .collect::<Result<_, _>>()
        .map_err(unreadable(dir))?;
    entries.sort_by_cached_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let key = format!("{rel}{name}");
        let real = fs::canonicalize(&path).map_err(unreadable(&path))?;
        if !real.starts_with(root) {
            return Err(Error::input(format!(
                "the file is a link that leads out of the chart ({})",
                real.display()
            ))
            .in_file(path.display().to_string())
            .with_hint("a package holds the chart's own files; copy the file into the chart"));
        }
        let is_dir = real.is_dir();
        if ignore.matched(&path, is_dir).is_ignore() {
            continue;
        }
        // Helm's default rule: hidden files under templates/ are not the chart's.
        if key.starts_with("templates/") && name.starts_with('.') {
            continue;
        }
        if is_dir {
            if ancestors.contains(&real) {
                continue;
            }
            ancestors.push(real);
            let listed = walk(
                &path,
                root,
                &format!("{key}/"),
                ignore,
                ancestors,
                prefix,
                out,
            );
            ancestors.pop();
            listed?;
        } else if real.is_file() {
            let size = fs::metadata(&real).map_err(unreadable(&path))?.len();
            if size > files::MAX_FILE_BYTES {
                return Err(Error::input(format!(
                    "larger than {} MiB, the most a chart archive holds in one file",
                    files::MAX_FILE_BYTES / (1024 * 1024)
                ))
                .in_file(path.display().to_string())
                .with_hint("leave it out of the package with .helmignore"));
            }
            let bytes = fs::read(&path).map_err(unreadable(&path))?;
            out.insert(format!("{prefix}{key}"), Arc::from(bytes));
        }
        // Sockets, pipes and devices are no part of a chart.
    }
    Ok(())
}
