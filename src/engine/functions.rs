//! Helm's functions that are not about strings or collections: `semver`, `semver_compare`,
//! `has_api_version` (`.Capabilities.APIVersions.Has`), `lookup` (always empty: ktera never
//! talks to a cluster) and `htpasswd`; and `kustomize_hash`, the name suffix Kustomize gives a
//! generated ConfigMap or Secret.

use sha2::Digest as _;
use tera::value::Key;
use tera::{Map, State, TeraResult, Value};

use super::args::required;
use super::register::Registry;
use crate::chart::version;

pub fn register(r: &mut Registry) {
    r.function("semver", &["version"], |k, _| {
        let text = required::<String>(k, "version", "semver", r#"semver(version="1.2.3")"#)?;
        let v =
            version::parse(&text).map_err(|e| tera::Error::message(format!("`semver`: {e}")))?;
        Ok(semver_map(&v, Some(&text)))
    });
    // Masterminds' argument-free `IncMajor`, `IncMinor`, `IncPatch`. They return a `Version`
    // value, on which Helm's templates cannot call the pointer methods (`Original`, `Compare`):
    // the map has no `Original`.
    r.filter("semver_inc", &["part"], |value, k, _| {
        let example = r#"semver(version="1.2.3") | semver_inc(part="minor")"#;
        let part = required::<String>(k, "part", "semver_inc", example)?;
        let mut v = semver_value(&value, "semver_inc")?;
        let release = v.pre.is_empty();
        match part.as_str() {
            // Go's uint64 parts wrap past the largest number, as Helm's do.
            "major" => (v.major, v.minor, v.patch) = (v.major.wrapping_add(1), 0, 0),
            "minor" => (v.minor, v.patch) = (v.minor.wrapping_add(1), 0),
            // A prerelease's next patch is its release (1.2.3-rc.1 -> 1.2.3).
            "patch" if release => v.patch = v.patch.wrapping_add(1),
            "patch" => {}
            other => {
                return Err(tera::Error::message(format!(
                    "`semver_inc`: `part` is `major`, `minor` or `patch`, not `{other}`"
                )));
            }
        }
        v.pre = semver::Prerelease::EMPTY;
        v.build = semver::BuildMetadata::EMPTY;
        Ok(semver_map(&v, None))
    });
    r.function("semver_order", &["left", "right"], |k, _| {
        let example = r#"semver_order(left=semver(version="1.2.3"), right="1.3.0")"#;
        let left = required::<Value>(k, "left", "semver_order", example)?;
        let right = required::<Value>(k, "right", "semver_order", example)?;
        let (left, right) = (
            semver_value(&left, "semver_order")?,
            semver_value(&right, "semver_order")?,
        );
        // Masterminds' `Compare`: build metadata does not count.
        Ok(Value::from(match left.cmp_precedence(&right) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        }))
    });
    r.function("semver_compare", &["constraint", "version"], |k, _| {
        let example =
            r#"semver_compare(constraint=">=1.19-0", version=Capabilities.KubeVersion.Version)"#;
        let constraint = required::<String>(k, "constraint", "semver_compare", example)?;
        let v = required::<String>(k, "version", "semver_compare", example)?;
        version::matches(&constraint, &v)
            .map(Value::from)
            .map_err(|e| tera::Error::message(format!("`semver_compare`: {e}")))
    });
    r.function(
        "has_api_version",
        &["version", "api_versions"],
        has_api_version,
    );
    r.function(
        "lookup",
        &["api_version", "kind", "namespace", "name"],
        |k, _| {
            let example = r#"lookup(api_version="v1", kind="Secret", namespace="ns", name="n")"#;
            required::<String>(k, "api_version", "lookup", example)?;
            required::<String>(k, "kind", "lookup", example)?;
            Ok(Map::new().into())
        },
    );
    r.function("kustomize_hash", &["object"], |k, _| {
        let example = r#"kustomize_hash(object={"kind": "ConfigMap", "data": data})"#;
        let object = required::<Value>(k, "object", "kustomize_hash", example)?;
        let object = super::convert::from_tera(&object)?;
        crate::kustomize::name_hash(&object).map(Value::from).ok_or_else(|| {
            tera::Error::message(
                "`kustomize_hash`: `object` must be a map with `kind: ConfigMap` or `kind: Secret`",
            )
        })
    });
    r.function("htpasswd", &["username", "password"], |k, _| {
        let example = r#"htpasswd(username="admin", password=Values.password)"#;
        let username = required::<String>(k, "username", "htpasswd", example)?;
        let password = required::<String>(k, "password", "htpasswd", example)?;
        htpasswd(&username, &password).map(Value::from)
    });
}

/// Keys of the map `semver` gives for a version (Masterminds' method names), `Original` only
/// when the version was parsed from text.
const SEMVER_KEYS: [&str; 7] = [
    "Major",
    "Minor",
    "Patch",
    "Prerelease",
    "Metadata",
    "Original",
    "String",
];

fn semver_map(v: &semver::Version, original: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("Major".into(), v.major.into());
    m.insert("Minor".into(), v.minor.into());
    m.insert("Patch".into(), v.patch.into());
    m.insert("Prerelease".into(), v.pre.as_str().into());
    m.insert("Metadata".into(), v.build.as_str().into());
    if let Some(original) = original {
        m.insert("Original".into(), original.into());
    }
    // Go's `Version.String`, what Helm prints for a semver value.
    m.insert("String".into(), v.to_string().into());
    m.into()
}

