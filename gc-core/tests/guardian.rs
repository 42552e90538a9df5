//! Guardians: a registered object is handed back, not freed, once unreachable, exactly once per
//! registration, with everything it reaches intact; taken and dropped it is freed; a dead
//! guardian guards nothing; weak references to resurrected objects are cleared while ephemerons
//! keyed by them survive; a guardian resurrected with an object delivers its own; and, under
//! background cycles on several threads, no object is lost, handed back twice or freed early,
//! and an ephemeron's key never comes back once read as dead. Checkmark and poison are on.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

mod common;

use common::checked_heap;
use common::drops::{DropLog, Node, drops, node};
use gcheap_core::{
    Config, Gc, GcCell, GcEphemeron, GcGuardian, GcRefCell, GcSyncWeakMap, GcWeak, GcWeakMap, Heap,
    Mutation, Root, Rootable, Trace, Tracer,
};

type Guardian<'gc> = GcGuardian<'gc, Node<'gc>>;

/// A mutator's root: a guardian and objects held strongly.
struct Holder<'gc> {
    guardian: Gc<'gc, Guardian<'gc>>,
    held: GcRefCell<'gc, Vec<Gc<'gc, Node<'gc>>>>,
}

// SAFETY: reports both fields.
unsafe impl<'gc> Trace for Holder<'gc> {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.guardian);
        tracer.trace(&self.held);
    }
}

type HolderRoot = Rootable![Holder<'_>];

fn holder<'gc>(mc: &Mutation<'gc>) -> Holder<'gc> {
    Holder {
        guardian: GcGuardian::new(mc),
        held: GcRefCell::new(Vec::new()),
    }
}

/// Takes everything ready, checking each node's contents; returns the ids in order.
fn take_all<'gc>(mc: &Mutation<'gc>, guardian: &Guardian<'gc>, log: &DropLog) -> Vec<u64> {
    let mut ids = Vec::new();
    while let Some(n) = guardian.take(mc) {
        assert_eq!(
            drops(log, n.id),
            0,
            "node {} was handed back after its drop",
            n.id
        );
        ids.push(n.id);
    }
    assert_eq!(guardian.ready_len(), 0);
    ids
}

#[test]
fn an_unreachable_object_is_handed_back_once_per_registration() {
    let heap = checked_heap(2);
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    m.mutate(|mc, h| {
        for i in 0..100 {
            let n = node(mc, i, None, &log);
            h.guardian.register(mc, n);
            if i < 50 {
                h.held.borrow_mut(mc).push(n);
            }
        }
        assert!(h.guardian.take(mc).is_none());
    });
    m.collect();
    assert!(log.lock().unwrap().is_empty(), "a guarded object was freed");
    m.mutate(|mc, h| {
        // Newest registration first.
        assert_eq!(
            take_all(mc, &h.guardian, &log),
            (50..100).rev().collect::<Vec<_>>()
        );
    });
    // Taken and dropped: ordinary objects again.
    m.collect();
    for i in 0..100 {
        assert_eq!(drops(&log, i), u32::from(i >= 50), "node {i}");
    }
    m.mutate(|mc, h| {
        assert!(h.guardian.take(mc).is_none(), "handed back twice");
        // Registered twice, then let go of.
        let n = h.held.borrow()[0];
        h.guardian.register(mc, n);
        h.held.borrow_mut(mc).clear();
    });
    m.collect();
    m.mutate(|mc, h| {
        let ids = take_all(mc, &h.guardian, &log);
        // Newest registration first: node 0's second registration, then the first ones.
        let expected: Vec<u64> = [0].into_iter().chain((0..50).rev()).collect();
        assert_eq!(ids, expected, "the twice-registered node comes back twice");
        // Registered again once handed back: it comes back again.
        let n = node(mc, 1000, None, &log);
        h.guardian.register(mc, n);
    });
    m.collect();
    m.mutate(|mc, h| {
        let n = h.guardian.take(mc).expect("registered again");
        assert_eq!(n.id, 1000);
        h.guardian.register(mc, n);
    });
    m.collect();
    m.mutate(|mc, h| assert_eq!(take_all(mc, &h.guardian, &log), [1000]));
    m.collect();
    for i in (0..50).chain([1000]) {
        assert_eq!(drops(&log, i), 1, "node {i}");
    }
}

