// The mutation context belongs to its mutator's thread: `&Mutation` cannot be sent to another
// thread (`Mutation` is neither `Send` nor `Sync`), so no other thread allocates with it.
use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        std::thread::scope(|s| {
            s.spawn(move || *Gc::new(mc, 1u32));
        });
    });
}
