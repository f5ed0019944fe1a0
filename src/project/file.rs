//! The project file (`ktera.yaml`): environments, the releases each one renders, and where the
//! rendered tree goes. Paths in it are relative to the file itself.
//!
//! Parsing is strict: an unknown key, a bad environment or release name, a release named twice
//! in one environment, a missing chart or values file are errors that name the file, line and
//! column. serde_yaml only knows positions while it is reading, so semantic checks made after
//! parsing find their node again with [`locate`], a second read that stops at a given path.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use crate::diagnostic;
use crate::error::Error;
use crate::release::{self, Release, parse_kube_version};
use crate::values::{Segment, SetKind, ValueSources, apply_set};
use crate::yaml::locate;

/// The output directory when the project file does not name one.
pub const DEFAULT_OUTPUT: &str = "rendered";

/// A parsed and checked project file.
#[derive(Debug)]
pub struct Project {
    /// The project file as given (`ktera.yaml`).
    pub path: PathBuf,
    /// Its text, to locate problems found later (a release that fails to render).
    pub text: String,
    /// The output directory, relative to the working directory (`rendered`).
    pub output: PathBuf,
    /// In written order.
    pub environments: Vec<Environment>,
}

#[derive(Debug)]
pub struct Environment {
    pub name: String,
    /// In written order; names are unique.
    pub releases: Vec<ReleaseSpec>,
}

/// One release of an environment, with paths resolved against the project file's directory.
#[derive(Debug, Clone)]
pub struct ReleaseSpec {
    pub chart: PathBuf,
    pub sources: ValueSources,
    pub release: Release,
    pub include_crds: bool,
    pub no_hooks: bool,
    pub skip_tests: bool,
    /// Its environment's `allowSecretData`: the rendered file may hold a Secret's data.
    pub allow_secret_data: bool,
}

impl ReleaseSpec {
    pub fn name(&self) -> &str {
        &self.release.name
    }
}

impl Project {
    /// Reads, parses and checks the project file at `path`.
    pub fn load(path: &Path) -> Result<Project, Error> {
        let shown = path.display().to_string();
        let text = crate::input::read_file_text(path).map_err(|failure| {
            failure.error_or(&shown, |e| {
                Error::io(format!("cannot read the project file: {e}"), e)
                    .in_file(&shown)
                    .with_hint(
                        "run ktera render where ktera.yaml is, or pass its path with -p FILE",
                    )
            })
        })?;
        Project::parse(&text, path)
    }

    /// Parses `text` as the project file at `path` (paths in it are relative to its directory).
    pub fn parse(text: &str, path: &Path) -> Result<Project, Error> {
        let origin = path.display().to_string();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        crate::yaml::check_flow_depth(text, &origin)?;
        let raw: RawProject = serde_yaml::from_str(text).map_err(|e| {
            let location = diagnostic::yaml_error_location(text, &e);
            let message = diagnostic::yaml_error_message(&e);
            let hint = hint_for(&message);
            invalid(text, &origin, location, message, hint)
        })?;
        let checker = Checker {
            text,
            origin: &origin,
            dir: path.parent().unwrap_or(Path::new("")),
        };
        checker.check(raw, path)
    }

    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    pub fn environment_names(&self) -> Vec<&str> {
        self.environments.iter().map(|e| e.name.as_str()).collect()
    }

    /// `ktera.yaml:7:9`, where release `index` of environment `env` is written.
    pub fn release_place(&self, env: &str, index: usize) -> String {
        let origin = self.path.display().to_string();
        let path = [
            Segment::Key("environments".into()),
            Segment::Key(env.into()),
            Segment::Key("releases".into()),
            Segment::Index(index),
        ];
        match locate(&self.text, &path) {
            Some((line, column)) => format!("{origin}:{line}:{column}"),
            None => origin,
        }
    }
}

fn hint_for(message: &str) -> String {
    if message.contains("unknown field") {
        "remove the key or fix its spelling; docs/render.md lists the keys".into()
    } else if message.contains("missing field") {
        "add the key; docs/render.md lists the keys".into()
    } else if message.contains("invalid type") {
        "docs/render.md gives each key's type".into()
    } else {
        String::new()
    }
}

