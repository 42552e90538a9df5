//! Weak references: `GcWeak` is cleared exactly when its target dies, for every copy at once;
//! upgrading while a cycle marks keeps the target (and what it reaches) alive; `WeakRoot` holds
//! one outside `mutate` and across threads.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

mod common;

use common::drops::{DropLog, Node, drops, node};
use gcheap_core::{
    Config, Gc, GcRefCell, GcWeak, Heap, Mutation, Rootable, Trace, Tracer, WeakRoot,
};

/// A mutator's root: objects held strongly, and weak references.
struct Holder<'gc> {
    strong: GcRefCell<'gc, Vec<Gc<'gc, Node<'gc>>>>,
    weak: GcRefCell<'gc, Vec<GcWeak<'gc, Node<'gc>>>>,
}

// SAFETY: reports both cells.
unsafe impl<'gc> Trace for Holder<'gc> {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.strong);
        tracer.trace(&self.weak);
    }
}

type HolderRoot = Rootable![Holder<'_>];

fn holder<'gc>(_: &Mutation<'gc>) -> Holder<'gc> {
    Holder {
        strong: GcRefCell::new(Vec::new()),
        weak: GcRefCell::new(Vec::new()),
    }
}

#[test]
fn weak_references_are_cleared_exactly_when_their_target_dies() {
    let heap = Heap::default();
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    const N: u64 = 100;
    m.mutate(|mc, h| {
        for id in 0..N {
            let n = node(mc, id, None, &log);
            if id % 2 == 0 {
                h.strong.borrow_mut(mc).push(n);
            }
            h.weak.borrow_mut(mc).push(Gc::downgrade(mc, n));
        }
        // Copies share their cell; a second downgrade makes another.
        let w = h.weak.borrow()[0];
        let copy = w;
        assert!(GcWeak::ptr_eq(w, copy));
        let again = Gc::downgrade(mc, w.upgrade(mc).expect("alive"));
        assert!(!GcWeak::ptr_eq(w, again));
        h.weak.borrow_mut(mc).push(again);
    });
    m.collect();
    m.mutate(|mc, h| {
        for (id, w) in h.weak.borrow().iter().take(N as usize).enumerate() {
            let id = id as u64;
            match w.upgrade(mc) {
                Some(n) => {
                    assert_eq!(id % 2, 0, "object {id} held only weakly survived");
                    assert_eq!(n.id, id);
                    assert!(!w.is_cleared());
                }
                None => {
                    assert_eq!(id % 2, 1, "object {id} held strongly was cleared");
                    assert!(w.is_cleared());
                    assert_eq!(drops(&log, id), 1, "object {id} dropped once");
                }
            }
        }
        assert_eq!(
            h.weak.borrow()[N as usize].upgrade(mc).map(|n| n.id),
            Some(0)
        );
        h.strong.borrow_mut(mc).clear();
    });
    m.collect();
    m.mutate(|mc, h| {
        for w in h.weak.borrow().iter() {
            assert!(
                w.upgrade(mc).is_none(),
                "a weak reference outlived its target"
            );
        }
    });
    for id in 0..N {
        assert_eq!(drops(&log, id), 1, "object {id} dropped once");
    }
}

/// A target reachable through a strong path from another object lives; its weak reference is
/// cleared in the cycle that finds that path gone, not before.
#[test]
fn a_weak_reference_follows_reachability_through_other_objects() {
    let heap = Heap::default();
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    m.mutate(|mc, h| {
        let tail = node(mc, 2, None, &log);
        let mid = node(mc, 1, Some(tail), &log);
        let head = node(mc, 0, Some(mid), &log);
        h.strong.borrow_mut(mc).push(head);
        h.weak.borrow_mut(mc).push(Gc::downgrade(mc, tail));
    });
    for _ in 0..3 {
        m.collect();
        m.mutate(|mc, h| {
            let tail = h.weak.borrow()[0]
                .upgrade(mc)
                .expect("reachable through the chain");
            assert_eq!(tail.id, 2);
        });
    }
    m.mutate(|mc, h| h.strong.borrow_mut(mc).clear());
    m.collect();
    m.mutate(|mc, h| assert!(h.weak.borrow()[0].upgrade(mc).is_none()));
    assert_eq!((drops(&log, 0), drops(&log, 1), drops(&log, 2)), (1, 1, 1));
}

