//! The fast YAML reader's promise: whenever it reads a document, serde_yaml reads the same
//! value from it (and, for values files, so does the values parser without the fast reader).
#![no_main]

use ktera::values::parse_values_with_serde_yaml;
use ktera::yaml::{Keys, read_document};
use ktera_fuzz::same;
use libfuzzer_sys::fuzz_target;
use serde_yaml::{Mapping, Value};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(fast) = read_document(text, Keys::Resolved) {
        match serde_yaml::from_str::<Value>(text) {
            Ok(slow) => assert!(same(&fast, &slow), "fast {fast:?}\nserde_yaml {slow:?}"),
            Err(e) => panic!("serde_yaml refuses what the fast reader read ({fast:?}): {e}"),
        }
    }
    if let Some(fast) = read_document(text, Keys::Strings) {
        let fast = if fast.is_null() {
            Value::Mapping(Mapping::new())
        } else {
            fast
        };
        if fast.is_mapping() {
            match parse_values_with_serde_yaml(text, "fuzz.yaml") {
                Ok(slow) => assert!(same(&fast, &slow), "fast {fast:?}\nvalues {slow:?}"),
                // Its depth scan is lexical and may refuse brackets libyaml reads as text: a
                // refusal, not another value.
                Err(e) if e.to_string().contains("nest deeper than") => {}
                Err(e) => panic!("the values parser refuses what the fast reader read: {e}"),
            }
        }
    }
});
