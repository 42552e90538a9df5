//! The heap: the [`Heap`] handle, its knobs, and its teardown.
//!
//! A [`Heap`] is a cheap handle (clones are the same heap) onto a [`HeapState`], which every
//! part of the collector shares: the allocator, the world lock and the mutator registry
//! ([`crate::world`]), the collector thread and the cycle's state ([`crate::cycle`]), the
//! background sweeper ([`crate::sweeper`]), the mark worker pool ([`crate::mark`]), the pacer
//! and the persistent roots. Mutators hold a handle; persistent roots hold only the state. When
//! the last handle is gone, no `mutate` call can ever read the heap again, so it is torn down:
//! its threads stop and a final sweep with no marks drops every object left, rooted or not. A heap object may therefore hold a
//! `Root` without keeping its own heap alive forever. If a heap object holds a `Heap` handle
//! and the background sweeper (or the collector thread, finishing a sweep) drops the last one,
//! the teardown moves to a fresh thread (a thread cannot join itself).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::*};
use std::thread::JoinHandle;
use std::time::Instant;

use gcheap_allocator::{Allocator, AllocatorConfig, SweepHook};
use parking_lot::Mutex;

use crate::cleanup::CleanupTable;
use crate::config::{Config, ConfigError};
use crate::cycle::Collector;
use crate::ephemeron::EphemeronTable;
use crate::guardian::GuardianTable;
use crate::mark::MarkJob;
use crate::mark_workers::WorkerPool;
use crate::object::drop_dead;
use crate::pacer::Pacer;
use crate::root::RootTable;
use crate::stats::{History, MemStats, TypeCount};
use crate::sweeper::Sweeper;
use crate::weak::WeakTable;
use crate::world::World;

static NEXT_HEAP_ID: AtomicUsize = AtomicUsize::new(1);

/// The state shared by a heap's handles, mutators, roots and its collector threads.
pub(crate) struct HeapState {
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
    pub(crate) failed: AtomicBool,
    /// The marking job while a cycle marks; mutators attached meanwhile take part in it.
    pub(crate) current_job: Mutex<Option<Arc<MarkJob>>>,
    /// Mark work (bytes) a mutator owes per byte it allocates while marking, as f64 bits.
    pub(crate) assist_ratio: AtomicU64,
    /// The collector thread and its bookkeeping.
    pub(crate) collector: Collector,
    /// Set from the start of marking to the start of the sweep; stays set if a cycle unwound in
    /// between (stale mark bits would make the next cycle skip live objects).
    pub(crate) broken: AtomicBool,
    pub(crate) roots: Mutex<RootTable>,
    /// Every weak cell, for the clearing pass at mark end.
    pub(crate) weak: WeakTable,
    /// Ephemerons waiting for their keys while a cycle marks; shared with every marker.
    pub(crate) ephemerons: Arc<EphemeronTable>,
    /// Cleanups listed and queued, and their thread.
    pub(crate) cleanups: CleanupTable,
    /// Objects registered with guardians (see `crate::guardian`).
    pub(crate) guardians: GuardianTable,
    pub(crate) pacer: Pacer,
    pub(crate) history: Mutex<History>,
    pub(crate) pool: Arc<WorkerPool>,
    pub(crate) sweeper: Sweeper,
    pub(crate) created: Instant,
    /// The CPUs available when the heap was created, for GCCPUFraction (asking the OS costs
    /// ~30 µs, too much for every `mem_stats`).
    pub(crate) ncpu: usize,
}

/// One of a heap's own threads (its collector or its background sweeper): started with the
/// heap, joined at its teardown.
#[derive(Default)]
pub(crate) struct HeapThread(Mutex<Option<JoinHandle<()>>>);

impl HeapThread {
    /// Starts the thread, named `name`, running `body`.
    pub(crate) fn start(&self, name: &'static str, body: impl FnOnce() + Send + 'static) {
        let handle = std::thread::Builder::new()
            .name(name.into())
            .spawn(body)
            .unwrap_or_else(|e| panic!("gcheap: failed to spawn the {name} thread: {e}"));
        *self.0.lock() = Some(handle);
    }

    /// Whether the calling thread is this one.
    pub(crate) fn is_current(&self) -> bool {
        let me = std::thread::current().id();
        self.0
            .lock()
            .as_ref()
            .is_some_and(|t| t.thread().id() == me)
    }

    /// Waits for the thread to end (once; later calls return at once).
    pub(crate) fn join(&self) {
        // Not under the lock: the thread may ask `is_current` while it finishes.
        let handle = self.0.lock().take();
        if let Some(t) = handle {
            let _ = t.join();
        }
    }
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
    inner: Arc<HeapOwner>,
}

