//! The heap and its collection cycle (Go's `mgc.go`).
//!
//! Cycles run on the heap's collector thread, started when the pacer's trigger is crossed (a
//! mutator's allocation report wakes it) or by `collect()`. Mutators keep running through most of
//! a cycle:
//!
//! 1. **Sweep termination** (concurrent): finish sweeping the previous cycle.
//! 2. **Mark start** (a brief stop): take the world lock exclusively, so every mutator is at a
//!    boundary, holding no Gc pointer. Flip the cycle's black bit, turn the barrier on, shade
//!    every mutator's root object and every persistent root, release. From here on every mutator
//!    is *scanned*: all it can reach is either reachable from those roots now (the snapshot) or
//!    allocated during the cycle, which is black. Mutators parked outside `mutate` cost nothing.
//! 3. **Concurrent mark**: `gc_workers` threads (this one and the pool's) drain gray objects
//!    while mutators run. Mutators take part: the write barrier blackens each object before its
//!    first write in the cycle ([`crate::mark`] explains the state word that keeps markers and
//!    writers apart), allocation is black, and allocation pays mark assists.
//! 4. **Mark termination** (ragged, no stop): once the workers are idle, the collector checks
//!    that no gray object is left anywhere — none queued, and no mutator inside a barrier or
//!    assist that could hold some privately — without stopping anyone (`Shared::marking_done`).
//!    Then everything reachable is black, and stays black. Checkmark mode then stops the world
//!    to re-mark and compare (debug only).
//! 5. **Sweep** (concurrent): the allocator's sweep cycle starts while mutators run. Their
//!    caches may still hold spans from before it: the sweep reads those when a cache releases
//!    them, so until then their mutators keep the job and allocate black there
//!    (`Allocator::mark_new_object`); each releases them and drops the job at its next boundary
//!    (the collector does it at once for mutators parked at one). Lazy and background sweeping
//!    run the drops through the sweep hook.
//!
//! The mark-start stop is this version's remaining stop-the-world phase (ARCHITECTURE.md lists it
//! as a gap): it waits for every mutator inside `mutate` to return (they see
//! [`Mutation::should_yield`]) and then does a few microseconds of work. It is recorded as the
//! cycle's pause (with the checkmark stop when that is on), the longest in `max_pause_ns`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::*, fence};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use gcheap_allocator::{Allocator, AllocatorConfig, SweepHook};
use parking_lot::{Condvar, Mutex};

use crate::config::{Config, ConfigError};
use crate::mark::{MarkJob, Marker, WorkerPool};
use crate::mutator::MutatorState;
use crate::object::BLACK;
use crate::object::drop_dead;
use crate::pacer::Pacer;
use crate::root::RootTable;
use crate::stats::{History, MemStats};
use crate::trace::{Tracer, TracerKind};
use crate::verify::Verifier;
use crate::world::World;

static NEXT_HEAP_ID: AtomicUsize = AtomicUsize::new(1);

/// The state shared by a heap's handles, mutators, roots and its collector threads.
pub(crate) struct Shared {
    pub(crate) id: usize,
    pub(crate) allocator: Allocator,
    pub(crate) config: Config,
    /// The world lock and the attached mutators.
    pub(crate) world: World,
    /// The pacer asks the collector thread for a cycle.
    pub(crate) gc_requested: AtomicBool,
    /// The black bit of the current (or last) cycle: flipped at each mark start, and written into
    /// the header of every object allocated since, so objects allocated during marking are black
    /// and objects allocated after it are white for the next cycle.
    pub(crate) parity: AtomicUsize,
    /// Whether a cycle is marking (from its stop to its sweep's start).
    pub(crate) marking: AtomicBool,
    /// Set when a cycle failed (a checkmark failure, a panic in a cycle): mutators panic at their
    /// next boundary with the failure's message instead of running on a heap that no longer
    /// collects.
    failed: AtomicBool,
    /// The marking job while a cycle marks; mutators attached meanwhile take part in it.
    pub(crate) current_job: Mutex<Option<Arc<MarkJob>>>,
    /// Mark work (bytes) a mutator owes per byte it allocates while marking, as f64 bits.
    pub(crate) assist_ratio: AtomicU64,
    control: Mutex<Control>,
    /// Wakes the collector thread.
    control_wake: Condvar,
    /// Wakes `collect()` callers when a cycle completes.
    cycle_done: Condvar,
    collector: Mutex<Option<JoinHandle<()>>>,
    /// Set from the start of marking to the start of the sweep; stays set if a cycle unwound in
    /// between (stale mark bits would make the next cycle skip live objects).
    broken: AtomicBool,
    pub(crate) roots: Mutex<RootTable>,
    pub(crate) pacer: Pacer,
    history: Mutex<History>,
    pool: Arc<WorkerPool>,
    sweeper: Sweeper,
    created: Instant,
    /// The CPUs available when the heap was created, for GCCPUFraction (asking the OS costs
    /// ~30 µs, too much for every `mem_stats`).
    ncpu: usize,
    /// Nanoseconds the background sweeper spent sweeping.
    sweep_ns: AtomicU64,
}

