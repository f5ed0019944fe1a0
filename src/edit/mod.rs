//! `ktera set`: changing values in a values file in place, byte-for-byte everywhere else.
//!
//! Hand-written on purpose. yaml-edit (0.3, the maintained lossless YAML editor on crates.io)
//! keeps comments, CRLF line ends and trailing comments, but: it writes `y`, `12:30` and `1_000`
//! plain (it resolves scalars as YAML 1.2 only, Kubernetes and Helm read YAML 1.1); setting a
//! string drops the old value's quoting style; nested mappings it creates are indented by 2
//! whatever the file uses. Working around all three means walking its syntax tree ourselves,
//! and the job here is narrow: replace one scalar's bytes, or insert lines after a mapping's last
//! entry. So the file is scanned by hand ([`scan`]) and every result is checked by re-parsing it
//! (see below), which turns any scanner mistake into a refusal instead of a bad write.
//!
//! What an edit does:
//! - An existing scalar is replaced in place; a comment after it on the line stays. A string
//!   keeps the old quoting style when that style can hold it and is quoted whenever a YAML 1.1 or
//!   1.2 reader would misread it; `--set`'s typed values (ints, bools, null) are written plain.
//! - A missing key is appended after the last entry of its mapping, at that mapping's column;
//!   missing nested mappings and lists are written in block style with the file's indentation.
//!   Null (`key:`, `~`, `null`) and empty `{}`/`[]` values count as missing: the block replaces
//!   them. A list takes a new item only at its end (index = length).
//! - A non-empty mapping or list is never replaced by a single value (Helm's `--set` would do
//!   it): in a file that would silently drop a whole block and its comments, usually from a typo
//!   such as `image=1.4.3` for `image.tag=1.4.3`. Edit the file by hand for that.
//! - Refused, with the place in the file: non-empty flow collections, anchors, aliases and tags
//!   on the path, a scalar where the path needs a mapping or list, several documents.
//!
//! After all assignments, the new text must parse (serde_yaml) to exactly the old values with
//! the assignments applied by `--set`'s own code; otherwise nothing is written. The file is then
//! replaced atomically ([`crate::output::atomic`]).

mod assign;
mod layout;
mod scan;

use std::path::Path;

use serde_yaml::Value;

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::values::{PathDisplay, Segment};
pub use assign::{Assignment, parse_assignment};
use layout::{Layout, block_lines, scalar_text};
use scan::{Blocker, Doc, Kind, Node};

/// How `ktera set` treats paths that are not in the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Refuse to create a missing path (`--existing`).
    pub existing: bool,
}

/// What [`set_in_file`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Changed,
    /// The file already held these values; it was not rewritten.
    Unchanged,
}

/// Applies `assignments`, in order, to the values file at `path`. All or nothing: on any error
/// the file is untouched.
pub fn set_in_file(
    path: &Path,
    assignments: &[Assignment],
    options: Options,
) -> Result<Outcome, Error> {
    let shown = path.display().to_string();
    // Before reading: a FIFO would block the read, a device never end it.
    crate::output::atomic::check_replaceable(path)?;
    // Read exactly (a byte order mark included: the file is kept byte for byte elsewhere).
    let text = crate::input::read_file_bytes(path)
        .and_then(crate::input::utf8)
        .map_err(|failure| {
            failure.error_or(&shown, |e| {
                Error::io(
                    format!(
                        "cannot read {shown}: {e}; check the path (the file must exist, ktera set does not create it)"
                    ),
                    e,
                )
            })
        })?;
    let edited = edit_text(&text, &shown, assignments, options)?;
    if edited == text {
        return Ok(Outcome::Unchanged);
    }
    crate::output::atomic::replace(path, edited.as_bytes()).map_err(|e| {
        Error::io(
            format!("cannot write {shown}: {e}; the file is unchanged"),
            e,
        )
    })?;
    Ok(Outcome::Changed)
}

/// The text of a values file with `assignments` applied. `origin` names the file in errors.
pub fn edit_text(
    text: &str,
    origin: &str,
    assignments: &[Assignment],
    options: Options,
) -> Result<String, Error> {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(body) => ("\u{feff}", body),
        None => ("", text),
    };
    let doc = Doc::new(body);
    if let Err(err) = doc.single_document() {
        let hint =
            "ktera set edits values files of one document: split the file, one document per file";
        return Err(err.in_file(origin).with_hint(hint));
    }
    crate::values::parse_values(text, origin)?;
    let mut current = body.to_string();
    for assignment in assignments {
        current = Editor { origin, options }.apply(&current, assignment)?;
    }
    let edited = format!("{bom}{current}");
    self_check(text, &edited, origin, assignments)?;
    Ok(edited)
}

