//! Where each path of a chart on disk really leads: every file and directory the loader reads
//! (`Chart.yaml`, `values.yaml`, `values.schema.json`, `.helmignore`, templates, CRDs,
//! subcharts under `charts/`) is resolved here and must stay inside the chart. A symbolic link
//! that leads out of the chart is refused, as is anything that is not a regular file or a
//! directory (a FIFO would block the read, a device never end). Links that stay inside the
//! chart are followed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// What a path of the chart turned out to be.
pub enum Found {
    /// Nothing there.
    Missing,
    /// A regular file.
    File,
    /// A directory; its real path.
    Dir(PathBuf),
}

/// Resolves `path`, an entry of a directory of the chart whose real path is `real_parent`;
/// `root` is the chart's real path. Only a link can lead elsewhere, so only a link is resolved
/// (which saves resolving every path one component at a time).
pub fn resolve(root: &Path, real_parent: &Path, path: &Path) -> Result<Found, Error> {
    let shown = || path.display().to_string();
    let unreadable = |e: io::Error| super::unreadable(path, e);
    let meta = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Missing),
        other => other.map_err(unreadable)?,
    };
    let (real, meta) = if meta.file_type().is_symlink() {
        let real = match fs::canonicalize(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let target = fs::read_link(path).unwrap_or_default();
                return Err(Error::input(format!(
                    "the file is a link to nothing ({})",
                    target.display()
                ))
                .in_file(shown())
                .with_hint("remove the link or restore what it points at"));
            }
            other => other.map_err(unreadable)?,
        };
        if !real.starts_with(root) {
            return Err(leads_out(&shown(), &real));
        }
        let meta = fs::metadata(&real).map_err(unreadable)?;
        (Some(real), meta)
    } else {
        (None, meta)
    };
    if meta.is_dir() {
        // Not a link: the directory's real path is its parent's and its name.
        let name = path.file_name().unwrap_or_default();
        Ok(Found::Dir(real.unwrap_or_else(|| real_parent.join(name))))
    } else if meta.is_file() {
        Ok(Found::File)
    } else {
        Err(Error::input(
            "not a regular file (a FIFO, socket or device); a chart holds files and directories only",
        )
        .in_file(shown())
        .with_hint("replace it with a regular file"))
    }
}

/// A file of the chart that is a link out of it.
pub fn leads_out(shown: &str, real: &Path) -> Error {
    Error::input(format!(
        "the file is a link that leads out of the chart ({})",
        real.display()
    ))
    .in_file(shown)
    .with_hint("a chart reads only what is inside its directory: copy the file into the chart")
}

/// The regular file `name` of the chart directory `dir` (real path `root`), if there is one.
pub fn chart_file(dir: &Path, root: &Path, name: &str) -> Result<Option<PathBuf>, Error> {
    let path = dir.join(name);
    match resolve(root, root, &path)? {
        Found::Missing => Ok(None),
        Found::File => Ok(Some(path)),
        Found::Dir(_) => Err(Error::input("a directory where a file was expected")
            .in_file(path.display().to_string())
            .with_hint(format!("{name} must be a file"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_inside_are_followed_and_links_out_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let chart = tmp.path().join("chart");
        fs::create_dir_all(chart.join("sub")).unwrap();
        fs::write(chart.join("sub/v.yaml"), "a: 1\n").unwrap();
        fs::write(tmp.path().join("secret.yaml"), "token: x\n").unwrap();
        symlink("sub/v.yaml", chart.join("values.yaml")).unwrap();
        symlink("../secret.yaml", chart.join("values.schema.json")).unwrap();
        symlink("/nowhere/at/all", chart.join("Chart.yaml")).unwrap();
        let root = fs::canonicalize(&chart).unwrap();
        assert_eq!(
            chart_file(&chart, &root, "values.yaml").unwrap(),
            Some(chart.join("values.yaml"))
        );
        let out = chart_file(&chart, &root, "values.schema.json").map_err(|e| e.to_string());
        assert!(
            out.as_ref().unwrap_err().contains("leads out of the chart"),
            "{out:?}"
        );
        let dangling = chart_file(&chart, &root, "Chart.yaml").map_err(|e| e.to_string());
        assert!(
            dangling
                .as_ref()
                .unwrap_err()
                .contains("a link to nothing (/nowhere/at/all)"),
            "{dangling:?}"
        );
        assert!(matches!(chart_file(&chart, &root, "none.yaml"), Ok(None)));
        assert!(chart_file(&chart, &root, "sub").is_err());
    }

    #[test]
    fn what_is_not_a_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(tmp.path()).unwrap();
        let socket = tmp.path().join("values.yaml");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let e = chart_file(tmp.path(), &root, "values.yaml").map_err(|e| e.to_string());
        assert!(e.unwrap_err().contains("not a regular file"));
    }
}
