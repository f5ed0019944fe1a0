//! Secrets that a rendered object makes in the cluster, so that a pod reading one does not read
//! a missing Secret:
//! - an ExternalSecret (external-secrets.io) makes `spec.target.name`, else its own name, in its
//!   namespace, with one key per `spec.data[].secretKey`; `dataFrom` and a `target.template`
//!   add keys that only the provider or the template knows (external-secrets'
//!   apis/externalsecrets/v1/externalsecret_types.go);
//! - a SealedSecret (bitnami.com) makes a Secret of its own name and namespace, with the keys of
//!   `spec.encryptedData` and `spec.template.data` (sealed-secrets'
//!   pkg/apis/sealedsecrets/v1alpha1/sealedsecret_expansion.go, `Unseal`).

use serde_yaml::Value;

use super::objects::{Object, Objects, lookup, str_at};

/// The object that makes Secret `name` in `namespace`, and the Secret's keys when they can be
/// told from the object alone.
pub struct SecretSource<'o, 'm> {
    pub object: &'o Object<'m>,
    pub keys: Option<Vec<&'m str>>,
}

pub fn find<'o, 'm>(
    objects: &'o Objects<'m>,
    namespace: &str,
    name: &str,
) -> Option<SecretSource<'o, 'm>> {
    objects
        .all
        .iter()
        .filter(|o| o.namespace == namespace)
        .find_map(|object| {
            let value = object.value();
            let made = match (object.group, object.kind) {
                ("external-secrets.io", "ExternalSecret") => {
                    str_at(value, &["spec", "target", "name"]).or(object.name)
                }
                ("bitnami.com", "SealedSecret") => object.name,
                _ => None,
            };
            (made == Some(name)).then(|| SecretSource {
                object,
                keys: keys(object.kind, value),
            })
        })
}

fn keys<'m>(kind: &str, value: &'m Value) -> Option<Vec<&'m str>> {
    let map_keys = |path: &[&str]| -> Vec<&'m str> {
        lookup(value, path)
            .and_then(Value::as_mapping)
            .into_iter()
            .flat_map(|map| map.keys().filter_map(Value::as_str))
            .collect()
    };
    match kind {
        "ExternalSecret" => {
            let open = lookup(value, &["spec", "dataFrom"]).is_some()
                || lookup(value, &["spec", "target", "template"]).is_some();
            if open {
                return None;
            }
            let data = lookup(value, &["spec", "data"]).and_then(Value::as_sequence);
            Some(
                data.into_iter()
                    .flatten()
                    .filter_map(|item| item.get("secretKey").and_then(Value::as_str))
                    .collect(),
            )
        }
        _ => {
            // The deprecated `spec.data` seals the whole Secret: its keys are not visible.
            if lookup(value, &["spec", "data"]).is_some() {
                return None;
            }
            let mut keys = map_keys(&["spec", "encryptedData"]);
            keys.extend(map_keys(&["spec", "template", "data"]));
            Some(keys)
        }
    }
}
