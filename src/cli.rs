//! Command-line definitions (clap derive) and nothing else: what each command accepts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success; diff/compare: the sides are equal; render --check: up to date; lint: no errors
  1  an error in the inputs (chart, values, templates, rendered YAML, files); diff/compare: the
     sides differ; render --check: the tree is stale; lint: errors (or warnings with --strict);
     import: an environment does not compare equal
  2  usage error (unknown flag, missing argument, invalid release name); diff, compare and lint:
     any error that stopped the comparison or the checks

Environment:
  KTERA_MAX_MEMORY  the most memory ktera may hold (default 8G; bytes, or K, M, G): a template
                    that builds text without end stops there with an error
  NO_COLOR, CLICOLOR_FORCE, FORCE_COLOR, CLICOLOR, TERM
                    colour with --color auto (the default); see --color";

const COMPLETION_HELP: &str = "\
Load the completions in the running shell, or install them for every new one:
  bash        source <(ktera completion bash)
              ktera completion bash > ~/.local/share/bash-completion/completions/ktera
  zsh         ktera completion zsh > \"${fpath[1]}/_ktera\"   (then start a new shell)
  fish        ktera completion fish > ~/.config/fish/completions/ktera.fish
  powershell  ktera completion powershell | Out-String | Invoke-Expression";

