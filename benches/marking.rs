//! Marking throughput: a forced cycle over a large live graph with 1 and 2 mark workers.
//!
//! The graph is a complete 4-ary tree of about one million nodes (each 4 child pointers and a
//! payload word), built bottom-up and kept in the mutator's root, plus one cross edge per node
//! back to an earlier node so that workers race for shared objects. Each iteration is one
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

#[derive(Trace)]
struct Node<'gc> {
    children: [Option<Gc<'gc, Node<'gc>>>; 4],
    cross: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    payload: u64,
}

fn nodes(depth: u32) -> u64 {
    (0..=depth).map(|d| 4u64.pow(d)).sum()
}

fn build<'gc>(
    mc: &Mutation<'gc>,
    depth: u32,
    all: &mut Vec<Gc<'gc, Node<'gc>>>,
) -> Gc<'gc, Node<'gc>> {
    let children = if depth == 0 {
        [None; 4]
    } else {
        std::array::from_fn(|_| Some(build(mc, depth - 1, all)))
    };
    let node = Gc::new(
        mc,
        Node {
            children,
            cross: GcCell::new(None),
            payload: all.len() as u64,
        },
    );
    if let Some(&earlier) = all.get(all.len() / 2) {
        node.cross.set(mc, Some(earlier));
    }
    all.push(node);
    node
}

fn marking(c: &mut Criterion) {
    let mut group = c.benchmark_group("marking");
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
            heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, Node<'_>>>>]>(|_| GcCell::new(None));
        m.mutate(|mc, root| {
            let mut all = Vec::new();
            root.set(mc, Some(build(mc, DEPTH, &mut all)));
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

criterion_group!(benches, marking);
criterion_main!(benches);
