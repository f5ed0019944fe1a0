//! `ktera diff`: two manifest streams parsed, compared and reported.
//!
//! Input: two NUL-separated YAML streams. Checks: no panic; comparing a side with itself finds
//! no difference; the text and JSON reports render.
#![no_main]

use ktera::diff::{ReportOptions, compare, parse_manifests};
use ktera_fuzz::parts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let sides = parts(data, 2);
    let left = sides.first().map(String::as_str).unwrap_or("");
    let right = sides.get(1).map(String::as_str).unwrap_or("");
    let (Ok(left), Ok(right)) = (
        parse_manifests(left, "left.yaml"),
        parse_manifests(right, "right.yaml"),
    ) else {
        return;
    };
    assert!(
        compare(&left, &left).is_equal(),
        "a side differs from itself"
    );
    let report = compare(&left, &right);
    for show_secrets in [false, true] {
        let opts = ReportOptions {
            color: show_secrets,
            show_secrets,
        };
        let mut out = Vec::new();
        let _ = report.write_text(&opts, &mut out);
        let _ = report.to_json(&opts);
    }
});
