//! Model-based test, now with background cycles and two mutators.
//!
//! Like `model.rs`, random programs of graph operations run against a real heap and against a
//! plain model, and every object's drops are counted by its `Drop` (which also reports double
//! drops and corrupt payloads). Unlike `model.rs`, whose single mutator mostly meets forced
//! cycles between its steps:
//!
//! - Two threads, each with its own mutator on one heap, run their programs at the same time,
//!   and most cycles are automatic: `gc_percent` is 1 or 5, every object carries a blob of
//!   payload words and every step allocates garbage, so the collector thread keeps starting
//!   cycles, whose marking then runs while the programs write cells (through the write barrier)
//!   and allocate (black); mark start and mark termination wait for both threads; sweeps drop
//!   objects on whichever thread gets there. The test asserts that automatic cycles ran. To make
//!   the overlap real: a large noscan object keeps enough live that the heap goal leaves the
//!   programs room to allocate while a cycle marks (instead of waiting for its end), and every
//!   node's `trace` sleeps a little, so that marking the small graphs outlasts a few program
//!   steps and the programs move pointers out of objects the markers have not reached yet.
//! - Each thread has a private graph (`Obj`: `GcRefCell` edges, a `GcCell` pointer into the
//!   shared part) reached from its mutator's slots object and its persistent roots, checked
//!   against its own model: reachable objects match the model, are intact and were never
//!   dropped; after every `collect()` (its own, or the other thread's at a rendezvous) every
//!   other object it ever allocated was dropped exactly once. Threads also re-attach their
//!   mutator (a fresh root, possibly while a cycle marks); one thread's slots object is also
//!   held by a persistent root, which changes when in a cycle the markers get to it.
//! - A shared part: `SNode`s (`Sync`: a `GcAtomicCell` link and a `GcMutex` of kids) reachable
//!   from a list in a `GcMutex` behind a persistent `Root` that both threads change. Its model
//!   sits in a std `Mutex` that is always taken before any `GcMutex`, and every shared operation
//!   changes the heap and the model inside that one critical section, so the model is exact at
//!   all times. Nodes move between the list, links, kids and the threads' private graphs, and
//!   persistent roots to them travel between the threads through a mailbox: a node may leave
//!   the shared part, live on only in one thread's locals or private graph while a cycle marks,
//!   and come back.
//! - The programs are split into 1 to 3 rounds. At the end of each, both threads publish which
//!   shared nodes their private graphs hold, thread 0 forces a cycle, and the drops of the whole
//!   shared part are checked exactly. At the end the threads and their mutators are gone, the
//!   shared part is checked once more, everything is released, and every object ever allocated
//!   must have been dropped exactly once, both after a last `collect()` and after the heap is
//!   dropped.
//!
//! - Weak references (`WeakRoot`s the thread keeps) to its private objects: one to an object the
//!   model reaches always upgrades to it, intact; one to an object found dead never does; in
//!   between (unreachable, not collected yet) either may happen while cycles run, and an
//!   upgrade revives the object. After every exact check, each upgrades exactly when the model
//!   reaches its object.
//!
//! Checkmark (`verify`) re-marks with the world stopped at every mark termination; a reachable
//! object the concurrent mark missed fails the next `collect()` on any thread. Freed memory is
//! poisoned, so a reachable object that was freed fails its payload check. (With the barrier's
//! slow path disabled, or allocate-black, or mark termination's check for late gray objects,
//! this fails its checkmark in every run tried.)

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use common::model::{
    self, Compound, Graph, GraphOp, MAX_EDGES, Model, Node, PrivateGraph, SLOTS, Slots, Step,
    check_drops, check_graph, compound, garbage, step,
};
use gcheap_core::{
    Config, Gc, GcAtomicCell, GcCell, GcMutex, GcMutexGuard, GcRefCell, Heap, MemStats, Mutation,
    Mutator, Root, Rootable, Trace, Tracer, WeakRoot,
};
use proptest::prelude::*;

const THREADS: usize = 2;
const PAYLOAD: usize = 4;
const MAX_LIST: usize = 12;
const MAX_KIDS: usize = 6;
const MAX_MAILBOX: usize = 6;
/// How long tracing a node takes at least (see `slow_trace`).
const TRACE_SLEEP: Duration = Duration::from_micros(50);
/// Words of the shared root's noscan weight at `gc_percent` 1 (8 MiB; divided by the percent
/// otherwise). With that much live, the heap goal leaves the programs room to allocate while a
/// cycle marks (instead of waiting for its end at their next boundary, as mutators that outrun
/// the collector do), while the trigger stays within about one allocation report (64 KiB) of
/// the live heap, so that the programs' allocation starts cycles between the forced ones.
const WEIGHT: usize = 1 << 20;
/// Words of the noscan garbage every step allocates.
const CHURN_WORDS: usize = 2048;

// ---------------------------------------------------------------------------------------------
// Payloads and the drop log.

fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn payload_for(id: u64) -> [u64; PAYLOAD] {
    let mut p = [0u64; PAYLOAD];
    for (i, w) in p.iter_mut().enumerate() {
        *w = mix(id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i as u64);
    }
    p
}

/// Words in an object's blob: 32 to 511 (0.25 to 4 KiB), so that allocation reaches the
/// pacer's trigger quickly.
fn blob_len(id: u64) -> usize {
    32 + (mix(id ^ 0xB10B) % 480) as usize
}

fn blob_word(id: u64, i: usize) -> u64 {
    id.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn new_blob<'gc>(mc: &Mutation<'gc>, id: u64) -> Gc<'gc, [u64]> {
    Gc::from_iter(mc, (0..blob_len(id)).map(|i| blob_word(id, i)))
}

fn check_intact(kind: &str, id: u64, payload: &[u64; PAYLOAD], blob: &[u64]) {
    assert_eq!(*payload, payload_for(id), "{kind} {id}: payload");
    assert_eq!(blob.len(), blob_len(id), "{kind} {id}: blob length");
    for (i, &w) in blob.iter().enumerate() {
        assert_eq!(w, blob_word(id, i), "{kind} {id}: blob word {i}");
    }
}

/// A std lock whose poisoning is ignored (for the drop log, which `Drop`s running in sweeps use).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Drop counts by object id, shared by every object of one heap.
#[derive(Default)]
struct DropLog {
    counts: Mutex<HashMap<u64, u32>>,
    /// Double drops and corrupt payloads, as `Drop`s saw them.
    bad: Mutex<Vec<String>>,
}

impl DropLog {
    fn record(&self, kind: &str, id: u64, intact: bool) {
        let n = {
            let mut counts = lock(&self.counts);
            let n = counts.entry(id).or_insert(0);
            *n += 1;
            *n
        };
        if n > 1 {
            lock(&self.bad).push(format!("{kind} {id} dropped {n} times"));
        }
        if !intact {
            lock(&self.bad).push(format!("{kind} {id} was corrupt when dropped"));
        }
    }

    fn assert_clean(&self) {
        let bad = lock(&self.bad);
        assert!(bad.is_empty(), "bad drops: {:?}", *bad);
    }
}

// ---------------------------------------------------------------------------------------------
// Heap types.

