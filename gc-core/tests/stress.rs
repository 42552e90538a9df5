//! Multi-threaded stress test with checkmark on: four mutator threads mutate random object
//! graphs while cycles run back to back (the pacer, at a small GC percent, plus a thread calling
//! `collect()` in a loop), until thousands of cycles have run. It is the baseline the concurrent
//! collector must keep passing.
//!
//! Every node carries a checksum of its unique id and a slice derived from it; every node and
//! shared node reached is checked (checksum, slice, and "created, not dropped yet" in a per-id
//! drop log), periodically over each thread's whole reachable graph. Every drop is logged: a
//! second drop, or a drop of a corrupt object, is an error (a panic in a `Drop` run by a sweep is
//! caught by the heap, so drops record errors instead and the test checks them). At the end,
//! with every mutator and root gone, one more cycle must have dropped every object exactly once.
//! Any panic on any thread (a checkmark failure included) fails the test.
//!
//! Each thread's root also holds weak references, a weak-keyed map and a guardian, and nodes get
//! cleanups, all used while the cycles run: an upgrade yields the node it was made from, intact,
//! or nothing, and nothing for ever once one weak reference to that node read nothing; a map
//! value read and a node taken from the guardian are intact; a node comes out of the guardian at
//! most once per registration; a node whose cleanup ran is never reached again; and at the end
//! every cleanup has run exactly once.
//!
//! `GCHEAP_STRESS_CYCLES=n` overrides the number of cycles (default 2000 in debug builds, about
//! 50 s on a 2-core machine; 10000 with optimizations).
//!
//! ThreadSanitizer (nightly, with rust-src: `rustup component add rust-src --toolchain nightly`;
//! `-Zbuild-std` needs the explicit `--target`; the separate target dir keeps the normal build
//! intact):
//!
//! ```text
//! GCHEAP_STRESS_CYCLES=300 RUSTFLAGS="-Zsanitizer=thread" CARGO_TARGET_DIR=target/tsan \
//!     cargo +nightly test -Zbuild-std --target x86_64-unknown-linux-gnu \
//!     -p gcheap-core --test stress
//! ```
//!
//! On a 2-core machine: about 55 s to build from cold (std included), then about 17 s for 300
//! cycles (55 s for 1000). A report makes the test binary exit with status 66, so the command
//! fails; nothing is suppressed.

use std::collections::HashSet;
use std::panic::resume_unwind;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering::*};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

use std::collections::HashMap;

use gcheap_core::{
    Config, Gc, GcCell, GcGuardian, GcRefCell, GcWeak, GcWeakMap, Heap, Mutation, Mutator, Root,
    Rootable, Trace, Tracer,
};

const THREADS: usize = 4;
/// Slots in a thread's root (its length varies between 8 and this).
const MAX_SLOTS: usize = 32;
const MIN_SLOTS: usize = 8;
const MAX_EDGES: usize = 4;
const MAX_NODE_ROOTS: usize = 12;
const MAX_SHARED: usize = 16;
const MAX_INBOX: usize = 24;
/// Weak references a thread's root keeps at most.
const MAX_WEAKS: usize = 32;
/// Shared nodes form DAGs at most this deep (bounds their size).
const MAX_DEPTH: u32 = 6;
/// Mutator operations the collector thread waits for after each of its cycles.
const OPS_PER_FORCED_CYCLE: u64 = 256;
/// Nodes one periodic check visits at most.
const CHECK_CAP: usize = 20_000;

