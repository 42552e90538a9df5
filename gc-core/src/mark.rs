//! Parallel marking: gray objects in work-stealing deques, drained by `gc_workers` threads.
//!
//! Marking is iterative. Marking an object sets its bit in the allocator's side bitmap; if the bit
//! was clear and the object can hold Gc pointers, its base address goes onto the marking thread's
//! own deque (gray). A worker pops gray objects from its deque (LIFO, so a linked list is followed
//! depth-first with a queue one entry deep), scans them with their type's trace glue, and steals
//! from the other workers when its deque is empty. Slices are scanned `SCAN_CHUNK` elements per
//! step; the rest goes back on the deque as one entry, so huge arrays split across workers.
//!
//! **Termination.** A worker that finds no work (its deque empty, nothing to steal) counts itself
//! idle and watches the other deques. Only non-idle workers push, and an idle worker's own deque
//! is empty, so once all `n` workers are idle no gray object is left anywhere: marking is done.
//! A worker that sees work again leaves the idle count before stealing.
//!
//! The pool's threads live as long as the heap and sleep between cycles; the thread that runs the
//! cycle is worker 0, so `gc_workers = 1` marks with no thread hand-off at all.

use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::*};
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_deque::{Steal, Stealer, Worker};
use gcheap_allocator::Allocator;
use parking_lot::{Condvar, Mutex};

use crate::object::{ObjectType, base_of, descriptor_at};
use crate::trace::{Tracer, TracerKind};

/// A gray object: the base of an object with a header, and the first slice element not yet
/// scanned (0 for sized objects).
#[derive(Clone, Copy)]
pub(crate) struct Gray {
    base: NonNull<u8>,
    start: usize,
}

// SAFETY: a gray entry is an address of a heap object, valid on any thread while marking runs
// (no object is freed during marking); the deque's publication is the release/acquire edge that
// makes the object's contents visible to the thread that scans it.
unsafe impl Send for Gray {}

/// One cycle's marking state, shared by the workers.
pub(crate) struct MarkJob {
    stealers: Vec<Stealer<Gray>>,
    workers: Mutex<Vec<Option<Worker<Gray>>>>,
    idle: AtomicUsize,
    n: usize,
    pub(crate) marked_bytes: AtomicU64,
    /// Nanoseconds the workers spent marking, summed (GC CPU time).
    pub(crate) busy_ns: AtomicU64,
}

impl MarkJob {
    pub(crate) fn new(n: usize) -> MarkJob {
        let workers: Vec<Worker<Gray>> = (0..n).map(|_| Worker::new_lifo()).collect();
        MarkJob {
            stealers: workers.iter().map(|w| w.stealer()).collect(),
            workers: Mutex::new(workers.into_iter().map(Some).collect()),
            idle: AtomicUsize::new(0),
            n,
            marked_bytes: AtomicU64::new(0),
            busy_ns: AtomicU64::new(0),
        }
    }

    /// Worker `index`'s marker. Each index is taken once.
    pub(crate) fn marker(&self, index: usize, allocator: &Allocator) -> Marker {
        let local = self.workers.lock()[index]
            .take()
            .expect("each mark worker index is taken once");
        Marker {
            local,
            allocator: allocator.clone(),
            marked_bytes: 0,
        }
    }

    fn any_work(&self) -> bool {
        self.stealers.iter().any(|s| !s.is_empty())
    }

    fn steal(&self, me: usize, local: &Worker<Gray>) -> Option<Gray> {
        loop {
            let mut retry = false;
            for i in (me + 1..self.n).chain(0..me) {
                match self.stealers[i].steal_batch_and_pop(local) {
                    Steal::Success(g) => return Some(g),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            if !retry {
                return None;
            }
        }
    }

    /// Runs worker `index` with `marker` until marking is complete.
    ///
    /// A panic while marking (a `Trace` impl that panics) aborts the process: a half-marked heap
    /// cannot be swept (live objects would be freed) nor marked again without clearing every mark
    /// bit, and the other workers would wait for this one forever.
    pub(crate) fn run(&self, index: usize, marker: Marker) {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.run_inner(index, marker)
        }));
        if result.is_err() {
            eprintln!(
                "gcheap: a Trace impl panicked during marking; aborting (the heap cannot recover)"
            );
            std::process::abort();
        }
    }

    fn run_inner(&self, index: usize, mut marker: Marker) {
        let started = Instant::now();
        'work: loop {
            while let Some(gray) = marker
                .local
                .pop()
                .or_else(|| self.steal(index, &marker.local))
            {
                marker.scan(gray);
            }
            self.idle.fetch_add(1, SeqCst);
            let mut spins = 0u32;
            loop {
                if self.idle.load(SeqCst) == self.n {
                    break 'work;
                }
                if self.any_work() {
                    self.idle.fetch_sub(1, SeqCst);
                    continue 'work;
                }
                spins += 1;
                if spins < 64 {
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
        }
        self.marked_bytes.fetch_add(marker.marked_bytes, Relaxed);
        self.busy_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Relaxed);
    }
}

