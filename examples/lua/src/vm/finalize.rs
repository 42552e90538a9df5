//! `__gc` and `collectgarbage`: Lua's view of the collector.
//!
//! **Finalizers.** `setmetatable(t, mt)` with a `__gc` field in `mt` *marks* `t` for
//! finalization (Lua 5.4 §2.5.3): `t` is registered with the state's [`GcGuardian`]. When a cycle
//! finds `t` unreachable the guardian resurrects it (with everything it reaches) and queues it,
//! newest registration first; the interpreter takes the queue at its next safe point (each
//! return to the driver, and right after `collectgarbage("collect")`) and calls the `__gc` it
//! finds in the metatable *then*, with `t`. Once taken, `t` is unmarked: it is finalized once,
//! unless a later `setmetatable` with `__gc` marks it again. Weak values to `t` were cleared
//! before the resurrection, and weak keys keep their entry until the cycle that frees `t`, as
//! the manual orders. Errors in a finalizer are ignored (Lua would print them as a warning,
//! which is off by default). When the state closes, every object still marked is finalized,
//! newest mark first: the state keeps a weak list of marked objects for that.
//!
//! **`collectgarbage("collect")`** cannot run a cycle from inside `mutate` (a cycle waits for
//! every mutator to be outside it). It asks the driver for one: the loop returns from `mutate`
//! after the call, the driver runs `Mutator::collect` (a full cycle) and, back inside, the
//! finalizers it queued, then the script goes on. Called where the loop cannot return (inside a
//! sort comparator, a finalizer), the cycle runs at the next point where it can. `"stop"` and
//! `"restart"` set the heap's GC percent (Go's `SetGCPercent(-1)` turns automatic cycles off),
//! so they act on every state of the heap; `"count"` is the heap's live bytes from `MemStats`.

use gcheap::{Gc, GcGuardian, GcWeak, Mutation, Trace};

use super::{Event, Vm};
use crate::table::Table;
use crate::value::Value;

/// What a state keeps for `__gc` and `collectgarbage`.
#[derive(Trace)]
pub struct GcState<'gc> {
    /// Objects marked for finalization.
    finalizers: Gc<'gc, GcGuardian<'gc, Table<'gc>>>,
    /// The same objects, weakly, in marking order, to finalize those alive when the state closes.
    marked: Vec<GcWeak<'gc, Table<'gc>>>,
    /// `marked`'s length after its last pruning (it is pruned when twice as long).
    #[trace(static)]
    marked_pruned: usize,
    /// The GC percent `collectgarbage("stop")` replaced.
    #[trace(static)]
    stopped_percent: Option<i32>,
    /// The mode `collectgarbage("incremental"/"generational")` last set (gcheap has one mode:
    /// concurrent; the option only answers the previous setting, as Lua does).
    #[trace(static)]
    pub generational: bool,
    /// A full cycle was asked for (see the module docs).
    #[trace(static)]
    pub collect_requested: bool,
}

impl<'gc> GcState<'gc> {
    /// A state with nothing marked.
    pub fn new(mc: &Mutation<'gc>) -> GcState<'gc> {
        GcState {
            finalizers: GcGuardian::new(mc),
            marked: Vec::new(),
            marked_pruned: 0,
            stopped_percent: None,
            generational: false,
            collect_requested: false,
        }
    }
}

impl<'a, 'gc> Vm<'a, 'gc> {
    /// Marks `t` for finalization if `mt` has `__gc` and `t` is not marked yet.
    pub fn mark_for_finalization(&mut self, t: Gc<'gc, Table<'gc>>, mt: Gc<'gc, Table<'gc>>) {
        if self.meta_field(mt, Event::Gc).is_none() || t.data.borrow().finalizer {
            return;
        }
        t.data.borrow_mut(self.mc).finalizer = true;
        let g = &mut self.rt.gc;
        g.finalizers.register(self.mc, t);
        g.marked.push(Gc::downgrade(self.mc, t));
        if g.marked.len() >= 2 * g.marked_pruned.max(64) {
            // A resurrected object is reachable through no weak reference, so entries of
            // finalized objects are cleared.
            g.marked.retain(|w| !w.is_cleared());
            g.marked_pruned = g.marked.len();
        }
    }

    /// Calls the `__gc` of every object the collector queued, newest mark first.
    pub fn run_finalizers(&mut self) {
        while let Some(t) = self.rt.gc.finalizers.take(self.mc) {
            self.finalize(t);
        }
    }

    fn finalize(&mut self, t: Gc<'gc, Table<'gc>>) {
        t.data.borrow_mut(self.mc).finalizer = false;
        if let Some(f @ Value::Function(_)) = self.metamethod(Value::Table(t), Event::Gc) {
            // Lua reports a finalizer's error as a warning, off unless asked for.
            let _ = self.call(f, vec![Value::Table(t)]);
        }
    }

    /// Finalizes every object still marked, newest mark first, as closing a state does.
    pub fn finalize_all(&mut self) {
        self.run_finalizers();
        while let Some(w) = self.rt.gc.marked.pop() {
            if let Some(t) = w.upgrade(self.mc)
                && t.data.borrow().finalizer
            {
                self.finalize(t);
            }
        }
    }

    /// `collectgarbage("stop")`.
    pub fn stop_collector(&mut self) {
        let heap = self.mc.heap();
        if self.rt.gc.stopped_percent.is_none() {
            self.rt.gc.stopped_percent = Some(heap.set_gc_percent(-1));
        }
    }

    /// `collectgarbage("restart")`.
    pub fn restart_collector(&mut self) {
        if let Some(p) = self.rt.gc.stopped_percent.take() {
            self.mc.heap().set_gc_percent(p);
        }
    }

    /// `collectgarbage("isrunning")`.
    pub fn collector_running(&self) -> bool {
        self.mc.heap().gc_percent() >= 0
    }
}

impl std::fmt::Debug for GcState<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GcState")
            .field("marked", &self.marked.len())
            .field("stopped", &self.stopped_percent.is_some())
            .field("generational", &self.generational)
            .finish_non_exhaustive()
    }
}
