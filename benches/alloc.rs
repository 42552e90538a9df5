//! Allocation throughput of gcheap's allocator against the system allocator and mimalloc.
//!
//! For each object size (16 B, 64 B, 256 B, 1 KiB, 32 KiB, 1 MiB) and each workload, on one thread
//! and on two, one criterion group (e.g. `alloc_free/1t/64B`) holds three functions: `gcheap` (a
//! [`Cache`] of a [`gcheap_allocator::Allocator`], [`ObjectKind::NoScan`]), `system`
//! ([`std::alloc::System`]) and `mimalloc` ([`mimalloc::MiMalloc`]), the last two called through
//! their [`GlobalAlloc`] methods. One iteration handles a batch of objects (1000 up to 1 KiB, 100
//! of 32 KiB, 10 of 1 MiB; align 8), writing one byte into each; throughput is in objects.
//!
//! - `alloc_free`: allocate the batch, then free all of it; both are timed.
//! - `alloc_only`: allocate the batch; only that is timed, the frees that follow are not.
//! - `2t`: two threads, each with its own gcheap cache, run the same batch loop at the same time
//!   (started together by a barrier; thread start-up is not timed). The time reported is the wall
//!   time from the first thread's start to the last one's end (`alloc_free`), or the larger of the
//!   two threads' timed totals (`alloc_only`); one iteration is both threads' batches, so
//!   throughput is `2 * batch` objects.
//!
//! Run with `cargo bench --bench alloc` (a filter narrows it: `cargo bench --bench alloc --
//! alloc_free/1t`). Results are recorded in `BENCHMARKS.md`.

use std::alloc::{GlobalAlloc, Layout, System, handle_alloc_error};
use std::hint::black_box;
use std::ptr::NonNull;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use gcheap_allocator::{Allocator, AllocatorConfig, Cache, ObjectKind};
use mimalloc::MiMalloc;

/// Object sizes, with their group labels.
const SIZES: [(usize, &str); 6] = [
    (16, "16B"),
    (64, "64B"),
    (256, "256B"),
    (1024, "1KiB"),
    (32 * 1024, "32KiB"),
    (1024 * 1024, "1MiB"),
];

/// Objects per iteration for objects of `size` bytes.
fn batch_len(size: usize) -> usize {
    match size {
        0..=1024 => 1000,
        1025..=32768 => 100,
        _ => 10,
    }
}

/// An allocator under test, driven by one thread at a time.
trait Backend: Send {
    fn alloc(&mut self, layout: Layout) -> NonNull<u8>;

    /// # Safety
    /// `ptr` must come from [`Backend::alloc`] on this backend (or, for gcheap, on a cache of the
    /// same allocator) with the same `layout`, and not be freed yet.
    unsafe fn free(&mut self, ptr: NonNull<u8>, layout: Layout);
}

impl Backend for Cache {
    #[inline(always)]
    fn alloc(&mut self, layout: Layout) -> NonNull<u8> {
        match Cache::alloc(self, layout, ObjectKind::NoScan) {
            Ok(p) => p,
            Err(_) => handle_alloc_error(layout),
        }
    }

    #[inline(always)]
    unsafe fn free(&mut self, ptr: NonNull<u8>, _layout: Layout) {
        // SAFETY: the caller's contract is `Cache::free`'s.
        unsafe { Cache::free(self, ptr) }
    }
}

/// A [`GlobalAlloc`] (the system allocator or mimalloc) called directly.
struct Global<A>(A);

impl<A: GlobalAlloc + Send> Backend for Global<A> {
    #[inline(always)]
    fn alloc(&mut self, layout: Layout) -> NonNull<u8> {
        // SAFETY: every benchmarked layout has a non-zero size.
        NonNull::new(unsafe { self.0.alloc(layout) }).unwrap_or_else(|| handle_alloc_error(layout))
    }

    #[inline(always)]
    unsafe fn free(&mut self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller promises `ptr` came from `alloc` here with `layout`.
        unsafe { self.0.dealloc(ptr.as_ptr(), layout) }
    }
}

#[derive(Clone, Copy)]
enum Workload {
    AllocFree,
    AllocOnly,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::AllocFree => "alloc_free",
            Workload::AllocOnly => "alloc_only",
        }
    }
}

