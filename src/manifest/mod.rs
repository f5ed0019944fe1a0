//! Manifests: YAML streams split into documents (`split`, the one splitter), the documents
//! templates render parsed into objects (`parse`), each object's identity (`identity`:
//! API group, kind, namespace, name), the order Helm installs them in (`order`) and the
//! documents `--show-only` picks (`select`).

mod identity;
mod order;
mod parse;
mod select;
mod split;

use serde_yaml::Value;

pub use identity::ObjectId;
pub use order::{INSTALL_ORDER, sort_install_order};
pub use parse::{RenderedText, parse_rendered, parse_rendered_all};
pub use select::{ShowOnly, select, show_only_path};
pub use split::{DocumentText, split_documents};

/// One parsed document of a template's output.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// `backend/templates/deployment.yaml`, for `# Source:`.
    pub source_name: String,
    /// Relative to `templates/`: `deployment.yaml`.
    pub template_name: String,
    pub kind: String,
    pub value: Value,
}

impl Manifest {
    pub fn id(&self) -> Option<ObjectId> {
        ObjectId::of(&self.value)
    }

    /// The `helm.sh/hook` annotation's events (`pre-install`, `test`...); empty for plain objects.
    pub fn hook_events(&self) -> Vec<&str> {
        self.annotation("helm.sh/hook")
            .map(|events| {
                events
                    .split(',')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn is_hook(&self) -> bool {
        !self.hook_events().is_empty()
    }

    /// Helm's test hooks: `test` and the older `test-success`.
    pub fn is_test_hook(&self) -> bool {
        self.hook_events()
            .iter()
            .any(|e| *e == "test" || *e == "test-success")
    }

    /// `helm.sh/hook-weight`, 0 when absent or not a number (as Helm).
    pub fn hook_weight(&self) -> i64 {
        self.annotation("helm.sh/hook-weight")
            .and_then(|w| w.trim().parse().ok())
            .unwrap_or(0)
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        self.value
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }
}
