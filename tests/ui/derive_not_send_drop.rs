// A type without lifetime or type parameters may implement `Drop`, but its drop runs on whichever
// thread sweeps it, so it must be `Send`: a `!Send` one (here through `PhantomData<Rc<()>>`) is
// refused where it is derived.
use std::marker::PhantomData;
use std::rc::Rc;

use gcheap::{Gc, Heap, Rootable, Trace};

#[derive(Trace)]
struct ThreadBound {
    id: u64,
    _not_send: PhantomData<Rc<()>>,
}

impl Drop for ThreadBound {
    fn drop(&mut self) {
        println!("dropped {}", self.id);
    }
}

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        Gc::new(mc, ThreadBound { id: 1, _not_send: PhantomData });
    });
}
