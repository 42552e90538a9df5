//! The world: the mutators attached to a heap, and the lock that lets a cycle stop them.
//!
//! Every `mutate` call (and every sweep that runs drops, which may use the heap) holds the
//! heap's world lock *shared*; a stop holds it *exclusively*. A stop therefore begins only when
//! every mutator is at a boundary, between `mutate` calls, where it holds no Gc pointer (the
//! brand forbids it): the collector's mark-start stop, checkmark's verification and
//! `mem_stats` snapshots rely on that. Once a stop waits, new shared entries wait behind it, so
//! a stream of `mutate` calls cannot starve a cycle. While a stop waits,
//! [`World::stop_wanted`] is true, which `Mutation::should_yield` reports to long-running code.
//!
//! **The lock** is one atomic word: the count of shared holders and two bits, a stop waiting
//! and a stop holding the world. Entering shared is one CAS when no stop is waiting; leaving is
//! one atomic subtraction, which wakes the waiting stop when it was the last holder. Waiting
//! threads park on a mutex and condvar beside the word. Stops take turns on a mutex of their own
//! (a cycle's and a `mem_stats` snapshot's may be requested together).
//!
//! **Nesting.** A thread already inside the heap (a `mutate` of a second mutator inside a
//! first, or a Drop run by a lazy sweep that attaches a mutator) must not queue behind a waiting
//! stop: the stop waits for the outer call, which waits for the inner one. So a nested entry
//! takes no lock at all: the thread's outer hold, which outlives it (entries are scoped guards,
//! dropped in reverse order), already keeps every stop out.
//!
//! **Nesting across heaps.** A thread inside heap A that enters heap B must not queue behind a
//! *waiting* stop of B either: that stop may wait for a thread inside B that is entering A,
//! whose own stop waits for the first thread to leave A (two threads nesting two heaps in
//! opposite orders). Such an entry waits only while a stop *holds* B, which needs nobody: a stop
//! that holds the world does a bounded amount of work and releases it. For the same reason a
//! thread inside any heap is never throttled at a boundary for a cycle (`pace_at_boundary`).
//! Cross-heap entries can delay a waiting stop for as long as they keep coming; they are rare.
//!
//! **Which heaps a thread is inside.** A thread-local list records the heaps a thread is inside
//! and whether it holds one exclusively (runs its cycle); entering a heap whose stop this thread
//! holds would wait for itself, so it panics instead with a message that says why. The list
//! tolerates being destroyed (a `Mutator` kept in a thread-local and dropped at thread exit
//! counts as inside no heap).
//!
//! **Meeting a stop.** A mark-start stop lasts tens of microseconds, so a thread that finds the
//! world stopped yields its CPU in a loop for up to [`STOP_SPIN`] before it parks (see
//! `WorldLock::enter_after_stop`).
//!
//! **The registry.** [`World::mutators`] lists the attached mutators' states. The collector
//! reads it under a stop (shading roots, handing out the job), in the ragged mark termination
//! check (their operation counters) and when it acts for mutators parked at a boundary.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::*};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, MutexGuard};

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

/// `WorldLock::state`: a stop waits for the shared holders to leave.
const STOP_WAITING: usize = 1;
/// `WorldLock::state`: a stop holds the world.
const STOPPED: usize = 2;
/// `WorldLock::state`: one shared holder.
const ONE_HOLDER: usize = 4;

/// The world lock: shared entries and exclusive stops (see the module docs).
#[derive(Default)]
struct WorldLock {
    /// Shared holders x `ONE_HOLDER` | `STOP_WAITING` | `STOPPED`.
    state: AtomicUsize,
    /// Parks threads waiting for a stop to end, and the stop waiting for holders to leave.
    parking: Mutex<()>,
    wake: Condvar,
    /// Held for the whole of a stop: one stop at a time.
    stops: Mutex<()>,
}

impl WorldLock {
    /// Enters shared if no stop holds the world and, unless `past_waiting_stop`, none waits.
    #[inline]
    fn try_enter(&self, past_waiting_stop: bool) -> bool {
        let blocked = if past_waiting_stop {
            STOPPED
        } else {
            STOPPED | STOP_WAITING
        };
        let mut s = self.state.load(Relaxed);
        loop {
            if s & blocked != 0 {
                return false;
            }
            match self
                .state
                .compare_exchange_weak(s, s + ONE_HOLDER, Acquire, Relaxed)
            {
                Ok(_) => return true,
                Err(now) => s = now,
            }
        }
    }

    /// Enters shared, waiting as `try_enter` says.
    fn enter(&self, past_waiting_stop: bool) {
        if !self.try_enter(past_waiting_stop) {
            self.enter_after_stop(past_waiting_stop);
        }
    }