/// A garbage-collected heap. Cheap to clone (an `Arc` inside); clones are the same heap.
///
/// ```
/// use gcheap_core::{Config, Gc, Heap, Rootable};
///
/// let heap = Heap::new(Config::default()).unwrap();
/// let mut m = heap.mutator::<Rootable![()]>(|_| ());
/// m.mutate(|mc, _| { Gc::new(mc, [0u64; 4]); });   // garbage as soon as mutate returns
/// m.collect();
/// let stats = heap.mem_stats();
/// assert_eq!(stats.num_gc, 1);
/// assert_eq!(stats.heap_objects, 1);              // only the mutator's root is live
/// ```
#[derive(Clone)]
pub struct Heap {
    inner: Arc<HeapInner>,
}

struct HeapInner {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Heap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.shared();
        f.debug_struct("Heap")
            .field("id", &s.id)
            .field("config", &s.config)
            .field("mutators", &s.world.mutators.lock().len())
            .field("persistent_roots", &s.roots.lock().len())
            .finish_non_exhaustive()
    }
}

impl Default for Heap {
    /// A heap with [`Config::default`].
    fn default() -> Self {
        Heap::new(Config::default()).expect("the default config is valid")
    }
}

impl Heap {
    /// Creates a heap, or says which setting of `config` is invalid.
    pub fn new(config: Config) -> Result<Heap, ConfigError> {
        config.validate()?;
        let hook: SweepHook = Arc::new(|base: NonNull<u8>, _size| {
            // SAFETY: the allocator reports each dead object of a scan span once; gcheap puts
            // only objects with written headers in scan spans.
            let dropped = catch_unwind(AssertUnwindSafe(|| unsafe { drop_dead(base) }));
            if dropped.is_err() {
                eprintln!(
                    "gcheap: a Drop panicked while a sweep dropped a dead object; the panic was \
                     caught and the rest of that object leaked"
                );
            }
        });
        let allocator = Allocator::new(AllocatorConfig {
            poison_freed: config.poison_freed,
            sweep_hook: Some(hook),
        });
        let id = NEXT_HEAP_ID.fetch_add(1, Relaxed);
        let shared = Arc::new(Shared {
            id,
            allocator,
            pacer: Pacer::new(config.gc_percent, config.memory_limit),
            config,
            world: World::new(id),
            gc_requested: AtomicBool::new(false),
            parity: AtomicUsize::new(0),
            marking: AtomicBool::new(false),
            failed: AtomicBool::new(false),
            current_job: Mutex::new(None),
            assist_ratio: AtomicU64::new(0),
            control: Mutex::new(Control::default()),
            control_wake: Condvar::new(),
            cycle_done: Condvar::new(),
            collector: Mutex::new(None),
            broken: AtomicBool::new(false),
            roots: Mutex::new(RootTable::default()),
            history: Mutex::new(History::default()),
            pool: WorkerPool::new(),
            sweeper: Sweeper::default(),
            created: Instant::now(),
            ncpu: std::thread::available_parallelism().map_or(1, |n| n.get()),
            sweep_ns: AtomicU64::new(0),
        });
        let for_thread = shared.clone();
        let handle = std::thread::Builder::new()
            .name("gcheap-sweeper".into())
            .spawn(move || for_thread.sweeper_loop())
            .expect("failed to spawn the gcheap sweeper thread");
        *shared.sweeper.thread.lock() = Some(handle);
        let for_thread = shared.clone();
        let handle = std::thread::Builder::new()
            .name("gcheap-gc".into())
            .spawn(move || for_thread.collector_loop())
            .expect("failed to spawn the gcheap collector thread");
        *shared.collector.lock() = Some(handle);
        Ok(Heap {
            inner: Arc::new(HeapInner { shared }),
        })
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    pub(crate) fn shared_arc(&self) -> &Arc<Shared> {
        &self.inner.shared
    }

    /// Runs a full cycle, sweep included, and returns when it is complete (Go's `runtime.GC`).
    ///
    /// # Panics
    /// If called from inside `mutate` on this heap (the cycle would wait for that call forever),
    /// or from a `Drop` run by one of its sweeps.
    pub fn collect(&self) {
        let shared = self.shared();
        assert!(
            !shared.world.thread_is_inside(),
            "gcheap: collect() called from inside mutate (or a sweep) on the same heap; it would \
             wait for itself. Call it between mutate calls."
        );
        shared.run_forced_cycle();
        let _world = shared.world.enter();
        shared.allocator.finish_sweep();
    }

    /// A snapshot of the heap's statistics (Go's `runtime.ReadMemStats`).
    ///
    /// Like Go's, it waits until every mutator is at a boundary (mutators inside `mutate` see
    /// `should_yield()` return true) so that the snapshot is consistent.
    ///
    /// # Panics
    /// If called from inside `mutate` on this heap.
    pub fn mem_stats(&self) -> MemStats {
        let shared = self.shared();
        assert!(
            !shared.world.thread_is_inside(),
            "gcheap: mem_stats() called from inside mutate on the same heap; it would wait for \
             itself. Call it between mutate calls."
        );
        let _stop = shared.world.stop();
        shared.mem_stats_stopped()
    }

    /// Sets the GC percent (Go's `debug.SetGCPercent`); returns the previous value. Negative
    /// disables automatic cycles. Takes effect at once: if the heap is already past the new goal,
    /// the next boundary runs a cycle.
    pub fn set_gc_percent(&self, percent: i32) -> i32 {
        let shared = self.shared();
        let old = shared.pacer.gc_percent.swap(percent, Relaxed);
        shared.pacer.update_goal();
        shared.request_if_due();
        old
    }

    /// The current GC percent.
    pub fn gc_percent(&self) -> i32 {
        self.shared().pacer.gc_percent.load(Relaxed)
    }

    /// Sets the soft memory limit in bytes (Go's `debug.SetMemoryLimit`); returns the previous
    /// one. `u64::MAX` means no limit.
    ///
    /// # Panics
    /// If `limit` is zero.
    pub fn set_memory_limit(&self, limit: u64) -> u64 {
        assert!(
            limit > 0,
            "gcheap: the memory limit must not be zero (u64::MAX: no limit)"
        );
        let shared = self.shared();
        let old = shared.pacer.memory_limit.swap(limit, Relaxed);
        shared.pacer.update_goal();
        shared.request_if_due();
        old
    }

    /// The current soft memory limit.
    pub fn memory_limit(&self) -> u64 {
        self.shared().pacer.memory_limit.load(Relaxed)
    }

    /// Runs a cycle, then returns as much idle memory to the OS as possible (Go's
    /// `debug.FreeOSMemory`). Returns the bytes released.
    ///
    /// # Panics
    /// Like [`collect`](Self::collect).
    pub fn free_os_memory(&self) -> u64 {
        self.collect();
        self.shared().allocator.release_all() as u64
    }

    /// The configuration the heap was built with (GC percent and memory limit as first set).
    pub fn config(&self) -> &Config {
        &self.shared().config
    }
}

impl Shared {
    /// Asks the collector thread for a cycle (if not asked already).
    pub(crate) fn request_cycle(&self) {
        if !self.gc_requested.swap(true, Relaxed) {
            // Notify under the lock: the collector checks the flag under it before it sleeps.
            let _c = self.control.lock();
            self.control_wake.notify_one();
        }
    }

