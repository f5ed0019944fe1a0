//! Secret masking: the values under a Secret's `data` and `stringData` (and the
//! `last-applied-configuration` annotation, which holds a copy of them) are never printed unless
//! asked. A hidden value shows its size only: `<secret: 12 bytes>`, decoded for `data`. Which
//! objects may be Secrets is [`crate::secret`]'s to say; a Secret inside a list (`kind: List`
//! of lists, `SecretList`) is masked under its `items[i]`.
//!
//! `kubectl diff` hides Secret data itself before writing the files it hands
//! `KUBECTL_EXTERNAL_DIFF` ([`KubectlMask`]); in those files its masks are read as masks, not as
//! values, whatever `--show-secrets` says.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_yaml::Value;

use super::path::Segment;

use crate::secret::LAST_APPLIED;

/// Whether the document is, or holds in its `items`, something that may be a Secret.
pub fn is_secret(document: &Value) -> bool {
    crate::secret::holds_secret(document)
}

enum Encoding {
    Base64,
    Plain,
}

/// The stand-in text for the value at `path` (from the Secret's root) when it is hidden;
/// `None` when it may be printed (its hidden parts, if any, are masked deeper down).
pub fn stand_in(path: &[Segment], value: &Value) -> Option<String> {
    let encoding = sensitive_in_lists(path, value)?;
    Some(match (value, encoding) {
        (Value::String(text), Encoding::Base64) => {
            let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            match STANDARD.decode(compact.as_bytes()) {
                Ok(bytes) => format!("<secret: {}>", bytes_text(bytes.len())),
                Err(_) => format!(
                    "<secret: {} characters, not valid base64>",
                    text.chars().count()
                ),
            }
        }
        (Value::String(text), Encoding::Plain) => {
            format!("<secret: {}>", bytes_text(text.len()))
        }
        _ => "<secret>".to_string(),
    })
}

/// What `kubectl diff` writes in place of each `data` value of a `v1` Secret unless run with
/// `--show-secrets` (kubernetes/kubectl pkg/cmd/diff/diff.go, `Masker`, since Kubernetes 1.22):
/// `***` where both sides hold the same value or only one side has the key, `*** (before)` and
/// `*** (after)` where the two sides' values differ. None of them is base64, so no Secret the
/// API server returns can hold one as a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KubectlMask {
    Same,
    Before,
    After,
}

/// The stand-in of every value kubectl hid: its size is not known.
const HIDDEN_BY_KUBECTL: &str = "<secret: hidden by kubectl diff>";

impl KubectlMask {
    /// The mask at `path` (from the Secret's root), if `value` is one: only the values right
    /// under `data` are masked by kubectl, which writes one object per file (never a list).
    pub fn at(path: &[Segment], value: &Value) -> Option<KubectlMask> {
        if path.len() != 2 || !matches!(sensitive(path, value), Some(Encoding::Base64)) {
            return None;
        }
        match value.as_str()? {
            "***" => Some(KubectlMask::Same),
            "*** (before)" => Some(KubectlMask::Before),
            "*** (after)" => Some(KubectlMask::After),
            _ => None,
        }
    }

    /// [`stand_in`] for a value kubectl masked.
    pub fn stand_in(path: &[Segment], value: &Value) -> Option<String> {
        KubectlMask::at(path, value).map(|_| HIDDEN_BY_KUBECTL.to_string())
    }
}

fn bytes_text(n: usize) -> String {
    if n == 1 {
        "1 byte".to_string()
    } else {
        format!("{n} bytes")
    }
}

fn key(path: &[Segment], index: usize) -> Option<&str> {
    match path.get(index) {
        Some(Segment::Key(Value::String(key))) => Some(key),
        _ => None,
    }
}

/// [`sensitive`], for the object at `path` or for an item of a list it is in (`items[3]...`).
fn sensitive_in_lists(path: &[Segment], value: &Value) -> Option<Encoding> {
    let mut path = path;
    loop {
        if let Some(encoding) = sensitive(path, value) {
            return Some(encoding);
        }
        match path {
            [
                Segment::Key(Value::String(key)),
                Segment::Index(_) | Segment::Item { .. },
                rest @ ..,
            ] if key == "items" => {
                path = rest;
            }
            _ => return None,
        }
    }
}

