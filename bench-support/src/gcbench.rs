//! Hans Boehm's GCBench, shared by `benches/gcbench.rs`, `benches/peers/` and
//! `examples/peer_gcbench.rs`: the parameters, the driver, the checksum, and the gcheap and `Box`
//! implementations.
//!
//! The classic parameters: a stretch tree of depth 18, a long-lived tree of depth 16 (built
//! top-down), a long-lived array of 500,000 doubles, then for each depth `4..=16` step 2,
//! `NumIters(d) = 2 * TreeSize(18) / TreeSize(d)` trees built top-down (`Populate`, which fills
//! in the children of an existing node, so they sit in cells) and as many built bottom-up
//! (`MakeTree`). At the end the long-lived tree and array must still be intact.
//!
//! GCBench itself computes nothing; here each tree construction returns the number of nodes it
//! made, and the checksum adds those counts, the long-lived tree's node count (walked at the end)
//! and the long-lived array's entry 1000 (scaled).

pub const STRETCH_TREE_DEPTH: u32 = 18;
pub const LONG_LIVED_TREE_DEPTH: u32 = 16;
pub const ARRAY_SIZE: usize = 500_000;
pub const MIN_TREE_DEPTH: u32 = 4;
pub const MAX_TREE_DEPTH: u32 = 16;

/// Nodes in a complete binary tree of `depth` (GCBench's `TreeSize`).
pub fn tree_size(depth: u32) -> u64 {
    (1 << (depth + 1)) - 1
}

/// GCBench's `NumIters`: how many trees of `depth` to build each way.
pub fn num_iters(depth: u32) -> u64 {
    2 * tree_size(STRETCH_TREE_DEPTH) / tree_size(depth)
}

/// The long-lived array's contents: `1/i` in the first half (GCBench's loop, `1/0` included).
pub fn array_value(i: usize) -> f64 {
    if i < ARRAY_SIZE / 2 {
        1.0 / i as f64
    } else {
        0.0
    }
}

/// The checksum every variant must produce.
pub fn expected_checksum() -> u64 {
    let temporaries: u64 = (MIN_TREE_DEPTH..=MAX_TREE_DEPTH)
        .step_by(2)
        .map(|d| 2 * num_iters(d) * tree_size(d))
        .sum();
    let long_lived = tree_size(LONG_LIVED_TREE_DEPTH);
    tree_size(STRETCH_TREE_DEPTH) + long_lived + temporaries + long_lived + 1_000_000
}

/// Folds the array check into the checksum: entry 1000 must be `1/1000`.
pub fn array_check(x: f64) -> u64 {
    assert_eq!(x, 1.0 / 1000.0, "the long-lived array was corrupted");
    (x * 1e9).round() as u64
}

/// One implementation's steps of GCBench.
pub trait GcBench {
    /// Builds a temporary tree of `depth` bottom-up (`MakeTree`) and lets it go; returns the
    /// nodes made.
    fn make_tree(&mut self, depth: u32) -> u64;
    /// Builds a temporary tree of `depth` top-down (a node, then `Populate`) and lets it go;
    /// returns the nodes made.
    fn populate(&mut self, depth: u32) -> u64;
    /// Builds the long-lived tree of `depth` top-down and keeps it; returns the nodes made.
    fn keep_long_lived_tree(&mut self, depth: u32) -> u64;
    /// Builds the long-lived array (`array_value(0..ARRAY_SIZE)`) and keeps it.
    fn keep_long_lived_array(&mut self);
    /// Counts the long-lived tree's nodes plus `array_check` of the array's entry 1000.
    fn check_long_lived(&mut self) -> u64;
}

/// Runs GCBench's steps in order; returns the checksum.
pub fn run(bench: &mut impl GcBench) -> u64 {
    let mut sum = bench.make_tree(STRETCH_TREE_DEPTH);
    sum += bench.keep_long_lived_tree(LONG_LIVED_TREE_DEPTH);
    bench.keep_long_lived_array();
    for depth in (MIN_TREE_DEPTH..=MAX_TREE_DEPTH).step_by(2) {
        let iters = num_iters(depth);
        for _ in 0..iters {
            sum += bench.populate(depth);
        }
        for _ in 0..iters {
            sum += bench.make_tree(depth);
        }
    }
    sum + bench.check_long_lived()
}

/// gcheap: one `Heap` and one mutator per run; the long-lived tree and array are in the
/// mutator's root. Each temporary tree is built in its own `mutate` call, so the pacer can run
/// cycles between trees (this version starts its cycles only at `mutate` boundaries).
pub mod heap {
    use super::{ARRAY_SIZE, array_check, array_value};
    use gcheap::prelude::*;

