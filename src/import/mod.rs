//! Kustomize overlays -> a chart and one values file per environment that render the same
//! objects (`ktera import`).
//!
//! The truth is what the real Kustomize builds for each overlay: the chart is made from those
//! builds, side by side ([`unify`]), so that it renders them exactly. The kustomization files
//! are read too ([`tree`]), only to make the chart look as a person would write it: the shared
//! base's values as defaults, the overlay's name prefix as a helper, `images` as repository and
//! tag, which file of an overlay a value comes from.
//!
//! Nothing here prints or writes: [`plan`] returns the files, [`write()`] puts them in place all
//! at once, and the command compares the result with the builds.

mod build;
mod helpers;
mod model;
mod names;
mod objects;
mod overlay;
mod provenance;
mod template;
#[cfg(test)]
mod tests;
mod tree;
mod unify;
mod values;
mod write;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_yaml::Value;

pub use build::Build;
pub use overlay::{Overlay, check_all, parse as parse_overlay};
pub use write::{check_targets, write};

use model::{ChartObject, Env, Slot, Source};
use tree::Tree;
use unify::{Common, Paths, Unifier};

use crate::error::Error;

/// What to import and where to put it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The chart directory to write (`charts/<name>`).
    pub chart: PathBuf,
    /// Where `<env>.yaml` goes.
    pub values_dir: PathBuf,
    /// The chart's name; the chart directory's name when not given.
    pub name: Option<String>,
    pub overlays: Vec<Overlay>,
}

/// The chart and values files to write, and the builds they must render.
#[derive(Debug)]
pub struct Import {
    pub chart: PathBuf,
    /// Files of the chart, relative to its directory.
    pub chart_files: Vec<(PathBuf, String)>,
    /// `values/<env>.yaml`, in the order of the environments.
    pub values_files: Vec<(PathBuf, String)>,
    pub builds: Vec<Build>,
    /// What the user should know: Secrets in the values, Kustomize's warnings.
    pub notes: Vec<String>,
    /// Every kustomization directory read (overlays, bases, components): never written over.
    pub sources: Vec<PathBuf>,
}

impl Request {
    /// `<values-dir>/<env>.yaml` for each environment.
    pub fn values_files(&self) -> Vec<PathBuf> {
        self.overlays
            .iter()
            .map(|o| self.values_dir.join(format!("{}.yaml", o.env)))
            .collect()
    }
}

/// Builds every overlay and makes the chart and values that render the same objects.
pub fn plan(request: &Request) -> Result<Import, Error> {
    overlay::check_all(&request.overlays)?;
    let chart_name = match &request.name {
        Some(name) => name.clone(),
        None => request
            .chart
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty() && n != "." && n != "..")
            .ok_or_else(|| {
                Error::usage(format!(
                    "--chart {}: cannot name the chart after this directory; give --name",
                    request.chart.display()
                ))
            })?,
    };
    let tree = Tree::read(&request.overlays);
    let base = tree.common_base();
    let base_dir = base.map(|b| tree.nodes[b].dir.clone());
    let (builds, base_objects) = build::run(&request.overlays, base_dir.as_deref())?;
    assemble(request, &chart_name, &tree, builds, base_objects)
}

