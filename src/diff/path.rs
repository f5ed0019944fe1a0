//! Field paths inside an object, as reports print them:
//! `spec.template.spec.containers[name=backend-app].image`, `args[2]`,
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
    /// A list item matched by its `name` field.
    Named(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Path(Vec<Segment>);

impl Path {
    pub fn new(segments: Vec<Segment>) -> Path {
        Path(segments)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }
}

impl fmt::Display for Path {
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
                Segment::Named(name) if is_plain_name(name) => write!(f, "[name={name}]")?,
                Segment::Named(name) => write!(f, "[name={}]", quote(name))?,
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
        let path = Path::new(vec![key("spec"), key("replicas")]);
        assert_eq!(path.to_string(), "spec.replicas");
    }

    #[test]
    fn named_items_and_indexes() {
        let path = Path::new(vec![
            key("spec"),
            key("template"),
            key("spec"),
            key("containers"),
            Segment::Named("backend-app".into()),
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
        let path = Path::new(vec![
            key("metadata"),
            key("labels"),
            key("app.kubernetes.io/name"),
        ]);
        assert_eq!(
            path.to_string(),
            r#"metadata.labels["app.kubernetes.io/name"]"#
        );
        let path = Path::new(vec![key("data"), key("a b"), key("2x"), key("")]);
        assert_eq!(path.to_string(), r#"data["a b"]["2x"][""]"#);
        // A key with dots or spaces first in the path is still bracketed.
        let path = Path::new(vec![key("config.yaml")]);
        assert_eq!(path.to_string(), r#"["config.yaml"]"#);
    }

    #[test]
    fn names_that_need_it_are_quoted() {
        let path = Path::new(vec![key("env"), Segment::Named("a]=b".into())]);
        assert_eq!(path.to_string(), r#"env[name="a]=b"]"#);
    }

    #[test]
    fn non_string_keys_cannot_be_taken_for_indexes() {
        let path = Path::new(vec![key("ports"), Segment::Key(Value::from(80))]);
        assert_eq!(path.to_string(), "ports{80}");
        let path = Path::new(vec![key("ports"), key("80")]);
        assert_eq!(path.to_string(), r#"ports["80"]"#);
    }

    #[test]
    fn the_object_itself() {
        assert_eq!(Path::default().to_string(), ".");
    }
}
