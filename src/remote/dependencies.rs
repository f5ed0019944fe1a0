//! `dependency update` and `dependency build`, as Helm's `downloader.Manager` does them:
//! - update resolves each `Chart.yaml` dependency to one version (a chart repository's index,
//!   an OCI registry's tags, a `file://` chart's own version), fetches the archives into
//!   `charts/NAME-VERSION.tgz` and writes `Chart.lock` with Helm's digest (when it changed);
//! - build fetches exactly what `Chart.lock` names, after checking that the lock still belongs
//!   to `Chart.yaml` (its digest) and that each archive is the one locked (its own digest,
//!   where the lock has one: see [`crate::chart::lock`]); without a lock it updates.
//!
//! A repository written `@name` or `alias:name` is the repository of that name in Helm's
//! repositories file, replaced by its URL before hashing, as Helm does. A dependency without a
//! repository is a chart directory in `charts/` and is left alone. Without `dependencies` in
//! `Chart.yaml`, update does nothing at all, as Helm's. Every fetched archive is loaded before
//! anything is written (its name and version must be the locked ones); then the new archives
//! and the lock are put in place, and only then are the other versions of the fetched charts
//! removed from `charts/` (Helm's `safeDeleteDep`: nothing else there is touched).
//!
//! The dependency commands take no `--username`/`--password`: one chart's dependencies may come
//! from many registries and repositories, and each has its own credentials, kept where Helm
//! keeps them (see [`super::credentials`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::credentials::{self, RepositoryEntry};
use super::oci::{self, OciRef};
use super::repository::{Index, Repository};
use super::{Network, redact};
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
    // Helm's `Manager.Update` returns here too: no lock written, nothing in charts/ touched.
    if req.raw.is_none() {
        return Ok(Outcome::default());
    }
    let known = credentials::repositories(network.access.repository_config.as_deref())?;
    let mut indexes = Indexes::default();
    let mut locked = Vec::new();
    for dep in &req.deps {
        locked.push(resolve(&req, dep, network, &known, &mut indexes)?);
    }
    let plan = LockPlan::Update {
        digest: lock::digest(req.raw.as_deref(), &locked),
        old: Lock::read(&dir.join("Chart.lock"))?,
    };
    fetch_and_write(&req, &locked, network, &known, &mut indexes, plan)
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
        LockPlan::Build { path: lock_path },
    )
}

/// What becomes of `Chart.lock` once the archives are fetched.
enum LockPlan {
    /// `update`: the lock of the requirements (Helm's `digest`), with each archive's digest;
    /// written unless `old` says the same already.
    Update { digest: String, old: Option<Lock> },
    /// `build`: the lock at `path` stays; each archive must be the one it locked.
    Build { path: PathBuf },
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
        digest: String::new(),
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
            let repo = Repository::at(url, known, &network.access);
            let index = indexes.get(&repo, network)?;
            let entry = index
                .find(&dep.name, &constraint)
                .map_err(|e| within(e.prefixed(&redact(url))))?;
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
                "repository `{}` is none of https://, http://, oci://, file:// or @name (a repository of Helm's repositories file)",
                redact(repository)
            )))
        }
    }
}

/// One fetched archive: its chart, its bytes, where it came from, and its digest when the lock
/// keeps one.
struct Fetched {
    name: String,
    bytes: Vec<u8>,
    source: String,
    digest: String,
}

