//! `ktera render`: every release of every environment of the project file (`ktera.yaml`) into
//! `<output>/<env>/<release>.yaml`, all or nothing; `--check` compares with the tree instead.
//!
//! Each chart is loaded and compiled once however many releases use it; charts compile and
//! releases render on all cores, and results are collected in project order, so the output and
//! the errors do not depend on scheduling.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Map, Value as Json, json};

use crate::cli::{OutputFormat, RenderArgs};
use crate::diff::{self, ReportOptions};
use crate::error::Error;
use crate::manifest::Manifest;
use crate::output;
use crate::pipeline::{self, CompiledChart};
use crate::project::{Project, ReleaseSpec};
use crate::render;

const EXIT_OK: i32 = 0;
const EXIT_FAILED: i32 = 1;
const EXIT_USAGE: i32 = 2;

/// How a file ktera writes starts; only such files (or empty ones) are ever removed.
const RENDERED_PREFIX: &[u8] = b"---\n# Source: ";

/// Runs the command; returns the exit code (0 done or up to date, 1 stale or failed, 2 usage).
pub fn run(args: &RenderArgs) -> i32 {
    match execute(args) {
        Ok(code) => code,
        Err(failure) => {
            for problem in &failure.problems {
                eprintln!("error: {}", problem.text());
            }
            if let Some(note) = &failure.note {
                eprintln!("{note}");
            }
            if args.output == OutputFormat::Json {
                let errors: Vec<Json> = failure.problems.iter().map(Problem::json).collect();
                let summary = json!({ "ok": false, "errors": errors });
                // The errors are on standard error already; a closed pipe changes nothing.
                let _ = print_json(&summary);
            }
            failure.code
        }
    }
}

/// Why the run failed: every problem found, in project order.
struct Failure {
    code: i32,
    problems: Vec<Problem>,
    /// A last line for people, after the problems.
    note: Option<String>,
}

struct Problem {
    /// `dev/backend`, when the problem belongs to one release.
    release: Option<String>,
    /// Where that release is written (`ktera.yaml:7:9`).
    place: Option<String>,
    message: String,
}

impl Problem {
    fn plain(message: impl Into<String>) -> Problem {
        Problem {
            release: None,
            place: None,
            message: message.into(),
        }
    }

    fn text(&self) -> String {
        match (&self.release, &self.place) {
            (Some(release), Some(place)) => format!("{release} ({place}): {}", self.message),
            (Some(release), None) => format!("{release}: {}", self.message),
            _ => self.message.clone(),
        }
    }

    fn json(&self) -> Json {
        json!({ "release": self.release, "place": self.place, "message": self.message })
    }
}

impl Failure {
    fn one(code: i32, message: impl Into<String>) -> Failure {
        Failure {
            code,
            problems: vec![Problem::plain(message)],
            note: None,
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::one(i32::from(error.exit_code()), error.to_string())
    }
}

/// One release to render, and the file it renders to.
struct Job<'p> {
    env: &'p str,
    /// Its position in the environment, to locate it in the project file.
    index: usize,
    spec: &'p ReleaseSpec,
    /// Index into the distinct charts.
    chart: usize,
    /// Relative to the output directory: `dev/backend.yaml`.
    file: String,
}

impl Job<'_> {
    fn label(&self) -> String {
        format!("{}/{}", self.env, self.spec.name())
    }
}

