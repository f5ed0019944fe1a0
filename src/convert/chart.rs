//! A whole Helm chart converted: its subcharts found (directories and unpacked `.tgz`), every
//! template parsed and analysed together (Helm shares `define`s among a chart and its
//! subcharts), each converted, every other file kept byte for byte.

use std::collections::{BTreeMap, HashMap};

use super::emit::{self, Finding, Location, Model};
use super::parse;
use super::scope::{self, TemplateFile};
use super::source::ChartFiles;
use super::values_stage;
use crate::chart::values_stage_number;
use crate::error::Error;

/// The converted chart and what the person maintaining it should know.
#[derive(Debug)]
pub struct Conversion {
    /// Every file of the ktera chart, by path relative to it.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Sorted by file and place; locations name the files of the Helm chart as given.
    pub findings: Vec<Finding>,
    pub charts: Vec<ChartSummary>,
    /// `.tgz` subcharts written out as directories: archive -> directory.
    pub unpacked: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct ChartSummary {
    /// The chart's directory in the output (`""` for the top chart, `charts/common`).
    pub dir: String,
    pub name: String,
    pub templates: usize,
    pub components: usize,
    pub library: bool,
}

/// One chart of the tree.
struct ChartDir {
    /// Its directory in the tree, with a trailing `/` (`""` for the top chart).
    dir: String,
    /// Helm's path of it: `podinfo`, `prometheus/charts/alertmanager`.
    helm_path: String,
    name: String,
    library: bool,
}

/// Converts every template of `chart` and keeps its other files.
pub fn convert(chart: &ChartFiles) -> Result<Conversion, Error> {
    let charts = find_charts(chart)?;
    // Templates of each chart, under Helm's names.
    struct Source {
        helm_name: String,
        path: String,
        converted_path: String,
        text: String,
    }
    let mut sources: Vec<Source> = Vec::new();
    for c in &charts {
        let templates_dir = format!("{}templates/", c.dir);
        for (path, bytes) in chart.files.range(templates_dir.clone()..) {
            let Some(rel) = path.strip_prefix(&templates_dir) else {
                break;
            };
            let text = String::from_utf8(bytes.clone()).map_err(|_| {
                Error::input("this template is not UTF-8 text; Helm reads templates as text")
                    .in_file(path.clone())
            })?;
            sources.push(Source {
                helm_name: format!("{}/templates/{rel}", c.helm_path),
                path: path.clone(),
                converted_path: format!("{templates_dir}{}", converted_name(rel)),
                text,
            });
        }
    }
    let mut parsed = Vec::with_capacity(sources.len());
    for s in &sources {
        let mut template = parse(&s.path, &s.text)?;
        template.name = s.helm_name.clone();
        parsed.push(template);
    }
    let files: Vec<TemplateFile> = sources
        .iter()
        .zip(&parsed)
        .map(|(s, t)| TemplateFile {
            name: &s.helm_name,
            template: t,
        })
        .collect();
    let analysis = scope::analyse(&files);
    let mut model = Model::new(&analysis);
    model.setters = emit::setters::find(&analysis, &files);
    model.supply_hints = emit::supply::find(&files);
    model.inherited = super::render_order::inherited_setters(
        &analysis,
        &model.setters,
        &top_level_setters(&files, &model.setters),
    );
    // A file another template includes by name keeps its name.
    let stages = values_stage::find(&files);
    model.values_stages = stages
        .into_iter()
        .filter(|(name, _)| !model.included_by_name(name))
        .collect();
    let mut value_findings = Vec::new();
    // The converted chart keeps values.yaml as it is, so ktera must read it: a file it refuses
    // (a repeated key, say) is an error here, where it names the line, not a later surprise.
    for c in &charts {
        let path = format!("{}values.yaml", c.dir);
        if let Some(bytes) = chart.files.get(&path) {
            let text = crate::input::text(bytes.clone()).map_err(|f| f.into_error(&path))?;
            let values = crate::values::parse_values(&text, &path)?;
            value_findings.extend(yaml11_booleans(&values, &text, &path));
            model.values.insert(c.helm_path.clone(), values);
        }
    }
    for s in &mut sources {
        let rel = if let Some(stage) = model.values_stages.get(&s.helm_name) {
            stage.clone()
        } else {
            s.helm_name
                .split_once("/templates/")
                .map(|(_, r)| converted_name(r))
                .unwrap_or_default()
        };
        s.converted_path = format!("{}{rel}", templates_dir_of(&s.path, &s.helm_name));
        model.converted_names.insert(s.helm_name.clone(), rel);
    }

    let helm_to_path: HashMap<&str, &str> = sources
        .iter()
        .map(|s| (s.helm_name.as_str(), s.path.as_str()))
        .collect();
    let mut out = chart.files.clone();
    let mut findings: Vec<Finding> = value_findings;
    let indexes: Vec<usize> = (0..sources.len()).collect();
    let emitted = crate::pool::map(&indexes, sources.len(), |&i| {
        emit::emit_file(&model, &sources[i].helm_name, &sources[i].text, &parsed[i])
    });
    for (s, e) in sources.iter().zip(emitted) {
        out.remove(&s.path);
        out.insert(s.converted_path.clone(), e.text.into_bytes());
        findings.extend(e.findings);
    }
    let reported: std::collections::HashSet<Location> =
        findings.iter().map(|f| f.location.clone()).collect();
    for issue in &analysis.issues {
        // The emitter says more about these, or handles them: a value that changes on every
        // render, a template name computed at render time (`include(name=...)`).
        let handled = issue.message.contains("different value on every render")
            || issue
                .message
                .starts_with("the template to include is computed at render time");
        if reported.contains(&issue.location) || handled {
            continue;
        }
        findings.push(Finding {
            location: issue.location.clone(),
            severity: issue.severity,
            message: issue.message.clone(),
        });
    }
    for f in &mut findings {
        if let Some(path) = helm_to_path.get(f.location.file.as_str()) {
            f.location.file = path.to_string();
        }
    }
    findings.sort_by(|a, b| {
        a.location
            .cmp(&b.location)
            .then(a.severity.cmp(&b.severity))
    });
    findings.dedup();

    let summaries = charts
        .iter()
        .map(|c| ChartSummary {
            dir: c.dir.trim_end_matches('/').to_string(),
            name: c.name.clone(),
            templates: sources
                .iter()
                .filter(|s| owner(&charts, &s.path).is_some_and(|o| o.dir == c.dir))
                .count(),
            components: analysis
                .defines
                .values()
                .filter(|d| {
                    let file = &analysis.definitions[d.definition].location.file;
                    helm_to_path
                        .get(file.as_str())
                        .and_then(|p| owner(&charts, p))
                        .is_some_and(|o| o.dir == c.dir)
                })
                .count(),
            library: c.library,
        })
        .collect();
    Ok(Conversion {
        files: out,
        findings,
        charts: summaries,
        unpacked: chart.unpacked.clone(),
    })
}

/// Plain `yes`, `no`, `on`, `off`, `y`, `n` values of a values file, which Helm reads as
/// booleans and ktera as strings: values.yaml is kept as written, so each is reported where it
/// stands (`--verify` reports those of its `-f` files alike).
fn yaml11_booleans(values: &serde_yaml::Value, text: &str, file: &str) -> Vec<Finding> {
    crate::values::yaml11_booleans(values, text)
        .iter()
        .map(|b| yaml11_finding(file, b))
        .collect()
}

pub fn yaml11_finding(file: &str, b: &crate::values::Yaml11Boolean) -> Finding {
    Finding {
        location: Location {
            file: file.to_string(),
            line: b.line,
            column: b.column,
        },
        severity: scope::Severity::Attention,
        message: b.message(),
    }
}

/// The setter defines each file calls at its top level with its own top-level object
/// (`{{ template "vault.mode" . }}`), in order, by Helm name.
fn top_level_setters(
    files: &[TemplateFile],
    setters: &BTreeMap<String, Vec<String>>,
) -> HashMap<String, Vec<String>> {
    use super::ast::Node;
    files
        .iter()
        .map(|f| {
            let called = f
                .template
                .nodes
                .iter()
                .filter_map(|node| match node {
                    // At the top level `.` is the top-level object.
                    Node::Template(t)
                        if setters.contains_key(&t.name.value)
                            && t.pipe
                                .as_ref()
                                .is_some_and(|p| emit::setters::passes_arg(p, true)) =>
                    {
                        Some(t.name.value.clone())
                    }
                    _ => None,
                })
                .collect();
            (f.name.to_string(), called)
        })
        .collect()
}

/// `_helpers.tpl` -> `_helpers.tera`; every other name stays, but a values stage's
/// (`_values.tpl` holds defines, it is no values stage: `_values.tpl.tera`).
fn converted_name(rel: &str) -> String {
    let base = rel.rsplit('/').next().unwrap_or(rel);
    let name = match rel.strip_suffix(".tpl") {
        Some(stem) if base.starts_with('_') => format!("{stem}.tera"),
        _ => rel.to_string(),
    };
    if values_stage_number(&name).is_some() {
        format!("{rel}.tera")
    } else {
        name
    }
}

/// `charts/db/templates/` of the file `charts/db/templates/a/x.yaml`, Helm's
/// `app/charts/db/templates/a/x.yaml`.
fn templates_dir_of<'p>(path: &'p str, helm_name: &str) -> &'p str {
    let rel_len = helm_name
        .split_once("/templates/")
        .map_or(0, |(_, rel)| rel.len());
    &path[..path.len().saturating_sub(rel_len)]
}

