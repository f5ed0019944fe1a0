//! One object of a manifest set: its value, its identity and where it was read.

use std::collections::HashMap;
use std::fmt;

use serde_yaml::Value;

use crate::error::Error;
use crate::manifest::ObjectId;

#[derive(Clone)]
pub struct Document {
    /// `None` when the document has no `kind` or no `metadata.name`.
    pub id: Option<ObjectId>,
    pub value: Value,
    /// Where it was read: `file:line` of the document's first line, `file:line items[2]` for
    /// an item of a `kind: List`.
    pub origin: String,
    /// Read from a file `kubectl diff` wrote: its Secret data may hold kubectl's masks.
    pub written_by_kubectl_diff: bool,
}

impl Document {
    pub fn new(value: Value, origin: String) -> Document {
        Document {
            id: ObjectId::of(&value),
            value,
            origin,
            written_by_kubectl_diff: false,
        }
    }
}

/// Leaves the value out: it may be a Secret.
impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("id", &self.id)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// An error naming both places when two documents of one side have the same identity.
pub fn check_unique(documents: &[Document]) -> Result<(), Error> {
    let mut seen: HashMap<&ObjectId, &str> = HashMap::with_capacity(documents.len());
    for document in documents {
        if let Some(id) = &document.id
            && let Some(first) = seen.insert(id, &document.origin)
        {
            return Err(Error::input(format!(
                "{id} is defined twice, at {first} and at {}; a manifest set defines each object \
                 once: remove or rename one of them",
                document.origin
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str, origin: &str) -> Document {
        Document::new(serde_yaml::from_str(text).unwrap(), origin.to_string())
    }

    #[test]
    fn duplicates_name_both_origins() {
        let documents = [
            document(
                "{apiVersion: v1, kind: Service, metadata: {name: a}}",
                "x.yaml:1",
            ),
            document("{kind: Service, metadata: {name: b}}", "x.yaml:5"),
            document(
                "{apiVersion: v1, kind: Service, metadata: {name: a}}",
                "y.yaml:3",
            ),
        ];
        let message = check_unique(&documents).unwrap_err().to_string();
        assert!(message.contains("/Service a"), "{message}");
        assert!(
            message.contains("x.yaml:1") && message.contains("y.yaml:3"),
            "{message}"
        );
    }

    #[test]
    fn namespaces_and_anonymous_documents_do_not_collide() {
        let documents = [
            document("{kind: Service, metadata: {name: a}}", "1"),
            document("{kind: Service, metadata: {name: a, namespace: n}}", "2"),
            document("{kind: Job}", "3"),
            document("{kind: Job}", "4"),
        ];
        assert!(check_unique(&documents).is_ok());
    }

    #[test]
    fn debug_leaves_the_value_out() {
        let d = document(
            "{kind: Secret, metadata: {name: s}, data: {p: c2VjcmV0}}",
            "o",
        );
        assert!(!format!("{d:?}").contains("c2VjcmV0"));
    }
}
