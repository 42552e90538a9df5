//! Central span lists (Go's `mcentral`): for each span class, the spans no cache owns, and the
//! moves of spans between caches, these lists, the sweeper and the page heap.
//!
//! **Taking a span** ([`HeapState::cache_span`], a cache's refill). Under the class's lock: pop a
//! swept partial span and hand it to the cache. Failing that, claim an unswept partial span (or,
//! up to 100 times, an unswept full one, as Go's `spanBudget`), release the lock and sweep it
//! (lazy sweeping). An empty span goes back to the page heap; otherwise, relocked, a span with room
//! goes to the cache and a full one to the swept full list. Last, a fresh span from the page heap.
//! A span handed to a cache is marked owned (`owner`, `LIST_CACHED`, generation `sg + 3`) under
//! the lock.
//!
//! **Returning a span** ([`HeapState::uncache_span`]). The cache has written its window back; under
//! the lock the remote frees recorded for it are folded in and ownership ends. A span held since
//! before the current cycle began (generation `sg + 1`) is swept and placed by the sweeper; one
//! held across two cycle starts panics, since its cache skipped a `prepare_for_sweep`. Any other
//! span's alloc bits are exact: it goes onto the swept partial or full list by its live count, or
//! back to the page heap if empty.
//!
//! **Shared frees** ([`HeapState::free_shared`]): an object freed by a thread whose cache does not
//! own its span. Under the span's class lock (retaken if the span changed hands before the lock
//! was held): if a cache owns the span, the free becomes a remote-free bit for the owner to fold
//! in; if the span is unswept, it is swept first and the free retried; if another thread is
//! sweeping it, the free waits and retries; otherwise the alloc bit is cleared on the spot, and the
//! span moves from the full to the partial list or, empty, back to the page heap.
//!
//! **Lists.** Four per class, as in Go: *partial* (has free slots) and *full*, each split into
//! *swept* and *unswept* for the current sweep cycle. Which of the two physical sets is "swept"
//! flips with the parity of the sweep generation, so starting a cycle turns every swept list into
//! an unswept one without touching a span. Spans know their list and position, so any span can be
//! unlinked in O(1) (swap-remove), which explicit frees need.
//!
//! **Locks.** One lock per span class keeps contention apart: threads allocating different sizes
//! never meet. It guards the class's lists and the place of each of its spans that no cache owns
//! (list, position, owner, sweep generation), and the alloc bits of those spans outside a sweep.
//! Sweeping and page-heap work happen with it released: a central lock and the page-heap lock are
//! never held together.

use std::ptr::NonNull;
use std::sync::atomic::Ordering::*;

use parking_lot::Mutex;

use crate::error::AllocError;
use crate::heap::HeapState;
use crate::sizeclass::{SpanClass, class_pages};
use crate::span::{LIST_CACHED, LIST_NONE, Span, SpanRef};

/// The two list kinds, each with two physical sets selected by sweep-generation parity.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ListKind {
    Partial,
    Full,
}

/// Physical list id for `kind` in the swept (`swept = true`) or unswept set at generation `sg`.
#[inline]
pub(crate) fn list_id(kind: ListKind, swept: bool, sg: u32) -> u8 {
    let parity = ((sg / 2) % 2) as u8 ^ (!swept) as u8;
    match kind {
        ListKind::Partial => parity,
        ListKind::Full => 2 + parity,
    }
}

#[derive(Default)]
pub(crate) struct Lists {
    sets: [Vec<SpanRef>; 4],
}

impl Lists {
    /// Appends `span` (which is in no list) to list `id`.
    pub(crate) fn push(&mut self, id: u8, span: SpanRef, s: &Span) {
        debug_assert_eq!(s.list.load(Relaxed), LIST_NONE);
        let set = &mut self.sets[id as usize];
        s.list.store(id, Relaxed);
        s.list_pos.store(set.len() as u32, Relaxed);
        set.push(span);
    }

