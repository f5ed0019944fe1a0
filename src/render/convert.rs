//! Conversions between the project's value type (`serde_yaml::Value`) and Tera's `Value`.

use tera::Value as TeraValue;

/// Values and chart data as a Tera value; maps keep their written key order (`preserve_order`).
pub fn to_tera(value: &serde_yaml::Value) -> TeraValue {
    TeraValue::from_serializable(value)
}

/// A Tera value (a filter's input) as a YAML value, for `to_yaml`/`to_json`.
pub fn from_tera(value: &TeraValue) -> Result<serde_yaml::Value, tera::Error> {
    if value.is_undefined() {
        return Err(tera::Error::message(
            "the value is undefined; give it a default with `| default(value=...)`",
        ));
    }
    serde_yaml::to_value(value)
        .map_err(|e| tera::Error::message(format!("cannot convert the value: {e}")))
}
