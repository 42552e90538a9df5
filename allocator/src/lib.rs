//! # gcheap-allocator
//!
//! Go's memory allocator, rebuilt in Rust: the allocation layer under the gcheap collector, and a
//! fast standalone allocator in its own right.
//!
//! ```text
//! Cache::alloc ──(window empty)──> Central (per span class) ──(no span)──> PageHeap ──> Arena (mmap)
//!  lock-free        ctz on a          partial/full lists,       best-fit page runs,     64 MiB,
//!  fast path        free mask         swept/unswept, lazy sweep coalescing, scavenger   O(1) lookup
//! ```
//!
//! - [`sizeclass`]: Go's 67 size classes (8 B .. 32 KiB) and span classes (size x scan/noscan).
//! - [`Cache`] (Go's `mcache`): per-thread fast path; the tiny allocator for noscan objects < 16 B.
//! - `central` (Go's `mcentral`): per-span-class lists of partial and full spans, by sweep state.
//! - `sweep` (Go's `mgcsweep.go`): sweep cycles; claiming, sweeping and placing spans.
//! - `pageheap` (Go's `mheap` page allocator): runs of 8 KiB pages, coalescing, scavenging.
//! - `arena`: 64 MiB aligned reservations and the address -> span map.
//! - `span` (Go's `mspan`): a run of pages carved into objects, with side alloc and mark bitmaps.
//!
//! The allocator knows mark bits but not tracing: a collector marks objects with
//! [`Allocator::mark`], starts a sweep cycle with [`Allocator::start_sweep_cycle`], and learns of
//! dead objects in scan spans through the [`SweepHook`].
//!
//! ```
//! use gcheap_allocator::{Allocator, AllocatorConfig, ObjectKind};
//! use std::alloc::Layout;
//!
//! let allocator = Allocator::new(AllocatorConfig::default());
//! let mut cache = allocator.cache();
//! let keep = cache.alloc(Layout::new::<[u64; 2]>(), ObjectKind::Scan).unwrap();
//! let drop_me = cache.alloc(Layout::new::<[u64; 2]>(), ObjectKind::Scan).unwrap();
//! assert_ne!(keep, drop_me);
//!
//! // A collection: mark what is reachable, then sweep the rest away.
//! allocator.mark(keep);
//! cache.flush();
//! allocator.start_sweep_cycle();
//! allocator.finish_sweep();
//! assert_eq!(allocator.stats().heap_objects, 1);
//! ```

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod arena;
mod cache;
mod central;
mod error;
mod heap;
mod pageheap;
pub mod sizeclass;
mod span;
mod stats;
mod sweep;

pub use arena::{ARENA_SHIFT, ARENA_SIZE};
pub use cache::{Cache, RETAIN_BYTES};
pub use error::AllocError;
pub use heap::{Allocator, AllocatorConfig, ObjectKind, POISON_BYTE};
pub use sizeclass::{MAX_SMALL_SIZE, PAGE_SIZE, SpanClass, TINY_SIZE};
pub use stats::{AllocStats, SizeClassStats};
pub use sweep::SweepHook;
