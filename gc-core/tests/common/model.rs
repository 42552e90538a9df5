//! The model of one private graph, shared by `model.rs` and `model_concurrent.rs`: the ops on
//! the graph and the strategies that generate them, the model graph, the interpreter that
//! applies an op to the real heap and to the model together, and the checks that compare them.
//!
//! A test brings its object type (a [`Node`]) and its state (a [`Graph`]: how it numbers and
//! allocates objects, and where it keeps the model and its persistent roots). The graph is
//! reached from a mutator's slots (a [`Slots`] vector) and from persistent roots; objects hold
//! up to `MAX_EDGES` edges to other objects of the same graph.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Debug;

use gcheap_core::{Gc, GcRefCell, Mutation, Mutator, Root, Rootable, Trace};
use proptest::prelude::*;

/// Slots in a mutator's slots vector.
pub const SLOTS: usize = 6;
/// Most edges an object holds.
pub const MAX_EDGES: usize = 8;
/// Garbage objects allocated per mutate call by a `Garbage` op on its own (see [`garbage`]).
const GARBAGE_PER_CALL: usize = 8;

/// A mutator's slots: the graph's objects held by its mutator root.
pub type Slots<'gc, N> = GcRefCell<'gc, Vec<Option<Gc<'gc, N>>>>;

/// An object of the graph, as the interpreter sees it.
pub trait Node<'gc>: Trace + Sized + 'gc {
    fn id(&self) -> u64;
    fn edges(&self) -> &GcRefCell<'gc, Vec<Gc<'gc, Self>>>;
    /// Asserts that the object's own data is intact.
    fn check(&self);
}

/// A test's state outside the heap, as the interpreter sees it.
pub trait Graph {
    /// The persistent roots' type (`Rootable![Obj<'_>]`); its root is the [`Node`] type.
    type Root: Rootable;
    fn graph(&self) -> &PrivateGraph<Self::Root>;
    fn graph_mut(&mut self) -> &mut PrivateGraph<Self::Root>;
    /// Allocates an object with a fresh id and no edges, and records it in the model.
    fn alloc<'gc>(&mut self, mc: &Mutation<'gc>) -> Gc<'gc, NodeOf<'gc, Self>>;
}

/// The node type of a [`Graph`] under brand `'gc`.
pub type NodeOf<'gc, G> = <<G as Graph>::Root as Rootable>::Root<'gc>;

/// The model of the graph and the persistent roots into it.
pub struct PrivateGraph<R: Rootable> {
    pub model: Model,
    /// Persistent roots, parallel to `model.roots`.
    pub roots: Vec<Root<R>>,
}

