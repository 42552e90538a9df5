// A `Gc` is `Send` only when its object is `Sync`: a Gc to a `GcCell` (which is `!Sync`) cannot go
// to another thread, not even a scoped one that ends inside the `mutate` call.
use gcheap::{Gc, GcCell, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let g = Gc::new(mc, GcCell::new(1u32));
        std::thread::scope(|s| {
            s.spawn(move || g.get());
        });
    });
}
