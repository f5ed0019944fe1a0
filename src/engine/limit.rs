//! The caps on what one template renders: a runaway loop (`range(end=100000)` nested twice)
//! stops with an error naming the template instead of filling memory or running for hours.

use std::cell::Cell;
use std::io::{self, Write};

use tera::{Kwargs, State, TeraResult, Value};

use super::register::Registry;

/// Most bytes one template (or one `tpl` string) may render.
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024 * 1024;

/// A buffer that refuses to grow past [`MAX_OUTPUT_BYTES`]; Tera stops at the failed write.
#[derive(Default)]
pub struct Capped {
    pub bytes: Vec<u8>,
    /// Set when a write was refused, to tell the cap from other errors.
    pub exceeded: bool,
}

impl Capped {
    /// A buffer with room for about what a template of `source_len` bytes renders, so that
    /// it does not grow (and copy itself) a dozen times on the way.
    pub fn for_source(source_len: usize) -> Capped {
        Capped {
            bytes: Vec::with_capacity(source_len.min(MAX_OUTPUT_BYTES)),
            exceeded: false,
        }
    }
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

/// Most numbers `range()` may produce over one template's render, all calls together (each
/// call alone is held to Tera's 100,000): nested loops that print nothing would otherwise run
/// for hours, out of reach of the output cap.
pub const MAX_RANGE_ITEMS: u64 = 10_000_000;

/// Largest single `range()`, as Tera's own.
const MAX_RANGE_LEN: i128 = 100_000;

thread_local! {
    static RANGE_LEFT: Cell<u64> = const { Cell::new(MAX_RANGE_ITEMS) };
}

/// Gives the template about to render on this thread the whole `range()` allowance.
pub fn start_render() {
    RANGE_LEFT.with(|left| left.set(MAX_RANGE_ITEMS));
}

/// What is left of this thread's `range()` allowance (carried when a render changes threads).
pub fn range_left() -> u64 {
    RANGE_LEFT.with(Cell::get)
}

pub fn set_range_left(left: u64) {
    RANGE_LEFT.with(|cell| cell.set(left));
}

/// Tera's `range(start=0, end, step_by=1)`, same arguments and messages, counted against
/// [`MAX_RANGE_ITEMS`].
pub fn register_range(r: &mut Registry) {
    r.function("range", &["start", "end", "step_by"], |k, s| {
        let numbers = range(k, s)?;
        // As i64 where they fit: Tera boxes each i128 (an allocation per number, counted
        // against the render's work budget).
        Ok(
            match numbers
                .iter()
                .map(|&n| i64::try_from(n))
                .collect::<Result<Vec<i64>, _>>()
            {
                Ok(small) => Value::from(small),
                Err(_) => Value::from(numbers),
            },
        )
    });
}

fn range(kwargs: &Kwargs, _: &State) -> TeraResult<Vec<i128>> {
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step_by = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if start > end && step_by > 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    if step_by == 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `step_by` argument of 0",
        ));
    }
    let overflow =
        || tera::Error::message("Function `range` was called with arguments that overflow i128");
    let len = if step_by > 0 {
        let span = end.checked_sub(start).ok_or_else(overflow)?;
        span.checked_add(step_by - 1).ok_or_else(overflow)? / step_by
    } else if start <= end {
        0
    } else {
        let step = step_by.checked_neg().ok_or_else(overflow)?;
        let span = start.checked_sub(end).ok_or_else(overflow)?;
        span.checked_add(step - 1).ok_or_else(overflow)? / step
    };
    if len > MAX_RANGE_LEN {
        return Err(tera::Error::message(format!(
            "Function `range` would produce {len} elements, which exceeds the limit of {MAX_RANGE_LEN}"
        )));
    }
    let len = u64::try_from(len).unwrap_or(0);
    let left = RANGE_LEFT.with(Cell::get);
    if len > left {
        return Err(tera::Error::message(format!(
            "`range` calls in this template produced more than {MAX_RANGE_ITEMS} numbers in all; nested loops probably run away"
        )));
    }
    RANGE_LEFT.with(|cell| cell.set(left - len));
    Ok((0..len as i128).map(|i| start + i * step_by).collect())
}
