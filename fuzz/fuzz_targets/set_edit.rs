//! `ktera set`: assignments applied in place to a values file's text, keeping its layout.
//!
//! Input: a kind byte, then NUL-separated parts: the values file, then `--set`-style
//! assignments. Checks: no panic; an edit that succeeds yields a values file that parses.
#![no_main]

use ktera::edit::{Options, edit_text, parse_assignment};
use ktera::values::{SetKind, parse_values};
use ktera_fuzz::parts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = if selector % 2 == 0 {
        SetKind::Typed
    } else {
        SetKind::String
    };
    let options = Options {
        existing: selector & 2 != 0,
    };
    let mut pieces = parts(rest, 6).into_iter();
    let text = pieces.next().unwrap_or_default();
    let mut assignments = Vec::new();
    for arg in pieces {
        if let Ok(mut items) = parse_assignment(&arg, kind) {
            assignments.append(&mut items);
        }
    }
    match edit_text(&text, "values.yaml", &assignments, options) {
        Ok(edited) => {
            if let Err(e) = parse_values(&edited, "edited.yaml") {
                panic!("the edit does not parse: {e}\nbefore:\n{text}\nafter:\n{edited}");
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
