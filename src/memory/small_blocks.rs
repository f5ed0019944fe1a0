//! Blocks of up to 1 KiB from per-thread free lists; larger ones from the system allocator.
//!
//! Written by hand because no allocator crate fits a process this short: a render of the
//! example makes about 12,000 allocations, nearly all small, and glibc's malloc spends about
//! 180 instructions on each allocate-and-free, most of them carving fresh blocks (its thread
//! cache keeps 7 blocks per size, and only an environment variable can raise that). Here it
//! is about 20, a fifth of the example's instructions. mimalloc was as quick per call, but
//! its start-up and page faults cost more than it saved (docs/performance.md).
//!
//! Each thread keeps one free list per size class (16-byte steps) and carves new blocks from
//! 64 KiB chunks of the system allocator. `dealloc` is told the block's layout, so a block
//! needs no header: its class comes from its size. A freed block goes onto the list of the
//! thread that frees it, and is reused for the next block of its class there. Chunks are never
//! given back, as a short-lived process has no need to. Every 65,536 frees a thread hands its
//! lists to a depot, from which other threads draw when their own list of a class is empty, so
//! that blocks freed on one thread serve the others too. A thread that ends must hand its lists
//! over as well ([`return_thread_cache`], through [`worker`]); otherwise its cached blocks would
//! be lost with it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Class sizes step by this much, which is also the alignment every block has.
const GRAIN: usize = 16;
/// Size classes: 16, 32, ... 1024 bytes (one bit each in [`STOCKED`]).
const CLASSES: usize = 64;
/// The largest block served from the lists; anything larger goes to the system allocator.
pub const LARGEST_SMALL: usize = GRAIN * CLASSES;
/// What a thread takes from the system allocator when it needs fresh blocks.
const CHUNK_BYTES: usize = 64 * 1024;
/// Frees after which a thread hands all its lists to the depot. A thread that frees what
/// others allocated (parsed documents handed back to the main thread) would otherwise keep
/// those blocks, while the others carve new ones.
pub const FREES_PER_HANDOVER: u32 = 64 * 1024;

/// The small-block allocator; use it as a `#[global_allocator]` or under one.
pub struct SmallBlocks;

/// A free list, linked through each block's first word. `tail` is valid while `head` is not
/// null; it makes handing a whole list over one step.
#[derive(Clone, Copy)]
struct List {
    head: *mut u8,
    tail: *mut u8,
}

const EMPTY: List = List {
    head: ptr::null_mut(),
    tail: ptr::null_mut(),
};

impl List {
    /// # Safety
    /// `block` is a free block of this list's class, at least a pointer long and aligned.
    unsafe fn push(&mut self, block: *mut u8) {
        if self.head.is_null() {
            self.tail = block;
        }
        unsafe { block.cast::<*mut u8>().write(self.head) };
        self.head = block;
    }

    /// # Safety
    /// The list's blocks are free blocks, as `push` links them.
    unsafe fn pop(&mut self) -> Option<*mut u8> {
        let block = self.head;
        if block.is_null() {
            return None;
        }
        self.head = unsafe { block.cast::<*mut u8>().read() };
        Some(block)
    }

    /// Puts all of `other`'s blocks in front of this list's, leaving `other` empty.
    ///
    /// # Safety
    /// Both lists are well linked.
    unsafe fn splice(&mut self, other: &mut List) {
        if other.head.is_null() {
            return;
        }
        unsafe { other.tail.cast::<*mut u8>().write(self.head) };
        if self.head.is_null() {
            self.tail = other.tail;
        }
        self.head = other.head;
        *other = EMPTY;
    }
}

/// One thread's blocks: a free list per class and the rest of its current chunk.
struct Cache {
    lists: [List; CLASSES],
    next: *mut u8,
    end: *mut u8,
    /// Frees since the lists were last handed to the depot.
    frees: u32,
}

thread_local! {
    // Const and without a destructor: reading it never allocates nor fails, which matters
    // inside the allocator.
    static CACHE: UnsafeCell<Cache> = const {
        UnsafeCell::new(Cache {
            lists: [EMPTY; CLASSES],
            next: ptr::null_mut(),
            end: ptr::null_mut(),
            frees: 0,
        })
    };
}

/// Free lists handed over by threads: every [`FREES_PER_HANDOVER`] frees, and when a thread
/// ends.
struct Depot {
    lists: [List; CLASSES],
}

// SAFETY: the blocks a depot links belong to no thread until one takes them under the lock.
unsafe impl Send for Depot {}

static DEPOT: Mutex<Depot> = Mutex::new(Depot {
    lists: [EMPTY; CLASSES],
});

/// Bit `c` is set while the depot may hold blocks of class `c`: an empty list checks one
/// word, not the lock.
static STOCKED: AtomicU64 = AtomicU64::new(0);

fn class_of(layout: Layout) -> Option<usize> {
    (layout.size() <= LARGEST_SMALL && layout.align() <= GRAIN)
        .then(|| layout.size().saturating_sub(1) / GRAIN)
}

fn class_bytes(class: usize) -> usize {
    (class + 1) * GRAIN
}

/// Runs `f` on this thread's cache. `f` must not allocate through this allocator.
#[inline]
fn with_cache<R>(f: impl FnOnce(&mut Cache) -> R) -> R {
    // SAFETY: the cache is this thread's alone, and `f` does not reenter (above).
    CACHE.with(|cache| f(unsafe { &mut *cache.get() }))
}

