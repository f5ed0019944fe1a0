//! Loading a chart directory and its subcharts: `Chart.yaml` checked as Helm checks it,
//! templates and CRDs read in path order, dependencies found and their versions checked.
//! A chart archive (`.tgz`) loads through [`super::load_archive`], into the same model.

use std::fs;
use std::path::{Path, PathBuf};

use super::archive::Budget;
use super::confine::{self, Found};
use super::files::{ChartFiles, HelmIgnore};
use super::names;
use super::values_schema::ValuesSchema;
use super::{
    Chart, ChartMeta, Dependency, MAX_SUBCHART_DEPTH, Subchart, TemplateFile, load_archive,
    read_text, unreadable,
};
use crate::diagnostic::{self, Diagnostic};
use crate::error::Error;
use crate::values::{self, Segment};
use crate::yaml::Keys;

/// What loading one chart tree carries from a chart to its subcharts.
#[derive(Default)]
pub(super) struct Loading {
    /// The real paths of the chart directories above (a chart that is its own ancestor is a
    /// cycle).
    parents: Vec<PathBuf>,
    /// What archives in the tree may still unpack to.
    pub(super) budget: Budget,
    /// How deep the chart being loaded is (archives count too).
    pub(super) depth: usize,
}

impl Chart {
    /// Loads the chart directory or chart archive (`.tgz`) at `path`, with its subcharts.
    pub fn load(path: &Path) -> Result<Chart, Error> {
        let mut loading = Loading::default();
        let chart = if fs::metadata(path).is_ok_and(|m| m.is_file()) {
            load_archive::load_file(path, &mut loading)?
        } else {
            Chart::load_nested(path, None, &mut loading)?
        };
        if chart.is_library() {
            return Err(invalid_chart(
                &chart.dir.join("Chart.yaml"),
                "library charts are not installable: they provide components to other charts only; list it under `dependencies` of a chart that uses them",
            ));
        }
        Ok(chart)
    }

