#![cfg(loom)]
//! A [loom] model of the collector's concurrent marking protocol.
//!
//! Run with
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test --release -p gcheap-core --test loom_protocol
//! ```
//!
//! Without `--cfg loom` this file compiles to nothing (loom is a `cfg(loom)` dev-dependency), so
//! `cargo test --workspace` is unaffected. `LOOM_MAX_PREEMPTIONS` overrides the bound of
//! [`marking_protocol`].
//!
//! # What is modelled
//!
//! The protocol between mark workers and mutators' write barriers while marking runs
//! concurrently, after the start-of-cycle stop has shaded the roots (`barrier::acquire`,
//! `release_black`, `release_gray`, `mark::Marker::scan` and `Marker::blacken`):
//!
//! - **Objects**: a small fixed heap. Each object has two pointer fields (`Option<usize>`, an
//!   object index) in [`loom::cell::UnsafeCell`]s, so loom itself reports any data race on a
//!   field (a marker reading a field while a mutator writes it); a mark bit ([`AtomicBool`],
//!   set with `fetch_or`: "newly marked" if it was clear); and a state word ([`AtomicUsize`])
//!   with bits `BUSY` (a marker or a writing mutator holds the object and is scanning it) and
//!   `BLACK` (scanned; terminal for the cycle).
//! - **shade(o)**: set o's mark bit; if newly set, push o on the shading thread's own deque.
//! - **Gray queues**: each marking thread (the worker, each mutator's barrier, the collector)
//!   has its own deque; mutators publish what their barrier shaded to a shared injector before
//!   returning to the write (`Marker::publish`); the worker pops its own deque and steals from
//!   the injector when it is empty, and stops when both are empty.
//! - **Worker**: pop a gray entry (object, first field not yet scanned); take the object
//!   (`acquire`: BLACK → skip; BUSY → skip, its holder will blacken it; else CAS in BUSY,
//!   `Acquire`); read the fields of one chunk without any lock, shading their targets; then
//!   release it as BLACK (`Release` store) if that was the last chunk, else release it gray
//!   (`fetch_and(!BUSY, Release)`) and push the rest of it back.
//! - **Write barrier** (the deletion half of the hybrid barrier, at object granularity:
//!   "blacken before first write"): before writing a field of o, a mutator takes o the same way
//!   and scans all of it itself (shading o and o's current children), or waits (yields) while
//!   someone else holds it (BUSY), or finds it BLACK and just writes. So a field is written only
//!   once its object is BLACK, and every marker read of its object's fields happens before the
//!   `Release` store of BLACK that the writer acquired.
//! - **Shared objects** use locked cells in the real code (`GcMutex`): here each object has one
//!   loom mutex, taken by mutators for reads and for writes (the write's barrier runs under it,
//!   as `GcMutex::lock` runs it under the lock). Markers never take it. (One lock per object
//!   rather than per field: with one lock per field, two mutators can both wait in the barrier
//!   on an object a marker holds, and loom explores their yield ping-pong without end and
//!   aborts with "exceeded maximum number of branches". Two writers of different fields of one
//!   object are checked, with no marker, in [`writers_exclude`].)
//! - **Black allocation**: a fresh object is marked and BLACK before it is published, and its
//!   fields are initialised with plain writes (no barrier: it can only hold pointers its
//!   mutator holds).
//! - **No insertion barrier**: mutators were scanned at the stop, so they hold only pointers
//!   loaded during the run from objects reachable from their roots, or fresh objects.
//! - **Termination**: in [`marking_protocol`], joining the threads stands for a stop at mutator
//!   boundaries (no barrier in progress); the main thread then drains what is left in the
//!   injector with the worker's procedure. [`ragged_termination`] models the collector's real
//!   check instead (operation counters read around a look at the queues, mutators running).
//!   Then every object reachable from the roots, and every object of the snapshot, must be
//!   marked, and every object must be black exactly when it is marked.
//!
//! # What is abstracted
//!
//! - The real mark bit lives in the allocator's side bitmap (a `fetch_or` on a bitmap word,
//!   `Relaxed`); here it is one `AtomicBool` per object, also `Relaxed`.
//! - The real gray queues are crossbeam deques (`Worker`/`Stealer`) and an `Injector`; here a
//!   thread's own deque is a plain `Vec` (with one worker, no one steals from it, so its pushes
//!   and pops synchronize with nothing, as an owner's are) and the injector is a
//!   `loom::sync::Mutex<Vec<_>>` (publish and steal are release/acquire, as the injector's
//!   push and steal are). Only one mark worker, so worker-to-worker stealing is not modelled.
//!   (One shared mutex as *the* gray queue would be less faithful: every push would synchronize
//!   with every earlier pop, which hid a weakened `release_gray` in
//!   [`scan_and_barrier_exclude`] until the deques were split.)
//! - The real `BLACK` bit means black when it equals the cycle's parity, flipped every cycle so
//!   nothing is whitened; a one-cycle model only needs `BLACK = 2`. The real state bits share
//!   the header word with the descriptor address; here the word holds only the state.
//! - The real worker scans a slice `SCAN_CHUNK` (128) elements per step, releasing the object
//!   gray between chunks and queuing the rest as one entry; here objects have two fields and a
//!   chunk is one field, so every scanned object goes through `release_gray` once. A barrier
//!   scans the whole object, whatever chunks a worker scanned before.
//! - The real barrier waits by spinning (`spin_loop` 128 times, then `yield_now`); here it
//!   yields at once, which is what tells loom to run another thread.
//! - Mutator assists (a mutator draining gray objects to pay for allocation) are not modelled:
//!   they run the worker's procedure.
//! - Mutator roots are fixed: A's root is object 0, B's is object 1, both shaded at the stop.
//!
//! [loom]: https://docs.rs/loom

