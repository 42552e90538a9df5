//! Cleanups (Go's `runtime.AddCleanup`): a function to run once an object is found unreachable.
//!
//! [`Gc::add_cleanup`] lists the object's address with a closure in the heap's
//! [`CleanupTable`]. The closure and its argument are `Send + 'static`, so they cannot hold a
//! `Gc` of the heap: a cleanup cannot resurrect its object, and cleanups need no order among
//! themselves (an object and the objects it points to may all be queued in one cycle).
//!
//! **When.** At mark end, once the mark bits are final (after the weak references and ephemerons
//! are cleared), the collector moves the entries whose object is unmarked to the run queue, in
//! the same pass that forgets them, before the sweep can free the object (so no listed address
//! is ever stale). The heap's cleanup thread (`gcheap-cleanup`, started with the first cleanup)
//! runs the queue in order, outside the world: a cleanup may attach a mutator, use another heap,
//! or block, without delaying a cycle. A cleanup that panics is reported on stderr and the others
//! still run.
//!
//! **Stop.** [`Cleanup::stop`] removes a listed entry; once queued, a cleanup runs.
//!
//! **Teardown.** When the heap is torn down, queued cleanups run; cleanups of objects still
//! alive then do not (as Go does not run them at exit), and their closures are dropped.
//!
//! **Precision** is the mark bit's, as for weak references: a small object without pointers
//! shares a tiny block, and its cleanup waits for the whole block; zero-sized values are not heap
//! objects and their cleanups never run.

use std::collections::VecDeque;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Weak};

use gcheap_allocator::Allocator;
use parking_lot::{Condvar, Mutex};

use crate::context::Mutation;
use crate::gc::Gc;
use crate::heap::{HeapState, HeapThread};

type CleanupFn = Box<dyn FnOnce() + Send>;

/// A listed cleanup: the object's payload address, its id and its closure.
struct Listed {
    id: u64,
    object: NonNull<u8>,
    run: CleanupFn,
}

// SAFETY: the address is only looked up in the allocator's mark bits by the collector at mark
// end, while the object is alive (entries of dead objects leave the table in the cycle that finds
// them dead, before its sweep); the closure is Send.
unsafe impl Send for Listed {}

/// The heap's cleanups: listed, queued, and the thread that runs them.
#[derive(Default)]
pub(crate) struct CleanupTable {
    listed: Mutex<Vec<Listed>>,
    next_id: AtomicU64,
    queue: Mutex<Queue>,
    wake: Condvar,
    thread: HeapThread,
}

#[derive(Default)]
struct Queue {
    ready: VecDeque<CleanupFn>,
    started: bool,
    shutdown: bool,
}

impl CleanupTable {
    fn add(&self, heap: &Arc<HeapState>, object: NonNull<u8>, run: CleanupFn) -> u64 {
        let id = self.next_id.fetch_add(1, Relaxed);
        self.listed.lock().push(Listed { id, object, run });
        let mut q = self.queue.lock();
        if !q.started {
            q.started = true;
            let heap = Arc::downgrade(heap);
            self.thread.start("gcheap-cleanup", move || run_queue(heap));
        }
        id
    }

    /// Removes a listed cleanup; false if it was queued already (or stopped before).
    fn stop(&self, id: u64) -> bool {
        let mut listed = self.listed.lock();
        match listed.iter().position(|l| l.id == id) {
            Some(i) => {
                drop(listed.swap_remove(i));
                true
            }
            None => false,
        }
    }

    /// At mark end, the mark final: queues the cleanups of unmarked objects.
    pub(crate) fn queue_dead(&self, allocator: &Allocator) {
        let dead: Vec<CleanupFn> = self
            .listed
            .lock()
            .extract_if(.., |l| allocator.is_marked(l.object) == Some(false))
            .map(|l| l.run)
            .collect();
        if !dead.is_empty() {
            self.queue.lock().ready.extend(dead);
            self.wake.notify_one();
        }
    }

