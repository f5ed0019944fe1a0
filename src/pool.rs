//! The thread pool and its one parallel map: templates render, rendered documents and `ktera
//! diff`'s inputs parse, and a project's charts compile and releases render with it. Results
//! keep the items' order, so output and the first error in that order do not depend on scheduling.

use std::sync::OnceLock;

use rayon::prelude::*;

/// rayon's threads, started with the render stack on first use; `None` when they cannot be
/// started (an address-space limit).
static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();

/// Runs `f` on every item and returns the results in item order: on all cores when the work is
/// worth more than one thread (`worth`: the most threads the caller judges it worth), here
/// otherwise, or when no thread can be started. A panic in `f` is resumed here.
pub fn map<T: Sync, R: Send>(items: &[T], worth: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let worth = worth.min(items.len());
    let pool = match worth {
        0 | 1 => None,
        _ => POOL.get_or_init(start_pool).as_ref(),
    };
    match pool {
        Some(pool) => pool.install(|| {
            // At least this many items to a thread, so that at most `worth` share them.
            let min_len = items.len() / worth;
            items.par_iter().with_min_len(min_len).map(&f).collect()
        }),
        None => items.iter().map(f).collect(),
    }
}

fn start_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(crate::engine::RENDER_STACK_BYTES)
        .start_handler(|_| crate::engine::mark_render_thread())
        .build()
        .ok()
}
