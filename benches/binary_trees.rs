//! The Computer Language Benchmarks Game's binary-trees workload, on gcheap and on `Box`.
//!
//! For a maximum depth `max` (16 and 18 here; minimum depth 4): build and check a stretch tree
//! of depth `max + 1`, build a long-lived tree of depth `max`, then for each depth
//! `d in (4..=max).step_by(2)` build and check `2^(max - d + 4)` trees of depth `d`, and finally
//! check the long-lived tree again. A tree's check is its node count.
//!
//! - `gcheap`: one [`Heap`] and one mutator per run. Nodes are immutable and built bottom-up, so
//!   they need no cells; the long-lived tree sits in the mutator's root (a [`GcCell`]). Each
//!   tree is built and checked in its own `mutate` call, so the pacer can run cycles between
//!   trees (this version collects only at `mutate` boundaries).
//! - `box`: the same workload with `Option<Box<Node>>` children, freed when each tree is dropped.
//!
//! Both return the sum of every check; each run asserts it against the closed form.
//!
//! Run with `cargo bench --bench binary_trees` (add `-- --noplot` to skip the plots).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use gcheap::prelude::*;

/// The minimum tree depth of the workload.
const MIN_DEPTH: u32 = 4;

/// Nodes in a complete binary tree of `depth` (a lone leaf has depth 0).
fn tree_size(depth: u32) -> u64 {
    (1 << (depth + 1)) - 1
}

/// The checksum both variants must produce: the sum of every tree's node count.
fn expected_checksum(max: u32) -> u64 {
    let stretch = tree_size(max + 1);
    let long_lived = tree_size(max);
    let iterations: u64 = (MIN_DEPTH..=max)
        .step_by(2)
        .map(|d| (1u64 << (max - d + MIN_DEPTH)) * tree_size(d))
        .sum();
    stretch + iterations + long_lived
}

mod gc {
    use super::*;

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

    /// Runs the workload on a fresh heap; returns the checksum.
    pub fn run(max: u32) -> u64 {
        let heap = Heap::default();
        let mut m = heap.mutator::<LongLived>(|_| GcCell::new(None));
        let mut sum = m.mutate(|mc, _| check(&bottom_up(mc, max + 1)));
        m.mutate(|mc, long_lived| long_lived.set(mc, Some(bottom_up(mc, max))));
        for d in (MIN_DEPTH..=max).step_by(2) {
            for _ in 0..1u64 << (max - d + MIN_DEPTH) {
                sum += m.mutate(|mc, _| check(&bottom_up(mc, d)));
            }
        }
        sum + m.mutate(|_, long_lived| check(&long_lived.get().expect("built above")))
    }
}

mod boxed {
    use super::*;

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
        let mut sum = check(&bottom_up(max + 1));
        let long_lived = bottom_up(max);
        for d in (MIN_DEPTH..=max).step_by(2) {
            for _ in 0..1u64 << (max - d + MIN_DEPTH) {
                sum += check(&bottom_up(d));
            }
        }
        sum + check(&long_lived)
    }
}

fn binary_trees(c: &mut Criterion) {
    // A quick agreement check before anything is timed.
    assert_eq!(gc::run(8), boxed::run(8));
    assert_eq!(gc::run(8), expected_checksum(8));

    for max in [16, 18] {
        let expected = expected_checksum(max);
        let mut group = c.benchmark_group(format!("binary_trees/depth{max}"));
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(if max >= 18 { 20 } else { 5 }));
        group.bench_function("gcheap", |b| {
            b.iter(|| {
                let sum = gc::run(black_box(max));
                assert_eq!(sum, expected, "gcheap checksum");
                sum
            })
        });
        group.bench_function("box", |b| {
            b.iter(|| {
                let sum = boxed::run(black_box(max));
                assert_eq!(sum, expected, "Box checksum");
                sum
            })
        });
        group.finish();
        println!("binary_trees depth {max}: checksum {expected} (gcheap and Box agree)");
    }
}

criterion_group!(benches, binary_trees);
criterion_main!(benches);
