//! Code shared by the collector's integration tests.
//!
//! Each test binary that declares `mod common;` compiles all of it and uses only part of it, so
//! the parts one binary leaves unused are not dead code.
#![allow(dead_code)]

pub mod drops;
pub mod model;
pub mod model_obj;

use gcheap_core::{Config, Heap};

/// A heap for tests that check what died: checkmark and poisoning on, cycles only on request.
pub fn checked_heap(gc_workers: usize) -> Heap {
    Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers,
        gc_percent: -1,
        ..Config::default()
    })
    .expect("a valid config")
}
