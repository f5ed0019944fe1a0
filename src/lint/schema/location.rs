//! JSON Schemas of custom resources from local directories (`--schema-location`), in the layouts
//! kubeconform reads: a path template with kubeconform's variables
//! (`schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`), or a plain
//! directory in the layout of the community CRD catalogs (datreeio/CRDs-catalog,
//! CustomResourceDefinition/catalog): `DIR/{group}/{kind}_{version}.json`, the kind lower-case
//! (`monitoring.coreos.com/servicemonitor_v1.json`). Nothing is downloaded.
//!
//! The files are JSON Schema (openAPIV3Schema converted by the catalogs' openapi2jsonschema),
//! so the `jsonschema` crate validates them, as it does `values.schema.json`; its findings are
//! named like the built-in schema's (`spec.endpoints[0].port`, "unknown field", "required field
//! is missing").

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::validate::{Issue, closest, describe, type_name};
use crate::diff::FieldPath;
use crate::error::Error;
use crate::lint::Severity;

/// kubeconform's template variables, the only ones a location may use.
const VARIABLES: [&str; 6] = [
    "Group",
    "ResourceKind",
    "ResourceAPIVersion",
    "KindSuffix",
    "NormalizedKubernetesVersion",
    "StrictSuffix",
];

/// One `--schema-location`: a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaLocation {
    template: String,
}

impl SchemaLocation {
    /// A path template ending in `.json`, or a directory in the catalog layout. URLs and
    /// kubeconform's `default` (both remote) are refused: ktera works offline.
    pub fn parse(text: &str) -> Result<SchemaLocation, Error> {
        let flag = |message: String| Error::usage(format!("--schema-location {text}: {message}"));
        if text == "default" || text.contains("://") {
            return Err(flag("ktera reads schemas from local files only".into()).with_hint(
                "download or clone the catalog (e.g. datreeio/CRDs-catalog) and pass its directory; the shipped schemas cover the built-in kinds",
            ));
        }
        let template = if text.ends_with(".json") {
            text.to_string()
        } else {
            if !Path::new(text).is_dir() {
                return Err(flag("no such directory".into()).with_hint(
                    "pass a directory laid out as GROUP/KIND_VERSION.json (the CRD catalogs' layout), or a path template ending in .json",
                ));
            }
            format!(
                "{}/{{{{ .Group }}}}/{{{{ .ResourceKind }}}}_{{{{ .ResourceAPIVersion }}}}.json",
                text.trim_end_matches('/')
            )
        };
        let location = SchemaLocation { template };
        location.expand(&|_| String::new()).map_err(|unknown| {
            flag(format!(
                "`{{{{ {unknown} }}}}` is not one of kubeconform's template variables"
            ))
            .with_hint(format!(
                "use {}",
                VARIABLES.map(|v| format!("{{{{ .{v} }}}}")).join(", ")
            ))
        })?;
        Ok(location)
    }

    /// The file for `apiVersion`/`kind` (kubeconform's values: `Group` is the part before the
    /// `/`, `ResourceKind` the kind in lower case, `KindSuffix` `-{first label of the
    /// group}-{version}`, the Kubernetes version with a `v`, and `-strict`, since ktera checks
    /// unknown fields).
    pub fn path_for(
        &self,
        api_version: &str,
        kind: &str,
        kube_version: &semver::Version,
    ) -> PathBuf {
        let (group, version) = api_version
            .rsplit_once('/')
            .unwrap_or((api_version, api_version));
        let first_label = group.split('.').next().unwrap_or(group);
        let value = |name: &str| match name {
            "Group" => group.to_string(),
            "ResourceKind" => kind.to_lowercase(),
            "ResourceAPIVersion" => version.to_string(),
            "KindSuffix" => format!("-{}-{}", first_label.to_lowercase(), version.to_lowercase()),
            "NormalizedKubernetesVersion" => format!("v{kube_version}"),
            _ => "-strict".to_string(),
        };
        // Variables were checked by `parse`.
        PathBuf::from(self.expand(&value).unwrap_or_default())
    }

