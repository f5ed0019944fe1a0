//! Changes to `.Values` that later templates see. Helm renders a chart's templates one after
//! another, all sharing one `.Values` (a subchart's is its parent's `.Values.<name>`): a
//! template that changes it (`$_ := set .Values "k" v`) changes what every template rendered
//! after it sees. The order is fixed ([`helm_order`]: deepest path first, so subcharts before
//! their parent, ties in reverse name order, `templates/z.yaml` before `templates/a.yaml`);
//! partials (`_` names) are not rendered. A converted chart gives each template the values as
//! given, so its output differs from Helm's exactly where a template rendered after the change
//! reads what was changed: found here, for the report.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::emit::names::OBJECTS;
use super::scope::{Analysis, Call, CallKind, DotUse, MAX_VALUE_DEPTH, Value, helm_order};

/// What a rendered file reads of its chart's top-level object, through the defines it calls.
#[derive(Debug, Default, PartialEq)]
pub struct Reads {
    /// Paths from the top-level object: `["Values", "image", "tag"]`; `[]` for all of it.
    pub paths: BTreeSet<Vec<String>>,
    /// Why it may read anything, when it may: `tpl` (its text can read any value), a template
    /// name computed at render time, an argument the analysis cannot follow.
    pub anything: Option<&'static str>,
}

/// Calls followed into defines at most, per file: beyond, the file may read anything.
const MAX_VISITS: usize = 4096;

/// Where code is written: at the top level of a file, or in a definition.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Body<'a> {
    File(&'a str),
    Definition(usize),
}

/// The uses and calls of each body, found once.
struct Index<'a> {
    uses: HashMap<Body<'a>, Vec<&'a DotUse>>,
    calls: HashMap<Body<'a>, Vec<&'a Call>>,
    /// Values put in a variable that is changed in a branch or loop (`$tag := .Values.tag`,
    /// then `$tag = ...` in an `if`): the analysis does not follow the variable from there on,
    /// so what it was given counts as read where it was given.
    held: HashMap<Body<'a>, Vec<&'a Value>>,
}

impl<'a> Index<'a> {
    fn of(analysis: &'a Analysis) -> Index<'a> {
        let body = |definition: Option<usize>, file: &'a str| match definition {
            Some(d) => Body::Definition(d),
            None => Body::File(file),
        };
        let mut index = Index {
            uses: HashMap::new(),
            calls: HashMap::new(),
            held: HashMap::new(),
        };
        for v in &analysis.variables {
            if v.assignments.iter().any(|a| a.in_inner_branch) {
                let at = body(v.definition, &v.location.file);
                let given = std::iter::once(&v.value).chain(v.assignments.iter().map(|a| &a.value));
                index.held.entry(at).or_default().extend(given);
            }
        }
        for u in &analysis.dot_uses {
            if !analysis.passed_on.contains(&u.location) {
                let at = body(u.definition, &u.location.file);
                index.uses.entry(at).or_default().push(u);
            }
        }
        for c in &analysis.calls {
            let at = body(c.definition, &c.location.file);
            index.calls.entry(at).or_default().push(c);
        }
        index
    }
}

/// What the rendered file `file` (Helm's name) reads.
fn reads<'a>(analysis: &'a Analysis, index: &'a Index<'a>, file: &'a str) -> Reads {
    let mut walk = Walk {
        analysis,
        index,
        out: Reads::default(),
        seen: BTreeSet::new(),
        files: BTreeSet::from([file]),
    };
    walk.body(Body::File(file), &Value::Root);
    walk.out
}

struct Walk<'a> {
    analysis: &'a Analysis,
    index: &'a Index<'a>,
    out: Reads,
    /// (definition, argument) already walked.
    seen: BTreeSet<(usize, Value)>,
    /// Files included by name already walked.
    files: BTreeSet<&'a str>,
}

