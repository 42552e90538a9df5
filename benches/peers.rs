//! gcheap against its Rust peers: the same workloads, in the same run, each peer written the way
//! its crate is meant to be used.
//!
//! Workloads (criterion groups `peers/<workload>/<peer>`; every run asserts its checksum, so a
//! wrong result fails the bench instead of being timed):
//!
//! - `binary_trees_d16`: the Benchmarks Game's binary-trees at depth 16, exactly as
//!   `benches/binary_trees.rs` (stretch tree of depth 17, a long-lived tree of depth 16, then
//!   `2^(16 - d + 4)` trees of each depth `d in 4, 6, .., 16`); the checksum is the sum of the
//!   trees' node counts, asserted against the closed form.
//! - `binary_trees_d18`: the same at depth 18 (stretch tree of depth 19, long-lived tree of depth
//!   18, `2^(18 - d + 4)` trees of each depth `d in 4, 6, .., 18`). gc-arena and `gc` are left out:
//!   one `--test` run at depth 18 took 28.9 s (gc-arena) and 26.1 s (`gc`) against 4.3 s for
//!   gcheap, 2.2 s for rust-cc and 5.4 s for dumpster (their depth-16 runs: 3.3 s and 5.6 s;
//!   timed around the whole `--test` process on the 2-core dev machine, under other load).
//! - `cyclic_trees_d14`: the same at depth 14, but once a node is built its children get a back
//!   edge to it (a parent pointer), so every tree is full of cycles. The check also asserts every
//!   parent pointer; same checksum. `Box` is left out (it cannot express the back edges). Depth 14
//!   rather than 16 because at 16 rust-cc takes ~21 s and dumpster ~55 s per run (criterion needs
//!   at least 11 runs). This group runs last (see `criterion_group!` below).
//! - `gcbench`: Boehm's GCBench with its classic parameters, as `benches/gcbench.rs` (stretch tree
//!   of depth 18, long-lived tree of depth 16 built top-down and an array of 500,000 doubles, then
//!   temporary trees of depths 4..=16 built top-down through cells (`Populate`) and bottom-up
//!   (`MakeTree`)); the checksum counts every node made plus the long-lived data's check.
//! - `small_objects`: 1,000,000 list nodes of 16 bytes of payload (a `u64` and one optional
//!   pointer), built as lists of 10 that become garbage as soon as they are summed, in batches of
//!   100 lists; the checksum is the sum of the payloads (`0..1_000_000`).
//! - `small_alloc` (ids `<peer>/<size>`, throughput in allocations): allocation alone, against
//!   plain allocators. For each size of 16, 32 and 64 bytes, 1,000,000 objects of pointer-free
//!   payload (`[u64; size / 8]`, word `k` of object `i` = `i + k`), each stored into slot
//!   `i % 1024` of a ring, so the object it displaces dies. The checksum adds the first and last
//!   word of each object as it leaves the ring (`bench-support/src/small_alloc.rs`, shared with
//!   `examples/peer_small_alloc.rs`, the Go/Boehm comparison's gcheap side). Its peers are gcheap,
//!   `mimalloc` and `system` (`mimalloc::MiMalloc` and `std::alloc::System` called directly
//!   through `GlobalAlloc::alloc`/`dealloc` with the object's `Layout`, freeing each displaced
//!   object: neither is the global allocator) and `box` (`Box::new`, the global allocator:
//!   glibc's malloc). The Rust GC peers are left out: `small_objects` has them. gcheap allocates
//!   with `Gc::new`, 10,000 objects per `mutate` call, the ring a local array of `Gc` inside the
//!   call (a `Gc` is valid for the whole call that made it); between calls the ring is dropped and
//!   its 1024 objects die early, the only difference from the other peers' ring. Each size keeps
//!   one heap for all of its runs, as the allocators serve the whole process: the runs see the
//!   allocator's steady state and heap set-up is not timed.
//! - `latency` (as `benches/latency.rs`): a ring of 200,000 slots; push `i` stores a fresh 1 KiB
//!   byte buffer (byte `j` = `(i + j) as u8`) into slot `i % 200,000`, so about 200 MB stays live
//!   while garbage flows through; 1,000,000 pushes per run (the ring fills five times; every peer
//!   runs one in under 2 s). The checksum adds, over the slots, the first and last byte of the
//!   buffer there, asserted against the closed form. Criterion times whole runs, the building of
//!   the empty ring and its teardown (and the collection that ends a `gc`, rust-cc or dumpster
//!   run) included. Every push is also timed with `Instant` into a buffer allocated and written
//!   before the runs; each run's worst push and p99.9 push (the element at
//!   `round((n - 1) * 0.999)` of the sorted times, as `examples/peer_latency.rs` and the Go and
//!   Boehm peers compute it) are taken after its clock stops, and after the group a markdown
//!   table on stdout gives each peer's number of runs (warm-up runs included) and the medians
//!   over them of the worst push, the p99.9 push and the wall time. The two `Instant` reads per
//!   push stay inside the timed run, as in the other latency programs.
//!
//! Peers:
//!
//! - `gcheap`: one `Heap` and one mutator per run, one `mutate` call per tree or batch (a cycle's
//!   brief mark-start stop waits for a boundary; marking runs concurrently); cells are `GcCell`,
//!   the long-lived data is the root. The latency ring is `examples/peer_latency.rs`'s code
//!   (`bench-support/src/ring.rs`): the slots are `GcCell`s in a `Gc<[..]>`, the root, one
//!   `mutate` call per push, the buffer a `Gc<[u8]>`.
//! - `gc-arena` (0.7): one `Arena` per run, one `mutate` per tree or batch followed by
//!   `arena.collect_debt()` as its docs recommend; mutable pointer fields are `Lock` (its `Cell`,
//!   written through `unlock!(Gc::write(mc, ..), ..)`), the long-lived data is the root.
//!   Latency: one `mutate` and one `collect_debt` per push (the docs' pattern; they allow calling
//!   it less often, which this bench does not), the ring a `Gc<Vec<Lock<..>>>` root written
//!   through `Gc::write`, the buffer a `Gc<[u8; 1024]>` unsized with `unsize!` to `Gc<[u8]>`.
//! - `box`: `Box` and `Vec`, freed by ownership: the no-GC lower bound (no cyclic workload).
//!   Latency: a `Vec<Option<Box<[u8]>>>`.
//! - `rc`: `std::rc::Rc` with `RefCell` for mutable fields and `Weak` for the parent back edges.
//!   Latency: a `Vec<Option<Rc<[u8]>>>`.
//! - `gc` (rust-gc 0.5): `gc::Gc` with `GcCell` for mutable fields (strong back edges);
//!   `gc::force_collect()` at the end of each run so that a run pays for its own garbage.
//!   Latency: a `Vec<Option<Gc<[u8; 1024]>>>` (it cannot allocate a `Gc<[u8]>` on stable Rust;
//!   an inline array is one allocation that its collector's threshold counts in full).
//! - `rust-cc` (0.6): `rust_cc::Cc` with `RefCell` for mutable fields (strong back edges);
//!   `rust_cc::collect_cycles()` at the end of each run. Latency: a
//!   `Vec<Option<Cc<[u8; 1024]>>>`, for the same reason.
//! - `dumpster` (2.1): `dumpster::sync::Gc` with `Mutex` for mutable fields (strong back edges);
//!   `dumpster::sync::collect()` at the end of each run. Latency: a `Vec<Option<Gc<[u8]>>>`,
//!   collected from the fill.
//! - `mimalloc`, `system` (`small_alloc` only): see that workload.
//!
//! The workloads' algorithms are written once, generically, for the peers whose pointers are
//! plain Rust values (`TreePtr`, `CyclicPtr`, `BenchPtr`, `ListPtr`, `LatencyBuffer`: each peer
//! implements them for its node or buffer type); gcheap and gc-arena, whose pointers only live
//! inside `mutate`, have their own versions. The gcheap and `Box` implementations of
//! binary-trees and GCBench are the ones `benches/binary_trees.rs` and `benches/gcbench.rs` time
//! (`bench-support/src/`).
//!
//! Run with `cargo bench --bench peers -- --noplot` (add a filter to run one workload:
//! `-- --noplot latency`, `-- --noplot small_alloc`, `-- --noplot 'binary_trees_d18/'`, or one
//! variant: `-- --noplot 'small_alloc/gcheap/16$'`; `-- --test` runs each variant once).

