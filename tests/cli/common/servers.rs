//! Real servers on the loopback address, started by the tests that need them and stopped when
//! the guard drops (on a failed test too): Debian's `docker-registry` (the reference OCI
//! registry, CNCF Distribution) and a chart repository served by Python's `http.server`. And
//! Helm 3.17.3, whose `push`/`pull`/`dependency build` show that the formats agree.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use super::tools::skip_without;

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