    /// Removes and returns the last span of list `id`; `span_of` resolves the moved span.
    pub(crate) fn pop<'a>(
        &mut self,
        id: u8,
        span_of: impl Fn(SpanRef) -> &'a Span,
    ) -> Option<SpanRef> {
        let span = self.sets[id as usize].pop()?;
        span_of(span).list.store(LIST_NONE, Relaxed);
        Some(span)
    }

    /// Unlinks `span` from whichever list holds it.
    pub(crate) fn remove<'a>(
        &mut self,
        span: SpanRef,
        s: &Span,
        span_of: impl Fn(SpanRef) -> &'a Span,
    ) {
        let id = s.list.load(Relaxed);
        debug_assert!((id as usize) < self.sets.len(), "span is in no list");
        let pos = s.list_pos.load(Relaxed) as usize;
        let set = &mut self.sets[id as usize];
        debug_assert_eq!(set[pos], span);
        set.swap_remove(pos);
        if let Some(&moved) = set.get(pos) {
            span_of(moved).list_pos.store(pos as u32, Relaxed);
        }
        s.list.store(LIST_NONE, Relaxed);
    }

    /// Number of spans in list `id`.
    pub(crate) fn len(&self, id: u8) -> usize {
        self.sets[id as usize].len()
    }
}

/// The central lists of one span class.
#[derive(Default)]
pub(crate) struct Central {
    pub(crate) lists: Mutex<Lists>,
}

impl HeapState {
    /// Takes a span of class `spc` with at least one free slot for cache `owner`.
    pub(crate) fn cache_span(&self, spc: SpanClass, owner: usize) -> Result<SpanRef, AllocError> {
        let central = &self.centrals[spc.index()];
        let mut budget = 100;
        let mut lists = central.lists.lock();
        loop {
            let sg = self.sweepgen.load(Acquire);
            let span_of = |r| self.span(r);
            if let Some(span) = lists.pop(list_id(ListKind::Partial, true, sg), span_of) {
                self.take_for_cache(span, owner, sg);
                return Ok(span);
            }
            let unswept = lists
                .pop(list_id(ListKind::Partial, false, sg), span_of)
                .or_else(|| {
                    if budget > 0 {
                        budget -= 1;
                        lists.pop(list_id(ListKind::Full, false, sg), span_of)
                    } else {
                        None
                    }
                });
            let Some(span) = unswept else { break };
            self.claim_for_sweep(span, sg);
            drop(lists);
            let live = self.sweep_claimed(span);
            let s = self.span(span);
            if live == 0 {
                self.pages.lock().free_span(span);
                self.end_sweep();
                lists = central.lists.lock();
                continue;
            }
            lists = central.lists.lock();
            self.end_sweep();
            if live < s.nelems() {
                self.take_for_cache(span, owner, sg);
                return Ok(span);
            }
            s.sweepgen.store(sg, Release);
            lists.push(list_id(ListKind::Full, true, sg), span, s);
        }
        drop(lists);
        let sg = self.sweepgen.load(Acquire);
        let span = self
            .pages
            .lock()
            .alloc_span(class_pages(spc.size_class()), spc, sg)?;
        // A fresh span is in no list; mark it owned under the central lock like any other.
        let _lists = central.lists.lock();
        self.take_for_cache(span, owner, self.sweepgen.load(Acquire));
        Ok(span)
    }

    fn take_for_cache(&self, span: SpanRef, owner: usize, sg: u32) {
        let s = self.span(span);
        s.owner.store(owner, Relaxed);
        s.list.store(LIST_CACHED, Relaxed);
        s.sweepgen.store(sg.wrapping_add(3), Release);
    }

