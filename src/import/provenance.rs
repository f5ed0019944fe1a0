//! Which file of an overlay produced a value: the comment beside it in `values/<env>.yaml`
//! (`# overlays/prod/kustomization.yaml (images)`, `# overlays/dev/config.env`).
//!
//! Read from the kustomizations that make the environment what it is (those the shared base
//! does not build from): its `images`, `replicas`, `namePrefix`, `namespace`, `labels`,
//! generators (the file each key comes from) and patches (the one that says something at the
//! value's path). When none of them says, the overlay's own kustomization is named.

use std::collections::HashMap;

use super::model::{ChartObject, Slot, Source};
use super::names::ImageRef;
use super::tree::{Step, Tree};

pub struct Provenance<'a> {
    pub tree: &'a Tree,
    /// Where each object is written: [`Tree::sources`].
    pub sources: &'a HashMap<(String, String), String>,
    /// Per environment, its own kustomizations, nearest first.
    pub own: Vec<Vec<usize>>,
}

impl Provenance<'_> {
    /// The comment for `slot`'s value in environment `env`.
    /// When no file of the environment's own changed it, the value is the object's as
    /// written (the default could not hold it, a null say): its file is named.
    pub fn explain(&self, env: usize, slot: &Slot, object: Option<&ChartObject>) -> String {
        if let Some(found) = self.find(env, slot, object) {
            return found;
        }
        let written = object.and_then(|o| self.sources.get(&(o.kind.clone(), o.core.clone())));
        if let (Some(file), Source::Field(_) | Source::Image(_)) = (written, &slot.source) {
            return format!("as in {file}");
        }
        match self.own[env]
            .first()
            .or(self.tree.reach[env].first().map(|r| &r.0))
        {
            Some(&node) => self.tree.nodes[node].file.clone(),
            None => String::new(),
        }
    }

    fn find(&self, env: usize, slot: &Slot, object: Option<&ChartObject>) -> Option<String> {
        let nodes = || self.own[env].iter().map(|&n| &self.tree.nodes[n]);
        let tagged = |file: &str, what: &str| format!("{file} ({what})");
        match &slot.source {
            Source::Prefix => nodes()
                .find(|k| !k.name_prefix.is_empty())
                .map(|k| tagged(&k.file, "namePrefix")),
            Source::Suffix => nodes()
                .find(|k| !k.name_suffix.is_empty())
                .map(|k| tagged(&k.file, "nameSuffix")),
            Source::Namespace => nodes()
                .find(|k| k.namespace.is_some())
                .map(|k| tagged(&k.file, "namespace")),
            Source::Label(key) => nodes()
                .find(|k| k.label_keys.contains(key))
                .map(|k| tagged(&k.file, "labels")),
            Source::Annotation(key) => nodes()
                .find(|k| k.annotation_keys.contains(key))
                .map(|k| tagged(&k.file, "commonAnnotations")),
            Source::Presence => {
                let object = object?;
                nodes()
                    .find(|k| {
                        k.components
                            .iter()
                            .any(|&c| self.adds(c, &object.kind, &object.core))
                    })
                    .map(|k| tagged(&k.file, "components"))
                    .or_else(|| nodes().next().map(|k| tagged(&k.file, "resources")))
            }
            Source::Image(at) => {
                let object = object?;
                let image = object.docs[env]
                    .as_ref()
                    .and_then(|d| super::unify::lookup(d, at))?;
                let repository = ImageRef::parse(image.as_str()?).repository;
                nodes()
                    .find(|k| {
                        k.images.iter().any(|i| {
                            i.new_name.as_deref() == Some(repository.as_str())
                                || i.name == repository
                        })
                    })
                    .map(|k| tagged(&k.file, "images"))
                    .or_else(|| self.patch(env, object, at))
            }
            Source::Field(at) => {
                let object = object?;
                if matches!(at.as_slice(), [Step::Key(a), Step::Key(b)] if a == "spec" && b == "replicas")
                    && let Some(k) = nodes().find(|k| k.replicas.contains(&object.core))
                {
                    return Some(tagged(&k.file, "replicas"));
                }
                if let (Some(Step::Key(field)), Some(Step::Key(key))) = (at.first(), at.get(1))
                    && matches!(field.as_str(), "data" | "binaryData" | "stringData")
                {
                    let generated = nodes().flat_map(|k| &k.generators).find_map(|g| {
                        (g.kind == object.kind && g.name == object.core)
                            .then(|| {
                                g.keys
                                    .iter()
                                    .rev()
                                    .find(|(k, _)| k == key)
                                    .map(|(_, f)| f.clone())
                            })
                            .flatten()
                    });
                    if generated.is_some() {
                        return generated;
                    }
                }
                self.patch(env, object, at)
            }
        }
    }

    /// The first patch of the environment that says something at `at` of the object.
    fn patch(&self, env: usize, object: &ChartObject, at: &[Step]) -> Option<String> {
        let final_name = object.name_in(env).unwrap_or_default();
        let names = [object.core.as_str(), final_name];
        self.own[env]
            .iter()
            .flat_map(|&n| &self.tree.nodes[n].patches)
            .find(|p| p.touches(&object.kind, &names, at))
            .map(|p| p.shown.clone())
    }

    /// Whether the component (or what it lists) adds an object of this kind and name.
    fn adds(&self, component: usize, kind: &str, name: &str) -> bool {
        self.tree
            .component_objects_of(component)
            .iter()
            .any(|(k, n)| k == kind && n == name)
    }
}
