//! The stack a render runs on, deep enough for the deepest nesting the caps allow
//! ([`super::limit`]).
//!
//! The stack is mapped here and switched to with psm, the primitive under the stacker crate:
//! stacker first asks how deep the current stack is, which reads /proc/self/maps (about 1.5%
//! of a small render), and panics when the stack cannot be mapped, where this returns `None`
//! and the render goes on on the stack there is.

use std::cell::Cell;

/// Stack a render runs on. `tpl` strings calling components that call `tpl` again nest deep
/// (32 levels of `tpl` by Tera's 20 of components): more than a thread's default 2 MiB, or
/// the 8 MiB of the main thread in a debug build. Only the pages used are committed.
pub const RENDER_STACK_BYTES: usize = 256 * 1024 * 1024;

thread_local! {
    // Whether this thread runs on a stack of RENDER_STACK_BYTES already: one it was started
    // with, or one switched to.
    static ON_RENDER_STACK: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work` with [`RENDER_STACK_BYTES`] of stack: this thread switches to a stack of that
/// size unless it has one already. Starting a render thread instead and waking it on another
/// core cost 0.2 ms, 6% of a small render. When that stack cannot be mapped (an address-space
/// limit, which would refuse a thread's stack too), `work` runs on this stack.
pub fn on_render_stack<R>(work: impl FnOnce() -> R) -> R {
    if ON_RENDER_STACK.get() {
        return work();
    }
    let Some(stack) = Stack::map(RENDER_STACK_BYTES) else {
        return work();
    };
    ON_RENDER_STACK.set(true);
    // A panic must not unwind across the switch: it is caught on the render stack and resumed
    // on this one.
    let outcome = stack.run(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    ON_RENDER_STACK.set(false);
    drop(stack);
    outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Runs `work` on a thread started with a stack of [`RENDER_STACK_BYTES`], which renders then
/// use as it is.
pub fn with_thread_render_stack<R>(work: impl FnOnce() -> R) -> R {
    ON_RENDER_STACK.set(true);
    work()
}

/// A stack mapped for a render, with an inaccessible page at each end so that running past
/// it faults instead of writing over other memory; unmapped when dropped.
struct Stack {
    mapping: *mut libc::c_void,
    mapped_len: usize,
    base: *mut u8,
    size: usize,
}

impl Stack {
    /// Runs `work` on this stack.
    #[cfg(not(miri))]
    fn run<R>(&self, work: impl FnOnce() -> R) -> R {
        // SAFETY: the stack is mapped, writable and `size` long from `base`, and outlives the
        // call.
        unsafe { psm::on_stack(self.base, self.size, work) }
    }

    /// Miri, which the allocator's tests run under, cannot switch stacks; `map` gives none.
    #[cfg(miri)]
    fn run<R>(&self, work: impl FnOnce() -> R) -> R {
        work()
    }

    #[cfg(all(unix, not(miri)))]
    fn map(size: usize) -> Option<Stack> {
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
            .ok()
            .filter(|&page| page > 0)?;
        let size = size.div_ceil(page).checked_mul(page)?;
        let mapped_len = size.checked_add(2 * page)?;
        // SAFETY: a new anonymous mapping, touching no existing memory.
        let mapping = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                mapped_len,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANON,
                -1,
                0,
            )
        };
        if mapping == libc::MAP_FAILED {
            return None;
        }
        let stack = Stack {
            mapping,
            mapped_len,
            // SAFETY: within the mapping, which is `page` + `size` + `page` long.
            base: unsafe { mapping.cast::<u8>().add(page) },
            size,
        };
        // SAFETY: the pages between the two guard pages, all within the mapping.
        let writable =
            unsafe { libc::mprotect(stack.base.cast(), size, libc::PROT_READ | libc::PROT_WRITE) };
        // On failure, `stack` is unmapped as it drops.
        (writable == 0).then_some(stack)
    }

    /// Elsewhere (and under Miri) the render runs on the stack there is.
    #[cfg(any(not(unix), miri))]
    fn map(_size: usize) -> Option<Stack> {
        None
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `map`, no longer in use.
        #[cfg(all(unix, not(miri)))]
        unsafe {
            libc::munmap(self.mapping, self.mapped_len);
        }
    }
}
