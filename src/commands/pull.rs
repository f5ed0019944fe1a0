//! `ktera pull`: a chart from an OCI registry (`oci://…`) or a chart repository (`REPO/CHART`
//! from Helm's repositories file, or `CHART --repo URL`), saved as `NAME-VERSION.tgz` or
//! unpacked with `--untar`, as `helm pull` does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::ExitStatus;
use crate::chart::{self, archive};
use crate::cli::PullArgs;
use crate::error::{Error, ErrorKind};
use crate::output::atomic;
use crate::remote::credentials::{self, RepositoryEntry};
use crate::remote::oci::{self, OciRef};
use crate::remote::repository::Repository;
use crate::remote::{Explicit, Network};

pub fn run(args: &PullArgs) -> Result<ExitStatus, Error> {
    // --username/--password go to the one registry or repository named here.
    let mut access = super::access_from(&args.remote);
    let explicit = super::credentials_from(&args.credentials);
    let constraint = args.version.clone().unwrap_or_default();
    let archive = if args.chart.starts_with("oci://") {
        if args.repo.is_some() {
            return Err(Error::usage(
                "--repo is for chart repositories; an oci:// reference names its registry",
            ));
        }
        let reference = OciRef::parse(&args.chart).map_err(|e| e.with_kind(ErrorKind::Usage))?;
        access.explicit = explicit.map(|c| Explicit::for_registry(&reference.registry, c));
        let network = Network::new(access)?;
        let version = oci::resolve_version(&network, &reference, &constraint)?;
        oci::pull(
            &network,
            &OciRef {
                tag: None,
                ..reference
            },
            &version,
        )?
        .archive
    } else {
        let known = credentials::repositories(access.repository_config.as_deref())?;
        let (url, name) = repository_of(args, &known)?;
        access.explicit = explicit.map(|c| Explicit::for_repository(&url, c));
        let network = Network::new(access)?;
        let repo = Repository::at(&url, &known, &network.access);
        let index = repo.index(&network)?;
        let entry = index
            .find(name, &constraint)
            .map_err(|e| e.prefixed(&crate::remote::redact(&repo.url)))?;
        repo.download(&network, entry)?
    };
    let shown = PathBuf::from(&args.chart);
    let chart = chart::load_archive_bytes(&shown, &archive)?;
    if args.untar {
        let into = if args.untardir.is_absolute() {
            args.untardir.clone()
        } else {
            args.destination.join(&args.untardir)
        };
        untar(&archive, &into)?;
    } else {
        std::fs::create_dir_all(&args.destination).map_err(|e| {
            Error::io(format!("cannot create: {e}"), e)
                .in_file(args.destination.display().to_string())
        })?;
        let path = args
            .destination
            .join(format!("{}-{}.tgz", chart.name, chart.version));
        atomic::stage(&path, &archive)
            .and_then(atomic::Staged::commit)
            .map_err(|e| {
                Error::io(format!("cannot write: {e}"), e).in_file(path.display().to_string())
            })?;
    }
    Ok(ExitStatus::Success)
}

/// The repository's URL and the chart's name of `REPO/CHART`, or of `CHART` with `--repo URL`.
fn repository_of<'a>(
    args: &'a PullArgs,
    known: &[RepositoryEntry],
) -> Result<(String, &'a str), Error> {
    if let Some(url) = &args.repo {
        return Ok((url.clone(), args.chart.as_str()));
    }
    let Some((alias, name)) = args.chart.split_once('/') else {
        return Err(Error::usage(format!(
            "`{}` names no repository: write oci://host/path/{0}, REPO/{0} (a repository of `helm repo add`), or {0} --repo URL",
            args.chart
        )));
    };
    match known.iter().find(|r| r.name == alias) {
        Some(entry) => Ok((entry.url.clone(), name)),
        None => Err(Error::input(format!(
            "no repository named `{alias}` in Helm's repositories file"
        ))
        .with_hint(format!(
            "add it with `helm repo add {alias} URL`, or pass --repo URL"
        ))),
    }
}

/// Unpacks a chart archive into `into/NAME/`, all or nothing (the directory appears whole or
/// not at all), refusing to overwrite an existing directory.
fn untar(bytes: &[u8], into: &Path) -> Result<(), Error> {
    let files = archive::read(bytes, &mut archive::Budget::default())
        .map_err(|e| e.prefixed("the pulled chart"))?;
    let root = into.join(&files.top);
    if root.exists() {
        return Err(Error::input("already exists")
            .in_file(root.display().to_string())
            .with_hint("remove it, or pass another --untardir"));
    }
    let files: BTreeMap<String, Vec<u8>> = files
        .files
        .into_iter()
        .map(|(path, content)| (path, content.to_vec()))
        .collect();
    crate::output::tree::write_dir(&root, &files, false)
}
