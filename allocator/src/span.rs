//! Spans (Go's `mspan`): a run of pages carved into objects of one size class, with side bitmaps.
//!
//! A span owns three bitmaps, one bit per object, stored inline so a span needs no allocation of
//! its own:
//! - **alloc bits**: the object is allocated. While a thread cache owns the span, the cache keeps
//!   one 64-object *window* of these bits in its own state and writes it back when it moves on;
//!   everything else is the truth.
//! - **mark bits**: set by the collector (atomically, `fetch_or`) during marking. Sweeping makes
//!   the mark bits the new alloc bits and clears the mark bits, in one pass.
//! - **remote-free bits**: explicit frees from threads that do not own the span while a cache owns
//!   it; the owner folds them into its alloc bits when it runs out of free slots.
//!
//! All fields are atomics accessed with relaxed ordering unless a comment says otherwise. That is
//! free on the architectures we target (plain loads and stores), keeps `Span` `Sync` without
//! `unsafe`, and the protocols that decide *who* may write a field (the central lock, ownership by
//! a cache, sweep generations) provide the happens-before edges.
//!
//! **Sweep generations** (Go's `sweepgen`). The allocator's generation `sg` grows by 2 at the start
//! of each sweep cycle. A span's generation says where it stands relative to it:
//! `sg - 2` not yet swept this cycle; `sg - 1` being swept; `sg` swept; `sg + 1` owned by a cache
//! since before the cycle began (must be swept when released); `sg + 3` swept and owned by a cache.
//! Whoever claims a span (moves it to `sg - 1`, under its central lock) is its only sweeper (see
//! `sweep`).

use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering::*};

use crate::sizeclass::{MAX_OBJECTS_PER_SPAN, PAGE_SIZE, SpanClass, div_magic};

/// Words in each per-span bitmap.
pub(crate) const BITMAP_WORDS: usize = MAX_OBJECTS_PER_SPAN / 64;

/// A span's place: in a central list, owned by a cache, or neither.
pub(crate) const LIST_NONE: u8 = u8::MAX;
pub(crate) const LIST_CACHED: u8 = u8::MAX - 1;

pub(crate) struct Span {
    /// First byte, carrying the arena's provenance.
    start: AtomicPtr<u8>,
    npages: AtomicUsize,
    class: AtomicU8,
    elem_size: AtomicUsize,
    nelems: AtomicU32,
    div_magic: AtomicU64,
    pub(crate) sweepgen: AtomicU32,
    /// Identity of the owning cache, 0 when none. Written under the central lock.
    pub(crate) owner: AtomicUsize,
    /// Allocated objects, as of the last time the span left a cache or was swept; maintained
    /// exactly for spans that no cache owns.
    pub(crate) alloc_count: AtomicU32,
    /// Which central list holds the span ([`LIST_NONE`], [`LIST_CACHED`] or a list id), and where.
    pub(crate) list: AtomicU8,
    pub(crate) list_pos: AtomicU32,
    /// Remote frees recorded since the owner last folded them in.
    pub(crate) remote_pending: AtomicU32,
    pub(crate) alloc_bits: [AtomicU64; BITMAP_WORDS],
    pub(crate) mark_bits: [AtomicU64; BITMAP_WORDS],
    pub(crate) remote_free: [AtomicU64; BITMAP_WORDS],
}

impl Span {
    pub(crate) fn new_uninit() -> Span {
        Span {
            start: AtomicPtr::new(ptr::null_mut()),
            npages: AtomicUsize::new(0),
            class: AtomicU8::new(0),
            elem_size: AtomicUsize::new(0),
            nelems: AtomicU32::new(0),
            div_magic: AtomicU64::new(0),
            sweepgen: AtomicU32::new(0),
            owner: AtomicUsize::new(0),
            alloc_count: AtomicU32::new(0),
            list: AtomicU8::new(LIST_NONE),
            list_pos: AtomicU32::new(0),
            remote_pending: AtomicU32::new(0),
            alloc_bits: [const { AtomicU64::new(0) }; BITMAP_WORDS],
            mark_bits: [const { AtomicU64::new(0) }; BITMAP_WORDS],
            remote_free: [const { AtomicU64::new(0) }; BITMAP_WORDS],
        }
    }

