// A `GcWeak` carries its `mutate` call's brand like a `Gc`: one made under mutator A's call
// cannot be stored into mutator B's root during a nested call on B, nor upgraded there.
use gcheap::{Gc, GcCell, GcWeak, Heap, Rootable};

type WeakSlot = Rootable![GcCell<'_, Option<GcWeak<'_, u32>>>];

fn main() {
    let heap_a = Heap::default();
    let heap_b = Heap::default();
    let mut a = heap_a.mutator::<Rootable![()]>(|_| ());
    let mut b = heap_b.mutator::<WeakSlot>(|_| GcCell::new(None));
    a.mutate(|mc_a, _| {
        let weak = Gc::downgrade(mc_a, Gc::new(mc_a, 1u32));
        b.mutate(|mc_b, root_b| {
            root_b.set(mc_b, Some(weak));
            let _ = weak.upgrade(mc_b);
        });
    });
}
