//! Subcharts' values, as Helm computes them: a subchart is enabled by its `condition` (the first
//! listed path that exists decides) or its `tags`; it sees its own `values.yaml` overridden by the
//! parent's `<name or alias>:` map, plus the parent's `global` copied down; `import-values`
//! copies a child's values up into the parent, under the parent's own values.

use serde_yaml::{Mapping, Value};

use super::{Chart, ImportValue, Subchart};
use crate::error::Error;
use crate::values;

/// One chart of the tree, with the values it renders with.
#[derive(Debug)]
pub struct Resolved<'a> {
    pub chart: &'a Chart,
    /// `backend` for the top chart, `backend/charts/cache` for its subchart `cache`.
    pub source_base: String,
    pub values: Value,
}

/// Resolves the values of `chart` (already merged with the user's values) and of every enabled
/// subchart below it, parent first.
pub fn resolve<'a>(chart: &'a Chart, values: Value) -> Result<Vec<Resolved<'a>>, Error> {
    let mut out = Vec::new();
    let values = resolve_into(chart, values, chart.name.clone(), &mut out)?;
    out.insert(
        0,
        Resolved {
            chart,
            source_base: chart.name.clone(),
            values,
        },
    );
    Ok(out)
}

fn resolve_into<'a>(
    chart: &'a Chart,
    mut values: Value,
    source_base: String,
    out: &mut Vec<Resolved<'a>>,
) -> Result<Value, Error> {
    for sub in &chart.subcharts {
        if !enabled(sub, &values) {
            continue;
        }
        let mut sub_values = sub.chart.values.clone();
        if let Some(user @ Value::Mapping(_)) = get(&values, &sub.name).cloned() {
            values::merge(&mut sub_values, user);
        }
        copy_globals(&values, &mut sub_values);
        if let Some(schema) = &sub.chart.schema {
            schema.validate(&sub_values)?;
        }
        let base = format!("{source_base}/charts/{}", sub.chart.name);
        let mut children = Vec::new();
        let sub_values = resolve_into(&sub.chart, sub_values, base.clone(), &mut children)?;
        import_values(sub, &sub_values, &mut values);
        set(&mut values, &sub.name, sub_values.clone());
        out.push(Resolved {
            chart: &sub.chart,
            source_base: base,
            values: sub_values,
        });
        out.extend(children);
    }
    Ok(values)
}

/// Helm's rule: a condition path that exists and is a boolean decides; otherwise the tags do
/// (any true tag enables, all-false disables); otherwise the subchart is enabled.
fn enabled(sub: &Subchart, values: &Value) -> bool {
    let Some(dep) = &sub.dependency else {
        return true;
    };
    if let Some(condition) = &dep.condition {
        for path in condition
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            if let Some(Value::Bool(b)) = get_path(values, path) {
                return *b;
            }
        }
    }
    let tag_values: Vec<bool> = dep
        .tags
        .iter()
        .filter_map(|t| get(values, "tags").and_then(|tags| get(tags, t)))
        .filter_map(Value::as_bool)
        .collect();
    tag_values.is_empty() || tag_values.iter().any(|b| *b)
}

/// The parent's `global` wins over the subchart's own `global` defaults.
fn copy_globals(parent: &Value, sub_values: &mut Value) {
    let Some(parent_global @ Value::Mapping(_)) = get(parent, "global").cloned() else {
        return;
    };
    let mut global = match get(sub_values, "global") {
        Some(g @ Value::Mapping(_)) => g.clone(),
        _ => Value::Mapping(Mapping::new()),
    };
    values::merge(&mut global, parent_global);
    set(sub_values, "global", global);
}

/// Copies the child's values up; what the parent already sets wins.
fn import_values(sub: &Subchart, child: &Value, parent: &mut Value) {
    let Some(dep) = &sub.dependency else { return };
    for import in &dep.import_values {
        let (child_path, parent_path) = match import {
            ImportValue::Exported(name) => (format!("exports.{name}"), String::new()),
            ImportValue::Mapped { child, parent } => (child.clone(), parent.clone()),
        };
        let Some(imported) = get_path(child, &child_path).cloned() else {
            continue;
        };
        let existing = if parent_path.is_empty() {
            Some(parent.clone())
        } else {
            get_path(parent, &parent_path).cloned()
        };
        let mut merged = imported;
        if let Some(existing) = existing {
            values::merge(&mut merged, existing);
        }
        if parent_path.is_empty() {
            if merged.is_mapping() {
                *parent = merged;
            }
        } else {
            set_path(parent, &parent_path, merged);
        }
    }
}

fn get<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value.as_mapping()?.get(key)
}

fn get_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.')
        .filter(|p| !p.is_empty())
        .try_fold(value, |v, key| get(v, key))
}

fn set(value: &mut Value, key: &str, new: Value) {
    if !value.is_mapping() {
        *value = Value::Mapping(Mapping::new());
    }
    if let Value::Mapping(m) = value {
        m.insert(Value::String(key.to_string()), new);
    }
}

fn set_path(value: &mut Value, path: &str, new: Value) {
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let Some((last, dirs)) = parts.split_last() else {
        return;
    };
    let mut cur = value;
    for key in dirs {
        if !matches!(get(cur, key), Some(Value::Mapping(_))) {
            set(cur, key, Value::Mapping(Mapping::new()));
        }
        let Some(next) = cur.as_mapping_mut().and_then(|m| m.get_mut(*key)) else {
            return;
        };
        cur = next;
    }
    set(cur, last, new);
}
