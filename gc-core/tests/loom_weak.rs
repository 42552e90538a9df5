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
//! One object T, reachable only through a weak reference (its slot holds T or, once cleared,
//! nothing), unmarked when the mutator's thread starts: the concurrent mark has found nothing
//! else leading to it. A mutator upgrades the reference twice, as `read_weak_marking` does: it
//! counts a marking operation (odd counter, SeqCst, then a Release fence), reads the phase
//! (SeqCst), and then
//!
//! - `OPEN`: loads the slot and shades T (its mark bit) onto a private queue, publishes the
//!   queue to the shared one, and returns T;
//! - `CLOSED`: under the weak table's lock, loads the slot and returns T only if it is marked;
//! - `CLEARED`: loads the slot;
//!
//! and ends the operation (even counter). A T it gets back it holds (a strong pointer).
//!
//! The collector runs the ragged termination check (the counter read before and after a look at
//! the queue, with SeqCst fences, draining the queue while it is not empty), closes the phase,
//! runs the check again, then, under the weak table's lock, clears the slot if T is unmarked, and
//! publishes `CLEARED`.
//!
//! loom models SeqCst accesses as AcqRel, which allows the store buffering that the phase
//! store and the counter load (and the counter increment and the phase load) exclude by their
//! SeqCst total order in the real code; a SeqCst fence after each first access stands for that
//! order here, as x86's locked instructions and `mfence` provide it there.
//!
//! # What is checked
//!
//! In every interleaving: a T the mutator holds is marked (it survives the sweep) and its weak
//! reference was not cleared (a reachable target is never cleared); once an upgrade returned
//! nothing, the next returns nothing too; and a weak reference left uncleared has a marked
//! target. Without the second check after the close, an upgrade that read `OPEN` just before
//! it can shade T after the clearing pass found it unmarked and cleared the slot: the mutator
//! holds T through a cleared reference. loom finds that interleaving.

use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering::*, fence};
use loom::sync::{Arc, Mutex};
use loom::thread;

const OPEN: u8 = 0;
const CLOSED: u8 = 1;
const CLEARED: u8 = 3;

/// T's index; 0 is a cleared slot.
const T: usize = 1;

struct Heap {
    /// The weak reference's cell: T, or 0 once cleared.
    slot: AtomicUsize,
    /// T's mark bit.
    marked: AtomicBool,
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
            slot: AtomicUsize::new(T),
            marked: AtomicBool::new(false),
            phase: AtomicU8::new(OPEN),
            ops: AtomicU64::new(0),
            queue: Mutex::new(Vec::new()),
            cells: Mutex::new(()),
        }
    }

    /// The mutator's upgrade: T, or 0 for nothing.
    fn upgrade(&self) -> usize {
        self.ops.fetch_add(1, SeqCst);
        fence(Release);
        // Stands for the total order of the SeqCst increment and phase load (see the docs).
        fence(SeqCst);
        let got = match self.phase.load(SeqCst) {
            OPEN => {
                let t = self.slot.load(Acquire);
                if t != 0 {
                    let mut private = Vec::new();
                    if !self.marked.swap(true, SeqCst) {
                        private.push(t);
                    }
                    self.queue.lock().unwrap().extend(private);
                }
                t
            }
            CLOSED => {
                let _cells = self.cells.lock().unwrap();
                let t = self.slot.load(Acquire);
                if t != 0 && self.marked.load(SeqCst) {
                    t
                } else {
                    0
                }
            }
            _ => self.slot.load(Acquire),
        };
        self.ops.fetch_add(1, SeqCst);
        got
    }

    /// The ragged termination check, draining the queue (T has no fields to scan) until it
    /// passes.
    fn finish_marking(&self) {
        loop {
            let before = self.ops.load(SeqCst);
            if before.is_multiple_of(2) {
                fence(SeqCst);
                let work = !self.queue.lock().unwrap().is_empty();
                if work {
                    self.queue.lock().unwrap().clear();
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
    fn mark_end(&self, check_after_close: bool) {
        self.finish_marking();
        self.phase.store(CLOSED, SeqCst);
        // Stands for the total order of the SeqCst phase store and counter load.
        fence(SeqCst);
        if check_after_close {
            self.finish_marking();
        }
        {
            let _cells = self.cells.lock().unwrap();
            if self.slot.load(Relaxed) != 0 && !self.marked.load(SeqCst) {
                self.slot.store(0, Release);
            }
        }
        self.phase.store(CLEARED, Release);
    }
}

/// Runs the model over every interleaving; panics on the first that breaks an invariant.
fn model(check_after_close: bool) {
    loom::model(move || {
        let heap = Arc::new(Heap::new());
        let mutator = {
            let heap = heap.clone();
            thread::spawn(move || {
                let first = heap.upgrade();
                let second = heap.upgrade();
                assert!(
                    first != 0 || second == 0,
                    "an upgrade returned T after one returned nothing"
                );
                first.max(second)
            })
        };
        heap.mark_end(check_after_close);
        let held = mutator.join().unwrap();
        let marked = heap.marked.load(SeqCst);
        let slot = heap.slot.load(SeqCst);
        if held == T {
            assert!(
                marked,
                "the mutator holds T, which is unmarked: it would be freed"
            );
            assert_eq!(
                slot, T,
                "the mutator holds T through a cleared weak reference"
            );
        }
        if slot == T {
            assert!(marked, "an uncleared weak reference to an unmarked T");
        }
    });
}

#[test]
fn upgrades_race_the_weak_phase() {
    model(true);
}

/// The model is strong enough to need the second check: without it, some interleaving fails.
#[test]
fn the_check_after_the_close_is_needed() {
    let failed = std::panic::catch_unwind(|| model(false)).is_err();
    assert!(
        failed,
        "loom found no interleaving that needs the check after the close"
    );
}