#[derive(Debug, Parser)]
#[command(
    name = "ktera",
    version,
    about = "Render Kubernetes manifests from a chart of Tera templates and per-environment values",
    long_about = "ktera renders a Helm-style chart whose templates are Tera (Jinja2-like) instead of \
Go templates, with Helm's values semantics, and compares the result with Kustomize overlays.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// Colour the reports (and help): auto colours a terminal, unless NO_COLOR, CLICOLOR=0 or
    /// TERM=dumb says otherwise; CLICOLOR_FORCE or FORCE_COLOR colour a pipe too
    #[arg(
        long = "color",
        value_enum,
        global = true,
        default_value_t,
        value_name = "WHEN"
    )]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`'s values, as ls, grep and cargo spell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new chart in a new directory: a Deployment, a Service and the usual options
    #[command(after_help = EXIT_CODES)]
    Create(CreateArgs),
    /// Render a chart's templates and print the manifests (or write them with --output-dir)
    #[command(after_help = EXIT_CODES)]
    Template(TemplateArgs),
    /// Print the final merged values of a chart, as YAML
    #[command(after_help = EXIT_CODES)]
    Values(ValuesArgs),
    /// Compare two manifest sets semantically (files, directories of .yaml/.yml files, or -); also
    /// works as KUBECTL_EXTERNAL_DIFF="ktera diff" for kubectl diff
    #[command(after_help = EXIT_CODES)]
    Diff(DiffArgs),
    /// Render a chart and compare it with a Kustomize overlay or a stored golden file
    #[command(after_help = EXIT_CODES)]
    Compare(CompareArgs),
    /// Render every environment and release of the project file (ktera.yaml) into a tree
    #[command(after_help = EXIT_CODES)]
    Render(RenderArgs),
    /// Change values in a values file in place, keeping its comments and layout
    #[command(after_help = EXIT_CODES)]
    Set(SetArgs),
    /// Render a chart and validate the objects offline against Kubernetes' schemas and semantics
    #[command(after_help = EXIT_CODES)]
    Lint(LintArgs),
    /// Fetch a chart's dependencies into charts/ and lock them in Chart.lock, as Helm does
    #[command(subcommand)]
    Dependency(DependencyCommand),
    /// Download a chart from an OCI registry or a chart repository
    #[command(after_help = EXIT_CODES)]
    Pull(PullArgs),
    /// Package a chart directory into a chart archive (NAME-VERSION.tgz): same files, same bytes
    #[command(after_help = EXIT_CODES)]
    Package(PackageArgs),
    /// Push a chart archive to an OCI registry, as `helm push` does
    #[command(after_help = EXIT_CODES)]
    Push(PushArgs),
    /// Print the version, the commit it was built from, the Tera version and the Kubernetes
    /// versions whose schemas are built in
    Version(VersionArgs),
    /// Print a shell completion script: `source <(ktera completion bash)`
    #[command(after_help = COMPLETION_HELP)]
    Completion(CompletionArgs),
    /// Convert a Helm chart (directory or .tgz) into a ktera chart; --verify proves it renders
    /// what Helm renders
    #[command(after_help = EXIT_CODES)]
    Convert(ConvertArgs),
    /// Turn Kustomize overlays into a chart and one values file per environment, checked equal
    #[command(after_help = EXIT_CODES)]
    Import(ImportArgs),
}

/// How the network commands reach registries and repositories, with Helm's flag names.
#[derive(Debug, Args, Clone, Default)]
pub struct RemoteFlags {
    /// Talk plain HTTP to OCI registries (a registry without TLS, e.g. on localhost)
    #[arg(long = "plain-http")]
    pub plain_http: bool,
    /// Helm's registry config file (default: $HELM_REGISTRY_CONFIG, else ~/.config/helm/registry/config.json)
    #[arg(long = "registry-config", value_name = "FILE")]
    pub registry_config: Option<PathBuf>,
    /// Helm's repositories file (default: $HELM_REPOSITORY_CONFIG, else ~/.config/helm/repositories.yaml)
    #[arg(long = "repository-config", value_name = "FILE")]
    pub repository_config: Option<PathBuf>,
}

/// `--username`/`--password` of `pull` and `push`: for the one registry or repository the
/// command names, and sent to no other server.
#[derive(Debug, Args, Clone, Default)]
pub struct CredentialFlags {
    /// User name for the registry or repository named here, and no other (default: Helm's and
    /// Docker's registry configs, Helm's repositories file)
    #[arg(
        long = "username",
        env = "KTERA_REGISTRY_USERNAME",
        requires = "password"
    )]
    pub username: Option<String>,
    /// Password for the registry or repository named here; never printed
    #[arg(
        long = "password",
        env = "KTERA_REGISTRY_PASSWORD",
        hide_env_values = true,
        requires = "username"
    )]
    pub password: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DependencyCommand {
    /// Resolve Chart.yaml's dependencies anew, fetch them into charts/ and write Chart.lock
    #[command(after_help = EXIT_CODES)]
    Update(DependencyArgs),
    /// Fetch exactly what Chart.lock names into charts/ (refused when the lock is out of date)
    #[command(after_help = EXIT_CODES)]
    Build(DependencyArgs),
}

#[derive(Debug, Args)]
pub struct DependencyArgs {
    /// The chart directory
    #[arg(default_value = ".")]
    pub chart: PathBuf,
    #[command(flatten)]
    pub remote: RemoteFlags,
    /// Refused with what to do instead (credentials are per registry and repository here, as
    /// in Helm); hidden, and not read from the environment.
    #[arg(long = "username", hide = true)]
    pub username: Option<String>,
    #[arg(long = "password", hide = true)]
    pub password: Option<String>,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// oci://host/path/CHART[:VERSION], REPO/CHART (a repository of Helm's repositories file),
    /// or CHART with --repo
    #[arg(value_name = "CHART")]
    pub chart: String,
    /// The version or version constraint (default: the highest stable version)
    #[arg(long = "version", value_name = "VERSION")]
    pub version: Option<String>,
    /// The chart repository's URL, for a CHART given by name
    #[arg(long = "repo", value_name = "URL")]
    pub repo: Option<String>,
    /// Unpack the chart after downloading it (into --untardir)
    #[arg(long = "untar")]
    pub untar: bool,
    /// With --untar: the directory to unpack into, relative to --destination
    #[arg(long = "untardir", value_name = "DIR", default_value = ".")]
    pub untardir: PathBuf,
    /// Where to save the chart
    #[arg(
        short = 'd',
        long = "destination",
        value_name = "DIR",
        default_value = "."
    )]
    pub destination: PathBuf,
    #[command(flatten)]
    pub remote: RemoteFlags,
    #[command(flatten)]
    pub credentials: CredentialFlags,
}

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// The chart directory
    pub chart: PathBuf,
    /// Where to write the archive
    #[arg(
        short = 'd',
        long = "destination",
        value_name = "DIR",
        default_value = "."
    )]
    pub destination: PathBuf,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The chart archive (as `ktera package` or `helm package` writes it)
    pub package: PathBuf,
    /// The registry and path to push to: oci://host/path (the chart's name and version are added)
    #[arg(value_name = "REMOTE")]
    pub remote: String,
    #[command(flatten)]
    pub flags: RemoteFlags,
    #[command(flatten)]
    pub credentials: CredentialFlags,
}

/// The value flags shared by every command that renders a chart, with Helm's names.
#[derive(Debug, Args, Clone, Default)]
pub struct ValueFlags {
    /// Values file (YAML); repeatable, later files win; `-` reads standard input
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Set values: a.b=c,d[0]=e (typed like Helm: ints, bools, null)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Set values, always as strings
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// Set a value to the contents of a file
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// Set values from JSON: a.b={"c":1}
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
}

/// The release and cluster facts a chart is rendered for.
#[derive(Debug, Args, Clone, Default)]
pub struct ReleaseFlags {
    /// Namespace of the release (Release.Namespace)
    #[arg(short = 'n', long = "namespace", default_value = "default")]
    pub namespace: String,
    /// Kubernetes version for Capabilities.KubeVersion (e.g. v1.31.0)
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Extra API versions for Capabilities.APIVersions (e.g. monitoring.coreos.com/v1); repeatable
    #[arg(short = 'a', long = "api-versions", value_name = "VERSION")]
    pub api_versions: Vec<String>,
    /// Release.Service, which most charts write as the app.kubernetes.io/managed-by label
    /// (Helm renders `Helm`)
    #[arg(long = "release-service", value_name = "NAME", default_value = "ktera")]
    pub release_service: String,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The new chart's directory; its last part is the chart's name (e.g. charts/my-app)
    #[arg(value_name = "NAME")]
    pub dir: PathBuf,
}

/// The release name and the chart, as Helm's commands take them: `[NAME] CHART`, or the name
/// with `--name`.
#[derive(Debug, Args, Clone)]
pub struct ReleaseChart {
    /// Release name (default `release-name`), then the chart directory or archive (.tgz)
    #[arg(value_name = "[NAME] CHART", num_args = 1..=2, required = true)]
    pub name_and_chart: Vec<String>,
    /// Release name, as the positional NAME
    #[arg(long = "name", value_name = "NAME")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    #[command(flatten)]
    pub target: ReleaseChart,
    #[command(flatten)]
    pub values: ValueFlags,
    #[command(flatten)]
    pub release: ReleaseFlags,
    /// Only print the manifests of these templates (e.g. templates/service.yaml); repeatable
    #[arg(short = 's', long = "show-only", value_name = "PATH")]
    pub show_only: Vec<String>,
    /// Write each template's manifests to DIR/<chart>/templates/<file> instead of standard output
    #[arg(long = "output-dir", value_name = "DIR", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,
    /// Print the objects as a YAML stream or as one JSON list (for scripts)
    #[arg(short = 'o', long = "output", value_enum, default_value_t)]
    pub output: ManifestFormat,
    /// Print the rendered templates/NOTES.txt instead of the manifests
    #[arg(long = "notes", conflicts_with = "output")]
    pub notes: bool,
    /// Leave out documents annotated helm.sh/hook
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Leave out test hooks (helm.sh/hook: test)
    #[arg(long = "skip-tests")]
    pub skip_tests: bool,
    /// Also print the chart's crds/ files, unrendered
    #[arg(long = "include-crds")]
    pub include_crds: bool,
    /// Validate the rendered objects as `ktera lint` does; findings go to standard error
    #[arg(long = "validate")]
    pub validate: bool,
    /// With --validate: JSON Schemas of custom resources, as `ktera lint --schema-location`
    #[arg(
        long = "schema-location",
        value_name = "DIR|TEMPLATE",
        requires = "validate"
    )]
    pub schema_locations: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ValuesArgs {
    /// The chart directory or archive (.tgz)
    pub chart: PathBuf,
    #[command(flatten)]
    pub values: ValueFlags,
}

/// How `template` prints the objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ManifestFormat {
    /// A YAML stream, each document with its `# Source:` line, as `helm template` prints it
    #[default]
    Yaml,
    /// One JSON list of the objects, in the same order
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// Human-readable report (coloured on a terminal; see --color)
    #[default]
    Text,
    /// One JSON document, for machines
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Left side: a file, a directory of .yaml/.yml files (or of the files kubectl diff
    /// writes), or - for standard input
    pub left: String,
    /// Right side: a file, a directory of .yaml/.yml files (or of the files kubectl diff
    /// writes), or - for standard input
    pub right: String,
    /// Print Secret data values instead of masking them
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,
    /// Report format
    #[arg(short = 'o', long = "output", value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub target: ReleaseChart,
    #[command(flatten)]
    pub values: ValueFlags,
    #[command(flatten)]
    pub release: ReleaseFlags,
    /// A Kustomize directory to build with kustomize or kubectl kustomize
    #[arg(
        long = "kustomize",
        value_name = "DIR",
        conflicts_with = "golden",
        required_unless_present = "golden"
    )]
    pub kustomize: Option<PathBuf>,
    /// A stored manifest file (e.g. a golden file) to compare with
    #[arg(long = "golden", value_name = "FILE")]
    pub golden: Option<PathBuf>,
    /// Print Secret data values instead of masking them
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,
    /// Report format
    #[arg(short = 'o', long = "output", value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The project file naming environments and their releases
    #[arg(
        short = 'p',
        long = "project",
        value_name = "FILE",
        default_value = "ktera.yaml"
    )]
    pub project: PathBuf,
    /// Render only this environment
    #[arg(long = "env", value_name = "ENV")]
    pub env: Option<String>,
    /// Release.Service for every release, over the project file's `releaseService`
    #[arg(long = "release-service", value_name = "NAME")]
    pub release_service: Option<String>,
    /// Write nothing; exit 1 with a semantic diff when the committed tree is stale
    #[arg(long = "check")]
    pub check: bool,
    /// Summary format
    #[arg(short = 'o', long = "output", value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The values file to change in place
    pub file: PathBuf,
    /// PATH=VALUE assignments, with --set's grammar and typing (image.tag=1.4.3)
    #[arg(value_name = "PATH=VALUE", required = true)]
    pub assignments: Vec<String>,
    /// Refuse to create paths that do not exist yet
    #[arg(long = "existing")]
    pub existing: bool,
    /// Write every value as a string (as --set-string)
    #[arg(long = "string")]
    pub string: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub target: ReleaseChart,
    #[command(flatten)]
    pub values: ValueFlags,
    #[command(flatten)]
    pub release: ReleaseFlags,
    /// Warnings fail the run too (exit 1)
    #[arg(long = "strict")]
    pub strict: bool,
    /// JSON Schemas of custom resources: a directory laid out as GROUP/KIND_VERSION.json (the
    /// CRD catalogs' layout) or a kubeconform path template ending in .json; repeatable, tried
    /// in order after the chart's own CRDs
    #[arg(long = "schema-location", value_name = "DIR|TEMPLATE")]
    pub schema_locations: Vec<String>,
    /// Report format
    #[arg(short = 'o', long = "output", value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The Helm chart: a directory holding Chart.yaml, or a .tgz made by `helm package`
    #[arg(value_name = "HELM_CHART")]
    pub chart: PathBuf,
    /// Where to write the ktera chart; it must not exist (see --force)
    #[arg(value_name = "OUT_DIR")]
    pub out_dir: PathBuf,
    /// Replace OUT_DIR if it exists
    #[arg(long = "force")]
    pub force: bool,
    /// Render the Helm chart with real Helm ($HELM, else `helm` on PATH) and the converted chart
    /// with ktera, with the same release and values, and compare them as `ktera diff` does
    #[arg(long = "verify")]
    pub verify: bool,
    /// Value flags for --verify (the chart's defaults when none are given)
    #[command(flatten)]
    pub values: ValueFlags,
    /// Release name for --verify
    #[arg(long = "name", default_value = "release-name")]
    pub name: String,
    /// Namespace of the release, for --verify
    #[arg(short = 'n', long = "namespace", default_value = "default")]
    pub namespace: String,
    /// Kubernetes version for --verify (Capabilities.KubeVersion), e.g. v1.32.0
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Extra API versions for --verify (Capabilities.APIVersions); repeatable
    #[arg(short = 'a', long = "api-versions", value_name = "VERSION")]
    pub api_versions: Vec<String>,
    /// Print Secret data values in the --verify report instead of masking them
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,
    /// Report format
    #[arg(short = 'o', long = "output", value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
