//! `MemStats`: Go's `runtime.MemStats`, field for field.
//!
//! A snapshot is taken while every mutator is at a boundary and no sweeper runs (Go's
//! `ReadMemStats` stops the world too), so Go's invariants hold in every snapshot:
//! `sys` is the sum of the `*_sys` fields, `heap_idle = heap_sys - heap_inuse`,
//! `heap_objects = mallocs - frees`, `heap_released <= heap_idle`, `heap_alloc <= heap_inuse`.

pub use gcheap_allocator::SizeClassStats;

use std::sync::atomic::Ordering::Relaxed;

use crate::heap::HeapState;

/// Memory allocator and collector statistics, with Go's `runtime.MemStats` names and meanings.
///
/// Differences from Go: there are no goroutine stacks (`stack_inuse` and `stack_sys` are 0) and
/// no profiling buckets (`buck_hash_sys` is 0); `by_size` lists all 67 small size classes (Go
/// truncates to 61); a cycle's pause is its brief mark-start stop (plus, in checkmark mode, the
/// stop that verifies its mark), summed per cycle as in Go; `max_pause_ns` is the longest single
/// stop. Go also stops at mark termination; gcheap ends its mark without stopping.
///
/// **Stopping and stopped.** A stop first waits for every mutator to reach a boundary (the
/// *stopping* time), then holds them there while it works (the *stopped* time, the pause). Go's
/// `PauseNs` counts both, which is fine where preemption stops a goroutine within microseconds;
/// a `mutate` call cannot be preempted, so one long call would make the time to stop look like a
/// pause though nobody was held. gcheap therefore reports them apart, as Go's runtime/metrics
/// does (`/sched/pauses/stopping/gc` and `/sched/pauses/total/gc`): `pause_*` and
/// `max_pause_ns` are the stopped time only, `stopping_total_ns` and `max_stopping_ns` the time
/// to stop. (Mutators that reach a boundary while a stop waits do wait for it: a long `mutate`
/// that ignores [`should_yield`](crate::Mutation::should_yield) holds up the others.)
#[derive(Debug, Clone, PartialEq)]
pub struct MemStats {
    /// Bytes of allocated heap objects (same as `heap_alloc`).
    pub alloc: u64,
    /// Cumulative bytes allocated for heap objects.
    pub total_alloc: u64,
    /// Total bytes of memory obtained from the OS: the sum of the `*_sys` fields.
    pub sys: u64,
    /// Pointer lookups performed by the runtime (always 0, as in Go).
    pub lookups: u64,
    /// Cumulative count of heap objects allocated (tiny allocations counted one each).
    pub mallocs: u64,
    /// Cumulative count of heap objects freed.
    pub frees: u64,
    /// Bytes of allocated heap objects, including unreachable objects not yet swept.
    pub heap_alloc: u64,
    /// Bytes of heap memory obtained from the OS.
    pub heap_sys: u64,
    /// Bytes in idle (unused) spans.
    pub heap_idle: u64,
    /// Bytes in in-use spans.
    pub heap_inuse: u64,
    /// Bytes of physical memory returned to the OS.
    pub heap_released: u64,
    /// Number of allocated heap objects.
    pub heap_objects: u64,
    /// Bytes in stack spans (none: always 0).
    pub stack_inuse: u64,
    /// Stack memory obtained from the OS (none: always 0).
    pub stack_sys: u64,
    /// Bytes of allocated span structures.
    pub mspan_inuse: u64,
    /// Bytes obtained from the OS for span structures.
    pub mspan_sys: u64,
    /// Bytes of allocated thread-cache structures.
    pub mcache_inuse: u64,
    /// Bytes obtained from the OS for thread-cache structures.
    pub mcache_sys: u64,
    /// Bytes of profiling bucket hash tables (none: always 0).
    pub buck_hash_sys: u64,
    /// Bytes of garbage-collection metadata.
    pub gc_sys: u64,
    /// Bytes of miscellaneous off-heap allocations.
    pub other_sys: u64,
    /// The heap size at which the next cycle starts (`u64::MAX` if none is due from growth).
    pub next_gc: u64,
    /// When the last cycle finished, in nanoseconds since the Unix epoch (0: none yet).
    pub last_gc: u64,
    /// Cumulative nanoseconds of GC pauses: time the collector held every mutator stopped (not
    /// counting the time to stop them; see `stopping_total_ns`).
    pub pause_total_ns: u64,
    /// Recent pause durations (stopped time per cycle), a ring: the latest is at
    /// `(num_gc + 255) % 256`.
    pub pause_ns: [u64; 256],
    /// When recent cycles ended (ns since the Unix epoch), a ring indexed like `pause_ns`. Go
    /// records the end of a cycle's last pause, its mark termination; gcheap's mark termination
    /// has no stop, so this is when the cycle's mark ended and its sweep began (the cycle's one
    /// stop, at mark start, ended earlier by the mark's length).
    pub pause_end: [u64; 256],
    /// Completed GC cycles.
    pub num_gc: u32,
    /// Cycles forced by `collect()`.
    pub num_forced_gc: u32,
    /// Fraction of the available CPU time used by the collector since the heap was created.
    pub gc_cpu_fraction: f64,
    /// Whether automatic collection is enabled (always true, as in Go; see `next_gc`).
    pub enable_gc: bool,
    /// Unused (always false, as in Go).
    pub debug_gc: bool,
    /// Per-size-class allocation counts, size classes 1..=67.
    pub by_size: Vec<SizeClassStats>,
    /// The longest single stop of any cycle: the longest time the collector held the mutators
    /// stopped at once (not a Go field; Go's `PauseNs` entries, like ours, sum a cycle's stops).
    pub max_pause_ns: u64,
    /// Cumulative nanoseconds cycles' stops waited for mutators to reach a boundary (Go's
    /// runtime/metrics `/sched/pauses/stopping/gc`; not part of `pause_total_ns`).
    pub stopping_total_ns: u64,
    /// The longest time one stop waited for mutators to reach a boundary.
    pub max_stopping_ns: u64,
    /// Attached mutators (not a Go field; like `runtime.NumGoroutine`, for finding leaks).
    pub num_mutators: u64,
    /// Live persistent roots (not a Go field; for finding leaks).
    pub num_persistent_roots: u64,
}

