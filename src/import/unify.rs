//! One template from the same object in every environment: walk the objects side by side;
//! what is equal everywhere is written as it is, what differs becomes a value. Maps are merged
//! key by key (a key some environments lack becomes an optional value), lists of named items
//! item by item, a one-item list through its item; anything else that differs is one value.
//!
//! Besides, the places a chart author would write differently from the built YAML: a name
//! Kustomize made (prefix, suffix, hash) is written with the helper that makes it, wherever
//! the object is named; the namespace with its helper; the common labels with their
//! component; images as repository and tag; long text from `files/`; a Secret's data from the
//! values.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_yaml::{Mapping, Value};

use super::model::{ChartObject, Env, Field, Item, MapNode, Node, Slot, Source};
use super::names::{self, ImageRef};
use super::tree::Step;

/// Labels or annotations that every object of an environment carries (from `labels`,
/// `commonLabels` or `commonAnnotations`): written once, in a component.
#[derive(Debug)]
pub struct Common {
    /// `labels` or `annotations`.
    pub field: &'static str,
    /// The component call: `<backend.labels />`.
    pub call: String,
    pub keys: Vec<String>,
    /// Per environment, each key's value.
    pub values: Vec<BTreeMap<String, String>>,
}

/// A slot's path, once claimed, and the paths already taken under each top-level key.
#[derive(Debug, Default)]
pub struct Paths {
    taken: HashMap<String, Vec<Vec<String>>>,
}

impl Paths {
    /// How many paths are taken under `top`, to go back to with [`Paths::rollback`].
    pub fn mark(&self, top: &str) -> usize {
        self.taken.get(top).map_or(0, Vec::len)
    }

    pub fn rollback(&mut self, top: &str, mark: usize) {
        if let Some(taken) = self.taken.get_mut(top) {
            taken.truncate(mark);
        }
    }

    /// Claims `path`, or the first of `alternatives` that does not clash with a path taken
    /// (the same, or one inside the other), or `path` with a number.
    pub fn claim(&mut self, path: Vec<String>, alternatives: Vec<Vec<String>>) -> Vec<String> {
        let path = if path.is_empty() {
            vec!["value".to_string()]
        } else {
            path
        };
        let chosen = std::iter::once(path.clone())
            .chain(alternatives)
            .find(|candidate| !candidate.is_empty() && !self.clashes(candidate))
            .unwrap_or_else(|| self.numbered(&path));
        self.taken
            .entry(chosen.first().cloned().unwrap_or_default())
            .or_default()
            .push(chosen.clone());
        chosen
    }

    /// `path` with a number on its last segment that makes it free; a segment nearer the top
    /// when a shorter path taken already holds this one's start; the top segment when a path
    /// taken holds all of them. Each path taken blocks at most one number of a segment below
    /// the top, so the first loop ends with a free path unless a shorter one holds the top;
    /// the second always ends, as only finitely many paths are taken.
    fn numbered(&self, path: &[String]) -> Vec<String> {
        let with_number = |i: usize, n: usize| {
            let mut candidate = path.to_vec();
            candidate[i].push_str(&n.to_string());
            candidate
        };
        let taken: usize = self.taken.values().map(Vec::len).sum();
        (2..taken + 3)
            .flat_map(|n| (1..path.len()).rev().map(move |i| (i, n)))
            .chain((2..).map(|n| (0, n)))
            .map(|(i, n)| with_number(i, n))
            .find(|candidate| !self.clashes(candidate))
            .unwrap_or_else(|| path.to_vec())
    }

    /// Whether `candidate` is a path taken, or holds or lies inside one.
    fn clashes(&self, candidate: &[String]) -> bool {
        let Some(top) = candidate.first() else {
            return true;
        };
        self.taken.get(top).is_some_and(|taken| {
            taken.iter().any(|t| {
                let n = t.len().min(candidate.len());
                t[..n] == candidate[..n]
            })
        })
    }
}

/// What the walk knows of the whole chart.
pub struct Context<'a> {
    pub envs: &'a [Env],
    pub objects: &'a [ChartObject],
    pub commons: &'a [Common],
    /// `{{ <backend.namespace /> }}` when every environment puts its objects in one namespace.
    pub namespace_expr: Option<String>,
    /// `Values.namespace is defined`, when some environment puts its objects in none.
    pub namespace_guard: Option<String>,
    /// Repositories and names that some `images` entry sets: always written as values.
    pub managed_images: &'a BTreeSet<String>,
    /// Names that some `replicas` entry sets.
    pub managed_replicas: &'a BTreeSet<String>,
}

/// Walks the objects and collects the values and files their templates need.
pub struct Unifier<'a> {
    /// What the walk knows of the whole chart.
    pub context: Context<'a>,
    pub slots: Vec<Slot>,
    pub paths: Paths,
    /// Chart files: path under the chart, content.
    pub files: Vec<(String, String)>,
    /// (env, name) -> the objects of that name there, for references.
    by_name: HashMap<(usize, String), Vec<usize>>,
    /// Image values already made, by part (`repository`, `tag`, `digest`): a container whose
    /// image has the same values in every environment reads the same ones, as one `images`
    /// entry of Kustomize sets every container that names the image.
    images: Vec<Vec<(&'static str, usize)>>,
    /// Walking inside a subtree that every environment has the same.
    inside_equal: bool,
}

