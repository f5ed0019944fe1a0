//! What the importer builds before it writes anything: the environments and their objects, the
//! objects of the chart (one per object that corresponds across environments), the template
//! of each as a tree of literal YAML and Tera expressions, and the values it reads.

use serde_yaml::Value;

use super::tree::Step;

/// One environment: what Kustomize built for it, and what its overlay adds to every object.
#[derive(Debug)]
pub struct Env {
    pub name: String,
    /// The overlay directory as given.
    pub dir: std::path::PathBuf,
    pub objects: Vec<Value>,
    /// The overlay's own `namePrefix` and `nameSuffix`.
    pub prefix: String,
    pub suffix: String,
    /// The namespace of every namespaced object, when they all share one.
    pub namespace: Option<String>,
    /// Objects in more than one namespace.
    pub mixed_namespaces: bool,
}

/// An object of the chart: the objects of each environment that are the same object.
#[derive(Debug)]
pub struct ChartObject {
    pub kind: String,
    /// `apps/Deployment`-style label for messages and comments.
    pub title: String,
    /// The name without the overlays' prefix, suffix and hash (`backend-app-config`).
    pub core: String,
    /// Its key in the values (`backendAppConfig`).
    pub key: String,
    /// Its template: `templates/<file>`.
    pub file: String,
    /// Per environment, the object as built; `None` where the environment has no such object.
    pub docs: Vec<Option<Value>>,
    /// The same object in the shared base's build, when there is a base and it has it.
    pub base: Option<Value>,
    /// Kustomize's content hash ends its name in every environment that has it.
    pub hashed: bool,
    /// How templates write its name, when it is not one literal string: a component call or
    /// a value (`<backend.name name="web" />`, `Values.web.name`).
    pub name_expr: Option<String>,
    /// For a hashed object, how its name before the hash is written (literal text or a Tera
    /// expression).
    pub stem: String,
    /// The condition under which it is rendered, when some environment has no such object.
    pub condition: Option<String>,
}

impl ChartObject {
    pub fn present(&self) -> Vec<usize> {
        (0..self.docs.len())
            .filter(|&e| self.docs[e].is_some())
            .collect()
    }

    pub fn name_in(&self, env: usize) -> Option<&str> {
        self.docs[env]
            .as_ref()?
            .get("metadata")?
            .get("name")?
            .as_str()
    }
}

/// What produced a value, for the comment beside it in `values/<env>.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A field of an object: patches, generators, `replicas`.
    Field(Vec<Step>),
    /// An `images` entry (or a patch of the image).
    Image(Vec<Step>),
    Prefix,
    Suffix,
    Namespace,
    Label(String),
    Annotation(String),
    /// Whether the object is there at all (resources, components).
    Presence,
}

/// A value the templates read: its path in the values and what each environment needs there.
#[derive(Debug)]
pub struct Slot {
    pub path: Vec<String>,
    /// Per environment: the value it needs; `None` where the key must be absent.
    pub values: Vec<Option<Value>>,
    /// Per environment: whether it renders anything that reads the value.
    pub cares: Vec<bool>,
    /// The shared base's value, when known.
    pub base: Option<Value>,
    /// The chart object it belongs to, if any.
    pub object: Option<usize>,
    pub source: Source,
    /// A default that does not come from the environments (presence flags).
    pub fixed_default: Option<Option<Value>>,
    /// Long text kept in the chart's `files/`: the values hold the file's path, and this is
    /// where such files go (`files/<dir>/<name>`, or `files/<dir>/<env>/<name>`).
    pub file: Option<(String, String)>,
}

/// A piece of a template.
#[derive(Debug)]
pub enum Node {
    /// The same in every environment: written as YAML.
    Literal(Value),
    Map(MapNode),
    Seq(Vec<Item>),
    /// A value read from the values (index into the slots).
    Slot(usize),
    /// A scalar the template computes; the text after `key: ` (`{{ <backend.name name="x" /> }}`).
    Expr(String),
    /// A Secret's `data` or `stringData`: every key of a values map, base64-encoded or not.
    Loop {
        slot: usize,
        encode: bool,
    },
    /// A long string read from the chart's `files/`.
    File(String),
}

#[derive(Debug, Default)]
pub struct MapNode {
    /// A component placed first (the common labels), then the fields.
    pub include: Option<String>,
    pub fields: Vec<Field>,
}

#[derive(Debug)]
pub struct Field {
    pub key: Value,
    pub node: Node,
    /// Rendered only when this condition holds.
    pub guard: Option<String>,
}

#[derive(Debug)]
pub struct Item {
    pub node: Node,
    pub guard: Option<String>,
}
