//! Model-based test: random programs of graph operations run against a real heap and against a
//! plain model graph; after every forced collection the reachable part of the real heap must
//! match the model exactly, and every object the model says is unreachable must have been
//! dropped exactly once (reachable ones never).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use gcheap_core::{Config, Gc, GcRefCell, Heap, Mutation, Root, Rootable, Trace, Tracer};
use proptest::prelude::*;

const SLOTS: usize = 6;
const PAYLOAD: usize = 5;
const MAX_EDGES: usize = 8;

/// Drop counts by object id, shared by every object of one heap.
#[derive(Default)]
struct DropLog {
    counts: Mutex<HashMap<u64, u32>>,
    /// Ids of objects whose payload was corrupt when they were dropped.
    corrupt: Mutex<Vec<u64>>,
}

impl DropLog {
    fn count(&self, id: u64) -> u32 {
        self.counts.lock().unwrap().get(&id).copied().unwrap_or(0)
    }
}

fn payload_for(id: u64) -> [u64; PAYLOAD] {
    let mut p = [0u64; PAYLOAD];
    let mut x = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    for w in &mut p {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        *w = x;
    }
    p
}

struct Obj<'gc> {
    id: u64,
    payload: [u64; PAYLOAD],
    edges: GcRefCell<'gc, Vec<Gc<'gc, Obj<'gc>>>>,
    log: Arc<DropLog>,
}

// SAFETY: `edges` is the only field holding Gc pointers.
unsafe impl<'gc> Trace for Obj<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.edges);
    }
}

impl Drop for Obj<'_> {
    fn drop(&mut self) {
        // Only this object's own, non-Gc fields are read.
        if self.payload != payload_for(self.id) {
            self.log.corrupt.lock().unwrap().push(self.id);
        }
        *self.log.counts.lock().unwrap().entry(self.id).or_insert(0) += 1;
    }
}

fn new_obj<'gc>(mc: &Mutation<'gc>, id: u64, log: &Arc<DropLog>) -> Gc<'gc, Obj<'gc>> {
    Gc::new(
        mc,
        Obj {
            id,
            payload: payload_for(id),
            edges: GcRefCell::new(Vec::new()),
            log: log.clone(),
        },
    )
}