fn sensitive(path: &[Segment], value: &Value) -> Option<Encoding> {
    let encoding = match key(path, 0)? {
        "data" => Encoding::Base64,
        "stringData" => Encoding::Plain,
        "metadata" if key(path, 1) == Some("annotations") && key(path, 2) == Some(LAST_APPLIED) => {
            return Some(Encoding::Plain);
        }
        _ => return None,
    };
    // `data` itself is shown as its keys with hidden values, unless it is not a mapping.
    (path.len() >= 2 || !value.is_mapping()).then_some(encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(keys: &[&str]) -> Vec<Segment> {
        keys.iter().map(|k| Segment::Key(Value::from(*k))).collect()
    }

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn recognises_core_secrets_only() {
        assert!(is_secret(&yaml("{apiVersion: v1, kind: Secret}")));
        assert!(is_secret(&yaml("{kind: Secret}")));
        assert!(!is_secret(&yaml(
            "{apiVersion: example.com/v1, kind: Secret}"
        )));
        assert!(!is_secret(&yaml("{apiVersion: v1, kind: ConfigMap}")));
    }

    #[test]
    fn data_values_show_their_decoded_size() {
        // "hunter2-pass" is 12 bytes.
        let value = Value::from("aHVudGVyMi1wYXNz");
        assert_eq!(
            stand_in(&path(&["data", "password"]), &value).as_deref(),
            Some("<secret: 12 bytes>")
        );
        assert_eq!(
            stand_in(&path(&["data", "x"]), &Value::from("not base64!")).as_deref(),
            Some("<secret: 11 characters, not valid base64>")
        );
    }

    #[test]
    fn string_data_values_show_their_size() {
        assert_eq!(
            stand_in(&path(&["stringData", "password"]), &Value::from("é")).as_deref(),
            Some("<secret: 2 bytes>")
        );
        assert_eq!(
            stand_in(&path(&["stringData", "port"]), &Value::from(5432)).as_deref(),
            Some("<secret>")
        );
    }

    #[test]
    fn data_mapping_is_walked_into_not_hidden_whole() {
        assert_eq!(stand_in(&path(&["data"]), &yaml("{a: b}")), None);
        assert!(stand_in(&path(&["data"]), &Value::from("raw")).is_some());
        assert_eq!(stand_in(&[], &yaml("{data: {a: b}}")), None);
    }

    #[test]
    fn list_items_are_masked_as_secrets() {
        let mut at = path(&["items"]);
        at.push(Segment::Index(2));
        at.extend(path(&["items"]));
        at.push(Segment::Index(0));
        at.extend(path(&["stringData", "p"]));
        assert!(stand_in(&at, &Value::from("hunter2")).is_some());
        assert!(stand_in(&at[..2], &yaml("{kind: Secret}")).is_none());
    }

    #[test]
    fn kubectl_masks_are_recognised_right_under_data_only() {
        let masks = [
            ("***", KubectlMask::Same),
            ("*** (before)", KubectlMask::Before),
            ("*** (after)", KubectlMask::After),
        ];
        for (text, mask) in masks {
            let value = Value::from(text);
            assert_eq!(
                KubectlMask::at(&path(&["data", "password"]), &value),
                Some(mask)
            );
            assert_eq!(
                KubectlMask::stand_in(&path(&["data", "password"]), &value).as_deref(),
                Some("<secret: hidden by kubectl diff>")
            );
            // kubectl masks neither stringData nor anything outside data.
            for elsewhere in [&["stringData", "p"][..], &["metadata", "name"], &["data"]] {
                assert_eq!(KubectlMask::at(&path(elsewhere), &value), None);
            }
        }
        for not_a_mask in ["****", "*** (changed)", " ***", "aHVudGVyMi1wYXNz"] {
            assert_eq!(
                KubectlMask::at(&path(&["data", "p"]), &Value::from(not_a_mask)),
                None,
                "{not_a_mask}"
            );
        }
    }

    #[test]
    fn other_fields_are_shown() {
        assert_eq!(stand_in(&path(&["type"]), &Value::from("Opaque")), None);
        assert_eq!(
            stand_in(&path(&["metadata", "labels", "data"]), &Value::from("x")),
            None
        );
        assert!(
            stand_in(
                &path(&["metadata", "annotations", LAST_APPLIED]),
                &Value::from("{}")
            )
            .is_some()
        );
    }
}
