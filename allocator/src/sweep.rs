//! Sweeping (Go's `mgcsweep.go`): the sweep cycle, claiming a span for sweeping, the sweep of one
//! span, and where a swept span goes.
//!
//! **Generations.** The heap's sweep generation `sg` ([`HeapState::sweepgen`]) grows by 2 when a
//! cycle starts; a span's own generation says where it stands (see [`crate::span`]): `sg - 2`
//! unswept, `sg - 1` being swept, `sg` swept, `sg + 1` held by a cache since before the cycle
//! began, `sg + 3` swept and held by a cache. Because a central list's swept and unswept sets swap
//! roles with the generation's parity (see [`crate::central`]), starting a cycle makes every span
//! unswept without touching one.
//!
//! **Claims.** A span is swept by whoever claims it first, and only by that thread:
//! - [`claim_for_sweep`](HeapState::claim_for_sweep): a thread takes it off an unswept list under
//!   its central lock: [`sweep_one`](HeapState::sweep_one) (a background sweeper, or
//!   [`finish_sweep`](HeapState::finish_sweep)), a cache looking for a span
//!   ([`HeapState::cache_span`], lazy sweeping), or an explicit free that touches it
//!   ([`HeapState::free_shared`]);
//! - [`claim_returned_for_sweep`](HeapState::claim_returned_for_sweep): a cache returns a span it
//!   held since before the cycle began ([`HeapState::uncache_span`]).
//!
//! A claim moves the span to `sg - 1` and counts one *active sweeper*;
//! [`end_sweep`](HeapState::end_sweep) uncounts it once the span is in the page heap or its central
//! lock is held again to place it. Between the two the span is in no list and no cache owns it, so
//! the sweeper is its only writer and needs no lock: [`sweep_claimed`](HeapState::sweep_claimed)
//! makes the mark bits the new alloc bits, reports each dead object of a scan span to the
//! [`SweepHook`] (with no allocator lock held) and poisons it if asked. Then
//! [`place_swept`](HeapState::place_swept) hands an empty span to the page heap, or pushes it, at
//! `sg`, onto its central's swept partial or full list, and ends the claim; a cache that swept a
//! span lazily keeps it if it has room ([`HeapState::cache_span`]).
//!
//! **The cycle.** [`start_sweep_cycle`](HeapState::start_sweep_cycle) sweeps what is left of the
//! previous cycle, then takes every central lock (in span-class order) and advances the generation
//! only if every unswept list is empty and no sweeper is active; otherwise it retries. Claims are
//! made under a central lock, so the generation never moves under a sweeper's feet.

use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::*};

use crate::central::{ListKind, list_id};
use crate::heap::HeapState;
use crate::span::{Span, SpanRef};

/// Called by sweeping for each dead object in a scan span: the object's address and slot size.
///
/// The collector runs drops here. It may run on any thread, with no allocator lock held; it must
/// not allocate from or free to the allocator that calls it.
pub type SweepHook = Arc<dyn Fn(NonNull<u8>, usize) + Send + Sync>;

/// The sweeper's shared state (besides the generation, which everything reads).
#[derive(Default)]
pub(crate) struct SweepState {
    /// Spans claimed for sweeping and not yet placed.
    active: AtomicUsize,
    /// The span class where [`HeapState::sweep_one`] last found a span, to start looking there.
    cursor: AtomicUsize,
}

impl HeapState {
    /// See [`Allocator::start_sweep_cycle`](crate::Allocator::start_sweep_cycle).
    pub(crate) fn start_sweep_cycle(&self) {
        loop {
            self.finish_sweep();
            let mut guards: Vec<_> = self.centrals.iter().map(|c| c.lists.lock()).collect();
            let sg = self.sweepgen.load(Acquire);
            let pending = guards.iter().any(|l| {
                l.len(list_id(ListKind::Partial, false, sg))
                    + l.len(list_id(ListKind::Full, false, sg))
                    > 0
            });
            if pending || self.sweep.active.load(Acquire) != 0 {
                continue;
            }
            self.sweepgen.store(sg.wrapping_add(2), Release);
            self.counters.sweep_cycles.fetch_add(1, Relaxed);
            guards.clear();
            return;
        }
    }

