// A traced type with generic parameters may hold Gc pointers, so it may not implement `Drop`:
// the collector drops dead objects in no particular order.
use std::marker::PhantomData;

use gcheap::Trace;

#[derive(Trace)]
struct Node<'gc, T> {
    value: T,
    marker: PhantomData<&'gc ()>,
}

impl<T> Drop for Node<'_, T> {
    fn drop(&mut self) {}
}

fn main() {}
