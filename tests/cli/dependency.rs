//! `ktera dependency update|build` against real servers on the loopback address: a chart
//! repository (an index made by `helm repo index`, tests/fixtures/chart-sources/repo, served
//! by Python's http.server), an OCI registry (docker-registry) and file:// paths; and Helm
//! 3.17.3 itself accepting the Chart.lock ktera writes (the same digest) and fetching the same
//! archives.

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::common::servers::{
    Server, chart_sources, helm, helm_command, package_chart, push, push_chart,
    write_registry_login, write_repositories,
};
use crate::common::{copy_dir, ktera, write};

#[test]
fn the_lock_digest_is_helms() {
    // lock/Chart.lock was written by `helm dependency update` (scripts/gen-chart-sources-fixtures).
    let dir = chart_sources().join("lock");
    let chart_yaml: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(dir.join("Chart.yaml")).expect("Chart.yaml"))
            .expect("yaml");
    let mut requirements = chart_yaml["dependencies"]
        .as_sequence()
        .expect("dependencies")
        .clone();
    // Helm hashes `@fixtures` as the URL it names (its repositories file in the generator).
    requirements[1]["repository"] = "http://127.0.0.1:18879".into();
    let lock = ktera::chart::lock::Lock::read(&dir.join("Chart.lock"))
        .expect("read")
        .expect("Chart.lock");
    assert_eq!(
        ktera::chart::lock::digest(Some(&requirements), &lock.dependencies),
        lock.digest
    );
}

/// The app chart: one dependency from each kind of source.
fn app_chart(work: &Path, repo: &Server, registry: &Server, cache_constraint: &str) -> PathBuf {
    copy_dir(&chart_sources().join("src/db"), &work.join("db"));
    let app = work.join("app");
    write(
        &app,
        &[
            (
                "Chart.yaml",
                &format!(
                    "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: cache\n    version: \"{cache_constraint}\"\n    repository: {}\n  - name: web\n    version: ^1\n    repository: \"@fixtures\"\n  - name: db\n    version: ~0.3\n    repository: file://../db\n  - name: queue\n    version: \">=1.0.0 <2.0.0\"\n    repository: {}\n",
                    repo.url(),
                    registry.charts()
                ),
            ),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
            ),
        ],
    );
    write_repositories(
        &work.join("repositories.yaml"),
        &[("fixtures", &repo.url())],
        None,
    );
    app
}

fn dependency(command: &str, app: &Path, work: &Path) -> assert_cmd::assert::Assert {
    ktera()
        .args(["dependency", command])
        .arg(app)
        .arg("--plain-http")
        .arg("--repository-config")
        .arg(work.join("repositories.yaml"))
        .assert()
}

