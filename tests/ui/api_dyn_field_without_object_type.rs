// A `Gc<dyn Trait>` field is traceable only if the trait has `ObjectType` as a supertrait.
use gcheap::{Gc, Trace};

trait Shape {
    fn area(&self) -> f64;
}

#[derive(Trace)]
struct Scene<'gc> {
    shapes: Vec<Gc<'gc, dyn Shape + 'gc>>,
}

fn main() {}
