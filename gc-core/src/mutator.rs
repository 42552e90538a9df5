//! Mutators: threads attached to a heap, each with a root object and an allocation cache.
//!
//! A mutator is at a *boundary* between [`Mutator::mutate`] calls: it holds no Gc pointer there
//! (the brand forbids it), so the collector needs only its root object. `mutate` holds the heap's
//! world lock shared; a cycle holds it exclusively for its two brief stops (mark start and mark
//! termination), and marks concurrently with `mutate` calls in between. A mutator inside a long
//! `mutate` learns through [`Mutation::should_yield`] that a stop is waiting for it.

use std::cell::{Cell, UnsafeCell};
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use gcheap_allocator::Cache;

use crate::context::Mutation;
use crate::gc::Gc;
use crate::heap::{Heap, WorldGuard};
use crate::mark::{MarkJob, Marker};
use crate::trace::{Trace, Tracer};

/// A type constructor for a root: maps the brand `'gc` to the root's type.
///
/// Name one with the [`Rootable!`](crate::Rootable!) macro: `Rootable![VmState<'_>]` or
/// `Rootable!['gc => VmState<'gc>]`.
pub trait Rootable: 'static {
    /// The root's type under brand `'gc`.
    type Root<'gc>: Trace + 'gc;
}

/// Implementation detail of [`Rootable!`](crate::Rootable!).
#[doc(hidden)]
pub trait RootProvider<'gc> {
    type Root: Trace + 'gc;
}

/// Implementation detail of [`Rootable!`](crate::Rootable!): a [`Rootable`] made from a
/// higher-ranked trait object type.
#[doc(hidden)]
pub struct DynRootable<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized + for<'gc> RootProvider<'gc> + 'static> Rootable for DynRootable<T> {
    type Root<'gc> = <T as RootProvider<'gc>>::Root;
}

/// Names a [`Rootable`] type: `Rootable![Type<'_>]` (every `'_` becomes the brand, also inside
/// tuples and arrays) or `Rootable!['gc => Type<'gc>]`.
///
/// ```
/// use gcheap_core::{Gc, Heap, Rootable, GcCell};
///
/// type A = Rootable![Option<Gc<'_, u64>>];
/// type B = Rootable!['gc => GcCell<'gc, Option<Gc<'gc, u64>>>];
/// type C = Rootable![GcCell<'_, Option<(Gc<'_, u32>, [Gc<'_, u8>; 2])>>];
/// let heap = Heap::default();
/// let _a = heap.mutator::<A>(|_| None);
/// let _b = heap.mutator::<B>(|_| GcCell::new(None));
/// let mut c = heap.mutator::<C>(|_| GcCell::new(None));
/// c.mutate(|mc, root| root.set(mc, Some((Gc::new(mc, 1), [Gc::new(mc, 2), Gc::new(mc, 3)]))));
/// ```
#[macro_export]
macro_rules! Rootable {
    ($gc:lifetime => $root:ty) => {
        $crate::DynRootable::<dyn for<$gc> $crate::RootProvider<$gc, Root = $root>>
    };
    ($($root:tt)*) => {
        $crate::__rootable_unelide!(@[] [] $($root)*)
    };
}

