//! Thread caches (Go's `mcache`): where allocation happens.
//!
//! A cache owns at most one current span per span class. For each class it keeps a [`Window`]
//! onto that span: the free mask of 64 consecutive objects (the inverted alloc bits of one bitmap
//! word, as Go's `allocCache`), the address of the first of them and the object size, all in one
//! 64-byte line. Allocation is:
//!
//! ```text
//! mask = win.free_mask;  if mask == 0 -> refill (slow path)
//! win.free_mask = mask & (mask - 1);  win.mallocs += 1
//! return win.base + ctz(mask) * win.elem_size
//! ```
//!
//! one cache line, no lock, no atomic read-modify-write.
//!
//! **Who writes what.** A cache is used by one thread at a time (`&mut self`), and only that thread
//! writes its windows and the spans it owns (their alloc bits and `alloc_count`); no lock guards
//! them. The window's fields are atomics only so that statistics can read its counters from other
//! threads; the owner uses plain loads and stores. While a window is loaded, its word of the span's
//! alloc bits is stale: the mask is the truth until the cache writes it back. Other threads reach
//! an owned span only through its remote-free bits (and their count) and its mark bits.
//!
//! **Refill** (cold). When the window is empty the cache writes it back into the span's alloc bits
//! and moves to the next word with free slots; when the span is full it folds in frees other
//! threads recorded for it, and failing that keeps the full span (up to [`RETAIN_BYTES`] of them)
//! or returns it to the central lists ([`HeapState::uncache_span`]), then takes another: a retained
//! span that local frees gave room again, else one from the central lists
//! ([`HeapState::cache_span`]).
//!
//! **Frees** by the owner are local: a free in the current window sets its bit in the mask, one
//! elsewhere in an owned span clears its alloc bit. Frees of objects in spans the cache does not
//! own go through the central lock ([`HeapState::free_shared`]).
//!
//! **Sweeping.** A cache may hold its spans across at most one start of a sweep cycle:
//! [`Cache::prepare_for_sweep`] (called by every refill, and by the collector at safepoints)
//! returns them all once the sweep generation has moved, and returning a span held since before
//! the cycle began sweeps it.
//!
//! The **tiny allocator** packs noscan objects under 16 bytes into 16-byte blocks (Go's `tiny`).
//! A block is one heap object: it is reclaimed by sweeping when none of its objects is marked, and
//! its objects cannot be freed one by one.

use std::alloc::Layout;
use std::ptr::{self, NonNull};
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering::*};

use crate::error::AllocError;
use crate::heap::{HeapState, ObjectKind, next_id};
use crate::sizeclass::{
    MAX_SMALL_SIZE, NUM_SPAN_CLASSES, PAGE_SIZE, SpanClass, TINY_SIZE, class_size, size_to_class,
};
use crate::span::{Span, SpanRef};
use crate::stats::RawCounts;

/// A cache's window onto its current span of one span class: the span, the free mask of 64 of its
/// objects and their base address, and the class's counters, in one cache line.
#[repr(align(64))]
pub(crate) struct Window {
    /// Free objects in the current window (bit i = object `word * 64 + i`).
    free_mask: AtomicU64,
    /// Address of object `word * 64` of the current span.
    base: AtomicPtr<u8>,
    elem_size: AtomicUsize,
    /// The owned span, null when none.
    span: AtomicPtr<Span>,
    /// Bitmap word of the current window.
    word: AtomicUsize,
    /// Objects this cache allocated / freed locally in this class (written only by the owner).
    mallocs: AtomicU64,
    frees: AtomicU64,
}

impl Window {
    const fn new() -> Window {
        Window {
            free_mask: AtomicU64::new(0),
            base: AtomicPtr::new(ptr::null_mut()),
            elem_size: AtomicUsize::new(0),
            span: AtomicPtr::new(ptr::null_mut()),
            word: AtomicUsize::new(0),
            mallocs: AtomicU64::new(0),
            frees: AtomicU64::new(0),
        }
    }
}

/// Adds one to a counter that only the owning thread writes (other threads only read it).
#[inline]
fn bump(counter: &AtomicU64) {
    counter.store(counter.load(Relaxed) + 1, Relaxed);
}