#[test]
fn a_dead_guardian_guards_nothing() {
    let heap = checked_heap(1);
    let log = DropLog::default();
    let mut m =
        heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, Guardian<'_>>>>]>(|_| GcCell::new(None));
    // Guardian and objects unreachable together.
    m.mutate(|mc, _| {
        let g = GcGuardian::new(mc);
        for i in 0..10 {
            g.register(mc, node(mc, i, None, &log));
        }
    });
    m.collect();
    for i in 0..10 {
        assert_eq!(drops(&log, i), 1, "node {i}");
    }
    // The guardian dies first, its objects later.
    let kept: Root<Rootable![Node<'_>]> = m.mutate(|mc, cell| {
        let g = GcGuardian::new(mc);
        cell.set(mc, Some(g));
        let n = node(mc, 100, None, &log);
        g.register(mc, n);
        Root::new(mc, n)
    });
    m.mutate(|mc, cell| cell.set(mc, None));
    m.collect();
    drop(kept);
    m.collect();
    assert_eq!(drops(&log, 100), 1);
}

#[test]
fn a_resurrected_object_keeps_what_it_reaches() {
    const N: u64 = 10_000;
    let heap = checked_heap(4);
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    m.mutate(|mc, h| {
        let mut chain = None;
        for i in (0..N).rev() {
            chain = Some(node(mc, i, chain, &log));
        }
        h.guardian.register(mc, chain.unwrap());
    });
    m.collect();
    assert!(
        log.lock().unwrap().is_empty(),
        "part of the chain was freed"
    );
    m.mutate(|mc, h| {
        let mut n = Some(h.guardian.take(mc).expect("the chain's head"));
        for i in 0..N {
            let this = n.expect("the chain is whole");
            assert_eq!(this.id, i);
            n = this.next;
        }
        assert!(n.is_none());
    });
    m.collect();
    assert_eq!(log.lock().unwrap().len(), N as usize);
    assert!(log.lock().unwrap().values().all(|&d| d == 1));
}

/// A node with a weak reference, for the weak semantics of resurrection.
struct Weakling<'gc> {
    id: u64,
    strong: Option<Gc<'gc, Node<'gc>>>,
    weak: Vec<GcWeak<'gc, Node<'gc>>>,
}

// SAFETY: reports its Gc and its weak references (their cells).
unsafe impl<'gc> Trace for Weakling<'gc> {
    const HAS_CELLS: bool = false;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.strong);
        tracer.trace(&self.weak);
    }
}

/// Weak references are cleared before resurrection: to the resurrected object, and to objects
/// it reaches only strongly (Java's and Lua's semantics), while a resurrected object's weak
/// reference to an object alive by other paths keeps working, and is cleared when that object
/// dies later (its cell was listed again after resurrection).
#[test]
fn weak_references_are_cleared_before_resurrection() {
    type G<'gc> = GcGuardian<'gc, Weakling<'gc>>;
    struct Root2<'gc> {
        guardian: Gc<'gc, G<'gc>>,
        to_guarded: GcCell<'gc, Option<GcWeak<'gc, Weakling<'gc>>>>,
        alive: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    }
    // SAFETY: reports every field.
    unsafe impl<'gc> Trace for Root2<'gc> {
        fn trace(&self, tracer: &mut Tracer<'_>) {
            tracer.trace(&self.guardian);
            tracer.trace(&self.to_guarded);
            tracer.trace(&self.alive);
        }
    }
    let heap = checked_heap(2);
    let log = DropLog::default();
    let mut m = heap.mutator::<Rootable![Root2<'_>]>(|mc| Root2 {
        guardian: GcGuardian::new(mc),
        to_guarded: GcCell::new(None),
        alive: GcCell::new(None),
    });
    m.mutate(|mc, r| {
        let alive = node(mc, 1, None, &log);
        r.alive.set(mc, Some(alive));
        let reached = node(mc, 2, None, &log);
        let w = Gc::new(
            mc,
            Weakling {
                id: 7,
                strong: Some(reached),
                weak: vec![Gc::downgrade(mc, alive), Gc::downgrade(mc, reached)],
            },
        );
        r.to_guarded.set(mc, Some(Gc::downgrade(mc, w)));
        r.guardian.register(mc, w);
    });
    m.collect();
    let taken: Root<Rootable![Weakling<'_>]> = m.mutate(|mc, r| {
        assert!(r.to_guarded.get().unwrap().upgrade(mc).is_none());
        let w = r.guardian.take(mc).expect("resurrected");
        assert_eq!(w.id, 7);
        assert_eq!(w.strong.unwrap().id, 2, "what it reaches is alive");
        assert_eq!(w.weak[0].upgrade(mc).expect("alive by another path").id, 1);
        assert!(
            w.weak[1].upgrade(mc).is_none(),
            "reached only through a resurrected object"
        );
        Root::new(mc, w)
    });
    assert_eq!((drops(&log, 1), drops(&log, 2)), (0, 0));
    // The other path goes: the resurrected object's weak reference must be cleared.
    m.mutate(|mc, r| r.alive.set(mc, None));
    m.collect();
    assert_eq!(drops(&log, 1), 1);
    m.mutate(|mc, _| {
        let w = taken.get(mc);
        assert!(
            w.weak[0].upgrade(mc).is_none(),
            "a weak reference to a freed object"
        );
        assert!(w.weak[0].is_cleared());
    });
}

