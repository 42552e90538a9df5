//! Mutators: threads attached to a heap, each with a root object and an allocation cache.
//!
//! A mutator is at a *boundary* between [`Mutator::mutate`] calls: it holds no Gc pointer there
//! (the brand forbids it), so the collector needs only its root object. `mutate` holds the heap's
//! world lock shared; a cycle holds it exclusively for one brief stop at mark start, and marks,
//! ends its mark and starts its sweep concurrently with `mutate` calls. A mutator inside a long
//! `mutate` learns through [`Mutation::should_yield`] that a stop is waiting for it.
//!
//! **The root object is the mutator's own.** The stop at mark start marks *and scans* every
//! mutator's root object (Go scans each goroutine's stack with the goroutine stopped) instead of
//! queueing it, so no marker ever reads a root object while its mutator runs, and nothing else
//! can reach it (no `Gc` to it exists). That is what lets [`Mutator::mutate_root`] hand out
//! `&mut` to it and write its fields without a barrier: every value such a write overwrites was
//! in the root when it was scanned (so it is shaded) or was stored since; every value it stores
//! is reachable from the snapshot or was allocated black, as for the stores of any scanned
//! mutator (see `crate::barrier`). The cost is that the mark-start stop reads each root object's
//! own fields (not what they point to).

use std::cell::{Cell, UnsafeCell};
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Acquire, Release, SeqCst};
use std::sync::atomic::fence;

use gcheap_allocator::Cache;

use crate::context::Mutation;
use crate::gc::Gc;
use crate::heap::{Heap, HeapState};
use crate::mark::{MarkJob, Marker};
use crate::root::{RootMark, Rootable, blacken_mutator_root};

/// A mutator's state that the collector also reaches.
pub(crate) struct MutatorState {
    /// The allocation cache. Used by the mutator's thread inside `mutate`, or by a collector that
    /// holds the world lock exclusively.
    pub(crate) cache: UnsafeCell<Cache>,
    /// Bytes this mutator may still allocate before it reports to the pacer.
    pub(crate) credit: Cell<isize>,
    /// The root object's payload and its marking glue (typed when the mutator was made).
    pub(crate) root: Cell<Option<(NonNull<u8>, RootMark)>>,
    /// The root's type, for [`Heap::mutators_by_type`].
    pub(crate) root_type: &'static str,
    /// The marking job from a cycle's mark start (set by the collector with the world stopped,
    /// or at attachment) until the mutator's first boundary after that cycle's sweep started
    /// (`retire_finished_job`): the barrier and allocate-black are on exactly while it is set.
    pub(crate) job: UnsafeCell<Option<Arc<MarkJob>>>,
    /// This mutator's marker for barriers, assists and allocate-black; its gray objects are
    /// published to the job before control returns to user code, its byte count is handed to
    /// the job after each operation and at boundaries.
    pub(crate) marker: UnsafeCell<Marker>,
    /// Counts this mutator's marking operations (barriers that take an object, assists) twice:
    /// odd while one runs. Only gray objects held privately by a running operation escape the
    /// job's queues, so the collector's termination check reads these counters around its look
    /// at the queues (see `HeapState::marking_done`).
    pub(crate) ops: AtomicU64,
    /// Held by the mutator's thread while it is inside `mutate` (or building its root): a
    /// collector that takes it acts on the mutator's behalf at its boundary (prepares its cache
    /// for a sweep) while the mutator cannot enter.
    pub(crate) running: parking_lot::Mutex<()>,
}

impl MutatorState {
    /// Marks the start of a marking operation, before it takes any object or gray entry.
    #[inline]
    pub(crate) fn begin_op(&self) {
        self.ops.fetch_add(1, SeqCst);
        // Whoever sees a later write of this operation (a worker that finds the object this
        // barrier takes BUSY and skips it; the queues an assist steals from) must also see the
        // operation counted, or the termination check could read a stale even counter after
        // the worker stopped. A write's own ordering does not give that (taking an object is
        // an Acquire CAS); this fence does. (Found by the loom model `ragged_termination`.)
        fence(Release);
    }

