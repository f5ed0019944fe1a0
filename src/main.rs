use std::process::ExitCode;

use clap::Parser;
use ktera::cli::{Cli, Command};
use ktera::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Template(args) => commands::template::run(args),
        Command::Values(args) => commands::values::run(args),
        Command::Diff(args) => return exit(ktera::diff::command(args)),
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
