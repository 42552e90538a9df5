// A `GcWeak` is branded like a `Gc`: it cannot be returned out of `mutate` (its upgrade would
// hand out a Gc under no brand). `WeakRoot` is the form that lives outside.
use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let w = m.mutate(|mc, _| Gc::downgrade(mc, Gc::new(mc, 1u32)));
    m.mutate(|mc, _| {
        let _ = w.upgrade(mc);
    });
}
