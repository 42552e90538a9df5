//! gcheap against its Rust peers: the same workloads, in the same run, each peer written the way
//! its crate is meant to be used.
//!
//! Workloads (criterion groups `peers/<workload>/<peer>`; every run asserts its checksum, so a
//! wrong result fails the bench instead of being timed):
//!
//! - `binary_trees_d16`: the Benchmarks Game's binary-trees at depth 16, exactly as
//!   `benches/binary_trees.rs` (stretch tree of depth 17, a long-lived tree of depth 16, then
//!   `2^(16 - d + 4)` trees of each depth `d in 4, 6, .., 16`); the checksum is the sum of the
//!   trees' node counts, asserted against the closed form.
//! - `binary_trees_d18`: the same at depth 18 (stretch tree of depth 19, long-lived tree of depth
//!   18, `2^(18 - d + 4)` trees of each depth `d in 4, 6, .., 18`). gc-arena and `gc` are left out:
//!   one `--test` run at depth 18 took 28.9 s (gc-arena) and 26.1 s (`gc`) against 4.3 s for
//!   gcheap, 2.2 s for rust-cc and 5.4 s for dumpster (their depth-16 runs: 3.3 s and 5.6 s;
//!   timed around the whole `--test` process on the 2-core dev machine, under other load).
//! - `cyclic_trees_d14`: the same at depth 14, but once a node is built its children get a back
//!   edge to it (a parent pointer), so every tree is full of cycles. The check also asserts every
//!   parent pointer; same checksum. `Box` is left out (it cannot express the back edges). Depth 14
//!   rather than 16 because at 16 rust-cc takes ~21 s and dumpster ~55 s per run (criterion needs
//!   at least 11 runs). This group runs last (see `criterion_group!` below).
//! - `gcbench`: Boehm's GCBench with its classic parameters, as `benches/gcbench.rs` (stretch tree
//!   of depth 18, long-lived tree of depth 16 built top-down and an array of 500,000 doubles, then
//!   temporary trees of depths 4..=16 built top-down through cells (`Populate`) and bottom-up
//!   (`MakeTree`)); the checksum counts every node made plus the long-lived data's check.
//! - `small_objects`: 1,000,000 list nodes of 16 bytes of payload (a `u64` and one optional
//!   pointer), built as lists of 10 that become garbage as soon as they are summed, in batches of
//!   100 lists; the checksum is the sum of the payloads (`0..1_000_000`).
//! - `small_alloc` (ids `<peer>/<size>`, throughput in allocations): allocation alone, against
//!   plain allocators. For each size of 16, 32 and 64 bytes, 1,000,000 objects of pointer-free
//!   payload (`[u64; size / 8]`, word `k` of object `i` = `i + k`), each stored into slot
//!   `i % 1024` of a ring, so the object it displaces dies. The checksum adds the first and last
//!   word of each object as it leaves the ring (`bench-support/src/small_alloc.rs`, shared with
//!   `examples/peer_small_alloc.rs`, the Go/Boehm comparison's gcheap side). Its peers are gcheap,
//!   `mimalloc` and `system` (`mimalloc::MiMalloc` and `std::alloc::System` called directly
//!   through `GlobalAlloc::alloc`/`dealloc` with the object's `Layout`, freeing each displaced
//!   object: neither is the global allocator) and `box` (`Box::new`, the global allocator:
//!   glibc's malloc). The Rust GC peers are left out: `small_objects` has them. gcheap allocates
//!   with `Gc::new`, 10,000 objects per `mutate` call, the ring a local array of `Gc` inside the
//!   call (a `Gc` is valid for the whole call that made it); between calls the ring is dropped and
//!   its 1024 objects die early, the only difference from the other peers' ring. Each size keeps
//!   one heap for all of its runs, as the allocators serve the whole process: the runs see the
//!   allocator's steady state and heap set-up is not timed.
//! - `latency` (as `benches/latency.rs`): a ring of 200,000 slots; push `i` stores a fresh 1 KiB
//!   byte buffer (byte `j` = `(i + j) as u8`) into slot `i % 200,000`, so about 200 MB stays live
//!   while garbage flows through; 1,000,000 pushes per run (the ring fills five times; every peer
//!   runs one in under 2 s). The checksum adds, over the slots, the first and last byte of the
//!   buffer there, asserted against the closed form. Criterion times whole runs, the building of
//!   the empty ring and its teardown (and the collection that ends a `gc`, rust-cc or dumpster
//!   run) included. Every push is also timed with `Instant` into a buffer allocated and written
//!   before the runs; each run's worst push and p99.9 push (the element at
//!   `round((n - 1) * 0.999)` of the sorted times, as `examples/peer_latency.rs` and the Go and
//!   Boehm peers compute it) are taken after its clock stops, and after the group a markdown
//!   table on stdout gives each peer's number of runs (warm-up runs included) and the medians
//!   over them of the worst push, the p99.9 push and the wall time. The two `Instant` reads per
//!   push stay inside the timed run, as in the other latency programs.
//!
//! Peers (one module each, in `benches/peers/`):
//!
//! - `gcheap` (`gcheap.rs`): one `Heap` and one mutator per run, one `mutate` call per tree or
//!   batch (a cycle's brief mark-start stop waits for a boundary; marking runs concurrently); cells
//!   are `GcCell`, the long-lived data is the root. The latency ring is
//!   `examples/peer_latency.rs`'s code (`bench-support/src/ring.rs`): the slots are `GcCell`s in a
//!   `Gc<[..]>`, the root, one `mutate` call per push, the buffer a `Gc<[u8]>`.
//! - `gc-arena` (0.7, `gc_arena.rs`): one `Arena` per run, one `mutate` per tree or batch followed
//!   by `arena.collect_debt()` as its docs recommend; mutable pointer fields are `Lock` (its
//!   `Cell`, written through `unlock!(Gc::write(mc, ..), ..)`), the long-lived data is the root.
//!   Latency: one `mutate` and one `collect_debt` per push (the docs' pattern; they allow calling
//!   it less often, which this bench does not), the ring a `Gc<Vec<Lock<..>>>` root written through
//!   `Gc::write`, the buffer a `Gc<[u8; 1024]>` unsized with `unsize!` to `Gc<[u8]>`.
//! - `box` (`boxed.rs`): `Box` and `Vec`, freed by ownership: the no-GC lower bound (no cyclic
//!   workload). Latency: a `Vec<Option<Box<[u8]>>>`.
//! - `rc` (`rc.rs`): `std::rc::Rc` with `RefCell` for mutable fields and `Weak` for the parent back
//!   edges. Latency: a `Vec<Option<Rc<[u8]>>>`.
//! - `gc` (rust-gc 0.5, `rust_gc.rs`): `gc::Gc` with `GcCell` for mutable fields (strong back
//!   edges); `gc::force_collect()` at the end of each run so that a run pays for its own garbage.
//!   Latency: a `Vec<Option<Gc<[u8; 1024]>>>` (it cannot allocate a `Gc<[u8]>` on stable Rust; an
//!   inline array is one allocation that its collector's threshold counts in full).
//! - `rust-cc` (0.6, `rust_cc.rs`): `rust_cc::Cc` with `RefCell` for mutable fields (strong back
//!   edges); `rust_cc::collect_cycles()` at the end of each run. Latency: a
//!   `Vec<Option<Cc<[u8; 1024]>>>`, for the same reason.
//! - `dumpster` (2.1, `dumpster.rs`): `dumpster::sync::Gc` with `Mutex` for mutable fields (strong
//!   back edges); `dumpster::sync::collect()` at the end of each run. Latency: a
//!   `Vec<Option<Gc<[u8]>>>`, collected from the fill.
//! - `mimalloc`, `system` (`allocators.rs`; `small_alloc` only): see that workload.
//!
//! The workloads, their parameters and their checksums are in `workloads.rs`. Their algorithms
//! are written once, generically, for the peers whose pointers are plain Rust values
//! (`TreePtr`, `CyclicPtr`, `BenchPtr`, `ListPtr`, `LatencyBuffer`: each peer implements them for
//! its node or buffer type); gcheap and gc-arena, whose pointers only live inside `mutate`, have
//! their own versions. The gcheap and `Box` implementations of binary-trees and GCBench are the
//! ones `benches/binary_trees.rs` and `benches/gcbench.rs` time (`bench-support/src/`). Each peer
//! module exposes one function per workload it runs; this file registers them with criterion.
//!
//! Run with `cargo bench --bench peers -- --noplot` (add a filter to run one workload:
//! `-- --noplot latency`, `-- --noplot small_alloc`, `-- --noplot 'binary_trees_d18/'`, or one
//! variant: `-- --noplot 'small_alloc/gcheap/16$'`; `-- --test` runs each variant once).