fn archives(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .expect("charts/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, fs::read(&p).expect("read"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn update_and_build_fetch_from_a_repository_a_registry_and_a_path() {
    let Some(registry) = Server::registry(None) else {
        return;
    };
    let repo = Server::chart_repository();
    let work = TempDir::new().expect("temp dir");
    for version in ["1.0.0", "1.1.0", "2.0.0"] {
        push_chart(&registry, work.path(), "queue", version, "");
    }
    let app = app_chart(work.path(), &repo, &registry, "~0.1.0");

    // Before: the hint names the command that fetches them.
    ktera()
        .arg("template")
        .arg(&app)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("ktera dependency build"));

    dependency("update", &app, work.path()).success();
    let charts = app.join("charts");
    let names: Vec<String> = archives(&charts).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "cache-0.1.5.tgz",
            "db-0.3.0.tgz",
            "queue-1.1.0.tgz",
            "web-1.0.0.tgz"
        ]
    );
    // The repository's archive, byte for byte.
    assert_eq!(
        fs::read(charts.join("cache-0.1.5.tgz")).expect("cache"),
        fs::read(chart_sources().join("repo/cache-0.1.5.tgz")).expect("fixture")
    );
    let lock = fs::read_to_string(app.join("Chart.lock")).expect("Chart.lock");
    for line in [
        "- name: cache\n  repository: http://127.0.0.1:",
        "  version: 0.1.5\n",
        "- name: web\n  repository: http://127.0.0.1:",
        "- name: db\n  repository: file://../db\n  version: 0.3.0\n",
        "  version: 1.1.0\n",
    ] {
        assert!(lock.contains(line), "{line:?} not in\n{lock}");
    }
    let rendered = crate::common::stdout_of(&["template", app.to_str().expect("utf-8")]);
    for expected in [
        "name: release-name-cache",
        "chart-version: '0.1.5'",
        "name: release-name-web",
        "name: release-name-db",
        "version: '1.1.0'",
    ] {
        assert!(rendered.contains(expected), "{expected} not in\n{rendered}");
    }

    // build reproduces what the lock names, byte for byte.
    let updated = archives(&charts);
    fs::remove_dir_all(&charts).expect("rm charts");
    dependency("build", &app, work.path()).success();
    assert_eq!(archives(&charts), updated);

    // Helm reads the same lock (same digest) and fetches the same archives from the servers.
    if let Some(helm) = helm() {
        let home = work.path().join("helm-home");
        fs::create_dir_all(&home).expect("helm home");
        fs::copy(
            work.path().join("repositories.yaml"),
            home.join("repositories.yaml"),
        )
        .expect("repositories");
        fs::remove_dir_all(&charts).expect("rm charts");
        let output = helm_command(&helm, &home)
            .args(["dependency", "build", "--plain-http"])
            .arg(&app)
            .output()
            .expect("helm");
        assert!(
            output.status.success(),
            "helm dependency build refused ktera's lock: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let helms = archives(&charts);
        let names: Vec<&String> = helms.iter().map(|(n, _)| n).collect();
        assert_eq!(names, updated.iter().map(|(n, _)| n).collect::<Vec<_>>());
        for ((name, helm_bytes), (_, ktera_bytes)) in helms.iter().zip(&updated) {
            // Helm packages a file:// chart with its own time stamps; the rest is fetched.
            if name != "db-0.3.0.tgz" {
                assert_eq!(helm_bytes, ktera_bytes, "{name}");
            }
        }
    }

    // A changed constraint makes the lock out of date: build refuses, update moves on.
    let chart_yaml = fs::read_to_string(app.join("Chart.yaml")).expect("Chart.yaml");
    fs::write(
        app.join("Chart.yaml"),
        chart_yaml.replace("\"~0.1.0\"", "\"~0.2.0\""),
    )
    .expect("write");
    dependency("build", &app, work.path())
        .code(1)
        .stderr(predicates::str::contains("the lock is out of date"))
        .stderr(predicates::str::contains("ktera dependency update"));
    dependency("update", &app, work.path())
        .success()
        .stderr(predicates::str::contains("removed"));
    let names: Vec<String> = archives(&charts).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names[0], "cache-0.2.0.tgz");
    assert!(!names.contains(&"cache-0.1.5.tgz".to_string()));
}

#[test]
fn an_archive_that_differs_from_the_index_is_refused() {
    let repo = Server::chart_repository();
    let index = repo.root().join("index.yaml");
    let text = fs::read_to_string(&index).expect("index");
    let real =
        ktera::remote::sha256_hex(&fs::read(repo.root().join("web-1.0.0.tgz")).expect("web"));
    fs::write(&index, text.replace(&real, &"0".repeat(64))).expect("write index");
    let work = TempDir::new().expect("temp dir");
    let app = work.path().join("app");
    write(
        &app,
        &[(
            "Chart.yaml",
            &format!(
                "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: web\n    version: 1.0.0\n    repository: {}/\n",
                repo.url()
            ),
        )],
    );
    ktera()
        .args(["dependency", "update"])
        .arg(&app)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(format!(
            "the archive's SHA-256 is {real}, but the repository's index says 0000"
        )));
    // All or nothing: no charts/, no lock.
    assert!(!app.join("charts").exists());
    assert!(!app.join("Chart.lock").exists());
}

