//! The heap (Go's `mheap`): [`HeapState`], the state that one allocator's handles and caches
//! share, and [`Allocator`], the public handle to it.
//!
//! **Address -> object**, the marking fast path. [`Allocator::mark`] and its siblings find the span
//! of an address with three dependent loads through the arena map and a check that the arena is
//! this allocator's ([`HeapState::span_of`]), the object index with one multiply and shift
//! ([`HeapState::locate`]), and set the mark bit with one `fetch_or`: no lock, any thread.
//!
//! **Allocation** flows cache -> central -> page heap -> arena:
//! 1. [`Cache::alloc`](crate::Cache::alloc) takes a free slot from its window onto its current
//!    span (no lock; [`crate::cache`]).
//! 2. When that span is full, the cache returns it to its class's [`Central`] and takes another
//!    ([`crate::central`]): a swept partial span, else an unswept one that it sweeps on the spot
//!    (lazy sweeping), else a fresh span from the page heap.
//! 3. The page heap carves spans out of free page runs and grows into arenas
//!    ([`crate::pageheap`]).
//!
//! Large objects (over 32 KiB) skip the cache ([`HeapState::alloc_large`]): each gets a span of
//! its own from the page heap, allocated and counted under the page-heap lock, then listed as
//! swept and full in the central lists of the large span class, so that sweeping finds it.
//!
//! **Who writes what.** The page heap changes only under its lock, which statistics snapshots also
//! take. The central lists, and the spans no cache owns, change under their class's lock
//! ([`crate::central`]). A span a cache owns is written only by that cache, apart from its atomic
//! mark and remote-free bits ([`crate::cache`]). The sweep generation advances only in
//! [`start_sweep_cycle`](HeapState::start_sweep_cycle), under every central lock; the rest of the
//! sweep state belongs to [`crate::sweep`]. Counters are atomics ([`crate::stats`]); the cache
//! registry changes under its own lock when a cache is created or dropped. The configuration
//! never changes.
//!
//! For standalone use, [`Allocator::alloc`] and [`Allocator::free`] go through a default cache
//! per thread and allocator, kept in a thread-local list.

use std::alloc::Layout;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::*};

use parking_lot::Mutex;

use crate::arena::arena_of;
use crate::cache::CacheShared;
use crate::central::{Central, ListKind, list_id};
use crate::error::AllocError;
use crate::pageheap::PageHeap;
use crate::sizeclass::{NUM_SPAN_CLASSES, PAGE_SIZE, SpanClass};
use crate::span::{Span, SpanRef};
use crate::stats::{AllocStats, Counters};
use crate::sweep::{SweepHook, SweepState};

/// How an allocator behaves.
#[derive(Clone, Default)]
pub struct AllocatorConfig {
    /// Fill freed and swept objects with `0xDB` bytes, so a use after free reads garbage loudly.
    pub poison_freed: bool,
    /// Called for each dead object in a scan span when it is swept.
    pub sweep_hook: Option<SweepHook>,
}

impl std::fmt::Debug for AllocatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllocatorConfig")
            .field("poison_freed", &self.poison_freed)
            .field("sweep_hook", &self.sweep_hook.as_ref().map(|_| "<fn>"))
            .finish()
    }
}

/// The byte written over freed memory when [`AllocatorConfig::poison_freed`] is on.
pub const POISON_BYTE: u8 = 0xDB;

/// Which span class an object lives in (Go's scan/noscan span classes).
///
/// For the allocator the only differences are that sweeping reports dead objects of scan spans
/// to the [`SweepHook`] (and never those of noscan spans), and that tiny blocks are noscan. What
/// a collector reads during marking is its own business: gcheap's collector knows from each
/// pointer's static type whether and how to scan its target, so it puts objects that hold
/// pointers but need no finalization in noscan spans too, and sweeping skips them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// Lives in a scan span: sweeping reports it to the [`SweepHook`] when it dies (Go: the
    /// object may hold pointers; gcheap: it needs finalization).
    Scan,
    /// Lives in a noscan span: sweeping frees it silently.
    NoScan,
}

