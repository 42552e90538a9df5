// Downcasting needs `Any`, so a type holding Gc pointers (not `'static`) cannot become a
// `dyn GcAny`: its brand would be lost in the round trip.
use gcheap::{Gc, GcAny, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let inner = Gc::new(mc, 1u32);
        let holder = Gc::new(mc, (inner, 2u32));
        let any = Gc::unsize::<dyn GcAny>(holder, |h| h);
        assert!(any.is::<(Gc<'_, u32>, u32)>());
    });
}