    /// Loads a chart directory and its subcharts. `real` is the real path of `dir`, when the
    /// caller has resolved it already.
    fn load_nested(
        dir: &Path,
        real: Option<PathBuf>,
        loading: &mut Loading,
    ) -> Result<Chart, Error> {
        let shown = dir.display().to_string();
        let meta = fs::metadata(dir).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => Error::io("no such chart directory", source)
                .in_file(&shown)
                .with_hint("pass the directory that holds Chart.yaml (or a chart archive, .tgz), e.g. `ktera template charts/backend`"),
            _ => unreadable(dir, source),
        })?;
        if !meta.is_dir() {
            return Err(Error::input("not a directory").in_file(shown).with_hint(
                "a chart is a directory that holds Chart.yaml, values.yaml and templates/",
            ));
        }
        // The chart's real path, resolved once: every file read is confined to it.
        let real = match real {
            Some(real) => real,
            None => fs::canonicalize(dir).map_err(|source| unreadable(dir, source))?,
        };
        let Some(chart_yaml_path) = confine::chart_file(dir, &real, "Chart.yaml")? else {
            return Err(missing_chart_yaml(&shown));
        };
        let text = read_text(&chart_yaml_path)?;
        let (mut meta, chart_yaml) = parse_chart_yaml(&text, &chart_yaml_path)?;
        let (name, version) = check_meta(&meta, &chart_yaml_path, &text)?;
        // Helm reads an apiVersion v1 chart's dependencies from requirements.yaml, over
        // Chart.yaml's (datadog's chart still has one).
        if let Some(path) = confine::chart_file(dir, &real, "requirements.yaml")?
            && let Some(dependencies) = read_requirements(&read_text(&path)?, &path)?
        {
            meta.dependencies = dependencies;
        }

        let (values, values_text) = match confine::chart_file(dir, &real, "values.yaml")? {
            Some(path) => {
                let text = read_text(&path)?;
                (
                    values::parse_values(&text, &path.display().to_string())?,
                    Some(text),
                )
            }
            None => (serde_yaml::Value::Mapping(Default::default()), None),
        };

        // What `.helmignore` excludes is not the chart's, templates and CRDs included, as in
        // Helm (read only when it stays inside the chart).
        confine::chart_file(dir, &real, ".helmignore")?;
        let ignore = HelmIgnore::of(dir);
        let templates_dir = dir.join("templates");
        let mut templates = Vec::new();
        if let Found::Dir(here) = confine::resolve(&real, &real, &templates_dir)? {
            collect_templates(&templates_dir, &here, "", &real, &ignore, &mut templates)?;
        }
        templates.sort_by(|a, b| a.name.cmp(&b.name));
        check_distinct(&templates)?;

        let schema = match confine::chart_file(dir, &real, "values.schema.json")? {
            Some(path) => {
                let text = read_text(&path)?;
                Some(ValuesSchema::parse(&text, &path)?)
            }
            None => None,
        };

        let files = ChartFiles::list_at(dir, &real)?;

        let crds_dir = dir.join("crds");
        let mut crds = Vec::new();
        if let Found::Dir(here) = confine::resolve(&real, &real, &crds_dir)? {
            collect_templates(&crds_dir, &here, "", &real, &ignore, &mut crds)?;
            crds.retain(|c| is_crd_file(&c.name));
            crds.sort_by(|a, b| a.name.cmp(&b.name));
            check_distinct(&crds)?;
        }

        loading.parents.push(real);
        loading.depth += 1;
        let subcharts = load_subcharts(dir, &chart_yaml_path, &meta, loading);
        loading.depth -= 1;
        loading.parents.pop();
        let subcharts = subcharts?;

        Ok(Chart {
            dir: dir.to_path_buf(),
            name,
            version,
            meta,
            chart_yaml,
            values,
            values_text,
            templates,
            crds,
            files,
            schema,
            subcharts,
        })
    }
}

pub(super) fn missing_chart_yaml(shown: &str) -> Error {
    Error::input("missing Chart.yaml").in_file(shown).with_hint(
        "a chart directory needs a Chart.yaml with at least `apiVersion: v2`, `name` and `version`",
    )
}

