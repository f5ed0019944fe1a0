//! What a project render did, for people (text) and machines (JSON): each release's file and
//! its status, a summary line, and the errors that stopped a run.

use serde_json::{Map, Value as Json, json};

use super::Project;
use super::plan::{PlannedRelease, ReleaseError};
use super::tree::{Check, Scope, Status, Written};
use crate::diff::ReportOptions;

/// `{"ok": false, "errors": [{"release": "dev/backend", "place": "ktera.yaml:7:9", "message":
/// ...}]}`; `release` and `place` are null for an error that belongs to no one release.
pub fn errors_json(errors: &[ReleaseError<'_, '_>], project: Option<&Project>) -> Json {
    let errors: Vec<Json> = errors
        .iter()
        .map(|(release, error)| {
            let place = release
                .zip(project)
                .map(|(r, p)| p.release_place(r.env, r.index));
            json!({
                "release": release.map(PlannedRelease::label),
                "place": place,
                "message": error.to_string(),
            })
        })
        .collect();
    json!({ "ok": false, "errors": errors })
}

/// Each file's status (a stale one with its semantic diff, indented), then a summary line.
pub fn check_text(
    check: &Check<'_, '_>,
    output: &str,
    project: &str,
    opts: &ReportOptions,
) -> String {
    let mut out = String::new();
    for (release, status) in &check.statuses {
        let file = &release.file;
        match status {
            Status::UpToDate => out.push_str(&format!("{file}: up to date\n")),
            Status::Missing => out.push_str(&format!(
                "{file}: missing (release {} of environment {})\n",
                release.spec.name(),
                release.env
            )),
            Status::Stale(Ok(report)) if report.is_equal() => out.push_str(&format!(
                "{file}: stale (the objects are equal; formatting, comments or order differ)\n"
            )),
            Status::Stale(Ok(report)) => {
                out.push_str(&format!("{file}: stale\n"));
                let mut text = Vec::new();
                // Writing into memory cannot fail.
                let _ = report.write_text(opts, &mut text);
                for line in String::from_utf8_lossy(&text).lines() {
                    out.push_str("    ");
                    out.push_str(line);
                    out.push('\n');
                }
            }
            Status::Stale(Err(e)) => {
                out.push_str(&format!("{file}: stale (cannot compare: {e})\n"))
            }
        }
    }
    for file in &check.extra {
        out.push_str(&format!(
            "{file}: extra (no such release in {project}; ktera render removes it)\n"
        ));
    }
    push_left(&mut out, &check.left);
    if check.is_up_to_date() {
        out.push_str(&format!(
            "{output}: up to date ({})\n",
            count(check.statuses.len(), "file", "files")
        ));
    } else {
        let stale = check.count(|s| matches!(s, Status::Stale(_)));
        let missing = check.count(|s| matches!(s, Status::Missing));
        out.push_str(&format!(
            "{output} is stale: {}\n  hint: run `ktera render` and commit the result\n",
            summary(&[
                (stale, "stale"),
                (missing, "missing"),
                (check.extra.len(), "extra")
            ])
        ));
    }
    out
}

pub fn check_json(
    check: &Check<'_, '_>,
    output: &str,
    scope: &Scope<'_>,
    opts: &ReportOptions,
) -> Json {
    let mut stale = Vec::new();
    let mut missing = Vec::new();
    for (release, status) in &check.statuses {
        match status {
            Status::Stale(report) => {
                let (diff, error) = match report {
                    Ok(report) => (report.to_json(opts), Json::Null),
                    Err(e) => (Json::Null, json!(e.to_string())),
                };
                stale.push(json!({
                    "file": release.file,
                    "environment": release.env,
                    "release": release.spec.name(),
                    "diff": diff,
                    "error": error,
                }));
            }
            Status::Missing => missing.push(json!(release.file)),
            Status::UpToDate => {}
        }
    }
    let statuses = check.statuses.iter().map(|(release, status)| {
        let name = match status {
            Status::UpToDate => "up_to_date",
            Status::Stale(_) => "stale",
            Status::Missing => "missing",
        };
        (*release, name)
    });
    json!({
        "check": true,
        "output": output,
        "environments": environments_json(scope, statuses),
        "stale": stale,
        "missing": missing,
        "extra": check.extra,
        "left": left_json(&check.left),
        "ok": check.is_up_to_date(),
    })
}

/// Each file and what was done to it, then a summary line.
pub fn written_text(written: &Written<'_, '_>, output: &str) -> String {
    let mut text = String::new();
    for (release, status) in &written.statuses {
        text.push_str(&format!("{}: {status}\n", release.file));
    }
    for file in &written.removed {
        text.push_str(&format!("{file}: removed\n"));
    }
    push_left(&mut text, &written.left);
    let parts = summary(&[
        (written.with("written").len(), "written"),
        (written.with("unchanged").len(), "unchanged"),
        (written.removed.len(), "removed"),
    ]);
    let parts = if parts.is_empty() {
        "nothing to render".to_string()
    } else {
        parts
    };
    text.push_str(&format!("{output}: {parts}\n"));
    text
}

pub fn written_json(written: &Written<'_, '_>, output: &str, scope: &Scope<'_>) -> Json {
    json!({
        "check": false,
        "output": output,
        "environments": environments_json(scope, written.statuses.iter().copied()),
        "written": written.with("written"),
        "unchanged": written.with("unchanged"),
        "removed": written.removed,
        "left": left_json(&written.left),
        "ok": true,
    })
}

/// What ktera did not write, one line each: `dev/notes.md: left in place (not written by ktera)`.
fn push_left(out: &mut String, left: &[(&str, &str)]) {
    for (file, why) in left {
        out.push_str(&format!("{file}: left in place ({why})\n"));
    }
}

/// `[{"file": "dev/notes.md", "reason": "not written by ktera"}]`.
fn left_json(left: &[(&str, &str)]) -> Json {
    left.iter()
        .map(|(file, why)| json!({ "file": file, "reason": why }))
        .collect()
}

/// `{"dev": {"backend": {"file": "dev/backend.yaml", "status": "..."}}}`, in project order.
fn environments_json<'a, 'p: 'a>(
    scope: &Scope<'_>,
    statuses: impl Iterator<Item = (&'a PlannedRelease<'p>, &'a str)>,
) -> Json {
    let mut environments = Map::new();
    // Environments without releases are listed too.
    for name in scope.environments() {
        environments.insert(name.to_string(), Json::Object(Map::new()));
    }
    for (release, status) in statuses {
        let env = environments
            .entry(release.env.to_string())
            .or_insert_with(|| Json::Object(Map::new()));
        if let Json::Object(releases) = env {
            releases.insert(
                release.spec.name().to_string(),
                json!({ "file": release.file, "status": status }),
            );
        }
    }
    Json::Object(environments)
}

/// `2 stale, 1 extra`: the counts that are not zero.
fn summary(counts: &[(usize, &str)]) -> String {
    counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
