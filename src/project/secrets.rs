//! No Secret data in the rendered tree. `ktera render` writes files that are committed, and
//! everyone who can read the repository can read them; a Secret's `data` is base64, an
//! encoding, not encryption. So a release that renders a Secret with `data` or `stringData`
//! fails, unless its environment allows it (`allowSecretData`, meant for fake values). Key
//! names are shown, never values.

use std::path::Path;

use serde_yaml::Value;

use crate::error::Error;
use crate::manifest::Manifest;

/// Refuses `manifests` (rendered from `chart` for environment `env`) when one of them is a
/// Secret holding data, also inside a `List`; the error names every such Secret.
pub fn refuse_secret_data(manifests: &[Manifest], chart: &Path, env: &str) -> Result<(), Error> {
    let mut found: Vec<(&Manifest, String)> = Vec::new();
    for manifest in manifests {
        let mut described = Vec::new();
        secrets_with_data(&manifest.value, &mut described);
        found.extend(described.into_iter().map(|d| (manifest, d)));
    }
    let Some((first, _)) = found.first() else {
        return Ok(());
    };
    let list: Vec<String> = found
        .iter()
        .map(|(manifest, secret)| format!("{secret} from {}", manifest.source_name))
        .collect();
    Err(Error::input(format!(
        "renders Secret data, which the committed tree must not hold: {}",
        list.join("; ")
    ))
    .in_file(template_path(chart, &first.source_name))
    .with_hint(format!(
        "keep the values out of Git: render an ExternalSecret or a SealedSecret, which the \
         cluster turns into the Secret (docs/gitops.md, \"Secrets\"); for fake values only, set \
         `allowSecretData: true` under environment `{env}` in the project file"
    )))
}

/// Describes each Secret with data in `object` (or in its `items`, for a `...List`):
/// `Secret apps/db (keys password, user)`.
fn secrets_with_data(object: &Value, found: &mut Vec<String>) {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind.ends_with("List") {
        for item in object
            .get("items")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            secrets_with_data(item, found);
        }
        return;
    }
    let core = object.get("apiVersion").and_then(Value::as_str) == Some("v1");
    if !(core && kind == "Secret") {
        return;
    }
    let mut keys: Vec<&str> = ["data", "stringData"]
        .iter()
        .filter_map(|field| object.get(field).and_then(Value::as_mapping))
        .flat_map(|map| map.keys().map(|k| k.as_str().unwrap_or("?")))
        .collect();
    if keys.is_empty() {
        return;
    }
    keys.sort_unstable();
    let meta = &object["metadata"];
    let name = meta.get("name").and_then(Value::as_str).unwrap_or("?");
    let name = match meta.get("namespace").and_then(Value::as_str) {
        Some(namespace) => format!("{namespace}/{name}"),
        None => name.to_string(),
    };
    found.push(format!("Secret {name} (keys {})", keys.join(", ")));
}

/// The template file behind `# Source: <chart name>/templates/x.yaml`, in the chart directory.
fn template_path(chart: &Path, source_name: &str) -> String {
    let within = source_name
        .split_once('/')
        .map_or(source_name, |(_, rest)| rest);
    chart.join(within).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(text: &str) -> Manifest {
        let value: Value = serde_yaml::from_str(text).expect("YAML");
        Manifest {
            source_name: "app/templates/secret.yaml".into(),
            template_name: "secret.yaml".into(),
            kind: value["kind"].as_str().unwrap_or("").to_string(),
            value,
        }
    }

    fn refused(text: &str) -> Option<String> {
        refuse_secret_data(&[manifest(text)], Path::new("charts/app"), "prod")
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn a_secret_with_data_or_string_data_is_refused_by_key_names() {
        let err = refused(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: apps}\ndata: {user: YQ==}\nstringData: {password: hunter2}\n",
        )
        .expect("refused");
        assert!(
            err.contains("Secret apps/db (keys password, user) from app/templates/secret.yaml"),
            "{err}"
        );
        assert!(err.contains("charts/app/templates/secret.yaml"), "{err}");
        assert!(!err.contains("hunter2") && !err.contains("YQ=="), "{err}");
        assert!(
            err.contains("`allowSecretData: true` under environment `prod`"),
            "{err}"
        );
    }

    #[test]
    fn a_secret_inside_a_list_is_refused() {
        let err = refused(
            "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: a}\n    data: {k: dg==}\n",
        );
        assert!(err.is_some_and(|e| e.contains("Secret a (keys k)")));
    }

    #[test]
    fn secrets_without_data_and_other_kinds_pass() {
        for text in [
            "apiVersion: v1\nkind: Secret\nmetadata: {name: token}\ntype: kubernetes.io/service-account-token\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: empty}\ndata: {}\n",
            "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: db}\nspec: {data: [{secretKey: user}]}\n",
            "apiVersion: example.com/v1\nkind: Secret\nmetadata: {name: other}\ndata: {k: v}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n",
        ] {
            assert_eq!(refused(text), None, "{text}");
        }
    }
}
