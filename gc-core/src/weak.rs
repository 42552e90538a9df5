//! Weak references (Go's `weak.Pointer`, JavaScript's `WeakRef`): [`GcWeak`] inside `mutate`,
//! [`WeakRoot`] outside it.
//!
//! **Representation.** [`Gc::downgrade`] allocates a *weak cell*: a one-word heap object
//! holding the target's address, which no `Trace` impl reports, so the marker never follows it.
//! A `GcWeak` is a pointer to its cell, traced like any Gc (which keeps the cell, not the
//! target, alive). Every cell is listed in the heap's [`WeakTable`]. A cell is cleared (its
//! address set to null) exactly once, by the collector, in the cycle that finds its target
//! unmarked; all `GcWeak`s copied from one `downgrade` share the cell, so they are cleared
//! together.
//!
//! **Upgrading is a read barrier.** Marking runs while mutators upgrade. An upgrade hands the
//! mutator a strong pointer to an object the marker may not have reached (it is reachable only
//! through weak cells, so nothing else would keep it), so while its cycle marks, an upgrade
//! shades the target, as a marking operation (`begin_op`/`end_op`) that the ragged termination
//! sees. After termination no operation may make anything gray again, so upgrading must stop
//! shading then. The job's *weak phase* orders this without a stop:
//!
//! 1. `OPEN` (marking): an upgrade counts itself as an operation, reads the phase, shades the
//!    target and publishes it.
//! 2. `CLOSED`: once the ragged termination finds no gray object, the collector closes the
//!    phase, then runs the termination check again (and marks what it finds): an upgrade that
//!    read `OPEN` before the close had already counted itself (the counter and the phase are
//!    both SeqCst, so an upgrade either is seen running by the check or sees `CLOSED`).
//!    When that check passes, the mark bits are final. An upgrade that sees `CLOSED` reads its
//!    target's mark bit: marked means alive (bits are only ever set); unmarked is not final
//!    while the check may still be marking (an object an upgrade shaded before the close may
//!    lead to the target), so the upgrade waits, outside its operation, until the phase moves
//!    on, and reads again.
//! 3. The collector walks the table, clearing the cells of dead targets and dropping the entries
//!    of dead cells; guardians may then resurrect objects ([`crate::guardian`]), marking more,
//!    and the phase becomes `FINAL` (the marks final again). Weak references are cleared before
//!    resurrection, as Java's and Lua's weak references are: a resurrected object is reachable
//!    through no weak reference. Resurrection marks nothing an upgrade could see (every weak cell
//!    of an unmarked target is cleared by then). An ephemeron's key is cleared only after
//!    resurrection, so a key read that waited in `CLOSED` finds a resurrected key marked.
//! 4. `CLEARED`: once ephemerons are cleared too, the collector publishes the phase (Release). An
//!    upgrade that sees it (Acquire) finds every dead target's cell cleared, so a non-null
//!    address is live. Mark bits are no longer consulted: from the sweep's start they are being
//!    consumed.
//!
//! A cell that is itself unmarked when the table is walked may belong to an object about to be
//! resurrected: while resurrection is possible its target is cleared if dead (as any cell's)
//! and, if alive, the entry waits in a side list until resurrection is over, to be listed again
//! if its cell was resurrected ([`WeakTable::readmit`]).
//!
//! A mutator without a job (between cycles) sees cells cleared by the last cycle (its boundary
//! came after that cycle's sweep started, which is after the clearing). All of this runs before
//! the sweep starts, so no cell ever holds the address of a freed object.
//!
//! **Precision.** Objects under 16 bytes with no Gc pointers and no drop share tiny blocks
//! ([`crate::object`]); a block is marked while any of its objects is, so a weak reference to
//! such an object is cleared only when its whole block is unreachable (Go's weak pointers and
//! cleanups have the same caveat). Zero-sized values are not heap objects and are never cleared.

use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, Ordering::*};

use gcheap_allocator::Allocator;
use parking_lot::Mutex;

use crate::context::Mutation;
use crate::gc::Gc;
use crate::heap::HeapState;
use crate::mark::MarkJob;
use crate::root::{RootEntry, RootMark, Rootable, mark_root};
use crate::trace::{Trace, Tracer};

