//! Charts where they live: Helm chart repositories (an `index.yaml` over HTTP) and OCI
//! registries, and the dependency manager that fetches a chart's dependencies from them
//! (Helm's `pkg/repo`, `pkg/registry` and `pkg/downloader`).
//!
//! Only the network commands (`dependency`, `pull`, `push`) reach this module: the
//! asynchronous runtime and the TLS stack start here, never on the render path.
//!
//! - [`credentials`]: where Helm users keep registry and repository credentials;
//! - [`repository`]: a chart repository's index and its charts;
//! - [`oci`]: charts in OCI registries, in Helm's format;
//! - [`dependencies`]: `dependency update` and `dependency build`.

pub mod credentials;
pub mod dependencies;
pub mod oci;
pub mod repository;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use credentials::Credentials;

/// How to reach registries and repositories: the flags the network commands share.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Plain HTTP to OCI registries (`--plain-http`), for a registry without TLS.
    pub plain_http: bool,
    /// `--username`/`--password` of `pull` and `push`, for the one server the command names.
    /// The dependency commands have none: each dependency's server has its own credentials in
    /// Helm's files, as in Helm.
    pub explicit: Option<Explicit>,
    /// `--registry-config`.
    pub registry_config: Option<PathBuf>,
    /// `--repository-config`.
    pub repository_config: Option<PathBuf>,
}

/// Credentials given on the command line (or in `KTERA_REGISTRY_USERNAME` and
/// `KTERA_REGISTRY_PASSWORD`), with the one server they are for: no other server gets them, not
/// a registry a chart's dependency names, not a chart URL of a repository's index elsewhere.
#[derive(Debug, Clone)]
pub struct Explicit {
    credentials: Credentials,
    server: Server,
}

#[derive(Debug, Clone)]
enum Server {
    /// An OCI registry, `host[:port]`.
    Registry(String),
    /// A chart repository: its URL, compared by origin (scheme, host and port).
    Repository(String),
}

impl Explicit {
    /// For the registry `host` (`host[:port]`, as in `oci://host[:port]/…`).
    pub fn for_registry(host: &str, credentials: Credentials) -> Explicit {
        Explicit {
            credentials,
            server: Server::Registry(host.to_string()),
        }
    }

    /// For the chart repository at `url` and URLs of the same origin.
    pub fn for_repository(url: &str, credentials: Credentials) -> Explicit {
        Explicit {
            credentials,
            server: Server::Repository(url.to_string()),
        }
    }
}

impl Access {
    /// The explicit credentials, when they are for the registry `host`.
    pub fn explicit_for_registry(&self, host: &str) -> Option<Credentials> {
        let explicit = self.explicit.as_ref()?;
        match &explicit.server {
            Server::Registry(bound) if bound.eq_ignore_ascii_case(host) => {
                Some(explicit.credentials.clone())
            }
            _ => None,
        }
    }

    /// The explicit credentials, when they are for the repository at `url`.
    pub fn explicit_for_repository(&self, url: &str) -> Option<Credentials> {
        let explicit = self.explicit.as_ref()?;
        match &explicit.server {
            Server::Repository(bound) if same_origin(bound, url) => {
                Some(explicit.credentials.clone())
            }
            _ => None,
        }
    }
}

/// Whether two URLs have one origin: scheme, host and port (the scheme's default when none is
/// written), as Helm compares a chart's URL with its repository's before sending the
/// repository's credentials. A URL that does not parse has no origin in common with any.
pub fn same_origin(a: &str, b: &str) -> bool {
    match (reqwest::Url::parse(a), reqwest::Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            let (a, b) = (a.origin(), b.origin());
            a.is_tuple() && a == b
        }
        _ => false,
    }
}

/// How long to wait for a server to accept a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long to wait for the next bytes of an answer: a server that stops sending fails the
/// command instead of holding it forever.
pub const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// Most bytes ktera downloads for one chart archive or repository index.
pub const MAX_DOWNLOAD_BYTES: u64 = 100 * 1024 * 1024;

/// The network's clients and the runtime they run on, for one command. Each client is made
/// when first needed and then kept: making one reads the system's root certificates (hundreds
/// of files), and the OCI client keeps the registries' tokens between requests.
pub struct Network {
    runtime: tokio::runtime::Runtime,
    http: OnceLock<reqwest::Client>,
    oci: OnceLock<oci_client::Client>,
    pub access: Access,
}

impl Network {
    pub fn new(access: Access) -> Result<Network, Error> {
        // rustls with ring: one crypto provider for every TLS connection of the process. ring
        // builds with the C compiler alone (aws-lc-rs, rustls' default, wants CMake or more);
        // rustls 0.23.48 deprecates it only for lacking post-quantum key exchange.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io(format!("cannot start the network runtime: {e}"), e))?;
        Ok(Network {
            runtime,
            http: OnceLock::new(),
            oci: OnceLock::new(),
            access,
        })
    }

