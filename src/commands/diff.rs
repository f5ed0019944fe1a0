//! `ktera diff`: semantic comparison of two manifest sets ([`crate::diff`]), printed as text or
//! JSON. Exit codes, as diff(1): 0 equal, 1 different, 2 error.

use std::io::{self, Write};

use super::ExitStatus;
use crate::cli::{ColorChoice, DiffArgs, OutputFormat};
use crate::diff::{ReportOptions, STDIN, compare, load_side};
use crate::error::Error;

/// Prints the report; the status says whether the sides are equal.
pub fn run(args: &DiffArgs, color: ColorChoice) -> Result<ExitStatus, Error> {
    if args.left == "-" && args.right == "-" {
        return Err(Error::usage(
            "both sides are - (standard input); at most one side can be read from standard input",
        ));
    }
    let mut stdin = io::stdin().lock();
    let left = load_side(&args.left, &mut stdin)?;
    let right = load_side(&args.right, &mut stdin)?;
    let report = compare(&left, &right).with_labels(label(&args.left), label(&args.right));

    let opts = ReportOptions {
        color: super::color::enabled(color, args.output),
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
        Err(error) => {
            return Err(Error::io(
                format!("cannot write the report: {error}"),
                error,
            ));
        }
        Ok(()) => {}
    }
    Ok(ExitStatus::success_if(report.is_equal()))
}

fn label(arg: &str) -> &str {
    if arg == "-" { STDIN } else { arg }
}
