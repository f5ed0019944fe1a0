//! Image references of every container (containers, init and ephemeral containers of Pods and
//! of workloads' pod templates). The API server stores any non-empty string, but the kubelet
//! parses it as a Docker reference and, when it cannot, reports `InvalidImageName` and never
//! starts the pod: an invalid reference is an error (`nginx:` from an empty tag value, an
//! upper-case repository, a malformed digest). A valid one without a tag, or with `:latest`, is
//! a warning: it changes under you.
//!
//! The grammar is distribution/reference's, which the kubelet uses (`ParseNormalizedNamed`).
//! Its regular expression comes from the `oci-spec` crate (through `oci-client`, already here for
//! the registry commands); around it, this module adds what `ParseNormalizedNamed` checks
//! beyond that expression and oci-spec does not: a bare 64-hex image ID, lower-case hex in
//! digests, bracketed IPv6 registry hosts (`[::1]:5000/app`, which newer grammars accept), and
//! the reason a reference fails, so the message can say what to fix.

use oci_client::Reference;
use serde_yaml::Value;

use super::objects::Objects;
use crate::lint::finding::Findings;

pub fn check(objects: &Objects, findings: &mut Findings) {
    for object in &objects.all {
        let Some(pod) = object.pod() else { continue };
        for container in pod.every_container() {
            // A missing or empty image is reported as a missing field (see `pods`).
            let Some(image) = container.value.get("image").and_then(Value::as_str) else {
                continue;
            };
            if image.is_empty() {
                continue;
            }
            let path = container.path.field("image");
            if let Some(why) = invalid(image) {
                findings.error(
                    object.index,
                    object.manifest,
                    &path,
                    format!("{image:?} is not a valid image reference: {why}"),
                );
            } else if let Some(problem) = not_pinned(image) {
                findings.warning(object.index, object.manifest, &path, problem);
            }
        }
    }
}

/// What the kubelet would say is wrong with `image`, in words that say what to change; `None`
/// when it parses.
pub fn invalid(image: &str) -> Option<String> {
    const REFUSED: &str = "the kubelet refuses it (InvalidImageName) and the pod never starts";
    if image.trim() != image {
        return Some("it has leading or trailing white space, which the API server rejects".into());
    }
    if image.len() == 64
        && image
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Some(format!(
            "a 64-character hexadecimal image ID is not a name; {REFUSED}"
        ));
    }
    let Some(candidate) = without_ipv6_host(image) else {
        return Some(format!(
            "a bracketed IPv6 registry host must be followed by an optional :port and `/`; {REFUSED}"
        ));
    };
    match Reference::try_from(candidate.as_str()) {
        Ok(reference) => {
            let digest = reference.digest()?;
            let hex = digest.split_once(':').map_or("", |(_, hex)| hex);
            (hex.bytes().any(|b| b.is_ascii_uppercase()))
                .then(|| format!("the digest must be lower-case hexadecimal; {REFUSED}"))
        }
        Err(error) => Some(format!("{}; {REFUSED}", reason(&candidate, &error))),
    }
}

