//! Threads nesting `mutate` calls of two heaps in opposite orders while both heaps run cycles.
//!
//! Thread 1 enters heap A, then heap B inside; thread 2 enters B, then A inside. A cycle of A
//! waits (its stop) for thread 1 to leave A; if thread 2's inner entry into A queued behind that
//! waiting stop while thread 1's inner entry into B queued behind B's, all four would wait for
//! each other. Every round must finish; a watchdog turns a hang into a failure.

use std::sync::mpsc;
use std::time::Duration;

use gcheap_core::{Config, Gc, GcCell, Heap, Rootable};

const ROUNDS: usize = 2000;

type Root = Rootable![GcCell<'_, Option<Gc<'_, [u32]>>>];

fn small_heap() -> Heap {
    Heap::new(Config {
        // Cycles every few hundred KiB of allocation, so stops are often waiting.
        gc_percent: 1,
        ..Config::default()
    })
    .expect("a valid config")
}

/// Runs `ROUNDS` rounds of: enter `outer`, allocate, enter `inner` inside, allocate, leave both.
fn nest(outer: Heap, inner: Heap) -> usize {
    let mut m_outer = outer.mutator::<Root>(|_| GcCell::new(None));
    let mut m_inner = inner.mutator::<Root>(|_| GcCell::new(None));
    let mut rounds = 0;
    for round in 0..ROUNDS {
        m_outer.mutate(|mc, root| {
            root.set(
                mc,
                Some(Gc::from_iter(mc, (0..16384u32).map(|i| i + round as u32))),
            );
            m_inner.mutate(|mc, root| {
                root.set(mc, Some(Gc::from_iter(mc, (0..16384u32).map(|i| i * 2))));
            });
            assert_eq!(root.get().expect("set above")[16383], 16383 + round as u32);
        });
        rounds += 1;
    }
    rounds
}

#[test]
fn two_threads_nesting_two_heaps_in_opposite_orders_do_not_deadlock() {
    let (a, b) = (small_heap(), small_heap());
    let (done, finished) = mpsc::channel();
    for (outer, inner) in [(a.clone(), b.clone()), (b.clone(), a.clone())] {
        let done = done.clone();
        std::thread::spawn(move || done.send(nest(outer, inner)));
    }
    for _ in 0..2 {
        let rounds = finished
            .recv_timeout(Duration::from_secs(120))
            .expect("a thread nesting mutate calls of two heaps hung (deadlock)");
        assert_eq!(rounds, ROUNDS);
    }
    assert!(
        a.mem_stats().num_gc > 0 && b.mem_stats().num_gc > 0,
        "both heaps ran cycles"
    );
}

#[test]
fn collect_of_one_heap_from_inside_another_heaps_mutate_finishes() {
    let (a, b) = (small_heap(), small_heap());
    let (done, finished) = mpsc::channel();
    {
        // Thread 1: inside A, forces cycles of B.
        let (a, b) = (a.clone(), b.clone());
        let done = done.clone();
        std::thread::spawn(move || {
            let mut m = a.mutator::<Root>(|_| GcCell::new(None));
            for _ in 0..50 {
                m.mutate(|mc, root| {
                    root.set(mc, Some(Gc::from_iter(mc, 0..64u32)));
                    b.collect();
                });
            }
            done.send(())
        });
    }
    {
        // Thread 2: inside B, enters A, while A's cycles want to stop thread 1.
        let done = done.clone();
        std::thread::spawn(move || {
            let mut m_b = b.mutator::<Root>(|_| GcCell::new(None));
            let mut m_a = a.mutator::<Root>(|_| GcCell::new(None));
            for _ in 0..200 {
                m_b.mutate(|mc, root| {
                    root.set(mc, Some(Gc::from_iter(mc, 0..64u32)));
                    m_a.mutate(|mc, root| root.set(mc, Some(Gc::from_iter(mc, 0..4096u32))));
                });
            }
            done.send(())
        });
    }
    for _ in 0..2 {
        finished
            .recv_timeout(Duration::from_secs(120))
            .expect("collect() of one heap from inside another heap's mutate hung (deadlock)");
    }
}