/// CRDs are the `.yaml`, `.yml` and `.json` files of `crds/`.
pub(super) fn is_crd_file(name: &str) -> bool {
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Checks `Chart.yaml` (its `text`) as Helm does; returns the chart's name and version.
pub(super) fn check_meta(
    meta: &ChartMeta,
    chart_yaml_path: &Path,
    text: &str,
) -> Result<(String, String), Error> {
    let bad = |message: String| invalid_chart(chart_yaml_path, message);
    match meta.api_version.as_deref() {
        // `parse_chart_yaml` makes a missing `apiVersion` `v1`, as Helm does.
        Some("v2") | Some("v1") | None => {}
        Some(other) => {
            return Err(bad(format!(
                "apiVersion `{other}` is not supported; use `apiVersion: v2`"
            )));
        }
    }
    let name = match meta.name.as_deref() {
        Some(n) if !n.trim().is_empty() => n.to_string(),
        _ => return Err(bad("`name` is missing; add `name: <chart name>`".into())),
    };
    check_names(meta, chart_yaml_path, text)?;
    let version = match meta.version.as_deref() {
        // Kept as written (`v0.0`), as Helm keeps it for `.Chart.Version`.
        Some(v) if super::version::parse(v).is_ok() => v.to_string(),
        Some(v) => {
            return Err(bad(format!(
                "`version: {v}` is not a semantic version; write it as MAJOR.MINOR.PATCH, e.g. `version: 0.1.0` (Helm also reads `v1.2`: a `v`, and MINOR or PATCH left out)"
            )));
        }
        None => return Err(bad("`version` is missing; add `version: 0.1.0`".into())),
    };
    match meta.chart_type.as_deref() {
        // A library chart is loaded for its components; `Chart::load` refuses one alone.
        None | Some("application") | Some("library") => {}
        Some(other) => {
            return Err(bad(format!(
                "`type: {other}` is unknown; use `application` or `library`"
            )));
        }
    }
    Ok((name, version))
}

/// A problem with one `dependencies` entry of `Chart.yaml`.
pub(crate) fn dependency_error(
    chart_yaml_path: &Path,
    name: &str,
    message: impl std::fmt::Display,
) -> Error {
    Error::input(format!("dependency `{name}`: {message}"))
        .in_file(chart_yaml_path.display().to_string())
}

/// A chart found in `charts/`: a directory or an archive.
pub(super) struct Vendored {
    /// Where it is, as the user would type it.
    pub(super) shown: String,
    pub(super) chart: Chart,
    /// The real path of a chart directory (a `file://` dependency may point at it).
    pub(super) real: Option<PathBuf>,
}

/// Subcharts: each `dependencies` entry (from `file://` or `charts/`), then every other
/// chart in `charts/`, as Helm renders those too.
fn load_subcharts(
    dir: &Path,
    chart_yaml_path: &Path,
    meta: &ChartMeta,
    loading: &mut Loading,
) -> Result<Vec<Subchart>, Error> {
    let error = |name: &str, message: String| dependency_error(chart_yaml_path, name, message);
    if loading.depth > MAX_SUBCHART_DEPTH {
        return Err(error(
            meta.name.as_deref().unwrap_or("?"),
            format!("subcharts are nested more than {MAX_SUBCHART_DEPTH} deep"),
        ));
    }
    let vendored = list_vendored(dir, chart_yaml_path, loading)?;
    let vendored_names: Vec<String> = vendored.iter().map(|v| v.chart.name.clone()).collect();
    let mut local = |dep: &Dependency| -> Result<Option<Vendored>, Error> {
        let Some(rel) = dep
            .repository
            .as_deref()
            .and_then(|r| r.trim().strip_prefix("file://"))
        else {
            return Ok(None);
        };
        let sub_dir = dir.join(rel);
        if !sub_dir.join("Chart.yaml").is_file() {
            // Helm renders the copy `helm dependency build` put in charts/ (a chart published
            // or copied without the directory its `file://` names: linkerd's `../partials`).
            if vendored_names.contains(&dep.name) {
                return Ok(None);
            }
            return Err(error(
                &dep.name,
                format!(
                    "no chart found at {} (looked for its Chart.yaml)",
                    sub_dir.display()
                ),
            )
            .with_hint(format!(
                "vendor it into charts/{} or point `repository` at it with `file://<path>`",
                dep.name
            )));
        }
        let real = fs::canonicalize(&sub_dir).map_err(|source| unreadable(&sub_dir, source))?;
        if loading.parents.contains(&real) {
            return Err(error(
                &dep.name,
                format!(
                    "{} is a chart that depends on itself (a cycle)",
                    sub_dir.display()
                ),
            ));
        }
        let chart = Chart::load_nested(&sub_dir, Some(real.clone()), loading)?;
        Ok(Some(Vendored {
            shown: sub_dir.display().to_string(),
            chart,
            real: Some(real),
        }))
    };
    attach_subcharts(dir, chart_yaml_path, meta, vendored, &mut local)
}

/// The charts in `dir/charts/`: directories holding a Chart.yaml and `.tgz` archives, in path
/// order; names starting with `_` or `.` are left out, as Helm leaves them.
fn list_vendored(
    dir: &Path,
    chart_yaml_path: &Path,
    loading: &mut Loading,
) -> Result<Vec<Vendored>, Error> {
    let charts_dir = dir.join("charts");
    // The chart's real path: charts/ and what is in it stay inside it.
    let root = loading.parents.last().cloned().unwrap_or_default();
    let Found::Dir(charts_real) = confine::resolve(&root, &root, &charts_dir)? else {
        return Ok(Vec::new());
    };
    let mut entries: Vec<_> = fs::read_dir(&charts_dir)
        .and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
        .map_err(|source| unreadable(&charts_dir, source))?
        .into_iter()
        .filter(|e| !e.file_name().to_string_lossy().starts_with(['_', '.']))
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut vendored = Vec::new();
    for path in entries {
        let shown = path.display().to_string();
        // A link out of the chart is refused, whatever it leads to.
        let found = confine::resolve(&root, &charts_real, &path)?;
        if path.extension().is_some_and(|ext| ext == "tgz") && matches!(found, Found::File) {
            let chart = load_archive::load_file(&path, loading)?;
            vendored.push(Vendored {
                shown,
                chart,
                real: None,
            });
            continue;
        }
        let Found::Dir(real) = found else {
            continue;
        };
        if !path.join("Chart.yaml").is_file() {
            continue;
        }
        if loading.parents.contains(&real) {
            return Err(dependency_error(
                chart_yaml_path,
                &shown,
                "a chart that contains itself (a cycle)",
            ));
        }
        let chart = Chart::load_nested(&path, Some(real.clone()), loading)?;
        vendored.push(Vendored {
            shown,
            chart,
            real: Some(real),
        });
    }
    Ok(vendored)
}

/// Matches each `dependencies` entry with its chart: what `local` loads for it (a `file://`
/// path), else the chart of that name in `charts/`; checks the version constraint; then adds
/// every chart of `charts/` that no dependency took.
pub(super) fn attach_subcharts(
    dir: &Path,
    chart_yaml_path: &Path,
    meta: &ChartMeta,
    mut vendored: Vec<Vendored>,
    local: &mut dyn FnMut(&Dependency) -> Result<Option<Vendored>, Error>,
) -> Result<Vec<Subchart>, Error> {
    let error = |name: &str, message: String| dependency_error(chart_yaml_path, name, message);
    // Each chart of charts/ moves into the last dependency that takes it; an earlier one (the
    // same chart under two aliases) takes a copy.
    let mut charts: Vec<Option<Chart>> = Vec::with_capacity(vendored.len());
    let mut found: Vec<(String, String, Option<PathBuf>)> = Vec::with_capacity(vendored.len());
    for v in vendored.drain(..) {
        found.push((v.shown, v.chart.version.clone(), v.real));
        charts.push(Some(v.chart));
    }
    let names: Vec<String> = charts
        .iter()
        .map(|c| c.as_ref().map_or(String::new(), |c| c.name.clone()))
        .collect();
    let mut used = vec![false; charts.len()];
    let mut subcharts = Vec::new();
    for (index, dep) in meta.dependencies.iter().enumerate() {
        let constraint = dep.version.as_deref().filter(|v| !v.trim().is_empty());
        let fits = |version: &str| match constraint {
            Some(c) => super::version::matches(c, version)
                .map_err(|e| error(&dep.name, e.message().to_string())),
            None => Ok(true),
        };
        let (shown, mut chart) = match local(dep)? {
            Some(local) => {
                // A copy of the same chart in charts/ (what `dependency update` vendors) is
                // not a second subchart.
                for i in 0..charts.len() {
                    if names[i] == local.chart.name || found[i].2 == local.real {
                        used[i] = true;
                    }
                }
                (local.shown, local.chart)
            }
            None => {
                let named: Vec<usize> = (0..charts.len())
                    .filter(|&i| names[i] == dep.name)
                    .collect();
                let mut fitting = Vec::new();
                for &i in &named {
                    if fits(&found[i].1)? {
                        fitting.push(i);
                    }
                }
                let pick = match (named.as_slice(), fitting.as_slice()) {
                    ([], _) => return Err(missing(dir, chart_yaml_path, dep)),
                    ([only], _) => *only,
                    (_, [only]) => *only,
                    _ => {
                        let shown: Vec<&str> = named.iter().map(|&i| found[i].0.as_str()).collect();
                        return Err(error(
                            &dep.name,
                            format!(
                                "charts/ holds more than one chart named `{}` ({})",
                                dep.name,
                                shown.join(", ")
                            ),
                        )
                        .with_hint(
                            "remove those not wanted (`ktera dependency build` leaves only the locked one)",
                        ));
                    }
                };
                used[pick] = true;
                let taken_later = meta.dependencies[index + 1..]
                    .iter()
                    .any(|d| d.name == dep.name);
                let chart = if taken_later {
                    charts[pick].clone()
                } else {
                    charts[pick].take()
                };
                let Some(chart) = chart else {
                    return Err(error(
                        &dep.name,
                        "internal: a vendored chart taken twice".into(),
                    ));
                };
                (found[pick].0.clone(), chart)
            }
        };
        if chart.name != dep.name {
            return Err(error(
                &dep.name,
                format!(
                    "the chart at {shown} is named `{}`, not `{}`",
                    chart.name, dep.name
                ),
            ));
        }
        if !fits(&chart.version)? {
            return Err(error(
                &dep.name,
                format!(
                    "version {} at {shown} is outside the constraint `{}`",
                    chart.version,
                    constraint.unwrap_or_default()
                ),
            ));
        }
        // As in Helm, an aliased subchart takes the alias as its name (`Chart.Name`, sources).
        if let Some(alias) = &dep.alias {
            chart.name = alias.clone();
        }
        subcharts.push(Subchart {
            name: dep.alias.clone().unwrap_or_else(|| dep.name.clone()),
            chart,
            dependency: Some(dep.clone()),
        });
    }
    let mut shown_of = Vec::with_capacity(subcharts.len());
    for sub in &subcharts {
        shown_of.push(sub.chart.dir.display().to_string());
    }
    for ((chart, used), (shown, _, _)) in charts.into_iter().zip(used).zip(found) {
        if let (Some(chart), false) = (chart, used) {
            shown_of.push(shown);
            subcharts.push(Subchart {
                name: chart.name.clone(),
                chart,
                dependency: None,
            });
        }
    }
    check_distinct_subcharts(&subcharts, &shown_of, chart_yaml_path)?;
    Ok(subcharts)
}

/// Two subcharts of one name (an alias equal to the name of another chart in `charts/`) would
/// render to the same `# Source:` paths and the same values key, one hiding the other:
/// refused, naming both (Helm refuses two dependencies of one name or alias). `shown` says
/// where each subchart is.
fn check_distinct_subcharts(
    subcharts: &[Subchart],
    shown: &[String],
    chart_yaml_path: &Path,
) -> Result<(), Error> {
    let described = |i: usize| {
        let at = shown.get(i).map_or("?", String::as_str);
        match &subcharts[i].dependency {
            Some(dep) if dep.alias.is_some() => format!(
                "{at} (dependency `{}` with alias `{}`)",
                dep.name, subcharts[i].name
            ),
            Some(dep) => format!("{at} (dependency `{}`)", dep.name),
            None => format!("{at} (in charts/)"),
        }
    };
    for (i, sub) in subcharts.iter().enumerate() {
        if let Some(first) = subcharts[..i].iter().position(|s| s.name == sub.name) {
            return Err(invalid_chart(
                chart_yaml_path,
                format!(
                    "two subcharts are named `{}`: {} and {}",
                    sub.name,
                    described(first),
                    described(i)
                ),
            )
            .with_hint("give one of them another alias in `dependencies`, or remove one"));
        }
    }
    Ok(())
}

/// The chart's name, its dependencies' names and aliases: they become directories of the
/// output and parts of `# Source:` lines (see [`names`]). Helm's rules, and no two dependencies
/// of one name or alias.
fn check_names(meta: &ChartMeta, path: &Path, text: &str) -> Result<(), Error> {
    let shown = path.display().to_string();
    let at = |segments: &[Segment], message: String| {
        let error = invalid_chart(path, message);
        // The line and column, but no snippet: it would print the name's raw characters.
        match crate::yaml::locate(text, segments) {
            Some((line, column)) => error.with_diagnostic(Diagnostic::at(&shown, line, column)),
            None => error,
        }
    };
    if let Some(name) = &meta.name {
        names::check_chart_name(name)
            .map_err(|why| at(&[Segment::Key("name".into())], format!("name {why}")))?;
    }
    let mut keys: Vec<&str> = Vec::new();
    for (index, dep) in meta.dependencies.iter().enumerate() {
        let field = |key: &str| {
            [
                Segment::Key("dependencies".into()),
                Segment::Index(index),
                Segment::Key(key.into()),
            ]
        };
        names::check_chart_name(&dep.name)
            .map_err(|why| at(&field("name"), format!("dependencies[{index}]: name {why}")))?;
        if let Some(alias) = &dep.alias {
            names::check_alias(alias)
                .map_err(|why| at(&field("alias"), format!("dependency `{}`: {why}", dep.name)))?;
        }
        let key = dep.alias.as_deref().unwrap_or(&dep.name);
        if keys.contains(&key) {
            let which = if dep.alias.is_some() { "alias" } else { "name" };
            return Err(at(
                &field(which),
                format!("more than one dependency with name or alias `{key}`"),
            )
            .with_hint("give each dependency its own `alias`"));
        }
        keys.push(key);
    }
    Ok(())
}

/// A dependency without its chart, and what to do.
fn missing(dir: &Path, chart_yaml_path: &Path, dep: &Dependency) -> Error {
    let vendored = dir.join("charts").join(&dep.name);
    match dep.repository.as_deref().map(str::trim).unwrap_or("") {
        "" => dependency_error(
            chart_yaml_path,
            &dep.name,
            format!(
                "no chart found at {} (looked for its Chart.yaml, or an archive of it in charts/)",
                vendored.display()
            ),
        )
        .with_hint(format!(
            "vendor it into charts/{} or point `repository` at it with `file://<path>`",
            dep.name
        )),
        repo => dependency_error(
            chart_yaml_path,
            &dep.name,
            format!(
                "not in {} yet; it comes from `{repo}`",
                dir.join("charts").display()
            ),
        )
        .with_hint(format!(
            "run `ktera dependency build {}` to fetch what Chart.lock names (or `ktera dependency update` to resolve it anew)",
            dir.display()
        )),
    }
}

/// `Chart.yaml` that is not what Helm accepts.
pub(super) fn invalid_chart(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::input(format!("invalid Chart.yaml: {message}")).in_file(path.display().to_string())
}

/// Parses `Chart.yaml`'s text, read from `path`.
pub(super) fn parse_chart_yaml(
    text: &str,
    path: &Path,
) -> Result<(ChartMeta, serde_yaml::Mapping), Error> {
    let shown = path.display().to_string();
    let located = |e: serde_yaml::Error| {
        let (line, column) = diagnostic::yaml_error_location(text, &e).unwrap_or((1, 1));
        Error::input(format!(
            "invalid Chart.yaml: {}",
            diagnostic::yaml_error_message(&e)
        ))
        .in_text(&shown, text, line, column)
    };
    let raw: serde_yaml::Value = match crate::yaml::read_document(text, Keys::Resolved) {
        Some(value) => value,
        None => {
            crate::yaml::check_flow_depth(text, &shown)?;
            serde_yaml::from_str(text).map_err(located)?
        }
    };
    let mut mapping = match raw {
        serde_yaml::Value::Mapping(m) => m,
        serde_yaml::Value::Null => {
            return Err(invalid_chart(
                path,
                "the file is empty; it needs `apiVersion: v2`, `name` and `version`",
            ));
        }
        _ => {
            return Err(invalid_chart(
                path,
                "the top level must be a mapping (`name: ...`, `version: ...`)",
            ));
        }
    };
    // Helm 2 charts may leave `apiVersion` out (or empty); Helm 3's loader reads them as `v1`,
    // which `.Chart.APIVersion` shows.
    let api_version = serde_yaml::Value::String("apiVersion".into());
    if match mapping.get(&api_version) {
        None | Some(serde_yaml::Value::Null) => true,
        Some(serde_yaml::Value::String(s)) => s.is_empty(),
        Some(_) => false,
    } {
        mapping.insert(api_version, serde_yaml::Value::String("v1".into()));
    }
    let meta: ChartMeta = serde_yaml::from_value(serde_yaml::Value::Mapping(mapping.clone()))
        .map_err(|e| invalid_chart(path, e))?;
    Ok((meta, mapping))
}

/// The `dependencies` of a `requirements.yaml`, when it has them.
fn read_requirements(text: &str, path: &Path) -> Result<Option<Vec<Dependency>>, Error> {
    #[derive(serde::Deserialize)]
    struct Requirements {
        dependencies: Option<Vec<Dependency>>,
    }
    let shown = path.display().to_string();
    let parsed: Option<Requirements> = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = diagnostic::yaml_error_location(text, &e).unwrap_or((1, 1));
        Error::input(format!(
            "invalid requirements.yaml: {}",
            diagnostic::yaml_error_message(&e)
        ))
        .in_text(&shown, text, line, column)
    })?;
    Ok(parsed.and_then(|r| r.dependencies))
}

