//! Behaviour of the allocator's public API, layer by layer: errors, alignment, large and tiny
//! objects, explicit frees (local and remote), sweeping (lazy, background, hook), scavenging.

mod common;

use std::alloc::Layout;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};

use gcheap_allocator::{
    AllocError, Allocator, AllocatorConfig, MAX_SMALL_SIZE, ObjectKind, PAGE_SIZE, POISON_BYTE,
};

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

fn check_identities(a: &Allocator) {
    common::check_identities(&a.stats());
}

#[test]
fn bad_requests_are_errors_not_aborts() {
    let a = Allocator::default();
    let mut c = a.cache();
    assert_eq!(
        c.alloc(layout(0, 1), ObjectKind::Scan),
        Err(AllocError::ZeroSize)
    );
    assert_eq!(
        c.alloc(layout(8, 2 * PAGE_SIZE), ObjectKind::Scan),
        Err(AllocError::UnsupportedAlignment {
            align: 2 * PAGE_SIZE
        })
    );
    let huge = layout(isize::MAX as usize - PAGE_SIZE, 8);
    assert!(matches!(
        c.alloc(huge, ObjectKind::NoScan),
        Err(AllocError::OutOfMemory { .. })
    ));
    // The allocator still works afterwards.
    let p = c.alloc(layout(24, 8), ObjectKind::Scan).unwrap();
    unsafe { c.free(p) };
    assert!(AllocError::ZeroSize.to_string().contains("zero"));
}

#[test]
#[cfg_attr(miri, ignore)] // many spans; slow under Miri
fn every_alignment_up_to_a_page_is_met() {
    let a = Allocator::default();
    let mut c = a.cache();
    let mut align = 1;
    while align <= PAGE_SIZE {
        for size in [1, 7, 100, 3000, 20000, 40000] {
            let p = c.alloc(layout(size, align), ObjectKind::Scan).unwrap();
            assert_eq!(p.as_ptr().addr() % align, 0, "size {size} align {align}");
            assert!(a.usable_size(p).unwrap() >= size);
            unsafe { c.free(p) };
        }
        align *= 2;
    }
    assert_eq!(a.stats().heap_objects, 0);
}

#[test]
fn small_objects_are_reused_after_free() {
    let a = Allocator::default();
    let mut c = a.cache();
    let l = layout(64, 8);
    let p = c.alloc(l, ObjectKind::NoScan).unwrap();
    unsafe { c.free(p) };
    let q = c.alloc(l, ObjectKind::NoScan).unwrap();
    assert_eq!(
        p, q,
        "a freed slot in the current window is handed out again"
    );
    // Different span classes never share spans.
    let r = c.alloc(l, ObjectKind::Scan).unwrap();
    assert_ne!(a.object_base(r), a.object_base(q));
    unsafe {
        c.free(q);
        c.free(r);
    }
    check_identities(&a);
}

#[test]
fn large_objects_get_their_own_pages_and_give_them_back() {
    let a = Allocator::default();
    let mut c = a.cache();
    let before = a.stats();
    let size = MAX_SMALL_SIZE + 1;
    let p = c.alloc(layout(size, 8), ObjectKind::Scan).unwrap();
    assert_eq!(p.as_ptr().addr() % PAGE_SIZE, 0);
    assert_eq!(a.usable_size(p), Some(5 * PAGE_SIZE));
    // Interior pointers resolve to the object's start.
    let inner = unsafe { NonNull::new_unchecked(p.as_ptr().add(size - 1)) };
    assert_eq!(a.object_base(inner), Some(p));
    unsafe { p.as_ptr().write_bytes(0xAB, size) };
    let s = a.stats();
    assert_eq!(s.heap_inuse - before.heap_inuse, 5 * PAGE_SIZE as u64);
    assert_eq!(s.by_size[0].mallocs, 1);
    unsafe { c.free(p) };
    let s = a.stats();
    assert_eq!(s.heap_inuse, before.heap_inuse);
    assert_eq!(s.heap_objects, 0);
    assert_eq!(s.by_size[0].frees, 1);
    check_identities(&a);
}

