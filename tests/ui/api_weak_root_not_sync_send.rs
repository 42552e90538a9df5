// A `WeakRoot` is `Send` only when its target is `Sync`, as a `Root`: a `GcCell` is `!Sync`.
use gcheap::{Gc, GcCell, Heap, Rootable, WeakRoot};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let weak: WeakRoot<Rootable![GcCell<'_, u32>]> =
        m.mutate(|mc, _| WeakRoot::new(mc, Gc::new(mc, GcCell::new(1u32))));
    let t = std::thread::spawn(move || drop(weak));
    t.join().unwrap();
}
