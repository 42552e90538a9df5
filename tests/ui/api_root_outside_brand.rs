// Inside a nested `mutate` call, a `Gc` allocated under the inner brand cannot be written into the
// outer call's root cell, not even with the outer call's own `Mutation`: the cell's value type
// carries the outer brand.
use gcheap::{Gc, GcCell, Heap, Rootable};

type Slot = Rootable![GcCell<'_, Option<Gc<'_, u32>>>];

fn main() {
    let heap_a = Heap::default();
    let heap_b = Heap::default();
    let mut a = heap_a.mutator::<Slot>(|_| GcCell::new(None));
    let mut b = heap_b.mutator::<Rootable![()]>(|_| ());
    a.mutate(|mc_a, root_a| {
        b.mutate(|mc_b, _| {
            let inner = Gc::new(mc_b, 7u32);
            root_a.set(mc_a, Some(inner));
        });
    });
}
