//! The one atomic file writer: each file goes to a temporary file beside its target (same
//! directory, so the rename stays on one filesystem), is flushed to disk, and is renamed over
//! the target. Readers see the old bytes or the new ones, never a mix, and a failure leaves the
//! old file in place. Used for `--output-dir`, `ktera render`'s tree, `ktera set` and the
//! values files of `ktera import`.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::Error;

/// Creates `dir` and its missing parents, noting each one made (outermost first), so that a
/// write that fails can remove them again.
pub fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(path) = at {
        if path.as_os_str().is_empty() || path.exists() {
            break;
        }
        missing.push(path.to_path_buf());
        at = path.parent();
    }
    for path in missing.into_iter().rev() {
        match fs::create_dir(&path) {
            Ok(()) => created.push(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A file written beside its target and not yet in place; the temporary file is removed when
/// this is dropped without [`Staged::commit`].
pub struct Staged {
    file: NamedTempFile,
    target: PathBuf,
}

/// Writes `contents` to a temporary file beside `target`. An existing target's mode is kept,
/// and its owner and group when ktera may set them; a new file gets the mode `File::create`
/// gives (0666 less the umask, on Unix).
pub fn stage(target: &Path, contents: &[u8]) -> io::Result<Staged> {
    let keep = fs::metadata(target).ok();
    stage_keeping(target, contents, keep.as_ref(), false)
}

/// As [`stage`], keeping the mode of `keep` (the file replaced) and its owner and group: when
/// `strict`, a file whose owner or group cannot be kept is an error.
///
/// The temporary name is `.ktera-XXXXXX.tmp` whatever the target's name, so a target whose
/// name is near the 255-byte limit still has a temporary file beside it.
fn stage_keeping(
    target: &Path,
    contents: &[u8],
    keep: Option<&fs::Metadata>,
    strict: bool,
) -> io::Result<Staged> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ktera-").suffix(".tmp");
    // A file replaced may hold secrets: its new copy is readable by its owner only until it
    // has the old one's owner and mode, and that is before any content is written.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(match keep {
        Some(_) => 0o600,
        None => 0o666,
    }));
    let mut file = builder.tempfile_in(dir)?;
    if let Some(meta) = keep {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            let owned =
                std::os::unix::fs::fchown(file.as_file(), Some(meta.uid()), Some(meta.gid()));
            if let Err(e) = owned
                && strict
            {
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "cannot give the new file the owner and group of the old one ({}:{}): {e}",
                        meta.uid(),
                        meta.gid()
                    ),
                ));
            }
        }
        // After the owner: changing it clears the set-user-ID and set-group-ID bits.
        file.as_file().set_permissions(meta.permissions())?;
    }
    file.write_all(contents)?;
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

/// Whether the file at `path` (a link followed) can be replaced by [`replace`]: a regular file
/// with one name. Anything else is refused, with why: a device, FIFO, socket or directory is
/// not a file to edit (replacing `/dev/null` with a regular file breaks the system), and
/// renaming a new file over one of several hard links would leave the other names with the
/// old content. A path that cannot be read is left to the reader to report.
pub fn check_replaceable(path: &Path) -> Result<(), Error> {
    let Ok(meta) = fs::metadata(path) else {
        return Ok(());
    };
    let shown = path.display().to_string();
    let kind = meta.file_type();
    #[cfg(unix)]
    let other = {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else {
            "not a regular file"
        }
    };
    #[cfg(not(unix))]
    let other = "not a regular file";
    if kind.is_dir() {
        return Err(Error::input("this is a directory, not a file")
            .in_file(shown)
            .with_hint("name a values file"));
    }
    if !kind.is_file() {
        return Err(
            Error::input(format!("this is {other}: only regular files are edited"))
                .in_file(shown)
                .with_hint("name a values file; nothing was changed"),
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if meta.nlink() > 1 {
            return Err(Error::input(format!(
                "the file has {} hard links: it is replaced by a new file, which would leave its other names with the old content",
                meta.nlink()
            ))
            .in_file(shown)
            .with_hint("edit the file by hand, or give it one name (`cp FILE FILE.new && mv FILE.new FILE`); nothing was changed"));
        }
    }
    Ok(())
}

/// Replaces the regular file at `path`, keeping its owner, group and mode. A symbolic link is
/// followed: the file it points at is replaced, the link stays. What [`check_replaceable`]
/// refuses is refused here too (it may have changed since).
pub fn replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    if let Err(e) = check_replaceable(&target) {
        return Err(io::Error::other(e.to_string()));
    }
    let meta = fs::metadata(&target)?;
    stage_keeping(&target, contents, Some(&meta), true)?.commit()?;
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

    #[cfg(unix)]
    #[test]
    fn refuses_what_is_not_one_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.yaml");
        fs::write(&path, "a: 1\n").unwrap();
        assert!(check_replaceable(&path).is_ok());
        fs::hard_link(&path, dir.path().join("w.yaml")).unwrap();
        let e = check_replaceable(&path).unwrap_err().to_string();
        assert!(e.contains("2 hard links"), "{e}");
        assert!(replace(&path, b"a: 2\n").is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "a: 1\n");
        let e = check_replaceable(dir.path()).unwrap_err().to_string();
        assert!(e.contains("a directory"), "{e}");
        let e = check_replaceable(Path::new("/dev/null"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("a device"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_name_of_255_bytes_has_room_for_its_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{}.yaml", "v".repeat(250)));
        fs::write(&path, "a: 1\n").unwrap();
        replace(&path, b"a: 2\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "a: 2\n");
    }
}
