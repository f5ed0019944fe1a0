//! A validator for the OpenAPI v3 subset Kubernetes uses ([`Node`]), written here rather than
//! taken from a JSON Schema crate because Kubernetes reads these schemas its own way: objects
//! with properties are closed (unknown fields are errors under strict field validation),
//! `null` means "not set", `x-kubernetes-int-or-string`, `x-kubernetes-preserve-unknown-fields`
//! and list-map keys have meanings JSON Schema lacks, and findings must name the field the
//! way a reader does (`containers[name=backend-app].ports[0]`), with a "did you mean".

use std::collections::HashMap;

use serde_yaml::Value;

use super::format;
use super::node::{Additional, Node};
use crate::diff::FieldPath;
use crate::lint::Severity;

/// One problem at one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub severity: Severity,
    pub path: FieldPath,
    pub message: String,
}

/// Deeper than any real object; stops a reference cycle in a broken schema.
const MAX_DEPTH: usize = 256;

pub struct Validator<'a> {
    definitions: &'a HashMap<String, Node>,
    path: FieldPath,
    depth: usize,
    pub issues: Vec<Issue>,
}

impl<'a> Validator<'a> {
    pub fn new(definitions: &'a HashMap<String, Node>, path: FieldPath) -> Self {
        Validator {
            definitions,
            path,
            depth: 0,
            issues: Vec::new(),
        }
    }

    fn issue(&mut self, severity: Severity, message: String) {
        self.issues.push(Issue {
            severity,
            path: self.path.clone(),
            message,
        });
    }

    fn error(&mut self, message: String) {
        self.issue(Severity::Error, message);
    }