/// Sleeps for `TRACE_SLEEP` in every scan of a node, so that marking the graph lasts long enough
/// for the programs to rearrange objects a cycle has not scanned yet (otherwise the markers
/// finish a graph this small long before a program's next step). A sleep rather than a spin
/// leaves the CPU to the programs. Only the overlap depends on it, never a check.
fn slow_trace() {
    std::thread::sleep(TRACE_SLEEP);
}

/// A node of one thread's private graph.
struct Obj<'gc> {
    id: u64,
    payload: [u64; PAYLOAD],
    blob: Gc<'gc, [u64]>,
    edges: GcRefCell<'gc, Vec<Gc<'gc, Obj<'gc>>>>,
    /// A private pointer into the shared part.
    shared: GcCell<'gc, Option<Gc<'gc, SNode<'gc>>>>,
    log: Arc<DropLog>,
}

// SAFETY: reports every field that holds Gc pointers.
unsafe impl<'gc> Trace for Obj<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        slow_trace();
        t.trace(&self.blob);
        t.trace(&self.edges);
        t.trace(&self.shared);
    }
}

impl Drop for Obj<'_> {
    fn drop(&mut self) {
        // Only this object's own, non-Gc fields are read.
        let intact = self.payload == payload_for(self.id);
        self.log.record("Obj", self.id, intact);
    }
}

/// A node of the shared part: `Sync`, so reachable from both threads.
struct SNode<'gc> {
    id: u64,
    payload: [u64; PAYLOAD],
    blob: Gc<'gc, [u64]>,
    next: GcAtomicCell<'gc, Option<Gc<'gc, SNode<'gc>>>>,
    kids: GcMutex<'gc, Vec<Gc<'gc, SNode<'gc>>>>,
    log: Arc<DropLog>,
}

// SAFETY: reports every field that holds Gc pointers.
unsafe impl<'gc> Trace for SNode<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        slow_trace();
        t.trace(&self.blob);
        t.trace(&self.next);
        t.trace(&self.kids);
    }
}

impl Drop for SNode<'_> {
    fn drop(&mut self) {
        let intact = self.payload == payload_for(self.id);
        self.log.record("SNode", self.id, intact);
    }
}

const _: () = {
    const fn assert_sync<T: Sync>() {}
    assert_sync::<SNode<'static>>();
};

fn new_obj<'gc>(mc: &Mutation<'gc>, id: u64, log: &Arc<DropLog>) -> Gc<'gc, Obj<'gc>> {
    let blob = new_blob(mc, id);
    Gc::new(
        mc,
        Obj {
            id,
            payload: payload_for(id),
            blob,
            edges: GcRefCell::new(Vec::new()),
            shared: GcCell::new(None),
            log: log.clone(),
        },
    )
}

fn new_snode<'gc>(mc: &Mutation<'gc>, id: u64, log: &Arc<DropLog>) -> Gc<'gc, SNode<'gc>> {
    let blob = new_blob(mc, id);
    Gc::new(
        mc,
        SNode {
            id,
            payload: payload_for(id),
            blob,
            next: GcAtomicCell::new(None),
            kids: GcMutex::new(Vec::new()),
            log: log.clone(),
        },
    )
}

fn check_obj(o: &Obj<'_>) {
    check_intact("Obj", o.id, &o.payload, &o.blob);
}

fn check_snode(n: &SNode<'_>) {
    check_intact("SNode", n.id, &n.payload, &n.blob);
}

impl<'gc> Node<'gc> for Obj<'gc> {
    fn id(&self) -> u64 {
        self.id
    }

    fn edges(&self) -> &GcRefCell<'gc, Vec<Gc<'gc, Self>>> {
        &self.edges
    }

    fn check(&self) {
        check_obj(self);
    }
}

/// The shared part's root: the list of shared nodes, and a big noscan weight.
struct SharedList<'gc> {
    list: GcMutex<'gc, Vec<Gc<'gc, SNode<'gc>>>>,
    weight: Gc<'gc, [u64]>,
}

// SAFETY: reports every field that holds Gc pointers.
unsafe impl<'gc> Trace for SharedList<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.list);
        t.trace(&self.weight);
    }
}

