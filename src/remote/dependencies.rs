//! `dependency update` and `dependency build`, as Helm's `downloader.Manager` does them:
//! - update resolves each `Chart.yaml` dependency to one version (a chart repository's index,
//!   an OCI registry's tags, a `file://` chart's own version), fetches the archives into
//!   `charts/NAME-VERSION.tgz` and writes `Chart.lock` with Helm's digest (when it changed);
//! - build fetches exactly what `Chart.lock` names, after checking that the lock still belongs
//!   to `Chart.yaml` (its digest); without a lock it updates.
//!
//! A repository written `@name` or `alias:name` is the repository of that name in Helm's
//! repositories file, replaced by its URL before hashing, as Helm does. A dependency without a
//! repository is a chart directory in `charts/` and is left alone. Every fetched archive is
//! loaded before anything is written (its name and version must be the locked ones); then the
//! new archives and the lock replace the old ones together.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::Network;
use super::credentials::{self, RepositoryEntry};
use super::oci::{self, OciRef};
use super::repository::{Index, Repository};
use crate::chart::lock::{self, Lock, Locked};
use crate::chart::{self, Chart, Dependency};
use crate::error::Error;
use crate::output::atomic;

/// What a run did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Each archive written: the file and where it came from.
    pub saved: Vec<(PathBuf, String)>,
    /// Archives of `charts/` that the new ones replaced.
    pub removed: Vec<PathBuf>,
    /// Whether `Chart.lock` was (re)written.
    pub lock_written: bool,
}

/// The chart's `Chart.yaml` and its dependencies, with repository aliases resolved.
struct Requirements {
    dir: PathBuf,
    /// `dependencies` as written (for the digest), aliases replaced by URLs.
    raw: Option<Vec<Value>>,
    /// The same, typed, aliases replaced by URLs.
    deps: Vec<Dependency>,
}

fn read_requirements(dir: &Path, network: &Network) -> Result<Requirements, Error> {
    let (meta, chart_yaml) = chart::read_chart_yaml(dir)?;
    let known = credentials::repositories(network.access.repository_config.as_deref())?;
    let mut raw = match chart_yaml.get("dependencies") {
        Some(Value::Sequence(items)) => Some(items.clone()),
        _ => None,
    };
    let mut deps = meta.dependencies.clone();
    for (i, dep) in deps.iter_mut().enumerate() {
        let Some(repo) = dep.repository.as_deref() else {
            continue;
        };
        let alias = repo
            .strip_prefix('@')
            .or_else(|| repo.strip_prefix("alias:"));
        let Some(alias) = alias else { continue };
        let url = find_alias(alias, &known, network)?;
        dep.repository = Some(url.clone());
        if let Some(Value::Mapping(m)) = raw.as_mut().and_then(|r| r.get_mut(i)) {
            m.insert(Value::from("repository"), Value::from(url));
        }
    }
    Ok(Requirements {
        dir: dir.to_path_buf(),
        raw,
        deps,
    })
}

fn find_alias(alias: &str, known: &[RepositoryEntry], network: &Network) -> Result<String, Error> {
    match known.iter().find(|r| r.name == alias) {
        Some(entry) => Ok(entry.url.clone()),
        None => {
            let file =
                credentials::repository_config_path(network.access.repository_config.as_deref())
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "Helm's repositories file".into());
            Err(
                Error::input(format!("no repository named `{alias}` in {file}")).with_hint(
                    format!(
                        "add it with `helm repo add {alias} URL`, or write the repository's URL in Chart.yaml"
                    ),
                ),
            )
        }
    }
}

/// `ktera dependency update`: resolves, fetches, locks.
pub fn update(dir: &Path, network: &Network) -> Result<Outcome, Error> {
    let req = read_requirements(dir, network)?;
    let known = credentials::repositories(network.access.repository_config.as_deref())?;
    let mut indexes = Indexes::default();
    let mut locked = Vec::new();
    for dep in &req.deps {
        locked.push(resolve(&req, dep, network, &known, &mut indexes)?);
    }
    let digest = lock::digest(req.raw.as_deref(), &locked);
    let old = Lock::read(&dir.join("Chart.lock"))?;
    let new_lock = match old {
        Some(old) if old.digest == digest => None,
        _ => Some(Lock {
            generated: Value::from(now_rfc3339()),
            digest,
            dependencies: locked.clone(),
        }),
    };
    fetch_and_write(&req, &locked, network, &known, &mut indexes, new_lock)
}

