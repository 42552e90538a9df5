//! The collection cycle (Go's `mgc.go`): the collector thread, a cycle cut into its phases, the
//! ragged mark termination, and the gctrace line.
//!
//! Cycles run on the heap's collector thread (`gcheap-gc`), started when the pacer's trigger is
//! crossed (a mutator's allocation report wakes it, [`HeapState::request_cycle`]) or by
//! `collect()`, which waits for a cycle that *starts* after the call (concurrent calls may share
//! one, as Go's `runtime.GC` calls do). Mutators keep running through most of a cycle:
//!
//! 1. **Sweep termination** (concurrent): finish sweeping the previous cycle, inside the world
//!    (shared), since the drops it runs may use the heap.
//! 2. **Mark start** (a brief stop, [`crate::world`]): every mutator is at a boundary, holding no
//!    Gc pointer. Caches still holding spans from before the last sweep release them, the
//!    cycle's black bit flips, every mutator's root object is scanned (so that no marker reads it
//!    while its mutator runs: see [`crate::mutator`]) and every persistent root is shaded, and
//!    each mutator gets the job: its barrier and allocate-black are on exactly while it
//!    holds one. From here on every mutator is *scanned*: all it can reach is either reachable
//!    from those roots now (the snapshot) or allocated during the cycle, which is black.
//!    Mutators parked outside `mutate` cost nothing.
//! 3. **Concurrent mark** ([`crate::mark`]): `gc_workers` threads (this one and the pool's)
//!    drain gray objects while mutators run. Mutators take part: the write barrier
//!    ([`crate::barrier`]) blackens each object before its first write in the cycle, allocation
//!    is black and pays mark assists ([`crate::alloc`]).
//! 4. **Mark termination** (ragged, no stop, [`crate::mark_done`]): once the workers are
//!    idle, the collector checks that no gray object is left anywhere without stopping anyone;
//!    then the weak phase clears weak references, resurrects what guardians keep, clears dead
//!    ephemerons and queues cleanups, mutators running throughout. Checkmark mode then stops the
//!    world to re-mark and compare ([`crate::verify`]).
//! 5. **Sweep start** (concurrent): the allocator's sweep cycle starts while mutators run. Their
//!    caches may still hold spans from before it: the sweep reads those when a cache releases
//!    them, so until then their mutators keep the job and allocate black there
//!    (`Allocator::mark_new_object`); each releases them and drops the job at its next boundary
//!    (the collector does it at once for mutators parked at one). Lazy and background
//!    ([`crate::sweeper`]) sweeping run the drops through the sweep hook. `collect()` does not
//!    wait for those boundaries: it ends with a brief stop of its own that releases every
//!    cache's spans ([`HeapState::finish_sweep_everywhere`]), then finishes the sweep, so that
//!    on its return every object unreachable at the mark has been dropped.
//!
//! The mark-start stop is the one stop-the-world phase left (ARCHITECTURE.md lists it as a
//! gap): it waits for every mutator inside `mutate` to return (they see
//! [`Mutation::should_yield`](crate::Mutation::should_yield)) and then does a few microseconds
//! of work. The work is recorded as the cycle's pause (with the checkmark stop when that is on),
//! the longest in `max_pause_ns`; the wait for mutators as its stopping time.
//!
//! **Failure.** A panic in a cycle (a checkmark failure) is caught on the collector thread and
//! recorded: `collect()` re-raises it and mutators panic with it at their next boundary. A
//! `broken` flag is set from mark start to sweep start: if a cycle unwinds in between, the stale
//! mark bits would make the next cycle skip live objects, so the heap refuses further cycles.
//!
//! **gctrace** (`GCHEAP_GCTRACE=1`) prints one line per cycle in Go's format: the three clock
//! figures are the mark-start stop, the concurrent mark and the checkmark stop (0 without
//! checkmark; Go's third is its mark-termination stop), each stop from its request to its end as
//! Go's are (`MemStats` reports the time to stop apart from the pause); the heap figures are, as Go's, the heap
//! at cycle start, the heap at mark end (larger when mutators allocated while it marked) and
//! the heap marked live.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering::*;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::{Condvar, Mutex};