fn collect_templates(
    dir: &Path,
    here: &Path,
    prefix: &str,
    chart_root: &Path,
    ignore: &HelmIgnore,
    out: &mut Vec<TemplateFile>,
) -> Result<(), Error> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .and_then(|entries| entries.collect::<Result<_, _>>())
        .map_err(|e| unreadable(dir, e))?;
    entries.sort_by_cached_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let file_name = entry.file_name();
        names::check_file_name(&file_name)
            .map_err(|message| Error::input(message).in_file(path.display().to_string()))?;
        let name = format!("{prefix}{}", file_name.to_string_lossy());
        // The listing tells a plain file or directory (no call to the system per entry); a
        // link, or anything else, is resolved.
        let found = match entry.file_type() {
            Ok(kind) if kind.is_file() => Found::File,
            Ok(kind) if kind.is_dir() => Found::Dir(here.join(&file_name)),
            _ => confine::resolve(chart_root, here, &path)?,
        };
        if ignore.excludes(&path, matches!(found, Found::Dir(_))) {
            continue;
        }
        match found {
            Found::Missing => {}
            // A link to this directory or one above it is a loop: listing it would never end.
            Found::Dir(real) if here.starts_with(&real) => {}
            Found::Dir(real) => {
                collect_templates(&path, &real, &format!("{name}/"), chart_root, ignore, out)?
            }
            Found::File => {
                let source = read_text(&path)?;
                out.push(TemplateFile { name, path, source });
            }
        }
    }
    Ok(())
}

/// Two files whose names read the same (bytes that are not UTF-8 read as `\u{fffd}`) would
/// print the same `# Source:` line and write the same file: refused, naming both. `files` are
/// sorted by name.
fn check_distinct(files: &[TemplateFile]) -> Result<(), Error> {
    for pair in files.windows(2) {
        if let [first, second] = pair
            && first.name == second.name
        {
            let shown = |t: &TemplateFile| names::shown_os(t.path.as_os_str());
            return Err(Error::input(format!(
                "two files are both named `{}`: {} and {}",
                first.name,
                shown(first),
                shown(second)
            ))
            .in_file(second.path.display().to_string())
            .with_hint("rename one of them (a name that is not UTF-8 reads as `\u{fffd}`)"));
        }
    }
    Ok(())
}
