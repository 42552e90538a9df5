//! Helpers shared by the allocator's integration tests.

use gcheap_allocator::AllocStats;

/// Asserts the documented identities and inequalities between statistics fields.
pub fn check_identities(s: &AllocStats) {
    assert_eq!(s.heap_idle, s.heap_sys - s.heap_inuse, "{s:?}");
    assert!(s.heap_released <= s.heap_idle, "{s:?}");
    assert!(s.heap_alloc <= s.heap_inuse, "{s:?}");
    assert_eq!(s.heap_objects, s.mallocs - s.frees, "{s:?}");
    assert_eq!(s.alloc, s.heap_alloc);
    assert_eq!(
        s.sys,
        s.heap_sys + s.mspan_sys + s.mcache_sys + s.gc_sys + s.other_sys,
        "{s:?}"
    );
    assert!(s.mspan_inuse <= s.mspan_sys, "{s:?}");
    assert!(s.mcache_inuse <= s.mcache_sys, "{s:?}");
}
