//! Chart archives: `ktera package` (reproducible, loadable by Helm), charts rendered from a
//! `.tgz` as CHART and under `charts/` (as `helm package` and `helm dependency build` leave
//! them), and archives that could harm refused with a clear error.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::common::servers::{helm, helm_command};
use crate::common::{copy_dir, ktera, stdout_of, write};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn package(chart: &Path, into: &Path) -> PathBuf {
    ktera()
        .arg("package")
        .arg(chart)
        .arg("-d")
        .arg(into)
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "Successfully packaged chart and saved it to: ",
        ));
    fs::read_dir(into)
        .expect("destination")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "tgz"))
        .expect("an archive")
}

#[test]
fn a_package_is_reproducible_and_renders_as_its_directory() {
    let work = TempDir::new().expect("temp dir");
    let first = package(&repo_root().join("charts/backend"), &work.path().join("a"));
    assert_eq!(
        first.file_name().and_then(|n| n.to_str()),
        Some("backend-0.2.0.tgz")
    );
    // A copy elsewhere, with other times and modes on its files: the same bytes.
    let copy = work.path().join("copy/backend");
    copy_dir(&repo_root().join("charts/backend"), &copy);
    let values = fs::File::options()
        .write(true)
        .open(copy.join("values.yaml"))
        .expect("values.yaml");
    values
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(978_307_200))
        .expect("set the time");
    {
        use std::os::unix::fs::PermissionsExt as _;
        values
            .set_permissions(fs::Permissions::from_mode(0o600))
            .expect("chmod");
    }
    let second = package(&copy, &work.path().join("b"));
    assert_eq!(fs::read(&first).expect("a"), fs::read(&second).expect("b"));

    for values in ["values/prod.yaml", "values/dev.yaml"] {
        let values = repo_root().join(values);
        let render = |chart: &Path| {
            stdout_of(&[
                "template",
                chart.to_str().expect("utf-8"),
                "-f",
                values.to_str().expect("utf-8"),
            ])
        };
        assert_eq!(render(&first), render(&repo_root().join("charts/backend")));
    }

    // Helm loads it: the chart's metadata as Helm reads it from the archive.
    if let Some(helm) = helm() {
        let output = helm_command(&helm, work.path())
            .args(["show", "chart"])
            .arg(&first)
            .output()
            .expect("helm");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let shown = String::from_utf8_lossy(&output.stdout);
        assert!(
            shown.contains("name: backend") && shown.contains("version: 0.2.0"),
            "{shown}"
        );
    }
}

#[test]
fn helmignore_and_hidden_templates_stay_out_and_file_dependencies_go_in() {
    let work = TempDir::new().expect("temp dir");
    write(
        work.path(),
        &[
            (
                "app/Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: db\n    repository: file://../db\n",
            ),
            ("app/.helmignore", "secrets/\n*.bak\n"),
            ("app/secrets/key.txt", "no"),
            ("app/notes.bak", "no"),
            ("app/templates/.swp", "no"),
            (
                "app/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
            ),
            ("app/config/app.conf", "yes"),
            (
                "db/Chart.yaml",
                "apiVersion: v2\nname: db\nversion: 0.3.0\n",
            ),
            (
                "db/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\n",
            ),
        ],
    );
    let archive = package(&work.path().join("app"), &work.path().join("out"));
    let listed = std::process::Command::new("tar")
        .arg("tzf")
        .arg(&archive)
        .output()
        .expect("tar");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert_eq!(
        listed,
        "app/.helmignore\napp/Chart.yaml\napp/charts/db/Chart.yaml\napp/charts/db/templates/cm.yaml\napp/config/app.conf\napp/templates/cm.yaml\n"
    );
    // The archive renders on its own: the file:// dependency travels inside.
    let out = stdout_of(&["template", archive.to_str().expect("utf-8")]);
    assert!(out.contains("name: db"), "{out}");
}

#[test]
fn archives_in_charts_render_as_helm_dependency_build_leaves_them() {
    let fixtures = repo_root().join("tests/fixtures/chart-sources/repo");
    let (_tmp, app) = crate::common::chart_named(
        "app",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: cache\n    version: ~0.1.0\n    repository: https://charts.example.com\n  - name: web\n    alias: front\n    version: 1.0.0\n    repository: https://charts.example.com\n",
            ),
            ("values.yaml", "front:\n  replicas: 3\n"),
        ],
    );
    fs::create_dir_all(app.join("charts")).expect("charts/");
    // Archives `helm package` made (the repository fixtures).
    for name in ["cache-0.1.5.tgz", "web-1.0.0.tgz"] {
        fs::copy(fixtures.join(name), app.join("charts").join(name)).expect("copy");
    }
    // As CHART, one of them renders as its own chart.
    let web = stdout_of(&[
        "template",
        fixtures.join("web-1.0.0.tgz").to_str().expect("utf-8"),
        "--set",
        "replicas=2",
    ]);
    assert!(
        web.contains("# Source: web/templates/configmap.yaml")
            && web.contains("name: release-name-web")
            && web.contains("replicas: '2'"),
        "{web}"
    );
    let out = stdout_of(&["template", app.to_str().expect("utf-8")]);
    assert!(
        out.contains("# Source: app/charts/cache/templates/service.yaml"),
        "{out}"
    );
    assert!(out.contains("chart-version: '0.1.5'"), "{out}");
    assert!(
        out.contains("# Source: app/charts/front/templates/configmap.yaml"),
        "{out}"
    );
    assert!(out.contains("replicas: '3'"), "{out}");

    // A second version of the same chart: which one is meant is said, not guessed.
    fs::copy(
        fixtures.join("cache-0.1.0.tgz"),
        app.join("charts/cache-0.1.0.tgz"),
    )
    .expect("copy");
    ktera()
        .arg("template")
        .arg(&app)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "charts/ holds more than one chart named `cache`",
        ));
}