    /// GCBench's node: two children (set after construction by `Populate`) and two ints.
    #[derive(Trace)]
    pub struct Node<'gc> {
        left: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
        right: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
        i: i32,
        j: i32,
    }

    impl<'gc> Node<'gc> {
        fn new(
            mc: &Mutation<'gc>,
            left: Option<Gc<'gc, Node<'gc>>>,
            right: Option<Gc<'gc, Node<'gc>>>,
        ) -> Gc<'gc, Node<'gc>> {
            Gc::new(
                mc,
                Node {
                    left: GcCell::new(left),
                    right: GcCell::new(right),
                    i: 0,
                    j: 0,
                },
            )
        }
    }

    /// Builds a tree top-down below `node`; returns the nodes allocated.
    fn populate<'gc>(mc: &Mutation<'gc>, depth: u32, node: Gc<'gc, Node<'gc>>) -> u64 {
        if depth == 0 {
            return 0;
        }
        let (left, right) = (Node::new(mc, None, None), Node::new(mc, None, None));
        node.left.set(mc, Some(left));
        node.right.set(mc, Some(right));
        2 + populate(mc, depth - 1, left) + populate(mc, depth - 1, right)
    }

    /// Builds a tree bottom-up; returns it and the nodes allocated.
    fn make_tree<'gc>(mc: &Mutation<'gc>, depth: u32) -> (Gc<'gc, Node<'gc>>, u64) {
        if depth == 0 {
            return (Node::new(mc, None, None), 1);
        }
        let (left, l) = make_tree(mc, depth - 1);
        let (right, r) = make_tree(mc, depth - 1);
        (Node::new(mc, Some(left), Some(right)), 1 + l + r)
    }

    fn count(node: &Node<'_>) -> u64 {
        let mut n = 1 + node.i as u64 + node.j as u64;
        for child in [node.left.get(), node.right.get()].into_iter().flatten() {
            n += count(&child);
        }
        n
    }

    /// The long-lived data, kept in the mutator's root.
    #[derive(Trace)]
    pub struct LongLived<'gc> {
        tree: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
        array: GcCell<'gc, Option<Gc<'gc, [f64]>>>,
    }

    struct HeapBench {
        m: Mutator<Rootable![LongLived<'_>]>,
    }

    impl super::GcBench for HeapBench {
        fn make_tree(&mut self, depth: u32) -> u64 {
            self.m.mutate(|mc, _| make_tree(mc, depth).1)
        }

        fn populate(&mut self, depth: u32) -> u64 {
            self.m.mutate(|mc, _| {
                let tree = Node::new(mc, None, None);
                1 + populate(mc, depth, tree)
            })
        }

        fn keep_long_lived_tree(&mut self, depth: u32) -> u64 {
            self.m.mutate(|mc, long| {
                let tree = Node::new(mc, None, None);
                long.tree.set(mc, Some(tree));
                1 + populate(mc, depth, tree)
            })
        }

        fn keep_long_lived_array(&mut self) {
            self.m.mutate(|mc, long| {
                let array = Gc::from_iter(mc, (0..ARRAY_SIZE).map(array_value));
                long.array.set(mc, Some(array));
            });
        }

        fn check_long_lived(&mut self) -> u64 {
            self.m.mutate(|_, long| {
                let tree = long.tree.get().expect("built above");
                let array = long.array.get().expect("built above");
                count(&tree) + array_check(array[1000])
            })
        }
    }

    /// Runs GCBench on a fresh heap; returns the checksum.
    pub fn run() -> u64 {
        let heap = Heap::default();
        let mut bench = HeapBench {
            m: heap.mutator::<Rootable![LongLived<'_>]>(|_| LongLived {
                tree: GcCell::new(None),
                array: GcCell::new(None),
            }),
        };
        super::run(&mut bench)
    }
}

/// `Box`: `Option<Box<Node>>` children (`Populate` fills them in through `&mut`) and a
/// `Vec<f64>`.
pub mod boxed {
    use super::{ARRAY_SIZE, array_check, array_value};
    use std::hint::black_box;

    /// GCBench's node, owning its children.
    pub struct Node {
        left: Option<Box<Node>>,
        right: Option<Box<Node>>,
        i: i32,
        j: i32,
    }

    impl Node {
        fn new(left: Option<Box<Node>>, right: Option<Box<Node>>) -> Box<Node> {
            Box::new(Node {
                left,
                right,
                i: 0,
                j: 0,
            })
        }
    }

    fn populate(depth: u32, node: &mut Node) -> u64 {
        if depth == 0 {
            return 0;
        }
        let left = node.left.insert(Node::new(None, None));
        let mut n = 2 + populate(depth - 1, left);
        let right = node.right.insert(Node::new(None, None));
        n += populate(depth - 1, right);
        n
    }

    fn make_tree(depth: u32) -> (Box<Node>, u64) {
        if depth == 0 {
            return (Node::new(None, None), 1);
        }
        let (left, l) = make_tree(depth - 1);
        let (right, r) = make_tree(depth - 1);
        (Node::new(Some(left), Some(right)), 1 + l + r)
    }

    fn count(node: &Node) -> u64 {
        let mut n = 1 + node.i as u64 + node.j as u64;
        for child in [&node.left, &node.right].into_iter().flatten() {
            n += count(child);
        }
        n
    }

    #[derive(Default)]
    struct BoxBench {
        tree: Option<Box<Node>>,
        array: Vec<f64>,
    }

    impl super::GcBench for BoxBench {
        fn make_tree(&mut self, depth: u32) -> u64 {
            make_tree(depth).1
        }

        fn populate(&mut self, depth: u32) -> u64 {
            let mut tree = Node::new(None, None);
            1 + populate(depth, &mut tree)
        }

        fn keep_long_lived_tree(&mut self, depth: u32) -> u64 {
            let tree = self.tree.insert(Node::new(None, None));
            1 + populate(depth, tree)
        }

        fn keep_long_lived_array(&mut self) {
            self.array = (0..ARRAY_SIZE).map(array_value).collect();
        }

        fn check_long_lived(&mut self) -> u64 {
            let tree = self.tree.as_deref().expect("built above");
            count(tree) + array_check(black_box(&self.array)[1000])
        }
    }

    /// Runs GCBench; returns the checksum.
    pub fn run() -> u64 {
        super::run(&mut BoxBench::default())
    }
}
