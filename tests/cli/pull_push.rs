//! `ktera push` and `ktera pull` against a real OCI registry (Debian's docker-registry) on the
//! loopback address, and against Helm 3.17.3's own `helm push`/`helm pull` on the same
//! registry: what one pushes, the other pulls, byte for byte. And `pull` from a chart
//! repository served over HTTP, and credentials from the places Helm users keep them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use tempfile::TempDir;

use crate::common::servers::{
    Server, chart_sources, helm, helm_command, push, push_chart, write_registry_login,
    write_repositories,
};
use crate::common::{ktera, write};

fn backend_package(work: &Path) -> PathBuf {
    ktera()
        .args(["package", "charts/backend", "-d"])
        .arg(work)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success();
    work.join("backend-0.2.0.tgz")
}

#[test]
fn what_ktera_pushes_helm_and_ktera_pull_byte_for_byte() {
    let Some(registry) = Server::registry(None) else {
        return;
    };
    let work = TempDir::new().expect("temp dir");
    let package = backend_package(work.path());
    let remote = format!("oci://{}/team/charts", registry.address());
    ktera()
        .arg("push")
        .arg(&package)
        .arg(&remote)
        .arg("--plain-http")
        .assert()
        .success()
        .stdout(predicates::str::contains(format!(
            "Pushed: {}/team/charts/backend:0.2.0\nDigest: sha256:",
            registry.address()
        )));

    // ktera pull: the highest version by default, saved as NAME-VERSION.tgz.
    let pulled = work.path().join("pulled");
    ktera()
        .args(["pull", &format!("{remote}/backend"), "--plain-http", "-d"])
        .arg(&pulled)
        .assert()
        .success();
    assert_eq!(
        fs::read(pulled.join("backend-0.2.0.tgz")).expect("pulled"),
        fs::read(&package).expect("package")
    );
    // --untar into --untardir (relative to -d), and the chart renders from there.
    ktera()
        .args(["pull", &format!("{remote}/backend"), "--version", "~0.2"])
        .args(["--plain-http", "--untar", "--untardir", "unpacked", "-d"])
        .arg(&pulled)
        .assert()
        .success();
    let unpacked = pulled.join("unpacked/backend");
    let prod = |chart: &Path| {
        crate::common::stdout_of(&[
            "template",
            chart.to_str().expect("utf-8"),
            "-f",
            concat!(env!("CARGO_MANIFEST_DIR"), "/values/prod.yaml"),
        ])
    };
    assert_eq!(
        prod(&unpacked),
        prod(&Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/backend"))
    );
    ktera()
        .args(["pull", &format!("{remote}/backend"), "--version", "^1"])
        .arg("--plain-http")
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "no version of `backend` meets `^1` (versions: 0.2.0)",
        ));

    let Some(helm) = helm() else { return };
    let home = work.path().join("helm-home");
    let helm_dir = work.path().join("helm-pulled");
    fs::create_dir_all(&helm_dir).expect("helm's destination");
    let output = helm_command(&helm, &home)
        .args(["pull", &format!("{remote}/backend"), "--version", "0.2.0"])
        .args(["--plain-http", "-d"])
        .arg(&helm_dir)
        .output()
        .expect("helm");
    assert!(
        output.status.success(),
        "helm pull: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        fs::read(helm_dir.join("backend-0.2.0.tgz")).expect("helm's pull"),
        fs::read(&package).expect("package")
    );
}

