// A `Gc` cannot be stored into a variable declared outside the `mutate` closure: that variable
// outlives the call and the `for<'gc>` brand cannot be named outside it.
use gcheap::{Gc, Heap, Rootable};

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let mut keep = None;
    m.mutate(|mc, _| keep = Some(Gc::new(mc, 1u32)));
    m.collect();
    println!("{}", *keep.unwrap());
}
