//! The page heap (Go's `mheap` page allocator): hands out runs of pages as spans and takes them
//! back, coalescing neighbours, and returns idle pages to the OS (the scavenger).
//!
//! Free memory is a set of maximal runs of free pages, indexed twice: by start address (to find and
//! merge neighbours on free) and by (length, address) (best fit on allocation: the shortest run
//! that fits, lowest address first, which keeps the heap compact). Both are B-trees, so every
//! operation is O(log runs). Runs never cross an arena boundary.
//!
//! Address space grows arena by arena, but memory is accounted (Go's `HeapSys`) as it is *grown*
//! into, in steps of at least [`GROW_STEP_PAGES`]. Fresh pages have never been touched and so cost
//! no physical memory: like Go, we count them as released (`HeapReleased`) until a span uses them.
//! Each arena keeps a bitmap of released ("scavenged") pages so that the accounting stays exact
//! when released and retained runs merge.
//!
//! Everything here runs under the allocator's page-heap lock; the fast paths never get here.

use std::collections::{BTreeMap, BTreeSet};
use std::ptr::NonNull;

use crate::arena::{ARENA_PAGES, Arena, OwnedArena};
use crate::error::AllocError;
use crate::sizeclass::{PAGE_SIZE, SpanClass};
use crate::span::{Span, SpanRef};

/// The heap grows by at least this many pages at a time (4 MiB, as Go's `pallocChunkPages`).
pub(crate) const GROW_STEP_PAGES: usize = if ARENA_PAGES < 512 { ARENA_PAGES } else { 512 };

/// Per-arena state owned by the page heap.
struct ArenaState {
    arena: OwnedArena,
    /// Pages of this arena that have been grown into (and counted in `sys_pages`).
    grown: usize,
    /// One bit per page: released to the OS (or never touched) and not in use since.
    scavenged: Vec<u64>,
}

impl ArenaState {
    fn count_scavenged(&self, first: usize, n: usize) -> usize {
        (first..first + n)
            .filter(|p| self.scavenged[p / 64] & (1 << (p % 64)) != 0)
            .count()
    }

    fn set_scavenged(&mut self, first: usize, n: usize, value: bool) {
        for p in first..first + n {
            if value {
                self.scavenged[p / 64] |= 1 << (p % 64);
            } else {
                self.scavenged[p / 64] &= !(1 << (p % 64));
            }
        }
    }
}

/// Page-level statistics, in pages.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PageStats {
    pub(crate) sys: usize,
    pub(crate) inuse: usize,
    pub(crate) released: usize,
    pub(crate) spans_inuse: usize,
    pub(crate) spans_allocated: usize,
    pub(crate) released_total: usize,
}

pub(crate) struct PageHeap {
    owner: usize,
    arenas: Vec<ArenaState>,
    /// Free runs by start address -> length in pages.
    free_by_addr: BTreeMap<usize, usize>,
    /// Free runs by (length, start address).
    free_by_size: BTreeSet<(usize, usize)>,
    /// Recycled span structs.
    span_pool: Vec<SpanRef>,
    /// Every span struct ever allocated, freed when the page heap is dropped.
    all_spans: Vec<SpanRef>,
    pub(crate) stats: PageStats,
}

// SAFETY: the raw span pointers are owned by this page heap (allocated with Box::into_raw and freed
// only in Drop), and Span itself is Sync; moving the page heap between threads moves that ownership.
unsafe impl Send for PageHeap {}

impl PageHeap {
    pub(crate) fn new(owner: usize) -> PageHeap {
        PageHeap {
            owner,
            arenas: Vec::new(),
            free_by_addr: BTreeMap::new(),
            free_by_size: BTreeSet::new(),
            span_pool: Vec::new(),
            all_spans: Vec::new(),
            stats: PageStats::default(),
        }
    }

    fn state_of(&mut self, addr: usize) -> &mut ArenaState {
        let arena = crate::arena::arena_of(addr).expect("address in a registered arena");
        // SAFETY: registered arenas are owned by a live page heap; this one's are in `arenas`.
        let index = unsafe { arena.as_ref() }.index;
        let state = &mut self.arenas[index];
        debug_assert_eq!(state.arena.owner, self.owner);
        state
    }

    /// Allocates a span of `npages` pages for objects of `class`.
    pub(crate) fn alloc_span(
        &mut self,
        npages: usize,
        class: SpanClass,
        sweepgen: u32,
    ) -> Result<SpanRef, AllocError> {
        let start = match self.take_run(npages) {
            Some(start) => start,
            None => {
                self.grow(npages)?;
                self.take_run(npages).expect("grow added a fitting run")
            }
        };
        let state = self.state_of(start);
        let first = state.arena.page_of(start);
        let scavenged = state.count_scavenged(first, npages);
        state.set_scavenged(first, npages, false);
        let start_ptr = state.arena.ptr_at(start);
        let span = self.new_span_struct();
        // SAFETY: span structs live as long as the page heap (see `all_spans`).
        let s = unsafe { span.0.as_ref() };
        s.init(start_ptr, npages, class, sweepgen);
        let state = self.state_of(start);
        state.arena.set_spans(first, npages, span.0.as_ptr());
        self.stats.released -= scavenged;
        self.stats.inuse += npages;
        self.stats.spans_inuse += 1;
        Ok(span)
    }

