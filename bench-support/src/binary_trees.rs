//! The binary-trees workload (the Computer Language Benchmarks Game's), shared by
//! `benches/binary_trees.rs`, `benches/peers/` and `examples/peer_binary_trees.rs`: the driver,
//! the checksum, and the gcheap and `Box` implementations.
//!
//! For a maximum depth `max` (minimum depth 4): build and check a stretch tree of depth
//! `max + 1`, build a long-lived tree of depth `max`, then for each depth
//! `d in (4..=max).step_by(2)` build and check `2^(max - d + 4)` trees of depth `d`, and finally
//! check the long-lived tree again. A tree's check is its node count; the checksum is the sum of every check.

/// The minimum tree depth of the workload.
pub const MIN_DEPTH: u32 = 4;

/// Nodes in a complete binary tree of `depth` (a lone leaf has depth 0).
pub fn tree_size(depth: u32) -> u64 {
    (1 << (depth + 1)) - 1
}

/// The checksum every variant must produce: the sum of every tree's node count.
pub fn expected_checksum(max: u32) -> u64 {
    let stretch = tree_size(max + 1);
    let long_lived = tree_size(max);
    let iterations: u64 = (MIN_DEPTH..=max)
        .step_by(2)
        .map(|d| (1u64 << (max - d + MIN_DEPTH)) * tree_size(d))
        .sum();
    stretch + iterations + long_lived
}

/// One implementation's steps of the workload.
pub trait Trees {
    /// Builds a temporary tree of `depth`, checks it and lets it go; returns the check.
    fn temporary(&mut self, depth: u32) -> u64;
    /// Builds the long-lived tree of `depth` and keeps it.
    fn keep_long_lived(&mut self, depth: u32);
    /// Checks the long-lived tree.
    fn check_long_lived(&mut self) -> u64;
}

/// Runs the workload's steps in order; returns the checksum.
pub fn run(trees: &mut impl Trees, max: u32) -> u64 {
    let mut sum = trees.temporary(max + 1);
    trees.keep_long_lived(max);
    for d in (MIN_DEPTH..=max).step_by(2) {
        for _ in 0..1u64 << (max - d + MIN_DEPTH) {
            sum += trees.temporary(d);
        }
    }
    sum + trees.check_long_lived()
}

/// [`Trees`] for trees that are plain Rust values (`Box`, `Rc` and the like): a build and a
/// check function; the long-lived tree is kept in a local.
pub struct Owned<T> {
    build: fn(u32) -> T,
    check: fn(&T) -> u64,
    long_lived: Option<T>,
}

impl<T> Trees for Owned<T> {
    fn temporary(&mut self, depth: u32) -> u64 {
        (self.check)(&(self.build)(depth))
    }

    fn keep_long_lived(&mut self, depth: u32) {
        self.long_lived = Some((self.build)(depth));
    }

    fn check_long_lived(&mut self) -> u64 {
        (self.check)(self.long_lived.as_ref().expect("built above"))
    }
}

/// Runs the workload on trees built by `build` and checked by `check`; returns the checksum.
pub fn run_owned<T>(max: u32, build: fn(u32) -> T, check: fn(&T) -> u64) -> u64 {
    let mut trees = Owned {
        build,
        check,
        long_lived: None,
    };
    run(&mut trees, max)
}

/// gcheap: one `Heap` and one mutator per run. Nodes are immutable and built bottom-up, so
/// they need no cells; the long-lived tree sits in the mutator's root (a `GcCell`). Each tree
/// is built and checked in its own `mutate` call, so the pacer can run cycles between trees (this
/// version starts its cycles only at `mutate` boundaries).
pub mod heap {
    use gcheap::prelude::*;

    /// A tree node in the gcheap heap: immutable once built.
    #[derive(Trace)]
    pub struct Node<'gc> {
        left: Option<Gc<'gc, Node<'gc>>>,
        right: Option<Gc<'gc, Node<'gc>>>,
    }

    fn bottom_up<'gc>(mc: &Mutation<'gc>, depth: u32) -> Gc<'gc, Node<'gc>> {
        let (left, right) = if depth == 0 {
            (None, None)
        } else {
            (
                Some(bottom_up(mc, depth - 1)),
                Some(bottom_up(mc, depth - 1)),
            )
        };
        Gc::new(mc, Node { left, right })
    }

    fn check(node: &Node<'_>) -> u64 {
        1 + node.left.map_or(0, |n| check(&n)) + node.right.map_or(0, |n| check(&n))
    }

    type LongLived = Rootable![GcCell<'_, Option<Gc<'_, Node<'_>>>>];

    struct HeapTrees {
        m: Mutator<LongLived>,
    }

    impl super::Trees for HeapTrees {
        fn temporary(&mut self, depth: u32) -> u64 {
            self.m.mutate(|mc, _| check(&bottom_up(mc, depth)))
        }

        fn keep_long_lived(&mut self, depth: u32) {
            self.m
                .mutate(|mc, long_lived| long_lived.set(mc, Some(bottom_up(mc, depth))));
        }

        fn check_long_lived(&mut self) -> u64 {
            self.m
                .mutate(|_, long_lived| check(&long_lived.get().expect("built above")))
        }
    }

    /// Runs the workload on a fresh heap; returns the checksum.
    pub fn run(max: u32) -> u64 {
        let heap = Heap::default();
        let mut trees = HeapTrees {
            m: heap.mutator::<LongLived>(|_| GcCell::new(None)),
        };
        super::run(&mut trees, max)
    }
}

/// `Box`: `Option<Box<Node>>` children, freed when each tree is dropped.
pub mod boxed {
    /// A tree node owned through `Box`.
    pub struct Node {
        left: Option<Box<Node>>,
        right: Option<Box<Node>>,
    }

    fn bottom_up(depth: u32) -> Box<Node> {
        let (left, right) = if depth == 0 {
            (None, None)
        } else {
            (Some(bottom_up(depth - 1)), Some(bottom_up(depth - 1)))
        };
        Box::new(Node { left, right })
    }

    fn check(node: &Node) -> u64 {
        1 + node.left.as_deref().map_or(0, check) + node.right.as_deref().map_or(0, check)
    }

    /// Runs the workload; returns the checksum.
    pub fn run(max: u32) -> u64 {
        super::run_owned(max, bottom_up, |tree| check(tree))
    }
}