use crate::barrier::BLACK;
use crate::heap::{HeapState, HeapThread};
use crate::mark::{MarkJob, Marker};
use crate::mutator::MutatorState;
use crate::stats::StopTimes;
use crate::trace::{Tracer, TracerKind};
use crate::verify::Verifier;
use crate::world::{Stop, thread_is_inside_any_heap};

/// The collector thread and the bookkeeping `collect()` callers and the pacer share with it.
#[derive(Default)]
pub(crate) struct Collector {
    control: Mutex<Control>,
    /// Wakes the collector thread.
    wake: Condvar,
    /// Wakes `collect()` callers and mutators throttled at a boundary when a cycle completes
    /// (or its mark ends).
    cycle_done: Condvar,
    thread: HeapThread,
}

/// Under `Collector::control`.
#[derive(Default)]
struct Control {
    /// Cycles started and completed (completed == started when idle).
    started: u64,
    completed: u64,
    /// The highest cycle number a `collect()` caller waits for: cycles up to it are forced.
    forced_wanted: u64,
    /// The last cycle that panicked, with its message (`collect()` re-raises it).
    failure: Option<(u64, String)>,
    shutdown: bool,
}

impl Collector {
    /// Starts the collector thread of `heap`.
    pub(crate) fn spawn(heap: &Arc<HeapState>) {
        let for_thread = heap.clone();
        heap.collector
            .thread
            .start("gcheap-gc", move || for_thread.collector_loop());
    }

    /// Whether the calling thread is the collector.
    pub(crate) fn is_current_thread(&self) -> bool {
        self.thread.is_current()
    }

    /// Stops the thread and waits for it (after the cycle it runs, if any).
    pub(crate) fn shut_down(&self) {
        self.control.lock().shutdown = true;
        self.wake.notify_one();
        self.thread.join();
    }
}

/// What the mark-start phase hands to the rest of the cycle.
struct MarkStart {
    job: Arc<MarkJob>,
    /// The mark-start stop's time to stop and time stopped.
    stop: StopTimes,
    /// When the world was stopped.
    stopped: Instant,
    /// When the stop ended and concurrent marking began.
    marking: Instant,
    /// The heap (the pacer's live count) when the world was stopped.
    heap_at_start: u64,
}

/// The figures of a cycle, for the history, the pacer and gctrace.
struct CycleEnd {
    forced: bool,
    mark_start: StopTimes,
    mark: Duration,
    /// Checkmark's stop (zero without checkmark).
    checkmark: StopTimes,
    heap_at_start: u64,
    heap_at_mark_end: u64,
    /// When the world was stopped at mark start.
    stopped: Instant,
}

impl HeapState {
    /// Asks the collector thread for a cycle (if not asked already).
    pub(crate) fn request_cycle(&self) {
        if !self.gc_requested.swap(true, Relaxed) {
            // Notify under the lock: the collector checks the flag under it before it sleeps.
            let _c = self.collector.control.lock();
            self.collector.wake.notify_one();
        }
    }

    /// Asks for a cycle if the heap has reached its trigger.
    pub(crate) fn request_if_due(&self) {
        if self.pacer.due() {
            self.request_cycle();
        }
    }

    /// Called by a mutator at a boundary: if the heap has outgrown its goal by more than a tenth
    /// while a cycle is requested or marking (allocation outran the collector thread and the
    /// assists), waits for that cycle's end, which this boundary lets proceed. This is Go's
    /// assist throttling, at the one place a mutator may wait for a cycle without holding it up.
    ///
    /// # Panics
    /// If a cycle of this heap failed (see [`HeapState::fail_if_broken`]).
    #[inline]
    pub(crate) fn pace_at_boundary(&self) {
        if self.marking.load(Relaxed) || self.gc_requested.load(Relaxed) {
            self.wait_if_over_goal();
        }
        if self.failed.load(Relaxed) {
            self.fail_if_broken();
        }
    }

    /// Panics with the message of the cycle that failed, if one did: a checkmark failure is a
    /// collector bug, and a heap that stopped collecting would grow without bound.
    #[cold]
    pub(crate) fn fail_if_broken(&self) {
        if let Some((cycle, message)) = &self.collector.control.lock().failure {
            panic!(
                "gcheap: collection cycle {cycle} of this heap failed, so it cannot be used any more: {message}"
            );
        }
    }