/// The chart and values from the builds (and the base's objects), with what the
/// kustomization files say.
fn assemble(
    request: &Request,
    chart_name: &str,
    tree: &Tree,
    builds: Vec<Build>,
    base_objects: Option<Vec<Value>>,
) -> Result<Import, Error> {
    let base = tree.common_base();
    let envs: Vec<Env> = builds
        .iter()
        .enumerate()
        .map(|(e, b)| {
            let (prefix, suffix) = tree.affixes(e);
            let objects: Vec<Value> = b.documents.iter().map(|d| d.value.clone()).collect();
            Env {
                name: b.env.clone(),
                dir: b.dir.clone(),
                namespace: common_namespace(&objects),
                mixed_namespaces: namespaces(&objects) > 1,
                objects,
                prefix,
                suffix,
            }
        })
        .collect();
    let mut objects = objects::match_objects(&envs, base_objects.as_deref());
    let ns = names::snake(chart_name);
    let mut pre = Prelude {
        envs: &envs,
        ns: &ns,
        slots: Vec::new(),
        paths: Paths::default(),
        base: base_objects.as_deref(),
        headings: Vec::new(),
    };

    // Names: the overlay's prefix and suffix, Kustomize's hash, or a value.
    let uses_affix = pre.names(&mut objects);
    let namespace = pre.namespace();
    let namespace_expr = namespace.as_ref().map(|(expr, _)| expr.clone());
    pre.conditions(&mut objects, tree);
    let commons = pre.commons(tree);

    let managed_images: BTreeSet<String> = tree
        .all_nodes()
        .flat_map(|k| &k.images)
        .flat_map(|i| std::iter::once(i.name.clone()).chain(i.new_name.clone()))
        .collect();
    let managed_replicas: BTreeSet<String> =
        tree.all_nodes().flat_map(|k| k.replicas.clone()).collect();

    let Prelude {
        slots,
        paths,
        headings,
        ..
    } = pre;
    let context = unify::Context {
        envs: &envs,
        objects: &objects,
        commons: &commons,
        namespace_expr: namespace_expr.clone(),
        namespace_guard: namespace.and_then(|(_, guard)| guard),
        managed_images: &managed_images,
        managed_replicas: &managed_replicas,
    };
    let mut unifier = Unifier::new(context, paths, slots);
    let mut nodes = Vec::with_capacity(objects.len());
    for o in 0..objects.len() {
        nodes.push(unifier.object(o));
    }
    let slots = std::mem::take(&mut unifier.slots);
    let files = std::mem::take(&mut unifier.files);

    // _helpers.tera
    let mut helpers = helpers::Helpers::new(ns.clone());
    if let Some((prefix, suffix)) = uses_affix {
        helpers.name(prefix, suffix);
    }
    if namespace_expr.is_some() {
        helpers.namespace();
    }
    for common in &commons {
        let top = if common.field == "labels" {
            "commonLabels"
        } else {
            "commonAnnotations"
        };
        let slot_for = |key: &str| {
            slots
                .iter()
                .position(|s| s.path.len() == 2 && s.path[0] == top && s.path[1] == key)
        };
        helpers.common(common, &slot_for, &slots);
    }
    let mut content_calls: Vec<Option<String>> = vec![None; objects.len()];
    for (o, (_, content)) in nodes.iter().enumerate() {
        if let Some(content) = content {
            let (content_call, _) = helpers.hashed(&objects[o], content, &objects[o].stem, &slots);
            content_calls[o] = Some(content_call);
        }
    }

    let sources = tree.sources();
    let mut chart_files: Vec<(PathBuf, String)> = Vec::new();
    chart_files.push((
        PathBuf::from("Chart.yaml"),
        chart_yaml(chart_name, &request.overlays),
    ));
    if !helpers.is_empty() {
        chart_files.push((
            PathBuf::from("templates/_helpers.tera"),
            helpers.text(chart_name),
        ));
    }
    for (o, object) in objects.iter().enumerate() {
        let mut writer = template::Writer::new(&slots);
        let source = sources
            .get(&(object.kind.clone(), object.core.clone()))
            .map(|s| format!(", from {s}"))
            .unwrap_or_default();
        writer.push(&format!(
            "{{#- {}{}{}. #}}\n",
            object.title,
            source,
            match &object.condition {
                Some(condition) => format!("; only where {condition}"),
                None => String::new(),
            }
        ));
        if let Some(condition) = &object.condition {
            writer.tag(0, &format!("if {condition}"));
        }
        writer.root(&nodes[o].0);
        if let Some(call) = &content_calls[o] {
            // No newline after it: the component's text ends with its own, and one more would
            // join a `|+` block at its end.
            writer.push(&format!("{{{{ {call} }}}}"));
        }
        if object.condition.is_some() {
            writer.tag(0, "endif");
        }
        chart_files.push((
            PathBuf::from("templates").join(&object.file),
            writer.finish(),
        ));
    }

    // values.yaml and values/<env>.yaml: the chart's own keys first, then the objects'.
    let defaults = values::defaults(&slots);
    let rank = |slot: &Slot| -> usize {
        let top = slot.path[0].as_str();
        match objects::RESERVED_KEYS.iter().position(|k| *k == top) {
            Some(i) => i,
            None => objects
                .iter()
                .position(|o| o.key == top)
                .map_or(10, |o| 100 + o),
        }
    };
    let mut order: Vec<usize> = (0..slots.len()).collect();
    order.sort_by_key(|&s| (rank(&slots[s]), s));
    let text_files = TextFiles::new(&slots, &defaults, &envs, &files);
    let mut chart_values = values::Document::default();
    for &s in &order {
        let slot = &slots[s];
        if let Some(default) = &defaults[s] {
            chart_values.set(&slot.path, text_files.value(s, default), None);
        }
    }
    for (key, heading) in headings {
        chart_values.heading(&key, heading);
    }
    for object in &objects {
        chart_values.heading(
            &object.key,
            format!("{} (templates/{})", object.title, object.file),
        );
    }
    chart_values.heading(
        "namespace",
        "The namespace of every object (<chart>.namespace in templates/_helpers.tera)."
            .replace("<chart>", &ns),
    );
    chart_values.heading(
        "namePrefix",
        "Added before every object's name, as Kustomize's namePrefix.".to_string(),
    );
    chart_values.heading(
        "commonLabels",
        "Labels on every object whose value differs between environments.".to_string(),
    );
    chart_values.heading(
        "commonAnnotations",
        "Annotations on every object whose value differs between environments.".to_string(),
    );
    let chart_dir = request.chart.display().to_string();
    let values_yaml = chart_values.write(
        &format!(
            "# Defaults shared by every environment, imported from Kustomize by `ktera import`.\n# values/<env>.yaml holds only what differs:\n#   ktera template {chart_dir} -f {}\n\n",
            request.values_dir.join(format!("{}.yaml", envs[0].name)).display()
        ),
        &format!("{chart_dir}/values.yaml"),
    )?;
    chart_files.push((PathBuf::from("values.yaml"), values_yaml));

    for (path, text) in files.iter().chain(&text_files.files) {
        chart_files.push((PathBuf::from(path), text.clone()));
    }

    let provenance = provenance::Provenance {
        own: (0..envs.len()).map(|e| tree.own_nodes(e, base)).collect(),
        tree,
        sources: &sources,
    };
    let mut values_files = Vec::new();
    for (e, env) in envs.iter().enumerate() {
        let mut doc = values::Document::default();
        for &s in &order {
            let slot = &slots[s];
            if !slot.cares[e] {
                continue;
            }
            let Some(entry) = values::entry(&defaults[s], &slot.values[e]) else {
                continue;
            };
            let object = slot.object.map(|o| &objects[o]);
            // A Secret's keys each with the file they come from.
            if let (Some(object), Source::Field(at), Value::Mapping(keys)) =
                (object, &slot.source, &entry)
                && object.kind == "Secret"
                && !keys.is_empty()
            {
                for (key, value) in keys {
                    let Some(key) = key.as_str() else { continue };
                    let mut path = slot.path.clone();
                    path.push(key.to_string());
                    let mut at = at.clone();
                    at.push(tree::Step::Key(key.to_string()));
                    let one = Slot {
                        source: Source::Field(at),
                        path: path.clone(),
                        values: Vec::new(),
                        cares: Vec::new(),
                        base: None,
                        object: slot.object,
                        fixed_default: None,
                        file: None,
                    };
                    doc.set(
                        &path,
                        value.clone(),
                        Some(provenance.explain(e, &one, Some(object))),
                    );
                }
                continue;
            }
            doc.set(
                &slot.path,
                text_files.value(s, &entry),
                Some(provenance.explain(e, slot, object)),
            );
        }
        let path = request.values_files()[e].clone();
        let header = format!(
            "# {}: only what differs from {chart_dir}/values.yaml, imported from {} by `ktera import`.\n#   ktera template {chart_dir} -f {}\n\n",
            env.name,
            env.dir.display(),
            path.display()
        );
        let text = doc.write(&header, &path.display().to_string())?;
        values_files.push((path, text));
    }

    let mut notes = Vec::new();
    let secrets: Vec<&ChartObject> = objects.iter().filter(|o| o.kind == "Secret").collect();
    let with_secrets: BTreeSet<&String> = secrets.iter().map(|o| &o.core).collect();
    // The files that hold a Secret's data: more under its key than the switch `enabled`.
    let holds_secret_data = |text: &str| {
        let values: Value = serde_yaml::from_str(text).unwrap_or(Value::Null);
        secrets.iter().any(|o| {
            values
                .get(o.key.as_str())
                .and_then(Value::as_mapping)
                .is_some_and(|m| m.keys().any(|k| k.as_str() != Some("enabled")))
        })
    };
    let mut places: Vec<String> = values_files
        .iter()
        .map(|(p, text)| (p.display().to_string(), text.as_str()))
        .chain(
            chart_files
                .iter()
                .filter(|(p, _)| p == Path::new("values.yaml"))
                .map(|(_, text)| (format!("{chart_dir}/values.yaml"), text.as_str())),
        )
        .filter(|(_, text)| holds_secret_data(text))
        .map(|(path, _)| path)
        .collect();
    if places.is_empty() {
        // The same data in every environment is written in the template itself.
        places = secrets
            .iter()
            .map(|o| format!("{chart_dir}/templates/{}", o.file))
            .collect();
    }
    if !with_secrets.is_empty() {
        notes.push(format!(
            "the data of the Secret{} {} is in {}, as the overlays held it; keep it out of Git (Sealed Secrets, External Secrets, SOPS) before you commit",
            if with_secrets.len() > 1 { "s" } else { "" },
            with_secrets.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
            places.join(", ")
        ));
    }
    for build in &builds {
        for line in build.warnings.lines().filter(|l| !l.trim().is_empty()) {
            let note = format!("{} ({}): {}", build.command, build.env, line.trim());
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    Ok(Import {
        chart: request.chart.clone(),
        chart_files,
        values_files,
        builds,
        notes,
        sources: tree.all_nodes().map(|k| k.dir.clone()).collect(),
    })
}

/// Long texts that differ between environments, each kept in a file of the chart; the values
/// hold its path: `files/<object>/<name>` for the default, `files/<object>/<env>/<name>` for
/// an environment's own.
struct TextFiles {
    /// (slot, text) -> path.
    paths: HashMap<(usize, String), String>,
    files: Vec<(String, String)>,
}

impl TextFiles {
    fn new(
        slots: &[Slot],
        defaults: &[Option<Value>],
        envs: &[Env],
        taken: &[(String, String)],
    ) -> TextFiles {
        let mut out = TextFiles {
            paths: HashMap::new(),
            files: Vec::new(),
        };
        let mut used: BTreeSet<String> = taken.iter().map(|(p, _)| p.clone()).collect();
        for (s, slot) in slots.iter().enumerate() {
            let Some((dir, name)) = &slot.file else {
                continue;
            };
            let mut wanted: Vec<(Option<&str>, &str)> = Vec::new();
            if let Some(Value::String(text)) = &defaults[s] {
                wanted.push((None, text));
            }
            for (e, env) in envs.iter().enumerate() {
                if let Some(Value::String(text)) = &slot.values[e]
                    && slot.cares[e]
                {
                    wanted.push((Some(&env.name), text));
                }
            }
            for (env, text) in wanted {
                if out.paths.contains_key(&(s, text.to_string())) {
                    continue;
                }
                let stem = match env {
                    Some(env) => format!("files/{dir}/{env}/{name}"),
                    None => format!("files/{dir}/{name}"),
                };
                let mut path = stem.clone();
                let mut n = 2;
                while used.contains(&path) {
                    path = format!("{stem}-{n}");
                    n += 1;
                }
                used.insert(path.clone());
                out.paths.insert((s, text.to_string()), path.clone());
                out.files.push((path, text.to_string()));
            }
        }
        out
    }

    /// The value the values files hold: the file's path for such a text.
    fn value(&self, slot: usize, value: &Value) -> Value {
        match value {
            Value::String(text) => match self.paths.get(&(slot, text.clone())) {
                Some(path) => Value::from(path.as_str()),
                None => value.clone(),
            },
            other => other.clone(),
        }
    }
}

/// How many namespaces the objects are in.
fn namespaces(objects: &[Value]) -> usize {
    let set: BTreeSet<&str> = objects
        .iter()
        .filter_map(|o| o.get("metadata")?.get("namespace")?.as_str())
        .collect();
    set.len()
}

/// The namespace every object that has one is in, when they share one.
fn common_namespace(objects: &[Value]) -> Option<String> {
    let mut found: Option<&str> = None;
    for object in objects {
        let namespace = object
            .get("metadata")
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str);
        if let Some(namespace) = namespace {
            match found {
                Some(f) if f != namespace => return None,
                _ => found = Some(namespace),
            }
        }
    }
    found.map(str::to_string)
}

/// A name is written as it is in a template when YAML reads it back as the same string.
fn plain(text: &str) -> bool {
    !text.is_empty()
        && crate::yaml::quote_scalar_if_needed(text) == text
        && !text.contains(['{', '}', '#'])
}

/// The slots made before the objects are walked: names, namespace, labels, conditions.
struct Prelude<'a> {
    envs: &'a [Env],
    ns: &'a str,
    slots: Vec<Slot>,
    paths: Paths,
    base: Option<&'a [Value]>,
    /// Comments above top-level keys that are not objects (a component's switch).
    headings: Vec<(String, String)>,
}

