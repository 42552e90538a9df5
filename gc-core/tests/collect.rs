//! `Heap::collect`'s promise (Go's `runtime.GC`): on return, every object that was unreachable
//! when its cycle marked has been dropped, whatever the heap's other mutators are doing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::thread;

use gcheap_core::{Gc, Heap, Rootable, Trace, Tracer};

/// Counts its drops in a shared counter.
struct Tracked(Arc<AtomicUsize>);

// SAFETY: holds no Gc pointers.
unsafe impl Trace for Tracked {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

const GARBAGE: usize = 2_000;
const LIVE: u64 = 100_000;

/// A worker holding live data allocates garbage (into spans its cache keeps), then spins inside
/// `mutate`, returning only when a stop asks it to and re-entering at once, well before the
/// cycle has marked its data. So it is inside `mutate`
/// when the sweep of the main thread's `collect` starts, and its cache still holds the spans of
/// the garbage: `collect` must have them released and swept before it returns.
#[test]
fn collect_frees_garbage_in_the_caches_of_running_mutators() {
    let heap = Heap::default();
    heap.set_gc_percent(-1);
    let drops = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = mpsc::channel();
    let worker = {
        let (heap, drops, done) = (heap.clone(), drops.clone(), done.clone());
        thread::spawn(move || {
            // Live data, so that marking outlasts the worker's return to `mutate`.
            let mut m = heap.mutator::<Rootable![Vec<Gc<'_, u64>>]>(|mc| {
                (0..LIVE).map(|i| Gc::new(mc, i)).collect()
            });
            m.mutate(|mc, _| {
                for _ in 0..GARBAGE {
                    Gc::new(mc, Tracked(drops.clone()));
                }
            });
            ready_tx.send(()).unwrap();
            while !done.load(SeqCst) {
                m.mutate(|mc, _| {
                    while !mc.should_yield() && !done.load(SeqCst) {
                        std::hint::spin_loop();
                    }
                });
            }
        })
    };
    ready_rx.recv().unwrap();
    for round in 0..3 {
        heap.collect();
        assert_eq!(
            drops.load(SeqCst),
            GARBAGE,
            "after collect() {round}: garbage of a running mutator was not all dropped"
        );
    }
    done.store(true, SeqCst);
    worker.join().unwrap();
}