#[test]
fn tiny_objects_share_blocks_and_count_as_go_does() {
    let a = Allocator::default();
    let mut c = a.cache();
    let ps: Vec<_> = (0..4)
        .map(|_| c.alloc_tiny(layout(4, 4)).unwrap())
        .collect();
    let block = a.object_base(ps[0]).unwrap();
    for (i, p) in ps.iter().enumerate() {
        assert_eq!(
            a.object_base(*p),
            Some(block),
            "tiny object {i} in the same block"
        );
        assert_eq!(p.as_ptr().addr() - block.as_ptr().addr(), 4 * i);
    }
    let s = a.stats();
    assert_eq!(s.heap_objects, 1, "one 16-byte block");
    assert_eq!(
        s.tiny_allocs, 3,
        "three objects fitted into an existing block"
    );
    assert_eq!(s.mallocs, 4);
    // A fifth does not fit: a new block.
    let p = c.alloc_tiny(layout(4, 4)).unwrap();
    assert_ne!(a.object_base(p), Some(block));
    // Marking one object keeps the whole block; the unmarked block is swept.
    a.mark(ps[2]);
    c.flush();
    a.start_sweep_cycle();
    a.finish_sweep();
    let s = a.stats();
    assert_eq!(s.heap_objects, 1);
    assert_eq!(a.is_marked(ps[0]), Some(false), "sweeping clears mark bits");
    check_identities(&a);
}

#[test]
#[should_panic(expected = "tiny objects")]
fn freeing_a_tiny_object_panics() {
    let a = Allocator::default();
    let mut c = a.cache();
    let p = c.alloc_tiny(layout(3, 1)).unwrap();
    unsafe { c.free(p) };
}

#[test]
#[should_panic(expected = "double free")]
fn double_free_in_the_current_window_panics() {
    let a = Allocator::default();
    let mut c = a.cache();
    let p = c.alloc(layout(32, 8), ObjectKind::Scan).unwrap();
    unsafe {
        c.free(p);
        c.free(p);
    }
}

#[test]
#[should_panic(expected = "double free")]
fn double_free_through_the_central_lists_panics() {
    let a = Allocator::default();
    let mut c = a.cache();
    let p = c.alloc(layout(32, 8), ObjectKind::Scan).unwrap();
    let _q = c.alloc(layout(32, 8), ObjectKind::Scan).unwrap();
    c.flush();
    unsafe {
        a.free(p);
        a.free(p);
    }
}

#[test]
#[should_panic(expected = "not an allocated object")]
fn freeing_a_foreign_pointer_panics() {
    let a = Allocator::default();
    let mut c = a.cache();
    let mut local = 0u64;
    unsafe { c.free(NonNull::from(&mut local).cast()) };
}

#[test]
#[should_panic(expected = "not an allocated object")]
fn freeing_another_allocators_object_panics() {
    let a = Allocator::default();
    let b = Allocator::default();
    let p = a.cache().alloc(layout(16, 8), ObjectKind::Scan).unwrap();
    unsafe { b.cache().free(p) };
}

#[test]
#[should_panic(expected = "inside an object")]
fn freeing_an_interior_pointer_panics() {
    let a = Allocator::default();
    let mut c = a.cache();
    let p = c.alloc(layout(64, 8), ObjectKind::Scan).unwrap();
    unsafe { c.free(p.add(8)) };
}

#[test]
fn remote_frees_are_folded_in_by_the_owner() {
    let a = Allocator::default();
    let mut owner = a.cache();
    let mut other = a.cache();
    let l = layout(128, 8);
    let ps: Vec<_> = (0..10)
        .map(|_| owner.alloc(l, ObjectKind::NoScan).unwrap())
        .collect();
    for &p in &ps {
        unsafe { other.free(p) };
    }
    let s = a.stats();
    assert_eq!(s.heap_objects, 0);
    // Fill the rest of the span (64 objects of 128 B per page) and beyond: the owner folds the
    // remote frees in instead of taking a new span, so the freed slots come back.
    let more: Vec<_> = (0..64)
        .map(|_| owner.alloc(l, ObjectKind::NoScan).unwrap())
        .collect();
    for p in &ps {
        assert!(more.contains(p), "remotely freed slot {p:p} reused");
    }
    for p in more {
        unsafe { owner.free(p) };
    }
    check_identities(&a);
}