#[command(
    long_about = "Turn a Kustomize base and its overlays into a chart and one values file per \
environment that render the same objects. Each overlay is built with the real Kustomize \
(kustomize build, else kubectl kustomize); what is equal in every environment is written in \
the templates, what differs becomes a value: values.yaml holds the defaults, \
<values-dir>/<env>.yaml only what differs. At the end every environment is compared as \
`ktera compare CHART -f <values-dir>/<env>.yaml --kustomize OVERLAY` would; the exit code is 0 \
only if all are equal.",
    after_help = "Example:\n  ktera import --chart charts/backend --values-dir values \\\n      kustomize/backend/overlays/dev kustomize/backend/overlays/prod"
)]
pub struct ImportArgs {
    /// The chart directory to write (charts/<name>)
    #[arg(long = "chart", value_name = "DIR")]
    pub chart: PathBuf,
    /// Where to write <env>.yaml for each environment
    #[arg(long = "values-dir", value_name = "DIR", default_value = "values")]
    pub values_dir: PathBuf,
    /// The chart's name (Chart.yaml and the helpers' prefix); default: the --chart directory's name
    #[arg(long = "name", value_name = "NAME")]
    pub name: Option<String>,
    /// Replace an existing chart directory and values files
    #[arg(long = "force")]
    pub force: bool,
    /// Kustomize directories, one per environment: DIR (the environment is its name) or ENV=DIR
    #[arg(value_name = "OVERLAY", required = true)]
    pub overlays: Vec<String>,
}
