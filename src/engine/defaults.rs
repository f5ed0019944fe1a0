//! Empty values and what stands in for them, with Helm's meaning: `default` (replaces every
//! empty value, not only undefined ones), `coalesce`, `required`, `or_empty`, and `supply`,
//! which stops a render where Helm would make up a random or time-dependent value. Also the
//! type names Helm's `kindOf` and `typeOf` give.

use tera::Value;

use super::args::{list_arg, required};
use super::go;
use super::register::Registry;

/// What Go's templates print for a missing value or nil; Helm deletes it from every template's
/// output and from `tpl`'s result, nowhere else.
pub const NO_VALUE: &str = "<no value>";

/// Helm's last step on a rendered template or `tpl` result.
pub fn drop_no_value(text: String) -> String {
    if text.contains(NO_VALUE) {
        text.replace(NO_VALUE, "")
    } else {
        text
    }
}

pub fn register(r: &mut Registry) {
    // `boolean` is Tera's switch between "undefined only" and "any empty value"; ktera's
    // `default` is always the latter, as Helm's, and accepts the switch for compatibility.
    r.filter("default", &["value", "boolean"], |v, k, _| {
        let fallback = required::<Value>(k, "value", "default", r#"default(value="x")"#)?;
        Ok(if go::is_empty(&v) { fallback } else { v })
    });
    r.function("coalesce", &["values"], |k, _| {
        let values = list_arg(k, "values", "coalesce", "coalesce(values=[a, b])")?;
        Ok(values
            .into_iter()
            .find(|v| !go::is_empty(v))
            .unwrap_or_else(Value::none))
    });
    r.filter("required", &["message"], |v, k, _| {
        let missing = v.is_undefined() || v.is_none() || v.as_str().is_some_and(str::is_empty);
        if missing {
            let message = k
                .get::<String>("message")?
                .unwrap_or_else(|| "a required value is missing".to_string());
            return Err(tera::Error::message(message));
        }
        Ok(v)
    });
    // What Go prints for a value: Go's `<no value>` for a missing value or null, which every
    // template's output and `tpl`'s result drop (as Helm does) while a component's output and
    // `include_file` keep it (a checksum of a file printing a null value is Helm's); lists,
    // maps and floats as Go writes them (`[a b]`, `map[k:v]`, `1` for 1.0, `1e+06`), anything
    // else as Tera prints it.
    r.filter("or_empty", &[], |v, _, _| {
        Ok(if v.is_none() || v.is_undefined() {
            Value::from(NO_VALUE)
        } else if v.is_array() || v.is_map() || v.is_f64() {
            Value::from(go::strval(&v))
        } else {
            v
        })
    });
    // A missing value as null: Go's templates have no "undefined", a missing key is nil (so
    // Helm's `toYaml` of a missing value writes `null`).
    r.filter("or_none", &[], |v, _, _| {
        Ok(if v.is_undefined() { Value::none() } else { v })
    });
    r.function("supply", &["value", "instead_of"], |k, _| {
        let example = r#"supply(value="auth.password", instead_of="randAlphaNum 10")"#;
        let value = required::<String>(k, "value", "supply", example)?;
        let instead_of = required::<String>(k, "instead_of", "supply", example)?;
        Err(tera::Error::message(format!(
            "this chart makes {value} with {instead_of}, which gives a new value on every render; \
             ktera renders the same output every time: set {value} in a values file (-f) or with --set"
        )))
    });
    r.function("kind_of", &["value"], |k, _| {
        Ok(kind_of(&required::<Value>(
            k,
            "value",
            "kind_of",
            "kind_of(value=x)",
        )?)
        .into())
    });
    r.function("type_of", &["value"], |k, _| {
        Ok(type_of(&required::<Value>(
            k,
            "value",
            "type_of",
            "type_of(value=x)",
        )?)
        .into())
    });
}

/// Helm's `kindOf` of what a values file holds: every number is a `float64` there.
fn kind_of(value: &Value) -> &'static str {
    if let Some((kind, _)) = super::functions::semver_go_type(value) {
        kind
    } else if value.is_none() || value.is_undefined() {
        "invalid"
    } else if value.is_string() {
        "string"
    } else if value.is_bool() {
        "bool"
    } else if value.is_number() {
        "float64"
    } else if value.is_array() {
        "slice"
    } else if value.is_map() {
        "map"
    } else {
        "slice"
    }
}

/// Helm's `typeOf` of what a values file holds: Go's type name, where every number is a
/// `float64`.
fn type_of(value: &Value) -> &'static str {
    if value.is_number() {
        "float64"
    } else {
        super::printf::type_name(value)
    }
}
