//! Cleanups (Go's `AddCleanup`): each runs once, on the heap's cleanup thread, after its object
//! is found unreachable, never while it is reachable; `stop` cancels; a panicking cleanup does not
//! stop the others; a cleanup may use the heap.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use gcheap_core::{Config, Gc, GcCell, GcRefCell, Heap, Root, Rootable};

fn checked_heap() -> Heap {
    Heap::new(Config {
        verify: true,
        gc_percent: -1,
        ..Config::default()
    })
    .expect("a valid config")
}

/// Waits until `count` reaches `want` (cleanups run on another thread), for at most 10 s.
fn wait_for(count: &AtomicUsize, want: usize) {
    let start = Instant::now();
    while count.load(SeqCst) < want && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(count.load(SeqCst), want, "cleanups run");
}

#[test]
fn a_cleanup_runs_once_after_its_object_dies_and_never_before() {
    let heap = checked_heap();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let ran = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let held: Root<Rootable![String]> = m.mutate(|mc, _| {
        let s = Gc::new(mc, "held".to_string());
        let thread = tx.clone();
        Gc::add_cleanup(mc, s, ran.clone(), move |ran| {
            ran.fetch_add(1, SeqCst);
            thread
                .send(std::thread::current().name().map(str::to_owned))
                .unwrap();
        });
        Root::new(mc, s)
    });
    for _ in 0..3 {
        m.collect();
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(ran.load(SeqCst), 0, "ran while its object was held");
    drop(held);
    m.collect();
    let name = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the cleanup ran");
    assert_eq!(name.as_deref(), Some("gcheap-cleanup"));
    m.collect();
    m.collect();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(ran.load(SeqCst), 1, "ran more than once");
}

#[test]
fn cleanups_of_a_dead_cycle_all_run_once() {
    struct Node<'gc> {
        next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    }
    // SAFETY: reports its one Gc field, in a cell.
    unsafe impl<'gc> gcheap_core::Trace for Node<'gc> {
        fn trace(&self, tracer: &mut gcheap_core::Tracer<'_>) {
            tracer.trace(&self.next);
        }
    }
    let heap = checked_heap();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let ran = Arc::new(AtomicUsize::new(0));
    m.mutate(|mc, _| {
        let first = Gc::new(
            mc,
            Node {
                next: GcCell::new(None),
            },
        );
        let mut last = first;
        for _ in 0..999 {
            let n = Gc::new(
                mc,
                Node {
                    next: GcCell::new(None),
                },
            );
            last.next.set(mc, Some(n));
            last = n;
        }
        last.next.set(mc, Some(first));
        let mut n = first;
        for _ in 0..1000 {
            let ran = ran.clone();
            Gc::add_cleanup(mc, n, (), move |()| {
                ran.fetch_add(1, SeqCst);
            });
            n = n.next.get().unwrap();
        }
    });
    m.collect();
    wait_for(&ran, 1000);
    m.collect();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(ran.load(SeqCst), 1000);
}

#[test]
fn stop_cancels_a_cleanup_not_yet_queued() {
    let heap = checked_heap();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let ran = Arc::new(AtomicUsize::new(0));
    let (stopped, kept) = m.mutate(|mc, _| {
        let add = || {
            let ran = ran.clone();
            Gc::add_cleanup(mc, Gc::new(mc, [0u64; 4]), (), move |()| {
                ran.fetch_add(1, SeqCst);
            })
        };
        (add(), add())
    });
    assert!(stopped.stop());
    assert!(!stopped.stop(), "stopped twice");
    m.collect();
    wait_for(&ran, 1);
    assert!(!kept.stop(), "stopped after it ran");
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(ran.load(SeqCst), 1);
}

#[test]
fn a_panicking_cleanup_does_not_stop_the_others_and_a_cleanup_may_use_the_heap() {
    let heap = checked_heap();
    let mut m = heap.mutator::<Rootable![GcRefCell<'_, Vec<u64>>]>(|_| GcRefCell::new(Vec::new()));
    let ran = Arc::new(AtomicUsize::new(0));
    m.mutate(|mc, _| {
        Gc::add_cleanup(mc, Gc::new(mc, [1u64; 4]), (), |()| {
            panic!("a failing cleanup")
        });
        let (heap, ran) = (heap.clone(), ran.clone());
        Gc::add_cleanup(mc, Gc::new(mc, [2u64; 4]), (), move |()| {
            // A cleanup attaches a mutator of the same heap and collects.
            let mut m2 = heap.mutator::<Rootable![()]>(|_| ());
            m2.mutate(|mc, _| assert_eq!(*Gc::new(mc, 5u64), 5));
            m2.collect();
            ran.fetch_add(1, SeqCst);
        });
    });
    m.collect();
    wait_for(&ran, 1);
}

#[test]
fn queued_cleanups_run_at_teardown_and_a_cleanup_may_drop_the_last_handle() {
    let ran = Arc::new(AtomicUsize::new(0));
    {
        let heap = checked_heap();
        let mut m = heap.mutator::<Rootable![()]>(|_| ());
        m.mutate(|mc, _| {
            let ran = ran.clone();
            let handle = heap.clone();
            Gc::add_cleanup(mc, Gc::new(mc, [3u64; 4]), (), move |()| {
                drop(handle);
                ran.fetch_add(1, SeqCst);
            });
        });
        m.collect();
        drop(m);
        drop(heap);
    }
    wait_for(&ran, 1);
}