    /// The template with each `{{ .Name }}` replaced; `Err` names the first unknown one.
    fn expand(&self, value: &dyn Fn(&str) -> String) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = self.template.as_str();
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let Some(end) = rest[start..].find("}}") else {
                return Err(rest[start + 2..].to_string());
            };
            let inside = rest[start + 2..start + end].trim();
            match inside
                .strip_prefix('.')
                .filter(|name| VARIABLES.contains(name))
            {
                Some(name) => out.push_str(&value(name)),
                None => return Err(inside.to_string()),
            }
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A schema file found for a kind, compiled.
pub struct Found {
    /// The file, as the location named it.
    pub file: String,
    schema: serde_json::Value,
    validator: jsonschema::Validator,
}

/// The files of the locations, looked up once per `apiVersion/kind`.
pub struct Catalog<'a> {
    locations: &'a [SchemaLocation],
    kube_version: &'a semver::Version,
    found: HashMap<String, Option<Found>>,
}

impl<'a> Catalog<'a> {
    pub fn new(locations: &'a [SchemaLocation], kube_version: &'a semver::Version) -> Self {
        Catalog {
            locations,
            kube_version,
            found: HashMap::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.locations.is_empty()
    }

    /// The paths looked at for a kind, in order (for the note when none has it).
    pub fn paths_for(&self, api_version: &str, kind: &str) -> Vec<PathBuf> {
        self.locations
            .iter()
            .map(|l| l.path_for(api_version, kind, self.kube_version))
            .collect()
    }

    /// The first location's schema for the kind. A file that exists but cannot be read, is not
    /// JSON or not a JSON Schema is an error: the user pointed at it.
    pub fn find(&mut self, api_version: &str, kind: &str) -> Result<Option<&Found>, Error> {
        let key = format!("{api_version}/{kind}");
        if !self.found.contains_key(&key) {
            let mut found = None;
            for path in self.paths_for(api_version, kind) {
                if let Some(file) = load(&path)? {
                    found = Some(file);
                    break;
                }
            }
            self.found.insert(key.clone(), found);
        }
        Ok(self.found.get(&key).and_then(Option::as_ref))
    }
}

fn load(path: &Path) -> Result<Option<Found>, Error> {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::io(format!("cannot read the schema {shown}"), e)
                .with_hint("check the --schema-location path and the file's permissions"));
        }
    };
    let invalid = |e: serde_json::Error| {
        let error = Error::input(format!("the schema file is not valid JSON: {e}"));
        match e.line() {
            0 => error.in_file(&shown),
            line => error.in_text(&shown, &text, line, e.column()),
        }
        .with_hint("fix or replace the file (the CRD catalogs hold one JSON Schema per GROUP/KIND_VERSION.json)")
    };
    // Strictly first (a key written twice is an error, as in all JSON ktera reads).
    crate::json::read(&text).map_err(invalid)?;
    let schema: serde_json::Value = serde_json::from_str(&text).map_err(invalid)?;
    let validator = jsonschema::validator_for(&schema).map_err(|e| {
        Error::input(format!("not a usable JSON Schema: {e}"))
            .in_file(&shown)
            .with_hint("fix or replace the file")
    })?;
    Ok(Some(Found {
        file: shown,
        schema,
        validator,
    }))
}

