//! Reading what the user hands ktera: files, standard input, pipes and FIFOs. Every input is
//! read here, with one size cap ([`MAX_INPUT_BYTES`]) and one UTF-8 check, so that `/dev/zero`,
//! an endless pipe or a mistaken multi-gigabyte file stops at the cap with an error naming it,
//! whatever the command (values, charts, `diff` and `compare` inputs, `ktera set`, the project
//! file, the rendered tree `render --check` reads).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::error::Error;

/// Largest input read: enough for any real values file or manifest stream (100 MB ones
/// included), and it stops `/dev/zero` or an endless pipe long before the memory cap.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// Why an input could not be read as text. A caller words [`Failure::Io`] its own way (what it
/// was reading, what to do); [`Failure::into_error`] words all three the common way.
#[derive(Debug)]
pub enum Failure {
    Io(io::Error),
    TooLarge,
    /// The 1-based line and column of the first invalid byte, and its offset.
    NotUtf8 {
        offset: usize,
        line: usize,
        column: usize,
    },
}

impl Failure {
    /// The error for an input shown as `origin`.
    pub fn into_error(self, origin: &str) -> Error {
        self.error_or(origin, |e| {
            Error::io(format!("cannot read: {e}"), e).in_file(origin)
        })
    }

    /// The error for an input shown as `origin`, with `io` wording a failed read.
    pub fn error_or(self, origin: &str, io: impl FnOnce(io::Error) -> Error) -> Error {
        match self {
            Failure::Io(e) => io(e),
            Failure::TooLarge => too_large(origin),
            Failure::NotUtf8 {
                offset,
                line,
                column,
            } => Error::input(format!(
                "not UTF-8 text (invalid byte at offset {offset}); save the file as UTF-8"
            ))
            .with_diagnostic(Diagnostic::at(origin, line, column)),
        }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}

/// The error for an input larger than [`MAX_INPUT_BYTES`].
pub fn too_large(origin: &str) -> Error {
    Error::input(format!(
        "larger than {} MiB, the most ktera reads from one input; check that this is the file you meant",
        MAX_INPUT_BYTES / (1024 * 1024)
    ))
    .in_file(origin)
}

/// At most [`MAX_INPUT_BYTES`] of `reader`; [`Failure::TooLarge`] when there is more.
pub fn read_bytes(reader: impl Read) -> Result<Vec<u8>, Failure> {
    read_bytes_sized(reader, 0, MAX_INPUT_BYTES)
}

/// At most `limit` bytes of `reader`, with room for `expected` bytes made first (a file's
/// length: one read instead of a dozen growing ones; a wrong length, as `/dev/zero`'s, only
/// costs those reads back).
fn read_bytes_sized(reader: impl Read, expected: u64, limit: u64) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    if expected <= limit {
        bytes.reserve_exact(usize::try_from(expected).unwrap_or(0));
    }
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Failure::TooLarge);
    }
    Ok(bytes)
}

/// At most [`MAX_INPUT_BYTES`] of `reader`, as UTF-8 text without a leading byte order mark.
pub fn read_text(reader: impl Read) -> Result<String, Failure> {
    text(read_bytes(reader)?)
}

/// At most [`MAX_INPUT_BYTES`] of `reader`, as UTF-8 text exactly as it is (a `--set-file`
/// value keeps even a byte order mark).
pub fn read_exact_text(reader: impl Read) -> Result<String, Failure> {
    utf8(read_bytes(reader)?)
}

/// The file at `path` as bytes, capped (a FIFO, a device, `/dev/stdin` and `<(command)` too).
pub fn read_file_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    read_file_bytes_up_to(path, MAX_INPUT_BYTES)
}

/// [`read_file_bytes`] with a smaller cap of the caller's (a chart's `files_get`).
pub fn read_file_bytes_up_to(path: &Path, limit: u64) -> Result<Vec<u8>, Failure> {
    let file = File::open(path)?;
    let length = file.metadata().map_or(0, |m| m.len());
    read_bytes_sized(file, length, limit.min(MAX_INPUT_BYTES))
}

/// The file at `path` as UTF-8 text without a leading byte order mark, capped.
pub fn read_file_text(path: &Path) -> Result<String, Failure> {
    text(read_file_bytes(path)?)
}

/// [`read_file_text`], every failure worded the common way and naming the file.
pub fn read_file(path: &Path) -> Result<String, Error> {
    read_file_text(path).map_err(|f| f.into_error(&path.display().to_string()))
}

/// `bytes` as text, a leading byte order mark dropped.
pub fn text(bytes: Vec<u8>) -> Result<String, Failure> {
    let mut text = utf8(bytes)?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// `bytes` as text, exactly.
pub fn utf8(bytes: Vec<u8>) -> Result<String, Failure> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let valid = &e.as_bytes()[..offset];
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            // The prefix is valid UTF-8: count its characters on the line.
            let column =
                std::str::from_utf8(&valid[line_start..]).map_or(1, |s| s.chars().count() + 1);
            Err(Failure::NotUtf8 {
                offset,
                line,
                column,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_input_stops_at_the_cap() {
        let endless = io::repeat(b'a');
        assert!(matches!(read_bytes(endless), Err(Failure::TooLarge)));
        assert!(matches!(read_text(&b"a: 1"[..]), Ok(t) if t == "a: 1"));
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(text("\u{feff}a: 1".into()).ok().as_deref(), Some("a: 1"));
    }

    #[test]
    fn invalid_utf8_is_placed() {
        let failure = text(b"a: 1\nb: \xe9t\xe9\n".to_vec());
        assert!(matches!(
            failure,
            Err(Failure::NotUtf8 {
                offset: 8,
                line: 2,
                column: 4
            })
        ));
        let error = text(b"\xff".to_vec()).map_err(|f| f.into_error("x.yaml").to_string());
        assert_eq!(
            error.err().as_deref(),
            Some("x.yaml:1:1: not UTF-8 text (invalid byte at offset 0); save the file as UTF-8")
        );
    }
}
