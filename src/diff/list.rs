//! How the items of two lists are paired before they are compared.
//!
//! Lists whose items are all mappings with a unique string `name` (containers, env, ports,
//! volumes, volumeMounts...) are paired by name, as Kubernetes merges them. Other lists are
//! paired by position after aligning equal items (a longest common subsequence), so one item
//! inserted at the front reads as one addition, not as every later item changed.

use std::collections::HashSet;

use serde_yaml::Value;

/// The `name` of every item, when every item is a mapping with a string `name` and no name
/// repeats; `None` otherwise (the list is then paired by position).
pub fn item_names(items: &[Value]) -> Option<Vec<&str>> {
    let mut seen = HashSet::with_capacity(items.len());
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        let name = item.as_mapping()?.get("name")?.as_str()?;
        if !seen.insert(name) {
            return None;
        }
        names.push(name);
    }
    Some(names)
}

/// One step of a positional pairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Left item `.0` and right item `.1` are compared (they are not equal).
    Pair(usize, usize),
    /// Only on the left (removed).
    Left(usize),
    /// Only on the right (added).
    Right(usize),
}

/// Above this many cells the alignment table costs too much: the unmatched middle of the two
/// lists is then paired plainly by index.
const MAX_TABLE_CELLS: usize = 1 << 20;

/// Pairs two lists by position: equal items are aligned and skipped; between aligned items,
/// the remaining items are paired in order and the surplus is added or removed.
pub fn align(left: &[Value], right: &[Value]) -> Vec<Step> {
    let anchors = matching(left, right)
        .into_iter()
        .chain(std::iter::once((left.len(), right.len())));
    let mut steps = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (anchor_l, anchor_r) in anchors {
        while i < anchor_l && j < anchor_r {
            steps.push(Step::Pair(i, j));
            i += 1;
            j += 1;
        }
        steps.extend((i..anchor_l).map(Step::Left));
        steps.extend((j..anchor_r).map(Step::Right));
        // The anchor itself is an equal pair: nothing to report.
        i = anchor_l + 1;
        j = anchor_r + 1;
    }
    steps
}

/// Index pairs of equal items, in order: the common prefix and suffix, and between them a
/// longest common subsequence (left out when its table would be too large).
pub fn matching<T: PartialEq>(left: &[T], right: &[T]) -> Vec<(usize, usize)> {
    let prefix = left.iter().zip(right).take_while(|(l, r)| l == r).count();
    let suffix = left[prefix..]
        .iter()
        .rev()
        .zip(right[prefix..].iter().rev())
        .take_while(|(l, r)| l == r)
        .count();
    let (l_end, r_end) = (left.len() - suffix, right.len() - suffix);
    let mut pairs: Vec<(usize, usize)> = (0..prefix).map(|i| (i, i)).collect();
    pairs.extend(
        common_subsequence(&left[prefix..l_end], &right[prefix..r_end])
            .into_iter()
            .map(|(i, j)| (i + prefix, j + prefix)),
    );
    pairs.extend((0..suffix).map(|k| (l_end + k, r_end + k)));
    pairs
}

fn common_subsequence<T: PartialEq>(left: &[T], right: &[T]) -> Vec<(usize, usize)> {
    let (n, m) = (left.len(), right.len());
    if n == 0 || m == 0 || n.saturating_mul(m) > MAX_TABLE_CELLS {
        return Vec::new();
    }
    // lengths[i * width + j]: length of a longest common subsequence of left[i..], right[j..].
    let width = m + 1;
    let mut lengths = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[i * width + j] = if left[i] == right[j] {
                lengths[(i + 1) * width + j + 1] + 1
            } else {
                lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if left[i] == right[j] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> Vec<Value> {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn names_when_unique() {
        let items = list("[{name: a, image: x}, {name: b}]");
        assert_eq!(item_names(&items), Some(vec!["a", "b"]));
        assert_eq!(item_names(&[]), Some(vec![]));
    }

    #[test]
    fn no_names_when_missing_repeated_or_not_strings() {
        assert_eq!(item_names(&list("[{name: a}, {image: x}]")), None);
        assert_eq!(item_names(&list("[{name: a}, {name: a}]")), None);
        assert_eq!(item_names(&list("[{name: 1}]")), None);
        assert_eq!(item_names(&list("[a, b]")), None);
    }

    #[test]
    fn equal_lists_have_no_steps() {
        assert_eq!(align(&list("[a, b, c]"), &list("[a, b, c]")), vec![]);
    }

    #[test]
    fn insertion_is_one_addition() {
        let steps = align(&list("[a, b, c]"), &list("[x, a, b, c]"));
        assert_eq!(steps, vec![Step::Right(0)]);
        let steps = align(&list("[a, b, c]"), &list("[a, b, x, c]"));
        assert_eq!(steps, vec![Step::Right(2)]);
    }

    #[test]
    fn removal_is_one_removal() {
        let steps = align(&list("[a, b, c]"), &list("[a, c]"));
        assert_eq!(steps, vec![Step::Left(1)]);
    }

    #[test]
    fn replacement_is_a_pair() {
        let steps = align(&list("[a, b, c]"), &list("[a, x, c]"));
        assert_eq!(steps, vec![Step::Pair(1, 1)]);
    }

    #[test]
    fn mixed_changes() {
        // b removed, d added at the end, c kept.
        let steps = align(&list("[a, b, c]"), &list("[a, c, d]"));
        assert_eq!(steps, vec![Step::Left(1), Step::Right(2)]);
        let steps = align(&list("[]"), &list("[a, b]"));
        assert_eq!(steps, vec![Step::Right(0), Step::Right(1)]);
        let steps = align(&list("[a, b]"), &list("[]"));
        assert_eq!(steps, vec![Step::Left(0), Step::Left(1)]);
    }

    #[test]
    fn huge_lists_fall_back_to_index_pairing() {
        let left: Vec<Value> = (0..2000).map(|i| Value::from(i * 2)).collect();
        let right: Vec<Value> = (0..2001).map(|i| Value::from(i * 2 + 1)).collect();
        let steps = align(&left, &right);
        assert_eq!(steps.len(), 2001);
        assert_eq!(steps[0], Step::Pair(0, 0));
        assert_eq!(steps[2000], Step::Right(2000));
    }
}
