//! binary-trees as a whole process, for `benches/process/run.sh`: the gcheap side of
//! `benches/binary_trees.rs`, running the same code (`bench-support/src/binary_trees.rs`: one heap,
//! one mutator, each tree built and checked in its own `mutate` call, the long-lived tree in the
//! root). Prints `checksum N`, the sum of every tree's node count, as the Go and Boehm peers do.
//!
//! Run with `cargo run --release --example peer_binary_trees [max_depth]` (default 18).

use gcheap_bench_support::args;
use gcheap_bench_support::binary_trees::{self, MIN_DEPTH};

fn main() {
    let max: u32 = args::number_arg(
        std::env::args().nth(1),
        MIN_DEPTH,
        18,
        &format!("peer_binary_trees [max_depth >= {MIN_DEPTH}]"),
    );
    let sum = binary_trees::heap::run(max);
    assert_eq!(sum, binary_trees::expected_checksum(max), "wrong checksum");
    println!("checksum {sum}");
}
