//! The text written for a new value: a scalar in the old value's quoting style where it can be,
//! and new keys and list items as block YAML in the file's own indentation.

use serde_yaml::Value;

use super::scan::Quoting;
use crate::values::Segment;
use crate::yaml::quote_scalar_if_needed;

/// How the file indents what it nests, to write new blocks the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Columns from a key to the keys of the mapping under it.
    pub map_step: usize,
    /// Columns from a key to the `-` of the list under it (0: `-` at the key's column).
    pub seq_offset: usize,
}

impl Default for Layout {
    /// ktera's own emitter: 2-space mappings, list items at their key's column.
    fn default() -> Self {
        Layout {
            map_step: 2,
            seq_offset: 0,
        }
    }
}

/// The text of a scalar value. Strings keep the old quoting style when it can hold them and are
/// quoted whenever a YAML 1.1 or 1.2 reader would read them as anything but that string; typed
/// values (`--set`'s ints, bools and null) are written plain. None for lists and mappings.
pub(crate) fn scalar_text(value: &Value, old: Option<Quoting>) -> Option<String> {
    match value {
        Value::Null => Some("null".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(string_text(s, old)),
        Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_) => None,
    }
}

fn string_text(s: &str, old: Option<Quoting>) -> String {
    let chosen = quote_scalar_if_needed(s);
    // The emitter double-quotes only what needs escapes; that choice stands whatever the old style.
    if chosen.starts_with('"') {
        return chosen.into_owned();
    }
    match old {
        Some(Quoting::Single) => format!("'{}'", s.replace('\'', "''")),
        Some(Quoting::Double) => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
        Some(Quoting::Plain) | None => chosen.into_owned(),
    }
}

/// A mapping key as written on its line.
fn key_text(key: &str) -> String {
    quote_scalar_if_needed(key).into_owned()
}

/// Block YAML lines (without line ends) that create `path` holding `leaf`, the first at column
/// `indent`. A list index creates one item.
pub(crate) fn block_lines(
    path: &[Segment],
    leaf: &str,
    indent: usize,
    layout: Layout,
) -> Vec<String> {
    let pad = " ".repeat(indent);
    let Some((first, rest)) = path.split_first() else {
        return vec![format!("{pad}{leaf}")];
    };
    match first {
        Segment::Key(key) => {
            let key = key_text(key);
            match rest.first() {
                None => vec![format!("{pad}{key}: {leaf}")],
                Some(next) => {
                    let child = match next {
                        Segment::Key(_) => indent + layout.map_step,
                        Segment::Index(_) => indent + layout.seq_offset,
                    };
                    let mut lines = vec![format!("{pad}{key}:")];
                    lines.extend(block_lines(rest, leaf, child, layout));
                    lines
                }
            }
        }
        Segment::Index(_) => {
            // The item's content starts on the `-` line, two columns in.
            let mut lines = block_lines(rest, leaf, indent + 2, layout);
            if let Some(line) = lines.first_mut() {
                *line = format!("{pad}- {}", &line[indent + 2..]);
            }
            lines
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Segment {
        Segment::Key(k.into())
    }

    #[test]
    fn strings_keep_their_quoting() {
        let s = |v: &str| Value::from(v);
        assert_eq!(
            scalar_text(&s("1.4.3"), Some(Quoting::Single)).unwrap(),
            "'1.4.3'"
        );
        assert_eq!(
            scalar_text(&s("it's"), Some(Quoting::Single)).unwrap(),
            "'it''s'"
        );
        assert_eq!(
            scalar_text(&s("1.4.3"), Some(Quoting::Double)).unwrap(),
            "\"1.4.3\""
        );
        assert_eq!(
            scalar_text(&s("a\"b"), Some(Quoting::Double)).unwrap(),
            "\"a\\\"b\""
        );
        assert_eq!(
            scalar_text(&s("v1.4.3"), Some(Quoting::Plain)).unwrap(),
            "v1.4.3"
        );
        assert_eq!(
            scalar_text(&s("a\nb"), Some(Quoting::Single)).unwrap(),
            "\"a\\nb\""
        );
    }

    #[test]
    fn strings_that_would_be_misread_are_quoted() {
        for text in ["on", "0755", "yes", "12:30", "1_000", "true", "1.0", ""] {
            let out = scalar_text(&Value::from(text), Some(Quoting::Plain)).unwrap();
            assert_ne!(out, text, "{text} left plain");
        }
    }

    #[test]
    fn typed_values_are_plain() {
        assert_eq!(
            scalar_text(&Value::from(3), Some(Quoting::Single)).unwrap(),
            "3"
        );
        assert_eq!(
            scalar_text(&Value::Bool(false), Some(Quoting::Double)).unwrap(),
            "false"
        );
        assert_eq!(scalar_text(&Value::Null, None).unwrap(), "null");
        assert!(scalar_text(&Value::Sequence(vec![]), None).is_none());
    }

    #[test]
    fn new_blocks_follow_the_layout() {
        let layout = Layout {
            map_step: 4,
            seq_offset: 2,
        };
        let path = [key("a"), key("b"), Segment::Index(0), key("c"), key("d")];
        assert_eq!(
            block_lines(&path, "x", 2, layout),
            vec!["  a:", "      b:", "        - c:", "              d: x"]
        );
        assert_eq!(
            block_lines(
                &[Segment::Index(0), Segment::Index(0)],
                "x",
                0,
                Layout::default()
            ),
            vec!["- - x"]
        );
        assert_eq!(
            block_lines(&[key("on")], "1", 0, Layout::default()),
            vec!["'on': 1"]
        );
    }
}
