//! Field paths inside an object, as a reader writes them:
//! `spec.template.spec.containers[name=backend-app].ports[0].containerPort`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Field(String),
    Index(usize),
    /// An item of a list keyed by one of its fields (`containers[name=backend-app]`).
    Key(String, String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    pub fn root() -> Self {
        FieldPath::default()
    }

    /// `spec.template` from `["spec", "template"]`.
    pub fn of(fields: &[&str]) -> Self {
        FieldPath(
            fields
                .iter()
                .map(|f| Segment::Field(f.to_string()))
                .collect(),
        )
    }

    pub fn field(&self, name: &str) -> Self {
        self.with(Segment::Field(name.to_string()))
    }

    pub fn index(&self, index: usize) -> Self {
        self.with(Segment::Index(index))
    }

    pub fn key(&self, key: &str, value: &str) -> Self {
        self.with(Segment::Key(key.to_string(), value.to_string()))
    }

    /// A list item: by its `name` when it has one (names survive reordering), else by index.
    pub fn item(&self, index: usize, item: &serde_yaml::Value) -> Self {
        match item.get("name").and_then(serde_yaml::Value::as_str) {
            Some(name) => self.key("name", name),
            None => self.index(index),
        }
    }

    pub fn push_field(&mut self, name: &str) {
        self.0.push(Segment::Field(name.to_string()));
    }

    pub fn push_index(&mut self, index: usize) {
        self.0.push(Segment::Index(index));
    }

    pub fn push_key(&mut self, key: &str, value: &str) {
        self.0
            .push(Segment::Key(key.to_string(), value.to_string()));
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    fn with(&self, segment: Segment) -> Self {
        let mut path = self.clone();
        path.0.push(segment);
        path
    }
}

/// Names that read unambiguously after a dot; others (`app.kubernetes.io/name`) go in brackets.
fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Field(name) if is_plain(name) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(name)?;
                }
                Segment::Field(name) => write!(f, "[{name:?}]")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
                Segment::Key(key, value) => write!(f, "[{key}={value}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fields_indexes_and_keys() {
        let path = FieldPath::of(&["spec", "template", "spec", "containers"])
            .key("name", "backend-app")
            .field("ports")
            .index(0)
            .field("contianerPort");
        assert_eq!(
            path.to_string(),
            "spec.template.spec.containers[name=backend-app].ports[0].contianerPort"
        );
    }

    #[test]
    fn brackets_keys_with_dots_and_slashes() {
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
        path.push_key("name", "a");
        assert_eq!(path.to_string(), "spec[name=a]");
    }
}
