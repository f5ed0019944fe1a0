//! The output tree (`rendered/<env>/<release>.yaml`): the files ktera rendered before, a fresh
//! render checked against them, or written over them all or nothing, with the files of
//! releases that are gone pruned.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::check_env_name;
use super::plan::PlannedRelease;
use crate::diff;
use crate::error::Error;
use crate::input::Failure;
use crate::output;

/// How a file ktera writes starts; only such files (or empty ones) are ever removed.
const RENDERED_PREFIX: &[u8] = b"---\n# Source: ";

/// Which environment directories of the output a run owns.
pub enum Scope<'p> {
    /// `--env E`: only `<output>/E`.
    One(&'p str),
    /// The directories of every environment of the project; those of environments no longer
    /// in it are reported, not pruned.
    All(Vec<&'p str>),
}

impl Scope<'_> {
    /// The environments of the project in the scope.
    pub fn environments(&self) -> Vec<&str> {
        match self {
            Scope::One(env) => vec![*env],
            Scope::All(envs) => envs.clone(),
        }
    }
}

/// The files of the output tree that ktera rendered before, within a run's scope.
pub struct Tree {
    pub output: PathBuf,
    /// `dev/backend.yaml`, sorted: only files of the directories of the project's environments.
    rendered: Vec<String>,
    /// What ktera did not write in those directories (`dev/notes.md`), and the directories of
    /// environments no longer in the project (`staging/`), with why each is left: reported,
    /// never removed.
    left: Vec<(String, &'static str)>,
}

/// What a release's file is, compared with the fresh render.
pub enum Status {
    UpToDate,
    /// With the semantic difference, or why there is none.
    Stale(Result<diff::Report, Error>),
    Missing,
}

/// The tree against a fresh render.
pub struct Check<'a, 'p> {
    pub statuses: Vec<(&'a PlannedRelease<'p>, Status)>,
    /// Files of the tree that no release renders any more.
    pub extra: Vec<&'a str>,
    /// What ktera did not write, and why it is left in place.
    pub left: Vec<(&'a str, &'static str)>,
}

impl Check<'_, '_> {
    pub fn count(&self, wanted: fn(&Status) -> bool) -> usize {
        self.statuses.iter().filter(|(_, s)| wanted(s)).count()
    }

    pub fn is_up_to_date(&self) -> bool {
        self.extra.is_empty() && self.count(|s| !matches!(s, Status::UpToDate)) == 0
    }
}

/// What writing the tree did to each file.
pub struct Written<'a, 'p> {
    /// `written` or `unchanged`, for each release in plan order.
    pub statuses: Vec<(&'a PlannedRelease<'p>, &'static str)>,
    /// Files of releases that are gone.
    pub removed: Vec<&'a str>,
    /// What ktera did not write, and why it is left in place.
    pub left: Vec<(&'a str, &'static str)>,
}

impl Written<'_, '_> {
    /// The files with `status`.
    pub fn with(&self, status: &str) -> Vec<&str> {
        self.statuses
            .iter()
            .filter(|(_, s)| *s == status)
            .map(|(release, _)| release.file.as_str())
            .collect()
    }
}

impl Tree {
    /// Reads the directories of the environments in `scope` (never any other: a directory
    /// that merely looks like an environment's is not ktera's to prune).
    pub fn read(output: &Path, scope: &Scope<'_>) -> Result<Tree, Error> {
        let mut tree = Tree {
            output: output.to_path_buf(),
            rendered: Vec::new(),
            left: Vec::new(),
        };
        match fs::metadata(output) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(tree),
            Err(e) => return Err(unreadable(output, e)),
            Ok(meta) if !meta.is_dir() => {
                return Err(
                    Error::input("the output must be a directory, but this is a file")
                        .in_file(output.display().to_string())
                        .with_hint("move the file away or set `output:` in the project file"),
                );
            }
            Ok(_) => {}
        }
        let real_output = fs::canonicalize(output).map_err(|e| unreadable(output, e))?;
        for env in scope.environments() {
            let path = output.join(env);
            let meta = match fs::symlink_metadata(&path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                other => other.map_err(|e| unreadable(&path, e))?,
            };
            if meta.file_type().is_symlink() {
                let real = fs::canonicalize(&path).map_err(|e| unreadable(&path, e))?;
                if !real.starts_with(&real_output) {
                    return Err(Error::input(format!(
                        "the environment's directory is a link that leads out of the output ({})",
                        real.display()
                    ))
                    .in_file(path.display().to_string())
                    .with_hint("remove the link: ktera writes and prunes only inside the output; nothing was changed"));
                }
            }
            if !path.is_dir() {
                // Writing the environment's files reports what is in the way.
                continue;
            }
            for entry in fs::read_dir(&path).map_err(|e| unreadable(&path, e))? {
                let entry = entry.map_err(|e| unreadable(&path, e))?;
                let name = entry.file_name();
                // Shown on one line, with bytes that are not UTF-8 escaped.
                let shown = crate::chart::names::shown_os(&name);
                let file = format!("{env}/{shown}");
                // Symbolic links are not followed: a link is never ktera's.
                let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                let ours = is_file
                    && name.to_str() == Some(shown.as_str())
                    && shown.ends_with(".yaml")
                    && written_by_ktera(&entry.path());
                if ours {
                    tree.rendered.push(file);
                } else {
                    tree.left.push((file, "not written by ktera"));
                }
            }
        }
        if let Scope::All(envs) = scope {
            for entry in fs::read_dir(output).map_err(|e| unreadable(output, e))? {
                let entry = entry.map_err(|e| unreadable(output, e))?;
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                if let Some(name) = entry.file_name().to_str()
                    && is_dir
                    && check_env_name(name).is_ok()
                    && !envs.contains(&name)
                    && holds_rendered_file(&entry.path())
                {
                    let why = "no such environment in the project; remove it by hand";
                    tree.left.push((format!("{name}/"), why));
                }
            }
        }
        tree.rendered.sort();
        tree.left.sort();
        Ok(tree)
    }

