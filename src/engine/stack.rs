//! The stack a render runs on, deep enough for the deepest nesting the caps allow
//! ([`super::limit`], [`super::MAX_TPL_DEPTH`]): renders run on threads started with it.

use std::cell::Cell;
use std::io;
use std::thread::{Scope, ScopedJoinHandle};

/// Stack a render runs on. `tpl` strings calling components that call `tpl` again nest deep
/// (32 levels of `tpl` by Tera's 20 of components): more than a thread's default 2 MiB, or
/// the 8 MiB of the main thread in a debug build. Only the pages used are committed.
pub const RENDER_STACK_BYTES: usize = 1024 * 1024 * 1024;

thread_local! {
    // Whether this thread was started with RENDER_STACK_BYTES of stack.
    static ON_RENDER_STACK: Cell<bool> = const { Cell::new(false) };
}

/// Starts a scoped thread with [`RENDER_STACK_BYTES`] of stack, on which renders run as they
/// are; fails as `std::thread::Builder::spawn_scoped` does (an address-space limit).
fn spawn_render_thread<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> io::Result<ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .stack_size(RENDER_STACK_BYTES)
        .spawn_scoped(scope, move || {
            ON_RENDER_STACK.set(true);
            work()
        })
}

/// Marks this thread as started with [`RENDER_STACK_BYTES`] of stack (by a thread pool), so
/// that renders run on it as they are.
pub fn mark_render_thread() {
    ON_RENDER_STACK.set(true);
}

/// Runs `work` with [`RENDER_STACK_BYTES`] of stack: here on a thread started with it, else
/// on a thread started for it. When none can be started (an address-space limit), `work`
/// runs here, on the stack there is. A panic in `work` is resumed here.
pub fn on_render_stack<R: Send>(work: impl Fn() -> R + Sync) -> R {
    if ON_RENDER_STACK.get() {
        return work();
    }
    let work = &work;
    std::thread::scope(|scope| match spawn_render_thread(scope, work) {
        Ok(thread) => thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        Err(_) => work(),
    })
}
