//! Field paths inside an object, as reports print them (`ktera diff`'s changes, `ktera lint`'s
//! findings): `spec.template.spec.containers[name=backend-app].image`, `args[2]`,
//! `metadata.labels["app.kubernetes.io/name"]`. A mapping key that is not a string prints as
//! `{1}`, so it cannot be taken for a list index; the object itself prints as `.`.

use std::fmt;

use serde_yaml::Value;

use super::format::{compact, is_bare, quote};

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// A mapping key.
    Key(Value),
    /// A list item matched by position.
    Index(usize),
    /// A list item matched by one of its fields (`containers[name=web]`): the path survives
    /// reordering.
    Item { field: String, value: String },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    pub fn new(segments: Vec<Segment>) -> FieldPath {
        FieldPath(segments)
    }

    /// The object itself.
    pub fn root() -> FieldPath {
        FieldPath::default()
    }

    /// `spec.template` from `["spec", "template"]`.
    pub fn of(fields: &[&str]) -> FieldPath {
        FieldPath(fields.iter().map(|f| key(f)).collect())
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn field(&self, name: &str) -> FieldPath {
        self.with(key(name))
    }

    pub fn index(&self, index: usize) -> FieldPath {
        self.with(Segment::Index(index))
    }

    /// A list item: by its `name` when it has one (names survive reordering), else by index.
    pub fn item(&self, index: usize, item: &Value) -> FieldPath {
        match item.get("name").and_then(Value::as_str) {
            Some(name) => self.with(item_segment("name", name)),
            None => self.index(index),
        }
    }

    pub fn push_field(&mut self, name: &str) {
        self.0.push(key(name));
    }

    pub fn push_index(&mut self, index: usize) {
        self.0.push(Segment::Index(index));
    }

    /// A list item matched by its `field` holding `value`.
    pub fn push_item(&mut self, field: &str, value: &str) {
        self.0.push(item_segment(field, value));
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    fn with(&self, segment: Segment) -> FieldPath {
        let mut path = self.clone();
        path.0.push(segment);
        path
    }
}

fn key(name: &str) -> Segment {
    Segment::Key(Value::String(name.to_string()))
}

fn item_segment(field: &str, value: &str) -> Segment {
    Segment::Item {
        field: field.to_string(),
        value: value.to_string(),
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(".");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(Value::String(key)) if is_bare(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Segment::Key(Value::String(key)) => write!(f, "[{}]", quote(key))?,
                Segment::Key(other) => write!(f, "{{{}}}", compact(other))?,
                Segment::Index(index) => write!(f, "[{index}]")?,
                Segment::Item { field, value } if is_plain_name(value) => {
                    write!(f, "[{field}={value}]")?
                }
                Segment::Item { field, value } => write!(f, "[{field}={}]", quote(value))?,
            }
        }
        Ok(())
    }
}

/// Kubernetes names and environment variable names print without quotes.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Segment {
        Segment::Key(Value::String(text.to_string()))
    }

    #[test]
    fn plain_keys_join_with_dots() {
        let path = FieldPath::new(vec![key("spec"), key("replicas")]);
        assert_eq!(path.to_string(), "spec.replicas");
    }

    #[test]
    fn named_items_and_indexes() {
        let path = FieldPath::new(vec![
            key("spec"),
            key("template"),
            key("spec"),
            key("containers"),
            Segment::Item {
                field: "name".into(),
                value: "backend-app".into(),
            },
            key("args"),
            Segment::Index(2),
        ]);
        assert_eq!(
            path.to_string(),
            "spec.template.spec.containers[name=backend-app].args[2]"
        );
    }

    #[test]
    fn special_keys_are_quoted() {
        let path = FieldPath::new(vec![
            key("metadata"),
            key("labels"),
            key("app.kubernetes.io/name"),
        ]);
        assert_eq!(
            path.to_string(),
            r#"metadata.labels["app.kubernetes.io/name"]"#
        );
        let path = FieldPath::new(vec![key("data"), key("a b"), key("2x"), key("")]);
        assert_eq!(path.to_string(), r#"data["a b"]["2x"][""]"#);
        // A key with dots or spaces first in the path is still bracketed.
        let path = FieldPath::new(vec![key("config.yaml")]);
        assert_eq!(path.to_string(), r#"["config.yaml"]"#);
    }

    #[test]
    fn names_that_need_it_are_quoted() {
        let path = FieldPath::new(vec![
            key("env"),
            Segment::Item {
                field: "name".into(),
                value: "a]=b".into(),
            },
        ]);
        assert_eq!(path.to_string(), r#"env[name="a]=b"]"#);
    }

    #[test]
    fn non_string_keys_cannot_be_taken_for_indexes() {
        let path = FieldPath::new(vec![key("ports"), Segment::Key(Value::from(80))]);
        assert_eq!(path.to_string(), "ports{80}");
        let path = FieldPath::new(vec![key("ports"), key("80")]);
        assert_eq!(path.to_string(), r#"ports["80"]"#);
    }

    #[test]
    fn the_object_itself() {
        assert_eq!(FieldPath::default().to_string(), ".");
    }

    #[test]
    fn builds_fields_indexes_and_items() {
        let mut path = FieldPath::of(&["spec", "template", "spec", "containers"]);
        path.push_item("name", "backend-app");
        let path = path.field("ports").index(0).field("contianerPort");
        assert_eq!(
            path.to_string(),
            "spec.template.spec.containers[name=backend-app].ports[0].contianerPort"
        );
        let path = FieldPath::of(&["metadata", "labels"]).field("app.kubernetes.io/name");
        assert_eq!(
            path.to_string(),
            "metadata.labels[\"app.kubernetes.io/name\"]"
        );
    }

    #[test]
    fn push_and_pop() {
        let mut path = FieldPath::root();
        path.push_field("spec");
        path.push_index(2);
        assert_eq!(path.to_string(), "spec[2]");
        path.pop();
        path.push_item("name", "a");
        assert_eq!(path.to_string(), "spec[name=a]");
    }
}