impl Cache {
    /// A block of `class`: from this thread's list, else the depot's, else a chunk.
    #[inline]
    fn take(&mut self, class: usize) -> *mut u8 {
        // SAFETY: the lists link only free blocks of their class.
        if let Some(block) = unsafe { self.lists[class].pop() } {
            return block;
        }
        if STOCKED.load(Ordering::Relaxed) & (1 << class) != 0
            && let Some(block) = self.take_from_depot(class)
        {
            return block;
        }
        let bytes = class_bytes(class);
        if (self.end as usize) - (self.next as usize) < bytes {
            return self.carve_from_new_chunk(bytes);
        }
        let block = self.next;
        // SAFETY: `bytes` fit between `next` and `end`.
        self.next = unsafe { block.add(bytes) };
        block
    }

    /// Moves the depot's blocks of `class` to this thread's (empty) list and takes one.
    #[cold]
    fn take_from_depot(&mut self, class: usize) -> Option<*mut u8> {
        let mut depot = DEPOT.lock().unwrap_or_else(PoisonError::into_inner);
        STOCKED.fetch_and(!(1 << class), Ordering::Relaxed);
        // SAFETY: the depot's lists are well linked; this list is empty.
        unsafe {
            self.lists[class].splice(&mut depot.lists[class]);
            drop(depot);
            self.lists[class].pop()
        }
    }

    /// Starts a new chunk and carves a block of `bytes` from it.
    #[cold]
    fn carve_from_new_chunk(&mut self, bytes: usize) -> *mut u8 {
        // SAFETY: a valid, non-zero layout.
        let chunk = unsafe { System.alloc(Layout::from_size_align_unchecked(CHUNK_BYTES, GRAIN)) };
        if chunk.is_null() {
            return chunk;
        }
        self.keep_rest_of_chunk();
        // SAFETY: both within the chunk just allocated.
        unsafe {
            self.next = chunk.add(bytes);
            self.end = chunk.add(CHUNK_BYTES);
        }
        chunk
    }

    /// Puts what is left of the current chunk on the free lists, as blocks, so that nothing
    /// is lost when the chunk is replaced or the thread ends.
    fn keep_rest_of_chunk(&mut self) {
        while !self.next.is_null() && self.next < self.end {
            let left = (self.end as usize) - (self.next as usize);
            let bytes = left.min(LARGEST_SMALL);
            // SAFETY: a free, aligned piece of the chunk; sizes are multiples of GRAIN.
            unsafe {
                self.lists[bytes / GRAIN - 1].push(self.next);
                self.next = self.next.add(bytes);
            }
        }
        self.next = ptr::null_mut();
        self.end = ptr::null_mut();
    }

    #[inline]
    fn give(&mut self, class: usize, block: *mut u8) {
        // SAFETY: the caller frees `block`, which was of this class.
        unsafe { self.lists[class].push(block) };
        self.frees += 1;
        if self.frees >= FREES_PER_HANDOVER {
            self.hand_over();
        }
    }

    /// Moves every list to the depot, for whichever thread next needs blocks of its class.
    #[cold]
    fn hand_over(&mut self) {
        self.frees = 0;
        if self.lists.iter().all(|list| list.head.is_null()) {
            return;
        }
        let mut depot = DEPOT.lock().unwrap_or_else(PoisonError::into_inner);
        let mut stocked = 0u64;
        for (class, list) in self.lists.iter_mut().enumerate() {
            if !list.head.is_null() {
                // SAFETY: both lists are well linked.
                unsafe { depot.lists[class].splice(list) };
                stocked |= 1 << class;
            }
        }
        STOCKED.fetch_or(stocked, Ordering::Relaxed);
    }
}

/// Hands this thread's cached blocks, the rest of its chunk included, to the depot for other
/// threads to use; a no-op on a thread that never allocated through [`SmallBlocks`].
fn return_thread_cache() {
    with_cache(|cache| {
        cache.keep_rest_of_chunk();
        cache.hand_over();
    });
}

/// Runs `work`, then returns this thread's cache to the depot (also when `work` panics): the
/// body of every thread ktera starts.
pub fn worker<T>(work: impl FnOnce() -> T) -> T {
    struct ReturnCache;
    impl Drop for ReturnCache {
        fn drop(&mut self) {
            return_thread_cache();
        }
    }
    let _return = ReturnCache;
    work()
}

// SAFETY: small blocks are distinct pieces of chunks that are never freed, aligned to GRAIN
// (chunks are, and every class size is a multiple of it), at least as large as asked, and
// each is on at most one list or in use at a time; everything else is `System`'s.
unsafe impl GlobalAlloc for SmallBlocks {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            Some(class) => with_cache(|cache| cache.take(class)),
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            Some(class) => {
                // A reused block holds old bytes.
                let block = with_cache(|cache| cache.take(class));
                if !block.is_null() {
                    unsafe { ptr::write_bytes(block, 0, layout.size()) };
                }
                block
            }
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match class_of(layout) {
            Some(class) => with_cache(|cache| cache.give(class, ptr)),
            None => unsafe { System.dealloc(ptr, layout) },
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size` rounded to `align` does not overflow.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (class_of(layout), class_of(new_layout)) {
            // The block already has room.
            (Some(old), Some(new)) if old == new => ptr,
            (None, None) => unsafe { System.realloc(ptr, layout, new_size) },
            _ => unsafe {
                let moved = self.alloc(new_layout);
                if !moved.is_null() {
                    ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                moved
            },
        }
    }
}

#[cfg(test)]
mod tests;
