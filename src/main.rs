use std::process::ExitCode;

use clap::Parser;
use ktera::cli::{Cli, Command};
use ktera::{commands, memory};

#[global_allocator]
static ALLOCATOR: memory::CappedAllocator = memory::CappedAllocator;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The code these commands give for an error that stopped them (docs: EXIT_CODES).
    let error_code = match &cli.command {
        Command::Diff(_) | Command::Compare(_) | Command::Lint(_) => 2,
        _ => 1,
    };
    if let Err(message) = memory::enable(error_code) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let result = match &cli.command {
        Command::Template(args) => commands::template::run(args),
        Command::Values(args) => commands::values::run(args),
        Command::Diff(args) => return exit(commands::diff::run(args)),
        Command::Compare(args) => return exit(commands::compare::run(args)),
        Command::Render(args) => return exit(commands::render::run(args)),
        Command::Set(args) => commands::set::run(args),
        Command::Lint(args) => return exit(commands::lint::run(args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