use std::ops::Range;

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*, fence};
use loom::sync::{Arc, Mutex};
use loom::thread;

const BUSY: usize = 1;
const BLACK: usize = 2;
const FIELDS: usize = 2;

type Ref = Option<usize>;

struct Obj {
    /// The mutators' lock (a shared object's locked cell). Markers never take it.
    lock: Mutex<()>,
    fields: [UnsafeCell<Ref>; FIELDS],
    /// The mark bit (a side bitmap bit in the real code).
    mark: AtomicBool,
    /// `BUSY | BLACK` (the state bits of the real header word).
    state: AtomicUsize,
    /// How many times a holder released it black (checks only: a plain std atomic, invisible
    /// to loom, so it adds no scheduling points and no synchronization).
    blackened: std::sync::atomic::AtomicUsize,
}

/// A gray entry: an object and the first field not scanned yet (as `mark::Gray`).
type Gray = (usize, usize);

struct Heap {
    objs: Vec<Obj>,
    /// The shared injector: mutators publish what their barriers shade, the worker steals.
    injector: Mutex<Vec<Gray>>,
    /// Fields a marker scans per step (`SCAN_CHUNK`).
    chunk: usize,
}

/// What [`Heap::acquire`] found (as `object::Acquired`).
enum Acquired {
    Held,
    Black,
    Busy,
}

impl Heap {
    fn new(n: usize, chunk: usize) -> Heap {
        Heap {
            objs: (0..n)
                .map(|_| Obj {
                    lock: Mutex::new(()),
                    fields: [UnsafeCell::new(None), UnsafeCell::new(None)],
                    mark: AtomicBool::new(false),
                    state: AtomicUsize::new(0),
                    blackened: Default::default(),
                })
                .collect(),
            injector: Mutex::new(Vec::new()),
            chunk,
        }
    }

    /// Sets fields with plain writes: the initial graph (world stopped, before any thread is
    /// spawned) or a fresh object no other thread knows.
    fn init(&self, o: usize, fields: [Ref; FIELDS]) {
        for (f, v) in self.objs[o].fields.iter().zip(fields) {
            f.with_mut(|p| unsafe { *p = v });
        }
    }

    fn steal(&self) -> Option<Gray> {
        self.injector.lock().unwrap().pop()
    }

    /// Tries to take `o` for scanning (`object::acquire`).
    fn acquire(&self, o: usize) -> Acquired {
        let word = &self.objs[o].state;
        let mut h = word.load(Acquire);
        loop {
            if h & BLACK != 0 {
                return Acquired::Black;
            }
            if h & BUSY != 0 {
                return Acquired::Busy;
            }
            match word.compare_exchange_weak(h, h | BUSY, Acquire, Acquire) {
                Ok(_) => return Acquired::Held,
                Err(now) => h = now,
            }
        }
    }

    /// `object::release_black`.
    fn release_black(&self, o: usize) {
        self.objs[o].blackened.fetch_add(1, Relaxed);
        self.objs[o].state.store(BLACK, Release);
    }

