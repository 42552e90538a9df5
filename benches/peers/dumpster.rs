//! dumpster 2.1, thread-safe flavour: `dumpster::sync::Gc`, `Mutex` for fields set after
//! construction (strong parent pointers; the collector finds the cycles).

use crate::workloads::{
    self, LATENCY_BUFFER, latency_byte, owned_cyclic_trees, owned_gcbench, owned_latency,
    owned_small_objects, owned_trees,
};
use dumpster::Trace;
use dumpster::sync::Gc;
use std::sync::Mutex;

/// A latency-ring buffer: `Gc<[u8]>` through dumpster's `FromIterator` (which collects into
/// a `Vec` first and copies it into the `Gc`'s allocation).
impl workloads::LatencyBuffer for Gc<[u8]> {
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
#[derive(Trace)]
pub struct CyclicNode {
    left: Option<Gc<CyclicNode>>,
    right: Option<Gc<CyclicNode>>,
    parent: Mutex<Option<Gc<CyclicNode>>>,
}

impl workloads::TreePtr for Gc<CyclicNode> {
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

impl workloads::CyclicPtr for Gc<CyclicNode> {
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

impl workloads::BenchPtr for Gc<BenchNode> {
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

/// Runs `workload`, then a collection, so that each run pays for its own garbage.
fn then_collect(workload: impl FnOnce() -> u64) -> u64 {
    let sum = workload();
    dumpster::sync::collect();
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
    then_collect(|| owned_latency::<Gc<[u8]>>(times))
}
