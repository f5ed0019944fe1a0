use std::process::ExitCode;

use clap::Parser;
use ktera::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Diff(args) => ktera::diff::command(&args),
        _ => {
            eprintln!("not available yet");
            1
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