    /// Marks the end of a marking operation whose gray objects `marker` has published; moves
    /// its marked bytes to the job first.
    #[inline]
    pub(crate) fn end_op(&self, job: &MarkJob, marker: &mut Marker) {
        marker.hand_bytes_to(job);
        self.ops.fetch_add(1, SeqCst);
    }

    /// At a boundary: if this mutator holds the job of a cycle whose sweep has started, prepares
    /// the cache for that sweep and drops the job (ending allocate-black and the barrier), and
    /// moves the marker's byte count to the job.
    ///
    /// # Safety
    /// The caller is this mutator's thread at a boundary holding the world lock shared and the
    /// `running` lock (no `Mutation` of this mutator is live), or a collector holding the
    /// `running` lock of a registered mutator, or the collector with the world stopped.
    pub(crate) unsafe fn retire_finished_job(&self) {
        // SAFETY: caller's promise: no one else touches the job slot, marker or cache now.
        unsafe {
            let slot = &mut *self.job.get();
            let Some(job) = slot.as_ref() else { return };
            (*self.marker.get()).hand_bytes_to(job);
            // Acquire: the sweep cycle started before `finished` was set, so the cache sees the
            // new sweep generation and releases the spans it held since before it.
            if job.finished.load(Acquire) {
                (*self.cache.get()).prepare_for_sweep();
                *slot = None;
            }
        }
    }
}

