//! Structural equality of YAML values for tests and fuzz targets (a module of
//! `tests/cli/common/mod.rs`, included by path from `fuzz/src/lib.rs`).

use serde_yaml::Value;

/// Structural equality where NaN equals NaN, floats compare by bits (so `-0.0` stays `-0.0`),
/// integers never equal floats and mapping order matters.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(p), Some(q)) if x.is_f64() && y.is_f64() => {
                (p.is_nan() && q.is_nan()) || p.to_bits() == q.to_bits()
            }
            _ => !x.is_f64() && !y.is_f64() && x == y,
        },
        (Value::Sequence(x), Value::Sequence(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Mapping(x), Value::Mapping(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| same(k1, k2) && same(v1, v2))
        }
        (Value::Tagged(x), Value::Tagged(y)) => x.tag == y.tag && same(&x.value, &y.value),
        _ => a == b,
    }
}
