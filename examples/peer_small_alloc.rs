//! Small-object allocation as a whole process, for `benches/process/run.sh`: the gcheap side of the
//! `small_alloc` group of `benches/peers/`, running the same code
//! (`bench-support/src/small_alloc.rs`). For each object size in turn (16, 32, 64 bytes of
//! pointer-free payload), allocate `n` objects with `Gc::new`, 10,000 per `mutate` call, each
//! kept in a 1024-slot ring so that the object it displaces dies. One heap serves all three
//! sizes, as one Go runtime or one Boehm heap does for the peers.
//!
//! Each size's loop is timed with `Instant`. Prints `checksum N` (the three sizes' checksums
//! added) and `alloc_ns_16 X`, `alloc_ns_32 X`, `alloc_ns_64 X` (nanoseconds per allocation,
//! the loop's time divided by `n`), as the Go and Boehm peers do.
//!
//! Run with `cargo run --release --example peer_small_alloc [n]`; without an argument `n` comes
//! from the `SMALL_ALLOCS` environment variable, else 20,000,000.

use std::time::Instant;

use gcheap_bench_support::args;
use gcheap_bench_support::small_alloc::{expected_checksum, heap};

/// Runs `n` allocations of `W` words; returns the checksum and the nanoseconds per allocation.
fn size<const W: usize>(m: &mut heap::SmallMutator, n: u64) -> (u64, f64) {
    let start = Instant::now();
    let sum = heap::run::<W>(m, n);
    let ns = start.elapsed().as_nanos() as f64 / n as f64;
    assert_eq!(
        sum,
        expected_checksum::<W>(n),
        "wrong checksum at {} B",
        W * 8
    );
    (sum, ns)
}

fn main() {
    let arg = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("SMALL_ALLOCS").ok());
    let n: u64 = args::number_arg(
        arg,
        1,
        20_000_000,
        "peer_small_alloc [allocations >= 1] (or SMALL_ALLOCS=n)",
    );
    let mut m = heap::mutator();
    let (sum16, ns16) = size::<2>(&mut m, n);
    let (sum32, ns32) = size::<4>(&mut m, n);
    let (sum64, ns64) = size::<8>(&mut m, n);
    println!("checksum {}", sum16 + sum32 + sum64);
    println!("alloc_ns_16 {ns16:.2}");
    println!("alloc_ns_32 {ns32:.2}");
    println!("alloc_ns_64 {ns64:.2}");
}
