//! A cap on the memory ktera holds, so that a template that builds text without end (a
//! `{% set %}` capture or `~` in a loop: Tera builds it before ktera sees any output) stops with
//! an error instead of exhausting the machine or being killed by the kernel.
//!
//! The same count, kept per thread while a template renders, is its work budget: each byte
//! allocated and each allocation costs, so text rebuilt on every step of a loop (`~` in a loop
//! copies the whole string each time: hours for a few kilobytes of input) or a value nested
//! millions deep stops in seconds, before anything walks it.
//!
//! The render's clock is read here too, every [`CLOCK_EVERY`] allocations: a loop that runs
//! away (three loops nested over a values list) allocates as each inner loop starts, so it is
//! stopped within moments of its time cap, without a watchdog thread (starting one made glibc's
//! malloc lock from then on, in every run). What allocates nothing at all runs once over its
//! input: a loop over a list, whose length the input caps.
//!
//! Written by hand: it is a few lines over the system allocator, and the crates that count
//! allocations only report, they do not stop. The count is of bytes ktera asked for, so it
//! tracks the heap closely. Each thread settles its allocations with the shared count once per
//! [`SETTLE_BYTES`] rather than once per allocation: threads that allocate at once would
//! otherwise pass the count's cache line between them on every allocation and free.

// The crate's one exception to `deny(unsafe_code)`: a global allocator is an unsafe trait, and
// glibc's malloc is tuned through a C call.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicIsize, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The default cap: far above any real render (docs/performance.md, "Growth": 100 MB of
/// values stay well below it).
pub const DEFAULT_MAX_BYTES: u64 = 8 << 30;

/// The environment variable that sets another cap, as bytes or with a K, M or G suffix.
pub const MAX_MEMORY_VAR: &str = "KTERA_MAX_MEMORY";

/// The default render-work budget of one template (with its `tpl` strings): bytes allocated,
/// plus [`WORK_PER_ALLOCATION`] for each allocation. Far above any real template (see
/// docs/robustness.md, where it is measured), far below what a runaway loop asks for.
pub const DEFAULT_MAX_RENDER_WORK: u64 = 16 << 30;

/// The environment variable that sets another render-work budget (a size, as the memory cap).
pub const MAX_RENDER_WORK_VAR: &str = "KTERA_MAX_RENDER_WORK";

/// What one allocation costs beyond its bytes: it stands for the Tera operation that asked for
/// it, so that millions of small values (a list nested in itself) count too.
const WORK_PER_ALLOCATION: usize = 8192;

static WORK_LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Seconds one template may render unless `KTERA_MAX_RENDER_SECONDS` says otherwise: real
/// templates render in milliseconds (docs/performance.md), a runaway loop is stopped in seconds.
pub const DEFAULT_MAX_RENDER_SECONDS: u64 = 10;

/// The environment variable that sets another time cap, in whole seconds (`0`: no cap).
pub const MAX_RENDER_SECONDS_VAR: &str = "KTERA_MAX_RENDER_SECONDS";

/// The time cap of one template's render, in seconds (0: none).
static TIME_LIMIT: AtomicU64 = AtomicU64::new(0);

/// How many allocations of a render pass between two readings of its clock.
const CLOCK_EVERY: u32 = 1024;

/// Bytes held, as far as threads have settled them: may be below zero for a moment, when a
/// thread settles the free of a block another thread has not yet settled the allocation of.
static IN_USE: AtomicIsize = AtomicIsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static EXIT_CODE: AtomicI32 = AtomicI32::new(1);
static STOPPING: AtomicBool = AtomicBool::new(false);

/// The most a thread allocates, or frees, before it settles with [`IN_USE`]: the cap is exact
/// to this much per thread, and an allocation this large is settled at once.
const SETTLE_BYTES: isize = 256 * 1024;

/// Longest name kept by [`rendering`].
const NAME_BYTES: usize = 240;

thread_local! {
    // What this thread is rendering, for the message; plain bytes, as the allocator reads it.
    static RENDERING: Cell<([u8; NAME_BYTES], usize)> = const { Cell::new(([0; NAME_BYTES], 0)) };
    // The work the template rendered on this thread may still do; unlimited between renders.
    static WORK_LEFT: Cell<usize> = const { Cell::new(usize::MAX) };
    // Bytes this thread allocated (above zero) or freed (below) and has not settled yet.
    static UNSETTLED: Cell<isize> = const { Cell::new(0) };
    // When the template rendered on this thread started, and the allocations left before its
    // clock is read again.
    static STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
    static UNTIL_CLOCK: Cell<u32> = const { Cell::new(CLOCK_EVERY) };
}

