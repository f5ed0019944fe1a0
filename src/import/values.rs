//! The values files: `values.yaml` with each value's default, `values/<env>.yaml` with only
//! what differs from it, each value there with a comment naming the file that produced it.
//!
//! The default is the shared base's value when some environment keeps it; else the value most
//! environments share; else the base's; else none, and every environment sets its own. A key
//! an environment must not have is `null` in its file (Helm deletes the default under it).
//! Every default and every entry is checked: the chart's values with the environment's file
//! merged over them, as `ktera template` merges them, give exactly what that environment needs;
//! where they would not (a null the merge would delete), the default is dropped.

use std::collections::{BTreeMap, HashMap};

use serde_yaml::{Mapping, Value};

use super::model::Slot;
use crate::error::Error;

/// Per slot, the value `values.yaml` gives it (`None`: none).
pub fn defaults(slots: &[Slot]) -> Vec<Option<Value>> {
    slots
        .iter()
        .map(|slot| {
            let chosen = match &slot.fixed_default {
                Some(fixed) => fixed.clone(),
                None => choose(slot),
            };
            let works = (0..slot.values.len()).filter(|&e| slot.cares[e]).all(|e| {
                merged(&chosen, entry(&chosen, &slot.values[e]).as_ref()) == slot.values[e]
            });
            if works { chosen } else { None }
        })
        .collect()
}