impl Prelude<'_> {
    fn slot(
        &mut self,
        path: Vec<String>,
        values: Vec<Option<Value>>,
        base: Option<Value>,
        object: Option<usize>,
        source: Source,
    ) -> usize {
        let path = self.paths.claim(path, Vec::new());
        let cares = values.iter().map(Option::is_some).collect();
        self.slots.push(Slot {
            path,
            values,
            cares,
            base,
            object,
            source,
            fixed_default: None,
            file: None,
        });
        self.slots.len() - 1
    }

    /// How each object's name is written; whether the prefix and suffix helper is used.
    fn names(&mut self, objects: &mut [ChartObject]) -> Option<(bool, bool)> {
        let envs = self.envs;
        let mut uses = (false, false);
        for (o, object) in objects.iter_mut().enumerate() {
            let present = object.present();
            if present.is_empty() || object.name_in(present[0]).is_none() {
                continue;
            }
            let hashed: Vec<Option<String>> = present
                .iter()
                .map(|&e| {
                    let doc = object.docs[e].as_ref()?;
                    let name = object.name_in(e)?;
                    let hash = crate::kustomize::name_hash(doc)?;
                    name.strip_suffix(&hash)?
                        .strip_suffix('-')
                        .map(str::to_string)
                })
                .collect();
            object.hashed = hashed.iter().all(Option::is_some);
            let unhashed: Vec<String> = present
                .iter()
                .zip(&hashed)
                .map(|(&e, h)| match (object.hashed, h) {
                    (true, Some(h)) => h.clone(),
                    _ => object.name_in(e).unwrap_or_default().to_string(),
                })
                .collect();
            let finals: Vec<&str> = present.iter().filter_map(|&e| object.name_in(e)).collect();
            let quote = if finals.iter().all(|n| plain(n)) {
                ""
            } else {
                " | quote"
            };
            if object.kind == "Namespace"
                && present.iter().all(|&e| {
                    object.name_in(e).is_some() && object.name_in(e) == envs[e].namespace.as_deref()
                })
                && !envs.iter().any(|e| e.mixed_namespaces)
            {
                object.name_expr = Some(format!("<{}.namespace />{quote}", self.ns));
                continue;
            }
            let fits = present.iter().zip(&unhashed).all(|(&e, u)| {
                *u == format!("{}{}{}", envs[e].prefix, object.core, envs[e].suffix)
            });
            let affixed = present
                .iter()
                .any(|&e| !envs[e].prefix.is_empty() || !envs[e].suffix.is_empty());
            // The name before the hash: the helper, one literal name, or a value.
            let call = if fits && affixed {
                uses.0 |= present.iter().any(|&e| !envs[e].prefix.is_empty());
                uses.1 |= present.iter().any(|&e| !envs[e].suffix.is_empty());
                let call = format!(
                    "<{}.name name={} />",
                    self.ns,
                    crate::engine::string_literal(&object.core)
                );
                object.stem = format!("{{{{ {call} }}}}");
                Some(call)
            } else if unhashed.iter().all(|u| *u == unhashed[0]) {
                object.stem = template::escape(&unhashed[0]);
                None
            } else {
                let mut values = vec![None; envs.len()];
                for (&e, u) in present.iter().zip(&unhashed) {
                    values[e] = Some(Value::from(u.as_str()));
                }
                let base = object
                    .base
                    .as_ref()
                    .and_then(|b| b.get("metadata")?.get("name").cloned());
                let at = vec![
                    tree::Step::Key("metadata".into()),
                    tree::Step::Key("name".into()),
                ];
                let slot = self.slot(
                    vec![object.key.clone(), "name".into()],
                    values,
                    base,
                    Some(o),
                    Source::Field(at),
                );
                let access = names::access(&self.slots[slot].path);
                object.stem = format!("{{{{ {access} }}}}");
                Some(access)
            };
            object.name_expr = if object.hashed {
                Some(format!(
                    "<{}.{}.name />{quote}",
                    self.ns,
                    names::snake(&object.key)
                ))
            } else {
                call.map(|call| format!("{call}{quote}"))
            };
        }
        if uses.0 || uses.1 {
            let envs = self.envs;
            if uses.0 {
                let values = envs
                    .iter()
                    .map(|e| Some(Value::from(e.prefix.as_str())))
                    .collect();
                self.slot(
                    vec!["namePrefix".into()],
                    values,
                    Some(Value::from("")),
                    None,
                    Source::Prefix,
                );
            }
            if uses.1 {
                let values = envs
                    .iter()
                    .map(|e| Some(Value::from(e.suffix.as_str())))
                    .collect();
                self.slot(
                    vec!["nameSuffix".into()],
                    values,
                    Some(Value::from("")),
                    None,
                    Source::Suffix,
                );
            }
            Some(uses)
        } else {
            None
        }
    }

    /// The namespace helper, when each environment puts its objects in one namespace (or, in
    /// some, in none): the expression, and the test for environments without one.
    fn namespace(&mut self) -> Option<(String, Option<String>)> {
        let envs = self.envs;
        if envs.iter().any(|e| e.mixed_namespaces) || envs.iter().all(|e| e.namespace.is_none()) {
            return None;
        }
        let base = self.base.and_then(common_namespace).map(Value::from);
        let values: Vec<Option<Value>> = envs
            .iter()
            .map(|e| e.namespace.as_deref().map(Value::from))
            .collect();
        let slot = self.slot(
            vec!["namespace".into()],
            values,
            base,
            None,
            Source::Namespace,
        );
        self.slots[slot].cares = vec![true; envs.len()];
        let quote = if envs
            .iter()
            .filter_map(|e| e.namespace.as_deref())
            .all(plain)
        {
            ""
        } else {
            " | quote"
        };
        let guard = envs
            .iter()
            .any(|e| e.namespace.is_none())
            .then(|| names::defined(&self.slots[slot].path));
        Some((format!("{{{{ <{}.namespace />{quote} }}}}", self.ns), guard))
    }

    /// A condition for each object some environment lacks: `cache.enabled` for the objects a
    /// component adds, else `<object>.enabled`.
    fn conditions(&mut self, objects: &mut [ChartObject], tree: &Tree) {
        let n = self.envs.len();
        let components = tree.component_objects();
        let presence =
            |o: &ChartObject| -> Vec<bool> { o.docs.iter().map(Option::is_some).collect() };
        let keys: BTreeSet<String> = objects.iter().map(|o| o.key.clone()).collect();
        // Objects of one component with one presence share its flag.
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (o, object) in objects.iter().enumerate() {
            if object.docs.iter().all(Option::is_some) {
                continue;
            }
            let component = components.iter().find(|(_, members)| {
                members
                    .iter()
                    .any(|(kind, name)| *kind == object.kind && *name == object.core)
            });
            let flag = match component {
                Some((name, _)) => {
                    let key = names::camel(name);
                    if keys.contains(&key) || objects::RESERVED_KEYS.contains(&key.as_str()) {
                        format!("{key}Component")
                    } else {
                        key
                    }
                }
                None => object.key.clone(),
            };
            groups.entry(flag).or_default().push(o);
        }
        for (flag, members) in groups {
            let same = members
                .iter()
                .all(|&o| presence(&objects[o]) == presence(&objects[members[0]]));
            let split: Vec<(String, Vec<usize>)> = if same {
                vec![(flag, members)]
            } else {
                members
                    .iter()
                    .map(|&o| (objects[o].key.clone(), vec![o]))
                    .collect()
            };
            for (flag, members) in split {
                let present = presence(&objects[members[0]]);
                let default = match self.base {
                    Some(_) => members.iter().any(|&o| objects[o].base.is_some()),
                    None => present.iter().filter(|p| **p).count() * 2 > n,
                };
                let values = present.iter().map(|p| Some(Value::Bool(*p))).collect();
                let slot = self.slot(
                    vec![flag, "enabled".into()],
                    values,
                    None,
                    Some(members[0]),
                    Source::Presence,
                );
                self.slots[slot].fixed_default = Some(Some(Value::Bool(default)));
                let condition = names::access(&self.slots[slot].path);
                let top = self.slots[slot].path[0].clone();
                if !objects.iter().any(|o| o.key == top) {
                    let mut titles: Vec<String> = members
                        .iter()
                        .take(3)
                        .map(|&o| objects[o].title.clone())
                        .collect();
                    if members.len() > 3 {
                        titles.push(format!("{} more", members.len() - 3));
                    }
                    self.headings.push((
                        top,
                        format!(
                            "The objects of a component of the overlays, on where true: {}.",
                            titles.join(", ")
                        ),
                    ));
                }
                for o in members {
                    objects[o].condition = Some(condition.clone());
                }
            }
        }
    }

    /// The labels (and annotations) that `labels`, `commonLabels` or `commonAnnotations`
    /// put on every object of every environment.
    fn commons(&mut self, tree: &Tree) -> Vec<Common> {
        let label_keys: BTreeSet<String> = tree
            .all_nodes()
            .flat_map(|k| k.label_keys.clone())
            .collect();
        let annotation_keys: BTreeSet<String> = tree
            .all_nodes()
            .flat_map(|k| k.annotation_keys.clone())
            .collect();
        let mut out = Vec::new();
        for (field, allowed, top) in [
            ("labels", label_keys, "commonLabels"),
            ("annotations", annotation_keys, "commonAnnotations"),
        ] {
            let Some((keys, per_env)) = shared_pairs(self.envs, field, &allowed) else {
                continue;
            };
            let base_pairs = self.base.and_then(|b| common_pairs(b, field));
            for key in &keys {
                let values: Vec<Option<Value>> = per_env
                    .iter()
                    .map(|m| m.get(key).map(|v| Value::from(v.as_str())))
                    .collect();
                if values.iter().all(|v| *v == values[0]) {
                    continue;
                }
                let base = base_pairs
                    .as_ref()
                    .and_then(|p| p.get(key))
                    .map(|v| Value::from(v.as_str()));
                let source = if field == "labels" {
                    Source::Label(key.clone())
                } else {
                    Source::Annotation(key.clone())
                };
                self.slot(vec![top.into(), key.clone()], values, base, None, source);
            }
            out.push(Common {
                field,
                call: format!("<{}.{field} />", self.ns),
                keys,
                values: per_env,
            });
        }
        out
    }
}

