//! `Mutation<'gc>`: the context of one `mutate` call.
//!
//! It carries the brand, the mutator's allocation cache and the heap, and is neither `Send` nor
//! `Sync`: allocation and barriered writes happen on the mutator's own thread. Everything that
//! changes the heap takes `&Mutation<'gc>`, so nothing can allocate or write a Gc pointer outside
//! `mutate`.

use std::alloc::Layout;
use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::atomic::Ordering::*;

use gcheap_allocator::{AllocError, ObjectKind};

use crate::heap::{Heap, HeapState};
use crate::mark::MarkJob;
use crate::mutator::MutatorState;
use crate::pacer::CREDIT_BYTES;

/// The context of a [`Mutator::mutate`](crate::Mutator::mutate) call: pass it to allocate
/// ([`Gc::new`](crate::Gc::new)), to write cells ([`GcCell::set`](crate::GcCell::set)) and to make
/// persistent roots.
pub struct Mutation<'gc> {
    pub(crate) heap: &'gc Heap,
    pub(crate) shared: &'gc HeapState,
    pub(crate) state: &'gc MutatorState,
    /// The cycle marking during this call, if any. The slot it comes from changes only at this
    /// mutator's boundaries (or with the world stopped), so it is fixed for the whole call: the
    /// barrier's fast path reads this field. The job may end (its sweep start) during the call:
    /// then the barrier finds every object it can reach black, and allocate-black marks only
    /// what the sweep has yet to read.
    job: Option<&'gc MarkJob>,
    /// The black bit written into every header allocated in this call (see `HeapState::parity`).
    pub(crate) parity: usize,
    /// Invariant in 'gc; `*const ()` makes the context neither Send nor Sync.
    _brand: PhantomData<(Cell<&'gc ()>, *const ())>,
}

impl std::fmt::Debug for Mutation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mutation")
            .field("heap", &self.shared.id)
            .finish_non_exhaustive()
    }
}