/// One allocator's heap (Go's `mheap`): its page heap, the central lists of every span class, the
/// sweep state, the shared counters and the registry of live caches. Every [`Allocator`] handle
/// and every [`Cache`](crate::Cache) of the allocator holds it through an `Arc`.
pub(crate) struct HeapState {
    /// This allocator's identity; arenas record it, so an address of another allocator is foreign.
    pub(crate) id: usize,
    /// The page heap, behind the page-heap lock.
    pub(crate) pages: Mutex<PageHeap>,
    /// The central lists, one per span class (indexed by [`SpanClass::index`]).
    pub(crate) centrals: Box<[Central]>,
    /// The sweep generation: grows by 2 when a sweep cycle starts ([`crate::sweep`]).
    pub(crate) sweepgen: AtomicU32,
    /// Active sweepers and the background sweeper's cursor ([`crate::sweep`]).
    pub(crate) sweep: SweepState,
    /// Counts of the paths that bypass a cache's own counters ([`crate::stats`]).
    pub(crate) counters: Counters,
    /// Live caches, for statistics.
    pub(crate) caches: Mutex<Vec<Arc<CacheShared>>>,
    pub(crate) caches_peak: AtomicUsize,
    pub(crate) config: AllocatorConfig,
}

static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// Each thread's default caches, one per allocator it has used (see `with_thread_cache`).
    static THREAD_CACHES: std::cell::RefCell<Vec<crate::Cache>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A unique, non-zero identity for an allocator or a cache.
pub(crate) fn next_id() -> usize {
    NEXT_ID.fetch_add(1, Relaxed)
}

/// Go's memory allocator: a page heap, central span lists and thread caches.
///
/// Cheap to clone (an `Arc` inside); clones are the same allocator. Allocation goes through a
/// [`Cache`](crate::Cache): [`Allocator::cache`] makes one for the calling thread's exclusive use.
///
/// ```
/// use gcheap_allocator::{Allocator, ObjectKind};
/// use std::alloc::Layout;
///
/// let allocator = Allocator::new(Default::default());
/// let mut cache = allocator.cache();
/// let p = cache.alloc(Layout::new::<u64>(), ObjectKind::NoScan).unwrap();
/// unsafe { p.cast::<u64>().write(42) };
/// assert_eq!(allocator.usable_size(p), Some(8));
/// unsafe { cache.free(p) };
/// ```
#[derive(Clone)]
pub struct Allocator {
    pub(crate) heap: Arc<HeapState>,
}

impl std::fmt::Debug for Allocator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Allocator")
            .field("id", &self.heap.id)
            .field("sweepgen", &self.heap.sweepgen.load(Relaxed))
            .field("config", &self.heap.config)
            .finish_non_exhaustive()
    }
}

impl Default for Allocator {
    fn default() -> Self {
        Allocator::new(AllocatorConfig::default())
    }
}

impl Allocator {
    /// Creates an allocator. No memory is reserved until the first allocation.
    pub fn new(config: AllocatorConfig) -> Allocator {
        let id = next_id();
        Allocator {
            heap: Arc::new(HeapState {
                id,
                pages: Mutex::new(PageHeap::new(id)),
                centrals: (0..NUM_SPAN_CLASSES).map(|_| Central::default()).collect(),
                sweepgen: AtomicU32::new(0),
                sweep: SweepState::default(),
                counters: Counters::default(),
                caches: Mutex::new(Vec::new()),
                caches_peak: AtomicUsize::new(0),
                config,
            }),
        }
    }

    /// A new thread cache for this allocator.
    pub fn cache(&self) -> crate::Cache {
        crate::Cache::new(self.heap.clone())
    }

