//! `ktera completion SHELL`: the completion script clap_complete generates from the command
//! definitions, so it knows every command and flag there is.

use clap::CommandFactory;

use super::ExitStatus;
use crate::cli::{Cli, CompletionArgs};
use crate::error::Error;

pub fn run(args: &CompletionArgs) -> Result<ExitStatus, Error> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "ktera", &mut script);
    super::print(&String::from_utf8_lossy(&script))?;
    Ok(ExitStatus::Success)
}