/// The part of a cache that statistics read from other threads.
pub(crate) struct CacheShared {
    windows: [Window; NUM_SPAN_CLASSES],
    tiny_allocs: AtomicU64,
}

impl CacheShared {
    pub(crate) fn add_mallocs(&self, raw: &mut RawCounts) {
        for (i, win) in self.windows.iter().enumerate() {
            raw.mallocs[SpanClass::from_index(i).size_class()] += win.mallocs.load(Acquire);
        }
        raw.tiny_allocs += self.tiny_allocs.load(Acquire);
    }

    pub(crate) fn add_frees(&self, raw: &mut RawCounts) {
        for (i, win) in self.windows.iter().enumerate() {
            raw.frees[SpanClass::from_index(i).size_class()] += win.frees.load(Acquire);
        }
    }
}

/// A thread's allocation cache: the fast path of the allocator.
///
/// A cache is used by one thread at a time (`&mut self`); it may move between threads. Dropping it
/// returns its spans to the allocator.
///
/// ```
/// use gcheap_allocator::{Allocator, ObjectKind};
/// use std::alloc::Layout;
///
/// let allocator = Allocator::new(Default::default());
/// let mut cache = allocator.cache();
/// let objects: Vec<_> = (0..1000)
///     .map(|_| cache.alloc(Layout::new::<[u8; 48]>(), ObjectKind::Scan).unwrap())
///     .collect();
/// assert_eq!(allocator.stats().heap_objects, 1000);
/// for p in objects {
///     unsafe { cache.free(p) };
/// }
/// ```
pub struct Cache {
    heap: Arc<HeapState>,
    shared: Arc<CacheShared>,
    id: usize,
    /// Current tiny block and the offset of its first free byte.
    tiny: Option<NonNull<u8>>,
    tiny_offset: usize,
    /// The sweep generation at which this cache last released its spans.
    flush_gen: u32,
    /// Per span class: spans this cache filled and kept instead of returning them (see
    /// [`RETAIN_BYTES`]), and the subset that local frees have given free slots again.
    retained: Box<[Retained]>,
    retained_bytes: usize,
}

/// Spans a cache owns besides its current one, for one span class.
#[derive(Default)]
struct Retained {
    spans: Vec<SpanRef>,
    reusable: Vec<SpanRef>,
}

/// Bytes of full spans a cache keeps owning instead of returning them to the central lists.
///
/// Owning them keeps frees of their objects on the owner's lock-free path (the common pattern of
/// allocating a batch and freeing it on the same thread), as mimalloc's thread-owned pages do. In a
/// collected heap nothing is freed explicitly, so retained spans are simply full spans that go back
/// at the next flush; no free slot is held hostage beyond this budget.
pub const RETAIN_BYTES: usize = 2 << 20;

// SAFETY: the only non-Send field is the tiny block pointer, an address inside the allocator's
// arenas that this cache alone allocates from; moving the cache moves that exclusive use with it.
unsafe impl Send for Cache {}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let spans = self
            .shared
            .windows
            .iter()
            .filter(|s| !s.span.load(Relaxed).is_null())
            .count();
        f.debug_struct("Cache")
            .field("id", &self.id)
            .field("spans_held", &spans)
            .field("flush_gen", &self.flush_gen)
            .finish_non_exhaustive()
    }
}

impl Cache {
    pub(crate) fn new(heap: Arc<HeapState>) -> Cache {
        let shared = Arc::new(CacheShared {
            windows: [const { Window::new() }; NUM_SPAN_CLASSES],
            tiny_allocs: AtomicU64::new(0),
        });
        {
            let mut caches = heap.caches.lock();
            caches.push(shared.clone());
            heap.caches_peak.fetch_max(caches.len(), Relaxed);
        }
        let flush_gen = heap.sweepgen.load(Acquire);
        Cache {
            heap,
            shared,
            id: next_id(),
            tiny: None,
            tiny_offset: 0,
            flush_gen,
            retained: (0..NUM_SPAN_CLASSES).map(|_| Retained::default()).collect(),
            retained_bytes: 0,
        }
    }

    /// Identity of the allocator this cache belongs to.
    pub(crate) fn allocator_id(&self) -> usize {
        self.heap.id
    }

