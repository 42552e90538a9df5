//! # gcheap
//!
//! A Go-style garbage-collected heap for Rust: Go's size-classed allocator and a parallel
//! tricolor mark-sweep collector, behind an API that safe code cannot misuse.
//!
//! ```
//! use gcheap::prelude::*;
//!
//! #[derive(Trace)]
//! struct Node<'gc> {
//!     value: i64,
//!     next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
//! }
//!
//! #[derive(Trace)]
//! struct Vm<'gc> {
//!     head: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
//! }
//!
//! let heap = Heap::new(Config::default()).unwrap();
//! let mut m = heap.mutator::<Rootable![Vm<'_>]>(|_| Vm { head: GcCell::new(None) });
//! m.mutate(|mc, vm| {
//!     let n = Gc::new(mc, Node { value: 1, next: GcCell::new(None) });
//!     vm.head.set(mc, Some(n));                   // barriered write
//! });
//! m.collect();                                    // runtime.GC()
//! let stats: MemStats = heap.mem_stats();         // runtime.ReadMemStats
//! assert_eq!(stats.num_gc, 1);
//! heap.set_gc_percent(200);                       // debug.SetGCPercent
//! ```
//!
//! The collector lives in [`gcheap_core`] (re-exported here), the allocator in [`allocator`], and
//! `#[derive(Trace)]` in `gcheap-derive`.

/// Go's allocator on its own, without the collector: per-thread caches, explicit frees, sweeping
/// driven by the caller's mark bits, and Go's statistics.
///
/// This is the allocator's user-facing API. Its size-class tables, span classes and arena
/// geometry (`gcheap_allocator::sizeclass` and friends) are implementation facts, not part of
/// `gcheap`'s face: programs that need them depend on `gcheap-allocator` directly.
///
/// ```
/// use gcheap::allocator::{Allocator, AllocatorConfig, ObjectKind};
/// use std::alloc::Layout;
///
/// let allocator = Allocator::new(AllocatorConfig::default());
/// let mut cache = allocator.cache();
/// cache.alloc(Layout::new::<[u64; 4]>(), ObjectKind::NoScan).unwrap();
/// cache.flush();
/// assert_eq!(allocator.stats().heap_objects, 1);
/// ```
pub mod allocator {
    pub use gcheap_allocator::{
        AllocError, AllocStats, Allocator, AllocatorConfig, Cache, ObjectKind, POISON_BYTE,
        SizeClassStats, SweepHook,
    };
}
pub use gcheap_core::*;
pub use gcheap_derive::Trace;

/// The types most programs need: `use gcheap::prelude::*;`.
pub mod prelude {
    pub use gcheap_core::{
        Config, Gc, GcAny, GcAtomicCell, GcCell, GcEphemeron, GcGuardian, GcKey, GcMutex,
        GcRefCell, GcRwLock, GcSyncWeakMap, GcWeak, GcWeakMap, Heap, MemStats, Mutation, Mutator,
        ObjectType, Root, Rootable, Trace, Tracer, WeakRoot,
    };
    pub use gcheap_derive::Trace;
}

/// The README's Rust examples, compiled and run as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