/// Records the file this thread renders now, so that the error can name it, and gives it the
/// whole work budget and time (`""`: the render is over, the budgets off).
pub fn rendering(path: &str) {
    STARTED.with(|started| started.set((!path.is_empty()).then(Instant::now)));
    let budget = if path.is_empty() {
        usize::MAX
    } else {
        WORK_LIMIT.load(Ordering::Relaxed)
    };
    WORK_LEFT.with(|left| left.set(budget));
    let mut name = [0u8; NAME_BYTES];
    let mut len = path.len().min(NAME_BYTES);
    while !path.is_char_boundary(len) {
        len -= 1;
    }
    name[..len].copy_from_slice(&path.as_bytes()[..len]);
    RENDERING.with(|cell| cell.set((name, len)));
}

/// What [`rendering`] set on this thread and the work left of it, carried over when a render
/// moves to another thread (`engine::stack`).
#[derive(Clone, Copy)]
pub struct RenderBudget {
    name: ([u8; NAME_BYTES], usize),
    work_left: usize,
    started: Option<Instant>,
}

/// This thread's [`RenderBudget`].
pub fn render_budget() -> RenderBudget {
    RenderBudget {
        name: RENDERING.with(Cell::get),
        work_left: WORK_LEFT.with(Cell::get),
        started: STARTED.with(Cell::get),
    }
}

/// Gives this thread `budget`, as [`render_budget`] took it on another.
pub fn set_render_budget(budget: RenderBudget) {
    RENDERING.with(|cell| cell.set(budget.name));
    WORK_LEFT.with(|cell| cell.set(budget.work_left));
    STARTED.with(|cell| cell.set(budget.started));
}

/// The system allocator, counting, with the cap in front.
pub struct CappedAllocator;