impl<'a> Walk<'a> {
    /// The code of a file's top level or of a definition, whose argument is `arg`.
    fn body(&mut self, body: Body<'a>, arg: &Value) {
        let define = match body {
            Body::Definition(d) => Some(self.analysis.definitions[d].name.clone()),
            Body::File(_) => None,
        };
        let bound = |value: &Value| match &define {
            Some(name) => bind(value, name, arg),
            None => Some(value.clone()),
        };
        let index = self.index;
        for dot_use in index.uses.get(&body).into_iter().flatten() {
            // A value the analysis cannot follow (a variable changed in a loop) is left out:
            // it is nearly always the template's own.
            if let Some(Found::Path(mut path)) = bound(&dot_use.value).as_ref().map(root_path) {
                // `hasKey .Values.a "k"` reads `.Values.a.k`, not all of `.Values.a`.
                if let Some(keys) = self.analysis.narrowed.get(&dot_use.location) {
                    path.extend(keys.iter().cloned());
                }
                self.out.paths.insert(path);
            }
        }
        for value in index.held.get(&body).into_iter().flatten() {
            if let Some(Found::Path(path)) = bound(value).as_ref().map(root_path) {
                self.out.paths.insert(path);
            }
        }
        let calls: &'a [&'a Call] = index.calls.get(&body).map_or(&[], Vec::as_slice);
        for call in calls {
            if call.kind == CallKind::Tpl {
                self.out.anything.get_or_insert("tpl");
                continue;
            }
            let Some(name) = &call.name else {
                self.out
                    .anything
                    .get_or_insert("a template name computed at render time");
                continue;
            };
            // An argument deeper than the analysis builds (a define passing itself ever
            // deeper values) is not followed: walking it would recurse without bound.
            let Some(call_arg) = bound(&call.arg).filter(|a| a.depth() <= MAX_VALUE_DEPTH) else {
                self.out
                    .anything
                    .get_or_insert("an argument the converter cannot follow");
                continue;
            };
            if let Some(info) = self.analysis.defines.get(name) {
                let callee = info.definition;
                if self.seen.len() >= MAX_VISITS {
                    self.out
                        .anything
                        .get_or_insert("templates nested too deep to follow");
                    continue;
                }
                if self.seen.insert((callee, call_arg.clone())) {
                    self.body(Body::Definition(callee), &call_arg);
                }
            } else if self.analysis.files.contains(name) {
                // A file included by name (the checksum idiom) reads as that file does, with
                // the top-level object it is given.
                if call_arg != Value::Root {
                    self.out
                        .anything
                        .get_or_insert("an argument the converter cannot follow");
                } else if self.files.insert(name.as_str()) {
                    self.body(Body::File(name.as_str()), &Value::Root);
                }
            }
        }
    }
}

/// `value`, written in the define `name`, with the define's argument replaced by `arg`;
/// `None` when it cannot be followed.
fn bind(value: &Value, name: &str, arg: &Value) -> Option<Value> {
    Some(match value {
        Value::Arg(n) if n == name => arg.clone(),
        Value::Arg(_) => return None,
        Value::Path(base, fields) => bind(base, name, arg)?.path(fields),
        Value::Element(base) => Value::Element(Box::new(bind(base, name, arg)?)),
        Value::Key(base) => Value::Key(Box::new(bind(base, name, arg)?)),
        Value::Dict(entries) => Value::Dict(
            entries
                .iter()
                .map(|(k, v)| Some((k.clone(), bind(v, name, arg)?)))
                .collect::<Option<_>>()?,
        ),
        Value::List(items) => Value::List(
            items
                .iter()
                .map(|v| bind(v, name, arg))
                .collect::<Option<_>>()?,
        ),
        other => other.clone(),
    })
}

enum Found {
    /// A path from the top-level object.
    Path(Vec<String>),
    /// Not the top-level object's: a literal, a function's result, a dict of those.
    Other,
    Unknown,
}