impl Found {
    /// Every violation of `doc`, at the field it concerns.
    pub fn validate(&self, doc: &Value) -> Vec<Issue> {
        let instance = match serde_json::to_value(without_nulls(doc)) {
            Ok(instance) => instance,
            Err(e) => {
                return vec![Issue {
                    severity: Severity::Error,
                    path: FieldPath::root(),
                    message: format!("cannot be checked against {}: {e}", self.file),
                }];
            }
        };
        let mut issues = Vec::new();
        for error in self.validator.iter_errors(&instance) {
            let (path, value) = field_path(doc, &error.instance_path().to_string());
            use jsonschema::error::ValidationErrorKind as Kind;
            match error.kind() {
                Kind::AdditionalProperties { unexpected } => {
                    let parent = error.schema_path().to_string();
                    let known = self.properties_beside(&parent);
                    for name in unexpected {
                        let suggestion = closest(name, known.iter())
                            .map(|s| format!(" (did you mean {s:?}?)"))
                            .unwrap_or_default();
                        issues.push(issue(
                            path.field(name),
                            format!("unknown field {name:?}{suggestion}"),
                        ));
                    }
                }
                Kind::Required { property } => {
                    let name = property.as_str().unwrap_or_default();
                    issues.push(issue(path.field(name), "required field is missing".into()));
                }
                Kind::Type {
                    kind: jsonschema::error::TypeKind::Single(expected),
                } => {
                    let got = value.map_or_else(|| "a value".to_string(), describe);
                    issues.push(issue(
                        path,
                        format!("expected {}, got {got}", type_name(&expected.to_string())),
                    ));
                }
                Kind::Pattern { pattern } if value.is_some_and(Value::is_string) => {
                    let got = value.map(describe).unwrap_or_default();
                    issues.push(issue(
                        path,
                        format!("{got} does not match the pattern {pattern:?}"),
                    ));
                }
                Kind::Enum { options } => {
                    let got = value.map_or_else(|| "the value".to_string(), describe);
                    let allowed: Vec<String> = options
                        .as_array()
                        .map(|items| items.iter().map(ToString::to_string).collect())
                        .unwrap_or_default();
                    issues.push(issue(
                        path,
                        format!(
                            "{got} is not one of the allowed values: {}",
                            allowed.join(", ")
                        ),
                    ));
                }
                _ => issues.push(issue(path, error.to_string())),
            }
        }
        issues
    }

    /// The `properties` declared beside the `additionalProperties` at `schema_path`, for
    /// "did you mean".
    fn properties_beside(&self, schema_path: &str) -> Vec<String> {
        let parent = schema_path
            .strip_suffix("/additionalProperties")
            .unwrap_or(schema_path);
        self.schema
            .pointer(&format!("{parent}/properties"))
            .and_then(serde_json::Value::as_object)
            .map(|props| props.keys().cloned().collect())
            .unwrap_or_default()
    }
}

fn issue(path: FieldPath, message: String) -> Issue {
    Issue {
        severity: Severity::Error,
        path,
        message,
    }
}

/// The document without `key: null` entries: the API server treats null as "not set" and
/// prunes such fields of custom resources, while JSON Schema would call null a wrong type.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Mapping(map) => Value::Mapping(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Sequence(items) => Value::Sequence(items.iter().map(without_nulls).collect()),
        Value::Tagged(tagged) => without_nulls(&tagged.value),
        other => other.clone(),
    }
}