/// Why a reference that the grammar rejects is wrong, most specific first.
fn reason(image: &str, error: &oci_client::ParseError) -> String {
    use oci_client::ParseError;
    let (name, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    // A tag is what follows the last `:` after the last `/` (a `:` before it is a port).
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if image.chars().any(char::is_whitespace) {
        return "it contains white space".into();
    }
    if tag == Some("") {
        return "the tag after `:` is empty (an empty value where the template writes the tag?): \
                set a tag or leave out the `:`"
            .into();
    }
    if digest.is_some_and(|d| d.is_empty() || d.ends_with(':')) {
        return "the digest after `@` is empty: write `@sha256:` and 64 hex digits, or leave out the `@`".into();
    }
    if let Some(digest) = digest
        && !digest_syntax(digest)
    {
        return format!(
            "the digest {digest:?} is not `algorithm:hex` with at least 32 hex digits (sha256 takes 64)"
        );
    }
    if repository.is_empty() {
        return "it has no repository name before the tag or digest".into();
    }
    let remote = remote_name(repository);
    if remote.chars().any(|c| c.is_ascii_uppercase())
        && Reference::try_from(image.to_lowercase().as_str()).is_ok()
    {
        return format!(
            "the repository name {remote:?} must be lower-case (only a registry host may have capitals)"
        );
    }
    if let Some(tag) = tag
        && !valid_tag(tag)
    {
        return format!(
            "the tag {tag:?} is not valid: at most 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`"
        );
    }
    match error {
        ParseError::DigestInvalidLength => {
            "the digest has the wrong length for its algorithm (sha256 takes 64 hex digits)".into()
        }
        ParseError::DigestUnsupported => {
            "the digest algorithm is not one of sha256, sha384, sha512".into()
        }
        ParseError::DigestInvalidFormat => "the digest is not `algorithm:hex`".into(),
        ParseError::NameTooLong => "the repository name is longer than 255 characters".into(),
        _ => "it does not follow [registry[:port]/]name[:tag][@digest], with a lower-case name \
              of letters, digits and single `.`, `_`, `__` or `-` between them"
            .into(),
    }
}

/// The repository without its registry host: the first component is a host when it has a `.`
/// or `:`, is `localhost`, or has capitals (distribution/reference's splitDockerDomain).
fn remote_name(repository: &str) -> &str {
    match repository.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            rest
        }
        _ => repository,
    }
}

