// Unions cannot be traced: the collector cannot know which field is active.
use gcheap::Trace;

#[derive(Trace)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
