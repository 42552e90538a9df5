// A derived type with a `std::cell::Cell<Option<Gc<'gc, _>>>` field is rejected: `Cell<T>` is
// `Trace` only for `T: 'static`, and a Gc is never `'static`.
use std::cell::Cell;

use gcheap::{Gc, Trace};

#[derive(Trace)]
struct Holder<'gc> {
    slot: Cell<Option<Gc<'gc, u32>>>,
}

fn main() {}