/// The weak phase of a cycle's job (see the module docs).
pub(crate) const WEAK_OPEN: u8 = 0;
pub(crate) const WEAK_CLOSED: u8 = 1;
pub(crate) const WEAK_FINAL: u8 = 2;
pub(crate) const WEAK_CLEARED: u8 = 3;

/// The heap object behind a weak reference: the target's payload address, null once cleared.
/// Written only by the collector's clearing pass.
pub(crate) struct WeakCell {
    target: AtomicPtr<u8>,
}

// SAFETY: holds no Gc pointer the marker may follow (the target is weak by design) and needs no
// drop, so it is a headerless object the marker only marks.
unsafe impl Trace for WeakCell {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

/// A listed cell's address. Entries are removed in the cycle that finds the cell unmarked,
/// before that cycle's sweep can free it, so every listed address is a live cell.
pub(crate) struct CellPtr(NonNull<WeakCell>);

// SAFETY: the address is used only by the collector's clearing pass, on any thread; the cell's
// field is atomic.
unsafe impl Send for CellPtr {}

/// Every weak cell of the heap, for the collector's clearing pass.
#[derive(Default)]
pub(crate) struct WeakTable {
    pub(crate) cells: Mutex<Vec<CellPtr>>,
    /// Unmarked cells with live targets, between the clearing pass and the end of resurrection.
    limbo: Mutex<Vec<CellPtr>>,
}

impl WeakTable {
    fn insert(&self, cell: NonNull<WeakCell>) {
        self.cells.lock().push(CellPtr(cell));
    }

    /// The clearing pass, once the mark is final (phase `CLOSED`): clears the cells whose target
    /// is unmarked and forgets cells that are unmarked (dead: the sweep will free them), unless
    /// `may_resurrect`, when those with live targets wait in the limbo list for [`readmit`].
    /// Cells listed meanwhile (by downgrades of live objects) are kept as they are.
    ///
    /// [`readmit`]: WeakTable::readmit
    pub(crate) fn clear_dead(&self, allocator: &Allocator, may_resurrect: bool) {
        // Held throughout: an upgrade in the closed phase takes it too, so it reads a cell either
        // before the pass (the mark bits final, nothing resurrected yet) or after it.
        let mut cells = self.cells.lock();
        let mut limbo = self.limbo.lock();
        cells.retain(|cell| {
            // SAFETY: a listed cell is live (see `CellPtr`): marked, or unmarked in this cycle,
            // whose sweep has not started, so its memory is still the cell's.
            let target = unsafe { &cell.0.as_ref().target };
            let Some(t) = NonNull::new(target.load(Relaxed)) else {
                return false;
            };
            let target_lives = survives(allocator, t);
            if !target_lives {
                // A cleared cell is finished with: nothing will clear it again. An unmarked cell
                // is cleared too, in case a guardian resurrects its holder.
                target.store(std::ptr::null_mut(), Release);
                return false;
            }
            if survives(allocator, cell.0.cast()) {
                return true;
            }
            if may_resurrect {
                limbo.push(CellPtr(cell.0));
            }
            false
        });
    }