type Slots = Rootable![GcRefCell<'_, Vec<Option<Gc<'_, Obj<'_>>>>>];
type ObjRoot = Root<Rootable![Obj<'_>]>;

#[derive(Debug, Clone)]
enum Compound {
    /// Push an edge to the object in this slot (if any).
    Push(usize),
    /// Keep at most this many edges.
    Truncate(usize),
    Swap(usize, usize),
    Reverse,
    /// Replace all edges by this slot's object's edges (copying the vector).
    CopyFrom(usize),
}

#[derive(Debug, Clone)]
enum Op {
    Allocate(usize),
    Link(usize, usize),
    Unlink(usize, usize),
    ClearSlot(usize),
    /// Copy slot a into slot b.
    Move(usize, usize),
    /// Load the `i`th edge of slot a's object into slot b.
    Follow(usize, usize, usize),
    MakeRoot(usize),
    DropRoot(usize),
    /// Load persistent root `i` into a slot.
    LoadRoot(usize, usize),
    MutateCompound(usize, Compound),
    /// Allocate a chain of fresh objects hanging off a slot, holding the chain only in locals
    /// while more garbage is allocated in the same mutate call.
    Chain(usize, usize),
    /// Allocate this many unreachable objects, one mutate call per 8 of them (the pacer may run
    /// cycles at the boundaries in between).
    Garbage(usize),
    Collect,
}

fn op() -> impl Strategy<Value = Op> {
    let s = || 0..SLOTS;
    let compound = prop_oneof![
        s().prop_map(Compound::Push),
        (0..4usize).prop_map(Compound::Truncate),
        (0..MAX_EDGES, 0..MAX_EDGES).prop_map(|(a, b)| Compound::Swap(a, b)),
        Just(Compound::Reverse),
        s().prop_map(Compound::CopyFrom),
    ];
    prop_oneof![
        4 => s().prop_map(Op::Allocate),
        4 => (s(), s()).prop_map(|(a, b)| Op::Link(a, b)),
        2 => (s(), 0..MAX_EDGES).prop_map(|(a, i)| Op::Unlink(a, i)),
        2 => s().prop_map(Op::ClearSlot),
        2 => (s(), s()).prop_map(|(a, b)| Op::Move(a, b)),
        2 => (s(), 0..MAX_EDGES, s()).prop_map(|(a, i, b)| Op::Follow(a, i, b)),
        1 => s().prop_map(Op::MakeRoot),
        1 => (0..8usize).prop_map(Op::DropRoot),
        1 => (0..8usize, s()).prop_map(|(i, b)| Op::LoadRoot(i, b)),
        2 => (s(), compound).prop_map(|(a, c)| Op::MutateCompound(a, c)),
        1 => (s(), 1..20usize).prop_map(|(a, n)| Op::Chain(a, n)),
        1 => (1..400usize).prop_map(Op::Garbage),
        2 => Just(Op::Collect),
    ]
}

/// A step: either ops run together in one mutate call, or one op on its own.
#[derive(Debug, Clone)]
enum Step {
    One(Op),
    Batch(Vec<Op>),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => op().prop_map(Step::One),
        1 => prop::collection::vec(op(), 1..6).prop_map(Step::Batch),
    ]
}

#[derive(Default)]
struct Model {
    next_id: u64,
    edges: HashMap<u64, Vec<u64>>,
    slots: [Option<u64>; SLOTS],
    roots: Vec<u64>,
    /// Every id ever allocated.
    all: BTreeSet<u64>,
}

impl Model {
    fn fresh(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.edges.insert(id, Vec::new());
        self.all.insert(id);
        id
    }

    fn reachable(&self) -> HashSet<u64> {
        let mut seen = HashSet::new();
        let mut stack: Vec<u64> = self.slots.iter().flatten().copied().collect();
        stack.extend(&self.roots);
        while let Some(id) = stack.pop() {
            if seen.insert(id) {
                stack.extend(&self.edges[&id]);
            }
        }
        seen
    }
}

struct World {
    log: Arc<DropLog>,
    model: Model,
    /// Persistent roots, parallel to `model.roots`.
    roots: Vec<ObjRoot>,
    /// Ids already confirmed dropped (by a check after a collection).
    dead: HashSet<u64>,
}

/// Applies one op to the real heap (inside a mutate call) and to the model.
fn apply<'gc>(
    mc: &Mutation<'gc>,
    slots: &GcRefCell<'gc, Vec<Option<Gc<'gc, Obj<'gc>>>>>,
    w: &mut World,
    op: &Op,
) {
    let get = |i: usize| slots.borrow()[i];
    let set = |i: usize, v: Option<Gc<'gc, Obj<'gc>>>| slots.borrow_mut(mc)[i] = v;
    match *op {
        Op::Allocate(s) => {
            let id = w.model.fresh();
            set(s, Some(new_obj(mc, id, &w.log)));
            w.model.slots[s] = Some(id);
        }
        Op::Link(a, b) => {
            if let (Some(x), Some(y)) = (get(a), get(b)) {
                let mut e = x.edges.borrow_mut(mc);
                if e.len() < MAX_EDGES {
                    e.push(y);
                    w.model.edges.get_mut(&x.id).unwrap().push(y.id);
                }
            }
        }
        Op::Unlink(a, i) => {
            if let Some(x) = get(a) {
                let mut e = x.edges.borrow_mut(mc);
                if !e.is_empty() {
                    let i = i % e.len();
                    e.remove(i);
                    w.model.edges.get_mut(&x.id).unwrap().remove(i);
                }
            }
        }
        Op::ClearSlot(s) => {
            set(s, None);
            w.model.slots[s] = None;
        }
        Op::Move(a, b) => {
            set(b, get(a));
            w.model.slots[b] = w.model.slots[a];
        }
        Op::Follow(a, i, b) => {
            if let Some(x) = get(a) {
                let e = x.edges.borrow();
                if !e.is_empty() {
                    let t = e[i % e.len()];
                    drop(e);
                    set(b, Some(t));
                    w.model.slots[b] = Some(t.id);
                }
            }
        }
        Op::MakeRoot(s) => {
            if let Some(x) = get(s) {
                w.roots.push(Root::new(mc, x));
                w.model.roots.push(x.id);
            }
        }
        Op::DropRoot(i) => {
            if !w.roots.is_empty() {
                let i = i % w.roots.len();
                drop(w.roots.swap_remove(i));
                w.model.roots.swap_remove(i);
            }
        }
        Op::LoadRoot(i, s) => {
            if !w.roots.is_empty() {
                let i = i % w.roots.len();
                let x = w.roots[i].get(mc);
                assert_eq!(
                    x.id, w.model.roots[i],
                    "persistent root {i} holds the wrong object"
                );
                set(s, Some(x));
                w.model.slots[s] = Some(x.id);
            }
        }
        Op::MutateCompound(a, ref c) => {
            let Some(x) = get(a) else { return };
            let mut e = x.edges.borrow_mut(mc);
            let me = w.model.edges.get_mut(&x.id).unwrap();
            match *c {
                Compound::Push(b) => {
                    if let Some(y) = get(b)
                        && e.len() < MAX_EDGES
                    {
                        e.push(y);
                        me.push(y.id);
                    }
                }
                Compound::Truncate(n) => {
                    e.truncate(n);
                    me.truncate(n);
                }
                Compound::Swap(i, j) => {
                    if i < e.len() && j < e.len() {
                        e.swap(i, j);
                        me.swap(i, j);
                    }
                }
                Compound::Reverse => {
                    e.reverse();
                    me.reverse();
                }
                Compound::CopyFrom(b) => {
                    if let Some(y) = get(b) {
                        let copied: Vec<_> = if Gc::ptr_eq(x, y) {
                            e.clone()
                        } else {
                            y.edges.borrow().clone()
                        };
                        *e = copied;
                        let copied_ids = w.model.edges[&y.id].clone();
                        *w.model.edges.get_mut(&x.id).unwrap() = copied_ids;
                    }
                }
            }
        }
        Op::Chain(a, n) => {
            // Build a chain held only by locals, churn garbage meanwhile, then hang it off `a`
            // (or drop it if the slot is empty).
            let mut head: Option<Gc<'gc, Obj<'gc>>> = None;
            let mut ids = Vec::new();
            for _ in 0..n {
                let id = w.model.fresh();
                let o = new_obj(mc, id, &w.log);
                if let Some(h) = head {
                    o.edges.borrow_mut(mc).push(h);
                    w.model.edges.get_mut(&id).unwrap().push(h.id);
                }
                head = Some(o);
                ids.push(id);
                let g = w.model.fresh();
                new_obj(mc, g, &w.log);
            }
            // Every local is intact before it is linked.
            let mut cur = head;
            for &id in ids.iter().rev() {
                let o = cur.unwrap();
                assert_eq!(o.id, id);
                assert_eq!(o.payload, payload_for(id));
                cur = o.edges.borrow().first().copied();
            }
            if let (Some(x), Some(h)) = (get(a), head) {
                let mut e = x.edges.borrow_mut(mc);
                if e.len() < MAX_EDGES {
                    e.push(h);
                    w.model.edges.get_mut(&x.id).unwrap().push(h.id);
                }
            }
        }
        Op::Garbage(_) | Op::Collect => unreachable!("handled by the driver"),
    }
}

