//! The world: the mutators attached to a heap, and the lock that lets a cycle stop them.
//!
//! Every `mutate` call (and every sweep that runs drops, which may use the heap) holds the
//! heap's world lock *shared*; a stop holds it *exclusively*. A stop therefore begins only when
//! every mutator is at a boundary, between `mutate` calls, where it holds no Gc pointer (the
//! brand forbids it): the collector's mark-start stop, checkmark's verification and
//! `mem_stats` snapshots rely on that. The lock is task-fair: once a stop waits, new shared
//! entries wait behind it, so a stream of `mutate` calls cannot starve a cycle. While a stop
//! waits, [`World::stop_wanted`] is true, which `Mutation::should_yield` reports to long-running
//! code.
//!
//! **Nesting.** A thread already inside the heap (a `mutate` of a second mutator inside a
//! first, or a Drop run by a lazy sweep that attaches a mutator) must not queue behind a waiting
//! stop: the stop waits for the outer call, which waits for the inner one. So a nested entry
//! takes no lock at all: the thread's outer hold, which outlives it (entries are scoped guards,
//! dropped in reverse order), already keeps every stop out. A thread-local list records the
//! heaps a thread is inside and whether it holds one exclusively (runs its cycle); entering a
//! heap whose stop this thread holds would wait for itself, so it panics instead with a message
//! that says why. The list tolerates being destroyed (a `Mutator` kept in a thread-local and
//! dropped at thread exit counts as inside no heap).
//!
//! **Meeting a stop.** A mark-start stop lasts tens of microseconds, so a thread that finds the
//! lock stopped yields its CPU in a loop for up to [`STOP_SPIN`] before it parks (see
//! `enter_after_stop`).
//!
//! **The registry.** [`World::mutators`] lists the attached mutators' states. The collector
//! reads it under a stop (shading roots, handing out the job), in the ragged mark termination
//! check (their operation counters) and when it acts for mutators parked at a boundary.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::mutator::MutatorState;

/// How a thread holds a heap's world lock.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hold {
    /// Inside `mutate` or a sweep: the lock held shared (or covered by an outer shared hold).
    Shared,
    /// Running a stop (a cycle's, `mem_stats`', or the teardown's final sweep).
    Exclusive,
}

thread_local! {
    /// The heaps whose world this thread holds, innermost last, by heap id.
    static HELD: RefCell<Vec<(usize, Hold)>> = const { RefCell::new(Vec::new()) };
}

/// A heap's world lock, its waiting stops and its registry of mutators.
pub(crate) struct World {
    heap_id: usize,
    lock: RwLock<()>,
    /// Threads waiting for a stop.
    stops_waiting: AtomicUsize,
    /// The attached mutators.
    pub(crate) mutators: Mutex<Vec<Arc<MutatorState>>>,
}

impl World {
    pub(crate) fn new(heap_id: usize) -> World {
        World {
            heap_id,
            lock: RwLock::new(()),
            stops_waiting: AtomicUsize::new(0),
            mutators: Mutex::new(Vec::new()),
        }
    }

