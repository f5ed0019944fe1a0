//! The cap on what one template renders: a runaway loop (`range(end=100000)` nested twice)
//! stops with an error naming the template instead of filling memory.

use std::io::{self, Write};

/// Stack of a render thread. `tpl` strings calling components that call `tpl` again nest deep
/// (32 levels of `tpl` by Tera's 20 of components): more than a thread's default 2 MiB, or
/// the 8 MiB of the main thread in a debug build. Only the pages used are committed.
pub const RENDER_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Most bytes one template (or one `tpl` string) may render.
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024 * 1024;

/// A buffer that refuses to grow past [`MAX_OUTPUT_BYTES`]; Tera stops at the failed write.
#[derive(Default)]
pub struct Capped {
    pub bytes: Vec<u8>,
    /// Set when a write was refused, to tell the cap from other errors.
    pub exceeded: bool,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > MAX_OUTPUT_BYTES {
            self.exceeded = true;
            return Err(io::Error::other("rendered output limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What to say when the cap is reached.
pub fn too_large(what: &str) -> String {
    format!(
        "{what} renders more than {} MiB; a loop probably runs away (check `range(end=...)` and nested loops)",
        MAX_OUTPUT_BYTES / (1024 * 1024)
    )
}
