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

use crate::heap::{Heap, Shared};
use crate::mutator::MutatorState;

/// The context of a [`Mutator::mutate`](crate::Mutator::mutate) call: pass it to allocate
/// ([`Gc::new`](crate::Gc::new)), to write cells ([`GcCell::set`](crate::GcCell::set)) and to make
/// persistent roots.
pub struct Mutation<'gc> {
    pub(crate) heap: &'gc Heap,
    pub(crate) shared: &'gc Shared,
    pub(crate) state: &'gc MutatorState,
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
    pub(crate) fn new(heap: &'gc Heap, state: &'gc MutatorState) -> Mutation<'gc> {
        Mutation {
            heap,
            shared: heap.shared(),
            state,
            _brand: PhantomData,
        }
    }

    /// Whether long-running code should return from `mutate` soon: a collection (or a
    /// [`mem_stats`](crate::Heap::mem_stats) snapshot) is waiting for this mutator to reach a
    /// boundary. An interpreter checks this in its dispatch loop, as Go's preemption would.
    #[inline]
    pub fn should_yield(&self) -> bool {
        self.shared.gc_requested.load(Relaxed) || self.shared.world_wanted.load(Relaxed) > 0
    }

    /// The heap this context allocates in.
    pub fn heap(&self) -> &'gc Heap {
        self.heap
    }

    /// Allocates through this mutator's cache and charges the bytes to the pacer.
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
        let credit = self.state.credit.get() - layout.size() as isize;
        self.state.credit.set(credit);
        if credit < 0 {
            self.shared.charge(&self.state.credit);
        }
        Ok(p)
    }

    /// The write barrier for a cell at `slot` whose value type can hold Gc pointers. Outside a
    /// mark phase it is one relaxed load and a predictable branch.
    ///
    /// In this version marking never overlaps `mutate` (a cycle waits for every mutator's
    /// boundary), so the flag is never set while a mutator runs; the concurrent collector's
    /// hybrid barrier goes behind this branch.
    #[inline]
    pub(crate) fn barrier(&self, slot: *const u8) {
        if self.shared.marking.load(Relaxed) {
            barrier_during_mark(slot);
        }
    }
}

#[cold]
#[inline(never)]
fn barrier_during_mark(slot: *const u8) -> ! {
    unreachable!(
        "gcheap: a cell at {slot:p} was written while marking ran; this version marks only while every mutator is at a boundary"
    )
}
