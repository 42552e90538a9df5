// A `Root` is `Send` only when its object is `Sync`; a `GcCell` is `!Sync`.
use gcheap::{Gc, GcCell, Heap, Root, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let root: Root<Rootable![GcCell<'_, u32>]> =
        m.mutate(|mc, _| Root::new(mc, Gc::new(mc, GcCell::new(1u32))));
    let t = std::thread::spawn(move || drop(root));
    t.join().unwrap();
}
