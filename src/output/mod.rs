//! Emitting rendered manifests: one stream for standard output, or one file per template under
//! `--output-dir`, written all or nothing ([`atomic`] writes every file ktera writes).

pub mod atomic;
pub mod tree;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::manifest::Manifest;
use crate::yaml;

/// Where `path` really is: links resolved as far as the path exists, the rest appended as
/// written (`..` taken lexically), so that a path not made yet can be compared as well.
pub fn resolved(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    let mut base = loop {
        if let Ok(real) = fs::canonicalize(&existing) {
            break real;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            // Nothing of it exists (or it ends in `..`): compare it as written.
            _ => return path.to_path_buf(),
        }
    };
    for name in rest.iter().rev() {
        if name == ".." {
            base.pop();
        } else if name != "." {
            base.push(name);
        }
    }
    base
}

/// Whether one of two paths is, holds or lies inside the other, links resolved: a write to
/// one would replace or remove what is at the other.
pub fn overlap(a: &Path, b: &Path) -> bool {
    let (a, b) = (resolved(a), resolved(b));
    a.starts_with(&b) || b.starts_with(&a)
}

/// A file or directory that cannot be written.
fn cannot_write(path: &Path, source: std::io::Error) -> Error {
    Error::io(format!("cannot write: {source}"), source)
        .in_file(path.display().to_string())
        .with_hint("check the directory exists and is writable, and that the disk is not full; nothing was written")
}

/// Appends one document as Helm prints it: `---`, `# Source: ...`, the YAML.
pub fn push_document(out: &mut String, manifest: &Manifest) {
    out.push_str("---\n# Source: ");
    // Names are checked when the chart loads (`chart::names`); should one ever get here with
    // a line break in it, it is written escaped, so the comment stays one line.
    out.push_str(&crate::chart::names::shown(&manifest.source_name));
    out.push('\n');
    yaml::emit_document_into(&manifest.value, out);
}

/// All documents as one YAML stream.
pub fn stream(manifests: &[Manifest]) -> String {
    let mut out = String::with_capacity(manifests.len() * 1024);
    for m in manifests {
        push_document(&mut out, m);
    }
    out
}

/// All objects as one pretty-printed JSON list (`template -o json`), numbers as written (the
/// diff's YAML to JSON conversion: a big integer stays exact).
pub fn json_list(manifests: &[Manifest]) -> String {
    let list: Vec<serde_json::Value> = manifests
        .iter()
        .map(|m| crate::diff::to_json(&m.value))
        .collect();
    // A list of JSON values always serialises: keys are strings, numbers are finite.
    let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
    text.push('\n');
    text
}

/// Files to write under `--output-dir`: the `# Source:` path (`<chart>/templates/<file>`), each
/// holding that template's documents in install order.
pub fn files_for(manifests: &[Manifest]) -> Vec<(PathBuf, String)> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for m in manifests {
        let rel = PathBuf::from(&m.source_name);
        match files.iter_mut().find(|(p, _)| *p == rel) {
            Some((_, text)) => push_document(text, m),
            None => {
                let mut text = String::new();
                push_document(&mut text, m);
                files.push((rel, text));
            }
        }
    }
    files
}

/// Writes every file or none: each goes to a temporary file beside its target first, and the
/// targets are replaced only when all temporary files are written. Every path is relative and
/// must stay inside `dir` once joined: one with `..` or a root, or one that would pass through
/// a link leading out of `dir`, is refused before anything is written.
pub fn write_all(dir: &Path, files: &[(PathBuf, String)]) -> Result<Vec<PathBuf>, Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(
            Error::input("--output-dir must be a directory, but this is a file")
                .in_file(dir.display().to_string())
                .with_hint("pass a directory (it is created when missing)"),
        );
    }
    for (rel, _) in files {
        check_relative(rel)?;
    }
    let mut created: Vec<PathBuf> = Vec::new();
    let staged = stage_all(dir, files, &mut created);
    let staged = match staged {
        Ok(staged) => staged,
        Err(e) => {
            // The temporary files are gone with `staged`; directories made for this run go
            // too (innermost first; never a non-empty one).
            for made in created.iter().rev() {
                let _ = fs::remove_dir(made);
            }
            return Err(e);
        }
    };
    let mut written = Vec::with_capacity(staged.len());
    for file in staged {
        let path = file.target().to_path_buf();
        // A failed rename drops the files not yet renamed, and their temporary files with them.
        written.push(
            file.commit()
                .map_err(|source| cannot_write(&path, source))?,
        );
    }
    Ok(written)
}

