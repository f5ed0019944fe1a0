//! The kustomization files themselves, read for what the builds do not say: which directory is
//! the shared base, the overlay's own name prefix and suffix, which `images`, `replicas`,
//! `labels` and `commonAnnotations` entries exist, what a component adds, and which file of an
//! overlay changed a field (the comment beside each value).
//!
//! Read leniently: the truth is what Kustomize builds, so a field this reader does not know, a
//! remote resource or a file it cannot parse only makes the chart plainer, never wrong.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use serde_yaml::Value;

use super::overlay::{Overlay, kustomization_file};

/// One kustomization (or component) directory and what the importer uses of it.
#[derive(Debug, Default)]
pub struct Kustomization {
    /// The directory as the user would write it (relative to the working directory).
    pub dir: PathBuf,
    /// Its kustomization file, written the same way.
    pub file: String,
    pub component: bool,
    /// Directories listed under `resources`, `bases` and `components`, as indexes of
    /// [`Tree::nodes`].
    pub children: Vec<usize>,
    pub components: Vec<usize>,
    /// Files listed under `resources`.
    pub resource_files: Vec<PathBuf>,
    pub name_prefix: String,
    pub name_suffix: String,
    pub namespace: Option<String>,
    pub images: Vec<ImageEntry>,
    pub replicas: Vec<String>,
    pub label_keys: Vec<String>,
    pub annotation_keys: Vec<String>,
    pub patches: Vec<Patch>,
    pub generators: Vec<Generator>,
}

#[derive(Debug, Clone, Default)]
pub struct ImageEntry {
    pub name: String,
    pub new_name: Option<String>,
}

/// A patch and where it is written (its file, or the kustomization for an inline one).
#[derive(Debug)]
pub struct Patch {
    pub shown: String,
    pub target_kind: Option<String>,
    pub target_name: Option<String>,
    pub body: PatchBody,
}

#[derive(Debug)]
pub enum PatchBody {
    /// Strategic-merge documents.
    Strategic(Vec<Value>),
    /// JSON 6902 operations' paths, split at `/`.
    Json(Vec<Vec<String>>),
}

/// A `configMapGenerator` or `secretGenerator` entry: the files each key comes from.
#[derive(Debug)]
pub struct Generator {
    pub kind: &'static str,
    pub name: String,
    /// `behavior: create` (the default) makes an object; merge and replace change one.
    pub creates: bool,
    /// Key -> the file that holds it (an env file, a file, or the kustomization for literals).
    pub keys: Vec<(String, String)>,
}

/// A step of a path into an object, as the importer walks it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    Key(String),
    /// The item of a list whose `field` is `value` (`containers[name=app]`).
    Item {
        field: String,
        value: String,
    },
    /// The only item of a one-item list.
    Only,
}

/// Every kustomization reachable from the overlays.
#[derive(Debug, Default)]
pub struct Tree {
    pub nodes: Vec<Kustomization>,
    /// For each environment, the nodes it builds from and how deep (the overlay itself at 0).
    pub reach: Vec<Vec<(usize, usize)>>,
    index: HashMap<PathBuf, usize>,
}

impl Tree {
    pub fn read(overlays: &[Overlay]) -> Tree {
        let mut tree = Tree::default();
        for overlay in overlays {
            let mut reach = Vec::new();
            if let Some(top) = tree.visit(&overlay.dir) {
                // Breadth first: each node at its smallest depth.
                let mut queue = std::collections::VecDeque::from([(top, 0usize)]);
                let mut seen = BTreeSet::new();
                while let Some((node, depth)) = queue.pop_front() {
                    if !seen.insert(node) {
                        continue;
                    }
                    reach.push((node, depth));
                    for &child in &tree.nodes[node].children {
                        queue.push_back((child, depth + 1));
                    }
                }
            }
            tree.reach.push(reach);
        }
        tree
    }