    /// Enters the world shared, waiting for a stop in progress or waiting, unless this thread
    /// is inside the heap already.
    ///
    /// # Panics
    /// If this thread holds a stop of this heap (a Drop run by the cycle's sweep uses the
    /// heap): waiting would wait for itself.
    pub(crate) fn enter(&self) -> Entry<'_> {
        assert!(
            !self.thread_holds_stop(),
            "gcheap: a Drop run by a sweep used its own heap (attached, used or dropped a mutator) \
             while a cycle holds the heap; a heap object's Drop must not use its own heap"
        );
        let lock = if self.thread_is_inside() {
            // The outer hold keeps stops out for as long as this entry lives.
            None
        } else {
            Some(
                self.lock
                    .try_read()
                    .unwrap_or_else(|| enter_after_stop(&self.lock)),
            )
        };
        Entry {
            _record: HoldRecord::push(self.heap_id, Hold::Shared),
            _lock: lock,
        }
    }

    /// Stops the world: waits until every mutator is at a boundary and holds them there until
    /// the returned guard is dropped. Mutators are asked to yield meanwhile.
    pub(crate) fn stop(&self) -> Stop<'_> {
        self.stops_waiting.fetch_add(1, Relaxed);
        let lock = self.lock.write();
        self.stops_waiting.fetch_sub(1, Relaxed);
        Stop {
            _record: HoldRecord::push(self.heap_id, Hold::Exclusive),
            _lock: Some(lock),
        }
    }

    /// For the teardown's final sweep, which runs when no handle, mutator or thread of the heap
    /// is left to hold the lock: records this thread as holding a stop (so a Drop that tries
    /// to use the heap panics instead of waiting) without taking the lock.
    pub(crate) fn stopped_for_teardown(&self) -> Stop<'_> {
        Stop {
            _record: HoldRecord::push(self.heap_id, Hold::Exclusive),
            _lock: None,
        }
    }

    /// Whether a stop is waiting for mutators to reach a boundary.
    #[inline]
    pub(crate) fn stop_wanted(&self) -> bool {
        self.stops_waiting.load(Relaxed) > 0
    }

    /// Whether this thread is inside the heap (in `mutate`, a sweep, or a stop).
    pub(crate) fn thread_is_inside(&self) -> bool {
        HELD.try_with(|h| h.borrow().iter().any(|&(id, _)| id == self.heap_id))
            .unwrap_or(false)
    }

    /// Whether this thread holds a stop of the heap (runs its cycle or its teardown).
    fn thread_holds_stop(&self) -> bool {
        HELD.try_with(|h| {
            h.borrow()
                .iter()
                .any(|&(id, hold)| id == self.heap_id && hold == Hold::Exclusive)
        })
        .unwrap_or(false)
    }
}

/// A shared hold of the world (see [`World::enter`]).
pub(crate) struct Entry<'a> {
    _record: HoldRecord,
    /// `None` for a nested entry, covered by the thread's outer hold.
    _lock: Option<RwLockReadGuard<'a, ()>>,
}

/// An exclusive hold of the world (see [`World::stop`]).
pub(crate) struct Stop<'a> {
    _record: HoldRecord,
    /// `None` only for the teardown, when nobody else can hold the lock.
    _lock: Option<RwLockWriteGuard<'a, ()>>,
}

/// This thread's entry in `HELD`, removed on drop (also when unwinding).
struct HoldRecord(usize);

impl HoldRecord {
    fn push(heap_id: usize, hold: Hold) -> HoldRecord {
        let _ = HELD.try_with(|h| h.borrow_mut().push((heap_id, hold)));
        HoldRecord(heap_id)
    }
}

impl Drop for HoldRecord {
    fn drop(&mut self) {
        let _ = HELD.try_with(|h| {
            let mut h = h.borrow_mut();
            if let Some(i) = h.iter().rposition(|&(id, _)| id == self.0) {
                h.remove(i);
            }
        });
    }
}

/// How long a thread that meets a stop keeps its CPU (yielding) before it parks.
const STOP_SPIN: Duration = Duration::from_micros(500);

/// Takes the world lock shared while a stop holds it or waits for it. A thread that parks is
/// woken by the collector when the stop ends, and the scheduler then tends to queue it on the
/// collector's CPU, behind the marking the collector starts at once (measured on two cores: a
/// latency-ring push that parked waited out the whole mark, about 1 ms, while one that yields
/// resumes within microseconds of the stop's end).
#[cold]
#[inline(never)]
fn enter_after_stop(lock: &RwLock<()>) -> RwLockReadGuard<'_, ()> {
    let start = Instant::now();
    while start.elapsed() < STOP_SPIN {
        std::thread::yield_now();
        if let Some(guard) = lock.try_read() {
            return guard;
        }
    }
    lock.read()
}
