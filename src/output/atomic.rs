//! The one atomic file writer: each file goes to a temporary file beside its target (same
//! directory, so the rename stays on one filesystem), is flushed to disk, and is renamed over
//! the target. Readers see the old bytes or the new ones, never a mix, and a failure leaves the
//! old file in place. Used for `--output-dir`, `ktera render`'s tree and `ktera set`.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file written beside its target and not yet in place; the temporary file is removed when
/// this is dropped without [`Staged::commit`].
pub struct Staged {
    file: NamedTempFile,
    target: PathBuf,
}

/// Writes `contents` to a temporary file beside `target`. An existing target's permissions are
/// kept; a new file gets those `File::create` gives (0666 less the umask, on Unix).
pub fn stage(target: &Path, contents: &[u8]) -> io::Result<Staged> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ktera-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(contents)?;
    if let Ok(meta) = fs::metadata(target) {
        file.as_file().set_permissions(meta.permissions())?;
    }
    file.as_file().sync_all()?;
    Ok(Staged {
        file,
        target: target.to_path_buf(),
    })
}

impl Staged {
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the file over its target; returns the target.
    pub fn commit(self) -> io::Result<PathBuf> {
        self.file.persist(&self.target).map_err(|e| e.error)?;
        Ok(self.target)
    }
}

/// Replaces the file at `path`. A symbolic link is followed: the file it points at is replaced,
/// the link stays.
pub fn replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    stage(&target, contents)?.commit()?;
    // Makes the rename itself durable; not every platform can open a directory, which is fine.
    if let Some(dir) = target.parent()
        && let Ok(dir) = File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_contents_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.yaml");
        fs::write(&path, "a: 1\n").unwrap();
        replace(&path, b"a: 2\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "a: 2\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions_and_follows_links() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.yaml");
        fs::write(&path, "a: 1\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.yaml");
        symlink(&path, &link).unwrap();
        replace(&link, b"a: 2\n").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "a: 2\n");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
}