fn execute(args: &RenderArgs) -> Result<i32, Failure> {
    let project =
        Project::load(&args.project).map_err(|e| Failure::one(EXIT_FAILED, e.to_string()))?;
    let environments = match &args.env {
        Some(name) => match project.environment(name) {
            Some(env) => vec![env],
            None => {
                return Err(Failure::one(
                    EXIT_USAGE,
                    format!(
                        "--env {name}: {} has no such environment; its environments are: {}",
                        project.path.display(),
                        project.environment_names().join(", ")
                    ),
                ));
            }
        },
        None => project.environments.iter().collect(),
    };

    // Charts by their real path, so `charts/x` and `./charts/x` compile once.
    let mut charts: Vec<(PathBuf, &Path)> = Vec::new();
    let mut jobs = Vec::new();
    for env in &environments {
        for (index, spec) in env.releases.iter().enumerate() {
            let key = fs::canonicalize(&spec.chart).unwrap_or_else(|_| spec.chart.clone());
            let chart = match charts.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    charts.push((key, &spec.chart));
                    charts.len() - 1
                }
            };
            jobs.push(Job {
                env: &env.name,
                index,
                spec,
                chart,
                file: format!("{}/{}.yaml", env.name, spec.name()),
            });
        }
    }

    let compiled = parallel_map(&charts, &|(_, dir): &(PathBuf, &Path)| {
        pipeline::compile_chart(dir)
    });
    let rendered = parallel_map(&jobs, &|job: &Job<'_>| match compiled.get(job.chart) {
        Some(Some(Ok(chart))) => Some(render_release(chart, job.spec)),
        // Reported once, for the chart.
        _ => None,
    });
    let mut problems = Vec::new();
    for (index, (result, (_, dir))) in compiled.iter().zip(&charts).enumerate() {
        match result {
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                let users: Vec<String> = jobs
                    .iter()
                    .filter(|job| job.chart == index)
                    .map(Job::label)
                    .collect();
                problems.push(Problem::plain(format!(
                    "{e}\n  (chart {} of release {})",
                    dir.display(),
                    users.join(", ")
                )));
            }
            None => problems.push(Problem::plain(format!(
                "compiling chart {} stopped unexpectedly",
                dir.display()
            ))),
        }
    }
    let mut files = Vec::with_capacity(jobs.len());
    for (job, result) in jobs.iter().zip(rendered) {
        let problem = |message: String| Problem {
            release: Some(job.label()),
            place: Some(project.release_place(job.env, job.index)),
            message,
        };
        match result {
            Some(Some(Ok(text))) => files.push((job, text)),
            Some(Some(Err(e))) => problems.push(problem(e.to_string())),
            Some(None) => {}
            None => problems.push(problem("rendering stopped unexpectedly".into())),
        }
    }
    if !problems.is_empty() {
        return Err(Failure {
            code: EXIT_FAILED,
            note: Some(format!(
                "{}; nothing in {} was changed",
                count(problems.len(), "error", "errors"),
                project.output.display()
            )),
            problems,
        });
    }

    let scope = match &args.env {
        Some(env) => Scope::One(env),
        None => Scope::All(project.environment_names()),
    };
    let tree = Tree::read(&project.output, &scope)?;
    if args.check {
        check(args, &project, &tree, &files, &scope)
    } else {
        write(args, &project, &tree, &files, &scope)
    }
}

/// Renders one release to the text of its file.
fn render_release(chart: &CompiledChart, spec: &ReleaseSpec) -> Result<String, Error> {
    // A project's values come from files only; standard input stays untouched.
    let documents = chart.render(&spec.sources, &spec.release, &mut io::empty())?;
    let mut manifests = Vec::with_capacity(documents.crds.len() + documents.manifests.len());
    if spec.include_crds {
        manifests.extend(documents.crds);
    }
    let dropped =
        |m: &Manifest| (spec.no_hooks && m.is_hook()) || (spec.skip_tests && m.is_test_hook());
    manifests.extend(documents.manifests.into_iter().filter(|m| !dropped(m)));
    Ok(output::stream(&manifests))
}

/// Runs `f` over `items` on all cores; results keep the items' order. `None` marks an item
/// whose worker stopped (a bug): the caller reports it instead of guessing.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: &(dyn Fn(&T) -> R + Sync)) -> Vec<Option<R>> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = cores.min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                break;
            };
            done.push((index, f(item)));
        }
        done
    };
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .filter_map(|_| {
                // The render stack, on which each release renders without a thread of its own.
                render::spawn_render_thread(scope, work).ok()
            })
            .collect();
        // No thread could be started (memory limits): work here.
        let mut done = if workers.is_empty() {
            work()
        } else {
            Vec::new()
        };
        for worker in workers {
            if let Ok(part) = worker.join() {
                done.extend(part);
            }
        }
        for (index, result) in done {
            if let Some(slot) = results.get_mut(index) {
                *slot = Some(result);
            }
        }
    });
    results
}

