//! A small, single-threaded-mutator workload sized for Miri: allocation of every object shape,
//! barriered writes, persistent and weak roots, forced cycles with checkmark and poisoning,
//! drops.
//! (The heap's own sweeper and mark-worker threads still run.)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::*};

use gcheap_core::{Config, Gc, GcCell, GcRefCell, Heap, Root, Rootable, Trace, Tracer, WeakRoot};

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
