//! YAML: the emitter (the text ktera prints for every manifest and for `to_yaml`) and a fast
//! reader for the documents templates render (`read`).
//!
//! Hand-written on purpose. serde_yaml 0.9's serializer leaves `yes`, `no`, `on`, `off`, `y`,
//! `n`, `12:30`, `1_000`, `2024-01-01` and `0755`-style strings unquoted, and Kubernetes
//! (go-yaml, YAML 1.1 flavoured) reads them back as bools, ints or timestamps; no maintained
//! crate emits YAML that is safe for YAML 1.1 readers. Here every string reads back as the same
//! string under YAML 1.1 and 1.2.
//!
//! Style, as kubectl and Helm's `toYaml` write it: keys in the mapping's order, 2-space indent,
//! sequence items at their parent key's column, `{}`/`[]` for empty collections, multi-line
//! strings as literal blocks (`|`, `|-`, `|+`).
//!
//! - `scalar`: the quoting decision, string styles, numbers.
//! - `emit`: block structure, walked with an explicit stack (any nesting depth).
//! - `tag`: `!tag` names.
//! - `read`: a fast reader for the plain block YAML templates render, serde_yaml's stand-in
//!   for the documents it can read.
//! - `locate`: where a node of a document starts, found by its path (for errors found after
//!   parsing).

mod depth;
mod emit;
mod locate;
mod read;
mod scalar;
mod tag;

#[cfg(test)]
mod tests;

pub use depth::{MAX_FLOW_DEPTH, check_flow_depth, too_deep_flow};
pub use locate::locate;
pub use read::{Keys, read_document};
pub use scalar::{double_quoted, quote_scalar_if_needed};

/// Emits one YAML document body (no leading `---`), ending with exactly one '\n'.
pub fn emit_document(value: &serde_yaml::Value) -> String {
    let mut out = String::new();
    emit_document_into(value, &mut out);
    out
}

/// Appends the same to a buffer (used in hot loops to avoid allocations).
pub fn emit_document_into(value: &serde_yaml::Value, out: &mut String) {
    emit::emit_into(value, out);
}
