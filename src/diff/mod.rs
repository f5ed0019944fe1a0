//! Semantic diff of two manifest sets (being written).

use crate::cli::DiffArgs;

/// Runs `ktera diff`: prints the report, returns the exit code (0 equal, 1 different, 2 error).
pub fn command(_args: &DiffArgs) -> i32 {
    eprintln!("ktera diff: not available yet");
    2
}