    /// Runs `f` with the calling thread's default cache for this allocator, creating it on first
    /// use: the way to allocate without managing caches.
    ///
    /// The default cache lives until the thread exits or calls
    /// [`release_thread_cache`](Self::release_thread_cache), and keeps the allocator alive until
    /// then. A nested call from inside `f` gets a separate, temporary cache.
    ///
    /// ```
    /// use gcheap_allocator::{Allocator, ObjectKind};
    /// use std::alloc::Layout;
    ///
    /// let allocator = Allocator::default();
    /// let p = allocator.alloc(Layout::new::<u64>(), ObjectKind::NoScan).unwrap();
    /// unsafe { allocator.free(p) };
    /// allocator.with_thread_cache(|cache| cache.flush());
    /// ```
    pub fn with_thread_cache<R>(&self, f: impl FnOnce(&mut crate::Cache) -> R) -> R {
        let mut cache = self.take_thread_cache().unwrap_or_else(|| self.cache());
        let result = f(&mut cache);
        // Put it back unless a nested call already left one for this allocator (then ours is
        // dropped, which flushes it), or the thread is exiting and its cache list is gone.
        let _ = THREAD_CACHES.try_with(|caches| {
            let mut caches = caches.borrow_mut();
            if !caches.iter().any(|c| c.allocator_id() == self.heap.id) {
                caches.push(cache);
            }
        });
        result
    }

    /// Removes the calling thread's default cache for this allocator from its list, if any.
    fn take_thread_cache(&self) -> Option<crate::Cache> {
        THREAD_CACHES.with_borrow_mut(|caches| {
            let i = caches
                .iter()
                .position(|c| c.allocator_id() == self.heap.id)?;
            Some(caches.swap_remove(i))
        })
    }

    /// Allocates through the calling thread's default cache (see
    /// [`with_thread_cache`](Self::with_thread_cache) and [`Cache::alloc`](crate::Cache::alloc)).
    pub fn alloc(&self, layout: Layout, kind: ObjectKind) -> Result<NonNull<u8>, AllocError> {
        self.with_thread_cache(|cache| cache.alloc(layout, kind))
    }

    /// Flushes and drops the calling thread's default cache for this allocator, if it has one.
    pub fn release_thread_cache(&self) {
        drop(self.take_thread_cache());
    }

    /// Sets the mark bit of the object containing `ptr`; returns true if it was not set.
    ///
    /// `ptr` may point anywhere inside a live object (a tiny object marks its whole block).
    ///
    /// # Panics
    /// If `ptr` is not inside an object of this allocator.
    #[inline]
    pub fn mark(&self, ptr: NonNull<u8>) -> bool {
        let (span, index) = self
            .heap
            .locate(ptr.as_ptr().addr())
            .unwrap_or_else(|| panic!("mark: {ptr:p} is not inside an object of this allocator"));
        self.heap.span(span).mark(index)
    }

    /// Sets the mark bit of the object containing `ptr`; returns its slot size if the bit was
    /// clear, `None` if it was already set. The collector counts marked bytes with it.
    ///
    /// # Panics
    /// If `ptr` is not inside an object of this allocator.
    #[inline]
    pub fn mark_object(&self, ptr: NonNull<u8>) -> Option<usize> {
        self.mark_object_slot(ptr).map(|(size, _)| size)
    }

    /// As [`mark_object`](Self::mark_object), and also returns the slot's start as a pointer
    /// derived from the span (so its provenance covers the whole slot, whatever `ptr`'s covers).
    ///
    /// # Panics
    /// If `ptr` is not inside an object of this allocator.
    #[inline]
    pub fn mark_object_slot(&self, ptr: NonNull<u8>) -> Option<(usize, NonNull<u8>)> {
        let (span, index) = self
            .heap
            .locate(ptr.as_ptr().addr())
            .unwrap_or_else(|| panic!("mark: {ptr:p} is not inside an object of this allocator"));
        let s = self.heap.span(span);
        s.mark(index).then(|| (s.elem_size(), s.object_ptr(index)))
    }

    /// Marks an object allocated while a collector marks (allocate-black), if the sweep that
    /// follows that mark will consult its mark bit; returns its slot size if this call set the
    /// bit. `mark_gen` is the [`sweep_generation`](Self::sweep_generation) at the mark's start.
    ///
    /// A span swept in generation `mark_gen` (its sweepgen is `mark_gen`, or `mark_gen + 3` while
    /// a cache holds it) is swept again, reading mark bits, by the next sweep cycle — whether it
    /// has started yet or not, since starting a cycle changes no span — so the object is marked.
    /// A span swept by that next cycle already (a cache took it after
    /// [`start_sweep_cycle`](Self::start_sweep_cycle)) is not: a mark bit set there would
    /// outlive its sweep and make the following mark skip the object. So a collector may keep
    /// allocating black with this after its sweep has started, until each cache is prepared for
    /// the sweep.
    ///
    /// # Panics
    /// If `ptr` is not inside an object of this allocator.
    #[inline]
    pub fn mark_new_object(&self, ptr: NonNull<u8>, mark_gen: u32) -> Option<usize> {
        let (span, index) = self
            .heap
            .locate(ptr.as_ptr().addr())
            .unwrap_or_else(|| panic!("mark: {ptr:p} is not inside an object of this allocator"));
        let s = self.heap.span(span);
        let sg = s.sweepgen.load(Acquire);
        if sg != mark_gen && sg != mark_gen.wrapping_add(3) {
            return None;
        }
        s.mark(index).then(|| s.elem_size())
    }