    /// After resurrection: lists again the limbo's cells that were resurrected (their targets
    /// are alive: they were marked before resurrection), and forgets the others.
    pub(crate) fn readmit(&self, allocator: &Allocator) {
        let mut limbo = self.limbo.lock();
        let mut cells = self.cells.lock();
        cells.extend(
            limbo
                .drain(..)
                .filter(|cell| survives(allocator, cell.0.cast())),
        );
    }
}

/// Whether the object containing `ptr` survives the cycle whose mark is final: `None` from the
/// allocator (a zero-sized value, not a heap object) counts as alive.
fn survives(allocator: &Allocator, ptr: NonNull<u8>) -> bool {
    allocator.is_marked(ptr) != Some(false)
}

/// A weak reference to a heap object, branded like [`Gc`]: it does not keep the object alive,
/// and [`upgrade`](GcWeak::upgrade) gives the object back while something else does.
///
/// Go's `weak.Pointer` semantics: when the collector finds the object unreachable it clears the
/// reference, for every copy of it at once, and before any finalization could resurrect the
/// object (a "short" weak reference). Upgrading while a cycle marks keeps the object alive for
/// that cycle. `GcWeak` is `Copy` and [`Trace`]; store it in heap objects like a `Gc`. For a
/// weak reference held outside `mutate`, use [`WeakRoot`].
///
/// Each [`Gc::downgrade`] makes one weak cell (a one-word heap object); copies of the `GcWeak`
/// share it.
///
/// ```
/// use gcheap_core::{Gc, GcCell, GcWeak, Heap, Root, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![GcCell<'_, Option<GcWeak<'_, String>>>]>(|_| {
///     GcCell::new(None)
/// });
/// let strong: Root<Rootable![String]> = m.mutate(|mc, weak| {
///     let s = Gc::new(mc, "kept".to_string());
///     weak.set(mc, Some(Gc::downgrade(mc, s)));
///     Root::new(mc, s)
/// });
/// m.collect();
/// m.mutate(|mc, weak| assert_eq!(*weak.get().unwrap().upgrade(mc).unwrap(), "kept"));
/// drop(strong); // the only strong reference
/// m.collect();
/// m.mutate(|mc, weak| assert!(weak.get().unwrap().upgrade(mc).is_none()));
/// ```
pub struct GcWeak<'gc, T: Trace + 'gc> {
    cell: Gc<'gc, WeakCell>,
    _target: PhantomData<Gc<'gc, T>>,
}

impl<T: Trace> Clone for GcWeak<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Trace> Copy for GcWeak<'_, T> {}

impl<'gc, T: Trace + 'gc> Gc<'gc, T> {
    /// A weak reference to `this` object (Go's `weak.Make`). Allocates its weak cell.
    ///
    /// # Panics
    /// If the heap is out of memory.
    pub fn downgrade(mc: &Mutation<'gc>, this: Gc<'gc, T>) -> GcWeak<'gc, T> {
        let cell = Gc::new(
            mc,
            WeakCell {
                target: AtomicPtr::new(this.payload().as_ptr()),
            },
        );
        mc.shared.weak.insert(NonNull::from(Gc::as_ref(cell)));
        GcWeak {
            cell,
            _target: PhantomData,
        }
    }
}

impl<'gc, T: Trace + 'gc> GcWeak<'gc, T> {
    /// The object, if it is still alive (Go's `weak.Pointer.Value`). While a cycle marks, the
    /// object is shaded so that it survives the cycle, like any object a mutator holds.
    #[inline]
    pub fn upgrade(self, mc: &Mutation<'gc>) -> Option<Gc<'gc, T>> {
        read_weak::<T>(mc, &Gc::as_ref(self.cell).target).map(|p| {
            // SAFETY: `read_weak` returned the address of a live T (the cell was made from a
            // Gc<T>), which stays alive for the brand: it was shaded, or is marked in a cycle
            // whose sweep has not started, or survived the last cycle; no cycle starts before
            // this call returns.
            unsafe { Gc::from_ptr(p.cast()) }
        })
    }

    /// Whether two weak references come from the same [`Gc::downgrade`] call (copies share its
    /// cell). Go compares weak pointers by their object, even once cleared; here two downgrades
    /// of one object make two cells, so compare upgraded `Gc`s with [`Gc::ptr_eq`] for identity
    /// of live objects.
    pub fn ptr_eq(a: GcWeak<'gc, T>, b: GcWeak<'gc, T>) -> bool {
        Gc::ptr_eq(a.cell, b.cell)
    }

    /// Whether the collector has cleared this reference. A `false` answer can be out of date by
    /// the time it is used; [`upgrade`](Self::upgrade) is the way to reach the object.
    pub fn is_cleared(self) -> bool {
        self.cell.target.load(Acquire).is_null()
    }
}

/// The address in the weak slot `slot` (a `T`'s payload, or null) if its object is alive,
/// shading it if this mutator's cycle marks: the read barrier of weak references and ephemeron
/// keys (see the module docs).
#[inline]
pub(crate) fn read_weak<T: Trace>(mc: &Mutation<'_>, slot: &AtomicPtr<u8>) -> Option<NonNull<u8>> {
    let Some(job) = mc.job else {
        // No cycle marks for this mutator: slots of dead objects were cleared before this
        // mutator's last boundary.
        return NonNull::new(slot.load(Acquire));
    };
    read_weak_marking::<T>(mc, job, slot)
}

