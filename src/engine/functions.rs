//! Functions charts need: `semver_compare` (Sprig `semverCompare`), `has_api_version`
//! (`.Capabilities.APIVersions.Has`) and `lookup` (always empty: ktera never talks to a cluster).

use tera::{Kwargs, Map, State, TeraResult, Value};

pub fn register(tera: &mut tera::Tera) {
    tera.register_function("semver_compare", semver_compare);
    tera.register_function("has_api_version", has_api_version);
    tera.register_function("lookup", lookup);
}

fn semver_compare(kwargs: Kwargs, _: &State) -> TeraResult<bool> {
    let constraint = kwargs.must_get::<String>("constraint")?;
    let version = kwargs.must_get::<String>("version")?;
    crate::chart::version::matches(&constraint, &version).map_err(tera::Error::message)
}

/// True when `version` (`networking.k8s.io/v1`, or with a kind: `apps/v1/Deployment`) is in
/// `Capabilities.APIVersions`.
fn has_api_version(kwargs: Kwargs, state: &State) -> TeraResult<bool> {
    let wanted = kwargs.must_get::<String>("version")?;
    let capabilities = state.get::<Value>("Capabilities")?.ok_or_else(|| {
        tera::Error::message("has_api_version: `Capabilities` is not in the context")
    })?;
    let listed = capabilities
        .get_from_path("APIVersions")
        .and_then(Value::as_array)
        .unwrap_or(&[]);
    let group_version = match wanted.rsplit_once('/') {
        Some((gv, kind)) if kind.starts_with(|c: char| c.is_ascii_uppercase()) => Some(gv),
        _ => None,
    };
    Ok(listed
        .iter()
        .filter_map(Value::as_str)
        .any(|entry| entry == wanted || group_version.is_some_and(|gv| entry == gv)))
}

/// Helm `lookup`: with no cluster, an empty map, as `helm template` returns.
fn lookup(kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    for required in ["api_version", "kind"] {
        kwargs.must_get::<String>(required)?;
    }
    Ok(Value::from(Map::new()))
}
