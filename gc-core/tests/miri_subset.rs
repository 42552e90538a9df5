//! Small, single-threaded-mutator workloads sized for Miri: allocation of every object shape,
//! barriered writes, persistent and weak roots, forced cycles with checkmark and poisoning,
//! drops; and the mark-end steps: weak-map entries (a chain and a dead key), a guardian's
//! resurrection, a cleanup, traced through a trait object.
//! (The heap's own sweeper and mark-worker threads still run.)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::*};
use std::sync::mpsc;

use gcheap_core::{
    Config, Gc, GcCell, GcGuardian, GcRefCell, GcWeakMap, Heap, ObjectType, Root, Rootable, Trace,
    Tracer, WeakRoot,
};

struct Obj<'gc> {
    id: u64,
    name: String,
    next: GcCell<'gc, Option<Gc<'gc, Obj<'gc>>>>,
    kids: GcRefCell<'gc, Vec<Gc<'gc, Obj<'gc>>>>,
    drops: Arc<AtomicUsize>,
}

// SAFETY: traces both fields that hold Gc pointers.
unsafe impl<'gc> Trace for Obj<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.next);
        t.trace(&self.kids);
    }
}

impl Drop for Obj<'_> {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

fn obj<'gc>(
    mc: &gcheap_core::Mutation<'gc>,
    id: u64,
    drops: &Arc<AtomicUsize>,
) -> Gc<'gc, Obj<'gc>> {
    Gc::new(
        mc,
        Obj {
            id,
            name: format!("obj{id}"),
            next: GcCell::new(None),
            kids: GcRefCell::new(Vec::new()),
            drops: drops.clone(),
        },
    )
}

#[test]
fn small_graph_lifecycle() {
    small_graph_lifecycle_with(2);
}

/// One mark worker: no work stealing, so crossbeam-epoch stays out of the way and the test can
/// run under Stacked Borrows too.
#[test]
fn small_graph_lifecycle_one_worker() {
    small_graph_lifecycle_with(1);
}

fn small_graph_lifecycle_with(gc_workers: usize) {
    let drops = Arc::new(AtomicUsize::new(0));
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers,
        ..Config::default()
    })
    .unwrap();
    let mut m =
        heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, Obj<'_>>>>]>(|_| GcCell::new(None));
    type ObjRoot = Rootable![Obj<'_>];
    let (kept, weak_a, weak_garbage): (Root<ObjRoot>, WeakRoot<ObjRoot>, WeakRoot<ObjRoot>) = m
        .mutate(|mc, root| {
            let a = obj(mc, 1, &drops);
            let b = obj(mc, 2, &drops);
            let c = obj(mc, 3, &drops);
            a.next.set(mc, Some(b));
            b.next.set(mc, Some(a)); // a cycle
            a.kids.borrow_mut(mc).push(c);
            root.set(mc, Some(a));
            let mut garbage = obj(mc, 10, &drops);
            for i in 11..20 {
                garbage = obj(mc, i, &drops);
            }
            let _s = Gc::from_str(mc, "tiny");
            let _v: Gc<[u16]> = Gc::from_iter(mc, 0..5u16);
            let _z = Gc::new(mc, ());
            (
                Root::new(mc, obj(mc, 99, &drops)),
                WeakRoot::new(mc, a),
                WeakRoot::new(mc, garbage),
            )
        });
    m.collect();
    assert_eq!(drops.load(SeqCst), 10);
    m.mutate(|mc, root| {
        let a = root.get().unwrap();
        assert_eq!(a.name, "obj1");
        assert_eq!(a.next.get().unwrap().id, 2);
        assert_eq!(a.kids.borrow()[0].id, 3);
        assert_eq!(kept.get(mc).name, "obj99");
        assert_eq!(weak_a.upgrade(mc).map(|a| a.id), Some(1));
        assert!(weak_garbage.upgrade(mc).is_none());
        root.set(mc, None);
    });
    drop(kept);
    m.collect();
    assert_eq!(drops.load(SeqCst), 14);
    m.mutate(|mc, _| assert!(weak_a.upgrade(mc).is_none()));
    drop((weak_a, weak_garbage));
    let stats = heap.mem_stats();
    stats.check_invariants().unwrap();
    assert_eq!(stats.num_gc, 2);
    drop(m);
    drop(heap);
    assert_eq!(drops.load(SeqCst), 14);
}

/// Reached only through a trait object in the test below.
trait Named: ObjectType {
    fn name(&self) -> &str;
}

impl Named for Obj<'_> {
    fn name(&self) -> &str {
        &self.name
    }
}

/// The mark-end steps under Miri, with one mark worker (Stacked Borrows, leak checking).
#[test]
fn weak_map_guardian_cleanup_and_trait_object_one_worker() {
    let drops = Arc::new(AtomicUsize::new(0));
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers: 1,
        gc_percent: -1,
        ..Config::default()
    })
    .unwrap();
    type Roots = Rootable![(
        GcWeakMap<'_, Obj<'_>, Gc<'_, Obj<'_>>>,
        Gc<'_, GcGuardian<'_, Obj<'_>>>,
        GcCell<'_, Option<Gc<'_, dyn Named + '_>>>,
    )];
    let mut m =
        heap.mutator::<Roots>(|mc| (GcWeakMap::new(), GcGuardian::new(mc), GcCell::new(None)));
    let (tx, rx) = mpsc::channel();
    m.mutate(|mc, (map, guardian, named)| {
        let key = obj(mc, 1, &drops);
        let value = obj(mc, 2, &drops);
        map.insert(mc, key, value);
        map.insert(mc, value, obj(mc, 3, &drops)); // a chain: the value keys another entry
        map.insert(mc, obj(mc, 4, &drops), obj(mc, 5, &drops)); // a dead key
        guardian.register(mc, obj(mc, 6, &drops));
        Gc::add_cleanup(mc, obj(mc, 7, &drops), 7, move |id| tx.send(id).unwrap());
        named.set(mc, Some(Gc::unsize::<dyn Named>(key, |k| k)));
    });
    m.collect();
    assert_eq!(rx.recv().unwrap(), 7);
    m.mutate(|mc, (map, guardian, named)| {
        let key = named.get().unwrap();
        assert_eq!(key.name(), "obj1");
        assert_eq!(map.len(mc), 2);
        let resurrected = guardian.take(mc).unwrap();
        assert_eq!((resurrected.id, resurrected.name.as_str()), (6, "obj6"));
        assert!(guardian.take(mc).is_none());
        named.set(mc, None);
    });
    // 4, 5 and 7 died in the first cycle; 6 was held back for its guardian.
    assert_eq!(drops.load(SeqCst), 3);
    m.collect();
    m.mutate(|mc, (map, _, _)| assert_eq!(map.len(mc), 0));
    assert_eq!(drops.load(SeqCst), 7);
    drop(m);
    drop(heap);
    assert_eq!(drops.load(SeqCst), 7);
}
