//! `ktera push`: a chart archive to an OCI registry (see [`crate::remote::oci`]).

use super::ExitStatus;
use crate::chart;
use crate::cli::PushArgs;
use crate::error::{Error, ErrorKind};
use crate::remote::oci::{self, OciRef};
use crate::remote::{Explicit, Network};

pub fn run(args: &PushArgs) -> Result<ExitStatus, Error> {
    let destination = OciRef::parse(&args.remote).map_err(|e| e.with_kind(ErrorKind::Usage))?;
    let bytes = std::fs::read(&args.package).map_err(|e| {
        Error::io(format!("cannot read: {e}"), e).in_file(args.package.display().to_string())
    })?;
    // The archive must be a chart ktera (and so Helm) can load.
    let chart = chart::load_archive_bytes(&args.package, &bytes)?;
    let mut access = super::access_from(&args.flags);
    access.explicit = super::credentials_from(&args.credentials)
        .map(|c| Explicit::for_registry(&destination.registry, c));
    let network = Network::new(access)?;
    let pushed = oci::push(
        &network,
        bytes,
        &chart.chart_yaml,
        &chart.name,
        &chart.version,
        &destination,
    )?;
    super::print(&format!(
        "Pushed: {}\nDigest: {}\n",
        pushed.reference, pushed.digest
    ))?;
    Ok(ExitStatus::Success)
}
