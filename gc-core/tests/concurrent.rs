//! Concurrent marking: writes, allocation and mutator attachment while background cycles mark.
//!
//! Every test runs with checkmark (a re-mark with the world stopped at mark termination that
//! panics on any reachable object the concurrent mark missed) and freed-memory poisoning, on a
//! heap whose low `gc_percent` makes the collector thread start cycles constantly while the
//! mutators run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};

use gcheap_core::{Config, Gc, GcCell, Heap, Root, Rootable, Trace, Tracer};

fn heap(gc_percent: i32) -> Heap {
    Heap::new(Config {
        gc_percent,
        gc_workers: 1,
        verify: true,
        poison_freed: true,
        ..Config::default()
    })
    .unwrap()
}

/// A node whose payload is checked against its id.
struct Node {
    id: u64,
    check: u64,
}

fn check(id: u64) -> u64 {
    id.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5555
}

// SAFETY: no Gc pointers.
unsafe impl Trace for Node {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

impl Drop for Node {
    fn drop(&mut self) {
        // Poisoning would also catch a reuse, but a double drop shows here first.
        assert_eq!(self.check, check(self.id), "a dropped Node was corrupt");
    }
}

type Slot<'gc> = GcCell<'gc, Option<Gc<'gc, Node>>>;
type Slots = Rootable![Gc<'_, [Slot<'_>]>];

/// xorshift, so runs are repeatable.
fn rng(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// A slice long enough to have cards (one per 128 elements): writes blacken one card, markers
/// scan cards in parallel, and moving a node from one card to another must keep it alive. (With
/// the barrier's slow path disabled, this fails its checkmark in every run tried.)
#[test]
#[cfg_attr(miri, ignore)]
fn carded_slice_written_while_cycles_mark() {
    const SLOTS: usize = 100_000;
    let heap = heap(5);
    let mut m =
        heap.mutator::<Slots>(|mc| Gc::from_iter(mc, (0..SLOTS).map(|_| GcCell::new(None))));
    let mut model: Vec<Option<u64>> = vec![None; SLOTS];
    let mut seed = 0x1234_5678_9abc_def1u64;
    let mut next_id = 0u64;
    let start_gc = heap.mem_stats().num_gc;
    let mut rounds = 0;
    // mem_stats stops the world: read it rarely, so that mutate calls overlap marking.
    while rounds % 32 != 0 || heap.mem_stats().num_gc < start_gc + 100 {
        rounds += 1;
        assert!(rounds < 200_000, "cycles did not run");
        m.mutate(|mc, slots| {
            for _ in 0..512 {
                let a = (rng(&mut seed) % SLOTS as u64) as usize;
                let b = (rng(&mut seed) % SLOTS as u64) as usize;
                match rng(&mut seed) % 4 {
                    // A fresh node (with a payload big enough to keep the pacer busy).
                    0 | 1 => {
                        next_id += 1;
                        let n = Gc::new(
                            mc,
                            Node {
                                id: next_id,
                                check: check(next_id),
                            },
                        );
                        Gc::new(mc, [0u8; 256]);
                        slots[a].set(mc, Some(n));
                        model[a] = Some(next_id);
                    }
                    // Move: clear the source first, so the node is reachable only from this
                    // call's local until it is stored again (the deletion barrier's case).
                    2 => {
                        let n = slots[a].get();
                        slots[a].set(mc, None);
                        slots[b].set(mc, n);
                        model[b] = model[a].take();
                    }
                    _ => {
                        slots[a].set(mc, None);
                        model[a] = None;
                    }
                }
            }
            // Spot-check a few slots against the model.
            for _ in 0..16 {
                let i = (rng(&mut seed) % SLOTS as u64) as usize;
                let got = slots[i].get().map(|n| {
                    assert_eq!(n.check, check(n.id), "slot {i}: corrupt node");
                    n.id
                });
                assert_eq!(got, model[i], "slot {i}");
            }
        });
    }
    eprintln!(
        "rounds {rounds}, cycles {}",
        heap.mem_stats().num_gc - start_gc
    );
    m.collect();
    m.mutate(|_, slots| {
        for (i, s) in slots.iter().enumerate() {
            assert_eq!(s.get().map(|n| n.id), model[i], "slot {i} after the run");
        }
    });
}

#[derive(Debug)]
struct Shared {
    id: u64,
    check: u64,
}

// SAFETY: no Gc pointers.
unsafe impl Trace for Shared {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

/// Mutators attached (and detached) on one thread while another keeps cycles marking: a mutator
/// attached during marking takes part in the cycle (its root and allocations are black), and a
/// persistent root read into a new mutator's root survives. (With allocate-black disabled, this
/// fails its checkmark.)
#[test]
#[cfg_attr(miri, ignore)]
fn mutators_attached_while_cycles_mark() {
    let heap = heap(2);
    let stop = Arc::new(AtomicBool::new(false));
    let churned = Arc::new(AtomicU64::new(0));
    let churner = {
        let heap = heap.clone();
        let stop = stop.clone();
        let churned = churned.clone();
        std::thread::spawn(move || {
            let mut m =
                heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, [u64]>>>]>(|_| GcCell::new(None));
            while !stop.load(SeqCst) {
                m.mutate(|mc, keep| {
                    let v = Gc::from_iter(mc, (0..512u32).map(u64::from));
                    keep.set(mc, Some(v));
                });
                churned.fetch_add(1, SeqCst);
            }
            m.mutate(|_, keep| assert_eq!(keep.get().unwrap().iter().sum::<u64>(), 511 * 256));
        })
    };
    let start_gc = heap.mem_stats().num_gc;
    type SharedRoot = Root<Rootable![Shared]>;
    let mut prev: Option<SharedRoot> = None;
    let mut attached = 0u64;
    while heap.mem_stats().num_gc < start_gc + 30 {
        attached += 1;
        assert!(attached < 1_000_000, "cycles did not run");
        type R = Rootable![(Gc<'_, Shared>, Option<Gc<'_, Shared>>)];
        let id = attached;
        let mut m = heap.mutator::<R>(|mc| {
            let old = prev.as_ref().map(|r| r.get(mc));
            (
                Gc::new(
                    mc,
                    Shared {
                        id,
                        check: check(id),
                    },
                ),
                old,
            )
        });
        for _ in 0..4 {
            m.mutate(|mc, (mine, old)| {
                assert_eq!(mine.check, check(mine.id));
                assert_eq!(mine.id, id);
                if let Some(o) = old {
                    assert_eq!(o.id, id - 1);
                    assert_eq!(o.check, check(o.id));
                }
                Gc::new(mc, [0u8; 512]);
            });
        }
        prev = Some(m.mutate(|mc, (mine, _)| Root::new(mc, *mine)));
    }
    stop.store(true, SeqCst);
    churner.join().unwrap();
    assert!(churned.load(SeqCst) > 0);
    heap.collect();
}