    /// (Re)initializes a span for `npages` pages at `start`, holding objects of `class`.
    pub(crate) fn init(&self, start: NonNull<u8>, npages: usize, class: SpanClass, sweepgen: u32) {
        let size_class = class.size_class();
        let (elem_size, nelems) = if class.is_large() {
            (npages * PAGE_SIZE, 1)
        } else {
            let size = crate::sizeclass::class_size(size_class);
            (size, npages * PAGE_SIZE / size)
        };
        self.start.store(start.as_ptr(), Relaxed);
        self.npages.store(npages, Relaxed);
        self.class.store(class.index() as u8, Relaxed);
        self.elem_size.store(elem_size, Relaxed);
        self.nelems.store(nelems as u32, Relaxed);
        self.div_magic.store(
            if class.is_large() {
                0
            } else {
                div_magic(elem_size)
            },
            Relaxed,
        );
        self.sweepgen.store(sweepgen, Relaxed);
        self.owner.store(0, Relaxed);
        self.alloc_count.store(0, Relaxed);
        self.list.store(LIST_NONE, Relaxed);
        self.remote_pending.store(0, Relaxed);
        for w in 0..BITMAP_WORDS {
            self.alloc_bits[w].store(0, Relaxed);
            self.mark_bits[w].store(0, Relaxed);
            self.remote_free[w].store(0, Relaxed);
        }
    }

    #[inline]
    pub(crate) fn start_ptr(&self) -> NonNull<u8> {
        NonNull::new(self.start.load(Relaxed)).expect("span in use has a start")
    }
    #[inline]
    pub(crate) fn start(&self) -> usize {
        self.start.load(Relaxed).addr()
    }
    #[inline]
    pub(crate) fn npages(&self) -> usize {
        self.npages.load(Relaxed)
    }
    #[inline]
    pub(crate) fn class(&self) -> SpanClass {
        SpanClass::from_index(self.class.load(Relaxed) as usize)
    }
    #[inline]
    pub(crate) fn elem_size(&self) -> usize {
        self.elem_size.load(Relaxed)
    }
    #[inline]
    pub(crate) fn nelems(&self) -> usize {
        self.nelems.load(Relaxed) as usize
    }
    #[inline]
    pub(crate) fn bytes(&self) -> usize {
        self.npages() * PAGE_SIZE
    }
    /// Number of bitmap words in use.
    #[inline]
    pub(crate) fn nwords(&self) -> usize {
        self.nelems().div_ceil(64)
    }

    /// Mask of the valid object bits in bitmap word `w`.
    #[inline]
    pub(crate) fn valid_mask(&self, w: usize) -> u64 {
        let n = self.nelems();
        let rest = n - w * 64;
        if rest >= 64 {
            u64::MAX
        } else {
            (1u64 << rest) - 1
        }
    }

    /// Index of the object containing `addr`, which must lie inside the span's objects.
    #[inline]
    pub(crate) fn object_index(&self, addr: usize) -> usize {
        self.index_at_offset(addr - self.start())
    }

    /// Index of the object containing byte `offset` of the span (which must be inside it).
    #[inline]
    pub(crate) fn index_at_offset(&self, offset: usize) -> usize {
        let magic = self.div_magic.load(Relaxed);
        if magic == 0 {
            0
        } else {
            ((offset as u64 * magic) >> 32) as usize
        }
    }

    /// Pointer to object `index`.
    #[inline]
    pub(crate) fn object_ptr(&self, index: usize) -> NonNull<u8> {
        // SAFETY: index < nelems, so the offset stays inside the span's pages, which lie inside
        // the arena the start pointer was derived from.
        unsafe { self.start_ptr().add(index * self.elem_size()) }
    }