fn invalid(
    text: &str,
    origin: &str,
    location: Option<(usize, usize)>,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Error {
    let error = Error::input(message).with_hint(hint);
    match location {
        Some((line, column)) => error.in_text(origin, text, line, column),
        None => error.in_file(origin),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    environments: Environments,
    output: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnvironment {
    #[serde(default)]
    releases: Vec<RawRelease>,
    /// `Release.Service` for the environment's releases that do not set their own.
    #[serde(rename = "releaseService")]
    release_service: Option<String>,
    /// Whether the environment's files may hold Secret data (fake values only).
    #[serde(default, rename = "allowSecretData")]
    allow_secret_data: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawRelease {
    name: String,
    chart: String,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    set: Vec<String>,
    #[serde(default)]
    set_string: Vec<String>,
    #[serde(default)]
    set_json: Vec<String>,
    namespace: Option<String>,
    kube_version: Option<String>,
    #[serde(default)]
    api_versions: Vec<String>,
    release_service: Option<String>,
    #[serde(default)]
    include_crds: bool,
    #[serde(default)]
    no_hooks: bool,
    #[serde(default)]
    skip_tests: bool,
}

/// The environments mapping in written order (a map type would sort or lose the order).
struct Environments(Vec<(String, RawEnvironment)>);

impl<'de> Deserialize<'de> for Environments {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvironmentsVisitor;
        impl<'de> Visitor<'de> for EnvironmentsVisitor {
            type Value = Environments;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of environment names to environments")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Environments, A::Error> {
                let mut seen = HashSet::new();
                let mut out = Vec::new();
                while let Some(name) = map.next_key_seed(EnvName { seen: &seen })? {
                    let env: RawEnvironment = map.next_value()?;
                    seen.insert(name.clone());
                    out.push((name, env));
                }
                Ok(Environments(out))
            }
        }
        deserializer.deserialize_map(EnvironmentsVisitor)
    }
}

/// An environment name, refused where it is written when invalid or repeated (serde_yaml
/// gives a visitor's error the position of the node being visited).
struct EnvName<'a> {
    seen: &'a HashSet<String>,
}

impl<'de> DeserializeSeed<'de> for EnvName<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for EnvName<'_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an environment name")
    }
    fn visit_str<E: de::Error>(self, name: &str) -> Result<String, E> {
        if let Err(message) = check_env_name(name) {
            return Err(E::custom(message.message()));
        }
        if self.seen.contains(name) {
            return Err(E::custom(format!("environment `{name}` is defined twice")));
        }
        Ok(name.to_string())
    }
}

/// Environment names become directory names: keep them plain.
pub fn check_env_name(name: &str) -> Result<(), Error> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    let valid_ends = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if name.is_empty() || name.len() > 63 || !valid_chars || !valid_ends {
        return Err(Error::input(format!(
            "invalid environment name `{name}`: it names a directory of the output, so use at most 63 lowercase letters, digits, `-` or `_`, starting and ending with a letter or digit"
        )));
    }
    Ok(())
}

/// Resolves and checks what serde could not: names, paths, versions, `set` expressions.
struct Checker<'a> {
    text: &'a str,
    origin: &'a str,
    dir: &'a Path,
}