    /// See [`Allocator::sweep_one`](crate::Allocator::sweep_one).
    pub(crate) fn sweep_one(&self) -> bool {
        let n = self.centrals.len();
        let start = self.sweep.cursor.load(Relaxed);
        for i in 0..n {
            let class = (start + i) % n;
            let central = &self.centrals[class];
            let mut lists = central.lists.lock();
            let sg = self.sweepgen.load(Acquire);
            let span_of = |r| self.span(r);
            let span = lists
                .pop(list_id(ListKind::Partial, false, sg), span_of)
                .or_else(|| lists.pop(list_id(ListKind::Full, false, sg), span_of));
            if let Some(span) = span {
                self.claim_for_sweep(span, sg);
                drop(lists);
                self.sweep.cursor.store(class, Relaxed);
                let live = self.sweep_claimed(span);
                self.place_swept(span, live);
                return true;
            }
        }
        false
    }

    /// See [`Allocator::finish_sweep`](crate::Allocator::finish_sweep).
    pub(crate) fn finish_sweep(&self) {
        while self.sweep_one() {}
        while self.sweep.active.load(Acquire) != 0 {
            std::thread::yield_now();
        }
    }

    /// Marks `span` (just taken off an unswept list, under its central lock) as being swept.
    pub(crate) fn claim_for_sweep(&self, span: SpanRef, sg: u32) {
        let s = self.span(span);
        let prev = s.sweepgen.swap(sg.wrapping_sub(1), AcqRel);
        assert_eq!(
            prev,
            sg.wrapping_sub(2),
            "span on an unswept list was not unswept"
        );
        self.sweep.active.fetch_add(1, AcqRel);
    }

    /// Marks `s` (just returned by a cache that held it since before this cycle began, under its
    /// central lock) as being swept.
    pub(crate) fn claim_returned_for_sweep(&self, s: &Span, sg: u32) {
        s.sweepgen.store(sg.wrapping_sub(1), Release);
        self.sweep.active.fetch_add(1, AcqRel);
    }

    /// Sweeps a span claimed by this thread (in no list, owned by no cache); returns live objects.
    pub(crate) fn sweep_claimed(&self, span: SpanRef) -> usize {
        let s = self.span(span);
        let class = s.class();
        let report = !class.noscan();
        let mut freed = 0u64;
        let live = s.sweep_bits(|index| {
            freed += 1;
            if report && let Some(hook) = &self.config.sweep_hook {
                hook(s.object_ptr(index), s.elem_size());
            }
            self.poison(s, index);
        });
        s.alloc_count.store(live as u32, Relaxed);
        if class.is_large() {
            self.counters.large_frees.fetch_add(freed, Relaxed);
            self.counters
                .large_bytes_freed
                .fetch_add(freed * s.bytes() as u64, Relaxed);
        } else {
            self.counters.frees[class.size_class()].fetch_add(freed, Relaxed);
        }
        self.counters.spans_swept.fetch_add(1, Relaxed);
        live
    }

    /// Puts a span swept by this thread where it belongs and ends the claim.
    pub(crate) fn place_swept(&self, span: SpanRef, live: usize) {
        let s = self.span(span);
        if live == 0 {
            self.pages.lock().free_span(span);
        } else {
            let mut lists = self.centrals[s.class().index()].lists.lock();
            let sg = self.sweepgen.load(Acquire);
            s.sweepgen.store(sg, Release);
            let kind = if live == s.nelems() {
                ListKind::Full
            } else {
                ListKind::Partial
            };
            lists.push(list_id(kind, true, sg), span, s);
        }
        self.end_sweep();
    }

    /// Ends a claim: the swept span is in the page heap, or its central lock is held to place it.
    pub(crate) fn end_sweep(&self) {
        self.sweep.active.fetch_sub(1, Release);
    }
}
