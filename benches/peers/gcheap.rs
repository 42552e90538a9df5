//! gcheap: one `Heap` and one mutator per run, one `mutate` call per tree or batch. Its
//! binary-trees, GCBench and small-allocation code is `bench-support`'s (the code that
//! `benches/binary_trees.rs`, `benches/gcbench.rs` and the `peer_*` examples run); its cyclic
//! binary-trees and small objects are here, and its latency ring is `bench-support/src/ring.rs`.

use crate::workloads;
use crate::workloads::binary_trees::{self, Trees};
use crate::workloads::gcbench;
use crate::workloads::latency_ring::{self, RingRoot};
use crate::workloads::small_alloc::{self, heap::SmallMutator};
use gcheap::prelude::*;

/// A binary-trees node with a parent pointer, set after the node is built.
#[derive(Trace)]
pub struct CyclicNode<'gc> {
    left: Option<Gc<'gc, CyclicNode<'gc>>>,
    right: Option<Gc<'gc, CyclicNode<'gc>>>,
    parent: GcCell<'gc, Option<Gc<'gc, CyclicNode<'gc>>>>,
}

fn bottom_up<'gc>(mc: &Mutation<'gc>, depth: u32) -> Gc<'gc, CyclicNode<'gc>> {
    let children = (depth > 0).then(|| (bottom_up(mc, depth - 1), bottom_up(mc, depth - 1)));
    let (left, right) = children.unzip();
    let parent = GcCell::new(None);
    let node = Gc::new(
        mc,
        CyclicNode {
            left,
            right,
            parent,
        },
    );
    for child in [left, right].into_iter().flatten() {
        child.parent.set(mc, Some(node));
    }
    node
}

fn check<'gc>(node: Gc<'gc, CyclicNode<'gc>>) -> u64 {
    let mut n = 1;
    for child in [node.left, node.right].into_iter().flatten() {
        let parent = child.parent.get();
        assert!(
            parent.is_some_and(|p| Gc::ptr_eq(p, node)),
            "a broken parent pointer"
        );
        n += check(child);
    }
    n
}

type LongLived = Rootable![GcCell<'_, Option<Gc<'_, CyclicNode<'_>>>>];

struct CyclicTrees {
    m: Mutator<LongLived>,
}

impl Trees for CyclicTrees {
    fn temporary(&mut self, depth: u32) -> u64 {
        self.m.mutate(|mc, _| check(bottom_up(mc, depth)))
    }

    fn keep_long_lived(&mut self, depth: u32) {
        self.m
            .mutate(|mc, long_lived| long_lived.set(mc, Some(bottom_up(mc, depth))));
    }

    fn check_long_lived(&mut self) -> u64 {
        self.m
            .mutate(|_, long_lived| check(long_lived.get().expect("built above")))
    }
}

/// Runs the cyclic binary-trees on a fresh heap; returns the checksum.
pub fn cyclic_trees(max: u32) -> u64 {
    let heap = Heap::default();
    let mut trees = CyclicTrees {
        m: heap.mutator::<LongLived>(|_| GcCell::new(None)),
    };
    binary_trees::run(&mut trees, max)
}

/// A list node.
#[derive(Trace)]
pub struct Link<'gc> {
    value: u64,
    next: Option<Gc<'gc, Link<'gc>>>,
}

fn batch(mc: &Mutation<'_>, first: u64) -> u64 {
    let mut sum = 0;
    for list in 0..workloads::LISTS_PER_BATCH {
        let start = first + list * workloads::LIST_LEN;
        let head = (start..start + workloads::LIST_LEN)
            .fold(None, |next, value| Some(Gc::new(mc, Link { value, next })));
        let mut link = head;
        while let Some(l) = link {
            sum += l.value;
            link = l.next;
        }
    }
    sum
}

/// Runs the small-object workload on a fresh heap, one `mutate` per batch.
pub fn small_objects() -> u64 {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    workloads::small_objects(|first| m.mutate(|mc, _| batch(mc, first)))
}

/// The latency ring on a fresh heap, run by the code of `examples/peer_latency.rs`
/// (`bench-support/src/ring.rs`): the slots are `GcCell`s in a `Gc<[..]>`, the mutator's
/// root; one `mutate` call per push (so a cycle due at that boundary is charged to the push
/// that meets it), the buffer a `Gc<[u8]>` filled in place.
pub struct LatencyRing {
    m: Mutator<RingRoot>,
}

impl LatencyRing {
    pub fn new() -> LatencyRing {
        LatencyRing {
            m: Heap::default().mutator::<RingRoot>(latency_ring::new_ring),
        }
    }
}

impl workloads::LatencyRing for LatencyRing {
    fn push(&mut self, i: usize) {
        self.m.mutate(|mc, ring| latency_ring::push(mc, ring, i));
    }

    fn checksum(&mut self) -> u64 {
        self.m.mutate(|_, ring| latency_ring::checksum(ring))
    }
}

/// Runs binary-trees at depth `max` on a fresh heap; returns the checksum.
pub fn trees(max: u32) -> u64 {
    binary_trees::heap::run(max)
}

/// Runs GCBench on a fresh heap; returns the checksum.
pub fn gcbench() -> u64 {
    gcbench::heap::run()
}

/// A mutator on a fresh heap for the small-allocation workload, kept for all of one object
/// size's runs.
pub fn small_alloc_mutator() -> SmallMutator {
    small_alloc::heap::mutator()
}

/// Allocates `n` objects of `W` words on `m`; returns the checksum.
pub fn small_alloc<const W: usize>(m: &mut SmallMutator, n: u64) -> u64 {
    small_alloc::heap::run::<W>(m, n)
}

/// Runs the latency ring on a fresh heap, each push timed into `times`; returns the checksum.
pub fn latency(times: &mut [u64]) -> u64 {
    workloads::latency_run(LatencyRing::new(), times)
}
