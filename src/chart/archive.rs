//! Chart archives (`.tgz`), as `helm package` and `helm dependency build` write them: one top
//! directory named after the chart, holding the chart's files.
//!
//! Reading follows Helm's `loader.LoadArchiveFiles` (the top directory is stripped, a path
//! written with `\` is read as one written with `/`) and is stricter where an archive could
//! harm: a path with `..`, an absolute path, a link, a device, a second top directory or a
//! second entry of the same path is refused, and what an archive unpacks to is capped
//! ([`Budget`]), so an archive that never ends or inflates without end stops with an error.
//! Writing ([`write`]) makes the same bytes from the same files: entries in path order, fixed
//! times, owners and modes.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::Arc;

use super::files::MAX_FILE_BYTES;
use crate::error::Error;

/// Most bytes the archives of one chart tree unpack to, together (Helm 3.18 caps a chart at the
/// same 100 MiB).
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;

/// Most entries the archives of one chart tree hold, together.
pub const MAX_ENTRIES: usize = super::files::MAX_ENTRIES;

/// What the archives of one chart tree may still unpack to: shared by an archive and the
/// archives inside it, so nesting does not multiply the allowance.
#[derive(Debug)]
pub struct Budget {
    bytes: u64,
    entries: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            bytes: MAX_UNPACKED_BYTES,
            entries: MAX_ENTRIES,
        }
    }
}

/// A chart archive read into memory.
#[derive(Debug, Clone)]
pub struct ArchiveFiles {
    /// The top directory: the chart's name as it was packaged.
    pub top: String,
    /// Path inside the top directory, with `/` separators -> content.
    pub files: BTreeMap<String, Arc<[u8]>>,
}

/// Whether `bytes` start as a gzip stream does.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Reads a gzip-compressed tar archive of one chart. An error says what is wrong with the
/// archive; the caller names the file ([`Error::in_file`]).
pub fn read(bytes: &[u8], budget: &mut Budget) -> Result<ArchiveFiles, Error> {
    if !is_gzip(bytes) {
        return Err(Error::input(
            "not a gzip-compressed tar archive (a chart archive is what `helm package` or `ktera package` writes)",
        ));
    }
    let unpacked = Capped {
        inner: flate2::read::MultiGzDecoder::new(bytes),
        left: budget.bytes,
    };
    let mut archive = tar::Archive::new(unpacked);
    let mut top: Option<String> = None;
    let mut files = BTreeMap::new();
    let entries = archive.entries().map_err(describe)?;
    for entry in entries {
        let mut entry = entry.map_err(describe)?;
        if budget.entries == 0 {
            return Err(Error::input(format!(
                "holds more than {MAX_ENTRIES} entries"
            )));
        }
        budget.entries -= 1;
        let raw_path = entry.path_bytes().into_owned();
        let shown = String::from_utf8_lossy(&raw_path).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(Error::input(format!(
                "`{shown}` is a link; a chart archive holds files only (links could lead out of the chart)"
            )));
        }
        if !(kind.is_file() || kind.is_contiguous()) {
            return Err(Error::input(format!(
                "`{shown}` is not a regular file (tar entry type {:?}); a chart archive holds files only",
                kind.as_byte() as char
            )));
        }
        let (dir, path) = split_path(&raw_path)?;
        match &top {
            None => top = Some(dir),
            Some(first) if *first != dir => {
                return Err(Error::input(format!(
                    "holds more than one top directory (`{first}` and `{dir}`); a chart archive holds one, named after the chart"
                )));
            }
            Some(_) => {}
        }
        let size = entry.header().size().map_err(describe)?;
        if size > MAX_FILE_BYTES {
            return Err(Error::input(format!(
                "`{shown}` is larger than {} MiB, the most ktera reads from a chart file",
                MAX_FILE_BYTES / (1024 * 1024)
            )));
        }
        let mut content = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        (&mut entry)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut content)
            .map_err(describe)?;
        if files.insert(path, Arc::from(content)).is_some() {
            return Err(Error::input(format!(
                "`{shown}` is in the archive twice; which one is meant is unclear"
            )));
        }
    }
    budget.bytes = archive.into_inner().left;
    match top {
        Some(top) => Ok(ArchiveFiles { top, files }),
        None => Err(Error::input("holds no files")),
    }
}

fn describe(e: io::Error) -> Error {
    Error::input(format!("cannot be unpacked: {e}"))
}