    /// Allocates an object of `layout`, uninitialized.
    ///
    /// Objects up to 32 KiB come from size-classed spans through this cache's lock-free fast
    /// path; larger ones get pages of their own. Alignments up to the page size (8 KiB) are met.
    #[inline]
    pub fn alloc(&mut self, layout: Layout, kind: ObjectKind) -> Result<NonNull<u8>, AllocError> {
        let size = layout.size();
        if layout.align() <= 8 && size.wrapping_sub(1) < MAX_SMALL_SIZE {
            let spc = SpanClass::new(size_to_class(size), kind == ObjectKind::NoScan);
            return self.alloc_small(spc);
        }
        self.alloc_general(layout, kind)
    }

    /// Allocates a noscan object with the tiny allocator if it is under 16 bytes (and aligned to
    /// at most 8), packing it into the current 16-byte block; otherwise like
    /// [`alloc`](Self::alloc) with [`ObjectKind::NoScan`].
    ///
    /// Tiny objects cannot be freed one by one: their block is reclaimed by sweeping once no
    /// object in it is marked ([`Allocator::mark`](crate::Allocator::mark) on any byte of an object
    /// marks its block).
    #[inline]
    pub fn alloc_tiny(&mut self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        let (size, align) = (layout.size(), layout.align());
        if size == 0 || size >= TINY_SIZE || align > 8 {
            return self.alloc(layout, ObjectKind::NoScan);
        }
        if let Some(block) = self.tiny {
            let offset = self.tiny_offset.next_multiple_of(align);
            if offset + size <= TINY_SIZE {
                self.tiny_offset = offset + size;
                bump(&self.shared.tiny_allocs);
                // SAFETY: offset + size <= 16, so the object lies inside the 16-byte block.
                return Ok(unsafe { block.add(offset) });
            }
        }
        let block = self.alloc_small(SpanClass::TINY)?;
        // Keep whichever block has more room left, as Go does.
        if self.tiny.is_none() || size < self.tiny_offset {
            self.tiny = Some(block);
            self.tiny_offset = size;
        }
        Ok(block)
    }

    #[inline(always)]
    fn alloc_small(&mut self, spc: SpanClass) -> Result<NonNull<u8>, AllocError> {
        let win = &self.shared.windows[spc.index()];
        let mask = win.free_mask.load(Relaxed);
        if mask != 0 {
            win.free_mask.store(mask & (mask - 1), Relaxed);
            bump(&win.mallocs);
            let offset = mask.trailing_zeros() as usize * win.elem_size.load(Relaxed);
            let p = win.base.load(Relaxed).wrapping_add(offset);
            // SAFETY: a set mask bit is an object of the owned span, inside its arena, which is
            // never at address zero.
            return Ok(unsafe { NonNull::new_unchecked(p) });
        }
        self.alloc_refill(spc)
    }

    #[cold]
    #[inline(never)]
    fn alloc_refill(&mut self, spc: SpanClass) -> Result<NonNull<u8>, AllocError> {
        self.refill(spc)?;
        self.alloc_small(spc)
    }

    #[cold]
    fn alloc_general(
        &mut self,
        layout: Layout,
        kind: ObjectKind,
    ) -> Result<NonNull<u8>, AllocError> {
        let (size, align) = (layout.size(), layout.align());
        if size == 0 {
            return Err(AllocError::ZeroSize);
        }
        if align > PAGE_SIZE {
            return Err(AllocError::UnsupportedAlignment { align });
        }
        let padded = size.next_multiple_of(align);
        if padded <= MAX_SMALL_SIZE {
            // Spans start on page boundaries, so a class whose size is a multiple of `align` puts
            // every object on an `align` boundary. Power-of-two classes up to 8 KiB guarantee one.
            let mut class = size_to_class(padded);
            while !class_size(class).is_multiple_of(align) {
                class += 1;
            }
            return self.alloc_small(SpanClass::new(class, kind == ObjectKind::NoScan));
        }
        self.heap.alloc_large(size, kind)
    }

