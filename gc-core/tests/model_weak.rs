//! Model-based test of what lies beyond strong pointers: random programs of graph operations,
//! weak references, weak-map entries, guardian registrations and takes, and cleanups, run against
//! a real heap and a model. Cycles run only at `Collect` steps, so after each the model says
//! exactly what must have happened, in the collector's order at mark end:
//!
//! - `live_before`: what the slots, the persistent roots and the guardian's ready queue reach,
//!   through edges and through weak-map entries whose key is reached (ephemerons);
//! - a weak reference is cleared exactly when its target is not in `live_before`;
//! - every registration whose object is not in `live_before` comes out of the guardian (once:
//!   the registration is used up); `live_after` adds what those objects reach;
//! - a weak-map entry survives exactly when its key is in `live_after`;
//! - objects outside `live_after` are dropped exactly once, their cleanups run exactly once,
//!   and objects inside are neither.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::model::{
    Graph, GraphOp, MAX_EDGES, Model, Node, PrivateGraph, SLOTS, Slots, Step, apply, check_graph,
    step,
};
use common::model_obj::{DropLog, Obj, new_obj};
use gcheap_core::{
    Config, Gc, GcGuardian, GcRefCell, GcWeak, GcWeakMap, Heap, Mutation, Mutator, Rootable,
};
use proptest::prelude::*;

/// The mutator's root: the graph's slots, weak references, a weak map, a guardian.
type RootTuple<'gc> = (
    Slots<'gc, Obj<'gc>>,
    GcRefCell<'gc, Vec<GcWeak<'gc, Obj<'gc>>>>,
    GcWeakMap<'gc, Obj<'gc>, Gc<'gc, Obj<'gc>>>,
    Gc<'gc, GcGuardian<'gc, Obj<'gc>>>,
);
type Roots = Rootable![RootTuple<'_>];

#[derive(Debug, Clone)]
enum Op {
    Graph(GraphOp),
    /// Keep a weak reference to slot s's object.
    Downgrade(usize),
    /// Upgrade weak reference i into slot s.
    Upgrade(usize, usize),
    /// Map slot k's object to slot v's object.
    MapInsert(usize, usize),
    MapRemove(usize),
    /// Load the value of slot k's object's entry into slot s.
    MapGet(usize, usize),
    /// Register slot s's object with the guardian.
    Register(usize),
    /// Take an object out of the guardian into slot s.
    Take(usize),
    /// Attach a cleanup to slot s's object.
    AddCleanup(usize),
    Collect,
}

fn op() -> impl Strategy<Value = Op> {
    let s = || 0..SLOTS;
    prop_oneof![
        4 => s().prop_map(|s| Op::Graph(GraphOp::Allocate(s, None))),
        3 => (s(), s()).prop_map(|(a, b)| Op::Graph(GraphOp::Link(a, b))),
        2 => (s(), 0..MAX_EDGES).prop_map(|(a, i)| Op::Graph(GraphOp::Unlink(a, i))),
        3 => s().prop_map(|s| Op::Graph(GraphOp::ClearSlot(s))),
        2 => (s(), s()).prop_map(|(a, b)| Op::Graph(GraphOp::Move(a, b))),
        2 => (s(), 0..MAX_EDGES, s()).prop_map(|(a, i, b)| Op::Graph(GraphOp::Follow(a, i, b))),
        1 => s().prop_map(|s| Op::Graph(GraphOp::MakeRoot(s))),
        1 => (0..8usize).prop_map(|i| Op::Graph(GraphOp::DropRoot(i))),
        1 => (s(), 1..10usize).prop_map(|(a, n)| Op::Graph(GraphOp::Chain(a, n))),
        2 => s().prop_map(Op::Downgrade),
        2 => (0..16usize, s()).prop_map(|(i, s)| Op::Upgrade(i, s)),
        3 => (s(), s()).prop_map(|(k, v)| Op::MapInsert(k, v)),
        1 => s().prop_map(Op::MapRemove),
        2 => (s(), s()).prop_map(|(k, v)| Op::MapGet(k, v)),
        2 => s().prop_map(Op::Register),
        2 => s().prop_map(Op::Take),
        2 => s().prop_map(Op::AddCleanup),
        3 => Just(Op::Collect),
    ]
}

/// The test's state outside the heap: the graph's model and what the model adds.
struct World {
    log: Arc<DropLog>,
    next_id: u64,
    graph: PrivateGraph<Rootable![Obj<'_>]>,
    /// Targets of the root's weak references, in order; `None` once cleared.
    weaks: Vec<Option<u64>>,
    /// The weak map's entries: key -> value.
    entries: BTreeMap<u64, u64>,
    /// Registrations not yet used up, one per `register` call.
    registered: Vec<u64>,
    /// Objects the guardian handed back and the program has not taken yet.
    ready: Vec<u64>,
    /// Cleanups attached and not yet run, by object.
    cleanups: HashMap<u64, u32>,
    /// Cleanups that must have run, by object.
    cleanups_due: HashMap<u64, u32>,
    /// Cleanups that ran, by object (written by the cleanup thread).
    cleanups_ran: Arc<Mutex<HashMap<u64, u32>>>,
}

impl Graph for World {
    type Root = Rootable![Obj<'_>];

    fn graph(&self) -> &PrivateGraph<Self::Root> {
        &self.graph
    }

    fn graph_mut(&mut self) -> &mut PrivateGraph<Self::Root> {
        &mut self.graph
    }

    fn alloc<'gc>(&mut self, mc: &Mutation<'gc>) -> Gc<'gc, Obj<'gc>> {
        let id = self.next_id;
        self.next_id += 1;
        self.graph.model.insert(id);
        new_obj(mc, id, &self.log)
    }
}

/// What the slots, the persistent roots, `extra` and the model's ready queue reach, through
/// edges and through the entries of reached keys.
fn reach(model: &Model, entries: &BTreeMap<u64, u64>, extra: &[u64]) -> HashSet<u64> {
    let mut seen = HashSet::new();
    let mut stack: Vec<u64> = model.slots.iter().flatten().copied().collect();
    stack.extend(&model.roots);
    stack.extend(extra);
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            stack.extend(&model.objs[&id].edges);
            if let Some(&value) = entries.get(&id) {
                stack.push(value);
            }
        }
    }
    seen
}