/// A thread's mutator root: its slots object (see `new_mutator`).
type SlotsRoot = Rootable![Gc<'_, GcRefCell<'_, Vec<Option<Gc<'_, Obj<'_>>>>>>];
type SlotsPin = Root<Rootable![GcRefCell<'_, Vec<Option<Gc<'_, Obj<'_>>>>>]>;
type SRoot = Root<Rootable![SNode<'_>]>;
type ObjWeak = WeakRoot<Rootable![Obj<'_>]>;
type SList = Root<Rootable![SharedList<'_>]>;

/// A mutator whose root points at a fresh slots object; if `pin`, a persistent root holds that
/// object too. Cycles shade mutator roots before persistent roots, and (in this version) markers
/// take the last-shaded roots first, so a pinned slots object is scanned early in a cycle and an
/// unpinned one late: the programs rearrange objects that markers have not reached under a
/// scanned root in the one case, under an unscanned root in the other.
fn new_mutator(heap: &Heap, pin: bool) -> (Mutator<SlotsRoot>, Option<SlotsPin>) {
    let mut m = heap.mutator::<SlotsRoot>(|mc| Gc::new(mc, GcRefCell::new(vec![None; SLOTS])));
    let pin = pin.then(|| m.mutate(|mc, slots| Root::new(mc, *slots)));
    (m, pin)
}

// ---------------------------------------------------------------------------------------------
// Programs.

#[derive(Debug, Clone)]
enum Op {
    /// An op on the private graph.
    Graph(GraphOp),
    /// `collect()`, then the exact checks (own private graph, shared part).
    Collect,
    /// The non-exact checks, while cycles may be running.
    Check,
    /// Drop this thread's mutator (its slots' objects become garbage unless held otherwise) and
    /// attach a fresh one.
    Reattach,
    /// Keep a weak reference to slot s's object.
    Downgrade(usize),
    /// Upgrade weak reference i into slot s.
    Upgrade(usize, usize),

    // The shared part. List indices are taken modulo the list's length.
    /// Push a new shared node onto the list.
    SAlloc,
    /// Hang a new shared node under node a: as its link (k = 0, replacing it) or as a kid.
    SAllocUnder(usize, usize),
    /// Remove a node from the list.
    SRemove(usize),
    /// Set node a's link to node b (or none).
    SSetNext(usize, Option<usize>),
    /// Push node b onto node a's kids.
    SPushKid(usize, usize),
    /// Remove node a's `k`th kid.
    SRemoveKid(usize, usize),
    /// Move node a's `k`th kid to the end of node b's kids.
    SMoveKid(usize, usize, usize),
    /// Push node a's link (k = 0) or its (k-1)th kid onto the list.
    SFollow(usize, usize),
    /// Move node a's link (k = 0, clearing it) or its (k-1)th kid onto the list.
    STake(usize, usize),
    /// Point slot s's object at list node i (or at nothing); with `true`, move the node out of
    /// the list.
    SGrab(usize, Option<usize>, bool),
    /// Move the shared node slot s's object points at onto the list (clearing the pointer).
    SPutBack(usize),
    /// Replace slot s's object's shared pointer by that node's link.
    SChase(usize),
    /// Swap the shared pointers of slot a's and slot b's objects.
    SSwap(usize, usize),
    /// Read list node i, release the shared lock, allocate this much garbage (the other thread
    /// may drop the node from the shared part meanwhile), then store it in slot s's object.
    SHold(usize, usize, usize),
    /// Put a persistent root to list node i in the mailbox.
    SSend(usize),
    /// Take a root out of the mailbox into this thread's roots.
    SReceive(usize),
    /// Point slot s's object at the node of this thread's shared root k.
    SLoadRoot(usize, usize),
    /// Drop one of this thread's shared roots.
    SDropRoot(usize),
}

fn private_op() -> impl Strategy<Value = Op> {
    let s = || 0..SLOTS;
    prop_oneof![
        5 => (s(), prop::option::weighted(0.7, s()))
            .prop_map(|(s, t)| Op::Graph(GraphOp::Allocate(s, t))),
        5 => (s(), s()).prop_map(|(a, b)| Op::Graph(GraphOp::Link(a, b))),
        2 => (s(), 0..MAX_EDGES).prop_map(|(a, i)| Op::Graph(GraphOp::Unlink(a, i))),
        2 => s().prop_map(|s| Op::Graph(GraphOp::ClearSlot(s))),
        2 => (s(), s()).prop_map(|(a, b)| Op::Graph(GraphOp::Move(a, b))),
        2 => (s(), 0..MAX_EDGES, s()).prop_map(|(a, i, b)| Op::Graph(GraphOp::Follow(a, i, b))),
        2 => (s(), 0..MAX_EDGES, s()).prop_map(|(a, i, b)| Op::Graph(GraphOp::MoveEdge(a, i, b))),
        2 => (s(), 0..MAX_EDGES, s()).prop_map(|(a, i, b)| Op::Graph(GraphOp::Detach(a, i, b))),
        1 => s().prop_map(|s| Op::Graph(GraphOp::MakeRoot(s))),
        1 => (0..8usize).prop_map(|i| Op::Graph(GraphOp::DropRoot(i))),
        1 => (0..8usize, s()).prop_map(|(i, b)| Op::Graph(GraphOp::LoadRoot(i, b))),
        2 => (s(), compound()).prop_map(|(a, c)| Op::Graph(GraphOp::MutateCompound(a, c))),
        2 => (s(), 1..12usize).prop_map(|(a, n)| Op::Graph(GraphOp::Chain(a, n))),
        2 => (1..48usize).prop_map(|n| Op::Graph(GraphOp::Garbage(n))),
        1 => Just(Op::Collect),
        1 => Just(Op::Check),
        2 => (0..SLOTS).prop_map(Op::Downgrade),
        2 => (0..16usize, 0..SLOTS).prop_map(|(i, s)| Op::Upgrade(i, s)),
    ]
}

fn shared_op() -> impl Strategy<Value = Op> {
    let i = || 0..MAX_LIST;
    let s = || 0..SLOTS;
    prop_oneof![
        3 => Just(Op::SAlloc),
        3 => (i(), 0..2usize).prop_map(|(a, k)| Op::SAllocUnder(a, k)),
        1 => i().prop_map(Op::SRemove),
        2 => (i(), prop::option::of(i())).prop_map(|(a, b)| Op::SSetNext(a, b)),
        2 => (i(), i()).prop_map(|(a, b)| Op::SPushKid(a, b)),
        1 => (i(), 0..MAX_KIDS).prop_map(|(a, k)| Op::SRemoveKid(a, k)),
        2 => (i(), 0..MAX_KIDS, i()).prop_map(|(a, k, b)| Op::SMoveKid(a, k, b)),
        2 => (i(), 0..=MAX_KIDS).prop_map(|(a, k)| Op::SFollow(a, k)),
        3 => (i(), prop_oneof![Just(0), 1..=MAX_KIDS]).prop_map(|(a, k)| Op::STake(a, k)),
        3 => (s(), prop::option::weighted(0.8, i()), any::<bool>())
            .prop_map(|(s, i, take)| Op::SGrab(s, i, take)),
        3 => s().prop_map(Op::SPutBack),
        2 => (s(), s()).prop_map(|(a, b)| Op::SSwap(a, b)),
        1 => s().prop_map(Op::SChase),
        1 => (i(), 0..16usize, s()).prop_map(|(i, n, s)| Op::SHold(i, n, s)),
        1 => i().prop_map(Op::SSend),
        1 => (0..MAX_MAILBOX).prop_map(Op::SReceive),
        1 => (0..8usize, s()).prop_map(|(k, s)| Op::SLoadRoot(k, s)),
        1 => (0..8usize).prop_map(Op::SDropRoot),
        1 => Just(Op::Check),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        60 => private_op(),
        40 => shared_op(),
        1 => Just(Op::Reattach),
    ]
}

// ---------------------------------------------------------------------------------------------
// Models.

/// The shared part, exact at all times: changed only together with the heap, under its lock.
#[derive(Default)]
struct SharedModel {
    list: Vec<u64>,
    next: HashMap<u64, Option<u64>>,
    kids: HashMap<u64, Vec<u64>>,
    /// Roots in flight between the threads.
    mailbox: Vec<(u64, SRoot)>,
    /// Every shared node ever allocated.
    all: BTreeSet<u64>,
}

impl SharedModel {
    fn add(&mut self, id: u64) {
        self.next.insert(id, None);
        self.kids.insert(id, Vec::new());
        self.all.insert(id);
    }

    fn closure(&self, starts: impl IntoIterator<Item = u64>) -> HashSet<u64> {
        let mut seen = HashSet::new();
        let mut stack: Vec<u64> = starts.into_iter().collect();
        while let Some(id) = stack.pop() {
            if seen.insert(id) {
                stack.extend(self.next[&id]);
                stack.extend(&self.kids[&id]);
            }
        }
        seen
    }

    fn list_and_mailbox(&self) -> Vec<u64> {
        let mut ids = self.list.clone();
        ids.extend(self.mailbox.iter().map(|(id, _)| *id));
        ids
    }
}

/// A rendezvous of the two threads that fails (instead of waiting forever) once either thread
/// has panicked.
#[derive(Default)]
struct Rendezvous {
    /// (arrived, generation, aborted)
    state: Mutex<(usize, u64, bool)>,
    cv: Condvar,
}

impl Rendezvous {
    fn wait(&self) {
        let mut st = lock(&self.state);
        assert!(!st.2, "the other thread panicked");
        st.0 += 1;
        if st.0 == THREADS {
            st.0 = 0;
            st.1 += 1;
            self.cv.notify_all();
            return;
        }
        let generation = st.1;
        while st.1 == generation && !st.2 {
            st = self.cv.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
        let aborted = st.2;
        drop(st);
        assert!(!aborted, "the other thread panicked");
    }

    fn abort(&self) {
        lock(&self.state).2 = true;
        self.cv.notify_all();
    }
}

/// Aborts the rendezvous if its thread unwinds.
struct AbortOnPanic<'a>(&'a Rendezvous);

impl Drop for AbortOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.abort();
        }
    }
}

/// What both threads share besides the heap.
#[derive(Default)]
struct Ctx {
    next_id: AtomicU64,
    log: Arc<DropLog>,
    /// Lock order: this, then the list's `GcMutex`, then a node's kids.
    shared: Mutex<SharedModel>,
    /// Per thread, the shared nodes its private graph and roots hold (published at rendezvous).
    held: Mutex<[HashSet<u64>; THREADS]>,
    rendezvous: Rendezvous,
}

impl Ctx {
    fn fresh(&self) -> u64 {
        self.next_id.fetch_add(1, Relaxed)
    }

    fn shared(&self) -> MutexGuard<'_, SharedModel> {
        self.shared
            .lock()
            .expect("a thread panicked while changing the shared part")
    }
}