    /// Whether the object containing `ptr` is marked; `None` if `ptr` is not inside an object.
    pub fn is_marked(&self, ptr: NonNull<u8>) -> Option<bool> {
        let (span, index) = self.heap.locate(ptr.as_ptr().addr())?;
        Some(self.heap.span(span).is_marked(index))
    }

    /// The start of the object slot containing `ptr`, or `None` if `ptr` is not inside one of
    /// this allocator's in-use spans.
    pub fn object_base(&self, ptr: NonNull<u8>) -> Option<NonNull<u8>> {
        let (span, index) = self.heap.locate(ptr.as_ptr().addr())?;
        Some(self.heap.span(span).object_ptr(index))
    }

    /// The usable size of the slot containing `ptr` (its size class, or its span for large
    /// objects), or `None` if `ptr` is not inside one of this allocator's in-use spans.
    pub fn usable_size(&self, ptr: NonNull<u8>) -> Option<usize> {
        let (span, _) = self.heap.locate(ptr.as_ptr().addr())?;
        Some(self.heap.span(span).elem_size())
    }

    /// Frees an object through the calling thread's default cache: locally if that cache owns the
    /// object's span, otherwise through the central lists (the span's owner, if any, folds the free
    /// in later).
    ///
    /// # Safety
    /// `ptr` must be an object returned by [`Cache::alloc`](crate::Cache::alloc) of this allocator,
    /// not freed since (explicitly or by a sweep), and not used afterwards.
    ///
    /// # Panics
    /// If `ptr` is not the start of an allocated object of this allocator (when detectable), or is
    /// a tiny object.
    pub unsafe fn free(&self, ptr: NonNull<u8>) {
        // SAFETY: the caller's promise is exactly Cache::free's.
        self.with_thread_cache(|cache| unsafe { cache.free(ptr) })
    }

    /// Starts a sweep cycle: finishes sweeping the previous cycle, then makes every span unswept.
    ///
    /// Every object whose mark bit is clear when its span is swept is freed; sweeping then clears
    /// the mark bits. Marking for a cycle must therefore begin only after the previous cycle has
    /// been swept completely ([`finish_sweep`](Self::finish_sweep)): a span swept late would clear
    /// the new marks, and the next cycle would free live objects. Spans are swept lazily by
    /// allocation, by [`sweep_one`](Self::sweep_one) and [`finish_sweep`](Self::finish_sweep).
    /// Each cache must call
    /// [`Cache::prepare_for_sweep`](crate::Cache::prepare_for_sweep) (or flush) before this is
    /// called again; objects it allocates in spans it held since before this call are freed by
    /// this cycle unless marked (the collector allocates black meanwhile).
    pub fn start_sweep_cycle(&self) {
        self.heap.start_sweep_cycle()
    }

    /// Sweeps one unswept span, if any is left; returns whether it found one. Safe to call from
    /// any number of threads at once (a background sweeper calls it in a loop).
    pub fn sweep_one(&self) -> bool {
        self.heap.sweep_one()
    }

    /// Sweeps every span not yet swept this cycle and waits for sweeps in progress elsewhere.
    /// Spans held by caches are swept when their cache releases them.
    pub fn finish_sweep(&self) {
        self.heap.finish_sweep()
    }

