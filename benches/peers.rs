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
//!
//! Peers:
//!
//! - `gcheap`: one `Heap` and one mutator per run, one `mutate` call per tree or batch (a cycle's
//!   brief mark-start stop waits for a boundary; marking runs concurrently); cells are `GcCell`, the long-lived data is the root.
//! - `gc-arena` (0.7): one `Arena` per run, one `mutate` per tree or batch followed by
//!   `arena.collect_debt()` as its docs recommend; mutable pointer fields are `Lock` (its `Cell`,
//!   written through `unlock!(Gc::write(mc, ..), ..)`), the long-lived data is the root.
//! - `box`: `Box` and `Vec`, freed by ownership: the no-GC lower bound (no cyclic workload).
//! - `rc`: `std::rc::Rc` with `RefCell` for mutable fields and `Weak` for the parent back edges.
//! - `gc` (rust-gc 0.5): `gc::Gc` with `GcCell` for mutable fields (strong back edges);
//!   `gc::force_collect()` at the end of each run so that a run pays for its own garbage.
//! - `rust-cc` (0.6): `rust_cc::Cc` with `RefCell` for mutable fields (strong back edges);
//!   `rust_cc::collect_cycles()` at the end of each run.
//! - `dumpster` (2.1): `dumpster::sync::Gc` with `Mutex` for mutable fields (strong back edges);
//!   `dumpster::sync::collect()` at the end of each run.
//!
//! The workloads' algorithms are written once, generically, for the peers whose pointers are
//! plain Rust values (`TreePtr`, `CyclicPtr`, `BenchPtr`, `ListPtr`: each peer implements them
//! for its node type); gcheap and gc-arena, whose pointers only live inside `mutate`, have their
//! own versions. The gcheap and `Box` implementations of binary-trees and GCBench are the ones
//! `benches/binary_trees.rs` and `benches/gcbench.rs` time (`benches/common/`).
//!
//! Run with `cargo bench --bench peers -- --noplot` (add a filter such as `gcbench` to run one
//! workload; `-- --test` runs each variant once).

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, criterion_group, criterion_main};

#[path = "common/binary_trees.rs"]
mod binary_trees;
#[path = "common/gcbench.rs"]
mod gcbench;

/// The depth of the acyclic binary-trees workload.
const TREES_DEPTH: u32 = 16;
/// The depth of the cyclic binary-trees workload.
const CYCLIC_DEPTH: u32 = 14;
/// Objects allocated by the small-object workload.
const SMALL_OBJECTS: u64 = 1_000_000;
/// Nodes per list in the small-object workload.
const LIST_LEN: u64 = 10;
/// Lists per batch (one `mutate` call for gcheap and gc-arena).
const LISTS_PER_BATCH: u64 = 100;

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

// ---------------------------------------------------------------------------------------------
// The peers whose pointers are plain Rust values.

/// `Box` (acyclic workloads only; binary-trees and GCBench are in `benches/common/`).
mod boxed {
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
    use std::cell::RefCell;
    use std::rc::{Rc, Weak};

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
    use gc::{Finalize, Gc, GcCell, Trace};

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
    use rust_cc::{Cc, Finalize, Trace};
    use std::cell::RefCell;

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
    use dumpster::Trace;
    use dumpster::sync::Gc;
    use std::sync::Mutex;

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
/// `benches/common/`).
mod heap {
    use super::binary_trees::{self, Trees};
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
}

/// gc-arena 0.7: one `Arena` per run, `collect_debt` after every `mutate`; `Lock` for pointer
/// fields set after construction.
mod arena {
    use super::binary_trees::{self, Trees};
    use super::gcbench::{self, ARRAY_SIZE, GcBench, array_check, array_value};
    use gc_arena::barrier::unlock;
    use gc_arena::lock::Lock;
    use gc_arena::{Arena, Collect, Gc, Mutation, Rootable};

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

/// Times `run` as `peer`, asserting every result against `expected`.
fn bench(
    group: &mut BenchmarkGroup<'_, WallTime>,
    peer: &str,
    expected: u64,
    run: impl Fn() -> u64,
) {
    group.bench_function(peer, |b| {
        b.iter(|| {
            let sum = run();
            assert_eq!(sum, expected, "{peer} checksum");
            sum
        })
    });
}

fn trees(c: &mut Criterion) {
    let max = black_box(TREES_DEPTH);
    let expected = binary_trees::expected_checksum(TREES_DEPTH);
    let mut g = group(c, &format!("binary_trees_d{TREES_DEPTH}"));
    bench(&mut g, "gcheap", expected, || binary_trees::heap::run(max));
    bench(&mut g, "gc-arena", expected, || arena::trees(max));
    bench(&mut g, "box", expected, || binary_trees::boxed::run(max));
    bench(&mut g, "rc", expected, || {
        owned_trees::<std::rc::Rc<rc::Node>>(max)
    });
    bench(&mut g, "gc", expected, || {
        rust_gc::then_collect(|| owned_trees::<gc::Gc<rust_gc::Node>>(max))
    });
    bench(&mut g, "rust-cc", expected, || {
        rust_cc_peer::then_collect(|| owned_trees::<rust_cc::Cc<rust_cc_peer::Node>>(max))
    });
    bench(&mut g, "dumpster", expected, || {
        dumpster_peer::then_collect(|| owned_trees::<dumpster::sync::Gc<dumpster_peer::Node>>(max))
    });
    g.finish();
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

// The cyclic workload runs last: dumpster leaves the process's malloc heap large (its cyclic run
// peaks near 900 MB before its collections catch up) and everything timed after it, `Box`
// included, ran 2-3x slower in a trial run.
criterion_group!(
    benches,
    trees,
    gcbench_peers,
    small_objects_peers,
    cyclic_trees
);
criterion_main!(benches);
