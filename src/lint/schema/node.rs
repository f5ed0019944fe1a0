//! One node of a schema, in the OpenAPI v3 subset that Kubernetes uses: the shipped built-in
//! schemas (see scripts/refresh-schemas) and a CustomResourceDefinition's `openAPIV3Schema`
//! read the same way. Keywords outside the subset (description, default, example,
//! x-kubernetes-validations) are ignored.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// Name of a definition of the same schema file.
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub properties: Option<BTreeMap<String, Node>>,
    #[serde(default)]
    pub required: Vec<String>,
    pub items: Option<Box<Node>>,
    pub additional_properties: Option<Additional>,
    #[serde(rename = "enum")]
    pub values: Option<Vec<serde_json::Value>>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    #[serde(default)]
    pub nullable: bool,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    #[serde(default)]
    pub exclusive_minimum: bool,
    #[serde(default)]
    pub exclusive_maximum: bool,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    #[serde(default)]
    pub all_of: Vec<Node>,
    #[serde(default)]
    pub any_of: Vec<Node>,
    #[serde(default)]
    pub one_of: Vec<Node>,
    pub not: Option<Box<Node>>,
    #[serde(default, rename = "x-kubernetes-int-or-string")]
    pub int_or_string: bool,
    #[serde(default, rename = "x-kubernetes-preserve-unknown-fields")]
    pub preserve_unknown_fields: bool,
    #[serde(default, rename = "x-kubernetes-embedded-resource")]
    pub embedded_resource: bool,
    #[serde(rename = "x-kubernetes-list-type")]
    pub list_type: Option<String>,
    #[serde(default, rename = "x-kubernetes-list-map-keys")]
    pub list_map_keys: Vec<String>,
}

/// `additionalProperties`: a schema for every other key, or `true`/`false`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Additional {
    Allowed(bool),
    Schema(Box<Node>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_openapi_keywords_and_ignores_the_rest() {
        let node: Node = serde_json::from_value(serde_json::json!({
            "type": "object",
            "description": "ignored",
            "required": ["spec"],
            "properties": {
                "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "size": {"x-kubernetes-int-or-string": true, "pattern": "^[0-9]+$"}
            },
            "additionalProperties": false,
            "x-kubernetes-validations": [{"rule": "self.x > 0"}]
        }))
        .unwrap();
        assert_eq!(node.kind.as_deref(), Some("object"));
        assert_eq!(node.required, vec!["spec"]);
        let props = node.properties.unwrap();
        assert!(props["spec"].preserve_unknown_fields);
        assert!(props["size"].int_or_string);
        assert!(matches!(
            node.additional_properties,
            Some(Additional::Allowed(false))
        ));
    }
}
