//! Versions and version constraints, as Helm reads them (Masterminds/semver): a dependency's
//! `version` range, a chart's `kubeVersion`, and Sprig's `semverCompare` in templates.

use crate::error::Error;

/// `1.19` -> `1.19.0`, `v1.2.3-eks-1` -> `1.2.3-eks-1`: Masterminds/semver accepts partial
/// versions where the `semver` crate wants three parts.
fn normalise_version(text: &str) -> String {
    let text = text.trim().trim_start_matches('v');
    let (core, rest) = match text.find(['-', '+']) {
        Some(i) => text.split_at(i),
        None => (text, ""),
    };
    let parts = core.split('.').count();
    let padded = match parts {
        1 if !core.is_empty() && core != "*" && core != "x" => format!("{core}.0.0"),
        2 if !core.ends_with(".x") && !core.ends_with(".*") => format!("{core}.0"),
        _ => core.to_string(),
    };
    format!("{padded}{rest}")
}

/// One `||` alternative as the `semver` crate reads it: each comparator's version padded
/// (`>=1.19-0` -> `>=1.19.0-0`), a bare version made exact (`1.2.3` means `=1.2.3` to
/// Masterminds/semver, `^1.2.3` to the `semver` crate), a hyphen range `1.0 - 1.4` made
/// `>=1.0.0, <=1.4.0`, and comparators separated by spaces joined by commas.
fn normalise_constraint(part: &str) -> String {
    let words: Vec<&str> = part.split_whitespace().collect();
    if let [low, "-", high] = words.as_slice() {
        return format!(
            ">={}, <={}",
            normalise_version(low),
            normalise_version(high)
        );
    }
    let mut comparators = Vec::new();
    for piece in part.split(',') {
        // `>= 1.2 <2` holds two comparators; an operator may stand apart from its version.
        let mut pending_op = String::new();
        for word in piece.split_whitespace() {
            let op_len = word
                .find(|c: char| c.is_ascii_alphanumeric() || c == '*')
                .unwrap_or(word.len());
            let (op, version) = word.split_at(op_len);
            if version.is_empty() {
                pending_op.push_str(op);
                continue;
            }
            let op = format!("{pending_op}{op}");
            pending_op.clear();
            let wildcard = version
                .split(['-', '+'])
                .next()
                .is_some_and(|core| core.split('.').any(|p| p == "x" || p == "X" || p == "*"));
            let op = if op.is_empty() && !wildcard {
                "=".to_string()
            } else {
                op
            };
            comparators.push(format!("{op}{}", normalise_version(version)));
        }
        if !pending_op.is_empty() {
            comparators.push(pending_op);
        }
    }
    comparators.join(", ")
}

/// Masterminds/semver `NewVersion`, as Helm reads a chart's `version` and Sprig's `semver`
/// reads its argument: an optional `v`, one to three numbers separated by dots (leading zeros
/// allowed, missing ones are 0: `v0.0` is 0.0.0), then optionally `-PRERELEASE` and `+BUILD`,
/// dot-separated identifiers of ASCII letters, digits and `-` (numeric prerelease identifiers
/// without leading zeros).
pub fn parse(text: &str) -> Result<semver::Version, Error> {
    masterminds(text).ok_or_else(|| {
        Error::input(format!(
            "`{text}` is not a semantic version: Helm reads `[v]MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]`, e.g. `1.2.3` or `v1.2-rc.1`"
        ))
    })
}

