//! JSON Schema validation of YAML and JSON files (GitLab CI, Renovate, ktera.yaml), with the
//! crate's own `jsonschema`.

use std::path::Path;

/// Reads a JSON schema; `.gz` files are gunzipped first.
pub fn load(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = if path.extension().is_some_and(|e| e == "gz") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .expect("gunzip");
        text
    } else {
        String::from_utf8(bytes).expect("UTF-8")
    };
    serde_json::from_str(&text).expect("a JSON schema")
}

/// A compiled schema.
pub struct Schema(jsonschema::Validator);

impl Schema {
    pub fn new(schema: &serde_json::Value) -> Schema {
        Schema(jsonschema::validator_for(schema).expect("the schema compiles"))
    }

    /// Every violation of `instance` (YAML read as JSON), as "path: message".
    pub fn violations(&self, instance: &serde_yaml::Value) -> Vec<String> {
        let instance = serde_json::to_value(instance).expect("YAML that JSON can hold");
        self.0
            .iter_errors(&instance)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }
}