#[test]
fn what_helm_pushes_ktera_pulls() {
    let Some(registry) = Server::registry(None) else {
        return;
    };
    let Some(helm) = helm() else { return };
    let work = TempDir::new().expect("temp dir");
    let home = work.path().join("helm-home");
    // A version with build metadata: Helm tags it 1.2.3_build.5 (a tag cannot hold `+`).
    let chart = work.path().join("demo");
    write(
        &chart,
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: demo\nversion: 1.2.3+build.5\n",
            ),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n",
            ),
        ],
    );
    let run = |args: &[&str]| {
        let output = helm_command(&helm, &home)
            .args(args)
            .current_dir(work.path())
            .output()
            .expect("helm");
        assert!(
            output.status.success(),
            "helm {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&["package", "demo"]);
    let remote = registry.charts();
    run(&["push", "demo-1.2.3+build.5.tgz", &remote, "--plain-http"]);
    let pulled = work.path().join("pulled");
    ktera()
        .args(["pull", &format!("{remote}/demo"), "--plain-http", "-d"])
        .arg(&pulled)
        .assert()
        .success();
    assert_eq!(
        fs::read(pulled.join("demo-1.2.3+build.5.tgz")).expect("pulled"),
        fs::read(work.path().join("demo-1.2.3+build.5.tgz")).expect("helm's package")
    );
    // The tag as the registry holds it works too.
    ktera()
        .args([
            "pull",
            &format!("{remote}/demo:1.2.3_build.5"),
            "--plain-http",
        ])
        .arg("--untar")
        .arg("-d")
        .arg(work.path().join("by-tag"))
        .assert()
        .success();
    assert!(work.path().join("by-tag/demo/templates/cm.yaml").is_file());
}

#[test]
fn credentials_come_from_flags_or_helms_registry_config_and_are_never_printed() {
    let secret = "pa55-w0rd-never-shown";
    let Some(registry) = Server::registry_with_login("alice", secret) else {
        return;
    };
    let work = TempDir::new().expect("temp dir");
    let package = backend_package(work.path());
    let remote = registry.charts();
    let try_push = || {
        let mut command = push(&package, &registry);
        command
            .env_remove("KTERA_REGISTRY_USERNAME")
            .env_remove("KTERA_REGISTRY_PASSWORD")
            .env("HELM_REGISTRY_CONFIG", work.path().join("none.json"))
            .env("DOCKER_CONFIG", work.path().join("no-docker"));
        command
    };
    try_push()
        .assert()
        .code(1)
        .stderr(predicates::str::contains("helm registry login"));
    let wrong = try_push()
        .args(["--username", "alice", "--password", "wrong-guess"])
        .output()
        .expect("run");
    assert_eq!(wrong.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&wrong.stderr).contains("wrong-guess"));

    let flags = try_push()
        .args(["--username", "alice", "--password", secret])
        .output()
        .expect("run");
    assert!(
        flags.status.success(),
        "{}",
        String::from_utf8_lossy(&flags.stderr)
    );

    // Helm's registry config: what `helm registry login` writes (docker-style auths), by Helm
    // itself when it is here.
    let config = work.path().join("registry.json");
    match helm() {
        Some(helm) => {
            let mut login = helm_command(&helm, &work.path().join("helm-home"));
            let output = login
                .env("HELM_REGISTRY_CONFIG", &config)
                .args(["registry", "login", &registry.address(), "--insecure"])
                .args(["--username", "alice", "--password-stdin"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .and_then(|mut child| {
                    use std::io::Write as _;
                    child
                        .stdin
                        .take()
                        .expect("stdin")
                        .write_all(secret.as_bytes())?;
                    child.wait_with_output()
                })
                .expect("helm registry login");
            assert!(
                output.status.success(),
                "helm registry login: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        None => write_registry_login(&config, &registry, "alice", secret),
    }
    let written = fs::read_to_string(&config).expect("the registry config");
    assert!(written.contains(&registry.address()), "{written}");
    let pulled = ktera()
        .args(["pull", &format!("{remote}/backend"), "--plain-http", "-d"])
        .arg(work.path().join("pulled"))
        .env("HELM_REGISTRY_CONFIG", &config)
        .output()
        .expect("run");
    assert!(
        pulled.status.success(),
        "{}",
        String::from_utf8_lossy(&pulled.stderr)
    );
    // The environment works as the flags do.
    let by_env = ktera()
        .args(["pull", &format!("{remote}/backend"), "--plain-http", "-d"])
        .arg(work.path().join("pulled-env"))
        .env("HELM_REGISTRY_CONFIG", work.path().join("none.json"))
        .env("KTERA_REGISTRY_USERNAME", "alice")
        .env("KTERA_REGISTRY_PASSWORD", secret)
        .output()
        .expect("run");
    assert!(
        by_env.status.success(),
        "{}",
        String::from_utf8_lossy(&by_env.stderr)
    );
    assert_never_shown(secret, [&flags, &pulled, &by_env]);
}

#[test]
fn pull_from_a_chart_repository_by_alias_or_url() {
    let repo = Server::chart_repository();
    let work = TempDir::new().expect("temp dir");
    let repositories = work.path().join("repositories.yaml");
    write_repositories(&repositories, &[("fixtures", &repo.url())], None);
    ktera()
        .args(["pull", "fixtures/cache", "--version", "~0.1", "-d"])
        .arg(work.path())
        .env("HELM_REPOSITORY_CONFIG", &repositories)
        .assert()
        .success();
    assert_eq!(
        fs::read(work.path().join("cache-0.1.5.tgz")).expect("pulled"),
        fs::read(chart_sources().join("repo/cache-0.1.5.tgz")).expect("fixture")
    );
    ktera()
        .args(["pull", "cache", "--repo", &repo.url()])
        .args(["--untar", "-d"])
        .arg(work.path())
        .assert()
        .success();
    let chart_yaml = fs::read_to_string(work.path().join("cache/Chart.yaml")).expect("untarred");
    assert!(chart_yaml.contains("version: 0.2.0"), "{chart_yaml}");
    ktera()
        .args(["pull", "nowhere/cache"])
        .env("HELM_REPOSITORY_CONFIG", &repositories)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("helm repo add nowhere URL"));
}

#[test]
fn a_private_repository_gets_the_credentials_of_helms_repositories_file() {
    let secret = "r3po-s3cret-never-shown";
    let repo = Server::http_with_basic_auth(&chart_sources().join("repo"), "bob", secret);
    let url = repo.url();
    let work = TempDir::new().expect("temp dir");
    let repositories = |password: &str| {
        let file = work.path().join(format!("repositories-{password}.yaml"));
        write_repositories(&file, &[("private", &url)], Some(("bob", password)));
        file
    };
    let pull = |args: &[&str], repositories: &Path| {
        ktera()
            .arg("pull")
            .args(args)
            .arg("-d")
            .arg(work.path().join("pulled"))
            .env("HELM_REPOSITORY_CONFIG", repositories)
            .output()
            .expect("run")
    };
    let mut outputs = Vec::new();

    // No credentials: the server's 401, and what to do.
    let none = work.path().join("none.yaml");
    let refused = pull(&["cache", "--repo", &url], &none);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("401") && stderr.contains("helm repo add NAME URL --username"),
        "{stderr}"
    );
    // A wrong password is refused and not shown.
    let wrong = pull(&["private/cache"], &repositories("wrong-guess"));
    assert_eq!(wrong.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&wrong.stderr).contains("wrong-guess"));

    // From the repositories file, as `helm repo add --username --password` keeps them.
    let file = match helm() {
        Some(helm) => {
            let home = work.path().join("helm-home");
            let output = helm_command(&helm, &home)
                .args(["repo", "add", "private", &url, "--username", "bob"])
                .args(["--password", secret])
                .output()
                .expect("helm");
            assert!(
                output.status.success(),
                "helm repo add: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            home.join("repositories.yaml")
        }
        None => repositories(secret),
    };
    let by_alias = pull(&["private/cache", "--version", "0.1.0"], &file);
    assert!(
        by_alias.status.success(),
        "{}",
        String::from_utf8_lossy(&by_alias.stderr)
    );
    assert_eq!(
        fs::read(work.path().join("pulled/cache-0.1.0.tgz")).expect("pulled"),
        fs::read(chart_sources().join("repo/cache-0.1.0.tgz")).expect("fixture")
    );
    outputs.push(by_alias);
    // By URL, the file's entry for that URL gives them too; and the flags do.
    let by_url = pull(&["web", "--repo", &url], &file);
    assert!(
        by_url.status.success(),
        "{}",
        String::from_utf8_lossy(&by_url.stderr)
    );
    outputs.push(by_url);
    let by_flags = pull(
        &[
            "cache",
            "--repo",
            &url,
            "--username",
            "bob",
            "--password",
            secret,
            "--untar",
        ],
        &none,
    );
    assert!(
        by_flags.status.success(),
        "{}",
        String::from_utf8_lossy(&by_flags.stderr)
    );
    outputs.push(by_flags);

    // dependency update through `@private`: the lock names the URL, never the password.
    let app = work.path().join("app");
    write(
        &app,
        &[(
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: cache\n    version: ~0.1.0\n    repository: \"@private\"\n",
        )],
    );
    let update = ktera()
        .args(["dependency", "update"])
        .arg(&app)
        .arg("--repository-config")
        .arg(&file)
        .output()
        .expect("run");
    assert!(
        update.status.success(),
        "{}",
        String::from_utf8_lossy(&update.stderr)
    );
    outputs.push(update);
    let lock = fs::read_to_string(app.join("Chart.lock")).expect("Chart.lock");
    assert!(lock.contains(&format!("repository: {url}\n")), "{lock}");
    assert!(!lock.contains(secret), "{lock}");

    assert_never_shown(secret, &outputs);
}

#[test]
fn a_chart_layer_larger_than_its_manifest_says_is_cut_off() {
    let Some(registry) = Server::registry(None) else {
        return;
    };
    let work = TempDir::new().expect("temp dir");
    push(&backend_package(work.path()), &registry)
        .assert()
        .success();
    // The same manifest under another tag, claiming 100 bytes for the chart layer (the
    // registry checks that the blobs exist, not their sizes).
    let script = r#"
import json, sys, urllib.request
base = sys.argv[1]
media = "application/vnd.oci.image.manifest.v1+json"
get = urllib.request.Request(base + "/manifests/0.2.0", headers={"Accept": media})
manifest = json.load(urllib.request.urlopen(get))
for layer in manifest["layers"]:
    layer["size"] = 100
put = urllib.request.Request(base + "/manifests/0.2.1", method="PUT",
    data=json.dumps(manifest).encode(), headers={"Content-Type": media})
urllib.request.urlopen(put)
"#;
    let status = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(format!("http://{}/v2/charts/backend", registry.address()))
        .status()
        .expect("python3");
    assert!(status.success());
    ktera()
        .args([
            "pull",
            &format!("oci://{}/charts/backend", registry.address()),
        ])
        .args(["--version", "0.2.1", "--plain-http", "-d"])
        .arg(work.path().join("pulled"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "the registry sent more than the 100 bytes the manifest gives for the chart",
        ));
    assert!(!work.path().join("pulled/backend-0.2.1.tgz").exists());
}

/// A credential appears in no output of any command.
fn assert_never_shown<'a>(secret: &str, outputs: impl IntoIterator<Item = &'a Output>) {
    for output in outputs {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!all.contains(secret), "{all}");
    }
}

