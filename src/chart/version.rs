//! Versions and version constraints, as Helm reads them (Masterminds/semver): a dependency's
//! `version` range, a chart's `kubeVersion`, and Sprig's `semverCompare` in templates.

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

/// Pads every version inside a constraint: `>=1.19-0` -> `>=1.19.0-0`.
fn normalise_constraint(part: &str) -> String {
    part.split(',')
        .map(|comparator| {
            let comparator = comparator.trim();
            let op_len = comparator
                .find(|c: char| c.is_ascii_digit() || c == 'v' || c == '*' || c == 'x')
                .unwrap_or(comparator.len());
            let (op, version) = comparator.split_at(op_len);
            format!("{}{}", op.trim(), normalise_version(version))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sprig `semverCompare`: `||` alternatives of comma-separated comparators. A prerelease in the
/// constraint (`>=1.19-0`, the common idiom) lets prerelease versions such as `v1.30.1-eks-1`
/// match by their release part, as Masterminds/semver does.
pub fn matches(constraint: &str, version: &str) -> Result<bool, String> {
    let parsed = semver::Version::parse(&normalise_version(version))
        .map_err(|e| format!("`{version}` is not a semantic version: {e}"))?;
    for alternative in constraint.split("||") {
        let normalised = normalise_constraint(alternative);
        let req = semver::VersionReq::parse(&normalised)
            .map_err(|e| format!("`{constraint}` is not a version constraint: {e}"))?;
        let mut candidate = parsed.clone();
        if !candidate.pre.is_empty() && alternative.contains('-') {
            candidate.pre = semver::Prerelease::EMPTY;
        }
        if req.matches(&candidate) {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn semver_constraints_follow_sprig() {
        assert_eq!(matches(">=1.19-0", "v1.32.0"), Ok(true));
        assert_eq!(matches(">=1.19-0", "v1.30.1-eks-49a6c0"), Ok(true));
        assert_eq!(matches("<1.19-0", "v1.30.1"), Ok(false));
        assert_eq!(matches(">=1.14-0, <1.19-0", "1.16.3"), Ok(true));
        assert_eq!(matches("^1.2 || ^2.0", "2.5.0"), Ok(true));
        assert_eq!(matches("~1.2", "1.3.0"), Ok(false));
        assert!(matches("not a constraint", "1.0.0").is_err());
        assert!(matches(">=1.0", "banana").is_err());
    }
}