    /// Returns a span's pages to the free set. The span must not be reachable from any list.
    pub(crate) fn free_span(&mut self, span: SpanRef) {
        // SAFETY: span structs live as long as the page heap.
        let s = unsafe { span.0.as_ref() };
        let (start, npages) = (s.start(), s.npages());
        let state = self.state_of(start);
        let first = state.arena.page_of(start);
        state.arena.set_spans(first, npages, std::ptr::null_mut());
        self.stats.inuse -= npages;
        self.stats.spans_inuse -= 1;
        self.insert_run(start, npages);
        self.span_pool.push(span);
    }

    fn new_span_struct(&mut self) -> SpanRef {
        if let Some(span) = self.span_pool.pop() {
            return span;
        }
        let span = SpanRef(NonNull::from(Box::leak(Box::new(Span::new_uninit()))));
        self.all_spans.push(span);
        self.stats.spans_allocated += 1;
        span
    }

    /// Removes and returns the start of the best-fitting free run, splitting off the rest.
    fn take_run(&mut self, npages: usize) -> Option<usize> {
        let &(len, start) = self.free_by_size.range((npages, 0)..).next()?;
        self.free_by_size.remove(&(len, start));
        self.free_by_addr.remove(&start);
        if len > npages {
            let rest = start + npages * PAGE_SIZE;
            self.free_by_size.insert((len - npages, rest));
            self.free_by_addr.insert(rest, len - npages);
        }
        Some(start)
    }

    /// Adds a free run, merging it with free neighbours in the same arena.
    fn insert_run(&mut self, mut start: usize, mut npages: usize) {
        let arena_base = self.state_of(start).arena.base();
        let arena_end = arena_base + self.state_of(start).arena.pages() * PAGE_SIZE;
        if let Some((&prev, &prev_len)) = self.free_by_addr.range(..start).next_back()
            && prev + prev_len * PAGE_SIZE == start
            && prev >= arena_base
        {
            self.free_by_addr.remove(&prev);
            self.free_by_size.remove(&(prev_len, prev));
            start = prev;
            npages += prev_len;
        }
        let end = start + npages * PAGE_SIZE;
        if end < arena_end
            && let Some(next_len) = self.free_by_addr.remove(&end)
        {
            self.free_by_size.remove(&(next_len, end));
            npages += next_len;
        }
        self.free_by_addr.insert(start, npages);
        self.free_by_size.insert((npages, start));
    }

    /// Grows the heap by at least `npages` pages: into the ungrown tail of the newest arena if it
    /// fits, otherwise into a new arena.
    fn grow(&mut self, npages: usize) -> Result<(), AllocError> {
        let step = npages.next_multiple_of(GROW_STEP_PAGES);
        let fits = self
            .arenas
            .last()
            .is_some_and(|a| a.arena.pages() - a.grown >= npages);
        if !fits {
            // Give the rest of the newest arena to the free set before moving on, so no reserved
            // space is stranded.
            if let Some(last) = self.arenas.len().checked_sub(1) {
                let rest = self.arenas[last].arena.pages() - self.arenas[last].grown;
                if rest > 0 {
                    self.grow_into(last, rest);
                }
            }
            let index = self.arenas.len();
            let arena = Arena::reserve(npages, self.owner, index)?;
            let pages = arena.pages();
            self.arenas.push(ArenaState {
                arena,
                grown: 0,
                scavenged: vec![0; pages.div_ceil(64)],
            });
        }
        let last = self.arenas.len() - 1;
        let room = self.arenas[last].arena.pages() - self.arenas[last].grown;
        self.grow_into(last, step.min(room));
        Ok(())
    }

    fn grow_into(&mut self, index: usize, npages: usize) {
        let state = &mut self.arenas[index];
        let first = state.grown;
        state.grown += npages;
        state.set_scavenged(first, npages, true);
        let start = state.arena.base() + first * PAGE_SIZE;
        self.stats.sys += npages;
        self.stats.released += npages;
        self.insert_run(start, npages);
    }

    /// Releases free, retained pages to the OS until `max_pages` have been released (largest runs
    /// first, as they are least likely to be needed soon); returns the number released.
    pub(crate) fn scavenge(&mut self, max_pages: usize) -> usize {
        let runs: Vec<(usize, usize)> = self.free_by_size.iter().rev().copied().collect();
        let mut released = 0;
        for (len, start) in runs {
            if released >= max_pages {
                break;
            }
            let state = self.state_of(start);
            let first = state.arena.page_of(start);
            // Release maximal sub-runs of retained pages.
            let mut p = first;
            while p < first + len && released < max_pages {
                if state.scavenged[p / 64] & (1 << (p % 64)) != 0 {
                    p += 1;
                    continue;
                }
                let mut q = p;
                while q < first + len
                    && q - p < max_pages - released
                    && state.scavenged[q / 64] & (1 << (q % 64)) == 0
                {
                    q += 1;
                }
                state.arena.release_pages(p, q - p);
                state.set_scavenged(p, q - p, true);
                released += q - p;
                p = q;
            }
        }
        self.stats.released += released;
        self.stats.released_total += released;
        released
    }