use std::alloc::{GlobalAlloc, Layout, System, handle_alloc_error};
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{
    Bencher, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};

use gcheap_bench_support::ring as latency_ring;
use gcheap_bench_support::{binary_trees, gcbench, small_alloc};

/// The depth of the acyclic binary-trees workload.
const TREES_DEPTH: u32 = 16;
/// The depth of its deeper group, run by the peers fast enough there.
const TREES_DEPTH_DEEP: u32 = 18;
/// The depth of the cyclic binary-trees workload.
const CYCLIC_DEPTH: u32 = 14;
/// Objects allocated by the small-object workload.
const SMALL_OBJECTS: u64 = 1_000_000;
/// Nodes per list in the small-object workload.
const LIST_LEN: u64 = 10;
/// Lists per batch (one `mutate` call for gcheap and gc-arena).
const LISTS_PER_BATCH: u64 = 100;

/// Allocations per run of the small-allocation workload, for each object size.
const SMALL_ALLOCS: u64 = 1_000_000;
/// Slots in the latency ring (gcheap's ring, shared with `examples/peer_latency.rs`, sets them).
const LATENCY_SLOTS: usize = latency_ring::SLOTS;
/// Bytes per latency-ring buffer.
const LATENCY_BUFFER: usize = latency_ring::BUFFER;
/// Pushes per latency run: the ring fills five times over.
const LATENCY_PUSHES: usize = 1_000_000;

/// The small-object workload's checksum: the sum of `0..SMALL_OBJECTS`.
fn small_objects_checksum() -> u64 {
    SMALL_OBJECTS * (SMALL_OBJECTS - 1) / 2
}

/// Runs the small-object workload: `batch(first)` builds and sums `LISTS_PER_BATCH` lists of
/// `LIST_LEN` nodes with payloads `first..`; returns the sum of every batch.
fn small_objects(mut batch: impl FnMut(u64) -> u64) -> u64 {
    (0..SMALL_OBJECTS)
        .step_by((LIST_LEN * LISTS_PER_BATCH) as usize)
        .map(&mut batch)
        .sum()
}

// ---------------------------------------------------------------------------------------------
// The workloads, written once for peers whose pointers are plain Rust values.

/// A binary-trees node pointer: a node has two children or none.
trait TreePtr: Sized {
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
fn owned_trees<P: TreePtr>(max: u32) -> u64 {
    binary_trees::run_owned(max, bottom_up::<P>, check::<P>)
}

/// A binary-trees node pointer with a parent back edge, set after the node is built.
trait CyclicPtr: TreePtr {
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
fn owned_cyclic_trees<P: CyclicPtr>(max: u32) -> u64 {
    binary_trees::run_owned(max, bottom_up_cyclic::<P>, check_cyclic::<P>)
}

/// A GCBench node pointer: children set after construction through a cell, two ints.
trait BenchPtr: Sized + Clone {
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
fn owned_gcbench<P: BenchPtr>() -> u64 {
    gcbench::run(&mut OwnedBench::<P> {
        tree: None,
        array: None,
    })
}

/// A list node pointer for the small-object workload.
trait ListPtr: Sized {
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
fn owned_small_objects<P: ListPtr>() -> u64 {
    small_objects(owned_batch::<P>)
}

/// Byte `j` of latency-ring buffer `i`.
#[inline(always)]
fn latency_byte(i: usize, j: usize) -> u8 {
    (i + j) as u8
}

/// What a buffer left in the ring adds to the checksum: its first plus its last byte.
fn latency_value(buffer: &[u8]) -> u64 {
    assert_eq!(buffer.len(), LATENCY_BUFFER, "a buffer of the wrong size");
    buffer[0] as u64 + buffer[LATENCY_BUFFER - 1] as u64
}

/// The latency ring's checksum after `LATENCY_PUSHES` pushes, from the closed form: each slot
/// holds the last buffer pushed into it.
fn latency_checksum() -> u64 {
    (0..LATENCY_SLOTS.min(LATENCY_PUSHES))
        .map(|slot| {
            let last = slot + (LATENCY_PUSHES - 1 - slot) / LATENCY_SLOTS * LATENCY_SLOTS;
            latency_byte(last, 0) as u64 + latency_byte(last, LATENCY_BUFFER - 1) as u64
        })
        .sum()
}

/// One peer's latency ring, built empty.
trait LatencyRing {
    /// Stores a fresh buffer `i` (byte `j` = `latency_byte(i, j)`) into slot
    /// `i % LATENCY_SLOTS`, letting the buffer there go.
    fn push(&mut self, i: usize);
    /// The sum over the slots of `latency_value` of the buffer there.
    fn checksum(&mut self) -> u64;
}

/// Pushes `times.len()` buffers into `ring`, each push timed with `Instant` into `times` (in
/// nanoseconds); returns the checksum. The ring is dropped on return: its teardown is part of
/// the run.
fn latency_run(mut ring: impl LatencyRing, times: &mut [u64]) -> u64 {
    for (i, time) in times.iter_mut().enumerate() {
        let start = Instant::now();
        ring.push(i);
        *time = start.elapsed().as_nanos() as u64;
    }
    ring.checksum()
}

/// A buffer type for the peers whose pointers are plain Rust values.
trait LatencyBuffer: Sized {
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
fn owned_latency<B: LatencyBuffer>(times: &mut [u64]) -> u64 {
    let ring = OwnedRing::<B> {
        slots: (0..LATENCY_SLOTS).map(|_| None).collect(),
    };
    latency_run(ring, times)
}

// ---------------------------------------------------------------------------------------------
// The peers whose pointers are plain Rust values.

/// `Box` (acyclic workloads only; binary-trees and GCBench are in `bench-support/`).
mod boxed {
    use super::{LATENCY_BUFFER, latency_byte};

    /// A latency-ring buffer: one allocation, collected from the fill.
    impl super::LatencyBuffer for Box<[u8]> {
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

