//! Roots: what the collector marks from.
//!
//! The collector never scans stacks: between `mutate` calls a mutator holds no Gc pointer (the
//! brand forbids it), so a cycle's roots are each mutator's root object and the persistent
//! roots. This file holds both families:
//!
//! - **[`Rootable`]**, a type constructor from the brand `'gc` to a mutator's root type, named
//!   with the [`Rootable!`](crate::Rootable!) macro. A mutator's root object lives in the heap;
//!   `mutate` hands it back under each call's brand.
//! - **Persistent roots.** A [`Root`] is a `'static` handle that registers its object in the
//!   heap's root table; every cycle marks the table's objects. Inside a `mutate` call
//!   [`Root::get`] gives the object back under that call's brand. Dropping the handle (on any
//!   thread) removes the entry, and the object becomes garbage unless something else reaches
//!   it. Roots are how objects travel between mutators and threads.

use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::Arc;

use crate::context::Mutation;
use crate::gc::Gc;
use crate::heap::HeapState;
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

/// Marks a root object of a type known when the root was registered.
pub(crate) type RootMark = for<'t> fn(NonNull<u8>, &mut Tracer<'t>);

/// Marks the object at `payload` as a `Gc<T>` would.
pub(crate) fn mark_root<T: Trace>(payload: NonNull<u8>, tracer: &mut Tracer<'_>) {
    tracer.mark_gc::<T>(payload, <T as crate::object::StaticLayout>::LAYOUT);
}

/// Marks and scans a mutator's root object of type `T` at once: the marking glue
/// `Heap::mutator` stores beside the payload of the root object it made, for `mark_roots`.
pub(crate) fn blacken_mutator_root<T: Trace>(payload: NonNull<u8>, tracer: &mut Tracer<'_>) {
    // SAFETY: this glue is stored only beside the payload of a live root object of type T
    // (`MutatorState::root`, set by `Heap::mutator` and cleared when the mutator goes), and
    // `mark_roots` calls it only with the world stopped (mark start, checkmark), so no mutator
    // writes the object meanwhile.
    unsafe { tracer.blacken_root::<T>(payload, <T as crate::object::StaticLayout>::LAYOUT) }
}

/// One registered persistent root.
#[derive(Clone, Copy)]
pub(crate) struct RootEntry {
    pub(crate) payload: NonNull<u8>,
    pub(crate) mark: RootMark,
    /// The object's type, for [`Heap::persistent_roots_by_type`](crate::Heap::persistent_roots_by_type).
    pub(crate) type_name: &'static str,
}

/// The heap's table of persistent roots: a slab of entries.
#[derive(Default)]
pub(crate) struct RootTable {
    entries: Vec<Option<RootEntry>>,
    free: Vec<usize>,
}

// SAFETY: entries are addresses of heap objects, used only by the collector to mark them.
unsafe impl Send for RootTable {}

impl RootTable {
    pub(crate) fn insert(&mut self, entry: RootEntry) -> usize {
        match self.free.pop() {
            Some(i) => {
                self.entries[i] = Some(entry);
                i
            }
            None => {
                self.entries.push(Some(entry));
                self.entries.len() - 1
            }
        }
    }

    pub(crate) fn remove(&mut self, index: usize) {
        self.entries[index] = None;
        self.free.push(index);
    }

    /// Every registered root: its object and marking glue.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (NonNull<u8>, RootMark)> + '_ {
        self.entries.iter().flatten().map(|e| (e.payload, e.mark))
    }

    /// The registered roots' type names.
    pub(crate) fn type_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries.iter().flatten().map(|e| e.type_name)
    }

    /// How many roots are registered.
    pub(crate) fn len(&self) -> usize {
        self.entries.len() - self.free.len()
    }
}