#[test]
fn untar_writes_the_whole_chart_or_nothing() {
    // A chart whose last file cannot be written (a name longer than the file system allows):
    // nothing of it is left, not even the files before it.
    let work = TempDir::new().expect("temp dir");
    let served = work.path().join("served");
    fs::create_dir_all(&served).expect("mkdir");
    let long_name = format!("templates/{}.yaml", "x".repeat(300));
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, content) in [
        (
            "long/Chart.yaml",
            "apiVersion: v2\nname: long\nversion: 1.0.0\n",
        ),
        (
            "long/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        ),
        (&format!("long/{long_name}"), "# too long a name\n"),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_size(content.len() as u64);
        tar.append_data(&mut header, path, content.as_bytes())
            .expect("append");
    }
    let archive = tar.into_inner().and_then(|g| g.finish()).expect("archive");
    fs::write(served.join("long-1.0.0.tgz"), &archive).expect("write");
    fs::write(
        served.join("index.yaml"),
        "apiVersion: v1\nentries:\n  long:\n  - name: long\n    version: 1.0.0\n    urls: [long-1.0.0.tgz]\n",
    )
    .expect("index");
    let repo = Server::http(&served);
    let into = work.path().join("pulled");
    ktera()
        .args(["pull", "long", "--repo", &repo.url()])
        .args(["--untar", "-d"])
        .arg(&into)
        .assert()
        .code(1);
    assert!(!into.join("long").exists(), "a partial chart was left");
    assert_eq!(
        fs::read_dir(&into).map(|d| d.count()).unwrap_or(0),
        0,
        "nothing is left beside it either"
    );
}

