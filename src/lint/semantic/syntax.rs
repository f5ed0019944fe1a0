//! Kubernetes' name and label syntaxes (k8s.io/apimachinery/pkg/util/validation), each
//! returning why a string does not fit, in the words the API server uses.

use crate::error::Error;

const LABEL_MAX: usize = 63;
const SUBDOMAIN_MAX: usize = 253;

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// RFC 1123 label: Namespace names, container names.
pub fn dns1123_label(s: &str) -> Result<(), Error> {
    let ok = !s.is_empty()
        && s.len() <= LABEL_MAX
        && s.chars().all(|c| is_lower_alnum(c) || c == '-')
        && s.starts_with(is_lower_alnum)
        && s.ends_with(is_lower_alnum);
    if ok {
        Ok(())
    } else if s.len() > LABEL_MAX {
        Err(Error::input(format!(
            "must be no more than {LABEL_MAX} characters (it has {})",
            s.len()
        )))
    } else {
        Err(Error::input(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')",
        ))
    }
}

/// RFC 1123 subdomain: the names of most kinds.
pub fn dns1123_subdomain(s: &str) -> Result<(), Error> {
    if s.len() > SUBDOMAIN_MAX {
        return Err(Error::input(format!(
            "must be no more than {SUBDOMAIN_MAX} characters (it has {})",
            s.len()
        )));
    }
    let ok = !s.is_empty()
        && s.split('.').all(|part| {
            !part.is_empty()
                && part.chars().all(|c| is_lower_alnum(c) || c == '-')
                && part.starts_with(is_lower_alnum)
                && part.ends_with(is_lower_alnum)
        });
    if ok {
        Ok(())
    } else {
        Err(Error::input(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')",
        ))
    }
}

/// RFC 1035 label: Service names (they become DNS names and environment variables).
pub fn dns1035_label(s: &str) -> Result<(), Error> {
    match dns1123_label(s) {
        Ok(()) if s.starts_with(|c: char| c.is_ascii_lowercase()) => Ok(()),
        Err(e) if s.len() > LABEL_MAX => Err(e),
        _ => Err(Error::input(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')",
        )),
    }
}

/// RBAC object names: anything that can be one segment of a URL path.
pub fn path_segment_name(s: &str) -> Result<(), Error> {
    if s.is_empty() || s == "." || s == ".." {
        Err(Error::input(format!("may not be {s:?}")))
    } else if s.contains(['/', '%']) {
        Err(Error::input("may not contain '/' or '%'"))
    } else {
        Ok(())
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

fn label_name_part(s: &str) -> Result<(), Error> {
    let ok = !s.is_empty()
        && s.len() <= LABEL_MAX
        && s.chars().all(is_name_char)
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else if s.len() > LABEL_MAX {
        Err(Error::input(format!(
            "the name part must be no more than {LABEL_MAX} characters"
        )))
    } else {
        Err(Error::input(
            "the name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')",
        ))
    }
}

/// A label or annotation key: an optional DNS-subdomain prefix and `/`, then a name.
pub fn label_key(s: &str) -> Result<(), Error> {
    match s.split_once('/') {
        Some((prefix, name)) => {
            dns1123_subdomain(prefix).map_err(|e| e.prefixed("the prefix"))?;
            label_name_part(name)
        }
        None => label_name_part(s),
    }
}

/// A label value: empty, or like a key's name part.
pub fn label_value(s: &str) -> Result<(), Error> {
    if s.is_empty() {
        return Ok(());
    }
    label_name_part(s)
        .map_err(|e| Error::input(e.message().replacen("the name part", "a label value", 1)))
}

/// IANA service name: container port names, which Services and probes refer to.
pub fn port_name(s: &str) -> Result<(), Error> {
    let ok = !s.is_empty()
        && s.len() <= 15
        && s.chars().all(|c| is_lower_alnum(c) || c == '-')
        && s.chars().any(|c| c.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    if ok {
        Ok(())
    } else {
        Err(Error::input(
            "a port name must be at most 15 lowercase letters, digits or '-', with at least one letter, and no '-' at either end or twice in a row",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(dns1123_subdomain("backend-app").is_ok());
        assert!(dns1123_subdomain("a.b-c.d").is_ok());
        assert!(dns1123_subdomain("Backend_App").is_err());
        assert!(dns1123_subdomain("-a").is_err());
        assert!(dns1123_subdomain("a..b").is_err());
        assert!(dns1123_label("a.b").is_err());
        assert!(dns1123_label(&"a".repeat(64)).is_err());
        assert!(dns1035_label("1abc").is_err());
        assert!(dns1035_label("abc-1").is_ok());
        assert!(path_segment_name("system:controller:x").is_ok());
        assert!(path_segment_name("a/b").is_err());
    }

    #[test]
    fn labels() {
        assert!(label_key("app.kubernetes.io/name").is_ok());
        assert!(label_key("app").is_ok());
        assert!(label_key("Example.com/x").is_err());
        assert!(label_key("a/b/c").is_err());
        assert!(label_key("-app").is_err());
        assert!(label_value("").is_ok());
        assert!(label_value("v1.2_3-x").is_ok());
        assert!(label_value("has space").is_err());
        assert!(label_value(&"x".repeat(64)).is_err());
    }

    #[test]
    fn port_names() {
        assert!(port_name("http").is_ok());
        assert!(port_name("http-metrics").is_ok());
        assert!(port_name("8080").is_err());
        assert!(port_name("a--b").is_err());
        assert!(port_name("averyveryverylongname").is_err());
    }
}
