// `Rc` is not `Trace`: a sweep may drop a dead object on any thread, and an `Rc`'s count is not
// atomic.
use std::rc::Rc;

use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let g = Gc::new(mc, Rc::new(1u32));
        println!("{}", **g);
    });
}
