//! `std::rc::Rc`: `RefCell` for fields set after construction, `Weak` for parent pointers.

use crate::workloads::{
    self, LATENCY_BUFFER, latency_byte, owned_cyclic_trees, owned_gcbench, owned_latency,
    owned_small_objects, owned_trees,
};
use std::cell::RefCell;
use std::rc::{Rc, Weak};

/// A latency-ring buffer: `Rc<[u8]>`, one allocation (counts and bytes) collected from the
/// fill.
impl workloads::LatencyBuffer for Rc<[u8]> {
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

impl workloads::TreePtr for Rc<Node> {
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

impl workloads::TreePtr for Rc<CyclicNode> {
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

impl workloads::CyclicPtr for Rc<CyclicNode> {
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

impl workloads::BenchPtr for Rc<BenchNode> {
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

impl workloads::ListPtr for Rc<Link> {
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

/// Runs binary-trees at depth `max`; returns the checksum.
pub fn trees(max: u32) -> u64 {
    owned_trees::<Rc<Node>>(max)
}

/// Runs the cyclic binary-trees at depth `max`; returns the checksum.
pub fn cyclic_trees(max: u32) -> u64 {
    owned_cyclic_trees::<Rc<CyclicNode>>(max)
}

/// Runs GCBench; returns the checksum.
pub fn gcbench() -> u64 {
    owned_gcbench::<Rc<BenchNode>>()
}

/// Runs the small-object workload; returns the checksum.
pub fn small_objects() -> u64 {
    owned_small_objects::<Rc<Link>>()
}

/// Runs the latency ring, each push timed into `times`; returns the checksum.
pub fn latency(times: &mut [u64]) -> u64 {
    owned_latency::<Rc<[u8]>>(times)
}
