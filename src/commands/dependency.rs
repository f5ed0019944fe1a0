//! `ktera dependency update|build`: a chart's dependencies fetched into `charts/` (see
//! [`crate::remote::dependencies`]). What changed goes to standard error, as Helm reports it.

use super::ExitStatus;
use crate::cli::DependencyCommand;
use crate::error::Error;
use crate::remote::{Network, dependencies, redact};

pub fn run(command: &DependencyCommand) -> Result<ExitStatus, Error> {
    let (args, update) = match command {
        DependencyCommand::Update(args) => (args, true),
        DependencyCommand::Build(args) => (args, false),
    };
    if args.username.is_some() || args.password.is_some() {
        return Err(Error::usage(
            "`ktera dependency` takes no --username or --password: a chart's dependencies may come from several registries and repositories, and each has its own credentials",
        )
        .with_hint(
            "keep them where Helm does, and ktera reads them: `helm registry login HOST` for a registry, `helm repo add NAME URL --username USER --password-stdin` for a repository (then `repository: \"@NAME\"` or its URL in Chart.yaml)",
        ));
    }
    let network = Network::new(super::access_from(&args.remote))?;
    let outcome = if update {
        dependencies::update(&args.chart, &network)?
    } else {
        dependencies::build(&args.chart, &network)?
    };
    for path in &outcome.removed {
        eprintln!("removed {}", path.display());
    }
    for (path, source) in &outcome.saved {
        eprintln!("saved {} (from {})", path.display(), redact(source));
    }
    if outcome.lock_written {
        eprintln!("wrote {}", args.chart.join("Chart.lock").display());
    }
    if outcome.saved.is_empty() && outcome.removed.is_empty() && !outcome.lock_written {
        eprintln!("{}: nothing to fetch", args.chart.display());
    }
    Ok(ExitStatus::Success)
}