    /// Reads the kustomization in `dir` and, first, every directory it lists.
    fn visit(&mut self, dir: &Path) -> Option<usize> {
        let key = std::fs::canonicalize(dir).ok()?;
        if let Some(&i) = self.index.get(&key) {
            return Some(i);
        }
        let file = kustomization_file(dir)?;
        let text = std::fs::read_to_string(&file).ok()?;
        let doc: Value = serde_yaml::from_str(&text).unwrap_or(Value::Null);
        let i = self.nodes.len();
        self.index.insert(key, i);
        self.nodes.push(Kustomization::default());
        let node = read_kustomization(&normalize(dir), &normalize(&file), &doc);
        let mut children = Vec::new();
        let mut components = Vec::new();
        let mut resource_files = Vec::new();
        for (field, is_component) in [("resources", false), ("bases", false), ("components", true)]
        {
            for entry in strings(doc.get(field)) {
                if entry.contains("://") || entry.starts_with("git@") {
                    continue;
                }
                let path = normalize(&dir.join(&entry));
                if path.is_dir() {
                    if let Some(child) = self.visit(&path) {
                        children.push(child);
                        if is_component {
                            components.push(child);
                        }
                    }
                } else if path.is_file() {
                    resource_files.push(path);
                }
            }
        }
        self.nodes[i] = Kustomization {
            children,
            components,
            resource_files,
            ..node
        };
        Some(i)
    }

    /// The overlay's own `namePrefix` and `nameSuffix`: what its build adds to every name.
    pub fn affixes(&self, env: usize) -> (String, String) {
        match self.reach.get(env).and_then(|r| r.first()) {
            Some(&(top, _)) => (
                self.nodes[top].name_prefix.clone(),
                self.nodes[top].name_suffix.clone(),
            ),
            None => (String::new(), String::new()),
        }
    }

    /// The shared base: the kustomization (not a component, not an environment itself) that
    /// the most environments build from (at least two), nearest to them. None with fewer than
    /// two environments.
    pub fn common_base(&self) -> Option<usize> {
        if self.reach.len() < 2 {
            return None;
        }
        let tops: BTreeSet<usize> = self
            .reach
            .iter()
            .filter_map(|r| r.first())
            .map(|r| r.0)
            .collect();
        let mut best: Option<(usize, usize, usize)> = None;
        for node in 0..self.nodes.len() {
            if tops.contains(&node) || self.nodes[node].component {
                continue;
            }
            let depths: Vec<usize> = self
                .reach
                .iter()
                .filter_map(|r| r.iter().find(|(n, _)| *n == node).map(|(_, d)| *d))
                .collect();
            let (count, total) = (depths.len(), depths.iter().sum::<usize>());
            let better = best.is_none_or(|(_, c, t)| count > c || (count == c && total < t));
            if count >= 2 && better {
                best = Some((node, count, total));
            }
        }
        best.map(|(node, _, _)| node)
    }

    /// The nodes that make environment `env` what it is: reachable from it but not from the
    /// shared base (or, without one, not from every environment), nearest first.
    pub fn own_nodes(&self, env: usize, base: Option<usize>) -> Vec<usize> {
        let shared: BTreeSet<usize> = match base {
            Some(base) => {
                let mut set = BTreeSet::new();
                self.collect(base, &mut set);
                set
            }
            None => self.reach[0]
                .iter()
                .map(|r| r.0)
                .filter(|n| self.reach.iter().all(|r| r.iter().any(|(m, _)| m == n)))
                .collect(),
        };
        let mut own: Vec<(usize, usize)> = self.reach[env]
            .iter()
            .filter(|(n, _)| !shared.contains(n) || self.reach.len() == 1)
            .copied()
            .collect();
        own.sort_by_key(|&(_, depth)| depth);
        own.into_iter().map(|(n, _)| n).collect()
    }

    fn collect(&self, node: usize, set: &mut BTreeSet<usize>) {
        if set.insert(node) {
            for &child in &self.nodes[node].children {
                self.collect(child, set);
            }
        }
    }

    /// The nodes every environment reaches.
    pub fn all_nodes(&self) -> impl Iterator<Item = &Kustomization> {
        self.nodes.iter()
    }

