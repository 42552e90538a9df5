//! Ephemerons and weak-keyed maps: an entry survives a cycle exactly when its key is reachable by
//! other paths; values referring to their keys do not keep them; chains of entries resolve within
//! one cycle; entries handed out by `entries()` while a cycle marks survive it; the sync map is
//! shared between threads. Checkmark is on throughout, so the checker's own ephemeron closure
//! must agree with the markers'.

use std::collections::HashMap;
use std::sync::Arc;

mod common;

use common::checked_heap;
use common::drops::{DropLog, Node, drops, node};
use gcheap_core::{
    Config, Gc, GcCell, GcEphemeron, GcRefCell, GcSyncWeakMap, GcWeakMap, Heap, Mutation, Root,
    Rootable, Trace, Tracer,
};

type Map<'gc> = GcWeakMap<'gc, Node<'gc>, Gc<'gc, Node<'gc>>>;

/// A mutator's root: keys held strongly, and the map.
struct Holder<'gc> {
    keys: GcRefCell<'gc, Vec<Gc<'gc, Node<'gc>>>>,
    map: Map<'gc>,
}

// SAFETY: reports both fields.
unsafe impl<'gc> Trace for Holder<'gc> {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.keys);
        tracer.trace(&self.map);
    }
}

type HolderRoot = Rootable![Holder<'_>];

fn holder<'gc>(_: &Mutation<'gc>) -> Holder<'gc> {
    Holder {
        keys: GcRefCell::new(Vec::new()),
        map: GcWeakMap::new(),
    }
}

#[test]
fn an_entry_lives_exactly_while_its_key_is_held() {
    let heap = checked_heap(2);
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    m.mutate(|mc, h| {
        for i in 0..1000 {
            let key = node(mc, i, None, &log);
            let value = node(mc, 10_000 + i, None, &log);
            assert!(!h.map.insert(mc, key, value));
            if i % 2 == 0 {
                h.keys.borrow_mut(mc).push(key);
            }
        }
        assert_eq!(h.map.len(mc), 1000);
    });
    m.collect();
    for i in 0..1000 {
        let dead = u32::from(i % 2 == 1);
        assert_eq!(drops(&log, i), dead, "key {i}");
        assert_eq!(drops(&log, 10_000 + i), dead, "value {i}");
    }
    m.mutate(|mc, h| {
        assert_eq!(h.map.len(mc), 500);
        for &k in h.keys.borrow().iter() {
            assert_eq!(h.map.get(k).expect("a held key's entry").id, 10_000 + k.id);
        }
        let mut live: Vec<u64> = h.map.entries(mc).iter().map(|(k, _)| k.id).collect();
        live.sort_unstable();
        assert_eq!(live, (0..1000).step_by(2).collect::<Vec<_>>());
        // Replacing and removing.
        let k0 = h.keys.borrow()[0];
        assert!(h.map.insert(mc, k0, node(mc, 20_000, None, &log)));
        assert_eq!(h.map.get(k0).unwrap().id, 20_000);
        let k1 = h.keys.borrow()[1];
        assert!(h.map.remove(mc, k1));
        assert!(!h.map.remove(mc, k1));
        assert!(!h.map.contains_key(k1));
        assert_eq!(h.map.len(mc), 499);
    });
    m.collect();
    assert_eq!(drops(&log, 10_000), 1, "the replaced value");
    assert_eq!(drops(&log, 10_002), 1, "the removed entry's value");
    assert_eq!(drops(&log, 2), 0, "the removed entry's key is still held");
}

#[test]
fn a_value_referring_to_its_key_does_not_keep_it_alive() {
    let heap = checked_heap(1);
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    m.mutate(|mc, h| {
        for i in 0..100 {
            let key = node(mc, i, None, &log);
            // The value holds its key: a cycle only the ephemeron's weakness breaks.
            h.map.insert(mc, key, node(mc, 1000 + i, Some(key), &log));
        }
    });
    m.collect();
    for i in 0..100 {
        assert_eq!(drops(&log, i), 1, "key {i}");
        assert_eq!(drops(&log, 1000 + i), 1, "value {i}");
    }
    m.mutate(|mc, h| {
        assert_eq!(h.map.len(mc), 0);
        assert!(h.map.entries(mc).is_empty());
    });
}

