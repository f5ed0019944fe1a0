//! A whole new directory written all or nothing (`ktera convert`'s OUT_DIR): every file goes
//! into a temporary directory beside the target, which is renamed into place only when all are
//! written. An existing directory is replaced only when asked, and only then.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use crate::error::Error;

fn write_error(path: &Path, source: io::Error) -> Error {
    super::cannot_write(path, source)
}

/// Writes `files` (relative `/`-separated paths) as the directory `dir`. An existing `dir` is
/// replaced when `replace` is set, else refused before anything is written.
pub fn write_dir(
    dir: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    replace: bool,
) -> Result<(), Error> {
    if dir.exists() && !replace {
        return Err(Error::usage(format!("{} exists", dir.display()))
            .with_hint("pass --force to replace it, or name a directory that does not exist; nothing was written"));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(
            Error::usage(format!("{} is a file, not a directory", dir.display()))
                .with_hint("name a directory; nothing was written"),
        );
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    fs::create_dir_all(&parent).map_err(|e| write_error(&parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".ktera-new-")
        .tempdir_in(&parent)
        .map_err(|e| write_error(&parent, e))?;
    for (rel, bytes) in files {
        let target = staging.path().join(rel);
        if let Some(p) = target.parent() {
            fs::create_dir_all(p).map_err(|e| write_error(&dir.join(rel), e))?;
        }
        fs::write(&target, bytes).map_err(|e| write_error(&dir.join(rel), e))?;
    }
    let staged = staging.keep();
    let result = if dir.exists() {
        swap(&staged, dir, &parent)
    } else {
        fs::rename(&staged, dir).map_err(|e| write_error(dir, e))
    };
    if result.is_err() {
        let _ = fs::remove_dir_all(&staged);
    }
    result
}

/// Puts `staged` where `dir` is: the old directory is moved aside, the new one renamed into
/// place, then the old one removed (or moved back if the rename fails).
fn swap(staged: &Path, dir: &Path, parent: &Path) -> Result<(), Error> {
    let aside = tempfile::Builder::new()
        .prefix(".ktera-old-")
        .tempdir_in(parent)
        .map_err(|e| write_error(parent, e))?
        .keep();
    // `aside` exists (empty); rename needs the name free.
    fs::remove_dir(&aside).map_err(|e| write_error(&aside, e))?;
    fs::rename(dir, &aside).map_err(|e| write_error(dir, e))?;
    if let Err(e) = fs::rename(staged, dir) {
        let _ = fs::rename(&aside, dir);
        return Err(write_error(dir, e));
    }
    let _ = fs::remove_dir_all(&aside);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_new_directory_or_replaces_one_when_asked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let mut files = BTreeMap::new();
        files.insert("a/b.txt".to_string(), b"1".to_vec());
        write_dir(&dir, &files, false).unwrap();
        assert_eq!(fs::read(dir.join("a/b.txt")).unwrap(), b"1");
        let refused = write_dir(&dir, &files, false).unwrap_err();
        assert_eq!(refused.kind(), crate::error::ErrorKind::Usage);
        files.clear();
        files.insert("c.txt".to_string(), b"2".to_vec());
        write_dir(&dir, &files, true).unwrap();
        assert!(!dir.join("a").exists());
        assert_eq!(fs::read(dir.join("c.txt")).unwrap(), b"2");
        // Nothing else is left beside it.
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
