//! # gcheap-core
//!
//! The gcheap collector: a garbage-collected heap for Rust with Go's allocator underneath, safe
//! to use from safe code.
//!
//! ```
//! use gcheap_core::{Gc, GcCell, Heap, Rootable, Trace, Tracer};
//!
//! struct Node<'gc> {
//!     value: i64,
//!     next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
//! }
//! // SAFETY: reports the one field holding Gc pointers (`#[derive(Trace)]` writes this).
//! unsafe impl<'gc> Trace for Node<'gc> {
//!     fn trace(&self, t: &mut Tracer<'_>) { t.trace(&self.next) }
//! }
//!
//! let heap = Heap::default();
//! let mut m = heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, Node<'_>>>>]>(|_| GcCell::new(None));
//! m.mutate(|mc, head| {
//!     for value in 0..1000 {
//!         let node = Gc::new(mc, Node { value, next: GcCell::new(head.get()) });
//!         head.set(mc, Some(node));                 // barriered write
//!     }
//! });
//! m.collect();                                      // runtime.GC()
//! let sum = m.mutate(|_, head| {
//!     let (mut sum, mut cur) = (0, head.get());
//!     while let Some(n) = cur { sum += n.value; cur = n.next.get(); }
//!     sum
//! });
//! assert_eq!(sum, 499500);
//! assert_eq!(heap.mem_stats().num_gc, 1);
//! ```
//!
//! Modules, one per concept, in reading order (ARCHITECTURE.md has the map):
//!
//! - the user's model: `heap` (the [`Heap`] handle, knobs, teardown), `mutator` (threads and
//!   `mutate`), `root` ([`Rootable`](trait@Rootable) and persistent [`Root`]s), `context`
//!   ([`Mutation`]), `gc` ([`Gc`]), `gc_dyn` (trait objects: [`Gc::unsize`], [`GcAny`]), `key`
//!   ([`GcKey`]: identity keys), `trace` (the [`Trace`] contract; std's impls in
//!   `trace_impls`), `cell` and `sync_cell` (barrier-carrying cells);
//! - what a language runtime needs beyond strong pointers: `weak` ([`GcWeak`], [`WeakRoot`]),
//!   `ephemeron` ([`GcEphemeron`]), `weak_map` ([`GcWeakMap`]), `guardian` ([`GcGuardian`]),
//!   `cleanup` ([`Gc::add_cleanup`]);
//! - an allocation: `alloc` (the path from `Gc::new` to the allocator's cache, allocate-black,
//!   pacer charging), `object` (headers and descriptors);
//! - a write: `barrier` (the hybrid barrier and the state-word protocol), `mark` (parallel
//!   marking);
//! - a cycle: `cycle` (the collector thread and the phases), `mark_workers` (the mark worker
//!   pool), `mark_done` (mark termination and the weak phase), `world` (the world lock, stops, the
//!   mutator registry), `sweeper` (background sweeping and scavenging), `verify` (checkmark),
//!   `pacer` (the GC-percent goal), `stats` ([`MemStats`]).

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

// Lets `#[derive(Trace)]`'s `::gcheap::...` paths resolve inside this crate too.
extern crate self as gcheap;

mod alloc;
mod barrier;
mod cell;
mod cleanup;
mod config;
mod context;
mod cycle;
mod ephemeron;
mod gc;
mod gc_dyn;
mod guardian;
mod heap;
mod key;
mod mark;
mod mark_done;
mod mark_workers;
mod mutator;
mod object;
mod pacer;
mod root;
mod stats;
mod sweeper;
mod sync_cell;
mod trace;
mod trace_impls;
mod verify;
mod weak;
mod weak_map;
mod world;

pub use cell::{BorrowError, GcCell, GcRef, GcRefCell, GcRefMut};
pub use cleanup::Cleanup;
pub use config::{Config, ConfigError, MAX_GC_WORKERS};
pub use context::Mutation;
pub use ephemeron::GcEphemeron;
pub use gc::Gc;
pub use gc_dyn::GcAny;
pub use gcheap_allocator::AllocError;
pub use guardian::GcGuardian;
pub use heap::Heap;
pub use key::GcKey;
pub use mutator::Mutator;
#[doc(hidden)]
pub use object::ObjectLayout;
pub use object::ObjectType;
#[doc(hidden)]
pub use root::{DynRootable, RootProvider};
pub use root::{Root, Rootable};
pub use stats::{MemStats, SizeClassStats, TypeCount};
pub use sync_cell::{
    GcAtomicCell, GcMutex, GcMutexGuard, GcMutexReadGuard, GcRwLock, GcRwLockReadGuard,
    GcRwLockWriteGuard,
};
pub use trace::{Trace, Tracer};
pub use weak::{GcWeak, WeakRoot};
pub use weak_map::{GcSyncWeakMap, GcWeakMap};

/// Items the derive macro's expansion uses. Not public API.
#[doc(hidden)]
pub mod __private {
    /// Compile-time check behind `#[trace(static)]`.
    pub fn assert_static_send<T: ?Sized + Send + 'static>() {}

    /// A type whose drop may run on any thread.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not `Send`, so it cannot live in the gcheap heap",
        note = "a heap object is dropped on whichever thread sweeps it (the collector's, the \
                sweeper's or a mutator's), so a type without lifetime or type parameters must be \
                `Send`"
    )]
    pub trait DropsOnAnyThread {}
    impl<T: ?Sized + Send> DropsOnAnyThread for T {}

    /// Compile-time check of `#[derive(Trace)]` on types without parameters.
    pub fn assert_drops_on_any_thread<T: ?Sized + DropsOnAnyThread>() {}
}