#[test]
fn ephemerons_keyed_by_a_resurrected_object_survive() {
    type Map<'gc> = GcWeakMap<'gc, Node<'gc>, Gc<'gc, Node<'gc>>>;
    struct Root3<'gc> {
        guardian: Gc<'gc, Guardian<'gc>>,
        map: Map<'gc>,
    }
    // SAFETY: reports both fields.
    unsafe impl<'gc> Trace for Root3<'gc> {
        fn trace(&self, tracer: &mut Tracer<'_>) {
            tracer.trace(&self.guardian);
            tracer.trace(&self.map);
        }
    }
    let heap = checked_heap(2);
    let log = DropLog::default();
    let mut m = heap.mutator::<Rootable![Root3<'_>]>(|mc| Root3 {
        guardian: GcGuardian::new(mc),
        map: GcWeakMap::new(),
    });
    m.mutate(|mc, r| {
        for i in 0..100 {
            let key = node(mc, i, None, &log);
            r.map.insert(mc, key, node(mc, 1000 + i, Some(key), &log));
            if i % 2 == 0 {
                r.guardian.register(mc, key);
            }
        }
    });
    m.collect();
    for i in 0..100 {
        let dead = u32::from(i % 2 == 1);
        assert_eq!(
            (drops(&log, i), drops(&log, 1000 + i)),
            (dead, dead),
            "entry {i}"
        );
    }
    m.mutate(|mc, r| {
        assert_eq!(r.map.len(mc), 50);
        while let Some(key) = r.guardian.take(mc) {
            assert_eq!(
                r.map.get(key).expect("the entry of a resurrected key").id,
                1000 + key.id
            );
        }
    });
    m.collect();
    m.mutate(|mc, r| assert_eq!(r.map.len(mc), 0));
    assert!(log.lock().unwrap().values().all(|&d| d == 1));
    assert_eq!(log.lock().unwrap().len(), 200);
}

/// `outer` guards a carrier holding a second guardian, which guards a node: when both become
/// unreachable, resurrecting the carrier resurrects the inner guardian, which then hands back
/// its node in the same cycle.
#[test]
fn a_guardian_resurrected_with_an_object_delivers_its_own() {
    struct Carrier<'gc> {
        inner: Gc<'gc, Guardian<'gc>>,
    }
    // SAFETY: reports its field.
    unsafe impl<'gc> Trace for Carrier<'gc> {
        const HAS_CELLS: bool = false;
        fn trace(&self, tracer: &mut Tracer<'_>) {
            tracer.trace(&self.inner);
        }
    }
    type Outer<'gc> = GcGuardian<'gc, Carrier<'gc>>;
    let heap = checked_heap(2);
    let log = DropLog::default();
    let mut m = heap.mutator::<Rootable![Gc<'_, Outer<'_>>]>(|mc| GcGuardian::new(mc));
    m.mutate(|mc, outer| {
        let inner = GcGuardian::new(mc);
        inner.register(mc, node(mc, 5, None, &log));
        outer.register(mc, Gc::new(mc, Carrier { inner }));
    });
    m.collect();
    m.mutate(|mc, outer| {
        let carrier = outer.take(mc).expect("the carrier");
        assert_eq!(take_all(mc, &carrier.inner, &log), [5]);
    });
    m.collect();
    assert_eq!(drops(&log, 5), 1);
}