/// Which environment directories of the output this run owns.
enum Scope<'p> {
    /// `--env E`: only `<output>/E`.
    One(&'p str),
    /// Every directory of the output named like an environment; those of environments no
    /// longer in the project are pruned too.
    All(Vec<&'p str>),
}

/// The files of the output tree that ktera rendered before, within the run's scope.
struct Tree {
    /// `dev/backend.yaml`, sorted.
    rendered: Vec<String>,
    /// Directories of environments that are no longer in the project (`staging`).
    orphan_dirs: Vec<String>,
}

impl Tree {
    fn read(output: &Path, scope: &Scope<'_>) -> Result<Tree, Failure> {
        let unreadable = |path: &Path, e: io::Error| {
            Failure::one(EXIT_FAILED, format!("{}: cannot read: {e}", path.display()))
        };
        match fs::metadata(output) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Tree {
                    rendered: Vec::new(),
                    orphan_dirs: Vec::new(),
                });
            }
            Err(e) => return Err(unreadable(output, e)),
            Ok(meta) if !meta.is_dir() => {
                return Err(Failure::one(
                    EXIT_FAILED,
                    format!(
                        "{}: the output must be a directory, but this is a file\n  hint: move the file away or set `output:` in the project file",
                        output.display()
                    ),
                ));
            }
            Ok(_) => {}
        }
        let dirs: Vec<String> = match scope {
            Scope::One(env) => vec![env.to_string()],
            Scope::All(_) => {
                let mut dirs = Vec::new();
                for entry in fs::read_dir(output).map_err(|e| unreadable(output, e))? {
                    let entry = entry.map_err(|e| unreadable(output, e))?;
                    // Symbolic links are not followed: pruning stays inside the tree.
                    let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                    if let Some(name) = entry.file_name().to_str()
                        && is_dir
                        && crate::project::check_env_name(name).is_ok()
                    {
                        dirs.push(name.to_string());
                    }
                }
                dirs
            }
        };
        let mut rendered = Vec::new();
        for dir in &dirs {
            let path = output.join(dir);
            let entries = match fs::read_dir(&path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                other => other.map_err(|e| unreadable(&path, e))?,
            };
            for entry in entries {
                let entry = entry.map_err(|e| unreadable(&path, e))?;
                let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                    continue;
                };
                if is_file && name.ends_with(".yaml") && written_by_ktera(&entry.path()) {
                    rendered.push(format!("{dir}/{name}"));
                }
            }
        }
        rendered.sort();
        let orphan_dirs = match scope {
            Scope::One(_) => Vec::new(),
            Scope::All(envs) => dirs
                .into_iter()
                .filter(|d| !envs.contains(&d.as_str()))
                .collect(),
        };
        Ok(Tree {
            rendered,
            orphan_dirs,
        })
    }
}

/// A file ktera render writes starts with a `# Source:` document, or is empty (a release that
/// renders nothing); anything else in the tree was put there by someone else and is left alone.
fn written_by_ktera(path: &Path) -> bool {
    let mut head = Vec::with_capacity(RENDERED_PREFIX.len());
    let read = fs::File::open(path).and_then(|file| {
        file.take(RENDERED_PREFIX.len() as u64)
            .read_to_end(&mut head)
    });
    read.is_ok() && (head.is_empty() || head == RENDERED_PREFIX)
}

/// What a release's file is, compared with the fresh render.
enum Status {
    UpToDate,
    Stale(Result<diff::Report, String>),
    Missing,
}

