//! The pacer: when the next cycle starts.
//!
//! Go's rule: the heap goal is `marked + marked * gc_percent / 100`, where `marked` is what the
//! last cycle found live, with a floor of 4 MiB x `gc_percent` / 100 (Go's `heapMinimum`) so tiny
//! heaps do not collect constantly. A memory limit lowers the goal to what fits under the limit
//! after the heap's metadata. Negative `gc_percent` means no goal from growth (only the limit, if
//! any).
//!
//! Marking runs while mutators allocate, so a cycle starts before the goal: at the *trigger*,
//! [`TRIGGER_FRACTION`] of the way from what was marked to the goal. The rest of the runway
//! absorbs allocation during marking. Mark assists make sure it suffices: while a cycle marks,
//! each allocated byte owes `assist_ratio` bytes of mark work (the work expected, the last
//! cycle's marked bytes, over the runway left when marking started), paid by the allocating
//! mutator itself whenever the background workers have left gray objects to take.
//!
//! Mutators report allocation in batches of [`CREDIT_BYTES`] (a plain local counter on the fast
//! path); the batch that crosses the trigger wakes the collector thread.

use std::cell::Cell;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering::*};

/// Bytes a mutator allocates between reports to the pacer.
pub(crate) const CREDIT_BYTES: isize = 64 << 10;

/// Where between the last marked size and the goal a cycle starts (Go's minimum trigger ratio).
/// At 0.85 the runway was too short on two cores: mutators outran marking and waited at their
/// boundaries (GCBench 575 ms; 331 ms at 0.7; 0.6 was no better and noisier).
pub(crate) const TRIGGER_FRACTION: f64 = 0.7;

/// Assists never owe more than this many bytes of marking per byte allocated.
const MAX_ASSIST_RATIO: f64 = 64.0;

/// Go's `heapMinimum` at `gc_percent` = 100.
pub(crate) const HEAP_MINIMUM: u64 = 4 << 20;

pub(crate) struct Pacer {
    pub(crate) gc_percent: AtomicI32,
    pub(crate) memory_limit: AtomicU64,
    /// Bytes marked by the last cycle.
    pub(crate) heap_marked: AtomicU64,
    /// Marked bytes plus bytes allocated (and reported) since the last cycle.
    pub(crate) heap_live: AtomicU64,
    /// The heap goal; `u64::MAX` when no cycle is due from growth.
    pub(crate) goal: AtomicU64,
    /// When the next cycle starts; `u64::MAX` with the goal.
    pub(crate) trigger: AtomicU64,
    /// The heap's metadata and other non-heap memory at the last cycle (for the memory limit).
    pub(crate) overhead: AtomicU64,
}

impl Pacer {
    pub(crate) fn new(gc_percent: i32, memory_limit: u64) -> Pacer {
        let p = Pacer {
            gc_percent: AtomicI32::new(gc_percent),
            memory_limit: AtomicU64::new(memory_limit),
            heap_marked: AtomicU64::new(0),
            heap_live: AtomicU64::new(0),
            goal: AtomicU64::new(0),
            trigger: AtomicU64::new(0),
            overhead: AtomicU64::new(0),
        };
        p.update_goal();
        p
    }

    /// The goal for the current settings and the last cycle's marked bytes.
    pub(crate) fn compute_goal(&self) -> u64 {
        let marked = self.heap_marked.load(Relaxed);
        let percent = self.gc_percent.load(Relaxed);
        let mut goal = if percent < 0 {
            u64::MAX
        } else {
            let p = percent as u64;
            let growth = marked.saturating_add(marked.saturating_mul(p) / 100);
            growth.max(HEAP_MINIMUM.saturating_mul(p) / 100)
        };
        let limit = self.memory_limit.load(Relaxed);
        if limit != u64::MAX {
            // Leave the metadata its room, and keep a small floor so that a limit below what is
            // live does not collect on every allocation (Go caps GC CPU instead).
            let room = limit.saturating_sub(self.overhead.load(Relaxed));
            goal = goal.min(room.max(marked + marked / 16).max(1 << 20));
        }
        goal
    }

    pub(crate) fn update_goal(&self) {
        let goal = self.compute_goal();
        let marked = self.heap_marked.load(Relaxed);
        let trigger = if goal == u64::MAX {
            u64::MAX
        } else {
            marked + (goal.saturating_sub(marked) as f64 * TRIGGER_FRACTION) as u64
        };
        self.goal.store(goal, Relaxed);
        self.trigger.store(trigger, Relaxed);
    }

    /// Bytes of mark work owed per byte allocated during the cycle starting now.
    pub(crate) fn assist_ratio(&self) -> f64 {
        let live = self.heap_live.load(Relaxed);
        let goal = self.goal.load(Relaxed);
        let expected = self.heap_marked.load(Relaxed).max(1 << 20) as f64;
        let runway = goal.saturating_sub(live).max(CREDIT_BYTES as u64) as f64;
        (expected / runway).min(MAX_ASSIST_RATIO)
    }

    /// Reports a mutator's allocation since its last report; returns whether the trigger is
    /// reached.
    pub(crate) fn charge(&self, credit: &Cell<isize>) -> bool {
        let used = (CREDIT_BYTES - credit.get()).max(0) as u64;
        credit.set(CREDIT_BYTES);
        let live = self.heap_live.fetch_add(used, Relaxed) + used;
        live >= self.trigger.load(Relaxed)
    }

    /// Whether the heap has reached its trigger.
    pub(crate) fn due(&self) -> bool {
        self.heap_live.load(Relaxed) >= self.trigger.load(Relaxed)
    }

    /// Records the end of a cycle that marked `marked` bytes.
    pub(crate) fn end_cycle(&self, marked: u64, overhead: u64) {
        self.heap_marked.store(marked, Relaxed);
        self.heap_live.store(marked, Relaxed);
        self.overhead.store(overhead, Relaxed);
        self.update_goal();
    }
}
