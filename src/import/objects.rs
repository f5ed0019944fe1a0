//! Which built objects are the same object in different environments. Names differ between
//! overlays by the overlay's own prefix and suffix (`staging-web-v1`, `prod-web`) and by
//! Kustomize's content hash (`web-config-5b7k2m9dth`); with those taken off, an object is
//! matched by API group, kind, name and namespace (the namespace every object of the
//! environment is in counting as one), then by group, kind and name alone.

use std::collections::HashMap;

use serde_yaml::Value;

use super::model::{ChartObject, Env};
use super::names;
use crate::manifest::{INSTALL_ORDER, ObjectId};

/// Values keys the chart itself uses at the top level.
pub const RESERVED_KEYS: [&str; 5] = [
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "commonAnnotations",
];

/// Kinds whose object keeps the plain key when several objects share a name.
const WORKLOADS: [&str; 7] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "CronJob",
    "Job",
    "Pod",
    "ReplicaSet",
];

/// A built object's name without what Kustomize added in this environment, and whether it
/// carried the content hash.
pub fn core_name(env: &Env, object: &Value) -> (String, bool) {
    let name = object
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut core = name;
    let mut hashed = false;
    if let Some(hash) = crate::kustomize::name_hash(object)
        && let Some(stripped) = name.strip_suffix(&hash).and_then(|n| n.strip_suffix('-'))
        && !stripped.is_empty()
    {
        core = stripped;
        hashed = true;
    }
    if let Some(stripped) = core.strip_prefix(env.prefix.as_str())
        && !stripped.is_empty()
    {
        core = stripped;
    }
    if let Some(stripped) = core.strip_suffix(env.suffix.as_str())
        && !stripped.is_empty()
    {
        core = stripped;
    }
    (core.to_string(), hashed)
}

#[derive(Hash, PartialEq, Eq, Clone)]
struct Key {
    group: String,
    kind: String,
    namespace: Option<String>,
    name: String,
}

/// The chart's objects, in the order the first environment builds them (then those the
/// others add), each with the object of every environment that has it.
pub fn match_objects(envs: &[Env], base: Option<&[Value]>) -> Vec<ChartObject> {
    let n = envs.len();
    let mut objects: Vec<ChartObject> = Vec::new();
    let mut exact: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut loose: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut anonymous: HashMap<(usize, String), usize> = HashMap::new();
    for (e, env) in envs.iter().enumerate() {
        for doc in &env.objects {
            let (key, core) = match ObjectId::of(doc) {
                Some(id) => {
                    let (core, _) = core_name(env, doc);
                    let is_env_namespace = id.kind == "Namespace"
                        && Some(id.name.as_str()) == env.namespace.as_deref();
                    let match_name = if is_env_namespace {
                        "\u{0}namespace".to_string()
                    } else {
                        core.clone()
                    };
                    let namespace = if !id.namespace.is_empty()
                        && Some(id.namespace.as_str()) == env.namespace.as_deref()
                    {
                        None
                    } else {
                        Some(id.namespace.clone())
                    };
                    let key = Key {
                        group: id.group.clone(),
                        kind: id.kind.clone(),
                        namespace,
                        name: match_name,
                    };
                    (key, core)
                }
                None => {
                    // Without a name: matched by position among such objects of its kind.
                    let kind = doc
                        .get("kind")
                        .and_then(Value::as_str)
                        .unwrap_or("Object")
                        .to_string();
                    let count = anonymous.entry((e, kind.clone())).or_default();
                    *count += 1;
                    let key = Key {
                        group: String::new(),
                        kind: kind.clone(),
                        namespace: None,
                        name: format!("\u{0}{count}"),
                    };
                    (key, format!("{}-{count}", kind.to_ascii_lowercase()))
                }
            };
            let free = |list: Option<&Vec<usize>>, objects: &[ChartObject]| {
                list.and_then(|l| l.iter().copied().find(|&o| objects[o].docs[e].is_none()))
            };
            let loose_key = Key {
                namespace: None,
                ..key.clone()
            };
            let found =
                free(exact.get(&key), &objects).or_else(|| free(loose.get(&loose_key), &objects));
            let o = match found {
                Some(o) => o,
                None => {
                    objects.push(new_object(doc, &core, n));
                    let o = objects.len() - 1;
                    exact.entry(key).or_default().push(o);
                    loose.entry(loose_key).or_default().push(o);
                    o
                }
            };
            objects[o].docs[e] = Some(human_order(doc));
        }
    }
    if let Some(base) = base {
        attach_base(&mut objects, base);
    }
    objects.sort_by_key(|o| {
        INSTALL_ORDER
            .iter()
            .position(|k| *k == o.kind)
            .unwrap_or(INSTALL_ORDER.len())
    });
    assign_keys(&mut objects);
    assign_files(&mut objects);
    objects
}

