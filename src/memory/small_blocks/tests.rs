use std::alloc::{GlobalAlloc, Layout};

use proptest::prelude::*;

use super::{LARGEST_SMALL, SmallBlocks, worker};

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).expect("a valid layout")
}

/// A live block filled with a pattern of its own, checked before it is freed or moved.
struct Block {
    ptr: *mut u8,
    layout: Layout,
    seed: u8,
}

impl Block {
    fn new(size: usize, align: usize, seed: u8) -> Block {
        let layout = layout(size, align);
        let ptr = unsafe { SmallBlocks.alloc(layout) };
        assert!(!ptr.is_null());
        assert_eq!(ptr as usize % align, 0, "{size} bytes aligned to {align}");
        let block = Block { ptr, layout, seed };
        block.fill();
        block
    }

    fn byte(&self, i: usize) -> u8 {
        self.seed.wrapping_add((i % 251) as u8)
    }

    fn fill(&self) {
        for i in 0..self.layout.size() {
            unsafe { self.ptr.add(i).write(self.byte(i)) };
        }
    }

    fn check(&self, size: usize) {
        for i in 0..size.min(self.layout.size()) {
            assert_eq!(
                unsafe { self.ptr.add(i).read() },
                self.byte(i),
                "byte {i} of {size}"
            );
        }
    }

    fn realloc(&mut self, new_size: usize) {
        self.check(self.layout.size());
        let old_size = self.layout.size();
        let ptr = unsafe { SmallBlocks.realloc(self.ptr, self.layout, new_size) };
        assert!(!ptr.is_null());
        self.ptr = ptr;
        self.layout = layout(new_size, self.layout.align());
        self.check(old_size);
        self.fill();
    }

    fn free(self) {
        self.check(self.layout.size());
        unsafe { SmallBlocks.dealloc(self.ptr, self.layout) };
    }
}

#[test]
fn blocks_of_every_size_are_aligned_and_do_not_overlap() {
    let mut blocks = Vec::new();
    for size in (1..=LARGEST_SMALL + 64).step_by(7) {
        for align in [1, 8, 16, 64] {
            blocks.push(Block::new(size, align, size as u8));
        }
    }
    let mut ranges: Vec<(usize, usize)> = blocks
        .iter()
        .map(|b| (b.ptr as usize, b.ptr as usize + b.layout.size()))
        .collect();
    ranges.sort_unstable();
    for pair in ranges.windows(2) {
        assert!(
            pair[0].1 <= pair[1].0,
            "{:x?} overlaps {:x?}",
            pair[0],
            pair[1]
        );
    }
    for block in blocks {
        block.free();
    }
}

#[test]
fn a_freed_block_is_reused_for_its_class() {
    let first = Block::new(40, 8, 1);
    let ptr = first.ptr;
    first.free();
    // 33 to 48 bytes share a class: the block comes back.
    let again = Block::new(48, 16, 2);
    assert_eq!(again.ptr, ptr);
    // Another class does not get it.
    let other = Block::new(64, 8, 3);
    assert_ne!(other.ptr, ptr);
    again.free();
    other.free();
}

#[test]
fn zeroed_blocks_are_zero_when_reused() {
    let dirty = Block::new(100, 8, 0xAA);
    let dirty_ptr = dirty.ptr;
    dirty.free();
    let small = layout(100, 8);
    let ptr = unsafe { SmallBlocks.alloc_zeroed(small) };
    assert_eq!(ptr, dirty_ptr, "the dirty block was reused");
    assert!((0..100).all(|i| unsafe { ptr.add(i).read() } == 0));
    unsafe { SmallBlocks.dealloc(ptr, small) };
    let large = layout(LARGEST_SMALL * 4, 8);
    let ptr = unsafe { SmallBlocks.alloc_zeroed(large) };
    assert!((0..large.size()).all(|i| unsafe { ptr.add(i).read() } == 0));
    unsafe { SmallBlocks.dealloc(ptr, large) };
}

