//! Boehm's GCBench as a whole process, for `benches/process/run.sh`: the gcheap side of
//! `benches/gcbench.rs`, running the same code (`bench-support/src/gcbench.rs`: same parameters,
//! same checksum: the nodes each construction made, the long-lived tree's node count and the
//! long-lived array's entry 1000 scaled by 1e9). Prints `checksum N`, as the Go and Boehm peers
//! do.
//!
//! Run with `cargo run --release --example peer_gcbench`.

use gcheap_bench_support::gcbench;

fn main() {
    let sum = gcbench::heap::run();
    assert_eq!(sum, gcbench::expected_checksum(), "wrong checksum");
    println!("checksum {sum}");
}
