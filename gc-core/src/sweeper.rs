//! The background sweeper and scavenger (Go's `bgsweep` and `bgscavenge`).
//!
//! After each cycle's sweep starts, spans are swept by whoever gets to them first: allocation
//! sweeps the spans it needs (lazy sweeping, in the allocator), the next cycle finishes what is
//! left (sweep termination), and this thread sweeps everything else in the background, so that
//! dead objects are dropped and their memory reused soon without mutators paying for it.
//!
//! It sweeps in batches of 32 spans, each batch inside the world (shared), because sweeping runs
//! drops, which may use the heap; between batches a waiting stop gets in. When a cycle is
//! requested it yields its CPU between batches: on two cores, a sweeper that kept going delayed
//! the woken collector thread by milliseconds while the heap grew past its goal, and one that
//! stopped outright left a cycle's garbage counted in `HeapAlloc` until the next sweep
//! termination when cycles follow each other closely.
//!
//! Once a sweep is done it scavenges: it returns idle memory above Go's background scavenger
//! goal (about 10% over the heap goal, and under the memory limit) to the OS.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use crate::heap::{HeapState, HeapThread};

/// The background sweeper thread and its wake-up state.
#[derive(Default)]
pub(crate) struct Sweeper {
    state: Mutex<SweeperState>,
    wake: Condvar,
    thread: HeapThread,
    /// Nanoseconds spent sweeping (part of GCCPUFraction).
    pub(crate) sweep_ns: AtomicU64,
}

#[derive(Default)]
struct SweeperState {
    /// A sweep cycle started since the thread last looked.
    pending: bool,
    shutdown: bool,
}

impl Sweeper {
    /// Starts the sweeper thread of `heap`.
    pub(crate) fn spawn(heap: &Arc<HeapState>) {
        let for_thread = heap.clone();
        heap.sweeper
            .thread
            .start("gcheap-sweeper", move || for_thread.sweeper_loop());
    }

    /// Tells the thread that a sweep cycle started.
    pub(crate) fn kick(&self) {
        self.state.lock().pending = true;
        self.wake.notify_one();
    }

    /// Whether the calling thread is the sweeper.
    pub(crate) fn is_current_thread(&self) -> bool {
        self.thread.is_current()
    }

    /// Stops the thread and waits for it (after its current batch).
    pub(crate) fn shut_down(&self) {
        self.state.lock().shutdown = true;
        self.wake.notify_one();
        self.thread.join();
    }
}

impl HeapState {
    /// The sweeper thread: after each cycle, sweeps every span in batches, then scavenges.
    fn sweeper_loop(&self) {
        loop {
            {
                let mut st = self.sweeper.state.lock();
                while !st.pending && !st.shutdown {
                    self.sweeper.wake.wait(&mut st);
                }
                if st.shutdown {
                    return;
                }
                st.pending = false;
            }
            let start = Instant::now();
            loop {
                // A cycle is wanted: the collector thread it wakes needs a core more than the
                // sweep does (see the module docs).
                if self.gc_requested.load(Relaxed) {
                    std::thread::yield_now();
                }
                let _world = self.world.enter();
                let mut more = true;
                for _ in 0..32 {
                    more = self.allocator.sweep_one();
                    if !more {
                        break;
                    }
                }
                if !more {
                    break;
                }
            }
            self.scavenge();
            self.sweeper
                .sweep_ns
                .fetch_add(start.elapsed().as_nanos() as u64, Relaxed);
        }
    }

    /// Go's background scavenger goal: keep at most ~10% over the heap goal (and under the
    /// memory limit) backed by the OS.
    fn scavenge(&self) {
        let s = self.allocator.stats();
        let goal = self.pacer.goal.load(Relaxed);
        let mut keep = goal.saturating_add(goal / 10);
        let limit = self.pacer.memory_limit.load(Relaxed);
        if limit != u64::MAX {
            keep = keep.min(limit.saturating_sub(s.sys - s.heap_sys));
        }
        let retained_idle = keep.saturating_sub(s.heap_inuse);
        self.allocator.scavenge_to(retained_idle as usize);
    }
}