    #[cold]
    fn wait_if_over_goal(&self) {
        let over = || {
            let goal = self.pacer.goal.load(Relaxed);
            self.pacer.heap_live.load(Relaxed) > goal.saturating_add(goal / 10)
        };
        // A thread inside any heap must not wait for a cycle: its stop may wait for a thread
        // that waits for this one (see `crate::world`, nesting across heaps).
        if !over() || thread_is_inside_any_heap() {
            return;
        }
        let mut c = self.collector.control.lock();
        while (self.marking.load(Relaxed) || self.gc_requested.load(Relaxed))
            && over()
            && c.failure.is_none()
        {
            self.collector.cycle_done.wait(&mut c);
        }
    }

    /// Runs a forced cycle on the collector thread that starts after this call, and waits for
    /// it (Go's `runtime.GC`: a cycle already marking may have missed the caller's last changes).
    ///
    /// # Panics
    /// If that cycle failed (a checkmark failure, or an earlier failure left the heap broken).
    pub(crate) fn run_forced_cycle(&self) {
        let mut c = self.collector.control.lock();
        let target = c.started + 1;
        c.forced_wanted = c.forced_wanted.max(target);
        self.collector.wake.notify_one();
        while c.completed < target {
            self.collector.cycle_done.wait(&mut c);
        }
        if let Some((cycle, message)) = &c.failure
            && *cycle >= target
        {
            panic!("{message}");
        }
    }

    /// Completes the current sweep cycle, spans held by mutators' caches included, so that every
    /// object found unreachable by the last mark has been dropped and freed on return.
    ///
    /// A cache keeps the spans it held when the sweep started until its mutator next passes a
    /// boundary, and nothing sweeps them meanwhile; a mutator running a long `mutate` (on
    /// another thread) could hold dead objects of anyone's past that way. So this takes a brief
    /// stop, as Go's `runtime.GC` has every P flush its cache, and releases those spans first.
    pub(crate) fn finish_sweep_everywhere(&self) {
        {
            let stop = self.world.stop();
            release_lagging_caches(&stop, &self.world.mutators.lock());
        }
        let _world = self.world.enter();
        self.allocator.finish_sweep();
    }