/// Keys, and each environment's value for each.
type SharedPairs = (Vec<String>, Vec<BTreeMap<String, String>>);

/// The `field` (labels or annotations) pairs every object of every environment carries,
/// among the `allowed` keys: the keys, and each environment's values.
fn shared_pairs(envs: &[Env], field: &str, allowed: &BTreeSet<String>) -> Option<SharedPairs> {
    let per_env: Option<Vec<BTreeMap<String, String>>> = envs
        .iter()
        .map(|env| {
            let pairs = common_pairs(&env.objects, field)?;
            Some(
                pairs
                    .into_iter()
                    .filter(|(k, _)| allowed.contains(k))
                    .collect(),
            )
        })
        .collect();
    let per_env = per_env?;
    let keys: Vec<String> = per_env[0]
        .keys()
        .filter(|k| per_env.iter().all(|m| m.contains_key(*k)))
        .cloned()
        .collect();
    if keys.is_empty() {
        return None;
    }
    let per_env = per_env
        .into_iter()
        .map(|m| m.into_iter().filter(|(k, _)| keys.contains(k)).collect())
        .collect();
    Some((keys, per_env))
}

/// The pairs of `metadata.<field>` every object has (same key, same value).
fn common_pairs(objects: &[Value], field: &str) -> Option<BTreeMap<String, String>> {
    let mut common: Option<BTreeMap<String, String>> = None;
    for object in objects {
        let pairs: BTreeMap<String, String> = object
            .get("metadata")
            .and_then(|m| m.get(field))
            .and_then(Value::as_mapping)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        common = Some(match common {
            None => pairs,
            Some(c) => c
                .into_iter()
                .filter(|(k, v)| pairs.get(k) == Some(v))
                .collect(),
        });
    }
    common.filter(|c| !c.is_empty())
}

fn chart_yaml(name: &str, overlays: &[Overlay]) -> String {
    let from: Vec<String> = overlays
        .iter()
        .map(|o| format!("{}: {}", o.env, o.dir.display()))
        .collect();
    let mut doc = serde_yaml::Mapping::new();
    doc.insert("apiVersion".into(), "v2".into());
    doc.insert("name".into(), name.into());
    doc.insert(
        "description".into(),
        format!(
            "Imported from Kustomize by ktera import ({}).",
            from.join(", ")
        )
        .into(),
    );
    doc.insert("type".into(), "application".into());
    doc.insert("version".into(), "0.1.0".into());
    crate::yaml::emit_document(&Value::Mapping(doc))
}
