//! `ktera diff`: semantic comparison of two manifest sets ([`crate::diff`]), printed as text or
//! JSON. Exit codes, as diff(1): 0 equal, 1 different, 2 error.

use std::io::{self, Write};

use crate::cli::{DiffArgs, OutputFormat};
use crate::diff::{DiffError, ReportOptions, STDIN, compare, load_side};

/// Runs `ktera diff`: prints the report, returns the exit code (0 equal, 1 different, 2 error).
pub fn run(args: &DiffArgs) -> i32 {
    match diff(args) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(error) => {
            eprintln!("ktera diff: {error}");
            2
        }
    }
}

/// Whether the sides are equal.
fn diff(args: &DiffArgs) -> Result<bool, DiffError> {
    if args.left == "-" && args.right == "-" {
        return Err(DiffError::StdinTwice);
    }
    let mut stdin = io::stdin().lock();
    let left = load_side(&args.left, &mut stdin)?;
    let right = load_side(&args.right, &mut stdin)?;
    let report = compare(&left, &right).with_labels(label(&args.left), label(&args.right));

    let opts = ReportOptions {
        color: super::use_color(args.output),
        show_secrets: args.show_secrets,
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = match args.output {
        OutputFormat::Text => report.write_text(&opts, &mut out),
        OutputFormat::Json => serde_json::to_writer_pretty(&mut out, &report.to_json(&opts))
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
    }
    .and_then(|()| out.flush());
    match written {
        // The reader stopped reading (`| head`); the answer is still known.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
        Err(error) => return Err(DiffError::Output(error)),
        Ok(()) => {}
    }
    Ok(report.is_equal())
}

fn label(arg: &str) -> &str {
    if arg == "-" { STDIN } else { arg }
}