/// Makes the directories and writes the temporary files.
fn stage_all(
    dir: &Path,
    files: &[(PathBuf, String)],
    created: &mut Vec<PathBuf>,
) -> Result<Vec<atomic::Staged>, Error> {
    atomic::create_dirs(dir, created).map_err(|source| cannot_write(dir, source))?;
    let root = fs::canonicalize(dir).map_err(|source| cannot_write(dir, source))?;
    files
        .iter()
        .map(|(rel, text)| {
            let target = dir.join(rel);
            let parent = rel.parent().unwrap_or(Path::new(""));
            create_dirs_inside(&root, dir, parent, created)?;
            // Found now, not when renaming: by then other files would already be replaced.
            match fs::symlink_metadata(&target) {
                Ok(meta) if meta.is_dir() => {
                    let source = std::io::Error::other("a directory of that name is in the way");
                    return Err(cannot_write(&target, source));
                }
                Ok(meta) if !meta.is_file() && !meta.file_type().is_symlink() => {
                    let source = std::io::Error::other(
                        "something that is not a regular file (a FIFO, socket or device) is in the way",
                    );
                    return Err(cannot_write(&target, source));
                }
                _ => {}
            }
            atomic::stage(&target, text.as_bytes()).map_err(|source| cannot_write(&target, source))
        })
        .collect()
}

/// A path to write under the output directory: relative, with plain names only.
fn check_relative(rel: &Path) -> Result<(), Error> {
    let plain = !rel.as_os_str().is_empty()
        && rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if plain {
        return Ok(());
    }
    Err(Error::input(format!(
        "`{}` would be written outside the output directory",
        crate::chart::names::shown(&rel.to_string_lossy())
    ))
    .with_hint("a chart or template name holds `..` or `/`; rename it"))
}

/// Creates the directories of `rel` under `dir` (whose real path is `root`) one at a time,
/// each checked before anything is made in it: a link that leads out of `dir` is refused
/// before a directory is made at its far end.
fn create_dirs_inside(
    root: &Path,
    dir: &Path,
    rel: &Path,
    created: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let mut at = dir.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match fs::symlink_metadata(&at) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir(&at).map_err(|source| cannot_write(&at, source))?;
                created.push(at.clone());
            }
            Err(source) => return Err(cannot_write(&at, source)),
            Ok(meta) if meta.file_type().is_symlink() => {
                let real = fs::canonicalize(&at).map_err(|source| cannot_write(&at, source))?;
                if !real.starts_with(root) || !real.is_dir() {
                    return Err(Error::input(format!(
                        "a link that leads out of the output directory ({}) is in the way",
                        real.display()
                    ))
                    .in_file(at.display().to_string())
                    .with_hint("remove the link; nothing was written"));
                }
            }
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                let source = std::io::Error::other("a file of that name is in the way");
                return Err(cannot_write(&at, source));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names are checked when charts load; this is the second wall, for any path that gets here.
    #[test]
    fn a_path_that_leaves_the_directory_is_refused_before_anything_is_written() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        for bad in ["../x.yaml", "a/../../x.yaml", "/tmp/x.yaml", "", "./."] {
            let files = vec![
                (
                    PathBuf::from("demo/templates/ok.yaml"),
                    "a: 1\n".to_string(),
                ),
                (PathBuf::from(bad), "a: 1\n".to_string()),
            ];
            let e = write_all(&dir, &files).unwrap_err().to_string();
            assert!(
                e.contains("would be written outside the output directory"),
                "{bad}: {e}"
            );
            assert!(!dir.exists(), "{bad}: something was written");
        }
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}
