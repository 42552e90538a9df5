//! Regression tests for misuse that once hung, aborted or was silently accepted.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc;
use std::time::Duration;

use gcheap_core::{Config, Gc, GcCell, Heap, Mutator, Rootable, Trace, Tracer};

/// A heap object whose Drop attaches a mutator to its own heap, held in a static.
struct Reentrant(#[allow(dead_code)] u64);

// SAFETY: holds no Gc pointers; its Drop only touches the static heap (Send + Sync).
unsafe impl Trace for Reentrant {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

static REENTRANT_HEAP: OnceLock<Heap> = OnceLock::new();

impl Drop for Reentrant {
    fn drop(&mut self) {
        let _m = REENTRANT_HEAP
            .get()
            .unwrap()
            .mutator::<Rootable![()]>(|_| ());
    }
}

/// A Drop run by a sweep that uses its own heap must not deadlock the cycle: outside a cycle it
/// works (the heap is held shared), under a cycle it panics, the sweep catches the panic and the
/// object leaks.
#[test]
#[cfg_attr(miri, ignore)]
fn drop_that_uses_its_heap_does_not_hang() {
    let heap = Heap::new(Config {
        gc_percent: 1,
        ..Config::default()
    })
    .unwrap();
    REENTRANT_HEAP.set(heap.clone()).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut m = heap.mutator::<Rootable![()]>(|_| ());
        for _ in 0..20 {
            m.mutate(|mc, _| {
                for i in 0..20_000 {
                    Gc::new(mc, Reentrant(i));
                }
            });
        }
        m.collect();
        m.collect();
        tx.send(heap.mem_stats().num_gc).unwrap();
    });
    let cycles = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("a Drop that attaches a mutator to its own heap deadlocked a cycle");
    assert!(cycles >= 2);
}

type UnitMutator = Mutator<Rootable![()]>;

thread_local! {
    static KEPT: RefCell<Option<UnitMutator>> = const { RefCell::new(None) };
}

/// A mutator kept in a thread-local is dropped by a TLS destructor, possibly after gcheap's own
/// thread-locals are gone: that must not abort the process.
#[test]
fn mutator_in_a_thread_local_drops_cleanly_at_thread_exit() {
    let heap = Heap::default();
    let h = heap.clone();
    std::thread::spawn(move || {
        KEPT.with_borrow_mut(|_| {}); // register KEPT's destructor before gcheap's
        let m = h.mutator::<Rootable![()]>(|_| ());
        KEPT.with_borrow_mut(|k| *k = Some(m));
    })
    .join()
    .unwrap();
    heap.collect();
    assert_eq!(
        heap.mem_stats().heap_objects,
        0,
        "the mutator's root was released"
    );
}

/// A node whose Trace impl hides its child from the first trace of each cycle (the mark) and
/// shows it to the second (the checkmark): a stand-in for a collector that missed an object.
struct Liar<'gc> {
    child: GcCell<'gc, Option<Gc<'gc, u64>>>,
    traces: AtomicUsize,
}

// SAFETY: deliberately wrong, to test checkmark: the test never frees or reads anything based on
// the failed cycle (the heap refuses to sweep with its stale marks).
unsafe impl Trace for Liar<'_> {
    fn trace(&self, t: &mut Tracer<'_>) {
        if self.traces.fetch_add(1, Relaxed) % 2 == 1 {
            t.trace(&self.child);
        }
    }
}

#[test]
fn checkmark_names_the_missed_type_and_the_heap_refuses_further_cycles() {
    let heap = Heap::new(Config {
        verify: true,
        ..Config::default()
    })
    .unwrap();
    let mut m = heap.mutator::<Rootable![Liar<'_>]>(|_| Liar {
        child: GcCell::new(None),
        traces: AtomicUsize::new(0),
    });
    m.mutate(|mc, root| root.child.set(mc, Some(Gc::new(mc, 7u64))));
    let err = catch_unwind(AssertUnwindSafe(|| m.collect())).unwrap_err();
    let msg = panic_message(&*err);
    assert!(msg.contains("checkmark") && msg.contains("u64"), "{msg}");
    let err = catch_unwind(AssertUnwindSafe(|| m.collect())).unwrap_err();
    let msg = panic_message(&*err);
    assert!(msg.contains("interrupted"), "{msg}");
    // Mutators refuse to go on with a heap that no longer collects, naming the failure.
    let err = catch_unwind(AssertUnwindSafe(|| {
        m.mutate(|_, root| *root.child.get().unwrap())
    }))
    .unwrap_err();
    let msg = panic_message(&*err);
    assert!(
        msg.contains("cannot be used any more") && msg.contains("checkmark"),
        "{msg}"
    );
    // The child was never freed: no sweep ran on the stale marks (root + child + the tiny block).
    assert!(heap.mem_stats().heap_objects >= 2);
}

fn panic_message(err: &(dyn std::any::Any + Send)) -> String {
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
