//! Helm chart repositories (Helm's `pkg/repo`): an `index.yaml` at the repository's URL lists
//! each chart's versions with the URLs of their archives and their SHA-256 digests. A version
//! constraint picks the highest version that meets it (a prerelease only when the constraint
//! asks for one); an exact version is found as written first, as Helm does.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::credentials::{Credentials, RepositoryEntry};
use super::{Access, Network, redact, same_origin, sha256_hex};
use crate::chart::version;
use crate::error::Error;

/// One version of a chart in an index.
#[derive(Debug, Clone, Deserialize)]
pub struct ChartVersion {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub urls: Vec<String>,
    #[serde(default)]
    pub digest: String,
}

/// A repository's `index.yaml`.
#[derive(Debug, Deserialize)]
pub struct Index {
    #[serde(default)]
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
}

/// A chart repository: where it is and how to reach it.
#[derive(Debug, Clone)]
pub struct Repository {
    /// The URL, without a trailing `/`.
    pub url: String,
    pub credentials: Option<Credentials>,
    /// Whether the credentials go to chart URLs of other origins too (`pass_credentials_all`
    /// of Helm's repositories file, Helm's `--pass-credentials`).
    pub pass_credentials_all: bool,
}

impl Repository {
    /// A repository by its URL, with the credentials given on the command line for it, else
    /// those Helm's repositories file keeps for it. The URL of the index itself
    /// (`https://…/index.yaml`) names its repository too.
    pub fn at(url: &str, known: &[RepositoryEntry], access: &Access) -> Repository {
        let url = url.trim_end_matches('/');
        let url = url.strip_suffix("/index.yaml").unwrap_or(url).to_string();
        let entry = known.iter().find(|e| e.url.trim_end_matches('/') == url);
        match access.explicit_for_repository(&url) {
            Some(explicit) => Repository {
                credentials: Some(explicit),
                pass_credentials_all: false,
                url,
            },
            None => Repository {
                credentials: entry.and_then(RepositoryEntry::credentials),
                pass_credentials_all: entry.is_some_and(|e| e.pass_credentials_all),
                url,
            },
        }
    }

    /// The credentials for `url`: the repository's, when `url` has the repository's origin
    /// (scheme, host and port: never over plain HTTP when the repository is HTTPS) or the
    /// repository passes its credentials to every origin.
    fn credentials_for(&self, url: &str) -> Option<&Credentials> {
        self.credentials
            .as_ref()
            .filter(|_| self.pass_credentials_all || same_origin(url, &self.url))
    }

    /// Fetches and reads the repository's `index.yaml`.
    pub fn index(&self, network: &Network) -> Result<Index, Error> {
        let url = format!("{}/index.yaml", self.url);
        let bytes = network.get(&url, self.credentials.as_ref())?;
        let mut index: Index = serde_yaml::from_slice(&bytes).map_err(|e| {
            Error::input(format!("not a chart repository index: {e}")).in_file(redact(&url))
        })?;
        // Highest version first, as Helm sorts an index when it loads it.
        for versions in index.entries.values_mut() {
            versions.sort_by(|a, b| compare_versions(&b.version, &a.version));
        }
        Ok(index)
    }

    /// Downloads the archive of `entry`, checked against the digest the index gives for it.
    pub fn download(&self, network: &Network, entry: &ChartVersion) -> Result<Vec<u8>, Error> {
        let Some(first) = entry.urls.first() else {
            return Err(Error::input(format!(
                "the index lists {} {} without a URL",
                entry.name, entry.version
            ))
            .in_file(redact(&self.url)));
        };
        let url = self.resolve(first);
        let bytes = network.get(&url, self.credentials_for(&url))?;
        if !entry.digest.is_empty() {
            let actual = sha256_hex(&bytes);
            if !entry.digest.eq_ignore_ascii_case(&actual) {
                return Err(Error::input(format!(
                    "the archive's SHA-256 is {actual}, but the repository's index says {}",
                    entry.digest
                ))
                .in_file(redact(&url))
                .with_hint("the archive or the index changed on the server; ask its owner, or regenerate the index (`helm repo index`)"));
            }
        }
        Ok(bytes)
    }

    /// A chart URL of the index: absolute as it is, else relative to the repository.
    fn resolve(&self, url: &str) -> String {
        if url.contains("://") {
            url.to_string()
        } else {
            format!("{}/{}", self.url, url.trim_start_matches("./"))
        }
    }
}