/// One thread's state outside the heap.
struct World {
    t: usize,
    ctx: Arc<Ctx>,
    slist: SList,
    graph: PrivateGraph<Rootable![Obj<'_>]>,
    /// Roots to shared nodes, with their ids.
    sroots: Vec<(u64, SRoot)>,
    /// The persistent root to the slots object, if this thread pins it.
    pin: Option<SlotsPin>,
    collects: u32,
    /// Weak references to private objects, with their ids.
    weaks: Vec<(u64, ObjWeak)>,
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
        let id = self.ctx.fresh();
        self.graph.model.insert(id);
        new_obj(mc, id, &self.ctx.log)
    }
}

impl World {
    /// The shared nodes this thread's private graph and roots hold.
    fn held_shared(&self) -> HashSet<u64> {
        let model = &self.graph.model;
        let mut held: HashSet<u64> = model
            .reachable()
            .iter()
            .filter_map(|id| model.objs[id].shared)
            .collect();
        held.extend(self.sroots.iter().map(|(id, _)| *id));
        held
    }
}

fn ids(nodes: &[Gc<'_, SNode<'_>>]) -> Vec<u64> {
    nodes.iter().map(|n| n.id).collect()
}

// ---------------------------------------------------------------------------------------------
// Running ops.

/// Applies one op to the real heap (inside a mutate call) and to the models.
fn apply<'gc>(mc: &Mutation<'gc>, slots: &Slots<'gc, Obj<'gc>>, w: &mut World, op: &Op) {
    let get = |i: usize| slots.borrow()[i];
    let ctx = w.ctx.clone();
    let list: &'gc GcMutex<'gc, Vec<Gc<'gc, SNode<'gc>>>> = &Gc::as_ref(w.slist.get(mc)).list;
    let sh = SharedPart {
        mc,
        ctx: &ctx,
        list,
        t: w.t,
    };
    match *op {
        Op::Graph(ref op) => model::apply(mc, slots, w, op),
        Op::Downgrade(s) => {
            if let Some(o) = get(s) {
                w.weaks.push((o.id, WeakRoot::new(mc, o)));
                if w.weaks.len() > 16 {
                    w.weaks.remove(0);
                }
            }
        }
        Op::Upgrade(i, s) => upgrade(mc, slots, w, i, s),
        Op::Collect | Op::Check | Op::Reattach => {
            unreachable!("handled by the driver")
        }

        Op::SAlloc => push_new_node(sh),
        Op::SAllocUnder(a, k) => hang_new_node(sh, a, k),
        Op::SRemove(i) => remove_from_list(sh, i),
        Op::SSetNext(a, b) => set_link(sh, a, b),
        Op::SPushKid(a, b) => push_kid(sh, a, b),
        Op::SRemoveKid(a, k) => remove_kid(sh, a, k),
        Op::SMoveKid(a, k, b) => move_kid(sh, a, k, b),
        Op::SFollow(a, k) => follow_onto_list(sh, a, k),
        Op::STake(a, k) => take_onto_list(sh, a, k),
        Op::SGrab(s, i, take) => {
            let Some(o) = get(s) else { return };
            grab(sh, &mut w.graph.model, o, i, take);
        }
        Op::SPutBack(s) => {
            let Some(o) = get(s) else { return };
            put_back(sh, &mut w.graph.model, o);
        }
        Op::SSwap(a, b) => {
            if let (Some(x), Some(y)) = (get(a), get(b)) {
                swap_shared(mc, &mut w.graph.model, x, y);
            }
        }
        Op::SChase(s) => {
            let Some(o) = get(s) else { return };
            chase(sh, &mut w.graph.model, o);
        }
        Op::SHold(i, n, s) => hold(sh, slots, w, i, n, s),
        Op::SSend(i) => send(sh, i),
        Op::SReceive(k) => receive(sh, w, k),
        Op::SLoadRoot(k, s) => {
            if w.sroots.is_empty() {
                return;
            }
            let Some(o) = get(s) else { return };
            load_shared_root(mc, w, o, k);
        }
        Op::SDropRoot(k) => {
            if !w.sroots.is_empty() {
                let k = k % w.sroots.len();
                drop(w.sroots.swap_remove(k));
            }
        }
    }
}

/// Upgrades weak reference `i` into slot `s`: it must yield its object (intact) if the model
/// reaches that object and nothing if the object was found dead; otherwise (unreachable since
/// the last exact check) a cycle may have cleared it or not, and an upgrade revives it.
fn upgrade<'gc>(
    mc: &Mutation<'gc>,
    slots: &Slots<'gc, Obj<'gc>>,
    w: &mut World,
    i: usize,
    s: usize,
) {
    if w.weaks.is_empty() {
        return;
    }
    let (id, weak) = &w.weaks[i % w.weaks.len()];
    let id = *id;
    let got = weak.upgrade(mc);
    let model = &mut w.graph.model;
    match got {
        Some(o) => {
            assert_eq!(
                o.id, id,
                "thread {}: a weak reference to {id} upgraded to another object",
                w.t
            );
            assert!(
                model.objs.contains_key(&id),
                "thread {}: weak reference to {id}, found dead, upgraded",
                w.t
            );
            check_obj(&o);
            slots.borrow_mut(mc)[s] = Some(o);
            model.slots[s] = Some(id);
        }
        None => assert!(
            !model.reachable().contains(&id),
            "thread {}: weak reference to reachable object {id} cleared",
            w.t
        ),
    }
}

/// The shared part as an op of thread `t` sees it.
#[derive(Clone, Copy)]
struct SharedPart<'a, 'gc> {
    mc: &'a Mutation<'gc>,
    ctx: &'a Ctx,
    list: &'gc GcMutex<'gc, Vec<Gc<'gc, SNode<'gc>>>>,
    t: usize,
}

type ListGuard<'gc> = GcMutexGuard<'gc, Vec<Gc<'gc, SNode<'gc>>>>;

impl<'a, 'gc> SharedPart<'a, 'gc> {
    /// Takes the shared model's lock, then the list's, and checks that they agree.
    fn open(self) -> (MutexGuard<'a, SharedModel>, ListGuard<'gc>) {
        let sm = self.ctx.shared();
        let l = self.list.lock(self.mc);
        assert_eq!(ids(&l), sm.list, "thread {}: shared list", self.t);
        (sm, l)
    }
}