fn slot<'gc>(slots: &Slots<'gc, Obj<'gc>>, s: usize) -> Option<Gc<'gc, Obj<'gc>>> {
    slots.borrow()[s]
}

fn set_slot<'gc>(
    mc: &Mutation<'gc>,
    w: &mut World,
    slots: &Slots<'gc, Obj<'gc>>,
    s: usize,
    o: Gc<'gc, Obj<'gc>>,
) {
    slots.borrow_mut(mc)[s] = Some(o);
    w.graph.model.slots[s] = Some(o.id);
}

/// Applies one op other than `Collect` to the heap and the model, inside a mutate call.
fn apply_op<'gc>(mc: &Mutation<'gc>, roots: &RootTuple<'gc>, w: &mut World, op: &Op) {
    let (slots, weaks, map, guardian) = roots;
    match *op {
        Op::Graph(ref g) => apply(mc, slots, w, g),
        Op::Downgrade(s) => {
            if let Some(o) = slot(slots, s) {
                weaks.borrow_mut(mc).push(Gc::downgrade(mc, o));
                w.weaks.push(Some(o.id));
            }
        }
        Op::Upgrade(i, s) => {
            if !w.weaks.is_empty() {
                let i = i % w.weaks.len();
                let got = weaks.borrow()[i].upgrade(mc);
                assert_eq!(
                    got.map(|o| o.id),
                    w.weaks[i],
                    "upgrade of weak reference {i}"
                );
                if let Some(o) = got {
                    o.check();
                    set_slot(mc, w, slots, s, o);
                }
            }
        }
        Op::MapInsert(k, v) => {
            if let (Some(key), Some(value)) = (slot(slots, k), slot(slots, v)) {
                let replaced = map.insert(mc, key, value);
                assert_eq!(replaced, w.entries.insert(key.id, value.id).is_some());
            }
        }
        Op::MapRemove(k) => {
            if let Some(key) = slot(slots, k) {
                assert_eq!(map.remove(mc, key), w.entries.remove(&key.id).is_some());
            }
        }
        Op::MapGet(k, s) => {
            if let Some(key) = slot(slots, k) {
                let got = map.get(key).copied();
                assert_eq!(
                    got.map(|o| o.id),
                    w.entries.get(&key.id).copied(),
                    "entry of {}",
                    key.id
                );
                if let Some(o) = got {
                    set_slot(mc, w, slots, s, o);
                }
            }
        }
        Op::Register(s) => {
            if let Some(o) = slot(slots, s) {
                guardian.register(mc, o);
                w.registered.push(o.id);
            }
        }
        Op::Take(s) => {
            let got = guardian.take(mc);
            assert_eq!(got.is_some(), !w.ready.is_empty(), "the guardian's queue");
            if let Some(o) = got {
                let at = w
                    .ready
                    .iter()
                    .position(|&id| id == o.id)
                    .unwrap_or_else(|| {
                        panic!("the guardian handed back {}, which was not due", o.id)
                    });
                w.ready.swap_remove(at);
                // Intact: its payload and its edges are what they were.
                o.check();
                let edges: Vec<u64> = o.edges.borrow().iter().map(|e| e.id).collect();
                assert_eq!(edges, w.graph.model.objs[&o.id].edges, "edges of {}", o.id);
                set_slot(mc, w, slots, s, o);
            }
        }
        Op::AddCleanup(s) => {
            if let Some(o) = slot(slots, s) {
                let ran = w.cleanups_ran.clone();
                Gc::add_cleanup(mc, o, o.id, move |id| {
                    *ran.lock().unwrap().entry(id).or_default() += 1;
                });
                *w.cleanups.entry(o.id).or_default() += 1;
            }
        }
        Op::Collect => unreachable!("run by run_step"),
    }
}

