// `Root::new` needs the Gc and the `Mutation` of the same `mutate` call: a Gc allocated in a
// nested call on another heap cannot be registered with the outer call's context.
use gcheap::{Gc, Heap, Root, Rootable};

fn main() {
    let heap_a = Heap::default();
    let heap_b = Heap::default();
    let mut a = heap_a.mutator::<Rootable![()]>(|_| ());
    let mut b = heap_b.mutator::<Rootable![()]>(|_| ());
    let _root: Root<Rootable![u32]> = a.mutate(|mc_a, _| {
        b.mutate(|mc_b, _| {
            let inner = Gc::new(mc_b, 7u32);
            Root::new(mc_a, inner)
        })
    });
}
