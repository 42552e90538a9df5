// `std::cell::Cell` is `Trace` only around `'static` values: a `Gc` stored in one would be written
// without the write barrier (and a hand-written `trace` could not read it safely).
use std::cell::Cell;

use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let g = Gc::new(mc, 1u32);
        let holder = Gc::new(mc, Cell::new(Some(g)));
        holder.set(None);
    });
}
