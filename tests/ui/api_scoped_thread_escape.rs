// A `Gc` cannot escape `mutate` into a thread scope opened outside the call: the scoped thread
// could run after `mutate` returned, when a cycle may have freed the object.
use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    std::thread::scope(|s| {
        m.mutate(|mc, _| {
            let g = Gc::new(mc, 1u32);
            s.spawn(move || println!("{}", *g));
        });
    });
}
