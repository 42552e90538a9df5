//! Guardians: [`GcGuardian`], finalization by resurrection (Chez Scheme's guardians; the
//! mechanism under Lua's `__gc` and Java's finalizers).
//!
//! **What it does.** An object registered with a guardian is, once the collector finds it
//! unreachable, *resurrected* instead of freed: kept, with everything it reaches, and handed
//! to the guardian's ready queue, where the program [`take`](GcGuardian::take)s it and runs
//! whatever finalization it likes, with the whole object in hand (a Lua `__gc` metamethod gets
//! the object itself). Once taken and dropped it is an ordinary object again: the next cycle
//! that finds it unreachable frees it, unless it was registered again. A guardian that is itself
//! unreachable guards nothing: its registered and ready objects die as any others.
//!
//! **The table.** [`Gc::register`](GcGuardian::register) lists (object, guardian) in the
//! heap's [`GuardianTable`]; neither is kept alive by the entry. The listing costs a lock and a
//! push, and nothing in marking: the table is read once per cycle, at mark end.
//!
//! **Mark end** ([`GuardianTable::resurrect`], between the weak references' clearing pass and
//! the ephemerons', Lua 5.4's order): with the mark final, the entries whose object is unmarked
//! and whose guardian is marked are *ready*: their objects are marked (a marker shades them and
//! the workers mark what they reach, releasing the ephemerons keyed by them), and the ragged
//! termination check runs again. Marking a ready object can mark a guardian that was unmarked,
//! whose own entries may then be ready: the step repeats until it finds no new ready entry.
//! Whether an object is ready is decided by the marks from before any resurrection: an object
//! reachable only from another ready object is ready in the same cycle (as Lua and Java
//! finalize both). Ready objects go to their guardians' queues, newest registration first (the
//! order Lua 5.4 calls `__gc` in); entries of unmarked guardians are forgotten; the others stay.
//!
//! **Why mutators never see a half-resurrected object.** Resurrection marks while mutators run,
//! after the termination check proved that every object they can reach is marked. An unmarked
//! object is reachable by a mutator only through a weak reference or an ephemeron key, and
//! neither can hand it out meanwhile: weak references to unmarked objects were cleared just
//! before (a resurrected object is reachable through no weak reference, as in Java), and reading
//! an ephemeron key that is unmarked waits until resurrection is over (`crate::weak`'s read
//! barrier waits while the phase is `CLOSED`), so that the answer never changes within the cycle.
//! Ready queues are filled once marking has converged, so a taken object and all it reaches are
//! marked. Whether a cycle may resurrect at all is decided before the weak phase closes (the
//! table is non-empty): a registration made later is of an object some mutator holds, which the
//! mark keeps.
//!
//! **Cost.** A cycle with no registrations does none of this. Otherwise mark end walks the table
//! once per step, and each step that resurrects runs the workers and the termination check again.
//!
//! **Precision** is the mark bit's: a small object without pointers shares a tiny block and is
//! ready only when its whole block is unreachable; zero-sized values are not heap objects and
//! are never ready.

use std::collections::VecDeque;
use std::fmt;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::*};

use gcheap_allocator::Allocator;
use parking_lot::Mutex;

use crate::context::Mutation;
use crate::ephemeron::EphemeronTable;
use crate::gc::Gc;
use crate::mark::{MarkJob, Marker};
use crate::sync_cell::GcMutex;
use crate::trace::{Trace, Tracer};

/// A registration: an object and its guardian, both by payload address, with the glue to mark
/// the object and to hand it to the guardian, monomorphized for their types.
struct Registration {
    object: NonNull<u8>,
    guardian: NonNull<u8>,
    mark: fn(&mut Marker, NonNull<u8>),
    deliver: unsafe fn(NonNull<u8>, NonNull<u8>),
}

// SAFETY: the addresses are read only by the collector at mark end (mark bits, and the glue once
// both are marked); an entry whose object or guardian is found unmarked leaves the table in that
// cycle, before its sweep, so no listed address is ever stale.
unsafe impl Send for Registration {}

/// The heap's guardian registrations (see the module docs).
#[derive(Default)]
pub(crate) struct GuardianTable {
    registered: Mutex<Vec<Registration>>,
    /// Registrations listed, or being looked at by the mark-end step: dropped only once that
    /// step is over.
    count: AtomicUsize,
}

impl GuardianTable {
    /// Whether any object is registered: a cycle whose weak phase closes while this is false
    /// resurrects nothing.
    pub(crate) fn may_resurrect(&self) -> bool {
        self.count.load(SeqCst) != 0
    }

    fn register(&self, registration: Registration) {
        self.count.fetch_add(1, SeqCst);
        self.registered.lock().push(registration);
    }

