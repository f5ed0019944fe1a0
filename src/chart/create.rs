//! `ktera create`: a new chart from the starter in `starter/`, as Helm's `chartutil.Create`
//! makes one from its own. The starter is the `helm create` chart written in Tera (Deployment,
//! Service, ServiceAccount, an Ingress and an autoscaler that are off by default, a `helm test`
//! Pod, NOTES.txt and a values schema); `tests/cli/create.rs` checks that it renders what
//! `helm create` renders.
//!
//! The chart is written into a temporary directory beside the target and renamed into place,
//! so a failed run leaves nothing behind.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Each file of the starter: its path in the new chart and its text, in which `<CHARTNAME>`
/// stands for the chart's name and `<CHARTIDENT>` for the prefix of its components (the name
/// with `-` as `_`, since a component's name is made of identifiers).
const STARTER: &[(&str, &str)] = &[
    ("Chart.yaml", include_str!("starter/Chart.yaml")),
    ("values.yaml", include_str!("starter/values.yaml")),
    (
        "values.schema.json",
        include_str!("starter/values.schema.json"),
    ),
    (".helmignore", include_str!("starter/helmignore")),
    (
        "templates/_helpers.tera",
        include_str!("starter/templates/_helpers.tera"),
    ),
    (
        "templates/NOTES.txt",
        include_str!("starter/templates/NOTES.txt"),
    ),
    (
        "templates/deployment.yaml",
        include_str!("starter/templates/deployment.yaml"),
    ),
    (
        "templates/service.yaml",
        include_str!("starter/templates/service.yaml"),
    ),
    (
        "templates/serviceaccount.yaml",
        include_str!("starter/templates/serviceaccount.yaml"),
    ),
    (
        "templates/ingress.yaml",
        include_str!("starter/templates/ingress.yaml"),
    ),
    (
        "templates/hpa.yaml",
        include_str!("starter/templates/hpa.yaml"),
    ),
    (
        "templates/tests/test-connection.yaml",
        include_str!("starter/templates/tests/test-connection.yaml"),
    ),
];

/// A chart's name: it becomes part of object names and the `app.kubernetes.io/name` label, so
/// lowercase letters, digits and `-`, starting with a letter and ending with a letter or digit,
/// at most 63 characters (a label value's limit). Stricter than Helm, whose names may hold
/// characters that make invalid object names.
pub fn check_name(name: &str) -> Result<(), Error> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let valid_ends = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if name.len() > 63 || !valid_chars || !valid_ends {
        return Err(Error::usage(format!(
            "invalid chart name `{name}`: use at most 63 lowercase letters, digits or `-`, starting with a letter and ending with a letter or digit"
        ))
        .with_hint("the chart's name is the last part of the path: `ktera create charts/my-app` makes the chart `my-app`"));
    }
    Ok(())
}

/// Creates the starter chart at `dir`, named after its last component; returns that name.
/// `dir` may be an empty directory; anything else already there is refused.
pub fn create(dir: &Path) -> Result<String, Error> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| {
            Error::usage(format!(
                "`{}` names no chart: give a directory to create, e.g. `ktera create my-app`",
                dir.display()
            ))
        })?
        .to_owned();
    check_name(&name)?;
    refuse_existing(dir)?;
    let parent = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(Error::input(format!(
            "the directory `{}` does not exist",
            parent.display()
        ))
        .with_hint(format!("create it first: mkdir -p {}", parent.display())));
    }
    let staged = stage(parent, &name).map_err(|e| {
        Error::io(
            format!("cannot write the chart beside `{}`: {e}", dir.display()),
            e,
        )
    })?;
    // Over an empty directory, rename replaces it.
    fs::rename(staged.path(), dir).map_err(|e| {
        Error::io(
            format!("cannot create the chart `{}`: {e}", dir.display()),
            e,
        )
    })?;
    // The directory now has its final name; nothing is left to remove.
    let _ = staged.keep();
    Ok(name)
}

/// A directory that exists and holds anything is someone's work: it is never overwritten (Helm
/// overwrites the starter's files in it).
fn refuse_existing(dir: &Path) -> Result<(), Error> {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return Ok(());
    };
    let empty_dir = meta.is_dir()
        && fs::read_dir(dir)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
    if empty_dir {
        return Ok(());
    }
    let what = if meta.is_dir() {
        "a directory that is not empty"
    } else {
        "a file"
    };
    Err(
        Error::input(format!("`{}` exists and is {what}", dir.display()))
            .with_hint("choose a new directory name; `ktera create` never overwrites files"),
    )
}

/// Writes the starter, its names filled in, into a new temporary directory in `parent`.
fn stage(parent: &Path, name: &str) -> io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ktera-create-");
    // The directory gets the permissions `mkdir` would give (0777 less the umask), not the
    // temporary directory's 0700.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o777));
    let staged = builder.tempdir_in(parent)?;
    let ident = name.replace('-', "_");
    for (path, text) in STARTER {
        let target: PathBuf = staged.path().join(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)?;
        }
        let text = text
            .replace("<CHARTIDENT>", &ident)
            .replace("<CHARTNAME>", name);
        fs::write(target, text)?;
    }
    Ok(staged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_names() {
        for good in ["a", "my-app", "web2", &"a".repeat(63)] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "My-App",
            "2web",
            "web-",
            "my_app",
            "my.app",
            &"a".repeat(64),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
