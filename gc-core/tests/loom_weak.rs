#![cfg(loom)]
//! A [loom] model of the weak phase: upgrades of a weak reference racing with the collector's
//! mark end (`crate::weak`'s read barrier, `crate::mark_done`'s order).
//!
//! Run with
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test --release -p gcheap-core --test loom_weak
//! ```
//!
//! # What is modelled
//!
//! Two objects, X and Y, with an edge Y -> X, reachable only through two weak references (one to
//! each), unmarked when the mutator's thread starts: the concurrent mark has found nothing else
//! leading to them. A mutator upgrades the reference to Y, then the one to X, as
//! `read_weak_marking` does: it counts a marking operation (odd counter, SeqCst, then a Release
//! fence), reads the phase (SeqCst), and then
//!
//! - `OPEN`: loads the slot, shades the target (its mark bit) onto a private queue, publishes
//!   the queue to the shared one, and returns the target;
//! - `CLOSED`: under the weak table's lock, loads the slot and returns the target only if it is
//!   marked;
//! - `CLEARED`: loads the slot;
//!
//! ends the operation (even counter), and, if it found a non-null slot whose target is unmarked
//! in `CLOSED`, waits until the phase moves on and reads again. What it gets back it holds.
//!
//! The collector runs the ragged termination check (the counter read before and after a look at
//! the queue, with SeqCst fences, scanning what is queued: Y shades X), closes the phase, runs
//! the check again, then, under the weak table's lock, clears each slot whose target is
//! unmarked, and publishes `CLEARED`.
//!
//! loom models SeqCst accesses as AcqRel, which allows the store buffering that the phase
//! store and the counter load (and the counter increment and the phase load) exclude by their
//! SeqCst total order in the real code; a SeqCst fence after each first access stands for that
//! order here, as x86's locked instructions and `mfence` provide it there.
//!
//! # What is checked
//!
//! In every interleaving: what the mutator holds, and what it reaches from that (X from Y), is
//! marked (it survives the sweep), was not cleared, and was not refused by an upgrade (a
//! reachable target is never reported dead); and every weak reference left uncleared has a
//! marked target. Two mutations fail: without the check after the close, an upgrade that read
//! `OPEN` just before it can shade its target after the clearing pass found it unmarked; without
//! the wait, the upgrade of X can read `CLOSED` and find X unmarked although the check is about to
//! mark it from Y, which the mutator holds.
use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering::*, fence};
use loom::sync::{Arc, Mutex};
use loom::thread;

const OPEN: u8 = 0;
const CLOSED: u8 = 1;
const CLEARED: u8 = 3;

/// Object indices; 0 is a cleared slot.
const X: usize = 1;
const Y: usize = 2;

/// The mutations the model checks the protocol against.
#[derive(Clone, Copy)]
struct Protocol {
    check_after_close: bool,
    wait_when_unmarked: bool,
}

const REAL: Protocol = Protocol {
    check_after_close: true,
    wait_when_unmarked: true,
};

struct Heap {
    /// The weak references' cells, by target: `slot[X]` holds X or 0 once cleared.
    slot: [AtomicUsize; 3],
    marked: [AtomicBool; 3],
    phase: AtomicU8,
    /// The mutator's marking-operation counter (odd while one runs).
    ops: AtomicU64,
    /// The shared gray queue.
    queue: Mutex<Vec<usize>>,
    /// The weak table's lock.
    cells: Mutex<()>,
}

impl Heap {
    fn new() -> Heap {
        Heap {
            slot: [
                AtomicUsize::new(0),
                AtomicUsize::new(X),
                AtomicUsize::new(Y),
            ],
            marked: [
                AtomicBool::new(false),
                AtomicBool::new(false),
                AtomicBool::new(false),
            ],
            phase: AtomicU8::new(OPEN),
            ops: AtomicU64::new(0),
            queue: Mutex::new(Vec::new()),
            cells: Mutex::new(()),
        }
    }

    /// Sets `o`'s mark bit; if newly set, queues it on `gray`.
    fn shade(&self, o: usize, gray: &mut Vec<usize>) {
        if !self.marked[o].swap(true, SeqCst) {
            gray.push(o);
        }
    }