    /// Where each object is written (kind, name before prefixes): its file, or the
    /// generator that makes it.
    pub fn sources(&self) -> HashMap<(String, String), String> {
        let mut out = HashMap::new();
        for node in &self.nodes {
            for file in &node.resource_files {
                for doc in read_documents(file) {
                    let kind = doc.get("kind").and_then(Value::as_str);
                    let name = doc
                        .get("metadata")
                        .and_then(|m| m.get("name"))
                        .and_then(Value::as_str);
                    if let (Some(kind), Some(name)) = (kind, name) {
                        out.entry((kind.to_string(), name.to_string()))
                            .or_insert_with(|| file.display().to_string());
                    }
                }
            }
            for generator in node.generators.iter().filter(|g| g.creates) {
                let field = if generator.kind == "Secret" {
                    "secretGenerator"
                } else {
                    "configMapGenerator"
                };
                out.entry((generator.kind.to_string(), generator.name.clone()))
                    .or_insert_with(|| format!("{field} in {}", node.file));
            }
        }
        out
    }

    /// The components reachable by some environment, each with its directory's name and the
    /// objects it adds.
    pub fn component_objects(&self) -> Vec<(String, Vec<(String, String)>)> {
        (0..self.nodes.len())
            .filter(|&n| self.nodes[n].component)
            .map(|n| {
                let name = self.nodes[n]
                    .dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "component".to_string());
                (name, self.component_objects_of(n))
            })
            .collect()
    }

    /// The objects a kustomization adds, as (kind, name) in its files (before prefixes).
    pub fn component_objects_of(&self, node: usize) -> Vec<(String, String)> {
        let mut objects = Vec::new();
        let mut seen = BTreeSet::new();
        self.objects_of(&self.nodes[node], &mut objects, &mut seen);
        objects
    }

    fn objects_of(
        &self,
        node: &Kustomization,
        out: &mut Vec<(String, String)>,
        seen: &mut BTreeSet<PathBuf>,
    ) {
        if !seen.insert(node.dir.clone()) {
            return;
        }
        for file in &node.resource_files {
            for doc in read_documents(file) {
                let kind = doc.get("kind").and_then(Value::as_str);
                let name = doc
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Value::as_str);
                if let (Some(kind), Some(name)) = (kind, name) {
                    out.push((kind.to_string(), name.to_string()));
                }
            }
        }
        for generator in node.generators.iter().filter(|g| g.creates) {
            out.push((generator.kind.to_string(), generator.name.clone()));
        }
        for &child in &node.children {
            self.objects_of(&self.nodes[child], out, seen);
        }
    }
}

fn read_kustomization(dir: &Path, file: &Path, doc: &Value) -> Kustomization {
    let shown = file.display().to_string();
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    let mut k = Kustomization {
        dir: dir.to_path_buf(),
        file: shown.clone(),
        component: kind == "Component",
        name_prefix: string(doc.get("namePrefix")),
        name_suffix: string(doc.get("nameSuffix")),
        namespace: doc
            .get("namespace")
            .and_then(Value::as_str)
            .map(str::to_string),
        ..Kustomization::default()
    };
    if let Some(images) = doc.get("images").and_then(Value::as_sequence) {
        for image in images {
            let field = |f: &str| image.get(f).and_then(scalar);
            k.images.push(ImageEntry {
                name: field("name").unwrap_or_default(),
                new_name: field("newName"),
            });
        }
    }
    if let Some(replicas) = doc.get("replicas").and_then(Value::as_sequence) {
        k.replicas = replicas
            .iter()
            .filter_map(|r| r.get("name").and_then(scalar))
            .collect();
    }
    let keys = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_mapping)
            .map(|m| m.keys().filter_map(scalar).collect())
            .unwrap_or_default()
    };
    k.label_keys.extend(keys(doc.get("commonLabels")));
    if let Some(labels) = doc.get("labels").and_then(Value::as_sequence) {
        for entry in labels {
            k.label_keys.extend(keys(entry.get("pairs")));
        }
    }
    k.annotation_keys.extend(keys(doc.get("commonAnnotations")));
    read_patches(dir, &shown, doc, &mut k.patches);
    for (field, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        for entry in doc
            .get(field)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            k.generators.push(read_generator(dir, &shown, kind, entry));
        }
    }
    k
}