fn push_new_node(sh: SharedPart<'_, '_>) {
    let (mut sm, mut l) = sh.open();
    if l.len() < MAX_LIST {
        let id = sh.ctx.fresh();
        l.push(new_snode(sh.mc, id, &sh.ctx.log));
        sm.add(id);
        sm.list.push(id);
    }
}

fn hang_new_node(sh: SharedPart<'_, '_>, a: usize, k: usize) {
    let mc = sh.mc;
    let (mut sm, l) = sh.open();
    if l.is_empty() {
        return;
    }
    let x = l[a % l.len()];
    let mut kids = x.kids.lock(mc);
    if k > 0 && kids.len() >= MAX_KIDS {
        return;
    }
    let id = sh.ctx.fresh();
    let y = new_snode(mc, id, &sh.ctx.log);
    sm.add(id);
    if k == 0 {
        x.next.set(mc, Some(y));
        sm.next.insert(x.id, Some(id));
    } else {
        kids.push(y);
        sm.kids.get_mut(&x.id).unwrap().push(id);
    }
}

fn remove_from_list(sh: SharedPart<'_, '_>, i: usize) {
    let (mut sm, mut l) = sh.open();
    if !l.is_empty() {
        let i = i % l.len();
        l.remove(i);
        sm.list.remove(i);
    }
}

fn set_link(sh: SharedPart<'_, '_>, a: usize, b: Option<usize>) {
    let (mut sm, l) = sh.open();
    if !l.is_empty() {
        let x = l[a % l.len()];
        let y = b.map(|b| l[b % l.len()]);
        x.next.set(sh.mc, y);
        sm.next.insert(x.id, y.map(|y| y.id));
    }
}

fn push_kid(sh: SharedPart<'_, '_>, a: usize, b: usize) {
    let (mut sm, l) = sh.open();
    if !l.is_empty() {
        let x = l[a % l.len()];
        let y = l[b % l.len()];
        let mut kids = x.kids.lock(sh.mc);
        assert_eq!(ids(&kids), sm.kids[&x.id], "kids of shared node {}", x.id);
        if kids.len() < MAX_KIDS {
            kids.push(y);
            sm.kids.get_mut(&x.id).unwrap().push(y.id);
        }
    }
}

fn remove_kid(sh: SharedPart<'_, '_>, a: usize, k: usize) {
    let (mut sm, l) = sh.open();
    if !l.is_empty() {
        let x = l[a % l.len()];
        let mut kids = x.kids.lock(sh.mc);
        assert_eq!(ids(&kids), sm.kids[&x.id], "kids of shared node {}", x.id);
        if !kids.is_empty() {
            let k = k % kids.len();
            kids.remove(k);
            sm.kids.get_mut(&x.id).unwrap().remove(k);
        }
    }
}

fn move_kid(sh: SharedPart<'_, '_>, a: usize, k: usize, b: usize) {
    let mc = sh.mc;
    let (mut sm, l) = sh.open();
    if l.is_empty() {
        return;
    }
    let (x, y) = (l[a % l.len()], l[b % l.len()]);
    let kid = {
        let mut kids = x.kids.lock(mc);
        assert_eq!(ids(&kids), sm.kids[&x.id], "kids of shared node {}", x.id);
        if kids.is_empty() {
            return;
        }
        let k = k % kids.len();
        if !Gc::ptr_eq(x, y) && y.kids.lock(mc).len() >= MAX_KIDS {
            return;
        }
        sm.kids.get_mut(&x.id).unwrap().remove(k);
        kids.remove(k)
    };
    y.kids.lock(mc).push(kid);
    sm.kids.get_mut(&y.id).unwrap().push(kid.id);
}

fn follow_onto_list(sh: SharedPart<'_, '_>, a: usize, k: usize) {
    let (mut sm, mut l) = sh.open();
    if !l.is_empty() && l.len() < MAX_LIST {
        let x = l[a % l.len()];
        let target = if k == 0 {
            x.next.get()
        } else {
            let kids = x.kids.lock(sh.mc);
            (!kids.is_empty()).then(|| kids[(k - 1) % kids.len()])
        };
        let expected = if k == 0 {
            sm.next[&x.id]
        } else {
            let kids = &sm.kids[&x.id];
            (!kids.is_empty()).then(|| kids[(k - 1) % kids.len()])
        };
        assert_eq!(target.map(|t| t.id), expected, "shared node {}", x.id);
        if let Some(t) = target {
            check_snode(&t);
            l.push(t);
            sm.list.push(t.id);
        }
    }
}

fn take_onto_list(sh: SharedPart<'_, '_>, a: usize, k: usize) {
    let mc = sh.mc;
    let (mut sm, mut l) = sh.open();
    if l.is_empty() || l.len() >= MAX_LIST {
        return;
    }
    let x = l[a % l.len()];
    let taken = if k == 0 {
        let t = x.next.replace(mc, None);
        assert_eq!(
            t.map(|t| t.id),
            sm.next[&x.id],
            "link of shared node {}",
            x.id
        );
        sm.next.insert(x.id, None);
        t
    } else {
        let mut kids = x.kids.lock(mc);
        assert_eq!(ids(&kids), sm.kids[&x.id], "kids of shared node {}", x.id);
        if kids.is_empty() {
            return;
        }
        let k = (k - 1) % kids.len();
        sm.kids.get_mut(&x.id).unwrap().remove(k);
        Some(kids.remove(k))
    };
    if let Some(t) = taken {
        check_snode(&t);
        l.push(t);
        sm.list.push(t.id);
    }
}

fn grab<'gc>(
    sh: SharedPart<'_, 'gc>,
    model: &mut Model,
    o: Gc<'gc, Obj<'gc>>,
    i: Option<usize>,
    take: bool,
) {
    let (mut sm, mut l) = sh.open();
    if l.is_empty() {
        return;
    }
    let y = i.map(|i| {
        let i = i % l.len();
        if take {
            sm.list.remove(i);
            l.remove(i)
        } else {
            l[i]
        }
    });
    o.shared.set(sh.mc, y);
    model.obj(o.id).shared = y.map(|y| y.id);
}

fn put_back<'gc>(sh: SharedPart<'_, 'gc>, model: &mut Model, o: Gc<'gc, Obj<'gc>>) {
    let Some(y) = o.shared.get() else { return };
    assert_eq!(Some(y.id), model.objs[&o.id].shared);
    let (mut sm, mut l) = sh.open();
    if l.len() < MAX_LIST {
        o.shared.set(sh.mc, None);
        model.obj(o.id).shared = None;
        check_snode(&y);
        l.push(y);
        sm.list.push(y.id);
    }
}

fn swap_shared<'gc>(
    mc: &Mutation<'gc>,
    model: &mut Model,
    x: Gc<'gc, Obj<'gc>>,
    y: Gc<'gc, Obj<'gc>>,
) {
    let (p, q) = (x.shared.get(), y.shared.get());
    x.shared.set(mc, q);
    y.shared.set(mc, p);
    let (mp, mq) = (model.objs[&x.id].shared, model.objs[&y.id].shared);
    assert_eq!(
        (p.map(|p| p.id), q.map(|q| q.id)),
        (mp, mq),
        "shared pointers"
    );
    model.obj(x.id).shared = mq;
    model.obj(y.id).shared = mp;
}