    /// Follows `$ref`s to the node that describes the value.
    fn resolve<'n>(&mut self, mut node: &'n Node) -> Option<&'n Node>
    where
        'a: 'n,
    {
        let mut hops = 0;
        while let Some(name) = &node.reference {
            match self.definitions.get(name) {
                Some(target) if hops < MAX_DEPTH => node = target,
                _ => {
                    self.error(format!("the schema refers to {name:?}, which it does not define (not checked further)"));
                    return None;
                }
            }
            hops += 1;
        }
        Some(node)
    }

    pub fn validate(&mut self, node: &Node, value: &Value) {
        let Some(node) = self.resolve(node) else {
            return;
        };
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.check(node, value);
        self.depth -= 1;
    }

    fn check(&mut self, node: &Node, value: &Value) {
        let value = untag(value);
        // Kubernetes decodes null as "not set"; a missing required field is reported by the parent.
        if value.is_null() {
            return;
        }
        if node.format.as_deref() == Some("quantity") {
            self.check_quantity(value);
        } else if node.int_or_string {
            if !(value.is_string() || is_integer(value)) {
                self.error(format!(
                    "expected an integer or a string, got {}",
                    describe(value)
                ));
                return;
            }
        } else if let Some(kind) = node.kind.as_deref()
            && !self.check_type(kind, value)
        {
            return;
        }
        self.check_enum(node, value);
        match value {
            Value::Mapping(map) => self.check_mapping(node, map),
            Value::Sequence(items) => self.check_sequence(node, items),
            Value::String(text) => self.check_string(node, text),
            Value::Number(_) => self.check_number(node, value),
            _ => {}
        }
        self.check_combinators(node, value);
    }

    /// Whether `value` has the type `kind`; reports it if not.
    fn check_type(&mut self, kind: &str, value: &Value) -> bool {
        let ok = match kind {
            "object" => value.is_mapping(),
            "array" => value.is_sequence(),
            "string" => value.is_string(),
            "integer" => is_integer(value),
            "number" => value.is_number(),
            "boolean" => value.is_bool(),
            _ => true,
        };
        if !ok {
            let mut message = format!("expected {}, got {}", type_name(kind), describe(value));
            if kind == "boolean" && is_yaml11_bool(value) {
                message.push_str(
                    " (YAML 1.1 readers take it as a boolean, ktera does not: write true or false)",
                );
            }
            self.error(message);
        }
        ok
    }

    fn check_quantity(&mut self, value: &Value) {
        match value {
            Value::Number(_) => {}
            Value::String(text) => {
                if let Err(why) = format::check_quantity(text) {
                    self.error(format!("{text:?} is not a quantity: {why}"));
                }
            }
            other => self.error(format!(
                "expected a quantity (e.g. 500m, 1Gi), got {}",
                describe(other)
            )),
        }
    }

    fn check_enum(&mut self, node: &Node, value: &Value) {
        let Some(allowed) = &node.values else {
            return;
        };
        if allowed.iter().any(|a| same_scalar(a, value)) {
            return;
        }
        let list: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
        self.error(format!(
            "{} is not one of the allowed values: {}",
            describe(value),
            list.join(", ")
        ));
    }

    fn check_mapping(&mut self, node: &Node, map: &serde_yaml::Mapping) {
        let open = node.preserve_unknown_fields
            || matches!(node.additional_properties, Some(Additional::Allowed(true)))
            || (node.properties.is_none()
                && node.additional_properties.is_none()
                && node.kind.is_none());
        for (key, child) in map {
            let Some(name) = key.as_str() else {
                self.error(format!("keys must be strings, got {}", describe(key)));
                continue;
            };
            self.path.push_field(name);
            let known = node.properties.as_ref().and_then(|props| props.get(name));
            match (known, &node.additional_properties) {
                (Some(schema), _) => self.validate(schema, child),
                (None, Some(Additional::Schema(schema))) => self.validate(schema, child),
                _ if open => {}
                _ if node.embedded_resource
                    && matches!(name, "apiVersion" | "kind" | "metadata") => {}
                _ if node.properties.is_none() && node.additional_properties.is_none() => {
                    // `type: object` alone: a CRD's fields are pruned, so any key is unknown.
                    self.error(format!(
                        "unknown field {name:?}: this object takes no fields"
                    ));
                }
                _ => {
                    let suggestion = node
                        .properties
                        .as_ref()
                        .and_then(|props| closest(name, props.keys()))
                        .map(|s| format!(" (did you mean {s:?}?)"))
                        .unwrap_or_default();
                    self.error(format!("unknown field {name:?}{suggestion}"));
                }
            }
            self.path.pop();
        }
        for name in &node.required {
            let present = map.get(name.as_str()).is_some_and(|v| !untag(v).is_null());
            if !present {
                self.path.push_field(name);
                self.error("required field is missing".into());
                self.path.pop();
            }
        }
        let count = map.len() as u64;
        if node.min_properties.is_some_and(|min| count < min) {
            self.error(format!(
                "has {count} fields, fewer than the minimum {}",
                node.min_properties.unwrap_or_default()
            ));
        }
        if node.max_properties.is_some_and(|max| count > max) {
            self.error(format!(
                "has {count} fields, more than the maximum {}",
                node.max_properties.unwrap_or_default()
            ));
        }
    }

    fn check_sequence(&mut self, node: &Node, items: &[Value]) {
        let single_key = match node.list_map_keys.as_slice() {
            [key] => Some(key.as_str()),
            _ => None,
        };
        for (index, item) in items.iter().enumerate() {
            match single_key.and_then(|k| item.get(k).and_then(scalar_text).map(|v| (k, v))) {
                Some((key, value)) => self.path.push_item(key, &value),
                None => self.path.push_index(index),
            }
            if untag(item).is_null() {
                self.error("list items cannot be null".into());
            } else if let Some(schema) = &node.items {
                self.validate(schema, item);
            }
            self.path.pop();
        }
        self.check_duplicates(node, items);
        let count = items.len() as u64;
        if node.min_items.is_some_and(|min| count < min) {
            self.error(format!(
                "has {count} items, fewer than the minimum {}",
                node.min_items.unwrap_or_default()
            ));
        }
        if node.max_items.is_some_and(|max| count > max) {
            self.error(format!(
                "has {count} items, more than the maximum {}",
                node.max_items.unwrap_or_default()
            ));
        }
    }

    /// Lists of type `map` are keyed by their list-map keys and `set`s by their values: the API
    /// server merges duplicates (client-side apply keeps one) or rejects them (server-side apply).
    fn check_duplicates(&mut self, node: &Node, items: &[Value]) {
        let key_of = |item: &Value| -> Option<String> {
            match node.list_type.as_deref() {
                Some("map") if !node.list_map_keys.is_empty() => {
                    let parts: Vec<String> = node
                        .list_map_keys
                        .iter()
                        .filter_map(|k| {
                            item.get(k.as_str())
                                .and_then(scalar_text)
                                .map(|v| format!("{k}={v}"))
                        })
                        .collect();
                    (!parts.is_empty()).then(|| parts.join(","))
                }
                Some("set") => scalar_text(item),
                _ => None,
            }
        };
        let mut seen: Vec<String> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let Some(key) = key_of(item) else { continue };
            if seen.contains(&key) {
                self.path.push_index(index);
                self.issue(
                    Severity::Warning,
                    format!("duplicate entry {key} in a list keyed by it: the API server rejects the object or keeps only one entry"),
                );
                self.path.pop();
            } else {
                seen.push(key);
            }
        }
    }

    fn check_string(&mut self, node: &Node, text: &str) {
        let result = match node.format.as_deref() {
            Some("byte") => format::check_base64(text).map_err(|e| {
                crate::error::Error::input(format!("{e}; this field holds base64-encoded bytes (a Secret takes plain text under stringData)"))
            }),
            Some("date-time") => format::check_date_time(text),
            _ => Ok(()),
        };
        if let Err(why) = result {
            self.error(format!("{}: {why}", describe_str(text)));
        }
        let length = text.chars().count() as u64;
        if node.min_length.is_some_and(|min| length < min) {
            self.error(format!(
                "is {length} characters long, shorter than the minimum {}",
                node.min_length.unwrap_or_default()
            ));
        }
        if node.max_length.is_some_and(|max| length > max) {
            self.error(format!(
                "is {length} characters long, longer than the maximum {}",
                node.max_length.unwrap_or_default()
            ));
        }
        if let Some(pattern) = &node.pattern {
            match regex_lite::Regex::new(pattern) {
                Ok(re) if !re.is_match(text) => {
                    self.error(format!("{} does not match the pattern {pattern:?}", describe_str(text)));
                }
                Ok(_) => {}
                Err(_) => self.issue(
                    Severity::Note,
                    format!("the schema's pattern {pattern:?} is not a regular expression ktera reads; not checked"),
                ),
            }
        }
    }

    fn check_number(&mut self, node: &Node, value: &Value) {
        let range = match node.format.as_deref() {
            Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
            Some("int64") => Some((i64::MIN, i64::MAX)),
            _ => None,
        };
        if let Some((low, high)) = range {
            let fits = value.as_i64().is_some_and(|n| (low..=high).contains(&n));
            if is_integer(value) && !fits {
                self.error(format!(
                    "{} is out of range for {} ({low}..{high})",
                    describe(value),
                    node.format.as_deref().unwrap_or_default()
                ));
            }
        }
        let Some(n) = value.as_f64() else { return };
        if let Some(min) = node.minimum
            && (n < min || (node.exclusive_minimum && n == min))
        {
            self.error(format!("{} is below the minimum {min}", describe(value)));
        }
        if let Some(max) = node.maximum
            && (n > max || (node.exclusive_maximum && n == max))
        {
            self.error(format!("{} is above the maximum {max}", describe(value)));
        }
    }

    fn check_combinators(&mut self, node: &Node, value: &Value) {
        for schema in &node.all_of {
            self.validate(schema, value);
        }
        if !node.any_of.is_empty() && !node.any_of.iter().any(|s| self.passes(s, value)) {
            self.error(format!(
                "{} matches none of the schemas allowed here (anyOf)",
                describe(value)
            ));
        }
        if !node.one_of.is_empty() {
            let matching = node.one_of.iter().filter(|s| self.passes(s, value)).count();
            if matching != 1 {
                self.error(format!("{} matches {matching} of the schemas allowed here; exactly one must match (oneOf)", describe(value)));
            }
        }
        if let Some(schema) = &node.not
            && self.passes(schema, value)
        {
            self.error(format!(
                "{} matches a schema it must not match (not)",
                describe(value)
            ));
        }
    }

    /// Whether `value` fits `node`, without reporting. A sub-schema of anyOf/oneOf/not in a
    /// structural schema only restricts values, so unknown fields there do not count.
    fn passes(&self, node: &Node, value: &Value) -> bool {
        let mut probe = Validator::new(self.definitions, self.path.clone());
        probe.depth = self.depth;
        probe.validate(node, value);
        probe
            .issues
            .iter()
            .all(|i| i.severity != Severity::Error || i.message.starts_with("unknown field"))
    }
}