/// Where in the top-level object a use reads.
fn root_path(value: &Value) -> Found {
    match value {
        Value::Root => Found::Path(Vec::new()),
        Value::Path(base, fields) => match root_path(base) {
            Found::Path(mut path) => {
                path.extend(fields.iter().cloned());
                Found::Path(path)
            }
            other => other,
        },
        // An element of (or a key in) a part of the object reads that part.
        Value::Element(base) | Value::Key(base) => root_path(base),
        // A dict or list written in the template reads what it holds.
        Value::Dict(_) | Value::List(_) => {
            let items: Vec<&Value> = match value {
                Value::Dict(entries) => entries.iter().map(|(_, v)| v).collect(),
                Value::List(items) => items.iter().collect(),
                _ => Vec::new(),
            };
            let mut paths = items.into_iter().map(root_path);
            match paths.find(|f| !matches!(f, Found::Other)) {
                // Only one path is kept: a dict holding the root reads all of it anyway.
                Some(Found::Path(_)) => Found::Path(Vec::new()),
                Some(_) => Found::Unknown,
                None => Found::Other,
            }
        }
        Value::Unknown => Found::Unknown,
        Value::Arg(_) => Found::Unknown,
        Value::Literal(_) | Value::Result(_) | Value::Nil => Found::Other,
    }
}

/// The chart a file belongs to, by Helm's name: `app/templates/a.yaml` -> `app`,
/// `app/charts/db/templates/x.yaml` -> `app/charts/db`.
fn chart_of(file: &str) -> &str {
    file.find("/templates/").map_or(file, |i| &file[..i])
}

