//! A barrier cell inside a Vec of a heap object: its writes could not find their object, so the
//! Vec's Trace impl refuses it when the object's type is instantiated.
use gcheap::prelude::*;

#[derive(Trace)]
struct Table<'gc> {
    slots: Vec<GcCell<'gc, Option<Gc<'gc, u64>>>>,
}

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let t = Gc::new(mc, Table { slots: vec![GcCell::new(None)] });
        t.slots[0].set(mc, Some(Gc::new(mc, 1)));
    });
}