    /// The mutator's upgrade of the weak reference to `w`: its target, or 0 for nothing.
    fn upgrade(&self, w: usize, p: Protocol) -> usize {
        loop {
            self.ops.fetch_add(1, SeqCst);
            fence(Release);
            // Stands for the total order of the SeqCst increment and phase load (see the docs).
            fence(SeqCst);
            let phase = self.phase.load(SeqCst);
            let got = match phase {
                OPEN => {
                    let t = self.slot[w].load(Acquire);
                    if t != 0 {
                        let mut private = Vec::new();
                        self.shade(t, &mut private);
                        self.queue.lock().unwrap().extend(private);
                    }
                    t
                }
                CLOSED => {
                    let _cells = self.cells.lock().unwrap();
                    let t = self.slot[w].load(Acquire);
                    if t != 0 && self.marked[t].load(SeqCst) {
                        t
                    } else {
                        0
                    }
                }
                _ => self.slot[w].load(Acquire),
            };
            self.ops.fetch_add(1, SeqCst);
            if got == 0
                && phase == CLOSED
                && p.wait_when_unmarked
                && self.slot[w].load(Acquire) != 0
            {
                while self.phase.load(SeqCst) == CLOSED {
                    thread::yield_now();
                }
                continue;
            }
            return got;
        }
    }

    /// The ragged termination check, scanning what is queued (Y shades X) until it passes.
    fn finish_marking(&self) {
        loop {
            let before = self.ops.load(SeqCst);
            if before.is_multiple_of(2) {
                fence(SeqCst);
                let gray: Vec<usize> = std::mem::take(&mut *self.queue.lock().unwrap());
                if !gray.is_empty() {
                    let mut more = Vec::new();
                    for o in gray {
                        if o == Y {
                            self.shade(X, &mut more);
                        }
                    }
                    self.queue.lock().unwrap().extend(more);
                    continue;
                }
                fence(SeqCst);
                if self.ops.load(SeqCst) == before {
                    return;
                }
            }
            thread::yield_now();
        }
    }

    /// The collector's mark end: check, close, check again, clear, publish.
    fn mark_end(&self, p: Protocol) {
        self.finish_marking();
        self.phase.store(CLOSED, SeqCst);
        // Stands for the total order of the SeqCst phase store and counter load.
        fence(SeqCst);
        if p.check_after_close {
            self.finish_marking();
        }
        {
            let _cells = self.cells.lock().unwrap();
            for o in [X, Y] {
                if self.slot[o].load(Relaxed) != 0 && !self.marked[o].load(SeqCst) {
                    self.slot[o].store(0, Release);
                }
            }
        }
        self.phase.store(CLEARED, Release);
    }
}

/// Runs the model over every interleaving; panics on the first that breaks an invariant.
fn model(p: Protocol) {
    loom::model(move || {
        let heap = Arc::new(Heap::new());
        let mutator = {
            let heap = heap.clone();
            thread::spawn(move || {
                let y = heap.upgrade(Y, p);
                let x = heap.upgrade(X, p);
                (y, x)
            })
        };
        heap.mark_end(p);
        let (y, x) = mutator.join().unwrap();
        let mut held = Vec::new();
        if y == Y {
            // The mutator reaches X through Y.
            held.extend([Y, X]);
            assert_eq!(
                x, X,
                "X was refused while the mutator held Y, which leads to it"
            );
        }
        if x == X {
            held.push(X);
        }
        for o in held {
            assert!(
                heap.marked[o].load(SeqCst),
                "object {o} is held but unmarked"
            );
            assert_eq!(
                heap.slot[o].load(SeqCst),
                o,
                "object {o} is held but its weak reference was cleared"
            );
        }
        for o in [X, Y] {
            if heap.slot[o].load(SeqCst) != 0 {
                assert!(
                    heap.marked[o].load(SeqCst),
                    "an uncleared weak reference to unmarked {o}"
                );
            }
        }
    });
}

#[test]
fn upgrades_race_the_weak_phase() {
    model(REAL);
}

/// The model is strong enough to need the check after the close: without it, it fails.
#[test]
fn the_check_after_the_close_is_needed() {
    let failed = std::panic::catch_unwind(|| {
        model(Protocol {
            check_after_close: false,
            ..REAL
        })
    })
    .is_err();
    assert!(
        failed,
        "loom found no interleaving that needs the check after the close"
    );
}

/// And it needs the wait: without it, an upgrade in `CLOSED` refuses an object the check is
/// about to mark.
#[test]
fn the_wait_for_final_marks_is_needed() {
    let failed = std::panic::catch_unwind(|| {
        model(Protocol {
            wait_when_unmarked: false,
            ..REAL
        })
    })
    .is_err();
    assert!(failed, "loom found no interleaving that needs the wait");
}
