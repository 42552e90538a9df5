//! Marking throughput: a forced cycle over a large live graph with 1 and 2 mark workers (and
//! more where the machine has the cores).
//!
//! The graph is a complete 4-ary tree of about 1.4 million nodes (each 4 child pointers and a
//! payload word), built bottom-up and kept in the mutator's root, plus one cross edge per node
//! back to an earlier node so that workers race for shared objects. Two node types: `cells`
//! keeps the cross edge in a `GcCell` (so markers take each node's state word), `frozen` fixes
//! it at construction (no cells: markers read nodes without it). Each iteration is one
//! `collect()`: finish the (empty) sweep, mark the whole graph, start the sweep. Nothing is
//! garbage, so the time is marking plus the per-cycle fixed cost. Run with
//! `cargo bench --bench marking -- --noplot`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use gcheap::prelude::*;

/// Depth of the 4-ary tree: `nodes(10)` = 1,398,101 nodes.
const DEPTH: u32 = 10;

/// A node whose cross edge is a cell (set after construction): the marker takes each node's
/// state word, as it must for objects that mutators may write while it reads them.
#[derive(Trace)]
struct CellNode<'gc> {
    children: [Option<Gc<'gc, CellNode<'gc>>>; 4],
    cross: GcCell<'gc, Option<Gc<'gc, CellNode<'gc>>>>,
    payload: u64,
}

/// The same graph with the cross edge fixed at construction: no cells, so the marker reads each
/// node without taking its state word (the shape of binary-trees' nodes).
#[derive(Trace)]
struct FrozenNode<'gc> {
    children: [Option<Gc<'gc, FrozenNode<'gc>>>; 4],
    cross: Option<Gc<'gc, FrozenNode<'gc>>>,
    payload: u64,
}

fn nodes(depth: u32) -> u64 {
    (0..=depth).map(|d| 4u64.pow(d)).sum()
}

/// Defines `$build` (a bottom-up builder of the graph of `$node`s) and `$bench` (the benchmark
/// of forced cycles over it, with 1, 2, 4, ... workers, named `$label/workers/N`).
macro_rules! marking_bench {
    ($node:ident, $label:literal, $build:ident, $bench:ident, |$mc:ident, $earlier:ident, $children:ident, $payload:ident| $make:expr) => {
        fn $build<'gc>(
            $mc: &Mutation<'gc>,
            depth: u32,
            all: &mut Vec<Gc<'gc, $node<'gc>>>,
        ) -> Gc<'gc, $node<'gc>> {
            let $children = if depth == 0 {
                [None; 4]
            } else {
                std::array::from_fn(|_| Some($build($mc, depth - 1, all)))
            };
            let $earlier = all.get(all.len() / 2).copied();
            let $payload = all.len() as u64;
            let node = $make;
            all.push(node);
            node
        }

        fn $bench(c: &mut Criterion) {
            let mut group = c.benchmark_group(concat!("marking/", $label));
            group
                .sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(8))
                .throughput(Throughput::Elements(nodes(DEPTH)));
            let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get());
            let workers: Vec<usize> = [1, 2, 4, 8, 16]
                .into_iter()
                .filter(|&w| w <= ncpu.max(2))
                .collect();
            for w in workers {
                let heap = Heap::new(Config {
                    gc_percent: -1,
                    gc_workers: w,
                    ..Config::default()
                })
                .unwrap();
                let mut m =
                    heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, $node<'_>>>>]>(|_| {
                        GcCell::new(None)
                    });
                m.mutate(|mc, root| {
                    let mut all = Vec::new();
                    root.set(mc, Some($build(mc, DEPTH, &mut all)));
                });
                m.collect();
                let live = heap.mem_stats().heap_objects;
                assert!(live > nodes(DEPTH), "the graph is live: {live} objects");
                group.bench_with_input(BenchmarkId::new("workers", w), &w, |b, _| {
                    b.iter(|| {
                        m.collect();
                        black_box(&m);
                    })
                });
                assert_eq!(
                    heap.mem_stats().heap_objects,
                    live,
                    "marking kept exactly the graph"
                );
            }
            group.finish();
        }
    };
}

marking_bench!(
    CellNode,
    "cells",
    build_cells,
    marking_cells,
    |mc, earlier, children, payload| {
        let node = Gc::new(
            mc,
            CellNode {
                children,
                cross: GcCell::new(None),
                payload,
            },
        );
        if let Some(earlier) = earlier {
            node.cross.set(mc, Some(earlier));
        }
        node
    }
);

marking_bench!(
    FrozenNode,
    "frozen",
    build_frozen,
    marking_frozen,
    |mc, earlier, children, payload| {
        Gc::new(
            mc,
            FrozenNode {
                children,
                cross: earlier,
                payload,
            },
        )
    }
);

criterion_group!(benches, marking_cells, marking_frozen);
criterion_main!(benches);