    fn request_if_due(&self) {
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
    /// If a cycle of this heap failed (see [`Shared::fail_if_broken`]).
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
        if let Some((cycle, message)) = &self.control.lock().failure {
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
        if !over() || self.world.thread_is_inside() {
            return;
        }
        let mut c = self.control.lock();
        while (self.marking.load(Relaxed) || self.gc_requested.load(Relaxed))
            && over()
            && c.failure.is_none()
        {
            self.cycle_done.wait(&mut c);
        }
    }

    /// Runs a forced cycle on the collector thread that starts after this call, and waits for
    /// it (Go's `runtime.GC`: a cycle already marking may have missed the caller's last changes).
    ///
    /// # Panics
    /// If that cycle failed (a checkmark failure, or an earlier failure left the heap broken).
    fn run_forced_cycle(&self) {
        let mut c = self.control.lock();
        let target = c.started + 1;
        c.forced_wanted = c.forced_wanted.max(target);
        self.control_wake.notify_one();
        while c.completed < target {
            self.cycle_done.wait(&mut c);
        }
        if let Some((cycle, message)) = &c.failure
            && *cycle >= target
        {
            panic!("{message}");
        }
    }

    /// The collector thread: runs a cycle whenever one is requested or forced.
    fn collector_loop(&self) {
        loop {
            let forced = {
                let mut c = self.control.lock();
                loop {
                    if c.shutdown {
                        return;
                    }
                    if c.forced_wanted > c.started || self.gc_requested.load(Relaxed) {
                        break;
                    }
                    self.control_wake.wait(&mut c);
                }
                c.started += 1;
                c.forced_wanted >= c.started
            };
            let result = catch_unwind(AssertUnwindSafe(|| self.cycle(forced)));
            let mut c = self.control.lock();
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
            self.cycle_done.notify_all();
        }
    }

    /// One collection cycle (see the module docs), on the collector thread.
    fn cycle(&self, forced: bool) {
        // Sweep termination, without stopping anyone: the drops it runs may use the heap.
        {
            let _world = self.world.enter();
            self.allocator.finish_sweep();
        }

        // Mark start. A pause starts when the cycle asks mutators to stop (Go counts the time to
        // stop too): from then on, mutators that reach a boundary wait.
        let stop1 = Instant::now();
        let stop = self.world.stop();
        let start = Instant::now();
        let live_before = self.pacer.heap_live.load(Relaxed);
        assert!(
            !self.broken.swap(true, Relaxed),
            "gcheap: an earlier cycle of this heap was interrupted (a checkmark failure or a \
             panic while marking); its mark bits are not trustworthy, so no further cycle runs"
        );
        let mutators = self.world.mutators.lock();
        // Every mark bit must be clear. Caches that kept spans since the last sweep started
        // (their mutators have not been at a boundary since) release them now, which sweeps
        // them; then nothing else is left to sweep (normally nothing at all).
        for m in mutators.iter() {
            // SAFETY: the world is stopped: no mutator uses its cache, job slot or marker.
            unsafe {
                m.retire_finished_job();
                (*m.cache.get()).prepare_for_sweep();
            }
        }
        self.allocator.finish_sweep();
        let black = self.parity.fetch_xor(BLACK, Relaxed) ^ BLACK;
        let job = Arc::new(MarkJob::new(
            self.config.gc_workers,
            black,
            self.allocator.sweep_generation(),
        ));
        {
            let mut roots = Marker::new(&self.allocator);
            roots.black = black;
            let mut tracer = Tracer {
                kind: TracerKind::Mark(&mut roots),
            };
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
        let mark_start = Instant::now();
        let pause1 = mark_start - stop1;

        // Concurrent mark until the ragged termination check finds no gray object anywhere
        // (`marking_done`); mutators keep running throughout.
        loop {
            self.pool.mark(&job, &self.allocator);
            if self.marking_done(&job) {
                break;
            }
            job.rearm();
        }
        let mark_end = Instant::now();

        // Checkmark mode verifies under a stop: the re-mark reads every reachable object, which
        // mutators must not write meanwhile. It also checks the ragged termination: with every
        // mutator at a boundary, a complete mark leaves nothing queued.
        let mut pause2 = Duration::ZERO;
        if self.config.verify {
            let stop = self.world.stop();
            assert!(
                !job.any_work(),
                "gcheap: checkmark: gray objects were queued after the mark termination check \
                 found marking complete"
            );
            let mutators = self.world.mutators.lock();
            let mut verifier = Verifier::new(&self.allocator);
            self.mark_roots(
                &mut Tracer {
                    kind: TracerKind::Verify(&mut verifier),
                },
                &mutators,
            );
            verifier.drain();
            drop(mutators);
            drop(stop);
            pause2 = mark_end.elapsed();
        }

        // Sweep start, mutators still running: caches keep the spans they hold, which the sweep
        // reads when they release them (at their mutator's next boundary, or at the next mark
        // start); until then their mutators keep the job and allocate black there.
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
            let _c = self.control.lock();
            self.marking.store(false, Relaxed);
            self.cycle_done.notify_all();
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
        drop(mutators);

        let marked = job.marked_bytes.load(Relaxed);
        let stats = self.allocator.stats();
        self.pacer
            .end_cycle(marked, stats.sys.saturating_sub(stats.heap_sys));
        self.gc_requested.store(false, Relaxed);
        let unix_now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_nanos() as u64;
        let mark_cpu = job.busy_ns.load(Relaxed) + job.assist_ns.load(Relaxed);
        let cpu = mark_cpu + (pause1 + pause2).as_nanos() as u64;
        let (num_gc, cycles_cpu_ns) = {
            let mut h = self.history.lock();
            h.record(
                (pause1 + pause2).as_nanos() as u64,
                pause1.max(pause2).as_nanos() as u64,
                unix_now,
                forced,
                cpu,
            );
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
                start.duration_since(self.created).as_secs_f64(),
                self.gc_cpu_fraction(cycles_cpu_ns) * 100.0,
                ms(pause1),
                ms(mark_end - mark_start),
                ms(pause2),
                mark_cpu as f64 / 1e6,
                mb(live_before),
                mb(live_before),
                mb(marked),
                if goal == u64::MAX { 0 } else { mb(goal) },
                self.config.gc_workers,
                if forced { " (forced)" } else { "" },
            );
        }
    }

    /// The ragged mark termination check, after the workers went idle: returns true when no
    /// gray object is left anywhere, false when the workers must run again.
    ///
    /// Gray objects are in the job's queues, or held privately by a mutator's running marking
    /// operation (a barrier scanning an object, an assist), which publishes them before it ends.
    /// Each mutator counts its operations twice (`MutatorState::ops`, odd while one runs). If
    /// every counter is even and unchanged across a look at the queues that finds them empty,
    /// then no operation ran during that look (the counters bracket it, all SeqCst), the workers
    /// have stopped, so nothing moved: at that moment no gray object existed. Every mutator was
    /// scanned at mark start (or attached since, with nothing but black objects and the
    /// snapshot to reach), so everything reachable is black, and it stays so: a barrier finds
    /// only black objects, allocation is black, so no gray object can appear again.
    ///
    /// Holding the mutator list keeps mutators from attaching meanwhile (a new one registers
    /// before it can run an operation).
    fn marking_done(&self, job: &MarkJob) -> bool {
        let mut spins = 0u32;
        loop {
            let mutators = self.world.mutators.lock();
            let before: Vec<u64> = mutators.iter().map(|m| m.ops.load(SeqCst)).collect();
            if before.iter().all(|ops| ops % 2 == 0) {
                fence(SeqCst);
                if job.any_work() {
                    return false;
                }
                fence(SeqCst);
                if mutators
                    .iter()
                    .zip(&before)
                    .all(|(m, ops)| m.ops.load(SeqCst) == *ops)
                {
                    return true;
                }
            }
            drop(mutators);
            // An operation is running (a barrier scanning one object or chunk, or an assist of
            // bounded budget): it ends soon, unless its thread was descheduled.
            spins += 1;
            if spins < 16 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
            if job.any_work() {
                return false;
            }
        }
    }

    /// Shades every root: each mutator's root object and each persistent root.
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

    /// Go's GCCPUFraction: collector CPU time (`cycles_cpu_ns` from the cycles, plus background
    /// sweeping) over the CPU time available since the heap was created.
    fn gc_cpu_fraction(&self, cycles_cpu_ns: u64) -> f64 {
        let ncpu = self.ncpu as f64;
        let elapsed = self.created.elapsed().as_nanos() as f64;
        let cpu = cycles_cpu_ns + self.sweep_ns.load(Relaxed);
        if elapsed == 0.0 {
            0.0
        } else {
            (cpu as f64 / (elapsed * ncpu)).min(1.0)
        }
    }

    /// Builds a MemStats snapshot; the caller holds the world lock exclusively.
    fn mem_stats_stopped(&self) -> MemStats {
        let a = self.allocator.stats();
        let h = self.history.lock();
        MemStats {
            alloc: a.alloc,
            total_alloc: a.total_alloc,
            sys: a.sys,
            lookups: 0,
            mallocs: a.mallocs,
            frees: a.frees,
            heap_alloc: a.heap_alloc,
            heap_sys: a.heap_sys,
            heap_idle: a.heap_idle,
            heap_inuse: a.heap_inuse,
            heap_released: a.heap_released,
            heap_objects: a.heap_objects,
            stack_inuse: 0,
            stack_sys: 0,
            mspan_inuse: a.mspan_inuse,
            mspan_sys: a.mspan_sys,
            mcache_inuse: a.mcache_inuse,
            mcache_sys: a.mcache_sys,
            buck_hash_sys: 0,
            gc_sys: a.gc_sys,
            other_sys: a.other_sys,
            next_gc: self.pacer.goal.load(Relaxed),
            last_gc: h.last_gc,
            pause_total_ns: h.pause_total_ns,
            pause_ns: h.pause_ns,
            pause_end: h.pause_end,
            num_gc: h.num_gc,
            num_forced_gc: h.num_forced_gc,
            gc_cpu_fraction: self.gc_cpu_fraction(h.gc_cpu_ns),
            enable_gc: true,
            debug_gc: false,
            by_size: a.by_size.into_iter().skip(1).collect(),
            max_pause_ns: h.max_pause_ns,
        }
    }

    /// The background sweeper: after each cycle, sweeps every span in small batches (yielding
    /// to a waiting stop, and yielding its CPU to a requested cycle, between batches), then
    /// returns idle memory above the goal to the OS.
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
                // sweep does (on two cores, a sweeper that kept going delayed the cycle's start
                // by milliseconds, while the heap grew past its goal), so give it the CPU between
                // batches. Stopping outright left a cycle's garbage counted in HeapAlloc until
                // the next sweep termination when cycles follow each other closely.
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
            self.sweep_ns
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The collector thread's bookkeeping, under `Shared::control`.
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

/// The background sweeper's wake-up state.
#[derive(Default)]
struct Sweeper {
    state: Mutex<SweeperState>,
    wake: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Default)]
struct SweeperState {
    pending: bool,
    shutdown: bool,
}

impl Sweeper {
    fn kick(&self) {
        self.state.lock().pending = true;
        self.wake.notify_one();
    }
}

impl Drop for HeapInner {
    fn drop(&mut self) {
        let shared = self.shared.clone();
        let me = std::thread::current().id();
        let on_heap_thread = [&shared.sweeper.thread, &shared.collector]
            .iter()
            .any(|t| t.lock().as_ref().is_some_and(|t| t.thread().id() == me));
        if on_heap_thread {
            // The last handle lived inside a heap object that the background sweeper (or the
            // collector, finishing a sweep) is dropping right now. That thread cannot join
            // itself, and the final sweep would wait for the sweep in progress on it: tear down
            // from another thread once it has returned.
            std::thread::Builder::new()
                .name("gcheap-teardown".into())
                .spawn(move || shared.teardown())
                .expect("failed to spawn the gcheap teardown thread");
        } else {
            shared.teardown();
        }
    }
}

impl Shared {
    /// Stops the heap's threads and drops every object left. Runs once the last handle is gone.
    fn teardown(&self) {
        self.control.lock().shutdown = true;
        self.control_wake.notify_one();
        if let Some(t) = self.collector.lock().take() {
            let _ = t.join();
        }
        self.sweeper.state.lock().shutdown = true;
        self.sweeper.wake.notify_one();
        if let Some(t) = self.sweeper.thread.lock().take() {
            let _ = t.join();
        }
        self.pool.shutdown();
        // Every handle and mutator is gone, so no mutate call can read anything any more (roots
        // only hold the shared state): everything left is garbage. Sweep it all so that every
        // object is dropped.
        let _stop = self.world.stopped_for_teardown();
        self.allocator.finish_sweep();
        self.allocator.start_sweep_cycle();
        self.allocator.finish_sweep();
    }
}