#[test]
fn a_lock_of_other_requirements_is_refused_without_the_network() {
    let work = TempDir::new().expect("temp dir");
    copy_dir(&chart_sources().join("lock"), &work.path().join("lock"));
    let chart_yaml = work.path().join("lock/Chart.yaml");
    let text = fs::read_to_string(&chart_yaml).expect("Chart.yaml");
    fs::write(&chart_yaml, text.replace("^1", "^2")).expect("write");
    write_repositories(
        &work.path().join("repositories.yaml"),
        &[("fixtures", "http://127.0.0.1:18879")],
        None,
    );
    ktera()
        .args(["dependency", "build"])
        .arg(work.path().join("lock"))
        .arg("--repository-config")
        .arg(work.path().join("repositories.yaml"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("the lock is out of date"));
}

#[test]
fn build_gets_the_very_archives_update_locked() {
    let Some(registry) = Server::registry(None) else {
        return;
    };
    let repo = Server::chart_repository();
    let work = TempDir::new().expect("temp dir");
    push_chart(&registry, work.path(), "queue", "1.0.0", "");
    let app = work.path().join("app");
    write(
        &app,
        &[(
            "Chart.yaml",
            &format!(
                // The index's own URL names its repository as well.
                "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: web\n    version: 1.0.0\n    repository: {}/index.yaml\n  - name: queue\n    version: 1.0.0\n    repository: {}\n",
                repo.url(),
                registry.charts()
            ),
        )],
    );
    let run = |command: &str| {
        ktera()
            .args(["dependency", command])
            .arg(&app)
            .arg("--plain-http")
            .assert()
    };
    run("update").success();
    let web = fs::read(repo.root().join("web-1.0.0.tgz")).expect("web");
    let lock = fs::read_to_string(app.join("Chart.lock")).expect("Chart.lock");
    let web_digest = format!("sha256:{}", ktera::remote::sha256_hex(&web));
    assert!(
        lock.contains(&format!("  version: 1.0.0\n  digest: {web_digest}\n")),
        "{lock}"
    );
    // The index's digest of the same archive (helm repo index computed it).
    let index = fs::read_to_string(repo.root().join("index.yaml")).expect("index");
    assert!(index.contains(&web_digest["sha256:".len()..]), "{index}");
    let locked_queue = fs::read(app.join("charts/queue-1.0.0.tgz")).expect("queue");
    assert!(lock.contains(&format!(
        "  digest: sha256:{}\n",
        ktera::remote::sha256_hex(&locked_queue)
    )));
    // Helm's digest ignores the archives' digests: the same as for the lock without them.
    let parsed = ktera::chart::lock::Lock::read(&app.join("Chart.lock"))
        .expect("read")
        .expect("lock");
    let bare: Vec<ktera::chart::lock::Locked> = parsed
        .dependencies
        .iter()
        .map(|l| ktera::chart::lock::Locked {
            digest: String::new(),
            ..l.clone()
        })
        .collect();
    let chart_yaml: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(app.join("Chart.yaml")).expect("Chart.yaml"))
            .expect("yaml");
    let requirements = chart_yaml["dependencies"].as_sequence().expect("deps");
    assert_eq!(
        ktera::chart::lock::digest(Some(requirements), &bare),
        parsed.digest
    );
    fs::remove_dir_all(app.join("charts")).expect("rm charts");

    // The repository publishes another web 1.0.0, with an index that matches it: the index
    // check passes, the lock's refuses.
    let other_web = work.path().join("other-web");
    copy_dir(&chart_sources().join("src/web"), &other_web);
    fs::write(other_web.join("values.yaml"), "replicas: 9\n").expect("values");
    ktera()
        .arg("package")
        .arg(&other_web)
        .arg("-d")
        .arg(work.path().join("other"))
        .assert()
        .success();
    let republished = fs::read(work.path().join("other/web-1.0.0.tgz")).expect("other web");
    assert_ne!(republished, web);
    fs::write(repo.root().join("web-1.0.0.tgz"), &republished).expect("republish");
    fs::write(
        repo.root().join("index.yaml"),
        index.replace(
            &web_digest["sha256:".len()..],
            &ktera::remote::sha256_hex(&republished),
        ),
    )
    .expect("index");
    run("build")
        .code(1)
        .stderr(predicates::str::contains(
            "web 1.0.0 from http://127.0.0.1:",
        ))
        .stderr(predicates::str::contains(format!(
            "is not the archive Chart.lock locked: its digest is sha256:{}, the lock's {web_digest}",
            ktera::remote::sha256_hex(&republished)
        )))
        .stderr(predicates::str::contains("ktera dependency update"));
    assert!(!app.join("charts").exists(), "nothing written");

    // Back as it was; now the registry's tag moves to another archive.
    fs::write(repo.root().join("web-1.0.0.tgz"), &web).expect("restore");
    fs::write(repo.root().join("index.yaml"), &index).expect("restore");
    run("build").success();
    push_chart(&registry, work.path(), "queue", "1.0.0", "  moved: 'yes'\n");
    fs::remove_dir_all(app.join("charts")).expect("rm charts");
    run("build")
        .code(1)
        .stderr(predicates::str::contains("queue 1.0.0 from oci://"))
        .stderr(predicates::str::contains(
            "is not the archive Chart.lock locked",
        ));

    // update trusts the new archive and locks it; build follows.
    run("update").success();
    let moved = fs::read(app.join("charts/queue-1.0.0.tgz")).expect("queue");
    assert_ne!(moved, locked_queue);
    let lock = fs::read_to_string(app.join("Chart.lock")).expect("Chart.lock");
    assert!(lock.contains(&ktera::remote::sha256_hex(&moved)), "{lock}");
    assert_eq!(
        ktera::chart::lock::Lock::read(&app.join("Chart.lock"))
            .expect("read")
            .expect("lock")
            .generated,
        parsed.generated,
        "the requirements did not change: Helm's `generated` stays"
    );
    fs::remove_dir_all(app.join("charts")).expect("rm charts");
    run("build").success();
}

