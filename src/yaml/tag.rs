//! Local tags (`!name`) of `Value::Tagged`.

use serde_yaml::value::Tag;
use std::fmt::Write as _;

/// Writes `!name`. Bytes outside a small URI-safe set are percent-encoded (readers decode
/// `%XX` in tags); a raw `!` inside would turn the tag into an undefined named handle.
pub(crate) fn write_tag(tag: &Tag, out: &mut String) {
    let start = out.len();
    // `Tag`'s Display is `!` followed by the name without its optional leading `!`.
    let _ = write!(out, "{tag}");
    let name_start = start + 1;
    if out.len() > name_start && out.as_bytes()[name_start..].iter().all(|&b| is_tag_safe(b)) {
        return;
    }
    let name = out.split_off(name_start);
    for b in name.bytes() {
        if is_tag_safe(b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn is_tag_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str) -> String {
        let mut out = String::new();
        write_tag(&Tag::new(name), &mut out);
        out
    }

    #[test]
    fn plain_and_encoded_tags() {
        assert_eq!(tag("Thing"), "!Thing");
        assert_eq!(tag("!Thing"), "!Thing");
        assert_eq!(tag("k8s.io/v1"), "!k8s.io/v1");
        assert_eq!(tag("a b!c"), "!a%20b%21c");
        assert_eq!(tag("é"), "!%C3%A9");
    }
}
