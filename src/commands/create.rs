//! `ktera create NAME`: a new chart from the starter, and what to run next.

use crate::chart::create;
use crate::cli::CreateArgs;
use crate::commands::{ExitStatus, print};
use crate::error::Error;

pub fn run(args: &CreateArgs) -> Result<ExitStatus, Error> {
    let name = create::create(&args.dir)?;
    let dir = args.dir.display();
    print(&format!(
        "Created the chart {name} in {dir}/. Next:\n  \
         ktera template {dir}           # print the manifests\n  \
         ktera lint {dir} --strict      # check them against Kubernetes' schemas\n  \
         ktera template {dir} --notes   # what the chart tells its users after an install\n"
    ))?;
    Ok(ExitStatus::Success)
}
