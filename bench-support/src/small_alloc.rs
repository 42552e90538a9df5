//! The small-allocation workload, shared by `benches/peers/` (group `small_alloc`) and
//! `examples/peer_small_alloc.rs` (its whole-process twin, run against Go and Boehm by
//! `benches/process/run.sh`): the object, the checksum and the gcheap implementation.
//!
//! For an object of `8 * W` bytes (16, 32 or 64: `W` = 2, 4 or 8 words of pointer-free
//! payload): allocate `n` objects, object `i` (counting from 0) with word `k` set to `i + k`,
//! each stored into slot `i % RING` of a ring of `RING` slots, so the object it displaces dies.
//! When an object leaves the ring (displaced, or at the end) it adds its first plus its last
//! word to the checksum: reading both shows that it kept its contents while it was alive, and
//! that every word was written. The checksum is then `sum(2i + W - 1) for i in 0..n`.

/// Slots in the ring: how many objects are alive at once (1024 objects of 64 bytes: 64 KiB).
pub const RING: usize = 1024;

/// Objects allocated per `mutate` call by the gcheap implementation.
pub const BATCH: u64 = 10_000;

/// Object `i` of `W` words: word `k` holds `i + k`.
#[inline(always)]
pub fn object<const W: usize>(i: u64) -> [u64; W] {
    std::array::from_fn(|k| i + k as u64)
}

/// What an object adds to the checksum when it leaves the ring: its first plus its last word.
#[inline(always)]
pub fn value<const W: usize>(object: &[u64; W]) -> u64 {
    object[0] + object[W - 1]
}

/// The checksum of `n` objects of `W` words: `sum(2i + W - 1) for i in 0..n`.
pub fn expected_checksum<const W: usize>(n: u64) -> u64 {
    n * n.saturating_sub(1) + n * (W as u64 - 1)
}

/// gcheap: `Gc::new` inside `mutate`, `BATCH` objects per call. The ring is a plain local array
/// of `Gc` pointers inside the call: a `Gc` stays valid for the whole `mutate` call that made it
/// (a cycle's stop waits for the call to return), so the ring needs no root and no barrier.
/// Between calls the ring is dropped and its objects die at once; the next call starts with an
/// empty ring. The objects hold no pointers and need no drop, so they are headerless noscan
/// objects the collector never reads.
pub mod heap {
    use super::{BATCH, RING, object, value};
    use gcheap::prelude::*;

    /// The mutator the workload runs on; its root is empty.
    pub type SmallMutator = Mutator<Rootable![()]>;

    /// A mutator on a fresh heap (the mutator keeps its heap alive).
    pub fn mutator() -> SmallMutator {
        Heap::default().mutator::<Rootable![()]>(|_| ())
    }

    /// One `mutate` call's worth: objects `first..first + n`; returns their checksum.
    fn batch<const W: usize>(mc: &Mutation<'_>, first: u64, n: u64) -> u64 {
        let mut ring: [Option<Gc<'_, [u64; W]>>; RING] = [None; RING];
        let mut sum = 0;
        for i in first..first + n {
            let new = Gc::new(mc, object::<W>(i));
            if let Some(old) = ring[i as usize % RING].replace(new) {
                sum += value(&old);
            }
        }
        sum + ring.iter().flatten().map(|o| value(o)).sum::<u64>()
    }

    /// Allocates `n` objects of `W` words on `m`, `BATCH` per `mutate` call; returns the
    /// checksum.
    pub fn run<const W: usize>(m: &mut SmallMutator, n: u64) -> u64 {
        (0..n)
            .step_by(BATCH as usize)
            .map(|first| m.mutate(|mc, _| batch::<W>(mc, first, BATCH.min(n - first))))
            .sum()
    }
}