impl MemStats {
    /// Checks Go's invariants, returning the first violated one. Every snapshot satisfies them.
    pub fn check_invariants(&self) -> Result<(), String> {
        let sum = self.heap_sys
            + self.stack_sys
            + self.mspan_sys
            + self.mcache_sys
            + self.buck_hash_sys
            + self.gc_sys
            + self.other_sys;
        let checks = [
            (self.sys == sum, "Sys == sum of *Sys"),
            (
                self.heap_idle == self.heap_sys - self.heap_inuse,
                "HeapIdle == HeapSys - HeapInuse",
            ),
            (
                self.heap_objects == self.mallocs - self.frees,
                "HeapObjects == Mallocs - Frees",
            ),
            (
                self.heap_released <= self.heap_idle,
                "HeapReleased <= HeapIdle",
            ),
            (self.heap_alloc <= self.heap_inuse, "HeapAlloc <= HeapInuse"),
            (self.alloc == self.heap_alloc, "Alloc == HeapAlloc"),
            (
                self.total_alloc >= self.heap_alloc,
                "TotalAlloc >= HeapAlloc",
            ),
            (self.num_forced_gc <= self.num_gc, "NumForcedGC <= NumGC"),
            (self.mspan_inuse <= self.mspan_sys, "MSpanInuse <= MSpanSys"),
            (
                self.mcache_inuse <= self.mcache_sys,
                "MCacheInuse <= MCacheSys",
            ),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, what)) => Err(format!("MemStats invariant violated: {what}: {self:?}")),
            None => Ok(()),
        }
    }
}

/// How many live things (mutators, persistent roots) there are of one type; see
/// [`Heap::mutators_by_type`](crate::Heap::mutators_by_type) and
/// [`Heap::persistent_roots_by_type`](crate::Heap::persistent_roots_by_type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeCount {
    /// The type's name, as `std::any::type_name` gives it.
    pub type_name: &'static str,
    /// How many there are.
    pub count: usize,
}

