//! The workloads every peer runs, and their parameters and checksums: binary-trees, GCBench and
//! small-object allocation come from `gcheap-bench-support` (`bench-support/src/`, shared with
//! `benches/binary_trees.rs`, `benches/gcbench.rs` and the `peer_*` examples); the cyclic trees,
//! small objects and the latency ring's parameters and checksum are here. The algorithms are
//! written once, generically, for the peers whose pointers are plain Rust values (`TreePtr`,
//! `CyclicPtr`, `BenchPtr`, `ListPtr`, `LatencyBuffer`: each peer implements them for its node or
//! buffer type); gcheap and gc-arena, whose pointers only live inside `mutate`, have their own
//! versions in their peer modules.

use std::hint::black_box;
use std::time::Instant;

pub use gcheap_bench_support::ring as latency_ring;
pub use gcheap_bench_support::{binary_trees, gcbench, small_alloc};

/// The depth of the acyclic binary-trees workload.
pub const TREES_DEPTH: u32 = 16;
/// The depth of its deeper group, run by the peers fast enough there.
pub const TREES_DEPTH_DEEP: u32 = 18;
/// The depth of the cyclic binary-trees workload.
pub const CYCLIC_DEPTH: u32 = 14;
/// Objects allocated by the small-object workload.
pub const SMALL_OBJECTS: u64 = 1_000_000;
/// Nodes per list in the small-object workload.
pub const LIST_LEN: u64 = 10;
/// Lists per batch (one `mutate` call for gcheap and gc-arena).
pub const LISTS_PER_BATCH: u64 = 100;

/// Allocations per run of the small-allocation workload, for each object size.
pub const SMALL_ALLOCS: u64 = 1_000_000;
/// Slots in the latency ring (gcheap's ring, shared with `examples/peer_latency.rs`, sets them).
pub const LATENCY_SLOTS: usize = latency_ring::SLOTS;
/// Bytes per latency-ring buffer.
pub const LATENCY_BUFFER: usize = latency_ring::BUFFER;
/// Pushes per latency run: the ring fills five times over.
pub const LATENCY_PUSHES: usize = 1_000_000;

/// The small-object workload's checksum: the sum of `0..SMALL_OBJECTS`.
pub fn small_objects_checksum() -> u64 {
    SMALL_OBJECTS * (SMALL_OBJECTS - 1) / 2
}

/// Runs the small-object workload: `batch(first)` builds and sums `LISTS_PER_BATCH` lists of
/// `LIST_LEN` nodes with payloads `first..`; returns the sum of every batch.
pub fn small_objects(mut batch: impl FnMut(u64) -> u64) -> u64 {
    (0..SMALL_OBJECTS)
        .step_by((LIST_LEN * LISTS_PER_BATCH) as usize)
        .map(&mut batch)
        .sum()
}

// ---------------------------------------------------------------------------------------------
// The workloads, written once for peers whose pointers are plain Rust values.

/// A binary-trees node pointer: a node has two children or none.
pub trait TreePtr: Sized {
    fn node(children: Option<(Self, Self)>) -> Self;
    fn left(&self) -> Option<&Self>;
    fn right(&self) -> Option<&Self>;
}

fn bottom_up<P: TreePtr>(depth: u32) -> P {
    P::node((depth > 0).then(|| (bottom_up(depth - 1), bottom_up(depth - 1))))
}

fn check<P: TreePtr>(node: &P) -> u64 {
    1 + node.left().map_or(0, check) + node.right().map_or(0, check)
}

/// Runs binary-trees on `P`'s trees; returns the checksum.
pub fn owned_trees<P: TreePtr>(max: u32) -> u64 {
    binary_trees::run_owned(max, bottom_up::<P>, check::<P>)
}

/// A binary-trees node pointer with a parent back edge, set after the node is built.
pub trait CyclicPtr: TreePtr {
    fn set_parent(child: &Self, parent: &Self);
    fn parent_is(child: &Self, parent: &Self) -> bool;
}