/// A gzip-compressed tar of raw entries: (name, type flag, link target, content).
fn hostile(entries: &[(&str, u8, &str, &[u8])]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, kind, link, content) in entries {
        let mut header = [0u8; 512];
        header[..name.len()].copy_from_slice(name.as_bytes());
        header[100..107].copy_from_slice(b"0000644");
        header[108..115].copy_from_slice(b"0000000");
        header[116..123].copy_from_slice(b"0000000");
        header[124..135].copy_from_slice(format!("{:011o}", content.len()).as_bytes());
        header[136..147].copy_from_slice(b"00000000000");
        header[156] = *kind;
        header[157..157 + link.len()].copy_from_slice(link.as_bytes());
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
        header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        tar.extend_from_slice(&header);
        tar.extend_from_slice(content);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.resize(tar.len() + 1024, 0);
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&tar).expect("gzip");
    gzip.finish().expect("gzip")
}

#[test]
fn archives_that_could_harm_are_refused() {
    let chart_yaml: &[u8] = b"apiVersion: v2\nname: app\nversion: 1.0.0\n";
    let zeros = vec![0u8; 15 * 1024 * 1024];
    let mut bomb: Vec<(String, u8, &str, &[u8])> =
        vec![("app/Chart.yaml".into(), b'0', "", chart_yaml)];
    for i in 0..8 {
        bomb.push((format!("app/files/zeros-{i}"), b'0', "", &zeros));
    }
    let bomb: Vec<(&str, u8, &str, &[u8])> = bomb
        .iter()
        .map(|(n, k, l, c)| (n.as_str(), *k, *l, *c))
        .collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "parent",
            hostile(&[
                ("app/Chart.yaml", b'0', "", chart_yaml),
                ("app/../../etc/cron.d/x", b'0', "", b"x"),
            ]),
            "`app/../../etc/cron.d/x` leads out of the chart with `..`",
        ),
        (
            "absolute",
            hostile(&[("/app/Chart.yaml", b'0', "", chart_yaml)]),
            "`/app/Chart.yaml` is an absolute path",
        ),
        (
            "symlink",
            hostile(&[
                ("app/Chart.yaml", b'0', "", chart_yaml),
                ("app/values.yaml", b'2', "/etc/passwd", b""),
            ]),
            "`app/values.yaml` is a link",
        ),
        (
            "hardlink",
            hostile(&[
                ("app/Chart.yaml", b'0', "", chart_yaml),
                ("app/x", b'1', "/etc/shadow", b""),
            ]),
            "`app/x` is a link",
        ),
        (
            "device",
            hostile(&[
                ("app/Chart.yaml", b'0', "", chart_yaml),
                ("app/tty", b'3', "", b""),
            ]),
            "`app/tty` is not a regular file",
        ),
        (
            "two-tops",
            hostile(&[
                ("app/Chart.yaml", b'0', "", chart_yaml),
                ("other/Chart.yaml", b'0', "", chart_yaml),
            ]),
            "more than one top directory (`app` and `other`)",
        ),
        (
            "duplicate",
            hostile(&[
                ("app/Chart.yaml", b'0', "", chart_yaml),
                ("app/Chart.yaml", b'0', "", b"name: evil\n"),
            ]),
            "`app/Chart.yaml` is in the archive twice",
        ),
        ("bomb", hostile(&bomb), "unpacks to more than 100 MiB"),
        (
            "yaml",
            b"apiVersion: v2\n".to_vec(),
            "not a chart archive (not gzip-compressed)",
        ),
    ];
    let work = TempDir::new().expect("temp dir");
    for (name, bytes, expected) in cases {
        let path = work.path().join(format!("{name}.tgz"));
        fs::write(&path, &bytes).expect("write");
        let output = ktera().arg("template").arg(&path).output().expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{}: ", path.display())) && stderr.contains(expected),
            "{name}: {stderr}"
        );
        // Under charts/ of a chart directory, the same.
        let parent = work.path().join(format!("parent-{name}"));
        write(
            &parent,
            &[(
                "Chart.yaml",
                "apiVersion: v2\nname: parent\nversion: 1.0.0\n",
            )],
        );
        fs::create_dir_all(parent.join("charts")).expect("charts/");
        fs::write(parent.join("charts").join(format!("{name}.tgz")), &bytes).expect("write");
        ktera()
            .arg("template")
            .arg(&parent)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(expected));
    }
}

#[test]
fn a_malformed_source_date_epoch_stops_the_package() {
    // reproducible-builds.org: a malformed SOURCE_DATE_EPOCH should fail the build, not be
    // replaced by another time.
    let work = TempDir::new().expect("temp dir");
    for value in ["-1", "1.5", "yesterday"] {
        ktera()
            .arg("package")
            .arg(repo_root().join("charts/backend"))
            .arg("-d")
            .arg(work.path())
            .env("SOURCE_DATE_EPOCH", value)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(format!(
                "SOURCE_DATE_EPOCH is `{value}`"
            )))
            .stderr(predicates::str::contains("date +%s"));
    }
    assert_eq!(fs::read_dir(work.path()).expect("dir").count(), 0);
    // A valid one is every entry's time.
    ktera()
        .arg("package")
        .arg(repo_root().join("charts/backend"))
        .arg("-d")
        .arg(work.path())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .assert()
        .success();
    let bytes = fs::read(work.path().join("backend-0.2.0.tgz")).expect("archive");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    for entry in archive.entries().expect("entries") {
        let entry = entry.expect("entry");
        assert_eq!(entry.header().mtime().expect("mtime"), 1_700_000_000);
    }
}
