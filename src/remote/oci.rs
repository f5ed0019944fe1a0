//! Charts in OCI registries, in Helm's format (Helm's `pkg/registry`): a chart
//! `oci://host/path/NAME:VERSION` is an OCI image manifest whose config is the chart's
//! metadata as JSON (`application/vnd.cncf.helm.config.v1+json`) and whose one layer is the
//! chart archive (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`). A tag is the version
//! with `+` written `_` (tags cannot hold `+`). Versions are found by listing the tags.

use std::collections::BTreeMap;

use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::manifest::OciImageManifest;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use super::repository::{compare_versions, pick};
use super::{MAX_DOWNLOAD_BYTES, Network, credentials, sha256_hex};
use crate::error::{Error, ErrorKind};

pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
pub const CHART_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// What charts pushed by Helm before 3.7 (experimental OCI support) carry.
const LEGACY_CHART_MEDIA_TYPE: &str = "application/tar+gzip";
pub const PROVENANCE_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";

/// `oci://host[:port]/path[:tag]`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciRef {
    /// `host[:port]`.
    pub registry: String,
    /// The path inside the registry (may be empty for a push to the registry's root).
    pub repository: String,
    pub tag: Option<String>,
}

impl OciRef {
    /// Parses `url`; an error names it (the caller says whether it came from the command
    /// line or a file).
    pub fn parse(url: &str) -> Result<OciRef, Error> {
        let Some(rest) = url.strip_prefix("oci://") else {
            return Err(Error::input(format!(
                "`{}` is not an OCI reference (oci://host/path)",
                super::redact(url)
            )));
        };
        let authority = rest.split('/').next().unwrap_or(rest);
        if let Some((_, host)) = authority.rsplit_once('@') {
            // Not even the user name is shown: the part before `@` may be a token alone.
            return Err(Error::input(format!(
                "an oci:// reference holds no credentials (`user:password@` before `{host}`); they are not shown here"
            ))
            .with_hint(format!(
                "remove them from the reference, and log in with `helm registry login {host}` (or, for `ktera pull` and `ktera push`, pass --username and --password)"
            )));
        }
        if rest.contains('@') {
            return Err(Error::input(format!(
                "`{url}`: references by digest are not supported; name a version (--version or :TAG)"
            )));
        }
        let rest = rest.trim_end_matches('/');
        let (registry, path) = rest.split_once('/').unwrap_or((rest, ""));
        if registry.is_empty() {
            return Err(Error::input(format!(
                "`{url}` names no registry (oci://host/path)"
            )));
        }
        let (repository, tag) = match path.rsplit_once('/') {
            Some((dir, last)) => match last.split_once(':') {
                Some((name, tag)) => (format!("{dir}/{name}"), Some(tag.to_string())),
                None => (path.to_string(), None),
            },
            None => match path.split_once(':') {
                Some((name, tag)) => (name.to_string(), Some(tag.to_string())),
                None => (path.to_string(), None),
            },
        };
        Ok(OciRef {
            registry: registry.to_string(),
            repository,
            tag,
        })
    }

    /// The reference one level down: `oci://host/charts` + `app` = `oci://host/charts/app`.
    pub fn join(&self, name: &str) -> OciRef {
        let repository = if self.repository.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.repository)
        };
        OciRef {
            registry: self.registry.clone(),
            repository,
            tag: None,
        }
    }

    fn with_tag(&self, tag: &str) -> Reference {
        Reference::with_tag(
            self.registry.clone(),
            self.repository.clone(),
            tag.to_string(),
        )
    }

    /// `host/path` (as Helm prints a pushed chart, without the scheme).
    pub fn shown(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

/// A chart pulled from a registry.
#[derive(Debug)]
pub struct Pulled {
    pub archive: Vec<u8>,
    pub version: String,
    /// The manifest's digest.
    pub digest: String,
}

/// A chart pushed to a registry.
#[derive(Debug)]
pub struct Pushed {
    /// `host/path/name:tag`.
    pub reference: String,
    pub digest: String,
}

/// A client for registries; [`Network::oci`] keeps one per command. `try_from`, not `new`:
/// `new` would fall back to a default client (HTTPS) when this one cannot be made.
pub(super) fn client(plain_http: bool) -> Result<Client, Error> {
    Client::try_from(client_config(plain_http)).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot set up the registry client: {}", super::describe(&e)),
        )
    })
}