    /// Returns a span from a cache to its central lists, sweeping it if the cache held it since
    /// before the current sweep cycle began. The cache has written its window back.
    pub(crate) fn uncache_span(&self, span: SpanRef) {
        let s = self.span(span);
        let central = &self.centrals[s.class().index()];
        let mut lists = central.lists.lock();
        s.fold_remote_frees();
        s.owner.store(0, Relaxed);
        s.list.store(LIST_NONE, Relaxed);
        let sg = self.sweepgen.load(Acquire);
        let span_sg = s.sweepgen.load(Acquire);
        if span_sg == sg.wrapping_add(1) {
            // Cached since before this cycle began: sweep it now.
            self.claim_returned_for_sweep(s, sg);
            drop(lists);
            let live = self.sweep_claimed(span);
            self.place_swept(span, live);
            return;
        }
        assert_eq!(
            span_sg,
            sg.wrapping_add(3),
            "a cache held a span across two sweep cycles: call Cache::prepare_for_sweep (or flush) \
             on every cache between Allocator::start_sweep_cycle calls"
        );
        s.sweepgen.store(sg, Release);
        let live = s.count_allocated();
        s.alloc_count.store(live as u32, Relaxed);
        if live == 0 {
            drop(lists);
            self.pages.lock().free_span(span);
        } else {
            let kind = if live == s.nelems() {
                ListKind::Full
            } else {
                ListKind::Partial
            };
            lists.push(list_id(kind, true, sg), span, s);
        }
    }

    /// Frees `ptr` through the central lists (no cache owns its span, or another one does).
    pub(crate) fn free_shared(&self, ptr: NonNull<u8>) {
        let addr = ptr.as_ptr().addr();
        loop {
            let (span, index) = self.locate(addr).unwrap_or_else(|| {
                panic!("free: {ptr:p} is not an allocated object of this allocator (double free or foreign pointer)")
            });
            let s = self.span(span);
            assert_eq!(
                s.object_ptr(index),
                ptr,
                "free: {ptr:p} points inside an object, not at its start"
            );
            let class = s.class();
            assert!(
                !class.is_tiny(),
                "free: {ptr:p} is a tiny object; tiny objects share blocks and are reclaimed only by sweeping"
            );
            let central = &self.centrals[class.index()];
            let mut lists = central.lists.lock();
            if self.span_of(addr) != Some(span) {
                continue; // the span changed hands before we locked it
            }
            let sg = self.sweepgen.load(Acquire);
            let span_sg = s.sweepgen.load(Acquire);
            let (w, bit) = (index / 64, 1u64 << (index % 64));
            if s.owner.load(Relaxed) != 0 {
                // A cache owns the span: record a remote free for it to fold in.
                let prev = s.remote_free[w].fetch_or(bit, AcqRel);
                assert!(prev & bit == 0, "double free of {ptr:p}");
                s.clear_mark(index);
                self.poison(s, index);
                self.counters.frees[class.size_class()].fetch_add(1, Relaxed);
                s.remote_pending.fetch_add(1, Release);
                return;
            }
            if span_sg == sg.wrapping_sub(2) {
                // Unswept: sweep it first, then retry (the sweep may free this very object if it
                // was not marked, which makes this free a double free, reported on retry).
                lists.remove(span, s, |r| self.span(r));
                self.claim_for_sweep(span, sg);
                drop(lists);
                let live = self.sweep_claimed(span);
                self.place_swept(span, live);
                continue;
            }
            if span_sg == sg.wrapping_sub(1) {
                drop(lists);
                std::thread::yield_now();
                continue;
            }
            let bits = s.alloc_bits[w].load(Relaxed);
            assert!(bits & bit != 0, "double free of {ptr:p}");
            s.alloc_bits[w].store(bits & !bit, Relaxed);
            s.clear_mark(index);
            self.poison(s, index);
            // No cache owns the span and we hold its central lock: we are its only writer.
            let live = s.alloc_count.load(Relaxed) as usize - 1;
            s.alloc_count.store(live as u32, Relaxed);
            let was_full = live + 1 == s.nelems();
            if live == 0 {
                lists.remove(span, s, |r| self.span(r));
                drop(lists);
                let mut pages = self.pages.lock();
                self.count_shared_free(s);
                pages.free_span(span);
            } else {
                self.count_shared_free(s);
                if was_full {
                    lists.remove(span, s, |r| self.span(r));
                    lists.push(list_id(ListKind::Partial, true, sg), span, s);
                }
            }
            return;
        }
    }

    fn count_shared_free(&self, s: &Span) {
        let class = s.class();
        if class.is_large() {
            self.counters.large_frees.fetch_add(1, Relaxed);
            self.counters
                .large_bytes_freed
                .fetch_add(s.bytes() as u64, Relaxed);
        } else {
            self.counters.frees[class.size_class()].fetch_add(1, Relaxed);
        }
    }
}