/// Walks the real graph from the slots and roots and compares it with the model.
fn check_graph(m: &mut gcheap_core::Mutator<Slots>, w: &World) {
    let expected = w.model.reachable();
    let found = m.mutate(|mc, slots| {
        let mut seen: HashSet<u64> = HashSet::new();
        let mut stack: Vec<Gc<'_, Obj<'_>>> = Vec::new();
        for (i, s) in slots.borrow().iter().enumerate() {
            assert_eq!(s.map(|o| o.id), w.model.slots[i], "slot {i}");
            stack.extend(s);
        }
        for (i, r) in w.roots.iter().enumerate() {
            let o = r.get(mc);
            assert_eq!(o.id, w.model.roots[i], "root {i}");
            stack.push(o);
        }
        while let Some(o) = stack.pop() {
            if !seen.insert(o.id) {
                continue;
            }
            assert_eq!(o.payload, payload_for(o.id), "payload of object {}", o.id);
            let edges = o.edges.borrow();
            let ids: Vec<u64> = edges.iter().map(|e| e.id).collect();
            assert_eq!(
                Some(&ids),
                w.model.edges.get(&o.id),
                "edges of object {}",
                o.id
            );
            stack.extend(edges.iter().copied());
        }
        seen
    });
    assert_eq!(found, expected, "reachable set differs from the model");
}