    impl super::ListPtr for Box<Link> {
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
}

/// `std::rc::Rc`: `RefCell` for fields set after construction, `Weak` for parent pointers.
mod rc {
    use super::{LATENCY_BUFFER, latency_byte};
    use std::cell::RefCell;
    use std::rc::{Rc, Weak};

    /// A latency-ring buffer: `Rc<[u8]>`, one allocation (counts and bytes) collected from the
    /// fill.
    impl super::LatencyBuffer for Rc<[u8]> {
        fn filled(i: usize) -> Self {
            (0..LATENCY_BUFFER).map(|j| latency_byte(i, j)).collect()
        }
        fn bytes(&self) -> &[u8] {
            self
        }
    }

    /// A binary-trees node.
    pub struct Node {
        left: Option<Rc<Node>>,
        right: Option<Rc<Node>>,
    }

    impl super::TreePtr for Rc<Node> {
        fn node(children: Option<(Self, Self)>) -> Self {
            let (left, right) = children.unzip();
            Rc::new(Node { left, right })
        }
        fn left(&self) -> Option<&Self> {
            self.left.as_ref()
        }
        fn right(&self) -> Option<&Self> {
            self.right.as_ref()
        }
    }

    /// A binary-trees node with a parent pointer.
    pub struct CyclicNode {
        left: Option<Rc<CyclicNode>>,
        right: Option<Rc<CyclicNode>>,
        parent: RefCell<Weak<CyclicNode>>,
    }

    impl super::TreePtr for Rc<CyclicNode> {
        fn node(children: Option<(Self, Self)>) -> Self {
            let (left, right) = children.unzip();
            let parent = RefCell::new(Weak::new());
            Rc::new(CyclicNode {
                left,
                right,
                parent,
            })
        }
        fn left(&self) -> Option<&Self> {
            self.left.as_ref()
        }
        fn right(&self) -> Option<&Self> {
            self.right.as_ref()
        }
    }

    impl super::CyclicPtr for Rc<CyclicNode> {
        fn set_parent(child: &Self, parent: &Self) {
            *child.parent.borrow_mut() = Rc::downgrade(parent);
        }
        fn parent_is(child: &Self, parent: &Self) -> bool {
            std::ptr::eq(child.parent.borrow().as_ptr(), Rc::as_ptr(parent))
        }
    }

    /// A GCBench node.
    pub struct BenchNode {
        left: RefCell<Option<Rc<BenchNode>>>,
        right: RefCell<Option<Rc<BenchNode>>>,
        i: i32,
        j: i32,
    }

    impl super::BenchPtr for Rc<BenchNode> {
        type Array = Rc<[f64]>;
        fn new(left: Option<Self>, right: Option<Self>) -> Self {
            Rc::new(BenchNode {
                left: RefCell::new(left),
                right: RefCell::new(right),
                i: 0,
                j: 0,
            })
        }
        fn set_children(&self, left: Self, right: Self) {
            *self.left.borrow_mut() = Some(left);
            *self.right.borrow_mut() = Some(right);
        }
        fn children(&self) -> [Option<Self>; 2] {
            [self.left.borrow().clone(), self.right.borrow().clone()]
        }
        fn ints(&self) -> u64 {
            self.i as u64 + self.j as u64
        }
        fn array(values: impl Iterator<Item = f64>) -> Self::Array {
            values.collect()
        }
        fn entry(array: &Self::Array, index: usize) -> f64 {
            array[index]
        }
    }

    /// A list node.
    pub struct Link {
        value: u64,
        next: Option<Rc<Link>>,
    }

    impl super::ListPtr for Rc<Link> {
        fn cons(value: u64, next: Option<Self>) -> Self {
            Rc::new(Link { value, next })
        }
        fn value(&self) -> u64 {
            self.value
        }
        fn next(&self) -> Option<&Self> {
            self.next.as_ref()
        }
    }
}

/// rust-gc (`gc` 0.5): `gc::Gc`, `GcCell` for fields set after construction (strong parent
/// pointers; the collector finds the cycles).
// gc_derive 0.5 wraps its impls in a `const _` (older synstructure), which this lint flags.
#[allow(non_local_definitions)]
mod rust_gc {
    use super::{LATENCY_BUFFER, latency_byte};
    use gc::{Finalize, Gc, GcCell, Trace};

    /// A latency-ring buffer: rust-gc can only allocate sized values (`Gc<[u8]>` needs nightly's
    /// unsizing), so the buffer is an inline array, one allocation that its collector's
    /// threshold counts in full (a `Gc<Vec<u8>>` would hide the bytes from it).
    impl super::LatencyBuffer for Gc<[u8; LATENCY_BUFFER]> {
        fn filled(i: usize) -> Self {
            Gc::new(std::array::from_fn(|j| latency_byte(i, j)))
        }
        fn bytes(&self) -> &[u8] {
            &**self
        }
    }

    /// A binary-trees node.
    #[derive(Trace, Finalize)]
    pub struct Node {
        left: Option<Gc<Node>>,
        right: Option<Gc<Node>>,
    }

    impl super::TreePtr for Gc<Node> {
        fn node(children: Option<(Self, Self)>) -> Self {
            let (left, right) = children.unzip();
            Gc::new(Node { left, right })
        }
        fn left(&self) -> Option<&Self> {
            self.left.as_ref()
        }
        fn right(&self) -> Option<&Self> {
            self.right.as_ref()
        }
    }

    /// A binary-trees node with a parent pointer.
    #[derive(Trace, Finalize)]
    pub struct CyclicNode {
        left: Option<Gc<CyclicNode>>,
        right: Option<Gc<CyclicNode>>,
        parent: GcCell<Option<Gc<CyclicNode>>>,
    }

    impl super::TreePtr for Gc<CyclicNode> {
        fn node(children: Option<(Self, Self)>) -> Self {
            let (left, right) = children.unzip();
            let parent = GcCell::new(None);
            Gc::new(CyclicNode {
                left,
                right,
                parent,
            })
        }
        fn left(&self) -> Option<&Self> {
            self.left.as_ref()
        }
        fn right(&self) -> Option<&Self> {
            self.right.as_ref()
        }
    }

    impl super::CyclicPtr for Gc<CyclicNode> {
        fn set_parent(child: &Self, parent: &Self) {
            *child.parent.borrow_mut() = Some(parent.clone());
        }
        fn parent_is(child: &Self, parent: &Self) -> bool {
            (child.parent.borrow().as_ref()).is_some_and(|p| Gc::ptr_eq(p, parent))
        }
    }

    /// A GCBench node.
    #[derive(Trace, Finalize)]
    pub struct BenchNode {
        left: GcCell<Option<Gc<BenchNode>>>,
        right: GcCell<Option<Gc<BenchNode>>>,
        i: i32,
        j: i32,
    }

    impl super::BenchPtr for Gc<BenchNode> {
        type Array = Gc<Vec<f64>>;
        fn new(left: Option<Self>, right: Option<Self>) -> Self {
            Gc::new(BenchNode {
                left: GcCell::new(left),
                right: GcCell::new(right),
                i: 0,
                j: 0,
            })
        }
        fn set_children(&self, left: Self, right: Self) {
            *self.left.borrow_mut() = Some(left);
            *self.right.borrow_mut() = Some(right);
        }
        fn children(&self) -> [Option<Self>; 2] {
            [self.left.borrow().clone(), self.right.borrow().clone()]
        }
        fn ints(&self) -> u64 {
            self.i as u64 + self.j as u64
        }
        fn array(values: impl Iterator<Item = f64>) -> Self::Array {
            Gc::new(values.collect())
        }
        fn entry(array: &Self::Array, index: usize) -> f64 {
            array[index]
        }
    }

