//! The shipped schemas (schemas/kubernetes-v1.NN.json.gz, made by scripts/refresh-schemas),
//! embedded in the binary so `ktera lint` needs no network and no files beside it. Each is
//! decompressed and parsed once, on first use.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;

use super::node::Node;
use crate::error::Error;

/// Supported minors of Kubernetes 1.x and their schema files, oldest first.
const SUPPORTED: [(u64, &str, &[u8]); 7] = [
    (
        30,
        "kubernetes-v1.30.json.gz",
        include_bytes!("../../../schemas/kubernetes-v1.30.json.gz"),
    ),
    (
        31,
        "kubernetes-v1.31.json.gz",
        include_bytes!("../../../schemas/kubernetes-v1.31.json.gz"),
    ),
    (
        32,
        "kubernetes-v1.32.json.gz",
        include_bytes!("../../../schemas/kubernetes-v1.32.json.gz"),
    ),
    (
        33,
        "kubernetes-v1.33.json.gz",
        include_bytes!("../../../schemas/kubernetes-v1.33.json.gz"),
    ),
    (
        34,
        "kubernetes-v1.34.json.gz",
        include_bytes!("../../../schemas/kubernetes-v1.34.json.gz"),
    ),
    (
        35,
        "kubernetes-v1.35.json.gz",
        include_bytes!("../../../schemas/kubernetes-v1.35.json.gz"),
    ),
    (
        36,
        "kubernetes-v1.36.json.gz",
        include_bytes!("../../../schemas/kubernetes-v1.36.json.gz"),
    ),
];

/// The built-in kinds of one Kubernetes version and the definitions they use.
#[derive(Debug, Deserialize)]
pub struct Schemas {
    /// `v1.32.0`: the release the schemas were generated from.
    pub kubernetes: String,
    /// Where the file came from, as scripts/refresh-schemas recorded it.
    pub source: String,
    /// `apps/v1/Deployment` -> `io.k8s.api.apps.v1.Deployment`.
    pub kinds: HashMap<String, String>,
    pub definitions: HashMap<String, Node>,
}

impl Schemas {
    /// The schemas for `version`'s minor (any patch release), or for the nearest shipped minor
    /// when ktera ships none for it ([`nearest`] says which); parsed once per process.
    pub fn for_version(version: &semver::Version) -> Result<&'static Schemas, Error> {
        static LOADED: [OnceLock<Result<Schemas, Error>>; SUPPORTED.len()] =
            [const { OnceLock::new() }; SUPPORTED.len()];
        let slot = nearest(version).slot;
        let (_, file, bytes) = SUPPORTED[slot];
        LOADED[slot]
            .get_or_init(|| parse(bytes))
            .as_ref()
            .map_err(|reason| {
                Error::input(format!(
                "the shipped schemas for Kubernetes v{version} (schemas/{file}) cannot be read: {}",
                reason.message()
            ))
            .with_hint("this is a bug in the build; scripts/refresh-schemas regenerates schemas/")
            })
    }

    /// The definition that describes `apiVersion/kind`, if Kubernetes has it built in.
    pub fn kind(&self, api_version: &str, kind: &str) -> Option<&Node> {
        let name = self.kinds.get(&format!("{api_version}/{kind}"))?;
        self.definitions.get(name)
    }

    /// API versions that serve `kind` (`["apps/v1"]` for Deployment), sorted.
    pub fn api_versions_of(&self, kind: &str) -> Vec<&str> {
        let mut found: Vec<&str> = self
            .kinds
            .keys()
            .filter_map(|key| key.rsplit_once('/'))
            .filter(|(_, k)| *k == kind)
            .map(|(api_version, _)| api_version)
            .collect();
        found.sort_unstable();
        found
    }

    /// Whether `group` is an API group of the Kubernetes API itself ("" is the core group).
    pub fn has_group(&self, group: &str) -> bool {
        self.kinds.keys().any(|key| {
            let api_version = key.rsplit_once('/').map_or("", |(av, _)| av);
            match api_version.rsplit_once('/') {
                Some((g, _)) => g == group,
                None => group.is_empty(),
            }
        })
    }
}

