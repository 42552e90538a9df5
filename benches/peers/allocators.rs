//! `mimalloc` and `system` (the small-allocation workload only): `mimalloc::MiMalloc` and
//! `std::alloc::System` called directly through `GlobalAlloc::alloc`/`dealloc` with the object's
//! `Layout`, freeing each displaced object; neither is the global allocator.

use std::alloc::{GlobalAlloc, Layout, handle_alloc_error};

use crate::workloads::small_alloc;

/// Allocates `n` objects of `W` words through `alloc`'s `GlobalAlloc` methods, called directly
/// (`alloc` is not the global allocator), each stored in a ring of raw pointers and freed when
/// it is displaced; returns the checksum.
pub fn small_alloc<A: GlobalAlloc, const W: usize>(alloc: &A, n: u64) -> u64 {
    let layout = Layout::new::<[u64; W]>();
    let mut ring = [std::ptr::null_mut::<[u64; W]>(); small_alloc::RING];
    let mut sum = 0;
    let mut retire = |old: *mut [u64; W]| {
        if !old.is_null() {
            // SAFETY: `old` came from `alloc.alloc(layout)` below (same allocator, same layout),
            // was initialized there and is read and freed only here, once: it has just left the
            // ring, which held the only copy.
            unsafe {
                sum += small_alloc::value(&*old);
                alloc.dealloc(old.cast(), layout);
            }
        }
    };
    for i in 0..n {
        // SAFETY: the layout's size is not zero.
        let new = unsafe { alloc.alloc(layout) }.cast::<[u64; W]>();
        if new.is_null() {
            handle_alloc_error(layout);
        }
        // SAFETY: `new` is non-null (checked) and a fresh allocation of `layout`, which is the
        // array's own size and alignment; nothing else refers to it.
        unsafe { new.write(small_alloc::object::<W>(i)) };
        retire(std::mem::replace(
            &mut ring[i as usize % small_alloc::RING],
            new,
        ));
    }
    ring.into_iter().for_each(retire);
    sum
}