/// A part of an image reference and how to take it out of one.
type ImagePart = (&'static str, fn(&ImageRef) -> Option<String>);

/// Fields of a ConfigMap or Secret that Kustomize's hash covers.
pub const HASHED_FIELDS: [&str; 4] = ["data", "binaryData", "type", "stringData"];

/// The lists whose items are told apart by one of these fields, in this order of preference.
const ITEM_KEYS: [&str; 8] = [
    "name",
    "containerPort",
    "mountPath",
    "port",
    "key",
    "path",
    "ip",
    "type",
];

/// A ConfigMap's text of this many lines or more goes to `files/`.
const FILE_LINES: usize = 4;

impl<'a> Unifier<'a> {
    /// `slots` are those made before (names, labels, conditions), their paths in `paths`.
    pub fn new(context: Context<'a>, paths: Paths, slots: Vec<Slot>) -> Unifier<'a> {
        let mut by_name: HashMap<(usize, String), Vec<usize>> = HashMap::new();
        for (i, object) in context.objects.iter().enumerate() {
            if object.name_expr.is_none() {
                continue;
            }
            for env in object.present() {
                if let Some(name) = object.name_in(env) {
                    by_name.entry((env, name.to_string())).or_default().push(i);
                }
            }
        }
        Unifier {
            context,
            slots,
            paths,
            files: Vec::new(),
            by_name,
            images: Vec::new(),
            inside_equal: false,
        }
    }

    /// Adds a value that is not a field of an object (prefix, labels, presence).
    pub fn add_slot(&mut self, slot: Slot) -> usize {
        self.slots.push(slot);
        self.slots.len() - 1
    }

    /// The template of object `o`, and for a hashed ConfigMap or Secret the fields its hash
    /// covers (written in a component of their own).
    pub fn object(&mut self, o: usize) -> (Node, Option<Node>) {
        let object = &self.context.objects[o];
        let docs: Vec<(usize, &'a Value)> = object
            .docs
            .iter()
            .enumerate()
            .filter_map(|(e, d)| d.as_ref().map(|d| (e, d)))
            .collect();
        let mut at = Vec::new();
        if !object.hashed {
            return (self.node(o, &docs, &mut at), None);
        }
        let split = |doc: &'a Value, hashed: bool| -> Value {
            let map: Mapping = doc
                .as_mapping()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| {
                            HASHED_FIELDS.contains(&k.as_str().unwrap_or("")) == hashed
                        })
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            Value::Mapping(map)
        };
        let rest: Vec<(usize, Value)> = docs.iter().map(|&(e, d)| (e, split(d, false))).collect();
        let content: Vec<(usize, Value)> = docs.iter().map(|&(e, d)| (e, split(d, true))).collect();
        let rest_refs: Vec<(usize, &Value)> = rest.iter().map(|(e, v)| (*e, v)).collect();
        let content_refs: Vec<(usize, &Value)> = content.iter().map(|(e, v)| (*e, v)).collect();
        let main = self.node(o, &rest_refs, &mut at);
        let content = self.node(o, &content_refs, &mut at);
        (main, Some(content))
    }

    fn node(&mut self, o: usize, vals: &[(usize, &Value)], at: &mut Vec<Step>) -> Node {
        let object = &self.context.objects[o];
        let first = vals[0].1;
        // Inside a subtree found equal, every part of it is: not compared again.
        let all_equal = self.inside_equal || vals.iter().all(|(_, v)| *v == first);

        if at_is(at, &["metadata", "name"])
            && let Some(expr) = &object.name_expr
        {
            return Node::Expr(format!("{{{{ {expr} }}}}"));
        }
        if let Some(expr) = self.namespace_at(o, vals, at) {
            return Node::Expr(expr);
        }
        if object.kind == "Secret"
            && (at_is(at, &["data"]) || at_is(at, &["stringData"]))
            && let Some(node) = self.secret_data(o, vals, at)
        {
            return node;
        }
        if let Some(node) = self.image(o, vals, at, all_equal) {
            return node;
        }
        if all_equal
            && at_is(at, &["spec", "replicas"])
            && self.context.managed_replicas.contains(&object.core)
        {
            return self.field_slot(o, vals, at);
        }
        if let Some(expr) = self.reference(vals, at) {
            return Node::Expr(expr);
        }
        // Maps and lists are walked even where every environment agrees: what the chart
        // writes with a helper (names, the namespace, the common labels, images) is found
        // anywhere in them.
        if vals
            .iter()
            .all(|(_, v)| v.as_mapping().is_some_and(|m| !m.is_empty()))
        {
            let common = self.common_at(o, vals, at);
            let outer = std::mem::replace(&mut self.inside_equal, all_equal);
            let node = self.map(o, vals, at, common);
            self.inside_equal = outer;
            return node;
        }
        if all_equal {
            if let Some(items) = first.as_sequence().filter(|s| !s.is_empty()) {
                let outer = std::mem::replace(&mut self.inside_equal, true);
                let node = self.equal_items(o, vals, items.len(), at);
                self.inside_equal = outer;
                return node;
            }
            if let Some(text) = first.as_str()
                && is_config_file(&object.kind, at, text)
            {
                return Node::File(self.add_file(o, at, text));
            }
            return Node::Literal(first.clone());
        }
        if vals
            .iter()
            .all(|(_, v)| v.as_sequence().is_some_and(|s| !s.is_empty()))
            && let Some(node) = self.seq(o, vals, at)
        {
            return node;
        }
        self.field_slot(o, vals, at)
    }

    /// A list equal in every environment, item by item.
    fn equal_items(
        &mut self,
        o: usize,
        vals: &[(usize, &Value)],
        len: usize,
        at: &mut Vec<Step>,
    ) -> Node {
        let mut items = Vec::with_capacity(len);
        let list = vals[0]
            .1
            .as_sequence()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let field = ITEM_KEYS.iter().find(|field| keyed_by(list, field));
        for (i, item) in list.iter().enumerate().take(len) {
            at.push(match field {
                Some(field) => Step::Item {
                    field: field.to_string(),
                    value: item.get(*field).and_then(scalar_text).unwrap_or_default(),
                },
                None => Step::Item {
                    field: String::new(),
                    value: i.to_string(),
                },
            });
            let item_vals: Vec<(usize, &Value)> = vals
                .iter()
                .filter_map(|&(e, v)| v.as_sequence().and_then(|s| s.get(i)).map(|item| (e, item)))
                .collect();
            items.push(Item {
                node: self.node(o, &item_vals, at),
                guard: None,
            });
            at.pop();
        }
        Node::Seq(items)
    }

    fn map(
        &mut self,
        o: usize,
        vals: &[(usize, &Value)],
        at: &mut Vec<Step>,
        common: Option<usize>,
    ) -> Node {
        let skip: BTreeSet<&str> = common
            .map(|c| {
                self.context.commons[c]
                    .keys
                    .iter()
                    .map(String::as_str)
                    .collect()
            })
            .unwrap_or_default();
        let keys = merged_keys(vals.iter().map(|(_, v)| {
            v.as_mapping()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        }));
        let mut fields = Vec::new();
        for key in keys {
            if key.as_str().is_some_and(|k| skip.contains(k)) {
                continue;
            }
            let Some(name) = key_text(&key) else {
                // A key that is not a scalar: rare enough to keep the whole map as one value.
                return self.field_slot(o, vals, at);
            };
            at.push(Step::Key(name));
            let present: Vec<(usize, &Value)> = vals
                .iter()
                .filter_map(|&(e, v)| v.get(&key).map(|child| (e, child)))
                .collect();
            let field = if present.len() == vals.len() {
                Field {
                    node: self.node(o, &present, at),
                    key: key.clone(),
                    guard: None,
                }
            } else if let Some(field) = self.namespace_field(vals, &key, at) {
                field
            } else {
                let values: Vec<(usize, Option<&Value>)> =
                    vals.iter().map(|&(e, v)| (e, v.get(&key))).collect();
                let slot = self.optional_slot(o, &values, at);
                Field {
                    node: Node::Slot(slot),
                    key: key.clone(),
                    guard: Some(names::defined(&self.slots[slot].path)),
                }
            };
            at.pop();
            fields.push(field);
        }
        Node::Map(MapNode {
            include: common.map(|c| self.context.commons[c].call.clone()),
            fields,
        })
    }

    fn seq(&mut self, o: usize, vals: &[(usize, &Value)], at: &mut Vec<Step>) -> Option<Node> {
        let lists: Vec<&Vec<Value>> = vals.iter().filter_map(|(_, v)| v.as_sequence()).collect();
        if lists.iter().all(|l| l.len() == 1) {
            // The one item, by its name when it keeps one (`env.LOG_LEVEL`, a container).
            let named = ITEM_KEYS.iter().find_map(|field| {
                let key = lists[0][0].get(*field).and_then(scalar_text)?;
                let same = lists.iter().all(|l| {
                    l[0].get(*field).and_then(scalar_text).as_deref() == Some(key.as_str())
                });
                same.then(|| Step::Item {
                    field: field.to_string(),
                    value: key,
                })
            });
            at.push(named.unwrap_or(Step::Only));
            let items: Vec<(usize, &Value)> = vals
                .iter()
                .zip(&lists)
                .map(|(&(e, _), l)| (e, &l[0]))
                .collect();
            let node = self.node(o, &items, at);
            at.pop();
            return Some(Node::Seq(vec![Item { node, guard: None }]));
        }
        let keyed = ITEM_KEYS
            .iter()
            .find(|field| lists.iter().all(|l| keyed_by(l, field)));
        let Some(field) = keyed else {
            return self.positional(o, vals, &lists, at);
        };
        let orders: Vec<Vec<String>> = lists
            .iter()
            .map(|l| {
                l.iter()
                    .filter_map(|item| item.get(*field).and_then(scalar_text))
                    .collect()
            })
            .collect();
        let merged = merged_order(&orders)?;
        let mut items = Vec::new();
        for key in merged {
            at.push(Step::Item {
                field: field.to_string(),
                value: key.clone(),
            });
            let present: Vec<(usize, &Value)> = vals
                .iter()
                .zip(&lists)
                .filter_map(|(&(e, _), l)| find_item(l, field, &key).map(|item| (e, item)))
                .collect();
            let item = if present.len() == vals.len() {
                Item {
                    node: self.node(o, &present, at),
                    guard: None,
                }
            } else {
                self.optional_item(o, vals, &lists, field, &key, at)
            };
            at.pop();
            items.push(item);
        }
        Some(Node::Seq(items))
    }

    /// Lists of one length whose items have no name: walked item by item only when that makes
    /// no value (the items differ only in names the template computes, as a projected
    /// volume's sources); a value's path never holds a list index.
    fn positional(
        &mut self,
        o: usize,
        vals: &[(usize, &Value)],
        lists: &[&Vec<Value>],
        at: &mut Vec<Step>,
    ) -> Option<Node> {
        let len = lists[0].len();
        if lists.iter().any(|l| l.len() != len) {
            return None;
        }
        let mark = (
            self.slots.len(),
            self.files.len(),
            self.images.len(),
            self.paths.mark(&self.context.objects[o].key),
        );
        let mut items = Vec::with_capacity(len);
        for i in 0..len {
            at.push(Step::Item {
                field: String::new(),
                value: i.to_string(),
            });
            let item_vals: Vec<(usize, &Value)> = vals
                .iter()
                .zip(lists)
                .map(|(&(e, _), l)| (e, &l[i]))
                .collect();
            items.push(Item {
                node: self.node(o, &item_vals, at),
                guard: None,
            });
            at.pop();
        }
        if self.slots.len() > mark.0 {
            self.slots.truncate(mark.0);
            self.files.truncate(mark.1);
            self.images.truncate(mark.2);
            self.paths.rollback(&self.context.objects[o].key, mark.3);
            return None;
        }
        Some(Node::Seq(items))
    }

    /// An item some environments lack. An environment variable keeps its name in the
    /// template and its value in the values (`env.LOG_LEVEL`); any other item is one value.
    fn optional_item(
        &mut self,
        o: usize,
        vals: &[(usize, &Value)],
        lists: &[&Vec<Value>],
        field: &str,
        key: &str,
        at: &mut Vec<Step>,
    ) -> Item {
        let items: Vec<(usize, Option<&Value>)> = vals
            .iter()
            .zip(lists)
            .map(|(&(e, _), l)| (e, find_item(l, field, key)))
            .collect();
        let name_and_value = field == "name"
            && items.iter().filter_map(|(_, i)| *i).all(|item| {
                item.as_mapping().is_some_and(|m| m.len() == 2)
                    && item.get("value").is_some_and(Value::is_string)
            });
        if name_and_value {
            at.push(Step::Key("value".into()));
            let values: Vec<(usize, Option<&Value>)> = items
                .iter()
                .map(|&(e, i)| (e, i.and_then(|i| i.get("value"))))
                .collect();
            let slot = self.optional_slot(o, &values, at);
            at.pop();
            let guard = Some(names::defined(&self.slots[slot].path));
            return Item {
                node: Node::Map(MapNode {
                    include: None,
                    fields: vec![
                        Field {
                            key: Value::from("name"),
                            node: Node::Literal(Value::from(key)),
                            guard: None,
                        },
                        Field {
                            key: Value::from("value"),
                            node: Node::Slot(slot),
                            guard: None,
                        },
                    ],
                }),
                guard,
            };
        }
        let slot = self.optional_slot(o, &items, at);
        Item {
            guard: Some(names::defined(&self.slots[slot].path)),
            node: Node::Slot(slot),
        }
    }

    /// A Secret's data as a values map that the template encodes, when every value is text
    /// that base64 gives back exactly; else the base64 strings themselves.
    fn secret_data(&mut self, o: usize, vals: &[(usize, &Value)], at: &[Step]) -> Option<Node> {
        let text_map = |v: &Value| {
            v.as_mapping()
                .is_some_and(|m| !m.is_empty() && m.values().all(Value::is_string))
        };
        if !vals.iter().all(|(_, v)| text_map(v)) {
            return None;
        }
        let is_data = at_is(at, &["data"]);
        let decoded: Option<Vec<(usize, Value)>> = if is_data {
            vals.iter()
                .map(|&(e, v)| decode_all(v).map(|d| (e, d)))
                .collect()
        } else {
            None
        };
        let (values, encode): (Vec<(usize, Option<Value>)>, bool) = match decoded {
            Some(decoded) => (
                decoded.into_iter().map(|(e, v)| (e, Some(v))).collect(),
                true,
            ),
            None => (
                vals.iter().map(|&(e, v)| (e, Some(v.clone()))).collect(),
                false,
            ),
        };
        let slot = self.new_slot(o, at, &[], values, Source::Field(at.to_vec()));
        if encode && let Some(base) = self.slots[slot].base.take() {
            self.slots[slot].base = decode_all(&base);
        }
        Some(Node::Loop { slot, encode })
    }

    /// A container's image, as `repository` and `tag` (and `digest`) values, when it differs
    /// between environments or an `images` entry sets it.
    fn image(
        &mut self,
        o: usize,
        vals: &[(usize, &Value)],
        at: &[Step],
        all_equal: bool,
    ) -> Option<Node> {
        let is_image = matches!(at.last(), Some(Step::Key(k)) if k == "image")
            && at.len() >= 3
            && matches!(&at[at.len() - 3], Step::Key(list) if list.ends_with("ontainers"));
        if !is_image {
            return None;
        }
        let refs: Option<Vec<(usize, ImageRef)>> = vals
            .iter()
            .map(|&(e, v)| v.as_str().map(|s| (e, ImageRef::parse(s))))
            .collect();
        let refs = refs?;
        let managed = refs
            .iter()
            .any(|(_, r)| self.context.managed_images.contains(&r.repository));
        if all_equal && !managed {
            return None;
        }
        let shape = refs[0].1.shape();
        let plain = |s: &str| !s.is_empty() && !s.contains(['"', '\\', '{', '}', '\n', ' ']);
        let usable = refs.iter().all(|(_, r)| {
            r.shape() == shape
                && plain(&r.repository)
                && r.tag.as_deref().is_none_or(plain)
                && r.digest.as_deref().is_none_or(plain)
        });
        if !usable {
            return Some(self.field_slot(o, vals, at));
        }
        let base = self.context.objects[o]
            .base
            .as_ref()
            .and_then(|b| lookup(b, at))
            .and_then(Value::as_str)
            .map(ImageRef::parse);
        let parts: [ImagePart; 3] = [
            ("repository", |r| Some(r.repository.clone())),
            ("tag", |r| r.tag.clone()),
            ("digest", |r| r.digest.clone()),
        ];
        let wanted: Vec<(&'static str, Vec<(usize, Value)>)> = parts
            .iter()
            .filter(|(_, get)| get(&refs[0].1).is_some())
            .map(|(name, get)| {
                let values = refs
                    .iter()
                    .filter_map(|(e, r)| get(r).map(|v| (*e, Value::from(v))))
                    .collect();
                (*name, values)
            })
            .collect();
        let shared = self.images.iter().position(|known| {
            known.len() == wanted.len()
                && known
                    .iter()
                    .zip(&wanted)
                    .all(|(&(name, slot), (wanted_name, values))| {
                        name == *wanted_name
                            && values.iter().all(|(e, v)| {
                                !self.slots[slot].cares[*e]
                                    || self.slots[slot].values[*e].as_ref() == Some(v)
                            })
                    })
        });
        let slots: Vec<(&'static str, usize)> = match shared {
            Some(i) => {
                let known = self.images[i].clone();
                for (&(_, slot), (_, values)) in known.iter().zip(&wanted) {
                    for (e, v) in values {
                        self.slots[slot].cares[*e] = true;
                        self.slots[slot].values[*e] = Some(v.clone());
                    }
                }
                known
            }
            None => {
                let made: Vec<(&'static str, usize)> = wanted
                    .into_iter()
                    .map(|(name, values)| {
                        let values = values.into_iter().map(|(e, v)| (e, Some(v))).collect();
                        let slot =
                            self.new_slot(o, at, &[name], values, Source::Image(at.to_vec()));
                        let get = parts.iter().find(|(n, _)| *n == name).map(|(_, g)| *g);
                        self.slots[slot].base = base
                            .as_ref()
                            .zip(get)
                            .and_then(|(b, get)| get(b))
                            .map(Value::from);
                        (name, slot)
                    })
                    .collect();
                self.images.push(made.clone());
                made
            }
        };
        let mut text = String::from("\"");
        for (name, slot) in slots {
            text.push_str(match name {
                "tag" => ":",
                "digest" => "@",
                _ => "",
            });
            text.push_str(&format!(
                "{{{{ {} }}}}",
                names::access(&self.slots[slot].path)
            ));
        }
        text.push('"');
        Some(Node::Expr(text))
    }

    /// The namespace helper, where the value is the namespace every object of each
    /// environment is in: `metadata.namespace`, a `namespace` field elsewhere (RoleBinding
    /// subjects), the Namespace object's own name.
    fn namespace_at(&self, o: usize, vals: &[(usize, &Value)], at: &[Step]) -> Option<String> {
        let expr = self.context.namespace_expr.as_ref()?;
        let named = matches!(at.last(), Some(Step::Key(k)) if k == "namespace")
            || (self.context.objects[o].kind == "Namespace" && at_is(at, &["metadata", "name"]));
        let matches = vals.iter().all(|&(e, v)| {
            v.as_str()
                .is_some_and(|s| Some(s) == self.context.envs[e].namespace.as_deref())
        });
        (named && matches).then(|| expr.clone())
    }

    /// `metadata.namespace` where the environments that have a namespace set it, and the
    /// others have none: the helper, under the test that the namespace is given.
    fn namespace_field(&self, vals: &[(usize, &Value)], key: &Value, at: &[Step]) -> Option<Field> {
        let guard = self.context.namespace_guard.as_ref()?;
        let expr = self.context.namespace_expr.as_ref()?;
        let fits = at_is(at, &["metadata", "namespace"])
            && vals.iter().all(|&(e, v)| {
                v.get(key).and_then(Value::as_str) == self.context.envs[e].namespace.as_deref()
            });
        fits.then(|| Field {
            key: key.clone(),
            node: Node::Expr(expr.clone()),
            guard: Some(guard.clone()),
        })
    }

    /// The name of another object that Kustomize computed, written as the template computes
    /// it there: envFrom, volumes, serviceName, roleRef ...
    fn reference(&self, vals: &[(usize, &Value)], at: &[Step]) -> Option<String> {
        if at_is(at, &["metadata", "name"]) {
            return None;
        }
        let (e0, v0) = vals[0];
        let candidates = self.by_name.get(&(e0, v0.as_str()?.to_string()))?;
        candidates.iter().find_map(|&c| {
            let object = &self.context.objects[c];
            let everywhere = vals
                .iter()
                .all(|&(e, v)| v.as_str().is_some() && object.name_in(e) == v.as_str());
            everywhere.then(|| {
                format!(
                    "{{{{ {} }}}}",
                    object.name_expr.as_deref().unwrap_or_default()
                )
            })
        })
    }

    /// Which common labels or annotations component a map at `at` starts with, if it holds
    /// every one of them in every environment.
    fn common_at(&self, o: usize, vals: &[(usize, &Value)], at: &[Step]) -> Option<usize> {
        let last = match at.last() {
            Some(Step::Key(k)) => k.as_str(),
            _ => return None,
        };
        let selector =
            self.context.objects[o].kind == "Service" && at_is(at, &["spec", "selector"]);
        self.context.commons.iter().position(|common| {
            let place = match common.field {
                "labels" => last == "labels" || last == "matchLabels" || selector,
                _ => last == "annotations",
            };
            place
                && vals.iter().all(|&(e, v)| {
                    common.values[e].iter().all(|(k, value)| {
                        v.get(k.as_str()).and_then(Value::as_str) == Some(value.as_str())
                    })
                })
        })
    }

    /// A value for the field at `at`, needed by every environment in `vals`.
    fn field_slot(&mut self, o: usize, vals: &[(usize, &Value)], at: &[Step]) -> Node {
        let values = vals.iter().map(|&(e, v)| (e, Some(v.clone()))).collect();
        Node::Slot(self.new_slot(o, at, &[], values, Source::Field(at.to_vec())))
    }

    /// A value that some of the environments in `vals` leave out (the key is absent there).
    fn optional_slot(&mut self, o: usize, vals: &[(usize, Option<&Value>)], at: &[Step]) -> usize {
        let values = vals.iter().map(|&(e, v)| (e, v.cloned())).collect();
        self.new_slot(o, at, &[], values, Source::Field(at.to_vec()))
    }

    fn new_slot(
        &mut self,
        o: usize,
        at: &[Step],
        extra: &[&str],
        values: Vec<(usize, Option<Value>)>,
        source: Source,
    ) -> usize {
        let object = &self.context.objects[o];
        let single = single_container(object);
        let mut short = vec![object.key.clone()];
        short.extend(short_path(&object.kind, at, single));
        let mut full = vec![object.key.clone()];
        full.extend(full_path(at));
        for path in [&mut short, &mut full] {
            path.extend(extra.iter().map(|s| s.to_string()));
        }
        let path = self.paths.claim(short, vec![full]);
        let long_text = |v: &Option<Value>| {
            v.as_ref().is_none_or(|v| {
                v.as_str()
                    .is_some_and(|t| is_config_file(&object.kind, at, t))
            })
        };
        let file = (extra.is_empty()
            && values.iter().any(|(_, v)| v.is_some())
            && values.iter().all(|(_, v)| long_text(v)))
        .then(|| {
            (
                names::file_part(&object.core),
                names::file_part(&leaf_name(at)),
            )
        });
        let n = self.context.envs.len();
        let mut slot_values = vec![None; n];
        let mut cares = vec![false; n];
        for (e, v) in values {
            slot_values[e] = v;
            cares[e] = true;
        }
        let base = if extra.is_empty() {
            object.base.as_ref().and_then(|b| lookup(b, at)).cloned()
        } else {
            None
        };
        self.add_slot(Slot {
            path,
            values: slot_values,
            cares,
            base,
            object: Some(o),
            source,
            fixed_default: None,
            file,
        })
    }

    /// Writes a long constant string to `files/<object>/<key>`; returns that path.
    fn add_file(&mut self, o: usize, at: &[Step], text: &str) -> String {
        let dir = names::file_part(&self.context.objects[o].core);
        let stem = names::file_part(&leaf_name(at));
        let mut path = format!("files/{dir}/{stem}");
        let mut n = 2;
        while self.files.iter().any(|(p, _)| *p == path) {
            path = format!("files/{dir}/{stem}-{n}");
            n += 1;
        }
        self.files.push((path.clone(), text.to_string()));
        path
    }
}

/// The last key of the path (a ConfigMap's file name): the name of a file written for it.
fn leaf_name(at: &[Step]) -> String {
    at.iter()
        .rev()
        .find_map(|s| match s {
            Step::Key(k) => Some(k.clone()),
            Step::Item { value, .. } => Some(value.clone()),
            Step::Only => None,
        })
        .unwrap_or_else(|| "text".into())
}

/// Whether `text` at `at` is a file a ConfigMap holds (`data.<name>`, long enough to be read
/// better on its own): it goes to `files/`. Long text elsewhere (a CRD's descriptions, a
/// script in a container's args) stays in the template or the values, where it is read.
fn is_config_file(kind: &str, at: &[Step], text: &str) -> bool {
    kind == "ConfigMap"
        && matches!(at, [Step::Key(data), Step::Key(_)] if data == "data")
        && text.matches('\n').count() + 1 >= FILE_LINES
}

/// Whether the path is exactly these keys.
fn at_is(at: &[Step], keys: &[&str]) -> bool {
    at.len() == keys.len()
        && at
            .iter()
            .zip(keys)
            .all(|(s, k)| matches!(s, Step::Key(x) if x == k))
}

/// The value at `at` in `doc`.
pub fn lookup<'v>(doc: &'v Value, at: &[Step]) -> Option<&'v Value> {
    let mut value = doc;
    for step in at {
        value = match step {
            Step::Key(k) => value.get(k.as_str())?,
            Step::Item {
                field,
                value: wanted,
            } => value.as_sequence()?.iter().find(|item| {
                item.get(field.as_str()).and_then(scalar_text).as_deref() == Some(wanted)
            })?,
            Step::Only => {
                let items = value.as_sequence()?;
                if items.len() != 1 {
                    return None;
                }
                &items[0]
            }
        };
    }
    Some(value)
}

fn key_text(key: &Value) -> Option<String> {
    match key {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The item of the list whose `field` is `key`.
fn find_item<'v>(list: &'v [Value], field: &str, key: &str) -> Option<&'v Value> {
    list.iter()
        .find(|item| item.get(field).and_then(scalar_text).as_deref() == Some(key))
}

/// Every item is a map whose `field` is a scalar, different in each item.
fn keyed_by(list: &[Value], field: &str) -> bool {
    let mut seen = BTreeSet::new();
    list.iter().all(|item| {
        item.as_mapping().is_some()
            && item
                .get(field)
                .and_then(scalar_text)
                .is_some_and(|k| seen.insert(k))
    })
}

/// The keys of every map, each once: the first map's order, with keys the others add placed
/// after the key they follow there.
fn merged_keys(maps: impl Iterator<Item = Vec<Value>>) -> Vec<Value> {
    let maps: Vec<Vec<Value>> = maps.collect();
    if maps.iter().all(|keys| *keys == maps[0]) {
        return maps.into_iter().next().unwrap_or_default();
    }
    let mut merged: Vec<Value> = Vec::new();
    for keys in maps {
        let mut after: Option<usize> = None;
        for key in keys {
            match merged.iter().position(|k| *k == key) {
                Some(i) => after = Some(i),
                None => {
                    let at = after.map_or(0, |i| i + 1);
                    let at = if after.is_none() && !merged.is_empty() {
                        merged.len().min(at)
                    } else {
                        at
                    };
                    merged.insert(at, key);
                    after = Some(at);
                }
            }
        }
    }
    merged
}

/// One order of every list's keys that keeps each list's own order; None when the lists
/// order their common keys differently.
fn merged_order(orders: &[Vec<String>]) -> Option<Vec<String>> {
    let merged: Vec<String> = merged_keys(
        orders
            .iter()
            .map(|o| o.iter().map(|k| Value::from(k.as_str())).collect()),
    )
    .into_iter()
    .filter_map(|v| v.as_str().map(str::to_string))
    .collect();
    let keeps = |order: &Vec<String>| {
        let positions: Vec<usize> = order
            .iter()
            .filter_map(|k| merged.iter().position(|m| m == k))
            .collect();
        positions.windows(2).all(|w| w[0] < w[1])
    };
    orders.iter().all(keeps).then_some(merged)
}

/// Whether the Pod template of the object has one container and no others in every
/// environment: its container's fields then need no container name in the values.
fn single_container(object: &ChartObject) -> bool {
    object.docs.iter().flatten().all(|doc| {
        let Some(spec) = pod_spec(&object.kind, doc) else {
            return true;
        };
        let count = |field: &str| {
            spec.get(field)
                .and_then(Value::as_sequence)
                .map_or(0, Vec::len)
        };
        count("containers") <= 1 && count("initContainers") == 0
    })
}

fn pod_spec<'v>(kind: &str, doc: &'v Value) -> Option<&'v Value> {
    let template = pod_template(kind)?;
    let mut value = doc;
    for key in template {
        value = value.get(key)?;
    }
    value.get("spec")
}