use std::alloc::System;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{
    Bencher, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};

mod workloads;

mod allocators;
mod boxed;
mod dumpster;
mod gc_arena;
mod gcheap;
mod rc;
mod rust_cc;
mod rust_gc;

use workloads::{
    CYCLIC_DEPTH, LATENCY_BUFFER, LATENCY_PUSHES, LATENCY_SLOTS, SMALL_ALLOCS, TREES_DEPTH,
    TREES_DEPTH_DEEP, binary_trees, gcbench, latency_checksum, small_alloc, small_objects_checksum,
};

/// A group with the bench's sampling settings.
fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(format!("peers/{name}"));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    group
}

/// Times `run` on `b`, asserting every result against `expected` (`what` names the variant).
fn checked(b: &mut Bencher<'_>, what: &str, expected: u64, mut run: impl FnMut() -> u64) {
    b.iter(|| {
        let sum = run();
        assert_eq!(sum, expected, "{what} checksum");
        sum
    })
}

/// Times `run` as `peer`, asserting every result against `expected`.
fn bench(
    group: &mut BenchmarkGroup<'_, WallTime>,
    peer: &str,
    expected: u64,
    mut run: impl FnMut() -> u64,
) {
    group.bench_function(peer, |b| checked(b, peer, expected, &mut run));
}

