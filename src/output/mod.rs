//! Emitting rendered manifests: one stream for standard output, or one file per template under
//! `--output-dir`, written all or nothing ([`atomic`] writes every file ktera writes).

pub mod atomic;
pub mod tree;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::manifest::Manifest;
use crate::yaml;

/// A file or directory that cannot be written.
fn cannot_write(path: &Path, source: std::io::Error) -> Error {
    Error::io(format!("cannot write: {source}"), source)
        .in_file(path.display().to_string())
        .with_hint("check the directory exists and is writable, and that the disk is not full; nothing was written")
}

/// Appends one document as Helm prints it: `---`, `# Source: ...`, the YAML.
pub fn push_document(out: &mut String, manifest: &Manifest) {
    out.push_str("---\n# Source: ");
    out.push_str(&manifest.source_name);
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
/// targets are replaced only when all temporary files are written.
pub fn write_all(dir: &Path, files: &[(PathBuf, String)]) -> Result<Vec<PathBuf>, Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(
            Error::input("--output-dir must be a directory, but this is a file")
                .in_file(dir.display().to_string())
                .with_hint("pass a directory (it is created when missing)"),
        );
    }
    let mut created: Vec<PathBuf> = Vec::new();
    let staged = files
        .iter()
        .map(|(rel, text)| {
            let target = dir.join(rel);
            let parent = target.parent().unwrap_or(dir);
            create_dirs(parent, &mut created).map_err(|source| cannot_write(parent, source))?;
            // Found now, not when renaming: by then other files would already be replaced.
            if target.is_dir() {
                let source = std::io::Error::other("a directory of that name is in the way");
                return Err(cannot_write(&target, source));
            }
            atomic::stage(&target, text.as_bytes()).map_err(|source| cannot_write(&target, source))
        })
        .collect::<Result<Vec<_>, _>>();
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

/// Creates `dir` and its missing parents, noting each one made (outermost first).
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> std::io::Result<()> {
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
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