/// The client's settings: the chart repositories' timeouts (a registry that stops answering
/// fails the command rather than holding it).
fn client_config(plain_http: bool) -> ClientConfig {
    ClientConfig {
        protocol: if plain_http {
            ClientProtocol::Http
        } else {
            ClientProtocol::Https
        },
        user_agent: concat!("ktera/", env!("CARGO_PKG_VERSION")),
        connect_timeout: Some(super::CONNECT_TIMEOUT),
        read_timeout: Some(super::READ_TIMEOUT),
        ..ClientConfig::default()
    }
}

/// How to authenticate to `registry`: the command line's credentials when they are for it,
/// else Helm's and Docker's registry configs.
fn auth(network: &Network, registry: &str) -> Result<RegistryAuth, Error> {
    let found = credentials::for_registry(
        registry,
        network.access.explicit_for_registry(registry),
        network.access.registry_config.as_deref(),
    )?;
    Ok(match found {
        Some(c) => RegistryAuth::Basic(c.username, c.password),
        None => RegistryAuth::Anonymous,
    })
}

/// An OCI client error, with what to do about the common ones.
fn failed(what: &str, reference: &str, error: oci_client::errors::OciDistributionError) -> Error {
    let text = super::describe(&error);
    let lower = text.to_lowercase();
    // oci-client says "Not authorized: url http://…" when a registry refuses anonymous pulls.
    let hint = if lower.contains("unauthorized")
        || lower.contains("not authorized")
        || lower.contains("401")
        || lower.contains("denied")
    {
        "log in with `helm registry login HOST` (ktera reads Helm's and Docker's registry configs); `ktera pull` and `ktera push` also take --username and --password (or KTERA_REGISTRY_USERNAME and KTERA_REGISTRY_PASSWORD) for the registry they name"
    } else if lower.contains("manifest unknown") || lower.contains("not found") {
        "check the reference and the version (`ktera pull` lists the versions it finds)"
    } else if lower.contains("http") || lower.contains("tls") || lower.contains("certificate") {
        "a registry that serves plain HTTP needs --plain-http"
    } else {
        ""
    };
    Error::new(ErrorKind::Io, format!("{what} {reference}: {text}")).with_hint(hint)
}

/// Tags asked for in one page of a registry's tag list.
const TAGS_PER_PAGE: usize = 1000;
/// Most pages of tags read for one chart (a hundred thousand tags at most).
const MAX_TAG_PAGES: usize = 100;

/// The chart versions of `reference`, highest first (tags that are not versions left out).
pub fn versions(network: &Network, reference: &OciRef) -> Result<Vec<String>, Error> {
    let mut versions: Vec<String> = tags(network, reference)?
        .into_iter()
        .map(|t| t.replace('_', "+"))
        .filter(|t| semver::Version::parse(t.trim_start_matches('v')).is_ok())
        .collect();
    versions.sort_by(|a, b| compare_versions(b, a));
    Ok(versions)
}

