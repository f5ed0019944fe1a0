//! Which objects are, or may be, Kubernetes Secrets, whatever their layout: the one answer
//! every message that could show Secret data asks (diff and compare reports, lint findings,
//! the snippet of a rendered document that is not valid YAML). When it cannot be told, the
//! answer is yes: showing less of a ConfigMap costs little, showing a password costs much.

use serde_yaml::Value;

/// The fields of a Secret that hold its data.
pub const DATA_FIELDS: [&str; 2] = ["data", "stringData"];

/// kubectl keeps the whole applied object, Secret data included, in this annotation.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Lists inside lists followed this deep (a `List` of `List`s); deeper ones count as Secrets.
const MAX_LIST_DEPTH: usize = 16;

/// A core-group Secret: `kind: Secret` (any case, tags looked through) with `apiVersion: v1`
/// or none. A `kind` that is not text (a mapping, a custom tag's odd value) may be anything.
pub fn may_be_secret(object: &Value) -> bool {
    let api_version = object.get("apiVersion").map(untag);
    let core = match api_version {
        None | Some(Value::Null) => true,
        Some(Value::String(v)) => !v.contains('/'),
        Some(_) => true,
    };
    let kind = match object.get("kind").map(untag) {
        None | Some(Value::Null) => return false,
        Some(Value::String(kind)) => kind.trim(),
        Some(_) => return core,
    };
    core && kind.eq_ignore_ascii_case("Secret")
}

/// The objects inside `document` that may be Secrets: the document itself, and the items of a
/// list (`kind: List`, `SecretList`, any `items:` list of mappings), lists in lists included.
pub fn secret_objects(document: &Value) -> Vec<&Value> {
    let mut found = Vec::new();
    // An item of a `SecretList` (or of a list whose kind cannot be read) needs no kind of its
    // own to be a Secret: the API server leaves it out.
    let mut todo = vec![(document, 0, false)];
    while let Some((object, depth, in_secret_list)) = todo.pop() {
        if may_be_secret(object) || depth > MAX_LIST_DEPTH {
            found.push(object);
            continue;
        }
        let Some(Value::Sequence(items)) = object.get("items").map(untag) else {
            if in_secret_list && object.get("kind").is_none() {
                found.push(object);
            }
            continue;
        };
        let secret_list = match object.get("kind").map(untag) {
            Some(Value::String(kind)) => kind.to_ascii_lowercase().contains("secret"),
            _ => true,
        };
        todo.extend(
            items
                .iter()
                .map(|item| (untag(item), depth + 1, secret_list)),
        );
    }
    found
}

/// Whether `document` is or holds something that may be a Secret.
pub fn holds_secret(document: &Value) -> bool {
    !secret_objects(document).is_empty()
}

/// Every value of `document` a message must not show: the data fields and the last-applied
/// annotation of each Secret in it, whatever their shape (a scalar `data` too).
pub fn hidden_values(document: &Value) -> Vec<&Value> {
    let mut hidden = Vec::new();
    for object in secret_objects(document) {
        hidden.extend(DATA_FIELDS.iter().filter_map(|field| object.get(*field)));
        let annotation = object
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(LAST_APPLIED));
        hidden.extend(annotation);
    }
    hidden
}

/// Every scalar under `values` (walked without recursion: data may be nested deep), as text.
pub fn scalar_texts(values: &[&Value]) -> Vec<String> {
    let mut texts = Vec::new();
    let mut todo: Vec<&Value> = values.to_vec();
    while let Some(value) = todo.pop() {
        match value {
            Value::String(s) => texts.push(s.clone()),
            Value::Number(n) => texts.push(n.to_string()),
            Value::Bool(b) => texts.push(b.to_string()),
            Value::Null => {}
            Value::Sequence(items) => todo.extend(items),
            Value::Mapping(map) => todo.extend(map.values()),
            Value::Tagged(tagged) => todo.push(&tagged.value),
        }
    }
    texts
}

/// Whether text that did not parse may be (or hold) a Secret. Without a parse the kind cannot
/// be read for sure, so any mention of `secret` in any case counts, and so does anything that
/// could spell it another way: a backslash escape (`"Sec\x72et"`), a `!!binary` scalar.
pub fn text_may_hold_secret(text: &str) -> bool {
    const WORD: &[u8] = b"secret";
    text.contains('\\')
        || text.contains("binary")
        || text
            .as_bytes()
            .windows(WORD.len())
            .any(|w| w.eq_ignore_ascii_case(WORD))
}

fn untag(value: &Value) -> &Value {
    let mut value = value;
    while let Value::Tagged(tagged) = value {
        value = &tagged.value;
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap_or(Value::Null)
    }

    #[test]
    fn secrets_in_every_layout_are_recognised() {
        for text in [
            "{apiVersion: v1, kind: Secret}",
            "{kind: Secret}",
            "{\"kind\": \"Secret\"}",
            "kind: !!str Secret",
            "kind: !custom Secret",
            "kind: &a Secret",
            "kind: secret",
            "kind: {odd: 1}",
            "kind: Secret # comment",
        ] {
            assert!(may_be_secret(&yaml(text)), "{text}");
        }
        for text in [
            "{apiVersion: example.com/v1, kind: Secret}",
            "{apiVersion: v1, kind: ConfigMap}",
            "{apiVersion: v1}",
        ] {
            assert!(!may_be_secret(&yaml(text)), "{text}");
        }
    }

    #[test]
    fn secrets_inside_lists_are_found() {
        let list = yaml(
            "{kind: List, items: [{kind: ConfigMap}, {kind: List, items: [{kind: Secret, data: {p: x}}]}]}",
        );
        assert!(holds_secret(&list));
        assert_eq!(scalar_texts(&hidden_values(&list)), ["x"]);
        let secret_list = yaml("{kind: SecretList, items: [{stringData: p}]}");
        assert_eq!(scalar_texts(&hidden_values(&secret_list)), ["p"]);
        assert!(!holds_secret(&yaml(
            "{kind: List, items: [{kind: ConfigMap}]}"
        )));
    }

    #[test]
    fn broken_text_is_a_secret_unless_it_cannot_be() {
        assert!(text_may_hold_secret("kind: SecretList\n"));
        assert!(text_may_hold_secret("{\"kind\":\"SECRET\""));
        assert!(text_may_hold_secret("kind: \"Sec\\x72et\""));
        assert!(!text_may_hold_secret("kind: ConfigMap\ndata: [x\n"));
    }
}