fn untag(value: &Value) -> &Value {
    match value {
        Value::Tagged(tagged) => untag(&tagged.value),
        other => other,
    }
}

fn is_integer(value: &Value) -> bool {
    match untag(value) {
        Value::Number(n) => n.is_i64() || n.is_u64(),
        _ => false,
    }
}

fn is_yaml11_bool(value: &Value) -> bool {
    value.as_str().is_some_and(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "yes" | "no" | "on" | "off" | "y" | "n"
        )
    })
}

pub fn type_name(kind: &str) -> &str {
    match kind {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        other => other,
    }
}

/// `string "3"`, `integer 3`, `a list`: what the reader wrote, briefly.
pub fn describe(value: &Value) -> String {
    match untag(value) {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) if n.is_f64() => format!("number {n}"),
        Value::Number(n) => format!("integer {n}"),
        Value::String(s) => describe_str(s),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(_) => "a tagged value".into(),
    }
}

fn describe_str(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() > MAX {
        let short: String = text.chars().take(MAX).collect();
        format!("string \"{}...\"", short.escape_debug())
    } else {
        format!("string {text:?}")
    }
}

/// A scalar's text, to name a list item by its key (`name=backend-app`, `containerPort=8080`).
fn scalar_text(value: &Value) -> Option<String> {
    match untag(value) {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn same_scalar(allowed: &serde_json::Value, value: &Value) -> bool {
    match (allowed, untag(value)) {
        (serde_json::Value::String(a), Value::String(v)) => a == v,
        (serde_json::Value::Bool(a), Value::Bool(v)) => a == v,
        (serde_json::Value::Number(a), Value::Number(v)) => a.as_f64() == v.as_f64(),
        (serde_json::Value::Null, Value::Null) => true,
        _ => false,
    }
}

/// The known name closest to a misspelt one, if close enough to be a typo.
pub fn closest<'k>(name: &str, known: impl Iterator<Item = &'k String>) -> Option<&'k str> {
    let limit = (name.chars().count() / 4).clamp(1, 3);
    known
        .map(|k| (distance(&name.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

/// Edit distance counting a swap of two neighbours as one edit (`contianer` -> `container`).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(schema: serde_json::Value, yaml: &str) -> Vec<(String, String)> {
        let node: Node = serde_json::from_value(schema).unwrap();
        let value: Value = serde_yaml::from_str(yaml).unwrap();
        let defs = HashMap::new();
        let mut v = Validator::new(&defs, FieldPath::root());
        v.validate(&node, &value);
        v.issues
            .into_iter()
            .map(|i| (i.path.to_string(), i.message))
            .collect()
    }

    #[test]
    fn typo_gets_a_suggestion() {
        assert_eq!(distance("contianerport", "containerport"), 1);
        let found = issues(
            serde_json::json!({"type": "object", "properties": {"containerPort": {"type": "integer"}}}),
            "contianerPort: 80",
        );
        assert_eq!(
            found,
            vec![(
                "contianerPort".into(),
                "unknown field \"contianerPort\" (did you mean \"containerPort\"?)".into()
            )]
        );
    }

    #[test]
    fn wrong_type_names_the_value() {
        let found = issues(
            serde_json::json!({"type": "object", "properties": {"replicas": {"type": "integer", "format": "int32"}}}),
            "replicas: \"3\"",
        );
        assert_eq!(found[0].1, "expected an integer, got string \"3\"");
        let found = issues(
            serde_json::json!({"type": "integer", "format": "int32"}),
            "3000000000",
        );
        assert!(found[0].1.contains("out of range"), "{found:?}");
    }

    #[test]
    fn null_is_unset_but_required_fields_must_be_there() {
        let schema = serde_json::json!({
            "type": "object", "required": ["a", "b"],
            "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}
        });
        let found = issues(schema, "a: x\nb: null\nc: null");
        assert_eq!(
            found,
            vec![("b".into(), "required field is missing".into())]
        );
    }

    #[test]
    fn int_or_string_quantity_enum() {
        let schema = serde_json::json!({"type": "object", "properties": {
            "port": {"x-kubernetes-int-or-string": true},
            "cpu": {"format": "quantity"},
            "policy": {"type": "string", "enum": ["Always", "Never"]}
        }});
        assert!(issues(schema.clone(), "port: http\ncpu: 500m\npolicy: Always").is_empty());
        assert!(issues(schema.clone(), "port: 8080\ncpu: 0.5").is_empty());
        let found = issues(schema, "port: 1.5\ncpu: 1GB\npolicy: Sometimes");
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(
            found[2].1,
            "string \"Sometimes\" is not one of the allowed values: \"Always\", \"Never\""
        );
    }

    #[test]
    fn list_items_are_named_by_their_key() {
        let schema = serde_json::json!({"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}});
        let found = issues(schema, "- name: a\n  port: x\n- port: 1\n- name: a\n");
        assert_eq!(
            found[0],
            (
                "[name=a].port".into(),
                "expected an integer, got string \"x\"".into()
            )
        );
        assert_eq!(found[1].0, "[2]");
        assert!(
            found[1].1.starts_with("duplicate entry name=a"),
            "{found:?}"
        );
    }

    #[test]
    fn preserve_unknown_fields_and_open_maps() {
        let schema = serde_json::json!({"type": "object", "properties": {
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}}
        }});
        assert!(issues(schema.clone(), "free: {a: 1}\nlabels: {x: y}").is_empty());
        let found = issues(schema, "labels: {x: 1}");
        assert_eq!(found[0].0, "labels.x");
    }

    #[test]
    fn crd_keywords() {
        let schema = serde_json::json!({"type": "object", "properties": {
            "size": {"type": "integer", "minimum": 1, "maximum": 10},
            "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
            "mode": {"anyOf": [{"type": "integer"}, {"type": "string"}]}
        }});
        assert!(issues(schema.clone(), "size: 3\nname: abc\nmode: x").is_empty());
        let found = issues(schema, "size: 11\nname: ABCDEFG\nmode: true");
        assert_eq!(found.len(), 4, "{found:?}");
    }

    #[test]
    fn base64_and_yaml11_booleans() {
        let schema = serde_json::json!({"type": "object", "properties": {
            "data": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
            "flag": {"type": "boolean"}
        }});
        let found = issues(schema, "data: {PASSWORD: hunter 2}\nflag: yes");
        assert!(found[0].1.contains("not valid base64"), "{found:?}");
        assert!(found[1].1.contains("YAML 1.1"), "{found:?}");
    }
}
