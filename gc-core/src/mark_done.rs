//! Mark termination (Go's `gcMarkDone`): the ragged check that marking is complete, and what
//! runs between it and the sweep: the weak phase's passes and resurrection.
//!
//! **The ragged check** ([`HeapState::marking_done`]): once the workers are idle, the collector
//! checks that no gray object is left anywhere (none queued, and no mutator inside a barrier or
//! assist that could hold some privately) without stopping anyone. Then everything reachable
//! is black, and stays black: a barrier finds only black objects and allocation is black.
//!
//! **The weak phase** ([`HeapState::clear_weak`]), mutators running throughout, each step
//! published in the job's weak phase for the read barriers of `crate::weak`:
//!
//! 1. Decide whether the cycle may resurrect (any guardian registration listed), then close the
//!    phase (`CLOSED`): upgrades stop shading. The check runs again, for upgrades that began
//!    before the close; the marks are final.
//! 2. Clear the weak references to unmarked objects ([`crate::weak`]).
//! 3. Resurrect the unreachable objects of reachable guardians ([`crate::guardian`]): shade
//!    them, run the workers and the check again, and queue them for their guardians. Only this
//!    step marks after the check, and it marks only objects no mutator can reach (the check
//!    proved every reachable object marked; weak references to the others were just cleared;
//!    an ephemeron key read waits for the step), so the check's conclusion survives it. The
//!    marks are final again (`FINAL`).
//! 4. Clear the ephemerons whose key is unmarked ([`crate::ephemeron`]: while marking, an
//!    ephemeron met before its key waited in a table that marking the key empties, so what is
//!    left there has dead keys), then publish `CLEARED`: from here on a non-null weak slot is
//!    live and mark bits are not consulted (the sweep will consume them).
//! 5. Queue the cleanups of unmarked objects for the cleanup thread ([`crate::cleanup`]).
//!
//! This is Lua 5.4's order (weak values cleared before finalizable objects are resurrected, weak
//! keys after) and Java's (weak references cleared before finalization). Checkmark mode then
//! stops the world to re-mark and compare ([`crate::verify`]).

use std::sync::Arc;
use std::sync::atomic::{Ordering::*, fence};

use crate::heap::HeapState;
use crate::mark::MarkJob;
use crate::weak::{WEAK_CLEARED, WEAK_CLOSED, WEAK_FINAL};

impl HeapState {
    /// Mark end, mutators still running: the weak phase and its passes (see the module docs).
    pub(crate) fn clear_weak(&self, job: &Arc<MarkJob>) {
        // Before the close: a registration made later is of an object a mutator holds.
        let may_resurrect = self.guardians.may_resurrect();
        job.may_resurrect.store(may_resurrect, SeqCst);
        job.set_weak_phase(WEAK_CLOSED);
        // An upgrade that read the open phase is an operation this check sees.
        self.finish_marking(job);
        self.weak.clear_dead(&self.allocator, may_resurrect);
        if may_resurrect {
            self.guardians
                .resurrect(&self.allocator, &self.ephemerons, job, || {
                    self.finish_marking(job)
                });
            self.weak.readmit(&self.allocator);
        }
        job.set_weak_phase(WEAK_FINAL);
        self.ephemerons.clear_dead(&self.allocator);
        job.set_weak_phase(WEAK_CLEARED);
        self.cleanups.queue_dead(&self.allocator);
    }

    /// Runs the workers until the ragged termination check finds no gray object.
    fn finish_marking(&self, job: &Arc<MarkJob>) {
        while !self.marking_done(job) {
            job.rearm();
            self.pool.mark(job, &self.allocator);
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
    pub(crate) fn marking_done(&self, job: &MarkJob) -> bool {
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
}