    /// A list node.
    #[derive(Trace, Finalize)]
    pub struct Link {
        value: u64,
        next: Option<Gc<Link>>,
    }

    impl super::ListPtr for Gc<Link> {
        fn cons(value: u64, next: Option<Self>) -> Self {
            Gc::new(Link { value, next })
        }
        fn value(&self) -> u64 {
            self.value
        }
        fn next(&self) -> Option<&Self> {
            self.next.as_ref()
        }
    }

    /// Runs `workload`, then a full collection, so that each run pays for its own garbage.
    pub fn then_collect(workload: impl FnOnce() -> u64) -> u64 {
        let sum = workload();
        gc::force_collect();
        sum
    }
}

/// rust-cc 0.6: `rust_cc::Cc`, `RefCell` for fields set after construction (strong parent
/// pointers; the cycle collector finds the cycles).
mod rust_cc_peer {
    use super::{LATENCY_BUFFER, latency_byte};
    use rust_cc::{Cc, Finalize, Trace};
    use std::cell::RefCell;

    /// A latency-ring buffer: an inline array, as for rust-gc (`Cc<[u8]>` needs nightly).
    impl super::LatencyBuffer for Cc<[u8; LATENCY_BUFFER]> {
        fn filled(i: usize) -> Self {
            Cc::new(std::array::from_fn(|j| latency_byte(i, j)))
        }
        fn bytes(&self) -> &[u8] {
            &**self
        }
    }

    /// A binary-trees node.
    #[derive(Trace, Finalize)]
    pub struct Node {
        left: Option<Cc<Node>>,
        right: Option<Cc<Node>>,
    }

    impl super::TreePtr for Cc<Node> {
        fn node(children: Option<(Self, Self)>) -> Self {
            let (left, right) = children.unzip();
            Cc::new(Node { left, right })
        }
        fn left(&self) -> Option<&Self> {
            self.left.as_ref()
        }
        fn right(&self) -> Option<&Self> {
            self.right.as_ref()
        }
    }

    /// A binary-trees node with a parent pointer.
    #[derive(Trace, Finalize)]
    pub struct CyclicNode {
        left: Option<Cc<CyclicNode>>,
        right: Option<Cc<CyclicNode>>,
        parent: RefCell<Option<Cc<CyclicNode>>>,
    }

    impl super::TreePtr for Cc<CyclicNode> {
        fn node(children: Option<(Self, Self)>) -> Self {
            let (left, right) = children.unzip();
            let parent = RefCell::new(None);
            Cc::new(CyclicNode {
                left,
                right,
                parent,
            })
        }
        fn left(&self) -> Option<&Self> {
            self.left.as_ref()
        }
        fn right(&self) -> Option<&Self> {
            self.right.as_ref()
        }
    }

    impl super::CyclicPtr for Cc<CyclicNode> {
        fn set_parent(child: &Self, parent: &Self) {
            *child.parent.borrow_mut() = Some(parent.clone());
        }
        fn parent_is(child: &Self, parent: &Self) -> bool {
            (child.parent.borrow().as_ref()).is_some_and(|p| Cc::ptr_eq(p, parent))
        }
    }

    /// A GCBench node.
    #[derive(Trace, Finalize)]
    pub struct BenchNode {
        left: RefCell<Option<Cc<BenchNode>>>,
        right: RefCell<Option<Cc<BenchNode>>>,
        i: i32,
        j: i32,
    }

    impl super::BenchPtr for Cc<BenchNode> {
        type Array = Cc<Vec<f64>>;
        fn new(left: Option<Self>, right: Option<Self>) -> Self {
            Cc::new(BenchNode {
                left: RefCell::new(left),
                right: RefCell::new(right),
                i: 0,
                j: 0,
            })
        }
        fn set_children(&self, left: Self, right: Self) {
            *self.left.borrow_mut() = Some(left);
            *self.right.borrow_mut() = Some(right);
        }
        fn children(&self) -> [Option<Self>; 2] {
            [self.left.borrow().clone(), self.right.borrow().clone()]
        }
        fn ints(&self) -> u64 {
            self.i as u64 + self.j as u64
        }
        fn array(values: impl Iterator<Item = f64>) -> Self::Array {
            Cc::new(values.collect())
        }
        fn entry(array: &Self::Array, index: usize) -> f64 {
            array[index]
        }
    }

    /// A list node.
    #[derive(Trace, Finalize)]
    pub struct Link {
        value: u64,
        next: Option<Cc<Link>>,
    }

    impl super::ListPtr for Cc<Link> {
        fn cons(value: u64, next: Option<Self>) -> Self {
            Cc::new(Link { value, next })
        }
        fn value(&self) -> u64 {
            self.value
        }
        fn next(&self) -> Option<&Self> {
            self.next.as_ref()
        }
    }

    /// Runs `workload`, then a cycle collection, so that each run pays for its own garbage.
    pub fn then_collect(workload: impl FnOnce() -> u64) -> u64 {
        let sum = workload();
        rust_cc::collect_cycles();
        sum
    }
}

/// dumpster 2.1, thread-safe flavour: `dumpster::sync::Gc`, `Mutex` for fields set after
/// construction (strong parent pointers; the collector finds the cycles).
mod dumpster_peer {
    use super::{LATENCY_BUFFER, latency_byte};
    use dumpster::Trace;
    use dumpster::sync::Gc;
    use std::sync::Mutex;

    /// A latency-ring buffer: `Gc<[u8]>` through dumpster's `FromIterator` (which collects into
    /// a `Vec` first and copies it into the `Gc`'s allocation).
    impl super::LatencyBuffer for Gc<[u8]> {
        fn filled(i: usize) -> Self {
            (0..LATENCY_BUFFER).map(|j| latency_byte(i, j)).collect()
        }
        fn bytes(&self) -> &[u8] {
            self
        }
    }

    /// A binary-trees node.
    #[derive(Trace)]
    pub struct Node {
        left: Option<Gc<Node>>,
        right: Option<Gc<Node>>,
    }

    impl super::TreePtr for Gc<Node> {
        fn node(children: Option<(Self, Self)>) -> Self {
            let (left, right) = children.unzip();
            Gc::new(Node { left, right })
        }
        fn left(&self) -> Option<&Self> {
            self.left.as_ref()
        }
        fn right(&self) -> Option<&Self> {
            self.right.as_ref()
        }
    }

    /// A binary-trees node with a parent pointer.
    #[derive(Trace)]
    pub struct CyclicNode {
        left: Option<Gc<CyclicNode>>,
        right: Option<Gc<CyclicNode>>,
        parent: Mutex<Option<Gc<CyclicNode>>>,
    }

    impl super::TreePtr for Gc<CyclicNode> {
        fn node(children: Option<(Self, Self)>) -> Self {
            let (left, right) = children.unzip();
            let parent = Mutex::new(None);
            Gc::new(CyclicNode {
                left,
                right,
                parent,
            })
        }
        fn left(&self) -> Option<&Self> {
            self.left.as_ref()
        }
        fn right(&self) -> Option<&Self> {
            self.right.as_ref()
        }
    }

