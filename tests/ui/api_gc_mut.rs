// A `Gc` gives only shared access (`Deref`, never `DerefMut`): objects change only through
// gcheap's cells, whose writes run the write barrier.
use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let g = Gc::new(mc, 1u32);
        *g = 5;
    });
}