/// Every tag of `reference`, page after page (the distribution spec's `n` and `last`). A
/// page shorter than asked for does not end the list: registries cap pages at their own size
/// (100 for some). The list ends with a page that brings no tag not seen before (an empty
/// one, or the same again from a registry that ignores `last`).
fn tags(network: &Network, reference: &OciRef) -> Result<Vec<String>, Error> {
    let client = network.oci()?;
    let auth = auth(network, &reference.registry)?;
    let image = reference.with_tag("latest");
    let mut seen = std::collections::BTreeSet::new();
    let mut tags = Vec::new();
    let mut last: Option<String> = None;
    for _ in 0..MAX_TAG_PAGES {
        let page = network
            .block_on(client.list_tags(&image, &auth, Some(TAGS_PER_PAGE), last.as_deref()))
            .map_err(|e| failed("cannot list the tags of", &reference.shown(), e))?;
        let before = tags.len();
        for tag in page.tags {
            if seen.insert(tag.clone()) {
                tags.push(tag);
            }
        }
        if tags.len() == before {
            return Ok(tags);
        }
        last = tags.last().cloned();
    }
    Err(Error::input(format!(
        "oci://{} lists more than {} pages of {TAGS_PER_PAGE} tags; ktera stops there",
        reference.shown(),
        MAX_TAG_PAGES
    ))
    .with_hint("name an exact version (--version 1.2.3, or `version: 1.2.3` in Chart.yaml): it needs no list"))
}

/// The version of `reference` that `constraint` picks: its tag, an exact version as it is,
/// else the highest listed version that meets the constraint (Helm's
/// `GetTagMatchingVersionOrConstraint`).
pub fn resolve_version(
    network: &Network,
    reference: &OciRef,
    constraint: &str,
) -> Result<String, Error> {
    if let Some(tag) = &reference.tag {
        if !constraint.is_empty() && constraint != tag.replace('_', "+") {
            return Err(Error::usage(format!(
                "the reference names the tag `{tag}` and --version names `{constraint}`; give one"
            )));
        }
        return Ok(tag.replace('_', "+"));
    }
    let constraint = constraint.trim();
    if !constraint.is_empty() && semver::Version::parse(constraint.trim_start_matches('v')).is_ok()
    {
        return Ok(constraint.to_string());
    }
    let versions = versions(network, reference)?;
    let name = reference
        .repository
        .rsplit('/')
        .next()
        .unwrap_or(&reference.repository);
    pick(
        versions.iter().map(|v| (v.as_str(), v.clone())),
        constraint,
        name,
    )
    .map_err(|e| e.prefixed(&format!("oci://{}", reference.shown())))
}

/// Pulls the chart `reference` at `version`, checked against the digests of its manifest.
pub fn pull(network: &Network, reference: &OciRef, version: &str) -> Result<Pulled, Error> {
    let client = network.oci()?;
    let auth = auth(network, &reference.registry)?;
    let tag = version.replace('+', "_");
    let image = reference.with_tag(&tag);
    let shown = format!("{}:{tag}", reference.shown());
    // The manifest only: its config (the chart's metadata, which the archive holds as well) is
    // not downloaded, so its size, whatever the manifest says, costs nothing.
    let (manifest, digest) = network
        .block_on(client.pull_image_manifest(&image, &auth))
        .map_err(|e| failed("cannot pull", &shown, e))?;
    if manifest.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(Error::input(format!(
            "{shown} is not a Helm chart (its config is `{}`, a chart's is `{CONFIG_MEDIA_TYPE}`)",
            manifest.config.media_type
        )));
    }
    let charts: Vec<_> = manifest
        .layers
        .iter()
        .filter(|l| l.media_type == CHART_MEDIA_TYPE || l.media_type == LEGACY_CHART_MEDIA_TYPE)
        .collect();
    let [layer] = charts.as_slice() else {
        return Err(Error::input(format!(
            "{shown}: a Helm chart has one chart layer (`{CHART_MEDIA_TYPE}`), this manifest has {}",
            charts.len()
        )));
    };
    if u64::try_from(layer.size).unwrap_or(u64::MAX) > MAX_DOWNLOAD_BYTES {
        return Err(Error::input(format!(
            "{shown}: the chart is larger than {} MiB, the most ktera downloads",
            MAX_DOWNLOAD_BYTES / (1024 * 1024)
        )));
    }
    let mut capped = Capped {
        bytes: Vec::new(),
        limit: usize::try_from(layer.size).unwrap_or(0),
    };
    network
        .block_on(client.pull_blob(&image, *layer, &mut capped))
        .map_err(|e| failed("cannot pull", &shown, e))?;
    let archive = capped.bytes;
    let actual = format!("sha256:{}", sha256_hex(&archive));
    if actual != layer.digest {
        return Err(Error::input(format!(
            "{shown}: the chart layer's SHA-256 is {actual}, but the manifest says {}",
            layer.digest
        )));
    }
    Ok(Pulled {
        archive,
        version: version.to_string(),
        digest,
    })
}

