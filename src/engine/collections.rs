//! Lists and maps with Sprig's meaning: `has_key`, `insert` (`set`), `remove` (`unset`),
//! `pick`, `omit`, `dig`, `merge` (mergo), `append`, `concat`, `has`, `without`, `compact`,
//! `until`, `seq`, `dict(pairs=)`, and `items`, which gives Go's order to a `for` loop.
//! Tera's values cannot change: where Sprig changes its first argument, these return the
//! changed copy, and the template rebinds the variable (`{% set d = d | insert(...) %}`).

use tera::value::Key;
use tera::{Kwargs, Map, State, TeraResult, Value};

use super::args::{describe, key_of, list, list_arg, map, required};
use super::go;
use super::register::Registry;

/// Longest list `until`, `until_step` and `seq` make, as Tera's `range`.
const MAX_LEN: i128 = 100_000;

pub fn register(r: &mut Registry) {
    r.filter("has_key", &["key"], |v, k, _| {
        let key = required::<Value>(k, "key", "has_key", r#"has_key(key="name")"#)?;
        if v.is_none() || v.is_undefined() {
            return Ok(false.into());
        }
        let m = map(&v, "has_key")?;
        Ok(key_of(&key).is_ok_and(|key| m.contains_key(&key)).into())
    });
    r.filter("insert", &["key", "value"], |v, k, _| {
        let key = required::<Value>(k, "key", "insert", r#"insert(key="k", value=v)"#)?;
        let value = required::<Value>(k, "value", "insert", r#"insert(key="k", value=v)"#)?;
        let mut m = map(&v, "insert")?.clone();
        m.insert(key_of(&key)?, value);
        Ok(m.into())
    });
    r.filter("remove", &["key"], |v, k, _| {
        let key = required::<Value>(k, "key", "remove", r#"remove(key="k")"#)?;
        let mut m = map(&v, "remove")?.clone();
        m.shift_remove(&key_of(&key)?);
        Ok(m.into())
    });
    r.filter("pick", &["keys"], |v, k, _| {
        let keys = keys_arg(k, "pick")?;
        let m = map(&v, "pick")?;
        Ok(m.iter()
            .filter(|(key, _)| keys.contains(key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect::<Map>()
            .into())
    });
    r.filter("omit", &["keys"], |v, k, _| {
        let keys = keys_arg(k, "omit")?;
        let m = map(&v, "omit")?;
        Ok(m.iter()
            .filter(|(key, _)| !keys.contains(key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect::<Map>()
            .into())
    });
    r.filter("dig", &["keys", "default"], dig);
    r.filter("merge", &["sources", "overwrite"], |v, k, _| {
        let sources = list_arg(k, "sources", "merge", "merge(sources=[Values.a])")?;
        let overwrite = k.get::<bool>("overwrite")?.unwrap_or(false);
        let mut dst = map(&v, "merge")?.clone();
        for (i, source) in sources.iter().enumerate() {
            if source.is_none() {
                continue;
            }
            let source = source.as_map().ok_or_else(|| {
                tera::Error::message(format!(
                    "`merge`: source {i} is {}, not a map",
                    describe(source)
                ))
            })?;
            merge_into(&mut dst, source, overwrite);
        }
        Ok(dst.into())
    });
    r.filter("append", &["value"], |v, k, _| {
        let value = required::<Value>(k, "value", "append", "append(value=x)")?;
        let mut items = list(&v, "append")?.to_vec();
        items.push(value);
        Ok(items.into())
    });
    r.filter("prepend", &["value"], |v, k, _| {
        let value = required::<Value>(k, "value", "prepend", "prepend(value=x)")?;
        let mut items = Vec::with_capacity(list(&v, "prepend")?.len() + 1);
        items.push(value);
        items.extend_from_slice(list(&v, "prepend")?);
        Ok(items.into())
    });
    r.function("concat", &["lists"], |k, _| {
        let lists = list_arg(k, "lists", "concat", "concat(lists=[a, b])")?;
        let mut out = Vec::new();
        for item in &lists {
            out.extend_from_slice(list(item, "concat")?);
        }
        Ok(out.into())
    });
    r.filter("has", &["value"], |v, k, _| {
        let wanted = required::<Value>(k, "value", "has", "has(value=x)")?;
        if v.is_none() || v.is_undefined() {
            return Ok(false.into());
        }
        Ok(list(&v, "has")?.contains(&wanted).into())
    });
    r.filter("without", &["values"], |v, k, _| {
        let unwanted = list_arg(k, "values", "without", "without(values=[x])")?;
        Ok(list(&v, "without")?
            .iter()
            .filter(|item| !unwanted.contains(item))
            .cloned()
            .collect::<Vec<_>>()
            .into())
    });
    r.filter("compact", &[], |v, _, _| {
        Ok(list(&v, "compact")?
            .iter()
            .filter(|item| !go::is_empty(item))
            .cloned()
            .collect::<Vec<_>>()
            .into())
    });
    r.function("until", &["count"], |k, _| {
        let count = required::<i64>(k, "count", "until", "until(count=3)")?;
        let step = if count < 0 { -1 } else { 1 };
        until_step(0, i128::from(count), step)
    });
    r.function("until_step", &["start", "stop", "step"], |k, _| {
        let example = "until_step(start=0, stop=10, step=2)";
        let start = required::<i64>(k, "start", "until_step", example)?;
        let stop = required::<i64>(k, "stop", "until_step", example)?;
        let step = required::<i64>(k, "step", "until_step", example)?;
        until_step(start.into(), stop.into(), step.into())
    });
    r.function("seq", &["values"], |k, _| {
        let values = list_arg(k, "values", "seq", "seq(values=[1, 5])")?;
        seq(&values)
    });
    r.filter("items", &[], items);
    r.function("dict", &["pairs"], |k, _| {
        let pairs = list_arg(k, "pairs", "dict", r#"dict(pairs=["a", 1, "b", 2])"#)?;
        let mut m = Map::new();
        for pair in pairs.chunks(2) {
            let key = go::strval(&pair[0]);
            let value = pair.get(1).cloned().unwrap_or_else(|| Value::from(""));
            m.insert(Key::from(key), value);
        }
        Ok(m.into())
    });
}

fn keys_arg(k: &Kwargs, name: &str) -> TeraResult<Vec<Key<'static>>> {
    let example = format!(r#"{name}(keys=["a", "b"])"#);
    list_arg(k, "keys", name, &example)?
        .iter()
        .map(key_of)
        .collect()
}

/// Sprig `dig k1 k2 d m`: follows `keys` through nested maps; `default` when a key is missing.
/// A value on the way that is not a map (null included) fails, as Sprig does.
fn dig(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let example = r#"dig(keys=["a", "b"], default="")"#;
    let keys = list_arg(k, "keys", "dig", example)?;
    let default = required::<Value>(k, "default", "dig", example)?;
    let mut current = v;
    for (i, key) in keys.iter().enumerate() {
        let m = current.as_map().ok_or_else(|| {
            tera::Error::message(format!(
                "`dig`: {} is {}, not a map",
                if i == 0 {
                    "the value".to_string()
                } else {
                    format!("the value at `{}`", go::strval(&keys[i - 1]))
                },
                describe(&current)
            ))
        })?;
        match m.get(&key_of(key)?) {
            Some(found) => current = found.clone(),
            None => return Ok(default),
        }
    }
    Ok(current)
}

/// mergo's `Merge` (`overwrite`: `MergeWithOverwrite`) of `source` into `dst`, as Sprig's
/// `merge` and `mergeOverwrite` call it.
fn merge_into(dst: &mut Map, source: &Map, overwrite: bool) {
    for (key, value) in source {
        let Some(existing) = dst.get_mut(key) else {
            dst.insert(key.clone(), value.clone());
            continue;
        };
        match (existing.as_map(), value.as_map()) {
            (Some(into), Some(from)) => {
                // Maps merge key by key (an empty source map changes nothing).
                let mut merged = into.clone();
                merge_into(&mut merged, from, overwrite);
                *existing = merged.into();
            }
            // A null source value is skipped by `merge` and copied by `mergeOverwrite`.
            _ if value.is_none() && !overwrite => {}
            _ if overwrite || go::is_empty(existing) => *existing = value.clone(),
            _ => {}
        }
    }
}

/// Sprig `untilStep`: from `start` towards `stop` (excluded) by `step`; empty when the step
/// goes the other way or is 0.
fn until_step(start: i128, stop: i128, step: i128) -> TeraResult<Value> {
    let mut out = Vec::new();
    if step == 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop) {
        return Ok(Value::from(out));
    }
    let len = ((stop - start).abs() + step.abs() - 1) / step.abs();
    if len > MAX_LEN {
        return Err(tera::Error::message(format!(
            "`until`: {len} numbers is more than the {MAX_LEN} allowed"
        )));
    }
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(Value::from(i));
        i += step;
    }
    Ok(out.into())
}

/// Sprig `seq`, the Unix `seq`: `[end]`, `[start, end]` or `[start, step, end]`, as the
/// numbers joined by spaces.
fn seq(values: &[Value]) -> TeraResult<Value> {
    let n: Vec<i128> = values.iter().map(|v| i128::from(go::to_int64(v))).collect();
    let (start, step, end) = match n.as_slice() {
        [] => return Ok(Value::from("")),
        [end] => (1, if *end < 1 { -1 } else { 1 }, *end),
        [start, end] => (*start, if end < start { -1 } else { 1 }, *end),
        [start, step, end] => (*start, *step, *end),
        _ => {
            return Err(tera::Error::message(
                "`seq` takes 1, 2 or 3 numbers: seq(values=[end]), [start, end] or [start, step, end]",
            ));
        }
    };
    // As Sprig: a step that goes the wrong way gives nothing; `end` is included.
    let stop = if step > 0 { end + 1 } else { end - 1 };
    let numbers = until_step(start, stop, step)?;
    let parts: Vec<String> = numbers
        .as_array()
        .unwrap_or(&[])
        .iter()
        .map(go::strval)
        .collect();
    Ok(parts.join(" ").into())
}

/// What Go's `range` goes over, as a map for Tera's `for key, value in ...`, in Go's order:
/// a map's keys sorted (strings by bytes, numbers numerically), a list's indexes, 0..n for an
/// integer n, nothing for null or undefined. A string or anything else fails, as in Go.
fn items(v: Value, _: &Kwargs, _: &State) -> TeraResult<Value> {
    if v.is_none() || v.is_undefined() {
        return Ok(Map::new().into());
    }
    if let Some(m) = v.as_map() {
        return Ok(go::sorted_entries(m)
            .into_iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect::<Map>()
            .into());
    }
    if let Some(list) = v.as_array() {
        return Ok(list
            .iter()
            .enumerate()
            .map(|(i, value)| (Key::U64(i as u64), value.clone()))
            .collect::<Map>()
            .into());
    }
    if !v.is_f64()
        && let Some(n) = v.as_i64()
    {
        if i128::from(n) > MAX_LEN {
            return Err(tera::Error::message(format!(
                "`items`: {n} numbers is more than the {MAX_LEN} allowed"
            )));
        }
        return Ok((0..n.max(0) as u64)
            .map(|i| (Key::U64(i), Value::from(i)))
            .collect::<Map>()
            .into());
    }
    Err(tera::Error::message(format!(
        "`items` needs a map, a list or an integer to loop over, not {}",
        describe(&v)
    )))
}
