//! `ktera render`: every release of every environment of the project file (`ktera.yaml`) into
//! `<output>/<env>/<release>.yaml`, all or nothing; `--check` compares with the tree instead
//! ([`crate::project`] plans, renders, checks and writes; this prints).

use super::ExitStatus;
use crate::cli::{ColorChoice, OutputFormat, RenderArgs};
use crate::diff::ReportOptions;
use crate::error::{Error, ErrorKind};
use crate::project::plan::{Plan, ReleaseError};
use crate::project::report;
use crate::project::tree::{Scope, Tree};
use crate::project::{Environment, Project};

/// Renders (or checks) the tree; with `-o json`, a run that fails still prints its errors as
/// JSON on standard output (standard error has them as text).
pub fn run(args: &RenderArgs, color: ColorChoice) -> Result<ExitStatus, Error> {
    let json = args.output == OutputFormat::Json;
    let show = |errors: &[ReleaseError<'_, '_>], project: Option<&Project>| {
        if json {
            // A closed pipe changes nothing: the errors are on standard error.
            let _ = print_json(&report::errors_json(errors, project));
        }
    };
    let one = |error: Error, project: Option<&Project>| {
        let errors = [(None, error)];
        show(&errors, project);
        let [(_, error)] = errors;
        error
    };

    if let Some(service) = &args.release_service {
        crate::release::check_service(service)
            .map_err(|e| one(e.prefixed("--release-service"), None))?;
    }
    let mut project = Project::load(&args.project).map_err(|e| one(e, None))?;
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
                let error = Error::usage(format!(
                    "--env {name}: {} has no such environment; its environments are: {}",
                    project.path.display(),
                    project.environment_names().join(", ")
                ));
                return Err(one(error, Some(&project)));
            }
        },
        None => (
            project.environments.iter().collect(),
            Scope::All(project.environment_names()),
        ),
    };
    let plan = Plan::new(&project, &environments);
    let files = plan.render().map_err(|errors| {
        let summary = format!(
            "{}; nothing in {} was changed",
            report::count(errors.len(), "error", "errors"),
            project.output.display()
        );
        show(&errors, Some(&project));
        Error::many(errors.into_iter().map(|(_, e)| e).collect(), summary)
    })?;

    let tree = Tree::read(&project.output, &scope).map_err(|e| one(e, Some(&project)))?;
    let output = project.output.display().to_string();
    if args.check {
        let check = tree
            .check(&plan.releases, &files)
            .map_err(|e| one(e, Some(&project)))?;
        let opts = ReportOptions {
            color: super::color::enabled(color, args.output),
            show_secrets: false,
        };
        match args.output {
            OutputFormat::Text => {
                let project = project.path.display().to_string();
                super::print(&report::check_text(&check, &output, &project, &opts))?
            }
            OutputFormat::Json => print_json(&report::check_json(&check, &output, &scope, &opts))?,
        }
        Ok(ExitStatus::success_if(check.is_up_to_date()))
    } else {
        let written = tree
            .write(&plan.releases, &files)
            .map_err(|e| one(e, Some(&project)))?;
        match args.output {
            OutputFormat::Text => super::print(&report::written_text(&written, &output))?,
            OutputFormat::Json => print_json(&report::written_json(&written, &output, &scope))?,
        }
        Ok(ExitStatus::Success)
    }
}

fn print_json(value: &serde_json::Value) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot print the JSON summary: {e}")))?;
    super::print(&format!("{text}\n"))
}
