//! Real servers on the loopback address, started by the tests that need them and stopped when
//! the guard drops (on a failed test too): Debian's `docker-registry` (the reference OCI
//! registry, CNCF Distribution) and a chart repository served by Python's `http.server`; what
//! the tests put on them (charts pushed by ktera) and the files that point Helm and ktera at
//! them (a repositories file, a registry login). And Helm 3.17.3, whose
//! `push`/`pull`/`dependency build` show that the formats agree.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use tempfile::TempDir;

use super::tools::skip_without;
use super::{ktera, write};

/// The chart sources the servers serve: `repo/` (a chart repository indexed by `helm repo
/// index`), `src/` (its charts) and `lock/` (scripts/gen-chart-sources-fixtures).
pub fn chart_sources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chart-sources")
}

/// A server process; killed and reaped on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    /// The registry's configuration and storage, or the served copy.
    _dir: TempDir,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `host:port`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http://host:port`, the URL of a chart repository.
    pub fn url(&self) -> String {
        format!("http://{}", self.address())
    }

    /// `oci://host:port/charts`, where [`push`] puts charts.
    pub fn charts(&self) -> String {
        format!("oci://{}/charts", self.address())
    }

    /// The OCI registry, open to `user` with `password` only (basic authentication).
    pub fn registry_with_login(user: &str, password: &str) -> Option<Server> {
        // The lowest cost bcrypt takes: the registry checks the password, not its strength.
        let hash = bcrypt::hash(password, 4).expect("bcrypt");
        Server::registry(Some(&format!("{user}:{hash}\n")))
    }

    /// The chart repository of `tests/fixtures/chart-sources/repo`, served over HTTP.
    pub fn chart_repository() -> Server {
        Server::http(&chart_sources().join("repo"))
    }

    /// Starts the OCI registry, with basic authentication from `htpasswd` (an htpasswd file's
    /// text) when given. `None` (after a visible skip) when docker-registry is not installed.
    pub fn registry(htpasswd: Option<&str>) -> Option<Server> {
        let binary = Path::new("/usr/bin/docker-registry");
        if !binary.exists() {
            skip_without(
                "docker-registry",
                "Debian's docker-registry package is not installed (apt-get install docker-registry; .ci/run installs it)",
            );
            return None;
        }
        let dir = TempDir::new().expect("temp dir");
        let port = free_port();
        let auth = match htpasswd {
            Some(text) => {
                let file = dir.path().join("htpasswd");
                fs::write(&file, text).expect("write htpasswd");
                format!(
                    "auth:\n  htpasswd:\n    realm: ktera-tests\n    path: {}\n",
                    file.display()
                )
            }
            None => String::new(),
        };
        let config = dir.path().join("config.yml");
        fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
                dir.path().join("storage").display()
            ),
        )
        .expect("write registry config");
        let log = dir.path().join("log");
        let mut command = Command::new(binary);
        command.arg("serve").arg(&config);
        Some(Server::start(command, port, dir, log))
    }

    /// Serves a copy of `files` over HTTP (a chart repository is static files). The copy can
    /// be changed through [`Server::root`] while it serves.
    pub fn http(files: &Path) -> Server {
        Server::serve(files, None)
    }

    /// The same behind HTTP basic authentication, as a private chart repository: every request
    /// without `user` and `password` is answered 401.
    pub fn http_with_basic_auth(files: &Path, user: &str, password: &str) -> Server {
        Server::serve(files, Some(format!("{user}:{password}")))
    }

    fn serve(files: &Path, userinfo: Option<String>) -> Server {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path().join("root");
        super::copy_dir(files, &root);
        let port = free_port();
        let log = dir.path().join("log");
        let mut command = Command::new("python3");
        match userinfo {
            None => command
                .args(["-m", "http.server", &port.to_string()])
                .args(["--bind", "127.0.0.1", "--directory"])
                .arg(&root),
            Some(userinfo) => command
                .args(["-c", BASIC_AUTH_SERVER, &port.to_string()])
                .arg(&root)
                .arg(userinfo),
        };
        Server::start(command, port, dir, log)
    }

    /// A proxy in front of `registry` that serves its tag list in pages of at most `cap` tags
    /// whatever `n` asks (as registries that cap their pages do), after `last`, with a `Link`
    /// header to the next page (the distribution spec's pagination, which Debian's
    /// docker-registry 2.8 does not do for tags); everything else passes through.
    pub fn capping_tag_pages(registry: &Server, cap: usize) -> Server {
        let dir = TempDir::new().expect("temp dir");
        let port = free_port();
        let log = dir.path().join("log");
        let mut command = Command::new("python3");
        command
            .args(["-c", CAPPING_PROXY, &port.to_string()])
            .arg(format!("http://{}", registry.address()))
            .arg(cap.to_string());
        Server::start(command, port, dir, log)
    }

    /// The served directory of [`Server::http`].
    pub fn root(&self) -> PathBuf {
        self._dir.path().join("root")
    }

    fn start(mut command: Command, port: u16, dir: TempDir, log: PathBuf) -> Server {
        let out = fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start the server");
        let mut server = Server {
            child,
            port,
            _dir: dir,
            log,
        };
        // Ready when it accepts connections: at most 200 tries 50 ms apart.
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "the server exited ({status}) before listening: {}",
                    fs::read_to_string(&server.log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the server did not listen on port {port}: {}",
            fs::read_to_string(&server.log).unwrap_or_default()
        );
    }
}

/// Python's http.server with a handler that wants basic authentication: `python3 -c SCRIPT
/// PORT ROOT USER:PASSWORD`.
const BASIC_AUTH_SERVER: &str = r#"
import base64, functools, http.server, sys
port, root, userinfo = int(sys.argv[1]), sys.argv[2], sys.argv[3]
expected = "Basic " + base64.b64encode(userinfo.encode()).decode()
class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="charts"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()
handler = functools.partial(Handler, directory=root)
http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
"#;