    /// Whether the calling thread is the cleanup thread.
    pub(crate) fn is_current_thread(&self) -> bool {
        self.thread.is_current()
    }

    /// At teardown: the thread runs what is queued and stops; the cleanups of live objects are
    /// dropped. (Anything is queued only once a cleanup was added, which started the thread.)
    pub(crate) fn shut_down(&self) {
        self.queue.lock().shutdown = true;
        self.wake.notify_one();
        self.thread.join();
        self.listed.lock().clear();
    }
}

/// The cleanup thread: runs queued cleanups until the heap shuts down.
fn run_queue(heap: Weak<HeapState>) {
    loop {
        let next = {
            let Some(heap) = heap.upgrade() else { return };
            let table = &heap.cleanups;
            let mut q = table.queue.lock();
            loop {
                if let Some(f) = q.ready.pop_front() {
                    break f;
                }
                if q.shutdown {
                    return;
                }
                table.wake.wait(&mut q);
            }
        };
        // Not holding the heap: a cleanup that drops its last handle tears it down (from
        // another thread, see `HeapOwner`).
        run_one(next);
    }
}

fn run_one(f: CleanupFn) {
    if catch_unwind(AssertUnwindSafe(f)).is_err() {
        eprintln!("gcheap: a cleanup panicked (the other cleanups still run)");
    }
}

/// A registered cleanup (Go's `runtime.Cleanup`), from [`Gc::add_cleanup`]. Dropping it leaves
/// the cleanup registered; [`stop`](Cleanup::stop) cancels it.
pub struct Cleanup {
    heap: Weak<HeapState>,
    id: u64,
}

impl Cleanup {
    /// Cancels the cleanup if it has not been queued to run yet (Go's `Cleanup.Stop`); returns
    /// whether it was cancelled. Once the collector has queued it, it runs.
    pub fn stop(&self) -> bool {
        self.heap
            .upgrade()
            .is_some_and(|heap| heap.cleanups.stop(self.id))
    }
}

impl fmt::Debug for Cleanup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cleanup").field("id", &self.id).finish()
    }
}

impl<'gc, T: ?Sized + 'gc> Gc<'gc, T> {
    /// Runs `cleanup(arg)` once, on the heap's cleanup thread, after the collector finds `this`
    /// object unreachable (Go's `runtime.AddCleanup`).
    ///
    /// `arg` and `cleanup` are `Send + 'static`, so they cannot hold a `Gc`: the cleanup cannot
    /// reach the object, which is gone when it runs. Holding a [`Root`](crate::Root) of the
    /// object in either keeps it alive for ever, and the cleanup never runs. Cleanups run in no
    /// particular order relative to each other; cleanups of objects still alive when the heap
    /// is torn down do not run. See `crate::cleanup` for the details.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use gcheap_core::{Gc, Heap, Rootable};
    ///
    /// let heap = Heap::default();
    /// let mut m = heap.mutator::<Rootable![()]>(|_| ());
    /// let (tx, rx) = mpsc::channel();
    /// m.mutate(|mc, _| {
    ///     let file = Gc::new(mc, String::from("a file handle, say"));
    ///     Gc::add_cleanup(mc, file, 42, move |fd| tx.send(fd).unwrap());
    /// });
    /// m.collect();
    /// assert_eq!(rx.recv().unwrap(), 42);
    /// ```
    pub fn add_cleanup<A: Send + 'static>(
        mc: &Mutation<'gc>,
        this: Gc<'gc, T>,
        arg: A,
        cleanup: impl FnOnce(A) + Send + 'static,
    ) -> Cleanup {
        let heap = mc.heap.shared_arc();
        let id = heap
            .cleanups
            .add(heap, this.payload(), Box::new(move || cleanup(arg)));
        Cleanup {
            heap: Arc::downgrade(heap),
            id,
        }
    }
}
