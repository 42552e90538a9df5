//! The gc-latency experiment: how long can one operation stall behind the collector?
//!
//! A ring of 200,000 slots; push 1,000,000 fresh 1 KiB byte buffers, buffer i into slot
//! i % 200,000, so about 200 MB stays live while garbage flows through. Each push is one
//! `mutate` call (so a cycle due at that boundary is charged to the push that meets it, as a Go
//! goroutine pays for the stop-the-world it runs into). Reports the push-latency distribution,
//! the worst push, peak RSS, and the collector's own pause figures from `MemStats`.
//!
//! Not a criterion benchmark: the result is a distribution of single operations, not a mean.
//! Run with `cargo bench --bench latency` (add `-- --pushes N` for a shorter run).

use std::time::{Duration, Instant};

use gcheap::prelude::*;

const SLOTS: usize = 200_000;
const BUFFER: usize = 1024;

/// One ring slot: an optional buffer, replaced through the barrier.
type Slot<'gc> = GcCell<'gc, Option<Gc<'gc, [u8]>>>;

#[derive(Trace)]
struct Ring<'gc> {
    slots: Gc<'gc, [Slot<'gc>]>,
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and test harness probes
    }
    let pushes = args
        .iter()
        .position(|a| a == "--pushes")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(1_000_000usize);

    let heap = Heap::new(Config::default()).expect("default config");
    let mut m = heap.mutator::<Rootable![Ring<'_>]>(|mc| Ring {
        slots: Gc::from_iter(mc, (0..SLOTS).map(|_| GcCell::new(None))),
    });
    let mut times = Vec::with_capacity(pushes);
    let start = Instant::now();
    for i in 0..pushes {
        let t = Instant::now();
        m.mutate(|mc, ring| {
            let buf = Gc::from_iter(mc, (0..BUFFER).map(|j| (i + j) as u8));
            ring.slots[i % SLOTS].set(mc, Some(buf));
        });
        times.push(t.elapsed());
    }
    let total = start.elapsed();
    let checksum = m.mutate(|_, ring| {
        ring.slots
            .iter()
            .map(|s| s.get().map_or(0u64, |b| b[0] as u64 + b[BUFFER - 1] as u64))
            .sum::<u64>()
    });
    let stats = heap.mem_stats();
    times.sort_unstable();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("latency ring: {SLOTS} slots, {pushes} pushes of {BUFFER} B, checksum {checksum}");
    println!(
        "push latency  p50 {:.2} µs  p99 {:.2} µs  p99.9 {:.2} µs  max {:.3} ms",
        us(percentile(&times, 0.50)),
        us(percentile(&times, 0.99)),
        us(percentile(&times, 0.999)),
        us(*times.last().unwrap()) / 1e3,
    );
    // Per cycle, from MemStats: PauseNs entries sum each cycle's two stops (as Go's do).
    let cycles = (stats.num_gc as usize).min(256);
    let per_cycle = &stats.pause_ns[..cycles];
    let worst_cycle = per_cycle.iter().copied().max().unwrap_or(0);
    println!(
        "total {:.2} s, peak RSS {:.0} MiB, NumGC {}, stops: longest {:.3} ms; per cycle: worst \
         {:.3} ms, mean {:.3} ms; total {:.2} ms",
        total.as_secs_f64(),
        peak_rss_mib(),
        stats.num_gc,
        stats.max_pause_ns as f64 / 1e6,
        worst_cycle as f64 / 1e6,
        stats.pause_total_ns as f64 / 1e6 / stats.num_gc.max(1) as f64,
        stats.pause_total_ns as f64 / 1e6,
    );
}
