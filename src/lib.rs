//! # gcheap
//!
//! A concurrent, Go-style garbage-collected heap for Rust. This facade re-exports the workspace's
//! crates; today the allocator layer ([`allocator`]) is complete and the collector is being built
//! on top of it (see the repository's ARCHITECTURE.md).
//!
//! ```
//! use gcheap::allocator::{Allocator, ObjectKind};
//! use std::alloc::Layout;
//!
//! let allocator = Allocator::default();
//! let mut cache = allocator.cache();
//! let p = cache.alloc(Layout::new::<u32>(), ObjectKind::NoScan).unwrap();
//! unsafe { cache.free(p) };
//! ```

pub use gcheap_allocator as allocator;
pub use gcheap_core as core;