/// `ktera dependency build`: fetches what `Chart.lock` names; updates when there is no lock.
pub fn build(dir: &Path, network: &Network) -> Result<Outcome, Error> {
    let lock_path = dir.join("Chart.lock");
    let Some(lock) = Lock::read(&lock_path)? else {
        return update(dir, network);
    };
    let req = read_requirements(dir, network)?;
    let expected = lock::digest(req.raw.as_deref(), &lock.dependencies);
    if expected != lock.digest {
        return Err(Error::input(format!(
            "the lock is out of date with the dependencies of {} (its digest is {}, theirs is {expected})",
            dir.join("Chart.yaml").display(),
            lock.digest,
        ))
        .in_file(lock_path.display().to_string())
        .with_hint(format!(
            "run `ktera dependency update {}` to resolve them anew",
            dir.display()
        )));
    }
    let known = credentials::repositories(network.access.repository_config.as_deref())?;
    let mut indexes = Indexes::default();
    fetch_and_write(
        &req,
        &lock.dependencies,
        network,
        &known,
        &mut indexes,
        None,
    )
}

/// Indexes fetched once per run, by repository URL.
#[derive(Default)]
struct Indexes(BTreeMap<String, Index>);

impl Indexes {
    fn get(&mut self, repo: &Repository, network: &Network) -> Result<&Index, Error> {
        if !self.0.contains_key(&repo.url) {
            let index = repo.index(network)?;
            self.0.insert(repo.url.clone(), index);
        }
        self.0
            .get(&repo.url)
            .ok_or_else(|| Error::input("internal: index not kept"))
    }
}

/// What was being done: `dependency `cache` of charts/app/Chart.yaml`.
fn note(req: &Requirements, name: &str) -> String {
    format!(
        "dependency `{name}` of {}",
        req.dir.join("Chart.yaml").display()
    )
}

fn dependency_error(req: &Requirements, name: &str, message: String) -> Error {
    chart::dependency_error(&req.dir.join("Chart.yaml"), name, message)
}

/// One dependency resolved to an exact version.
fn resolve(
    req: &Requirements,
    dep: &Dependency,
    network: &Network,
    known: &[RepositoryEntry],
    indexes: &mut Indexes,
) -> Result<Locked, Error> {
    let repository = dep.repository.clone().unwrap_or_default();
    let constraint = dep.version.clone().unwrap_or_default();
    let locked = |version: String| Locked {
        name: dep.name.clone(),
        version,
        repository: repository.clone(),
    };
    let fail = |message: String| dependency_error(req, &dep.name, message);
    let within = |e: Error| e.with_note(note(req, &dep.name));
    match Source::of(&repository).map_err(within)? {
        Source::Vendored => {
            let path = req.dir.join("charts").join(&dep.name);
            if !path.exists() {
                return Err(fail(format!(
                    "{} does not exist; a dependency without `repository` is a chart vendored there",
                    path.display()
                )));
            }
            // Helm locks the constraint as written for these.
            Ok(locked(constraint))
        }
        Source::File(rel) => {
            let chart = Chart::load(&req.dir.join(rel))?;
            if !constraint.trim().is_empty()
                && !chart::version::matches(&constraint, &chart.version).map_err(within)?
            {
                return Err(fail(format!(
                    "{} is version {}, outside the constraint `{constraint}`",
                    rel, chart.version
                )));
            }
            Ok(locked(chart.version))
        }
        Source::Oci(base) => {
            let reference = base.join(&dep.name);
            oci::resolve_version(network, &reference, &constraint)
                .map(locked)
                .map_err(within)
        }
        Source::Http(url) => {
            let repo = Repository::at(url, known, None);
            let index = indexes.get(&repo, network)?;
            let entry = index
                .find(&dep.name, &constraint)
                .map_err(|e| within(e.prefixed(url)))?;
            Ok(locked(entry.version.clone()))
        }
    }
}