/// Allocates `n` objects into `ptrs` (empty, with room for them), writing one byte into each.
#[inline(always)]
fn alloc_batch<B: Backend>(b: &mut B, layout: Layout, n: usize, ptrs: &mut Vec<NonNull<u8>>) {
    for i in 0..n {
        let p = b.alloc(layout);
        // SAFETY: `p` is a fresh allocation of at least one byte.
        unsafe { p.as_ptr().write(i as u8) };
        ptrs.push(black_box(p));
    }
}

/// Frees every object in `ptrs`, oldest first, leaving it empty.
#[inline(always)]
fn free_batch<B: Backend>(b: &mut B, layout: Layout, ptrs: &mut Vec<NonNull<u8>>) {
    for p in ptrs.drain(..) {
        // SAFETY: `alloc_batch` allocated `p` from `b` with `layout`; it is freed once.
        unsafe { b.free(black_box(p), layout) };
    }
}

/// Runs `iters` iterations of `workload` and returns the time to report for them.
fn run<B: Backend>(
    b: &mut B,
    workload: Workload,
    layout: Layout,
    n: usize,
    iters: u64,
    ptrs: &mut Vec<NonNull<u8>>,
) -> Duration {
    match workload {
        Workload::AllocFree => {
            let start = Instant::now();
            for _ in 0..iters {
                alloc_batch(b, layout, n, ptrs);
                free_batch(b, layout, ptrs);
            }
            start.elapsed()
        }
        Workload::AllocOnly => {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                alloc_batch(b, layout, n, ptrs);
                timed += start.elapsed();
                free_batch(b, layout, ptrs);
            }
            timed
        }
    }
}

/// Registers one function of a group: `backends` holds one backend per thread.
fn bench_backend<B: Backend>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    workload: Workload,
    layout: Layout,
    mut backends: Vec<B>,
) {
    let n = batch_len(layout.size());
    if let [b] = backends.as_mut_slice() {
        let mut ptrs = Vec::with_capacity(n);
        group.bench_function(name, |bencher| match workload {
            Workload::AllocFree => bencher.iter(|| {
                alloc_batch(b, layout, n, &mut ptrs);
                free_batch(b, layout, &mut ptrs);
            }),
            Workload::AllocOnly => {
                bencher.iter_custom(|iters| run(b, workload, layout, n, iters, &mut ptrs))
            }
        });
        return;
    }
    group.bench_function(name, |bencher| {
        bencher.iter_custom(|iters| {
            let barrier = Barrier::new(backends.len());
            let spans: Vec<(Instant, Duration)> = thread::scope(|s| {
                let handles: Vec<_> = backends
                    .iter_mut()
                    .map(|b| {
                        let barrier = &barrier;
                        s.spawn(move || {
                            let mut ptrs = Vec::with_capacity(n);
                            barrier.wait();
                            let start = Instant::now();
                            (start, run(b, workload, layout, n, iters, &mut ptrs))
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            match workload {
                Workload::AllocFree => {
                    let first = spans.iter().map(|&(start, _)| start).min().unwrap();
                    let last = spans.iter().map(|&(start, d)| start + d).max().unwrap();
                    last - first
                }
                Workload::AllocOnly => spans.iter().map(|&(_, d)| d).max().unwrap(),
            }
        })
    });
}

fn bench_alloc(c: &mut Criterion) {
    for workload in [Workload::AllocFree, Workload::AllocOnly] {
        for threads in [1usize, 2] {
            for (size, label) in SIZES {
                let layout = Layout::from_size_align(size, 8).unwrap();
                let n = batch_len(size);
                let mut group =
                    c.benchmark_group(format!("{}/{threads}t/{label}", workload.name()));
                group.throughput(Throughput::Elements((threads * n) as u64));

                let allocator = Allocator::new(AllocatorConfig::default());
                let caches = (0..threads).map(|_| allocator.cache()).collect();
                bench_backend(&mut group, "gcheap", workload, layout, caches);
                let system = (0..threads).map(|_| Global(System)).collect();
                bench_backend(&mut group, "system", workload, layout, system);
                let mimalloc = (0..threads).map(|_| Global(MiMalloc)).collect();
                bench_backend(&mut group, "mimalloc", workload, layout, mimalloc);

                group.finish();
            }
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(1))
        .warm_up_time(Duration::from_millis(300));
    targets = bench_alloc
}
criterion_main!(benches);