/// A mark worker's private state: its deque and counters.
pub(crate) struct Marker {
    local: Worker<Gray>,
    allocator: Allocator,
    marked_bytes: u64,
}

impl Marker {
    /// Marks the object of type `T` whose payload is at `payload`; queues it if it must be scanned.
    #[inline]
    pub(crate) fn mark<T: ObjectType + ?Sized>(&mut self, payload: NonNull<u8>) {
        let base = base_of::<T>(payload);
        if let Some(size) = self.allocator.mark_object(base) {
            self.marked_bytes += size as u64;
            if T::NEEDS_SCAN {
                self.local.push(Gray { base, start: 0 });
            }
        }
    }

    /// Scans one gray entry: one sized object, or one chunk of a slice.
    fn scan(&mut self, gray: Gray) {
        // SAFETY: only objects with headers are queued, and their headers were written at
        // allocation, before any Gc to them existed.
        let desc = unsafe { descriptor_at(gray.base) };
        let Some(trace) = desc.trace else {
            unreachable!(
                "a {} was queued for scanning but holds no Gc pointers",
                (desc.name)()
            )
        };
        let mut tracer = Tracer {
            kind: TracerKind::Mark(self),
        };
        // SAFETY: the object is live (reachable: it was marked from a root) and initialized.
        if let Some(next) = unsafe { trace(gray.base, gray.start, &mut tracer) } {
            self.local.push(Gray {
                base: gray.base,
                start: next,
            });
        }
    }
}

/// The mark worker threads of one heap, asleep between cycles.
pub(crate) struct WorkerPool {
    state: Mutex<PoolState>,
    wake: Condvar,
    done: Condvar,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

#[derive(Default)]
struct PoolState {
    job: Option<Arc<MarkJob>>,
    generation: u64,
    running: usize,
    shutdown: bool,
}

impl WorkerPool {
    pub(crate) fn new() -> Arc<WorkerPool> {
        Arc::new(WorkerPool {
            state: Mutex::new(PoolState::default()),
            wake: Condvar::new(),
            done: Condvar::new(),
            threads: Mutex::new(Vec::new()),
        })
    }

    /// Marks to completion with `job.n` workers: this thread is worker 0 and runs `first`
    /// (its marker, already holding the roots' gray objects); pool threads take the rest.
    pub(crate) fn mark(self: &Arc<Self>, job: &Arc<MarkJob>, allocator: &Allocator, first: Marker) {
        let helpers = job.n - 1;
        if helpers > 0 {
            self.spawn_up_to(helpers, allocator);
            let mut st = self.state.lock();
            st.job = Some(job.clone());
            st.generation += 1;
            st.running = helpers;
            self.wake.notify_all();
        }
        job.run(0, first);
        if helpers > 0 {
            let mut st = self.state.lock();
            while st.running > 0 {
                self.done.wait(&mut st);
            }
            st.job = None;
        }
    }

    fn spawn_up_to(self: &Arc<Self>, helpers: usize, allocator: &Allocator) {
        let mut threads = self.threads.lock();
        while threads.len() < helpers {
            let index = threads.len() + 1;
            let pool = self.clone();
            let allocator = allocator.clone();
            let generation = self.state.lock().generation;
            let handle = std::thread::Builder::new()
                .name(format!("gcheap-mark-{index}"))
                .spawn(move || pool.worker_loop(index, generation, allocator))
                .expect("failed to spawn a gcheap mark worker thread");
            threads.push(handle);
        }
    }

    fn worker_loop(&self, index: usize, mut seen: u64, allocator: Allocator) {
        loop {
            let job = {
                let mut st = self.state.lock();
                loop {
                    if st.shutdown {
                        return;
                    }
                    if st.generation != seen {
                        seen = st.generation;
                        if let Some(job) = st.job.clone().filter(|j| index < j.n) {
                            break job;
                        }
                    }
                    self.wake.wait(&mut st);
                }
            };
            let marker = job.marker(index, &allocator);
            job.run(index, marker);
            drop(job);
            let mut st = self.state.lock();
            st.running -= 1;
            if st.running == 0 {
                self.done.notify_all();
            }
        }
    }

    /// Stops and joins the pool's threads.
    pub(crate) fn shutdown(&self) {
        self.state.lock().shutdown = true;
        self.wake.notify_all();
        for t in self.threads.lock().drain(..) {
            let _ = t.join();
        }
    }
}

impl Tracer<'_> {
    /// Marks the target of a Gc pointer (its payload address) and queues it for scanning.
    #[inline]
    pub(crate) fn mark_gc<T: ObjectType + ?Sized>(&mut self, payload: NonNull<u8>) {
        match &mut self.kind {
            TracerKind::Mark(m) => m.mark::<T>(payload),
            TracerKind::Verify(v) => v.visit::<T>(payload),
        }
    }
}
