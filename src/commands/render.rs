//! `ktera render`: every release of every environment of the project file (`ktera.yaml`) into
//! `<output>/<env>/<release>.yaml`, all or nothing; `--check` compares with the tree instead
//! ([`crate::project`] plans, renders, checks and writes; this prints).

use crate::cli::{OutputFormat, RenderArgs};
use crate::diff::ReportOptions;
use crate::error::Error;
use crate::project::plan::{Plan, Problem};
use crate::project::report;
use crate::project::tree::{Scope, Tree};
use crate::project::{Environment, Project};

const EXIT_OK: i32 = 0;
const EXIT_FAILED: i32 = 1;
const EXIT_USAGE: i32 = 2;

/// Runs the command; returns the exit code (0 done or up to date, 1 stale or failed, 2 usage).
pub fn run(args: &RenderArgs) -> i32 {
    match execute(args) {
        Ok(code) => code,
        Err(failure) => {
            for problem in &failure.problems {
                eprintln!("error: {}", report::problem_text(problem));
            }
            if let Some(note) = &failure.note {
                eprintln!("{note}");
            }
            if args.output == OutputFormat::Json {
                // The errors are on standard error already; a closed pipe changes nothing.
                let _ = print_json(&report::problems_json(&failure.problems));
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

fn execute(args: &RenderArgs) -> Result<i32, Failure> {
    let failed = |message: String| Failure::one(EXIT_FAILED, message);
    if let Some(service) = &args.release_service {
        crate::release::check_service(service)
            .map_err(|e| Failure::one(EXIT_USAGE, format!("--release-service: {e}")))?;
    }
    let mut project = Project::load(&args.project).map_err(|e| failed(e.to_string()))?;
    if let Some(service) = &args.release_service {
        for release in project
            .environments
            .iter_mut()
            .flat_map(|e| &mut e.releases)
        {
            release.release.service = service.clone();
        }
    }
    let (environments, scope): (Vec<&Environment>, _) = match &args.env {
        Some(name) => match project.environment(name) {
            Some(env) => (vec![env], Scope::One(name)),
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
        None => (
            project.environments.iter().collect(),
            Scope::All(project.environment_names()),
        ),
    };
    let plan = Plan::new(&project, &environments);
    let files = plan.render().map_err(|problems| Failure {
        code: EXIT_FAILED,
        note: Some(format!(
            "{}; nothing in {} was changed",
            report::count(problems.len(), "error", "errors"),
            project.output.display()
        )),
        problems,
    })?;

    let tree = Tree::read(&project.output, &scope).map_err(failed)?;
    let output = project.output.display().to_string();
    if args.check {
        let check = tree.check(&plan.releases, &files).map_err(failed)?;
        let opts = ReportOptions {
            color: super::use_color(args.output),
            show_secrets: false,
        };
        match args.output {
            OutputFormat::Text => {
                let project = project.path.display().to_string();
                super::print(&report::check_text(&check, &output, &project, &opts))?
            }
            OutputFormat::Json => print_json(&report::check_json(&check, &output, &scope, &opts))?,
        }
        Ok(if check.is_up_to_date() {
            EXIT_OK
        } else {
            EXIT_FAILED
        })
    } else {
        let written = tree.write(&plan.releases, &files).map_err(failed)?;
        match args.output {
            OutputFormat::Text => super::print(&report::written_text(&written, &output))?,
            OutputFormat::Json => print_json(&report::written_json(&written, &output, &scope))?,
        }
        Ok(EXIT_OK)
    }
}

fn print_json(value: &serde_json::Value) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Other(format!("cannot print the JSON summary: {e}")))?;
    super::print(&format!("{text}\n"))
}