/// What a template rendered after one that changed `changed` (a path from its chart's
/// top-level object: `["Values", "k"]`) makes of the change, in Helm.
#[derive(Debug, Default, PartialEq)]
pub struct Later {
    /// Templates rendered after it, of its chart or a chart above it.
    pub rendered: usize,
    /// Those that read what was changed: their output differs in the converted chart.
    pub reading: Vec<String>,
    /// Those that may read it, with why.
    pub maybe: Vec<(String, &'static str)>,
}

/// The templates rendered after `file` that see a change of `changed` in Helm.
pub fn later_readers(analysis: &Analysis, file: &str, changed: &[String]) -> Later {
    let files = rendered_in_helm_order(analysis);
    let chart = chart_of(file);
    let index = Index::of(analysis);
    let mut later = Later::default();
    let Some(at) = files.iter().position(|f| *f == file) else {
        return later;
    };
    for &other in &files[at + 1..] {
        let Some(seen_as) = seen_from(chart, chart_of(other), changed) else {
            continue;
        };
        later.rendered += 1;
        let reads = reads(analysis, &index, other);
        let overlaps = reads
            .paths
            .iter()
            .any(|r| r.starts_with(&seen_as) || seen_as.starts_with(r));
        if overlaps {
            later.reading.push(other.to_string());
        } else if let Some(why) = reads.anything {
            later.maybe.push((other.to_string(), why));
        }
    }
    later
}

/// The path at which a template of `other_chart` sees `changed` of `chart`'s top-level
/// object: the same in the same chart; under `.Values.<name>` in a chart above (a subchart's
/// `.Values` is its parent's `.Values.<name>`); `None` elsewhere.
fn seen_from(chart: &str, other_chart: &str, changed: &[String]) -> Option<Vec<String>> {
    if chart == other_chart {
        return Some(changed.to_vec());
    }
    let (first, rest) = changed.split_first()?;
    if first != "Values" {
        // The rest of the top-level object is each chart's own.
        return None;
    }
    let subcharts = |above: &str, below: &str| -> Option<Vec<String>> {
        let names = below.strip_prefix(above)?.strip_prefix("/charts/")?;
        Some(names.split("/charts/").map(str::to_string).collect())
    };
    let values = std::iter::once("Values".to_string());
    if let Some(names) = subcharts(other_chart, chart) {
        // A chart above sees the subchart's `.Values` as its `.Values.<name>`.
        return Some(values.chain(names).chain(rest.iter().cloned()).collect());
    }
    let names = subcharts(chart, other_chart)?;
    // A subchart (rendered later only when the parent's template lies deeper) sees its part.
    if rest.starts_with(&names) {
        Some(values.chain(rest[names.len()..].iter().cloned()).collect())
    } else if names.starts_with(rest) {
        Some(values.collect())
    } else {
        None
    }
}

/// A setter define (one that only sets keys on the top-level object it is given, vault's
/// `vault.mode`) that a template inherits: Helm's templates share one top-level object, so a
/// key a template rendered earlier set with it is still there when a later template reads it
/// without setting it (vault's `server-serviceaccount.yaml` reads the `.mode` that
/// `ui-service.yaml` set). The define computes the keys from the values, so calling it at the
/// top of the later template gives the value Helm's template sees.
#[derive(Debug, Clone, PartialEq)]
pub struct Inherited {
    pub define: String,
    /// The template Helm renders last before this one that calls it (Helm's name).
    pub from: String,
    /// The keys this template reads that the call sets.
    pub keys: Vec<String>,
}

/// For each rendered file, the setter defines it inherits ([`Inherited`]): for each key of the
/// top-level object it reads and does not set itself with a setter called at its top level, the
/// setter called (at its top level, `{{ template "d" . }}`) by the template of its chart Helm
/// renders last before it. `top_level_setters` gives, by file, the setters so called, in order.
pub fn inherited_setters(
    analysis: &Analysis,
    setters: &BTreeMap<String, Vec<String>>,
    top_level_setters: &HashMap<String, Vec<String>>,
) -> HashMap<String, Vec<Inherited>> {
    let files = rendered_in_helm_order(analysis);
    let sets = |file: &str| -> Vec<(&str, &str)> {
        top_level_setters
            .get(file)
            .into_iter()
            .flatten()
            .flat_map(|d| {
                setters
                    .get(d)
                    .into_iter()
                    .flatten()
                    .map(move |k| (d.as_str(), k.as_str()))
            })
            .collect()
    };
    let index = Index::of(analysis);
    let mut out: HashMap<String, Vec<Inherited>> = HashMap::new();
    for (at, &file) in files.iter().enumerate() {
        let own = sets(file);
        let read: BTreeSet<String> = reads(analysis, &index, file)
            .paths
            .into_iter()
            .filter_map(|p| p.into_iter().next())
            // The objects every template has are never keys a template sets.
            .filter(|k| !OBJECTS.contains(&k.as_str()) && !own.iter().any(|(_, o)| o == k))
            .collect();
        for key in read {
            let earlier = files[..at]
                .iter()
                .rev()
                .filter(|e| chart_of(e) == chart_of(file))
                .find_map(|e| {
                    sets(e)
                        .into_iter()
                        .rev()
                        .find(|(_, k)| *k == key)
                        .map(|(d, _)| (d, *e))
                });
            let Some((define, from)) = earlier else {
                continue;
            };
            let list = out.entry(file.to_string()).or_default();
            match list
                .iter_mut()
                .find(|i| i.define == define && i.from == from)
            {
                Some(i) => i.keys.push(key),
                None => list.push(Inherited {
                    define: define.to_string(),
                    from: from.to_string(),
                    keys: vec![key],
                }),
            }
        }
    }
    out
}

/// The files Helm renders, in the order it renders them.
fn rendered_in_helm_order(analysis: &Analysis) -> Vec<&str> {
    let mut files: Vec<&str> = analysis
        .files
        .iter()
        .map(String::as_str)
        .filter(|f| is_rendered(f))
        .collect();
    files.sort_by(|a, b| helm_order(a, b));
    files
}

/// Helm renders every template file but partials (`_` names).
fn is_rendered(file: &str) -> bool {
    !file.rsplit('/').next().unwrap_or(file).starts_with('_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::parse;
    use crate::convert::scope::{TemplateFile, analyse};

    fn later(files: &[(&str, &str)], file: &str, changed: &[&str]) -> Later {
        let parsed: Vec<_> = files
            .iter()
            .map(|(name, text)| parse(name, text).expect("parses"))
            .collect();
        let templates: Vec<TemplateFile> = files
            .iter()
            .zip(&parsed)
            .map(|((name, _), template)| TemplateFile { name, template })
            .collect();
        let analysis = analyse(&templates);
        let changed: Vec<String> = changed.iter().map(|s| s.to_string()).collect();
        later_readers(&analysis, file, &changed)
    }

    const SET: &str = r#"{{- $_ := set .Values "k" "v" }}"#;

    #[test]
    fn helm_renders_deepest_first_then_in_reverse_name_order() {
        let files = [
            ("p/templates/a.yaml", "{{ .Values.k }}"),
            ("p/templates/m.yaml", SET),
            ("p/templates/z.yaml", "{{ .Values.k }}"),
            ("p/templates/dir/c.yaml", "{{ .Values.k }}"),
            ("p/templates/B.yaml", "{{ .Values.other }}"),
            ("p/templates/_helpers.tpl", "{{ .Values.k }}"),
        ];
        // Rendered: dir/c, z, m, a, B: after m come a (reads k) and B (does not).
        let found = later(&files, "p/templates/m.yaml", &["Values", "k"]);
        assert_eq!(found.rendered, 2);
        assert_eq!(found.reading, vec!["p/templates/a.yaml".to_string()]);
        assert!(found.maybe.is_empty());
    }

    #[test]
    fn reads_through_defines_and_their_arguments() {
        let files = [
            ("p/templates/z.yaml", SET),
            (
                "p/templates/_helpers.tpl",
                r#"{{ define "name" }}{{ .Values.k }}{{ end }}{{ define "ctx" }}{{ .root.Values.k }}{{ end }}{{ define "part" }}{{ .x }}{{ end }}"#,
            ),
            ("p/templates/a.yaml", r#"{{ include "name" . }}"#),
            (
                "p/templates/b.yaml",
                r#"{{ include "ctx" (dict "root" $) }}"#,
            ),
            (
                "p/templates/c.yaml",
                r#"{{ include "part" (dict "x" .Values.k) }}"#,
            ),
            (
                "p/templates/d.yaml",
                r#"{{ $root := . }}{{ include "part" $root }}"#,
            ),
            ("p/templates/e.yaml", r#"{{ tpl .Values.text . }}"#),
            (
                "p/templates/f.yaml",
                r#"{{ hasKey .Values "other" }}{{ index .Values "x" "k" }}{{ get .Values "y" }}"#,
            ),
            ("p/templates/g.yaml", r#"{{ hasKey .Values "k" }}"#),
        ];
        let found = later(&files, "p/templates/z.yaml", &["Values", "k"]);
        assert_eq!(
            found.reading,
            vec![
                "p/templates/g.yaml".to_string(),
                "p/templates/c.yaml".to_string(),
                "p/templates/b.yaml".to_string(),
                "p/templates/a.yaml".to_string(),
            ]
        );
        assert_eq!(found.maybe, vec![("p/templates/e.yaml".to_string(), "tpl")]);
        assert_eq!(found.rendered, 7);
    }

    #[test]
    fn a_define_calling_itself_with_an_ever_deeper_argument_is_followed_to_a_bound() {
        // Helm stops such a chart at its include depth; the report must not overflow the stack.
        let files = [
            ("p/templates/z.yaml", SET),
            (
                "p/templates/_helpers.tpl",
                r#"{{ define "r" }}{{ .x.Values.k }}{{ include "r" (dict "x" .) }}{{ end }}"#,
            ),
            ("p/templates/a.yaml", r#"{{ include "r" . }}"#),
        ];
        let run = move || later(&files, "p/templates/z.yaml", &["Values", "k"]);
        // The stack of a thread the report may run on (the main thread's is 8 MiB).
        let found = std::thread::Builder::new()
            .stack_size(8 * 1024 * 1024)
            .spawn(run)
            .expect("thread")
            .join()
            .expect("no stack overflow");
        // The second call's `.x` is the top-level object: `.x.Values.k` reads the change.
        assert_eq!(found.rendered, 1);
        assert_eq!(found.reading, vec!["p/templates/a.yaml".to_string()]);
    }

    #[test]
    fn a_variable_changed_in_a_branch_still_reads_what_it_was_given() {
        // The common idiom: the tag from values, the chart's version when none is set.
        let files = [
            (
                "p/templates/z.yaml",
                r#"{{- $_ := set .Values.image "tag" "v2" }}"#,
            ),
            (
                "p/templates/a.yaml",
                "{{ $tag := .Values.image.tag }}{{ if not $tag }}{{ $tag = .Chart.AppVersion }}{{ end }}{{ $tag }}",
            ),
            (
                "p/templates/b.yaml",
                "{{ $n := .Values.name }}{{ range .Values.l }}{{ $n = $.Values.image.tag }}{{ end }}{{ $n }}",
            ),
            (
                "p/templates/c.yaml",
                "{{ $n := .Values.name }}{{ if .Values.x }}{{ $n = .Values.other }}{{ end }}{{ $n }}",
            ),
            (
                "p/templates/d.yaml",
                "{{ $t := .Values.image.tag }}{{ if .Values.x }}{{ $t = \"a\" }}{{ end }}{{ $t }}",
            ),
        ];
        let found = later(&files, "p/templates/z.yaml", &["Values", "image", "tag"]);
        assert_eq!(
            found.reading,
            vec![
                "p/templates/d.yaml".to_string(),
                "p/templates/b.yaml".to_string(),
                "p/templates/a.yaml".to_string()
            ]
        );
        assert_eq!(found.rendered, 4);
    }

    #[test]
    fn subcharts_see_their_part_of_their_parents_values() {
        assert_eq!(
            seen_from(
                "p",
                "p/charts/db",
                &["Values".into(), "db".into(), "k".into()]
            ),
            Some(vec!["Values".to_string(), "k".to_string()])
        );
        assert_eq!(
            seen_from("p", "p/charts/db", &["Values".into(), "web".into()]),
            None
        );
        assert_eq!(
            seen_from("p", "p/charts/db", &["Values".into()]),
            Some(vec!["Values".to_string()])
        );
        assert_eq!(
            seen_from("p/charts/db", "p", &["Values".into(), "k".into()]),
            Some(vec![
                "Values".to_string(),
                "db".to_string(),
                "k".to_string()
            ])
        );
        assert_eq!(seen_from("p/charts/db", "p", &["Release".into()]), None);
        assert_eq!(
            seen_from("p/charts/db", "p/charts/web", &["Values".into()]),
            None
        );
    }

    #[test]
    fn a_subcharts_change_is_seen_by_its_parent_under_its_name() {
        let files = [
            ("p/charts/db/templates/s.yaml", SET),
            ("p/charts/db/templates/a.yaml", "{{ .Values.k }}"),
            ("p/templates/a.yaml", "{{ .Values.db.k }}"),
            ("p/templates/b.yaml", "{{ .Values.k }}"),
        ];
        let found = later(&files, "p/charts/db/templates/s.yaml", &["Values", "k"]);
        assert_eq!(
            found.reading,
            vec![
                "p/charts/db/templates/a.yaml".to_string(),
                "p/templates/a.yaml".to_string()
            ]
        );
        assert_eq!(found.rendered, 3);
        // The parent renders after its subchart: its change reaches its own later templates.
        let found = later(&files, "p/templates/b.yaml", &["Values", "db", "k"]);
        assert_eq!(found.rendered, 1);
        assert_eq!(found.reading, vec!["p/templates/a.yaml".to_string()]);
    }
}
