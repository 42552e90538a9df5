// `#[trace(static)]` skips a field only if it is `Send + 'static`; an `Rc` is not `Send`.
use std::rc::Rc;

use gcheap::Trace;

#[derive(Trace)]
struct Shared {
    #[trace(static)]
    count: Rc<u8>,
}

// A borrowed field is not `'static`.
#[derive(Trace)]
struct Borrowed<'a> {
    #[trace(static)]
    text: &'a str,
}

// A type parameter must be declared `Send + 'static` to be skipped.
#[derive(Trace)]
struct Param<T> {
    #[trace(static)]
    value: T,
}

// On the whole type, `#[trace(static)]` asserts that the type is `Send + 'static`.
#[derive(Trace)]
#[trace(static)]
struct WholeType {
    count: Rc<u8>,
}

fn main() {}