#[test]
fn sweeping_frees_unmarked_objects_and_reports_scan_ones() {
    let dead = Arc::new(Mutex::new(Vec::new()));
    let hook_dead = dead.clone();
    let a = Allocator::new(AllocatorConfig {
        poison_freed: true,
        sweep_hook: Some(Arc::new(move |p: NonNull<u8>, size| {
            hook_dead.lock().unwrap().push((p.as_ptr().addr(), size))
        })),
    });
    let mut c = a.cache();
    let scan: Vec<_> = (0..100)
        .map(|_| c.alloc(layout(48, 8), ObjectKind::Scan).unwrap())
        .collect();
    let noscan: Vec<_> = (0..100)
        .map(|_| c.alloc(layout(48, 8), ObjectKind::NoScan).unwrap())
        .collect();
    let large = c.alloc(layout(100_000, 8), ObjectKind::Scan).unwrap();
    for p in scan.iter().chain(&noscan).step_by(2) {
        assert!(a.mark(*p));
        assert!(!a.mark(*p), "second mark reports already marked");
    }
    c.flush();
    a.start_sweep_cycle();
    a.finish_sweep();
    let mut reported = dead.lock().unwrap().clone();
    reported.sort();
    let mut expected: Vec<_> = scan
        .iter()
        .skip(1)
        .step_by(2)
        .map(|p| (p.as_ptr().addr(), 48))
        .collect();
    expected.push((large.as_ptr().addr(), 13 * PAGE_SIZE));
    expected.sort();
    assert_eq!(
        reported, expected,
        "exactly the dead scan objects are reported"
    );
    // Poisoned.
    let dead_noscan = noscan[1];
    assert_eq!(unsafe { dead_noscan.as_ptr().read() }, POISON_BYTE);
    let s = a.stats();
    assert_eq!(s.heap_objects, 100);
    assert_eq!(s.sweep_cycles, 1);
    check_identities(&a);
}

#[test]
fn lazy_and_background_sweeping_never_sweep_twice() {
    let a = Allocator::default();
    let mut c = a.cache();
    let l = layout(256, 8);
    // 32 objects per span; fewer spans under Miri, where each costs seconds.
    let spans = if cfg!(miri) { 12 } else { 100 };
    let ps: Vec<_> = (0..spans * 32)
        .map(|_| c.alloc(l, ObjectKind::Scan).unwrap())
        .collect();
    for p in ps.iter().step_by(3) {
        a.mark(*p);
    }
    c.flush();
    let swept_before = a.stats().spans_swept;
    a.start_sweep_cycle();
    // Allocation sweeps lazily ...
    for _ in 0..spans {
        c.alloc(l, ObjectKind::Scan).unwrap();
    }
    let lazy = a.stats().spans_swept - swept_before;
    assert!(lazy >= 1, "allocation swept some spans itself");
    // ... and a background sweeper does the rest; each span exactly once.
    while a.sweep_one() {}
    a.finish_sweep();
    assert_eq!(a.stats().spans_swept - swept_before, spans as u64);
    check_identities(&a);
}

#[test]
#[should_panic(expected = "across two sweep cycles")]
fn holding_a_span_across_two_cycles_is_reported() {
    let a = Allocator::default();
    let mut c = a.cache();
    let p = c.alloc(layout(16, 8), ObjectKind::Scan).unwrap();
    a.mark(p);
    a.start_sweep_cycle();
    a.start_sweep_cycle();
    c.flush();
}

#[test]
#[cfg_attr(miri, ignore)] // madvise
fn scavenger_returns_idle_memory() {
    let a = Allocator::default();
    let mut c = a.cache();
    let ps: Vec<_> = (0..64)
        .map(|_| c.alloc(layout(64 << 10, 8), ObjectKind::NoScan).unwrap())
        .collect();
    for &p in &ps {
        unsafe { p.as_ptr().write_bytes(1, 64 << 10) };
    }
    for p in ps {
        unsafe { c.free(p) };
    }
    c.flush();
    let s = a.stats();
    assert!(s.heap_idle - s.heap_released >= 4 << 20, "{s:?}");
    let released = a.scavenge_to(1 << 20);
    let s = a.stats();
    assert!(released >= 3 << 20);
    assert!(s.heap_idle - s.heap_released <= 1 << 20);
    a.release_all();
    let s = a.stats();
    assert_eq!(s.heap_released, s.heap_idle);
    assert!(s.scavenged_total >= released as u64);
    // Released memory is reused and reads as zero.
    let p = c.alloc(layout(64 << 10, 8), ObjectKind::NoScan).unwrap();
    assert_eq!(unsafe { p.as_ptr().read() }, 0);
    check_identities(&a);
}