/// binary-trees at `depth`. `all` adds the peers too slow for the deeper group (gc-arena and
/// rust-gc: see the module docs).
fn trees_at(c: &mut Criterion, depth: u32, all: bool) {
    let max = black_box(depth);
    let expected = binary_trees::expected_checksum(depth);
    let mut g = group(c, &format!("binary_trees_d{depth}"));
    bench(&mut g, "gcheap", expected, || gcheap::trees(max));
    if all {
        bench(&mut g, "gc-arena", expected, || gc_arena::trees(max));
    }
    bench(&mut g, "box", expected, || boxed::trees(max));
    bench(&mut g, "rc", expected, || rc::trees(max));
    if all {
        bench(&mut g, "gc", expected, || rust_gc::trees(max));
    }
    bench(&mut g, "rust-cc", expected, || rust_cc::trees(max));
    bench(&mut g, "dumpster", expected, || dumpster::trees(max));
    g.finish();
}

fn trees(c: &mut Criterion) {
    trees_at(c, TREES_DEPTH, true);
}

fn trees_deep(c: &mut Criterion) {
    trees_at(c, TREES_DEPTH_DEEP, false);
}

fn cyclic_trees(c: &mut Criterion) {
    let max = black_box(CYCLIC_DEPTH);
    let expected = binary_trees::expected_checksum(CYCLIC_DEPTH);
    let mut g = group(c, &format!("cyclic_trees_d{CYCLIC_DEPTH}"));
    bench(&mut g, "gcheap", expected, || gcheap::cyclic_trees(max));
    bench(&mut g, "gc-arena", expected, || gc_arena::cyclic_trees(max));
    bench(&mut g, "rc", expected, || rc::cyclic_trees(max));
    bench(&mut g, "gc", expected, || rust_gc::cyclic_trees(max));
    bench(&mut g, "rust-cc", expected, || rust_cc::cyclic_trees(max));
    bench(&mut g, "dumpster", expected, || dumpster::cyclic_trees(max));
    g.finish();
}

fn gcbench_peers(c: &mut Criterion) {
    let expected = gcbench::expected_checksum();
    let mut g = group(c, "gcbench");
    bench(&mut g, "gcheap", expected, gcheap::gcbench);
    bench(&mut g, "gc-arena", expected, gc_arena::gcbench);
    bench(&mut g, "box", expected, boxed::gcbench);
    bench(&mut g, "rc", expected, rc::gcbench);
    bench(&mut g, "gc", expected, rust_gc::gcbench);
    bench(&mut g, "rust-cc", expected, rust_cc::gcbench);
    bench(&mut g, "dumpster", expected, dumpster::gcbench);
    g.finish();
}

fn small_objects_peers(c: &mut Criterion) {
    let expected = small_objects_checksum();
    let mut g = group(c, "small_objects");
    bench(&mut g, "gcheap", expected, gcheap::small_objects);
    bench(&mut g, "gc-arena", expected, gc_arena::small_objects);
    bench(&mut g, "box", expected, boxed::small_objects);
    bench(&mut g, "rc", expected, rc::small_objects);
    bench(&mut g, "gc", expected, rust_gc::small_objects);
    bench(&mut g, "rust-cc", expected, rust_cc::small_objects);
    bench(&mut g, "dumpster", expected, dumpster::small_objects);
    g.finish();
}

/// One object size of the small-allocation group: `peer/size` for each peer.
fn small_alloc_size<const W: usize>(g: &mut BenchmarkGroup<'_, WallTime>) {
    let size = W * 8;
    let n = black_box(SMALL_ALLOCS);
    let expected = small_alloc::expected_checksum::<W>(SMALL_ALLOCS);
    let mut sized = |peer: &str, run: &mut dyn FnMut() -> u64| {
        let what = format!("{peer} at {size} B");
        g.bench_function(BenchmarkId::new(peer, size), |b| {
            checked(b, &what, expected, &mut *run)
        });
    };
    // One heap for all of this size's runs, as the other peers' allocators serve the whole
    // process: the runs measure the allocator in its steady state, and heap set-up is untimed.
    let mut m = gcheap::small_alloc_mutator();
    sized("gcheap", &mut || gcheap::small_alloc::<W>(&mut m, n));
    sized("mimalloc", &mut || {
        allocators::small_alloc::<_, W>(&mimalloc::MiMalloc, n)
    });
    sized("system", &mut || {
        allocators::small_alloc::<_, W>(&System, n)
    });
    sized("box", &mut || boxed::small_alloc::<W>(n));
}

