//! `ktera diff`: semantic comparison of two manifest sets.
//!
//! - Objects are paired by (API group, kind, namespace, name); API version, document order,
//!   key order, quoting, comments and `# Source:` lines do not matter (see [`compare()`]).
//! - Values are compared with their types: `"1"`, `1` and `1.0` all differ; `null` and a
//!   missing key differ.
//! - Each change is a field path with both values: `spec.replicas: 2 -> 3`. Lists whose items
//!   all have a unique `name` are paired by name (`containers[name=backend-app].image`), other
//!   lists by position after aligning equal items (`args[2]`). A list paired by name whose
//!   shared names come in another order is reported as `reordered`.
//! - Secret `data`/`stringData` values are never printed unless asked: only their sizes.
//!
//! Exit codes, as diff(1): 0 equal, 1 different, 2 error.

mod compare;
mod document;
mod error;
mod format;
mod list;
mod load;
mod path;
mod report;
mod secret;
mod split;
mod text;
mod tree;

use std::io::{self, IsTerminal, Write};

pub use compare::compare;
pub use document::{Document, check_unique};
pub use error::DiffError;
pub use load::{STDIN, load_side, parse_manifests};
pub use report::{Counts, RenderOptions, Report};

use crate::cli::{DiffArgs, OutputFormat};

/// Runs `ktera diff`: prints the report, returns the exit code (0 equal, 1 different, 2 error).
pub fn command(args: &DiffArgs) -> i32 {
    match run(args) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(error) => {
            eprintln!("ktera diff: {error}");
            2
        }
    }
}

/// Whether the sides are equal.
fn run(args: &DiffArgs) -> Result<bool, DiffError> {
    if args.left == "-" && args.right == "-" {
        return Err(DiffError::StdinTwice);
    }
    let mut stdin = io::stdin().lock();
    let left = load_side(&args.left, &mut stdin)?;
    let right = load_side(&args.right, &mut stdin)?;
    let report = compare(&left, &right).with_labels(label(&args.left), label(&args.right));

    let stdout = io::stdout();
    let opts = RenderOptions {
        color: args.output == OutputFormat::Text && stdout.is_terminal() && !no_color(),
        show_secrets: args.show_secrets,
    };
    let mut out = io::BufWriter::new(stdout.lock());
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

/// <https://no-color.org>: set to any non-empty value, no colour.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}