impl<R: Rootable> Default for PrivateGraph<R> {
    fn default() -> Self {
        PrivateGraph {
            model: Model::default(),
            roots: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ops and their strategies.

#[derive(Debug, Clone)]
pub enum Compound {
    /// Push an edge to the object in this slot (if any).
    Push(usize),
    /// Keep at most this many edges.
    Truncate(usize),
    Swap(usize, usize),
    Reverse,
    /// Replace all edges by this slot's object's edges (copying the vector).
    CopyFrom(usize),
}

pub fn compound() -> impl Strategy<Value = Compound> {
    let s = || 0..SLOTS;
    prop_oneof![
        s().prop_map(Compound::Push),
        (0..4usize).prop_map(Compound::Truncate),
        (0..MAX_EDGES, 0..MAX_EDGES).prop_map(|(a, b)| Compound::Swap(a, b)),
        Just(Compound::Reverse),
        s().prop_map(Compound::CopyFrom),
    ]
}

/// An op on the graph, run inside a mutate call by [`apply`].
#[derive(Debug, Clone)]
pub enum GraphOp {
    /// Allocate an object into slot s; with `Some(t)`, it starts with an edge to slot t's
    /// object (read before slot s is overwritten: `Allocate(s, Some(s))` pushes onto a list).
    Allocate(usize, Option<usize>),
    Link(usize, usize),
    Unlink(usize, usize),
    ClearSlot(usize),
    /// Copy slot a into slot b.
    Move(usize, usize),
    /// Load the `i`th edge of slot a's object into slot b.
    Follow(usize, usize, usize),
    /// Move the `i`th edge of slot a's object to the end of slot b's object's edges.
    MoveEdge(usize, usize, usize),
    /// Move the `i`th edge of slot a's object into slot b (out of the object).
    Detach(usize, usize, usize),
    MakeRoot(usize),
    DropRoot(usize),
    /// Load persistent root `i` into a slot.
    LoadRoot(usize, usize),
    MutateCompound(usize, Compound),
    /// Allocate a chain of fresh objects held only by locals while garbage is allocated in the
    /// same mutate call, then hang it off a slot's object.
    Chain(usize, usize),
    /// Allocate this many unreachable objects: in the step's mutate call when in a batch,
    /// `GARBAGE_PER_CALL` per mutate call when on its own (the pacer may run cycles at the
    /// boundaries in between).
    Garbage(usize),
}

/// A step: either ops run together in one mutate call, or one op on its own.
#[derive(Debug, Clone)]
pub enum Step<Op> {
    One(Op),
    Batch(Vec<Op>),
}

/// Steps of the ops `op` generates: mostly one op, sometimes a batch of up to 5.
pub fn step<S>(op: impl Fn() -> S) -> impl Strategy<Value = Step<S::Value>>
where
    S: Strategy,
    S::Value: Debug + Clone,
{
    prop_oneof![
        4 => op().prop_map(Step::One),
        1 => prop::collection::vec(op(), 1..6).prop_map(Step::Batch),
    ]
}

// ---------------------------------------------------------------------------------------------
// The model graph.

/// An object of the model.
#[derive(Default, Clone)]
pub struct MObj {
    pub edges: Vec<u64>,
    /// The shared node the object points at, in a test with a shared part.
    pub shared: Option<u64>,
}

#[derive(Default)]
pub struct Model {
    /// Objects not yet known to be dead.
    pub objs: HashMap<u64, MObj>,
    pub slots: [Option<u64>; SLOTS],
    pub roots: Vec<u64>,
    /// Every id ever allocated.
    pub all: BTreeSet<u64>,
}

impl Model {
    /// Records a fresh object with no edges.
    pub fn insert(&mut self, id: u64) {
        self.objs.insert(id, MObj::default());
        self.all.insert(id);
    }

    pub fn obj(&mut self, id: u64) -> &mut MObj {
        self.objs
            .get_mut(&id)
            .expect("a live object is in the model")
    }

    pub fn reachable(&self) -> HashSet<u64> {
        let mut seen = HashSet::new();
        let mut stack: Vec<u64> = self.slots.iter().flatten().copied().collect();
        stack.extend(&self.roots);
        while let Some(id) = stack.pop() {
            if seen.insert(id) {
                stack.extend(&self.objs[&id].edges);
            }
        }
        seen
    }
}

// ---------------------------------------------------------------------------------------------
// The interpreter.

fn get<'gc, N: Node<'gc>>(slots: &Slots<'gc, N>, i: usize) -> Option<Gc<'gc, N>> {
    slots.borrow()[i]
}

fn set<'gc, N: Node<'gc>>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, N>,
    i: usize,
    v: Option<Gc<'gc, N>>,
) {
    slots.borrow_mut(mc)[i] = v;
}

/// Applies one op to the real heap (inside a mutate call) and to the model.
pub fn apply<'gc, G: Graph>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, NodeOf<'gc, G>>,
    w: &mut G,
    op: &GraphOp,
) where
    NodeOf<'gc, G>: Node<'gc>,
{
    match *op {
        GraphOp::Allocate(s, t) => allocate(mc, slots, w, s, t),
        GraphOp::Link(a, b) => {
            if let (Some(x), Some(y)) = (get(slots, a), get(slots, b)) {
                push_edge(mc, &mut w.graph_mut().model, x, y);
            }
        }
        GraphOp::Unlink(a, i) => unlink(mc, slots, &mut w.graph_mut().model, a, i),
        GraphOp::ClearSlot(s) => {
            set(mc, slots, s, None);
            w.graph_mut().model.slots[s] = None;
        }
        GraphOp::Move(a, b) => {
            set(mc, slots, b, get(slots, a));
            let m = &mut w.graph_mut().model;
            m.slots[b] = m.slots[a];
        }
        GraphOp::Follow(a, i, b) => follow(mc, slots, &mut w.graph_mut().model, a, i, b),
        GraphOp::MoveEdge(a, i, b) => move_edge(mc, slots, &mut w.graph_mut().model, a, i, b),
        GraphOp::Detach(a, i, b) => detach(mc, slots, &mut w.graph_mut().model, a, i, b),
        GraphOp::MakeRoot(s) => {
            if let Some(x) = get(slots, s) {
                let g = w.graph_mut();
                g.roots.push(Root::new(mc, x));
                g.model.roots.push(x.id());
            }
        }
        GraphOp::DropRoot(i) => {
            let g = w.graph_mut();
            if !g.roots.is_empty() {
                let i = i % g.roots.len();
                drop(g.roots.swap_remove(i));
                g.model.roots.swap_remove(i);
            }
        }
        GraphOp::LoadRoot(i, s) => load_root(mc, slots, w.graph_mut(), i, s),
        GraphOp::MutateCompound(a, ref c) => {
            mutate_compound(mc, slots, &mut w.graph_mut().model, a, c)
        }
        GraphOp::Chain(a, n) => chain(mc, slots, w, a, n),
        GraphOp::Garbage(n) => {
            for _ in 0..n {
                w.alloc(mc);
            }
        }
    }
}

/// Pushes an edge x → y unless x is full.
fn push_edge<'gc, N: Node<'gc>>(
    mc: &Mutation<'gc>,
    model: &mut Model,
    x: Gc<'gc, N>,
    y: Gc<'gc, N>,
) {
    let mut e = x.edges().borrow_mut(mc);
    if e.len() < MAX_EDGES {
        e.push(y);
        model.obj(x.id()).edges.push(y.id());
    }
}

fn allocate<'gc, G: Graph>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, NodeOf<'gc, G>>,
    w: &mut G,
    s: usize,
    t: Option<usize>,
) where
    NodeOf<'gc, G>: Node<'gc>,
{
    let o = w.alloc(mc);
    let model = &mut w.graph_mut().model;
    if let Some(y) = t.and_then(|t| get(slots, t)) {
        o.edges().borrow_mut(mc).push(y);
        model.obj(o.id()).edges.push(y.id());
    }
    set(mc, slots, s, Some(o));
    model.slots[s] = Some(o.id());
}

fn unlink<'gc, N: Node<'gc>>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, N>,
    model: &mut Model,
    a: usize,
    i: usize,
) {
    if let Some(x) = get(slots, a) {
        let mut e = x.edges().borrow_mut(mc);
        if !e.is_empty() {
            let i = i % e.len();
            e.remove(i);
            model.obj(x.id()).edges.remove(i);
        }
    }
}