#[test]
fn update_without_dependencies_changes_nothing() {
    // Helm's `dependency update` returns at once when Chart.yaml has no `dependencies`: no lock,
    // and the archives of charts/ (put there by hand) stay.
    let work = TempDir::new().expect("temp dir");
    let app = work.path().join("app");
    write(
        &app,
        &[("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\n")],
    );
    fs::create_dir_all(app.join("charts")).expect("charts/");
    fs::copy(
        chart_sources().join("repo/web-1.0.0.tgz"),
        app.join("charts/web-1.0.0.tgz"),
    )
    .expect("copy");
    ktera()
        .args(["dependency", "update"])
        .arg(&app)
        .assert()
        .success()
        .stderr(predicates::str::contains("nothing to fetch"));
    assert!(app.join("charts/web-1.0.0.tgz").is_file());
    assert!(!app.join("Chart.lock").exists());

    // Only a vendored chart directory: locked, and the archive beside it stays too.
    copy_dir(&chart_sources().join("src/db"), &app.join("charts/db"));
    write(
        &app,
        &[(
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: db\n    version: ~0.3\n",
        )],
    );
    ktera()
        .args(["dependency", "update"])
        .arg(&app)
        .assert()
        .success();
    assert!(app.join("charts/web-1.0.0.tgz").is_file());
    let lock = fs::read_to_string(app.join("Chart.lock")).expect("Chart.lock");
    assert!(lock.contains("- name: db\n"), "{lock}");
}

#[test]
fn update_removes_only_other_versions_of_what_it_fetched_and_only_once_the_new_are_in_place() {
    let repo = Server::chart_repository();
    let work = TempDir::new().expect("temp dir");
    let app = work.path().join("app");
    write(
        &app,
        &[(
            "Chart.yaml",
            &format!(
                "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: cache\n    version: ~0.1.0\n    repository: {}\n",
                repo.url()
            ),
        )],
    );
    let charts = app.join("charts");
    fs::create_dir_all(&charts).expect("charts/");
    for archive in ["cache-0.2.0.tgz", "web-1.0.0.tgz"] {
        fs::copy(
            chart_sources().join("repo").join(archive),
            charts.join(archive),
        )
        .expect("copy");
    }

    // The new archive cannot be put in place (a directory holds its name): the update fails,
    // and the archive it would have replaced is still there.
    fs::create_dir_all(charts.join("cache-0.1.5.tgz/in-the-way")).expect("mkdir");
    ktera()
        .args(["dependency", "update"])
        .arg(&app)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("cache-0.1.5.tgz"));
    assert!(charts.join("cache-0.2.0.tgz").is_file());
    assert!(!app.join("Chart.lock").exists());
    let names = |dir: &Path| {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("charts/")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(&charts),
        ["cache-0.1.5.tgz", "cache-0.2.0.tgz", "web-1.0.0.tgz"],
        "nothing staged is left behind"
    );

    // Out of the way: cache 0.1.5 replaces cache 0.2.0; web, not a dependency, stays.
    fs::remove_dir_all(charts.join("cache-0.1.5.tgz")).expect("rm");
    ktera()
        .args(["dependency", "update"])
        .arg(&app)
        .assert()
        .success()
        .stderr(predicates::str::contains("removed"))
        .stderr(predicates::str::contains("cache-0.2.0.tgz"));
    assert_eq!(names(&charts), ["cache-0.1.5.tgz", "web-1.0.0.tgz"]);
}

