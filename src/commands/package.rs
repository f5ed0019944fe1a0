//! `ktera package`: a chart directory as a reproducible chart archive (see
//! [`crate::chart::package`]).

use super::ExitStatus;
use crate::chart::package;
use crate::cli::PackageArgs;
use crate::error::Error;
use crate::output::atomic;

pub fn run(args: &PackageArgs) -> Result<ExitStatus, Error> {
    let package = package::package(&args.chart)?;
    std::fs::create_dir_all(&args.destination).map_err(|e| {
        Error::io(format!("cannot create: {e}"), e).in_file(args.destination.display().to_string())
    })?;
    let path = args.destination.join(package.file_name());
    atomic::stage(&path, &package.bytes)
        .and_then(atomic::Staged::commit)
        .map_err(|e| {
            Error::io(format!("cannot write: {e}"), e).in_file(path.display().to_string())
        })?;
    // Helm's words, for scripts that read them.
    super::print(&format!(
        "Successfully packaged chart and saved it to: {}\n",
        path.display()
    ))?;
    Ok(ExitStatus::Success)
}
