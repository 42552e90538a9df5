// Every traced field must be `Trace`; the error points at the field.
use gcheap::Trace;

struct NotTrace;

#[derive(Trace)]
struct Holder {
    ok: u32,
    bad: NotTrace,
}

#[derive(Trace)]
enum Either {
    Left(u8),
    Right { bad: NotTrace },
}

fn main() {}
