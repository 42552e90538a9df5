// A Root to a !Sync object cannot be stored in a heap object: a sweep may drop the holder on
// another thread, whose Drop could then use the root there.
use gcheap::prelude::*;
use std::cell::Cell;

#[derive(Trace)]
struct Holder {
    root: Root<Rootable![Cell<u64>]>,
}

fn main() {}
