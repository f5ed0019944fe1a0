//! The changes between two values: a walk over both trees that records, for each difference,
//! its path, what happened and both values.

use std::collections::HashMap;

use serde_yaml::{Mapping, Value};

use super::list::{Step, align, item_names};
use super::path::{FieldPath, Segment};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Both sides have a value at the path and they differ.
    Changed,
    /// Only the right side has the path.
    Added,
    /// Only the left side has the path.
    Removed,
    /// A list matched by name holds the same names in another order; the values are the names.
    Reordered,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Changed => "changed",
            Op::Added => "added",
            Op::Removed => "removed",
            Op::Reordered => "reordered",
        }
    }
}

/// One difference. `left` is `None` for an addition, `right` for a removal. No `Debug`: values
/// may be Secret data, and reports mask them before printing.
#[derive(Clone, PartialEq)]
pub struct Change {
    pub path: FieldPath,
    pub op: Op,
    pub left: Option<Value>,
    pub right: Option<Value>,
}

/// Top-level keys left out of the comparison.
pub struct Ignore<'a> {
    pub top_level_keys: &'a [&'a str],
}

/// Every difference between `left` and `right`, in document order (left's order, additions
/// after). A key whose value is `null` on one side and missing on the other is a difference.
pub fn diff(left: &Value, right: &Value, ignore: &Ignore<'_>) -> Vec<Change> {
    let mut walker = Walker {
        path: Vec::new(),
        changes: Vec::new(),
        ignore,
    };
    walker.walk(left, right);
    walker.changes
}

struct Walker<'a> {
    path: Vec<Segment>,
    changes: Vec<Change>,
    ignore: &'a Ignore<'a>,
}

