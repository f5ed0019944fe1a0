//! Whether an action prints YAML structure (`labels:` then `{{ toYaml . | nindent 4 }}`), where
//! the order of map keys makes no difference to the objects, or text (a block scalar, a quoted
//! string), where it does. Helm's `toYaml` sorts keys; ktera's `to_yaml` keeps the values'
//! order, so the emitter asks for `sort_keys=true` everywhere but in structure.

use super::super::ast::*;

/// The action at byte `offset` of `source` stands where YAML structure goes: nothing but
/// indentation, `- ` and a `key:` before it on its line, and not inside a block scalar.
pub fn is_structure(source: &str, offset: usize) -> bool {
    let Some(before) = source.get(..offset) else {
        return false;
    };
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let prefix = &before[line_start..];
    if !is_structural_prefix(prefix) {
        return false;
    }
    let mut above = before[..line_start]
        .lines()
        .rev()
        .filter(|line| !only_tags(line));
    let Some(first) = above.next() else {
        return true;
    };
    if opens_block_scalar(first) {
        return false;
    }
    // An action alone on its line (`{{ toYaml . | indent 4 }}`) gets its indentation from
    // `indent`: take the line above as its sibling (or parent).
    let indent = if prefix.trim().is_empty() {
        indentation(first)
    } else {
        indentation(prefix)
    };
    for line in std::iter::once(first).chain(above) {
        if indentation(line) < indent {
            return !opens_block_scalar(line);
        }
    }
    true
}

/// `  `, `  - `, `  key: `, `  - key: `.
fn is_structural_prefix(prefix: &str) -> bool {
    let mut rest = prefix.trim_start_matches(' ');
    while let Some(r) = rest.strip_prefix("- ") {
        rest = r.trim_start_matches(' ');
    }
    let rest = rest.trim_end();
    if rest.is_empty() {
        return true;
    }
    match rest.strip_suffix(':') {
        Some(key) => key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')),
        None => false,
    }
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A line with nothing but template tags and whitespace.
fn only_tags(line: &str) -> bool {
    let mut rest = line.trim();
    if rest.is_empty() {
        return true;
    }
    while let Some(start) = rest.find("{{") {
        if !rest[..start].trim().is_empty() {
            return false;
        }
        let Some(end) = rest[start..].find("}}") else {
            return false;
        };
        rest = &rest[start + end + 2..];
    }
    rest.trim().is_empty()
}

/// `key: |`, `key: >-`, `- |2`: the lines below are text.
fn opens_block_scalar(line: &str) -> bool {
    let line = line.trim_end();
    let tail = line.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    (tail.ends_with('|') || tail.ends_with('>'))
        && tail[..tail.len() - 1].trim_end().ends_with([':', '-'])
}

/// The pipeline only lays out YAML: `toYaml X`, then `indent`/`nindent` (in either form).
pub fn formats_only(pipe: &Pipeline) -> bool {
    pipe.commands.iter().all(command_formats_only)
}

fn command_formats_only(command: &Command) -> bool {
    match command.args.first() {
        Some(Expr::Identifier(f)) => match f.name.as_str() {
            "toYaml" | "mustToYaml" => true,
            "nindent" | "indent" => command.args[1..].iter().all(|a| match a {
                Expr::Pipeline(p) => formats_only(p),
                _ => true,
            }),
            _ => false,
        },
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_marker(src: &str) -> bool {
        let offset = src.find("{{ X").expect("marker");
        is_structure(src, offset)
    }

    #[test]
    fn structure_and_text_are_told_apart() {
        assert!(at_marker("metadata:\n  labels:\n    {{ X }}"));
        assert!(at_marker("spec:\n  resources: {{ X }}"));
        assert!(at_marker("items:\n  - {{ X }}"));
        assert!(!at_marker("data:\n  conf: |\n    {{ X }}"));
        assert!(!at_marker("data:\n  conf: |-\n    a: 1\n    {{ X }}"));
        assert!(!at_marker(
            "data:\n  conf: >\n    {{- if .a }}\n    {{ X }}"
        ));
        assert!(!at_marker("a: \"{{ X }}\""));
        assert!(!at_marker("a: prefix-{{ X }}"));
        assert!(at_marker("{{ X }}"));
        assert!(!at_marker("data:\n  conf: |\n{{ X }}"));
        assert!(!at_marker("data:\n  conf: |\n    line\n{{ X }}"));
        assert!(at_marker("spec:\n  template:\n    labels:\n{{ X }}"));
    }
}
