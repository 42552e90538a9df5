//! `Mutation<'gc>`: the context of one `mutate` call.
//!
//! It carries the brand, the mutator's allocation cache and the heap, and is neither `Send` nor
//! `Sync`: allocation and barriered writes happen on the mutator's own thread. Everything that
//! changes the heap takes `&Mutation<'gc>`, so nothing can allocate or write a Gc pointer outside
//! `mutate`.

use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::atomic::Ordering::*;

use crate::heap::{Heap, HeapState};
use crate::mark::MarkJob;
use crate::mutator::MutatorState;

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
    pub(crate) job: Option<&'gc MarkJob>,
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
}
