//! The gc-latency ring as a whole process, for `benches/process/run.sh`: the gcheap side of
//! `benches/latency.rs` (200,000 slots; 1,000,000 fresh 1 KiB buffers, buffer i into slot
//! i % 200,000 with byte j = (i + j) as u8; one `mutate` call per push, timed with `Instant`).
//! Prints `checksum N` (over the slots, first plus last byte), `worst_push_ns N` and
//! `p999_push_ns N`, as the Go and Boehm peers do.
//!
//! Run with `cargo run --release --example peer_latency [pushes]` (default 1,000,000).

use std::time::Instant;

use gcheap::prelude::*;

use gcheap_bench_support::args;
use gcheap_bench_support::ring::{self, RingRoot};

fn main() {
    let pushes: usize = args::number_arg(
        std::env::args().nth(1),
        1,
        1_000_000,
        "peer_latency [pushes >= 1]",
    );
    let heap = Heap::new(Config::default()).expect("default config");
    let mut m = heap.mutator::<RingRoot>(ring::new_ring);
    let mut times = Vec::with_capacity(pushes);
    for i in 0..pushes {
        let t = Instant::now();
        m.mutate(|mc, r| ring::push(mc, r, i));
        times.push(t.elapsed().as_nanos() as u64);
    }
    let checksum = m.mutate(|_, r| ring::checksum(r));
    times.sort_unstable();
    let p999 = times[((pushes - 1) as f64 * 0.999).round() as usize];
    println!("checksum {checksum}");
    println!("worst_push_ns {}", times[pushes - 1]);
    println!("p999_push_ns {p999}");
}