/// After a forced collection: reachable objects are intact and undropped, every other object
/// ever allocated was dropped exactly once.
fn check_after_collect(m: &mut gcheap_core::Mutator<Slots>, w: &mut World) {
    check_graph(m, w);
    let reachable = w.model.reachable();
    {
        let counts = w.log.counts.lock().unwrap();
        for &id in &w.model.all {
            let c = counts.get(&id).copied().unwrap_or(0);
            if reachable.contains(&id) {
                assert_eq!(c, 0, "reachable object {id} was dropped");
            } else {
                assert_eq!(c, 1, "unreachable object {id} dropped {c} times");
            }
        }
    }
    assert!(w.log.corrupt.lock().unwrap().is_empty(), "corrupt drops");
    // Forget the dead part of the model graph.
    w.model.edges.retain(|id, _| reachable.contains(id));
    w.dead
        .extend(w.model.all.iter().filter(|id| !reachable.contains(id)));
}

fn run_program(steps: &[Step], gc_percent: i32) {
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
        model: Model::default(),
        roots: Vec::new(),
        dead: HashSet::new(),
    };
    for step in steps {
        match step {
            Step::One(Op::Collect) => {
                m.collect();
                check_after_collect(&mut m, &mut w);
            }
            Step::One(Op::Garbage(n)) => {
                let mut left = *n;
                while left > 0 {
                    let k = left.min(8);
                    left -= k;
                    m.mutate(|mc, _| {
                        for _ in 0..k {
                            let id = w.model.fresh();
                            new_obj(mc, id, &w.log);
                        }
                    });
                }
            }
            Step::One(op) => m.mutate(|mc, slots| apply(mc, slots, &mut w, op)),
            Step::Batch(ops) => m.mutate(|mc, slots| {
                for op in ops {
                    match op {
                        Op::Collect => {}
                        Op::Garbage(n) => {
                            for _ in 0..*n {
                                let id = w.model.fresh();
                                new_obj(mc, id, &w.log);
                            }
                        }
                        op => apply(mc, slots, &mut w, op),
                    }
                }
            }),
        }
        // Objects already known dead must never be dropped again.
        for &id in &w.dead {
            assert_eq!(w.log.count(id), 1, "dead object {id} dropped again");
        }
    }
    m.collect();
    check_after_collect(&mut m, &mut w);

    let log = w.log.clone();
    let all = std::mem::take(&mut w.model.all);
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    #[cfg_attr(miri, ignore)]
    fn heap_matches_model(
        steps in prop::collection::vec(step(), 1..120),
        gc_percent in prop_oneof![Just(1), Just(10), Just(100)],
    ) {
        run_program(&steps, gc_percent);
    }
}

/// A fixed program that exercises every op, so the model's checks run even under a filter.
#[test]
fn fixed_program() {
    use Op::*;
    let steps = [
        Step::One(Allocate(0)),
        Step::One(Allocate(1)),
        Step::One(Link(0, 1)),
        Step::One(Link(1, 0)),
        Step::One(MakeRoot(1)),
        Step::One(Chain(0, 10)),
        Step::One(Collect),
        Step::One(ClearSlot(0)),
        Step::One(ClearSlot(1)),
        Step::One(Collect),
        Step::One(LoadRoot(0, 2)),
        Step::One(Follow(2, 0, 3)),
        Step::Batch(vec![
            Allocate(4),
            Link(4, 3),
            MutateCompound(3, Compound::Push(4)),
            MutateCompound(3, Compound::Reverse),
            Garbage(100),
            MutateCompound(3, Compound::Swap(0, 1)),
            MutateCompound(2, Compound::CopyFrom(3)),
        ]),
        Step::One(Garbage(300)),
        Step::One(Collect),
        Step::One(DropRoot(0)),
        Step::One(Unlink(3, 0)),
        Step::One(MutateCompound(3, Compound::Truncate(0))),
        Step::One(Move(4, 5)),
        Step::One(Collect),
    ];
    run_program(&steps, 10);
}