impl Checker<'_> {
    fn error(&self, path: &[Segment], message: impl Into<String>, hint: &str) -> Error {
        let location = locate(self.text, path);
        invalid(self.text, self.origin, location, message, hint)
    }

    fn check(&self, raw: RawProject, path: &Path) -> Result<Project, Error> {
        let output = raw.output.unwrap_or_else(|| DEFAULT_OUTPUT.to_string());
        let resolved_output = self.dir.join(&output);
        if let Err(why) = check_output(&output, self.dir) {
            return Err(self.error(
                &[Segment::Key("output".into())],
                format!("output `{}` {why}", crate::chart::names::shown(&output)),
                "name a directory of its own inside the project, e.g. `output: rendered`: ktera writes there and removes files it rendered before from it",
            ));
        }
        if raw.environments.0.is_empty() {
            return Err(self.error(
                &[Segment::Key("environments".into())],
                "no environments: the project renders nothing",
                "add one, e.g. `environments: {dev: {releases: [{name: app, chart: charts/app}]}}`",
            ));
        }
        let mut environments = Vec::new();
        for (env, raw_env) in raw.environments.0 {
            let mut releases: Vec<ReleaseSpec> = Vec::new();
            if let Some(service) = &raw_env.release_service
                && let Err(message) = release::check_service(service)
            {
                let at = [
                    Segment::Key("environments".into()),
                    Segment::Key(env.clone()),
                    Segment::Key("releaseService".into()),
                ];
                return Err(self.error(&at, message.message(), ""));
            }
            for (index, mut raw_release) in raw_env.releases.into_iter().enumerate() {
                let at = |field: &'static str| field_path(&env, index, field);
                if raw_release.release_service.is_none() {
                    raw_release.release_service = raw_env.release_service.clone();
                }
                let mut spec = self.release(raw_release, &at)?;
                spec.allow_secret_data = raw_env.allow_secret_data;
                if let Some(first) = releases.iter().position(|r| r.name() == spec.name()) {
                    let first_place = locate(self.text, &field_path(&env, first, "name"))
                        .map_or_else(String::new, |(line, _)| format!(" (first at line {line})"));
                    return Err(self.error(
                        &at("name"),
                        format!(
                            "release `{}` is named twice in environment `{env}`{first_place}",
                            spec.name()
                        ),
                        "each release of an environment writes its own file <env>/<release>.yaml: give each a unique name",
                    ));
                }
                releases.push(spec);
            }
            environments.push(Environment {
                name: env,
                releases,
            });
        }
        Ok(Project {
            path: path.to_path_buf(),
            text: self.text.to_string(),
            output: resolved_output,
            environments,
        })
    }

    fn release(
        &self,
        raw: RawRelease,
        at: &dyn Fn(&'static str) -> Vec<Segment>,
    ) -> Result<ReleaseSpec, Error> {
        if let Err(message) = release::check_name(&raw.name) {
            return Err(self.error(&at("name"), message.message(), ""));
        }
        let chart = self.dir.join(&raw.chart);
        if !chart.join("Chart.yaml").is_file() {
            let what = if chart.is_dir() {
                "is not a chart (it has no Chart.yaml)"
            } else {
                "does not exist"
            };
            return Err(self.error(
                &at("chart"),
                format!("chart {} {what}", chart.display()),
                "chart paths are relative to the project file; name the directory that holds Chart.yaml",
            ));
        }
        let mut files = Vec::new();
        for (i, file) in raw.values.iter().enumerate() {
            let place = |mut path: Vec<Segment>| {
                path.push(Segment::Index(i));
                path
            };
            if file == "-" {
                return Err(self.error(
                    &place(at("values")),
                    "standard input cannot be a values file of a project",
                    "save the values to a file and name it here",
                ));
            }
            let resolved = self.dir.join(file);
            if !resolved.is_file() {
                return Err(self.error(
                    &place(at("values")),
                    format!("values file {} does not exist", resolved.display()),
                    "values paths are relative to the project file",
                ));
            }
            files.push(resolved.display().to_string());
        }
        for (field, flag, exprs, kind) in [
            ("set", "--set", &raw.set, SetKind::Typed),
            (
                "setString",
                "--set-string",
                &raw.set_string,
                SetKind::String,
            ),
            ("setJson", "--set-json", &raw.set_json, SetKind::Json),
        ] {
            for (i, expr) in exprs.iter().enumerate() {
                // Syntax only: whether it fits the values is known when rendering.
                let mut scratch = serde_yaml::Value::Mapping(serde_yaml::Mapping::new());
                if let Err(e) = apply_set(&mut scratch, expr, kind) {
                    let mut path = at(field);
                    path.push(Segment::Index(i));
                    let message = e.message().replacen(
                        &format!("invalid {flag} expression"),
                        &format!("invalid `{field}` item"),
                        1,
                    );
                    return Err(self.error(&path, message, &e.diagnostic().hint));
                }
            }
        }
        if let Some(service) = &raw.release_service
            && let Err(message) = release::check_service(service)
        {
            return Err(self.error(&at("releaseService"), message.message(), ""));
        }
        let mut release = Release {
            name: raw.name,
            namespace: raw.namespace.unwrap_or_else(|| "default".to_string()),
            api_versions: raw.api_versions,
            service: raw
                .release_service
                .unwrap_or_else(|| release::SERVICE.to_string()),
            ..Release::default()
        };
        if let Some(version) = &raw.kube_version {
            release.kube_version = parse_kube_version(version)
                .map_err(|e| self.error(&at("kubeVersion"), e.message(), ""))?;
        }
        Ok(ReleaseSpec {
            chart,
            sources: ValueSources {
                files,
                set: raw.set,
                set_string: raw.set_string,
                set_json: raw.set_json,
                set_file: Vec::new(),
            },
            release,
            include_crds: raw.include_crds,
            no_hooks: raw.no_hooks,
            skip_tests: raw.skip_tests,
            allow_secret_data: false,
        })
    }
}