/// The chart a file belongs to: the one with the longest directory holding it.
fn owner<'c>(charts: &'c [ChartDir], path: &str) -> Option<&'c ChartDir> {
    charts
        .iter()
        .filter(|c| path.starts_with(&c.dir))
        .max_by_key(|c| c.dir.len())
}

#[derive(serde::Deserialize, Default)]
struct ChartYaml {
    name: Option<String>,
    #[serde(rename = "type")]
    chart_type: Option<String>,
    #[serde(default)]
    dependencies: Vec<DependencyYaml>,
}

#[derive(serde::Deserialize)]
struct DependencyYaml {
    name: Option<String>,
    alias: Option<String>,
}

/// The top chart and every subchart under `charts/`, parents first.
fn find_charts(chart: &ChartFiles) -> Result<Vec<ChartDir>, Error> {
    let mut dirs: Vec<String> = chart
        .files
        .keys()
        .filter_map(|k| k.strip_suffix("Chart.yaml"))
        .filter(|dir| dir.is_empty() || is_subchart_dir(dir))
        .map(str::to_string)
        .collect();
    dirs.sort_by_cached_key(|d| (d.matches('/').count(), d.clone()));
    let mut out: Vec<ChartDir> = Vec::new();
    let mut metas: HashMap<String, ChartYaml> = HashMap::new();
    for dir in dirs {
        let path = format!("{dir}Chart.yaml");
        let meta: ChartYaml = serde_yaml::from_slice(&chart.files[&path]).map_err(|e| {
            Error::input(format!("cannot read Chart.yaml: {e}")).in_file(path.clone())
        })?;
        let name = meta.name.clone().ok_or_else(|| {
            Error::input("Chart.yaml has no `name`")
                .in_file(path.clone())
                .with_hint("add `name: <chart name>`")
        })?;
        let (helm_path, name) = if dir.is_empty() {
            (name.clone(), name)
        } else {
            let parent_dir = parent_chart_dir(&dir);
            let Some(parent) = out.iter().find(|c| c.dir == parent_dir) else {
                continue;
            };
            let alias = metas.get(&parent.dir).and_then(|m| {
                m.dependencies
                    .iter()
                    .find(|d| d.name.as_deref() == Some(name.as_str()))
                    .and_then(|d| d.alias.clone())
            });
            let shown = alias.unwrap_or(name);
            (format!("{}/charts/{shown}", parent.helm_path), shown)
        };
        out.push(ChartDir {
            dir: dir.clone(),
            helm_path,
            name,
            library: meta.chart_type.as_deref() == Some("library"),
        });
        metas.insert(dir, meta);
    }
    Ok(out)
}

/// `a/charts/b/` is a subchart directory of `a/`.
fn is_subchart_dir(dir: &str) -> bool {
    let trimmed = dir.trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some((parent, _)) => parent == "charts" || parent.ends_with("/charts"),
        None => false,
    }
}

fn parent_chart_dir(dir: &str) -> String {
    let trimmed = dir.trim_end_matches('/');
    let parent = trimmed.rsplit_once('/').map_or("", |(p, _)| p);
    let parent = parent.strip_suffix("charts").unwrap_or(parent);
    parent.to_string()
}
