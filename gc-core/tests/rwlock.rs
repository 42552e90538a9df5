//! `GcRwLock` shared between threads while cycles mark: readers need no mutation context and
//! run no barrier, the writer's barrier keeps every pushed object alive, and checkmark verifies
//! every cycle.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use gcheap_core::{Config, Gc, GcMutex, GcRwLock, Heap, Root, Rootable};

/// Two lists: the writer pushes onto the first and moves objects from it to the second, so a
/// cycle that missed the barrier's deletion half would lose objects in flight (checkmark).
type Lists<'gc> = (
    GcRwLock<'gc, Vec<Gc<'gc, u64>>>,
    GcRwLock<'gc, Vec<Gc<'gc, u64>>>,
);
type Shared = Rootable![Lists<'_>];
const PUSHES: u64 = 60_000;

#[test]
fn readers_and_a_writer_share_a_gc_rwlock_across_cycles() {
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_percent: 10,
        ..Config::default()
    })
    .expect("a valid config");
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let list: Arc<Root<Shared>> = Arc::new(m.mutate(|mc, _| {
        Root::new(
            mc,
            Gc::new(mc, (GcRwLock::new(Vec::new()), GcRwLock::new(Vec::new()))),
        )
    }));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (heap, list, done) = (heap.clone(), list.clone(), done.clone());
            std::thread::spawn(move || read_until_done(&heap, &list, &done))
        })
        .collect();
    write_pushes(&mut m, &list);
    done.store(true, SeqCst);
    for r in readers {
        assert!(
            r.join().expect("a reader panicked") > 0,
            "readers saw the list grow"
        );
    }
    m.collect();
    m.mutate(|mc, _| {
        let lists = list.get(mc);
        let mut values: Vec<u64> = lists
            .0
            .read()
            .iter()
            .chain(lists.1.read().iter())
            .map(|v| **v)
            .collect();
        values.sort_unstable();
        assert!(
            values.iter().copied().eq((0..PUSHES).map(|i| i * 3)),
            "every pushed object is in one of the lists, intact"
        );
    });
}

/// Pushes `PUSHES` fresh objects (and garbage beside them) onto the first list, one write lock
/// each, and after each chunk moves half of the first list to the second.
fn write_pushes(m: &mut gcheap_core::Mutator<Rootable![()]>, list: &Root<Shared>) {
    for chunk in 0..PUSHES / 100 {
        m.mutate(|mc, _| {
            let lists = list.get(mc);
            for i in chunk * 100..(chunk + 1) * 100 {
                Gc::new(mc, [i; 8]);
                lists.0.write(mc).push(Gc::new(mc, i * 3));
            }
            // Everything moves to the second list and half of it back: objects in flight live
            // only in this call's locals meanwhile.
            let moving: Vec<Gc<'_, u64>> = lists.0.write(mc).drain(..).collect();
            lists.1.write(mc).extend(moving);
            let back: Vec<Gc<'_, u64>> = {
                let mut second = lists.1.write(mc);
                let keep = second.len() / 2;
                second.drain(keep..).collect()
            };
            lists.0.write(mc).extend(back);
        });
    }
}

/// Reads the list until told to stop, checking every value; returns the longest length seen.
fn read_until_done(heap: &Heap, list: &Root<Shared>, done: &AtomicBool) -> usize {
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let mut longest = 0;
    while !done.load(SeqCst) {
        m.mutate(|mc, _| {
            let lists = list.get(mc);
            for values in [lists.0.read(), lists.1.read()] {
                assert!(
                    values.iter().all(|v| **v % 3 == 0),
                    "values read under the read lock"
                );
                longest = longest.max(values.len());
            }
        });
    }
    longest
}

#[test]
fn gc_mutex_read_needs_no_mutation_context() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![GcMutex<'_, Vec<Gc<'_, u64>>>]>(|_| GcMutex::new(vec![]));
    m.mutate(|mc, list| list.lock(mc).push(Gc::new(mc, 7)));
    m.collect();
    assert_eq!(m.mutate(|_, list| *list.read()[0]), 7);
}
