//! Writing a template: the tree of literal YAML and Tera expressions as the text of a
//! template, in the block style `kubectl` prints (2-space indent, list items at their key's
//! column), literal parts by ktera's own YAML emitter.
//!
//! Two hazards are handled here. Text of the objects that Tera would read as its own
//! (`{{`, `{%`, `{#`, common in configuration files) is wrapped in `{% raw %}`. And text that
//! ends in blank lines (a `|+` block scalar, literal or from a value) must keep them, but a
//! guard after it (`{%- if ... %}`) trims them, and so does the end of a document (each
//! document is trimmed, as Helm trims it): a comment line follows such a block, which YAML
//! reads as the block's end and which nothing trims.

use serde_yaml::{Mapping, Value};

use super::model::{Field, Item, MapNode, Node, Slot};
use super::names;

pub struct Writer<'a> {
    slots: &'a [Slot],
    out: String,
}

/// Follows a block that may end in blank lines (see the module's comment).
const KEEP_BLANK_LINES: &str = "# (keeps the blank lines above)";

impl<'a> Writer<'a> {
    pub fn new(slots: &'a [Slot]) -> Writer<'a> {
        Writer {
            slots,
            out: String::new(),
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// Raw text, as it is (comments, tags at the top of a file).
    pub fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// An object (or the hashed fields of one) at the left margin; nothing for an empty map.
    pub fn root(&mut self, node: &Node) {
        match node {
            Node::Map(map) => self.map_body(map, 0),
            Node::Literal(value) if value.as_mapping().is_some_and(|m| !m.is_empty()) => {
                self.literal(value, 0)
            }
            _ => {}
        }
    }

    /// The fields of a map at `indent` (an object at 0).
    pub fn map_body(&mut self, map: &MapNode, indent: usize) {
        if let Some(include) = &map.include {
            self.line(indent, &format!("{{{{ {include} }}}}"));
        }
        for field in &map.fields {
            self.field(field, indent);
        }
    }

    /// A block tag: `{%- if x %}` on a line of its own, or glued to the start of the next
    /// line when the text before it ends in whitespace that matters.
    pub fn tag(&mut self, indent: usize, tag: &str) {
        let before = self.out.strip_suffix('\n');
        let safe = before.is_some_and(|b| !b.is_empty() && !b.ends_with(char::is_whitespace));
        if safe {
            self.out.push_str(&" ".repeat(indent));
            self.out.push_str("{%- ");
            self.out.push_str(tag);
            self.out.push_str(" %}\n");
        } else {
            self.out.push_str("{% ");
            self.out.push_str(tag);
            self.out.push_str(" %}");
        }
    }

    fn line(&mut self, indent: usize, text: &str) {
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A line that reads a slot; then the comment that keeps a block's final blank lines, when
    /// it writes a block that may end in some.
    fn slot_line(&mut self, slot: usize, indent: usize, text: &str) {
        self.line(indent, text);
        let slot = &self.slots[slot];
        if slot.file.is_none() && scalar_form(slot).is_none() && may_end_blank(slot) {
            self.line(indent, KEEP_BLANK_LINES);
        }
    }

    fn field(&mut self, field: &Field, indent: usize) {
        if let Some(guard) = &field.guard {
            self.tag(indent, &format!("if {guard}"));
        }
        let key = escape(&key_text(&field.key));
        let width = indent + 2;
        match &field.node {
            Node::Literal(value) => {
                let mut map = Mapping::new();
                map.insert(field.key.clone(), value.clone());
                self.literal(&Value::Mapping(map), indent);
            }
            Node::Map(map) => {
                match &map.include {
                    Some(include) => self.line(
                        indent,
                        &format!("{key}:{{{{ {include} | nindent(width={width}) }}}}"),
                    ),
                    None => self.line(indent, &format!("{key}:")),
                }
                for child in &map.fields {
                    self.field(child, width);
                }
            }
            Node::Seq(items) => {
                self.line(indent, &format!("{key}:"));
                for item in items {
                    self.item(item, indent);
                }
            }
            Node::Slot(slot) => {
                let text = self.slot_text(*slot, width);
                self.slot_line(*slot, indent, &format!("{key}:{text}"));
            }
            Node::Expr(text) => self.line(indent, &format!("{key}: {text}")),
            Node::Loop { slot, encode } => {
                let access = names::access(&self.slots[*slot].path);
                self.line(indent, &format!("{key}:"));
                let encode = if *encode { " | b64encode" } else { "" };
                self.line(indent, &format!("{{%- for key, value in {access} %}}"));
                self.line(
                    width,
                    &format!("{{{{ key | quote }}}}: {{{{ value{encode} | quote }}}}"),
                );
                self.line(indent, "{%- endfor %}");
            }
            // Quoted, not a block: a `|+` block that ends a document would lose its final blank
            // lines to the document splitter (as Helm's does); a quoted scalar keeps them.
            Node::File(path) => self.line(
                indent,
                &format!(
                    "{key}: {{{{ files_get(path={}) | quote }}}}",
                    crate::engine::string_literal(path)
                ),
            ),
        }
        if field.guard.is_some() {
            self.tag(indent, "endif");
        }
    }

    /// A list item: `- ` at `indent`, its fields at `indent + 2`.
    fn item(&mut self, item: &Item, indent: usize) {
        if let Some(guard) = &item.guard {
            self.tag(indent, &format!("if {guard}"));
        }
        let width = indent + 2;
        match &item.node {
            Node::Literal(value) => self.literal(&Value::Sequence(vec![value.clone()]), indent),
            Node::Map(map) => {
                let first_plain =
                    map.include.is_none() && map.fields.first().is_some_and(|f| f.guard.is_none());
                if first_plain {
                    // The first field on the dash's line: `- name: web`.
                    let start = self.out.len();
                    self.map_body(map, width);
                    let lead = start + indent;
                    if self.out[start..].starts_with(&" ".repeat(width)) {
                        self.out.replace_range(lead..lead + 2, "- ");
                    } else {
                        // A field written inside raw: keep the dash on a line of its own.
                        self.out
                            .insert_str(start, &format!("{}-\n", " ".repeat(indent)));
                    }
                } else {
                    self.line(indent, "-");
                    self.map_body(map, width);
                }
            }
            Node::Seq(items) => {
                self.line(indent, "-");
                for child in items {
                    self.item(child, width);
                }
            }
            Node::Slot(slot) => {
                let text = self.slot_text(*slot, width);
                match text.strip_prefix(' ') {
                    Some(same_line) => self.slot_line(*slot, indent, &format!("- {same_line}")),
                    // A block: its first line on the dash's line.
                    None => self.slot_line(
                        *slot,
                        indent,
                        &format!(
                            "- {{{{ {} | to_yaml | indent(width={width}) }}}}",
                            names::access(&self.slots[*slot].path)
                        ),
                    ),
                }
            }
            Node::Expr(text) => self.line(indent, &format!("- {text}")),
            Node::File(path) => self.line(
                indent,
                &format!(
                    "- {{{{ files_get(path={}) | quote }}}}",
                    crate::engine::string_literal(path)
                ),
            ),
            Node::Loop { .. } => self.line(indent, "- {}"),
        }
        if item.guard.is_some() {
            self.tag(indent, "endif");
        }
    }

    /// What follows `key:` to read a slot, for a key whose block goes to `width`:
    /// ` {{ x | quote }}` on the same line, or `{{ x | to_yaml | nindent(width=N) }}`.
    fn slot_text(&self, slot: usize, width: usize) -> String {
        let slot = &self.slots[slot];
        let access = names::access(&slot.path);
        if slot.file.is_some() {
            return format!(" {{{{ files_get(path={access}) | quote }}}}");
        }
        match scalar_form(slot) {
            Some(filter) => format!(" {{{{ {access}{filter} }}}}"),
            None => format!("{{{{ {access} | to_yaml | nindent(width={width}) }}}}"),
        }
    }

    /// YAML as ktera emits it, every non-empty line moved right by `indent`.
    fn literal(&mut self, value: &Value, indent: usize) {
        let text = crate::yaml::emit_document(value);
        let pad = " ".repeat(indent);
        let mut block = String::with_capacity(text.len() + 16);
        for line in text.split_inclusive('\n') {
            if line != "\n" {
                block.push_str(&pad);
            }
            block.push_str(line);
        }
        if needs_raw(&block) {
            let body = block.strip_suffix('\n').unwrap_or(&block);
            self.out.push_str(&raw(body));
            self.out.push('\n');
        } else {
            self.out.push_str(&block);
        }
        if block
            .strip_suffix('\n')
            .is_some_and(|b| b.ends_with(char::is_whitespace))
        {
            self.line(indent, KEEP_BLANK_LINES);
        }
    }
}

/// How a value is written after `key: `, when each environment's value is a scalar: the
/// filter to apply (`| quote` for text, none for integers and booleans, `| to_yaml` for the
/// rest). `None`: a map or list somewhere, written as a block.
fn scalar_form(slot: &Slot) -> Option<&'static str> {
    let values: Vec<&Value> = slot
        .values
        .iter()
        .zip(&slot.cares)
        .filter(|(_, cares)| **cares)
        .filter_map(|(v, _)| v.as_ref())
        .chain(slot.base.as_ref())
        .collect();
    if values.iter().all(|v| v.is_string()) {
        Some(" | quote")
    } else if values
        .iter()
        .all(|v| v.is_bool() || v.as_i64().is_some() || v.as_u64().is_some())
    {
        Some("")
    } else if values.iter().all(|v| {
        !v.is_mapping()
            && !v.is_sequence()
            && !matches!(v, Value::Tagged(_))
            && v.as_str().is_none_or(|s| !s.contains('\n'))
    }) {
        // ktera's emitter: a float keeps its `.0`, a null is `null`, a string its quotes.
        Some(" | to_yaml")
    } else {
        None
    }
}

/// Whether a slot's value, written as YAML, may end in blank lines: some text in it does (a
/// `|+` block; somewhere inside, not only at its end, which is cheaper to ask).
fn may_end_blank(slot: &Slot) -> bool {
    fn any(value: &Value) -> bool {
        match value {
            Value::String(s) => s.ends_with("\n\n"),
            Value::Sequence(items) => items.iter().any(any),
            Value::Mapping(map) => map.values().any(any),
            Value::Tagged(tagged) => any(&tagged.value),
            _ => false,
        }
    }
    slot.values
        .iter()
        .flatten()
        .chain(slot.base.as_ref())
        .any(any)
}

/// A map key as YAML writes it, quoted when it would read as something else.
fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => crate::yaml::quote_scalar_if_needed(s).into_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        other => {
            let text = crate::yaml::emit_document(other);
            text.trim_end().to_string()
        }
    }
}

fn needs_raw(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

/// Text Tera must print as it is.
pub fn escape(text: &str) -> String {
    if needs_raw(text) {
        raw(text)
    } else {
        text.to_string()
    }
}

/// `{% raw %}text{% endraw %}`; a literal `{% endraw %}` inside is printed by an expression.
fn raw(text: &str) -> String {
    let parts: Vec<&str> = text.split("{% endraw %}").collect();
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str("{{ \"{% endraw %}\" }}");
        }
        if !part.is_empty() {
            out.push_str("{% raw %}");
            out.push_str(part);
            out.push_str("{% endraw %}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tera_text_is_kept_raw() {
        assert_eq!(escape("a: {{ x }}"), "{% raw %}a: {{ x }}{% endraw %}");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(
            escape("{% endraw %}{{"),
            "{{ \"{% endraw %}\" }}{% raw %}{{{% endraw %}"
        );
    }

    #[test]
    fn guards_do_not_cut_kept_newlines() {
        let mut w = Writer::new(&[]);
        w.push("a: 1\n");
        w.tag(2, "if x");
        assert!(w.out.ends_with("a: 1\n  {%- if x %}\n"));
        let mut w = Writer::new(&[]);
        w.push("a: |+\n  text\n\n");
        w.tag(2, "if x");
        assert!(w.out.ends_with("\n\n{% if x %}"));
    }
}
