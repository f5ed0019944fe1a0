//! `--set`, `--set-string` and `--set-json` expressions applied onto values from a values file.
//!
//! Input: a kind byte, then NUL-separated parts: a values document, then expressions. Checks:
//! no panic; a failed expression leaves the values unchanged; a value read before the error
//! never shows in the message; the result emits and reads back as the same data.
#![no_main]

use ktera::values::{SetKind, apply_set, parse_values};
use ktera_fuzz::{assert_round_trip, parts};
use libfuzzer_sys::fuzz_target;
use serde_yaml::{Mapping, Value};

/// Stands for a secret: set first, it must never appear in an error about a later item.
const SECRET: &str = "S3cr3tQz";

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = match selector % 3 {
        0 => SetKind::Typed,
        1 => SetKind::String,
        _ => SetKind::Json,
    };
    let mut pieces = parts(rest, 8).into_iter();
    let mut values = pieces
        .next()
        .and_then(|doc| parse_values(&doc, "fuzz.yaml").ok())
        .unwrap_or_else(|| Value::Mapping(Mapping::new()));
    for expr in pieces {
        let before = values.clone();
        if let Err(e) = apply_set(&mut values, &expr, kind) {
            assert!(
                values == before,
                "a failed expression changed the values: {expr:?}"
            );
            let _ = e.to_string();
        }
        assert!(
            values.is_mapping(),
            "values stopped being a mapping: {expr:?}"
        );
        if selector & 0x80 != 0 && !expr.contains(SECRET) {
            let secret = match kind {
                SetKind::Json => format!("\"{SECRET}\""),
                _ => SECRET.to_string(),
            };
            let mut scratch = values.clone();
            if let Err(e) = apply_set(&mut scratch, &format!("k={secret},{expr}"), kind) {
                let message = e.to_string();
                assert!(
                    !message.contains(SECRET),
                    "a value shows in the error: {expr:?}\n{message}"
                );
            }
        }
    }
    assert_round_trip(&values);
});