/// What the `Heap` handles share: dropped with the last of them, it tears the heap down once no
/// mutator is left either (mutators hold a handle).
struct HeapOwner {
    shared: Arc<HeapState>,
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
        let shared = Arc::new(HeapState {
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
            collector: Collector::default(),
            broken: AtomicBool::new(false),
            roots: Mutex::new(RootTable::default()),
            weak: WeakTable::default(),
            ephemerons: Arc::default(),
            cleanups: CleanupTable::default(),
            guardians: GuardianTable::default(),
            history: Mutex::new(History::default()),
            pool: WorkerPool::new(),
            sweeper: Sweeper::default(),
            created: Instant::now(),
            ncpu: std::thread::available_parallelism().map_or(1, |n| n.get()),
        });
        Sweeper::spawn(&shared);
        Collector::spawn(&shared);
        Ok(Heap {
            inner: Arc::new(HeapOwner { shared }),
        })
    }

    pub(crate) fn shared(&self) -> &HeapState {
        &self.inner.shared
    }

    pub(crate) fn shared_arc(&self) -> &Arc<HeapState> {
        &self.inner.shared
    }

    /// Runs a full cycle, sweep included, and returns when it is complete (Go's `runtime.GC`):
    /// every object unreachable when the cycle marked has been dropped and freed, including
    /// those in spans that other mutators' caches held (a brief stop at the end has every
    /// mutator release them, as Go has every P flush its cache).
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
        shared.finish_sweep_everywhere();
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

    /// The pacer's count of live heap bytes (Go's `heapLive`): what the last cycle marked plus
    /// what has been allocated since, counted as spans are handed to allocation caches. Unlike
    /// [`mem_stats`](Self::mem_stats) it stops nothing, so it may be read from inside `mutate`
    /// (an interpreter's `collectgarbage("count")`); it is an estimate between cycles.
    ///
    /// ```
    /// use gcheap_core::{Gc, Heap, Rootable};
    ///
    /// let heap = Heap::default();
    /// let mut m = heap.mutator::<Rootable![()]>(|_| ());
    /// m.mutate(|mc, _| {
    ///     for i in 0..100_000u64 {
    ///         Gc::new(mc, [i; 4]);
    ///     }
    ///     assert!(mc.heap().heap_live() >= 1 << 20);
    /// });
    /// m.collect();
    /// assert!(heap.heap_live() < 1 << 20);
    /// ```
    pub fn heap_live(&self) -> u64 {
        self.shared().pacer.heap_live.load(Relaxed)
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

    /// How many mutators are attached (what `runtime.NumGoroutine` is to a Go program hunting
    /// goroutine leaks: a count that keeps growing names a leak). Does not wait for a stop.
    ///
    /// ```
    /// use gcheap_core::{Heap, Rootable};
    ///
    /// let heap = Heap::default();
    /// let m = heap.mutator::<Rootable![()]>(|_| ());
    /// assert_eq!(heap.num_mutators(), 1);
    /// drop(m);
    /// assert_eq!(heap.num_mutators(), 0);
    /// ```
    pub fn num_mutators(&self) -> usize {
        self.shared().world.mutators.lock().len()
    }

    /// How many persistent [`Root`](crate::Root)s are alive. Does not wait for a stop.
    pub fn num_persistent_roots(&self) -> usize {
        self.shared().roots.lock().len()
    }

    /// The attached mutators, counted by the type of their root object, most numerous first.
    pub fn mutators_by_type(&self) -> Vec<TypeCount> {
        let mutators = self.shared().world.mutators.lock();
        TypeCount::tally(mutators.iter().map(|m| m.root_type))
    }

    /// The live persistent roots, counted by the type of their object, most numerous first.
    ///
    /// ```
    /// use gcheap_core::{Gc, Heap, Root, Rootable};
    ///
    /// let heap = Heap::default();
    /// let mut m = heap.mutator::<Rootable![()]>(|_| ());
    /// let roots: Vec<Root<Rootable![u64]>> =
    ///     m.mutate(|mc, _| (0..3).map(|i| Root::new(mc, Gc::new(mc, i))).collect());
    /// let counts = heap.persistent_roots_by_type();
    /// assert_eq!((counts[0].type_name, counts[0].count), ("u64", 3));
    /// drop(roots);
    /// assert!(heap.persistent_roots_by_type().is_empty());
    /// ```
    pub fn persistent_roots_by_type(&self) -> Vec<TypeCount> {
        TypeCount::tally(self.shared().roots.lock().type_names())
    }
}

impl Drop for HeapOwner {
    fn drop(&mut self) {
        let shared = self.shared.clone();
        let on_heap_thread = shared.sweeper.is_current_thread()
            || shared.collector.is_current_thread()
            || shared.cleanups.is_current_thread();
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

impl HeapState {
    /// Stops the heap's threads and drops every object left. Runs once the last handle is gone.
    fn teardown(&self) {
        self.collector.shut_down();
        self.sweeper.shut_down();
        self.pool.shutdown();
        // Queued cleanups run; those of objects still alive are dropped with their closures.
        self.cleanups.shut_down();
        // Every handle and mutator is gone, so no mutate call can read anything any more (roots
        // only hold the shared state): everything left is garbage. Sweep it all so that every
        // object is dropped.
        let _stop = self.world.stopped_for_teardown();
        self.allocator.finish_sweep();
        self.allocator.start_sweep_cycle();
        self.allocator.finish_sweep();
    }
}
