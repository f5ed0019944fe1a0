//! `--show-only`, as Helm's `helm template -s`: each pattern is matched against the path of the
//! template that rendered a document, relative to the top chart (`templates/service.yaml`,
//! `charts/cache/templates/service.yaml`, `crds/widget.yaml`). The patterns are globs with
//! Helm's meaning (Go's `filepath.Match`: `*`, `?` and `[...]`, none of which crosses a `/`);
//! globset adds `**` (across `/`) and `{a,b}`, which Go reads literally: no chart has such a
//! template name, so they only widen what a pattern can say.
//! The result follows the patterns: for each one, the documents it matches in output order, so
//! a document matched by two patterns comes twice, as in Helm.

use globset::{GlobBuilder, GlobMatcher};

use super::Manifest;
use crate::error::Error;

/// The path `--show-only` matches for a document: its `# Source:` without the top chart's
/// name (`backend/charts/cache/templates/x.yaml` -> `charts/cache/templates/x.yaml`).
pub fn show_only_path(source_name: &str) -> &str {
    source_name
        .split_once('/')
        .map_or(source_name, |(_, path)| path)
}

/// A `--show-only` pattern, compiled.
#[derive(Debug)]
pub struct ShowOnly {
    pub pattern: String,
    matcher: GlobMatcher,
}

impl ShowOnly {
    /// Compiles `pattern`; an invalid glob (`templates/[`) is a usage error.
    pub fn new(pattern: &str) -> Result<ShowOnly, Error> {
        let glob = GlobBuilder::new(pattern)
            // As Go's filepath.Match: `*` and `?` stop at `/`, and `\` escapes.
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| {
                Error::usage(format!(
                    "--show-only {pattern}: not a valid glob pattern: {}",
                    e.kind()
                ))
                .with_hint("`*` and `?` match within one path part, `[abc]` one of the characters; write `\\*` for a literal `*`")
            })?;
        Ok(ShowOnly {
            pattern: pattern.to_string(),
            matcher: glob.compile_matcher(),
        })
    }

    /// Whether the pattern names this template path (relative to the top chart).
    pub fn matches(&self, path: &str) -> bool {
        self.matcher.is_match(path)
    }
}

/// The indices of the documents of `manifests` the patterns select, pattern by pattern; `Err`
/// with the first pattern that selects nothing.
pub fn select<'p>(
    manifests: &[Manifest],
    patterns: &'p [ShowOnly],
) -> Result<Vec<usize>, &'p ShowOnly> {
    let mut selected = Vec::new();
    for pattern in patterns {
        let before = selected.len();
        selected.extend(
            manifests
                .iter()
                .enumerate()
                .filter(|(_, m)| pattern.matches(show_only_path(&m.source_name)))
                .map(|(i, _)| i),
        );
        if selected.len() == before {
            return Err(pattern);
        }
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(source_name: &str) -> Manifest {
        Manifest {
            source_name: source_name.into(),
            template_name: String::new(),
            kind: "ConfigMap".into(),
            value: serde_yaml::Value::Null,
        }
    }

    fn sources<'m>(all: &'m [Manifest], selected: &[usize]) -> Vec<&'m str> {
        selected
            .iter()
            .map(|&i| all[i].source_name.as_str())
            .collect()
    }

    fn patterns(list: &[&str]) -> Vec<ShowOnly> {
        list.iter().map(|p| ShowOnly::new(p).unwrap()).collect()
    }

    #[test]
    fn globs_stop_at_slashes_as_go_filepath_match() {
        let all = [
            manifest("app/templates/a.yaml"),
            manifest("app/templates/sub/b.yaml"),
            manifest("app/charts/cache/templates/c.yaml"),
        ];
        let got = select(&all, &patterns(&["templates/*"])).unwrap();
        assert_eq!(sources(&all, &got), ["app/templates/a.yaml"]);
        let got = select(&all, &patterns(&["charts/*/templates/?.yaml"])).unwrap();
        assert_eq!(sources(&all, &got), ["app/charts/cache/templates/c.yaml"]);
        let got = select(&all, &patterns(&["templates/[^a]*/*"])).unwrap();
        assert_eq!(sources(&all, &got), ["app/templates/sub/b.yaml"]);
        let got = select(&all, &patterns(&["templates/**"])).unwrap();
        assert_eq!(
            sources(&all, &got),
            ["app/templates/a.yaml", "app/templates/sub/b.yaml"]
        );
        let star = patterns(&["*"]);
        let missing = select(&all, &star).unwrap_err();
        assert_eq!(missing.pattern, "*");
    }

    #[test]
    fn output_follows_the_patterns_and_repeats_as_helm() {
        let all = [
            manifest("app/templates/a.yaml"),
            manifest("app/templates/b.yaml"),
        ];
        let got = select(&all, &patterns(&["templates/b.yaml", "templates/*"])).unwrap();
        assert_eq!(
            sources(&all, &got),
            [
                "app/templates/b.yaml",
                "app/templates/a.yaml",
                "app/templates/b.yaml"
            ]
        );
    }

    #[test]
    fn escapes_and_bad_patterns() {
        let all = [manifest("app/templates/*.yaml")];
        assert!(select(&all, &patterns(&["templates/\\*.yaml"])).is_ok());
        let error = ShowOnly::new("templates/[").err().unwrap();
        assert!(error.to_string().contains("not a valid glob"), "{error}");
    }
}
