// A cleanup closure is `'static`: it cannot capture a Gc (which would let it reach, or
// resurrect, the object it cleans up after).
use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let obj = Gc::new(mc, String::from("file"));
        Gc::add_cleanup(mc, obj, (), move |()| println!("{}", *obj));
    });
}