fn read_patches(dir: &Path, shown: &str, doc: &Value, out: &mut Vec<Patch>) {
    let target = |entry: &Value| -> (Option<String>, Option<String>) {
        let t = entry.get("target");
        (
            t.and_then(|t| t.get("kind")).and_then(scalar),
            t.and_then(|t| t.get("name")).and_then(scalar),
        )
    };
    let mut add = |entry: Option<&Value>, path: Option<String>, inline: Option<String>| {
        let (target_kind, target_name) = entry.map(target).unwrap_or((None, None));
        let (text, place) = match (path, inline) {
            (Some(path), _) => {
                let file = normalize(&dir.join(&path));
                (
                    std::fs::read_to_string(&file).ok(),
                    file.display().to_string(),
                )
            }
            (None, Some(inline)) => (Some(inline), shown.to_string()),
            (None, None) => return,
        };
        let Some(text) = text else { return };
        out.push(Patch {
            shown: place,
            target_kind,
            target_name,
            body: patch_body(&text),
        });
    };
    // `patchesJson6902` is the older spelling of `patches` with a JSON patch; both read alike.
    for entry in ["patches", "patchesJson6902"]
        .into_iter()
        .filter_map(|field| doc.get(field).and_then(Value::as_sequence))
        .flatten()
    {
        add(
            Some(entry),
            entry.get("path").and_then(scalar),
            entry.get("patch").and_then(scalar),
        );
    }
    for entry in doc
        .get("patchesStrategicMerge")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let Some(text) = scalar(entry) else { continue };
        if text.contains('\n') || text.contains(':') && !dir.join(&text).is_file() {
            add(None, None, Some(text));
        } else {
            add(None, Some(text), None);
        }
    }
}

/// A JSON 6902 patch (a list of operations) or strategic-merge documents.
fn patch_body(text: &str) -> PatchBody {
    let docs: Vec<Value> = serde_yaml::Deserializer::from_str(text)
        .filter_map(|d| serde::Deserialize::deserialize(d).ok())
        .collect();
    if let [Value::Sequence(ops)] = docs.as_slice()
        && ops.iter().all(|op| op.get("op").is_some())
    {
        return PatchBody::Json(
            ops.iter()
                .filter_map(|op| op.get("path").and_then(Value::as_str))
                .map(|p| {
                    p.split('/')
                        .skip(1)
                        .map(|s| s.replace("~1", "/").replace("~0", "~"))
                        .collect()
                })
                .collect(),
        );
    }
    PatchBody::Strategic(docs.into_iter().filter(Value::is_mapping).collect())
}

fn read_generator(dir: &Path, shown: &str, kind: &'static str, entry: &Value) -> Generator {
    let behavior = entry
        .get("behavior")
        .and_then(Value::as_str)
        .unwrap_or("create");
    let mut keys = Vec::new();
    for literal in strings(entry.get("literals")) {
        if let Some((key, _)) = literal.split_once('=') {
            keys.push((key.trim().to_string(), shown.to_string()));
        }
    }
    for file in strings(entry.get("files")) {
        let (key, path) = match file.split_once('=') {
            Some((key, path)) => (key.to_string(), path.to_string()),
            None => (
                Path::new(&file)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                file.clone(),
            ),
        };
        keys.push((key, normalize(&dir.join(path)).display().to_string()));
    }
    let mut envs = strings(entry.get("envs"));
    envs.extend(entry.get("env").and_then(scalar));
    for env in envs {
        let path = normalize(&dir.join(env));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for line in text.lines() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let key = line.split_once('=').map_or(line, |(k, _)| k).trim();
            keys.push((key.to_string(), path.display().to_string()));
        }
    }
    Generator {
        kind,
        name: string(entry.get("name")),
        creates: behavior == "create",
        keys,
    }
}

/// Every YAML document of a file that parses; none when it cannot be read.
pub fn read_documents(file: &Path) -> Vec<Value> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    serde_yaml::Deserializer::from_str(&text)
        .filter_map(|d| serde::Deserialize::deserialize(d).ok())
        .filter(Value::is_mapping)
        .collect()
}

