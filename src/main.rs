use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use ktera::cli::{Cli, Command};
use ktera::commands::{self, ExitStatus};
use ktera::error::{Error, ErrorKind};
use ktera::memory;

#[global_allocator]
static ALLOCATOR: memory::CappedAllocator = memory::CappedAllocator;

fn main() -> ExitCode {
    let cli = parse();
    let stopped = stopped_code(&cli.command);
    let result = memory::enable(i32::from(stopped)).and_then(|()| commands::run(&cli));
    match result {
        Ok(ExitStatus::Success) => ExitCode::SUCCESS,
        Ok(ExitStatus::Failure) => ExitCode::from(1),
        Err(error) => {
            // Nothing is left to tell when standard error is closed.
            let _ = std::io::stderr().write_all(error.report().as_bytes());
            ExitCode::from(exit_code(&error, stopped))
        }
    }
}

/// The command line, with `-V` and `--version` printing what `ktera version` prints, clap's
/// help and errors coloured as `--color` and the environment say, and kubectl's order of
/// `KUBECTL_EXTERNAL_DIFF`'s arguments understood.
fn parse() -> Cli {
    let version = commands::version::text();
    let command = Cli::command();
    let args = commands::diff::kubectl_argument_order(std::env::args_os().collect(), |name| {
        command.find_subcommand(name).is_some()
    });
    let command = command
        .version(version.clone())
        .long_version(version)
        .color(commands::color::for_clap(commands::color::choice_in_args(
            &args,
        )));
    let matches = command.get_matches_from(args);
    Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}

/// The code for an error that stopped `command` (README "Exit codes"): 2 from `diff`,
/// `compare` and `lint`, whose 1 means "they differ" or "errors found", else 1.
fn stopped_code(command: &Command) -> u8 {
    match command {
        Command::Diff(_) | Command::Compare(_) | Command::Lint(_) => 2,
        _ => 1,
    }
}

/// A usage error is 2 from every command.
fn exit_code(error: &Error, stopped: u8) -> u8 {
    match error.kind() {
        ErrorKind::Usage => 2,
        ErrorKind::Input | ErrorKind::Io => stopped,
    }
}
