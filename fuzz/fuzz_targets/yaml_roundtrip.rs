//! The emitter's promise: any value emits as YAML that reads back as the same value.
//!
//! Input: a mode byte. Even: the rest builds an arbitrary `serde_yaml::Value` (tags, complex
//! keys, NaN, nasty strings). Odd: the rest is a values document; what parses is emitted and
//! must read back the same under serde_yaml and under the values parser itself.
#![no_main]

use arbitrary::Unstructured;
use ktera::values::parse_values;
use ktera_fuzz::{assert_round_trip, same, value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let mut u = Unstructured::new(rest);
        if let Ok(v) = value(&mut u, 1 + usize::from(mode >> 1) % 8) {
            assert_round_trip(&v);
        }
    } else {
        let text = String::from_utf8_lossy(rest);
        let Ok(v) = parse_values(&text, "fuzz.yaml") else {
            return;
        };
        assert_round_trip(&v);
        let emitted = ktera::yaml::emit_document(&v);
        match parse_values(&emitted, "emitted.yaml") {
            Ok(back) => assert!(
                same(&v, &back),
                "values parser reads back {back:?}\n{emitted}"
            ),
            Err(e) => panic!("values parser refuses the emitted text: {e}\n{emitted}"),
        }
    }
});