fn chase<'gc>(sh: SharedPart<'_, 'gc>, model: &mut Model, o: Gc<'gc, Obj<'gc>>) {
    let Some(y) = o.shared.get() else { return };
    let sm = sh.ctx.shared();
    let z = y.next.get();
    assert_eq!(
        z.map(|z| z.id),
        sm.next[&y.id],
        "link of shared node {}",
        y.id
    );
    o.shared.set(sh.mc, z);
    model.obj(o.id).shared = z.map(|z| z.id);
}

fn hold<'gc>(
    sh: SharedPart<'_, 'gc>,
    slots: &Slots<'gc, Obj<'gc>>,
    w: &mut World,
    i: usize,
    n: usize,
    s: usize,
) {
    let mc = sh.mc;
    let y = {
        let (_sm, l) = sh.open();
        if l.is_empty() {
            return;
        }
        l[i % l.len()]
    };
    // The other thread may now drop `y` from the shared part, and a cycle may be
    // marking: `y` is this call's, so it must stay alive.
    for _ in 0..n {
        w.alloc(mc);
    }
    std::thread::yield_now();
    check_snode(&y);
    if let Some(o) = slots.borrow()[s] {
        o.shared.set(mc, Some(y));
        w.graph.model.obj(o.id).shared = Some(y.id);
    }
}

fn send(sh: SharedPart<'_, '_>, i: usize) {
    let (mut sm, l) = sh.open();
    if !l.is_empty() && sm.mailbox.len() < MAX_MAILBOX {
        let y = l[i % l.len()];
        sm.mailbox.push((y.id, Root::new(sh.mc, y)));
    }
}

fn receive(sh: SharedPart<'_, '_>, w: &mut World, k: usize) {
    let mut sm = sh.ctx.shared();
    if !sm.mailbox.is_empty() {
        let k = k % sm.mailbox.len();
        let (id, r) = sm.mailbox.swap_remove(k);
        drop(sm);
        let y = r.get(sh.mc);
        assert_eq!(y.id, id, "a root from the mailbox");
        check_snode(&y);
        w.sroots.push((id, r));
    }
}

fn load_shared_root<'gc>(mc: &Mutation<'gc>, w: &mut World, o: Gc<'gc, Obj<'gc>>, k: usize) {
    let (id, r) = &w.sroots[k % w.sroots.len()];
    let y = r.get(mc);
    assert_eq!(y.id, *id, "shared root");
    o.shared.set(mc, Some(y));
    w.graph.model.obj(o.id).shared = Some(y.id);
}

/// Allocates one garbage object and a noscan blob: every step allocates, so that cycles keep
/// coming.
fn churn(mc: &Mutation<'_>, w: &mut World) {
    w.alloc(mc);
    Gc::from_iter(mc, (0..CHURN_WORDS).map(|i| i as u64));
}

fn run_step(m: &mut Mutator<SlotsRoot>, w: &mut World, step: &Step<Op>) {
    match step {
        Step::One(Op::Collect) => {
            m.collect();
            w.collects += 1;
            check_exact_private(m, w);
            check_shared(m, w);
        }
        Step::One(Op::Check) => {
            check_private(m, w);
            check_shared(m, w);
        }
        Step::One(Op::Reattach) => {
            let heap = m.heap().clone();
            (*m, w.pin) = new_mutator(&heap, w.pin.is_some());
            w.graph.model.slots = [None; SLOTS];
        }
        Step::One(Op::Graph(GraphOp::Garbage(n))) => garbage(m, w, *n),
        Step::One(op) => m.mutate(|mc, slots| {
            churn(mc, w);
            apply(mc, Gc::as_ref(*slots), w, op);
        }),
        Step::Batch(ops) => m.mutate(|mc, slots| {
            let slots = Gc::as_ref(*slots);
            churn(mc, w);
            for op in ops {
                if !matches!(op, Op::Collect | Op::Check | Op::Reattach) {
                    apply(mc, slots, w, op);
                }
            }
        }),
    }
    w.ctx.log.assert_clean();
}

// ---------------------------------------------------------------------------------------------
// Checks.

/// Walks this thread's private graph from its slots and roots: it must match the model, be
/// intact, and nothing in it (or any shared node it or the thread's roots hold) may have been
/// dropped. Valid at any time: only this thread changes its private graph.
fn check_private(m: &mut Mutator<SlotsRoot>, w: &World) {
    let t = w.t;
    m.mutate(|mc, slots| {
        if let Some(pin) = &w.pin {
            assert!(
                Gc::ptr_eq(pin.get(mc), *slots),
                "thread {t}: pinned slots object"
            );
        }
        let mut held: HashSet<u64> = HashSet::new();
        for (id, r) in &w.sroots {
            let y = r.get(mc);
            assert_eq!(y.id, *id, "thread {t}: shared root");
            check_snode(&y);
            held.insert(y.id);
        }
        let who = format!("thread {t}: ");
        let seen = check_graph(mc, Gc::as_ref(*slots), w, &who, |o, mo| {
            let y = o.shared.get();
            assert_eq!(
                y.map(|y| y.id),
                mo.shared,
                "thread {t}: shared pointer of {}",
                o.id
            );
            if let Some(y) = y {
                check_snode(&y);
                held.insert(y.id);
            }
        });
        let counts = lock(&w.ctx.log.counts);
        for id in seen.iter().chain(&held) {
            assert_eq!(
                counts.get(id),
                None,
                "thread {t}: reachable object {id} was dropped"
            );
        }
    });
}

/// After a collection that started after this thread's last change: as `check_private`, and
/// every other object this thread ever allocated was dropped exactly once.
fn check_exact_private(m: &mut Mutator<SlotsRoot>, w: &mut World) {
    check_private(m, w);
    let who = format!("thread {}: ", w.t);
    check_drops(&mut w.graph.model, &lock(&w.ctx.log.counts), &who);
    w.ctx.log.assert_clean();
    // The model now holds exactly the reachable objects.
    m.mutate(|mc, _| {
        for (id, weak) in &w.weaks {
            assert_eq!(
                weak.upgrade(mc).map(|o| o.id),
                w.graph.model.objs.contains_key(id).then_some(*id),
                "thread {}: weak reference to {id} after a collection",
                w.t
            );
        }
    });
}

/// Walks the shared graph from `starts`, comparing it with the model (whose lock the caller
/// holds); returns the ids seen.
fn walk_shared<'gc>(
    mc: &Mutation<'gc>,
    starts: Vec<Gc<'gc, SNode<'gc>>>,
    sm: &SharedModel,
) -> HashSet<u64> {
    let mut seen = HashSet::new();
    let mut stack = starts;
    while let Some(y) = stack.pop() {
        if !seen.insert(y.id) {
            continue;
        }
        check_snode(&y);
        let next = y.next.get();
        assert_eq!(
            next.map(|n| n.id),
            *sm.next.get(&y.id).expect("a shared node in the model"),
            "link of shared node {}",
            y.id
        );
        let kids = y.kids.lock(mc).clone();
        assert_eq!(ids(&kids), sm.kids[&y.id], "kids of shared node {}", y.id);
        stack.extend(next);
        stack.extend(kids);
    }
    seen
}