fn bottom_up_cyclic<P: CyclicPtr>(depth: u32) -> P {
    let children = (depth > 0).then(|| (bottom_up_cyclic(depth - 1), bottom_up_cyclic(depth - 1)));
    let node = P::node(children);
    for child in [node.left(), node.right()].into_iter().flatten() {
        P::set_parent(child, &node);
    }
    node
}

fn check_cyclic<P: CyclicPtr>(node: &P) -> u64 {
    let mut n = 1;
    for child in [node.left(), node.right()].into_iter().flatten() {
        assert!(P::parent_is(child, node), "a broken parent pointer");
        n += check_cyclic(child);
    }
    n
}

/// Runs the cyclic binary-trees on `P`'s trees; returns the checksum.
pub fn owned_cyclic_trees<P: CyclicPtr>(max: u32) -> u64 {
    binary_trees::run_owned(max, bottom_up_cyclic::<P>, check_cyclic::<P>)
}

/// A GCBench node pointer: children set after construction through a cell, two ints.
pub trait BenchPtr: Sized + Clone {
    /// The long-lived array's type.
    type Array;
    fn new(left: Option<Self>, right: Option<Self>) -> Self;
    fn set_children(&self, left: Self, right: Self);
    fn children(&self) -> [Option<Self>; 2];
    /// The node's two ints, added.
    fn ints(&self) -> u64;
    fn array(values: impl Iterator<Item = f64>) -> Self::Array;
    fn entry(array: &Self::Array, index: usize) -> f64;
}

fn populate<P: BenchPtr>(depth: u32, node: &P) -> u64 {
    if depth == 0 {
        return 0;
    }
    let (left, right) = (P::new(None, None), P::new(None, None));
    node.set_children(left.clone(), right.clone());
    2 + populate(depth - 1, &left) + populate(depth - 1, &right)
}

fn make_tree<P: BenchPtr>(depth: u32) -> (P, u64) {
    if depth == 0 {
        return (P::new(None, None), 1);
    }
    let (left, l) = make_tree::<P>(depth - 1);
    let (right, r) = make_tree::<P>(depth - 1);
    (P::new(Some(left), Some(right)), 1 + l + r)
}

fn count<P: BenchPtr>(node: &P) -> u64 {
    let mut n = 1 + node.ints();
    for child in node.children().into_iter().flatten() {
        n += count(&child);
    }
    n
}

/// GCBench's long-lived data for `P`.
struct OwnedBench<P: BenchPtr> {
    tree: Option<P>,
    array: Option<P::Array>,
}

impl<P: BenchPtr> gcbench::GcBench for OwnedBench<P> {
    fn make_tree(&mut self, depth: u32) -> u64 {
        make_tree::<P>(depth).1
    }

    fn populate(&mut self, depth: u32) -> u64 {
        1 + populate(depth, &P::new(None, None))
    }

    fn keep_long_lived_tree(&mut self, depth: u32) -> u64 {
        1 + populate(depth, self.tree.insert(P::new(None, None)))
    }

    fn keep_long_lived_array(&mut self) {
        self.array = Some(P::array((0..gcbench::ARRAY_SIZE).map(gcbench::array_value)));
    }

    fn check_long_lived(&mut self) -> u64 {
        let tree = self.tree.as_ref().expect("built above");
        let array = self.array.as_ref().expect("built above");
        count(tree) + gcbench::array_check(P::entry(black_box(array), 1000))
    }
}

/// Runs GCBench on `P`; returns the checksum.
pub fn owned_gcbench<P: BenchPtr>() -> u64 {
    gcbench::run(&mut OwnedBench::<P> {
        tree: None,
        array: None,
    })
}

/// A list node pointer for the small-object workload.
pub trait ListPtr: Sized {
    fn cons(value: u64, next: Option<Self>) -> Self;
    fn value(&self) -> u64;
    fn next(&self) -> Option<&Self>;
}