    /// The collector thread: runs a cycle whenever one is requested or forced.
    fn collector_loop(&self) {
        loop {
            let forced = {
                let mut c = self.collector.control.lock();
                loop {
                    if c.shutdown {
                        return;
                    }
                    if c.forced_wanted > c.started || self.gc_requested.load(Relaxed) {
                        break;
                    }
                    self.collector.wake.wait(&mut c);
                }
                c.started += 1;
                c.forced_wanted >= c.started
            };
            let result = catch_unwind(AssertUnwindSafe(|| self.cycle(forced)));
            let mut c = self.collector.control.lock();
            if let Err(payload) = result {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "gcheap: a collection cycle panicked".into());
                eprintln!("{message}");
                c.failure = Some((c.started, message));
                self.failed.store(true, Relaxed);
                // A broken heap runs no further cycles; stop asking.
                self.gc_requested.store(false, Relaxed);
            }
            c.completed = c.started;
            self.collector.cycle_done.notify_all();
        }
    }

    /// One collection cycle (see the module docs), on the collector thread.
    fn cycle(&self, forced: bool) {
        self.sweep_termination();
        let start = self.mark_start();
        self.concurrent_mark(&start.job);
        self.clear_weak(&start.job);
        let mark_end = Instant::now();
        let heap_at_mark_end = self.pacer.heap_live.load(Relaxed);
        let checkmark = if self.config.verify {
            self.checkmark(&start.job)
        } else {
            StopTimes::default()
        };
        self.sweep_start(&start.job);
        self.end_cycle(
            &start.job,
            CycleEnd {
                forced,
                mark_start: start.stop,
                mark: mark_end - start.marking,
                checkmark,
                heap_at_start: start.heap_at_start,
                heap_at_mark_end,
                stopped: start.stopped,
            },
        );
    }

    /// Phase 1: finishes the previous sweep without stopping anyone (its drops may use the
    /// heap).
    fn sweep_termination(&self) {
        let _world = self.world.enter();
        self.allocator.finish_sweep();
    }

    /// Phase 2, under a stop: clears the way for new mark bits, flips the black bit, shades the
    /// roots and hands every mutator the job.
    fn mark_start(&self) -> MarkStart {
        // From the request on, mutators that reach a boundary wait; the time until all have is
        // the stop's stopping time, reported apart from the pause (see `MemStats`).
        let stop_requested = Instant::now();
        let stop = self.world.stop();
        let stopped = Instant::now();
        let heap_at_start = self.pacer.heap_live.load(Relaxed);
        assert!(
            !self.broken.swap(true, Relaxed),
            "gcheap: an earlier cycle of this heap was interrupted (a checkmark failure or a \
             panic while marking); its mark bits are not trustworthy, so no further cycle runs"
        );
        let mutators = self.world.mutators.lock();
        // Every mark bit must be clear: release what caches kept, then nothing else is left to
        // sweep (normally nothing at all).
        release_lagging_caches(&stop, &mutators);
        self.allocator.finish_sweep();
        let black = self.parity.fetch_xor(BLACK, Relaxed) ^ BLACK;
        let job = Arc::new(MarkJob::new(
            self.config.gc_workers,
            black,
            self.allocator.sweep_generation(),
            &self.ephemerons,
        ));
        {
            let mut roots = Marker::new(&self.allocator, &self.ephemerons);
            roots.black = black;
            let mut tracer = Tracer::new(TracerKind::Mark(&mut roots));
            self.mark_roots(&mut tracer, &mutators);
            roots.publish(&job);
            job.marked_bytes.fetch_add(roots.marked_bytes, Relaxed);
            for m in mutators.iter() {
                // SAFETY: the world is stopped: no mutator uses its marker or job slot.
                unsafe {
                    (*m.marker.get()).black = black;
                    *m.job.get() = Some(job.clone());
                }
            }
        }
        drop(mutators);
        *self.current_job.lock() = Some(job.clone());
        self.marking.store(true, Relaxed);
        self.assist_ratio
            .store(self.pacer.assist_ratio().to_bits(), Relaxed);
        drop(stop);
        let marking = Instant::now();
        MarkStart {
            job,
            stop: StopTimes {
                stopping: stopped - stop_requested,
                stopped: marking - stopped,
            },
            stopped,
            marking,
            heap_at_start,
        }
    }

    /// Phases 3 and 4: marks until the ragged termination check finds no gray object anywhere;
    /// mutators keep running throughout.
    fn concurrent_mark(&self, job: &Arc<MarkJob>) {
        loop {
            self.pool.mark(job, &self.allocator);
            if self.marking_done(job) {
                break;
            }
            job.rearm();
        }
    }

    /// Checkmark mode, under a stop: the re-mark reads every reachable object, which mutators
    /// must not write meanwhile. It also checks the ragged termination: with every mutator at a
    /// boundary, a complete mark leaves nothing queued.
    fn checkmark(&self, job: &MarkJob) -> StopTimes {
        let stop_requested = Instant::now();
        let stop = self.world.stop();
        let stopped = Instant::now();
        assert!(
            !job.any_work(),
            "gcheap: checkmark: gray objects were queued after the mark termination check \
             found marking complete"
        );
        let mutators = self.world.mutators.lock();
        let mut verifier = Verifier::new(&self.allocator);
        self.mark_roots(
            &mut Tracer::new(TracerKind::Verify(&mut verifier)),
            &mutators,
        );
        verifier.drain();
        drop(mutators);
        drop(stop);
        StopTimes {
            stopping: stopped - stop_requested,
            stopped: stopped.elapsed(),
        }
    }

    /// Phase 5, mutators still running: starts the sweep. Caches keep the spans they hold,
    /// which the sweep reads when they release them (at their mutator's next boundary, or at
    /// the next mark start); until then their mutators keep the job and allocate black there.
    fn sweep_start(&self, job: &MarkJob) {
        {
            // Shared: sweeps finished here (normally none) run drops that may use the heap.
            let _world = self.world.enter();
            self.allocator.start_sweep_cycle();
        }
        // From here on the mark state is consumed by the sweep: an unwind before this point left
        // stale marks, and `broken` stays set.
        self.broken.store(false, Relaxed);
        job.finished.store(true, Release);
        *self.current_job.lock() = None;
        {
            // Under the lock, so that a mutator waiting in `pace_at_boundary` cannot miss it.
            let _c = self.collector.control.lock();
            self.marking.store(false, Relaxed);
            self.collector.cycle_done.notify_all();
        }
        // Act for mutators parked at a boundary: release their caches' spans to the sweep now
        // rather than at their next `mutate`. Running ones do it when they return.
        // Not under the list's lock: the sweeps this runs call drops, which may attach mutators.
        let mutators = self.world.mutators.lock().clone();
        {
            let _world = self.world.enter();
            for m in &mutators {
                if let Some(_running) = m.running.try_lock() {
                    // SAFETY: the mutator cannot enter `mutate` (or unregister) while we hold its
                    // running lock: it is at a boundary.
                    unsafe { m.retire_finished_job() };
                }
            }
        }
    }

    /// After the sweep started: the pacer's next goal, the pause history, the background
    /// sweeper, and the gctrace line.
    fn end_cycle(&self, job: &MarkJob, end: CycleEnd) {
        let marked = job.marked_bytes.load(Relaxed);
        let stats = self.allocator.stats();
        self.pacer
            .end_cycle(marked, stats.sys.saturating_sub(stats.heap_sys));
        self.gc_requested.store(false, Relaxed);
        let unix_now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_nanos() as u64;
        let stops = [end.mark_start, end.checkmark];
        let mark_cpu = job.busy_ns.load(Relaxed) + job.assist_ns.load(Relaxed);
        let cpu = mark_cpu + (end.mark_start.stopped + end.checkmark.stopped).as_nanos() as u64;
        let (num_gc, cycles_cpu_ns) = {
            let mut h = self.history.lock();
            h.record(&stops, unix_now, end.forced, cpu);
            (h.num_gc, h.gc_cpu_ns)
        };
        self.sweeper.kick();
        // A memory limit below what is live can leave the heap due at once.
        self.request_if_due();

        if self.config.gctrace {
            let mb = |b: u64| b >> 20;
            let goal = self.pacer.goal.load(Relaxed);
            eprintln!(
                "gc {num_gc} @{:.3}s {:.0}%: {:.3}+{:.3}+{:.3} ms clock, {:.3} ms cpu, {}->{}->{} MB, {} MB goal, 0 MB stacks, 0 MB globals, {} P{}",
                end.stopped.duration_since(self.created).as_secs_f64(),
                self.gc_cpu_fraction(cycles_cpu_ns) * 100.0,
                ms(end.mark_start.stopping + end.mark_start.stopped),
                ms(end.mark),
                ms(end.checkmark.stopping + end.checkmark.stopped),
                mark_cpu as f64 / 1e6,
                mb(end.heap_at_start),
                mb(end.heap_at_mark_end),
                mb(marked),
                if goal == u64::MAX { 0 } else { mb(goal) },
                self.config.gc_workers,
                if end.forced { " (forced)" } else { "" },
            );
        }
    }

    /// Shades every root: scans each mutator's root object (its glue blackens it at once, see
    /// `crate::mutator`) and shades each persistent root.
    fn mark_roots(&self, tracer: &mut Tracer<'_>, mutators: &[Arc<MutatorState>]) {
        for m in mutators {
            if let Some((payload, mark)) = m.root.get() {
                mark(payload, tracer);
            }
        }
        for (payload, mark) in self.roots.lock().iter() {
            mark(payload, tracer);
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// With the world stopped (`_stop` proves it): every cache that kept spans since the last sweep
/// started (its mutator has not passed a boundary since) releases them, which sweeps them, and
/// every mutator holding a finished cycle's job retires it.
fn release_lagging_caches(_stop: &Stop<'_>, mutators: &[Arc<MutatorState>]) {
    for m in mutators {
        // SAFETY: the world is stopped: no mutator uses its cache, job slot or marker, and the
        // collector acts for mutators only while it holds the world, as this thread does.
        unsafe {
            m.retire_finished_job();
            (*m.cache.get()).prepare_for_sweep();
        }
    }
}