/// After a forced collection: applies the mark-end order to the model, then compares.
fn check_after_collect(m: &mut Mutator<Roots>, w: &mut World) {
    let model = &w.graph.model;
    let live_before = reach(model, &w.entries, &w.ready);
    let (dead, kept): (Vec<u64>, Vec<u64>) = w
        .registered
        .iter()
        .partition(|id| !live_before.contains(id));
    w.registered = kept;
    let mut extra = w.ready.clone();
    extra.extend(&dead);
    let live_after = reach(model, &w.entries, &extra);
    for target in &mut w.weaks {
        if target.is_some_and(|id| !live_before.contains(&id)) {
            *target = None;
        }
    }
    w.entries.retain(|k, _| live_after.contains(k));
    w.ready.extend(dead);
    // Drops: exactly once outside `live_after`, never inside.
    {
        let counts = w.log.counts.lock().unwrap();
        for &id in &w.graph.model.all {
            let c = counts.get(&id).copied().unwrap_or(0);
            if live_after.contains(&id) {
                assert_eq!(c, 0, "live object {id} was dropped");
            } else {
                assert_eq!(c, 1, "dead object {id} dropped {c} times");
            }
        }
    }
    assert!(w.log.corrupt.lock().unwrap().is_empty(), "corrupt drops");
    w.graph.model.objs.retain(|id, _| live_after.contains(id));
    // Cleanups: those of dead objects are due, and run on the cleanup thread.
    let due: Vec<u64> = w
        .cleanups
        .keys()
        .filter(|id| !live_after.contains(id))
        .copied()
        .collect();
    for id in due {
        let n = w.cleanups.remove(&id).unwrap();
        *w.cleanups_due.entry(id).or_default() += n;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while *w.cleanups_ran.lock().unwrap() != w.cleanups_due && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        *w.cleanups_ran.lock().unwrap(),
        w.cleanups_due,
        "cleanups run"
    );
    // The heap against the model.
    m.mutate(|mc, roots| {
        let (slots, weaks, map, guardian) = roots;
        check_graph(mc, slots, &*w, "", |_, _| {});
        let got: Vec<Option<u64>> = weaks
            .borrow()
            .iter()
            .map(|wk| wk.upgrade(mc).map(|o| o.id))
            .collect();
        assert_eq!(got, w.weaks, "weak references");
        let mut entries: Vec<(u64, u64)> = map
            .entries(mc)
            .into_iter()
            .map(|(k, v)| (k.id, v.id))
            .collect();
        entries.sort();
        let expected: Vec<(u64, u64)> = w.entries.iter().map(|(&k, &v)| (k, v)).collect();
        assert_eq!(entries, expected, "weak-map entries");
        assert_eq!(map.len(mc), w.entries.len());
        assert_eq!(
            guardian.ready_len(),
            w.ready.len(),
            "objects ready in the guardian"
        );
    });
}

