//! Tracing: how the collector finds the Gc pointers inside an object.
//!
//! Every type stored in the heap implements [`Trace`]. Its `trace` method hands each Gc pointer it
//! holds to the [`Tracer`], which marks the target and queues it for scanning. Marking is
//! iterative: `trace` never recurses into other heap objects, it only reports their pointers, so
//! a ten-million-long linked list needs no stack.
//!
//! `NEEDS_TRACE` says whether a type can hold Gc pointers at all. It is computed at compile time
//! (the derive ORs its fields), and an object whose type neither needs tracing nor dropping goes
//! into a noscan span without a header: marking sets its bit and never reads it.
//!
//! **Why `Trace` is `unsafe`.** A `trace` that misses a Gc pointer lets the collector free a live
//! object. The derive writes correct impls; hand-written ones must report every Gc pointer
//! reachable without going through another Gc, and must not read anything a mutator may be
//! writing through a non-gcheap cell.
//!
//! The impls for std's types are in `trace_impls.rs`.

use std::ptr::NonNull;

use crate::mark::Marker;
use crate::object::{ObjectLayout, StaticLayout};
use crate::verify::Verifier;

/// A type whose Gc pointers the collector can find.
///
/// Derive it with `#[derive(Trace)]` (from the `gcheap` crate) rather than implementing it by
/// hand.
///
/// # Safety
/// `trace` must pass every [`Gc`](crate::Gc) pointer that `self` holds (directly or through
/// owned, non-Gc indirections such as `Box` or `Vec`) to the tracer, and `NEEDS_TRACE` must be
/// `true` if `self` can hold any. `trace` must not mutate the heap or read memory that a mutator
/// may be writing without gcheap's cells. The type's drop must be safe to run on any thread (a
/// `'static` type with drop glue must be `Send`), and must not read other heap objects (they may
/// have been freed in the same sweep).
///
/// ```
/// use gcheap_core::{Trace, Tracer, Gc};
///
/// struct Pair<'gc> {
///     left: Gc<'gc, u64>,
///     right: Option<Gc<'gc, u64>>,
/// }
///
/// // SAFETY: reports both Gc fields; u64 holds none.
/// unsafe impl<'gc> Trace for Pair<'gc> {
///     const NEEDS_TRACE: bool = true;
///     fn trace(&self, tracer: &mut Tracer<'_>) {
///         tracer.trace(&self.left);
///         tracer.trace(&self.right);
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `Trace`, so it cannot be stored in the gcheap heap",
    note = "derive it with `#[derive(Trace)]`, or mark the field `#[trace(static)]` if it is `Send + 'static`",
    note = "std's Cell, RefCell and Mutex are `Trace` only around `'static + Send` values; use GcCell or GcRefCell for values holding Gc pointers"
)]
pub unsafe trait Trace {
    /// Whether a value of this type can hold Gc pointers. When false, the collector never calls
    /// [`trace`](Trace::trace) and, if the type also needs no drop, allocates it without a header
    /// in a span the collector never scans.
    const NEEDS_TRACE: bool = true;

    /// Whether a value of this type contains, inline (not behind a pointer), a barrier cell that
    /// can hold Gc pointers: a [`GcCell`](crate::GcCell), [`GcRefCell`](crate::GcRefCell),
    /// [`GcAtomicCell`](crate::GcAtomicCell) or [`GcMutex`](crate::GcMutex) of traced contents.
    ///
    /// The write barrier finds the object a cell belongs to from the cell's address, so such
    /// cells must live inside heap objects themselves. Containers that keep their elements in
    /// separate Rust-heap memory (`Box`, `Vec`, `VecDeque`, the maps and sets) therefore refuse
    /// elements with cells: tracing one fails to compile. Their own `HAS_CELLS` is `false`.
    /// The derive computes it from the fields; the default, `NEEDS_TRACE`, is the safe answer
    /// for a hand-written impl (set it to `false` if the type has no such cell).
    ///
    /// Part of the trait's safety contract: `false` for a type that does hold such a cell
    /// inline is unsound, since markers read objects of cell-free types without the state word
    /// that keeps them apart from a writing mutator.
    const HAS_CELLS: bool = Self::NEEDS_TRACE;

    /// Reports every Gc pointer inside `self` to `tracer`.
    fn trace(&self, tracer: &mut Tracer<'_>);
}

/// The collector's side of [`Trace::trace`]: receives Gc pointers and marks their targets.
///
/// A tracer is handed out only by the collector; user code sees one inside `trace`.
pub struct Tracer<'a> {
    pub(crate) kind: TracerKind<'a>,
}

/// What [`Tracer::trace_owned`] keeps, in the marker or verifier behind a tracer (a tracer is
/// made for every object scanned, so it carries nothing but that reference).
#[derive(Default)]
pub(crate) struct OwnedTrace {
    /// How many containers owning their contents behind a pointer enclose the value being
    /// traced.
    depth: u32,
    /// Contents deferred past [`MAX_OWNED_DEPTH`], traced when the outermost container is done.
    deferred: Vec<Deferred>,
}

/// How many containers that own their contents behind a pointer (`Box`, `Vec`, the maps) one
/// trace may nest on the thread's stack; deeper contents wait in the tracer's deferred list.
/// A `Box` chain inside one object (`next: Option<Box<Self>>`) is as deep as it is long, and the
/// collector's threads have ordinary stacks.
const MAX_OWNED_DEPTH: u32 = 64;