fn check(
    args: &RenderArgs,
    project: &Project,
    tree: &Tree,
    files: &[(&Job<'_>, String)],
    scope: &Scope<'_>,
) -> Result<i32, Failure> {
    let mut statuses = Vec::with_capacity(files.len());
    for (job, text) in files {
        let path = project.output.join(&job.file);
        let status = match fs::read(&path) {
            Ok(bytes) if bytes == text.as_bytes() => Status::UpToDate,
            Ok(bytes) => {
                let committed = String::from_utf8_lossy(&bytes);
                Status::Stale(semantic_diff(&committed, &path.display().to_string(), text))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Status::Missing,
            Err(e) => {
                return Err(Failure::one(
                    EXIT_FAILED,
                    format!("{}: cannot read: {e}", path.display()),
                ));
            }
        };
        statuses.push((*job, status));
    }
    let expected: Vec<&str> = files.iter().map(|(job, _)| job.file.as_str()).collect();
    let extra: Vec<&String> = tree
        .rendered
        .iter()
        .filter(|f| !expected.contains(&f.as_str()))
        .collect();
    let count_of = |wanted: fn(&Status) -> bool| statuses.iter().filter(|(_, s)| wanted(s)).count();
    let stale = count_of(|s| matches!(s, Status::Stale(_)));
    let missing = count_of(|s| matches!(s, Status::Missing));
    let ok = stale == 0 && missing == 0 && extra.is_empty();
    let output = project.output.display().to_string();
    let opts = ReportOptions {
        color: super::use_color(args.output),
        show_secrets: false,
    };

    match args.output {
        OutputFormat::Text => {
            let mut out = String::new();
            for (job, status) in &statuses {
                let file = &job.file;
                match status {
                    Status::UpToDate => out.push_str(&format!("{file}: up to date\n")),
                    Status::Missing => out.push_str(&format!(
                        "{file}: missing (release {} of environment {})\n",
                        job.spec.name(),
                        job.env
                    )),
                    Status::Stale(Ok(report)) if report.is_equal() => out.push_str(&format!(
                        "{file}: stale (the objects are equal; formatting, comments or order differ)\n"
                    )),
                    Status::Stale(Ok(report)) => {
                        out.push_str(&format!("{file}: stale\n"));
                        let mut text = Vec::new();
                        // Writing into memory cannot fail.
                        let _ = report.write_text(&opts, &mut text);
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
            for file in &extra {
                out.push_str(&format!(
                    "{file}: extra (no such release in {}; ktera render removes it)\n",
                    project.path.display()
                ));
            }
            if ok {
                out.push_str(&format!(
                    "{output}: up to date ({})\n",
                    count(statuses.len(), "file", "files")
                ));
            } else {
                let parts: Vec<String> = [
                    (stale, "stale"),
                    (missing, "missing"),
                    (extra.len(), "extra"),
                ]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, what)| format!("{n} {what}"))
                .collect();
                out.push_str(&format!(
                    "{output} is stale: {}\n  hint: run `ktera render` and commit the result\n",
                    parts.join(", ")
                ));
            }
            super::print(&out)?;
        }
        OutputFormat::Json => {
            let mut stale_json = Vec::new();
            let mut missing_json = Vec::new();
            for (job, status) in &statuses {
                match status {
                    Status::Stale(report) => {
                        let (diff, error) = match report {
                            Ok(report) => (report.to_json(&opts), Json::Null),
                            Err(e) => (Json::Null, json!(e)),
                        };
                        stale_json.push(json!({
                            "file": job.file,
                            "environment": job.env,
                            "release": job.spec.name(),
                            "diff": diff,
                            "error": error,
                        }));
                    }
                    Status::Missing => missing_json.push(json!(job.file)),
                    Status::UpToDate => {}
                }
            }
            let environments = environments_json(
                scope,
                statuses.iter().map(|(job, status)| {
                    let name = match status {
                        Status::UpToDate => "up_to_date",
                        Status::Stale(_) => "stale",
                        Status::Missing => "missing",
                    };
                    (*job, name)
                }),
            );
            print_json(&json!({
                "check": true,
                "output": output,
                "environments": environments,
                "stale": stale_json,
                "missing": missing_json,
                "extra": extra,
                "ok": ok,
            }))?;
        }
    }
    Ok(if ok { EXIT_OK } else { EXIT_FAILED })
}

/// The committed file against the fresh render, as `ktera diff` compares them.
fn semantic_diff(committed: &str, label: &str, fresh: &str) -> Result<diff::Report, String> {
    const FRESH: &str = "ktera render";
    let left = diff::parse_manifests(committed, label).map_err(|e| e.to_string())?;
    let right = diff::parse_manifests(fresh, FRESH).map_err(|e| e.to_string())?;
    Ok(diff::compare(&left, &right).with_labels(label, FRESH))
}

fn write(
    args: &RenderArgs,
    project: &Project,
    tree: &Tree,
    files: &[(&Job<'_>, String)],
    scope: &Scope<'_>,
) -> Result<i32, Failure> {
    let out = &project.output;
    let mut changed = Vec::new();
    let mut statuses = Vec::with_capacity(files.len());
    for (job, text) in files {
        // Unchanged files are not rewritten: their times stay, and so does a build's cache.
        let same = fs::read(out.join(&job.file)).is_ok_and(|bytes| bytes == text.as_bytes());
        if !same {
            changed.push((PathBuf::from(&job.file), text.clone()));
        }
        statuses.push((*job, if same { "unchanged" } else { "written" }));
    }
    output::write_all(out, &changed).map_err(Error::from)?;

    // Only now that every new file is in place: the files of releases that are gone.
    let expected: Vec<&str> = files.iter().map(|(job, _)| job.file.as_str()).collect();
    let mut removed = Vec::new();
    for file in &tree.rendered {
        if expected.contains(&file.as_str()) {
            continue;
        }
        let path = out.join(file);
        fs::remove_file(&path).map_err(|e| {
            Failure::one(
                EXIT_FAILED,
                format!(
                    "{}: cannot remove the file of a release that is gone: {e}\n  hint: the new files are in place; remove it by hand",
                    path.display()
                ),
            )
        })?;
        removed.push(file.as_str());
    }
    if let Scope::All(_) = scope {
        for dir in &tree.orphan_dirs {
            // Left in place when something else is still in it.
            let _ = fs::remove_dir(out.join(dir));
        }
    }

    let with = |wanted: &str| -> Vec<&str> {
        statuses
            .iter()
            .filter(|(_, s)| *s == wanted)
            .map(|(job, _)| job.file.as_str())
            .collect()
    };
    let (written, unchanged) = (with("written"), with("unchanged"));
    let output = out.display().to_string();
    match args.output {
        OutputFormat::Text => {
            let mut text = String::new();
            for (job, status) in &statuses {
                text.push_str(&format!("{}: {status}\n", job.file));
            }
            for file in &removed {
                text.push_str(&format!("{file}: removed\n"));
            }
            let parts: Vec<String> = [
                (written.len(), "written"),
                (unchanged.len(), "unchanged"),
                (removed.len(), "removed"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
            let summary = if parts.is_empty() {
                "nothing to render".to_string()
            } else {
                parts.join(", ")
            };
            text.push_str(&format!("{output}: {summary}\n"));
            super::print(&text)?;
        }
        OutputFormat::Json => {
            let environments = environments_json(scope, statuses.iter().copied());
            print_json(&json!({
                "check": false,
                "output": output,
                "environments": environments,
                "written": written,
                "unchanged": unchanged,
                "removed": removed,
                "ok": true,
            }))?;
        }
    }
    Ok(EXIT_OK)
}

/// `{"dev": {"backend": {"file": "dev/backend.yaml", "status": "..."}}}`, in project order.
fn environments_json<'a, 'p: 'a>(
    scope: &Scope<'_>,
    statuses: impl Iterator<Item = (&'a Job<'p>, &'a str)>,
) -> Json {
    let mut environments = Map::new();
    // Environments without releases are listed too.
    let names = match scope {
        Scope::One(env) => vec![*env],
        Scope::All(envs) => envs.clone(),
    };
    for name in names {
        environments.insert(name.to_string(), Json::Object(Map::new()));
    }
    for (job, status) in statuses {
        let env = environments
            .entry(job.env.to_string())
            .or_insert_with(|| Json::Object(Map::new()));
        if let Json::Object(releases) = env {
            releases.insert(
                job.spec.name().to_string(),
                json!({ "file": job.file, "status": status }),
            );
        }
    }
    Json::Object(environments)
}

fn print_json(value: &Json) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Other(format!("cannot print the JSON summary: {e}")))?;
    super::print(&format!("{text}\n"))
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
