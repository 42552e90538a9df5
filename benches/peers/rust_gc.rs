//! rust-gc (`gc` 0.5): `gc::Gc`, `GcCell` for fields set after construction (strong parent
//! pointers; the collector finds the cycles).

// gc_derive 0.5 wraps its impls in a `const _` (older synstructure), which this lint flags.
#![allow(non_local_definitions)]

use crate::workloads::{
    self, LATENCY_BUFFER, latency_byte, owned_cyclic_trees, owned_gcbench, owned_latency,
    owned_small_objects, owned_trees,
};
use gc::{Finalize, Gc, GcCell, Trace};

/// A latency-ring buffer: rust-gc can only allocate sized values (`Gc<[u8]>` needs nightly's
/// unsizing), so the buffer is an inline array, one allocation that its collector's
/// threshold counts in full (a `Gc<Vec<u8>>` would hide the bytes from it).
impl workloads::LatencyBuffer for Gc<[u8; LATENCY_BUFFER]> {
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

impl workloads::TreePtr for Gc<Node> {
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

impl workloads::TreePtr for Gc<CyclicNode> {
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

impl workloads::CyclicPtr for Gc<CyclicNode> {
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

impl workloads::BenchPtr for Gc<BenchNode> {
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

impl workloads::ListPtr for Gc<Link> {
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
fn then_collect(workload: impl FnOnce() -> u64) -> u64 {
    let sum = workload();
    gc::force_collect();
    sum
}

/// Runs binary-trees at depth `max`; returns the checksum.
pub fn trees(max: u32) -> u64 {
    then_collect(|| owned_trees::<Gc<Node>>(max))
}

/// Runs the cyclic binary-trees at depth `max`; returns the checksum.
pub fn cyclic_trees(max: u32) -> u64 {
    then_collect(|| owned_cyclic_trees::<Gc<CyclicNode>>(max))
}

/// Runs GCBench; returns the checksum.
pub fn gcbench() -> u64 {
    then_collect(owned_gcbench::<Gc<BenchNode>>)
}

/// Runs the small-object workload; returns the checksum.
pub fn small_objects() -> u64 {
    then_collect(owned_small_objects::<Gc<Link>>)
}

/// Runs the latency ring, each push timed into `times`; returns the checksum.
pub fn latency(times: &mut [u64]) -> u64 {
    then_collect(|| owned_latency::<Gc<[u8; LATENCY_BUFFER]>>(times))
}