#[cold]
#[inline(never)]
fn read_weak_marking<T: Trace>(
    mc: &Mutation<'_>,
    job: &MarkJob,
    slot: &AtomicPtr<u8>,
) -> Option<NonNull<u8>> {
    // SAFETY: the marker is this mutator's, used only on its thread inside mutate (this call)
    // or by the collector with the world stopped; no other borrow of it is live: nothing here
    // runs user code.
    let marker = unsafe { &mut *mc.state.marker.get() };
    // Counted as an operation before reading the phase: see the module docs, step 2.
    mc.state.begin_op();
    let phase = job.weak_phase.load(SeqCst);
    let result = match phase {
        WEAK_OPEN => NonNull::new(slot.load(Acquire)).inspect(|&t| {
            // Shades the target as tracing a Gc<T> would, and hands it to the workers.
            marker.mark::<T>(t);
            marker.publish(job);
        }),
        WEAK_CLOSED | WEAK_FINAL => {
            // Apart from the clearing pass (see `WeakTable::clear_dead`); it waits for no one.
            let _cells = mc.shared.weak.cells.lock();
            NonNull::new(slot.load(Acquire)).filter(|&t| survives(&mc.shared.allocator, t))
        }
        _ => NonNull::new(slot.load(Acquire)),
    };
    mc.state.end_op(job, marker);
    if result.is_none() && phase == WEAK_CLOSED && !slot.load(Acquire).is_null() {
        // Unmarked, but in `CLOSED` the mark bits are not final yet: the check after the close
        // may still mark the target (through an object an upgrade shaded before the close), and
        // so may a resurrection. Waits, outside the operation (the check waits for operations,
        // not for this), until the phase moves on, then reads again.
        job.wait_for_final_marks();
        return read_weak_marking::<T>(mc, job, slot);
    }
    result
}

/// Whether the object in the weak slot `slot` is alive, without shading it: while the cycle
/// marks, a non-null slot counts as alive (its fate is not decided); once the mark is final the
/// mark bit decides (waiting, in `CLOSED`, until it is final, as `read_weak` does).
pub(crate) fn is_live(mc: &Mutation<'_>, slot: &AtomicPtr<u8>) -> bool {
    let Some(t) = NonNull::new(slot.load(Acquire)) else {
        return false;
    };
    let Some(job) = mc.job else { return true };
    let mut phase = job.weak_phase.load(SeqCst);
    if phase == WEAK_CLOSED {
        job.wait_for_final_marks();
        phase = job.weak_phase.load(SeqCst);
    }
    if phase != WEAK_FINAL {
        return true;
    }
    let _cells = mc.shared.weak.cells.lock();
    !slot.load(Acquire).is_null() && survives(&mc.shared.allocator, t)
}

impl<T: Trace> fmt::Debug for GcWeak<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcWeak")
            .field("type", &std::any::type_name::<T>())
            .field("target", &self.cell.target.load(Relaxed))
            .finish()
    }
}

// SAFETY: reports its cell (keeping the cell, not the target, alive); holds no barrier cell.
unsafe impl<'gc, T: Trace + 'gc> Trace for GcWeak<'gc, T> {
    const NEEDS_TRACE: bool = true;
    const HAS_CELLS: bool = false;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.cell);
    }
}

// SAFETY: a GcWeak gives access to the object only as a `Gc<T>`, which is Send/Sync when T is
// Sync; the cell is atomic.
unsafe impl<T: Trace + Sync> Send for GcWeak<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Trace + Sync> Sync for GcWeak<'_, T> {}

/// A persistent weak reference: `'static`, held outside `mutate` (in a cache, another thread,
/// a non-heap structure), upgraded inside any `mutate` call on the same heap.
///
/// It keeps its weak cell alive (as a [`Root`](crate::Root) keeps an object), not the target.
/// `Send` and `Sync` when the target type is `Sync`.
///
/// ```
/// use gcheap_core::{Gc, Heap, Rootable, WeakRoot};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![()]>(|_| ());
/// let weak: WeakRoot<Rootable![String]> =
///     m.mutate(|mc, _| WeakRoot::new(mc, Gc::new(mc, "gone soon".to_string())));
/// m.collect();
/// m.mutate(|mc, _| assert!(weak.upgrade(mc).is_none()));
/// ```
pub struct WeakRoot<R: Rootable> {
    shared: Arc<HeapState>,
    index: usize,
    cell: NonNull<WeakCell>,
    _root: PhantomData<R>,
}

