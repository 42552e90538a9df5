//! The collector's allocation path (Go's `mallocgc`): from `Gc::new` to the allocator's cache,
//! with allocate-black and the pacer's charge.
//!
//! **The hot path** ([`alloc_object`] then [`Mutation::alloc`]): pick the object's shape from its
//! type at compile time (header or none, tiny block or not, scan span only if the type needs a
//! drop; [`crate::object`] has the layout), take a slot from this mutator's allocation cache
//! (no lock, no atomic read-modify-write: `gcheap_allocator::Cache`), write the header, and
//! subtract the size from the mutator's allocation credit. Outside marking that is all; the two
//! branches that lead elsewhere are cold and predictable.
//!
//! **Allocate-black.** While this mutator holds a cycle's job, every object it allocates is
//! black for that cycle: its mark bit is set ([`gcheap_allocator::Allocator::mark_new_object`],
//! which after the cycle's sweep started marks only objects in spans the sweep has yet to read)
//! and its header carries the cycle's black bit (the call's `parity`, written by
//! `alloc_object`). So no new object needs scanning: whatever it will hold is reachable from the
//! snapshot, kept so by the barrier ([`crate::barrier`]), or black itself.
//!
//! **Charging the pacer.** Allocation is reported to the pacer in batches of `CREDIT_BYTES`
//! (64 KiB) from a per-mutator credit, so the shared counter is touched once per batch. The
//! report that crosses the trigger asks the collector thread for a cycle; while a cycle marks,
//! each report also pays a *mark assist*: `CREDIT_BYTES x assist_ratio` bytes of marking, taken
//! from the job's queues (Go's assist credit, at batch granularity). An assist that finds
//! nothing queued does nothing (and counts no operation, so the ragged termination check is not
//! held up by it).

use std::alloc::Layout;
use std::mem::align_of;
use std::ptr::NonNull;
use std::sync::atomic::Ordering::Relaxed;

use gcheap_allocator::{AllocError, ObjectKind, TINY_SIZE};

use crate::context::Mutation;
use crate::object::StaticLayout;
use crate::pacer::CREDIT_BYTES;

/// Allocates an object for a value of layout `value` behind a header of `T`'s kind, with `extra`
/// bytes after the value (a slice's cards); returns the payload address. Writes the descriptor
/// (and for slices a zero length) before returning, so the object is always sweepable.
pub(crate) fn alloc_object<T: StaticLayout + ?Sized>(
    mc: &Mutation<'_>,
    value: Layout,
    is_slice: bool,
    extra: usize,
) -> Result<NonNull<u8>, AllocError> {
    let align = if T::HAS_HEADER {
        value.align().max(align_of::<usize>())
    } else {
        value.align()
    };
    let size = (T::HEADER_OFFSET + value.size())
        .checked_add(extra)
        .ok_or(AllocError::OutOfMemory {
            requested: usize::MAX,
        })?
        .max(1);
    let layout = Layout::from_size_align(size, align)
        .map_err(|_| AllocError::OutOfMemory { requested: size })?;
    if !T::HAS_HEADER {
        return if size < TINY_SIZE && align <= 8 {
            mc.alloc(layout, ObjectKind::NoScan, true)
        } else {
            mc.alloc(layout, ObjectKind::NoScan, false)
        };
    }
    let kind = if T::NEEDS_DROP {
        ObjectKind::Scan
    } else {
        ObjectKind::NoScan
    };
    let base = mc.alloc(layout, kind, false)?;
    // SAFETY: a fresh allocation no other thread knows, at least HEADER_OFFSET bytes and
    // 8-aligned: room for the header.
    unsafe {
        crate::object::write_header(base, T::descriptor(), mc.parity);
        if is_slice {
            base.cast::<usize>().add(1).write(0);
        }
        Ok(base.add(T::HEADER_OFFSET))
    }
}

impl Mutation<'_> {
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
}