impl Walker<'_> {
    fn walk(&mut self, left: &Value, right: &Value) {
        if left == right {
            return;
        }
        match (left, right) {
            (Value::Mapping(l), Value::Mapping(r)) => self.mappings(l, r),
            (Value::Sequence(l), Value::Sequence(r)) => self.sequences(l, r),
            (Value::Tagged(l), Value::Tagged(r)) if l.tag == r.tag => self.walk(&l.value, &r.value),
            _ => self.record(Op::Changed, Some(left), Some(right)),
        }
    }

    fn ignored(&self, key: &Value) -> bool {
        self.path.is_empty()
            && key
                .as_str()
                .is_some_and(|k| self.ignore.top_level_keys.contains(&k))
    }

    fn mappings(&mut self, left: &Mapping, right: &Mapping) {
        for (key, l) in left {
            if self.ignored(key) {
                continue;
            }
            self.path.push(Segment::Key(key.clone()));
            match right.get(key) {
                Some(r) => self.walk(l, r),
                None => self.record(Op::Removed, Some(l), None),
            }
            self.path.pop();
        }
        for (key, r) in right {
            if self.ignored(key) || left.contains_key(key) {
                continue;
            }
            self.path.push(Segment::Key(key.clone()));
            self.record(Op::Added, None, Some(r));
            self.path.pop();
        }
    }

    fn sequences(&mut self, left: &[Value], right: &[Value]) {
        match (item_names(left), item_names(right)) {
            (Some(l_names), Some(r_names)) => self.named(left, &l_names, right, &r_names),
            _ => self.positional(left, right),
        }
    }

    fn named(&mut self, left: &[Value], l_names: &[&str], right: &[Value], r_names: &[&str]) {
        let l_index: HashMap<&str, usize> =
            l_names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let r_index: HashMap<&str, usize> =
            r_names.iter().enumerate().map(|(i, n)| (*n, i)).collect();

        // Order of the names both sides share: a change of its own (init containers run in
        // order, env entries may refer to earlier ones).
        let l_common: Vec<&str> = l_names
            .iter()
            .copied()
            .filter(|n| r_index.contains_key(n))
            .collect();
        let r_common: Vec<&str> = r_names
            .iter()
            .copied()
            .filter(|n| l_index.contains_key(n))
            .collect();
        if l_common != r_common {
            let names =
                |names: &[&str]| Value::Sequence(names.iter().map(|n| Value::from(*n)).collect());
            self.record(
                Op::Reordered,
                Some(&names(&l_common)),
                Some(&names(&r_common)),
            );
        }

        for (item, name) in left.iter().zip(l_names) {
            self.path.push(Segment::Item {
                field: "name".into(),
                value: (*name).to_string(),
            });
            match r_index.get(name).and_then(|j| right.get(*j)) {
                Some(other) => self.walk(item, other),
                None => self.record(Op::Removed, Some(item), None),
            }
            self.path.pop();
        }
        for (item, name) in right.iter().zip(r_names) {
            if l_index.contains_key(name) {
                continue;
            }
            self.path.push(Segment::Item {
                field: "name".into(),
                value: (*name).to_string(),
            });
            self.record(Op::Added, None, Some(item));
            self.path.pop();
        }
    }

    /// Removed and changed items are addressed by their left index, added ones by their right
    /// index.
    fn positional(&mut self, left: &[Value], right: &[Value]) {
        for step in align(left, right) {
            match step {
                Step::Pair(i, j) => {
                    if let (Some(l), Some(r)) = (left.get(i), right.get(j)) {
                        self.path.push(Segment::Index(i));
                        self.walk(l, r);
                        self.path.pop();
                    }
                }
                Step::Left(i) => {
                    self.path.push(Segment::Index(i));
                    self.record(Op::Removed, left.get(i), None);
                    self.path.pop();
                }
                Step::Right(j) => {
                    self.path.push(Segment::Index(j));
                    self.record(Op::Added, None, right.get(j));
                    self.path.pop();
                }
            }
        }
    }

    fn record(&mut self, op: Op, left: Option<&Value>, right: Option<&Value>) {
        self.changes.push(Change {
            path: FieldPath::new(self.path.clone()),
            op,
            left: left.cloned(),
            right: right.cloned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    /// Each change as `op path: left -> right` in compact form.
    fn changes(left: &str, right: &str) -> Vec<String> {
        let ignore = Ignore {
            top_level_keys: &["apiVersion"],
        };
        diff(&yaml(left), &yaml(right), &ignore)
            .iter()
            .map(|c| {
                let show = |v: &Option<Value>| {
                    v.as_ref()
                        .map_or_else(|| "none".to_string(), super::super::format::compact)
                };
                format!(
                    "{} {}: {} -> {}",
                    c.op.as_str(),
                    c.path,
                    show(&c.left),
                    show(&c.right)
                )
            })
            .collect()
    }

    #[test]
    fn equal_despite_key_order() {
        assert!(changes("{a: 1, b: {c: 2, d: 3}}", "{b: {d: 3, c: 2}, a: 1}").is_empty());
    }

    #[test]
    fn scalar_change_with_path() {
        assert_eq!(
            changes("spec: {replicas: 2}", "spec: {replicas: 3}"),
            ["changed spec.replicas: 2 -> 3"]
        );
    }

    #[test]
    fn types_matter() {
        assert_eq!(changes("a: '1'", "a: 1"), [r#"changed a: "1" -> 1"#]);
        assert_eq!(changes("a: 1", "a: 1.0"), ["changed a: 1 -> 1.0"]);
        assert_eq!(
            changes("a: true", "a: 'true'"),
            [r#"changed a: true -> "true""#]
        );
    }

    #[test]
    fn null_versus_missing() {
        assert_eq!(
            changes("{a: 1, b: null}", "{a: 1}"),
            ["removed b: null -> none"]
        );
        assert_eq!(changes("{a: 1}", "{a: 1, b: ~}"), ["added b: none -> null"]);
    }

    #[test]
    fn subtrees_added_and_removed_whole() {
        assert_eq!(
            changes("{a: 1, x: {y: [1]}}", "{a: 1, z: {w: 2}}"),
            ["removed x: {y: [1]} -> none", "added z: none -> {w: 2}"]
        );
    }

    #[test]
    fn api_version_ignored_at_the_top_only() {
        assert!(
            changes(
                "{apiVersion: apps/v1, a: 1}",
                "{apiVersion: apps/v1beta1, a: 1}"
            )
            .is_empty()
        );
        assert_eq!(
            changes("{x: {apiVersion: a}}", "{x: {apiVersion: b}}"),
            [r#"changed x.apiVersion: "a" -> "b""#]
        );
    }

    #[test]
    fn named_lists_matched_by_name() {
        let left = "containers: [{name: sidecar, image: s}, {name: backend-app, image: a}]";
        let right = "containers: [{name: sidecar, image: s}, {name: backend-app, image: b}]";
        assert_eq!(
            changes(left, right),
            [r#"changed containers[name=backend-app].image: "a" -> "b""#]
        );
    }

    #[test]
    fn named_list_items_added_and_removed() {
        let left = "env: [{name: A, value: '1'}, {name: B, value: '2'}]";
        let right = "env: [{name: A, value: '1'}, {name: C, value: '3'}]";
        assert_eq!(
            changes(left, right),
            [
                r#"removed env[name=B]: {name: "B", value: "2"} -> none"#,
                r#"added env[name=C]: none -> {name: "C", value: "3"}"#,
            ]
        );
    }

    #[test]
    fn named_list_reorder_is_reported_once() {
        let left = "initContainers: [{name: a}, {name: b}]";
        let right = "initContainers: [{name: b}, {name: a}]";
        assert_eq!(
            changes(left, right),
            [r#"reordered initContainers: ["a", "b"] -> ["b", "a"]"#]
        );
    }

    #[test]
    fn plain_lists_by_index() {
        assert_eq!(
            changes("args: [--a, --b, --c]", "args: [--a, --c, --d]"),
            [
                r#"removed args[1]: "--b" -> none"#,
                r#"added args[2]: none -> "--d""#
            ]
        );
        assert_eq!(
            changes("args: [--a, --b]", "args: [--a, --x]"),
            [r#"changed args[1]: "--b" -> "--x""#]
        );
    }

    #[test]
    fn unnamed_maps_in_lists_compared_inside() {
        let left = "ports: [{port: 80, targetPort: 8081}]";
        let right = "ports: [{port: 80, targetPort: 8080}]";
        assert_eq!(
            changes(left, right),
            ["changed ports[0].targetPort: 8081 -> 8080"]
        );
    }

    #[test]
    fn type_change_of_a_subtree() {
        assert_eq!(changes("a: {b: 1}", "a: [1]"), ["changed a: {b: 1} -> [1]"]);
    }
}