#[test]
fn versions_are_found_on_every_page_of_a_registrys_tag_list() {
    let Some(registry) = Server::registry(None) else {
        return;
    };
    let work = TempDir::new().expect("temp dir");
    // The registry lists tags in lexical order: 1.0.0, 1.1.0, 1.10.0, 2.0.0.
    for version in ["1.0.0", "1.1.0", "1.10.0", "2.0.0"] {
        push_chart(&registry, work.path(), "demo", version, "");
    }
    // Two tags a page, whatever ktera asks for: the highest versions are on the second page.
    let proxy = Server::capping_tag_pages(&registry, 2);
    let pull = |version: Option<&str>| {
        let mut command = ktera();
        command
            .args(["pull", &format!("oci://{}/charts/demo", proxy.address())])
            .arg("--plain-http")
            .arg("-d")
            .arg(work.path().join("pulled"));
        if let Some(v) = version {
            command.args(["--version", v]);
        }
        command.assert().success();
    };
    pull(None);
    assert!(work.path().join("pulled/demo-2.0.0.tgz").is_file());
    pull(Some("^1"));
    assert!(work.path().join("pulled/demo-1.10.0.tgz").is_file());
}

#[test]
fn the_chart_config_blob_is_not_downloaded() {
    // ktera reads the chart from its archive layer; the config (the same metadata as JSON) is
    // never fetched, so no size a manifest claims for it can cost anything. Shown by deleting
    // the config blob from the registry: the chart still pulls.
    let Some(registry) = Server::registry(None) else {
        return;
    };
    let work = TempDir::new().expect("temp dir");
    push_chart(&registry, work.path(), "demo", "1.0.0", "");
    let script = r#"
import json, sys, urllib.request
base = sys.argv[1]
media = "application/vnd.oci.image.manifest.v1+json"
get = urllib.request.Request(base + "/manifests/1.0.0", headers={"Accept": media})
config = json.load(urllib.request.urlopen(get))["config"]["digest"]
urllib.request.urlopen(urllib.request.Request(base + "/blobs/" + config, method="DELETE"))
try:
    urllib.request.urlopen(base + "/blobs/" + config)
    sys.exit("the config blob is still served")
except urllib.error.HTTPError as e:
    assert e.code == 404, e.code
"#;
    let status = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(format!("http://{}/v2/charts/demo", registry.address()))
        .status()
        .expect("python3");
    assert!(status.success());
    ktera()
        .args(["pull", &format!("oci://{}/charts/demo", registry.address())])
        .args(["--version", "1.0.0", "--plain-http", "-d"])
        .arg(work.path().join("pulled"))
        .assert()
        .success();
    assert!(work.path().join("pulled/demo-1.0.0.tgz").is_file());
}
