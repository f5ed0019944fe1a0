//! Pairs the objects of two sides and compares each pair.
//!
//! Objects are paired by identity (API group, kind, namespace, name); the API version is not
//! compared, so `apps/v1` and `apps/v1beta1` of one Deployment are equal. An object without
//! `metadata.namespace` and the same object with one are different objects: what kubectl
//! applies differs. Documents without identity (no `kind` or no `metadata.name`, e.g. a Job
//! with `generateName`) are paired by position among such documents and compared whole.

use std::collections::BTreeMap;

use serde_yaml::Value;

use super::document::Document;
use super::report::{Object, Report, Status};
use super::secret::is_secret;
use super::tree::{Ignore, diff};
use crate::manifest::ObjectId;

const IDENTIFIED: Ignore<'static> = Ignore {
    top_level_keys: &["apiVersion"],
};
const ANONYMOUS: Ignore<'static> = Ignore {
    top_level_keys: &[],
};

/// Compares two manifest sets. An identity present twice on one side (which
/// [`super::load_side`] and [`super::parse_manifests`] refuse) is paired in order of appearance.
pub fn compare(left: &[Document], right: &[Document]) -> Report {
    let mut identified: BTreeMap<&ObjectId, (Vec<&Document>, Vec<&Document>)> = BTreeMap::new();
    let mut anonymous: (Vec<&Document>, Vec<&Document>) = (Vec::new(), Vec::new());
    for document in left {
        match &document.id {
            Some(id) => identified.entry(id).or_default().0.push(document),
            None => anonymous.0.push(document),
        }
    }
    for document in right {
        match &document.id {
            Some(id) => identified.entry(id).or_default().1.push(document),
            None => anonymous.1.push(document),
        }
    }

    let mut objects = Vec::new();
    for (id, (lefts, rights)) in &identified {
        for k in 0..lefts.len().max(rights.len()) {
            let (l, r) = (lefts.get(k).copied(), rights.get(k).copied());
            objects.extend(object(id.to_string(), l, r, &IDENTIFIED));
        }
    }
    let (lefts, rights) = &anonymous;
    for k in 0..lefts.len().max(rights.len()) {
        let (l, r) = (lefts.get(k).copied(), rights.get(k).copied());
        let title = l.or(r).map(|d| anonymous_title(&d.value, k + 1));
        if let Some(title) = title {
            objects.extend(object(title, l, r, &ANONYMOUS));
        }
    }
    Report::new(objects)
}

fn object(
    title: String,
    left: Option<&Document>,
    right: Option<&Document>,
    ignore: &Ignore<'_>,
) -> Option<Object> {
    let status = match (left, right) {
        (Some(l), Some(r)) => {
            let changes = diff(&l.value, &r.value, ignore);
            if changes.is_empty() {
                Status::Equal
            } else {
                Status::Changed(changes)
            }
        }
        (Some(_), None) => Status::OnlyLeft,
        (None, Some(_)) => Status::OnlyRight,
        (None, None) => return None,
    };
    let secret = |d: Option<&Document>| d.is_some_and(|d| is_secret(&d.value));
    let by_kubectl = |d: Option<&Document>| d.is_some_and(|d| d.written_by_kubectl_diff);
    Some(Object {
        title,
        left_origin: left.map(|d| d.origin.clone()),
        right_origin: right.map(|d| d.origin.clone()),
        secret: secret(left) || secret(right),
        kubectl_masks: by_kubectl(left) || by_kubectl(right),
        status,
    })
}

/// `batch/Job (no name, #1)`, `document without kind (#2)`: the number counts the documents
/// without identity on each side.
fn anonymous_title(value: &Value, number: usize) -> String {
    let Some(kind) = value.get("kind").and_then(Value::as_str) else {
        return format!("document without kind (#{number})");
    };
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    format!("{group}/{kind} (no name, #{number})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(text: &str) -> Vec<Document> {
        super::super::parse_manifests(text, "t").unwrap()
    }

    #[test]
    fn reordered_documents_are_equal() {
        let a = "kind: A\nmetadata: {name: a}\n---\nkind: B\nmetadata: {name: b}\n";
        let b = "kind: B\nmetadata: {name: b}\n---\nkind: A\nmetadata: {name: a}\n";
        assert!(compare(&side(a), &side(b)).is_equal());
    }

    #[test]
    fn api_version_alone_does_not_differ() {
        let a = "apiVersion: apps/v1beta1\nkind: D\nmetadata: {name: a}\n";
        let b = "apiVersion: apps/v1\nkind: D\nmetadata: {name: a}\n";
        assert!(compare(&side(a), &side(b)).is_equal());
    }

    #[test]
    fn namespace_makes_another_object() {
        let a = "kind: S\nmetadata: {name: a}\n";
        let b = "kind: S\nmetadata: {name: a, namespace: default}\n";
        let counts = compare(&side(a), &side(b)).counts();
        assert_eq!((counts.only_left, counts.only_right), (1, 1));
    }

    #[test]
    fn anonymous_documents_pair_by_position() {
        let a = "kind: Job\nspec: {x: 1}\n---\nkind: Job\nspec: {x: 2}\n";
        let b = "kind: Job\nspec: {x: 1}\n---\nkind: Job\nspec: {x: 3}\n---\nfoo: bar\n";
        let report = compare(&side(a), &side(b));
        let counts = report.counts();
        assert_eq!((counts.equal, counts.changed, counts.only_right), (1, 1, 1));
        let json = report.to_json(&Default::default());
        assert_eq!(json["changed"][0]["id"], "/Job (no name, #2)");
        assert_eq!(json["only_right"][0], "document without kind (#3)");
    }

    #[test]
    fn counts_of_each_kind() {
        let a = "kind: A\nmetadata: {name: same}\n---\nkind: A\nmetadata: {name: changed}\nx: 1\n---\nkind: A\nmetadata: {name: gone}\n";
        let b = "kind: A\nmetadata: {name: same}\n---\nkind: A\nmetadata: {name: changed}\nx: 2\n---\nkind: A\nmetadata: {name: new}\n";
        let counts = compare(&side(a), &side(b)).counts();
        assert_eq!(
            counts,
            super::super::Counts {
                equal: 1,
                changed: 1,
                only_left: 1,
                only_right: 1
            }
        );
    }
}
