//! Coroutines: threads on the heap and the switches between them.
//!
//! A coroutine is a [`Thread`]: a heap object holding its own [`State`] (stack, cells, frames)
//! behind a `GcRefCell`, and its status. The interpreter runs one thread at a time: `Vm::state`
//! is the running thread's state, borrowed from it, and `Vm::threads` is the chain of resumes
//! from the main thread to the running one.
//!
//! **Switching is data, not Rust stack.** When Lua code calls `coroutine.resume` (or a wrapped
//! coroutine), the loop records in the resumer's state where the outcome goes (a [`Transfer`]),
//! borrows the coroutine's state and goes on with its frames; `coroutine.yield` records where
//! the next resume's values go in the coroutine's state and switches back; a coroutine whose
//! body returns (or fails) is dead and its resumer receives the outcome. No Rust frame stands
//! for a suspended coroutine, so yields cross Lua calls and protected calls (`pcall` is a mark
//! on a frame, see `Frame::protect`), and the outermost loop can return from `mutate` while a
//! coroutine runs: every thread's frames wait in the heap.
//!
//! **Natives** that resume (a wrapped coroutine called by `table.sort`, `pcall(co)`) run the
//! coroutine in a nested loop whose entry is that coroutine: its yield ends the nested loop
//! ([`Exit::Yielded`]) and the native returns the values. Code running in a loop nested under
//! a native inside a coroutine (a sort comparator) cannot yield: a Rust frame would have to be
//! suspended, so that is Lua's "attempt to yield across a C-call boundary".

use gcheap::{Gc, GcCell, GcRefCell, Mutation, Trace};

use super::exec::Flow;
use super::{Exit, LuaError, MULTI, State, Vm};
use crate::function::Function;
use crate::value::Value;

/// A Lua thread: a coroutine, or the main thread.
#[derive(Trace)]
pub struct Thread<'gc> {
    pub(super) state: GcRefCell<'gc, State<'gc>>,
    status: GcCell<'gc, ThreadStatus>,
    /// The function the coroutine runs, until it first runs.
    body: GcCell<'gc, Value<'gc>>,
    /// The error the coroutine died with (what `coroutine.close` reports), or nil.
    error: GcCell<'gc, Value<'gc>>,
}

/// What `coroutine.status` reports.
#[derive(Trace, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadStatus {
    /// Not started, or in a yield.
    Suspended,
    /// Running now.
    Running,
    /// It resumed another coroutine and waits for it.
    Normal,
    /// Its body returned or failed, or it was closed.
    Dead,
}

impl ThreadStatus {
    /// Lua's name of the status.
    pub fn name(self) -> &'static str {
        match self {
            ThreadStatus::Suspended => "suspended",
            ThreadStatus::Running => "running",
            ThreadStatus::Normal => "normal",
            ThreadStatus::Dead => "dead",
        }
    }
}

/// Where the values a thread receives when it runs again go: the results of the call at stack
/// index `at`, `nresults` of them (`MULTI`: all).
#[derive(Clone, Copy, Debug)]
pub(super) struct Transfer {
    at: usize,
    nresults: u16,
    /// The call was to a wrapped coroutine: no leading `true`, and its errors are raised.
    wrap: bool,
}

impl<'gc> Thread<'gc> {
    /// A coroutine that will run `body`.
    pub fn new(mc: &Mutation<'gc>, body: Value<'gc>) -> Gc<'gc, Thread<'gc>> {
        Gc::new(
            mc,
            Thread {
                state: GcRefCell::new(State::default()),
                status: GcCell::new(ThreadStatus::Suspended),
                body: GcCell::new(body),
                error: GcCell::new(Value::Nil),
            },
        )
    }

    /// The main thread, running.
    pub fn main(mc: &Mutation<'gc>) -> Gc<'gc, Thread<'gc>> {
        let t = Thread::new(mc, Value::Nil);
        t.status.set(mc, ThreadStatus::Running);
        t
    }

    /// Its status.
    pub fn status(&self) -> ThreadStatus {
        self.status.get()
    }
}

impl<'a, 'gc> Vm<'a, 'gc> {
    /// The running thread.
    pub fn running(&self) -> Gc<'gc, Thread<'gc>> {
        *self.rt.threads.last().expect("the main thread")
    }

    /// Whether the main thread is running.
    pub fn is_main(&self) -> bool {
        self.rt.threads.len() == 1
    }

    /// Whether `coroutine.yield` could suspend the running thread now: it is a coroutine, and
    /// no native's Rust frame stands between the call and the coroutine's loop.
    pub fn yieldable(&self) -> bool {
        let (depth, entry) = self.loop_entry;
        let under_native = self.rt.threads.len() == entry && depth > 0;
        !self.is_main() && !under_native
    }