/// A stress of random timing: chains held only weakly are upgraded (and some made strong
/// again) while cycles mark, close their weak phase and clear, so upgrades land in every phase.
/// (The deterministic test below is the one that fails without the upgrade's shading.) A ballast of live objects makes
/// each mark long enough for many rounds to run inside it. Checkmark verifies every cycle, freed
/// memory is poisoned, and every object reached is checked against the drop log.
#[test]
fn upgrading_while_cycles_mark_keeps_the_target_and_its_chain_alive() {
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_percent: 5,
        ..Config::default()
    })
    .expect("a valid config");
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    const BALLAST: u64 = 5_000;
    m.mutate(|mc, h| {
        let mut strong = h.strong.borrow_mut(mc);
        strong.extend((0..BALLAST).map(|id| node(mc, u64::MAX - id, None, &log)));
    });
    let mut next_id = 0u64;
    let mut revived = 0u64;
    for round in 0..1_500u64 {
        m.mutate(|mc, h| {
            // A new chain, strong for now, with a weak reference to its head.
            let mut chain = None;
            for _ in 0..4 {
                chain = Some(node(mc, next_id, chain, &log));
                next_id += 1;
            }
            let head = chain.expect("a chain");
            h.strong.borrow_mut(mc).push(head);
            h.weak.borrow_mut(mc).push(Gc::downgrade(mc, head));
            // Let go of the oldest chain held strongly: it is held only weakly from here on.
            if h.strong.borrow().len() > BALLAST as usize + 3 {
                h.strong.borrow_mut(mc).remove(BALLAST as usize);
            }
            // Upgrade every weak reference; make one in eight strong again.
            let weak = h.weak.borrow().clone();
            for (i, w) in weak.iter().enumerate() {
                if let Some(n) = w.upgrade(mc) {
                    check_chain(n, &log);
                    if (i as u64 + round).is_multiple_of(8) {
                        h.strong.borrow_mut(mc).push(n);
                        revived += 1;
                    }
                }
            }
            // Forget cleared references, and garbage to keep cycles coming.
            h.weak.borrow_mut(mc).retain(|w| !w.is_cleared());
            for _ in 0..20 {
                Gc::new(mc, [0u64; 8]);
            }
        });
    }
    assert!(revived > 0, "some weakly held chains were revived");
    m.collect();
    m.mutate(|mc, h| {
        for &n in h.strong.borrow().iter().skip(BALLAST as usize) {
            check_chain(n, &log);
        }
        for w in h.weak.borrow().iter() {
            if let Some(n) = w.upgrade(mc) {
                check_chain(n, &log);
            }
        }
    });
    assert!(
        heap.mem_stats().num_gc > 10,
        "cycles ran while the mutator upgraded"
    );
}

/// Chains held only weakly when a cycle's mark starts are upgraded and made strong while it
/// marks: without the upgrade's read barrier they would stay unmarked and be freed while held
/// (checkmark and the drop log would say so). The mutator waits inside `mutate` for the cycle's
/// stop, so its upgrades run in the mark that follows; a long linked ballast makes that mark
/// long. A try whose upgrades all came after the mark (a descheduled thread) proves nothing,
/// so the scenario runs until one revived something, five tries at most.
#[test]
fn upgrades_during_the_mark_revive_what_was_only_weakly_held_at_its_start() {
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_percent: -1,
        ..Config::default()
    })
    .expect("a valid config");
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    m.mutate(|mc, h| {
        let mut ballast = None;
        for id in 0..100_000 {
            ballast = Some(node(mc, u64::MAX - id, ballast, &log));
        }
        h.strong.borrow_mut(mc).push(ballast.expect("a ballast"));
    });
    let mut next_id = 0;
    let revived: usize = (0..5)
        .map(|_| revive_during_a_mark(&heap, &mut m, &log, &mut next_id))
        .find(|&revived| revived > 0)
        .unwrap_or(0);
    assert!(revived > 0, "no try upgraded inside a mark");
    m.collect();
    m.mutate(|mc, h| {
        for &n in h.strong.borrow().iter().skip(1) {
            check_chain(n, &log);
        }
        for w in h.weak.borrow().iter().take(revived) {
            assert!(
                w.upgrade(mc).is_some(),
                "a revived chain's weak reference was cleared"
            );
        }
    });
}