/// `v1.30`, `v1.31`, ...: the minors whose schemas are built in.
pub fn supported_versions() -> Vec<String> {
    SUPPORTED
        .iter()
        .map(|(minor, _, _)| format!("v1.{minor}"))
        .collect()
}

/// Which shipped schemas serve a Kubernetes version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    slot: usize,
    /// `v1.36`: the minor whose schemas are used.
    pub minor: String,
    /// Set when that is not the version asked for: one line saying so, for standard error.
    pub note: Option<String>,
}

/// The shipped minor of `version`, else the nearest one (the oldest below the range, the newest
/// above it, the newer of two equally near): a cluster a release or two ahead of the shipped
/// schemas still gets its objects checked, and the note says against what.
pub fn nearest(version: &semver::Version) -> Choice {
    let newest = SUPPORTED.len() - 1;
    let slot = match version.major {
        0 => 0,
        // Iterated newest first: the first of equally near minors is the newer one.
        1 => (0..SUPPORTED.len())
            .rev()
            .min_by_key(|&slot| version.minor.abs_diff(SUPPORTED[slot].0))
            .unwrap_or(newest),
        _ => newest,
    };
    let minor = format!("v1.{}", SUPPORTED[slot].0);
    let exact = version.major == 1 && version.minor == SUPPORTED[slot].0;
    let note = (!exact).then(|| {
        format!(
            "note: ktera ships no schemas for Kubernetes v{}.{}; validating against {minor}, the nearest shipped ({} to {})",
            version.major,
            version.minor,
            supported_versions().first().map_or("", String::as_str),
            supported_versions().last().map_or("", String::as_str),
        )
    });
    Choice { slot, minor, note }
}

fn parse(gzipped: &[u8]) -> Result<Schemas, Error> {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(gzipped)
        .read_to_end(&mut json)
        .map_err(|e| Error::input(format!("not gzip: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| Error::input(format!("not a schema file: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_version_loads_and_has_the_common_kinds() {
        for (minor, _, _) in SUPPORTED {
            let schemas = Schemas::for_version(&semver::Version::new(1, minor, 3)).unwrap();
            assert_eq!(schemas.kubernetes, format!("v1.{minor}.0"));
            for (api_version, kind) in [
                ("apps/v1", "Deployment"),
                ("v1", "Service"),
                ("networking.k8s.io/v1", "Ingress"),
                ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
            ] {
                assert!(
                    schemas.kind(api_version, kind).is_some(),
                    "{kind} in 1.{minor}"
                );
            }
            for node in schemas.kinds.values() {
                assert!(
                    schemas.definitions.contains_key(node),
                    "{node} in 1.{minor}"
                );
            }
        }
    }

    #[test]
    fn versions_outside_the_range_use_the_nearest_shipped_one_and_say_so() {
        let choose = |major, minor| nearest(&semver::Version::new(major, minor, 2));
        assert_eq!(choose(1, 31).minor, "v1.31");
        assert_eq!(choose(1, 31).note, None);
        assert_eq!(choose(1, 12).minor, "v1.30");
        assert_eq!(choose(1, 40).minor, "v1.36");
        assert_eq!(choose(2, 0).minor, "v1.36");
        assert_eq!(choose(0, 99).minor, "v1.30");
        assert_eq!(
            choose(1, 40).note.as_deref(),
            Some(
                "note: ktera ships no schemas for Kubernetes v1.40; validating against v1.36, the nearest shipped (v1.30 to v1.36)"
            )
        );
        let schemas = Schemas::for_version(&semver::Version::new(1, 12, 0)).unwrap();
        assert_eq!(schemas.kubernetes, "v1.30.0");
    }

    #[test]
    fn knows_groups_and_api_versions() {
        let schemas = Schemas::for_version(&semver::Version::new(1, 32, 0)).unwrap();
        assert_eq!(schemas.api_versions_of("Deployment"), vec!["apps/v1"]);
        assert!(schemas.has_group(""));
        assert!(schemas.has_group("apps"));
        assert!(!schemas.has_group("example.com"));
    }
}