    /// The HTTP client for chart repositories.
    fn http(&self) -> Result<&reqwest::Client, Error> {
        if let Some(client) = self.http.get() {
            return Ok(client);
        }
        let client = reqwest::Client::builder()
            .user_agent(user_agent())
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .build()
            .map_err(|e| network_error(format!("cannot set up HTTPS: {}", describe(&e))))?;
        Ok(self.http.get_or_init(|| client))
    }

    /// The client for OCI registries (plain HTTP under `--plain-http`).
    fn oci(&self) -> Result<&oci_client::Client, Error> {
        if let Some(client) = self.oci.get() {
            return Ok(client);
        }
        let client = oci::client(self.access.plain_http)?;
        Ok(self.oci.get_or_init(|| client))
    }

    /// Runs one asynchronous operation to its end.
    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// GETs `url` (with basic authentication when `credentials` are given), at most
    /// [`MAX_DOWNLOAD_BYTES`].
    pub fn get(&self, url: &str, credentials: Option<&Credentials>) -> Result<Vec<u8>, Error> {
        let shown = redact(url);
        let http = self.http()?;
        self.block_on(async {
            let mut request = http.get(url);
            if let Some(c) = credentials {
                request = request.basic_auth(&c.username, Some(&c.password));
            }
            let mut response = request
                .send()
                .await
                .map_err(|e| network_error(format!("{shown}: {}", describe(&e))))?;
            let status = response.status();
            if !status.is_success() {
                let hint = match status.as_u16() {
                    401 | 403 => "the repository wants credentials: keep them in Helm's repositories file, which ktera reads (`helm repo add NAME URL --username USER --password-stdin`); `ktera pull` also takes --username and --password",
                    404 => "check the URL (a chart repository serves index.yaml at its root)",
                    _ => "",
                };
                return Err(network_error(format!("{shown}: the server answered {status}"))
                    .with_hint(hint));
            }
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| network_error(format!("{shown}: {}", describe(&e))))?
            {
                if (body.len() + chunk.len()) as u64 > MAX_DOWNLOAD_BYTES {
                    return Err(Error::input(format!(
                        "{shown}: larger than {} MiB, the most ktera downloads at once",
                        MAX_DOWNLOAD_BYTES / (1024 * 1024)
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body)
        })
    }
}

/// A failure to reach or talk to a server.
fn network_error(message: String) -> Error {
    Error::new(ErrorKind::Io, message)
}

fn user_agent() -> String {
    format!("ktera/{}", env!("CARGO_PKG_VERSION"))
}

/// An HTTP client error with its causes (reqwest's own message stops at "error sending
/// request").
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// `https://user:secret@host/x` -> `https://user:***@host/x`: a URL as messages show it.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_string(),
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    let mut hex = String::with_capacity(64);
    for byte in sha2::Sha256::digest(bytes) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_credentials_go_to_their_own_server_only() {
        let alice = || Credentials {
            username: "alice".into(),
            password: "s3cret".into(),
        };
        let registry = Access {
            explicit: Some(Explicit::for_registry("registry.example.com:5000", alice())),
            ..Access::default()
        };
        assert_eq!(
            registry.explicit_for_registry("Registry.Example.com:5000"),
            Some(alice())
        );
        assert_eq!(registry.explicit_for_registry("registry.example.com"), None);
        assert_eq!(
            registry.explicit_for_registry("other.example.com:5000"),
            None
        );
        assert_eq!(
            registry.explicit_for_repository("https://registry.example.com:5000/index.yaml"),
            None
        );
        let repository = Access {
            explicit: Some(Explicit::for_repository(
                "https://charts.example.com/stable",
                alice(),
            )),
            ..Access::default()
        };
        assert_eq!(
            repository.explicit_for_repository("https://charts.example.com:443/x/app-1.0.0.tgz"),
            Some(alice())
        );
        for elsewhere in [
            "http://charts.example.com/stable",
            "https://charts.example.com:8443/stable",
            "https://cdn.example.com/stable/app-1.0.0.tgz",
            "not a url",
        ] {
            assert_eq!(
                repository.explicit_for_repository(elsewhere),
                None,
                "{elsewhere}"
            );
        }
        assert_eq!(repository.explicit_for_registry("charts.example.com"), None);
        assert_eq!(Access::default().explicit_for_registry("x"), None);
    }

    #[test]
    fn urls_in_messages_hide_passwords() {
        assert_eq!(
            super::redact("https://bob:hunter2@charts.example.com/x/index.yaml"),
            "https://bob:***@charts.example.com/x/index.yaml"
        );
        assert_eq!(
            super::redact("https://charts.example.com/a@b"),
            "https://charts.example.com/a@b"
        );
    }
}