/// Where a dependency comes from, by its `repository`.
enum Source<'a> {
    Vendored,
    File(&'a str),
    Oci(OciRef),
    Http(&'a str),
}

impl<'a> Source<'a> {
    fn of(repository: &'a str) -> Result<Source<'a>, Error> {
        let repository = repository.trim();
        if repository.is_empty() {
            Ok(Source::Vendored)
        } else if let Some(rel) = repository.strip_prefix("file://") {
            Ok(Source::File(rel))
        } else if repository.starts_with("oci://") {
            OciRef::parse(repository).map(Source::Oci)
        } else if repository.starts_with("https://") || repository.starts_with("http://") {
            Ok(Source::Http(repository))
        } else {
            Err(Error::input(format!(
                "repository `{repository}` is none of https://, http://, oci://, file:// or @name (a repository of Helm's repositories file)"
            )))
        }
    }
}

/// Fetches every locked archive, checks each, then writes them and `lock` (when given),
/// removing the archives of `charts/` they replace.
fn fetch_and_write(
    req: &Requirements,
    locked: &[Locked],
    network: &Network,
    known: &[RepositoryEntry],
    indexes: &mut Indexes,
    lock: Option<Lock>,
) -> Result<Outcome, Error> {
    let charts_dir = req.dir.join("charts");
    let mut fetched: BTreeMap<String, (Vec<u8>, String)> = BTreeMap::new();
    for l in locked {
        let fail = |message: String| dependency_error(req, &l.name, message);
        let within = |e: Error| e.with_note(note(req, &l.name));
        let file_name = format!("{}-{}.tgz", l.name, l.version);
        if fetched.contains_key(&file_name) {
            continue;
        }
        let bytes = match Source::of(&l.repository).map_err(within)? {
            Source::Vendored => continue,
            Source::File(rel) => {
                let package = chart::package::package(&req.dir.join(rel))?;
                if package.version != l.version {
                    return Err(fail(format!(
                        "{rel} is version {}, but Chart.lock names {}",
                        package.version, l.version
                    ))
                    .with_hint(format!(
                        "run `ktera dependency update {}`",
                        req.dir.display()
                    )));
                }
                package.bytes
            }
            Source::Oci(base) => oci::pull(network, &base.join(&l.name), &l.version)?.archive,
            Source::Http(url) => {
                let repo = Repository::at(url, known, None);
                let index = indexes.get(&repo, network)?;
                let entry = index
                    .find(&l.name, &l.version)
                    .map_err(|e| within(e.prefixed(url)))?
                    .clone();
                if entry.version != l.version {
                    return Err(fail(format!(
                        "{url} no longer lists version {} (it offers {})",
                        l.version, entry.version
                    )));
                }
                repo.download(network, &entry)?
            }
        };
        let shown = charts_dir.join(&file_name);
        let chart = chart::load_archive_bytes(&shown, &bytes)?;
        if chart.name != l.name || chart.version != l.version {
            return Err(fail(format!(
                "{} holds {} {}, not {} {}",
                l.repository, chart.name, chart.version, l.name, l.version
            )));
        }
        fetched.insert(file_name, (bytes, l.repository.clone()));
    }

    // Everything is fetched and checked: now the files change, together.
    if !fetched.is_empty() {
        std::fs::create_dir_all(&charts_dir).map_err(|e| {
            Error::io(format!("cannot create: {e}"), e).in_file(charts_dir.display().to_string())
        })?;
    }
    let write_error = |path: &Path, e: std::io::Error| {
        Error::io(format!("cannot write: {e}"), e).in_file(path.display().to_string())
    };
    let mut staged = Vec::new();
    let mut outcome = Outcome::default();
    for (file_name, (bytes, source)) in &fetched {
        let path = charts_dir.join(file_name);
        staged.push(atomic::stage(&path, bytes).map_err(|e| write_error(&path, e))?);
        outcome.saved.push((path, source.clone()));
    }
    if let Some(lock) = &lock {
        let path = req.dir.join("Chart.lock");
        staged.push(
            atomic::stage(&path, lock.to_yaml().as_bytes()).map_err(|e| write_error(&path, e))?,
        );
        outcome.lock_written = true;
    }
    for old in outdated_archives(&charts_dir, &fetched) {
        std::fs::remove_file(&old).map_err(|e| write_error(&old, e))?;
        outcome.removed.push(old);
    }
    for file in staged {
        let target = file.target().to_path_buf();
        file.commit().map_err(|e| write_error(&target, e))?;
    }
    Ok(outcome)
}

/// The archives in `charts/` that are not among the new ones (Helm deletes them too).
fn outdated_archives(
    charts_dir: &Path,
    fetched: &BTreeMap<String, (Vec<u8>, String)>,
) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(charts_dir) else {
        return Vec::new();
    };
    let mut old: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "tgz"))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_none_or(|n| !fetched.contains_key(n))
        })
        .collect();
    old.sort();
    old
}

/// Now, as RFC 3339 in UTC with nanoseconds (how Helm writes `generated`);
/// `SOURCE_DATE_EPOCH` when set.
fn now_rfc3339() -> String {
    let at = match std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        Some(seconds) => chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default(),
        None => chrono::Utc::now(),
    };
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