    fn set_status(&self, t: Gc<'gc, Thread<'gc>>, status: ThreadStatus) {
        t.status.set(self.mc, status);
    }

    /// Makes `t` the running thread, on top of the chain.
    fn switch_to(&mut self, t: Gc<'gc, Thread<'gc>>) {
        self.state = Gc::as_ref(t).state.borrow_mut(self.mc);
        self.rt.threads.push(t);
    }

    /// Pops the running thread off the chain; its resumer runs again.
    fn switch_back(&mut self) {
        self.rt.threads.pop();
        let resumer = self.running();
        self.state = Gc::as_ref(resumer).state.borrow_mut(self.mc);
        self.set_status(resumer, ThreadStatus::Running);
    }

    /// Why `co` cannot be resumed, if it cannot.
    fn not_resumable(co: Gc<'gc, Thread<'gc>>) -> Option<&'static str> {
        match co.status() {
            ThreadStatus::Suspended => None,
            ThreadStatus::Dead => Some("cannot resume dead coroutine"),
            _ => Some("cannot resume non-suspended coroutine"),
        }
    }

    /// Switches to `co` and hands it `args`: its body's arguments if it has not run yet, else
    /// the results of the yield it waits in. A body that is not a Lua function runs to its end
    /// here, and its outcome is returned.
    ///
    /// `live_end`: where the resumer's live registers end, when it resumes from a call there.
    fn enter(
        &mut self,
        co: Gc<'gc, Thread<'gc>>,
        args: Vec<Value<'gc>>,
        live_end: Option<usize>,
    ) -> Option<Result<Vec<Value<'gc>>, LuaError<'gc>>> {
        self.set_status(self.running(), ThreadStatus::Normal);
        match live_end {
            Some(end) => self.clear_slots_from(end),
            None => self.clear_dead_slots(),
        }
        self.switch_to(co);
        self.set_status(co, ThreadStatus::Running);
        let body = co.body.get();
        if body.is_nil() {
            let w = self
                .state
                .waiting
                .take()
                .expect("a suspended coroutine waits in a yield");
            self.place_results(w.at, &args, w.nresults);
            return None;
        }
        co.body.set(self.mc, Value::Nil);
        match body {
            Value::Function(f) if matches!(Gc::as_ref(f), Function::Lua(_)) => {
                self.start_frame(f, args, MULTI);
                None
            }
            _ => Some(self.call(body, args)),
        }
    }

    /// The running coroutine ended with `outcome` (its results, or the error value): it is
    /// dead, its resumer runs again and receives the outcome as its transfer says. Returns the
    /// error to raise in the resumer when it called a wrapped coroutine that failed.
    pub(super) fn end_coroutine(
        &mut self,
        outcome: Result<Vec<Value<'gc>>, Value<'gc>>,
    ) -> Option<LuaError<'gc>> {
        self.retire(&outcome);
        let w = self
            .state
            .waiting
            .take()
            .expect("the resumer waits in its resume");
        let (results, raise) = self.outcome_values(outcome, w.wrap);
        match raise {
            Some(e) => Some(e),
            None => {
                self.place_results(w.at, &results, w.nresults);
                None
            }
        }
    }

    /// Marks the running coroutine dead (keeping its error for `close`), empties its state and
    /// switches back to its resumer.
    fn retire(&mut self, outcome: &Result<Vec<Value<'gc>>, Value<'gc>>) {
        let co = self.running();
        self.set_status(co, ThreadStatus::Dead);
        if let Err(e) = outcome {
            co.error.set(self.mc, *e);
        }
        self.reset();
        self.switch_back();
    }

    /// What a resume returns: `true` (unless wrapped) and the values, or `false` and the error
    /// (a wrapped coroutine's error is raised instead, positioned where it was called when it
    /// is a string, as Lua's `auxwrap` does).
    fn outcome_values(
        &self,
        outcome: Result<Vec<Value<'gc>>, Value<'gc>>,
        wrap: bool,
    ) -> (Vec<Value<'gc>>, Option<LuaError<'gc>>) {
        match (outcome, wrap) {
            (Ok(values), true) => (values, None),
            (Ok(values), false) => {
                let mut r = Vec::with_capacity(values.len() + 1);
                r.push(Value::Bool(true));
                r.extend(values);
                (r, None)
            }
            (Err(e), false) => (vec![Value::Bool(false), e], None),
            (Err(Value::Str(s)), true) => (
                Vec::new(),
                Some(self.plain_error(String::from_utf8_lossy(&s))),
            ),
            (Err(e), true) => (Vec::new(), Some(LuaError::new(e))),
        }
    }

    /// `coroutine.resume(co, args)` (or a call of a wrapped `co`) from Lua code at stack index
    /// `at`: the loop goes on in `co`.
    pub(super) fn resume_from_lua(
        &mut self,
        co: Gc<'gc, Thread<'gc>>,
        args: Vec<Value<'gc>>,
        at: usize,
        nresults: u16,
        wrap: bool,
    ) -> Result<Flow, LuaError<'gc>> {
        if let Some(msg) = Self::not_resumable(co) {
            if wrap {
                return Err(self.plain_error(msg));
            }
            let r = [Value::Bool(false), self.str(msg.as_bytes())];
            self.place_results(at, &r, nresults);
            return Ok(Flow::Placed);
        }
        self.state.waiting = Some(Transfer { at, nresults, wrap });
        match self.enter(co, args, Some(at)) {
            None => Ok(Flow::Switched),
            Some(done) => {
                let outcome = done.map_err(|e| self.error_value(&e));
                match self.end_coroutine(outcome) {
                    None => Ok(Flow::Switched),
                    Some(e) => Err(e),
                }
            }
        }
    }

    /// `coroutine.yield(...)` from Lua code at stack index `at`: the running coroutine waits
    /// there, and its resumer goes on (or, when a native resumed it, the loop ends).
    pub(super) fn yield_from_lua(
        &mut self,
        at: usize,
        nargs: usize,
        nresults: u16,
        entry: usize,
    ) -> Result<Flow, LuaError<'gc>> {
        if self.is_main() {
            return Err(self.plain_error("attempt to yield from outside a coroutine"));
        }
        if !self.yieldable() {
            return Err(self.plain_error("attempt to yield across a C-call boundary"));
        }
        let values = self.state.stack[at + 1..at + 1 + nargs].to_vec();
        self.state.waiting = Some(Transfer {
            at,
            nresults,
            wrap: false,
        });
        self.set_status(self.running(), ThreadStatus::Suspended);
        self.clear_slots_from(at);
        if self.rt.threads.len() == entry {
            self.transfer = values;
            return Ok(Flow::Exit(Exit::Yielded));
        }
        self.switch_back();
        let w = self
            .state
            .waiting
            .take()
            .expect("the resumer waits in its resume");
        let (results, _) = self.outcome_values(Ok(values), w.wrap);
        self.place_results(w.at, &results, w.nresults);
        Ok(Flow::Switched)
    }

    /// Resumes `co` from a native (`coroutine.resume` called by another native, a wrapped
    /// coroutine called by `pcall` or `table.sort`): runs it in a nested loop until it yields,
    /// returns or fails, and returns what the resume returns.
    pub fn resume_nested(
        &mut self,
        co: Gc<'gc, Thread<'gc>>,
        args: Vec<Value<'gc>>,
        wrap: bool,
    ) -> Result<Vec<Value<'gc>>, LuaError<'gc>> {
        if let Some(msg) = Self::not_resumable(co) {
            if wrap {
                return Err(self.plain_error(msg));
            }
            return Ok(vec![Value::Bool(false), self.str(msg.as_bytes())]);
        }
        let outcome = match self.enter(co, args, None) {
            Some(done) => done.map_err(|e| self.error_value(&e)),
            None => {
                let outer = std::mem::replace(&mut self.can_suspend, false);
                let r = self.execute(0, self.rt.threads.len());
                self.can_suspend = outer;
                match r {
                    Ok(Exit::Yielded) => {
                        let values = std::mem::take(&mut self.transfer);
                        self.switch_back();
                        let (results, _) = self.outcome_values(Ok(values), wrap);
                        return Ok(results);
                    }
                    Ok(_) => Ok(self.state.stack[..self.state.top].to_vec()),
                    Err(e) => Err(self.error_value(&e)),
                }
            }
        };
        self.retire(&outcome);
        let (results, raise) = self.outcome_values(outcome, wrap);
        match raise {
            Some(e) => Err(e),
            None => Ok(results),
        }
    }

    /// `coroutine.close(co)`: a suspended or dead coroutine becomes dead; returns the error it
    /// died with, if it did.
    pub fn close_coroutine(
        &mut self,
        co: Gc<'gc, Thread<'gc>>,
    ) -> Result<Option<Value<'gc>>, LuaError<'gc>> {
        match co.status() {
            ThreadStatus::Running => Err(self.plain_error("cannot close a running coroutine")),
            ThreadStatus::Normal => Err(self.plain_error("cannot close a normal coroutine")),
            ThreadStatus::Suspended | ThreadStatus::Dead => {
                self.set_status(co, ThreadStatus::Dead);
                co.body.set(self.mc, Value::Nil);
                *co.state.borrow_mut(self.mc) = State::default();
                let e = co.error.replace(self.mc, Value::Nil);
                Ok((!e.is_nil()).then_some(e))
            }
        }
    }
}

impl std::fmt::Debug for Thread<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thread")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}