// SAFETY: the Cells, the cache, the job slot and the marker are touched only by the mutator's
// thread while it holds the world lock shared and its `running` lock (inside mutate, or while
// creating or dropping the mutator), by the collector while it holds the world lock exclusively,
// or by the collector while it holds the `running` lock (`retire_finished_job` for a parked
// mutator). Either lock excludes the mutator's thread, and the locks order all these accesses.
// `ops` is atomic.
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
            root_type: std::any::type_name::<R::Root<'static>>(),
            job: UnsafeCell::new(None),
            marker: UnsafeCell::new(Marker::new(&shared.allocator, &shared.ephemerons)),
            ops: AtomicU64::new(0),
            running: parking_lot::Mutex::new(()),
        });
        {
            let world = shared.world.enter();
            // Registered before the root is built, so that the collector's termination check
            // sees the marking operations `make_root` may run (its root is scanned from the first
            // cycle that finds it set). A cycle that is marking now (it starts only with the
            // world stopped) includes this mutator: it allocates black, its root included.
            // On unwind, `running` is released before `registration` unregisters (which takes it).
            let registration = Registration {
                shared,
                state: &state,
            };
            let running = state.running.lock();
            {
                let mut mutators = shared.world.mutators.lock();
                if let Some(job) = shared.current_job.lock().clone() {
                    // SAFETY: the state is not visible to the collector before it is in the
                    // list, and we hold the world lock shared, so no cycle stops the world.
                    unsafe {
                        (*state.marker.get()).black = job.black;
                        *state.job.get() = Some(job);
                    }
                }
                mutators.push(state.clone());
            }
            {
                let mc = Mutation::new(self, &state);
                let root = Gc::new(&mc, make_root(&mc));
                state.root.set(Some((
                    root.payload(),
                    blacken_mutator_root::<R::Root<'_>> as RootMark,
                )));
            }
            std::mem::forget(registration);
            // SAFETY: at a boundary of this mutator, holding the world lock shared.
            unsafe { state.retire_finished_job() };
            drop(running);
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
    /// Cycles mark, end their mark and sweep concurrently with `f`, but their brief stop at
    /// mark start waits for `f` to return, and other mutators that reach a boundary meanwhile
    /// wait with it: long-running code should check [`Mutation::should_yield`] and return when
    /// asked.
    ///
    /// Calls nest: `f` may run `mutate` of another mutator of this heap or of another heap, in
    /// any order on any thread (a thread inside one heap never waits for another heap's cycle;
    /// see the world lock's docs). Threads started inside `f` must not attach to, mutate or
    /// collect this heap while `f` waits for them (e.g. scoped threads): a stop requested
    /// meanwhile waits for `f` to return, and they wait behind that stop. Heap objects' `Drop`s must not use their own heap either
    /// (one run by a cycle's sweep panics, the panic is caught and the object leaks).
    pub fn mutate<T>(
        &mut self,
        f: impl for<'gc> FnOnce(&Mutation<'gc>, &'gc R::Root<'gc>) -> T,
    ) -> T {
        self.session(|mc, payload| {
            // SAFETY: the root object is live (the collector marks it every cycle while this
            // mutator exists) and was initialized as an R::Root; the brand of this call is the
            // only lifetime the reference gets.
            let root = unsafe { payload.cast::<R::Root<'_>>().as_ref() };
            f(mc, root)
        })
    }

    /// Runs `f` as [`mutate`](Self::mutate) does, with mutable access to the root: its fields
    /// may be assigned directly, without barrier cells, even while a cycle marks.
    ///
    /// A root whose fields are all set through `mutate_root` needs no cells at all, which suits
    /// an interpreter's registers, stack and globals: plain `Vec`s and `Option`s of `Gc`s. (Cells
    /// are still needed in every other heap object.) The collector scans the root object in its
    /// mark-start stop instead of concurrently, so a large root lengthens that stop by the time
    /// to read its fields.
    ///
    /// ```
    /// use gcheap_core::{Gc, Heap, Rootable};
    ///
    /// let heap = Heap::default();
    /// let mut m = heap.mutator::<Rootable![Vec<Gc<'_, String>>]>(|_| Vec::new());
    /// m.mutate_root(|mc, stack| {
    ///     stack.push(Gc::new(mc, "a".to_string()));
    ///     stack.push(Gc::new(mc, "b".to_string()));
    ///     stack.swap(0, 1);
    /// });
    /// m.collect();
    /// assert_eq!(m.mutate(|_, stack| String::clone(&stack[0])), "b");
    /// ```
    pub fn mutate_root<T>(
        &mut self,
        f: impl for<'gc> FnOnce(&Mutation<'gc>, &mut R::Root<'gc>) -> T,
    ) -> T {
        self.session(|mc, payload| {
            // SAFETY: live and initialized as for `mutate`. Nothing else refers to the root
            // object while this call runs: no Gc to it exists, markers never read it outside the
            // mark-start stop (which waits for this call, holding the world lock shared, to
            // return; see the module docs), `&mut self` excludes every other call on this
            // mutator, and the reference lives only as long as the call.
            let root = unsafe { payload.cast::<R::Root<'_>>().as_mut() };
            f(mc, root)
        })
    }

    /// A `mutate` call's boundaries around `f`, which gets the context and the root's payload.
    fn session<T>(&mut self, f: impl for<'gc> FnOnce(&Mutation<'gc>, NonNull<u8>) -> T) -> T {
        let shared = self.heap.shared();
        shared.pace_at_boundary();
        let _world = shared.world.enter();
        let _running = self.state.running.lock();
        // SAFETY: a boundary of this mutator (no Mutation of it is live: `mutate` takes
        // `&mut self`), holding the world lock shared.
        unsafe { self.state.retire_finished_job() };
        let result = {
            let mc = Mutation::new(&self.heap, &self.state);
            let (payload, _) = self.state.root.get().expect("a mutator always has a root");
            f(&mc, payload)
        };
        // SAFETY: as above: the call's context is gone.
        unsafe { self.state.retire_finished_job() };
        result
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
        let _world = shared.world.enter();
        unregister(shared, &self.state);
    }
}

/// Removes a mutator from its heap: its root is released, its cache flushed, its marker's byte
/// count handed to the job it held. The caller holds the world lock shared.
fn unregister(shared: &HeapState, state: &Arc<MutatorState>) {
    // Excludes a collector acting for the mutator (it holds this lock while it does).
    let _running = state.running.lock();
    shared
        .world
        .mutators
        .lock()
        .retain(|s| !Arc::ptr_eq(s, state));
    state.root.set(None);
    // SAFETY: the state is unregistered, the caller holds the world lock and we hold the running
    // lock: no collector touches the cache, the job slot or the marker; flushing returns the
    // cache's spans.
    unsafe {
        (*state.cache.get()).flush();
        if let Some(job) = (*state.job.get()).take() {
            (*state.marker.get()).hand_bytes_to(&job);
        }
    }
}

/// Unregisters a mutator whose root could not be built (`make_root` panicked).
struct Registration<'a> {
    shared: &'a HeapState,
    state: &'a Arc<MutatorState>,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        unregister(self.shared, self.state);
    }
}