/// Where the Pod template is in each kind of workload.
fn pod_template(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => Some(&["spec", "template"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template"]),
        "Pod" => Some(&[]),
        _ => None,
    }
}

/// A values path a person would choose for the field at `at`: `replicas`, `image.tag`,
/// `resources.limits.memory`, `env.LOG_LEVEL`, `labels.tier`, `pod.annotations.x`,
/// `containers.sidecar.image`, `data.LOG_LEVEL`.
pub fn short_path(kind: &str, at: &[Step], single: bool) -> Vec<String> {
    let keys: Vec<Option<&str>> = at
        .iter()
        .map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    let starts = |prefix: &[&str]| {
        prefix.len() <= keys.len() && prefix.iter().zip(&keys).all(|(p, k)| Some(*p) == *k)
    };
    let mut out: Vec<String> = Vec::new();
    let mut rest = at;
    let mut in_pod = false;
    if let Some(template) = pod_template(kind) {
        let spec: Vec<&str> = template.iter().copied().chain(["spec"]).collect();
        let meta: Vec<&str> = template.iter().copied().chain(["metadata"]).collect();
        if !template.is_empty() && starts(&spec) {
            rest = &at[spec.len()..];
            in_pod = true;
        } else if !template.is_empty() && starts(&meta) {
            rest = &at[meta.len()..];
            out.push("pod".into());
        } else if kind == "CronJob"
            && (starts(&["spec", "jobTemplate", "spec"])
                || starts(&["spec", "jobTemplate", "metadata"]))
        {
            rest = &at[3..];
            out.push("job".into());
        } else if kind == "Pod" && starts(&["spec"]) {
            rest = &at[1..];
            in_pod = true;
        }
    }
    if out.is_empty() && !in_pod && (starts(&["metadata"]) || starts(&["spec"])) {
        rest = &at[1..];
    }
    let mut i = 0;
    while i < rest.len() {
        match &rest[i] {
            Step::Key(k) => out.push(k.clone()),
            Step::Item { field, value } => {
                let list = out.last().cloned().unwrap_or_default();
                if in_pod && single && list == "containers" && field == "name" {
                    out.pop();
                } else {
                    out.push(value.clone());
                    let env_value = list == "env"
                        && field == "name"
                        && i + 2 == rest.len()
                        && matches!(&rest[i + 1], Step::Key(k) if k == "value");
                    if env_value {
                        break;
                    }
                }
            }
            Step::Only => {
                let list = out.last().cloned().unwrap_or_default();
                if in_pod && single && list == "containers" {
                    out.pop();
                }
            }
        }
        i += 1;
    }
    if out.is_empty() {
        out.push(match at.last() {
            Some(Step::Key(k)) => k.clone(),
            _ => "value".into(),
        });
    }
    out
}

/// Every key of the path, list items by their key: the path when the short one is taken.
fn full_path(at: &[Step]) -> Vec<String> {
    let mut out = Vec::new();
    for step in at {
        match step {
            Step::Key(k) => out.push(k.clone()),
            Step::Item { value, .. } => out.push(value.clone()),
            Step::Only => {}
        }
    }
    if out.is_empty() {
        out.push("value".into());
    }
    out
}

/// The text of every value of a Secret's `data`, when each one decodes to UTF-8 text and
/// encodes back to exactly the same base64.
fn decode_all(data: &Value) -> Option<Value> {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let map = data.as_mapping()?;
    let mut out = Mapping::new();
    for (key, value) in map {
        let encoded = value.as_str()?;
        let bytes = engine.decode(encoded).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        if engine.encode(text.as_bytes()) != encoded {
            return None;
        }
        out.insert(key.clone(), Value::from(text));
    }
    Some(Value::Mapping(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(path: &str) -> Vec<Step> {
        path.split('.')
            .map(|s| match s.split_once('=') {
                Some((f, v)) => Step::Item {
                    field: f.into(),
                    value: v.into(),
                },
                None if s == "0" => Step::Only,
                None => Step::Key(s.into()),
            })
            .collect()
    }

    #[test]
    fn paths_a_person_would_write() {
        let p = |kind, path, single| short_path(kind, &steps(path), single).join(".");
        assert_eq!(p("Deployment", "spec.replicas", true), "replicas");
        assert_eq!(
            p(
                "Deployment",
                "spec.template.spec.containers.name=app.image",
                true
            ),
            "image"
        );
        assert_eq!(
            p(
                "Deployment",
                "spec.template.spec.containers.name=app.env.name=LOG.value",
                true
            ),
            "env.LOG"
        );
        assert_eq!(
            p(
                "Deployment",
                "spec.template.spec.containers.name=app.resources.limits.cpu",
                false
            ),
            "containers.app.resources.limits.cpu"
        );
        assert_eq!(
            p("Deployment", "spec.template.metadata.annotations.x", true),
            "pod.annotations.x"
        );
        assert_eq!(p("CronJob", "spec.schedule", true), "schedule");
        assert_eq!(
            p(
                "CronJob",
                "spec.jobTemplate.spec.template.spec.containers.0.args",
                true
            ),
            "args"
        );
        assert_eq!(p("ConfigMap", "data.LOG_LEVEL", true), "data.LOG_LEVEL");
        assert_eq!(p("Service", "metadata.labels.tier", true), "labels.tier");
        assert_eq!(p("Ingress", "spec.rules.0.host", true), "rules.host");
    }

    #[test]
    fn only_a_configmaps_files_go_to_files() {
        let text = "one\ntwo\nthree\nfour\n";
        assert!(is_config_file(
            "ConfigMap",
            &steps("data.default_conf"),
            text
        ));
        assert!(!is_config_file(
            "ConfigMap",
            &steps("data.short"),
            "one\ntwo\n"
        ));
        // A CRD has hundreds of long descriptions: they stay in its template.
        let description = "spec.versions.name=v1.schema.openAPIV3Schema.description";
        assert!(!is_config_file(
            "CustomResourceDefinition",
            &steps(description),
            text
        ));
        assert!(!is_config_file(
            "ConfigMap",
            &steps("metadata.annotations.x"),
            text
        ));
    }

    #[test]
    fn paths_never_clash() {
        let mut paths = Paths::default();
        let a = paths.claim(vec!["web".into(), "replicas".into()], vec![]);
        let b = paths.claim(
            vec!["web".into(), "replicas".into()],
            vec![vec!["web".into(), "spec".into(), "replicas".into()]],
        );
        let c = paths.claim(vec!["web".into(), "replicas".into(), "x".into()], vec![]);
        assert_eq!(a.join("."), "web.replicas");
        assert_eq!(b.join("."), "web.spec.replicas");
        assert_eq!(c.join("."), "web.replicas2.x");
        let d = paths.claim(vec!["web".into(), "replicas".into()], vec![]);
        assert_eq!(d.join("."), "web.replicas3");
        // A one-segment path taken holds every path under it: the top segment gets the number.
        let e = paths.claim(vec!["queue".into()], vec![]);
        let f = paths.claim(vec!["queue".into(), "replicas".into()], vec![]);
        let g = paths.claim(vec!["queue2".into()], vec![]);
        assert_eq!(e.join("."), "queue");
        assert_eq!(f.join("."), "queue2.replicas");
        assert_eq!(g.join("."), "queue22");
        assert_eq!(paths.claim(vec![], vec![]).join("."), "value");
    }

    #[test]
    fn orders_merge_or_refuse() {
        let o = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            merged_order(&[o(&["a", "b"]), o(&["a", "x", "b"])]),
            Some(o(&["a", "x", "b"]))
        );
        assert_eq!(merged_order(&[o(&["a", "b"]), o(&["b", "a"])]), None);
        assert_eq!(
            merged_order(&[o(&["b"]), o(&["x", "b"])]),
            Some(o(&["x", "b"]))
        );
    }
}
