//! rust-cc 0.6: `rust_cc::Cc`, `RefCell` for fields set after construction (strong parent
//! pointers; the cycle collector finds the cycles).

use crate::workloads::{
    self, LATENCY_BUFFER, latency_byte, owned_cyclic_trees, owned_gcbench, owned_latency,
    owned_small_objects, owned_trees,
};
use rust_cc::{Cc, Finalize, Trace};
use std::cell::RefCell;

/// A latency-ring buffer: an inline array, as for rust-gc (`Cc<[u8]>` needs nightly).
impl workloads::LatencyBuffer for Cc<[u8; LATENCY_BUFFER]> {
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

impl workloads::TreePtr for Cc<Node> {
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

impl workloads::TreePtr for Cc<CyclicNode> {
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

impl workloads::CyclicPtr for Cc<CyclicNode> {
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

impl workloads::BenchPtr for Cc<BenchNode> {
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

impl workloads::ListPtr for Cc<Link> {
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
fn then_collect(workload: impl FnOnce() -> u64) -> u64 {
    let sum = workload();
    rust_cc::collect_cycles();
    sum
}

/// Runs binary-trees at depth `max`; returns the checksum.
pub fn trees(max: u32) -> u64 {
    then_collect(|| owned_trees::<Cc<Node>>(max))
}

/// Runs the cyclic binary-trees at depth `max`; returns the checksum.
pub fn cyclic_trees(max: u32) -> u64 {
    then_collect(|| owned_cyclic_trees::<Cc<CyclicNode>>(max))
}

/// Runs GCBench; returns the checksum.
pub fn gcbench() -> u64 {
    then_collect(owned_gcbench::<Cc<BenchNode>>)
}

/// Runs the small-object workload; returns the checksum.
pub fn small_objects() -> u64 {
    then_collect(owned_small_objects::<Cc<Link>>)
}

/// Runs the latency ring, each push timed into `times`; returns the checksum.
pub fn latency(times: &mut [u64]) -> u64 {
    then_collect(|| owned_latency::<Cc<[u8; LATENCY_BUFFER]>>(times))
}