    /// Makes the window of `spc` non-empty.
    fn refill(&mut self, spc: SpanClass) -> Result<(), AllocError> {
        self.prepare_for_sweep();
        let win = &self.shared.windows[spc.index()];
        if let Some(span) = NonNull::new(win.span.load(Relaxed)).map(SpanRef) {
            let s = self.heap.span(span);
            write_back(win, s);
            let current = win.word.load(Relaxed);
            let nwords = s.nwords();
            let next = (current + 1..nwords)
                .chain(0..=current)
                .find(|&w| free_bits(s, w) != 0);
            if let Some(w) = next {
                load_window(win, s, w);
                return Ok(());
            }
            if s.fold_remote_frees() > 0
                && let Some(w) = (0..nwords).find(|&w| free_bits(s, w) != 0)
            {
                load_window(win, s, w);
                return Ok(());
            }
            win.span.store(ptr::null_mut(), Relaxed);
            if self.retained_bytes + s.bytes() <= RETAIN_BYTES {
                // Keep owning the full span: frees of its objects stay local.
                let retained = &mut self.retained[spc.index()];
                s.alloc_count.store(s.nelems() as u32, Relaxed);
                s.list_pos.store(retained.spans.len() as u32, Relaxed);
                retained.spans.push(span);
                self.retained_bytes += s.bytes();
            } else {
                if spc.is_tiny()
                    && self
                        .tiny
                        .is_some_and(|b| s.contains_object(b.as_ptr().addr()))
                {
                    // Once the span is released, a sweep may free the block at any time: stop
                    // packing objects into it.
                    self.tiny = None;
                }
                self.heap.uncache_span(span);
            }
        }
        let span = match self.retained[spc.index()].reusable.pop() {
            Some(span) => {
                self.unretain(spc, span);
                span
            }
            None => self.heap.cache_span(spc, self.id)?,
        };
        let win = &self.shared.windows[spc.index()];
        let s = self.heap.span(span);
        win.span.store(span.0.as_ptr(), Relaxed);
        win.elem_size.store(s.elem_size(), Relaxed);
        let w = (0..s.nwords())
            .find(|&w| free_bits(s, w) != 0)
            .expect("central lists hand out spans with a free slot");
        load_window(win, s, w);
        Ok(())
    }

    /// Removes `span` from the retained set of `spc`.
    fn unretain(&mut self, spc: SpanClass, span: SpanRef) {
        let retained = &mut self.retained[spc.index()];
        let s = self.heap.span(span);
        let pos = s.list_pos.load(Relaxed) as usize;
        debug_assert_eq!(retained.spans[pos], span);
        retained.spans.swap_remove(pos);
        if let Some(&moved) = retained.spans.get(pos) {
            self.heap.span(moved).list_pos.store(pos as u32, Relaxed);
        }
        self.retained_bytes -= s.bytes();
    }

    /// Frees an object allocated from this allocator.
    ///
    /// Objects in a span this cache owns are freed locally without a lock; others go through the
    /// central lists (cross-thread frees are allowed).
    ///
    /// # Safety
    /// `ptr` must have been returned by [`alloc`](Self::alloc) (on any cache of this allocator),
    /// not be freed since (explicitly or by a sweep), and not be used afterwards.
    ///
    /// # Panics
    /// If `ptr` is detectably not the start of an allocated object of this allocator: a foreign
    /// pointer, an interior pointer, a tiny object, or a double free.
    pub unsafe fn free(&mut self, ptr: NonNull<u8>) {
        let addr = ptr.as_ptr().addr();
        let Some(span) = self.heap.span_of(addr) else {
            panic!(
                "free: {ptr:p} is not an allocated object of this allocator (double free or foreign pointer)"
            );
        };
        let s = self.heap.span(span);
        if s.owner.load(Relaxed) != self.id {
            return self.heap.free_shared(ptr);
        }
        // Each span field is loaded once: they are atomics, which the compiler does not merge.
        let offset = addr - s.start();
        let index = s.index_at_offset(offset);
        assert!(
            index < s.nelems(),
            "free: {ptr:p} is not an allocated object of this allocator (span tail)"
        );
        assert_eq!(
            index * s.elem_size(),
            offset,
            "free: {ptr:p} points inside an object, not at its start"
        );
        let class = s.class();
        assert!(
            !class.is_tiny(),
            "free: {ptr:p} is a tiny object; tiny objects are reclaimed only by sweeping"
        );
        let win = &self.shared.windows[class.index()];
        let (w, bit) = (index / 64, 1u64 << (index % 64));
        if win.span.load(Relaxed) != span.0.as_ptr() {
            // A retained span: its alloc bits are exact, and only this cache writes them.
            let bits = s.alloc_bits[w].load(Relaxed);
            assert!(bits & bit != 0, "double free of {ptr:p}");
            s.alloc_bits[w].store(bits & !bit, Relaxed);
            let live = s.alloc_count.load(Relaxed) - 1;
            s.alloc_count.store(live, Relaxed);
            if live as usize + 1 == s.nelems() {
                self.retained[class.index()].reusable.push(span);
            }
        } else if w == win.word.load(Relaxed) {
            let mask = win.free_mask.load(Relaxed);
            assert!(mask & bit == 0, "double free of {ptr:p}");
            win.free_mask.store(mask | bit, Relaxed);
        } else {
            let bits = s.alloc_bits[w].load(Relaxed);
            assert!(bits & bit != 0, "double free of {ptr:p}");
            s.alloc_bits[w].store(bits & !bit, Relaxed);
        }
        s.clear_mark(index);
        if self.heap.config.poison_freed {
            // SAFETY: the object was allocated and is now free; the caller promises no one uses it.
            unsafe { ptr::write_bytes(ptr.as_ptr(), crate::heap::POISON_BYTE, s.elem_size()) };
        }
        bump(&win.frees);
    }

