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
//! Modules, one per concept: `heap` (the cycle), `mutator` (threads and their roots), `context`
//! (`Mutation`), `gc` (`Gc`), `object` (headers and descriptors), `trace` (`Trace`), `cell`
//! (barrier-carrying cells), `sync_cell` (their thread-safe variants), `root` (persistent roots), `mark` (parallel marking), `verify`
//! (checkmark), `pacer` (the GC-percent goal), `stats` (`MemStats`).

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

// Lets `#[derive(Trace)]`'s `::gcheap::...` paths resolve inside this crate too.
extern crate self as gcheap;

mod cell;
mod config;
mod context;
mod cycle;
mod gc;
mod heap;
mod mark;
mod mutator;
mod object;
mod pacer;
mod root;
mod stats;
mod sweeper;
mod sync_cell;
mod trace;
mod verify;
mod world;

pub use cell::{BorrowError, GcCell, GcRef, GcRefCell, GcRefMut};
pub use config::{Config, ConfigError, MAX_GC_WORKERS};
pub use context::Mutation;
pub use gc::Gc;
pub use gcheap_allocator::AllocError;
pub use heap::Heap;
#[doc(hidden)]
pub use mutator::{DynRootable, RootProvider};
pub use mutator::{Mutator, Rootable};
pub use object::ObjectType;
pub use root::Root;
pub use stats::{MemStats, SizeClassStats};
pub use sync_cell::{GcAtomicCell, GcMutex, GcMutexGuard};
pub use trace::{Trace, Tracer};

/// Items the derive macro's expansion uses. Not public API.
#[doc(hidden)]
pub mod __private {
    /// Compile-time check behind `#[trace(static)]`.
    pub fn assert_static_send<T: ?Sized + Send + 'static>() {}
}
