//! Allocation statistics with Go's `runtime.MemStats` names and meanings.
//!
//! Counts are kept where they are cheapest to keep exact: each thread cache counts its own
//! allocations and frees in per-class counters that only it writes (plain stores, no atomic
//! read-modify-write), and shared paths (sweeping, remote frees, large objects) count in the
//! allocator's atomics. A snapshot sums both while holding the page-heap lock, which no span can
//! change state without, so every object counted lies in a span counted as in use.

use std::sync::atomic::{AtomicU64, Ordering::*};

use crate::cache::CacheShared;
use crate::central::Central;
use crate::heap::HeapState;
use crate::sizeclass::{NUM_SIZE_CLASSES, PAGE_SIZE, class_size};
use crate::span::Span;

/// Allocation counts of one size class (Go's `MemStats.BySize` entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SizeClassStats {
    /// The class's object size in bytes (0 for the large-object class).
    pub size: u32,
    /// Cumulative objects allocated in this class.
    pub mallocs: u64,
    /// Cumulative objects freed in this class.
    pub frees: u64,
}

/// A snapshot of the allocator's statistics, field for field as Go's `runtime.MemStats` where Go
/// has the field.
///
/// Identities hold in every snapshot: `heap_idle = heap_sys - heap_inuse`,
/// `heap_objects = mallocs - frees`, `alloc = heap_alloc`, `sys` is the sum of the `*_sys` fields,
/// and `heap_released <= heap_idle`. `heap_alloc <= heap_inuse` holds whenever no thread allocates
/// or frees during the snapshot (Go reads its statistics with the world stopped; we do not stop
/// anyone, so a slot freed and reused between the reads of frees and mallocs can be counted twice).
///
/// As in Go, tiny allocations packed into a shared 16-byte block count once in `mallocs` and once
/// in `frees` (the block itself is the heap object), and large objects are counted at their span
/// size.
///
/// ```
/// use gcheap_allocator::{Allocator, ObjectKind};
/// use std::alloc::Layout;
///
/// let allocator = Allocator::new(Default::default());
/// let mut cache = allocator.cache();
/// let p = cache.alloc(Layout::new::<[u64; 4]>(), ObjectKind::NoScan).unwrap();
/// let s = allocator.stats();
/// assert_eq!(s.heap_objects, 1);
/// assert_eq!(s.heap_alloc, 32);
/// assert_eq!(s.heap_idle, s.heap_sys - s.heap_inuse);
/// unsafe { cache.free(p) };
/// assert_eq!(allocator.stats().heap_objects, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllocStats {
    /// Bytes of allocated heap objects (same as `heap_alloc`).
    pub alloc: u64,
    /// Cumulative bytes allocated for heap objects.
    pub total_alloc: u64,
    /// Total bytes of memory obtained from the OS (sum of the `*_sys` fields).
    pub sys: u64,
    /// Cumulative count of heap objects allocated.
    pub mallocs: u64,
    /// Cumulative count of heap objects freed.
    pub frees: u64,
    /// Bytes of allocated heap objects, including unswept garbage.
    pub heap_alloc: u64,
    /// Bytes of heap memory obtained from the OS (in use, idle and released).
    pub heap_sys: u64,
    /// Bytes in idle (unused) spans.
    pub heap_idle: u64,
    /// Bytes in in-use spans.
    pub heap_inuse: u64,
    /// Bytes of physical memory returned to the OS (or never touched).
    pub heap_released: u64,
    /// Number of allocated heap objects.
    pub heap_objects: u64,
    /// Bytes of span structures in use.
    pub mspan_inuse: u64,
    /// Bytes of memory obtained from the OS for span structures.
    pub mspan_sys: u64,
    /// Bytes of thread-cache structures in use.
    pub mcache_inuse: u64,
    /// Bytes of memory obtained from the OS for thread-cache structures.
    pub mcache_sys: u64,
    /// Bytes of memory in allocator metadata (arena page tables, scavenge bitmaps).
    pub gc_sys: u64,
    /// Bytes of memory in other allocator bookkeeping.
    pub other_sys: u64,
    /// Per-size-class counts; index = size class, entry 0 is the large-object class.
    pub by_size: Vec<SizeClassStats>,
    /// Tiny allocations that were packed into an existing block (Go's `tinyAllocs`).
    pub tiny_allocs: u64,
    /// Cumulative bytes released to the OS by the scavenger.
    pub scavenged_total: u64,
    /// Spans swept since the allocator was created.
    pub spans_swept: u64,
    /// Sweep cycles started.
    pub sweep_cycles: u64,
}

/// Shared counters for the paths that do not go through a cache's own counters.
pub(crate) struct Counters {
    pub(crate) mallocs: [AtomicU64; NUM_SIZE_CLASSES],
    pub(crate) frees: [AtomicU64; NUM_SIZE_CLASSES],
    pub(crate) large_mallocs: AtomicU64,
    pub(crate) large_frees: AtomicU64,
    pub(crate) large_bytes_alloc: AtomicU64,
    pub(crate) large_bytes_freed: AtomicU64,
    pub(crate) tiny_allocs: AtomicU64,
    pub(crate) spans_swept: AtomicU64,
    pub(crate) sweep_cycles: AtomicU64,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            mallocs: [const { AtomicU64::new(0) }; NUM_SIZE_CLASSES],
            frees: [const { AtomicU64::new(0) }; NUM_SIZE_CLASSES],
            large_mallocs: AtomicU64::new(0),
            large_frees: AtomicU64::new(0),
            large_bytes_alloc: AtomicU64::new(0),
            large_bytes_freed: AtomicU64::new(0),
            tiny_allocs: AtomicU64::new(0),
            spans_swept: AtomicU64::new(0),
            sweep_cycles: AtomicU64::new(0),
        }
    }
}