    /// Returns every span this cache holds to the central lists (sweeping those held since before
    /// the current sweep cycle) and forgets the tiny block.
    pub fn flush(&mut self) {
        self.tiny = None;
        self.tiny_offset = 0;
        for retained in self.retained.iter_mut() {
            retained.reusable.clear();
            for span in retained.spans.drain(..) {
                self.heap.uncache_span(span);
            }
        }
        self.retained_bytes = 0;
        for win in self.shared.windows.iter() {
            if let Some(span) = NonNull::new(win.span.load(Relaxed)).map(SpanRef) {
                write_back(win, self.heap.span(span));
                win.free_mask.store(0, Relaxed);
                win.span.store(ptr::null_mut(), Relaxed);
                self.heap.uncache_span(span);
            }
        }
        self.flush_gen = self.heap.sweepgen.load(Acquire);
    }

    /// Flushes the cache if a sweep cycle started since it last did (Go's `prepareForSweep`).
    /// The collector calls this at each mutator safepoint after starting a sweep cycle.
    pub fn prepare_for_sweep(&mut self) {
        if self.flush_gen != self.heap.sweepgen.load(Acquire) {
            self.flush();
        }
    }
}

/// Free slots in bitmap word `w` of a span, according to its alloc bits.
#[inline]
fn free_bits(s: &Span, w: usize) -> u64 {
    !s.alloc_bits[w].load(Relaxed) & s.valid_mask(w)
}

/// Points `win` at word `w` of its span: everything free there becomes allocatable.
fn load_window(win: &Window, s: &Span, w: usize) {
    win.word.store(w, Relaxed);
    win.base.store(s.object_ptr(w * 64).as_ptr(), Relaxed);
    win.free_mask.store(free_bits(s, w), Relaxed);
}

/// Writes the current window's state back into the span's alloc bits.
fn write_back(win: &Window, s: &Span) {
    let w = win.word.load(Relaxed);
    let allocated = !win.free_mask.load(Relaxed) & s.valid_mask(w);
    s.alloc_bits[w].store(allocated, Relaxed);
}

impl Drop for Cache {
    fn drop(&mut self) {
        self.flush();
        // Move this cache's counts into the allocator's, under the registry lock so that a
        // concurrent snapshot counts them exactly once.
        let mut caches = self.heap.caches.lock();
        let mut raw = RawCounts::default();
        self.shared.add_frees(&mut raw);
        self.shared.add_mallocs(&mut raw);
        let c = &self.heap.counters;
        for class in 0..raw.mallocs.len() {
            c.mallocs[class].fetch_add(raw.mallocs[class], Relaxed);
            c.frees[class].fetch_add(raw.frees[class], Relaxed);
        }
        c.tiny_allocs.fetch_add(raw.tiny_allocs, Relaxed);
        caches.retain(|s| !Arc::ptr_eq(s, &self.shared));
    }
}
