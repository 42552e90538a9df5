// `RefCell` and `Mutex` are `Trace` only around `'static` values, so they cannot hold a `Gc`
// (writes through them would skip the write barrier; the collector could race a `Mutex` writer).
use std::cell::RefCell;
use std::sync::Mutex;

use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let g = Gc::new(mc, 1u32);
        let list = Gc::new(mc, RefCell::new(vec![g]));
        list.borrow_mut().clear();
    });
    m.mutate(|mc, _| {
        let g = Gc::new(mc, 1u32);
        let locked = Gc::new(mc, Mutex::new(Some(g)));
        locked.lock().unwrap().take();
    });
}
