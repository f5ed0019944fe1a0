//! Helm's two ways of combining values, which differ only in what a null does.
//!
//! - [`merge_files`]: one `-f` file onto the files before it (Helm's `mergeMaps`). A null
//!   replaces like any other value and is kept, so it can still delete a chart default.
//! - [`merge`]: the user's values over the chart defaults (Helm's `coalesce`). A null deletes
//!   the default it lands on; a null with no default under it stays null.
//!
//! So `a.yaml: {x: {k: 1}}` then `b.yaml: {x: {k: null}}` gives `x: {k: null}` when the chart
//! has no `x.k`, where merging the files one by one over the chart would give `x: {}`.
//! In both, mappings merge key by key and everything else (lists included) is replaced. Keys
//! keep the base's order; new keys follow in the overlay's order.

use serde_yaml::Value;

/// Helm-style deep merge of `overlay` onto `base` (the user's values over the chart defaults):
/// mappings merged recursively; everything else, lists included, replaced; a null in
/// `overlay` deletes the key from `base` (and stays null where `base` has no such key).
pub fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Mapping(base), Value::Mapping(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(_) if value.is_null() => {
                        base.shift_remove(&key);
                    }
                    Some(existing) if existing.is_mapping() && value.is_mapping() => {
                        merge(existing, value)
                    }
                    Some(existing) => *existing = value,
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// Merges one `-f` file onto the files before it, as Helm does: mappings merged recursively;
/// everything else replaced, a null included (it is kept, to act on the chart defaults later).
pub fn merge_files(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Mapping(base), Value::Mapping(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) if existing.is_mapping() && value.is_mapping() => {
                        merge_files(existing, value)
                    }
                    Some(existing) => *existing = value,
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap_or(Value::Null)
    }

    #[test]
    fn maps_merge_deeply_and_lists_are_replaced() {
        let mut base = y("a: {b: 1, c: [1, 2]}\nd: 1");
        merge(&mut base, y("a: {c: [3], e: 2}\nf: 3"));
        assert_eq!(base, y("a: {b: 1, c: [3], e: 2}\nd: 1\nf: 3"));
    }

    #[test]
    fn null_deletes_a_default_and_stays_otherwise() {
        let mut base = y("a: {b: 1, c: 2}\nd: 3");
        merge(&mut base, y("a: {b: null, x: null}\nd: ~\nn: null"));
        assert_eq!(base, y("a: {c: 2, x: null}\nn: null"));
    }

    #[test]
    fn base_order_is_kept_and_new_keys_follow() {
        let mut base = y("z: 1\na: 2\nm: 3");
        merge(&mut base, y("q: 0\na: 9\nz: 8"));
        let keys: Vec<_> = base
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(keys, ["z", "a", "m", "q"].map(Value::from));
    }

    #[test]
    fn scalar_and_table_replace_each_other() {
        let mut base = y("a: {b: 1}\nc: 1");
        merge(&mut base, y("a: s\nc: {d: 2}"));
        assert_eq!(base, y("a: s\nc: {d: 2}"));
    }

    #[test]
    fn files_keep_nulls() {
        let mut files = y("x: {k: 1, z: 2}\ng: 1");
        merge_files(&mut files, y("x: {k: null}\ng: null"));
        assert_eq!(files, y("x: {k: null, z: 2}\ng: null"));
        let mut values = y("x: {z: 0}");
        merge(&mut values, files);
        assert_eq!(values, y("x: {z: 2, k: null}\ng: null"));
    }
}
