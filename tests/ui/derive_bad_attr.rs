// Unknown `#[trace(...)]` arguments are rejected with the list of the allowed ones.
use gcheap::Trace;

#[derive(Trace)]
#[trace(no_drop)]
struct BadContainer {
    a: u8,
}

#[derive(Trace)]
struct BadField {
    #[trace(skip)]
    a: u8,
}

#[derive(Trace)]
struct DropOnField {
    #[trace(unsafe_drop)]
    a: u8,
}

#[derive(Trace)]
#[trace(static, static)]
struct Duplicate {
    a: u8,
}

#[derive(Trace)]
enum OnVariant {
    #[trace(static)]
    A(String),
}

fn main() {}