/// The text of a version `semver` or `semver_inc` gave: Helm prints, quotes and serialises a
/// Masterminds `Version` as its `String`, so `%v`, `to_json` and `to_yaml` write this instead
/// of the map. A map is taken for one when it holds exactly the keys `semver` writes.
pub fn semver_text(value: &Value) -> Option<&str> {
    let map = value.as_map()?;
    if !(6..=7).contains(&map.len()) {
        return None;
    }
    let text = map.get(&Key::Str("String"))?.as_str()?;
    let has = |key: &'static str| map.contains_key(&Key::Str(key));
    let known = SEMVER_KEYS.iter().filter(|k| has(k)).count();
    (known == map.len() && has("Major") && has("Original") == (map.len() == 7)).then_some(text)
}

/// Go's kind and type of a version `semver` (a `*Version`) or `semver_inc` (a `Version`) gave,
/// as `kindOf`, `typeOf` and `printf "%T"` name them.
pub fn semver_go_type(value: &Value) -> Option<(&'static str, &'static str)> {
    semver_text(value)?;
    let pointer = value
        .as_map()
        .is_some_and(|m| m.contains_key(&Key::Str("Original")));
    Some(if pointer {
        ("ptr", "*semver.Version")
    } else {
        ("struct", "semver.Version")
    })
}

/// A version from `semver(...)`'s map or from its text.
fn semver_value(value: &Value, function: &str) -> TeraResult<semver::Version> {
    let text = match semver_text(value) {
        Some(text) => text.to_string(),
        None => value.as_str().map(str::to_string).ok_or_else(|| {
            tera::Error::message(format!(
                "`{function}` takes a version: give it `semver(version=...)` or a version's text, not {}",
                super::args::describe(value)
            ))
        })?,
    };
    version::parse(&text).map_err(|e| tera::Error::message(format!("`{function}`: {e}")))
}

/// True when `version` (`networking.k8s.io/v1`, `monitoring.coreos.com/v1/ServiceMonitor`) is
/// listed in `Capabilities.APIVersions`, exactly, as Helm's `APIVersions.Has` checks it (`helm
/// template` lists group/versions only, so `apps/v1/Deployment` is false unless given with
/// `--api-versions`).
fn has_api_version(k: &tera::Kwargs, state: &State) -> TeraResult<Value> {
    let wanted = required::<String>(
        k,
        "version",
        "has_api_version",
        r#"has_api_version(version="networking.k8s.io/v1")"#,
    )?;
    // `api_versions=`: the list of another top-level object than the template's own (a
    // component given `context.Capabilities.APIVersions`).
    let listed = match k.get::<Value>("api_versions")? {
        Some(given) => given,
        None => state
            .get::<Value>("Capabilities")?
            .ok_or_else(|| {
                tera::Error::message(
                    "`has_api_version`: `Capabilities` is not in the context; pass the list as `api_versions=`",
                )
            })?
            .get_from_path("APIVersions")
            .cloned()
            .unwrap_or_else(|| Value::from(Vec::<Value>::new())),
    };
    Ok(listed
        .as_array()
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_str)
        .any(|entry| entry == wanted)
        .into())
}

/// Sprig `htpasswd`: `user:` and a bcrypt hash (cost 10, `$2a$`) of the password. Sprig salts
/// at random; ktera derives the salt from the user and password so that output stays the same
/// from render to render, and the hash still verifies.
fn htpasswd(username: &str, password: &str) -> TeraResult<String> {
    if username.contains(':') {
        return Err(tera::Error::message(format!(
            "`htpasswd`: invalid username: {username}"
        )));
    }
    let digest = sha2::Sha256::digest(format!("{username}\0{password}").as_bytes());
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&digest[..16]);
    let hash = bcrypt::hash_with_salt(password, 10, salt)
        .map_err(|e| tera::Error::message(format!("`htpasswd`: {e}")))?;
    Ok(format!(
        "{username}:{}",
        hash.format_for_version(bcrypt::Version::TwoA)
    ))
}

#[cfg(test)]
mod tests {
    use super::{htpasswd, semver_map, semver_text};
    use tera::{Map, Value};

    /// Only the maps `semver` and `semver_inc` make print as a version; a user's map with a
    /// `String` key stays a map.
    #[test]
    fn a_version_is_told_from_other_maps() {
        let v = semver::Version::parse("1.2.3-rc.1").expect("version");
        assert_eq!(
            semver_text(&semver_map(&v, Some("v1.2.3-rc.1"))),
            Some("1.2.3-rc.1")
        );
        assert_eq!(semver_text(&semver_map(&v, None)), Some("1.2.3-rc.1"));
        let mut user = Map::new();
        for key in ["Major", "Minor", "Patch", "Prerelease", "Metadata", "Name"] {
            user.insert(key.into(), Value::from(1));
        }
        user.insert("String".into(), Value::from("x"));
        assert_eq!(semver_text(&Value::from(user)), None);
        let mut small = Map::new();
        small.insert("String".into(), Value::from("x"));
        assert_eq!(semver_text(&Value::from(small)), None);
    }

    #[test]
    fn htpasswd_verifies_and_is_stable() {
        let line = htpasswd("admin", "secret").expect("hash");
        let (user, hash) = line.split_once(':').expect("user:hash");
        assert_eq!(user, "admin");
        assert!(hash.starts_with("$2a$10$"));
        assert!(bcrypt::verify("secret", hash).expect("valid hash"));
        assert_eq!(htpasswd("admin", "secret").expect("hash"), line);
        assert!(htpasswd("a:b", "x").is_err());
    }
}
