//! Names the importer makes up: values keys (`backendApp`), template file names
//! (`deployment-backend-app.yaml`), component names (`backend.app_config`), and how a values
//! path is written in a template (`Values.backendApp.labels["app.kubernetes.io/name"]`).

use crate::engine::string_literal;

/// `backend-app-config` -> `backendAppConfig`: a values key a person would type. Anything but
/// ASCII letters and digits separates words; a key that would start with a digit gets `x`.
pub fn camel(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut upper_next = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if out.is_empty() {
                out.push(c.to_ascii_lowercase());
            } else if upper_next {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper_next = false;
        } else {
            upper_next = !out.is_empty();
        }
    }
    if out.is_empty() {
        out.push_str("object");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'x');
    }
    out
}

/// `backend-app-config` -> `backend_app_config`: a Tera identifier (component names).
pub fn snake(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("chart");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'c');
    }
    out
}

/// A file name part: lower case letters, digits, `-` and `.`; anything else becomes `-`.
pub fn file_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() {
        "object".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Words Tera reads as operators or literals: never written after a dot.
const TERA_WORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "true", "false", "True", "False", "none", "None", "loop",
    "self", "super",
];

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !TERA_WORDS.contains(&key)
}

/// How a template reads the value at `path`: `Values.a.b`, `Values.a["app.kubernetes.io/name"]`.
pub fn access(path: &[String]) -> String {
    let mut out = String::from("Values");
    for key in path {
        if is_identifier(key) {
            out.push('.');
            out.push_str(key);
        } else {
            out.push('[');
            out.push_str(&string_literal(key));
            out.push(']');
        }
    }
    out
}

/// A test of whether the value at `path` is there, that holds (false) when a map above it is
/// missing too: `Values.web?.env?.LOG_LEVEL is defined`.
pub fn defined(path: &[String]) -> String {
    let mut out = String::from("Values");
    for (i, key) in path.iter().enumerate() {
        let optional = if i == 0 { "" } else { "?" };
        if is_identifier(key) {
            out.push_str(optional);
            out.push('.');
            out.push_str(key);
        } else {
            out.push_str(optional);
            out.push('[');
            out.push_str(&string_literal(key));
            out.push(']');
        }
    }
    out.push_str(" is defined");
    out
}

/// An image reference split as charts write it: repository, tag, digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// `registry:5000/team/app:1.2@sha256:...`: the tag is after the last `:` that follows the
    /// last `/`, the digest after `@`.
    pub fn parse(image: &str) -> ImageRef {
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest.to_string())),
            None => (image, None),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        match name[last_slash..].rfind(':') {
            Some(colon) => ImageRef {
                repository: name[..last_slash + colon].to_string(),
                tag: Some(name[last_slash + colon + 1..].to_string()),
                digest,
            },
            None => ImageRef {
                repository: name.to_string(),
                tag: None,
                digest,
            },
        }
    }

    pub fn shape(&self) -> (bool, bool) {
        (self.tag.is_some(), self.digest.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_identifiers() {
        assert_eq!(camel("backend-app-config"), "backendAppConfig");
        assert_eq!(camel("my_app.v2"), "myAppV2");
        assert_eq!(camel("1st"), "x1st");
        assert_eq!(snake("Backend-App"), "backend_app");
        assert_eq!(file_part("my_App:v1"), "my_app-v1");
        assert_eq!(
            access(&["a".into(), "app.kubernetes.io/name".into(), "in".into()]),
            "Values.a[\"app.kubernetes.io/name\"][\"in\"]"
        );
    }

    #[test]
    fn image_references() {
        let r = ImageRef::parse("registry:5000/team/app:1.2@sha256:abc");
        assert_eq!(r.repository, "registry:5000/team/app");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        let r = ImageRef::parse("registry:5000/app");
        assert_eq!((r.repository.as_str(), r.tag), ("registry:5000/app", None));
    }
}