/// `backend/templates/x.yaml` -> (`backend`, `templates/x.yaml`), refusing what could lead out
/// of the chart.
fn split_path(raw: &[u8]) -> Result<(String, String), Error> {
    let name = std::str::from_utf8(raw).map_err(|_| {
        Error::input(format!(
            "`{}`: a path that is not UTF-8",
            String::from_utf8_lossy(raw)
        ))
    })?;
    // Archives made on Windows may separate with `\` (Helm reads those too).
    let normal = name.replace('\\', "/");
    if normal.starts_with('/') {
        return Err(Error::input(format!(
            "`{name}` is an absolute path; a chart archive holds relative paths only"
        )));
    }
    let bytes = normal.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(Error::input(format!(
            "`{name}` names a drive; a chart archive holds relative paths only"
        )));
    }
    let mut parts = Vec::new();
    for part in normal.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                return Err(Error::input(format!(
                    "`{name}` leads out of the chart with `..`; a chart archive holds paths inside the chart only"
                )));
            }
            part => parts.push(part),
        }
    }
    match parts.split_first() {
        Some((top, rest)) if !rest.is_empty() => Ok((top.to_string(), rest.join("/"))),
        _ => Err(Error::input(format!(
            "`{name}` is outside the chart's directory; every file of a chart archive is under one directory named after the chart"
        ))),
    }
}

/// Reads through `inner`, failing once more than `left` bytes came out.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.left + 1).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(io::Error::other(format!(
                "it unpacks to more than {} MiB, the most ktera unpacks for one chart",
                MAX_UNPACKED_BYTES / (1024 * 1024)
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// The modification time of every entry of a package: `SOURCE_DATE_EPOCH` when it is set,
/// else the epoch itself.
pub fn package_time() -> Result<u64, Error> {
    Ok(source_date_epoch()?.unwrap_or(0))
}

