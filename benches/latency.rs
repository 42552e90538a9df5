//! The gc-latency experiment: how long can one operation stall behind the collector?
//!
//! A ring of 200,000 slots; push 1,000,000 fresh 1 KiB byte buffers, buffer i into slot
//! i % 200,000, so about 200 MB stays live while garbage flows through. Each push is one
//! `mutate` call (so a cycle due at that boundary is charged to the push that meets it, as a Go
//! goroutine pays for the stop-the-world it runs into). Reports the push-latency distribution,
//! the worst push, peak RSS, and the collector's own pause figures from `MemStats`.
//!
//! Not a criterion benchmark: the result is a distribution of single operations, not a mean.
//! Run with `cargo bench --bench latency` (add `-- --pushes N` for a shorter run, `-- --slow` to
//! list the ten slowest pushes with their start times, to compare with `GCHEAP_GCTRACE=1`).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

    let slow = args.iter().any(|a| a == "--slow");
    let created = Instant::now();
    let heap = Heap::new(Config::default()).expect("default config");
    let mut m = heap.mutator::<Rootable![Ring<'_>]>(|mc| Ring {
        slots: Gc::from_iter(mc, (0..SLOTS).map(|_| GcCell::new(None))),
    });
    // A stop that began while the ring was built (one long `mutate` call that it waited for)
    // is not the pushes' business: pauses are reported for the stops that began after.
    let start_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut times = Vec::with_capacity(pushes);
    let mut began = Vec::with_capacity(if slow { pushes } else { 0 });
    let start = Instant::now();
    for i in 0..pushes {
        let t = Instant::now();
        m.mutate(|mc, ring| {
            let buf = Gc::from_iter(mc, (0..BUFFER).map(|j| (i + j) as u8));
            ring.slots[i % SLOTS].set(mc, Some(buf));
        });
        times.push(t.elapsed());
        if slow {
            began.push(t - created);
        }
    }
    let total = start.elapsed();
    if slow {
        // The ten slowest pushes, with when they began (seconds since the heap was created, as
        // GCHEAP_GCTRACE=1 prints cycle starts), to line them up with cycles.
        let mut order: Vec<usize> = (0..pushes).collect();
        order.sort_unstable_by_key(|&i| std::cmp::Reverse(times[i]));
        for &i in order.iter().take(10) {
            println!(
                "slow push {i}: {:.3} ms at @{:.4}s",
                times[i].as_secs_f64() * 1e3,
                began[i].as_secs_f64()
            );
        }
    }
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
    // Per cycle, from MemStats (a PauseNs entry is a cycle's stop time, summed as Go's are),
    // for the cycles that started during the pushes.
    let cycles = stats.num_gc as usize;
    let measured = (cycles.saturating_sub(256)..cycles)
        .map(|c| (stats.pause_ns[c % 256], stats.pause_end[c % 256]))
        .filter(|&(pause, end)| end.saturating_sub(pause) >= start_unix)
        .map(|(pause, _)| pause);
    let worst_cycle = measured.clone().max().unwrap_or(0);
    let pushes_total: u64 = measured.clone().sum();
    let counted = measured.count();
    let n = counted.max(1);
    println!(
        "total {:.2} s, peak RSS {:.0} MiB, NumGC {} ({} began during setup), stops during pushes: \
         worst {:.3} ms, mean {:.3} ms, total {:.2} ms; longest stop overall {:.3} ms",
        total.as_secs_f64(),
        peak_rss_mib(),
        stats.num_gc,
        cycles - counted,
        worst_cycle as f64 / 1e6,
        pushes_total as f64 / 1e6 / n as f64,
        pushes_total as f64 / 1e6,
        stats.max_pause_ns as f64 / 1e6,
    );
}
