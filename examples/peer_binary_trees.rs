//! binary-trees as a whole process, for `bench/peers/run.sh`: the gcheap side of
//! `benches/binary_trees.rs` (one heap, one mutator, each tree built and checked in its own
//! `mutate` call, the long-lived tree in the root). Prints `checksum N`, the sum of every
//! tree's node count, as the Go and Boehm peers do.
//!
//! Run with `cargo run --release --example peer_binary_trees [max_depth]` (default 18).

use gcheap::prelude::*;

const MIN_DEPTH: u32 = 4;

#[derive(Trace)]
struct Node<'gc> {
    left: Option<Gc<'gc, Node<'gc>>>,
    right: Option<Gc<'gc, Node<'gc>>>,
}

fn bottom_up<'gc>(mc: &Mutation<'gc>, depth: u32) -> Gc<'gc, Node<'gc>> {
    let (left, right) = if depth == 0 {
        (None, None)
    } else {
        (
            Some(bottom_up(mc, depth - 1)),
            Some(bottom_up(mc, depth - 1)),
        )
    };
    Gc::new(mc, Node { left, right })
}

fn check(node: &Node<'_>) -> u64 {
    1 + node.left.map_or(0, |n| check(&n)) + node.right.map_or(0, |n| check(&n))
}

type LongLived = Rootable![GcCell<'_, Option<Gc<'_, Node<'_>>>>];

fn main() {
    let max: u32 = match std::env::args().nth(1) {
        Some(arg) => match arg.parse() {
            Ok(d) if d >= MIN_DEPTH => d,
            _ => {
                eprintln!("usage: peer_binary_trees [max_depth >= {MIN_DEPTH}]");
                std::process::exit(2);
            }
        },
        None => 18,
    };
    let heap = Heap::default();
    let mut m = heap.mutator::<LongLived>(|_| GcCell::new(None));
    let mut sum = m.mutate(|mc, _| check(&bottom_up(mc, max + 1)));
    m.mutate(|mc, long_lived| long_lived.set(mc, Some(bottom_up(mc, max))));
    for d in (MIN_DEPTH..=max).step_by(2) {
        for _ in 0..1u64 << (max - d + MIN_DEPTH) {
            sum += m.mutate(|mc, _| check(&bottom_up(mc, d)));
        }
    }
    sum += m.mutate(|_, long_lived| check(&long_lived.get().expect("built above")));
    println!("checksum {sum}");
}