impl Patch {
    /// Whether the patch targets the object (`kind`, `names`: its name before and after the
    /// overlay's prefix) and changes something at `path` or under it.
    pub fn touches(&self, kind: &str, names: &[&str], path: &[Step]) -> bool {
        let targets = |k: Option<&str>, n: Option<&str>| {
            k.is_none_or(|k| k == kind) && n.is_none_or(|n| names.contains(&n) || n.contains('*'))
        };
        match &self.body {
            PatchBody::Json(ops) => {
                targets(self.target_kind.as_deref(), self.target_name.as_deref())
                    && ops.iter().any(|op| json_path_meets(op, path))
            }
            PatchBody::Strategic(docs) => docs.iter().any(|doc| {
                let doc_kind = doc.get("kind").and_then(Value::as_str);
                let doc_name = doc
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Value::as_str);
                let aimed = if self.target_kind.is_some() || self.target_name.is_some() {
                    targets(self.target_kind.as_deref(), self.target_name.as_deref())
                } else {
                    targets(doc_kind, doc_name)
                };
                aimed && reaches(doc, path)
            }),
        }
    }
}

/// One path is a prefix of the other (a list index stands for any item).
fn json_path_meets(op: &[String], path: &[Step]) -> bool {
    op.iter().zip(path).all(|(segment, step)| match step {
        Step::Key(key) => segment == key,
        Step::Item { .. } | Step::Only => segment == "-" || segment.parse::<usize>().is_ok(),
    })
}

/// The strategic-merge document says something at `path` (or above it, replacing it whole,
/// or deleting the item with `$patch`).
fn reaches(doc: &Value, path: &[Step]) -> bool {
    let mut at = doc;
    for step in path {
        if at.get("$patch").is_some() {
            return true;
        }
        let next = match (step, at) {
            (Step::Key(key), Value::Mapping(map)) => map.get(key.as_str()),
            (Step::Item { field, value }, Value::Sequence(items)) => items
                .iter()
                .find(|item| item.get(field.as_str()).and_then(scalar).as_deref() == Some(value)),
            (Step::Only, Value::Sequence(items)) => items.first(),
            _ => return true,
        };
        match next {
            Some(next) => at = next,
            None => return false,
        }
    }
    true
}

/// Removes `.` and resolves `..` without touching the file system, so that paths stay as the
/// user wrote them (`overlays/dev/../../base` is `base`).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn string(value: Option<&Value>) -> String {
    value.and_then(scalar).unwrap_or_default()
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_sequence)
        .map(|items| items.iter().filter_map(scalar).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_as_written() {
        assert_eq!(
            normalize(Path::new("k/overlays/dev/../../base")),
            Path::new("k/base")
        );
        assert_eq!(normalize(Path::new("./a/./b")), Path::new("a/b"));
        assert_eq!(normalize(Path::new("../x/../y")), Path::new("../y"));
    }

    #[test]
    fn patches_know_what_they_touch() {
        let smp = Patch {
            shown: "p.yaml".into(),
            target_kind: None,
            target_name: None,
            body: patch_body("kind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n"),
        };
        let replicas = [Step::Key("spec".into()), Step::Key("replicas".into())];
        let strategy = [Step::Key("spec".into()), Step::Key("strategy".into())];
        assert!(smp.touches("Deployment", &["web"], &replicas));
        assert!(!smp.touches("Deployment", &["web"], &strategy));
        assert!(!smp.touches("Deployment", &["api"], &replicas));
        let json = Patch {
            shown: "p.json".into(),
            target_kind: Some("Deployment".into()),
            target_name: Some("web".into()),
            body: patch_body(
                "[{op: replace, path: /spec/template/spec/containers/0/image, value: x}]",
            ),
        };
        let image = [
            Step::Key("spec".into()),
            Step::Key("template".into()),
            Step::Key("spec".into()),
            Step::Key("containers".into()),
            Step::Only,
            Step::Key("image".into()),
        ];
        assert!(json.touches("Deployment", &["web"], &image));
        assert!(!json.touches("Deployment", &["web"], &replicas));
    }
}
