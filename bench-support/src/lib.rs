//! The workloads and helpers that gcheap's benches (`benches/`) and examples (`examples/`) share,
//! written once so that a criterion bench and its whole-process twin run the same code.
//!
//! A dev-only crate (`publish = false`): the facade `gcheap` lists it under `[dev-dependencies]`,
//! and it depends on the facade for the gcheap implementations of the workloads.
//!
//! - [`binary_trees`]: the Benchmarks Game's binary-trees (driver, checksum, gcheap and `Box`);
//! - [`gcbench`]: Boehm's GCBench (parameters, driver, checksum, gcheap and `Box`);
//! - [`small_alloc`]: small-object allocation through a ring (object, checksum, gcheap);
//! - [`ring`]: the gc-latency ring on gcheap (slots, push, checksum);
//! - [`rng`]: a small deterministic PRNG for the examples;
//! - [`args`]: the one numeric argument of the `peer_*` examples.

pub mod args;
pub mod binary_trees;
pub mod gcbench;
pub mod ring;
pub mod rng;
pub mod small_alloc;