impl<'gc> Mutation<'gc> {
    /// The context of a call on the mutator `state`, whose thread holds the world lock shared.
    pub(crate) fn new(heap: &'gc Heap, state: &'gc MutatorState) -> Mutation<'gc> {
        let shared = heap.shared();
        // SAFETY: the caller holds the world lock shared, so the collector (which sets the job
        // slot with the world stopped) does not write it while this call lasts.
        let job = unsafe { (*state.job.get()).as_deref() };
        Mutation {
            heap,
            shared,
            state,
            job,
            parity: shared.parity.load(Relaxed),
            _brand: PhantomData,
        }
    }

    /// Whether long-running code should return from `mutate` soon: a cycle's brief stop (or a
    /// [`mem_stats`](crate::Heap::mem_stats) snapshot) is waiting for this mutator to reach a
    /// boundary. An interpreter checks this in its dispatch loop, as Go's preemption would.
    #[inline]
    pub fn should_yield(&self) -> bool {
        self.shared.world.stop_wanted()
    }

    /// The heap this context allocates in.
    pub fn heap(&self) -> &'gc Heap {
        self.heap
    }

    /// Allocates through this mutator's cache and charges the bytes to the pacer. While a cycle
    /// marks, the new object is black: its mark bit is set here, and its header (written by the
    /// caller) carries this call's parity.
    #[inline]
    pub(crate) fn alloc(
        &self,
        layout: Layout,
        kind: ObjectKind,
        tiny: bool,
    ) -> Result<NonNull<u8>, AllocError> {
        // SAFETY: the cache is this mutator's; it is used only by its thread inside mutate (this
        // call) or by a collector holding the world lock exclusively, which excludes mutate.
        // User code can run while the borrow lives (lazy sweeping in `alloc` runs drops of dead
        // objects), but none can reach this cache: it is reachable only through this mutator's
        // `Mutation` or its `Mutator`, and the `Mutator` is mutably borrowed by the running
        // `mutate`, `!Send`, and not `Trace` (so no heap object holds it).
        let cache = unsafe { &mut *self.state.cache.get() };
        let p = if tiny {
            cache.alloc_tiny(layout)?
        } else {
            cache.alloc(layout, kind)?
        };
        if self.job.is_some() {
            self.allocate_black(p);
        }
        let credit = self.state.credit.get() - layout.size() as isize;
        self.state.credit.set(credit);
        if credit < 0 {
            self.charge();
        }
        Ok(p)
    }

    #[cold]
    #[inline(never)]
    fn allocate_black(&self, p: NonNull<u8>) {
        let job = self.job.expect("allocate-black runs only with a job");
        // After the cycle's sweep started (this call began before), only objects in spans the
        // sweep has yet to read need the mark (see `Allocator::mark_new_object`).
        if let Some(size) = self.shared.allocator.mark_new_object(p, job.sweep_gen) {
            // SAFETY: the marker is this mutator's, used only on its thread inside mutate (or by
            // the collector with the world stopped); no other borrow of it is live here.
            unsafe { (*self.state.marker.get()).marked_bytes += size as u64 };
        }
    }

    /// The credit ran out: reports the allocation to the pacer (which may start a cycle) and,
    /// while a cycle marks, pays for it with a mark assist.
    #[cold]
    #[inline(never)]
    fn charge(&self) {
        if self.shared.pacer.charge(&self.state.credit) {
            self.shared.request_cycle();
        }
        if let Some(job) = self.job {
            // SAFETY: as in `allocate_black`; the assist runs Trace impls, which cannot reach
            // this mutator's context (they get no `Mutation`).
            let marker = unsafe { &mut *self.state.marker.get() };
            // Nothing queued means nothing to steal: no operation, so that the collector's
            // termination check is not held up by assists that cannot do anything.
            if job.any_work() {
                let ratio = f64::from_bits(self.shared.assist_ratio.load(Relaxed));
                let budget = (CREDIT_BYTES as f64 * ratio) as u64;
                self.state.begin_op();
                job.assist(marker, budget);
                self.state.end_op(job, marker);
            } else {
                marker.hand_bytes_to(job);
            }
        }
    }

    /// The write barrier for a cell at `slot` whose value type can hold Gc pointers. Outside a
    /// mark phase it is a load of this context's job field and a predictable branch.
    #[inline]
    pub(crate) fn barrier(&self, slot: *const u8) {
        if self.job.is_some() {
            self.barrier_slow(slot);
        }
    }

    /// The hybrid barrier's deletion half at object granularity: before the first write to an
    /// object in a cycle, make it black by scanning it (shading the values about to be
    /// overwritten), waiting if a worker is scanning it right now. Every mutator was scanned at
    /// the mark start (its root shaded with the world stopped), so the insertion half (shading
    /// the new value) is never needed in this version: everything a scanned mutator can store
    /// is reachable from the snapshot (and kept so by this half) or was allocated black.
    ///
    /// A cell outside the heap (a local `GcCell` on the stack or in a `Box` local to the call)
    /// needs nothing: no marker reads it. Cells inside Rust-heap containers of heap objects
    /// (`Vec<GcCell<..>>` in an object) are refused at compile time (see `Trace::HAS_CELLS`),
    /// since their object cannot be found from their address.
    #[cold]
    #[inline(never)]
    fn barrier_slow(&self, slot: *const u8) {
        let Some(slot) = NonNull::new(slot.cast_mut()) else {
            return;
        };
        let Some(base) = self.shared.allocator.object_base(slot) else {
            return;
        };
        let job = self.job.expect("the slow path runs only while marking");
        // SAFETY: as in `allocate_black`.
        let marker = unsafe { &mut *self.state.marker.get() };
        let mut began = false;
        // A panic in a Trace impl here would leave the object held and the operation open
        // (the cycle could never end): abort, as the workers do.
        crate::mark::abort_on_panic(|| {
            // SAFETY: `base` is the slot of the heap object holding the cell (`object_base`
            // found the slot inside an in-use span): the caller reached the cell through a Gc of
            // this call, so the object is live (marking frees nothing, and a sweep frees only
            // objects no mutator can reach), and it has a header, since a cell that can hold Gc
            // pointers makes its type need tracing; `slot` is inside it.
            began = unsafe { marker.blacken_for_write(base, slot, || self.state.begin_op()) };
        });
        if began {
            marker.publish(job);
            self.state.end_op(job, marker);
        }
    }
}