fn run_step(m: &mut Mutator<Roots>, w: &mut World, step: &Step<Op>) {
    match step {
        Step::One(Op::Collect) => {
            m.collect();
            check_after_collect(m, w);
        }
        Step::One(op) => m.mutate(|mc, roots| apply_op(mc, roots, w, op)),
        Step::Batch(ops) => m.mutate(|mc, roots| {
            for op in ops.iter().filter(|op| !matches!(op, Op::Collect)) {
                apply_op(mc, roots, w, op);
            }
        }),
    }
}

fn run_program(steps: &[Step<Op>], gc_workers: usize) {
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers,
        gc_percent: -1,
        ..Config::default()
    })
    .unwrap();
    let mut m = heap.mutator::<Roots>(|mc| {
        (
            GcRefCell::new(vec![None; SLOTS]),
            GcRefCell::new(Vec::new()),
            GcWeakMap::new(),
            GcGuardian::new(mc),
        )
    });
    let mut w = World {
        log: Arc::new(DropLog::default()),
        next_id: 0,
        graph: PrivateGraph::default(),
        weaks: Vec::new(),
        entries: BTreeMap::new(),
        registered: Vec::new(),
        ready: Vec::new(),
        cleanups: HashMap::new(),
        cleanups_due: HashMap::new(),
        cleanups_ran: Arc::default(),
    };
    for step in steps {
        run_step(&mut m, &mut w, step);
    }
    m.collect();
    check_after_collect(&mut m, &mut w);
    // Teardown: every object ever allocated is dropped exactly once.
    let log = w.log.clone();
    let all = std::mem::take(&mut w.graph.model.all);
    drop(w);
    drop(m);
    drop(heap);
    let counts = log.counts.lock().unwrap();
    for id in &all {
        assert_eq!(counts.get(id), Some(&1), "object {id} at heap drop");
    }
    assert_eq!(counts.len(), all.len(), "drops of unknown ids");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    #[cfg_attr(miri, ignore)]
    fn weak_ephemeron_guardian_cleanup_match_the_model(
        steps in prop::collection::vec(step(op), 1..100),
        gc_workers in 1..=2usize,
    ) {
        run_program(&steps, gc_workers);
    }
}

/// A fixed program through every op, so the model's checks run even under a filter: an
/// ephemeron chain, a resurrected key keeping its entry, weak references to a resurrected
/// object cleared, a cleanup per dead object.
#[test]
fn fixed_program() {
    use GraphOp::*;
    use Op::{Graph as G, *};
    let steps = [
        Step::One(G(Allocate(0, None))),
        Step::One(G(Allocate(1, None))),
        Step::One(G(Allocate(2, None))),
        // 0 -> 1 -> 2 through the map: a chain.
        Step::One(MapInsert(0, 1)),
        Step::One(MapInsert(1, 2)),
        Step::One(Downgrade(1)),
        Step::One(Downgrade(2)),
        Step::One(Register(1)),
        Step::One(AddCleanup(2)),
        Step::One(G(ClearSlot(1))),
        Step::One(G(ClearSlot(2))),
        Step::One(Collect),
        // Dropping the chain's head: 1 is resurrected, 2 with it (through its entry).
        Step::One(G(ClearSlot(0))),
        Step::One(Collect),
        Step::One(Take(3)),
        Step::One(MapGet(3, 4)),
        Step::One(Upgrade(0, 5)),
        Step::One(G(ClearSlot(3))),
        Step::One(G(ClearSlot(4))),
        Step::One(Collect),
    ];
    run_program(&steps, 2);
}
