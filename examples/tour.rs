//! A tour of gcheap: traced types, a churning cache, `MemStats` before and after `collect()`,
//! the effect of the GC percent (Go's `GOGC`), a persistent `Root`, and `Gc<str>` / `Gc<[T]>`.
//!
//! Run with `cargo run --release --example tour` (set `GCHEAP_GCTRACE=1` to see every cycle).

use std::collections::VecDeque;
use std::time::Instant;

use gcheap::prelude::*;
use gcheap_bench_support::rng::Rng;

/// An immutable binary tree, built bottom-up.
#[derive(Trace)]
struct Tree<'gc> {
    value: u64,
    left: Option<Gc<'gc, Tree<'gc>>>,
    right: Option<Gc<'gc, Tree<'gc>>>,
}

/// A cache entry: a key, a heap string and a heap slice.
#[derive(Trace)]
struct Entry<'gc> {
    key: u64,
    name: Gc<'gc, str>,
    payload: Gc<'gc, [u64]>,
}

/// The mutator's root: everything reachable from here is live.
#[derive(Trace)]
struct App<'gc> {
    trees: GcRefCell<'gc, Vec<Gc<'gc, Tree<'gc>>>>,
    /// Recently used entries at the back; the front is evicted and becomes garbage.
    cache: GcRefCell<'gc, VecDeque<Gc<'gc, Entry<'gc>>>>,
}

type AppRoot = Rootable![App<'_>];

const CACHE_CAPACITY: usize = 10_000;
const BATCHES: u64 = 300;
const OPS_PER_BATCH: u64 = 1_000;

fn new_app<'gc>(_: &Mutation<'gc>) -> App<'gc> {
    App {
        trees: GcRefCell::new(Vec::new()),
        cache: GcRefCell::new(VecDeque::new()),
    }
}

fn build_tree<'gc>(mc: &Mutation<'gc>, depth: u32, value: u64) -> Gc<'gc, Tree<'gc>> {
    let (left, right) = if depth == 0 {
        (None, None)
    } else {
        (
            Some(build_tree(mc, depth - 1, 2 * value)),
            Some(build_tree(mc, depth - 1, 2 * value + 1)),
        )
    };
    Gc::new(mc, Tree { value, left, right })
}

/// (nodes, sum of values)
fn walk(tree: &Tree<'_>) -> (u64, u64) {
    let mut acc = (1, tree.value);
    for child in [tree.left, tree.right].into_iter().flatten() {
        let (n, s) = walk(&child);
        acc = (acc.0 + n, acc.1 + s);
    }
    acc
}

/// One batch of cache traffic: mostly inserts (evicting the oldest entry when full), some hits
/// that move an entry to the recent end. Runs in its own `mutate` call, so the pacer can collect
/// between batches. Returns how many entries it inserted.
fn churn_batch(m: &mut Mutator<AppRoot>, rng: &mut Rng, batch: u64) -> u64 {
    m.mutate(|mc, app| {
        let mut cache = app.cache.borrow_mut(mc);
        let mut inserted = 0;
        for op in 0..OPS_PER_BATCH {
            let r = rng.next();
            if r.is_multiple_of(8) && !cache.is_empty() {
                let i = (r >> 8) as usize % cache.len();
                let hit = cache.swap_remove_back(i).expect("in range");
                cache.push_back(hit);
                continue;
            }
            let key = batch * OPS_PER_BATCH + op;
            let len = 4 + (r >> 16) as usize % 28;
            let entry = Entry {
                key,
                name: Gc::from_str(mc, &format!("user:{key:07}")),
                payload: Gc::from_iter(mc, (0..len).map(|i| key ^ i as u64)),
            };
            cache.push_back(Gc::new(mc, entry));
            inserted += 1;
            if cache.len() > CACHE_CAPACITY {
                cache.pop_front(); // garbage from now on
            }
        }
        inserted
    })
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
}

fn ms(ns: u64) -> String {
    format!("{:.2} ms", ns as f64 / 1e6)
}

fn last_pause(s: &MemStats) -> u64 {
    if s.num_gc == 0 {
        0
    } else {
        s.pause_ns[(s.num_gc as usize + 255) % 256]
    }
}

/// Formats one `MemStats` field for the table.
type Column = fn(&MemStats) -> String;

fn print_stats(before: &MemStats, after: &MemStats) {
    let rows: [(&str, Column); 12] = [
        ("Alloc", |s| mib(s.alloc)),
        ("TotalAlloc", |s| mib(s.total_alloc)),
        ("Sys", |s| mib(s.sys)),
        ("HeapAlloc", |s| mib(s.heap_alloc)),
        ("HeapInuse", |s| mib(s.heap_inuse)),
        ("HeapObjects", |s| s.heap_objects.to_string()),
        ("Mallocs", |s| s.mallocs.to_string()),
        ("Frees", |s| s.frees.to_string()),
        ("NumGC", |s| s.num_gc.to_string()),
        ("NextGC", |s| match s.next_gc {
            u64::MAX => "none (GC off)".to_string(),
            goal => mib(goal),
        }),
        ("PauseTotalNs", |s| ms(s.pause_total_ns)),
        ("last pause", |s| ms(last_pause(s))),
    ];
    println!(
        "  {:<14}{:>18}{:>18}",
        "MemStats", "before", "after collect()"
    );
    for (name, f) in rows {
        println!("  {name:<14}{:>18}{:>18}", f(before), f(after));
    }
}