    /// `object::release_gray`.
    fn release_gray(&self, o: usize) {
        self.objs[o].state.fetch_and(!BUSY, Release);
    }

    /// A mutator's read of `o.f` (under the object's lock).
    fn load(&self, o: usize, f: usize) -> Ref {
        let _g = self.objs[o].lock.lock().unwrap();
        self.objs[o].fields[f].with(|p| unsafe { *p })
    }

    /// A mutator's barriered write `o.f = v`, `m` being the mutator's marker (the barrier runs
    /// under the object's lock).
    fn store(&self, m: &mut Marker, o: usize, f: usize, v: Ref) {
        let _g = self.objs[o].lock.lock().unwrap();
        self.store_owned(m, o, f, v);
    }

    /// A barriered write to a field no other mutator reads or writes, so without the lock
    /// (`Context::barrier_slow`, then the write).
    fn store_owned(&self, m: &mut Marker, o: usize, f: usize, v: Ref) {
        // An operation (counted only when the object is not black yet, as in
        // `Marker::blacken_for_write`): begin before taking it, end after publishing.
        let op = m.ops.clone().filter(|_| !self.black_now(o));
        if let Some(ops) = &op {
            ops.fetch_add(1, SeqCst);
            // So that whoever sees this barrier's hold on `o` (a worker skipping it as BUSY)
            // also sees the operation counted (`MutatorState::begin_op`).
            fence(Release);
        }
        m.blacken(o);
        m.publish();
        if let Some(ops) = &op {
            ops.fetch_add(1, SeqCst);
        }
        self.objs[o].fields[f].with_mut(|p| unsafe { *p = v });
    }

    /// The barrier's check before it counts an operation.
    fn black_now(&self, o: usize) -> bool {
        self.objs[o].state.load(Acquire) & BLACK != 0
    }

    /// Black allocation of the pre-reserved fresh object `o`, fields initialised with plain
    /// writes. It is published by the caller's next `store`, whose lock release orders these.
    fn alloc(&self, o: usize, fields: [Ref; FIELDS]) -> usize {
        self.objs[o].mark.store(true, Relaxed);
        self.objs[o].state.store(BLACK, Relaxed);
        self.init(o, fields);
        o
    }

    /// Plain read, for the checks after every thread is joined.
    fn peek(&self, o: usize, f: usize) -> Ref {
        self.objs[o].fields[f].with(|p| unsafe { *p })
    }

    fn marked(&self, o: usize) -> bool {
        self.objs[o].mark.load(Relaxed)
    }

    fn black(&self, o: usize) -> bool {
        self.objs[o].state.load(Relaxed) == BLACK
    }

    fn blackened(&self) -> Vec<usize> {
        self.objs
            .iter()
            .map(|o| o.blackened.load(Relaxed))
            .collect()
    }

    fn reachable(&self, roots: &[usize]) -> Vec<bool> {
        let mut seen = vec![false; self.objs.len()];
        let mut stack = roots.to_vec();
        while let Some(o) = stack.pop() {
            if !std::mem::replace(&mut seen[o], true) {
                stack.extend((0..FIELDS).filter_map(|f| self.peek(o, f)));
            }
        }
        seen
    }

    /// After the final drain: the injector is empty, every object is marked iff black, and no
    /// object was scanned to black twice (mutual exclusion of holders).
    fn check_settled(&self) {
        assert!(self.injector.lock().unwrap().is_empty());
        for o in 0..self.objs.len() {
            assert_eq!(
                self.black(o),
                self.marked(o),
                "object {o}: black iff marked"
            );
        }
        let blackened = self.blackened();
        assert!(blackened.iter().all(|&n| n <= 1), "{blackened:?}");
    }
}

fn shade(heap: &Heap, local: &mut Vec<Gray>, o: usize) {
    if !heap.objs[o].mark.fetch_or(true, Relaxed) {
        local.push((o, 0));
    }
}

/// A marking thread's private state (`mark::Marker`): its own deque, which no other thread of
/// the model steals from (there is one worker), so a plain `Vec`.
struct Marker {
    heap: Arc<Heap>,
    local: Vec<Gray>,
    /// The mutator's operation counter (`MutatorState::ops`), when the model has the ragged
    /// termination check: odd while a barrier may hold gray objects privately.
    ops: Option<Arc<AtomicUsize>>,
}