/// A persistent root: keeps an object of type `R::Root<'gc>` alive while the handle exists, and
/// gives it back inside any `mutate` call on the same heap.
///
/// `Root` is `'static`; it is `Send` and `Sync` when the object type is `Sync` (sharing the
/// handle shares the object). Clones register the object again; each clone keeps it alive.
///
/// A root keeps its object alive, not the heap: once every [`Heap`](crate::Heap) handle and
/// mutator is gone the heap is torn down and all its objects are dropped, rooted or not (no
/// `mutate` call on that heap can exist any more, so a leftover root can never be read). This
/// is what lets a heap object hold a `Root` without keeping its own heap alive forever.
///
/// ```
/// use gcheap_core::{Gc, Heap, Root, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![()]>(|_| ());
/// let kept: Root<Rootable![String]> = m.mutate(|mc, _| Root::new(mc, Gc::new(mc, "hi".to_string())));
/// m.collect();
/// m.mutate(|mc, _| assert_eq!(*kept.get(mc), "hi"));
/// ```
pub struct Root<R: Rootable> {
    shared: Arc<HeapState>,
    index: usize,
    payload: NonNull<u8>,
    _root: PhantomData<R>,
}

// SAFETY: the handle gives access to the object only as `&T` inside a mutate call on whichever
// thread holds it; that is sharing `&T` across threads, which `Sync` permits. Dropping it only
// removes a table entry under a lock.
unsafe impl<R: Rootable> Send for Root<R> where for<'gc> R::Root<'gc>: Sync {}
// SAFETY: as above.
unsafe impl<R: Rootable> Sync for Root<R> where for<'gc> R::Root<'gc>: Sync {}

impl<R: Rootable> Root<R> {
    /// Makes `gc` a persistent root.
    pub fn new<'gc>(mc: &Mutation<'gc>, gc: Gc<'gc, R::Root<'gc>>) -> Root<R> {
        let payload = gc.payload();
        let index = Self::register(mc.shared, payload);
        Root {
            shared: mc.heap.shared_arc().clone(),
            index,
            payload,
            _root: PhantomData,
        }
    }

    fn register(shared: &HeapState, payload: NonNull<u8>) -> usize {
        shared.roots.lock().insert(RootEntry {
            payload,
            mark: mark_root::<R::Root<'_>> as RootMark,
            type_name: std::any::type_name::<R::Root<'static>>(),
        })
    }

    /// The object, under the brand of the current `mutate` call.
    ///
    /// # Panics
    /// If `mc` belongs to a different heap than the root.
    pub fn get<'gc>(&self, mc: &Mutation<'gc>) -> Gc<'gc, R::Root<'gc>> {
        assert!(
            std::ptr::eq(mc.shared, &*self.shared),
            "Root::get: the root belongs to a different heap than this mutation context"
        );
        // SAFETY: registered roots are marked by every cycle, so the object is alive (the heap
        // itself is alive: `mc` belongs to it); it was created as an R::Root and the brand is the
        // caller's.
        unsafe { Gc::from_ptr(self.payload.cast()) }
    }

    /// Whether the root belongs to `heap`.
    pub fn belongs_to(&self, heap: &crate::Heap) -> bool {
        std::ptr::eq(heap.shared(), &*self.shared)
    }
}

// SAFETY: a root keeps its object alive through the root table, so a heap object holding one
// has nothing to report. Sweeps drop objects on any thread, where a Drop could use the root: so
// only roots that may be sent (to objects that are `Sync`) are `Trace`.
unsafe impl<R: Rootable> crate::Trace for Root<R>
where
    for<'gc> R::Root<'gc>: Sync,
{
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut crate::Tracer<'_>) {}
}

impl<R: Rootable> Clone for Root<R> {
    fn clone(&self) -> Self {
        Root {
            shared: self.shared.clone(),
            index: Self::register(&self.shared, self.payload),
            payload: self.payload,
            _root: PhantomData,
        }
    }
}

impl<R: Rootable> Drop for Root<R> {
    fn drop(&mut self) {
        self.shared.roots.lock().remove(self.index);
    }
}

impl<R: Rootable> std::fmt::Debug for Root<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Root")
            .field("type", &std::any::type_name::<R::Root<'static>>())
            .field("object", &self.payload)
            .finish()
    }
}
