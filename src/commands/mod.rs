//! One function per command: turn parsed arguments into a run of the pipeline and its output.
//! Each returns how it went ([`ExitStatus`]) or the [`Error`] that stopped it; `main` prints
//! the error and picks the exit code.

pub mod color;
pub mod compare;
pub mod completion;
pub mod convert;
pub mod create;
pub mod dependency;
pub mod diff;
pub mod import;
pub mod lint;
pub mod package;
pub mod pull;
pub mod push;
pub mod render;
pub mod set;
pub mod template;
pub mod values;
pub mod version;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{
    Cli, Command, CredentialFlags, ReleaseChart, ReleaseFlags, RemoteFlags, ValueFlags,
};
use crate::error::{Error, ErrorKind};
use crate::pipeline;
use crate::release::{self, Release, parse_kube_version};
use crate::values::ValueSources;

/// How a command that ran to its end went (README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done; `diff`/`compare`: the sides are equal; `render --check`: the tree is up to
    /// date; `lint`: no errors.
    Success,
    /// 1: `diff`/`compare`: the sides differ; `render --check`: the tree is stale; `lint`:
    /// errors (or warnings with `--strict`).
    Failure,
}

impl ExitStatus {
    pub fn success_if(ok: bool) -> ExitStatus {
        if ok {
            ExitStatus::Success
        } else {
            ExitStatus::Failure
        }
    }
}

/// Runs the command of a command line.
pub fn run(cli: &Cli) -> Result<ExitStatus, Error> {
    let color = cli.color;
    match &cli.command {
        Command::Create(args) => create::run(args),
        Command::Template(args) => template::run(args),
        Command::Values(args) => values::run(args),
        Command::Diff(args) => diff::run(args, color),
        Command::Compare(args) => compare::run(args, color),
        Command::Render(args) => render::run(args, color),
        Command::Set(args) => set::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Dependency(command) => dependency::run(command),
        Command::Pull(args) => pull::run(args),
        Command::Package(args) => package::run(args),
        Command::Push(args) => push::run(args),
        Command::Version(args) => version::run(args),
        Command::Completion(args) => completion::run(args),
        Command::Convert(args) => convert::run(args, color),
        Command::Import(args) => import::run(args, color),
    }
}

/// The network's access settings from a command's flags.
pub fn access_from(flags: &RemoteFlags) -> crate::remote::Access {
    crate::remote::Access {
        plain_http: flags.plain_http,
        explicit: None,
        registry_config: flags.registry_config.clone(),
        repository_config: flags.repository_config.clone(),
    }
}

/// `--username` and `--password` (or their environment variables), when both are given.
pub fn credentials_from(
    flags: &CredentialFlags,
) -> Option<crate::remote::credentials::Credentials> {
    match (&flags.username, &flags.password) {
        (Some(username), Some(password)) => Some(crate::remote::credentials::Credentials {
            username: username.clone(),
            password: password.clone(),
        }),
        _ => None,
    }
}

impl From<&ValueFlags> for ValueSources {
    fn from(flags: &ValueFlags) -> Self {
        ValueSources {
            files: flags.values.clone(),
            set: flags.set.clone(),
            set_string: flags.set_string.clone(),
            set_file: flags.set_file.clone(),
            set_json: flags.set_json.clone(),
        }
    }
}

/// Renders a chart with the values flags of a command, reading `-f -` from standard input.
pub fn render_with_flags(
    chart: &Path,
    values: &ValueFlags,
    release: &Release,
) -> Result<pipeline::Output, Error> {
    pipeline::render_chart(
        chart,
        &ValueSources::from(values),
        release,
        &mut std::io::stdin().lock(),
    )
}

/// [`render_with_flags`], and the text of the values files it read, for checks of the files
/// themselves: the values.yaml of the chart and of each subchart (directories and archives
/// alike, named as the render's messages name them) and each `-f` file, as (name, text); `-f -`
/// is read once for both.
pub fn render_reading_values(
    chart: &Path,
    values: &ValueFlags,
    release: &Release,
) -> Result<(pipeline::Output, Vec<(String, String)>), Error> {
    let stdin = if values.values.iter().any(|f| f == "-") {
        Some(
            crate::input::read_exact_text(std::io::stdin().lock()).map_err(|f| {
                f.error_or(crate::values::STDIN, |e| {
                    Error::io(format!("cannot read values from standard input: {e}"), e)
                })
            })?,
        )
    } else {
        None
    };
    let rendered = match &stdin {
        // Standard input again for `--set-file key=-`, which then finds it used.
        Some(text) => pipeline::render_chart(
            chart,
            &ValueSources::from(values),
            release,
            &mut text.as_bytes(),
        )?,
        None => render_with_flags(chart, values, release)?,
    };
    let mut files = Vec::new();
    for (chart, _) in rendered.chart.tree() {
        if let Some(text) = &chart.values_text {
            let path = chart.dir.join("values.yaml");
            files.push((path.display().to_string(), text.clone()));
        }
    }
    files.extend(crate::values::value_file_texts(
        &values.values,
        stdin.as_deref(),
    )?);
    Ok((rendered, files))
}

/// The release name and the chart of `[NAME] CHART` and `--name`: the name given either way
/// (`release-name` when not at all), twice only if the same.
pub fn release_and_chart(args: &ReleaseChart) -> Result<(String, PathBuf), Error> {
    let (positional, chart) = match args.name_and_chart.as_slice() {
        [chart] => (None, chart),
        [name, chart] => (Some(name), chart),
        _ => return Err(Error::usage("expected [NAME] CHART")),
    };
    let name = match (positional, &args.name) {
        (Some(first), Some(flag)) if first != flag => {
            return Err(Error::usage(format!(
                "the release name is given twice: `{first}` before the chart and `--name {flag}`"
            ))
            .with_hint(format!(
                "give it once, as NAME before the chart or as --name: `{first} {chart}` or `--name {flag} {chart}`"
            )));
        }
        (Some(first), _) => first.clone(),
        (None, Some(flag)) => flag.clone(),
        (None, None) => "release-name".to_string(),
    };
    // `ktera lint CHART NAME`: the chart is missing where the name stands, and is found first.
    if let Some(first) = positional
        && !Path::new(chart).exists()
        && Path::new(first).exists()
    {
        return Err(
            Error::usage(format!("{chart}: no such chart, but {first} exists")).with_hint(format!(
                "the release name comes first, then the chart, as in Helm: `{chart} {first}`"
            )),
        );
    }
    Ok((name, PathBuf::from(chart)))
}

pub fn release_from(name: &str, flags: &ReleaseFlags) -> Result<Release, Error> {
    release::check_name(name)?;
    release::check_service(&flags.release_service).map_err(|e| e.prefixed("--release-service"))?;
    let mut release = Release {
        name: name.to_string(),
        namespace: flags.namespace.clone(),
        api_versions: flags.api_versions.clone(),
        service: flags.release_service.clone(),
        ..Release::default()
    };
    if let Some(v) = &flags.kube_version {
        release.kube_version = parse_kube_version(v).map_err(|e| e.prefixed("--kube-version"))?;
    }
    Ok(release)
}

/// Writes to standard output; a closed pipe (`ktera template ... | head`) is not an error.
pub fn print(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::new(
            ErrorKind::Io,
            format!("cannot write to standard output: {e}"),
        )
        .with_source(e)),
    }
}
