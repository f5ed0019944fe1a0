//! Block structure: maps, sequences, keys and where each node starts.
//!
//! Collections are walked with an explicit stack of iterators, not recursion, so nesting of any
//! depth emits without exhausting the thread's stack.

use super::scalar::{self, MAX_IMPLICIT_KEY_LEN, Style};
use super::tag::write_tag;
use serde_yaml::Value;

/// Where a node is written, which decides its separator and the columns of its content.
#[derive(Clone, Copy)]
enum Pos {
    /// The document's root, at column 0 with nothing before it on the line.
    Root,
    /// Right after `key:` with the key at this column.
    AfterKey(usize),
    /// Right after `- `, `? ` or `: `; block content of the node starts at this column.
    Compact(usize),
}

enum Frame<'a> {
    Map {
        entries: serde_yaml::mapping::Iter<'a>,
        col: usize,
        /// The next entry continues the current line (a map opened right after `- `).
        inline: bool,
        /// Value of an explicit `? key` entry, written once the key is done.
        pending: Option<&'a Value>,
    },
    Seq {
        items: std::slice::Iter<'a, Value>,
        col: usize,
        inline: bool,
    },
}

enum Step<'a> {
    Entry {
        key: &'a Value,
        value: &'a Value,
        col: usize,
        inline: bool,
    },
    ExplicitValue {
        value: &'a Value,
        col: usize,
    },
    Item {
        value: &'a Value,
        col: usize,
        inline: bool,
    },
    Done,
}

pub(crate) fn emit_into(root: &Value, out: &mut String) {
    let mut stack: Vec<Frame<'_>> = Vec::new();
    place(root, Pos::Root, true, out, &mut stack);
    loop {
        let step = match stack.last_mut() {
            None => return,
            Some(Frame::Map {
                entries,
                col,
                inline,
                pending,
            }) => {
                if let Some(value) = pending.take() {
                    Step::ExplicitValue { value, col: *col }
                } else if let Some((key, value)) = entries.next() {
                    Step::Entry {
                        key,
                        value,
                        col: *col,
                        inline: std::mem::replace(inline, false),
                    }
                } else {
                    Step::Done
                }
            }
            Some(Frame::Seq { items, col, inline }) => match items.next() {
                Some(value) => Step::Item {
                    value,
                    col: *col,
                    inline: std::mem::replace(inline, false),
                },
                None => Step::Done,
            },
        };
        match step {
            Step::Done => {
                stack.pop();
            }
            Step::Entry {
                key,
                value,
                col,
                inline,
            } => {
                if !inline {
                    scalar::push_indent(out, col);
                }
                if write_implicit_key(key, out) {
                    out.push(':');
                    place(value, Pos::AfterKey(col), true, out, &mut stack);
                } else {
                    out.push_str("? ");
                    if let Some(Frame::Map { pending, .. }) = stack.last_mut() {
                        *pending = Some(value);
                    }
                    place(key, Pos::Compact(col + 2), false, out, &mut stack);
                }
            }
            Step::ExplicitValue { value, col } => {
                scalar::push_indent(out, col);
                out.push_str(": ");
                place(value, Pos::Compact(col + 2), true, out, &mut stack);
            }
            Step::Item { value, col, inline } => {
                if !inline {
                    scalar::push_indent(out, col);
                }
                out.push_str("- ");
                place(value, Pos::Compact(col + 2), true, out, &mut stack);
            }
        }
    }
}

/// Writes a short scalar key for `key: value` and returns true; returns false, writing nothing,
/// for keys that need the explicit `? key` form (collections, tagged or very long keys).
fn write_implicit_key(key: &Value, out: &mut String) -> bool {
    match key {
        Value::String(s) => {
            let start = out.len();
            scalar::write_single_line(s, scalar::style_for(s, false), out);
            if out.len() - start > MAX_IMPLICIT_KEY_LEN {
                out.truncate(start);
                return false;
            }
            true
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {
            write_plain_scalar(key, out);
            true
        }
        Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_) => false,
    }
}

fn write_plain_scalar(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => scalar::write_number(n, out),
        _ => {}
    }
}

/// Writes `value` at `pos`: a scalar completely, a collection's opening (pushing a frame for
/// its entries). Every node ends its last line with '\n'.
fn place<'a>(
    value: &'a Value,
    pos: Pos,
    allow_literal: bool,
    out: &mut String,
    stack: &mut Vec<Frame<'a>>,
) {
    let mut node = value;
    let mut tagged = false;
    if let Value::Tagged(t) = value {
        if let Pos::AfterKey(_) = pos {
            out.push(' ');
        }
        write_tag(&t.tag, out);
        tagged = true;
        // YAML has one tag per node: nested tags cannot be written, only the outer one is kept.
        node = &t.value;
        while let Value::Tagged(inner) = node {
            node = &inner.value;
        }
    }
    // A separating space is due after `key:` and after a tag; `- `, `? `, `: ` carry their own.
    let space = tagged || matches!(pos, Pos::AfterKey(_));
    match node {
        Value::Mapping(m) if !m.is_empty() => {
            let (col, inline) = match pos {
                Pos::Root => (0, false),
                Pos::AfterKey(k) => (k + 2, false),
                Pos::Compact(c) => (c, !tagged),
            };
            if !inline && (tagged || !matches!(pos, Pos::Root)) {
                out.push('\n');
            }
            stack.push(Frame::Map {
                entries: m.iter(),
                col,
                inline,
                pending: None,
            });
        }
        Value::Sequence(s) if !s.is_empty() => {
            // Items at their parent key's column, as kubectl and Helm write them.
            let (col, inline) = match pos {
                Pos::Root => (0, false),
                Pos::AfterKey(k) => (k, false),
                Pos::Compact(c) => (c, !tagged),
            };
            if !inline && (tagged || !matches!(pos, Pos::Root)) {
                out.push('\n');
            }
            stack.push(Frame::Seq {
                items: s.iter(),
                col,
                inline,
            });
        }
        Value::Mapping(_) => {
            push_sep(space, out);
            out.push_str("{}\n");
        }
        Value::Sequence(_) => {
            push_sep(space, out);
            out.push_str("[]\n");
        }
        Value::String(s) => {
            push_sep(space, out);
            match scalar::style_for(s, allow_literal) {
                Style::Literal => {
                    let content_col = match pos {
                        Pos::Root => 2,
                        Pos::AfterKey(k) => k + 2,
                        Pos::Compact(c) => c,
                    };
                    scalar::write_literal(s, content_col, out);
                }
                style => {
                    scalar::write_single_line(s, style, out);
                    out.push('\n');
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::Tagged(_) => {
            push_sep(space, out);
            write_plain_scalar(node, out);
            out.push('\n');
        }
    }
}

fn push_sep(space: bool, out: &mut String) {
    if space {
        out.push(' ');
    }
}
