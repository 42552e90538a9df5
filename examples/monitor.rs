//! A heap monitor, after Go's classic monitor program: worker threads allocate on one heap while a
//! monitor thread prints, every interval, how many mutators are attached, the heap, the number of
//! cycles and the pauses. Workers come and go, and one of them leaks a persistent root per round,
//! so the columns show what a leak looks like.
//!
//! ```sh
//! cargo run --release --example monitor              # 4 workers for 5 seconds
//! cargo run --release --example monitor -- 8 10      # 8 workers for 10 seconds
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

use gcheap::prelude::*;

const INTERVAL: Duration = Duration::from_millis(500);

#[derive(Trace)]
struct Node<'gc> {
    value: u64,
    next: Option<Gc<'gc, Node<'gc>>>,
}

type Scratch = Rootable![GcCell<'_, Option<Gc<'_, Node<'_>>>>];

fn main() {
    let mut args = std::env::args().skip(1).map(|a| {
        a.parse::<u64>().unwrap_or_else(|_| {
            eprintln!("usage: monitor [WORKERS] [SECONDS] (numbers; got {a:?})");
            std::process::exit(2)
        })
    });
    let workers = args.next().unwrap_or(4).max(1) as usize;
    let seconds = args.next().unwrap_or(5);

    let heap = Heap::new(Config::default()).expect("the default config is valid");
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..workers)
        .map(|w| {
            let (heap, stop) = (heap.clone(), stop.clone());
            std::thread::spawn(move || work(&heap, &stop, w))
        })
        .collect();

    println!(
        "{:>6} {:>8} {:>6} {:>9} {:>9} {:>6} {:>10} {:>10} {:>10}",
        "time", "mutators", "roots", "heap MB", "sys MB", "NumGC", "pause µs", "max µs", "stop µs"
    );
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(INTERVAL);
        report(&heap, start);
    }
    stop.store(true, Relaxed);
    let leaked: Vec<LeakedRoot> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("a worker panicked"))
        .collect();
    println!(
        "workers gone: {} mutators attached, {} roots kept by the leaky worker",
        heap.num_mutators(),
        leaked.len()
    );
    for count in heap.persistent_roots_by_type() {
        println!("live roots: {} x {}", count.count, count.type_name);
    }
}

type LeakedRoot = Root<Rootable![Node<'_>]>;

/// A worker: attaches, builds and drops lists for a while, detaches, and starts again. Worker 0
/// also keeps one persistent root per round: the leak the monitor shows.
fn work(heap: &Heap, stop: &AtomicBool, worker: usize) -> Vec<LeakedRoot> {
    let mut leaked = Vec::new();
    while !stop.load(Relaxed) {
        let mut m = heap.mutator::<Scratch>(|_| GcCell::new(None));
        for _ in 0..20 {
            if stop.load(Relaxed) {
                break;
            }
            m.mutate(|mc, scratch| {
                let mut list = None;
                for value in 0..10_000 {
                    list = Some(Gc::new(mc, Node { value, next: list }));
                    if mc.should_yield() {
                        break;
                    }
                }
                scratch.set(mc, list);
            });
        }
        if worker == 0 {
            leaked.push(m.mutate(|mc, scratch| {
                let head = scratch.get().unwrap_or_else(|| {
                    Gc::new(
                        mc,
                        Node {
                            value: 0,
                            next: None,
                        },
                    )
                });
                LeakedRoot::new(mc, head)
            }));
        }
        drop(m);
        // Between rounds the worker is detached: the mutator count dips.
        std::thread::sleep(Duration::from_millis(5 * (worker as u64 % 3)));
    }
    leaked
}

fn report(heap: &Heap, start: Instant) {
    let s = heap.mem_stats();
    let last_pause = if s.num_gc == 0 {
        0
    } else {
        s.pause_ns[(s.num_gc as usize + 255) % 256]
    };
    println!(
        "{:>5.1}s {:>8} {:>6} {:>9.1} {:>9.1} {:>6} {:>10.1} {:>10.1} {:>10.1}",
        start.elapsed().as_secs_f64(),
        s.num_mutators,
        s.num_persistent_roots,
        s.heap_alloc as f64 / (1 << 20) as f64,
        s.sys as f64 / (1 << 20) as f64,
        s.num_gc,
        last_pause as f64 / 1e3,
        s.max_pause_ns as f64 / 1e3,
        s.max_stopping_ns as f64 / 1e3,
    );
}
