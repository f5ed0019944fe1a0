//! `values.schema.json`: the merged values are checked against the chart's JSON Schema (draft-07,
//! 2019-09 or 2020-12, chosen by its `$schema`) before anything is rendered.

use std::path::Path;

use crate::error::Error;

/// A chart's parsed `values.schema.json`.
#[derive(Debug, Clone)]
pub struct ValuesSchema {
    pub path: String,
    pub schema: serde_json::Value,
}

impl ValuesSchema {
    pub fn parse(text: &str, path: &Path) -> Result<ValuesSchema, Error> {
        let shown = path.display().to_string();
        let invalid = |e: serde_json::Error| {
            let error = Error::input(format!("values.schema.json is not valid JSON: {e}"));
            match e.line() {
                0 => error.in_file(&shown),
                line => error.in_text(&shown, text, line, e.column()),
            }
        };
        // Read strictly first: a key written twice is an error, as in every JSON ktera reads.
        crate::json::read(text).map_err(invalid)?;
        let schema: serde_json::Value = serde_json::from_str(text).map_err(invalid)?;
        // Compile once here so a broken schema is reported at load time.
        jsonschema::validator_for(&schema).map_err(|e| bad_schema(&shown, e))?;
        Ok(ValuesSchema {
            path: shown,
            schema,
        })
    }

    /// Every violation, each with the values path it concerns.
    pub fn validate(&self, values: &serde_yaml::Value) -> Result<(), Error> {
        let validator =
            jsonschema::validator_for(&self.schema).map_err(|e| bad_schema(&self.path, e))?;
        let instance = serde_json::to_value(values).map_err(|e| {
            bad_schema(
                &self.path,
                format!("the values cannot be checked as JSON: {e}"),
            )
        })?;
        let violations: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| {
                let at = values_path(&e.instance_path().to_string());
                format!("{at}: {e}")
            })
            .collect();
        if violations.is_empty() {
            Ok(())
        } else {
            let listed: Vec<String> = violations.iter().map(|v| format!("  - {v}")).collect();
            Err(Error::input("the values do not match the chart's schema:")
                .in_file(&self.path)
                .with_snippet(listed.join("\n"))
                .with_hint("fix the values (or the schema); each line names the value's path"))
        }
    }
}

fn bad_schema(path: &str, message: impl std::fmt::Display) -> Error {
    Error::input(format!("not a usable JSON Schema: {message}")).in_file(path)
}

/// `/image/ports/0` -> `image.ports[0]`; the root is `(values)`.
fn values_path(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let part = raw.replace("~1", "/").replace("~0", "~");
        if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
    }
    if out.is_empty() {
        "(values)".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_violation_is_reported_with_its_values_path() {
        let schema = r#"{"$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object", "required": ["image"],
            "properties": {"image": {"type": "object", "properties": {"tag": {"type": "string"}}},
                           "replicas": {"type": "integer", "minimum": 1},
                           "ports": {"type": "array", "items": {"type": "integer"}}}}"#;
        let schema = ValuesSchema::parse(schema, Path::new("values.schema.json"));
        let Ok(schema) = schema else {
            panic!("schema must compile: {schema:?}");
        };
        let values: serde_yaml::Value =
            serde_yaml::from_str("image: {tag: 5}\nreplicas: 0\nports: [80, x]\n")
                .unwrap_or_default();
        let err = schema
            .validate(&values)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("image.tag: 5 is not of type \"string\""),
            "{err}"
        );
        assert!(
            err.contains("replicas: 0 is less than the minimum of 1"),
            "{err}"
        );
        assert!(err.contains("ports[1]:"), "{err}");
        let ok: serde_yaml::Value = serde_yaml::from_str("image: {tag: x}").unwrap_or_default();
        assert!(schema.validate(&ok).is_ok());
    }

    #[test]
    fn draft_07_schemas_work_too() {
        let schema = r#"{"$schema": "http://json-schema.org/draft-07/schema#",
            "properties": {"name": {"type": "string", "maxLength": 3}}}"#;
        let schema = ValuesSchema::parse(schema, Path::new("s.json"));
        let Ok(schema) = schema else {
            panic!("schema must compile");
        };
        let values: serde_yaml::Value = serde_yaml::from_str("name: toolong").unwrap_or_default();
        assert!(schema.validate(&values).is_err());
    }
}