/// Where a chart layer is pulled to: at most `limit` bytes (the manifest's size for the layer),
/// so a registry that sends more fills no memory with it. The client checks the digest only
/// once everything has arrived.
struct Capped {
    bytes: Vec<u8>,
    limit: usize,
}

impl tokio::io::AsyncWrite for Capped {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        if this.bytes.len().saturating_add(buf.len()) > this.limit {
            return std::task::Poll::Ready(Err(std::io::Error::other(format!(
                "the registry sent more than the {} bytes the manifest gives for the chart",
                this.limit
            ))));
        }
        this.bytes.extend_from_slice(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// Pushes a chart archive to `destination` (`oci://host/path`; the chart's name is added, and
/// its version is the tag), as `helm push` does.
pub fn push(
    network: &Network,
    archive: Vec<u8>,
    chart_yaml: &serde_yaml::Mapping,
    name: &str,
    version: &str,
    destination: &OciRef,
) -> Result<Pushed, Error> {
    if let Some(tag) = &destination.tag {
        return Err(Error::usage(format!(
            "push names no tag (`:{tag}`): the chart's version is its tag; give oci://{}",
            destination.shown()
        )));
    }
    let target = destination.join(name);
    let tag = version.replace('+', "_");
    let image = target.with_tag(&tag);
    let shown = format!("{}:{tag}", target.shown());
    let client = network.oci()?;
    let auth = auth(network, &target.registry)?;
    let config = Config::new(config_json(chart_yaml), CONFIG_MEDIA_TYPE.to_string(), None);
    let layers = [ImageLayer::new(archive, CHART_MEDIA_TYPE.to_string(), None)];
    let manifest = OciImageManifest::build(&layers, &config, Some(annotations(chart_yaml)));
    network
        .block_on(client.push(&image, &layers, config, &auth, Some(manifest)))
        .map_err(|e| failed("cannot push to", &shown, e))?;
    let digest = network
        .block_on(client.fetch_manifest_digest(&image, &auth))
        .map_err(|e| failed("cannot read back", &shown, e))?;
    Ok(Pushed {
        reference: shown,
        digest,
    })
}

/// The fields of Helm's `chart.Metadata`, in the order Go writes them.
const METADATA_FIELDS: [&str; 17] = [
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];

/// The config blob: `Chart.yaml` as JSON, with the fields Helm's metadata has, in its order.
fn config_json(chart_yaml: &serde_yaml::Mapping) -> Vec<u8> {
    let mut object = serde_json::Map::new();
    for field in METADATA_FIELDS {
        let Some(value) = chart_yaml.get(field) else {
            continue;
        };
        let empty = matches!(value, serde_yaml::Value::Null)
            || value.as_str().is_some_and(str::is_empty)
            || value.as_sequence().is_some_and(Vec::is_empty)
            || value.as_bool() == Some(false);
        if empty {
            continue;
        }
        let json = match (field, value) {
            // Helm's metadata holds these as strings, whatever YAML made of them.
            ("appVersion" | "version" | "kubeVersion", v) if !v.is_string() => {
                serde_json::Value::String(
                    serde_yaml::to_string(v)
                        .unwrap_or_default()
                        .trim_end()
                        .to_string(),
                )
            }
            (_, v) => serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
        };
        object.insert(field.to_string(), json);
    }
    serde_json::to_vec(&object).unwrap_or_default()
}

/// The manifest's annotations, as Helm writes them: title, version, description, URL, source
/// and authors from `Chart.yaml`, then its own `annotations` (which cannot replace those).
/// No creation time: the same chart pushes as the same manifest.
fn annotations(chart_yaml: &serde_yaml::Mapping) -> BTreeMap<String, String> {
    let text = |key: &str| {
        chart_yaml
            .get(key)
            .and_then(|v| match v {
                serde_yaml::Value::String(s) => Some(s.clone()),
                serde_yaml::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
    };
    let mut out = BTreeMap::new();
    if let Some(serde_yaml::Value::Mapping(own)) = chart_yaml.get("annotations") {
        for (k, v) in own {
            if let (Some(k), Some(v)) = (k.as_str(), v.as_str()) {
                out.insert(k.to_string(), v.to_string());
            }
        }
    }
    let prefix = "org.opencontainers.image.";
    for (key, field) in [
        ("title", "name"),
        ("version", "version"),
        ("description", "description"),
        ("url", "home"),
    ] {
        if let Some(value) = text(field) {
            out.insert(format!("{prefix}{key}"), value);
        }
    }
    if let Some(source) = chart_yaml
        .get("sources")
        .and_then(|s| s.as_sequence())
        .and_then(|s| s.first())
        .and_then(|s| s.as_str())
    {
        out.insert(format!("{prefix}source"), source.to_string());
    }
    if let Some(serde_yaml::Value::Sequence(maintainers)) = chart_yaml.get("maintainers") {
        let authors: Vec<String> = maintainers
            .iter()
            .filter_map(|m| {
                let name = m.get("name").and_then(|n| n.as_str())?;
                Some(match m.get("email").and_then(|e| e.as_str()) {
                    Some(email) if !email.is_empty() => format!("{name} ({email})"),
                    _ => name.to_string(),
                })
            })
            .collect();
        if !authors.is_empty() {
            out.insert(format!("{prefix}authors"), authors.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::OciRef;

    #[test]
    fn the_registry_client_times_out_as_the_repository_client_does() {
        let config = super::client_config(false);
        assert_eq!(config.read_timeout, Some(crate::remote::READ_TIMEOUT));
        assert_eq!(config.connect_timeout, Some(crate::remote::CONNECT_TIMEOUT));
    }

    #[test]
    fn parses_references_as_helm_writes_them() {
        let parsed = |s: &str| {
            OciRef::parse(s)
                .map(|r| (r.registry, r.repository, r.tag))
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            parsed("oci://127.0.0.1:5000/charts/app:1.2.3_build.1"),
            Ok((
                "127.0.0.1:5000".into(),
                "charts/app".into(),
                Some("1.2.3_build.1".into())
            ))
        );
        assert_eq!(
            parsed("oci://ghcr.io/org/charts/"),
            Ok(("ghcr.io".into(), "org/charts".into(), None))
        );
        assert_eq!(
            parsed("oci://localhost:5000"),
            Ok(("localhost:5000".into(), String::new(), None))
        );
        assert!(parsed("https://x/y").is_err());
        assert!(parsed("oci://x/y@sha256:00").is_err());
        // Credentials in the reference are refused without being echoed.
        for url in [
            "oci://bob:t0ken-s3cret@host/x",
            "oci://t0ken-s3cret@host:5000",
        ] {
            let Err(error) = OciRef::parse(url) else {
                panic!("{url} holds credentials");
            };
            let shown = error.report();
            assert!(shown.contains("holds no credentials"), "{shown}");
            assert!(shown.contains("helm registry login host"), "{shown}");
            assert!(!shown.contains("t0ken-s3cret"), "{shown}");
        }
        let base = OciRef::parse("oci://r:1/charts").ok();
        assert_eq!(
            base.map(|b| b.join("app").shown()).as_deref(),
            Some("r:1/charts/app")
        );
    }
}