// SAFETY: the handle gives access to the target only as a Gc inside a mutate call on whichever
// thread holds it, which is sharing `&T`; `Sync` permits that. Dropping it removes a table entry
// under a lock.
unsafe impl<R: Rootable> Send for WeakRoot<R> where for<'gc> R::Root<'gc>: Sync {}
// SAFETY: as above.
unsafe impl<R: Rootable> Sync for WeakRoot<R> where for<'gc> R::Root<'gc>: Sync {}

impl<R: Rootable> WeakRoot<R> {
    /// A persistent weak reference to `gc`.
    pub fn new<'gc>(mc: &Mutation<'gc>, gc: Gc<'gc, R::Root<'gc>>) -> WeakRoot<R> {
        Self::from_weak(mc, Gc::downgrade(mc, gc))
    }

    /// A persistent form of `weak` (sharing its cell: it is cleared with it).
    pub fn from_weak<'gc>(mc: &Mutation<'gc>, weak: GcWeak<'gc, R::Root<'gc>>) -> WeakRoot<R> {
        let cell = NonNull::from(Gc::as_ref(weak.cell));
        WeakRoot {
            shared: mc.heap.shared_arc().clone(),
            index: Self::register(mc.shared, cell),
            cell,
            _root: PhantomData,
        }
    }

    fn register(shared: &HeapState, cell: NonNull<WeakCell>) -> usize {
        shared.roots.lock().insert(RootEntry {
            payload: cell.cast(),
            mark: mark_root::<WeakCell> as RootMark,
            type_name: std::any::type_name::<GcWeak<'static, R::Root<'static>>>(),
        })
    }

    /// The weak reference, under the brand of the current `mutate` call.
    ///
    /// # Panics
    /// If `mc` belongs to a different heap than the weak root.
    pub fn get<'gc>(&self, mc: &Mutation<'gc>) -> GcWeak<'gc, R::Root<'gc>> {
        assert!(
            std::ptr::eq(mc.shared, &*self.shared),
            "WeakRoot::get: the weak root belongs to a different heap than this mutation context"
        );
        GcWeak {
            // SAFETY: the cell is registered as a root, so every cycle marks it: it is alive, a
            // WeakCell, and the brand is the caller's.
            cell: unsafe { Gc::from_ptr(self.cell) },
            _target: PhantomData,
        }
    }

    /// The object, if it is still alive (see [`GcWeak::upgrade`]).
    ///
    /// # Panics
    /// If `mc` belongs to a different heap than the weak root.
    pub fn upgrade<'gc>(&self, mc: &Mutation<'gc>) -> Option<Gc<'gc, R::Root<'gc>>> {
        self.get(mc).upgrade(mc)
    }

    /// Whether the weak root belongs to `heap`.
    pub fn belongs_to(&self, heap: &crate::Heap) -> bool {
        std::ptr::eq(heap.shared(), &*self.shared)
    }
}

impl<R: Rootable> Clone for WeakRoot<R> {
    fn clone(&self) -> Self {
        WeakRoot {
            shared: self.shared.clone(),
            index: Self::register(&self.shared, self.cell),
            cell: self.cell,
            _root: PhantomData,
        }
    }
}

impl<R: Rootable> Drop for WeakRoot<R> {
    fn drop(&mut self) {
        self.shared.roots.lock().remove(self.index);
    }
}

// SAFETY: a weak root keeps its cell alive through the root table, so a heap object holding
// one has nothing to report; like `Root`, only weak roots that may be sent are `Trace`.
unsafe impl<R: Rootable> Trace for WeakRoot<R>
where
    for<'gc> R::Root<'gc>: Sync,
{
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

impl<R: Rootable> fmt::Debug for WeakRoot<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakRoot")
            .field("type", &std::any::type_name::<R::Root<'static>>())
            .field("cell", &self.cell)
            .finish()
    }
}
