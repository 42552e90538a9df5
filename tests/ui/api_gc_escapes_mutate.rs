// A `Gc` cannot be returned out of `mutate`: its brand `'gc` exists only inside the call, so no
// Gc pointer survives to a boundary, where the collector does not look for it.
use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let g = m.mutate(|mc, _| Gc::new(mc, 1u32));
    m.collect();
    println!("{}", *g);
}
