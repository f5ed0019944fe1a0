//! `ktera version`, `-V` and `--version`: the facts they print are checked against their
//! sources (the checkout's git commit, Cargo.lock, the schema files in schemas/).

use std::path::Path;
use std::process::Command;

use crate::common::stdout_of;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The commit build.rs should have recorded: HEAD when the crate is the top of a git work tree.
fn expected_commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(REPO)
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--show-toplevel"]) {
        Some(top) if Path::new(&top).canonicalize().ok() == Path::new(REPO).canonicalize().ok() => {
            git(&["rev-parse", "--short=12", "HEAD"]).expect("git rev-parse HEAD")
        }
        _ => "unknown".to_string(),
    }
}

/// `v1.30` .. `v1.36` from the file names in schemas/.
fn shipped_schema_range() -> (String, String) {
    let mut minors: Vec<u64> = std::fs::read_dir(Path::new(REPO).join("schemas"))
        .expect("schemas/")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_prefix("kubernetes-v1.")?
                .strip_suffix(".json.gz")?
                .parse()
                .ok()
        })
        .collect();
    minors.sort_unstable();
    let first = minors.first().expect("schema files");
    let last = minors.last().expect("schema files");
    (format!("v1.{first}"), format!("v1.{last}"))
}

fn locked_tera_version() -> String {
    let lock = std::fs::read_to_string(Path::new(REPO).join("Cargo.lock")).expect("Cargo.lock");
    let mut lines = lock.lines().skip_while(|line| *line != "name = \"tera\"");
    let version_line = lines.nth(1).expect("tera in Cargo.lock");
    version_line
        .trim_start_matches("version = \"")
        .trim_end_matches('"')
        .to_string()
}

#[test]
fn version_tells_commit_tera_and_the_shipped_schema_range() {
    let text = stdout_of(&["version"]);
    let (oldest, newest) = shipped_schema_range();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(format!("ktera {}", env!("CARGO_PKG_VERSION")).as_str())
    );
    let commit = lines.next().expect("commit line");
    assert!(
        commit.starts_with(&format!("commit: {}", expected_commit())),
        "{text}"
    );
    assert_eq!(
        lines.next(),
        Some(format!("tera: {}", locked_tera_version()).as_str())
    );
    assert_eq!(
        lines.next(),
        Some(format!("kubernetes schemas: {oldest} to {newest} (default v1.32)").as_str())
    );
    assert_eq!(lines.next(), None, "{text}");
}

#[test]
fn dash_dash_version_and_dash_v_print_what_version_prints() {
    let text = stdout_of(&["version"]);
    assert_eq!(stdout_of(&["--version"]), text);
    assert_eq!(stdout_of(&["-V"]), text);
}

#[test]
fn version_as_json() {
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(&["version", "-o", "json"])).expect("JSON");
    let (oldest, newest) = shipped_schema_range();
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["commit"], expected_commit().as_str());
    assert_eq!(json["tera"], locked_tera_version().as_str());
    assert_eq!(json["kubernetesSchemas"]["oldest"], oldest.as_str());
    assert_eq!(json["kubernetesSchemas"]["newest"], newest.as_str());
}