#[test]
fn realloc_keeps_the_contents_across_classes_and_to_the_system() {
    let mut block = Block::new(10, 1, 7);
    let ptr = block.ptr;
    block.realloc(16); // same class: same block
    assert_eq!(block.ptr, ptr);
    for size in [
        17,
        200,
        LARGEST_SMALL,
        LARGEST_SMALL + 1,
        5000,
        900,
        3,
        70_000,
        20,
    ] {
        block.realloc(size);
    }
    block.free();
}

#[test]
fn a_block_freed_on_another_thread_joins_that_threads_list() {
    // Freed here, allocated there: the block joins this thread's list.
    let from_worker = std::thread::spawn(|| Block::new(300, 8, 9).ptr as usize)
        .join()
        .expect("worker");
    unsafe { SmallBlocks.dealloc(from_worker as *mut u8, layout(300, 8)) };
    let reused = Block::new(300, 8, 10);
    assert_eq!(reused.ptr as usize, from_worker);
    reused.free();
}

#[test]
fn many_threads_allocating_and_freeing_each_others_blocks() {
    let (send, receive) = std::sync::mpsc::channel::<Vec<(usize, usize, u8)>>();
    let producers: Vec<_> = (0..4u8)
        .map(|t| {
            let send = send.clone();
            std::thread::spawn(move || {
                worker(|| {
                    // Fewer under Miri, which checks every access and is slow.
                    let rounds = if cfg!(miri) { 2 } else { 50 };
                    for round in 0..rounds {
                        let blocks: Vec<(usize, usize, u8)> = (1..40)
                            .map(|i| {
                                let size = (i * 29 + round as usize * 13) % 1400 + 1;
                                let block = Block::new(size, 8, t ^ round);
                                (block.ptr as usize, size, t ^ round)
                            })
                            .collect();
                        send.send(blocks).expect("consumer");
                    }
                })
            })
        })
        .collect();
    drop(send);
    let consumer = std::thread::spawn(move || {
        worker(|| {
            for blocks in receive {
                for (ptr, size, seed) in blocks {
                    let block = Block {
                        ptr: ptr as *mut u8,
                        layout: layout(size, 8),
                        seed,
                    };
                    block.free();
                }
            }
        })
    });
    for producer in producers {
        producer.join().expect("producer");
    }
    consumer.join().expect("consumer");
}

#[derive(Debug, Clone)]
enum Op {
    Alloc(usize, usize),
    Realloc(usize, usize),
    Free(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let size = prop_oneof![1usize..=64, 1usize..=LARGEST_SMALL + 16, 1usize..=6000];
    prop_oneof![
        3 => (size.clone(), prop_oneof![Just(1usize), Just(8), Just(16), Just(32)])
            .prop_map(|(s, a)| Op::Alloc(s, a)),
        2 => (any::<usize>(), size).prop_map(|(i, s)| Op::Realloc(i, s)),
        2 => any::<usize>().prop_map(Op::Free),
    ]
}

proptest! {
    /// Any sequence of allocations, moves and frees keeps every live block's bytes.
    #[test]
    fn live_blocks_keep_their_bytes(ops in proptest::collection::vec(op(), 1..200)) {
        let mut live: Vec<Block> = Vec::new();
        for (n, op) in ops.into_iter().enumerate() {
            match op {
                Op::Alloc(size, align) => live.push(Block::new(size, align, n as u8)),
                Op::Realloc(i, size) if !live.is_empty() => {
                    let at = i % live.len();
                    live[at].realloc(size);
                }
                Op::Free(i) if !live.is_empty() => {
                    let at = i % live.len();
                    live.swap_remove(at).free();
                }
                _ => {}
            }
        }
        for block in &live {
            block.check(block.layout.size());
        }
        live.into_iter().for_each(Block::free);
    }
}
