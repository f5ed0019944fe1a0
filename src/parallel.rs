//! The one parallel map: templates render, rendered documents and `ktera diff`'s inputs parse,
//! and a project's charts compile and releases render with it. Results keep the items' order,
//! so output and the first error do not depend on scheduling.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `f` on every item and returns the results in item order. The items are shared out one
/// at a time over at most `worth` threads (the most the work is worth starting, as the caller
/// judges it), and no more threads than cores. Threads are started with the render stack, so
/// that any work, a render included, runs on them as it is; when none can be started (an
/// address-space limit), everything runs here. A panic in `f` is resumed here.
pub fn map<T: Sync, R: Send>(items: &[T], worth: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    // Counting the cores reads cgroup files: only when more than one thread is worth it.
    let threads = match worth.min(items.len()) {
        0 | 1 => return items.iter().map(f).collect(),
        worth => std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(worth),
    };
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return done;
            };
            done.push((index, f(item)));
        }
    };
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .filter_map(|_| crate::render::spawn_render_thread(scope, work).ok())
            .collect();
        let done = if workers.is_empty() {
            work()
        } else {
            let joined = workers.into_iter().map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            joined.flatten().collect()
        };
        for (index, result) in done {
            if let Some(slot) = results.get_mut(index) {
                *slot = Some(result);
            }
        }
    });
    results.into_iter().flatten().collect()
}