// SAFETY: every call goes to `System` with the caller's layout unchanged; only the count and
// the stop are added.
unsafe impl GlobalAlloc for CappedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        charge(layout.size());
        reserve(layout.size());
        counted(layout.size(), unsafe { System.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        charge(layout.size());
        reserve(layout.size());
        counted(layout.size(), unsafe { System.alloc_zeroed(layout) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        release(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let grown = new_size.saturating_sub(layout.size());
        if grown > 0 {
            // Growing may copy the whole block.
            charge(new_size);
        }
        reserve(grown);
        let moved = counted(grown, unsafe { System.realloc(ptr, layout, new_size) });
        // A shrink is counted once it has happened (a failed one leaves the block as it was).
        if !moved.is_null() && new_size < layout.size() {
            release(layout.size() - new_size);
        }
        moved
    }
}

/// Gives back the `reserved` bytes when the allocation failed (null), so that a recoverable
/// failure (`try_reserve`) does not leave the count too high.
fn counted(reserved: usize, ptr: *mut u8) -> *mut u8 {
    if ptr.is_null() {
        release(reserved);
    }
    ptr
}

/// Counts `size` more bytes held; settles with [`IN_USE`], and stops at the cap, once this
/// thread's unsettled bytes reach [`SETTLE_BYTES`].
#[inline]
fn reserve(size: usize) {
    let size = isize::try_from(size).unwrap_or(isize::MAX);
    // `try_with`: the thread may be tearing down; then it settles every allocation.
    let unsettled = UNSETTLED
        .try_with(|cell| {
            let now = cell.get().saturating_add(size);
            let keep = now < SETTLE_BYTES;
            cell.set(if keep { now } else { 0 });
            (!keep).then_some(now)
        })
        .unwrap_or(Some(size));
    let Some(settled) = unsettled else {
        return;
    };
    let in_use = IN_USE
        .fetch_add(settled, Ordering::Relaxed)
        .saturating_add(settled);
    let in_use = usize::try_from(in_use).unwrap_or(0);
    if in_use > LIMIT.load(Ordering::Relaxed) && !STOPPING.swap(true, Ordering::Relaxed) {
        stop(in_use);
    }
}

/// Counts `size` fewer bytes held, settled as [`reserve`] settles.
#[inline]
fn release(size: usize) {
    let size = isize::try_from(size).unwrap_or(isize::MAX);
    let unsettled = UNSETTLED
        .try_with(|cell| {
            let now = cell.get().saturating_sub(size);
            let keep = now > -SETTLE_BYTES;
            cell.set(if keep { now } else { 0 });
            (!keep).then_some(now)
        })
        .unwrap_or(Some(-size));
    if let Some(settled) = unsettled {
        IN_USE.fetch_add(settled, Ordering::Relaxed);
    }
}

/// Counts an allocation of `size` bytes against the work budget of the render on this thread.
#[inline]
fn charge(size: usize) {
    let cost = size.saturating_add(WORK_PER_ALLOCATION);
    // `try_with`: the thread may be tearing down; then nothing renders on it.
    let (over, rendering) = WORK_LEFT
        .try_with(|left| {
            let now = left.get();
            if now == usize::MAX {
                return (false, false);
            }
            left.set(now.saturating_sub(cost));
            (cost > now, true)
        })
        .unwrap_or((false, false));
    if over && !STOPPING.swap(true, Ordering::Relaxed) {
        out_of_work();
    }
    if rendering {
        read_clock();
    }
}

/// The render on this thread has spent its work budget.
#[cold]
#[inline(never)]
fn out_of_work() -> ! {
    stop_rendering(|out, path| {
        let limit = Size(WORK_LIMIT.load(Ordering::Relaxed));
        write!(
            out,
            "error: {path}: rendering this template does more work than {limit} of allocations in all; it probably rebuilds text on every step of a loop (`~` or a `{{% set %}}` capture in a loop, through `tpl` too) or nests a value in itself without end\n  \
             hint: build lists with `append`/`join` instead of growing one string; if the render is really this large, raise the budget, as in {MAX_RENDER_WORK_VAR}=64G\n"
        )
    })
}

/// Every [`CLOCK_EVERY`] allocations of a render: stops it once it has run past the time cap.
#[inline]
fn read_clock() {
    let due = UNTIL_CLOCK
        .try_with(|left| {
            let now = left.get();
            left.set(now.checked_sub(1).unwrap_or(CLOCK_EVERY));
            now == 0
        })
        .unwrap_or(false);
    let limit = TIME_LIMIT.load(Ordering::Relaxed);
    if due && limit != 0 {
        check_clock(limit);
    }
}

/// Stops the render on this thread once it has run more than `limit` seconds.
#[cold]
#[inline(never)]
fn check_clock(limit: u64) {
    let late = STARTED
        .try_with(Cell::get)
        .ok()
        .flatten()
        .is_some_and(|started| started.elapsed() > Duration::from_secs(limit));
    if late && !STOPPING.swap(true, Ordering::Relaxed) {
        stop_rendering(|out, path| {
            write!(
                out,
                "error: {path}: rendering this template takes more than {limit} s; a loop probably runs away (loops nested over values, a `range` in a loop)\n  \
                 hint: check its loops; if the render is really this long, raise the cap, as in {MAX_RENDER_SECONDS_VAR}=120\n"
            )
        });
    }
}

/// A budget of the render on this thread is spent: prints the error `message` writes for the
/// template's path (as [`stop`], without allocating) and exits.
#[cold]
#[inline(never)]
fn stop_rendering(
    message: impl FnOnce(&mut std::io::Cursor<&mut [u8]>, &str) -> std::io::Result<()>,
) -> ! {
    let mut buffer = [0u8; 1024];
    let mut cursor = std::io::Cursor::new(&mut buffer[..]);
    let (name, len) = RENDERING
        .try_with(Cell::get)
        .unwrap_or(([0; NAME_BYTES], 0));
    let path = std::str::from_utf8(&name[..len]).unwrap_or("a template");
    let _ = message(&mut cursor, path);
    let written = usize::try_from(cursor.position()).unwrap_or(0);
    let _ = std::io::stderr().write_all(&buffer[..written]);
    std::process::exit(EXIT_CODE.load(Ordering::Relaxed))
}

/// Prints the error and exits. It runs inside the allocator: the message is formatted into a
/// buffer on the stack, and whatever `exit` allocates afterwards is let through (`STOPPING`).
#[cold]
#[inline(never)]
fn stop(in_use: usize) -> ! {
    let mut buffer = [0u8; 1024];
    let mut cursor = std::io::Cursor::new(&mut buffer[..]);
    let (name, len) = RENDERING
        .try_with(Cell::get)
        .unwrap_or(([0; NAME_BYTES], 0));
    let limit = Size(LIMIT.load(Ordering::Relaxed));
    let held = Size(in_use);
    let _ = match std::str::from_utf8(&name[..len]) {
        Ok(path) if !path.is_empty() => write!(
            cursor,
            "error: {path}: rendering this template needs more than {limit} of memory ({held} held); it probably builds text without end (a `{{% set %}}` capture or `~` in a loop)\n  \
             hint: check its loops; if the render is really this large, raise the cap, as in \
             {MAX_MEMORY_VAR}=16G\n"
        ),
        _ => write!(
            cursor,
            "error: ktera needs more than {limit} of memory ({held} held)\n  hint: if the \
             input is really this large, raise the cap, as in {MAX_MEMORY_VAR}=16G\n"
        ),
    };
    let written = usize::try_from(cursor.position()).unwrap_or(0);
    let _ = std::io::stderr().write_all(&buffer[..written]);
    std::process::exit(EXIT_CODE.load(Ordering::Relaxed))
}

/// Bytes as MiB, or KiB below one MiB.
struct Size(usize);

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        if self.0 >= 1 << 20 {
            write!(f, "{} MiB", self.0 >> 20)
        } else if self.0 >= 1 << 10 {
            write!(f, "{} KiB", self.0 >> 10)
        } else {
            write!(f, "{} bytes", self.0)
        }
    }
}

/// Turns the caps on: memory from `KTERA_MAX_MEMORY`, a render's work from
/// `KTERA_MAX_RENDER_WORK` and its time from `KTERA_MAX_RENDER_SECONDS` when they are set, else
/// the defaults. `exit_code` is the command's code for an input error.
pub fn enable(exit_code: i32) -> Result<(), crate::error::Error> {
    let limit = match std::env::var(MAX_MEMORY_VAR) {
        Ok(text) => parse_size(&text).ok_or_else(|| {
            crate::error::Error::usage(format!(
                "{MAX_MEMORY_VAR}={text:?} is not a size; write bytes, or a number with K, M or G, as in 4G"
            ))
        })?,
        // Where memory is smaller than the default (32-bit), the address space is the cap.
        Err(_) => usize::try_from(DEFAULT_MAX_BYTES).unwrap_or(usize::MAX),
    };
    let work = match std::env::var(MAX_RENDER_WORK_VAR) {
        Ok(text) => parse_size(&text).ok_or_else(|| {
            crate::error::Error::usage(format!(
                "{MAX_RENDER_WORK_VAR}={text:?} is not a size; write bytes, or a number with K, M or G, as in 64G"
            ))
        })?,
        Err(_) => usize::try_from(DEFAULT_MAX_RENDER_WORK).unwrap_or(usize::MAX),
    };
    let seconds = match std::env::var(MAX_RENDER_SECONDS_VAR) {
        Ok(text) => text.trim().parse::<u64>().map_err(|_| {
            crate::error::Error::usage(format!(
                "{MAX_RENDER_SECONDS_VAR}={text:?} is not a number of seconds; write one, as in 60 (0 turns the cap off)"
            ))
        })?,
        Err(_) => DEFAULT_MAX_RENDER_SECONDS,
    };
    EXIT_CODE.store(exit_code, Ordering::Relaxed);
    LIMIT.store(limit, Ordering::Relaxed);
    // `usize::MAX` left means "not rendering" ([`rendering`]): the largest budget is one less.
    WORK_LIMIT.store(work.min(usize::MAX - 1), Ordering::Relaxed);
    TIME_LIMIT.store(seconds, Ordering::Relaxed);
    keep_heap_headroom();
    Ok(())
}

/// glibc's malloc grows a thread's heap a page at a time, one `mprotect` each, and each waits
/// on the other threads' page faults: with headroom it grows in 16 MiB steps of address space
/// (pages are still committed when written). Setting it stops glibc moving the mmap threshold,
/// so that is pinned where glibc's own moves end. A user's malloc `GLIBC_TUNABLES` rule.
/// Measured in docs/performance.md, "glibc's heap headroom".
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_heap_headroom() {
    use std::ffi::c_int;
    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    // From glibc's malloc.h.
    const M_TOP_PAD: c_int = -2;
    const M_MMAP_THRESHOLD: c_int = -3;
    if std::env::var_os("GLIBC_TUNABLES").is_some_and(|t| t.to_string_lossy().contains("malloc")) {
        return;
    }
    // SAFETY: mallopt takes two integers and only changes malloc's parameters; glibc takes its
    // arena lock for it, so the call is safe while other threads allocate. A refused value
    // (never, for these) leaves the default.
    unsafe {
        mallopt(M_TOP_PAD, 16 << 20);
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
    }
}

/// Other allocators size their own heaps.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_heap_headroom() {}

/// `4G`, `512M`, `300K`, `1048576` (binary units); `None` for anything else or zero.
pub fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim();
    let (digits, shift) = match text.as_bytes().last()? {
        b'k' | b'K' => (&text[..text.len() - 1], 10),
        b'm' | b'M' => (&text[..text.len() - 1], 20),
        b'g' | b'G' => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    let number: usize = digits.parse().ok()?;
    number.checked_mul(1 << shift).filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4G"), Some(4 << 30));
        assert_eq!(parse_size("512m"), Some(512 << 20));
        assert_eq!(parse_size(" 300K "), Some(300 << 10));
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        for bad in ["", "G", "0", "-1G", "1.5G", "1T", "99999999999999999999G"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }
}