/// Raw per-class counts gathered from caches and the allocator.
pub(crate) struct RawCounts {
    pub(crate) mallocs: [u64; NUM_SIZE_CLASSES],
    pub(crate) frees: [u64; NUM_SIZE_CLASSES],
    pub(crate) large_mallocs: u64,
    pub(crate) large_frees: u64,
    pub(crate) large_bytes_alloc: u64,
    pub(crate) large_bytes_freed: u64,
    pub(crate) tiny_allocs: u64,
}

impl Default for RawCounts {
    fn default() -> Self {
        RawCounts {
            mallocs: [0; NUM_SIZE_CLASSES],
            frees: [0; NUM_SIZE_CLASSES],
            large_mallocs: 0,
            large_frees: 0,
            large_bytes_alloc: 0,
            large_bytes_freed: 0,
            tiny_allocs: 0,
        }
    }
}

impl RawCounts {
    /// Fills the object counts of `stats` from these raw counts.
    pub(crate) fn fill(&self, stats: &mut AllocStats) {
        let mut by_size: Vec<SizeClassStats> = (0..NUM_SIZE_CLASSES)
            .map(|c| SizeClassStats {
                size: class_size(c) as u32,
                mallocs: self.mallocs[c],
                frees: self.frees[c].min(self.mallocs[c]),
            })
            .collect();
        by_size[0].mallocs = self.large_mallocs;
        by_size[0].frees = self.large_frees.min(self.large_mallocs);
        let small_total: u64 = by_size[1..].iter().map(|b| b.mallocs * b.size as u64).sum();
        let small_live: u64 = by_size[1..]
            .iter()
            .map(|b| (b.mallocs - b.frees) * b.size as u64)
            .sum();
        stats.total_alloc = small_total + self.large_bytes_alloc;
        stats.heap_alloc = small_live
            + self
                .large_bytes_alloc
                .saturating_sub(self.large_bytes_freed);
        stats.alloc = stats.heap_alloc;
        stats.mallocs = by_size.iter().map(|b| b.mallocs).sum::<u64>() + self.tiny_allocs;
        stats.frees = by_size.iter().map(|b| b.frees).sum::<u64>() + self.tiny_allocs;
        stats.heap_objects = stats.mallocs - stats.frees;
        stats.tiny_allocs = self.tiny_allocs;
        stats.by_size = by_size;
    }
}

impl HeapState {
    /// A snapshot of the statistics (see [`Allocator::stats`](crate::Allocator::stats)).
    pub(crate) fn stats(&self) -> AllocStats {
        let pages = self.pages.lock();
        // The registry lock makes a cache's drop (which moves its counts into the allocator's)
        // atomic with respect to this snapshot.
        let caches = self.caches.lock();
        let mut raw = RawCounts::default();
        let c = &self.counters;
        // Frees before mallocs: an object's free is counted after its allocation, so reading in
        // this order never sees more frees than mallocs.
        for (class, f) in c.frees.iter().enumerate() {
            raw.frees[class] = f.load(Acquire);
        }
        raw.large_frees = c.large_frees.load(Acquire);
        raw.large_bytes_freed = c.large_bytes_freed.load(Acquire);
        for cache in caches.iter() {
            cache.add_frees(&mut raw);
        }
        for cache in caches.iter() {
            cache.add_mallocs(&mut raw);
        }
        for (class, m) in c.mallocs.iter().enumerate() {
            raw.mallocs[class] += m.load(Acquire);
        }
        raw.large_mallocs = c.large_mallocs.load(Acquire);
        raw.large_bytes_alloc = c.large_bytes_alloc.load(Acquire);
        raw.tiny_allocs += c.tiny_allocs.load(Acquire);
        let ncaches = caches.len();
        drop(caches);

        let mut s = AllocStats::default();
        raw.fill(&mut s);
        let ps = pages.stats;
        s.heap_sys = (ps.sys * PAGE_SIZE) as u64;
        s.heap_inuse = (ps.inuse * PAGE_SIZE) as u64;
        s.heap_idle = s.heap_sys - s.heap_inuse;
        s.heap_released = (ps.released * PAGE_SIZE) as u64;
        let span_bytes = std::mem::size_of::<Span>() as u64;
        s.mspan_inuse = ps.spans_inuse as u64 * span_bytes;
        s.mspan_sys = ps.spans_allocated as u64 * span_bytes;
        let cache_bytes = std::mem::size_of::<CacheShared>() as u64;
        s.mcache_inuse = ncaches as u64 * cache_bytes;
        s.mcache_sys = self.caches_peak.load(Relaxed) as u64 * cache_bytes;
        // Arena page tables (one pointer per page) and scavenge bitmaps (one bit per page).
        let arena_pages = pages.reserved_pages() as u64;
        s.gc_sys = arena_pages * 8 + arena_pages.div_ceil(64) * 8;
        s.other_sys = (std::mem::size_of::<HeapState>()
            + self.centrals.len() * std::mem::size_of::<Central>()) as u64;
        s.sys = s.heap_sys + s.mspan_sys + s.mcache_sys + s.gc_sys + s.other_sys;
        s.scavenged_total = (ps.released_total * PAGE_SIZE) as u64;
        s.spans_swept = c.spans_swept.load(Relaxed);
        s.sweep_cycles = c.sweep_cycles.load(Relaxed);
        s
    }
}