    impl super::CyclicPtr for Gc<CyclicNode> {
        fn set_parent(child: &Self, parent: &Self) {
            *child.parent.lock().unwrap() = Some(parent.clone());
        }
        fn parent_is(child: &Self, parent: &Self) -> bool {
            (child.parent.lock().unwrap().as_ref()).is_some_and(|p| Gc::ptr_eq(p, parent))
        }
    }

    /// A GCBench node.
    #[derive(Trace)]
    pub struct BenchNode {
        left: Mutex<Option<Gc<BenchNode>>>,
        right: Mutex<Option<Gc<BenchNode>>>,
        i: i32,
        j: i32,
    }

    impl super::BenchPtr for Gc<BenchNode> {
        type Array = Gc<Vec<f64>>;
        fn new(left: Option<Self>, right: Option<Self>) -> Self {
            Gc::new(BenchNode {
                left: Mutex::new(left),
                right: Mutex::new(right),
                i: 0,
                j: 0,
            })
        }
        fn set_children(&self, left: Self, right: Self) {
            *self.left.lock().unwrap() = Some(left);
            *self.right.lock().unwrap() = Some(right);
        }
        fn children(&self) -> [Option<Self>; 2] {
            [
                self.left.lock().unwrap().clone(),
                self.right.lock().unwrap().clone(),
            ]
        }
        fn ints(&self) -> u64 {
            self.i as u64 + self.j as u64
        }
        fn array(values: impl Iterator<Item = f64>) -> Self::Array {
            Gc::new(values.collect())
        }
        fn entry(array: &Self::Array, index: usize) -> f64 {
            array[index]
        }
    }

    /// A list node.
    #[derive(Trace)]
    pub struct Link {
        value: u64,
        next: Option<Gc<Link>>,
    }

    impl super::ListPtr for Gc<Link> {
        fn cons(value: u64, next: Option<Self>) -> Self {
            Gc::new(Link { value, next })
        }
        fn value(&self) -> u64 {
            self.value
        }
        fn next(&self) -> Option<&Self> {
            self.next.as_ref()
        }
    }

    /// Runs `workload`, then a collection, so that each run pays for its own garbage.
    pub fn then_collect(workload: impl FnOnce() -> u64) -> u64 {
        let sum = workload();
        dumpster::sync::collect();
        sum
    }
}

// ---------------------------------------------------------------------------------------------
// The peers whose pointers live only inside `mutate`.

/// gcheap's cyclic binary-trees and small objects (binary-trees and GCBench are in
/// `bench-support/`).
mod heap {
    use super::binary_trees::{self, Trees};
    use super::latency_ring::{self, RingRoot};
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
        for list in 0..super::LISTS_PER_BATCH {
            let start = first + list * super::LIST_LEN;
            let head = (start..start + super::LIST_LEN)
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
        super::small_objects(|first| m.mutate(|mc, _| batch(mc, first)))
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

    impl super::LatencyRing for LatencyRing {
        fn push(&mut self, i: usize) {
            self.m.mutate(|mc, ring| latency_ring::push(mc, ring, i));
        }

        fn checksum(&mut self) -> u64 {
            self.m.mutate(|_, ring| latency_ring::checksum(ring))
        }
    }
}

/// gc-arena 0.7: one `Arena` per run, `collect_debt` after every `mutate`; `Lock` for pointer
/// fields set after construction.
mod arena {
    use super::binary_trees::{self, Trees};
    use super::gcbench::{self, ARRAY_SIZE, GcBench, array_check, array_value};
    use gc_arena::barrier::unlock;
    use gc_arena::lock::Lock;
    use gc_arena::{Arena, Collect, Gc, Mutation, Rootable, unsize};

    /// A binary-trees node.
    #[derive(Collect)]
    #[collect(no_drop)]
    pub struct Node<'gc> {
        left: Option<Gc<'gc, Node<'gc>>>,
        right: Option<Gc<'gc, Node<'gc>>>,
    }

    fn bottom_up<'gc>(mc: &Mutation<'gc>, depth: u32) -> Gc<'gc, Node<'gc>> {
        let children = (depth > 0).then(|| (bottom_up(mc, depth - 1), bottom_up(mc, depth - 1)));
        let (left, right) = children.unzip();
        Gc::new(mc, Node { left, right })
    }

    fn check(node: &Node<'_>) -> u64 {
        1 + node.left.map_or(0, |n| check(&n)) + node.right.map_or(0, |n| check(&n))
    }

    type TreeRoot = Rootable![Option<Gc<'_, Node<'_>>>];

    struct ArenaTrees {
        arena: Arena<TreeRoot>,
    }

    impl Trees for ArenaTrees {
        fn temporary(&mut self, depth: u32) -> u64 {
            let n = self.arena.mutate(|mc, _| check(&bottom_up(mc, depth)));
            self.arena.collect_debt();
            n
        }

        fn keep_long_lived(&mut self, depth: u32) {
            self.arena
                .mutate_root(|mc, root| *root = Some(bottom_up(mc, depth)));
            self.arena.collect_debt();
        }

        fn check_long_lived(&mut self) -> u64 {
            self.arena
                .mutate(|_, root| check(&root.expect("built above")))
        }
    }

    /// Runs binary-trees on a fresh arena; returns the checksum.
    pub fn trees(max: u32) -> u64 {
        let mut trees = ArenaTrees {
            arena: Arena::new(|_| None),
        };
        binary_trees::run(&mut trees, max)
    }

    /// A binary-trees node with a parent pointer, set after the node is built.
    #[derive(Collect)]
    #[collect(no_drop)]
    pub struct CyclicNode<'gc> {
        left: Option<Gc<'gc, CyclicNode<'gc>>>,
        right: Option<Gc<'gc, CyclicNode<'gc>>>,
        parent: Lock<Option<Gc<'gc, CyclicNode<'gc>>>>,
    }

    fn bottom_up_cyclic<'gc>(mc: &Mutation<'gc>, depth: u32) -> Gc<'gc, CyclicNode<'gc>> {
        let children = (depth > 0).then(|| {
            (
                bottom_up_cyclic(mc, depth - 1),
                bottom_up_cyclic(mc, depth - 1),
            )
        });
        let (left, right) = children.unzip();
        let parent = Lock::new(None);
        let node = Gc::new(
            mc,
            CyclicNode {
                left,
                right,
                parent,
            },
        );
        for child in [left, right].into_iter().flatten() {
            unlock!(Gc::write(mc, child), CyclicNode, parent).set(Some(node));
        }
        node
    }

    fn check_cyclic<'gc>(node: Gc<'gc, CyclicNode<'gc>>) -> u64 {
        let mut n = 1;
        for child in [node.left, node.right].into_iter().flatten() {
            let parent = child.parent.get();
            assert!(
                parent.is_some_and(|p| Gc::ptr_eq(p, node)),
                "a broken parent pointer"
            );
            n += check_cyclic(child);
        }
        n
    }

    type CyclicRoot = Rootable![Option<Gc<'_, CyclicNode<'_>>>];

    struct CyclicTrees {
        arena: Arena<CyclicRoot>,
    }