fn cycles_target() -> u64 {
    match std::env::var("GCHEAP_STRESS_CYCLES") {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("GCHEAP_STRESS_CYCLES={v:?} is not a number")),
        Err(_) if cfg!(debug_assertions) => 2000,
        Err(_) => 10_000,
    }
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness and payloads.

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(mix(seed) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n`; `n > 0`.
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 16) % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        (self.next() >> 16) % 100 < percent
    }
}

/// splitmix64's finalizer.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn checksum(id: u64) -> u64 {
    mix(id ^ 0xC0FF_EE00_DEAD_BEEF)
}

fn blob_len(id: u64) -> usize {
    (mix(id) % 12) as usize
}

fn blob_word(id: u64, i: usize) -> u64 {
    mix(id.wrapping_mul(0x1_0000_0001).wrapping_add(i as u64))
}

// ---------------------------------------------------------------------------------------------
// The drop log: one state byte per id.

const SEG_BITS: u32 = 16;
const SEGS: usize = 1 << 12;
const UNUSED: u8 = 0;
const LIVE: u8 = 1;
const DROPPED: u8 = 2;

/// Cleanup states, one byte per id: none, registered, ran.
const CLEANUP_NONE: u8 = 0;
const CLEANUP_REGISTERED: u8 = 1;
const CLEANUP_RAN: u8 = 2;

struct Tracker {
    segs: Box<[OnceLock<Box<[AtomicU8]>>]>,
    cleanup_segs: Box<[OnceLock<Box<[AtomicU8]>>]>,
    cleanups_added: AtomicU64,
    cleanups_ran: AtomicU64,
    next_id: AtomicU64,
    created: AtomicU64,
    dropped: AtomicU64,
    errors: AtomicUsize,
    first_errors: Mutex<Vec<String>>,
}

impl Tracker {
    fn new() -> &'static Tracker {
        Box::leak(Box::new(Tracker {
            segs: (0..SEGS).map(|_| OnceLock::new()).collect(),
            cleanup_segs: (0..SEGS).map(|_| OnceLock::new()).collect(),
            cleanups_added: AtomicU64::new(0),
            cleanups_ran: AtomicU64::new(0),
            next_id: AtomicU64::new(0),
            created: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            errors: AtomicUsize::new(0),
            first_errors: Mutex::new(Vec::new()),
        }))
    }

    fn state(&self, id: u64) -> &AtomicU8 {
        Self::byte(&self.segs, id)
    }

    fn cleanup_state(&self, id: u64) -> &AtomicU8 {
        Self::byte(&self.cleanup_segs, id)
    }

    fn byte(segs: &[OnceLock<Box<[AtomicU8]>>], id: u64) -> &AtomicU8 {
        let seg = (id >> SEG_BITS) as usize;
        assert!(seg < SEGS, "stress: ran out of ids ({id})");
        let seg = segs[seg].get_or_init(|| (0..1 << SEG_BITS).map(|_| AtomicU8::new(0)).collect());
        &seg[(id & ((1 << SEG_BITS) - 1)) as usize]
    }

    /// Called on the cleanup thread: must not panic, so it records errors.
    fn on_cleanup(&self, id: u64) {
        match self.cleanup_state(id).swap(CLEANUP_RAN, SeqCst) {
            CLEANUP_REGISTERED => {
                self.cleanups_ran.fetch_add(1, SeqCst);
            }
            s => self.error(format!(
                "the cleanup of {id} ran in state {s} (2 = ran before)"
            )),
        }
    }

    fn error(&self, msg: String) {
        eprintln!("stress: {msg}");
        self.errors.fetch_add(1, SeqCst);
        let mut first = self.first_errors.lock().unwrap();
        if first.len() < 20 {
            first.push(msg);
        }
    }

    /// Panics if any drop recorded an error.
    fn check(&self) {
        let n = self.errors.load(SeqCst);
        if n > 0 {
            panic!(
                "stress: {n} drop errors, first: {:#?}",
                self.first_errors.lock().unwrap()
            );
        }
    }

    fn on_create(&self, id: u64) {
        let old = self.state(id).swap(LIVE, Relaxed);
        assert_eq!(old, UNUSED, "stress: id {id} used twice");
        self.created.fetch_add(1, Relaxed);
    }

    /// Called by Drop (on whatever thread sweeps): must not panic, so it records errors.
    fn on_drop(&self, kind: &str, id: u64, check: u64) {
        if check != checksum(id) {
            self.error(format!(
                "a {kind} was corrupt when dropped: id {id:#x}, check {check:#x}"
            ));
            return; // the id itself may be garbage
        }
        let seg = (id >> SEG_BITS) as usize;
        if seg >= SEGS {
            self.error(format!(
                "a {kind} with an impossible id {id:#x} was dropped"
            ));
            return;
        }
        match self.state(id).swap(DROPPED, Relaxed) {
            LIVE => {
                self.dropped.fetch_add(1, Relaxed);
            }
            DROPPED => self.error(format!("{kind} {id} dropped twice")),
            s => self.error(format!("{kind} {id} dropped in state {s}, never created")),
        }
    }

    fn assert_live(&self, kind: &str, id: u64) {
        let s = self.state(id).load(Relaxed);
        assert_eq!(
            s, LIVE,
            "stress: a reachable {kind} {id} is not live (state {s}: 2 = already dropped)"
        );
    }
}

/// Hands out ids in blocks, so that threads rarely touch the shared counter.
#[derive(Default)]
struct Ids {
    next: u64,
    end: u64,
}

impl Ids {
    fn fresh(&mut self, tracker: &Tracker) -> u64 {
        if self.next == self.end {
            self.next = tracker.next_id.fetch_add(256, Relaxed);
            self.end = self.next + 256;
        }
        let id = self.next;
        self.next += 1;
        tracker.on_create(id);
        id
    }
}

// ---------------------------------------------------------------------------------------------
// Heap types.

/// A node of a thread's own graph (`!Sync`: its cells are written by the owning thread).
struct Node<'gc> {
    id: u64,
    check: u64,
    blob: Gc<'gc, [u64]>,
    next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    /// A compound `Copy` value: the pointer and the id it must point at, written together.
    link: GcCell<'gc, Option<(Gc<'gc, Node<'gc>>, u64)>>,
    edges: GcRefCell<'gc, Vec<Gc<'gc, Node<'gc>>>>,
    shared: GcCell<'gc, Option<Gc<'gc, SharedNode<'gc>>>>,
    tracker: &'static Tracker,
}

// SAFETY: reports every field that holds Gc pointers.
unsafe impl<'gc> Trace for Node<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.blob);
        t.trace(&self.next);
        t.trace(&self.link);
        t.trace(&self.edges);
        t.trace(&self.shared);
    }
}

impl Drop for Node<'_> {
    fn drop(&mut self) {
        // Only this object's own non-Gc fields: the rest may already be freed.
        self.tracker.on_drop("Node", self.id, self.check);
    }
}

/// An immutable node that threads share (`Sync`): everything, its Gc pointers included, is set
/// when it is made.
struct SharedNode<'gc> {
    id: u64,
    check: u64,
    depth: u32,
    blob: Gc<'gc, [u64]>,
    kids: [Option<Gc<'gc, SharedNode<'gc>>>; 2],
    tracker: &'static Tracker,
}

// SAFETY: reports every field that holds Gc pointers.
unsafe impl<'gc> Trace for SharedNode<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.blob);
        t.trace(&self.kids);
    }
}

impl Drop for SharedNode<'_> {
    fn drop(&mut self) {
        self.tracker.on_drop("SharedNode", self.id, self.check);
    }
}

/// A thread's mutator root.
struct Local<'gc> {
    slots: GcRefCell<'gc, Vec<Option<Gc<'gc, Node<'gc>>>>>,
    cells: [GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>; 4],
    shared: GcRefCell<'gc, Vec<Gc<'gc, SharedNode<'gc>>>>,
    /// Weak references, each with the id of the node it was made from and the thread's
    /// guardian takes before it was made (see `Worker::weak_op`).
    weaks: GcRefCell<'gc, Vec<(GcWeak<'gc, Node<'gc>>, u64, u64)>>,
    map: GcWeakMap<'gc, Node<'gc>, Gc<'gc, Node<'gc>>>,
    guardian: Gc<'gc, GcGuardian<'gc, Node<'gc>>>,
}

// SAFETY: reports every field that holds Gc pointers.
unsafe impl<'gc> Trace for Local<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.slots);
        t.trace(&self.cells);
        t.trace(&self.shared);
        t.trace(&self.weaks);
        t.trace(&self.map);
        t.trace(&self.guardian);
    }
}

impl Local<'_> {
    fn new<'gc>(mc: &Mutation<'gc>) -> Local<'gc> {
        Local {
            slots: GcRefCell::new(vec![None; MIN_SLOTS]),
            cells: Default::default(),
            shared: GcRefCell::new(Vec::new()),
            weaks: GcRefCell::new(Vec::new()),
            map: GcWeakMap::new(),
            guardian: GcGuardian::new(mc),
        }
    }
}

type LocalR = Rootable![Local<'_>];
type NodeRoot = Root<Rootable![Node<'_>]>;
type SharedRoot = Root<Rootable![SharedNode<'_>]>;

// ---------------------------------------------------------------------------------------------
// Checks.

fn check_blob(kind: &str, id: u64, blob: &[u64]) {
    assert_eq!(blob.len(), blob_len(id), "stress: {kind} {id}: blob length");
    for (i, &w) in blob.iter().enumerate() {
        assert_eq!(w, blob_word(id, i), "stress: {kind} {id}: blob word {i}");
    }
}

fn check_node(n: &Node<'_>) {
    assert_eq!(
        n.check,
        checksum(n.id),
        "stress: a reachable Node is corrupt (id {:#x})",
        n.id
    );
    n.tracker.assert_live("Node", n.id);
    assert_ne!(
        n.tracker.cleanup_state(n.id).load(SeqCst),
        CLEANUP_RAN,
        "stress: Node {} is reachable after its cleanup ran",
        n.id
    );
    check_blob("Node", n.id, &n.blob);
    if let Some((target, id)) = n.link.get() {
        assert_eq!(target.id, id, "stress: Node {}: link/id pair torn", n.id);
    }
}

fn check_shared(s: &SharedNode<'_>) {
    assert_eq!(
        s.check,
        checksum(s.id),
        "stress: a reachable SharedNode is corrupt (id {:#x})",
        s.id
    );
    s.tracker.assert_live("SharedNode", s.id);
    check_blob("SharedNode", s.id, &s.blob);
    for k in s.kids.iter().flatten() {
        assert!(k.depth < s.depth, "stress: SharedNode {}: kid depth", s.id);
    }
}

/// Visits and checks everything reachable from the given nodes, at most `cap` objects.
struct Walk<'gc> {
    seen: HashSet<usize>,
    nodes: Vec<Gc<'gc, Node<'gc>>>,
    shared: Vec<Gc<'gc, SharedNode<'gc>>>,
    visited: usize,
}

impl<'gc> Walk<'gc> {
    fn new() -> Self {
        Walk {
            seen: HashSet::new(),
            nodes: Vec::new(),
            shared: Vec::new(),
            visited: 0,
        }
    }

    fn node(&mut self, n: Gc<'gc, Node<'gc>>) {
        if self.seen.insert(Gc::as_ptr(n).addr()) {
            self.nodes.push(n);
        }
    }

    fn shared(&mut self, s: Gc<'gc, SharedNode<'gc>>) {
        if self.seen.insert(Gc::as_ptr(s).addr()) {
            self.shared.push(s);
        }
    }

    fn run(&mut self, cap: usize) -> usize {
        loop {
            if self.visited >= cap {
                return self.visited;
            }
            if let Some(n) = self.nodes.pop() {
                self.visited += 1;
                check_node(&n);
                if let Some(x) = n.next.get() {
                    self.node(x);
                }
                if let Some((x, _)) = n.link.get() {
                    self.node(x);
                }
                for &x in n.edges.borrow().iter() {
                    self.node(x);
                }
                if let Some(s) = n.shared.get() {
                    self.shared(s);
                }
            } else if let Some(s) = self.shared.pop() {
                self.visited += 1;
                check_shared(&s);
                for &k in s.kids.iter().flatten() {
                    self.shared(k);
                }
            } else {
                return self.visited;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A mutator thread.

/// What a mutator thread keeps between `mutate` calls (no Gc pointers: only roots).
struct Worker {
    rng: Rng,
    ids: Ids,
    tracker: &'static Tracker,
    node_roots: Vec<NodeRoot>,
    /// Shared roots received from the previous thread.
    inbox: Vec<SharedRoot>,
    /// Shared roots to send to the next thread after the current `mutate` call.
    outbox: Vec<SharedRoot>,
    /// (node, takes) of weak references that read nothing: every later read of a weak reference
    /// with the same pair must too.
    weak_cleared: HashSet<(u64, u64)>,
    /// Nodes this thread has taken out of guardians.
    takes: u64,
    /// Registrations with the current root's guardian, and nodes taken out of it, by id.
    registered: HashMap<u64, u32>,
    taken: HashMap<u64, u32>,
    stats: WorkerStats,
}

#[derive(Debug, Default, Clone, Copy)]
struct WorkerStats {
    mutates: u64,
    ops: u64,
    nodes: u64,
    shared: u64,
    sent: u64,
    received: u64,
    checked: u64,
    reattached: u64,
    yields: u64,
    upgraded: u64,
    map_hits: u64,
    taken: u64,
}

impl Worker {
    fn new_node<'gc>(&mut self, mc: &Mutation<'gc>) -> Gc<'gc, Node<'gc>> {
        let id = self.ids.fresh(self.tracker);
        self.stats.nodes += 1;
        let blob = Gc::from_iter(mc, (0..blob_len(id)).map(|i| blob_word(id, i)));
        Gc::new(
            mc,
            Node {
                id,
                check: checksum(id),
                blob,
                next: GcCell::new(None),
                link: GcCell::new(None),
                edges: GcRefCell::new(Vec::new()),
                shared: GcCell::new(None),
                tracker: self.tracker,
            },
        )
    }

    /// A random node of the root (a slot or a cell), checked.
    fn pick<'gc>(&mut self, local: &'gc Local<'gc>) -> Option<Gc<'gc, Node<'gc>>> {
        let n = if self.rng.chance(80) {
            let slots = local.slots.borrow();
            slots[self.rng.below(slots.len())]
        } else {
            local.cells[self.rng.below(local.cells.len())].get()
        };
        if let Some(n) = n {
            check_node(&n);
        }
        n
    }

    /// A random neighbour of `n`.
    fn neighbour<'gc>(&mut self, n: Gc<'gc, Node<'gc>>) -> Option<Gc<'gc, Node<'gc>>> {
        let x = match self.rng.below(3) {
            0 => n.next.get(),
            1 => n.link.get().map(|(x, _)| x),
            _ => {
                let edges = n.edges.borrow();
                (!edges.is_empty()).then(|| edges[self.rng.below(edges.len())])
            }
        };
        if let Some(x) = x {
            check_node(&x);
        }
        x
    }

    fn put<'gc>(
        &mut self,
        mc: &Mutation<'gc>,
        local: &'gc Local<'gc>,
        n: Option<Gc<'gc, Node<'gc>>>,
    ) {
        if self.rng.chance(85) {
            let mut slots = local.slots.borrow_mut(mc);
            let i = self.rng.below(slots.len());
            slots[i] = n;
        } else {
            local.cells[self.rng.below(local.cells.len())].set(mc, n);
        }
    }

    fn random_shared<'gc>(&mut self, local: &'gc Local<'gc>) -> Option<Gc<'gc, SharedNode<'gc>>> {
        let shared = local.shared.borrow();
        (!shared.is_empty()).then(|| shared[self.rng.below(shared.len())])
    }

    /// One random operation.
    fn op<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        self.stats.ops += 1;
        match self.rng.below(106) {
            0..=17 => self.allocate_wired(mc, local),
            18..=33 => self.link(mc, local),
            34..=41 => self.unlink(mc, local),
            42..=51 => self.rewrite_edges(mc, local),
            52..=61 => self.follow(mc, local),
            62..=71 => self.churn_slots(mc, local),
            72..=75 => self.chain(mc, local),
            76..=81 => self.garbage(mc, local),
            82..=86 => self.node_root_op(mc, local),
            87..=92 => self.make_shared(mc, local),
            93..=96 => self.use_received(mc, local),
            97..=99 => self.check_neighbourhood(local),
            100..=101 => self.weak_op(mc, local),
            102..=103 => self.map_op(mc, local),
            104 => self.guardian_op(mc, local),
            _ => self.add_cleanup(mc, local),
        }
    }

    /// Allocates a node wired to existing ones.
    fn allocate_wired<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        let n = self.new_node(mc);
        if let Some(x) = self.pick(local).filter(|_| self.rng.chance(60)) {
            n.next.set(mc, Some(x));
        }
        if let Some(x) = self.pick(local).filter(|_| self.rng.chance(60)) {
            n.link.set(mc, Some((x, x.id)));
        }
        for _ in 0..self.rng.below(3) {
            if let Some(x) = self.pick(local) {
                n.edges.borrow_mut(mc).push(x);
            }
        }
        if self.rng.chance(20) {
            n.shared.set(mc, self.random_shared(local));
        }
        self.put(mc, local, Some(n));
    }

    /// Links two nodes: through next, the compound link cell, or an edge.
    fn link<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        let (Some(a), b) = (self.pick(local), self.pick(local)) else {
            return;
        };
        match (self.rng.below(3), b) {
            (0, b) => a.next.set(mc, b),
            (1, b) => a.link.set(mc, b.map(|b| (b, b.id))),
            (_, Some(b)) => {
                let mut edges = a.edges.borrow_mut(mc);
                edges.push(b);
                if edges.len() > MAX_EDGES {
                    let i = self.rng.below(edges.len());
                    edges.remove(i);
                }
            }
            (_, None) => {}
        }
    }

    /// Unlinks a node's next, link or edges.
    fn unlink<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        let Some(a) = self.pick(local) else { return };
        match self.rng.below(4) {
            0 => a.next.set(mc, None),
            1 => a.link.set(mc, None),
            2 => {
                let mut edges = a.edges.borrow_mut(mc);
                if !edges.is_empty() {
                    let i = self.rng.below(edges.len());
                    edges.swap_remove(i);
                }
            }
            _ => a.edges.borrow_mut(mc).clear(),
        }
    }

    /// Makes a compound write to a node's edge vector.
    fn rewrite_edges<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        let Some(a) = self.pick(local) else { return };
        match self.rng.below(6) {
            0 => a.edges.borrow_mut(mc).reverse(),
            1 => {
                let mut edges = a.edges.borrow_mut(mc);
                if edges.len() >= 2 {
                    let (i, j) = (self.rng.below(edges.len()), self.rng.below(edges.len()));
                    edges.swap(i, j);
                }
            }
            2 => {
                let parity = self.rng.next() & 1;
                a.edges.borrow_mut(mc).retain(|e| e.id & 1 == parity);
            }
            3 => {
                // Copy another node's edges (possibly a's own) plus itself.
                let Some(b) = self.pick(local) else { return };
                let mut copy: Vec<_> = b.edges.borrow().clone();
                copy.push(b);
                copy.truncate(MAX_EDGES);
                *a.edges.borrow_mut(mc) = copy;
            }
            4 => a.edges.borrow_mut(mc).sort_by_key(|e| e.id),
            _ => {
                // Rebuild the vector through fresh nodes, each pointing at an old edge.
                let old: Vec<_> = a.edges.borrow().clone();
                let fresh: Vec<_> = old
                    .iter()
                    .take(3)
                    .map(|&e| {
                        let n = self.new_node(mc);
                        n.next.set(mc, Some(e));
                        n
                    })
                    .collect();
                let mut edges = a.edges.borrow_mut(mc);
                edges.clear();
                edges.extend(fresh);
            }
        }
    }

    /// Follows an edge into a slot.
    fn follow<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        let Some(a) = self.pick(local) else { return };
        let x = self.neighbour(a);
        if x.is_some() || self.rng.chance(30) {
            self.put(mc, local, x);
        }
    }

    /// Churns the root's slots.
    fn churn_slots<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        let mut slots = local.slots.borrow_mut(mc);
        match self.rng.below(5) {
            0 => {
                let i = self.rng.below(slots.len());
                slots[i] = None;
            }
            1 => {
                let (i, j) = (self.rng.below(slots.len()), self.rng.below(slots.len()));
                slots.swap(i, j);
            }
            2 if slots.len() < MAX_SLOTS => {
                let i = self.rng.below(slots.len());
                let v = slots[i];
                slots.push(v);
            }
            3 => {
                let keep = MIN_SLOTS + self.rng.below(slots.len() - MIN_SLOTS + 1);
                slots.truncate(keep);
            }
            _ => {
                let i = self.rng.below(slots.len());
                let c = self.rng.below(local.cells.len());
                let v = local.cells[c].replace(mc, slots[i]);
                slots[i] = v;
            }
        }
    }

    /// Builds a chain held only in locals while garbage is allocated, then attaches it.
    fn chain<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        let mut head: Option<Gc<'gc, Node<'gc>>> = None;
        for _ in 0..1 + self.rng.below(16) {
            let n = self.new_node(mc);
            n.next.set(mc, head);
            if let Some(h) = head {
                n.link.set(mc, Some((h, h.id)));
            }
            head = Some(n);
            for _ in 0..self.rng.below(4) {
                Gc::new(mc, [n.id; 6]);
            }
        }
        let mut cur = head;
        while let Some(n) = cur {
            check_node(&n);
            cur = n.next.get();
        }
        match self.pick(local) {
            Some(a) if self.rng.chance(50) => a.edges.borrow_mut(mc).push(head.unwrap()),
            _ => self.put(mc, local, head),
        }
    }

    /// Allocates garbage: tracked nodes (some linked to live ones) and plain arrays.
    fn garbage<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        for _ in 0..self.rng.below(24) {
            let n = self.new_node(mc);
            if let Some(x) = self.pick(local) {
                n.edges.borrow_mut(mc).push(x);
            }
        }
        for i in 0..self.rng.below(24) {
            let g = Gc::new(mc, [i as u64; 10]);
            assert_eq!(g[9], i as u64);
        }
    }

    /// Creates, loads or drops a persistent root of a node (inside mutate).
    fn node_root_op<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        match self.rng.below(3) {
            0 if self.node_roots.len() < MAX_NODE_ROOTS => {
                if let Some(n) = self.pick(local) {
                    self.node_roots.push(Root::new(mc, n));
                }
            }
            1 if !self.node_roots.is_empty() => {
                let i = self.rng.below(self.node_roots.len());
                let n = self.node_roots[i].get(mc);
                check_node(&n);
                self.put(mc, local, Some(n));
            }
            _ if !self.node_roots.is_empty() => {
                let i = self.rng.below(self.node_roots.len());
                self.node_roots.swap_remove(i);
            }
            _ => {}
        }
    }

    /// Makes a shared node over existing ones; maybe sends a root to it to the next thread.
    fn make_shared<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        let mut kids = [None, None];
        let mut depth = 0;
        for k in &mut kids {
            if let Some(s) = self.random_shared(local)
                && s.depth < MAX_DEPTH
            {
                depth = depth.max(s.depth);
                *k = Some(s);
            }
        }
        let id = self.ids.fresh(self.tracker);
        self.stats.shared += 1;
        let blob = Gc::from_iter(mc, (0..blob_len(id)).map(|i| blob_word(id, i)));
        let s = Gc::new(
            mc,
            SharedNode {
                id,
                check: checksum(id),
                depth: depth + 1,
                blob,
                kids,
                tracker: self.tracker,
            },
        );
        {
            let mut shared = local.shared.borrow_mut(mc);
            shared.push(s);
            if shared.len() > MAX_SHARED {
                let i = self.rng.below(shared.len());
                shared.swap_remove(i);
            }
        }
        if self.rng.chance(60) {
            self.outbox.push(Root::new(mc, s));
        }
    }

    /// Uses a root received from another thread: checks it, keeps it reachable from here.
    fn use_received<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        if self.inbox.is_empty() {
            return;
        }
        let i = self.rng.below(self.inbox.len());
        let s = self.inbox[i].get(mc);
        let mut walk = Walk::new();
        walk.shared(s);
        self.stats.checked += walk.run(usize::MAX) as u64;
        if self.rng.chance(50) {
            let mut shared = local.shared.borrow_mut(mc);
            shared.push(s);
            if shared.len() > MAX_SHARED {
                let i = self.rng.below(shared.len());
                shared.swap_remove(i);
            }
        }
        if let Some(a) = self.pick(local) {
            a.shared.set(mc, Some(s));
        }
        if self.rng.chance(30) {
            self.inbox.swap_remove(i); // dropped inside mutate
        }
    }

    /// Makes a weak reference to a node, or upgrades one into the root.
    ///
    /// A node's weak references are cleared together when it dies. It may live again after that
    /// (resurrected for a guardian, with whatever it reaches), but the program reaches it again
    /// only after a take; so weak references made between the same two takes of this thread
    /// were made in the same life of their node, and once one of them reads nothing, all do.
    fn weak_op<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        if self.rng.chance(40) {
            if let Some(n) = self.pick(local) {
                let mut weaks = local.weaks.borrow_mut(mc);
                weaks.push((Gc::downgrade(mc, n), n.id, self.takes));
                if weaks.len() > MAX_WEAKS {
                    let i = self.rng.below(weaks.len());
                    weaks.swap_remove(i);
                }
            }
            return;
        }
        let picked = {
            let weaks = local.weaks.borrow();
            (!weaks.is_empty()).then(|| weaks[self.rng.below(weaks.len())])
        };
        let Some((weak, id, life)) = picked else {
            return;
        };
        match weak.upgrade(mc) {
            Some(n) => {
                assert_eq!(
                    n.id, id,
                    "stress: a weak reference upgraded to another node"
                );
                assert!(
                    !self.weak_cleared.contains(&(id, life)),
                    "stress: a weak reference to {id} upgraded after one made in the same life \
                     read nothing"
                );
                check_node(&n);
                self.stats.upgraded += 1;
                if self.rng.chance(50) {
                    self.put(mc, local, Some(n));
                }
            }
            None => {
                self.weak_cleared.insert((id, life));
            }
        }
    }

    /// Maps a node to another in the root's weak map, or reads an entry into the root.
    fn map_op<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        let Some(key) = self.pick(local) else { return };
        match self.rng.below(4) {
            0 | 1 => {
                if let Some(value) = self.pick(local) {
                    local.map.insert(mc, key, value);
                }
            }
            2 => {
                local.map.remove(mc, key);
            }
            _ => {
                if let Some(&value) = local.map.get(key) {
                    check_node(&value);
                    self.stats.map_hits += 1;
                    self.put(mc, local, Some(value));
                }
            }
        }
    }

    /// Registers a node with the root's guardian, or takes one out of it into the root.
    fn guardian_op<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        if self.rng.chance(50) {
            if let Some(n) = self.pick(local) {
                local.guardian.register(mc, n);
                *self.registered.entry(n.id).or_default() += 1;
            }
            return;
        }
        while let Some(n) = local.guardian.take(mc) {
            check_node(&n);
            let taken = self.taken.entry(n.id).or_default();
            *taken += 1;
            let registered = self.registered.get(&n.id).copied().unwrap_or(0);
            assert!(
                *taken <= registered,
                "stress: node {} came out of its guardian {taken} times for {registered} \
                 registrations",
                n.id
            );
            self.stats.taken += 1;
            self.takes += 1;
            if self.rng.chance(30) {
                self.put(mc, local, Some(n));
            }
            if self.rng.chance(50) {
                break;
            }
        }
    }

    /// Attaches a cleanup to a node that has none.
    fn add_cleanup<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>) {
        let Some(n) = self.pick(local) else { return };
        let state = self.tracker.cleanup_state(n.id);
        if state.load(SeqCst) != CLEANUP_NONE {
            return;
        }
        state.store(CLEANUP_REGISTERED, SeqCst);
        self.tracker.cleanups_added.fetch_add(1, SeqCst);
        let tracker = self.tracker;
        Gc::add_cleanup(mc, n, n.id, move |id| tracker.on_cleanup(id));
    }

    /// Checks a neighbourhood.
    fn check_neighbourhood<'gc>(&mut self, local: &'gc Local<'gc>) {
        let mut walk = Walk::new();
        if let Some(a) = self.pick(local) {
            walk.node(a);
        }
        self.stats.checked += walk.run(200) as u64;
    }

    /// Checks everything reachable from this thread's root and roots, up to `cap` objects.
    fn check_all<'gc>(&mut self, mc: &Mutation<'gc>, local: &'gc Local<'gc>, cap: usize) -> usize {
        let mut walk = Walk::new();
        for n in local.slots.borrow().iter().flatten() {
            walk.node(*n);
        }
        for c in &local.cells {
            if let Some(n) = c.get() {
                walk.node(n);
            }
        }
        for s in local.shared.borrow().iter() {
            walk.shared(*s);
        }
        for r in &self.node_roots {
            walk.node(r.get(mc));
        }
        for r in self.inbox.iter().chain(&self.outbox) {
            walk.shared(r.get(mc));
        }
        let n = walk.run(cap);
        self.stats.checked += n as u64;
        n
    }
}

/// Sets `stop` when dropped (also when its thread unwinds), so that no thread waits forever
/// for one that panicked.
struct StopOnDrop<'a> {
    stop: &'a AtomicBool,
    running: Option<&'a AtomicUsize>,
}

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.stop.store(true, SeqCst);
        }
        if let Some(r) = self.running {
            r.fetch_sub(1, SeqCst);
        }
    }
}

struct Test {
    heap: Heap,
    tracker: &'static Tracker,
    stop: AtomicBool,
    running: AtomicUsize,
    /// Operations all mutators have run.
    ops: AtomicU64,
}

fn mutator_thread(
    t: usize,
    sh: &Test,
    tx: mpsc::Sender<SharedRoot>,
    rx: mpsc::Receiver<SharedRoot>,
) -> WorkerStats {
    let _guard = StopOnDrop {
        stop: &sh.stop,
        running: Some(&sh.running),
    };
    let mut w = Worker {
        rng: Rng::new(0x5EED_0000 + t as u64),
        ids: Ids::default(),
        tracker: sh.tracker,
        node_roots: Vec::new(),
        inbox: Vec::new(),
        outbox: Vec::new(),
        weak_cleared: HashSet::new(),
        takes: 0,
        registered: HashMap::new(),
        taken: HashMap::new(),
        stats: WorkerStats::default(),
    };
    let mut m = sh.heap.mutator::<LocalR>(Local::new);
    while !sh.stop.load(SeqCst) {
        w.receive(&rx);
        w.run_ops(&mut m, sh);
        w.send(&tx);
        if w.stats.mutates % 97 == (t as u64 * 13) % 97 {
            m.mutate(|mc, local| w.check_all(mc, local, CHECK_CAP));
        }
        if w.stats.mutates % 701 == (t as u64 * 101) % 701 {
            m = w.reattach(m, &sh.heap);
        }
    }
    // Everything reachable is intact, before and after one more cycle.
    m.mutate(|mc, local| w.check_all(mc, local, usize::MAX));
    m.collect();
    m.mutate(|mc, local| w.check_all(mc, local, usize::MAX));
    drop(rx);
    drop(tx);
    drop(m);
    w.stats
}

impl Worker {
    /// Moves the roots the previous thread sent into the inbox, keeping at most `MAX_INBOX`.
    fn receive(&mut self, rx: &mpsc::Receiver<SharedRoot>) {
        while let Ok(r) = rx.try_recv() {
            self.stats.received += 1;
            self.inbox.push(r);
        }
        while self.inbox.len() > MAX_INBOX {
            let i = self.rng.below(self.inbox.len());
            self.inbox.swap_remove(i); // dropped between mutate calls
        }
    }

    /// One mutate call of up to 48 random operations, left early (sometimes) when a cycle
    /// asks the mutator to yield.
    fn run_ops(&mut self, m: &mut Mutator<LocalR>, sh: &Test) {
        let ops = 1 + self.rng.below(48);
        let ops_before = self.stats.ops;
        m.mutate(|mc, local| {
            for _ in 0..ops {
                if mc.should_yield() && self.rng.chance(50) {
                    self.stats.yields += 1;
                    break;
                }
                self.op(mc, local);
            }
        });
        self.stats.mutates += 1;
        sh.ops.fetch_add(self.stats.ops - ops_before, SeqCst);
    }

    /// Sends the outbox's roots to the next thread.
    fn send(&mut self, tx: &mpsc::Sender<SharedRoot>) {
        for r in self.outbox.drain(..) {
            self.stats.sent += 1;
            // The next thread may have finished: the root then comes back and is dropped here.
            let _ = tx.send(r);
        }
    }

    /// Detaches the mutator and attaches a fresh one, carrying a few slots over through
    /// persistent roots.
    fn reattach(&mut self, mut m: Mutator<LocalR>, heap: &Heap) -> Mutator<LocalR> {
        let carried: Vec<NodeRoot> = m.mutate(|mc, local| {
            let slots = local.slots.borrow();
            slots
                .iter()
                .flatten()
                .take(MIN_SLOTS)
                .map(|n| Root::new(mc, *n))
                .collect()
        });
        drop(m);
        // The old root's guardian is gone, and its registrations with it.
        self.registered.clear();
        self.taken.clear();
        let mut m = heap.mutator::<LocalR>(Local::new);
        m.mutate(|mc, local| {
            let mut slots = local.slots.borrow_mut(mc);
            for (i, r) in carried.iter().enumerate() {
                let n = r.get(mc);
                check_node(&n);
                slots[i] = Some(n);
            }
        });
        drop(carried);
        self.stats.reattached += 1;
        m
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "<non-string panic>".into())
}

/// With checkmark on: each cycle's mark termination is found raggedly, then checked under a
/// stop (nothing queued, checkmark over the whole heap).
#[test]
#[cfg_attr(miri, ignore)]
fn stress_random_graphs_many_threads_back_to_back_cycles() {
    stress(cycles_target(), true);
}

/// Without checkmark no cycle stops the mutators at mark termination at all (the sweep starts
/// while they run); a missed object shows as a poisoned payload, a failed check or a drop
/// while reachable.
#[test]
#[cfg_attr(miri, ignore)]
fn stress_without_checkmark_never_stops_at_termination() {
    stress(cycles_target() / 2, false);
}

fn stress(target: u64, verify: bool) {
    let started = Instant::now();
    let sh = new_test(verify);
    let mut handles = spawn_mutators(&sh);
    handles.push(spawn_collector(&sh, target));
    let forced = join_all(handles);
    let sh = Arc::into_inner(sh).expect("every thread is done");
    check_cycles(&sh, target, forced, started);
    check_everything_dropped(sh);
}

/// A thread of the test: its name, a mutator's statistics, and the collector's count of forced
/// cycles.
type TestThread = std::thread::JoinHandle<(String, Option<WorkerStats>, u64)>;

fn new_test(verify: bool) -> Arc<Test> {
    Arc::new(Test {
        heap: Heap::new(Config {
            verify,
            poison_freed: true,
            gc_workers: 2,
            gc_percent: 10,
            ..Config::default()
        })
        .unwrap(),
        tracker: Tracker::new(),
        stop: AtomicBool::new(false),
        running: AtomicUsize::new(THREADS),
        ops: AtomicU64::new(0),
    })
}

/// Starts the mutator threads. Shared roots travel around a ring of threads: t sends to t + 1.
fn spawn_mutators(sh: &Arc<Test>) -> Vec<TestThread> {
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..THREADS).map(|_| mpsc::channel()).unzip();
    let mut rxs: Vec<Option<_>> = rxs.into_iter().map(Some).collect();
    let mut handles = Vec::new();
    for (t, tx) in txs.into_iter().enumerate() {
        let rx = rxs[(t + THREADS - 1) % THREADS].take().unwrap();
        let sh = sh.clone();
        handles.push(
            std::thread::Builder::new()
                .name(format!("stress-mutator-{t}"))
                .spawn(move || {
                    let s = mutator_thread(t, &sh, tx, rx);
                    (format!("mutator {t}"), Some(s), 0)
                })
                .unwrap(),
        );
    }
    handles
}

/// Starts the collector thread: cycles back to back until the target is reached, then until
/// the mutators are done.
fn spawn_collector(sh: &Arc<Test>, target: u64) -> TestThread {
    let sh = sh.clone();
    std::thread::Builder::new()
        .name("stress-collector".into())
        .spawn(move || {
            let _guard = StopOnDrop {
                stop: &sh.stop,
                running: None,
            };
            let mut n = 0u64;
            let mut max_objects = 0;
            while sh.running.load(SeqCst) > 0 {
                let before = sh.ops.load(SeqCst);
                sh.heap.collect();
                n += 1;
                // Let the mutators work between forced cycles (otherwise, with optimizations
                // or under TSan, this loop can starve them and cycles find nothing new).
                while sh.ops.load(SeqCst) < before + OPS_PER_FORCED_CYCLE && !sh.stop.load(SeqCst) {
                    std::thread::sleep(Duration::from_micros(50));
                }
                if n.is_multiple_of(16) {
                    let s = sh.heap.mem_stats();
                    s.check_invariants().unwrap();
                    max_objects = max_objects.max(s.heap_objects);
                    sh.tracker.check();
                    if u64::from(s.num_gc) >= target {
                        sh.stop.store(true, SeqCst);
                    }
                }
            }
            eprintln!("stress: at most {max_objects} objects in the heap after a cycle");
            ("collector".to_string(), None, n)
        })
        .unwrap()
}

/// Joins every thread: each mutator ran, and a panic on any thread is resumed here. Returns
/// the collector's count of forced cycles.
fn join_all(handles: Vec<TestThread>) -> u64 {
    let mut failures = Vec::new();
    let mut forced = 0;
    for h in handles {
        match h.join() {
            Ok((name, stats, n)) => {
                forced += n;
                if let Some(s) = stats {
                    eprintln!("stress: {name}: {s:?}");
                    assert!(s.mutates > 100, "{name} barely ran: {s:?}");
                }
            }
            Err(p) => {
                eprintln!("stress: a thread panicked: {}", panic_message(&*p));
                failures.push(p);
            }
        }
    }
    if let Some(p) = failures.into_iter().next() {
        resume_unwind(p);
    }
    forced
}

/// The target number of cycles ran; reports them.
fn check_cycles(sh: &Test, target: u64, forced: u64, started: Instant) {
    let s = sh.heap.mem_stats();
    s.check_invariants().unwrap();
    let cycles = u64::from(s.num_gc);
    assert!(cycles >= target, "only {cycles} cycles of {target}");
    eprintln!(
        "stress: {cycles} cycles ({forced} by the collector thread, {} by the pacer) in {:.1} s; \
         {} mutator operations; {} objects tracked; max pause {:.2} ms",
        cycles - u64::from(s.num_forced_gc),
        started.elapsed().as_secs_f64(),
        sh.ops.load(SeqCst),
        sh.tracker.created.load(SeqCst),
        s.max_pause_ns as f64 / 1e6,
    );
}

/// Every mutator and root is gone: one more cycle drops everything, each object once, and
/// the heap's teardown drops nothing more.
fn check_everything_dropped(sh: Test) {
    sh.heap.collect();
    let tracker = sh.tracker;
    tracker.check();
    let check_all_dropped = |when: &str| {
        let created = tracker.created.load(SeqCst);
        let dropped = tracker.dropped.load(SeqCst);
        let end = tracker.next_id.load(SeqCst);
        let live: Vec<u64> = (0..end)
            .filter(|&id| tracker.state(id).load(SeqCst) == LIVE)
            .take(10)
            .collect();
        assert!(
            live.is_empty() && created == dropped,
            "stress: {when}: {created} objects created, {dropped} dropped; still live: {live:?}"
        );
    };
    check_all_dropped("after the last cycle");
    // Every node is dead, so every cleanup is due; they run on the cleanup thread.
    let added = tracker.cleanups_added.load(SeqCst);
    let deadline = Instant::now() + Duration::from_secs(60);
    while tracker.cleanups_ran.load(SeqCst) < added && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        tracker.cleanups_ran.load(SeqCst),
        added,
        "stress: cleanups run of those added"
    );
    tracker.check();
    eprintln!("stress: {added} cleanups ran");
    drop(sh);
    tracker.check();
    check_all_dropped("after the heap's teardown");
}
