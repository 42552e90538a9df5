// A `Gc` from a `mutate` call cannot become part of a new mutator's root: `make_root` runs under
// its own brand, so the new root cannot hold a pointer of the enclosing call's brand.
use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let g = Gc::new(mc, 1u32);
        let _other = heap.mutator::<Rootable![Option<Gc<'_, u32>>]>(|_| Some(g));
    });
}
