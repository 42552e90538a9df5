// A `Gc` from mutator A's `mutate` call cannot be stored into mutator B's root during a nested
// `mutate` call on B: each call has its own invariant brand, and brands never unify.
use gcheap::{Gc, GcCell, Heap, Rootable};

type Slot = Rootable![GcCell<'_, Option<Gc<'_, u32>>>];

fn main() {
    let heap_a = Heap::default();
    let heap_b = Heap::default();
    let mut a = heap_a.mutator::<Slot>(|_| GcCell::new(None));
    let mut b = heap_b.mutator::<Slot>(|_| GcCell::new(None));
    a.mutate(|mc_a, root_a| {
        root_a.set(mc_a, Some(Gc::new(mc_a, 1)));
        b.mutate(|mc_b, root_b| {
            root_b.set(mc_b, root_a.get());
        });
    });
}