fn choose(slot: &Slot) -> Option<Value> {
    let wanted: Vec<&Option<Value>> = (0..slot.values.len())
        .filter(|&e| slot.cares[e])
        .map(|e| &slot.values[e])
        .collect();
    if let [only] = wanted.as_slice() {
        return (*only).clone();
    }
    // A null cannot sit over a default: the merge would delete the default instead.
    if wanted.iter().any(|v| matches!(v, Some(Value::Null))) {
        return None;
    }
    if let Some(base) = &slot.base
        && wanted.iter().any(|v| v.as_ref() == Some(base))
    {
        return Some(base.clone());
    }
    let mut counts: Vec<(&Option<Value>, usize)> = Vec::new();
    for v in &wanted {
        match counts.iter_mut().find(|(c, _)| c == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let leaders: Vec<&Option<Value>> = counts
        .iter()
        .filter(|(_, n)| *n == most)
        .map(|(v, _)| *v)
        .collect();
    if most >= 2 && leaders.len() == 1 {
        return leaders[0].clone();
    }
    slot.base.clone()
}

/// What an environment's file says for a slot, given the default: nothing (`None`) when
/// the default is what it needs.
pub fn entry(default: &Option<Value>, wanted: &Option<Value>) -> Option<Value> {
    match (default, wanted) {
        (None, None) => None,
        (Some(_), None) => Some(Value::Null),
        (None, Some(v)) => Some(v.clone()),
        (Some(d), Some(v)) => diff(d, v),
    }
}

/// The least that turns `default` into `wanted` under Helm's merge: for maps, the keys that
/// differ (a key to drop as null); anything else whole.
fn diff(default: &Value, wanted: &Value) -> Option<Value> {
    if default == wanted {
        return None;
    }
    match (default, wanted) {
        (Value::Mapping(d), Value::Mapping(w)) if !w.is_empty() => {
            let mut out = Mapping::new();
            for (key, value) in w {
                match d.get(key) {
                    Some(old) => {
                        if let Some(change) = diff(old, value) {
                            out.insert(key.clone(), change);
                        }
                    }
                    None => {
                        out.insert(key.clone(), value.clone());
                    }
                }
            }
            for key in d.keys() {
                if !w.contains_key(key) {
                    out.insert(key.clone(), Value::Null);
                }
            }
            Some(Value::Mapping(out))
        }
        _ => Some(wanted.clone()),
    }
}

/// The value `ktera template` sees: the default with the environment's entry merged over it.
fn merged(default: &Option<Value>, entry: Option<&Value>) -> Option<Value> {
    let mut base = Mapping::new();
    if let Some(d) = default {
        base.insert(Value::from("v"), d.clone());
    }
    let mut over = Mapping::new();
    if let Some(e) = entry {
        over.insert(Value::from("v"), e.clone());
    }
    let mut result = Value::Mapping(base);
    crate::values::merge(&mut result, Value::Mapping(over));
    result.get("v").cloned()
}

/// A values document being assembled: values at paths, comments beside some of them and
/// above top-level keys.
#[derive(Default)]
pub struct Document {
    pub root: Mapping,
    /// The paths that hold one value each (written whole, with their comment).
    leaves: HashMap<Vec<String>, Option<String>>,
    /// A comment above a top-level key.
    headings: BTreeMap<String, String>,
}

impl Document {
    pub fn set(&mut self, path: &[String], value: Value, comment: Option<String>) {
        if path.is_empty() {
            return;
        }
        let mut map = &mut self.root;
        for key in &path[..path.len() - 1] {
            let entry = map
                .entry(Value::from(key.as_str()))
                .or_insert_with(|| Value::Mapping(Mapping::new()));
            if !entry.is_mapping() {
                *entry = Value::Mapping(Mapping::new());
            }
            let Value::Mapping(next) = entry else { return };
            map = next;
        }
        if let Some(last) = path.last() {
            map.insert(Value::from(last.as_str()), value);
        }
        self.leaves.insert(path.to_vec(), comment);
    }

    pub fn heading(&mut self, key: &str, comment: String) {
        self.headings.insert(key.to_string(), comment);
    }

    /// The document as YAML under `header` (comment lines), checked to read back as built.
    pub fn write(&self, header: &str, origin: &str) -> Result<String, Error> {
        let mut out = String::from(header);
        if self.root.is_empty() {
            out.push_str("{}\n");
        } else {
            let mut path = Vec::new();
            self.map(&self.root, &mut path, 0, &mut out);
        }
        let back = crate::values::parse_values(&out, origin).map_err(|e| {
            Error::input(format!(
                "ktera import wrote {origin} that it cannot read back: {}",
                e.message()
            ))
            .with_snippet(e.diagnostic().snippet.clone())
            .with_hint("this is a bug in ktera import: please report it with the overlays")
        })?;
        if back != Value::Mapping(self.root.clone()) {
            return Err(Error::input(format!(
                "ktera import wrote {origin} that reads back differently"
            ))
            .with_hint("this is a bug in ktera import: please report it with the overlays"));
        }
        Ok(out)
    }

    fn map(&self, map: &Mapping, path: &mut Vec<String>, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        for (key, value) in map {
            let key_text = key.as_str().unwrap_or_default().to_string();
            if indent == 0
                && let Some(heading) = self.headings.get(&key_text)
            {
                // A blank line between groups, but not after a `|+` block, which would take
                // it as its own (its last line is blank already).
                let last_line = out.trim_end_matches('\n').rsplit('\n').next().unwrap_or("");
                let after_kept_block =
                    out.ends_with("\n") && last_line.trim().is_empty() && !last_line.is_empty();
                if !out.is_empty() && !out.ends_with("\n\n") && !after_kept_block {
                    out.push('\n');
                }
                for line in heading.lines() {
                    out.push_str(&format!("# {line}\n").replace("# \n", "#\n"));
                }
            }
            path.push(key_text);
            match self.leaves.get(path.as_slice()) {
                Some(comment) => {
                    let mut one = Mapping::new();
                    one.insert(key.clone(), value.clone());
                    let text = crate::yaml::emit_document(&Value::Mapping(one));
                    // Blank lines kept: they can be the end of a `|+` block.
                    let body = text.strip_suffix('\n').unwrap_or(&text);
                    for (i, line) in body.split('\n').enumerate() {
                        if !line.is_empty() {
                            out.push_str(&pad);
                        }
                        out.push_str(line);
                        if i == 0
                            && let Some(comment) = comment.as_ref().filter(|c| !c.is_empty())
                        {
                            out.push_str("  # ");
                            out.push_str(comment);
                        }
                        out.push('\n');
                    }
                }
                None => match value {
                    Value::Mapping(inner) if !inner.is_empty() => {
                        out.push_str(&format!(
                            "{pad}{}:\n",
                            crate::yaml::quote_scalar_if_needed(&path[path.len() - 1])
                        ));
                        self.map(inner, path, indent + 2, out);
                    }
                    _ => {
                        let mut one = Mapping::new();
                        one.insert(key.clone(), value.clone());
                        let text = crate::yaml::emit_document(&Value::Mapping(one));
                        let body = text.strip_suffix('\n').unwrap_or(&text);
                        for line in body.split('\n') {
                            if !line.is_empty() {
                                out.push_str(&pad);
                            }
                            out.push_str(line);
                            out.push('\n');
                        }
                    }
                },
            }
            path.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::model::Source;

    fn y(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    fn slot(values: &[Option<&str>], base: Option<&str>) -> Slot {
        Slot {
            path: vec!["a".into()],
            values: values.iter().map(|v| v.map(y)).collect(),
            cares: vec![true; values.len()],
            base: base.map(y),
            object: None,
            source: Source::Presence,
            fixed_default: None,
            file: None,
        }
    }

    #[test]
    fn the_default_is_the_base_then_the_majority() {
        let d = |s: Slot| defaults(&[s]).remove(0);
        assert_eq!(d(slot(&[Some("2"), Some("3")], Some("1"))), Some(y("1")));
        assert_eq!(d(slot(&[Some("1"), Some("3")], Some("1"))), Some(y("1")));
        assert_eq!(
            d(slot(&[Some("3"), Some("3"), Some("1")], None)),
            Some(y("3"))
        );
        assert_eq!(d(slot(&[Some("a"), Some("b")], None)), None);
        assert_eq!(d(slot(&[Some("null"), Some("b")], Some("b"))), None);
    }

    #[test]
    fn entries_hold_only_the_difference() {
        let d = Some(y("{a: 1, b: 2, c: {x: 1}}"));
        assert_eq!(
            entry(&d, &Some(y("{a: 1, b: 3, c: {x: 1}}"))),
            Some(y("{b: 3}"))
        );
        assert_eq!(
            entry(&d, &Some(y("{a: 1, c: {x: 1}}"))),
            Some(y("{b: null}"))
        );
        assert_eq!(entry(&d, &None), Some(Value::Null));
        assert_eq!(entry(&d, &d.clone()), None);
    }

    #[test]
    fn documents_write_comments_and_read_back() {
        let mut doc = Document::default();
        doc.set(
            &["web".into(), "replicas".into()],
            y("3"),
            Some("overlays/prod/kustomization.yaml (replicas)".into()),
        );
        doc.set(&["web".into(), "env".into(), "A".into()], y("'0755'"), None);
        doc.heading("web", "apps/Deployment web".into());
        let text = doc.write("# prod\n", "prod.yaml").unwrap();
        assert!(text.contains("# apps/Deployment web\nweb:\n  replicas: 3  # overlays/prod/kustomization.yaml (replicas)\n"), "{text}");
        assert!(
            text.contains("A: '0755'") || text.contains("A: \"0755\""),
            "{text}"
        );
    }
}
