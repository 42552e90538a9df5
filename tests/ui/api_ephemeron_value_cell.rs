// An ephemeron is never written after it is built, so its value may hold no barrier cell inline
// (keep a `Gc` of the cell there instead); refused when the binary is built.
use gcheap::{Gc, GcCell, GcEphemeron, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let key = Gc::new(mc, 1u32);
        let cell: GcCell<'_, Option<Gc<'_, u32>>> = GcCell::new(None);
        let _e = GcEphemeron::new(mc, key, cell);
    });
}
