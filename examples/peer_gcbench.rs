//! Boehm's GCBench as a whole process, for `bench/peers/run.sh`: the gcheap side of
//! `benches/gcbench.rs` (same parameters, same checksum: the nodes each construction made, the
//! long-lived tree's node count and the long-lived array's entry 1000 scaled by 1e9). Prints
//! `checksum N`, as the Go and Boehm peers do.
//!
//! Run with `cargo run --release --example peer_gcbench`.

use gcheap::prelude::*;

const STRETCH_TREE_DEPTH: u32 = 18;
const LONG_LIVED_TREE_DEPTH: u32 = 16;
const ARRAY_SIZE: usize = 500_000;
const MIN_TREE_DEPTH: u32 = 4;
const MAX_TREE_DEPTH: u32 = 16;

fn tree_size(depth: u32) -> u64 {
    (1 << (depth + 1)) - 1
}

fn num_iters(depth: u32) -> u64 {
    2 * tree_size(STRETCH_TREE_DEPTH) / tree_size(depth)
}

fn array_value(i: usize) -> f64 {
    if i < ARRAY_SIZE / 2 {
        1.0 / i as f64
    } else {
        0.0
    }
}

/// GCBench's node: two children (set after construction by `populate`) and two ints.
#[derive(Trace)]
struct Node<'gc> {
    left: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    right: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    i: i32,
    j: i32,
}

fn node<'gc>(
    mc: &Mutation<'gc>,
    left: Option<Gc<'gc, Node<'gc>>>,
    right: Option<Gc<'gc, Node<'gc>>>,
) -> Gc<'gc, Node<'gc>> {
    let (left, right) = (GcCell::new(left), GcCell::new(right));
    Gc::new(
        mc,
        Node {
            left,
            right,
            i: 0,
            j: 0,
        },
    )
}

/// Builds a tree top-down below `n`; returns the nodes allocated.
fn populate<'gc>(mc: &Mutation<'gc>, depth: u32, n: Gc<'gc, Node<'gc>>) -> u64 {
    if depth == 0 {
        return 0;
    }
    let (left, right) = (node(mc, None, None), node(mc, None, None));
    n.left.set(mc, Some(left));
    n.right.set(mc, Some(right));
    2 + populate(mc, depth - 1, left) + populate(mc, depth - 1, right)
}

/// Builds a tree bottom-up; returns it and the nodes allocated.
fn make_tree<'gc>(mc: &Mutation<'gc>, depth: u32) -> (Gc<'gc, Node<'gc>>, u64) {
    if depth == 0 {
        return (node(mc, None, None), 1);
    }
    let (left, l) = make_tree(mc, depth - 1);
    let (right, r) = make_tree(mc, depth - 1);
    (node(mc, Some(left), Some(right)), 1 + l + r)
}

fn count(n: &Node<'_>) -> u64 {
    let children = [n.left.get(), n.right.get()].into_iter().flatten();
    1 + n.i as u64 + n.j as u64 + children.map(|c| count(&c)).sum::<u64>()
}

#[derive(Trace)]
struct LongLived<'gc> {
    tree: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    array: GcCell<'gc, Option<Gc<'gc, [f64]>>>,
}

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![LongLived<'_>]>(|_| LongLived {
        tree: GcCell::new(None),
        array: GcCell::new(None),
    });
    let mut sum = m.mutate(|mc, _| make_tree(mc, STRETCH_TREE_DEPTH).1);
    sum += m.mutate(|mc, long| {
        let tree = node(mc, None, None);
        long.tree.set(mc, Some(tree));
        1 + populate(mc, LONG_LIVED_TREE_DEPTH, tree)
    });
    m.mutate(|mc, long| {
        let array = Gc::from_iter(mc, (0..ARRAY_SIZE).map(array_value));
        long.array.set(mc, Some(array));
    });
    for depth in (MIN_TREE_DEPTH..=MAX_TREE_DEPTH).step_by(2) {
        let iters = num_iters(depth);
        for _ in 0..iters {
            sum += m.mutate(|mc, _| 1 + populate(mc, depth, node(mc, None, None)));
        }
        for _ in 0..iters {
            sum += m.mutate(|mc, _| make_tree(mc, depth).1);
        }
    }
    sum += m.mutate(|_, long| {
        let array = long.array.get().expect("built above");
        assert_eq!(
            array[1000],
            1.0 / 1000.0,
            "the long-lived array was corrupted"
        );
        count(&long.tree.get().expect("built above")) + (array[1000] * 1e9).round() as u64
    });
    println!("checksum {sum}");
}