    /// Returns up to `max_bytes` of idle memory to the OS (`madvise(MADV_DONTNEED)`); returns the
    /// bytes released. Released pages are reused, and repopulated by the OS, on demand.
    pub fn scavenge(&self, max_bytes: usize) -> usize {
        self.heap.pages.lock().scavenge(max_bytes / PAGE_SIZE) * PAGE_SIZE
    }

    /// Releases idle memory until at most `retained_bytes` of idle memory stays backed by the OS
    /// (the scavenger's goal); returns the bytes released.
    pub fn scavenge_to(&self, retained_bytes: usize) -> usize {
        let mut pages = self.heap.pages.lock();
        let excess = pages
            .retained_idle_pages()
            .saturating_sub(retained_bytes / PAGE_SIZE);
        pages.scavenge(excess) * PAGE_SIZE
    }

    /// Releases all idle memory to the OS (the basis of Go's `debug.FreeOSMemory`).
    pub fn release_all(&self) -> usize {
        self.scavenge(usize::MAX)
    }

    /// The current sweep generation (grows by 2 per cycle).
    pub fn sweep_generation(&self) -> u32 {
        self.heap.sweepgen.load(Acquire)
    }

    /// A snapshot of the statistics. Cheap enough to call often; takes the page-heap lock.
    pub fn stats(&self) -> AllocStats {
        self.heap.stats()
    }
}

impl HeapState {
    /// The span struct behind `r`. Spans live as long as the allocator.
    #[inline]
    pub(crate) fn span(&self, r: SpanRef) -> &Span {
        // SAFETY: every SpanRef handed around by this allocator points to a span struct owned by
        // its page heap, which frees span structs only when dropped, after `self` is gone.
        unsafe { r.0.as_ref() }
    }

    /// The in-use span of this allocator containing `addr`, if any.
    #[inline]
    pub(crate) fn span_of(&self, addr: usize) -> Option<SpanRef> {
        let arena = arena_of(addr)?;
        // SAFETY: a registered arena stays valid while its allocator lives; we check it is ours,
        // and we are alive.
        let arena = unsafe { arena.as_ref() };
        if arena.owner != self.id {
            return None;
        }
        let page = arena.page_of(addr);
        arena.span_at(page).map(SpanRef)
    }

    /// The span and object index containing `addr`, if `addr` is inside an object slot.
    #[inline]
    pub(crate) fn locate(&self, addr: usize) -> Option<(SpanRef, usize)> {
        let span = self.span_of(addr)?;
        let s = self.span(span);
        s.contains_object(addr)
            .then(|| (span, s.object_index(addr)))
    }

    /// Fills the dead object `index` of `s` with [`POISON_BYTE`] if the configuration asks for it.
    pub(crate) fn poison(&self, s: &Span, index: usize) {
        if self.config.poison_freed {
            let p = s.object_ptr(index);
            // SAFETY: the object is dead (freed or unreachable and being swept): nothing may read
            // or write it any more, and the slot lies inside the span.
            unsafe { std::ptr::write_bytes(p.as_ptr(), POISON_BYTE, s.elem_size()) };
        }
    }

    /// Allocates a large object of `size` bytes in a span of its own.
    pub(crate) fn alloc_large(
        &self,
        size: usize,
        kind: ObjectKind,
    ) -> Result<NonNull<u8>, AllocError> {
        let npages = size.div_ceil(PAGE_SIZE);
        let spc = SpanClass::new(0, kind == ObjectKind::NoScan);
        let central = &self.centrals[spc.index()];
        let span = {
            let mut pages = self.pages.lock();
            let span = pages.alloc_span(npages, spc, self.sweepgen.load(Acquire))?;
            let s = self.span(span);
            s.alloc_bits[0].store(1, Relaxed);
            s.alloc_count.store(1, Relaxed);
            // Counted under the page-heap lock so that snapshots see span and object together.
            self.counters.large_mallocs.fetch_add(1, Relaxed);
            self.counters
                .large_bytes_alloc
                .fetch_add(s.bytes() as u64, Relaxed);
            span
        };
        let s = self.span(span);
        let mut lists = central.lists.lock();
        let sg = self.sweepgen.load(Acquire);
        s.sweepgen.store(sg, Release);
        lists.push(list_id(ListKind::Full, true, sg), span, s);
        Ok(s.start_ptr())
    }
}
