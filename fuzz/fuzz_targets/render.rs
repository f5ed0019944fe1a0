//! A full render: chart loading, values, Tera templates with ktera's filters, functions and
//! `tpl`, splitting and parsing the rendered YAML, emitting it.
//!
//! Input: NUL-separated parts: a template (`templates/t.yaml`), the chart's values.yaml and a
//! partial (`templates/_helpers.tera`), written to a scratch chart on each run. Checks: no
//! panic, no stack overflow, no runaway memory; every rendered document emits and reads back.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use ktera::release::Release;
use ktera::values::ValueSources;
use ktera_fuzz::{assert_round_trip, parts};
use libfuzzer_sys::fuzz_target;

/// A scratch chart directory for this process, in memory when /dev/shm exists.
fn chart_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = PathBuf::from("/dev/shm");
        let base = if base.is_dir() {
            base
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("ktera-fuzz-render-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates")).expect("scratch chart directory");
        std::fs::write(
            dir.join("Chart.yaml"),
            "apiVersion: v2\nname: fuzz\nversion: 0.1.0\n",
        )
        .expect("scratch Chart.yaml");
        std::fs::write(dir.join("notes.txt"), "a file of the chart\n").expect("scratch file");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let mut pieces = parts(data, 3).into_iter();
    let template = pieces.next().unwrap_or_default();
    let values = pieces.next().unwrap_or_default();
    let helpers = pieces.next().unwrap_or_default();
    let dir = chart_dir();
    let written = std::fs::write(dir.join("templates/t.yaml"), template)
        .and_then(|()| std::fs::write(dir.join("values.yaml"), values))
        .and_then(|()| std::fs::write(dir.join("templates/_helpers.tera"), helpers));
    if written.is_err() {
        return;
    }
    let result = ktera::pipeline::render_chart(
        dir,
        &ValueSources::default(),
        &Release::default(),
        &mut std::io::empty(),
    );
    match result {
        Ok(output) => {
            for manifest in &output.manifests {
                assert_round_trip(&manifest.value);
            }
            let _ = ktera::output::stream(&output.manifests);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
