// A trait object is a Gc target only if its trait has `ObjectType` as a supertrait: without it
// the collector could not find the object's header through the vtable.
use gcheap::{Gc, Heap, Rootable};

trait Shape {
    fn area(&self) -> f64;
}

impl Shape for f64 {
    fn area(&self) -> f64 {
        *self
    }
}

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let shape = Gc::unsize::<dyn Shape>(Gc::new(mc, 2.0), |s| s);
        println!("{}", shape.area());
    });
}
