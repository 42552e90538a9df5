//! Model-based test: random programs of graph operations run against a real heap and against a
//! plain model graph; after every forced collection the reachable part of the real heap must
//! match the model exactly, and every object the model says is unreachable must have been
//! dropped exactly once (reachable ones never).

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use common::model::{
    Compound, Graph, GraphOp, MAX_EDGES, PrivateGraph, SLOTS, Step, apply, check_drops,
    check_graph, compound, garbage, step,
};
use common::model_obj::{DropLog, Obj, new_obj};
use gcheap_core::{Config, Gc, GcRefCell, Heap, Mutation, Mutator, Rootable};
use proptest::prelude::*;

type Slots = Rootable![GcRefCell<'_, Vec<Option<Gc<'_, Obj<'_>>>>>];

#[derive(Debug, Clone)]
enum Op {
    Graph(GraphOp),
    Collect,
}

fn op() -> impl Strategy<Value = Op> {
    let s = || 0..SLOTS;
    prop_oneof![
        4 => s().prop_map(|s| Op::Graph(GraphOp::Allocate(s, None))),
        4 => (s(), s()).prop_map(|(a, b)| Op::Graph(GraphOp::Link(a, b))),
        2 => (s(), 0..MAX_EDGES).prop_map(|(a, i)| Op::Graph(GraphOp::Unlink(a, i))),
        2 => s().prop_map(|s| Op::Graph(GraphOp::ClearSlot(s))),
        2 => (s(), s()).prop_map(|(a, b)| Op::Graph(GraphOp::Move(a, b))),
        2 => (s(), 0..MAX_EDGES, s()).prop_map(|(a, i, b)| Op::Graph(GraphOp::Follow(a, i, b))),
        1 => s().prop_map(|s| Op::Graph(GraphOp::MakeRoot(s))),
        1 => (0..8usize).prop_map(|i| Op::Graph(GraphOp::DropRoot(i))),
        1 => (0..8usize, s()).prop_map(|(i, b)| Op::Graph(GraphOp::LoadRoot(i, b))),
        2 => (s(), compound()).prop_map(|(a, c)| Op::Graph(GraphOp::MutateCompound(a, c))),
        1 => (s(), 1..20usize).prop_map(|(a, n)| Op::Graph(GraphOp::Chain(a, n))),
        1 => (1..400usize).prop_map(|n| Op::Graph(GraphOp::Garbage(n))),
        2 => Just(Op::Collect),
    ]
}

struct World {
    log: Arc<DropLog>,
    next_id: u64,
    graph: PrivateGraph<Rootable![Obj<'_>]>,
    /// Ids already confirmed dropped (by a check after a collection).
    dead: HashSet<u64>,
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

/// After a forced collection: reachable objects are intact and undropped, every other object
/// ever allocated was dropped exactly once.
fn check_after_collect(m: &mut Mutator<Slots>, w: &mut World) {
    m.mutate(|mc, slots| check_graph(mc, slots, w, "", |_, _| {}));
    let reachable = check_drops(&mut w.graph.model, &w.log.counts.lock().unwrap(), "");
    assert!(w.log.corrupt.lock().unwrap().is_empty(), "corrupt drops");
    w.dead.extend(
        w.graph
            .model
            .all
            .iter()
            .filter(|id| !reachable.contains(id)),
    );
}

fn run_step(m: &mut Mutator<Slots>, w: &mut World, step: &Step<Op>) {
    match step {
        Step::One(Op::Collect) => {
            m.collect();
            check_after_collect(m, w);
        }
        Step::One(Op::Graph(GraphOp::Garbage(n))) => garbage(m, w, *n),
        Step::One(Op::Graph(op)) => m.mutate(|mc, slots| apply(mc, slots, w, op)),
        Step::Batch(ops) => m.mutate(|mc, slots| {
            for op in ops {
                if let Op::Graph(op) = op {
                    apply(mc, slots, w, op);
                }
            }
        }),
    }
}

/// Drops the world, the mutator and the heap: every object ever allocated was dropped exactly
/// once.
fn check_heap_drop(heap: Heap, m: Mutator<Slots>, mut w: World) {
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
    assert!(log.corrupt.lock().unwrap().is_empty(), "corrupt drops");
}

fn run_program(steps: &[Step<Op>], gc_percent: i32) {
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers: 2,
        gc_percent,
        ..Config::default()
    })
    .unwrap();
    let mut m = heap.mutator::<Slots>(|_| GcRefCell::new(vec![None; SLOTS]));
    let mut w = World {
        log: Arc::new(DropLog::default()),
        next_id: 0,
        graph: PrivateGraph::default(),
        dead: HashSet::new(),
    };
    for step in steps {
        run_step(&mut m, &mut w, step);
        // Objects already known dead must never be dropped again.
        for &id in &w.dead {
            assert_eq!(w.log.count(id), 1, "dead object {id} dropped again");
        }
    }
    m.collect();
    check_after_collect(&mut m, &mut w);
    check_heap_drop(heap, m, w);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    #[cfg_attr(miri, ignore)]
    fn heap_matches_model(
        steps in prop::collection::vec(step(op), 1..120),
        gc_percent in prop_oneof![Just(1), Just(10), Just(100)],
    ) {
        run_program(&steps, gc_percent);
    }
}

/// A fixed program that exercises every op, so the model's checks run even under a filter.
#[test]
fn fixed_program() {
    use GraphOp::*;
    use Op::{Collect, Graph as G};
    let steps = [
        Step::One(G(Allocate(0, None))),
        Step::One(G(Allocate(1, None))),
        Step::One(G(Link(0, 1))),
        Step::One(G(Link(1, 0))),
        Step::One(G(MakeRoot(1))),
        Step::One(G(Chain(0, 10))),
        Step::One(Collect),
        Step::One(G(ClearSlot(0))),
        Step::One(G(ClearSlot(1))),
        Step::One(Collect),
        Step::One(G(LoadRoot(0, 2))),
        Step::One(G(Follow(2, 0, 3))),
        Step::Batch(vec![
            G(Allocate(4, None)),
            G(Link(4, 3)),
            G(MutateCompound(3, Compound::Push(4))),
            G(MutateCompound(3, Compound::Reverse)),
            G(Garbage(100)),
            G(MutateCompound(3, Compound::Swap(0, 1))),
            G(MutateCompound(2, Compound::CopyFrom(3))),
        ]),
        Step::One(G(Garbage(300))),
        Step::One(Collect),
        Step::One(G(DropRoot(0))),
        Step::One(G(Unlink(3, 0))),
        Step::One(G(MutateCompound(3, Compound::Truncate(0)))),
        Step::One(G(Move(4, 5))),
        Step::One(Collect),
    ];
    run_program(&steps, 10);
}
