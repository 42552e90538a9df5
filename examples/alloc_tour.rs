//! A tour of the allocator: two threads allocate a realistic mix of object sizes, free part of it
//! (some objects on the other thread), a sweep cycle reclaims unmarked objects, the scavenger
//! returns idle memory to the OS, and the statistics are printed at each step with Go's names.
//!
//! Run with `cargo run --release --example alloc_tour`.

use std::alloc::Layout;
use std::ptr::NonNull;
use std::sync::mpsc;
use std::time::Instant;

use gcheap::allocator::{AllocStats, Allocator, ObjectKind};

use gcheap_bench_support::rng::Rng;

/// A size drawn from a mix typical of an interpreter's heap: mostly small records and strings,
/// some arrays, a few large buffers.
fn random_size(rng: &mut Rng) -> usize {
    match rng.next() % 1000 {
        0..=599 => 8 + (rng.next() % 56) as usize, // small records: 8..64 B
        600..=899 => 64 + (rng.next() % 448) as usize, // strings, small arrays
        900..=989 => 512 + (rng.next() % 7680) as usize, // arrays, maps
        990..=998 => 8192 + (rng.next() % 24576) as usize, // big arrays
        _ => 33_000 + (rng.next() % 500_000) as usize, // large buffers
    }
}

/// An object handle that can cross threads (the address is only dereferenced by its user).
struct Object {
    ptr: NonNull<u8>,
    size: usize,
}
// SAFETY: an Object is an exclusive handle to memory this example allocated; it is moved, never
// shared, between threads.
unsafe impl Send for Object {}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

fn print_stats(label: &str, s: &AllocStats) {
    println!("== {label}");
    println!(
        "   HeapAlloc {:8.2} MiB   HeapInuse {:8.2} MiB   HeapIdle {:8.2} MiB   HeapReleased {:8.2} MiB",
        mib(s.heap_alloc),
        mib(s.heap_inuse),
        mib(s.heap_idle),
        mib(s.heap_released)
    );
    println!(
        "   HeapSys   {:8.2} MiB   Sys       {:8.2} MiB   HeapObjects {:9}   Mallocs {:9}   Frees {:9}",
        mib(s.heap_sys),
        mib(s.sys),
        s.heap_objects,
        s.mallocs,
        s.frees
    );
    println!(
        "   TotalAlloc {:7.2} MiB   MSpanInuse {:6} KiB   MCacheInuse {:4} KiB   TinyAllocs {:7}   SpansSwept {}",
        mib(s.total_alloc),
        s.mspan_inuse / 1024,
        s.mcache_inuse / 1024,
        s.tiny_allocs,
        s.spans_swept
    );
}

const OBJECTS_PER_THREAD: usize = 400_000;

fn main() {
    let allocator = Allocator::default();
    print_stats("empty allocator", &allocator.stats());

    // Phase 1: two threads allocate; each frees a third of its objects itself and sends another
    // third to the other thread to free (cross-thread frees).
    let start = Instant::now();
    let (to_b, from_a) = mpsc::channel::<Vec<Object>>();
    let (to_a, from_b) = mpsc::channel::<Vec<Object>>();
    let keepers: Vec<Vec<Object>> = std::thread::scope(|scope| {
        let workers = [(1u64, to_b, from_b), (2u64, to_a, from_a)].map(|(seed, tx, rx)| {
            let allocator = &allocator;
            scope.spawn(move || {
                let mut cache = allocator.cache();
                let mut rng = Rng(seed * 0x9E37_79B9_7F4A_7C15);
                let (mut keep, mut give) = (Vec::new(), Vec::new());
                for i in 0..OBJECTS_PER_THREAD {
                    let size = random_size(&mut rng);
                    let kind = if i % 2 == 0 {
                        ObjectKind::Scan
                    } else {
                        ObjectKind::NoScan
                    };
                    let layout = Layout::from_size_align(size, 8).unwrap();
                    let ptr = cache.alloc(layout, kind).expect("allocation failed");
                    // SAFETY: a fresh object of `size` bytes.
                    unsafe { ptr.as_ptr().write_bytes(seed as u8, size) };
                    match i % 3 {
                        // SAFETY: allocated just above, not used afterwards.
                        0 => unsafe { cache.free(ptr) },
                        1 => give.push(Object { ptr, size }),
                        _ => keep.push(Object { ptr, size }),
                    }
                }
                tx.send(give).unwrap();
                for object in rx.recv().unwrap() {
                    // SAFETY: the other thread allocated it and handed it over; freed once.
                    unsafe { cache.free(object.ptr) };
                }
                // Strings and small tuples: tiny objects packed into 16-byte blocks.
                for _ in 0..100_000 {
                    let size = 1 + (rng.next() % 15) as usize;
                    let p = cache
                        .alloc_tiny(Layout::from_size_align(size, 1).unwrap())
                        .unwrap();
                    // SAFETY: a fresh object of `size` bytes.
                    unsafe { p.as_ptr().write_bytes(0, size) };
                }
                keep
            })
        });
        workers.map(|w| w.join().unwrap()).into_iter().collect()
    });
    println!(
        "\n2 threads allocated {} objects and freed two thirds of them (half of those cross-thread) in {:.1} ms",
        2 * OBJECTS_PER_THREAD,
        start.elapsed().as_secs_f64() * 1e3
    );
    print_stats("after phase 1", &allocator.stats());

    // Phase 2: a collection as the collector will drive it: mark every other kept object, then
    // sweep. Unmarked objects (and every tiny block, since none is marked) are freed.
    let start = Instant::now();
    let mut survivors = 0;
    for object in keepers.iter().flatten().step_by(2) {
        allocator.mark(object.ptr);
        survivors += 1;
    }
    allocator.start_sweep_cycle();
    allocator.finish_sweep();
    println!(
        "\nmarked {survivors} objects and swept the heap in {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    print_stats("after sweep", &allocator.stats());
    for object in keepers.iter().flatten().step_by(2) {
        // SAFETY: survivors are live and were filled with their thread's byte.
        let first = unsafe { object.ptr.as_ptr().read() };
        let last = unsafe { object.ptr.as_ptr().add(object.size - 1).read() };
        assert!(
            first == last && (first == 1 || first == 2),
            "survivor corrupted"
        );
    }

    // Phase 3: give idle memory back to the OS.
    let released = allocator.release_all();
    println!(
        "\nscavenger released {:.2} MiB to the OS",
        mib(released as u64)
    );
    print_stats("after scavenging", &allocator.stats());
}