    impl Trees for CyclicTrees {
        fn temporary(&mut self, depth: u32) -> u64 {
            let n = self
                .arena
                .mutate(|mc, _| check_cyclic(bottom_up_cyclic(mc, depth)));
            self.arena.collect_debt();
            n
        }

        fn keep_long_lived(&mut self, depth: u32) {
            self.arena
                .mutate_root(|mc, root| *root = Some(bottom_up_cyclic(mc, depth)));
            self.arena.collect_debt();
        }

        fn check_long_lived(&mut self) -> u64 {
            self.arena
                .mutate(|_, root| check_cyclic(root.expect("built above")))
        }
    }

    /// Runs the cyclic binary-trees on a fresh arena; returns the checksum.
    pub fn cyclic_trees(max: u32) -> u64 {
        let mut trees = CyclicTrees {
            arena: Arena::new(|_| None),
        };
        binary_trees::run(&mut trees, max)
    }

    /// GCBench's node: two children (set after construction by `Populate`) and two ints.
    #[derive(Collect)]
    #[collect(no_drop)]
    pub struct BenchNode<'gc> {
        left: Lock<Option<Gc<'gc, BenchNode<'gc>>>>,
        right: Lock<Option<Gc<'gc, BenchNode<'gc>>>>,
        i: i32,
        j: i32,
    }

    impl<'gc> BenchNode<'gc> {
        fn new(
            mc: &Mutation<'gc>,
            left: Option<Gc<'gc, BenchNode<'gc>>>,
            right: Option<Gc<'gc, BenchNode<'gc>>>,
        ) -> Gc<'gc, BenchNode<'gc>> {
            Gc::new(
                mc,
                BenchNode {
                    left: Lock::new(left),
                    right: Lock::new(right),
                    i: 0,
                    j: 0,
                },
            )
        }
    }

    fn populate<'gc>(mc: &Mutation<'gc>, depth: u32, node: Gc<'gc, BenchNode<'gc>>) -> u64 {
        if depth == 0 {
            return 0;
        }
        let (left, right) = (
            BenchNode::new(mc, None, None),
            BenchNode::new(mc, None, None),
        );
        let node = Gc::write(mc, node);
        unlock!(node, BenchNode, left).set(Some(left));
        unlock!(node, BenchNode, right).set(Some(right));
        2 + populate(mc, depth - 1, left) + populate(mc, depth - 1, right)
    }

    fn make_tree<'gc>(mc: &Mutation<'gc>, depth: u32) -> (Gc<'gc, BenchNode<'gc>>, u64) {
        if depth == 0 {
            return (BenchNode::new(mc, None, None), 1);
        }
        let (left, l) = make_tree(mc, depth - 1);
        let (right, r) = make_tree(mc, depth - 1);
        (BenchNode::new(mc, Some(left), Some(right)), 1 + l + r)
    }

    fn count(node: &BenchNode<'_>) -> u64 {
        let mut n = 1 + node.i as u64 + node.j as u64;
        for child in [node.left.get(), node.right.get()].into_iter().flatten() {
            n += count(&child);
        }
        n
    }