    /// The mark-end step (see the module docs): resurrects the objects of ready entries, running
    /// `finish_marking` (the workers and the ragged termination check) after each round of
    /// shading, then fills the guardians' ready queues and forgets entries of dead guardians.
    pub(crate) fn resurrect(
        &self,
        allocator: &Allocator,
        ephemerons: &Arc<EphemeronTable>,
        job: &MarkJob,
        mut finish_marking: impl FnMut(),
    ) {
        let dead = |p: NonNull<u8>| allocator.is_marked(p) == Some(false);
        let entries = std::mem::take(&mut *self.registered.lock());
        // Decided by the marks before any resurrection.
        let object_dead: Vec<bool> = entries.iter().map(|r| dead(r.object)).collect();
        let mut ready = vec![false; entries.len()];
        loop {
            let mut marker = Marker::new(allocator, ephemerons);
            marker.black = job.black;
            let mut any = false;
            for (i, r) in entries.iter().enumerate() {
                if object_dead[i] && !ready[i] && !dead(r.guardian) {
                    ready[i] = true;
                    any = true;
                    (r.mark)(&mut marker, r.object);
                }
            }
            if !any {
                break;
            }
            marker.publish(job);
            marker.hand_bytes_to(job);
            finish_marking();
        }
        let listed = entries.len();
        let mut kept = Vec::with_capacity(listed);
        for (i, r) in entries.into_iter().enumerate().rev() {
            if ready[i] {
                // SAFETY: both are marked now (the guardian was, the object was just marked and
                // marking has converged), so both are alive until this cycle's sweep at least,
                // and the glue was made for their types at registration.
                unsafe { (r.deliver)(r.guardian, r.object) };
            } else if !object_dead[i] && !dead(r.guardian) {
                kept.push(r);
            }
        }
        kept.reverse();
        let removed = listed - kept.len();
        let mut registered = self.registered.lock();
        // Registrations made during the step come after the older ones.
        kept.append(&mut registered);
        *registered = kept;
        drop(registered);
        // Only now: until here an ephemeron key read may have to wait for this step.
        self.count.fetch_sub(removed, SeqCst);
    }
}

/// Marks a registered `T` (resurrection): the marker glue of a registration.
fn mark_registered<T: Trace>(marker: &mut Marker, object: NonNull<u8>) {
    marker.mark::<T>(object);
}

/// Queues a resurrected `T` on its guardian: the delivery glue of a registration.
///
/// # Safety
/// `guardian` and `object` must be the payloads of a live `GcGuardian<T>` and a live `T` of the
/// same heap, both marked in a cycle whose marking has converged.
unsafe fn deliver<'gc, T: Trace + 'gc>(guardian: NonNull<u8>, object: NonNull<u8>) {
    // SAFETY: per the contract, the guardian is alive and a GcGuardian<T>.
    let guardian = unsafe { guardian.cast::<GcGuardian<'gc, T>>().as_ref() };
    // SAFETY: per the contract, a live T, kept alive from now on by the guardian's queue.
    let object = unsafe { Gc::<'gc, T>::from_ptr(object.cast()) };
    // No barrier: the guardian is black (marked, and marking has converged) and the object is
    // marked, so no marker will read the queue again this cycle, and nothing it holds is white.
    guardian.ready.lock_for_collector().push_back(object);
}

/// A guardian: objects registered with it are handed back to the program, instead of freed,
/// once the collector finds them unreachable, for it to finalize them (see `crate::guardian`).
///
/// A guardian is always its own heap object ([`GcGuardian::new`] returns a `Gc`). An object is
/// handed back once per registration; taken and dropped, it is freed by a later cycle unless
/// registered again. While the guardian is unreachable it guards nothing.
///
/// ```
/// use gcheap_core::{Gc, GcGuardian, Heap, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![Gc<'_, GcGuardian<'_, String>>]>(|mc| GcGuardian::new(mc));
/// m.mutate(|mc, guardian| {
///     let file = Gc::new(mc, "a file to flush and close".to_string());
///     guardian.register(mc, file);
///     assert!(guardian.take(mc).is_none()); // still reachable from here
/// });
/// m.collect();
/// m.mutate(|mc, guardian| {
///     let file = guardian.take(mc).expect("unreachable, so handed back");
///     assert_eq!(*file, "a file to flush and close");
/// });
/// ```
pub struct GcGuardian<'gc, T: Trace + 'gc> {
    /// Resurrected objects not yet taken, next first.
    ready: GcMutex<'gc, VecDeque<Gc<'gc, T>>>,
}

impl<'gc, T: Trace + 'gc> GcGuardian<'gc, T> {
    /// A new guardian, as a heap object.
    ///
    /// # Panics
    /// If the heap is out of memory.
    pub fn new(mc: &Mutation<'gc>) -> Gc<'gc, GcGuardian<'gc, T>> {
        Gc::new(
            mc,
            GcGuardian {
                ready: GcMutex::new(VecDeque::new()),
            },
        )
    }

    /// Registers `object`: once the collector finds it unreachable, it is kept and queued here
    /// for [`take`](Self::take), if this guardian is reachable then. Registering an object twice
    /// queues it twice.
    pub fn register(&self, mc: &Mutation<'gc>, object: Gc<'gc, T>) {
        mc.shared.guardians.register(Registration {
            object: object.payload(),
            // A GcGuardian exists only inside a heap object (`new`), so `self` is its payload.
            guardian: NonNull::from(self).cast(),
            mark: mark_registered::<T>,
            deliver: deliver::<'gc, T>,
        });
    }

    /// The next object handed back, if any: the program's to finalize. Objects found
    /// unreachable in one cycle come newest registration first.
    pub fn take(&self, mc: &Mutation<'gc>) -> Option<Gc<'gc, T>> {
        self.ready.lock(mc).pop_front()
    }

    /// How many objects wait to be taken.
    pub fn ready_len(&self) -> usize {
        self.ready.read().len()
    }
}

// SAFETY: reports every queued object, as the GcMutex it is; registrations are weak by design
// (the table is not traced).
unsafe impl<'gc, T: Trace + 'gc> Trace for GcGuardian<'gc, T> {
    const NEEDS_TRACE: bool = true;
    const HAS_CELLS: bool = true;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.ready);
    }
}

impl<T: Trace> fmt::Debug for GcGuardian<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcGuardian")
            .field("type", &std::any::type_name::<T>())
            .field("ready", &self.ready_len())
            .finish()
    }
}