/// `algorithm:hex`, the hex part at least 32 digits: the digest grammar (which algorithms and
/// lengths are accepted is checked after it).
fn digest_syntax(digest: &str) -> bool {
    digest.split_once(':').is_some_and(|(algorithm, hex)| {
        algorithm.starts_with(|c: char| c.is_ascii_alphabetic())
            && algorithm
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-' | '_'))
            && hex.len() >= 32
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// `[\w][\w.-]{0,127}`: the tag grammar.
fn valid_tag(tag: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    tag.len() <= 128
        && tag.starts_with(word)
        && tag.chars().all(|c| word(c) || c == '.' || c == '-')
}

/// The reference with a bracketed IPv6 registry host (`[2001:db8::1]:5000/app`) replaced by a
/// name the grammar of oci-spec reads, or `None` when the brackets are not followed by an
/// optional port and a `/`. References without one come back unchanged.
fn without_ipv6_host(image: &str) -> Option<String> {
    let Some(rest) = image.strip_prefix('[') else {
        return Some(image.to_string());
    };
    let (address, after) = rest.split_once(']')?;
    let address_ok = !address.is_empty()
        && address.contains(':')
        && address.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
    let path = match after.strip_prefix(':') {
        Some(port_and_path) => {
            let (port, path) = port_and_path.split_once('/')?;
            (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())).then_some(path)?
        }
        None => after.strip_prefix('/')?,
    };
    address_ok.then(|| format!("ipv6-host.invalid/{path}"))
}

/// Why a valid reference is not pinned: no tag (which means `:latest`) or `:latest`. A digest
/// pins it.
fn not_pinned(image: &str) -> Option<String> {
    if image.contains('@') {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        None => Some(format!(
            "image {image:?} has no tag, so it means :latest: pin a version, or a digest (@sha256:...)"
        )),
        Some((_, "latest")) => Some(format!(
            "image {image:?} uses :latest, which changes under you: pin a version, or a digest (@sha256:...)"
        )),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX64: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    #[test]
    fn image_tags() {
        assert!(not_pinned("nginx").is_some());
        assert!(not_pinned("nginx:latest").is_some());
        assert!(not_pinned("registry:5000/team/app").is_some());
        assert!(not_pinned("registry:5000/team/app:1.2").is_none());
        assert!(not_pinned("app@sha256:abcd").is_none());
        assert!(
            not_pinned("123.dkr.ecr.ap-northeast-2.amazonaws.com/backend-app:dev-3f9c2a1")
                .is_none()
        );
    }

    /// The valid references of distribution/reference's own tests (reference_test.go,
    /// TestReferenceParse, and normalize_test.go), which the kubelet's parser accepts.
    #[test]
    fn references_the_grammar_accepts() {
        let digested = format!("test:5000/repo:tag@sha256:{HEX64}");
        let sha512 = format!("xn--7o8h.com/myimage:xn--7o8h.com@sha512:{HEX64}{HEX64}");
        let long_path = format!("{}a:tag-puts-this-over-max", "a/".repeat(127));
        for image in [
            "test_com",
            "test.com:tag",
            "test.com:5000",
            "test.com/repo:tag",
            "test:5000/repo",
            digested.as_str(),
            "lowercase:Uppercase",
            "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
            "b.gcr.io/test.example.com/my-app:test.example.com",
            "xn--n3h.com/myimage:xn--n3h.com",
            sha512.as_str(),
            "foo_bar.com:8080",
            "foo/foo_bar.com:8080",
            "192.168.1.1:5000/repo:5050",
            "[2001:db8::1]/repo",
            "[2001:db8:1:2:3:4:5:6]/repo:tag",
            "[::1]:5000/repo",
            long_path.as_str(),
            // "Uppercase" as the first component is a registry host, so this is valid.
            "Uppercase/lowercase:tag",
            "localhost:5000/team/app:1.0",
            "123.dkr.ecr.ap-northeast-2.amazonaws.com/backend-app:dev-3f9c2a1",
        ] {
            assert_eq!(invalid(image), None, "{image}");
        }
    }

    /// The invalid ones from the same tests, and what charts get wrong.
    #[test]
    fn references_the_grammar_rejects_and_why() {
        let why = |image: &str| invalid(image).unwrap_or_else(|| panic!("{image} is invalid"));
        assert!(why("nginx:").contains("the tag after `:` is empty"));
        assert!(why("registry.example.com:5000/team/app:").contains("tag after `:` is empty"));
        assert!(why("nginx@").contains("digest after `@` is empty"));
        assert!(why("Uppercase:tag").contains("repository name \"Uppercase\" must be lower-case"));
        assert!(
            why("test:5000/Uppercase/lowercase:tag")
                .contains("repository name \"Uppercase/lowercase\" must be lower-case")
        );
        assert!(why("Nginx:1.27").contains("must be lower-case"));
        assert!(why(":justtag").contains("no repository name"));
        assert!(why(&format!("@sha256:{HEX64}")).contains("no repository name"));
        assert!(why("repo@sha256:ffffffffffffffffffffffffffffffffff").contains("wrong length"));
        assert!(why(&format!("validname@invaliddigest:{HEX64}")).contains("not one of sha256"));
        assert!(
            why(&format!("app@sha256:{}", HEX64.to_uppercase())).contains("lower-case hexadecimal")
        );
        assert!(why(&format!("{}a:tag", "a/".repeat(128))).contains("longer than 255"));
        assert!(why("aa/asdf$$^/aa").contains("does not follow"));
        assert!(why("[2001:db8::1]:5000").contains("IPv6"));
        assert!(why("[fe80::1%eth0]:5000/repo").contains("IPv6"));
        assert!(why(HEX64).contains("image ID"));
        assert!(why("nginx:1.27 ").contains("white space"));
        assert!(why("nginx :1.27").contains("white space"));
        assert!(why("nginx:-rc1").contains("the tag \"-rc1\" is not valid"));
        assert!(why(&format!("nginx:{}", "1".repeat(129))).contains("is not valid"));
        assert!(why("team//app:1").contains("does not follow"));
        assert!(why("busybox@sha256:abc123").contains("at least 32 hex digits"));
        assert!(why(&format!("busybox@sha256:{HEX64}x")).contains("at least 32 hex digits"));
    }
}