/// Replaces every `'_` with a named brand, descending into `(...)` and `[...]` groups with an
/// explicit stack of (group kind, tokens before, tokens after). Implementation detail of
/// `Rootable!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __rootable_unelide {
    (@[] [$($acc:tt)*]) => {
        $crate::DynRootable::<dyn for<'__gc> $crate::RootProvider<'__gc, Root = $($acc)*>>
    };
    (@[(paren [$($before:tt)*] [$($after:tt)*]) $($stack:tt)*] [$($acc:tt)*]) => {
        $crate::__rootable_unelide!(@[$($stack)*] [$($before)* ($($acc)*)] $($after)*)
    };
    (@[(bracket [$($before:tt)*] [$($after:tt)*]) $($stack:tt)*] [$($acc:tt)*]) => {
        $crate::__rootable_unelide!(@[$($stack)*] [$($before)* [$($acc)*]] $($after)*)
    };
    (@[$($stack:tt)*] [$($acc:tt)*] '_ $($rest:tt)*) => {
        $crate::__rootable_unelide!(@[$($stack)*] [$($acc)* '__gc] $($rest)*)
    };
    (@[$($stack:tt)*] [$($acc:tt)*] ($($inner:tt)*) $($rest:tt)*) => {
        $crate::__rootable_unelide!(@[(paren [$($acc)*] [$($rest)*]) $($stack)*] [] $($inner)*)
    };
    (@[$($stack:tt)*] [$($acc:tt)*] [$($inner:tt)*] $($rest:tt)*) => {
        $crate::__rootable_unelide!(@[(bracket [$($acc)*] [$($rest)*]) $($stack)*] [] $($inner)*)
    };
    (@[$($stack:tt)*] [$($acc:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__rootable_unelide!(@[$($stack)*] [$($acc)* $next] $($rest)*)
    };
}

/// A mutator's state that the collector also reaches.
pub(crate) struct MutatorState {
    /// The allocation cache. Used by the mutator's thread inside `mutate`, or by a collector that
    /// holds the world lock exclusively.
    pub(crate) cache: UnsafeCell<Cache>,
    /// Bytes this mutator may still allocate before it reports to the pacer.
    pub(crate) credit: Cell<isize>,
    /// The root object's payload and its marking glue (typed when the mutator was made).
    pub(crate) root: Cell<Option<(NonNull<u8>, RootMark)>>,
    /// The marking job while a cycle marks (set and cleared by the collector with the world
    /// stopped): the barrier and allocate-black are on exactly while it is set.
    pub(crate) job: UnsafeCell<Option<Arc<MarkJob>>>,
    /// This mutator's marker for barriers, assists and allocate-black; its gray objects are
    /// published to the job before control returns to user code, its byte count is collected
    /// at mark termination.
    pub(crate) marker: UnsafeCell<Marker>,
}

/// Marks a root object of a type known when the root was registered.
pub(crate) type RootMark = for<'t> fn(NonNull<u8>, &mut Tracer<'t>);

/// Marks the object at `payload` as a `Gc<T>` would.
pub(crate) fn mark_root<T: Trace>(payload: NonNull<u8>, tracer: &mut Tracer<'_>) {
    tracer.mark_gc::<T>(payload);
}

// SAFETY: the Cells, the cache, the job slot and the marker are touched only by the mutator's
// thread while it holds the world lock shared (inside mutate, or while creating or dropping the
// mutator), or by the collector while it holds the world lock exclusively; the lock orders all of
// these accesses.
unsafe impl Sync for MutatorState {}
// SAFETY: as above; the state moves between threads only inside an Arc.
unsafe impl Send for MutatorState {}

/// A thread's attachment to a [`Heap`], with a root object of type `R::Root<'gc>`.
///
/// Made by [`Heap::mutator`]. Dropping it releases the root (its objects become garbage unless
/// reachable otherwise) and the mutator's allocation cache.
///
/// ```
/// use gcheap_core::{Gc, GcCell, Heap, Rootable, Trace, Tracer};
///
/// struct Vm<'gc> {
///     stack: GcCell<'gc, Option<Gc<'gc, i64>>>,
/// }
/// // SAFETY: traces its one field (the derive does this for you).
/// unsafe impl<'gc> Trace for Vm<'gc> {
///     fn trace(&self, t: &mut Tracer<'_>) { t.trace(&self.stack) }
/// }
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![Vm<'_>]>(|_| Vm { stack: GcCell::new(None) });
/// m.mutate(|mc, vm| vm.stack.set(mc, Some(Gc::new(mc, 7))));
/// m.collect();
/// assert_eq!(m.mutate(|_, vm| *vm.stack.get().unwrap()), 7);
/// ```
pub struct Mutator<R: Rootable> {
    heap: Heap,
    state: Arc<MutatorState>,
    _root: PhantomData<(R, *const ())>,
}

impl<R: Rootable> std::fmt::Debug for Mutator<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mutator")
            .field("heap", &self.heap)
            .field("root", &std::any::type_name::<R::Root<'static>>())
            .finish_non_exhaustive()
    }
}

impl Heap {
    /// Attaches the calling thread as a mutator whose root object `make_root` builds.
    ///
    /// The root lives in the heap for as long as the mutator; [`Mutator::mutate`] hands it back.
    pub fn mutator<R: Rootable>(
        &self,
        make_root: impl for<'gc> FnOnce(&Mutation<'gc>) -> R::Root<'gc>,
    ) -> Mutator<R> {
        let shared = self.shared();
        shared.pace_at_boundary();
        let state = Arc::new(MutatorState {
            cache: UnsafeCell::new(shared.allocator.cache()),
            credit: Cell::new(crate::pacer::CREDIT_BYTES),
            root: Cell::new(None),
            job: UnsafeCell::new(None),
            marker: UnsafeCell::new(Marker::new(&shared.allocator)),
        });
        {
            let world = WorldGuard::enter(shared);
            // A cycle that is marking now (it changes only with the world stopped) includes this
            // mutator: its root is allocated black, like everything it allocates.
            if let Some(job) = shared.current_job.lock().clone() {
                // SAFETY: the state is not registered yet: no one else can reach it.
                unsafe {
                    (*state.marker.get()).black = job.black;
                    *state.job.get() = Some(job);
                }
            }
            let mc = Mutation::new(self, &state);
            let root = Gc::new(&mc, make_root(&mc));
            state
                .root
                .set(Some((root.payload(), mark_root::<R::Root<'_>> as RootMark)));
            shared.mutators.lock().push(state.clone());
            drop(world);
        }
        Mutator {
            heap: self.clone(),
            state,
            _root: PhantomData,
        }
    }
}

impl<R: Rootable> Mutator<R> {
    /// Runs `f` with this mutator's root and a mutation context under a fresh `'gc` brand.
    ///
    /// Cycles mark concurrently with `f`, but their two brief stops (mark start, mark
    /// termination) wait for `f` to return, and other mutators that reach a boundary meanwhile
    /// wait with them: long-running code should check [`Mutation::should_yield`] and return
    /// when asked.
    ///
    /// Threads started inside `f` must not attach to, mutate or collect this heap while `f`
    /// waits for them (e.g. scoped threads): a stop requested meanwhile waits for `f` to return,
    /// and they wait behind that stop. Heap objects' `Drop`s must not use their own heap either
    /// (one run by a cycle's sweep panics, the panic is caught and the object leaks).
    pub fn mutate<T>(
        &mut self,
        f: impl for<'gc> FnOnce(&Mutation<'gc>, &'gc R::Root<'gc>) -> T,
    ) -> T {
        let shared = self.heap.shared();
        shared.pace_at_boundary();
        let _world = WorldGuard::enter(shared);
        let mc = Mutation::new(&self.heap, &self.state);
        let (payload, _) = self.state.root.get().expect("a mutator always has a root");
        // SAFETY: the root object is live (the collector marks it every cycle while this
        // mutator exists) and was initialized as an R::Root; the brand of this call is the
        // only lifetime the reference gets.
        let root = unsafe { payload.cast::<R::Root<'_>>().as_ref() };
        f(&mc, root)
    }

    /// Runs a full collection cycle, sweep included (Go's `runtime.GC`), and returns when it is
    /// complete. Takes `&mut self`, so it cannot be called from inside this mutator's `mutate`.
    ///
    /// # Panics
    /// If the calling thread is inside `mutate` of another mutator of the same heap (the cycle
    /// would wait for that call to return, forever).
    pub fn collect(&mut self) {
        self.heap.collect();
    }

    /// The heap this mutator is attached to.
    pub fn heap(&self) -> &Heap {
        &self.heap
    }
}

impl<R: Rootable> Drop for Mutator<R> {
    fn drop(&mut self) {
        let shared = self.heap.shared();
        let _world = WorldGuard::enter(shared);
        shared
            .mutators
            .lock()
            .retain(|s| !Arc::ptr_eq(s, &self.state));
        self.state.root.set(None);
        // SAFETY: the state is unregistered and we hold the world lock: no collector touches
        // the cache, the job slot or the marker; flushing returns the cache's spans.
        unsafe {
            (*self.state.cache.get()).flush();
            if let Some(job) = (*self.state.job.get()).take() {
                let marker = &mut *self.state.marker.get();
                job.marked_bytes.fetch_add(marker.marked_bytes, Relaxed);
                marker.marked_bytes = 0;
            }
        }
    }
}
