//! The gc-latency ring, shared by the `peer_latency` and `plots` examples and the gcheap peer of
//! `benches/peers/` so that they run exactly the workload of `benches/latency.rs`: 200,000
//! slots; push i stores a fresh 1 KiB buffer (byte j = (i + j) as u8) into slot i % 200,000, one
//! `mutate` call per push.

use gcheap::prelude::*;

pub const SLOTS: usize = 200_000;
pub const BUFFER: usize = 1024;

/// One ring slot: an optional buffer, replaced through the barrier.
type Slot<'gc> = GcCell<'gc, Option<Gc<'gc, [u8]>>>;

#[derive(Trace)]
pub struct Ring<'gc> {
    slots: Gc<'gc, [Slot<'gc>]>,
}

pub type RingRoot = Rootable![Ring<'_>];

/// The empty ring, as the mutator's root.
pub fn new_ring<'gc>(mc: &Mutation<'gc>) -> Ring<'gc> {
    Ring {
        slots: Gc::from_iter(mc, (0..SLOTS).map(|_| GcCell::new(None))),
    }
}

/// Push `i`: the body of one timed `mutate` call.
#[inline]
pub fn push<'gc>(mc: &Mutation<'gc>, ring: &Ring<'gc>, i: usize) {
    let buf = Gc::from_iter(mc, (0..BUFFER).map(|j| (i + j) as u8));
    ring.slots[i % SLOTS].set(mc, Some(buf));
}

/// First plus last byte over the slots, as the Go and Boehm peers print it.
pub fn checksum(ring: &Ring<'_>) -> u64 {
    ring.slots
        .iter()
        .map(|s| s.get().map_or(0u64, |b| b[0] as u64 + b[BUFFER - 1] as u64))
        .sum()
}