/// The shared part as this thread sees it: the list, the mailbox and this thread's shared
/// roots match the model, and nothing reachable from them was dropped. Valid at any time.
fn check_shared(m: &mut Mutator<SlotsRoot>, w: &World) {
    let t = w.t;
    m.mutate(|mc, _| {
        let sm = w.ctx.shared();
        let root = w.slist.get(mc);
        let mut starts = root.list.lock(mc).clone();
        assert_eq!(ids(&starts), sm.list, "thread {t}: shared list");
        let mut start_ids = sm.list_and_mailbox();
        for (id, r) in &sm.mailbox {
            let y = r.get(mc);
            assert_eq!(y.id, *id, "thread {t}: root in the mailbox");
            starts.push(y);
        }
        for (id, r) in &w.sroots {
            let y = r.get(mc);
            assert_eq!(y.id, *id, "thread {t}: shared root");
            starts.push(y);
            start_ids.push(*id);
        }
        let seen = walk_shared(mc, starts, &sm);
        assert_eq!(
            seen,
            sm.closure(start_ids),
            "thread {t}: shared part differs from the model"
        );
        let counts = lock(&w.ctx.log.counts);
        for id in &seen {
            assert_eq!(
                counts.get(id),
                None,
                "thread {t}: reachable shared node {id} was dropped"
            );
        }
    });
}

/// After a collection that started while no thread changed anything, with `held` the shared
/// nodes the private graphs hold: the shared part matches the model, the nodes reachable from
/// the list, the mailbox or `held` were never dropped, and every other shared node ever
/// allocated was dropped exactly once.
fn global_check<R: Rootable>(m: &mut Mutator<R>, ctx: &Ctx, slist: &SList, held: &HashSet<u64>) {
    m.mutate(|mc, _| {
        let sm = ctx.shared();
        let root = slist.get(mc);
        let mut starts = root.list.lock(mc).clone();
        assert_eq!(ids(&starts), sm.list, "shared list");
        for (id, r) in &sm.mailbox {
            let y = r.get(mc);
            assert_eq!(y.id, *id, "root in the mailbox");
            starts.push(y);
        }
        let seen = walk_shared(mc, starts, &sm);
        assert_eq!(
            seen,
            sm.closure(sm.list_and_mailbox()),
            "shared part differs from the model"
        );
        let live = sm.closure(
            sm.list_and_mailbox()
                .into_iter()
                .chain(held.iter().copied()),
        );
        let counts = lock(&ctx.log.counts);
        for &id in &sm.all {
            let c = counts.get(&id).copied().unwrap_or(0);
            if live.contains(&id) {
                assert_eq!(c, 0, "live shared node {id} was dropped");
            } else {
                assert_eq!(c, 1, "dead shared node {id} dropped {c} times");
            }
        }
    });
    ctx.log.assert_clean();
}

// ---------------------------------------------------------------------------------------------
// Driver.

struct ThreadOut {
    all: BTreeSet<u64>,
    collects: u32,
}

fn thread_main(
    t: usize,
    heap: Heap,
    ctx: Arc<Ctx>,
    slist: SList,
    steps: Vec<Step<Op>>,
    rounds: usize,
) -> ThreadOut {
    let _abort = AbortOnPanic(&ctx.rendezvous);
    let (mut m, pin) = new_mutator(&heap, t == 0);
    let mut w = World {
        pin,
        t,
        ctx: ctx.clone(),
        slist,
        graph: PrivateGraph::default(),
        sroots: Vec::new(),
        collects: 0,
        weaks: Vec::new(),
    };
    // Start together, so that the programs overlap, from a populated graph.
    ctx.rendezvous.wait();
    for step in prologue() {
        run_step(&mut m, &mut w, &step);
    }
    let n = steps.len();
    for r in 0..rounds {
        for step in &steps[r * n / rounds..(r + 1) * n / rounds] {
            run_step(&mut m, &mut w, step);
        }
        // Both threads stop; thread 0 forces a cycle and checks the whole shared part; then
        // both check their private graphs exactly (that cycle started after their last change).
        lock(&ctx.held)[t] = w.held_shared();
        ctx.rendezvous.wait();
        if t == 0 {
            m.collect();
            w.collects += 1;
            let held: HashSet<u64> = lock(&ctx.held).iter().flatten().copied().collect();
            global_check(&mut m, &ctx, &w.slist, &held);
        }
        ctx.rendezvous.wait();
        check_exact_private(&mut m, &mut w);
        check_shared(&mut m, &w);
    }
    let out = ThreadOut {
        all: std::mem::take(&mut w.graph.model.all),
        collects: w.collects,
    };
    // Everything private (and every shared root of this thread) becomes garbage.
    drop(w);
    drop(m);
    out
}

/// What each thread runs before its program: every slot filled, with some edges, and a few
/// shared nodes, so that the programs' moves and deletions find something to move and delete.
fn prologue() -> Vec<Step<Op>> {
    let mut ops = Vec::new();
    for s in 0..SLOTS {
        ops.push(Op::Graph(GraphOp::Allocate(s, s.checked_sub(1))));
        ops.push(Op::Graph(GraphOp::Link(s, s / 2)));
    }
    for k in 0..3 {
        ops.push(Op::SAlloc);
        ops.push(Op::SPushKid(k, k / 2));
        ops.push(Op::SAllocUnder(k, 1));
    }
    ops.into_iter().map(Step::One).collect()
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(non-string panic)".into())
}

/// A heap with checkmark and poisoning, and the shared part's root (holding the weight) in it.
fn new_heap(gc_workers: usize, gc_percent: i32) -> (Heap, SList) {
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers,
        gc_percent,
        ..Config::default()
    })
    .unwrap();
    let slist: SList = {
        let mut m = heap.mutator::<Rootable![()]>(|_| ());
        m.mutate(|mc, _| {
            let root = SharedList {
                list: GcMutex::new(Vec::new()),
                weight: Gc::from_iter(mc, (0..WEIGHT / gc_percent as usize).map(|i| i as u64)),
            };
            Root::new(mc, Gc::new(mc, root))
        })
    };
    (heap, slist)
}