impl Marker {
    fn new(heap: &Arc<Heap>) -> Marker {
        Marker {
            heap: heap.clone(),
            local: Vec::new(),
            ops: None,
        }
    }

    /// shade(o): set the mark bit; if newly set, o is gray.
    fn shade(&mut self, o: usize) {
        shade(&self.heap, &mut self.local, o);
    }

    /// Moves the local gray entries to the injector (`Marker::publish`).
    fn publish(&mut self) {
        if !self.local.is_empty() {
            self.heap.injector.lock().unwrap().append(&mut self.local);
        }
    }

    /// Reads fields `range` of held `o` without the mutators' lock (the state word protects
    /// them) and shades their targets.
    fn scan(&mut self, o: usize, range: Range<usize>) {
        // (Borrowing the heap rather than cloning the `Arc`: a loom `Arc` clone is a scheduling
        // point, which would only inflate the exploration.)
        let Marker { heap, local, .. } = self;
        for f in &heap.objs[o].fields[range] {
            if let Some(t) = f.with(|p| unsafe { *p }) {
                shade(heap, local, t);
            }
        }
    }

    /// A worker's step for one gray entry (`Marker::scan`).
    fn mark_one(&mut self, (o, start): Gray) {
        match self.heap.acquire(o) {
            Acquired::Held => {
                let end = FIELDS.min(start + self.heap.chunk);
                self.scan(o, start..end);
                if end < FIELDS {
                    self.heap.release_gray(o);
                    self.local.push((o, end));
                } else {
                    self.heap.release_black(o);
                }
            }
            // Black: scanned already. Busy: its holder (a writer's barrier) blackens it.
            Acquired::Black | Acquired::Busy => {}
        }
    }

    /// A worker: its own deque first, then the injector, until both are empty.
    fn drain(&mut self) {
        while let Some(g) = self.local.pop().or_else(|| self.heap.steal()) {
            self.mark_one(g);
        }
    }

    /// The write barrier before a write to a field of `o`: blacken `o` first
    /// (`Marker::blacken`).
    fn blacken(&mut self, o: usize) {
        loop {
            match self.heap.acquire(o) {
                Acquired::Black => return,
                Acquired::Busy => thread::yield_now(),
                Acquired::Held => break,
            }
        }
        self.shade(o);
        self.scan(o, 0..FIELDS);
        self.heap.release_black(o);
    }
}

fn spawn(heap: &Arc<Heap>, f: impl FnOnce(&Heap, &mut Marker) + 'static) -> thread::JoinHandle<()> {
    let h = heap.clone();
    let mut m = Marker::new(heap);
    thread::spawn(move || f(&h, &mut m))
}

/// Initial graph (the snapshot), objects 0..5; 5 is reserved for B's allocation:
///
/// ```text
/// A's root 0: f0 -> 3, f1 -> 2        2 (shared, not a root): f0 -> 4, f1 -> None
/// B's root 1: f0 -> 2                 3, 4: leaves
/// ```
const SNAPSHOT: usize = 5;
const ROOTS: [usize; 2] = [0, 1];

/// The start-of-cycle stop: builds the snapshot graph (one fresh object reserved), shades the
/// roots and publishes them; returns the heap and the collector's marker.
fn start_of_cycle() -> (Arc<Heap>, Marker) {
    let heap = Arc::new(Heap::new(6, 1));
    heap.init(0, [Some(3), Some(2)]);
    heap.init(1, [Some(2), None]);
    heap.init(2, [Some(4), None]);
    let mut gc = Marker::new(&heap);
    for r in ROOTS {
        gc.shade(r);
    }
    gc.publish();
    (heap, gc)
}

/// Mutator A moves 3 from its root into the shared object 2, then deletes the root's edge:
/// afterwards 3 is reachable only through `2.f1`.
fn mutator_a(h: &Heap, m: &mut Marker) {
    let s = h.load(0, 1).unwrap(); // 2
    let x = h.load(0, 0); // Some(3)
    h.store(m, s, 1, x);
    h.store(m, 0, 0, None);
}

/// Mutator B moves 4 under a fresh black object: afterwards 4 is reachable only through 5,
/// which no marker ever scans.
fn mutator_b(h: &Heap, m: &mut Marker) {
    let s = h.load(1, 0).unwrap(); // 2
    let y = h.load(s, 0); // Some(4)
    let n = h.alloc(5, [y, None]);
    h.store(m, s, 0, Some(n));
}

