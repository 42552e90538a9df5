//! Hans Boehm's GCBench, on gcheap and on `Box`.
//!
//! The classic parameters: a stretch tree of depth 18, a long-lived tree of depth 16 (built
//! top-down), a long-lived array of 500,000 doubles, then for each depth `4..=16` step 2,
//! `NumIters(d) = 2 * TreeSize(18) / TreeSize(d)` trees built top-down (`Populate`, which fills
//! in the children of an existing node, so they are `GcCell`s) and as many built bottom-up
//! (`MakeTree`). At the end the long-lived tree and array must still be intact.
//!
//! - `gcheap`: one `Heap` and one mutator per run; the long-lived tree and array are in the
//!   mutator's root. Each temporary tree is built in its own `mutate` call, so the pacer can run
//!   cycles between trees (this version starts its cycles only at `mutate` boundaries).
//! - `box`: the same with `Option<Box<Node>>` children and a `Vec<f64>`.
//!
//! GCBench itself computes nothing; here each tree construction returns the number of nodes it
//! made, and the checksum adds those counts, the long-lived tree's node count (walked at the end)
//! and the long-lived array's entry 1000 (scaled). Each run asserts it against the closed form.
//!
//! Run with `cargo bench --bench gcbench` (add `-- --noplot` to skip the plots).

use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

use gcheap_bench_support::gcbench::{boxed, expected_checksum, heap};

fn gcbench(c: &mut Criterion) {
    let expected = expected_checksum();
    let mut group = c.benchmark_group("gcbench");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("gcheap", |b| {
        b.iter(|| {
            let sum = heap::run();
            assert_eq!(sum, expected, "gcheap checksum");
            sum
        })
    });
    group.bench_function("box", |b| {
        b.iter(|| {
            let sum = boxed::run();
            assert_eq!(sum, expected, "Box checksum");
            sum
        })
    });
    group.finish();
    println!("gcbench: checksum {expected} (gcheap and Box agree)");
}

criterion_group!(benches, gcbench);
criterion_main!(benches);
