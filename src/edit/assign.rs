//! `PATH=VALUE` assignments: the key path, read with `--set`'s grammar, and the value, typed by
//! [`crate::values::apply_set`] itself so `ktera set` types values exactly as `--set` does.

use serde_yaml::Value;

use crate::error::Error;
use crate::values::{Segment, SetKind, apply_set};

/// One `path=value` item. An argument such as `a=1,b=2` holds several.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub path: Vec<Segment>,
    pub value: Value,
    /// The item as written (`a.b=c`), applied with `kind` by the self-check.
    pub expr: String,
    pub kind: SetKind,
}

/// Reads one command-line argument (`a.b=c` or `a=1,b=2`) into its items. A malformed argument
/// gets `--set`'s own error message.
pub fn parse_assignment(arg: &str, kind: SetKind) -> Result<Vec<Assignment>, Error> {
    // Validates the whole argument first, so malformed input is reported by the grammar's owner.
    apply_set(&mut Value::Null, arg, kind)?;
    let mut items = Vec::new();
    for (path, expr) in split_items(arg) {
        let mut typed = Value::Null;
        apply_set(&mut typed, expr, kind)?;
        let value = lookup(&typed, &path).cloned().unwrap_or(Value::Null);
        items.push(Assignment {
            path,
            value,
            expr: expr.to_string(),
            kind,
        });
    }
    Ok(items)
}

fn lookup<'v>(value: &'v Value, path: &[Segment]) -> Option<&'v Value> {
    path.iter().try_fold(value, |node, segment| match segment {
        Segment::Key(key) => node.as_mapping()?.get(key.as_str()),
        Segment::Index(index) => node.as_sequence()?.get(*index),
    })
}

/// Splits a validated argument into items: each item's key path and its text. Follows the
/// grammar of `values::strvals`: `\` escapes the next character, a value runs to the next
/// unescaped `,`, a value starting with `{` runs to its `}`.
fn split_items(src: &str) -> Vec<(Vec<Segment>, &str)> {
    let mut items = Vec::new();
    let mut chars = src.char_indices().peekable();
    let mut start = 0;
    while start < src.len() {
        let mut path = Vec::new();
        let mut name = String::new();
        let mut in_index = false;
        let mut index = String::new();
        // The key path, up to `=`.
        while let Some((_, c)) = chars.next() {
            match c {
                '\\' if !in_index => {
                    if let Some((_, next)) = chars.next() {
                        name.push(next);
                    }
                }
                '[' if !in_index => {
                    if !name.is_empty() {
                        path.push(Segment::Key(std::mem::take(&mut name)));
                    }
                    in_index = true;
                }
                ']' if in_index => {
                    let digits = index.trim_start_matches('+');
                    path.push(Segment::Index(digits.parse().unwrap_or(0)));
                    index.clear();
                    in_index = false;
                }
                _ if in_index => index.push(c),
                '.' => {
                    if !name.is_empty() {
                        path.push(Segment::Key(std::mem::take(&mut name)));
                    }
                }
                '=' => break,
                _ => name.push(c),
            }
        }
        if !name.is_empty() {
            path.push(Segment::Key(name));
        }
        // The value, up to an unescaped `,` (or past a `{...}` list).
        let mut end = src.len();
        let mut next_start = src.len();
        let brace = matches!(chars.peek(), Some((_, '{')));
        let mut closed = !brace;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '}' if brace && !closed => closed = true,
                ',' if closed => {
                    end = i;
                    next_start = i + 1;
                    break;
                }
                _ => {}
            }
        }
        items.push((path, &src[start..end]));
        start = next_start;
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::PathDisplay;

    fn key(k: &str) -> Segment {
        Segment::Key(k.into())
    }

    #[test]
    fn typed_like_set() {
        let items = parse_assignment("a.b=1,c=true,d=0755,e=null", SetKind::Typed).unwrap();
        let values: Vec<_> = items.iter().map(|a| a.value.clone()).collect();
        assert_eq!(
            values,
            vec![
                Value::from(1),
                Value::Bool(true),
                Value::from("0755"),
                Value::Null
            ]
        );
        assert_eq!(items[0].path, vec![key("a"), key("b")]);
        assert_eq!(items[1].expr, "c=true");
    }

    #[test]
    fn string_kind_keeps_strings() {
        let items = parse_assignment("a=1", SetKind::String).unwrap();
        assert_eq!(items[0].value, Value::from("1"));
    }

    #[test]
    fn escapes_and_indexes() {
        let items = parse_assignment(r"a\.b[2].c[0]=x\,y", SetKind::Typed).unwrap();
        assert_eq!(
            items[0].path,
            vec![key("a.b"), Segment::Index(2), key("c"), Segment::Index(0)]
        );
        assert_eq!(items[0].value, Value::from("x,y"));
        assert_eq!(PathDisplay(&items[0].path).to_string(), r"a\.b[2].c[0]");
    }

    #[test]
    fn value_may_hold_equals() {
        let items = parse_assignment("a=b=c", SetKind::Typed).unwrap();
        assert_eq!(items[0].value, Value::from("b=c"));
    }

    #[test]
    fn brace_list_is_one_item() {
        let items = parse_assignment("a={x,y},b=2", SetKind::Typed).unwrap();
        assert_eq!(items.len(), 2);
        assert!(items[0].value.is_sequence());
        assert_eq!(items[1].path, vec![key("b")]);
    }

    #[test]
    fn bad_syntax_is_an_error() {
        assert!(parse_assignment("a.b", SetKind::Typed).is_err());
        assert!(parse_assignment("a[x]=1", SetKind::Typed).is_err());
    }
}