fn follow<'gc, N: Node<'gc>>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, N>,
    model: &mut Model,
    a: usize,
    i: usize,
    b: usize,
) {
    if let Some(x) = get(slots, a) {
        let e = x.edges().borrow();
        if !e.is_empty() {
            let t = e[i % e.len()];
            drop(e);
            let me = &model.objs[&x.id()].edges;
            assert_eq!(t.id(), me[i % me.len()]);
            set(mc, slots, b, Some(t));
            model.slots[b] = Some(t.id());
        }
    }
}

fn move_edge<'gc, N: Node<'gc>>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, N>,
    model: &mut Model,
    a: usize,
    i: usize,
    b: usize,
) {
    if let (Some(x), Some(y)) = (get(slots, a), get(slots, b)) {
        let len = x.edges().borrow().len();
        if len == 0 || (!Gc::ptr_eq(x, y) && y.edges().borrow().len() >= MAX_EDGES) {
            return;
        }
        let i = i % len;
        let t = x.edges().borrow_mut(mc).remove(i);
        y.edges().borrow_mut(mc).push(t);
        let moved = model.obj(x.id()).edges.remove(i);
        assert_eq!(moved, t.id(), "edge {i} of object {}", x.id());
        model.obj(y.id()).edges.push(moved);
    }
}

fn detach<'gc, N: Node<'gc>>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, N>,
    model: &mut Model,
    a: usize,
    i: usize,
    b: usize,
) {
    if let Some(x) = get(slots, a) {
        let mut e = x.edges().borrow_mut(mc);
        if !e.is_empty() {
            let i = i % e.len();
            let t = e.remove(i);
            drop(e);
            let moved = model.obj(x.id()).edges.remove(i);
            assert_eq!(moved, t.id(), "edge {i} of object {}", x.id());
            set(mc, slots, b, Some(t));
            model.slots[b] = Some(moved);
        }
    }
}

fn load_root<'gc, R: Rootable>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, R::Root<'gc>>,
    g: &mut PrivateGraph<R>,
    i: usize,
    s: usize,
) where
    R::Root<'gc>: Node<'gc>,
{
    if !g.roots.is_empty() {
        let i = i % g.roots.len();
        let x = g.roots[i].get(mc);
        assert_eq!(
            x.id(),
            g.model.roots[i],
            "persistent root {i} holds the wrong object"
        );
        x.check();
        set(mc, slots, s, Some(x));
        g.model.slots[s] = Some(x.id());
    }
}

fn mutate_compound<'gc, N: Node<'gc>>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, N>,
    model: &mut Model,
    a: usize,
    c: &Compound,
) {
    let Some(x) = get(slots, a) else { return };
    let mut e = x.edges().borrow_mut(mc);
    match *c {
        Compound::Push(b) => {
            if let Some(y) = get(slots, b)
                && e.len() < MAX_EDGES
            {
                e.push(y);
                model.obj(x.id()).edges.push(y.id());
            }
        }
        Compound::Truncate(n) => {
            e.truncate(n);
            model.obj(x.id()).edges.truncate(n);
        }
        Compound::Swap(i, j) => {
            if i < e.len() && j < e.len() {
                e.swap(i, j);
                model.obj(x.id()).edges.swap(i, j);
            }
        }
        Compound::Reverse => {
            e.reverse();
            model.obj(x.id()).edges.reverse();
        }
        Compound::CopyFrom(b) => {
            if let Some(y) = get(slots, b) {
                let copied: Vec<_> = if Gc::ptr_eq(x, y) {
                    e.clone()
                } else {
                    y.edges().borrow().clone()
                };
                *e = copied;
                let copied_ids = model.objs[&y.id()].edges.clone();
                model.obj(x.id()).edges = copied_ids;
            }
        }
    }
}