/// Entries `k[i] -> v[i]` where `v[i]` holds `k[i+1]`: only `k[0]` is held, so every key is
/// reachable only through the previous entry's value. Inserted last key first, so markers meet
/// most entries before their key is marked.
fn chain_resolves(gc_workers: usize) {
    const N: u64 = 20_000;
    let heap = checked_heap(gc_workers);
    let log = DropLog::default();
    let mut m = heap.mutator::<HolderRoot>(holder);
    m.mutate(|mc, h| {
        let keys: Vec<_> = (0..N).map(|i| node(mc, i, None, &log)).collect();
        for i in (0..N as usize).rev() {
            let value = node(mc, N + i as u64, keys.get(i + 1).copied(), &log);
            h.map.insert(mc, keys[i], value);
        }
        h.keys.borrow_mut(mc).push(keys[0]);
    });
    m.collect();
    assert!(log.lock().unwrap().is_empty(), "a chained entry died");
    m.mutate(|mc, h| {
        assert_eq!(h.map.len(mc), N as usize);
        let mut k = h.keys.borrow()[0];
        for i in 0..N {
            assert_eq!(k.id, i);
            let v = h.map.get(k).expect("a chained entry");
            assert_eq!(v.id, N + i);
            match v.next {
                Some(next) => k = next,
                None => assert_eq!(i, N - 1),
            }
        }
        h.keys.borrow_mut(mc).clear();
    });
    m.collect();
    assert_eq!(log.lock().unwrap().len(), 2 * N as usize);
    assert!(log.lock().unwrap().values().all(|&d| d == 1));
    m.mutate(|mc, h| assert_eq!(h.map.len(mc), 0));
}

#[test]
fn a_chain_of_entries_resolves_within_one_cycle_with_one_marker() {
    chain_resolves(1);
}

#[test]
fn a_chain_of_entries_resolves_within_one_cycle_with_four_markers() {
    chain_resolves(4);
}

#[test]
fn an_ephemeron_alone() {
    let heap = checked_heap(1);
    let log = DropLog::default();
    type Eph<'gc> = GcEphemeron<'gc, Node<'gc>, Gc<'gc, Node<'gc>>>;
    let mut m =
        heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, Eph<'_>>>>]>(|_| GcCell::new(None));
    let key: Root<Rootable![Node<'_>]> = m.mutate(|mc, cell| {
        let key = node(mc, 1, None, &log);
        let e = GcEphemeron::new(mc, key, node(mc, 2, Some(key), &log));
        cell.set(mc, Some(e));
        assert!(e.has_key(key));
        assert_eq!(e.get_for(key).unwrap().id, 2);
        Root::new(mc, key)
    });
    m.collect();
    m.mutate(|mc, cell| {
        let e = cell.get().unwrap();
        let (k, v) = e.get(mc).expect("the key is held");
        assert!(Gc::ptr_eq(k, key.get(mc)));
        assert_eq!(v.id, 2);
        assert!(!e.is_cleared());
    });
    drop(key);
    m.collect();
    assert_eq!((drops(&log, 1), drops(&log, 2)), (1, 1));
    m.mutate(|mc, cell| {
        let e = cell.get().unwrap();
        assert!(e.is_cleared());
        assert!(e.key(mc).is_none() && e.get(mc).is_none());
    });
}

/// Mutators insert, look up, iterate and drop keys while background cycles (checkmarked) run:
/// a held key's entry is always there with its own value, and after the threads stop, one
/// collection leaves exactly the entries of the keys reachable from the held ones (through
/// values); once the mutators are gone, everything is dropped once.
#[test]
fn maps_under_background_cycles() {
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers: 2,
        ..Config::default()
    })
    .expect("a valid config");
    let log = DropLog::default();
    let threads: Vec<_> = (0..2u64)
        .map(|t| {
            let heap = heap.clone();
            let log = log.clone();
            std::thread::spawn(move || {
                let mut m = heap.mutator::<HolderRoot>(holder);
                let mut next = t << 40;
                // Key -> the key its value holds: the model of what the held keys keep alive.
                let mut links: HashMap<u64, Option<u64>> = HashMap::new();
                for round in 0..300 {
                    m.mutate(|mc, h| {
                        for _ in 0..50 {
                            let key = node(mc, next, None, &log);
                            // Values point at older keys: chains across rounds.
                            let older = h.keys.borrow().last().copied();
                            h.map.insert(mc, key, node(mc, next | 1 << 39, older, &log));
                            links.insert(next, older.map(|k| k.id));
                            if next % 3 == 0 {
                                h.keys.borrow_mut(mc).push(key);
                            }
                            next += 1;
                        }
                        if round % 7 == 0 {
                            let mut keys = h.keys.borrow_mut(mc);
                            let n = keys.len();
                            keys.drain(..n / 2);
                        }
                        for &k in h.keys.borrow().iter() {
                            let v = h.map.get(k).expect("a held key's entry");
                            assert_eq!(v.id, k.id | 1 << 39);
                        }
                        if round % 10 == 0 {
                            for (k, v) in h.map.entries(mc) {
                                assert_eq!(v.id, k.id | 1 << 39);
                            }
                        }
                    });
                }
                m.collect();
                m.mutate(|mc, h| {
                    // Live: the held keys, and the keys their values hold, transitively.
                    let mut live = std::collections::HashSet::new();
                    for k in h.keys.borrow().iter() {
                        let mut id = Some(k.id);
                        while let Some(i) = id.filter(|&i| live.insert(i)) {
                            id = links[&i];
                        }
                    }
                    assert_eq!(h.map.len(mc), live.len(), "entries besides the live keys'");
                    for (k, _) in h.map.entries(mc) {
                        assert!(live.contains(&k.id), "key {} is dead in the model", k.id);
                    }
                    live.len()
                })
            })
        })
        .collect();
    let live: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert!(live > 0);
    // The mutators are gone, and their roots with them: everything dies, once.
    heap.collect();
    let log = log.lock().unwrap();
    assert!(log.values().all(|&d| d == 1), "an object dropped twice");
    assert_eq!(log.len(), 2 * 2 * 300 * 50);
}