/// Where a node hangs: after a key's `:`, after a list `-`, or at the top level.
#[derive(Debug, Clone, Copy)]
enum Holder {
    Root,
    /// Byte offset of the key.
    Key(usize),
    Item,
}

/// A byte range of the text and what replaces it.
type Splice = (usize, usize, String);

struct Editor<'o> {
    origin: &'o str,
    options: Options,
}

impl Editor<'_> {
    fn apply(&self, text: &str, assignment: &Assignment) -> Result<String, Error> {
        let path = &assignment.path;
        let Some(leaf) = scalar_text(&assignment.value, None) else {
            return Err(Error::input(format!(
                "{}: ktera set writes single values, not lists or mappings; set list items one \
                 by one (name[0]=a name[1]=b) and mapping keys by their path (name.key=v)",
                assignment.expr
            )));
        };
        let doc = Doc::new(text);
        let scan = |err: Error| {
            err.in_file(self.origin).with_hint("ktera set follows block-style YAML (one `key: value` or `- item` per line); edit this part by hand")
        };
        let mut node = doc.root().map_err(scan)?;
        let layout = detect_layout(&doc, &node);
        let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let mut holder = Holder::Root;

        for (i, segment) in path.iter().enumerate() {
            let walked = &path[..i];
            match (&node.kind, segment) {
                (Kind::Map { .. }, Segment::Key(key)) => {
                    let entries = doc.map_entries(node.start).map_err(scan)?;
                    if let Some(entry) = entries.iter().find(|e| &e.key == key) {
                        holder = Holder::Key(entry.key_start);
                        node = entry.value.clone();
                        continue;
                    }
                    if self.options.existing {
                        let named = match holder {
                            Holder::Key(key_start) => key_start,
                            _ => node.start,
                        };
                        let (line, _) = doc.position(named);
                        let detail = match walked {
                            [] => format!("the top level has no key `{key}`"),
                            _ => format!(
                                "`{}` (line {line}) has no key `{key}`",
                                PathDisplay(walked)
                            ),
                        };
                        return Err(self.missing(path, detail));
                    }
                    self.check_new_indexes(&doc, &node, path, i)?;
                    let lines = block_lines(&path[i..], &leaf, col(&doc, node.start), layout);
                    return Ok(splice(
                        text,
                        vec![insert_after(&doc, node.last_line, &lines, eol)],
                    ));
                }
                (Kind::Seq { .. }, Segment::Index(index)) => {
                    let items = doc.seq_items(node.start).map_err(scan)?;
                    if let Some(item) = items.get(*index) {
                        holder = Holder::Item;
                        node = item.value.clone();
                        continue;
                    }
                    if self.options.existing {
                        let detail = format!(
                            "`{}` has {} items, no index {index}",
                            PathDisplay(walked),
                            items.len()
                        );
                        return Err(self.missing(path, detail));
                    }
                    if *index > items.len() {
                        return Err(self.at(
                            &doc,
                            node.start,
                            format!(
                                "`{}` has {} items: index {index} is past its end",
                                PathDisplay(walked),
                                items.len()
                            ),
                            format!(
                                "ktera set adds one item at the end of a list: use index {}",
                                items.len()
                            ),
                        ));
                    }
                    self.check_new_indexes(&doc, &node, path, i + 1)?;
                    let lines = block_lines(&path[i..], &leaf, col(&doc, node.start), layout);
                    return Ok(splice(
                        text,
                        vec![insert_after(&doc, node.last_line, &lines, eol)],
                    ));
                }
                (Kind::Empty { .. } | Kind::Scalar { null: true, .. }, _)
                | (Kind::EmptyFlow { mapping: true, .. }, Segment::Key(_))
                | (Kind::EmptyFlow { mapping: false, .. }, Segment::Index(_)) => {
                    if self.options.existing {
                        let detail = match walked {
                            [] => "the file has no values".to_string(),
                            _ => format!("`{}` is empty", PathDisplay(walked)),
                        };
                        return Err(self.missing(path, detail));
                    }
                    self.check_new_indexes(&doc, &node, path, i)?;
                    return Ok(splice(
                        text,
                        self.create(&doc, holder, &node, &path[i..], &leaf, layout, eol),
                    ));
                }
                (Kind::Blocked(blocker), _) => {
                    return Err(self.blocked(&doc, &node, *blocker, walked));
                }
                (
                    Kind::Map { .. } | Kind::EmptyFlow { mapping: true, .. },
                    Segment::Index(index),
                ) => {
                    return Err(self.at(
                        &doc,
                        node.start,
                        format!(
                            "`{}` is a mapping, not a list: [{index}] cannot index it",
                            PathDisplay(walked)
                        ),
                        format!(
                            "name one of its keys instead: {}.KEY=...",
                            PathDisplay(walked)
                        ),
                    ));
                }
                (Kind::Seq { .. } | Kind::EmptyFlow { mapping: false, .. }, Segment::Key(key)) => {
                    return Err(self.at(
                        &doc,
                        node.start,
                        format!(
                            "`{}` is a list, not a mapping: it has no key `{key}`",
                            PathDisplay(walked)
                        ),
                        format!(
                            "name an item by its index: {}[0].{key}=...",
                            PathDisplay(walked)
                        ),
                    ));
                }
                (Kind::Scalar { .. } | Kind::BlockScalar { .. }, _) => {
                    let shown = PathDisplay(walked);
                    return Err(self.at(
                        &doc,
                        node.start,
                        format!("`{shown}` holds a single value, so `{}` cannot be set inside it", PathDisplay(path)),
                        format!("to turn it into a mapping or list, clear it first in the same call: ktera set FILE {shown}=null {}=...", PathDisplay(path)),
                    ));
                }
            }
        }

        let replace =
            |start: usize, end: usize, with: String| Ok(splice(text, vec![(start, end, with)]));
        match &node.kind {
            Kind::Scalar { end, quoting, .. } => {
                let new = scalar_text(&assignment.value, Some(*quoting)).unwrap_or(leaf);
                replace(node.start, *end, new)
            }
            Kind::BlockScalar { end } | Kind::EmptyFlow { end, .. } => {
                replace(node.start, *end, leaf)
            }
            Kind::Empty { at } => replace(*at, *at, format!(" {leaf}")),
            Kind::Map { .. } | Kind::Seq { .. } => {
                Err(self.replace_collection(&doc, &node, holder, path))
            }
            Kind::Blocked(blocker) => Err(self.blocked(&doc, &node, *blocker, path)),
        }
    }

    /// New lists start at index 0: refuses a larger index in `path[from..]`.
    fn check_new_indexes(
        &self,
        doc: &Doc,
        node: &Node,
        path: &[Segment],
        from: usize,
    ) -> Result<(), Error> {
        for (i, segment) in path.iter().enumerate().skip(from) {
            if let Segment::Index(index) = segment
                && *index != 0
            {
                return Err(self.at(
                    doc,
                    node.start,
                    format!(
                        "`{}` does not exist yet, so index {index} would leave holes in a new list",
                        PathDisplay(&path[..i])
                    ),
                    format!(
                        "a new list starts at index 0: {}[0]",
                        PathDisplay(&path[..i])
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Splices that write `path` (relative to `node`) where `node`, an empty value, is.
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        doc: &Doc,
        holder: Holder,
        node: &Node,
        path: &[Segment],
        leaf: &str,
        layout: Layout,
        eol: &str,
    ) -> Vec<Splice> {
        // The empty value's own text (`{}`, `[]`, `null`, `~`) and the blanks before it go.
        let (value_start, value_end) = match node.kind {
            Kind::Empty { at } => (at, at),
            Kind::EmptyFlow { end, .. } | Kind::Scalar { end, .. } => (node.start, end),
            _ => (node.start, node.start),
        };
        let node_line = doc.line_of(value_start);
        match holder {
            Holder::Key(key_start) if doc.line_of(key_start) == node_line => {
                let step = match path.first() {
                    Some(Segment::Index(_)) => layout.seq_offset,
                    _ => layout.map_step,
                };
                let lines = block_lines(path, leaf, col(doc, key_start) + step, layout);
                let blanks = blanks_before(doc.text, value_start);
                vec![
                    (blanks, value_end, String::new()),
                    insert_after(doc, node_line, &lines, eol),
                ]
            }
            Holder::Root if matches!(node.kind, Kind::Empty { .. }) => {
                let lines = block_lines(path, leaf, 0, layout);
                vec![append_at_end(doc.text, &lines, eol)]
            }
            // After `- `, at the top level, or a value on its own line: the block starts where the
            // value was, the rest goes below.
            _ => {
                // After a bare `-` the content starts one blank further.
                let bare = matches!(node.kind, Kind::Empty { .. });
                let column = col(doc, value_start) + usize::from(bare);
                let lines = block_lines(path, leaf, column, layout);
                let (first, rest) = lines
                    .split_first()
                    .map_or(("", &[][..]), |(f, r)| (f.as_str(), r));
                let mut first = first[column.min(first.len())..].to_string();
                if bare {
                    first.insert(0, ' ');
                }
                let mut splices = vec![(value_start, value_end, first)];
                if !rest.is_empty() {
                    splices.push(insert_after(doc, node_line, rest, eol));
                }
                splices
            }
        }
    }

    fn at(&self, doc: &Doc, offset: usize, message: String, hint: String) -> Error {
        let (line, column) = doc.position(offset);
        Error::input(message).with_diagnostic(
            Diagnostic::in_text(self.origin, doc.text, line, column).with_hint(hint),
        )
    }

    fn missing(&self, path: &[Segment], detail: String) -> Error {
        Error::input(format!(
            "{} does not exist ({detail}); nothing was changed. Drop --existing to create it, or \
             check the spelling of the path",
            PathDisplay(path)
        ))
        .in_file(self.origin)
    }

    fn blocked(&self, doc: &Doc, node: &Node, blocker: Blocker, path: &[Segment]) -> Error {
        let name = match path {
            [] => "the top level".to_string(),
            _ => format!("`{}`", PathDisplay(path)),
        };
        let (what, hint) = match blocker {
            Blocker::FlowMapping => (
                "is a flow-style mapping (`{...}`)",
                "ktera set edits block style only: rewrite this mapping with one `key: value` per line, then run it again",
            ),
            Blocker::FlowSequence => (
                "is a flow-style list (`[...]`)",
                "ktera set edits block style only: rewrite this list with one `- item` per line, then run it again",
            ),
            Blocker::Anchor => (
                "carries an anchor (`&name`)",
                "other places may share it through an alias (`*name`), so changing it in place could change them too; edit it by hand",
            ),
            Blocker::Alias => (
                "is an alias (`*name`) of a value defined elsewhere",
                "change the anchored value (`&name`) by hand, or write this value out in full first",
            ),
            Blocker::Tag => ("carries a tag (`!tag`)", "edit it by hand"),
        };
        self.at(doc, node.start, format!("{name} {what}"), hint.to_string())
    }

    fn replace_collection(
        &self,
        doc: &Doc,
        node: &Node,
        holder: Holder,
        path: &[Segment],
    ) -> Error {
        let shown = PathDisplay(path);
        let (what, inside) = match node.kind {
            Kind::Map { .. } => {
                let keys: Vec<String> = doc
                    .map_entries(node.start)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| e.key)
                    .collect();
                let listed = keys
                    .iter()
                    .take(4)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                let more = if keys.len() > 4 { ", ..." } else { "" };
                (
                    format!("a mapping ({listed}{more})"),
                    format!("{shown}.KEY=..."),
                )
            }
            _ => {
                let count = doc
                    .seq_items(node.start)
                    .map(|items| items.len())
                    .unwrap_or(0);
                (
                    format!("a list of {count} items"),
                    format!("{shown}[0]=..."),
                )
            }
        };
        // Points at the key that holds the block.
        let at = match holder {
            Holder::Key(key_start) => key_start,
            _ => node.start,
        };
        self.at(
            doc,
            at,
            format!(
                "`{shown}` is {what}; setting it to a single value would drop that whole block"
            ),
            format!("set what is inside it ({inside}), or replace the block by hand"),
        )
    }
}

/// The column (in bytes from the line start) of byte `offset`.
fn col(doc: &Doc, offset: usize) -> usize {
    offset - doc.lines[doc.line_of(offset)].start
}

/// The start of the blanks just before byte `offset`.
fn blanks_before(text: &str, offset: usize) -> usize {
    offset - (text[..offset].len() - text[..offset].trim_end_matches([' ', '\t']).len())
}

/// A splice inserting `lines` after line `line`.
fn insert_after(doc: &Doc, line: usize, lines: &[String], eol: &str) -> Splice {
    let Some(l) = doc.lines.get(line) else {
        return append_at_end(doc.text, lines, eol);
    };
    if l.next == l.end {
        // The last line, without a line end: the new lines go after one, and the file keeps ending
        // without one.
        (l.end, l.end, format!("{eol}{}", lines.join(eol)))
    } else {
        let mut text = String::new();
        for line in lines {
            text.push_str(line);
            text.push_str(eol);
        }
        (l.next, l.next, text)
    }
}

fn append_at_end(text: &str, lines: &[String], eol: &str) -> Splice {
    let mut out = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        out.push_str(eol);
    }
    for line in lines {
        out.push_str(line);
        out.push_str(eol);
    }
    (text.len(), text.len(), out)
}

fn splice(text: &str, mut splices: Vec<Splice>) -> String {
    splices.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, with) in splices {
        out.replace_range(start..end, &with);
    }
    out
}

/// How the file nests: the first mapping under a key and the first list under a key found.
fn detect_layout(doc: &Doc, root: &Node) -> Layout {
    let mut layout = Layout::default();
    let (mut map_step, mut seq_offset) = (None, None);
    let mut stack = vec![root.clone()];
    while let Some(node) = stack.pop() {
        if map_step.is_some() && seq_offset.is_some() {
            break;
        }
        match node.kind {
            Kind::Map { .. } => {
                let Ok(entries) = doc.map_entries(node.start) else {
                    continue;
                };
                for entry in entries.into_iter().rev() {
                    let key_line = doc.line_of(entry.key_start);
                    let key_col = col(doc, entry.key_start);
                    match entry.value.kind {
                        Kind::Map { line, col } if line > key_line && col > key_col => {
                            map_step = map_step.or(Some(col - key_col));
                        }
                        Kind::Seq { line, col } if line > key_line && col >= key_col => {
                            seq_offset = seq_offset.or(Some(col - key_col));
                        }
                        _ => {}
                    }
                    stack.push(entry.value);
                }
            }
            Kind::Seq { .. } => {
                if let Ok(items) = doc.seq_items(node.start) {
                    stack.extend(items.into_iter().rev().map(|item| item.value));
                }
            }
            _ => {}
        }
    }
    if let Some(step) = map_step {
        layout.map_step = step;
    }
    if let Some(offset) = seq_offset {
        layout.seq_offset = offset;
    }
    layout
}

/// The new text must read back as the old values with the assignments applied by `--set`'s own
/// code, nothing more and nothing less.
fn self_check(old: &str, new: &str, origin: &str, assignments: &[Assignment]) -> Result<(), Error> {
    let fail = |detail: String| {
        Error::input(format!(
            "the edited file would not read back as the old values with the changes applied \
             ({detail}); the file is unchanged. Make this change by hand, and please report the \
             file's shape as a ktera bug"
        ))
        .in_file(origin)
    };
    let mut expected: Value =
        serde_yaml::from_str(old).map_err(|e| fail(format!("the old text does not parse: {e}")))?;
    for assignment in assignments {
        crate::values::apply_set(&mut expected, &assignment.expr, assignment.kind)
            .map_err(|e| fail(format!("{} does not apply: {e}", assignment.expr)))?;
    }
    let actual: Value =
        serde_yaml::from_str(new).map_err(|e| fail(format!("the new text does not parse: {e}")))?;
    match first_difference(&expected, &actual, &mut Vec::new()) {
        None => Ok(()),
        Some(at) => Err(fail(format!("it differs at `{at}`"))),
    }
}

/// The path of the first place where `a` and `b` differ.
fn first_difference(a: &Value, b: &Value, path: &mut Vec<Segment>) -> Option<String> {
    match (a, b) {
        (Value::Mapping(x), Value::Mapping(y)) => {
            for (key, value) in x {
                let name = key
                    .as_str()
                    .map_or_else(|| format!("{key:?}"), str::to_string);
                path.push(Segment::Key(name));
                let found = match y.get(key) {
                    Some(other) => first_difference(value, other, path),
                    None => Some(PathDisplay(path).to_string()),
                };
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            let extra = y.keys().find(|k| !x.contains_key(*k))?;
            path.push(Segment::Key(
                extra
                    .as_str()
                    .map_or_else(|| format!("{extra:?}"), str::to_string),
            ));
            let shown = PathDisplay(path).to_string();
            path.pop();
            Some(shown)
        }
        (Value::Sequence(x), Value::Sequence(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                path.push(Segment::Index(i));
                let found = first_difference(p, q, path);
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        _ if a == b => None,
        _ if path.is_empty() => Some("the top level".into()),
        _ => Some(PathDisplay(path).to_string()),
    }
}

#[cfg(test)]
mod tests;
