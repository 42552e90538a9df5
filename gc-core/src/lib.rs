//! # gcheap-core
//!
//! The gcheap collector: `Heap`, mutators, `Gc` pointers, tracing, barriers and `MemStats`.
//!
//! This crate is an empty shell until the collector issue lands; it re-exports the allocator it
//! will be built on.

pub use gcheap_allocator as allocator;