#[test]
fn a_sync_map_is_shared_between_threads() {
    type SyncMap<'gc> = GcSyncWeakMap<'gc, [u64; 2], u64>;
    let heap = checked_heap(2);
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let map: Root<Rootable![SyncMap<'_>]> =
        m.mutate(|mc, _| Root::new(mc, Gc::new(mc, SyncMap::new())));
    let map = Arc::new(map);
    let threads: Vec<_> = (0..2u64)
        .map(|t| {
            let (heap, map) = (heap.clone(), map.clone());
            std::thread::spawn(move || {
                let mut m = heap.mutator::<Rootable![GcRefCell<'_, Vec<Gc<'_, [u64; 2]>>>]>(|_| {
                    GcRefCell::new(Vec::new())
                });
                for i in 0..200u64 {
                    m.mutate(|mc, held| {
                        let map = map.get(mc);
                        // 16 bytes: not a tiny object, so each dies on its own.
                        let k = Gc::new(mc, [t, i]);
                        map.insert(mc, k, t << 32 | i);
                        if i % 2 == 0 {
                            held.borrow_mut(mc).push(k);
                        }
                    });
                }
                m.collect();
                m.mutate(|mc, held| {
                    let map = map.get(mc);
                    held.borrow()
                        .iter()
                        .map(|&k| {
                            assert_eq!(map.get(k), Some(&(k[0] << 32 | k[1])));
                            Root::new(mc, k)
                        })
                        .collect::<Vec<Root<Rootable![[u64; 2]]>>>()
                })
            })
        })
        .collect();
    let held: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    m.collect();
    m.mutate(|mc, _| assert_eq!(map.get(mc).len(mc), 200));
    drop(held);
    m.collect();
    m.mutate(|mc, _| assert_eq!(map.get(mc).len(mc), 0));
}

/// Small keys without pointers share tiny blocks, marked as one: an entry must survive when its
/// key's block is marked through another key of the block. The map is scanned before the keys
/// (they sit at the end of a long chain), so every entry waits for its key, and only the first key
/// of each block newly marks the block.
#[test]
fn keys_sharing_a_tiny_block_release_their_entries_together() {
    struct Root2<'gc> {
        map: GcWeakMap<'gc, u32, Gc<'gc, Node<'gc>>>,
        chain: GcCell<'gc, Option<Gc<'gc, Link<'gc>>>>,
    }
    struct Link<'gc> {
        next: Option<Gc<'gc, Link<'gc>>>,
        keys: Vec<Gc<'gc, u32>>,
    }
    // SAFETY: reports both fields; no cells.
    unsafe impl<'gc> Trace for Link<'gc> {
        const HAS_CELLS: bool = false;
        fn trace(&self, tracer: &mut Tracer<'_>) {
            tracer.trace(&self.next);
            tracer.trace(&self.keys);
        }
    }
    // SAFETY: reports both fields, the chain first so that the map is popped (LIFO) first.
    unsafe impl<'gc> Trace for Root2<'gc> {
        fn trace(&self, tracer: &mut Tracer<'_>) {
            tracer.trace(&self.chain);
            tracer.trace(&self.map);
        }
    }
    let heap = checked_heap(1);
    let log = DropLog::default();
    let mut m = heap.mutator::<Rootable![Root2<'_>]>(|_| Root2 {
        map: GcWeakMap::new(),
        chain: GcCell::new(None),
    });
    m.mutate(|mc, r| {
        let keys: Vec<Gc<u32>> = (0..1000).map(|i| Gc::new(mc, i)).collect();
        for &k in &keys {
            r.map.insert(mc, k, node(mc, u64::from(*k), None, &log));
        }
        let mut chain = Gc::new(mc, Link { next: None, keys });
        for _ in 0..10_000 {
            chain = Gc::new(
                mc,
                Link {
                    next: Some(chain),
                    keys: Vec::new(),
                },
            );
        }
        r.chain.set(mc, Some(chain));
    });
    m.collect();
    assert!(log.lock().unwrap().is_empty(), "a held key's value died");
    m.mutate(|mc, r| {
        assert_eq!(r.map.len(mc), 1000);
        let mut link = r.chain.get().unwrap();
        while let Some(next) = link.next {
            link = next;
        }
        for &k in &link.keys {
            assert_eq!(r.map.get(k).expect("a held key's entry").id, u64::from(*k));
        }
    });
}