    /// Pages of address space reserved in arenas (grown or not).
    pub(crate) fn reserved_pages(&self) -> usize {
        self.arenas.iter().map(|a| a.arena.pages()).sum()
    }

    /// Free pages still backed by memory (idle and not released).
    pub(crate) fn retained_idle_pages(&self) -> usize {
        self.stats.sys - self.stats.inuse - self.stats.released
    }

    /// Checks the free-set indexes and page accounting against each other (tests and debugging).
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        let free: usize = self.free_by_addr.values().sum();
        assert_eq!(self.free_by_addr.len(), self.free_by_size.len());
        for (&start, &len) in &self.free_by_addr {
            assert!(self.free_by_size.contains(&(len, start)));
        }
        assert_eq!(
            free + self.stats.inuse,
            self.stats.sys,
            "free + inuse != sys"
        );
        assert!(self.stats.released <= free, "released exceeds idle");
    }
}

impl Drop for PageHeap {
    fn drop(&mut self) {
        for span in self.all_spans.drain(..) {
            // SAFETY: each span struct was leaked from a Box in `new_span_struct`, is listed once
            // in `all_spans`, and the allocator that could reference it is being dropped.
            drop(unsafe { Box::from_raw(span.0.as_ptr()) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::next_id;

    fn start(heap: &PageHeap, span: SpanRef) -> usize {
        let _ = heap;
        // SAFETY: span structs live as long as the page heap.
        unsafe { span.0.as_ref() }.start()
    }

    #[test]
    fn spans_are_disjoint_and_coalesce_back() {
        let mut heap = PageHeap::new(next_id());
        let class = SpanClass::new(0, true);
        let spans: Vec<_> = (1..=8)
            .map(|n| heap.alloc_span(n, class, 0).unwrap())
            .collect();
        heap.check_invariants();
        let mut ranges: Vec<(usize, usize)> = spans
            .iter()
            .enumerate()
            .map(|(i, &s)| (start(&heap, s), start(&heap, s) + (i + 1) * PAGE_SIZE))
            .collect();
        ranges.sort();
        for pair in ranges.windows(2) {
            assert!(pair[0].1 <= pair[1].0, "overlapping spans {pair:?}");
        }
        assert_eq!(heap.stats.inuse, 36);
        for span in spans {
            heap.free_span(span);
            heap.check_invariants();
        }
        assert_eq!(heap.stats.inuse, 0);
        // Everything coalesced back into a single run.
        assert_eq!(heap.free_by_addr.len(), 1, "{:?}", heap.free_by_addr);
    }

    #[test]
    fn best_fit_reuses_the_freed_hole() {
        let mut heap = PageHeap::new(next_id());
        let class = SpanClass::new(0, true);
        let a = heap.alloc_span(4, class, 0).unwrap();
        let _b = heap.alloc_span(1, class, 0).unwrap();
        let a_start = start(&heap, a);
        heap.free_span(a);
        let c = heap.alloc_span(3, class, 0).unwrap();
        assert_eq!(
            start(&heap, c),
            a_start,
            "the 4-page hole is the best fit for 3 pages"
        );
        heap.check_invariants();
    }

    #[test]
    fn fresh_memory_counts_as_released_until_used() {
        let mut heap = PageHeap::new(next_id());
        let span = heap.alloc_span(2, SpanClass::new(0, true), 0).unwrap();
        assert_eq!(heap.stats.sys, GROW_STEP_PAGES);
        assert_eq!(heap.stats.released, GROW_STEP_PAGES - 2);
        heap.free_span(span);
        assert_eq!(heap.retained_idle_pages(), 2);
        assert_eq!(heap.scavenge(usize::MAX), 2);
        assert_eq!(heap.stats.released, heap.stats.sys);
        assert_eq!(heap.retained_idle_pages(), 0);
        heap.check_invariants();
    }

    #[test]
    fn spans_larger_than_an_arena_get_a_huge_arena() {
        let mut heap = PageHeap::new(next_id());
        let pages = ARENA_PAGES + 3;
        let span = heap.alloc_span(pages, SpanClass::new(0, true), 0).unwrap();
        let s = start(&heap, span);
        // Every page of the span maps back to it.
        let arena = crate::arena::arena_of(s + (pages - 1) * PAGE_SIZE).unwrap();
        // SAFETY: the arena belongs to `heap`, which is alive.
        let arena = unsafe { arena.as_ref() };
        assert_eq!(
            arena.span_at(arena.page_of(s + (pages - 1) * PAGE_SIZE)),
            Some(span.0)
        );
        heap.free_span(span);
        heap.check_invariants();
    }
}