/// `python3 -c SCRIPT PORT UPSTREAM CAP`: see [`Server::capping_tag_pages`].
const CAPPING_PROXY: &str = r#"
import http.server, json, sys, urllib.error, urllib.parse, urllib.request
port, upstream, cap = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
PASSED = ("content-type", "docker-content-digest", "link", "www-authenticate",
          "docker-distribution-api-version")
class Proxy(http.server.BaseHTTPRequestHandler):
    def forward(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path.endswith("/tags/list") and method == "GET":
            return self.tag_page(url.path, query)
        target = upstream + url.path + ("?" + url.query if url.query else "")
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "authorization")}
        try:
            response = urllib.request.urlopen(urllib.request.Request(target, method=method, headers=headers))
            status, body, upstream_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as e:
            status, body, upstream_headers = e.code, e.read(), e.headers
        self.send_response(status)
        for k, v in upstream_headers.items():
            if k.lower() in PASSED:
                self.send_header(k, v)
        length = upstream_headers.get("Content-Length") if method == "HEAD" else None
        self.send_header("Content-Length", length or str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)
    def tag_page(self, path, query):
        listed = json.load(urllib.request.urlopen(upstream + path))
        n = min(int(query.get("n", [cap])[0]), cap)
        last = query.get("last", [None])[0]
        tags = sorted(listed.get("tags") or [])
        if last is not None:
            tags = [t for t in tags if t > last]
        page = tags[:n]
        body = json.dumps({"name": listed["name"], "tags": page}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if len(tags) > n:
            self.send_header("Link", '<%s?n=%d&last=%s>; rel="next"' % (path, n, page[-1]))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        self.forward("GET")
    def do_HEAD(self):
        self.forward("HEAD")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()
"#;

/// A port free on the loopback address now (the OS picks it; the listener closes at once).
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The chart `name` at `version` with one ConfigMap (`{{ Release.Name }}-NAME`, its data the
/// chart's version, then `extra` lines), packaged by ktera: the archive, in a directory of
/// `work` of its own (another `extra` makes another archive of the same name and version).
pub fn package_chart(work: &Path, name: &str, version: &str, extra: &str) -> PathBuf {
    let place = (0..)
        .map(|n| work.join(format!("{name}-{version}-{n}")))
        .find(|place| !place.exists())
        .expect("a free directory");
    let source = place.join("src");
    write(
        &source,
        &[
            (
                "Chart.yaml",
                &format!("apiVersion: v2\nname: {name}\nversion: {version}\n"),
            ),
            (
                "templates/cm.yaml",
                &format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ Release.Name }}}}-{name}\ndata:\n  version: {{{{ Chart.Version | quote }}}}\n{extra}"
                ),
            ),
        ],
    );
    ktera()
        .arg("package")
        .arg(&source)
        .arg("-d")
        .arg(&place)
        .assert()
        .success();
    place.join(format!("{name}-{version}.tgz"))
}

/// `ktera push ARCHIVE oci://REGISTRY/charts --plain-http`, for the caller to add to and run.
pub fn push(archive: &Path, registry: &Server) -> assert_cmd::Command {
    let mut command = ktera();
    command
        .arg("push")
        .arg(archive)
        .arg(registry.charts())
        .arg("--plain-http");
    command
}

/// [`package_chart`], pushed to `registry` as `oci://REGISTRY/charts/NAME:VERSION`.
pub fn push_chart(registry: &Server, work: &Path, name: &str, version: &str, extra: &str) {
    push(&package_chart(work, name, version, extra), registry)
        .assert()
        .success();
}

/// Helm's repositories file (as `helm repo add` writes it) at `path`, naming each (name, URL),
/// with `login` (user, password) for each when given.
pub fn write_repositories(path: &Path, repositories: &[(&str, &str)], login: Option<(&str, &str)>) {
    let mut text =
        String::from("apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n");
    for (name, url) in repositories {
        text.push_str(&format!("- name: {name}\n  url: {url}\n"));
        if let Some((user, password)) = login {
            text.push_str(&format!("  username: {user}\n  password: {password}\n"));
        }
    }
    fs::write(path, text).expect("write the repositories file");
}

/// Helm's registry configuration (what `helm registry login` writes, Docker's `auths`) at
/// `path`: `user` and `password` for `registry`.
pub fn write_registry_login(path: &Path, registry: &Server, user: &str, password: &str) {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    fs::write(
        path,
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#,
            registry.address()
        ),
    )
    .expect("write the registry configuration");
}

/// Helm 3.17.3: `$HELM`, else where `scripts/get-helm` installs it, else the anchors' copy.
/// `None` (after a visible skip) when there is none.
pub fn helm() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    let candidates = [
        std::env::var_os("HELM").map(PathBuf::from),
        cache
            .as_ref()
            .map(|c| c.join("ktera-ci/helm-3.17.3/helm/helm")),
        cache.as_ref().map(|c| c.join("ktera-anchors/helm/helm")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_file());
    if found.is_none() {
        skip_without(
            "helm",
            "Helm 3.17.3 is not installed (scripts/get-helm installs it)",
        );
    }
    found
}

/// A `helm` command whose configuration, caches and registry logins live in `home` only.
pub fn helm_command(helm: &Path, home: &Path) -> Command {
    let mut command = Command::new(helm);
    command
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("HELM_REGISTRY_CONFIG", home.join("registry.json"))
        .env("HELM_REPOSITORY_CONFIG", home.join("repositories.yaml"))
        .env("HELM_REPOSITORY_CACHE", home.join("repository-cache"));
    command
}