/// Threads register, take and drop objects on one shared guardian while cycles run in the
/// background: each object comes back exactly once, with its contents, never after its drop;
/// and ephemerons keyed by guarded objects never report a key alive after reporting it dead.
#[test]
fn guardians_under_background_cycles() {
    type Eph<'gc> = GcEphemeron<'gc, Node<'gc>, u64>;
    struct Mine<'gc> {
        ephemerons: GcRefCell<'gc, Vec<Gc<'gc, Eph<'gc>>>>,
    }
    // SAFETY: reports its field.
    unsafe impl<'gc> Trace for Mine<'gc> {
        fn trace(&self, tracer: &mut Tracer<'_>) {
            tracer.trace(&self.ephemerons);
        }
    }
    const THREADS: u64 = 2;
    const ROUNDS: u64 = 300;
    const PER_ROUND: u64 = 20;
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers: 2,
        ..Config::default()
    })
    .expect("a valid config");
    let log = DropLog::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    type SharedGuardian = Arc<Root<Rootable![Guardian<'_>]>>;
    let guardian: SharedGuardian = Arc::new(m.mutate(|mc, _| Root::new(mc, GcGuardian::new(mc))));
    let taken = Arc::new(Mutex::new(HashSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let cycles = {
        let (heap, stop) = (heap.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Relaxed) {
                heap.collect();
            }
        })
    };
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (heap, log, guardian, taken) =
                (heap.clone(), log.clone(), guardian.clone(), taken.clone());
            std::thread::spawn(move || {
                let mut m = heap.mutator::<Rootable![Mine<'_>]>(|_| Mine {
                    ephemerons: GcRefCell::new(Vec::new()),
                });
                let mut dead_seen: Vec<bool> = Vec::new();
                for round in 0..ROUNDS {
                    m.mutate(|mc, mine| {
                        let g = guardian.get(mc);
                        for i in 0..PER_ROUND {
                            let id = (t << 40) | (round * PER_ROUND + i);
                            // A two-node chain, so contents can be checked.
                            let tail = node(mc, id | 1 << 39, None, &log);
                            let n = node(mc, id, Some(tail), &log);
                            g.register(mc, n);
                            mine.ephemerons
                                .borrow_mut(mc)
                                .push(GcEphemeron::new(mc, n, id));
                            dead_seen.push(false);
                        }
                        while let Some(n) = g.take(mc) {
                            assert_eq!(drops(&log, n.id), 0, "handed back after its drop");
                            assert_eq!(n.next.expect("its tail").id, n.id | 1 << 39);
                            assert!(taken.lock().unwrap().insert(n.id), "handed back twice");
                        }
                        for (e, dead) in mine.ephemerons.borrow().iter().zip(&mut dead_seen) {
                            match e.key(mc) {
                                Some(k) => {
                                    assert!(!*dead, "a key read as dead came back");
                                    assert_eq!(k.id, *e.get_for(k).unwrap());
                                }
                                None => *dead = true,
                            }
                        }
                    });
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    stop.store(true, Relaxed);
    cycles.join().unwrap();
    // Everything registered is unreachable now: one cycle hands back what is left.
    m.collect();
    m.mutate(|mc, _| {
        let g = guardian.get(mc);
        while let Some(n) = g.take(mc) {
            assert!(taken.lock().unwrap().insert(n.id), "handed back twice");
        }
    });
    assert_eq!(
        taken.lock().unwrap().len(),
        (THREADS * ROUNDS * PER_ROUND) as usize
    );
    m.collect();
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2 * (THREADS * ROUNDS * PER_ROUND) as usize);
    assert!(log.values().all(|&d| d == 1), "an object dropped twice");
}

/// A reader counting a weak map's live entries while a cycle resurrects the map's only key: the
/// key is the tail of a long chain whose head is guarded, so resurrection takes a while after the
/// mark is final, and a read then must wait for it rather than report the key dead (it is alive
/// once resurrected, and the entry stays).
#[test]
fn a_weak_map_read_during_resurrection_waits_for_it() {
    type Map<'gc> = GcSyncWeakMap<'gc, Node<'gc>, u64>;
    const N: u64 = 200_000;
    let heap = checked_heap(1);
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    type SharedMap = Arc<Root<Rootable![Map<'_>]>>;
    let map: SharedMap = Arc::new(m.mutate(|mc, h| {
        let map = Gc::new(mc, GcSyncWeakMap::new());
        let tail = node(mc, N - 1, None, &log);
        map.insert(mc, tail, 7);
        let mut chain = tail;
        for i in (0..N - 1).rev() {
            chain = node(mc, i, Some(chain), &log);
        }
        h.guardian.register(mc, chain);
        Root::new(mc, map)
    }));
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (heap, map, stop) = (heap.clone(), map.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut m = heap.mutator::<Rootable![()]>(|_| ());
            let mut reads = 0u64;
            while !stop.load(Relaxed) {
                m.mutate(|mc, _| assert_eq!(map.get(mc).len(mc), 1, "the resurrected key"));
                reads += 1;
            }
            reads
        })
    };
    for _ in 0..3 {
        m.collect();
        m.mutate(|mc, h| {
            let head = h.guardian.take(mc).expect("the chain's head");
            assert_eq!(map.get(mc).len(mc), 1);
            h.guardian.register(mc, head);
        });
    }
    stop.store(true, Relaxed);
    assert!(reader.join().unwrap() > 0);
    assert!(log.lock().unwrap().is_empty());
}