/// The path to a field of release `index` of environment `env`.
fn field_path(env: &str, index: usize, field: &str) -> Vec<Segment> {
    vec![
        Segment::Key("environments".into()),
        Segment::Key(env.into()),
        Segment::Key("releases".into()),
        Segment::Index(index),
        Segment::Key(field.into()),
    ]
}

/// Whether `a` and `b` are one directory (`""`, `.` and `./` are the working directory).
/// The output directory, as written in the project file in `dir`: a path inside the project
/// and not the project itself, checked before anything is written. Written with plain names
/// only (no `..`, whether or not what it climbs out of exists; no root), and, where it exists,
/// not a link leading out of the project.
fn check_output(output: &str, dir: &Path) -> Result<(), String> {
    use std::path::Component;
    let path = Path::new(output);
    if output.trim().is_empty() {
        return Err("is empty".into());
    }
    if let Some(c) = output
        .chars()
        .find(|&c| crate::chart::names::forbidden_char(c).is_some())
    {
        return Err(format!(
            "holds U+{:04X}, which no directory name should",
            c as u32
        ));
    }
    let mut names = 0;
    for component in path.components() {
        match component {
            Component::Normal(_) => names += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                return Err("holds `..`: the output must be a directory inside the project".into());
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(
                    "is an absolute path: the output must be a directory inside the project, written relative to it".into(),
                );
            }
        }
    }
    if names == 0 {
        return Err("is the project's own directory".into());
    }
    // Where it exists, the real path of the output, or of the deepest directory above it.
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(project) = std::fs::canonicalize(dir) else {
        return Ok(());
    };
    let mut existing = dir.join(path);
    let mut rest = Vec::new();
    let real = loop {
        match std::fs::canonicalize(&existing) {
            Ok(real) => break real,
            Err(_) if std::fs::symlink_metadata(&existing).is_ok() => {
                return Err(format!(
                    "passes through {}, a link to nothing",
                    existing.display()
                ));
            }
            Err(_) => match (existing.file_name(), existing.parent()) {
                (Some(name), Some(parent)) => {
                    rest.push(name.to_os_string());
                    existing = parent.to_path_buf();
                }
                _ => return Ok(()),
            },
        }
    };
    let real = rest.iter().rev().fold(real, |path, name| path.join(name));
    if real == project {
        return Err("is the project's own directory (through a link)".into());
    }
    if !real.starts_with(&project) {
        return Err(format!(
            "leads out of the project through a link (to {})",
            real.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error `text` gets, as shown.
    fn error(text: &str) -> String {
        let project = Project::parse(text, Path::new("ktera.yaml"));
        project.map(|_| ()).unwrap_err().to_string()
    }

    #[test]
    fn unknown_keys_name_line_and_column() {
        let err = error("environments:\n  dev:\n    release: []\n");
        assert!(err.starts_with("ktera.yaml:3:5: "), "{err}");
        assert!(err.contains("unknown field `release`"), "{err}");
    }

    #[test]
    fn bad_and_repeated_environment_names_are_located() {
        let err = error("environments:\n  Dev/1: {}\n");
        assert!(
            err.starts_with("ktera.yaml:2:3: environments: invalid environment name"),
            "{err}"
        );
        let err = error("environments:\n  dev: {}\n  dev: {}\n");
        assert!(err.contains("defined twice"), "{err}");
        assert!(err.starts_with("ktera.yaml:3:3"), "{err}");
    }

    #[test]
    fn the_output_cannot_be_the_project_directory() {
        let err = error("output: .\nenvironments:\n  dev: {}\n");
        assert!(err.starts_with("ktera.yaml:1:9: output `.`"), "{err}");
        for (output, why) in [
            ("..", "holds `..`"),
            ("x/..", "holds `..`"),
            ("./rendered/../..", "holds `..`"),
            ("/tmp/rendered", "is an absolute path"),
            ("./.", "the project's own directory"),
            ("\"a\\nb\"", "holds U+000A"),
        ] {
            let err = error(&format!("output: {output}\nenvironments:\n  dev: {{}}\n"));
            assert!(err.contains(why), "{output}: {err}");
        }
    }

    #[test]
    fn release_names_follow_helm() {
        let err = error(
            "environments:\n  dev:\n    releases:\n      - name: Bad_Name\n        chart: x\n",
        );
        assert!(
            err.starts_with("ktera.yaml:4:15: invalid release name"),
            "{err}"
        );
    }
}
