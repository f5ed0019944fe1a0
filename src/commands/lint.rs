//! `ktera lint` (being written).

/// Exit code: 0 clean, 1 findings, 2 error.
pub fn run(_args: &crate::cli::LintArgs) -> i32 {
    eprintln!("error: ktera lint is not available yet");
    2
}