#[test]
fn stats_count_by_size_class() {
    let a = Allocator::default();
    let mut c = a.cache();
    for size in [8, 16, 100, 1000, 32768] {
        let p = c.alloc(layout(size, 8), ObjectKind::Scan).unwrap();
        unsafe { c.free(p) };
    }
    let s = a.stats();
    assert_eq!(s.by_size.len(), 68);
    for (size, class) in [(8, 1), (16, 2), (100, 9), (1000, 32), (32768, 67)] {
        assert_eq!(s.by_size[class].mallocs, 1, "size {size}");
        assert_eq!(s.by_size[class].frees, 1, "size {size}");
    }
    assert_eq!(s.total_alloc, 8 + 16 + 112 + 1024 + 32768);
    drop(c);
    // Counts survive the cache.
    assert_eq!(a.stats().mallocs, 5);
    assert_eq!(a.stats().mcache_inuse, 0);
    assert!(a.stats().mcache_sys > 0);
}

#[test]
fn the_per_thread_default_cache_serves_standalone_use() {
    let a = Allocator::default();
    let l = layout(40, 8);
    let p = a.alloc(l, ObjectKind::Scan).unwrap();
    let q = a.alloc(l, ObjectKind::Scan).unwrap();
    assert_eq!(a.object_base(p), Some(p));
    assert_ne!(p, q);
    assert_eq!(
        a.stats().mcache_inuse,
        a.stats().mcache_sys,
        "one cache, created on first use"
    );
    unsafe {
        a.free(p);
        a.free(q);
    }
    // A nested use gets a temporary cache instead of a RefCell panic.
    let nested = a.with_thread_cache(|_| a.alloc(l, ObjectKind::NoScan).unwrap());
    unsafe { a.free(nested) };
    // Another thread has its own default cache; frees cross threads.
    let r = std::thread::scope(|s| {
        s.spawn(|| {
            a.alloc(l, ObjectKind::Scan)
                .unwrap()
                .as_ptr()
                .expose_provenance()
        })
        .join()
        .unwrap()
    });
    unsafe { a.free(NonNull::new(std::ptr::with_exposed_provenance_mut(r)).unwrap()) };
    a.release_thread_cache();
    let s = a.stats();
    assert_eq!(s.heap_objects, 0);
    assert_eq!(
        s.mcache_inuse, 0,
        "every default cache released (the other thread's at its exit)"
    );
    check_identities(&a);
}

#[test]
fn mark_new_object_keeps_objects_in_spans_the_next_sweep_reads() {
    let a = Allocator::default();
    let mut held = a.cache();
    let l = layout(64, 8);
    // A mark starts at generation g; a cache allocates black in its span.
    let g = a.sweep_generation();
    let before = held.alloc(l, ObjectKind::NoScan).unwrap();
    assert_eq!(a.mark_new_object(before, g), Some(64));
    assert_eq!(a.mark_new_object(before, g), None, "already marked");
    let large = held.alloc(layout(100_000, 8), ObjectKind::NoScan).unwrap();
    assert!(a.mark_new_object(large, g).is_some(), "large spans too");
    // The sweep starts while the cache still holds its span: objects it allocates there now
    // are swept when it releases the span, so they are marked.
    a.start_sweep_cycle();
    let stale = held.alloc(l, ObjectKind::NoScan).unwrap();
    assert_eq!(a.mark_new_object(stale, g), Some(64));
    // A fresh cache takes spans swept by the new cycle: a mark bit there would outlive the
    // sweep, so none is set.
    let mut fresh = a.cache();
    let new = fresh.alloc(l, ObjectKind::NoScan).unwrap();
    assert_eq!(a.mark_new_object(new, g), None);
    assert_eq!(a.is_marked(new), Some(false));
    let new_large = fresh.alloc(layout(100_000, 8), ObjectKind::NoScan).unwrap();
    assert_eq!(a.mark_new_object(new_large, g), None);
    // Releasing the stale span sweeps it: both black objects survive.
    held.prepare_for_sweep();
    a.finish_sweep();
    assert_eq!(
        a.is_marked(before),
        Some(false),
        "sweeping cleared the mark"
    );
    assert_eq!(a.stats().heap_objects, 5);
    check_identities(&a);
}