/// A container that owns its contents behind a pointer: its `Trace::trace` goes through
/// [`Tracer::trace_owned`] so that nesting such containers cannot exhaust the stack.
pub(crate) trait OwnedContents {
    /// Traces the contents (what `Trace::trace` would do).
    fn trace_contents(&self, tracer: &mut Tracer<'_>);
}

/// A container whose contents are traced later (see [`Tracer::trace_owned`]).
struct Deferred {
    container: *const (),
    trace: for<'t> unsafe fn(*const (), &mut Tracer<'t>),
}

/// # Safety
/// `container` points at a live `C` that nothing writes while this runs.
unsafe fn trace_deferred<C: OwnedContents>(container: *const (), tracer: &mut Tracer<'_>) {
    // SAFETY: caller's promise.
    unsafe { (*container.cast::<C>()).trace_contents(tracer) }
}

pub(crate) enum TracerKind<'a> {
    /// A parallel mark worker.
    Mark(&'a mut Marker),
    /// The single-threaded checkmark pass.
    Verify(&'a mut Verifier),
}

impl std::fmt::Debug for Tracer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            TracerKind::Mark(_) => "mark",
            TracerKind::Verify(_) => "verify",
        };
        f.debug_struct("Tracer").field("kind", &kind).finish()
    }
}

impl<'a> Tracer<'a> {
    /// A tracer for a marker or the verifier. Inlined: markers make one per object scanned.
    #[inline]
    pub(crate) fn new(kind: TracerKind<'a>) -> Tracer<'a> {
        Tracer { kind }
    }
}

impl Tracer<'_> {
    /// Traces `value`: reports the Gc pointers it holds. Skips types that cannot hold any.
    #[inline]
    pub fn trace<T: Trace + ?Sized>(&mut self, value: &T) {
        if T::NEEDS_TRACE {
            value.trace(self);
        }
    }

    /// Traces the contents of `container`, a container owning them behind a pointer. Past
    /// [`MAX_OWNED_DEPTH`] nested containers it defers them instead, and the outermost
    /// container's call traces what was deferred (iteratively) before it returns.
    #[inline]
    pub(crate) fn trace_owned<C: OwnedContents>(&mut self, container: &C) {
        let owned = self.owned();
        if owned.depth == MAX_OWNED_DEPTH {
            owned.deferred.push(Deferred {
                container: (container as *const C).cast(),
                trace: trace_deferred::<C>,
            });
            return;
        }
        owned.depth += 1;
        container.trace_contents(self);
        let owned = self.owned();
        owned.depth -= 1;
        if owned.depth == 0 && !owned.deferred.is_empty() {
            self.trace_all_deferred();
        }
    }

    /// The nesting state of whoever traces.
    #[inline]
    fn owned(&mut self) -> &mut OwnedTrace {
        match &mut self.kind {
            TracerKind::Mark(m) => &mut m.owned,
            TracerKind::Verify(v) => &mut v.owned,
        }
    }

    #[cold]
    #[inline(never)]
    fn trace_all_deferred(&mut self) {
        while let Some(d) = self.owned().deferred.pop() {
            // Depth 1: the deferred container is inside the outermost one, whose call drains.
            self.owned().depth = 1;
            // SAFETY: `d.container` was a `&C` when it was deferred, reached through owned
            // pointers from the outermost container, whose `trace_owned` call (this one's caller,
            // at depth 0) still borrows it, so it is alive. Nothing writes it meanwhile: tracing
            // only reads, containers refuse barrier cells (`Trace::HAS_CELLS`) and std's cells
            // are traced only around values holding no Gc pointer (whose contents are never
            // deferred), and a mutator writes the object being traced only through its cells
            // after the barrier has taken it from this marker.
            unsafe { (d.trace)(d.container, self) };
        }
        self.owned().depth = 0;
    }

    /// Scanning the ephemeron `this` with key slot `key`: whether to trace its value now (its
    /// key is marked, or visited in checkmark's pass); otherwise the ephemeron is filed under its
    /// key (see `crate::ephemeron`).
    #[inline]
    pub(crate) fn ephemeron<E: StaticLayout, K: StaticLayout>(
        &mut self,
        this: &E,
        key: &std::sync::atomic::AtomicPtr<u8>,
    ) -> bool {
        match &mut self.kind {
            TracerKind::Mark(m) => m.ephemeron::<E, K>(this, key),
            TracerKind::Verify(v) => v.ephemeron::<E, K>(this, key),
        }
    }

    /// A mutator's root object at mark start: marks and scans it at once (see
    /// `Marker::blacken_root`); in checkmark's pass, visits it as any object.
    ///
    /// # Safety
    /// `payload` is the payload of a live object of layout `layout`; the world is stopped.
    pub(crate) unsafe fn blacken_root<T: ?Sized>(
        &mut self,
        payload: NonNull<u8>,
        layout: ObjectLayout,
    ) {
        match &mut self.kind {
            // SAFETY: caller's promise.
            TracerKind::Mark(m) => unsafe { m.blacken_root(payload, layout) },
            TracerKind::Verify(v) => v.visit::<T>(payload, layout),
        }
    }

    /// Marks the target of a `Gc<T>` (its payload address and layout) and queues it for
    /// scanning; in checkmark's pass, visits it instead (`T` names it in checkmark's failures).
    #[inline]
    pub(crate) fn mark_gc<T: ?Sized>(&mut self, payload: NonNull<u8>, layout: ObjectLayout) {
        match &mut self.kind {
            TracerKind::Mark(m) => m.mark_object(payload, layout),
            TracerKind::Verify(v) => v.visit::<T>(payload, layout),
        }
    }
}