fn main() {
    let start = Instant::now();
    println!("== 1. trees and a churning cache (GC percent 100) ==");
    let heap = Heap::new(Config::default()).expect("valid config");
    let mut m = heap.mutator::<AppRoot>(new_app);
    m.mutate(|mc, app| {
        let mut trees = app.trees.borrow_mut(mc);
        for depth in [10, 12, 14] {
            trees.push(build_tree(mc, depth, 1));
        }
    });
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut inserted = 0;
    for batch in 0..BATCHES {
        if batch == BATCHES - 100 {
            heap.set_gc_percent(-1); // debug.SetGCPercent(-1): let garbage pile up for a while
        }
        inserted += churn_batch(&mut m, &mut rng, batch);
    }
    let (nodes, newest) = m.mutate(|_, app| {
        let nodes: u64 = app.trees.borrow().iter().map(|t| walk(t).0).sum();
        let cache = app.cache.borrow();
        let newest = cache.back().expect("not empty");
        (nodes, format!("{} {:?}", newest.name, &newest.payload[..3]))
    });
    println!(
        "  3 trees: {nodes} nodes; cache: {CACHE_CAPACITY} of {inserted} entries kept, newest {newest}"
    );
    println!("  automatic GC was off (gc_percent -1) for the last 100 of {BATCHES} batches:");
    let before = heap.mem_stats();
    heap.set_gc_percent(100);
    m.collect(); // runtime.GC(): a full cycle, sweep included
    let after = heap.mem_stats();
    print_stats(&before, &after);

    println!("== 2. a persistent Root outlives its place in the root object ==");
    let kept: Root<Rootable![Tree<'_>]> = m.mutate(|mc, app| Root::new(mc, app.trees.borrow()[1]));
    m.mutate(|mc, app| app.trees.borrow_mut(mc).clear());
    m.collect();
    let (n, sum) = m.mutate(|mc, _| walk(&kept.get(mc)));
    let with_root = heap.mem_stats().heap_objects;
    drop(kept);
    m.collect();
    let without = heap.mem_stats().heap_objects;
    println!("  after clearing trees + collect(): Root still reaches {n} nodes (sum {sum})");
    println!("  HeapObjects {with_root} -> {without} once the Root is dropped and collected");

    println!("== 3. Gc<str> and Gc<[T]> ==");
    m.mutate(|mc, _| {
        let s: Gc<str> = Gc::from_str(mc, "hello, gcheap");
        let squares: Gc<[u32]> = Gc::from_iter(mc, (1..9).map(|i| i * i));
        let names: Gc<[Gc<str>]> = Gc::from_iter(mc, ["go", "rust"].map(|n| Gc::from_str(mc, n)));
        let total: u32 = squares.iter().sum();
        println!(
            "  {s:?} ({} bytes), squares {squares:?} (sum {total})",
            s.len()
        );
        println!("  a slice of Gc<str>: {names:?}");
    });
    drop(m);
    drop(heap);

    println!("== 4. GC percent (GOGC): same workload, fresh heap each ==");
    println!(
        "  {:>7}{:>7}{:>16}{:>16}{:>12}{:>8}",
        "percent", "NumGC", "peak HeapAlloc", "peak HeapInuse", "PauseTotal", "time"
    );
    for percent in [50, 100, 200, 400] {
        let t = Instant::now();
        let heap = Heap::new(Config {
            gc_percent: percent,
            ..Config::default()
        })
        .expect("valid config");
        let mut m = heap.mutator::<AppRoot>(new_app);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut peak_alloc, mut peak_inuse) = (0, 0);
        for batch in 0..BATCHES {
            churn_batch(&mut m, &mut rng, batch);
            if batch % 4 == 0 {
                let s = heap.mem_stats(); // stops the world briefly: sample, don't poll
                peak_alloc = peak_alloc.max(s.heap_alloc);
                peak_inuse = peak_inuse.max(s.heap_inuse);
            }
        }
        let s = heap.mem_stats();
        println!(
            "  {percent:>7}{:>7}{:>16}{:>16}{:>12}{:>8}",
            s.num_gc,
            mib(peak_alloc.max(s.heap_alloc)),
            mib(peak_inuse.max(s.heap_inuse)),
            ms(s.pause_total_ns),
            format!("{:.0} ms", t.elapsed().as_secs_f64() * 1e3),
        );
    }
    println!(
        "  (higher percent: fewer cycles, more memory). Tour took {:.2} s.",
        start.elapsed().as_secs_f64()
    );
}
