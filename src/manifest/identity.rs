//! Object identity: what `kubectl apply` keys an object on.

use serde_yaml::Value;

/// Identity of a Kubernetes object: what `kubectl apply` keys on. The API version is not part of
/// it (only its group is), so `apps/v1` and `apps/v1beta1` Deployments are the same object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    /// API group: "" for the core group (`v1`), "apps" for `apps/v1`.
    pub group: String,
    pub kind: String,
    /// Empty when the document has no `metadata.namespace`.
    pub namespace: String,
    pub name: String,
}

impl ObjectId {
    /// The identity of a parsed document; `None` when it has no `kind` or no `metadata.name`.
    pub fn of(doc: &Value) -> Option<ObjectId> {
        let kind = doc.get("kind")?.as_str()?.to_string();
        let meta = doc.get("metadata")?;
        let name = meta.get("name")?.as_str()?.to_string();
        let namespace = meta
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let group = match api_version.rsplit_once('/') {
            Some((group, _version)) => group.to_string(),
            None => String::new(),
        };
        Some(ObjectId {
            group,
            kind,
            namespace,
            name,
        })
    }
}

impl std::fmt::Display for ObjectId {
    /// `apps/Deployment dominos-service-backend/backend-app`, `/Namespace backend`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{} ", self.group, self.kind)?;
        if !self.namespace.is_empty() {
            write!(f, "{}/", self.namespace)?;
        }
        write!(f, "{}", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_uses_the_api_group_only() {
        let doc: Value =
            serde_yaml::from_str("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}")
                .unwrap_or(Value::Null);
        let id = ObjectId::of(&doc);
        assert_eq!(
            id.map(|i| i.to_string()),
            Some("apps/Deployment x".to_string())
        );
    }
}