impl Index {
    /// The version of `name` that `constraint` picks (Helm's `IndexFile.Get`): an entry whose
    /// version is written exactly so, else the highest that meets the constraint; no
    /// constraint takes the highest stable version.
    pub fn find(&self, name: &str, constraint: &str) -> Result<&ChartVersion, Error> {
        let Some(versions) = self.entries.get(name) else {
            return Err(Error::input(format!(
                "the repository has no chart named `{name}`"
            )));
        };
        let constraint = constraint.trim();
        if let Some(exact) = versions
            .iter()
            .find(|v| !constraint.is_empty() && v.version == constraint && !v.urls.is_empty())
        {
            return Ok(exact);
        }
        pick(
            versions.iter().map(|v| (v.version.as_str(), v)),
            constraint,
            name,
        )
        .and_then(|v| {
            if v.urls.is_empty() {
                Err(Error::input(format!(
                    "{name} {} has no URL in the index",
                    v.version
                )))
            } else {
                Ok(v)
            }
        })
    }
}

/// The first of `candidates` (highest first) whose version meets `constraint` (`*` when it is
/// empty, which leaves prereleases out).
pub fn pick<'a, T>(
    candidates: impl Iterator<Item = (&'a str, T)>,
    constraint: &str,
    name: &str,
) -> Result<T, Error> {
    let constraint = if constraint.trim().is_empty() {
        "*"
    } else {
        constraint
    };
    let mut seen = Vec::new();
    for (v, item) in candidates {
        match version::matches(constraint, v) {
            Ok(true) => return Ok(item),
            Ok(false) => seen.push(v.to_string()),
            // Not a version: not a candidate (Helm skips such entries too).
            Err(e) if e.message().contains("is not a version constraint") => return Err(e),
            Err(_) => {}
        }
    }
    let listed = if seen.is_empty() {
        "none".to_string()
    } else if seen.len() > 8 {
        format!("{}, … ({} in all)", seen[..8].join(", "), seen.len())
    } else {
        seen.join(", ")
    };
    Err(Error::input(format!(
        "no version of `{name}` meets `{constraint}` (versions: {listed})"
    )))
}

/// Orders two version strings as SemVer (`1.10.0` after `1.9.0`); what does not parse comes last.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |v: &str| semver::Version::parse(v.trim_start_matches('v')).ok();
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Greater,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(versions: &[&str]) -> Index {
        let mut list: Vec<ChartVersion> = versions
            .iter()
            .map(|v| ChartVersion {
                name: "app".into(),
                version: v.to_string(),
                urls: vec![format!("app-{v}.tgz")],
                digest: String::new(),
            })
            .collect();
        list.sort_by(|a, b| compare_versions(&b.version, &a.version));
        Index {
            entries: BTreeMap::from([("app".to_string(), list)]),
        }
    }

    #[test]
    fn credentials_go_to_the_repositorys_origin_only() {
        let repository = |pass_credentials_all| Repository {
            url: "https://charts.example.com/stable".into(),
            credentials: Some(Credentials {
                username: "bob".into(),
                password: "s3cret".into(),
            }),
            pass_credentials_all,
        };
        let own = repository(false);
        let sent = |url: &str| own.credentials_for(url).is_some();
        assert!(sent("https://charts.example.com/stable/app-1.0.0.tgz"));
        assert!(sent(
            "https://CHARTS.example.com:443/elsewhere/app-1.0.0.tgz"
        ));
        // Not over plain HTTP, not to another port or host.
        assert!(!sent("http://charts.example.com/stable/app-1.0.0.tgz"));
        assert!(!sent(
            "https://charts.example.com:8443/stable/app-1.0.0.tgz"
        ));
        assert!(!sent("https://cdn.example.com/app-1.0.0.tgz"));
        let all = repository(true);
        assert!(
            all.credentials_for("http://cdn.example.com/app-1.0.0.tgz")
                .is_some()
        );
    }

    #[test]
    fn picks_the_highest_version_that_meets_the_constraint() {
        let index = index(&["1.2.0", "1.10.0", "2.0.0-rc.1", "1.9.3"]);
        let found = |c: &str| {
            index
                .find("app", c)
                .map(|v| v.version.clone())
                .map_err(|e| e.to_string())
        };
        assert_eq!(found(""), Ok("1.10.0".into()));
        assert_eq!(found("~1.9"), Ok("1.9.3".into()));
        assert_eq!(found("2.0.0-rc.1"), Ok("2.0.0-rc.1".into()));
        assert_eq!(found(">=2.0.0-0"), Ok("2.0.0-rc.1".into()));
        assert!(found("^3").is_err_and(|e| e.contains("versions: 2.0.0-rc.1, 1.10.0")));
        assert!(index.find("other", "").is_err());
    }
}
