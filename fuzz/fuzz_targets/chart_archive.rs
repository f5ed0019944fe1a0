//! Chart archives (`.tgz`): read as `ktera template x.tgz` and `charts/*.tgz` read them.
//!
//! Input: the archive's bytes (gzip-compressed tar). Checks: no panic; what reads writes back
//! (`ktera package`'s writer) and reads again to the same files; a chart loads from it or
//! fails with an error.
#![no_main]

use std::path::Path;

use ktera::chart::archive::{Budget, read, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(files) = read(data, &mut Budget::default()) {
        let written = write(&files.top, &files.files, 0).expect("write");
        let again = read(&written, &mut Budget::default()).expect("read what was written");
        assert_eq!(again.top, files.top);
        assert_eq!(again.files, files.files);
    }
    let _ = ktera::chart::load_archive_bytes(Path::new("fuzz.tgz"), data);
});
