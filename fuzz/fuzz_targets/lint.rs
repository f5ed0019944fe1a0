//! `ktera lint`: rendered manifests validated against the shipped Kubernetes schemas and the
//! semantic checks.
//!
//! Input: a YAML manifest stream; a Secret whose data is not base64 is added to it. Checks: no
//! panic; the findings render as text and JSON; that Secret's value never shows in them.
#![no_main]

use ktera::lint::{LintOptions, check, format_json, format_text};
use ktera::manifest::{RenderedText, parse_rendered};
use libfuzzer_sys::fuzz_target;

/// The Secret's value: plain text under `data:`, so lint reports it.
const SECRET: &str = "S3cr3tQz not base64";

fuzz_target!(|data: &[u8]| {
    let stream = String::from_utf8_lossy(data);
    if stream.contains("S3cr3tQz") {
        return;
    }
    let text = format!(
        "{stream}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: fuzz-secret\ndata:\n  password: {SECRET}\n"
    );
    let rendered = RenderedText {
        name: "t.yaml",
        source_name: "fuzz/templates/t.yaml",
        path: "templates/t.yaml",
        text: &text,
    };
    let Ok(manifests) = parse_rendered(&rendered, &text) else {
        return;
    };
    let opts = LintOptions::default();
    let Ok(findings) = check(&manifests, &[], &opts) else {
        return;
    };
    let shown = format_text(&findings);
    let json = format_json(&findings, &opts.kube_version, "v1.32", manifests.len());
    assert!(
        !shown.contains("S3cr3tQz"),
        "a Secret value shows:\n{shown}"
    );
    assert!(!json.contains("S3cr3tQz"), "a Secret value shows:\n{json}");
});
