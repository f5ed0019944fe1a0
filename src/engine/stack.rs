//! The stack a render runs on. Tera walks templates, components and values recursively, and
//! two things nest deeper than a thread's stack holds: `tpl` strings that call components that
//! call `tpl` again ([`super::MAX_TPL_DEPTH`] levels by Tera's 20 of components), and values
//! built in a loop (`{% set_global x = [x] %}` a million times, which Tera then prints and drops
//! recursively). A render runs on a thread started with a stack deep enough for the caps
//! ([`super::limit`]) when its chart can build such values ([`may_nest_values`]); otherwise it
//! starts on the thread that asks for it, and only `tpl` nesting deep moves the rest to such a
//! thread. Starting a thread for every render would cost more than a small render
//! (docs/performance.md).

use std::cell::Cell;
use std::io;
use std::thread::{Scope, ScopedJoinHandle};

/// Stack of a render thread. More than a thread's default 2 MiB, or the 8 MiB of the main
/// thread in a debug build, is needed at the deepest nesting. Only the pages used are committed.
pub const RENDER_STACK_BYTES: usize = 1024 * 1024 * 1024;

/// Stack a render may use on the thread that asked for it before the next `tpl` moves to a
/// render thread: well within a thread's 2 MiB, with room for Tera's 20 levels of components
/// below it.
const CALLER_STACK_BYTES: usize = 256 * 1024;

thread_local! {
    // Whether this thread was started with RENDER_STACK_BYTES of stack.
    static ON_RENDER_STACK: Cell<bool> = const { Cell::new(false) };
    // Where the stack stood when the render running on this thread began (0: none runs).
    static RENDER_BASE: Cell<usize> = const { Cell::new(0) };
}

/// Marks this thread as started with [`RENDER_STACK_BYTES`] of stack (by a thread pool), so
/// that renders run on it as they are.
pub fn mark_render_thread() {
    ON_RENDER_STACK.set(true);
}

/// An address in the current stack frame: how far apart two of them are is how much stack
/// the frames between them use.
#[inline(never)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::ptr::from_ref(std::hint::black_box(&marker)).addr()
}

/// Whether Tera source (a template, or a string given to `tpl`) can build a value nested without
/// bound: a loop and a `set` in one text, or an `include`/`extends`, which share variables
/// across files. Components cannot: they see only their arguments and give back text. The
/// scan looks at tag names only, so it may say yes where no deep value is built, never no
/// where one is.
pub fn may_nest_values(source: &str) -> bool {
    let mut loops = false;
    let mut sets = false;
    // Each `%` in turn (a byte search; rarer than `{`, which every print has twice), then
    // whether a `{` is before it.
    let mut from = 0;
    while let Some(found) = source[from..].find('%') {
        let at = from + found;
        from = at + 1;
        if at == 0 || source.as_bytes()[at - 1] != b'{' {
            continue;
        }
        let tag = source[at + 1..]
            .trim_start_matches(['-', '+'])
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .as_bytes();
        let end = tag
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(tag.len());
        match &tag[..end] {
            b"for" => loops = true,
            b"set" | b"set_global" => sets = true,
            b"include" | b"extends" => return true,
            _ => {}
        }
    }
    loops && sets
}

/// Runs a render on this thread, noting where the stack stands for [`nested_render`].
pub fn render_here<R>(work: impl FnOnce() -> R) -> R {
    if ON_RENDER_STACK.get() || RENDER_BASE.get() != 0 {
        return work();
    }
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            RENDER_BASE.set(0);
        }
    }
    RENDER_BASE.set(stack_position());
    let _reset = Reset;
    work()
}

/// Runs a nested render (`tpl`, `include`) here, or on [`on_render_stack`] when the render on
/// this thread has used more stack than it may here or the nested one `builds_deep_values`
/// ([`may_nest_values`] of its text).
pub fn nested_render<R: Send>(builds_deep_values: bool, work: impl Fn() -> R + Sync) -> R {
    let base = RENDER_BASE.get();
    let deep = base != 0 && base.abs_diff(stack_position()) > CALLER_STACK_BYTES;
    if !ON_RENDER_STACK.get() && (deep || builds_deep_values) {
        on_render_stack(work)
    } else {
        work()
    }
}

/// What a render keeps per thread: it goes with the render to another thread and comes back.
struct RenderState {
    budget: crate::memory::RenderBudget,
    range_left: u64,
    tpl_depth: usize,
}

impl RenderState {
    fn here() -> RenderState {
        RenderState {
            budget: crate::memory::render_budget(),
            range_left: super::limit::range_left(),
            tpl_depth: super::tpl::depth(),
        }
    }

    fn install(&self) {
        crate::memory::set_render_budget(self.budget);
        super::limit::set_range_left(self.range_left);
        super::tpl::set_depth(self.tpl_depth);
    }
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

/// Runs `work` with [`RENDER_STACK_BYTES`] of stack: here on a thread started with it, else
/// on a thread started for it, which takes over this thread's render state and gives it back.
/// When no thread can be started (an address-space limit), `work` runs here, on the stack
/// there is. A panic in `work` is resumed here.
pub fn on_render_stack<R: Send>(work: impl Fn() -> R + Sync) -> R {
    if ON_RENDER_STACK.get() {
        return work();
    }
    let work = &work;
    let state = RenderState::here();
    let moved = move || {
        state.install();
        (work(), RenderState::here())
    };
    std::thread::scope(|scope| match spawn_render_thread(scope, moved) {
        Ok(thread) => {
            let (result, state) = thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            state.install();
            result
        }
        Err(_) => work(),
    })
}

#[cfg(test)]
mod tests {
    use super::may_nest_values;

    #[test]
    fn a_loop_and_a_set_in_one_text_or_an_include_may_nest_values() {
        assert!(may_nest_values(
            "{%- for i in l %}{% set_global x = [x] %}{% endfor %}"
        ));
        assert!(may_nest_values(
            "{% set x = [] %}{%+ for i in l -%}{% endfor %}"
        ));
        assert!(may_nest_values("{% include \"_acc.tpl\" %}"));
        assert!(may_nest_values("{% extends \"base\" %}"));
        // A loop alone, a set alone, or the words outside tags build nothing deep.
        assert!(!may_nest_values("{% for i in l %}{{ i }}{% endfor %}"));
        assert!(!may_nest_values(
            "{% set host = Values.host %}for set include"
        ));
        assert!(!may_nest_values("{% format %}{% settle %}{{ set }}"));
    }
}
