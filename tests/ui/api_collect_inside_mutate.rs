// `Mutator::collect` takes `&mut self`, so it cannot run inside the same mutator's `mutate` call,
// where Gc pointers live on the stack.
use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let g = Gc::new(mc, 1u32);
        m.collect();
        println!("{}", *g);
    });
}