impl TypeCount {
    /// Counts names: most numerous first, then by name.
    pub(crate) fn tally(names: impl Iterator<Item = &'static str>) -> Vec<TypeCount> {
        let mut counts = std::collections::BTreeMap::<&'static str, usize>::new();
        for name in names {
            *counts.entry(name).or_default() += 1;
        }
        let mut counts: Vec<TypeCount> = counts
            .into_iter()
            .map(|(type_name, count)| TypeCount { type_name, count })
            .collect();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.type_name.cmp(b.type_name)));
        counts
    }
}

/// One stop of a cycle: how long it waited for mutators to reach a boundary, and how long it
/// then held them.
#[derive(Clone, Copy, Default)]
pub(crate) struct StopTimes {
    pub(crate) stopping: std::time::Duration,
    pub(crate) stopped: std::time::Duration,
}

/// The collector's own counters behind `MemStats`.
pub(crate) struct History {
    pub(crate) num_gc: u32,
    pub(crate) num_forced_gc: u32,
    pub(crate) pause_total_ns: u64,
    pub(crate) pause_ns: [u64; 256],
    pub(crate) pause_end: [u64; 256],
    pub(crate) last_gc: u64,
    pub(crate) max_pause_ns: u64,
    pub(crate) stopping_total_ns: u64,
    pub(crate) max_stopping_ns: u64,
    /// Nanoseconds of CPU the collector used (mark workers, pauses, background sweeping).
    pub(crate) gc_cpu_ns: u64,
}

impl Default for History {
    fn default() -> Self {
        History {
            num_gc: 0,
            num_forced_gc: 0,
            pause_total_ns: 0,
            pause_ns: [0; 256],
            pause_end: [0; 256],
            last_gc: 0,
            max_pause_ns: 0,
            stopping_total_ns: 0,
            max_stopping_ns: 0,
            gc_cpu_ns: 0,
        }
    }
}

impl History {
    /// Records a cycle whose stops held mutators `pause_ns` in all (Go's PauseNs entry), the
    /// longest of them `longest_pause_ns`.
    pub(crate) fn record(
        &mut self,
        stops: &[StopTimes],
        end_unix_ns: u64,
        forced: bool,
        cpu_ns: u64,
    ) {
        let ns = |d: std::time::Duration| d.as_nanos() as u64;
        let pause_ns: u64 = stops.iter().map(|s| ns(s.stopped)).sum();
        let i = self.num_gc as usize % 256;
        self.pause_ns[i] = pause_ns;
        self.pause_end[i] = end_unix_ns;
        self.num_gc += 1;
        self.num_forced_gc += forced as u32;
        self.pause_total_ns += pause_ns;
        for s in stops {
            self.max_pause_ns = self.max_pause_ns.max(ns(s.stopped));
            self.stopping_total_ns += ns(s.stopping);
            self.max_stopping_ns = self.max_stopping_ns.max(ns(s.stopping));
        }
        self.last_gc = end_unix_ns;
        self.gc_cpu_ns += cpu_ns;
    }
}

impl HeapState {
    /// Go's GCCPUFraction: collector CPU time (`cycles_cpu_ns` from the cycles, plus background
    /// sweeping) over the CPU time available since the heap was created.
    pub(crate) fn gc_cpu_fraction(&self, cycles_cpu_ns: u64) -> f64 {
        let ncpu = self.ncpu as f64;
        let elapsed = self.created.elapsed().as_nanos() as f64;
        let cpu = cycles_cpu_ns + self.sweeper.sweep_ns.load(Relaxed);
        if elapsed == 0.0 {
            0.0
        } else {
            (cpu as f64 / (elapsed * ncpu)).min(1.0)
        }
    }

    /// Builds a MemStats snapshot; the caller holds the world lock exclusively.
    pub(crate) fn mem_stats_stopped(&self) -> MemStats {
        let a = self.allocator.stats();
        let num_mutators = self.world.mutators.lock().len() as u64;
        let num_persistent_roots = self.roots.lock().len() as u64;
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
            stopping_total_ns: h.stopping_total_ns,
            max_stopping_ns: h.max_stopping_ns,
            num_mutators,
            num_persistent_roots,
        }
    }
}
