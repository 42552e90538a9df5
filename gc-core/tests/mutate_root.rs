//! `Mutator::mutate_root`: a root without cells, written directly while cycles mark.

use std::collections::VecDeque;

use gcheap_core::{Config, Gc, Heap, Mutation, Rootable, Trace, Tracer};

/// An immutable list node: no cells anywhere.
struct Node<'gc> {
    id: u64,
    next: Option<Gc<'gc, Node<'gc>>>,
}

// SAFETY: traces its one Gc field; has no cells.
unsafe impl<'gc> Trace for Node<'gc> {
    const HAS_CELLS: bool = false;
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.next);
    }
}

/// An interpreter-like root: a stack of lists and a register, plain fields.
struct Vm<'gc> {
    stack: VecDeque<Gc<'gc, Node<'gc>>>,
    register: Option<Gc<'gc, Node<'gc>>>,
}

// SAFETY: traces both fields holding Gc pointers; has no cells.
unsafe impl<'gc> Trace for Vm<'gc> {
    const HAS_CELLS: bool = false;
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.stack);
        t.trace(&self.register);
    }
}

type VmRoot = Rootable![Vm<'_>];

/// A list of `len` fresh nodes with ids `first..first + len`, head first.
fn list<'gc>(mc: &Mutation<'gc>, first: u64, len: u64) -> Gc<'gc, Node<'gc>> {
    let mut head = Gc::new(
        mc,
        Node {
            id: first + len - 1,
            next: None,
        },
    );
    for id in (first..first + len - 1).rev() {
        head = Gc::new(
            mc,
            Node {
                id,
                next: Some(head),
            },
        );
    }
    head
}

fn ids<'gc>(mut node: Option<Gc<'gc, Node<'gc>>>) -> Vec<u64> {
    let mut out = Vec::new();
    while let Some(n) = node {
        out.push(n.id);
        node = n.next;
    }
    out
}

#[test]
fn plain_fields_survive_forced_cycles() {
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_percent: -1,
        ..Config::default()
    })
    .unwrap();
    let mut m = heap.mutator::<VmRoot>(|_| Vm {
        stack: VecDeque::new(),
        register: None,
    });
    m.mutate_root(|mc, vm| {
        vm.stack.push_back(list(mc, 0, 3));
        vm.stack.push_back(list(mc, 10, 2));
        vm.register = Some(list(mc, 20, 4));
    });
    m.collect();
    m.mutate_root(|_, vm| {
        // Move the register onto the stack and drop the first list.
        let r = vm.register.take();
        vm.stack.push_back(r.unwrap());
        vm.stack.pop_front();
    });
    m.collect();
    let lists = m.mutate(|_, vm| {
        assert!(vm.register.is_none());
        vm.stack.iter().map(|&n| ids(Some(n))).collect::<Vec<_>>()
    });
    assert_eq!(lists, vec![vec![10, 11], vec![20, 21, 22, 23]]);
    let stats = heap.mem_stats();
    stats.check_invariants().unwrap();
    // The dropped list (3 nodes) is gone; the 6 kept nodes and the root remain.
    assert_eq!(stats.heap_objects, 7);
}

/// Two mutators reshuffle their roots' plain fields between allocations while the pacer runs
/// checkmarked cycles in the background; each checks its lists against a model of what it did.
/// A root scanned concurrently (rather than at the stop) would be read by a marker while its
/// `VecDeque` is rewritten.
#[test]
fn direct_root_writes_under_background_cycles() {
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers: 2,
        gc_percent: 10,
        ..Config::default()
    })
    .unwrap();
    let rounds: u64 = if cfg!(debug_assertions) {
        6_000
    } else {
        40_000
    };
    std::thread::scope(|s| {
        for t in 0..2u64 {
            let heap = heap.clone();
            s.spawn(move || {
                let mut m = heap.mutator::<VmRoot>(|_| Vm {
                    stack: VecDeque::new(),
                    register: None,
                });
                let mut model: VecDeque<Vec<u64>> = VecDeque::new();
                let mut register: Option<Vec<u64>> = None;
                let mut next_id = t << 40;
                let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ t;
                for round in 0..rounds {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    let len = 1 + rng % 8;
                    let first = next_id;
                    next_id += len;
                    m.mutate_root(|mc, vm| {
                        match rng % 5 {
                            0 | 1 => {
                                vm.stack.push_back(list(mc, first, len));
                                model.push_back((first..first + len).collect());
                            }
                            2 => {
                                // Swap the register with the stack's front.
                                if let Some(front) = vm.stack.pop_front() {
                                    let old = vm.register.replace(front);
                                    let old_model = register.replace(model.pop_front().unwrap());
                                    if let (Some(old), Some(old_model)) = (old, old_model) {
                                        vm.stack.push_back(old);
                                        model.push_back(old_model);
                                    }
                                }
                            }
                            3 => {
                                // Lists from the back (which a marker scanning the root would
                                // reach last) to the front (which it would have passed).
                                let k = vm.stack.len().min(1 + (rng >> 8) as usize % 8);
                                vm.stack.rotate_right(k);
                                model.rotate_right(k);
                            }
                            _ if round % 2 == 0 => {
                                vm.stack.pop_front();
                                model.pop_front();
                            }
                            _ => {}
                        }
                        if vm.stack.len() > 2048 {
                            vm.stack.truncate(1024);
                            model.truncate(1024);
                        }
                        // Garbage, so that the pacer keeps cycles coming.
                        Gc::from_iter(mc, (0..1024).map(|i| i as u64));
                    });
                    if round % 500 == 0 {
                        m.mutate(|_, vm| {
                            let lists: VecDeque<Vec<u64>> =
                                vm.stack.iter().map(|&n| ids(Some(n))).collect();
                            assert_eq!(lists, model, "round {round}");
                            assert_eq!(vm.register.map(|r| ids(Some(r))), register);
                        });
                    }
                }
            });
        }
    });
    assert!(heap.mem_stats().num_gc > 10, "{}", heap.mem_stats().num_gc);
}
