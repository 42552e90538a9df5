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

pub use gcheap_allocator as allocator;
pub use gcheap_core::*;
pub use gcheap_derive::Trace;

/// The types most programs need: `use gcheap::prelude::*;`.
pub mod prelude {
    pub use gcheap_core::{
        Config, Gc, GcAtomicCell, GcCell, GcMutex, GcRefCell, Heap, MemStats, Mutation, Mutator,
        Root, Rootable, Trace, Tracer,
    };
    pub use gcheap_derive::Trace;
}

/// The README's Rust examples, compiled and run as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