fn masterminds(text: &str) -> Option<semver::Version> {
    let body = text.strip_prefix('v').unwrap_or(text);
    let (rest, build) = match body.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (body, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3 {
        return None;
    }
    let mut numbers = [0u64; 3];
    for (number, part) in numbers.iter_mut().zip(&parts) {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *number = part.parse().ok()?;
    }
    let mut version = semver::Version::new(numbers[0], numbers[1], numbers[2]);
    // The `semver` crate checks the identifiers as Masterminds does; an empty part after
    // `-` or `+` is refused by both.
    if let Some(pre) = pre {
        version.pre = semver::Prerelease::new(pre)
            .ok()
            .filter(|_| !pre.is_empty())?;
    }
    if let Some(build) = build {
        version.build = semver::BuildMetadata::new(build)
            .ok()
            .filter(|_| !build.is_empty())?;
    }
    Some(version)
}

/// Sprig `semverCompare`: `||` alternatives of comma-separated comparators. A prerelease in the
/// constraint (`>=1.19-0`, the common idiom) lets prerelease versions such as `v1.30.1-eks-1`
/// match by their release part, as Masterminds/semver does.
pub fn matches(constraint: &str, version: &str) -> Result<bool, Error> {
    let parsed = parse(version)?;
    for alternative in constraint.split("||") {
        let normalised = normalise_constraint(alternative);
        let req = semver::VersionReq::parse(&normalised).map_err(|e| {
            Error::input(format!("`{constraint}` is not a version constraint: {e}"))
        })?;
        if req.matches(&parsed) {
            return Ok(true);
        }
        // A constraint with a prerelease (`>=1.19-0`) admits prereleases of later versions too.
        let mut candidate = parsed.clone();
        if !candidate.pre.is_empty() && alternative.contains('-') {
            candidate.pre = semver::Prerelease::EMPTY;
            if req.matches(&candidate) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::{matches, parse};

    #[test]
    fn versions_read_as_masterminds_new_version() {
        let read = |text: &str| parse(text).ok().map(|v| v.to_string());
        assert_eq!(read("v0.0").as_deref(), Some("0.0.0"));
        assert_eq!(read("1").as_deref(), Some("1.0.0"));
        assert_eq!(read("01.02.3").as_deref(), Some("1.2.3"));
        assert_eq!(
            read("v1.2-rc.1+build.007").as_deref(),
            Some("1.2.0-rc.1+build.007")
        );
        for refused in [
            "",
            "v",
            "V1.2.3",
            "1.2.3.4",
            "1.2.x",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3+",
            "1..2",
            "1.2.3-a..b",
            " 1.2.3",
            "vv1.2.3",
            "99999999999999999999",
        ] {
            assert!(parse(refused).is_err(), "{refused:?} is refused");
        }
    }

    #[test]
    fn semver_constraints_follow_sprig() {
        assert_eq!(matches(">=1.19-0", "v1.32.0").ok(), Some(true));
        assert_eq!(matches(">=1.19-0", "v1.30.1-eks-49a6c0").ok(), Some(true));
        assert_eq!(matches("<1.19-0", "v1.30.1").ok(), Some(false));
        assert_eq!(matches(">=1.14-0, <1.19-0", "1.16.3").ok(), Some(true));
        assert_eq!(matches("^1.2 || ^2.0", "2.5.0").ok(), Some(true));
        assert_eq!(matches("~1.2", "1.3.0").ok(), Some(false));
        assert!(matches("not a constraint", "1.0.0").is_err());
        assert!(matches(">=1.0", "banana").is_err());
        assert_eq!(matches("1.2.3", "1.2.4").ok(), Some(false));
        assert_eq!(matches("=1.2.3", "1.2.3").ok(), Some(true));
        assert_eq!(matches("1.x", "1.7.3").ok(), Some(true));
        assert_eq!(matches("1.0.0 - 1.4.0", "1.4.0").ok(), Some(true));
        assert_eq!(matches(">= 1.0 <2.0", "1.5.0").ok(), Some(true));
        assert!(matches(">>1", "1.0.0").is_err());
        // A prerelease is inside a constraint naming exactly it (datadog-crds 2.24.0-dev.1,
        // eck-operator-crds 3.6.0-SNAPSHOT, as `helm dependency build` vendors them).
        assert_eq!(matches("2.24.0-dev.1", "2.24.0-dev.1").ok(), Some(true));
        assert_eq!(matches("3.6.0-SNAPSHOT", "3.6.0-SNAPSHOT").ok(), Some(true));
        assert_eq!(matches("2.24.0-dev.1", "2.24.0-dev.2").ok(), Some(false));
    }
}
