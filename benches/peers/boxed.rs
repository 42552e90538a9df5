//! `Box` and `Vec`, freed by ownership: the no-GC lower bound (acyclic workloads only: a `Box`
//! tree cannot hold the cyclic trees' back edges). binary-trees and GCBench on `Box` are
//! `bench-support`'s, the ones `benches/binary_trees.rs` and `benches/gcbench.rs` time.

use crate::workloads::{
    self, LATENCY_BUFFER, binary_trees, gcbench, latency_byte, owned_latency, owned_small_objects,
    small_alloc,
};

/// A latency-ring buffer: one allocation, collected from the fill.
impl workloads::LatencyBuffer for Box<[u8]> {
    fn filled(i: usize) -> Self {
        (0..LATENCY_BUFFER).map(|j| latency_byte(i, j)).collect()
    }
    fn bytes(&self) -> &[u8] {
        self
    }
}

/// A list node.
pub struct Link {
    value: u64,
    next: Option<Box<Link>>,
}

impl workloads::ListPtr for Box<Link> {
    fn cons(value: u64, next: Option<Self>) -> Self {
        Box::new(Link { value, next })
    }
    fn value(&self) -> u64 {
        self.value
    }
    fn next(&self) -> Option<&Self> {
        self.next.as_ref()
    }
}

/// Runs binary-trees at depth `max` on `Box` trees; returns the checksum.
pub fn trees(max: u32) -> u64 {
    binary_trees::boxed::run(max)
}

/// Runs GCBench on `Box` nodes and a `Vec<f64>`; returns the checksum.
pub fn gcbench() -> u64 {
    gcbench::boxed::run()
}

/// Runs the small-object workload on `Box` lists; returns the checksum.
pub fn small_objects() -> u64 {
    owned_small_objects::<Box<Link>>()
}

/// Allocates `n` objects of `W` words with `Box::new` (the global allocator, glibc's malloc
/// here), each stored in a ring of `Option<Box>` and dropped when it is displaced; returns the
/// checksum.
pub fn small_alloc<const W: usize>(n: u64) -> u64 {
    let mut ring: [Option<Box<[u64; W]>>; small_alloc::RING] = std::array::from_fn(|_| None);
    let mut sum = 0;
    for i in 0..n {
        let new = Box::new(small_alloc::object::<W>(i));
        if let Some(old) = ring[i as usize % small_alloc::RING].replace(new) {
            sum += small_alloc::value(&old);
        }
    }
    sum + ring
        .iter()
        .flatten()
        .map(|o| small_alloc::value(o))
        .sum::<u64>()
}

/// Runs the latency ring on `Box<[u8]>` buffers, each push timed into `times`; returns the
/// checksum.
pub fn latency(times: &mut [u64]) -> u64 {
    owned_latency::<Box<[u8]>>(times)
}