/// Two mutators and one mark worker (scanning one field per step, so objects are released
/// gray between chunks), every interleaving up to the preemption bound.
///
/// Breaking the protocol makes this test fail (each checked by hand, then restored):
/// - no barrier at all (`store_owned` just writes): loom reports "Causality violation:
///   Concurrent read and write accesses" (the worker's unlocked read of a field
///   against the mutator's write);
/// - a barrier that takes the object and releases it black without scanning it: "object 3
///   reachable at the end but unmarked" (A's move is lost; found with no preemption at all);
/// - a barrier that treats BUSY like BLACK (writes without waiting for the holder), or a worker
///   that scans an object it found BUSY: the data race above;
/// - any of the orderings weakened to `Relaxed`: the `Release` store of BLACK, the `Release` of
///   `release_gray`, the `Acquire` load in `acquire` (its BLACK fast path) or the CAS's
///   `Acquire` success or failure ordering: the data race above (the writer's acquire no
///   longer orders the holder's reads before its write);
/// - a fresh object allocated unmarked: "object 5 reachable at the end but unmarked";
/// - a barrier that does not publish what it shaded, or no final drain: the settled checks
///   fail (objects marked but left gray).
///
/// Every one of these shows with a preemption bound of 1. The barrier's `shade(o)` of the
/// object it blackens is not load-bearing here: every object a mutator can write is in the
/// snapshot, so the deletion half marks it anyway; dropping it fails only [`writers_exclude`],
/// whose object is white (black but unmarked after the barrier).
#[test]
fn marking_protocol() {
    let mut builder = loom::model::Builder::new();
    // Bound 3: every seeded bug listed above is found with one preemption (the unscanned
    // barrier with none), so 3 leaves a margin of two for subtler schedules (a worker
    // interrupted between taking an object and releasing it, while both mutators switch),
    // and stays cheap: about 4 s at bound 2, 30 s at bound 3 and 5 minutes at bound 4 (which
    // also passes), each step about ten times the last. `LOOM_MAX_PREEMPTIONS` overrides it.
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(3);
    }
    builder.check(|| {
        let (heap, mut gc) = start_of_cycle();

        let a = spawn(&heap, mutator_a);
        let b = spawn(&heap, mutator_b);
        let w = spawn(&heap, |_, m| m.drain());
        a.join().unwrap();
        b.join().unwrap();
        w.join().unwrap();

        // The final stop: re-check the queues.
        gc.drain();

        // The mutators did what they say.
        assert_eq!(heap.peek(0, 0), None);
        assert_eq!(heap.peek(2, 0), Some(5));
        assert_eq!(heap.peek(2, 1), Some(3));
        assert_eq!(heap.peek(5, 0), Some(4));

        let reach = heap.reachable(&ROOTS);
        for (o, &r) in reach.iter().enumerate() {
            assert!(
                !r || heap.marked(o),
                "object {o} reachable at the end but unmarked"
            );
        }
        for o in 0..SNAPSHOT {
            assert!(
                heap.marked(o),
                "object {o} reachable at the snapshot but unmarked"
            );
        }
        heap.check_settled();
    });
}

/// Mutual exclusion alone: a worker scanning object 0 (one field per step, so it may release
/// it gray between its two fields) while a mutator's barrier blackens it for a write. 0 ends
/// black, scanned to black exactly once; its old children 1 and 2 end marked, exactly as if 0
/// were scanned once; 3, stored by the mutator (which holds it from elsewhere), is not shaded
/// by the deletion barrier; and loom reports no race between the worker's reads and the write.
/// Small enough to explore without a preemption bound.
#[test]
fn scan_and_barrier_exclude() {
    loom::model(|| {
        let heap = Arc::new(Heap::new(4, 1));
        heap.init(0, [Some(1), Some(2)]);
        heap.objs[0].mark.store(true, Relaxed);

        // 0 is gray on the worker's own deque.
        let w = spawn(&heap, |_, m| {
            m.local.push((0, 0));
            m.drain();
        });
        let b = spawn(&heap, |h, m| h.store(m, 0, 0, Some(3)));
        w.join().unwrap();
        b.join().unwrap();
        Marker::new(&heap).drain();

        assert_eq!(heap.peek(0, 0), Some(3));
        let marked: Vec<bool> = (0..4).map(|o| heap.marked(o)).collect();
        assert_eq!(marked, [true, true, true, false]);
        assert_eq!(heap.blackened(), [1, 1, 1, 0]);
        heap.check_settled();
    });
}

