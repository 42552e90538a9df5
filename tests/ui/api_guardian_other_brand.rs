// A guardian belongs to its `mutate` call's brand: an object of another call (another heap's,
// here) cannot be registered with it, nor can what it hands back leave the brand.
use gcheap::{Gc, GcGuardian, Heap, Rootable};

type Guarded = Rootable![Gc<'_, GcGuardian<'_, u32>>];

fn main() {
    let heap_a = Heap::default();
    let heap_b = Heap::default();
    let mut a = heap_a.mutator::<Rootable![()]>(|_| ());
    let mut b = heap_b.mutator::<Guarded>(|mc| GcGuardian::new(mc));
    a.mutate(|mc_a, _| {
        let object = Gc::new(mc_a, 1u32);
        b.mutate(|mc_b, guardian| {
            guardian.register(mc_b, object);
        });
    });
}