/// Fetches every locked archive, checks each, then writes them and the lock `plan` makes,
/// removing the archives of `charts/` they replace.
fn fetch_and_write(
    req: &Requirements,
    locked: &[Locked],
    network: &Network,
    known: &[RepositoryEntry],
    indexes: &mut Indexes,
    plan: LockPlan,
) -> Result<Outcome, Error> {
    let charts_dir = req.dir.join("charts");
    let mut fetched: BTreeMap<String, Fetched> = BTreeMap::new();
    // `locked` with the digest of each archive fetched from a repository or a registry.
    let mut with_digests = Vec::with_capacity(locked.len());
    for l in locked {
        let fail = |message: String| dependency_error(req, &l.name, message);
        let within = |e: Error| e.with_note(note(req, &l.name));
        let file_name = format!("{}-{}.tgz", l.name, l.version);
        if let Some(already) = fetched.get(&file_name) {
            with_digests.push(Locked {
                digest: already.digest.clone(),
                ..l.clone()
            });
            continue;
        }
        // Only what comes from elsewhere is pinned by its digest: a file:// chart is read live.
        let mut pinned = true;
        let bytes = match Source::of(&l.repository).map_err(within)? {
            Source::Vendored => {
                with_digests.push(l.clone());
                continue;
            }
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
                pinned = false;
                package.bytes
            }
            Source::Oci(base) => oci::pull(network, &base.join(&l.name), &l.version)?.archive,
            Source::Http(url) => {
                let repo = Repository::at(url, known, &network.access);
                let index = indexes.get(&repo, network)?;
                let entry = index
                    .find(&l.name, &l.version)
                    .map_err(|e| within(e.prefixed(&redact(url))))?
                    .clone();
                if entry.version != l.version {
                    return Err(fail(format!(
                        "{} no longer lists version {} (it offers {})",
                        redact(url),
                        l.version,
                        entry.version
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
                redact(&l.repository),
                chart.name,
                chart.version,
                l.name,
                l.version
            )));
        }
        let digest = if pinned {
            format!("sha256:{}", super::sha256_hex(&bytes))
        } else {
            String::new()
        };
        if let LockPlan::Build { path } = &plan
            && !l.digest.is_empty()
            && pinned
            && !l.digest.eq_ignore_ascii_case(&digest)
        {
            return Err(fail(format!(
                "{} {} from {} is not the archive Chart.lock locked: its digest is {digest}, the lock's {}",
                l.name,
                l.version,
                redact(&l.repository),
                l.digest
            ))
            .with_note(format!("locked in {}", path.display()))
            .with_hint(format!(
                "the chart was published again under the same version; if you trust the new archive, `ktera dependency update {}` locks it",
                req.dir.display()
            )));
        }
        with_digests.push(Locked {
            digest: digest.clone(),
            ..l.clone()
        });
        fetched.insert(
            file_name,
            Fetched {
                name: l.name.clone(),
                bytes,
                source: l.repository.clone(),
                digest,
            },
        );
    }
    let lock = match plan {
        LockPlan::Build { .. } => None,
        LockPlan::Update { digest, old } => {
            let unchanged = old
                .as_ref()
                .is_some_and(|o| o.digest == digest && o.dependencies == with_digests);
            // Helm keeps `generated` while its digest stays; so does ktera.
            let generated = match old {
                Some(o) if o.digest == digest => o.generated,
                _ => Value::from(now_rfc3339()?),
            };
            (!unchanged).then_some(Lock {
                generated,
                digest,
                dependencies: with_digests,
            })
        }
    };

    // Everything is fetched and checked: now the files change. The new archives and the lock
    // go in place first (the lock last); only then are the versions they replace removed, so a
    // failure leaves every archive that was there.
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
    for (file_name, archive) in &fetched {
        let path = charts_dir.join(file_name);
        staged.push(atomic::stage(&path, &archive.bytes).map_err(|e| write_error(&path, e))?);
        outcome.saved.push((path, archive.source.clone()));
    }
    if let Some(lock) = &lock {
        let path = req.dir.join("Chart.lock");
        staged.push(
            atomic::stage(&path, lock.to_yaml().as_bytes()).map_err(|e| write_error(&path, e))?,
        );
        outcome.lock_written = true;
    }
    commit_all(staged).map_err(|(path, e)| write_error(&path, e))?;
    for old in replaced_archives(&charts_dir, &fetched) {
        std::fs::remove_file(&old).map_err(|e| write_error(&old, e))?;
        outcome.removed.push(old);
    }
    Ok(outcome)
}

/// Puts every staged file in place. When one cannot be, the files this put where there was
/// none are removed again (and the staged rest is dropped), so the directory is as it was but
/// for files replaced by a new copy under the same name.
fn commit_all(staged: Vec<atomic::Staged>) -> Result<(), (PathBuf, std::io::Error)> {
    let mut new_files = Vec::new();
    for file in staged {
        let target = file.target().to_path_buf();
        let existed = target.exists();
        if let Err(e) = file.commit() {
            for path in &new_files {
                let _ = std::fs::remove_file(path);
            }
            return Err((target, e));
        }
        if !existed {
            new_files.push(target);
        }
    }
    Ok(())
}

/// The archives of `charts/` that a fetched one replaces: another version of the same chart,
/// `NAME-*.tgz` that loads as the chart `NAME` (as Helm's `safeDeleteDep` finds them). An
/// archive that does not load is not known to be one, and stays.
fn replaced_archives(charts_dir: &Path, fetched: &BTreeMap<String, Fetched>) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(charts_dir) else {
        return Vec::new();
    };
    let names: std::collections::BTreeSet<&str> =
        fetched.values().map(|f| f.name.as_str()).collect();
    // `NAME-…tgz` for one of `names`.
    let named = |file_name: &str, name: &str| {
        file_name
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|rest| rest.ends_with(".tgz"))
    };
    let mut old: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let Some(file_name) = p.file_name().and_then(|n| n.to_str()) else {
                return false;
            };
            if fetched.contains_key(file_name) || !names.iter().any(|n| named(file_name, n)) {
                return false;
            }
            let chart = std::fs::read(p)
                .ok()
                .and_then(|bytes| chart::load_archive_bytes(p, &bytes).ok());
            chart.is_some_and(|c| names.contains(c.name.as_str()) && named(file_name, &c.name))
        })
        .collect();
    old.sort();
    old
}

/// Now, as RFC 3339 in UTC with nanoseconds (how Helm writes `generated`);
/// `SOURCE_DATE_EPOCH` when set (see [`chart::archive::source_date_epoch`]).
fn now_rfc3339() -> Result<String, Error> {
    let at = match chart::archive::source_date_epoch()? {
        Some(seconds) => i64::try_from(seconds)
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .unwrap_or_default(),
        None => chrono::Utc::now(),
    };
    Ok(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}
