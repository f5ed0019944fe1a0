//! The small-block allocator's depot: what a finished worker thread cached is used by others.
//! Its own test binary, so that no other test draws on the depot meanwhile.

use std::alloc::{GlobalAlloc, Layout};
use std::collections::HashSet;

use ktera::memory::{FREES_PER_HANDOVER, SmallBlocks, worker};

#[test]
fn blocks_cached_by_one_thread_serve_the_others() {
    let layout = Layout::from_size_align(1000, 16).expect("a layout");
    let allocate = move |count: usize| -> Vec<usize> {
        (0..count)
            .map(|_| unsafe { SmallBlocks.alloc(layout) } as usize)
            .collect()
    };
    let free = move |blocks: &[usize]| {
        for &block in blocks {
            unsafe { SmallBlocks.dealloc(block as *mut u8, layout) };
        }
    };
    // 50 blocks freed, and also the rest of its chunk, go to the depot when the worker ends.
    let freed: HashSet<usize> = std::thread::spawn(move || {
        worker(|| {
            let blocks = allocate(50);
            free(&blocks);
            blocks.into_iter().collect()
        })
    })
    .join()
    .expect("the first worker");
    assert_eq!(freed.len(), 50);

    // A new thread's list is empty: it draws the depot's blocks before carving new ones.
    let drawn = std::thread::spawn(move || worker(|| allocate(50)))
        .join()
        .expect("the second worker");
    let reused = drawn.iter().filter(|b| freed.contains(b)).count();
    assert_eq!(reused, 50, "every block came from the depot");

    // Without `worker`, a thread's cache stays with it: nothing reaches the depot.
    let kept: HashSet<usize> = std::thread::spawn(move || {
        let blocks = allocate(20);
        free(&blocks);
        blocks.into_iter().collect()
    })
    .join()
    .expect("a plain thread");
    let next = std::thread::spawn(move || allocate(20))
        .join()
        .expect("a plain thread");
    assert!(next.iter().all(|b| !kept.contains(b)));

    // A thread that frees what another allocated (as the main thread frees parsed documents)
    // hands those blocks to the depot every FREES_PER_HANDOVER frees, rather than keeping them.
    let small = Layout::from_size_align(600, 8).expect("a layout");
    let count = FREES_PER_HANDOVER as usize;
    let produced: Vec<usize> = std::thread::spawn(move || {
        (0..count)
            .map(|_| unsafe { SmallBlocks.alloc(small) } as usize)
            .collect()
    })
    .join()
    .expect("a producer");
    for &block in &produced {
        unsafe { SmallBlocks.dealloc(block as *mut u8, small) };
    }
    let produced: HashSet<usize> = produced.into_iter().collect();
    let drawn: Vec<usize> = std::thread::spawn(move || {
        (0..50)
            .map(|_| unsafe { SmallBlocks.alloc(small) } as usize)
            .collect()
    })
    .join()
    .expect("a consumer");
    assert!(drawn.iter().all(|b| produced.contains(b)));
}