fn new_object(doc: &Value, core: &str, envs: usize) -> ChartObject {
    let kind = doc
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("Object")
        .to_string();
    let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let group = if group.is_empty() {
        String::new()
    } else {
        format!("{group}/")
    };
    ChartObject {
        title: format!("{group}{kind} {core}"),
        kind,
        core: core.to_string(),
        key: String::new(),
        file: String::new(),
        docs: vec![None; envs],
        base: None,
        hashed: false,
        name_expr: None,
        stem: String::new(),
        condition: None,
    }
}

/// The base's object of the same group, kind and name (its own name: the overlays' prefixes
/// are not in it).
fn attach_base(objects: &mut [ChartObject], base: &[Value]) {
    let none = Env {
        name: String::new(),
        dir: Default::default(),
        objects: Vec::new(),
        prefix: String::new(),
        suffix: String::new(),
        namespace: None,
        mixed_namespaces: false,
    };
    for doc in base {
        let Some(id) = ObjectId::of(doc) else {
            continue;
        };
        let (core, _) = core_name(&none, doc);
        let object = objects.iter_mut().find(|o| {
            o.base.is_none()
                && o.kind == id.kind
                && o.core == core
                && o.docs
                    .iter()
                    .flatten()
                    .any(|d| ObjectId::of(d).is_some_and(|i| i.group == id.group))
        });
        if let Some(object) = object {
            object.base = Some(human_order(doc));
        }
    }
}

/// `backendApp` for the Deployment `backend-app`; `backendAppService` for a Service of the
/// same name. Workloads keep the plain key.
fn assign_keys(objects: &mut [ChartObject]) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for o in objects.iter() {
        *counts.entry(names::camel(&o.core)).or_default() += 1;
    }
    let mut taken: Vec<String> = RESERVED_KEYS.iter().map(|s| s.to_string()).collect();
    let order: Vec<usize> = (0..objects.len())
        .filter(|&i| WORKLOADS.contains(&objects[i].kind.as_str()))
        .chain((0..objects.len()).filter(|&i| !WORKLOADS.contains(&objects[i].kind.as_str())))
        .collect();
    for i in order {
        let plain = names::camel(&objects[i].core);
        let kinded = format!("{plain}{}", objects[i].kind);
        let mut key = if counts[&plain] == 1 || !taken.contains(&plain) {
            plain
        } else {
            kinded.clone()
        };
        if taken.contains(&key) {
            key = kinded;
        }
        let mut n = 2;
        let stem = key.clone();
        while taken.contains(&key) {
            key = format!("{stem}{n}");
            n += 1;
        }
        taken.push(key.clone());
        objects[i].key = key;
    }
}

/// `deployment-backend-app.yaml`, unique within the chart.
fn assign_files(objects: &mut [ChartObject]) {
    let mut taken: Vec<String> = Vec::new();
    for o in objects.iter_mut() {
        let stem = format!(
            "{}-{}",
            names::file_part(&o.kind),
            names::file_part(&o.core)
        );
        let mut file = format!("{stem}.yaml");
        let mut n = 2;
        while taken.contains(&file) {
            file = format!("{stem}-{n}.yaml");
            n += 1;
        }
        taken.push(file.clone());
        o.file = file;
    }
}

/// The object with its keys in the order people write them (Kustomize prints them sorted):
/// `apiVersion`, `kind`, `metadata` (`name`, `namespace`, `labels`, `annotations` first),
/// then the rest; a list item's `name` (and a container's `image`) first.
pub fn human_order(doc: &Value) -> Value {
    reorder(doc, Place::Top)
}

#[derive(Clone, Copy, PartialEq)]
enum Place {
    Top,
    Metadata,
    Item,
    Other,
}

fn reorder(value: &Value, place: Place) -> Value {
    match value {
        Value::Mapping(map) => {
            let first: &[&str] = match place {
                Place::Top => &[
                    "apiVersion",
                    "kind",
                    "metadata",
                    "type",
                    "spec",
                    "data",
                    "stringData",
                    "binaryData",
                ],
                Place::Metadata => &["name", "generateName", "namespace", "labels", "annotations"],
                Place::Item => &["name", "image"],
                Place::Other => &[],
            };
            let mut out = serde_yaml::Mapping::with_capacity(map.len());
            let child = |key: &Value, v: &Value| {
                let place = if key.as_str() == Some("metadata") {
                    Place::Metadata
                } else {
                    Place::Other
                };
                reorder(v, place)
            };
            for name in first {
                if let Some((k, v)) = map.iter().find(|(k, _)| k.as_str() == Some(name)) {
                    out.insert(k.clone(), child(k, v));
                }
            }
            for (k, v) in map {
                if !out.contains_key(k) {
                    out.insert(k.clone(), child(k, v));
                }
            }
            Value::Mapping(out)
        }
        Value::Sequence(items) => {
            Value::Sequence(items.iter().map(|i| reorder(i, Place::Item)).collect())
        }
        other => other.clone(),
    }
}
