//! Semantic comparison of two manifest sets (what `ktera diff`, `ktera compare` and
//! `ktera render --check` report).
//!
//! - Objects are paired by (API group, kind, namespace, name); API version, document order,
//!   key order, quoting, comments and `# Source:` lines do not matter (see [`compare()`]).
//! - Values are compared with their types: `"1"`, `1` and `1.0` all differ; `null` and a
//!   missing key differ.
//! - Each change is a field path with both values: `spec.replicas: 2 -> 3`. Lists whose items
//!   all have a unique `name` are paired by name (`containers[name=backend-app].image`), other
//!   lists by position after aligning equal items (`args[2]`). A list paired by name whose
//!   shared names come in another order is reported as `reordered`.
//! - Secret `data`/`stringData` values are never printed unless asked: only their sizes.

mod compare;
mod document;
mod format;
mod list;
mod load;
mod path;
mod report;
mod secret;
mod text;
mod tree;

pub use compare::compare;
pub use document::{Document, check_unique};
pub use format::to_json;
pub use load::{STDIN, list_items, load_side, parse_manifests};
pub use path::{FieldPath, Segment};
pub use report::{Counts, Report, ReportOptions};