#[test]
fn a_password_in_a_repository_url_is_not_shown() {
    let repo = Server::chart_repository();
    let work = TempDir::new().expect("temp dir");
    let app = work.path().join("app");
    write(
        &app,
        &[(
            "Chart.yaml",
            &format!(
                "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: nosuch\n    version: ^1\n    repository: http://bob:s3cret-in-url@127.0.0.1:{}\n  - name: other\n    repository: ftp://bob:s3cret-in-url@example.com\n",
                repo.port
            ),
        )],
    );
    let output = ktera()
        .args(["dependency", "update"])
        .arg(&app)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("http://bob:***@127.0.0.1:")
            && stderr.contains("the repository has no chart named `nosuch`"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret-in-url"), "{stderr}");

    // The second dependency's repository is of no known kind: named, without its password.
    write(
        &app,
        &[(
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: other\n    repository: ftp://bob:s3cret-in-url@example.com\n",
        )],
    );
    let output = ktera()
        .args(["dependency", "update"])
        .arg(&app)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ftp://bob:***@example.com"), "{stderr}");
    assert!(!stderr.contains("s3cret-in-url"), "{stderr}");
}

#[test]
fn dependency_commands_take_credentials_per_server_as_helm_does() {
    // Helm's `dependency update` has no --username: one chart's dependencies may come from
    // several servers, each with its own credentials in Helm's files. ktera refuses the flags,
    // and credentials meant for `pull`/`push` (KTERA_REGISTRY_*) go to no dependency's registry.
    let secret = "d3p-s3cret-never-shown";
    let Some(registry) = Server::registry_with_login("alice", secret) else {
        return;
    };
    let work = TempDir::new().expect("temp dir");
    push(&package_chart(work.path(), "queue", "1.0.0", ""), &registry)
        .args(["--username", "alice", "--password", secret])
        .env("HELM_REGISTRY_CONFIG", work.path().join("none.json"))
        .env("DOCKER_CONFIG", work.path().join("no-docker"))
        .assert()
        .success();
    let app = work.path().join("app");
    write(
        &app,
        &[(
            "Chart.yaml",
            &format!(
                "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: queue\n    version: 1.0.0\n    repository: {}\n",
                registry.charts()
            ),
        )],
    );
    let update = |registry_config: &Path| {
        let mut command = ktera();
        command
            .args(["dependency", "update"])
            .arg(&app)
            .arg("--plain-http")
            .env("HELM_REGISTRY_CONFIG", registry_config)
            .env("DOCKER_CONFIG", work.path().join("no-docker"))
            .env_remove("KTERA_REGISTRY_USERNAME")
            .env_remove("KTERA_REGISTRY_PASSWORD");
        command
    };
    let none = work.path().join("none.json");
    update(&none)
        .args(["--username", "alice", "--password", secret])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("takes no --username"))
        .stderr(predicates::str::contains("helm registry login HOST"));
    let by_env = update(&none)
        .env("KTERA_REGISTRY_USERNAME", "alice")
        .env("KTERA_REGISTRY_PASSWORD", secret)
        .output()
        .expect("run");
    assert_eq!(by_env.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&by_env.stderr);
    assert!(stderr.contains("helm registry login HOST"), "{stderr}");
    assert!(!stderr.contains(secret), "{stderr}");
    assert!(!app.join("Chart.lock").exists());

    // Helm's registry config for that host: fetched.
    let config = work.path().join("registry.json");
    write_registry_login(&config, &registry, "alice", secret);
    update(&config).assert().success();
    assert!(app.join("charts/queue-1.0.0.tgz").is_file());
}