    /// Whether `addr` falls inside one of the span's objects (not the tail waste).
    #[inline]
    pub(crate) fn contains_object(&self, addr: usize) -> bool {
        addr >= self.start() && addr - self.start() < self.nelems() * self.elem_size()
    }

    /// Sets the mark bit of object `index`; true if it was clear.
    #[inline]
    pub(crate) fn mark(&self, index: usize) -> bool {
        let bit = 1u64 << (index % 64);
        // The collector publishes marking work through its own queues, and sweeping starts only
        // after marking has finished (a happens-before edge the collector establishes); SeqCst
        // (the same instruction as Relaxed on x86-64) is for the collector's ephemeron table,
        // which orders a marker's "newly marked, anything pending?" against a filer's "pending
        // now, is the key marked?" by the single total order of SeqCst operations.
        self.mark_bits[index / 64].fetch_or(bit, SeqCst) & bit == 0
    }

    /// Whether object `index` is marked (SeqCst: see [`mark`](Self::mark)).
    #[inline]
    pub(crate) fn is_marked(&self, index: usize) -> bool {
        self.mark_bits[index / 64].load(SeqCst) & (1u64 << (index % 64)) != 0
    }

    #[inline]
    pub(crate) fn clear_mark(&self, index: usize) {
        let bit = 1u64 << (index % 64);
        if self.mark_bits[index / 64].load(Relaxed) & bit != 0 {
            self.mark_bits[index / 64].fetch_and(!bit, Relaxed);
        }
    }

    /// Folds recorded remote frees into the alloc bits; returns how many were folded.
    pub(crate) fn fold_remote_frees(&self) -> usize {
        if self.remote_pending.swap(0, Acquire) == 0 {
            return 0;
        }
        let mut n = 0;
        for w in 0..self.nwords() {
            let freed = self.remote_free[w].swap(0, Acquire);
            if freed != 0 {
                let bits = self.alloc_bits[w].load(Relaxed);
                debug_assert_eq!(bits & freed, freed, "remote free of an unallocated object");
                self.alloc_bits[w].store(bits & !freed, Relaxed);
                n += freed.count_ones() as usize;
            }
        }
        n
    }

    /// Counts allocated objects from the alloc bits.
    pub(crate) fn count_allocated(&self) -> usize {
        (0..self.nwords())
            .map(|w| self.alloc_bits[w].load(Relaxed).count_ones() as usize)
            .sum()
    }

    /// Sweeps the span's bitmaps: calls `dead` for each allocated, unmarked object, makes the mark
    /// bits the new alloc bits and clears the mark bits. Returns the number of live objects.
    ///
    /// The caller must be the span's only sweeper (it won the `sg - 2 -> sg - 1` transition) and
    /// no cache may own the span.
    pub(crate) fn sweep_bits(&self, mut dead: impl FnMut(usize)) -> usize {
        let mut live = 0;
        for w in 0..self.nwords() {
            let alloc = self.alloc_bits[w].load(Relaxed);
            let marked = self.mark_bits[w].swap(0, Relaxed) & self.valid_mask(w);
            let mut freed = alloc & !marked;
            while freed != 0 {
                dead(w * 64 + freed.trailing_zeros() as usize);
                freed &= freed - 1;
            }
            self.alloc_bits[w].store(marked, Relaxed);
            live += marked.count_ones() as usize;
        }
        live
    }
}

/// A pointer to a span struct owned by an allocator.
///
/// Span structs are allocated once, recycled, and freed only when their allocator is dropped; a
/// `SpanRef` is only ever dereferenced through [`crate::heap::HeapState::span`], which ties the
/// borrow to the allocator.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct SpanRef(pub(crate) NonNull<Span>);

// SAFETY: a SpanRef is an address; the Span behind it is Sync (all atomics) and outlives every
// SpanRef use (see the type's documentation), so sending or sharing the address is sound.
unsafe impl Send for SpanRef {}
// SAFETY: as for Send.
unsafe impl Sync for SpanRef {}