/// `/spec/endpoints/0/port` as a field path named like the other findings
/// (`spec.endpoints[name=web].port` where the item has a name), and the value there.
fn field_path<'v>(doc: &'v Value, pointer: &str) -> (FieldPath, Option<&'v Value>) {
    let mut path = FieldPath::root();
    let mut at = Some(doc);
    for raw in pointer.split('/').skip(1) {
        let part = raw.replace("~1", "/").replace("~0", "~");
        match at {
            Some(Value::Sequence(items)) => {
                let index = part.parse::<usize>().unwrap_or_default();
                match items.get(index) {
                    Some(item) => {
                        path = path.item(index, item);
                        at = Some(item);
                    }
                    None => {
                        path = path.index(index);
                        at = None;
                    }
                }
            }
            _ => {
                path = path.field(&part);
                at = at.and_then(|v| v.get(part.as_str()));
            }
        }
    }
    (path, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_take_kubeconforms_variables() {
        let location = SchemaLocation::parse(
            "schemas/{{ .Group }}/{{.ResourceKind}}{{ .KindSuffix }}_{{ .ResourceAPIVersion }}-{{ .NormalizedKubernetesVersion }}{{ .StrictSuffix }}.json",
        )
        .unwrap();
        let path = location.path_for(
            "monitoring.coreos.com/v1",
            "ServiceMonitor",
            &semver::Version::new(1, 32, 0),
        );
        assert_eq!(
            path,
            PathBuf::from(
                "schemas/monitoring.coreos.com/servicemonitor-monitoring-v1_v1-v1.32.0-strict.json"
            )
        );
    }

    #[test]
    fn a_directory_is_read_in_the_catalog_layout() {
        let dir = tempfile::tempdir().unwrap();
        let location = SchemaLocation::parse(&dir.path().display().to_string()).unwrap();
        let path = location.path_for(
            "example.com/v1alpha1",
            "Widget",
            &semver::Version::new(1, 32, 0),
        );
        assert_eq!(path, dir.path().join("example.com/widget_v1alpha1.json"));
    }

    #[test]
    fn remote_unknown_and_missing_locations_are_usage_errors() {
        for (text, says) in [
            ("default", "local files only"),
            ("https://example.com/{{ .Group }}.json", "local files only"),
            (
                "schemas/{{ .Kind }}.json",
                "`{{ .Kind }}` is not one of kubeconform's",
            ),
            ("schemas/{{ .Group.json", "is not one of kubeconform's"),
            ("no/such/dir", "no such directory"),
        ] {
            let error = SchemaLocation::parse(text).unwrap_err();
            assert_eq!(error.kind(), crate::error::ErrorKind::Usage);
            assert!(
                error.message().contains(says),
                "{text}: {}",
                error.message()
            );
        }
    }

    #[test]
    fn findings_are_named_like_the_built_in_ones() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["endpoints"],
                    "properties": {
                        "endpoints": {"type": "array", "items": {
                            "type": "object", "additionalProperties": false,
                            "properties": {
                                "port": {"type": "string"},
                                "interval": {"type": "string", "pattern": "^[0-9]+s$"},
                                "scheme": {"type": "string", "enum": ["http", "https"]}
                            }
                        }},
                        "jobLabel": {"type": "string"}
                    }
                }
            }
        });
        let found = Found {
            file: "s.json".into(),
            validator: jsonschema::validator_for(&schema).unwrap(),
            schema,
        };
        let doc: Value = serde_yaml::from_str(
            "spec:\n  jobLable: x\n  endpoints:\n    - port: 8080\n      intervall: 30s\n      interval: null\n    - {interval: 30 seconds, scheme: tcp}\n",
        )
        .unwrap();
        let issues: Vec<(String, String)> = found
            .validate(&doc)
            .into_iter()
            .map(|i| (i.path.to_string(), i.message))
            .collect();
        assert!(
            issues.contains(&(
                "spec.jobLable".into(),
                "unknown field \"jobLable\" (did you mean \"jobLabel\"?)".into()
            )),
            "{issues:?}"
        );
        assert!(
            issues.contains(&(
                "spec.endpoints[0].port".into(),
                "expected a string, got integer 8080".into()
            )),
            "{issues:?}"
        );
        assert!(
            issues.contains(&(
                "spec.endpoints[0].intervall".into(),
                "unknown field \"intervall\" (did you mean \"interval\"?)".into()
            )),
            "{issues:?}"
        );
        assert!(
            issues.contains(&(
                "spec.endpoints[1].interval".into(),
                "string \"30 seconds\" does not match the pattern \"^[0-9]+s$\"".into()
            )),
            "{issues:?}"
        );
        assert!(
            issues.contains(&(
                "spec.endpoints[1].scheme".into(),
                "string \"tcp\" is not one of the allowed values: \"http\", \"https\"".into()
            )),
            "{issues:?}"
        );
        assert_eq!(
            issues.len(),
            5,
            "null is not set, so not a wrong type: {issues:?}"
        );
        let missing: Value = serde_yaml::from_str("spec: {}").unwrap();
        let issues = found.validate(&missing);
        assert_eq!(issues[0].path.to_string(), "spec.endpoints");
        assert_eq!(issues[0].message, "required field is missing");
    }
}
