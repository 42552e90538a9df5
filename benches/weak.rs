//! The cost of weak references, each against the operation it stands beside, in the same run:
//!
//! - `weak/upgrade` (`upgrade` of 1,000 live `GcWeak`s between cycles) against `weak/deref`
//!   (reading the same 1,000 objects through `Gc`s);
//! - `weak/downgrade` (1,000 `Gc::downgrade`s, each allocating a weak cell) against
//!   `weak/alloc` (1,000 `Gc::new` of a `u64`);
//! - `weak/collect_with_weak` (a forced cycle over 10,000 live objects, each with a weak
//!   reference the clearing pass visits) against `weak/collect_without_weak` (the same heap
//!   without them).
//! - `weak/collect_weak_map_chain` (a forced cycle over a 100,000-entry `GcWeakMap` whose every
//!   value holds the next entry's key, only the first key held, inserted last first so that
//!   markers meet most entries before their key) against `weak/collect_strong_pairs_chain` (the
//!   same keys and values held strongly as pairs in a vector).
//! - `weak/finalize_guarded` (10,000 objects allocated and registered with a guardian, a forced
//!   cycle that finds them dead and resurrects them, and their 10,000 takes) against
//!   `weak/finalize_plain` (the same objects allocated and left to die, and the same cycle).
//!
//! Run with `cargo bench --bench weak`. Results are recorded in `BENCHMARKS.md`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gcheap::{Gc, GcGuardian, GcRefCell, GcWeak, GcWeakMap, Heap, Mutator, Rootable, Trace};

#[derive(Trace)]
struct Held<'gc> {
    strong: GcRefCell<'gc, Vec<Gc<'gc, u64>>>,
    weak: GcRefCell<'gc, Vec<GcWeak<'gc, u64>>>,
}

type HeldRoot = Rootable![Held<'_>];

/// A mutator holding `n` objects, and a weak reference to each when `weak`.
fn holder(heap: &Heap, n: u64, weak: bool) -> Mutator<HeldRoot> {
    let mut m = heap.mutator::<HeldRoot>(|_| Held {
        strong: GcRefCell::new(Vec::new()),
        weak: GcRefCell::new(Vec::new()),
    });
    m.mutate(|mc, h| {
        for i in 0..n {
            let g = Gc::new(mc, i);
            h.strong.borrow_mut(mc).push(g);
            if weak {
                h.weak.borrow_mut(mc).push(Gc::downgrade(mc, g));
            }
        }
    });
    m
}

fn weak(c: &mut Criterion) {
    let heap = Heap::default();
    heap.set_gc_percent(-1);
    let mut m = holder(&heap, 1_000, true);
    let mut g = c.benchmark_group("weak");
    g.bench_function("upgrade", |b| {
        b.iter(|| {
            m.mutate(|mc, h| {
                let mut sum = 0;
                for w in h.weak.borrow().iter() {
                    sum += *w.upgrade(mc).expect("alive");
                }
                black_box(sum)
            })
        })
    });
    g.bench_function("deref", |b| {
        b.iter(|| {
            m.mutate(|_, h| {
                let mut sum = 0;
                for s in h.strong.borrow().iter() {
                    sum += **s;
                }
                black_box(sum)
            })
        })
    });
    g.bench_function("downgrade", |b| {
        b.iter(|| {
            m.mutate(|mc, h| {
                let target = h.strong.borrow()[0];
                for _ in 0..1_000 {
                    black_box(Gc::downgrade(mc, target));
                }
            })
        })
    });
    g.bench_function("alloc", |b| {
        b.iter(|| {
            m.mutate(|mc, _| {
                for i in 0..1_000u64 {
                    black_box(Gc::new(mc, i));
                }
            })
        })
    });
    drop(m);
    for (name, with_weak) in [("collect_with_weak", true), ("collect_without_weak", false)] {
        let heap = Heap::default();
        heap.set_gc_percent(-1);
        let mut m = holder(&heap, 10_000, with_weak);
        g.bench_function(name, |b| b.iter(|| m.collect()));
    }
    chains(&mut g);
    guardians(&mut g);
    g.finish();
}

fn guardians(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    const N: u64 = 10_000;
    for (name, guarded) in [("finalize_guarded", true), ("finalize_plain", false)] {
        let heap = Heap::default();
        heap.set_gc_percent(-1);
        let mut m =
            heap.mutator::<Rootable![Gc<'_, GcGuardian<'_, u64>>]>(|mc| GcGuardian::new(mc));
        g.bench_function(name, |b| {
            b.iter(|| {
                m.mutate(|mc, guardian| {
                    for i in 0..N {
                        let object = Gc::new(mc, i);
                        if guarded {
                            guardian.register(mc, object);
                        }
                    }
                });
                m.collect();
                let taken = m.mutate(|mc, guardian| {
                    let mut taken = 0;
                    while let Some(object) = guardian.take(mc) {
                        taken += *object;
                    }
                    taken
                });
                assert_eq!(taken, if guarded { N * (N - 1) / 2 } else { 0 });
            })
        });
    }
}

/// A key, and a value holding the next key of the chain.
#[derive(Trace)]
struct Key {
    id: u64,
    _pad: u64,
}

#[derive(Trace)]
struct Value<'gc> {
    next: Option<Gc<'gc, Key>>,
}

#[derive(Trace)]
struct Chains<'gc> {
    first: GcRefCell<'gc, Option<Gc<'gc, Key>>>,
    map: GcWeakMap<'gc, Key, Gc<'gc, Value<'gc>>>,
    pairs: GcRefCell<'gc, Vec<(Gc<'gc, Key>, Gc<'gc, Value<'gc>>)>>,
}

fn chains(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    const N: u64 = 100_000;
    for (name, weak) in [
        ("collect_weak_map_chain", true),
        ("collect_strong_pairs_chain", false),
    ] {
        let heap = Heap::default();
        heap.set_gc_percent(-1);
        let mut m = heap.mutator::<Rootable![Chains<'_>]>(|_| Chains {
            first: GcRefCell::new(None),
            map: GcWeakMap::new(),
            pairs: GcRefCell::new(Vec::new()),
        });
        m.mutate(|mc, c| {
            let keys: Vec<_> = (0..N).map(|id| Gc::new(mc, Key { id, _pad: 0 })).collect();
            for i in (0..N as usize).rev() {
                let v = Gc::new(
                    mc,
                    Value {
                        next: keys.get(i + 1).copied(),
                    },
                );
                if weak {
                    c.map.insert(mc, keys[i], v);
                } else {
                    c.pairs.borrow_mut(mc).push((keys[i], v));
                }
            }
            *c.first.borrow_mut(mc) = Some(keys[0]);
        });
        m.collect();
        m.mutate(|mc, c| {
            let live = if weak {
                c.map.len(mc)
            } else {
                c.pairs.borrow().len()
            };
            assert_eq!(live as u64, N, "the chain survives");
            black_box(c.first.borrow().map(|k| k.id));
        });
        g.bench_function(name, |b| b.iter(|| m.collect()));
    }
}

criterion_group!(benches, weak);
criterion_main!(benches);
