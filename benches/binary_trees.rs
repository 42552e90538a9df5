//! The Computer Language Benchmarks Game's binary-trees workload, on gcheap and on `Box`.
//!
//! For a maximum depth `max` (16 and 18 here; minimum depth 4): build and check a stretch tree
//! of depth `max + 1`, build a long-lived tree of depth `max`, then for each depth
//! `d in (4..=max).step_by(2)` build and check `2^(max - d + 4)` trees of depth `d`, and finally
//! check the long-lived tree again. A tree's check is its node count.
//!
//! - `gcheap`: one `Heap` and one mutator per run. Nodes are immutable and built bottom-up, so
//!   they need no cells; the long-lived tree sits in the mutator's root (a `GcCell`). Each
//!   tree is built and checked in its own `mutate` call, so the pacer can run cycles between
//!   trees (this version starts its cycles only at `mutate` boundaries).
//! - `box`: the same workload with `Option<Box<Node>>` children, freed when each tree is dropped.
//!
//! Both return the sum of every check; each run asserts it against the closed form.
//!
//! Run with `cargo bench --bench binary_trees` (add `-- --noplot` to skip the plots).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

use gcheap_bench_support::binary_trees::{boxed, expected_checksum, heap};

fn binary_trees(c: &mut Criterion) {
    // A quick agreement check before anything is timed.
    assert_eq!(heap::run(8), boxed::run(8));
    assert_eq!(heap::run(8), expected_checksum(8));

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
                let sum = heap::run(black_box(max));
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