fn small_alloc_peers(c: &mut Criterion) {
    let mut g = group(c, "small_alloc");
    g.throughput(Throughput::Elements(SMALL_ALLOCS));
    small_alloc_size::<2>(&mut g);
    small_alloc_size::<4>(&mut g);
    small_alloc_size::<8>(&mut g);
    g.finish();
}

/// One peer's push-latency figures, one entry per run (warm-up runs included).
struct LatencyRuns {
    peer: &'static str,
    worst_ns: Vec<u64>,
    p999_ns: Vec<u64>,
    wall: Vec<Duration>,
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Times whole latency runs of `peer` (`run` fills `times`, one entry per push, and returns the
/// checksum), asserting every checksum, and records each run's worst and p99.9 push and wall
/// time. `times` is allocated and touched by the caller, so the timed region holds only the run
/// itself; the figures are computed after its clock stops.
fn latency_bench(
    g: &mut BenchmarkGroup<'_, WallTime>,
    peer: &'static str,
    times: &mut [u64],
    run: impl Fn(&mut [u64]) -> u64,
) -> LatencyRuns {
    let expected = latency_checksum();
    let mut runs = LatencyRuns {
        peer,
        worst_ns: Vec::new(),
        p999_ns: Vec::new(),
        wall: Vec::new(),
    };
    g.bench_function(peer, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let sum = black_box(run(times));
                let wall = start.elapsed();
                total += wall;
                assert_eq!(sum, expected, "{peer} checksum");
                // The same percentile as `examples/peer_latency.rs` and the Go and Boehm peers.
                times.sort_unstable();
                let n = times.len();
                runs.worst_ns.push(times[n - 1]);
                runs.p999_ns
                    .push(times[((n - 1) as f64 * 0.999).round() as usize]);
                runs.wall.push(wall);
            }
            total
        })
    });
    runs
}

fn latency_peers(c: &mut Criterion) {
    let mut g = group(c, "latency");
    // Written in full here (not zeroed: that could leave its pages unmapped until the first run
    // writes them, inside the timed region), and reused by every run.
    let mut times = vec![u64::MAX; LATENCY_PUSHES];
    let t = &mut times[..];
    let mut peers = vec![
        latency_bench(&mut g, "gcheap", t, gcheap::latency),
        latency_bench(&mut g, "gc-arena", t, gc_arena::latency),
        latency_bench(&mut g, "box", t, boxed::latency),
        latency_bench(&mut g, "rc", t, rc::latency),
        latency_bench(&mut g, "gc", t, rust_gc::latency),
        latency_bench(&mut g, "rust-cc", t, rust_cc::latency),
        latency_bench(&mut g, "dumpster", t, dumpster::latency),
    ];
    g.finish();
    // Peers that a filter left out have no runs.
    peers.retain(|p| !p.wall.is_empty());
    if peers.is_empty() {
        return;
    }
    println!();
    println!(
        "peers/latency: {LATENCY_SLOTS} slots, {LATENCY_PUSHES} pushes of {LATENCY_BUFFER} B; \
         medians over the runs (warm-up runs included)"
    );
    println!();
    println!("| peer | runs | worst push (ms) | p99.9 push (µs) | wall per run (s) |");
    println!("|---|---:|---:|---:|---:|");
    for p in peers {
        let ms = |ns: &[u64]| ns.iter().map(|&ns| ns as f64 / 1e6).collect();
        let us = |ns: &[u64]| ns.iter().map(|&ns| ns as f64 / 1e3).collect();
        let s = p.wall.iter().map(Duration::as_secs_f64).collect();
        println!(
            "| {} | {} | {:.2} | {:.1} | {:.2} |",
            p.peer,
            p.wall.len(),
            median(ms(&p.worst_ns)),
            median(us(&p.p999_ns)),
            median(s),
        );
    }
    println!();
}

// The cyclic workload runs last: dumpster leaves the process's malloc heap large (its cyclic run
// peaks near 900 MB before its collections catch up) and everything timed after it, `Box`
// included, ran 2-3x slower in a trial run.
criterion_group!(
    benches,
    trees,
    trees_deep,
    gcbench_peers,
    small_objects_peers,
    small_alloc_peers,
    latency_peers,
    cyclic_trees
);
criterion_main!(benches);