/// Runs each program on its own thread and joins them; fails with every thread's panic.
fn run_threads(
    heap: &Heap,
    ctx: &Arc<Ctx>,
    slist: &SList,
    programs: [Vec<Step<Op>>; THREADS],
    rounds: usize,
) -> Vec<ThreadOut> {
    let handles: Vec<_> = programs
        .into_iter()
        .enumerate()
        .map(|(t, steps)| {
            let (heap, ctx, slist) = (heap.clone(), ctx.clone(), slist.clone());
            std::thread::Builder::new()
                .name(format!("model-mutator-{t}"))
                .spawn(move || thread_main(t, heap, ctx, slist, steps, rounds))
                .unwrap()
        })
        .collect();
    let mut outs = Vec::new();
    let mut failures = Vec::new();
    for (t, h) in handles.into_iter().enumerate() {
        match h.join() {
            Ok(out) => outs.push(out),
            Err(p) => failures.push(format!("thread {t}: {}", panic_message(&*p))),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    outs
}

/// Both threads and their mutators are gone: of the private objects (`private`) nothing is
/// left, of the shared part what the list and the mailbox reach. Runs one more `collect()` on
/// `m`.
fn check_after_threads(
    m: &mut Mutator<Rootable![()]>,
    ctx: &Ctx,
    slist: &SList,
    private: &BTreeSet<u64>,
) {
    m.collect();
    global_check(m, ctx, slist, &HashSet::new());
    let counts = lock(&ctx.log.counts);
    for id in private {
        let c = counts.get(id).copied().unwrap_or(0);
        assert_eq!(
            c, 1,
            "private object {id} dropped {c} times after its thread ended"
        );
    }
}

/// Automatic cycles ran while the programs did, besides the forced ones. (Concurrent
/// `collect()` calls may share one forced cycle, so the cycles are compared with the forced
/// cycles rather than with the calls.)
fn check_automatic_cycles(heap: &Heap, before: &MemStats, explicit: u32) {
    let s = heap.mem_stats();
    s.check_invariants().unwrap();
    let cycles = s.num_gc - before.num_gc;
    let forced = s.num_forced_gc - before.num_forced_gc;
    assert!(
        (1..=explicit).contains(&forced),
        "{forced} forced cycles for {explicit} collect() calls"
    );
    assert!(
        cycles > forced,
        "no automatic cycle: {cycles} cycles, all forced ({explicit} collect() calls)"
    );
}

/// Releases everything, collects, and drops the heap: every object (`private`, and every
/// shared node) is dropped exactly once.
fn check_release_all(
    heap: Heap,
    m: Mutator<Rootable![()]>,
    ctx: &Ctx,
    slist: SList,
    private: BTreeSet<u64>,
) {
    let mut all = private;
    all.extend(ctx.shared().all.iter().copied());
    ctx.shared().mailbox.clear();
    drop(slist);
    drop(m);
    heap.collect();
    let check_all = |when: &str| {
        let counts = lock(&ctx.log.counts);
        for id in &all {
            assert_eq!(counts.get(id), Some(&1), "object {id} {when}");
        }
        assert_eq!(counts.len(), all.len(), "drops of unknown ids {when}");
        drop(counts);
        ctx.log.assert_clean();
    };
    check_all("after the last collect");
    drop(heap);
    check_all("after the heap was dropped");
}

fn run_case(programs: [Vec<Step<Op>>; THREADS], rounds: usize, gc_workers: usize, gc_percent: i32) {
    let (heap, slist) = new_heap(gc_workers, gc_percent);
    let ctx = Arc::new(Ctx::default());
    // Allocating the weight may have started a cycle: settle, and count cycles from here.
    heap.collect();
    let before = heap.mem_stats();

    let outs = run_threads(&heap, &ctx, &slist, programs, rounds);
    let mut explicit: u32 = outs.iter().map(|o| o.collects).sum();
    let private: BTreeSet<u64> = outs.iter().flat_map(|o| o.all.iter().copied()).collect();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    check_after_threads(&mut m, &ctx, &slist, &private);
    explicit += 1;
    check_automatic_cycles(&heap, &before, explicit);
    check_release_all(heap, m, &ctx, slist, private);
}

proptest! {
    // No failure file: a failing program depends on timing to fail again; proptest prints it.
    #![proptest_config(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    #[cfg_attr(miri, ignore)]
    fn two_mutators_match_model(
        p0 in prop::collection::vec(step(op), 40..150),
        p1 in prop::collection::vec(step(op), 40..150),
        rounds in 1..=3usize,
        gc_workers in 1..=2usize,
        gc_percent in prop_oneof![Just(1), Just(5)],
    ) {
        run_case([p0, p1], rounds, gc_workers, gc_percent);
    }
}

/// A fixed pair of programs that exercises every op, so the checks run even under a filter.
#[test]
#[cfg_attr(miri, ignore)]
fn fixed_programs() {
    use GraphOp::*;
    use Op::{Graph as G, *};
    let program = |k: usize| {
        let mut steps = vec![
            Step::One(G(Allocate(0, None))),
            Step::One(G(Allocate(1, Some(0)))),
            Step::One(G(Link(0, 1))),
            Step::One(G(Link(1, 0))),
            Step::One(G(MakeRoot(1))),
            Step::One(G(Chain(0, 10))),
            Step::One(SAlloc),
            Step::One(SAlloc),
            Step::One(SAlloc),
            Step::One(SSetNext(0, Some(1))),
            Step::One(SPushKid(1, 2)),
            Step::One(SPushKid(2, 0)),
            Step::One(SGrab(0, Some(k), false)),
            Step::One(SSend(2)),
            Step::One(Collect),
            Step::One(SRemove(k)),
            Step::One(SHold(0, 12, 1)),
            Step::One(SReceive(0)),
            Step::One(G(Garbage(40))),
            Step::One(Check),
            Step::One(G(ClearSlot(0))),
            Step::One(G(ClearSlot(1))),
            Step::One(G(LoadRoot(0, 2))),
            Step::One(G(Follow(2, 0, 3))),
            Step::One(SFollow(0, 0)),
            Step::One(SFollow(1, 1)),
            Step::One(SChase(3)),
            Step::One(SPutBack(3)),
            Step::One(SRemoveKid(1, 0)),
            Step::One(SLoadRoot(0, 2)),
            Step::One(SDropRoot(0)),
            Step::One(SAllocUnder(1, 0)),
            Step::One(SAllocUnder(1, 1)),
            Step::One(SMoveKid(1, 0, 2)),
            Step::One(STake(1, 0)),
            Step::One(STake(2, 1)),
            Step::One(SGrab(2, Some(1), true)),
            Step::One(SSwap(2, 3)),
            Step::One(G(MoveEdge(2, 0, 3))),
            Step::One(G(Detach(3, 0, 4))),
            Step::Batch(vec![
                G(Allocate(4, Some(4))),
                G(Link(4, 3)),
                G(MutateCompound(3, Compound::Push(4))),
                G(MutateCompound(3, Compound::Reverse)),
                G(Garbage(30)),
                SAlloc,
                SGrab(4, Some(0), true),
                G(MutateCompound(3, Compound::Swap(0, 1))),
                G(MutateCompound(2, Compound::CopyFrom(3))),
            ]),
            Step::One(Reattach),
            Step::One(G(Allocate(5, Some(3)))),
            Step::One(G(Garbage(40))),
            Step::One(Collect),
            Step::One(G(DropRoot(0))),
            Step::One(G(Unlink(3, 0))),
            Step::One(G(MutateCompound(3, Compound::Truncate(0)))),
            Step::One(G(Move(4, 5))),
            Step::One(SRemove(0)),
            Step::One(Collect),
        ];
        // Enough allocation for background cycles whatever the timing.
        steps.extend((0..20).map(|_| Step::One(G(Garbage(10)))));
        steps
    };
    run_case([program(0), program(1)], 2, 2, 1);
}