/// Two mutators writing different fields of one object, each its own cell (no lock between
/// them): one blackens it, the other waits for it or finds it black, and neither write races
/// with the other's scan. 0 is scanned to black once, and marked (the barrier shades the
/// object it blackens: black implies marked); its old children 1 and 2 are shaded.
#[test]
fn writers_exclude() {
    loom::model(|| {
        let heap = Arc::new(Heap::new(5, 1));
        heap.init(0, [Some(1), Some(2)]);
        // 0 is white: the writers reached it through a parent not scanned yet (not modelled).

        let a = spawn(&heap, |h, m| h.store_owned(m, 0, 0, Some(3)));
        let b = spawn(&heap, |h, m| h.store_owned(m, 0, 1, Some(4)));
        a.join().unwrap();
        b.join().unwrap();
        Marker::new(&heap).drain();

        assert_eq!((heap.peek(0, 0), heap.peek(0, 1)), (Some(3), Some(4)));
        assert_eq!(heap.blackened(), [1, 1, 1, 0, 0]);
        heap.check_settled();
    });
}

/// The ragged mark termination (`Shared::marking_done`): the mutators run the moves of
/// [`marking_protocol`] with their barriers counted as operations, the worker drains and stops,
/// and the collector decides that marking is complete without stopping the mutators: every
/// counter even and unchanged around a look at the injector that finds it empty (else it drains
/// what it found, as the workers would, and checks again). The mutators go on after that. At
/// the end, nothing may have been published after the decision (no gray object appeared once
/// marking was declared complete), and everything reachable must be marked.
///
/// Without the `Release` fence after a barrier counts its operation (`MutatorState::begin_op`)
/// this fails at once: the worker sees the barrier's hold on object 2 (an `Acquire`-only CAS),
/// skips 2 and stops; the collector, after joining the worker, can still read the barrier's
/// counter as 0, finds the injector empty and declares marking complete while 2 is gray and
/// its child 4 white ("gray objects published after termination: [(2, 0), (4, 0)]").
#[test]
fn ragged_termination() {
    let mut builder = loom::model::Builder::new();
    // Bound 1: the missing fence below is found within it; bound 2 passes too, in about 10 min.
    builder.preemption_bound = Some(1);
    builder.check(|| {
        let (heap, mut gc) = start_of_cycle();

        let counters = [Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0))];
        let counted = |f: fn(&Heap, &mut Marker), ops: &Arc<AtomicUsize>| {
            let h = heap.clone();
            let mut m = Marker::new(&heap);
            m.ops = Some(ops.clone());
            thread::spawn(move || f(&h, &mut m))
        };
        let a = counted(mutator_a, &counters[0]);
        let b = counted(mutator_b, &counters[1]);
        let w = spawn(&heap, |_, m| m.drain());
        w.join().unwrap();

        // The collector's check, while the mutators run.
        loop {
            let before: Vec<usize> = counters.iter().map(|c| c.load(SeqCst)).collect();
            if before.iter().all(|n| n % 2 == 0) {
                fence(SeqCst);
                let work = !heap.injector.lock().unwrap().is_empty();
                if work {
                    gc.drain();
                    continue;
                }
                fence(SeqCst);
                let after: Vec<usize> = counters.iter().map(|c| c.load(SeqCst)).collect();
                if after == before {
                    break;
                }
            }
            thread::yield_now();
        }

        let at_end: Vec<(bool, usize)> = (0..6)
            .map(|o| (heap.marked(o), heap.objs[o].state.load(SeqCst)))
            .collect();
        a.join().unwrap();
        b.join().unwrap();
        let late = heap.injector.lock().unwrap().clone();
        assert!(
            late.is_empty(),
            "gray objects published after termination: {late:?}, marked {:?}, at termination {at_end:?}",
            (0..6).map(|o| heap.marked(o)).collect::<Vec<_>>()
        );
        let reach = heap.reachable(&ROOTS);
        for (o, &r) in reach.iter().enumerate() {
            assert!(
                !r || heap.marked(o),
                "object {o} reachable at the end but unmarked"
            );
        }
        heap.check_settled();
    });
}
