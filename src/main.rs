use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use ktera::cli::{Cli, Command};
use ktera::commands::{self, ExitStatus};
use ktera::error::{Error, ErrorKind};
use ktera::memory;

#[global_allocator]
static ALLOCATOR: memory::CappedAllocator = memory::CappedAllocator;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stopped = stopped_code(&cli.command);
    let result = memory::enable(i32::from(stopped)).and_then(|()| commands::run(&cli.command));
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