/// One try: chains held only weakly, a collection on another thread, upgrades right after its
/// mark-start stop. Returns how many upgrades found their chain (and made it strong).
fn revive_during_a_mark(
    heap: &Heap,
    m: &mut gcheap_core::Mutator<HolderRoot>,
    log: &DropLog,
    next_id: &mut u64,
) -> usize {
    const CHAINS: usize = 200;
    m.mutate(|mc, h| {
        h.weak.borrow_mut(mc).clear();
        for _ in 0..CHAINS {
            let tail = node(mc, *next_id, None, log);
            let head = node(mc, *next_id + 1, Some(tail), log);
            *next_id += 2;
            h.weak.borrow_mut(mc).push(Gc::downgrade(mc, head));
        }
    });
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let collector = {
        let heap = heap.clone();
        std::thread::spawn(move || {
            go_rx.recv().unwrap();
            heap.collect();
        })
    };
    m.mutate(|mc, _| {
        go_tx.send(()).unwrap();
        while !mc.should_yield() {
            std::hint::spin_loop();
        }
    });
    let revived = m.mutate(|mc, h| {
        let weak = h.weak.borrow().clone();
        let mut revived = 0;
        for w in weak {
            if let Some(n) = w.upgrade(mc) {
                check_chain(n, log);
                h.strong.borrow_mut(mc).push(n);
                revived += 1;
            }
        }
        revived
    });
    collector.join().expect("the collecting thread");
    revived
}

/// Every object of a chain reached from a live Gc is intact and was never dropped.
fn check_chain<'gc>(mut n: Gc<'gc, Node<'gc>>, log: &DropLog) {
    loop {
        assert_eq!(
            drops(log, n.id),
            0,
            "object {} of a live chain was dropped",
            n.id
        );
        match n.next {
            Some(next) => {
                assert_eq!(next.id + 1, n.id, "chain links of object {}", n.id);
                n = next;
            }
            None => break,
        }
    }
}

#[test]
fn a_weak_root_is_upgraded_on_another_thread_and_cleared_with_its_cell() {
    let heap = Heap::default();
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    type NodeRoot = Rootable![Node<'_>];
    let (weak, copy): (WeakRoot<NodeRoot>, WeakRoot<NodeRoot>) = m.mutate(|mc, h| {
        let n = node(mc, 7, None, &log);
        h.strong.borrow_mut(mc).push(n);
        let w = Gc::downgrade(mc, n);
        h.weak.borrow_mut(mc).push(w);
        (WeakRoot::from_weak(mc, w), WeakRoot::new(mc, n))
    });
    assert!(weak.belongs_to(&heap));
    assert_eq!(heap.num_persistent_roots(), 2);
    m.collect();
    let seen = Arc::new(AtomicBool::new(false));
    let other = {
        let (heap, weak, seen) = (heap.clone(), weak.clone(), seen.clone());
        std::thread::spawn(move || {
            let mut o = heap.mutator::<Rootable![()]>(|_| ());
            o.mutate(|mc, _| {
                let n = weak
                    .upgrade(mc)
                    .expect("held strongly by the first mutator");
                seen.store(n.id == 7, SeqCst);
            });
        })
    };
    other.join().expect("the other thread");
    assert!(seen.load(SeqCst));
    m.mutate(|mc, h| {
        // The weak root shares its cell with the GcWeak it came from.
        assert!(GcWeak::ptr_eq(weak.get(mc), h.weak.borrow()[0]));
        h.strong.borrow_mut(mc).clear();
    });
    m.collect();
    m.mutate(|mc, h| {
        assert!(weak.upgrade(mc).is_none());
        assert!(copy.upgrade(mc).is_none());
        assert!(h.weak.borrow()[0].is_cleared());
    });
    assert_eq!(drops(&log, 7), 1);
    drop((weak, copy));
    assert_eq!(heap.num_persistent_roots(), 0);
}

#[test]
#[should_panic(expected = "different heap")]
fn a_weak_root_refuses_a_context_of_another_heap() {
    let a = Heap::default();
    let b = Heap::default();
    let mut ma = a.mutator::<Rootable![()]>(|_| ());
    let mut mb = b.mutator::<Rootable![()]>(|_| ());
    let weak: WeakRoot<Rootable![u64]> = ma.mutate(|mc, _| WeakRoot::new(mc, Gc::new(mc, 1)));
    mb.mutate(|mc, _| {
        weak.upgrade(mc);
    });
}