    /// GCBench's long-lived data, the arena's root.
    #[derive(Collect, Default)]
    #[collect(no_drop)]
    pub struct LongLived<'gc> {
        tree: Option<Gc<'gc, BenchNode<'gc>>>,
        array: Option<Gc<'gc, Vec<f64>>>,
    }

    struct ArenaBench {
        arena: Arena<Rootable![LongLived<'_>]>,
    }

    impl ArenaBench {
        /// One `mutate` call, then `collect_debt`.
        fn step<T>(&mut self, f: impl for<'gc> FnOnce(&'gc Mutation<'gc>) -> T) -> T {
            let result = self.arena.mutate(|mc, _| f(mc));
            self.arena.collect_debt();
            result
        }
    }

    impl GcBench for ArenaBench {
        fn make_tree(&mut self, depth: u32) -> u64 {
            self.step(|mc| make_tree(mc, depth).1)
        }

        fn populate(&mut self, depth: u32) -> u64 {
            self.step(|mc| 1 + populate(mc, depth, BenchNode::new(mc, None, None)))
        }

        fn keep_long_lived_tree(&mut self, depth: u32) -> u64 {
            let n = self.arena.mutate_root(|mc, long| {
                let tree = long.tree.insert(BenchNode::new(mc, None, None));
                1 + populate(mc, depth, *tree)
            });
            self.arena.collect_debt();
            n
        }

        fn keep_long_lived_array(&mut self) {
            self.arena.mutate_root(|mc, long| {
                let array = (0..ARRAY_SIZE).map(array_value).collect();
                long.array = Some(Gc::new(mc, array));
            });
            self.arena.collect_debt();
        }

        fn check_long_lived(&mut self) -> u64 {
            self.arena.mutate(|_, long| {
                let tree = long.tree.expect("built above");
                let array = long.array.expect("built above");
                count(&tree) + array_check(array[1000])
            })
        }
    }

    /// Runs GCBench on a fresh arena; returns the checksum.
    pub fn gcbench() -> u64 {
        let mut bench = ArenaBench {
            arena: Arena::new(|_| LongLived::default()),
        };
        gcbench::run(&mut bench)
    }

    /// A list node.
    #[derive(Collect)]
    #[collect(no_drop)]
    pub struct Link<'gc> {
        value: u64,
        next: Option<Gc<'gc, Link<'gc>>>,
    }

    fn batch(mc: &Mutation<'_>, first: u64) -> u64 {
        let mut sum = 0;
        for list in 0..super::LISTS_PER_BATCH {
            let start = first + list * super::LIST_LEN;
            let head = (start..start + super::LIST_LEN)
                .fold(None, |next, value| Some(Gc::new(mc, Link { value, next })));
            let mut link = head;
            while let Some(l) = link {
                sum += l.value;
                link = l.next;
            }
        }
        sum
    }

    /// Runs the small-object workload on a fresh arena, one `mutate` per batch.
    pub fn small_objects() -> u64 {
        let mut arena = Arena::<Rootable![()]>::new(|_| ());
        super::small_objects(|first| {
            let sum = arena.mutate(|mc, _| batch(mc, first));
            arena.collect_debt();
            sum
        })
    }

    /// The latency ring, the arena's root: a `Vec` of `Lock` slots in a `Gc`, written through
    /// `Gc::write` (gc-arena's safe barrier: during marking it turns the whole ring gray again,
    /// to be traced anew).
    type Ring<'gc> = Gc<'gc, Vec<Lock<Option<Gc<'gc, [u8]>>>>>;

    /// The latency ring on a fresh arena: one `mutate` per push followed by `collect_debt`, as
    /// the rest of this bench calls it (and as its docs recommend: the debt is paid in small
    /// increments, so each push pays for about its own allocation). The buffer is a
    /// `Gc<[u8; 1024]>` unsized to `Gc<[u8]>` with `unsize!` (gc-arena's way to make a slice
    /// object: one allocation).
    pub struct LatencyRing {
        arena: Arena<Rootable![Ring<'_>]>,
    }

    impl LatencyRing {
        pub fn new() -> LatencyRing {
            let arena = Arena::<Rootable![Ring<'_>]>::new(|mc| {
                let slots = (0..super::LATENCY_SLOTS).map(|_| Lock::new(None));
                Gc::new(mc, slots.collect())
            });
            LatencyRing { arena }
        }
    }

    impl super::LatencyRing for LatencyRing {
        fn push(&mut self, i: usize) {
            self.arena.mutate(|mc, ring| {
                let bytes: [u8; super::LATENCY_BUFFER] =
                    std::array::from_fn(|j| super::latency_byte(i, j));
                let buf = unsize!(Gc::new(mc, bytes) => [u8]);
                Gc::write(mc, *ring)[i % super::LATENCY_SLOTS]
                    .unlock()
                    .set(Some(buf));
            });
            self.arena.collect_debt();
        }

        fn checksum(&mut self) -> u64 {
            self.arena.mutate(|_, ring| {
                (ring.iter())
                    .filter_map(|s| s.get())
                    .map(|b| super::latency_value(&b))
                    .sum()
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The small-allocation workload's allocator peers (gcheap's is in `bench-support/`).

/// Allocates `n` objects of `W` words through `alloc`'s `GlobalAlloc` methods, called directly
/// (`alloc` is not the global allocator), each stored in a ring of raw pointers and freed when
/// it is displaced; returns the checksum.
fn raw_small_alloc<A: GlobalAlloc, const W: usize>(alloc: &A, n: u64) -> u64 {
    let layout = Layout::new::<[u64; W]>();
    let mut ring = [std::ptr::null_mut::<[u64; W]>(); small_alloc::RING];
    let mut sum = 0;
    let mut retire = |old: *mut [u64; W]| {
        if !old.is_null() {
            // SAFETY: `old` came from `alloc.alloc(layout)` below (same allocator, same layout),
            // was initialized there and is read and freed only here, once: it has just left the
            // ring, which held the only copy.
            unsafe {
                sum += small_alloc::value(&*old);
                alloc.dealloc(old.cast(), layout);
            }
        }
    };
    for i in 0..n {
        // SAFETY: the layout's size is not zero.
        let new = unsafe { alloc.alloc(layout) }.cast::<[u64; W]>();
        if new.is_null() {
            handle_alloc_error(layout);
        }
        // SAFETY: `new` is non-null (checked) and a fresh allocation of `layout`, which is the
        // array's own size and alignment; nothing else refers to it.
        unsafe { new.write(small_alloc::object::<W>(i)) };
        retire(std::mem::replace(
            &mut ring[i as usize % small_alloc::RING],
            new,
        ));
    }
    ring.into_iter().for_each(retire);
    sum
}

/// Allocates `n` objects of `W` words with `Box::new` (the global allocator, glibc's malloc
/// here), each stored in a ring of `Option<Box>` and dropped when it is displaced; returns the
/// checksum.
fn boxed_small_alloc<const W: usize>(n: u64) -> u64 {
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

// ---------------------------------------------------------------------------------------------
// Registration.

/// A group with the bench's sampling settings.
fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(format!("peers/{name}"));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    group
}

/// Times `run` on `b`, asserting every result against `expected` (`what` names the variant).
fn checked(b: &mut Bencher<'_>, what: &str, expected: u64, mut run: impl FnMut() -> u64) {
    b.iter(|| {
        let sum = run();
        assert_eq!(sum, expected, "{what} checksum");
        sum
    })
}

/// Times `run` as `peer`, asserting every result against `expected`.
fn bench(
    group: &mut BenchmarkGroup<'_, WallTime>,
    peer: &str,
    expected: u64,
    mut run: impl FnMut() -> u64,
) {
    group.bench_function(peer, |b| checked(b, peer, expected, &mut run));
}

/// binary-trees at `depth`. `all` adds the peers too slow for the deeper group (gc-arena and
/// rust-gc: see the module docs).
fn trees_at(c: &mut Criterion, depth: u32, all: bool) {
    let max = black_box(depth);
    let expected = binary_trees::expected_checksum(depth);
    let mut g = group(c, &format!("binary_trees_d{depth}"));
    bench(&mut g, "gcheap", expected, || binary_trees::heap::run(max));
    if all {
        bench(&mut g, "gc-arena", expected, || arena::trees(max));
    }
    bench(&mut g, "box", expected, || binary_trees::boxed::run(max));
    bench(&mut g, "rc", expected, || {
        owned_trees::<std::rc::Rc<rc::Node>>(max)
    });
    if all {
        bench(&mut g, "gc", expected, || {
            rust_gc::then_collect(|| owned_trees::<gc::Gc<rust_gc::Node>>(max))
        });
    }
    bench(&mut g, "rust-cc", expected, || {
        rust_cc_peer::then_collect(|| owned_trees::<rust_cc::Cc<rust_cc_peer::Node>>(max))
    });
    bench(&mut g, "dumpster", expected, || {
        dumpster_peer::then_collect(|| owned_trees::<dumpster::sync::Gc<dumpster_peer::Node>>(max))
    });
    g.finish();
}

fn trees(c: &mut Criterion) {
    trees_at(c, TREES_DEPTH, true);
}

fn trees_deep(c: &mut Criterion) {
    trees_at(c, TREES_DEPTH_DEEP, false);
}

fn cyclic_trees(c: &mut Criterion) {
    let max = black_box(CYCLIC_DEPTH);
    let expected = binary_trees::expected_checksum(CYCLIC_DEPTH);
    let mut g = group(c, &format!("cyclic_trees_d{CYCLIC_DEPTH}"));
    bench(&mut g, "gcheap", expected, || heap::cyclic_trees(max));
    bench(&mut g, "gc-arena", expected, || arena::cyclic_trees(max));
    bench(&mut g, "rc", expected, || {
        owned_cyclic_trees::<std::rc::Rc<rc::CyclicNode>>(max)
    });
    bench(&mut g, "gc", expected, || {
        rust_gc::then_collect(|| owned_cyclic_trees::<gc::Gc<rust_gc::CyclicNode>>(max))
    });
    bench(&mut g, "rust-cc", expected, || {
        rust_cc_peer::then_collect(|| {
            owned_cyclic_trees::<rust_cc::Cc<rust_cc_peer::CyclicNode>>(max)
        })
    });
    bench(&mut g, "dumpster", expected, || {
        dumpster_peer::then_collect(|| {
            owned_cyclic_trees::<dumpster::sync::Gc<dumpster_peer::CyclicNode>>(max)
        })
    });
    g.finish();
}

fn gcbench_peers(c: &mut Criterion) {
    let expected = gcbench::expected_checksum();
    let mut g = group(c, "gcbench");
    bench(&mut g, "gcheap", expected, gcbench::heap::run);
    bench(&mut g, "gc-arena", expected, arena::gcbench);
    bench(&mut g, "box", expected, gcbench::boxed::run);
    bench(
        &mut g,
        "rc",
        expected,
        owned_gcbench::<std::rc::Rc<rc::BenchNode>>,
    );
    bench(&mut g, "gc", expected, || {
        rust_gc::then_collect(owned_gcbench::<gc::Gc<rust_gc::BenchNode>>)
    });
    bench(&mut g, "rust-cc", expected, || {
        rust_cc_peer::then_collect(owned_gcbench::<rust_cc::Cc<rust_cc_peer::BenchNode>>)
    });
    bench(&mut g, "dumpster", expected, || {
        dumpster_peer::then_collect(owned_gcbench::<dumpster::sync::Gc<dumpster_peer::BenchNode>>)
    });
    g.finish();
}

fn small_objects_peers(c: &mut Criterion) {
    let expected = small_objects_checksum();
    let mut g = group(c, "small_objects");
    bench(&mut g, "gcheap", expected, heap::small_objects);
    bench(&mut g, "gc-arena", expected, arena::small_objects);
    bench(
        &mut g,
        "box",
        expected,
        owned_small_objects::<Box<boxed::Link>>,
    );
    bench(
        &mut g,
        "rc",
        expected,
        owned_small_objects::<std::rc::Rc<rc::Link>>,
    );
    bench(&mut g, "gc", expected, || {
        rust_gc::then_collect(owned_small_objects::<gc::Gc<rust_gc::Link>>)
    });
    bench(&mut g, "rust-cc", expected, || {
        rust_cc_peer::then_collect(owned_small_objects::<rust_cc::Cc<rust_cc_peer::Link>>)
    });
    bench(&mut g, "dumpster", expected, || {
        dumpster_peer::then_collect(owned_small_objects::<dumpster::sync::Gc<dumpster_peer::Link>>)
    });
    g.finish();
}

/// One object size of the small-allocation group: `peer/size` for each peer.
fn small_alloc_size<const W: usize>(g: &mut BenchmarkGroup<'_, WallTime>) {
    let size = W * 8;
    let n = black_box(SMALL_ALLOCS);
    let expected = small_alloc::expected_checksum::<W>(SMALL_ALLOCS);
    let mut sized = |peer: &str, run: &mut dyn FnMut() -> u64| {
        let what = format!("{peer} at {size} B");
        g.bench_function(BenchmarkId::new(peer, size), |b| {
            checked(b, &what, expected, &mut *run)
        });
    };
    // One heap for all of this size's runs, as the other peers' allocators serve the whole
    // process: the runs measure the allocator in its steady state, and heap set-up is untimed.
    let mut m = small_alloc::heap::mutator();
    sized("gcheap", &mut || small_alloc::heap::run::<W>(&mut m, n));
    sized("mimalloc", &mut || {
        raw_small_alloc::<_, W>(&mimalloc::MiMalloc, n)
    });
    sized("system", &mut || raw_small_alloc::<_, W>(&System, n));
    sized("box", &mut || boxed_small_alloc::<W>(n));
}

fn small_alloc_peers(c: &mut Criterion) {
    let mut g = group(c, "small_alloc");
    g.throughput(Throughput::Elements(SMALL_ALLOCS));
    small_alloc_size::<2>(&mut g);
    small_alloc_size::<4>(&mut g);
    small_alloc_size::<8>(&mut g);
    g.finish();
}

/// One peer's push-latency figures, one entry per run (warm-up runs included).
struct LatencyRuns {
    peer: &'static str,
    worst_ns: Vec<u64>,
    p999_ns: Vec<u64>,
    wall: Vec<Duration>,
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Times whole latency runs of `peer` (`run` fills `times`, one entry per push, and returns the
/// checksum), asserting every checksum, and records each run's worst and p99.9 push and wall
/// time. `times` is allocated and touched by the caller, so the timed region holds only the run
/// itself; the figures are computed after its clock stops.
fn latency_bench(
    g: &mut BenchmarkGroup<'_, WallTime>,
    peer: &'static str,
    times: &mut [u64],
    run: impl Fn(&mut [u64]) -> u64,
) -> LatencyRuns {
    let expected = latency_checksum();
    let mut runs = LatencyRuns {
        peer,
        worst_ns: Vec::new(),
        p999_ns: Vec::new(),
        wall: Vec::new(),
    };
    g.bench_function(peer, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let sum = black_box(run(times));
                let wall = start.elapsed();
                total += wall;
                assert_eq!(sum, expected, "{peer} checksum");
                // The same percentile as `examples/peer_latency.rs` and the Go and Boehm peers.
                times.sort_unstable();
                let n = times.len();
                runs.worst_ns.push(times[n - 1]);
                runs.p999_ns
                    .push(times[((n - 1) as f64 * 0.999).round() as usize]);
                runs.wall.push(wall);
            }
            total
        })
    });
    runs
}

fn latency_peers(c: &mut Criterion) {
    let mut g = group(c, "latency");
    // Written in full here (not zeroed: that could leave its pages unmapped until the first run
    // writes them, inside the timed region), and reused by every run.
    let mut times = vec![u64::MAX; LATENCY_PUSHES];
    let t = &mut times[..];
    let mut peers = vec![
        latency_bench(&mut g, "gcheap", t, |t| {
            latency_run(heap::LatencyRing::new(), t)
        }),
        latency_bench(&mut g, "gc-arena", t, |t| {
            latency_run(arena::LatencyRing::new(), t)
        }),
        latency_bench(&mut g, "box", t, owned_latency::<Box<[u8]>>),
        latency_bench(&mut g, "rc", t, owned_latency::<std::rc::Rc<[u8]>>),
        latency_bench(&mut g, "gc", t, |t| {
            rust_gc::then_collect(|| owned_latency::<gc::Gc<[u8; LATENCY_BUFFER]>>(t))
        }),
        latency_bench(&mut g, "rust-cc", t, |t| {
            rust_cc_peer::then_collect(|| owned_latency::<rust_cc::Cc<[u8; LATENCY_BUFFER]>>(t))
        }),
        latency_bench(&mut g, "dumpster", t, |t| {
            dumpster_peer::then_collect(|| owned_latency::<dumpster::sync::Gc<[u8]>>(t))
        }),
    ];
    g.finish();
    // Peers that a filter left out have no runs.
    peers.retain(|p| !p.wall.is_empty());
    if peers.is_empty() {
        return;
    }
    println!();
    println!(
        "peers/latency: {LATENCY_SLOTS} slots, {LATENCY_PUSHES} pushes of {LATENCY_BUFFER} B; \
         medians over the runs (warm-up runs included)"
    );
    println!();
    println!("| peer | runs | worst push (ms) | p99.9 push (µs) | wall per run (s) |");
    println!("|---|---:|---:|---:|---:|");
    for p in peers {
        let ms = |ns: &[u64]| ns.iter().map(|&ns| ns as f64 / 1e6).collect();
        let us = |ns: &[u64]| ns.iter().map(|&ns| ns as f64 / 1e3).collect();
        let s = p.wall.iter().map(Duration::as_secs_f64).collect();
        println!(
            "| {} | {} | {:.2} | {:.1} | {:.2} |",
            p.peer,
            p.wall.len(),
            median(ms(&p.worst_ns)),
            median(us(&p.p999_ns)),
            median(s),
        );
    }
    println!();
}

// The cyclic workload runs last: dumpster leaves the process's malloc heap large (its cyclic run
// peaks near 900 MB before its collections catch up) and everything timed after it, `Box`
// included, ran 2-3x slower in a trial run.
criterion_group!(
    benches,
    trees,
    trees_deep,
    gcbench_peers,
    small_objects_peers,
    small_alloc_peers,
    latency_peers,
    cyclic_trees
);
criterion_main!(benches);
