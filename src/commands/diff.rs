//! `ktera diff`: semantic comparison of two manifest sets ([`crate::diff`]), printed as text or
//! JSON. Exit codes, as diff(1) and as kubectl expects of `KUBECTL_EXTERNAL_DIFF`: 0 equal,
//! 1 different, 2 error.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;

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

/// kubectl runs `KUBECTL_EXTERNAL_DIFF` split at spaces with its two directories right after
/// the first word and the other words after them (kubernetes/kubectl pkg/cmd/diff/diff.go,
/// `DiffProgram.getCommand`): `KUBECTL_EXTERNAL_DIFF="ktera diff"` runs
/// `ktera /tmp/LIVE-1 /tmp/MERGED-2 diff`. Such a command line (two directories, then `diff`,
/// the first not a subcommand's name) is put back in order as `ktera diff /tmp/LIVE-1
/// /tmp/MERGED-2 ...`; any other is returned as it is.
pub fn kubectl_argument_order(
    mut args: Vec<OsString>,
    is_subcommand: impl Fn(&str) -> bool,
) -> Vec<OsString> {
    let directory = |arg: &OsString| {
        let text = arg.to_string_lossy();
        !text.starts_with('-') && !is_subcommand(&text) && Path::new(arg).is_dir()
    };
    if args.len() >= 4 && args[3] == "diff" && directory(&args[1]) && directory(&args[2]) {
        let diff = args.remove(3);
        args.insert(1, diff);
    }
    args
}