    /// Waits to enter while a stop holds the world or waits for it. A mark-start stop lasts tens
    /// of microseconds, so the caller yields its CPU in a loop before it parks: a thread that
    /// parks is woken by the collector when the stop ends, and the scheduler then tends to queue
    /// it on the collector's CPU, behind the marking the collector starts at once (measured on
    /// two cores: a latency-ring push that parked waited out the whole mark, about 1 ms, while
    /// one that yields resumes within microseconds of the stop's end).
    #[cold]
    #[inline(never)]
    fn enter_after_stop(&self, past_waiting_stop: bool) {
        let start = Instant::now();
        while start.elapsed() < STOP_SPIN {
            std::thread::yield_now();
            if self.try_enter(past_waiting_stop) {
                return;
            }
        }
        let mut parked = self.parking.lock();
        while !self.try_enter(past_waiting_stop) {
            self.wake.wait(&mut parked);
        }
    }

    /// Leaves a shared hold; the last holder to leave wakes a waiting stop.
    #[inline]
    fn leave(&self) {
        let before = self.state.fetch_sub(ONE_HOLDER, Release);
        if before & STOP_WAITING != 0 && before / ONE_HOLDER == 1 {
            // Under the parking lock: the stop checks the count under it before it waits.
            let _parked = self.parking.lock();
            self.wake.notify_all();
        }
    }

    /// Takes the world exclusively once every shared holder has left.
    fn stop(&self) -> MutexGuard<'_, ()> {
        let turn = self.stops.lock();
        self.state.fetch_or(STOP_WAITING, Relaxed);
        let mut parked = self.parking.lock();
        loop {
            let s = self.state.load(Relaxed);
            if s / ONE_HOLDER == 0 {
                // Holders that entered past the waiting stop may arrive until this succeeds.
                if self
                    .state
                    .compare_exchange(s, (s & !STOP_WAITING) | STOPPED, Acquire, Relaxed)
                    .is_ok()
                {
                    return turn;
                }
                continue;
            }
            self.wake.wait(&mut parked);
        }
    }

    /// Ends a stop and wakes the threads waiting to enter.
    fn end_stop(&self) {
        self.state.fetch_and(!STOPPED, Release);
        let _parked = self.parking.lock();
        self.wake.notify_all();
    }
}

/// How long a thread that meets a stop keeps its CPU (yielding) before it parks.
const STOP_SPIN: Duration = Duration::from_micros(500);

/// A heap's world lock, its waiting stops and its registry of mutators.
pub(crate) struct World {
    heap_id: usize,
    lock: WorldLock,
    /// Threads waiting for a stop.
    stops_waiting: AtomicUsize,
    /// The attached mutators.
    pub(crate) mutators: Mutex<Vec<Arc<MutatorState>>>,
}

impl World {
    pub(crate) fn new(heap_id: usize) -> World {
        World {
            heap_id,
            lock: WorldLock::default(),
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
            self.lock.enter(thread_is_inside_any_heap());
            Some(&self.lock)
        };
        Entry {
            _record: HoldRecord::push(self.heap_id, Hold::Shared),
            lock,
        }
    }

    /// Stops the world: waits until every mutator is at a boundary and holds them there until
    /// the returned guard is dropped. Mutators are asked to yield meanwhile.
    pub(crate) fn stop(&self) -> Stop<'_> {
        self.stops_waiting.fetch_add(1, Relaxed);
        let turn = self.lock.stop();
        self.stops_waiting.fetch_sub(1, Relaxed);
        Stop {
            _record: HoldRecord::push(self.heap_id, Hold::Exclusive),
            lock: Some((&self.lock, turn)),
        }
    }

    /// For the teardown's final sweep, which runs when no handle, mutator or thread of the heap
    /// is left to hold the lock: records this thread as holding a stop (so a Drop that tries
    /// to use the heap panics instead of waiting) without taking the lock.
    pub(crate) fn stopped_for_teardown(&self) -> Stop<'_> {
        Stop {
            _record: HoldRecord::push(self.heap_id, Hold::Exclusive),
            lock: None,
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
    lock: Option<&'a WorldLock>,
}

impl Drop for Entry<'_> {
    fn drop(&mut self) {
        if let Some(lock) = self.lock {
            lock.leave();
        }
    }
}

/// An exclusive hold of the world (see [`World::stop`]).
pub(crate) struct Stop<'a> {
    _record: HoldRecord,
    /// `None` only for the teardown, when nobody else can hold the lock; else the lock and this
    /// stop's turn among stops.
    lock: Option<(&'a WorldLock, MutexGuard<'a, ()>)>,
}

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        if let Some((lock, turn)) = self.lock.take() {
            lock.end_stop();
            drop(turn);
        }
    }
}

/// Whether this thread is inside any heap's world.
pub(crate) fn thread_is_inside_any_heap() -> bool {
    HELD.try_with(|h| !h.borrow().is_empty()).unwrap_or(false)
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