    /// Each release's file against its fresh text (`files`, in plan order).
    pub fn check<'a, 'p>(
        &'a self,
        releases: &'a [PlannedRelease<'p>],
        files: &[String],
    ) -> Result<Check<'a, 'p>, Error> {
        let mut statuses = Vec::with_capacity(files.len());
        for (release, text) in releases.iter().zip(files) {
            let path = self.output.join(&release.file);
            let status = match crate::input::read_file_bytes(&path) {
                Ok(bytes) if bytes == text.as_bytes() => Status::UpToDate,
                Ok(bytes) => {
                    let committed = String::from_utf8_lossy(&bytes);
                    Status::Stale(semantic_diff(&committed, &path.display().to_string(), text))
                }
                Err(Failure::Io(e)) if e.kind() == io::ErrorKind::NotFound => Status::Missing,
                Err(Failure::Io(e)) => return Err(unreadable(&path, e)),
                Err(failure) => return Err(failure.into_error(&path.display().to_string())),
            };
            statuses.push((release, status));
        }
        Ok(Check {
            statuses,
            extra: self.extra(releases),
            left: self.left(releases),
        })
    }

    /// Writes each release's file (`files`, in plan order) all or nothing, then removes the
    /// files of releases that are gone, and the directories of environments that are gone when
    /// nothing else is in them.
    pub fn write<'a, 'p>(
        &'a self,
        releases: &'a [PlannedRelease<'p>],
        files: &[String],
    ) -> Result<Written<'a, 'p>, Error> {
        let mut changed = Vec::new();
        let mut statuses = Vec::with_capacity(files.len());
        for (release, text) in releases.iter().zip(files) {
            // Unchanged files are not rewritten: their times stay, and so does a build's cache.
            let same = crate::input::read_file_bytes(&self.output.join(&release.file))
                .is_ok_and(|bytes| bytes == text.as_bytes());
            if !same {
                changed.push((PathBuf::from(&release.file), text.clone()));
            }
            statuses.push((release, if same { "unchanged" } else { "written" }));
        }
        output::write_all(&self.output, &changed)?;

        // Only now that every new file is in place: the files of releases that are gone.
        let removed = self.extra(releases);
        for file in &removed {
            let path = self.output.join(file);
            fs::remove_file(&path).map_err(|e| {
                Error::io(
                    format!("cannot remove the file of a release that is gone: {e}"),
                    e,
                )
                .in_file(path.display().to_string())
                .with_hint("the new files are in place; remove it by hand")
            })?;
        }
        Ok(Written {
            statuses,
            removed,
            left: self.left(releases),
        })
    }

    /// What ktera did not write and will not write now: not a file of one of `releases`.
    fn left(&self, releases: &[PlannedRelease<'_>]) -> Vec<(&str, &'static str)> {
        self.left
            .iter()
            .filter(|(file, _)| !releases.iter().any(|r| r.file == *file))
            .map(|(file, why)| (file.as_str(), *why))
            .collect()
    }

    /// The files ktera rendered before that none of `releases` renders.
    fn extra(&self, releases: &[PlannedRelease<'_>]) -> Vec<&str> {
        self.rendered
            .iter()
            .map(String::as_str)
            .filter(|file| !releases.iter().any(|r| r.file == *file))
            .collect()
    }
}

fn unreadable(path: &Path, e: io::Error) -> Error {
    Error::io(format!("cannot read: {e}"), e).in_file(path.display().to_string())
}

/// Whether `dir` holds a file ktera wrote: the directory of an environment that was removed
/// from the project (a directory that merely looks like one is not mentioned).
fn holds_rendered_file(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        entry.file_type().is_ok_and(|t| t.is_file())
            && entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.ends_with(".yaml"))
            && written_by_ktera(&entry.path())
    })
}

/// A file ktera render writes starts with a `# Source:` document, or is empty (a release that
/// renders nothing); anything else in the tree was put there by someone else and is left alone.
fn written_by_ktera(path: &Path) -> bool {
    let mut head = Vec::with_capacity(RENDERED_PREFIX.len());
    let read = fs::File::open(path).and_then(|file| {
        file.take(RENDERED_PREFIX.len() as u64)
            .read_to_end(&mut head)
    });
    read.is_ok() && (head.is_empty() || head == RENDERED_PREFIX)
}

/// The committed file against the fresh render, as `ktera diff` compares them.
fn semantic_diff(committed: &str, label: &str, fresh: &str) -> Result<diff::Report, Error> {
    const FRESH: &str = "ktera render";
    let left = diff::parse_manifests(committed, label)?;
    let right = diff::parse_manifests(fresh, FRESH)?;
    Ok(diff::compare(&left, &right).with_labels(label, FRESH))
}
