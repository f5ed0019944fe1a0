//! `ktera set`: change values in a values file in place (see [`crate::edit`]).

use super::ExitStatus;
use crate::cli::SetArgs;
use crate::edit::{self, Options, Outcome};
use crate::error::{Error, ErrorKind};
use crate::values::SetKind;

pub fn run(args: &SetArgs) -> Result<ExitStatus, Error> {
    let kind = if args.string {
        SetKind::String
    } else {
        SetKind::Typed
    };
    let mut assignments = Vec::new();
    for arg in &args.assignments {
        // A malformed assignment is a mistake on the command line: a usage error.
        let items = edit::parse_assignment(arg, kind).map_err(|e| e.with_kind(ErrorKind::Usage))?;
        assignments.extend(items);
    }
    let options = Options {
        existing: args.existing,
    };
    let outcome = edit::set_in_file(&args.file, &assignments, options)?;
    let paths: Vec<String> = assignments
        .iter()
        .map(|a| crate::values::PathDisplay(&a.path).to_string())
        .collect();
    let verb = match outcome {
        Outcome::Changed => "updated",
        Outcome::Unchanged => "already up to date:",
    };
    // On standard error: standard output stays free for pipelines.
    eprintln!("{verb} {} ({})", args.file.display(), paths.join(", "));
    Ok(ExitStatus::Success)
}