/// One batch of the small-object workload on `P`'s lists.
fn owned_batch<P: ListPtr>(first: u64) -> u64 {
    let mut sum = 0;
    for list in 0..LISTS_PER_BATCH {
        let start = first + list * LIST_LEN;
        let head = (start..start + LIST_LEN).fold(None, |next, value| Some(P::cons(value, next)));
        let mut link = head.as_ref();
        while let Some(l) = link {
            sum += l.value();
            link = l.next();
        }
    }
    sum
}

/// Runs the small-object workload on `P`'s lists; returns the checksum.
pub fn owned_small_objects<P: ListPtr>() -> u64 {
    small_objects(owned_batch::<P>)
}

/// Byte `j` of latency-ring buffer `i`.
#[inline(always)]
pub fn latency_byte(i: usize, j: usize) -> u8 {
    (i + j) as u8
}

/// What a buffer left in the ring adds to the checksum: its first plus its last byte.
pub fn latency_value(buffer: &[u8]) -> u64 {
    assert_eq!(buffer.len(), LATENCY_BUFFER, "a buffer of the wrong size");
    buffer[0] as u64 + buffer[LATENCY_BUFFER - 1] as u64
}

/// The latency ring's checksum after `LATENCY_PUSHES` pushes, from the closed form: each slot
/// holds the last buffer pushed into it.
pub fn latency_checksum() -> u64 {
    (0..LATENCY_SLOTS.min(LATENCY_PUSHES))
        .map(|slot| {
            let last = slot + (LATENCY_PUSHES - 1 - slot) / LATENCY_SLOTS * LATENCY_SLOTS;
            latency_byte(last, 0) as u64 + latency_byte(last, LATENCY_BUFFER - 1) as u64
        })
        .sum()
}

/// One peer's latency ring, built empty.
pub trait LatencyRing {
    /// Stores a fresh buffer `i` (byte `j` = `latency_byte(i, j)`) into slot
    /// `i % LATENCY_SLOTS`, letting the buffer there go.
    fn push(&mut self, i: usize);
    /// The sum over the slots of `latency_value` of the buffer there.
    fn checksum(&mut self) -> u64;
}

/// Pushes `times.len()` buffers into `ring`, each push timed with `Instant` into `times` (in
/// nanoseconds); returns the checksum. The ring is dropped on return: its teardown is part of
/// the run.
pub fn latency_run(mut ring: impl LatencyRing, times: &mut [u64]) -> u64 {
    for (i, time) in times.iter_mut().enumerate() {
        let start = Instant::now();
        ring.push(i);
        *time = start.elapsed().as_nanos() as u64;
    }
    ring.checksum()
}

/// A buffer type for the peers whose pointers are plain Rust values.
pub trait LatencyBuffer: Sized {
    /// Buffer `i`, filled.
    fn filled(i: usize) -> Self;
    fn bytes(&self) -> &[u8];
}

/// The latency ring of the peers whose pointers are plain Rust values: a `Vec` of slots.
struct OwnedRing<B> {
    slots: Vec<Option<B>>,
}

impl<B: LatencyBuffer> LatencyRing for OwnedRing<B> {
    fn push(&mut self, i: usize) {
        self.slots[i % LATENCY_SLOTS] = Some(B::filled(i));
    }

    fn checksum(&mut self) -> u64 {
        (self.slots.iter().flatten())
            .map(|b| latency_value(b.bytes()))
            .sum()
    }
}

/// Runs the latency ring on `B`'s buffers (see [`latency_run`]); returns the checksum.
pub fn owned_latency<B: LatencyBuffer>(times: &mut [u64]) -> u64 {
    let ring = OwnedRing::<B> {
        slots: (0..LATENCY_SLOTS).map(|_| None).collect(),
    };
    latency_run(ring, times)
}