/// Builds a chain of `n` objects held only by locals, allocating garbage meanwhile, checks it,
/// then hangs it off slot a's object (or drops it if the slot is empty).
fn chain<'gc, G: Graph>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, NodeOf<'gc, G>>,
    w: &mut G,
    a: usize,
    n: usize,
) where
    NodeOf<'gc, G>: Node<'gc>,
{
    let mut head: Option<Gc<'gc, NodeOf<'gc, G>>> = None;
    let mut ids = Vec::new();
    for _ in 0..n {
        let o = w.alloc(mc);
        if let Some(h) = head {
            o.edges().borrow_mut(mc).push(h);
            w.graph_mut().model.obj(o.id()).edges.push(h.id());
        }
        head = Some(o);
        ids.push(o.id());
        w.alloc(mc);
    }
    // Every local is intact before it is linked.
    let mut cur = head;
    for &id in ids.iter().rev() {
        let o = cur.unwrap();
        assert_eq!(o.id(), id);
        o.check();
        cur = o.edges().borrow().first().copied();
    }
    if let (Some(x), Some(h)) = (get(slots, a), head) {
        push_edge(mc, &mut w.graph_mut().model, x, h);
    }
}

/// Runs a `Garbage(n)` op on its own: `n` unreachable objects, `GARBAGE_PER_CALL` per mutate
/// call.
pub fn garbage<R: Rootable, G: Graph>(m: &mut Mutator<R>, w: &mut G, n: usize) {
    let mut left = n;
    while left > 0 {
        let k = left.min(GARBAGE_PER_CALL);
        left -= k;
        m.mutate(|mc, _| {
            for _ in 0..k {
                w.alloc(mc);
            }
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Checks.

/// Walks the real graph from the slots and the persistent roots and compares it with the model:
/// slots, roots and every reached object's edges match, every reached object is intact, and
/// the reached set is the model's reachable set (which it returns). `visit` sees every reached
/// object once, with its model. Every message starts with `who`.
pub fn check_graph<'gc, G: Graph>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, NodeOf<'gc, G>>,
    w: &G,
    who: &str,
    mut visit: impl FnMut(&NodeOf<'gc, G>, &MObj),
) -> HashSet<u64>
where
    NodeOf<'gc, G>: Node<'gc>,
{
    let g = w.graph();
    let expected = g.model.reachable();
    let mut seen: HashSet<u64> = HashSet::new();
    let mut stack: Vec<Gc<'gc, NodeOf<'gc, G>>> = Vec::new();
    for (i, s) in slots.borrow().iter().enumerate() {
        assert_eq!(s.map(|o| o.id()), g.model.slots[i], "{who}slot {i}");
        stack.extend(s);
    }
    for (i, r) in g.roots.iter().enumerate() {
        let o = r.get(mc);
        assert_eq!(o.id(), g.model.roots[i], "{who}root {i}");
        stack.push(o);
    }
    while let Some(o) = stack.pop() {
        if !seen.insert(o.id()) {
            continue;
        }
        o.check();
        let mo = g
            .model
            .objs
            .get(&o.id())
            .unwrap_or_else(|| panic!("{who}object {} is not in the model", o.id()));
        let edges = o.edges().borrow();
        let edge_ids: Vec<u64> = edges.iter().map(|e| e.id()).collect();
        assert_eq!(edge_ids, mo.edges, "{who}edges of object {}", o.id());
        visit(&o, mo);
        stack.extend(edges.iter().copied());
    }
    assert_eq!(seen, expected, "{who}reachable set differs from the model");
    seen
}

/// After a collection that started after the graph's last change: every object the model
/// reaches was never dropped, every other object ever allocated was dropped exactly once.
/// Forgets the dead part of the model and returns the reachable set. Every message starts with
/// `who`.
pub fn check_drops(model: &mut Model, counts: &HashMap<u64, u32>, who: &str) -> HashSet<u64> {
    let reachable = model.reachable();
    for &id in &model.all {
        let c = counts.get(&id).copied().unwrap_or(0);
        if reachable.contains(&id) {
            assert_eq!(c, 0, "{who}reachable object {id} was dropped");
        } else {
            assert_eq!(c, 1, "{who}unreachable object {id} dropped {c} times");
        }
    }
    model.objs.retain(|id, _| reachable.contains(id));
    reachable
}