/// Latest `SOURCE_DATE_EPOCH` ktera takes: the last second of the year 9999 (RFC 3339 has four
/// digits for the year).
const MAX_SOURCE_DATE_EPOCH: u64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH` (reproducible-builds.org): the time a reproducible build stamps on what
/// it writes (package entries, `Chart.lock`'s `generated`), in seconds since 1970-01-01 UTC.
/// Unset or empty: `None`. Anything else but a whole number from 0 to the end of the year 9999
/// stops the command with a usage error, as the specification asks of a malformed value: a
/// negative time, a fraction or a word would otherwise be silently replaced by another time,
/// and the build would not be the reproducible one it was asked to be.
pub fn source_date_epoch() -> Result<Option<u64>, Error> {
    let value = std::env::var_os("SOURCE_DATE_EPOCH");
    parse_source_date_epoch(value.as_ref().map(|v| v.to_string_lossy()).as_deref())
}

fn parse_source_date_epoch(value: Option<&str>) -> Result<Option<u64>, Error> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    match value.parse::<u64>() {
        Ok(seconds) if digits && seconds <= MAX_SOURCE_DATE_EPOCH => Ok(Some(seconds)),
        _ => Err(Error::usage(format!(
            "SOURCE_DATE_EPOCH is `{}`, not a number of seconds from 0 (1970-01-01 UTC) to {MAX_SOURCE_DATE_EPOCH} (the end of 9999)",
            value.escape_debug()
        ))
        .with_hint("set it to the output of `date +%s` (or of `git log -1 --format=%ct`), or unset it")),
    }
}

/// Writes `files` (path inside the chart -> content) as a chart archive whose top directory is
/// `top`: entries in path order, regular files of mode 0644 owned by root, all with the time
/// `mtime`, gzip-compressed without a name or time. Same files, same bytes.
pub fn write(top: &str, files: &BTreeMap<String, Arc<[u8]>>, mtime: u64) -> io::Result<Vec<u8>> {
    let gzip = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_size(content.len() as u64);
        tar.append_data(&mut header, format!("{top}/{path}"), &content[..])?;
    }
    let mut gzip = tar.into_inner()?;
    gzip.flush()?;
    gzip.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_is_a_whole_number_of_seconds_or_an_error() {
        let parsed = |v: Option<&str>| parse_source_date_epoch(v).map_err(|e| e.kind());
        assert_eq!(parsed(None), Ok(None));
        assert_eq!(parsed(Some("")), Ok(None));
        assert_eq!(parsed(Some("0")), Ok(Some(0)));
        assert_eq!(parsed(Some("1700000000")), Ok(Some(1_700_000_000)));
        assert_eq!(
            parsed(Some("253402300799")),
            Ok(Some(MAX_SOURCE_DATE_EPOCH))
        );
        for malformed in [
            "-1",
            "+5",
            " 5",
            "1.5",
            "1e9",
            "soon",
            "253402300800",
            "99999999999999999999",
        ] {
            assert_eq!(
                parsed(Some(malformed)),
                Err(crate::error::ErrorKind::Usage),
                "{malformed}"
            );
        }
    }

    /// Path, kind and content of an entry.
    type Entry<'a> = (&'a str, tar::EntryType, &'a [u8]);

    fn archive_of(entries: &[Entry]) -> Vec<u8> {
        let gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gzip);
        for (path, kind, content) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*kind);
            header.set_mode(0o644);
            header.set_size(content.len() as u64);
            if kind.is_symlink() {
                let _ = header.set_link_name("/etc/passwd");
            }
            // `set_path` refuses `..`; the raw name field is what a hostile archive holds.
            let name = &mut header.as_old_mut().name;
            name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_cksum();
            let _ = tar.append(&header, *content);
        }
        tar.into_inner()
            .and_then(|g| g.finish())
            .unwrap_or_default()
    }

    fn read_listed(entries: &[Entry]) -> Result<Vec<String>, String> {
        read(&archive_of(entries), &mut Budget::default())
            .map_err(|e| e.to_string())
            .map(|a| {
                a.files
                    .into_keys()
                    .map(|k| format!("{}/{k}", a.top))
                    .collect()
            })
    }

    const FILE: tar::EntryType = tar::EntryType::Regular;

    #[test]
    fn reads_files_under_the_top_directory() {
        let read = read_listed(&[
            ("app/Chart.yaml", FILE, b"name: app"),
            ("./app/templates/a.yaml", FILE, b"a"),
            ("app\\templates\\b.yaml", FILE, b"b"),
            ("app/", tar::EntryType::Directory, b""),
        ]);
        assert_eq!(
            read,
            Ok(vec![
                "app/Chart.yaml".to_string(),
                "app/templates/a.yaml".into(),
                "app/templates/b.yaml".into()
            ])
        );
    }

    #[test]
    fn refuses_what_leads_out_of_the_chart() {
        let cases: [(&[Entry], &str); 7] = [
            (&[("app/../../etc/x", FILE, b"")], "leads out of the chart"),
            (&[("/app/x", FILE, b"")], "absolute path"),
            (&[("C:/app/x", FILE, b"")], "names a drive"),
            (&[("app/link", tar::EntryType::Symlink, b"")], "is a link"),
            (
                &[("app/dev", tar::EntryType::Char, b"")],
                "not a regular file",
            ),
            (
                &[("Chart.yaml", FILE, b"")],
                "outside the chart's directory",
            ),
            (
                &[("a/Chart.yaml", FILE, b""), ("b/Chart.yaml", FILE, b"")],
                "more than one top directory",
            ),
        ];
        for (entries, expected) in cases {
            let got = read_listed(entries);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(expected)),
                "{entries:?}: {got:?}"
            );
        }
        let twice = read_listed(&[("a/x", FILE, b"1"), ("a/./x", FILE, b"2")]);
        assert!(twice.is_err_and(|e| e.contains("twice")));
        assert_eq!(
            read(b"apiVersion: v2\n", &mut Budget::default())
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err("not a gzip-compressed tar archive (a chart archive is what `helm package` or `ktera package` writes)".into())
        );
    }

    #[test]
    fn an_archive_that_inflates_without_end_stops() {
        // 8 MiB of zeros in one entry compress to a few KiB.
        let zeros = vec![0u8; 8 * 1024 * 1024];
        let bomb = archive_of(&[("a/Chart.yaml", FILE, b"x"), ("a/zeros", FILE, &zeros)]);
        assert!(bomb.len() < 1024 * 1024);
        let mut small = Budget {
            bytes: 1024 * 1024,
            entries: 10,
        };
        let got = read(&bomb, &mut small)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(
            got.as_ref()
                .is_err_and(|e| e.contains("unpacks to more than 100 MiB")),
            "{got:?}"
        );
    }

    #[test]
    fn writing_is_reproducible_and_reads_back() {
        let mut files = BTreeMap::new();
        files.insert("values.yaml".to_string(), Arc::from(&b"a: 1\n"[..]));
        files.insert("Chart.yaml".to_string(), Arc::from(&b"name: app\n"[..]));
        let long = format!("files/{}/x.txt", "d".repeat(120));
        files.insert(long.clone(), Arc::from(&b"long"[..]));
        let first = write("app", &files, 0).unwrap_or_default();
        assert_eq!(write("app", &files, 0).ok(), Some(first.clone()));
        let back = read(&first, &mut Budget::default())
            .map(|a| (a.top, a.files))
            .map_err(|e| e.to_string());
        assert_eq!(back, Ok(("app".to_string(), files)));
    }
}
